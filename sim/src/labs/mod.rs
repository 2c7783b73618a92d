//! One folder per concept. Each lab implements [`crate::kernel::Protocol`]
//! and offers a clamped `Config`, named invariants, scenarios and, where a
//! paper has one, an experiment that reproduces its figure.

pub mod params;
pub mod raft;
pub mod register;

use crate::kernel::{Input, Protocol, TimeUs, Timeline, World};

/// A named preset: a configuration, a seed, a script of timed inputs,
/// what to notice, and where to pause so the learner sees it.
pub struct Scenario<P: Protocol> {
    pub id: &'static str,
    pub title: &'static str,
    /// What the scenario sets up, in a sentence or two.
    pub summary: &'static str,
    /// What the learner should notice at the pause.
    pub notice: &'static str,
    pub proto: P,
    pub seed: u64,
    pub script: Vec<(TimeUs, Input<P::Command>)>,
    /// Virtual time at which the scenario has made its point.
    pub pause_ms: u64,
    /// The outcome the scenario promises, checked by tests at the pause.
    pub expect: fn(&World<P>) -> Result<(), String>,
}

impl<P: Protocol> Scenario<P> {
    pub fn world(&self, seed: u64) -> World<P> {
        World::new(self.proto.clone(), seed, self.script.clone())
    }

    /// A timeline of this scenario run up to its pause point.
    pub fn run_to_pause(&self, seed: u64) -> Timeline<P> {
        let mut t = Timeline::new(self.world(seed));
        let _ = t.run_until(self.pause_ms * 1000, crate::kernel::timeline::MAX_STEPS);
        t
    }
}
