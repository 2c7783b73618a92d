//! Grading predictions in a lab page: a prediction names a probe of its
//! lab; grading rebuilds the paused run as its link would and plays it on
//! with that lab's own probe table, so the simulation is the answer key
//! and the page needs no other lab's code.

use super::model::Prediction;
use dsviz_sim::labs::probe::outcome_of;
use dsviz_sim::labs::Lab;

/// The outcome of a learner's prediction.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Grade {
    /// What the simulation did, spelled as one of the options.
    pub actual: String,
    /// Whether the learner's choice is what happened.
    pub correct: bool,
}

/// The link pairs that open a prediction's paused run.
pub fn pairs_of(p: &Prediction) -> Vec<(String, String)> {
    let mut pairs: Vec<(String, String)> = vec![("sc".into(), p.scenario.clone())];
    pairs.extend(p.params.iter().cloned());
    pairs.push(("step".into(), p.at_step.to_string()));
    pairs
}

/// What the simulation does for a prediction of lab `L`.
pub fn outcome_in<L: Lab>(p: &Prediction) -> Result<String, String> {
    if p.lab != L::info().id {
        return Err(format!("this prediction belongs to the {} lab", p.lab));
    }
    outcome_of::<L>(&pairs_of(p), &p.probe, p.run_until)
}

/// Grades a learner's choice against the simulation of lab `L`.
pub fn grade_in<L: Lab>(p: &Prediction, choice: &str) -> Result<Grade, String> {
    let actual = outcome_in::<L>(p)?;
    Ok(Grade {
        correct: actual == choice,
        actual,
    })
}
