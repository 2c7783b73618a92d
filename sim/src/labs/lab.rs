//! The lab description: everything about a lab in one place, and the one
//! type that turns a link into a run and a run back into a link.
//!
//! A lab implements [`Lab`]: its card ([`LabInfo`]), its parameter table,
//! scenarios, probes and experiments, and how its config becomes a
//! protocol. From that, [`Run`] reads (lab, scenario, seed, parameters,
//! injected inputs, step) from link pairs, with a warning and a safe
//! default for every bad value, builds the timeline, and writes the pairs
//! back. The lab page, the question bank's probes and the CLI all build
//! runs this way, so a "Show me" link, a graded prediction and
//! `dsviz-sim scenario` see exactly the state the learner sees.

use super::experiment::Experiment;
use super::params::{self, Param};
use super::probe::Probe;
use super::Scenario;
use crate::kernel::input::CommandCodec;
use crate::kernel::names::{self, NodeGroup};
use crate::kernel::timeline::MAX_STEPS;
use crate::kernel::{Input, NodeId, Protocol, TimeUs, Timeline, Who, World};
use crate::shiviz::{self, ExportEvent, Exported};
use crate::spacetime::Trace;
use std::collections::BTreeMap;
use std::fmt::Debug;

/// A lab's card: what the home page and the catalog show. Plain data, so
/// the light home page can list every lab without linking any lab's code.
#[derive(Debug)]
pub struct LabInfo {
    /// The id in links (`?lab=raft`) and the name of the lab's page (`raft.html`).
    pub id: &'static str,
    /// The page's heading ("Raft").
    pub short: &'static str,
    /// The card's title ("Raft consensus").
    pub title: &'static str,
    pub tagline: &'static str,
    pub blurb: &'static str,
    pub topics: &'static [&'static str],
    /// The published work it follows.
    pub paper: &'static str,
}

/// Keys every lab's links use besides its parameters.
pub const RUN_KEYS: &[&str] = &["lab", "sc", "seed", "inj", "step"];
/// Keys of the page, not of the run: embed mode and an open prediction.
pub const PAGE_KEYS: &[&str] = &["embed", "predict"];
/// Most injected events a link may carry.
pub const MAX_LINK_INJECTIONS: usize = 2_000;
/// The largest seed a link or the settings accept.
pub const SEED_MAX: u64 = u32::MAX as u64;

/// What the platform needs of a lab's protocol besides [`Protocol`]: its
/// configuration and the shape of its nodes. Several labs can share one
/// model (the CAP and Quorum labs share the register).
pub trait Model: Protocol<Command: CommandCodec> + Debug + Sized {
    type Config: Clone + PartialEq + Debug;

    fn config(&self) -> &Self::Config;
    /// The protocol for a configuration (which it clamps).
    fn with_config(c: Self::Config) -> Self;
    /// The configuration forced into its ranges and the rules between parameters.
    fn clamp(c: Self::Config) -> Self::Config;
    /// The groups of nodes it has (servers, then clients...).
    fn groups(&self) -> Vec<NodeGroup>;
    /// A command for a run of another shape, with its node arguments moved
    /// by `map`; `None` if a node it names no longer exists.
    fn remap_command(
        cmd: &Self::Command,
        _map: &dyn Fn(NodeId) -> Option<NodeId>,
    ) -> Option<Self::Command> {
        Some(cmd.clone())
    }
    /// What the CLI reports as a run's final state, as a JSON object.
    fn summary(_w: &World<Self>) -> String {
        "{}".into()
    }
    /// The run as a log's events, for a model whose processes keep vector
    /// clocks of their own (written as they are, right or wrong); `None`:
    /// the kernel's trace, with the clocks its structure implies.
    fn log_events(_w: &World<Self>) -> Option<Vec<ExportEvent>> {
        None
    }
}

