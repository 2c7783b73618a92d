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
