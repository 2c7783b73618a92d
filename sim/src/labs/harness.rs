//! Test harnesses every lab shares: random fault schedules, a chaos
//! runner, and the check that scenarios keep their promises.
//!
//! A lab's safety argument is tested the way Jepsen tests a database: run
//! it under a random schedule of faults and a steady client workload, and
//! check every invariant after every step. Each lab once wrote its own
//! schedule, and each schedule knew a few faults (crash, restart, a
//! two-way split, dropping the oldest message); the kernel knows many more
//! (one-way cuts, duplicates, slow nodes and links, pauses, clocks). Here
//! there is one generator for all of them, so every lab is held to every
//! fault, and a new fault kind reaches every lab's tests at once.
//!
//! - [`faults`]: [`FaultKind`], [`FaultMix`] (which kinds a lab wants, and
//!   their weights and bounds) and [`draw_fault`], which draws one kernel
//!   [`Input`](crate::kernel::Input) that means something in the world as
//!   it is (a restart names a node that is down, a drop a message in
//!   flight). [`calm`] gives the inputs that undo every fault.
//! - [`chaos`]: [`Chaos`], which drives a [`World`](crate::kernel::World)
//!   or a [`Timeline`](crate::kernel::Timeline) for a number of steps with
//!   faults at a given rate, mixes in the lab's own commands through a
//!   hook, and returns the violations with counters of what was explored
//!   ([`Explored`]), so a test can assert its coverage, not just its
//!   silence. [`hunt`] searches seeds for a schedule that breaks a rule.
//! - [`expect`]: [`check_scenarios`], which runs every scenario of a
//!   [`Lab`](crate::labs::Lab) to its check point for several seeds and
//!   returns every broken promise with its scenario, seed, reason and
//!   narration.
//!
//! Randomness: the faults draw from their own [`SimRng`], seeded from the
//! test's seed, never from the world's. A world's own draws (latencies,
//! losses, timeouts) then depend only on its seed and the inputs it was
//! given, and a chaos run is exactly reproducible: the same seed gives the
//! same inputs at the same steps, on every platform.
//!
//! [`SimRng`]: crate::kernel::SimRng

pub mod chaos;
pub mod expect;
pub mod faults;

pub use chaos::{hunt, Chaos, Explored, Hunt, Report, FAULT_SEED_SALT};
pub use expect::{check_scenario, check_scenarios, ScenarioFailure};
pub use faults::{calm, draw_fault, pauses_end_us, Fault, FaultKind, FaultMix};

/// How many seeds a property test tries: `DSVIZ_PROPTEST_SEEDS` if it is
/// set to a number, else `default`.
#[cfg(test)]
pub fn proptest_seeds(default: u64) -> u64 {
    std::env::var("DSVIZ_PROPTEST_SEEDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Whether the seed count was asked for (`DSVIZ_PROPTEST_SEEDS` is set):
/// searches for a violation then try every seed and report how often they
/// found one, instead of stopping at the first.
#[cfg(test)]
pub fn thorough() -> bool {
    std::env::var("DSVIZ_PROPTEST_SEEDS").is_ok_and(|v| v.parse::<u64>().is_ok())
}

#[cfg(test)]
mod tests;