/// A lab: the one source for everything about it.
pub trait Lab: 'static + Sized {
    type P: Model<Config = Self::Config>;
    type Config: Clone + PartialEq + Debug;

    fn info() -> &'static LabInfo;
    /// The parameter table, in reading order (a parameter whose bounds
    /// depend on another comes after it).
    fn params() -> &'static [Param<Self::Config>];
    /// The scenarios; the first is where a link without `sc` starts.
    fn scenarios() -> Vec<Scenario<Self::P>>;
    /// The configuration the CLI's `list` reports defaults from.
    fn default_config() -> Self::Config;
    /// Rules of this lab beyond the table's: fix `c`, and say what was fixed.
    fn check(_c: &mut Self::Config, _base: &Self::Config, _warnings: &mut Vec<String>) {}
    fn probes() -> &'static [Probe<Self::P>] {
        &[]
    }
    fn experiments() -> &'static [&'static dyn Experiment] {
        &[]
    }
    /// A link key outside the table that the lab still answers for (an
    /// older link's): `Some(None)` takes it silently, `Some(Some(why))`
    /// ignores it with that warning, `None` leaves it unknown.
    fn other_key(_key: &str, _value: &str) -> Option<Option<String>> {
        None
    }
    /// Link keys of the lab's page view (the CAP lab's `cmp`), which a run ignores.
    fn view_keys() -> &'static [&'static str] {
        &[]
    }
}

/// An input for a run of another shape, with every node it names moved by
/// `map`; `None` if one no longer exists, or for a message (whose ids
/// differ between runs).
pub fn remap_input<L: Lab>(
    input: &Input<<L::P as Protocol>::Command>,
    map: &dyn Fn(NodeId) -> Option<NodeId>,
) -> Option<Input<<L::P as Protocol>::Command>> {
    let who = |w: &Who| match w {
        Who::Id(id) => map(*id).map(Who::Id),
        Who::Leader => Some(Who::Leader),
    };
    Some(match input {
        Input::Crash(w) => Input::Crash(who(w)?),
        Input::Restart(w) => Input::Restart(who(w)?),
        Input::Isolate(w) => Input::Isolate(who(w)?),
        Input::Slow(w, f) => Input::Slow(who(w)?, *f),
        Input::Partition(gs) => Input::Partition(
            gs.iter()
                .map(|g| g.iter().filter_map(|n| map(*n)).collect())
                .collect(),
        ),
        Input::Heal => Input::Heal,
        Input::Cut(a, b) => Input::Cut(map(*a)?, map(*b)?),
        Input::LinkLatency(a, b, lo, hi) => Input::LinkLatency(map(*a)?, map(*b)?, *lo, *hi),
        Input::Drop(_) | Input::Duplicate(_) => return None,
        Input::ClockOffset(w, offset_us) => Input::ClockOffset(who(w)?, *offset_us),
        Input::ClockDrift(w, drift_ppm) => Input::ClockDrift(who(w)?, *drift_ppm),
        Input::Pause(w, for_us) => Input::Pause(who(w)?, *for_us),
        Input::Command(w, c) => Input::Command(who(w)?, L::P::remap_command(c, map)?),
    })
}

/// A lab's run: the scenario, seed and configuration it was built from,
/// and its timeline (whose injections are the learner's events).
pub struct Run<L: Lab> {
    pub scenario: Scenario<L::P>,
    pub seed: u64,
    pub config: L::Config,
    pub tl: Timeline<L::P>,
}

impl<L: Lab> Clone for Run<L> {
    fn clone(&self) -> Self {
        Run {
            scenario: self.scenario.clone(),
            seed: self.seed,
            config: self.config.clone(),
            tl: self.tl.clone(),
        }
    }
}

/// A run read from a link, with what could not be used and the pairs the
/// run does not read (the page's and the lab view's keys).
pub struct Opened<L: Lab> {
    pub run: Run<L>,
    pub warnings: Vec<String>,
    pub extra: BTreeMap<String, String>,
}

fn quote(s: &str) -> String {
    let mut t: String = s.chars().take(40).collect();
    if s.chars().count() > 40 {
        t.push('…');
    }
    t
}

