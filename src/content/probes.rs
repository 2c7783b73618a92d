//! Grading predictions: a prediction names a probe of its lab (see each
//! lab's description in the simulator); grading rebuilds the paused run
//! as a link would and plays it on, so the simulation is the answer key.

use super::labs;
use super::model::{Prediction, ProbeCall};
use dsviz_sim::labs::registry;

/// Parses `name [arg]` as a probe of `lab`.
pub fn parse_call(lab: &str, text: &str) -> Result<ProbeCall, String> {
    registry::find(lab).ok_or_else(|| format!("unknown lab '{lab}'"))?.parse_probe(text)
}

/// The outcome of a learner's prediction.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Grade {
    /// What the simulation did, spelled as one of the options.
    pub actual: String,
    /// Whether the learner's choice is what happened.
    pub correct: bool,
}

/// What the simulation really does for a prediction: rebuilds the run from
/// its lab, scenario and parameters (as a link would), pauses it at
/// `at_step`, and runs the probe.
pub fn outcome(p: &Prediction) -> Result<String, String> {
    let run = labs::build_at(&p.lab, &p.scenario, &p.params, p.at_step)?;
    run.probe(&p.probe, p.run_until)
}

/// Grades a learner's choice against the simulation.
pub fn grade(p: &Prediction, choice: &str) -> Result<Grade, String> {
    let actual = outcome(p)?;
    Ok(Grade { correct: actual == choice, actual })
}
