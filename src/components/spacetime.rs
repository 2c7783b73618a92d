//! The space-time diagram: one lane per process, time flowing down, each
//! step a process took as a dot, each message an arrow from its send to
//! its receive (dashed while it travels, crossed out where it was lost).
//! Pick an event to light its causal past and future and grey out what is
//! concurrent with it; pick a second to read how the two are ordered.
//!
//! It draws any [`Trace`], so every message-passing lab shows its own runs
//! with it, and a lab with clocks of its own passes stamps to label dots.

use dsviz_sim::kernel::fmt_time;
use dsviz_sim::spacetime::{EventKind, Fate, Order, Trace};
use std::rc::Rc;
use yew::prelude::*;

/// Where lane `i` of `n` sits across the diagram, as a percentage of its
/// width (a menu opens there).
pub fn lane_x_pct(i: usize, n: usize) -> f64 {
    (SIDE + LANE_W * (i as f64 + 0.5)) / (SIDE * 2.0 + LANE_W * n as f64) * 100.0
}

/// Most events drawn at once: the latest up to the cursor.
pub const WINDOW: usize = 36;

const LANE_W: f64 = 76.0;
const ROW_H: f64 = 22.0;
const TOP: f64 = 30.0;
const SIDE: f64 = 40.0;

#[derive(Properties, PartialEq)]
pub struct SpaceTimeProps {
    pub trace: Rc<Trace>,
    /// Narration of each drawn event, by event index.
    pub texts: Rc<Vec<(usize, String)>>,
    /// A label per event (a clock's stamp), by event index; none: no labels.
    #[prop_or_default]
    pub stamps: Option<Rc<Vec<String>>>,
    pub on_seek: Callback<u64>,
    /// Clicking a lane's name (opens the process's menu); none: plain names.
    #[prop_or_default]
    pub on_lane: Option<Callback<usize>>,
    /// The first event drawn; none: the latest [`WINDOW`] events.
    #[prop_or_default]
    pub first: Option<usize>,
    /// Events marked as wrong (a log's clock that contradicts causality).
    #[prop_or_default]
    pub flagged: Rc<Vec<usize>>,
    /// More on two picked events (how each clock orders them), shown under
    /// the causal verdict.
    #[prop_or_default]
    pub compare: Option<Callback<(usize, usize), Html>>,
    /// Offers the run as a ShiViz log: a download button when given.
    #[prop_or_default]
    pub on_export: Option<Callback<()>>,
}

/// The events drawn: the last [`WINDOW`] of the trace.
pub fn window(trace: &Trace) -> std::ops::Range<usize> {
    trace.events.len().saturating_sub(WINDOW)..trace.events.len()
}

/// The events drawn from `first` on (at most [`WINDOW`]), or the last ones.
pub fn window_from(trace: &Trace, first: Option<usize>) -> std::ops::Range<usize> {
    match first {
        None => window(trace),
        Some(f) => {
            let n = trace.events.len();
            let f = f.min(n.saturating_sub(1));
            f..(f + WINDOW).min(n)
        }
    }
}

fn relation_words(o: Order) -> &'static str {
    match o {
        Order::Same => "the same event",
        Order::Before => "happened before",
        Order::After => "happened after",
        Order::Concurrent => "is concurrent with",
    }
}

/// An event's identity that survives the cursor moving: its lane and its
/// place on the lane.
type Ident = (usize, usize);

/// Each event's [`Ident`].
fn idents(t: &Trace) -> Vec<Ident> {
    let mut on_lane = vec![0usize; t.lanes.len()];
    t.events
        .iter()
        .map(|e| {
            let k = on_lane.get(e.lane).copied().unwrap_or(0);
            if let Some(c) = on_lane.get_mut(e.lane) {
                *c += 1;
            }
            (e.lane, k)
        })
        .collect()
}

/// The selection after picking `step`: a picked event is unpicked, a
/// third pick starts again.
fn toggle(picked: &[Ident], step: Ident) -> Vec<Ident> {
    let mut v = picked.to_vec();
    if let Some(i) = v.iter().position(|s| *s == step) {
        v.remove(i);
    } else if v.len() < 2 {
        v.push(step);
    } else {
        v = vec![step];
    }
    v
}