/// The scenario's script for a run with `config` (same script, with its
/// nodes moved when the run has another shape).
fn script_for<L: Lab>(
    sc: &Scenario<L::P>,
    config: &L::Config,
) -> Vec<(TimeUs, Input<<L::P as Protocol>::Command>)> {
    let (from, to) = (
        sc.proto.groups(),
        L::P::with_config(config.clone()).groups(),
    );
    if from == to {
        return sc.script.clone();
    }
    let map = |id: NodeId| names::remap(id, &from, &to);
    sc.script
        .iter()
        .filter_map(|(t, i)| remap_input::<L>(i, &map).map(|i| (*t, i)))
        .collect()
}

impl<L: Lab> Run<L> {
    /// The narration of step `step` (from 1), as the event log tells it.
    pub fn step_text(&self, step: u64) -> String {
        let i = step.saturating_sub(1) as usize;
        self.tl
            .records()
            .get(i)
            .map(|r| self.world().narrate(&r.note))
            .unwrap_or_default()
    }

    /// The run up to the cursor as a ShiViz log: the model's own events
    /// and clocks if it keeps them, else every step of the kernel's trace
    /// with the vector clocks its messages imply, described by its narration.
    pub fn shiviz(&self) -> Result<Exported, String> {
        let events = L::P::log_events(self.world()).unwrap_or_else(|| {
            let t = Trace::of_timeline(&self.tl);
            shiviz::of_trace(&t, |i| self.step_text(t.events[i].step))
        });
        shiviz::export(&events)
    }

    /// A run of `scenario` with `seed` and `config`, at step 0.
    pub fn new(scenario: Scenario<L::P>, seed: u64, config: L::Config) -> Run<L> {
        let config = L::P::clamp(config);
        let world = World::new(
            L::P::with_config(config.clone()),
            seed,
            script_for::<L>(&scenario, &config),
        );
        Run {
            scenario,
            seed,
            config,
            tl: Timeline::new(world),
        }
    }

    /// The scenario `id`, if the lab has it.
    pub fn scenario_named(id: &str) -> Option<Scenario<L::P>> {
        L::scenarios().into_iter().find(|s| s.id == id)
    }

    /// A scenario's own run: its seed and configuration, step 0.
    pub fn of_scenario(scenario: Scenario<L::P>) -> Run<L> {
        let (seed, config) = (scenario.seed, scenario.proto.config().clone());
        Run::new(scenario, seed, config)
    }

    pub fn world(&self) -> &World<L::P> {
        self.tl.world()
    }

    pub fn groups(&self) -> Vec<NodeGroup> {
        self.world().proto.groups()
    }

