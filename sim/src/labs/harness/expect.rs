//! Scenarios keep their promises, for any lab and for several seeds.
//!
//! A scenario's `expect` is the outcome it promises at its check point
//! ([`Scenario::check_ms`]: its pause, or a while into free play). A
//! promise that holds only for the scenario's own seed is a coincidence
//! of latencies, not a lesson, so the check runs each scenario for extra
//! seeds too. Runs are built as the lab page builds them ([`Run::new`]:
//! the scenario's configuration clamped, its script), so the check sees
//! exactly what a learner sees. Every broken promise is returned with the
//! scenario, the seed, the reason and the narration of the whole run,
//! which is what one needs to see why.

use crate::kernel::timeline::MAX_STEPS;
use crate::labs::lab::{Lab, Run};
use crate::labs::Scenario;
use std::fmt;

/// A scenario whose promise did not hold.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScenarioFailure {
    pub lab: &'static str,
    pub scenario: &'static str,
    pub seed: u64,
    /// What `expect` said.
    pub reason: String,
    /// Every step of the run, `time_ms text`, one a line, then its violations.
    pub narration: String,
}

impl fmt::Display for ScenarioFailure {
    /// One line: lab, scenario, seed and reason (the narration is apart).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}/{} (seed {}): {}",
            self.lab, self.scenario, self.seed, self.reason
        )
    }
}

/// The narration of a run so far: every step's time and sentence, then
/// the violations it recorded.
pub fn narrate<L: Lab>(run: &Run<L>) -> String {
    let w = run.world();
    let mut lines: Vec<String> = run
        .tl
        .records()
        .iter()
        .map(|r| format!("{:>6} {}", r.time_us / 1000, w.narrate(&r.note)))
        .collect();
    lines.extend(w.violations.iter().map(|v| {
        format!(
            "VIOLATION {} at step {}: {}",
            v.invariant, v.step, v.explanation
        )
    }));
    lines.join("\n")
}

/// Runs `scenario` of lab `L` with `seed` to its check point and checks
/// its promise.
pub fn check_scenario<L: Lab>(scenario: &Scenario<L::P>, seed: u64) -> Result<(), ScenarioFailure> {
    let mut run = Run::<L>::new(
        scenario.clone(),
        seed,
        crate::labs::lab::Model::config(&scenario.proto).clone(),
    );
    let _ = run.tl.run_until(scenario.check_ms() * 1000, MAX_STEPS);
    (scenario.expect)(run.world()).map_err(|reason| ScenarioFailure {
        lab: L::info().id,
        scenario: scenario.id,
        seed,
        reason,
        narration: narrate(&run),
    })
}

/// Every scenario of `L`, at its own seed and at each of `extra_seeds`:
/// the promises that did not hold, in scenario then seed order.
pub fn check_scenarios<L: Lab>(extra_seeds: &[u64]) -> Vec<ScenarioFailure> {
    let mut failures = Vec::new();
    for sc in L::scenarios() {
        let mut seeds = vec![sc.seed];
        seeds.extend(extra_seeds.iter().copied().filter(|s| *s != sc.seed));
        for seed in seeds {
            if let Err(f) = check_scenario::<L>(&sc, seed) {
                failures.push(f);
            }
        }
    }
    failures
}