#[function_component(SpaceTime)]
pub fn space_time(p: &SpaceTimeProps) -> Html {
    // Selected events by lane and place, so a selection survives the cursor moving.
    let picked = use_state(Vec::<Ident>::new);
    let t = &*p.trace;
    // Following the run: when events arrive, the newest rows come into view.
    let scroller = use_node_ref();
    {
        let scroller = scroller.clone();
        let follow = p.first.is_none();
        use_effect_with(t.events.len(), move |_| {
            if follow {
                if let Some(el) = scroller.cast::<web_sys::Element>() {
                    el.set_scroll_top(el.scroll_height());
                }
            }
        });
    }
    if t.lanes.len() < 2 || t.events.is_empty() {
        return html! { <p class="muted">{"No process has taken a step yet. Press Play or Step forward."}</p> };
    }
    let win = window_from(t, p.first);
    let timed = !t.untimed;
    let when = |e: usize| {
        if timed {
            format!(
                " (step {}, {})",
                t.events[e].step,
                fmt_time(t.events[e].time_us)
            )
        } else {
            String::new()
        }
    };
    let row_of = |e: usize| TOP + ROW_H * ((e - win.start) as f64 + 0.5);
    let x_of = |lane: usize| SIDE + LANE_W * (lane as f64 + 0.5);
    let height = TOP + ROW_H * (win.len() as f64 + 1.0);
    let width = SIDE * 2.0 + LANE_W * t.lanes.len() as f64;
    let ids = idents(t);
    let sel: Vec<usize> = picked
        .iter()
        .filter_map(|s| ids.iter().position(|i| i == s))
        .collect();
    let (past, future) = match sel.first() {
        Some(&a) => (t.past(a), t.future(a)),
        None => (Vec::new(), Vec::new()),
    };
    let text_of = |e: usize| {
        p.texts
            .iter()
            .find(|(i, _)| *i == e)
            .map(|(_, s)| s.as_str())
            .unwrap_or("")
    };
    let click = |e: usize| {
        let picked = picked.clone();
        let step = ids[e];
        Callback::from(move |_: MouseEvent| picked.set(toggle(&picked, step)))
    };
    let key = |e: usize| {
        let picked = picked.clone();
        let step = ids[e];
        Callback::from(move |ev: KeyboardEvent| {
            if ev.key() == "Enter" || ev.key() == " " {
                ev.prevent_default();
                picked.set(toggle(&picked, step));
            }
        })
    };

    let lanes = t.lanes.iter().enumerate().map(|(i, name)| {
        let x = x_of(i);
        let head = match &p.on_lane {
            Some(cb) => {
                let (cb, kb) = (cb.clone(), cb.clone());
                html! {
                    <text class="st-head" x={x.to_string()} y="16" text-anchor="middle" tabindex="0" role="button" aria-label={format!("{name}: open its menu")}
                        onclick={Callback::from(move |_: MouseEvent| cb.emit(i))}
                        onkeydown={Callback::from(move |e: KeyboardEvent| if e.key() == "Enter" || e.key() == " " { e.prevent_default(); kb.emit(i) })}>{name}</text>
                }
            }
            None => html! { <text x={x.to_string()} y="16" text-anchor="middle">{name}</text> },
        };
        html! {
            <g class="st-lane">
                {head}
                <line x1={x.to_string()} y1={(TOP - 6.0).to_string()} x2={x.to_string()} y2={height.to_string()} />
            </g>
        }
    });
    // Arrows of the messages that touch the drawn rows.
    let arrows = t.messages.iter().filter_map(|m| {
        let s = m.send;
        if s >= win.end {
            return None;
        }
        let sx = x_of(t.events[s].lane);
        let sy = if s >= win.start { row_of(s) } else { TOP - 4.0 };
        let (ex, ey, class) = match m.fate {
            Fate::Received(r) if r >= win.start => (x_of(t.events[r].lane), row_of(r.min(win.end)), "st-msg"),
            Fate::Received(_) => return None,
            Fate::Dropped { to, at_us } => {
                if s < win.start {
                    return None;
                }
                // Halfway to the receiver, on the row of the first event at or after the loss.
                let at = t.events[win.clone()].iter().position(|e| e.time_us >= at_us).map(|i| row_of(win.start + i)).unwrap_or(height - ROW_H / 2.0);
                ((sx + x_of(to)) / 2.0, at, "st-msg lost")
            }
            Fate::InFlight { to, .. } => (x_of(to), height - 4.0, "st-msg flying"),
        };
        let related = sel.first().is_some_and(|&a| s == a || past.get(s).copied().unwrap_or(false) || future.get(s).copied().unwrap_or(false));
        let dim = !sel.is_empty() && !related && sel.first() != Some(&s);
        let title = match m.fate {
            Fate::Received(_) => format!("{} from {}", m.kind, t.lanes[t.events[s].lane]),
            Fate::Dropped { to, .. } => format!("{} from {} to {}, lost", m.kind, t.lanes[t.events[s].lane], t.lanes[to]),
            Fate::InFlight { to, arrive_us } => format!("{} from {} to {}, arrives at {}", m.kind, t.lanes[t.events[s].lane], t.lanes[to], fmt_time(arrive_us)),
        };
        Some(html! {
            <g class={classes!(class.to_string(), dim.then_some("dim"))}>
                <title>{title}</title>
                <line x1={sx.to_string()} y1={sy.to_string()} x2={ex.to_string()} y2={ey.to_string()} marker-end={(class == "st-msg").then_some("url(#st-arrow)")} />
                if class == "st-msg lost" {
                    <path d={format!("M{} {}l6 6m0 -6l-6 6", ex - 3.0, ey - 3.0)} class="st-x" />
                }
            </g>
        })
    });
    let dots = win.clone().map(|e| {
        let ev = &t.events[e];
        let (x, y) = (x_of(ev.lane), row_of(e));
        let state = if sel.contains(&e) {
            "picked"
        } else if sel.is_empty() {
            ""
        } else if past.get(e).copied().unwrap_or(false) {
            "past"
        } else if future.get(e).copied().unwrap_or(false) {
            "future"
        } else {
            "concurrent"
        };
        let kind = match ev.kind {
            EventKind::Local => "local",
            EventKind::Send => "send",
            EventKind::Receive => "recv",
        };
        let rel = match state {
            "past" => ", happened before the picked event",
            "future" => ", happened after the picked event",
            "concurrent" => ", concurrent with the picked event",
            "picked" => ", picked",
            _ => "",
        };
        let flagged = p.flagged.contains(&e);
        let label = format!(
            "{}: {}{}{}{}",
            t.lanes[ev.lane],
            text_of(e),
            when(e),
            if flagged { ", its clock contradicts causality" } else { "" },
            rel
        );
        let stamp = p.stamps.as_ref().and_then(|s| s.get(e).cloned());
        html! {
            <g class={classes!("st-event", kind, (!state.is_empty()).then_some(state), flagged.then_some("flagged"))} tabindex="0" role="button" aria-label={label.clone()} aria-pressed={sel.contains(&e).to_string()}
               onclick={click(e)} onkeydown={key(e)}>
                <title>{label}</title>
                if flagged {
                    <circle class="st-flag" cx={x.to_string()} cy={y.to_string()} r="10" />
                }
                <circle cx={x.to_string()} cy={y.to_string()} r="6" />
                if let Some(s) = stamp {
                    <text x={(x + 9.0).to_string()} y={(y + 4.0).to_string()} class="st-stamp">{s}</text>
                }
            </g>
        }
    });
    let times = win.clone().filter(|_| timed).step_by(4).map(|e| {
        html! { <text class="st-time" x="4" y={(row_of(e) + 4.0).to_string()}>{fmt_time(t.events[e].time_us)}</text> }
    });

    let caption = match sel.as_slice() {
        [] => {
            html! { <p class="muted">{"Pick an event to light what happened before it and after it; pick a second to compare the two."}</p> }
        }
        [a] => {
            let n_past = past.iter().filter(|b| **b).count();
            let n_fut = future.iter().filter(|b| **b).count();
            let n_conc = t.events.len() - n_past - n_fut - 1;
            let step = t.events[*a].step;
            let seek = p.on_seek.clone();
            html! {
                <p>
                    <strong>{format!("{}: {}", t.lanes[t.events[*a].lane], text_of(*a))}</strong>
                    {format!(" — {n_past} events happened before it, {n_fut} after it, and {n_conc} are concurrent with it. ")}
                    if step > 0 {
                        <button class="linklike" onclick={Callback::from(move |_| seek.emit(step))}>{format!("Go to step {step}")}</button>
                    }
                </p>
            }
        }
        [a, b, ..] => {
            let o = t.order(*a, *b);
            let name = |e: usize| {
                let lane = t.events[e].lane;
                if timed && t.events[e].step > 0 {
                    format!("{} at step {}", t.lanes[lane], t.events[e].step)
                } else {
                    let k = t.events[..e].iter().filter(|x| x.lane == lane).count() + 1;
                    format!("{}'s event {k}", t.lanes[lane])
                }
            };
            let why = match o {
                Order::Before | Order::After => "a chain of steps on one process and messages links them.",
                Order::Concurrent => "no chain of messages links them, so no process could know which came first, whatever the clocks say.",
                Order::Same => "",
            };
            let more = p
                .compare
                .as_ref()
                .map(|c| c.emit((*a, *b)))
                .unwrap_or_default();
            html! {
                <>
                    <p><strong>{format!("{} {} {}", name(*a), relation_words(o), name(*b))}</strong>{format!(": {why}")}</p>
                    {more}
                </>
            }
        }
    };
    let earlier = win.start;
    html! {
        <div class="spacetime">
            <div class="st-caption" aria-live="polite">{caption}</div>
            <div class="st-scroll" ref={scroller}>
                <svg class="st-svg" viewBox={format!("0 0 {width} {height}")} style={format!("min-width: {}px; max-width: {}px", 44 * t.lanes.len() + 40, (width * 1.35).round())} role="group" aria-label="Space-time diagram">
                    <defs>
                        <marker id="st-arrow" viewBox="0 0 8 8" refX="7" refY="4" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
                            <path d="M0 0L8 4L0 8z" />
                        </marker>
                    </defs>
                    {for lanes}
                    {for times}
                    {for arrows}
                    {for dots}
                </svg>
            </div>
            <div class="st-foot">
                <p class="muted small">
                    {"Time flows down; a dot is a step of that process, an arrow a message (dashed: still travelling; crossed: lost). "}
                    if earlier > 0 && p.first.is_none() {
                        {format!("The {earlier} earlier events are not drawn, but count in the causal order.")}
                    }
                </p>
                if let Some(cb) = &p.on_export {
                    <button class="small" onclick={cb.reform(|_| ())} title="A file ShiViz's upload reads, and so does this lab's Logs tab">{"Download as ShiViz log"}</button>
                }
            </div>
        </div>
    }
}
