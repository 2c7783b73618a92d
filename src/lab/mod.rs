//! Lab pages. Each lab owns its timeline and draws it with pure view
//! functions of (world, view time, layout).

pub mod raft;
pub(crate) mod raft_view;
pub mod register;
pub mod register_view;

use dsviz_sim::kernel::{Marker, Protocol, Timeline};

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
        let w = tl.world();
        for r in &tl.records()[self.upto as usize..] {
            let m = if r.n_violations > 0 { Some(Marker::Violation) } else { w.marker(&r.note) };
            if let Some(m) = m {
                self.list.push((r.step, m));
            }
        }
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
        .map(|el| matches!(el.tag_name().as_str(), "INPUT" | "SELECT" | "TEXTAREA" | "BUTTON"))
        .unwrap_or(false);
    let key = e.key();
    (!in_field || key == "Escape").then_some(key)
}
