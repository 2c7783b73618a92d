//! Lab pages, on one shell. [`shell::LabPage`] owns the run and
//! everything that is not a lab's own drawing; each lab folder implements
//! [`shell::LabUi`] (its diagram, menus, fault buttons, panels) and draws
//! with pure view functions of (world, view time, layout).

pub mod clocks;
pub mod raft;
pub mod register;
pub mod resilience;
pub mod shell;

use dsviz_sim::kernel::timeline::MAX_STEPS;
use dsviz_sim::kernel::{Input, Marker, Protocol, TimeUs, Timeline};
use dsviz_sim::labs::{Lab, Run};

/// A second run of the same lab beside the learner's, under other settings
/// (the CAP lab's other mode, the Resilience lab's other policy): the same
/// seed and the learner's events at the same virtual times, kept at the
/// main run's moment.
pub struct Shadow<L: Lab> {
    pub run: Run<L>,
    schedule: Vec<(TimeUs, Input<<L::P as Protocol>::Command>)>,
    config: L::Config,
}

impl<L: Lab> Shadow<L> {
    /// Keeps `slot` in step with `main` under `config`: rebuilt when the
    /// learner's events or the settings changed, then moved to the main
    /// run's virtual time.
    pub fn follow(slot: &mut Option<Shadow<L>>, main: &Run<L>, config: L::Config) {
        let schedule = main.timed_injections();
        let target = main.world().now;
        if slot.as_ref().is_none_or(|s| s.schedule != schedule || s.config != config) {
            let (run, _) = main.replayed(config.clone(), main.seed, target);
            *slot = Some(Shadow { run, schedule, config });
        }
        if let Some(s) = slot.as_mut() {
            if s.run.world().now > target {
                s.run.tl.seek_time(target);
            }
            let _ = s.run.tl.run_until(target, MAX_STEPS);
        }
    }
}

/// Scrubber markers for a timeline, kept up to date incrementally as the
/// run grows and trimmed when a branch discards its future.
#[derive(Default)]
pub struct Markers {
    pub list: Vec<(u64, Marker)>,
    upto: u64,
}

impl Markers {
    pub fn refresh<P: Protocol>(&mut self, tl: &Timeline<P>) {
        let horizon = tl.horizon();
        if horizon < self.upto {
            self.list.retain(|(s, _)| *s <= horizon);
            self.upto = horizon;
        }
        self.list.extend(tl.markers_from(self.upto));
        self.upto = horizon;
    }

    pub fn clear(&mut self) {
        self.list.clear();
        self.upto = 0;
    }
}

/// The key a lab page should act on: `None` with a modifier held, or while
/// the learner types in a field (except Escape, which always closes things).
pub fn lab_key(e: &web_sys::KeyboardEvent) -> Option<String> {
    use wasm_bindgen::JsCast;
    if e.ctrl_key() || e.meta_key() || e.alt_key() {
        return None;
    }
    let in_field = e
        .target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        .map(|el| {
            matches!(
                el.tag_name().as_str(),
                "INPUT" | "SELECT" | "TEXTAREA" | "BUTTON"
            )
        })
        .unwrap_or(false);
    let key = e.key();
    (!in_field || key == "Escape").then_some(key)
}

/// Most steps one animation frame may compute, so a frame never stalls.
pub const MAX_STEPS_PER_FRAME: u64 = 20_000;

/// What one animation frame of playback did.
#[derive(Debug, PartialEq)]
pub enum FrameOutcome {
    /// Keep playing.
    Continue,
    /// Nothing is left to happen at the moment; the lab decides whether to stop.
    Quiet,
    /// The moment a prediction asked about is reached: stop here.
    PredictionOutcome,
    /// The scenario's pause point is reached: stop and show "What to notice".
    ScenarioNotice,
    /// The run hit its step limit.
    TraceFull(String),
}

/// Inputs of one frame besides the timeline and the clock.
pub struct FrameInput {
    /// The frame's timestamp (ms, from requestAnimationFrame).
    pub ts: f64,
    /// Virtual seconds per wall second.
    pub speed: f64,
    /// The scenario's pause point (0: none) and whether it was reached before.
    pub pause_ms: u64,
    pub reached_pause: bool,
}

/// Advances playback by one animation frame: moves virtual time by the
/// wall time since the last frame times the speed, never past a
/// prediction's stopping point or the scenario's pause point, and runs
/// the timeline up to it (at most [`MAX_STEPS_PER_FRAME`] steps).
pub fn advance_frame<P: Protocol>(
    tl: &mut Timeline<P>,
    view_us: &mut f64,
    last_frame_ms: &mut Option<f64>,
    stop_at: &mut Option<crate::content::RunUntil>,
    input: FrameInput,
) -> FrameOutcome {
    use crate::content::RunUntil;
    use dsviz_sim::kernel::TimelineError;
    let dt = last_frame_ms
        .map(|l| (input.ts - l).clamp(0.0, 100.0))
        .unwrap_or(0.0);
    *last_frame_ms = Some(input.ts);
    let mut target = *view_us + dt * input.speed * 1000.0;
    if let Some(stop) = *stop_at {
        let done = match stop {
            RunUntil::Step(s) => tl.cursor() >= s,
            RunUntil::TimeMs(t) => *view_us >= (t * 1000) as f64,
        };
        if done {
            *stop_at = None;
            return FrameOutcome::PredictionOutcome;
        }
        match stop {
            RunUntil::TimeMs(t) => target = target.min((t * 1000) as f64),
            // Never run past the step: move one event at a time near it.
            RunUntil::Step(s) if tl.cursor() + 1 >= s => {
                let _ = tl.forward();
                *view_us = tl.world().now as f64;
                return FrameOutcome::Continue;
            }
            RunUntil::Step(_) => {}
        }
    }
    let pause_us = (input.pause_ms * 1000) as f64;
    let notice = !input.reached_pause && input.pause_ms > 0 && target >= pause_us;
    if notice {
        target = pause_us;
    }
    let quiet = match tl.run_until(target as u64, MAX_STEPS_PER_FRAME) {
        Ok(n) if n >= MAX_STEPS_PER_FRAME => {
            *view_us = tl.world().now as f64;
            false
        }
        Ok(_) => {
            *view_us = target;
            false
        }
        Err(TimelineError::Quiescent) => {
            *view_us = target;
            true
        }
        Err(e @ TimelineError::TraceFull) => return FrameOutcome::TraceFull(e.to_string()),
    };
    if notice {
        FrameOutcome::ScenarioNotice
    } else if quiet {
        FrameOutcome::Quiet
    } else {
        FrameOutcome::Continue
    }
}

/// Click and keyboard (Enter or Space) handlers that open a node's menu,
/// for an SVG glyph with `role="button"`.
pub fn node_handlers(
    id: dsviz_sim::kernel::NodeId,
    on_node: &yew::Callback<dsviz_sim::kernel::NodeId>,
) -> (
    yew::Callback<web_sys::MouseEvent>,
    yew::Callback<web_sys::KeyboardEvent>,
) {
    let on_click = on_node.clone();
    let onclick = yew::Callback::from(move |e: web_sys::MouseEvent| {
        e.stop_propagation();
        on_click.emit(id);
    });
    let on_key = on_node.clone();
    let onkeydown = yew::Callback::from(move |e: web_sys::KeyboardEvent| {
        if e.key() == "Enter" || e.key() == " " {
            e.prevent_default();
            e.stop_propagation();
            on_key.emit(id);
        }
    });
    (onclick, onkeydown)
}