    /// Reads a link's pairs. Every problem becomes a warning and a safe
    /// default; the first value of a repeated key is used.
    pub fn open(pairs: &[(String, String)]) -> Opened<L> {
        let info = L::info();
        let mut warnings = Vec::new();
        let mut first: BTreeMap<String, String> = BTreeMap::new();
        for (k, v) in pairs {
            if first.contains_key(k) {
                if !warnings.iter().any(|w: &String| {
                    w.starts_with(&format!("'{}' is given more than once", quote(k)))
                }) {
                    warnings.push(format!(
                        "'{}' is given more than once; the first value is used",
                        quote(k)
                    ));
                }
                continue;
            }
            first.insert(k.clone(), v.clone());
        }
        let scenarios = L::scenarios();
        let scenario = match first.get("sc") {
            None => scenarios.into_iter().next(),
            Some(id) => {
                let found = scenarios.iter().position(|s| s.id == id.as_str());
                match found {
                    Some(i) => scenarios.into_iter().nth(i),
                    None => {
                        let def = scenarios.into_iter().next();
                        warnings.push(format!(
                            "There is no {} scenario called '{}'; showing “{}”.",
                            info.short,
                            quote(id),
                            def.as_ref().map(|s| s.title).unwrap_or("")
                        ));
                        def
                    }
                }
            }
        };
        let scenario =
            scenario.expect("every lab has at least one scenario (the registry test checks it)");
        let seed = match first.get("seed") {
            None => scenario.seed,
            Some(raw) => match raw.trim().parse::<u64>() {
                Ok(s) if s <= SEED_MAX => s,
                Ok(s) => {
                    warnings.push(format!(
                        "seed={s} is outside 0–{}; using {SEED_MAX}",
                        params::fmt_num(SEED_MAX as f64)
                    ));
                    SEED_MAX
                }
                Err(_) => {
                    warnings.push(format!(
                        "seed='{}' is not a whole number; using {}",
                        quote(raw),
                        scenario.seed
                    ));
                    scenario.seed
                }
            },
        };
        let base = scenario.proto.config().clone();
        let (mut config, mut param_warnings) =
            params::read(L::params(), &base, &first, L::P::clamp);
        warnings.append(&mut param_warnings);
        L::check(&mut config, &base, &mut warnings);
        let mut extra = BTreeMap::new();
        for (k, v) in &first {
            let known =
                RUN_KEYS.contains(&k.as_str()) || L::params().iter().any(|p| p.key == k.as_str());
            if known {
                continue;
            }
            if PAGE_KEYS.contains(&k.as_str()) || L::view_keys().contains(&k.as_str()) {
                extra.insert(k.clone(), v.clone());
            } else if let Some(answer) = L::other_key(k, v) {
                warnings.extend(answer);
            } else {
                warnings.push(format!(
                    "The {} lab has no setting '{}'; it was ignored.",
                    info.short,
                    quote(k)
                ));
            }
        }
        let config = L::P::clamp(config);
        let proto = L::P::with_config(config.clone());
        let n_nodes = proto.n_nodes();
        let mut injections = Vec::new();
        if let Some(list) = first.get("inj").filter(|l| !l.is_empty()) {
            for (i, item) in list.split(',').enumerate() {
                if i >= MAX_LINK_INJECTIONS {
                    warnings.push(format!("The link has more than {MAX_LINK_INJECTIONS} injected events; the rest are ignored."));
                    break;
                }
                let parsed = item
                    .split_once(':')
                    .ok_or_else(|| "expected step:event".to_string())
                    .and_then(|(s, e)| {
                        let step = s
                            .parse::<u64>()
                            .map_err(|_| format!("'{}' is not a step number", quote(s)))?;
                        Ok((step, Input::parse(e, n_nodes)?))
                    });
                match parsed {
                    Ok(pair) => injections.push(pair),
                    Err(e) => {
                        warnings.push(format!("Ignored injected event '{}': {e}.", quote(item)))
                    }
                }
            }
        }
        let world = World::new(proto, seed, script_for::<L>(&scenario, &config));
        let mut run = Run {
            scenario,
            seed,
            config,
            tl: Timeline::with_injections(world, injections),
        };
        let step = match first.get("step") {
            None => 0,
            Some(raw) => match raw.trim().parse::<u64>() {
                Ok(s) if s <= MAX_STEPS => s,
                Ok(s) => {
                    warnings.push(format!(
                        "step={s} is outside 0–{}; using {}",
                        params::fmt_num(MAX_STEPS as f64),
                        params::fmt_num(MAX_STEPS as f64)
                    ));
                    MAX_STEPS
                }
                Err(_) => {
                    warnings.push(format!(
                        "step='{}' is not a whole number; using 0",
                        quote(raw)
                    ));
                    0
                }
            },
        };
        if step > 0 {
            run.tl.seek(step);
            if run.tl.cursor() < step {
                warnings.push(format!(
                    "The run ends at step {}; the link asked for step {step}.",
                    run.tl.cursor()
                ));
            }
        }
        Opened {
            run,
            warnings,
            extra,
        }
    }

    /// Reads a link that must be right (content, the CLI): the first
    /// problem is an error.
    pub fn open_strict(pairs: &[(String, String)]) -> Result<Run<L>, String> {
        let o = Run::<L>::open(pairs);
        match o.warnings.into_iter().next() {
            Some(w) => Err(w),
            None => Ok(o.run),
        }
    }

