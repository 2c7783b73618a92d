//! The labs content can link into, and how to rebuild a lab's run from
//! (lab, scenario, parameters) exactly as the app does from a link, so a
//! "Show me" step or a prediction lands on the state the learner sees.
//!
//! Adding a lab: one [`LabRun`] variant, one arm in each function here, and
//! its probes in [`super::probes`].

use dsviz_sim::kernel::timeline::MAX_STEPS;
use dsviz_sim::kernel::{Timeline, TimeUs};
use dsviz_sim::labs::params::Params;
use dsviz_sim::labs::raft::{scenarios, Raft, RaftConfig};

/// Labs content may name. Every lab of [`crate::route::LABS`] must be here
/// (a test checks it), so content can link to it.
pub const LABS: &[&str] = &["raft"];

/// Query keys the Raft lab reads besides `lab`, `sc` and `step`.
const RAFT_PARAMS: &[&str] = &["seed", "n", "eto", "hb", "lat", "loss", "fsync", "s_vote", "s_commit", "s_persist"];

/// A lab's run, positioned where the caller seeks.
#[derive(Clone)]
pub enum LabRun {
    Raft(Timeline<Raft>),
}

impl LabRun {
    pub fn cursor(&self) -> u64 {
        match self {
            LabRun::Raft(t) => t.cursor(),
        }
    }

    pub fn now_us(&self) -> TimeUs {
        match self {
            LabRun::Raft(t) => t.world().now,
        }
    }

    pub fn seek(&mut self, step: u64) {
        match self {
            LabRun::Raft(t) => t.seek(step),
        }
    }
}

/// The scenario ids of a lab, or `None` for an unknown lab.
pub fn scenario_ids(lab: &str) -> Option<Vec<&'static str>> {
    match lab {
        "raft" => Some(scenarios::all().iter().map(|s| s.id).collect()),
        _ => None,
    }
}

/// Checks a lab, scenario and parameters without running anything.
pub fn check_target(lab: &str, scenario: &str, params: &[(String, String)]) -> Result<(), String> {
    let ids = scenario_ids(lab).ok_or_else(|| format!("unknown lab '{lab}' (known: {})", LABS.join(", ")))?;
    if !ids.contains(&scenario) {
        return Err(format!("lab '{lab}' has no scenario '{scenario}' (it has: {})", ids.join(", ")));
    }
    let known = match lab {
        "raft" => RAFT_PARAMS,
        _ => &[],
    };
    for (k, _) in params {
        if !known.contains(&k.as_str()) {
            return Err(format!("lab '{lab}' reads no parameter '{k}' (it reads: {})", known.join(", ")));
        }
    }
    build(lab, scenario, params).map(|_| ())
}

/// The run the app shows for `?lab=…&sc=…&<params>`, at step 0.
pub fn build(lab: &str, scenario: &str, params: &[(String, String)]) -> Result<LabRun, String> {
    let mut p = Params::from_pairs(params.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    let run = match lab {
        "raft" => {
            let sc = scenarios::find(scenario).ok_or_else(|| format!("lab 'raft' has no scenario '{scenario}'"))?;
            let seed = p.int("seed", sc.seed, 0, u32::MAX as u64);
            let config = RaftConfig::from_params(&sc.proto.config, &mut p);
            let world = dsviz_sim::kernel::World::new(Raft::new(config), seed, sc.script.clone());
            LabRun::Raft(Timeline::new(world))
        }
        _ => return Err(format!("unknown lab '{lab}'")),
    };
    if let Some(w) = p.warnings.first() {
        return Err(format!("bad parameter: {w}"));
    }
    Ok(run)
}

/// The run positioned at `step`, or an error if the run ends before it.
pub fn build_at(lab: &str, scenario: &str, params: &[(String, String)], step: u64) -> Result<LabRun, String> {
    if step > MAX_STEPS {
        return Err(format!("step {step} is beyond the limit of {MAX_STEPS}"));
    }
    let mut run = build(lab, scenario, params)?;
    run.seek(step);
    if run.cursor() < step {
        return Err(format!("{lab}/{scenario} ends at step {}, before step {step}", run.cursor()));
    }
    Ok(run)
}
