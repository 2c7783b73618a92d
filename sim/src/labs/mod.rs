//! One folder per concept, on one lab platform.
//!
//! - [`lab`]: the [`Lab`] description (card, parameter table, scenarios,
//!   probes, experiments) and [`Run`], the one type that turns a link into
//!   a run and back.
//! - [`params`]: parameter tables, and reading them from text.
//! - [`probe`]: probes that grade predictions by playing a run on.
//! - [`experiment`]: experiments that reproduce published results.
//! - [`registry`]: every lab, by id, for the app, the question bank and the CLI.
//! - [`harness`]: random fault schedules, the chaos runner and the
//!   scenario check every lab's tests share.
//! - [`quorum`]: majorities and read/write quorum overlap, for every lab
//!   that counts answers.
//!
//! Each lab implements [`crate::kernel::Protocol`] and [`Lab`], and is
//! listed once in [`registry`].

pub mod clocks;
pub mod experiment;
pub mod harness;
pub mod lab;
pub mod params;
pub mod probe;
pub mod quorum;
pub mod raft;
pub mod register;
pub mod registry;
pub mod resilience;

pub use lab::{Lab, LabInfo, Opened, Run};

use crate::kernel::{Input, Protocol, TimeUs, Timeline, World};

/// A named preset: a configuration, a seed, a script of timed inputs,
/// what to notice, and where to pause so the learner sees it.
#[derive(Clone)]
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
    /// Virtual time at which the scenario has made its point (0: free
    /// play, no pause).
    pub pause_ms: u64,
    /// The outcome the scenario promises, checked by tests at the pause.
    pub expect: fn(&World<P>) -> Result<(), String>,
}

/// Virtual time a free-play scenario (no pause point) is run for when its
/// expectation is checked.
pub const FREE_PLAY_CHECK_MS: u64 = 3_000;

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

    /// Where the scenario's expectation is checked: its pause point, or
    /// [`FREE_PLAY_CHECK_MS`] for free play.
    pub fn check_ms(&self) -> u64 {
        if self.pause_ms == 0 {
            FREE_PLAY_CHECK_MS
        } else {
            self.pause_ms
        }
    }
}