    /// The link pairs that rebuild this run at its cursor: lab, scenario,
    /// seed, the parameters that differ from the scenario's, the injected
    /// events and the step.
    pub fn pairs(&self) -> Vec<(&'static str, String)> {
        let mut pairs: Vec<(&'static str, String)> = vec![
            ("lab", L::info().id.into()),
            ("sc", self.scenario.id.into()),
            ("seed", self.seed.to_string()),
        ];
        pairs.extend(params::write(
            L::params(),
            &self.config,
            self.scenario.proto.config(),
        ));
        let inj: Vec<String> = self
            .tl
            .injections()
            .iter()
            .map(|(s, i)| format!("{s}:{}", i.encode()))
            .collect();
        if !inj.is_empty() {
            pairs.push(("inj", inj.join(",")));
        }
        pairs.push(("step", self.tl.cursor().to_string()));
        pairs
    }

    /// Back to step 0 of the same scenario, seed and configuration, with
    /// no injected events.
    pub fn rebuild(&mut self) {
        *self = Run::new(self.scenario.clone(), self.seed, self.config.clone());
    }

    /// Switches to scenario `id` with its own seed and configuration.
    pub fn load_scenario(&mut self, id: &str) -> bool {
        match Run::<L>::scenario_named(id) {
            Some(sc) => {
                *self = Run::of_scenario(sc);
                true
            }
            None => false,
        }
    }

    /// The injected events with the virtual time each applied at.
    pub fn timed_injections(&self) -> Vec<(TimeUs, Input<<L::P as Protocol>::Command>)> {
        let recs = self.tl.records();
        self.tl
            .injections()
            .iter()
            .filter(|(s, _)| (*s as usize) <= recs.len())
            .map(|(s, i)| {
                (
                    if *s == 0 {
                        0
                    } else {
                        recs[*s as usize - 1].time_us
                    },
                    i.clone(),
                )
            })
            .collect()
    }

    /// The same scenario under `config` and `seed`, with the learner's
    /// events replayed at the virtual times they happened (their nodes
    /// moved if the shape changed), positioned at virtual time `at`.
    /// Returns the run and how many events could not be replayed (a node
    /// that no longer exists, a message).
    pub fn replayed(&self, config: L::Config, seed: u64, at: TimeUs) -> (Run<L>, usize) {
        let timed = self.timed_injections();
        let from = self.groups();
        let mut next = Run::<L>::new(self.scenario.clone(), seed, config);
        let to = next.groups();
        let map = |id: NodeId| names::remap(id, &from, &to);
        let mut skipped = 0;
        for (t, input) in &timed {
            let Some(input) = remap_input::<L>(input, &map) else {
                skipped += 1;
                continue;
            };
            let _ = next.tl.run_until(*t, MAX_STEPS);
            if next.tl.inject(input).is_err() {
                skipped += 1;
            }
        }
        if next.world().now > at {
            next.tl.seek_time(at);
        } else {
            let _ = next.tl.run_until(at, MAX_STEPS);
        }
        (next, skipped)
    }

    /// [`Run::replayed`] at this run's moment, in place: one rule for
    /// every lab's settings. Returns how many events could not be replayed.
    pub fn reconfigure(&mut self, config: L::Config, seed: u64) -> usize {
        let (next, skipped) = self.replayed(config, seed, self.world().now);
        *self = next;
        skipped
    }

    /// A copy of this run's configuration with one parameter set from
    /// text as a link would set it, and the warnings that gives.
    pub fn with_param(&self, key: &str, raw: &str) -> Result<(L::Config, Vec<String>), String> {
        let (mut c, mut w) = params::set_one(L::params(), &self.config, key, raw, L::P::clamp)?;
        L::check(&mut c, &self.config, &mut w);
        Ok((c, w))
    }

    /// The name of a node of this run.
    pub fn node_name(&self, id: NodeId) -> String {
        names::node_name(&self.groups(), id)
    }
}
