//! Play, pause, step, speed, reset and a scrubber with markers: the same
//! controls on every lab.

use super::icons;
use dsviz_sim::kernel::Marker;
use web_sys::HtmlInputElement;
use yew::prelude::*;

/// Speeds as virtual seconds per wall second, with their labels.
pub const SPEEDS: &[(f64, &str)] = &[
    (0.01, "0.01×"),
    (0.02, "0.02×"),
    (0.05, "0.05×"),
    (0.1, "0.1×"),
    (0.25, "0.25×"),
    (1.0, "1×"),
    (10.0, "10×"),
];
pub const DEFAULT_SPEED: usize = 2;

#[derive(Properties, PartialEq, Clone)]
pub struct TransportProps {
    pub playing: bool,
    pub cursor: u64,
    pub horizon: u64,
    /// Virtual time at the cursor, already formatted.
    pub time_label: AttrValue,
    pub markers: Vec<(u64, Marker)>,
    pub speed: usize,
    pub on_play: Callback<()>,
    pub on_step_forward: Callback<()>,
    pub on_step_back: Callback<()>,
    pub on_reset: Callback<()>,
    pub on_seek: Callback<u64>,
    pub on_speed: Callback<usize>,
}

#[function_component(Transport)]
pub fn transport(p: &TransportProps) -> Html {
    let play_label = if p.playing { "Pause" } else { "Play" };
    let max = p.horizon.max(p.cursor).max(1);
    let on_input = {
        let on_seek = p.on_seek.clone();
        Callback::from(move |e: InputEvent| {
            let input: HtmlInputElement = e.target_unchecked_into();
            if let Ok(v) = input.value().parse::<u64>() {
                on_seek.emit(v);
            }
        })
    };
    let on_speed = {
        let cb = p.on_speed.clone();
        Callback::from(move |e: Event| {
            let sel: web_sys::HtmlSelectElement = e.target_unchecked_into();
            if let Ok(v) = sel.value().parse::<usize>() {
                cb.emit(v.min(SPEEDS.len() - 1));
            }
        })
    };
    // One tick per marked step, thinned to what a scrubber can show.
    let mut last_pct = -1.0;
    let ticks = p
        .markers
        .iter()
        .filter_map(|(step, m)| {
            let pct = *step as f64 / max as f64 * 100.0;
            let important = *m == Marker::Violation;
            if pct - last_pct < 0.4 && !important {
                return None;
            }
            last_pct = pct;
            let class = match m {
                Marker::Fault => "tick fault",
                Marker::Role => "tick role",
                Marker::Violation => "tick violation",
            };
            Some(html! { <span class={class} style={format!("left:{pct:.2}%")} /> })
        })
        .take(400)
        .collect::<Html>();
    // A key to the ticks, naming only the kinds this run has.
    let has = |k: Marker| p.markers.iter().any(|(_, m)| *m == k);
    let legend: Vec<(&str, &str)> = [
        (Marker::Fault, "fault", "a fault or an injected event"),
        (Marker::Role, "role", "a role or state changed (a new leader, a breaker moved)"),
        (Marker::Violation, "violation", "an invariant broke"),
    ]
    .into_iter()
    .filter(|(k, _, _)| has(*k))
    .map(|(_, c, t)| (c, t))
    .collect();
    let click = |cb: &Callback<()>| {
        let cb = cb.clone();
        Callback::from(move |_: MouseEvent| cb.emit(()))
    };
    html! {
        <div class="transport" role="group" aria-label="Playback">
            <div class="buttons">
                <button class="icon-btn" aria-label="Reset" title="Reset (R)" onclick={click(&p.on_reset)}>{icons::reset()}</button>
                <button class="icon-btn" aria-label="Step back" title="Step back (←)" onclick={click(&p.on_step_back)} disabled={p.cursor == 0}>{icons::step_back()}</button>
                <button class={classes!("play", p.playing.then_some("playing"))} aria-label={play_label} title="Play or pause (Space)" onclick={click(&p.on_play)}>
                    { if p.playing { html!{ <>{icons::pause()}{"Pause"}</> } } else { html!{ <>{icons::play()}{"Play"}</> } } }
                </button>
                <button class="icon-btn" aria-label="Step forward" title="Step forward (→)" onclick={click(&p.on_step_forward)}>{icons::step_forward()}</button>
                <label class="speed">
                    <span class="visually-hidden">{"Speed"}</span>
                    <select aria-label="Speed" onchange={on_speed}>
                        { for SPEEDS.iter().enumerate().map(|(i, (_, l))| html!{ <option value={i.to_string()} selected={i == p.speed}>{*l}</option> }) }
                    </select>
                </label>
                <span class="clock" aria-live="off">
                    <span class="step">{format!("step {}", p.cursor)}</span>
                    <span class="time">{p.time_label.clone()}</span>
                </span>
            </div>
            <div class="scrubber">
                <div class="ticks" aria-hidden="true">{ticks}</div>
                <input type="range" min="0" max={max.to_string()} value={p.cursor.to_string()} aria-label="Timeline position" oninput={on_input}
                    aria-valuetext={format!("step {} of {}", p.cursor, p.horizon)} />
            </div>
            if !legend.is_empty() {
                <p class="tick-legend">
                    {"Marks on the timeline: "}
                    { for legend.iter().map(|(c, t)| html!{ <span class="tick-key"><span class={classes!("swatch", *c)} aria-hidden="true" />{*t}</span> }) }
                </p>
            }
        </div>
    }
}
