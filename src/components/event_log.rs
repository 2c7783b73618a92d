//! The narration: one plain-English line per step, newest first; click a
//! line to go to that step.

use yew::prelude::*;

#[derive(Clone, PartialEq)]
pub struct LogLine {
    pub step: u64,
    pub time: String,
    pub text: String,
    pub injected: bool,
    pub violation: bool,
    pub current: bool,
}

#[derive(Properties, PartialEq)]
pub struct EventLogProps {
    pub lines: Vec<LogLine>,
    pub on_seek: Callback<u64>,
}

#[function_component(EventLog)]
pub fn event_log(p: &EventLogProps) -> Html {
    if p.lines.is_empty() {
        return html! { <p class="muted">{"Nothing has happened yet. Press Play or Step forward."}</p> };
    }
    let items = p.lines.iter().map(|l| {
        let step = l.step;
        let cb = p.on_seek.clone();
        let onclick = Callback::from(move |_: MouseEvent| cb.emit(step));
        html! {
            <li class={classes!(l.injected.then_some("injected"), l.violation.then_some("violation"), l.current.then_some("current"))}>
                <button class="linklike" {onclick} title={format!("Go to step {step}")}>
                    <span class="stamp">{format!("#{step}")}<small>{&l.time}</small></span>
                    <span class="text">{&l.text}</span>
                </button>
            </li>
        }
    });
    html! { <ol class="event-log" aria-label="Narration">{for items}</ol> }
}

/// The narration panel for any lab: the last `max` steps up to the cursor,
/// newest first, each line a link to its step.
pub fn timeline_log<P: dsviz_sim::kernel::Protocol>(
    tl: &dsviz_sim::kernel::Timeline<P>,
    max: usize,
    on_seek: Callback<u64>,
) -> Html {
    let cursor = tl.cursor() as usize;
    let recs = &tl.records()[..cursor.min(tl.records().len())];
    let w = tl.world();
    let lines: Vec<LogLine> = recs
        .iter()
        .rev()
        .take(max)
        .map(|r| LogLine {
            step: r.step,
            time: dsviz_sim::kernel::fmt_time(r.time_us),
            text: w.narrate(&r.note),
            injected: r.injected,
            violation: r.n_violations > 0,
            current: r.step == cursor as u64,
        })
        .collect();
    html! {
        <div>
            <p class="muted">{format!("The last {} of {} steps up to the cursor. Click a line to go there.", lines.len(), cursor)}</p>
            <EventLog {lines} {on_seek} />
        </div>
    }
}
