//! The labs content can link into, and how to rebuild a lab's run from
//! (lab, scenario, parameters) exactly as the app does from a link, so a
//! "Show me" step or a prediction lands on the state the learner sees.
//!
//! Adding a lab: its id in [`LABS`] and its scenarios in [`scenario_ids`]
//! and [`build`]; a lab with a new protocol also needs a [`LabRun`]
//! variant and its probes in [`super::probes`].

use dsviz_sim::kernel::timeline::MAX_STEPS;
use dsviz_sim::kernel::{TimeUs, Timeline, World};
use dsviz_sim::labs::params::Params;
use dsviz_sim::labs::raft::{self, Raft, RaftConfig};
use dsviz_sim::labs::register::{self, Mode, Register, RegisterConfig};
use dsviz_sim::labs::Scenario;

/// Labs content may name. Every lab of [`crate::route::LABS`] must be here
/// (a test checks it), so content can link to it.
pub const LABS: &[&str] = &["raft", "cap", "quorum"];

/// Query keys the Raft lab reads besides `lab`, `sc` and `step`.
const RAFT_PARAMS: &[&str] = &["seed", "n", "eto", "hb", "lat", "loss", "dup", "fsync", "s_vote", "s_commit", "s_persist"];

/// Query keys the CAP and Quorum labs read that content may set. The
/// number of replicas (`n`) and clients (`c`) are left out: changing them
/// remaps the scenario's script, which only the lab page does.
const REGISTER_PARAMS: &[&str] =
    &["seed", "mode", "rf", "w", "r", "sloppy", "rr", "conflict", "ae", "ho", "to", "lat", "loss", "skew", "auto", "wpct", "s_wb", "s_wq"];

/// A lab's run, positioned where the caller seeks.
#[derive(Clone)]
pub enum LabRun {
    Raft(Timeline<Raft>),
    /// The CAP and Quorum labs: one replicated-register protocol.
    Register(Timeline<Register>),
}

impl LabRun {
    pub fn cursor(&self) -> u64 {
        match self {
            LabRun::Raft(t) => t.cursor(),
            LabRun::Register(t) => t.cursor(),
        }
    }

    pub fn now_us(&self) -> TimeUs {
        match self {
            LabRun::Raft(t) => t.world().now,
            LabRun::Register(t) => t.world().now,
        }
    }

    pub fn seek(&mut self, step: u64) {
        match self {
            LabRun::Raft(t) => t.seek(step),
            LabRun::Register(t) => t.seek(step),
        }
    }
}

/// The scenarios a register lab offers, as its page lists them.
fn register_scenarios(lab: &str) -> Option<Vec<Scenario<Register>>> {
    match lab {
        "cap" => Some(register::scenarios::cap()),
        "quorum" => Some(register::scenarios::quorum()),
        _ => None,
    }
}

/// The scenario ids of a lab, or `None` for an unknown lab.
pub fn scenario_ids(lab: &str) -> Option<Vec<&'static str>> {
    match lab {
        "raft" => Some(raft::scenarios::all().iter().map(|s| s.id).collect()),
        _ => register_scenarios(lab).map(|v| v.iter().map(|s| s.id).collect()),
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
        _ => REGISTER_PARAMS,
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
            let sc = raft::scenarios::find(scenario).ok_or_else(|| format!("lab 'raft' has no scenario '{scenario}'"))?;
            let seed = p.int("seed", sc.seed, 0, u32::MAX as u64);
            let config = RaftConfig::from_params(&sc.proto.config, &mut p);
            LabRun::Raft(Timeline::new(World::new(Raft::new(config), seed, sc.script.clone())))
        }
        _ => {
            let list = register_scenarios(lab).ok_or_else(|| format!("unknown lab '{lab}'"))?;
            let sc = list.into_iter().find(|s| s.id == scenario).ok_or_else(|| format!("lab '{lab}' has no scenario '{scenario}'"))?;
            let seed = p.int("seed", sc.seed, 0, u32::MAX as u64);
            let config = RegisterConfig::from_params(&sc.proto.config, &mut p);
            let quorum_lab = lab == "quorum";
            if (config.mode == Mode::Quorum) != quorum_lab {
                return Err(format!("the {lab} lab does not run mode {}", config.mode.as_str()));
            }
            LabRun::Register(Timeline::new(World::new(Register::new(config), seed, sc.script.clone())))
        }
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
