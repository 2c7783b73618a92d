//! Every lab, listed once. The app's pages, the question bank's checks and
//! probes, and the CLI all find labs here, through [`AnyLab`], an
//! object-safe face of a [`Lab`] that needs no knowledge of its protocol.
//!
//! Adding a lab: one line in [`LABS`] and one in [`CATALOG`] (the catalog
//! is plain data, so the light home page can list labs without linking
//! their code). A test checks the two lists agree.

use super::clocks::ClocksLab;
use super::experiment::Experiment;
use super::harness::{check_scenarios, ScenarioFailure};
use super::lab::{Lab, LabInfo, Run};
use super::params::{Group, ParamInfo};
use super::probe::{parse_call, run_probe, ProbeCall, ProbeInfo, RunUntil};
use super::raft::RaftLab;
use super::register::{CapLab, QuorumLab};
use super::resilience::lab::ResilienceLab;
use super::Scenario;
use crate::kernel::timeline::MAX_STEPS;
use crate::kernel::{InvariantInfo, NodeId, Protocol, TimeUs, Violation};
use std::marker::PhantomData;

/// What the CLI and the app list about a scenario.
#[derive(Clone, Debug, PartialEq)]
pub struct ScenarioInfo {
    pub id: &'static str,
    pub title: &'static str,
    pub summary: &'static str,
    pub notice: &'static str,
    pub seed: u64,
    pub pause_ms: u64,
}

fn scenario_info<P: Protocol>(s: &Scenario<P>) -> ScenarioInfo {
    ScenarioInfo {
        id: s.id,
        title: s.title,
        summary: s.summary,
        notice: s.notice,
        seed: s.seed,
        pause_ms: s.pause_ms,
    }
}

/// One step of a run, narrated.
#[derive(Clone, Debug, PartialEq)]
pub struct StepText {
    pub step: u64,
    pub time_us: TimeUs,
    pub actor: Option<String>,
    pub text: String,
    pub injected: bool,
}

/// A lab, whatever its protocol.
pub trait AnyLab: Sync {
    fn info(&self) -> &'static LabInfo;
    fn params(&self) -> Vec<ParamInfo>;
    fn scenarios(&self) -> Vec<ScenarioInfo>;
    /// Every invariant any of its scenarios checks, once each.
    fn invariants(&self) -> Vec<InvariantInfo>;
    fn probes(&self) -> Vec<ProbeInfo>;
    fn experiments(&self) -> &'static [&'static dyn Experiment];
    /// A run from link pairs, and the warnings reading them gave.
    fn open(&self, pairs: &[(String, String)]) -> (Box<dyn AnyRun>, Vec<String>);
    /// A run from link pairs that must be right: the first warning is an error.
    fn open_strict(&self, pairs: &[(String, String)]) -> Result<Box<dyn AnyRun>, String>;
    /// Parses a probe call of this lab (`log-of S3`).
    fn parse_probe(&self, text: &str) -> Result<ProbeCall, String>;
    /// What probe `text` finds in the run `pairs` open, up to `until`, by
    /// the same code a lab page grades predictions with.
    fn outcome(
        &self,
        pairs: &[(String, String)],
        text: &str,
        until: RunUntil,
    ) -> Result<String, String>;
    /// Every scenario run to its check point at its own seed and at each of
    /// `extra_seeds`: the promises that did not hold ([`check_scenarios`]).
    fn check_scenarios(&self, extra_seeds: &[u64]) -> Vec<ScenarioFailure>;
}

/// A run of some lab.
pub trait AnyRun {
    fn lab(&self) -> &'static LabInfo;
    fn scenario(&self) -> ScenarioInfo;
    fn seed(&self) -> u64;
    fn cursor(&self) -> u64;
    fn horizon(&self) -> u64;
    fn now_us(&self) -> TimeUs;
    fn seek(&mut self, step: u64);
    /// One step forward; false when nothing is left or the run is full.
    fn forward(&mut self) -> bool;
    fn back(&mut self) -> bool;
    /// Runs until virtual time `t_us` (or the step limit).
    fn run_until(&mut self, t_us: TimeUs);
    /// Checks the scenario's promise against the state at the cursor.
    fn expect(&self) -> Result<(), String>;
    /// The whole state at the cursor as text, to compare two runs.
    fn fingerprint(&self) -> String;
    fn trace_hash(&self) -> u64;
    /// Every computed step, narrated.
    fn steps(&self) -> Vec<StepText>;
    fn violations(&self) -> &[Violation];
    /// The link pairs that rebuild this run at its cursor.
    fn pairs(&self) -> Vec<(&'static str, String)>;
    /// What `call` finds from the cursor, up to `until`; the run is untouched.
    fn probe(&self, call: &ProbeCall, until: RunUntil) -> Result<String, String>;
    /// The lab's summary of the state at the cursor, as a JSON object.
    fn summary(&self) -> String;
    fn node_name(&self, id: NodeId) -> String;
    /// Applies an input written in its link form (`crash.2`) at the cursor,
    /// branching the run there.
    fn inject_text(&mut self, input: &str) -> Result<(), String>;
    /// The run up to the cursor as a ShiViz log ([`Run::shiviz`]).
    fn shiviz(&self) -> Result<crate::shiviz::Exported, String>;
}

/// A [`Lab`] seen through [`AnyLab`].
pub struct Registered<L>(PhantomData<fn() -> L>);

impl<L> Registered<L> {
    pub const NEW: Registered<L> = Registered(PhantomData);
}

impl<L: Lab> AnyLab for Registered<L> {
    fn info(&self) -> &'static LabInfo {
        L::info()
    }
    fn params(&self) -> Vec<ParamInfo> {
        let def = L::default_config();
        L::params().iter().map(|p| p.info(&def)).collect()
    }
    fn scenarios(&self) -> Vec<ScenarioInfo> {
        L::scenarios().iter().map(scenario_info).collect()
    }
    fn invariants(&self) -> Vec<InvariantInfo> {
        let mut out: Vec<InvariantInfo> = Vec::new();
        for s in L::scenarios() {
            for i in s.proto.invariants() {
                if !out.iter().any(|o| o.name == i.name) {
                    out.push(*i);
                }
            }
        }
        out
    }
    fn probes(&self) -> Vec<ProbeInfo> {
        L::probes().iter().map(|p| p.info).collect()
    }
    fn experiments(&self) -> &'static [&'static dyn Experiment] {
        L::experiments()
    }
    fn open(&self, pairs: &[(String, String)]) -> (Box<dyn AnyRun>, Vec<String>) {
        let o = Run::<L>::open(pairs);
        (Box::new(o.run), o.warnings)
    }
    fn open_strict(&self, pairs: &[(String, String)]) -> Result<Box<dyn AnyRun>, String> {
        Run::<L>::open_strict(pairs).map(|r| Box::new(r) as Box<dyn AnyRun>)
    }
    fn outcome(
        &self,
        pairs: &[(String, String)],
        text: &str,
        until: RunUntil,
    ) -> Result<String, String> {
        super::probe::outcome_of::<L>(pairs, text, until)
    }
    fn parse_probe(&self, text: &str) -> Result<ProbeCall, String> {
        let mine = self.probes();
        if let Some(r) = parse_call(&mine, text) {
            return r;
        }
        let name = text.split_whitespace().next().unwrap_or("");
        if name.is_empty() {
            return Err("empty probe".into());
        }
        let others: Vec<&str> = LABS
            .iter()
            .filter(|l| l.probes().iter().any(|p| p.name == name))
            .map(|l| l.info().id)
            .collect();
        if others.is_empty() {
            let names: Vec<&str> = mine.iter().map(|p| p.name).collect();
            Err(format!(
                "unknown probe '{name}' (the {} lab has: {})",
                L::info().id,
                names.join(", ")
            ))
        } else {
            Err(format!(
                "probe '{name}' belongs to the {} lab, not {}",
                others.join(" and "),
                L::info().id
            ))
        }
    }
    fn check_scenarios(&self, extra_seeds: &[u64]) -> Vec<ScenarioFailure> {
        check_scenarios::<L>(extra_seeds)
    }
}

impl<L: Lab> AnyRun for Run<L> {
    fn lab(&self) -> &'static LabInfo {
        L::info()
    }
    fn scenario(&self) -> ScenarioInfo {
        scenario_info(&self.scenario)
    }
    fn seed(&self) -> u64 {
        self.seed
    }
    fn cursor(&self) -> u64 {
        self.tl.cursor()
    }
    fn horizon(&self) -> u64 {
        self.tl.horizon()
    }
    fn now_us(&self) -> TimeUs {
        self.world().now
    }
    fn seek(&mut self, step: u64) {
        self.tl.seek(step)
    }
    fn forward(&mut self) -> bool {
        self.tl.forward().is_ok()
    }
    fn back(&mut self) -> bool {
        self.tl.back()
    }
    fn run_until(&mut self, t_us: TimeUs) {
        let _ = self.tl.run_until(t_us, MAX_STEPS);
    }
    fn expect(&self) -> Result<(), String> {
        (self.scenario.expect)(self.world())
    }
    fn fingerprint(&self) -> String {
        let w = self.world();
        format!(
            "{} {:?} {:?} {:?} {:?} {:?} {:?}",
            w.now, w.nodes, w.in_flight, w.timers, w.net, w.checker, w.violations
        )
    }
    fn trace_hash(&self) -> u64 {
        self.tl.trace_hash()
    }
    fn steps(&self) -> Vec<StepText> {
        let w = self.world();
        self.tl
            .records()
            .iter()
            .map(|r| StepText {
                step: r.step,
                time_us: r.time_us,
                actor: r.actor.map(|a| w.proto.node_name(a)),
                text: w.narrate(&r.note),
                injected: r.injected,
            })
            .collect()
    }
    fn violations(&self) -> &[Violation] {
        &self.world().violations
    }
    fn pairs(&self) -> Vec<(&'static str, String)> {
        Run::pairs(self)
    }
    fn probe(&self, call: &ProbeCall, until: RunUntil) -> Result<String, String> {
        run_probe(L::probes(), call, &self.tl, until)
    }
    fn summary(&self) -> String {
        <L::P as super::lab::Model>::summary(self.world())
    }
    fn node_name(&self, id: NodeId) -> String {
        Run::node_name(self, id)
    }
    fn inject_text(&mut self, input: &str) -> Result<(), String> {
        let parsed = crate::kernel::Input::parse(input, self.world().nodes.len())?;
        self.tl
            .inject(parsed)
            .map(|_| ())
            .map_err(|e| e.to_string())
    }
    fn shiviz(&self) -> Result<crate::shiviz::Exported, String> {
        Run::shiviz(self)
    }
}

/// Every lab, in catalog order.
pub static LABS: &[&dyn AnyLab] = &[
    &Registered::<RaftLab>::NEW,
    &Registered::<CapLab>::NEW,
    &Registered::<QuorumLab>::NEW,
    &Registered::<ClocksLab>::NEW,
    &Registered::<ResilienceLab>::NEW,
];

/// Every lab's card, in the same order as [`LABS`].
pub static CATALOG: &[&LabInfo] = &[
    &super::raft::lab::INFO,
    &super::register::lab::CAP_INFO,
    &super::register::lab::QUORUM_INFO,
    &super::clocks::lab::INFO,
    &super::resilience::lab::INFO,
];

/// The lab with this id.
pub fn find(id: &str) -> Option<&'static dyn AnyLab> {
    LABS.iter().copied().find(|l| l.info().id == id)
}

/// Every lab id, for messages.
pub fn ids() -> Vec<&'static str> {
    CATALOG.iter().map(|l| l.id).collect()
}

/// The experiment with this name, and the lab that offers it.
pub fn experiment(name: &str) -> Option<(&'static dyn AnyLab, &'static dyn Experiment)> {
    LABS.iter().find_map(|l| {
        l.experiments()
            .iter()
            .find(|e| e.info().name == name)
            .map(|e| (*l, *e))
    })
}

/// The safety switches of a lab: its parameters in the safety group.
pub fn switches(lab: &dyn AnyLab) -> Vec<ParamInfo> {
    lab.params()
        .into_iter()
        .filter(|p| p.group == Group::Safety)
        .collect()
}

/// Builds a run for `lab` from pairs that must be right, positioned at
/// `step`: the question bank's "Show me" links and predictions use it.
pub fn build_at(
    lab: &str,
    pairs: &[(String, String)],
    step: u64,
) -> Result<Box<dyn AnyRun>, String> {
    let l =
        find(lab).ok_or_else(|| format!("unknown lab '{lab}' (known: {})", ids().join(", ")))?;
    let mut all: Vec<(String, String)> =
        pairs.iter().filter(|(k, _)| k != "step").cloned().collect();
    all.push(("step".into(), step.to_string()));
    l.open_strict(&all)
}

#[cfg(test)]
mod tests;
