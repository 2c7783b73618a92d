//! The CAP lab and the Quorum lab: one component over the replicated
//! register of `dsviz_sim::labs::register`, in two flavours ([`LabKind`]).
//! It owns the timeline, turns clicks, keys and animation frames into
//! timeline operations, keeps the address bar in sync, and draws with the
//! pure functions in `register_view`.
//!
//! The CAP lab can also show a **comparison**: a second timeline in the
//! other mode (CP or AP), built from the same seed, the same scenario
//! script and the learner's injected events at the same virtual times,
//! and advanced to the same moment as the first.

use super::register_view::{self as view, counters_table, diagram, focus_of, lab_history, node_pos, DiagramProps, FocusSets, LabHistory, VIEW};
use crate::components::event_log::timeline_log;
use crate::components::help::Help;
use crate::components::history::HistoryPanel;
use crate::components::icons;
use crate::components::invariants::{rows_for, Invariants};
use crate::components::pbs::PbsPanel;
use crate::components::question::QuestionCard;
use crate::components::transport::{Transport, SPEEDS};
use crate::components::prediction::ActivePrediction;
use crate::content::{self, RunUntil};
use crate::dom;
use crate::route::{build_query, truncate, Route};
use dsviz_sim::history::Value;
use dsviz_sim::kernel::timeline::MAX_STEPS;
use dsviz_sim::kernel::{fmt_time, Input, NodeId, TimeUs, Timeline, Who, World};
use dsviz_sim::labs::register::{counters, scenarios, Cmd, Conflict, Counters, Mode, RegNode, Register, RegisterConfig};
use dsviz_sim::labs::Scenario;
use gloo::events::{EventListener, EventListenerOptions};
use gloo::render::{request_animation_frame, AnimationFrame};
use std::rc::Rc;
use wasm_bindgen::JsCast;
use yew::prelude::*;

mod panels;

/// Most injected events a link may carry.
const MAX_LINK_INJECTIONS: usize = 2_000;
/// Narration lines shown.
const LOG_LINES: usize = 60;
/// The register labs start slower than Raft: operations take tens of ms.
const DEFAULT_SPEED: usize = 3;
/// Virtual time the PACELC experiment runs each mode for.
const PACELC_RUN_US: TimeUs = 4_000_000;

/// Which of the two labs this is.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum LabKind {
    Cap,
    Quorum,
}

impl LabKind {
    pub fn id(self) -> &'static str {
        match self {
            LabKind::Cap => "cap",
            LabKind::Quorum => "quorum",
        }
    }
    fn title(self) -> &'static str {
        match self {
            LabKind::Cap => "CAP and PACELC",
            LabKind::Quorum => "Quorums",
        }
    }
    /// The scenarios of this lab: a free-play sandbox, then the simulator's.
    pub fn scenarios(self) -> Vec<Scenario<Register>> {
        let mut v = vec![sandbox(self)];
        v.extend(match self {
            LabKind::Cap => scenarios::cap(),
            LabKind::Quorum => scenarios::quorum(),
        });
        v
    }
}

/// Free play: no script, a steady automatic workload.
pub fn sandbox(kind: LabKind) -> Scenario<Register> {
    match kind {
        LabKind::Cap => Scenario {
            id: "sandbox",
            title: "Free play: a steady workload",
            summary: "Five replicas, two clients reading and writing every 150 ms or so (C1 through R1, C2 through R3). No script: you choose the faults.",
            notice: "Press Play, then split the network with the Split button (R1 and R2 with C1, against the rest). In CP the minority side's operations are refused after the timeout while the majority side carries on; switch to AP and every side is served, but reads on the minority side go stale. The counters below the diagram keep score per side. Heal, and compare the latencies with no partition: that is PACELC's \"else\".",
            proto: Register::new(RegisterConfig { auto_ms: 150, write_pct: 50, ae_ms: 100, ..RegisterConfig::default() }),
            seed: 1,
            script: vec![],
            pause_ms: 0,
            expect: |_| Ok(()),
        },
        LabKind::Quorum => Scenario {
            id: "sandbox",
            title: "Free play: tune N, W and R",
            summary: "Five nodes; the register lives on N = 3 of them (R1–R3), the others are stand-ins for a sloppy quorum. Two clients read and write every 150 ms or so.",
            notice: "Press Play and lower W and R until W + R ≤ N: reads start to miss the last write (flagged stale and \"no overlap\" in the history). Click a read in the history to see which replicas it heard from and which acknowledged the write. Then restore W + R > N, switch on sloppy quorum and isolate R2: writes now land on stand-ins, and reads can miss them even though W + R > N.",
            proto: Register::new(RegisterConfig { mode: Mode::Quorum, auto_ms: 150, write_pct: 50, ae_ms: 0, ..RegisterConfig::default() }),
            seed: 1,
            script: vec![],
            pause_ms: 0,
            expect: |_| Ok(()),
        },
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Tab {
    Scenario,
    Events,
    Invariants,
    Settings,
    Pacelc,
    Pbs,
    Questions,
}

fn tabs(kind: LabKind) -> &'static [(Tab, &'static str)] {
    match kind {
        LabKind::Cap => &[
            (Tab::Scenario, "Scenario"),
            (Tab::Events, "Events"),
            (Tab::Invariants, "Invariants"),
            (Tab::Pacelc, "PACELC"),
            (Tab::Settings, "Settings"),
            (Tab::Questions, "Questions"),
        ],
        LabKind::Quorum => &[
            (Tab::Scenario, "Scenario"),
            (Tab::Pbs, "PBS"),
            (Tab::Events, "Events"),
            (Tab::Invariants, "Invariants"),
            (Tab::Settings, "Settings"),
            (Tab::Questions, "Questions"),
        ],
    }
}

#[derive(Clone, Copy, PartialEq, Debug)]
enum Menu {
    Node(NodeId),
    Message(u64),
}

/// Quorum-lab steppers.
#[derive(Clone, Copy, PartialEq, Debug)]
pub enum QField {
    Nodes,
    N,
    W,
    R,
}

#[derive(Clone, Copy, PartialEq, Debug)]
pub enum Field {
    Nodes,
    Clients,
    Seed,
    LatencyMin,
    LatencyMax,
    Loss,
    Timeout,
    AntiEntropy,
    Handoff,
    Auto,
    WritePct,
    Skew,
    Conflict,
    SafeWriteBack,
    SafeWriteQuery,
    Sloppy,
    ReadRepair,
}

pub enum Msg {
    Frame(f64),
    TogglePlay,
    StepForward,
    StepBack,
    Seek(u64),
    SeekTime(TimeUs),
    Reset,
    Inject(Input<Cmd>),
    ClientOp { c: u8, write: bool, via: Option<NodeId> },
    Speed(usize),
    ClickNode(NodeId),
    ClickMessage(u64),
    CloseMenu,
    Tab(Tab),
    Help(bool),
    CopyLink,
    Copied(bool),
    LoadScenario(String),
    SetMode(Mode),
    SetConflict(Conflict),
    Step(QField, i32),
    Switch(Field, bool),
    AeInterval(u64),
    Draft(Field, String),
    ApplySettings,
    RevertSettings,
    NewSeed,
    Key(web_sys::KeyboardEvent),
    DismissWarnings,
    Compare(bool),
    SelectOp(Option<usize>),
    Pacelc,
    Navigate(String),
    Answer(String),
    EndPrediction,
}




#[derive(Properties, PartialEq)]
pub struct RegisterLabProps {
    pub kind: LabKind,
    pub route: Route,
    pub navigate: Callback<String>,
}

/// The other mode's run in the comparison, and what it was built from.
struct Shadow {
    tl: Timeline<Register>,
    /// The learner's events at their virtual times (the script's tail).
    schedule: Vec<(TimeUs, Input<Cmd>)>,
}

/// PACELC: both modes, no fault, the same workload.
struct PacelcResult {
    cp: Counters,
    ap: Counters,
    config: RegisterConfig,
}

pub struct RegisterLab {
    kind: LabKind,
    scenarios: Vec<Scenario<Register>>,
    sc: usize,
    seed: u64,
    config: RegisterConfig,
    draft: RegisterConfig,
    draft_seed: String,
    draft_skew: String,
    tl: Timeline<Register>,
    shadow: Option<Shadow>,
    compare: bool,
    warnings: Vec<String>,
    playing: bool,
    speed: usize,
    view_us: f64,
    last_frame_ms: Option<f64>,
    frame: Option<AnimationFrame>,
    menu: Option<Menu>,
    tab: Tab,
    help: bool,
    toast: Option<String>,
    reached_pause: bool,
    markers: super::Markers,
    embed: bool,
    /// The operation whose replica sets are ringed: (client, index).
    focus_op: Option<(u8, u32)>,
    pacelc: Option<PacelcResult>,
    predict: Option<ActivePrediction>,
    /// Where playing stops by itself (a prediction's outcome).
    stop_at: Option<RunUntil>,
    _keys: Option<EventListener>,
}

/// Maps a node of a run with `from` = (replicas, clients) to the same role
/// in a run with `to`; `None` if it no longer exists.
fn map_node(id: NodeId, from: (u8, u8), to: (u8, u8)) -> Option<NodeId> {
    if id.0 < from.0 {
        (id.0 < to.0).then_some(id)
    } else {
        let c = id.0 - from.0;
        (c < from.1 && c < to.1).then(|| NodeId(to.0 + c))
    }
}

/// The same input in a run with another number of replicas or clients;
/// `None` if it names a node that no longer exists (or a message, whose
/// ids differ between runs).
pub fn remap_input(input: &Input<Cmd>, from: (u8, u8), to: (u8, u8)) -> Option<Input<Cmd>> {
    let m = |id: NodeId| map_node(id, from, to);
    let who = |w: &Who| match w {
        Who::Id(id) => m(*id).map(Who::Id),
        Who::Leader => Some(Who::Leader),
    };
    let via = |v: &Option<NodeId>| v.filter(|n| n.0 < to.0);
    Some(match input {
        Input::Crash(w) => Input::Crash(who(w)?),
        Input::Restart(w) => Input::Restart(who(w)?),
        Input::Isolate(w) => Input::Isolate(who(w)?),
        Input::Slow(w, f) => Input::Slow(who(w)?, *f),
        Input::Partition(gs) => Input::Partition(gs.iter().map(|g| g.iter().filter_map(|n| m(*n)).collect()).collect()),
        Input::Heal => Input::Heal,
        Input::Cut(a, b) => Input::Cut(m(*a)?, m(*b)?),
        Input::LinkLatency(a, b, lo, hi) => Input::LinkLatency(m(*a)?, m(*b)?, *lo, *hi),
        Input::Drop(_) => return None,
        Input::ClockOffset(w, offset_us) => Input::ClockOffset(who(w)?, *offset_us),
        Input::ClockDrift(w, drift_ppm) => Input::ClockDrift(who(w)?, *drift_ppm),
        Input::Pause(w, for_us) => Input::Pause(who(w)?, *for_us),
        Input::Command(w, c) => Input::Command(
            who(w)?,
            match c {
                Cmd::Read { via: v } => Cmd::Read { via: via(v) },
                Cmd::Write { value, via: v } => Cmd::Write { value: *value, via: via(v) },
                other => other.clone(),
            },
        ),
    })
}

fn shape(c: &RegisterConfig) -> (u8, u8) {
    (c.n_replicas, c.n_clients)
}

/// A scenario's script for a run of another shape.
fn script_for(sc: &Scenario<Register>, config: &RegisterConfig) -> Vec<(TimeUs, Input<Cmd>)> {
    let (from, to) = (shape(&sc.proto.config), shape(config));
    if from == to {
        return sc.script.clone();
    }
    sc.script.iter().filter_map(|(t, i)| remap_input(i, from, to).map(|i| (*t, i))).collect()
}

/// The timeline's injected events with the virtual time each applied at.
fn timed_injections(tl: &Timeline<Register>) -> Vec<(TimeUs, Input<Cmd>)> {
    let recs = tl.records();
    tl.injections()
        .iter()
        .filter(|(s, _)| (*s as usize) <= recs.len())
        .map(|(s, i)| (if *s == 0 { 0 } else { recs[*s as usize - 1].time_us }, i.clone()))
        .collect()
}

/// A run of `config` with `timed` events replayed at their times, up to `until`.
fn replay(
    sc: &Scenario<Register>,
    config: &RegisterConfig,
    seed: u64,
    timed: &[(TimeUs, Input<Cmd>)],
    from_shape: (u8, u8),
    until: TimeUs,
) -> (Timeline<Register>, usize) {
    let world = World::new(Register::new(config.clone()), seed, script_for(sc, config));
    let mut tl = Timeline::new(world);
    let mut skipped = 0;
    for (t, input) in timed {
        let Some(input) = remap_input(input, from_shape, shape(config)) else {
            skipped += 1;
            continue;
        };
        let _ = tl.run_until(*t, MAX_STEPS);
        if tl.inject(input).is_err() {
            skipped += 1;
        }
    }
    // Events after `until` stay in the timeline, ahead of the cursor.
    if tl.world().now > until {
        tl.seek_time(until);
    } else {
        let _ = tl.run_until(until, MAX_STEPS);
    }
    (tl, skipped)
}

fn other_mode(m: Mode) -> Mode {
    if m == Mode::Cp {
        Mode::Ap
    } else {
        Mode::Cp
    }
}

fn mode_name(m: Mode) -> &'static str {
    match m {
        Mode::Cp => "CP",
        Mode::Ap => "AP",
        Mode::Quorum => "Quorum",
    }
}

impl RegisterLab {
    /// Reads scenario, seed, parameters, injected events and step from a link.
    fn from_route(kind: LabKind, route: &Route) -> RegisterLab {
        let scenarios = kind.scenarios();
        let mut warnings = route.warnings.clone();
        let sc = match route.get("sc") {
            None => 0,
            Some(id) => scenarios.iter().position(|s| s.id == id).unwrap_or_else(|| {
                warnings.push(format!(
                    "There is no {} scenario called '{}'; showing “{}”.",
                    kind.title(),
                    truncate(id, 40),
                    scenarios[0].title
                ));
                0
            }),
        };
        let scenario = &scenarios[sc];
        let mut params = route.params();
        let seed = params.int("seed", scenario.seed, 0, u32::MAX as u64);
        let mut config = RegisterConfig::from_params(&scenario.proto.config, &mut params);
        match (kind, config.mode) {
            (LabKind::Cap, Mode::Quorum) => {
                params.warnings.push(format!("the CAP lab runs CP or AP, not quorum; using {}", mode_name(scenario.proto.config.mode)));
                config.mode = scenario.proto.config.mode;
            }
            (LabKind::Quorum, m) if m != Mode::Quorum => {
                params.warnings.push(format!("the Quorum lab runs in quorum mode; mode={} ignored", m.as_str()));
                config.mode = Mode::Quorum;
            }
            _ => {}
        }
        let n_nodes = config.n_replicas as usize + config.n_clients as usize;
        let mut injections = Vec::new();
        if let Some(list) = route.get("inj").filter(|l| !l.is_empty()) {
            for (i, item) in list.split(',').enumerate() {
                if i >= MAX_LINK_INJECTIONS {
                    warnings.push(format!("The link has more than {MAX_LINK_INJECTIONS} injected events; the rest are ignored."));
                    break;
                }
                let parsed = item
                    .split_once(':')
                    .ok_or_else(|| "expected step:event".to_string())
                    .and_then(|(s, e)| {
                        let step = s.parse::<u64>().map_err(|_| format!("'{}' is not a step number", truncate(s, 20)))?;
                        Ok((step, Input::<Cmd>::parse(e, n_nodes)?))
                    });
                match parsed {
                    Ok(pair) => injections.push(pair),
                    Err(e) => warnings.push(format!("Ignored injected event '{}': {e}.", truncate(item, 40))),
                }
            }
        }
        let step = params.int("step", 0, 0, MAX_STEPS);
        let embed = params.flag("embed", false);
        let compare = params.flag("cmp", false);
        let predict = route.get("predict").and_then(|v| match ActivePrediction::find(kind.id(), v, scenario.id, step) {
            Ok(p) => Some(p),
            Err(e) => {
                warnings.push(e);
                None
            }
        });
        let compare = if compare && kind != LabKind::Cap {
            params.warnings.push("cmp=1: only the CAP lab has a comparison view".into());
            false
        } else {
            compare
        };
        warnings.append(&mut params.warnings);
        let world = World::new(Register::new(config.clone()), seed, script_for(scenario, &config));
        let mut tl = Timeline::with_injections(world, injections);
        if step > 0 {
            tl.seek(step);
            if tl.cursor() < step {
                warnings.push(format!("The run ends at step {}; the link asked for step {step}.", tl.cursor()));
            }
        }
        let reached_pause = scenario.pause_ms == 0 || tl.world().now >= scenario.pause_ms * 1000;
        let view_us = tl.world().now as f64;
        let mut lab = RegisterLab {
            kind,
            sc,
            seed,
            draft: config.clone(),
            draft_seed: seed.to_string(),
            draft_skew: skew_text(&config),
            config,
            tl,
            shadow: None,
            compare,
            warnings,
            playing: false,
            speed: DEFAULT_SPEED,
            view_us,
            last_frame_ms: None,
            frame: None,
            menu: None,
            tab: if predict.is_some() { Tab::Questions } else { Tab::Scenario },
            help: false,
            toast: None,
            reached_pause,
            markers: super::Markers::default(),
            embed,
            focus_op: None,
            pacelc: None,
            predict,
            stop_at: None,
            _keys: None,
            scenarios,
        };
        lab.refresh_markers();
        lab.sync_shadow();
        lab
    }

    fn scenario(&self) -> &Scenario<Register> {
        &self.scenarios[self.sc]
    }

    fn world(&self) -> &World<Register> {
        self.tl.world()
    }

    /// Rebuilds the run from scenario, seed and config, at step 0, with no injected events.
    fn rebuild(&mut self) {
        let world = World::new(Register::new(self.config.clone()), self.seed, script_for(self.scenario(), &self.config));
        self.tl = Timeline::new(world);
        self.view_us = 0.0;
        self.playing = false;
        self.frame = None;
        self.menu = None;
        self.reached_pause = self.scenario().pause_ms == 0;
        self.markers.clear();
        self.draft = self.config.clone();
        self.draft_seed = self.seed.to_string();
        self.draft_skew = skew_text(&self.config);
        self.focus_op = None;
        self.shadow = None;
        self.sync_shadow();
    }

    /// Recomputes the run under `config` (and the current seed), replaying
    /// the learner's events at the virtual times they happened, and returns
    /// to the same moment. Returns how many events could not be replayed.
    fn reconfigure(&mut self, config: RegisterConfig) -> usize {
        let at = self.world().now;
        let timed = timed_injections(&self.tl);
        let from = shape(&self.config);
        let config = config.clamped();
        let (tl, skipped) = replay(self.scenario(), &config, self.seed, &timed, from, at);
        self.config = config;
        self.tl = tl;
        self.view_us = self.world().now as f64;
        self.playing = false;
        self.frame = None;
        self.menu = None;
        self.markers.clear();
        self.draft = self.config.clone();
        self.draft_seed = self.seed.to_string();
        self.draft_skew = skew_text(&self.config);
        if self.focus_op.is_some_and(|(c, _)| c >= self.config.n_clients) {
            self.focus_op = None;
        }
        self.refresh_markers();
        self.shadow = None;
        self.sync_shadow();
        self.sync_url();
        skipped
    }

    /// The link that reproduces the state at the cursor.
    fn query(&self) -> String {
        let sc = self.scenario();
        let mut pairs: Vec<(&str, String)> = vec![("lab", self.kind.id().into()), ("sc", sc.id.into()), ("seed", self.seed.to_string())];
        pairs.extend(self.config.to_params(&sc.proto.config));
        let inj: Vec<String> = self.tl.injections().iter().map(|(s, i)| format!("{s}:{}", i.encode())).collect();
        if !inj.is_empty() {
            pairs.push(("inj", inj.join(",")));
        }
        pairs.push(("step", self.tl.cursor().to_string()));
        if self.compare {
            pairs.push(("cmp", "1".into()));
        }
        if self.embed {
            pairs.push(("embed", "1".into()));
        }
        if let Some(a) = self.predict.as_ref().filter(|a| a.chosen.is_none()) {
            pairs.push(("predict", a.param()));
        }
        build_query(&pairs)
    }

    fn sync_url(&self) {
        dom::replace_query(&self.query());
    }

    fn refresh_markers(&mut self) {
        self.markers.refresh(&self.tl);
    }

    /// Keeps the comparison run in step: rebuilt when the learner's events
    /// change, then moved to the first run's moment.
    fn sync_shadow(&mut self) {
        if !self.compare || self.kind != LabKind::Cap {
            self.shadow = None;
            return;
        }
        let schedule = timed_injections(&self.tl);
        let rebuild = self.shadow.as_ref().is_none_or(|s| s.schedule != schedule);
        if rebuild {
            let mut config = self.config.clone();
            config.mode = other_mode(config.mode);
            let mut script = script_for(self.scenario(), &config);
            script.extend(schedule.iter().cloned());
            script.sort_by_key(|(t, _)| *t);
            let world = World::new(Register::new(config), self.seed, script);
            self.shadow = Some(Shadow { tl: Timeline::new(world), schedule });
        }
        let target = self.world().now;
        if let Some(s) = self.shadow.as_mut() {
            if s.tl.world().now > target {
                s.tl.seek_time(target);
            }
            let _ = s.tl.run_until(target, MAX_STEPS);
        }
    }

    fn after_move(&mut self) {
        self.view_us = self.world().now as f64;
        self.refresh_markers();
        self.sync_shadow();
        if !self.playing {
            self.sync_url();
        }
    }

    fn pause(&mut self) {
        self.playing = false;
        self.frame = None;
        self.last_frame_ms = None;
        self.sync_url();
    }

    fn schedule_frame(&mut self, ctx: &Context<Self>) {
        let link = ctx.link().clone();
        self.frame = Some(request_animation_frame(move |ts| link.send_message(Msg::Frame(ts))));
    }

    fn inject(&mut self, input: Input<Cmd>) {
        let branching = self.tl.horizon() > self.tl.cursor();
        let discarded = self.tl.horizon() - self.tl.cursor();
        let keep_view = self.view_us;
        self.menu = None;
        match self.tl.inject(input) {
            Ok(_) => {
                if branching {
                    self.toast = Some(format!("Branched at step {}: the {discarded} later steps of the old run were discarded.", self.tl.cursor() - 1));
                }
            }
            Err(e) => self.toast = Some(format!("Could not apply that: {e}.")),
        }
        self.refresh_markers();
        self.view_us = keep_view.max(self.world().now as f64);
        self.sync_shadow();
        if !self.playing {
            self.sync_url();
        }
    }

    /// The next value a learner's write stores: small numbers, distinct
    /// from each other and from the automatic workload's (1000 and up).
    fn next_value(&self) -> u32 {
        let top = self
            .world()
            .nodes
            .iter()
            .filter_map(RegNode::client)
            .flat_map(|c| c.ops.iter())
            .filter_map(|o| o.value)
            .filter(|v| *v < 1000)
            .max()
            .unwrap_or(0);
        (top + 1).clamp(1, 999) as u32
    }

    fn client_busy(&self, c: u8) -> bool {
        let w = self.world();
        let node = w.proto.client_node(c);
        w.nodes.get(node.idx()).and_then(RegNode::client).is_some_and(|cl| cl.pending.is_some()) || !w.is_up(node)
    }

    /// The split preset: the first `n − majority` replicas (with the
    /// clients whose home they are) against the rest.
    fn split_input(&self) -> Input<Cmd> {
        let reg = &self.world().proto;
        let k = (reg.n_replicas() - reg.majority()) as u8;
        let mut side: Vec<NodeId> = (0..k).map(NodeId).collect();
        for c in 0..reg.config.n_clients {
            if reg.home(c).0 < k {
                side.push(reg.client_node(c));
            }
        }
        Input::Partition(vec![side])
    }

    fn split_label(&self) -> String {
        let reg = &self.world().proto;
        let k = reg.n_replicas() - reg.majority();
        format!("Split {k} | {}", reg.n_replicas() - k)
    }

    /// The operation ringed on the diagram: the learner's choice, else the
    /// latest read answered at the cursor.
    fn focus(&self) -> Option<(u8, u32)> {
        if self.focus_op.is_some() {
            return self.focus_op;
        }
        let w = self.world();
        w.nodes
            .iter()
            .filter_map(RegNode::client)
            .flat_map(|c| c.ops.iter().map(move |o| (c.c, o)))
            .filter(|(_, o)| o.kind != dsviz_sim::history::OpKind::Write && o.answered_us.is_some() && !o.read_set.is_empty())
            .max_by_key(|(c, o)| (o.answered_us, *c))
            .map(|(c, o)| (c, o.idx))
    }

    fn stop_when_quiet(&mut self) -> bool {
        // Nothing left to happen, and the view is well past the last step.
        let last = self.tl.records().last().map(|r| r.time_us).unwrap_or(0);
        self.view_us > (last + 600_000) as f64
    }
}

fn skew_text(c: &RegisterConfig) -> String {
    c.skew_ms.iter().map(|s| s.to_string()).collect::<Vec<_>>().join(",")
}

impl Component for RegisterLab {
    type Message = Msg;
    type Properties = RegisterLabProps;

    fn create(ctx: &Context<Self>) -> Self {
        let p = ctx.props();
        let lab = RegisterLab::from_route(p.kind, &p.route);
        dom::set_title(&format!("{} lab — dsviz", p.kind.title()));
        lab.sync_url();
        lab
    }

    fn rendered(&mut self, ctx: &Context<Self>, first_render: bool) {
        if first_render {
            let link = ctx.link().clone();
            self._keys = dom::window().map(|w| {
                EventListener::new_with_options(&w, "keydown", EventListenerOptions::enable_prevent_default(), move |e| {
                    if let Some(k) = e.dyn_ref::<web_sys::KeyboardEvent>() {
                        link.send_message(Msg::Key(k.clone()));
                    }
                })
            });
        }
    }

    fn update(&mut self, ctx: &Context<Self>, msg: Msg) -> bool {
        match msg {
            Msg::Frame(ts) => {
                if !self.playing {
                    return false;
                }
                let input = super::FrameInput { ts, speed: SPEEDS[self.speed].0, pause_ms: self.scenario().pause_ms, reached_pause: self.reached_pause };
                let outcome = super::advance_frame(&mut self.tl, &mut self.view_us, &mut self.last_frame_ms, &mut self.stop_at, input);
                self.refresh_markers();
                self.sync_shadow();
                match outcome {
                    super::FrameOutcome::Continue => self.schedule_frame(ctx),
                    super::FrameOutcome::Quiet if self.stop_when_quiet() => {
                        self.pause();
                        self.toast = Some("Paused: nothing is left to happen (every operation is over and no timer is set). Send a request or inject a fault.".into());
                    }
                    super::FrameOutcome::Quiet => self.schedule_frame(ctx),
                    super::FrameOutcome::PredictionOutcome => {
                        self.pause();
                        self.toast = Some("Paused: this is the outcome the prediction asked about.".into());
                    }
                    super::FrameOutcome::ScenarioNotice => {
                        self.reached_pause = true;
                        self.tab = Tab::Scenario;
                        self.pause();
                        self.toast = Some("Paused where this scenario makes its point: read “What to notice”.".into());
                    }
                    super::FrameOutcome::TraceFull(e) => {
                        self.toast = Some(format!("Paused: {e}."));
                        self.pause();
                    }
                }
                true
            }
            Msg::TogglePlay => {
                if self.playing {
                    self.pause();
                } else {
                    self.playing = true;
                    self.menu = None;
                    self.last_frame_ms = None;
                    self.view_us = self.view_us.max(self.world().now as f64);
                    self.schedule_frame(ctx);
                }
                true
            }
            Msg::StepForward => {
                if self.playing {
                    self.pause();
                }
                if let Err(e) = self.tl.forward() {
                    self.toast = Some(format!("Cannot step forward: {e}."));
                }
                self.after_move();
                true
            }
            Msg::StepBack => {
                if self.playing {
                    self.pause();
                }
                self.tl.back();
                self.after_move();
                true
            }
            Msg::Seek(step) => {
                self.tl.seek(step);
                self.after_move();
                true
            }
            Msg::SeekTime(t) => {
                if self.playing {
                    self.pause();
                }
                if t > self.world().now {
                    let _ = self.tl.run_until(t, MAX_STEPS);
                } else {
                    self.tl.seek_time(t);
                }
                self.after_move();
                true
            }
            Msg::Reset => {
                self.rebuild();
                self.toast = Some("Reset to the start of the scenario (your injected events are gone).".into());
                self.sync_url();
                true
            }
            Msg::Inject(input) => {
                self.inject(input);
                true
            }
            Msg::ClientOp { c, write, via } => {
                if c >= self.config.n_clients {
                    return false;
                }
                if self.client_busy(c) {
                    self.toast = Some(format!("C{} is busy or down: a client does one operation at a time.", c + 1));
                    return true;
                }
                let node = self.world().proto.client_node(c);
                let cmd = if write { Cmd::Write { value: self.next_value(), via } } else { Cmd::Read { via } };
                self.inject(Input::Command(Who::Id(node), cmd));
                true
            }
            Msg::Speed(i) => {
                self.speed = i.min(SPEEDS.len() - 1);
                true
            }
            Msg::ClickNode(id) => {
                self.menu = if id.0 == u8::MAX || self.menu == Some(Menu::Node(id)) { None } else { Some(Menu::Node(id)) };
                true
            }
            Msg::ClickMessage(id) => {
                self.menu = Some(Menu::Message(id));
                true
            }
            Msg::CloseMenu => {
                self.menu = None;
                true
            }
            Msg::Tab(t) => {
                self.tab = t;
                true
            }
            Msg::Help(open) => {
                self.help = open;
                true
            }
            Msg::CopyLink => {
                self.sync_url();
                let url = dom::full_url(&self.query());
                dom::copy_text(url, ctx.link().callback(Msg::Copied));
                false
            }
            Msg::Copied(ok) => {
                self.toast = Some(if ok {
                    "Link copied: it reopens this exact run at this step.".into()
                } else {
                    "Could not reach the clipboard; copy the address bar instead — it holds the same link.".into()
                });
                true
            }
            Msg::LoadScenario(id) => {
                if let Some(i) = self.scenarios.iter().position(|s| s.id == id) {
                    self.sc = i;
                    self.seed = self.scenarios[i].seed;
                    self.config = self.scenarios[i].proto.config.clone();
                    self.rebuild();
                    self.warnings.clear();
                    self.pacelc = None;
                    self.sync_url();
                }
                true
            }
            Msg::SetMode(m) => {
                if m == self.config.mode || self.kind != LabKind::Cap {
                    return false;
                }
                let config = RegisterConfig { mode: m, ..self.config.clone() };
                let skipped = self.reconfigure(config);
                self.toast = Some(format!(
                    "Now {}: the run was recomputed from the start with your faults and requests at the same times{}.",
                    mode_name(m),
                    if skipped > 0 { format!(" ({skipped} could not be replayed)") } else { String::new() }
                ));
                true
            }
            Msg::SetConflict(c) => {
                if c == self.config.conflict {
                    return false;
                }
                let config = RegisterConfig { conflict: c, ..self.config.clone() };
                self.reconfigure(config);
                self.toast = Some(format!(
                    "Conflicts are now settled by {}; the run was recomputed with your events.",
                    if c == Conflict::Lww { "last-writer-wins" } else { "version vectors" }
                ));
                true
            }
            Msg::Step(f, d) => {
                let mut c = self.config.clone();
                let bump = |v: u8, lo: u8, hi: u8| (v as i32 + d).clamp(lo as i32, hi as i32) as u8;
                match f {
                    QField::Nodes => {
                        c.n_replicas = bump(c.n_replicas, 3, 7);
                        c.rf = c.rf.min(c.n_replicas);
                    }
                    QField::N => c.rf = bump(c.rf, 1, c.n_replicas),
                    QField::W => c.w = bump(c.w, 1, c.rf),
                    QField::R => c.r = bump(c.r, 1, c.rf),
                }
                let c = c.clamped();
                if c == self.config {
                    return false;
                }
                let skipped = self.reconfigure(c);
                let cfg = &self.config;
                self.toast = Some(format!(
                    "N = {}, W = {}, R = {} ({}): the run was recomputed with your events{}.",
                    cfg.rf,
                    cfg.w,
                    cfg.r,
                    if cfg.w as u16 + cfg.r as u16 > cfg.rf as u16 { "W + R > N" } else { "W + R ≤ N" },
                    if skipped > 0 { format!("; {skipped} named nodes that no longer exist") } else { String::new() }
                ));
                true
            }
            Msg::Switch(f, on) => {
                let mut c = self.config.clone();
                match f {
                    Field::Sloppy => c.sloppy = on,
                    Field::ReadRepair => c.read_repair = on,
                    Field::SafeWriteBack => c.safety.read_write_back = on,
                    Field::SafeWriteQuery => c.safety.write_query = on,
                    _ => return false,
                }
                self.reconfigure(c);
                self.toast = Some("Switched: the run was recomputed from the start with your events at the same times.".into());
                true
            }
            Msg::AeInterval(ms) => {
                let c = RegisterConfig { ae_ms: ms, ..self.config.clone() };
                self.reconfigure(c);
                self.toast = Some(if ms == 0 { "Anti-entropy is off.".into() } else { format!("Anti-entropy every {ms} ms.") });
                true
            }
            Msg::Draft(field, value) => {
                let d = &mut self.draft;
                let num = |v: &str| v.trim().parse::<f64>().ok().filter(|x| x.is_finite() && *x >= 0.0);
                match field {
                    Field::Nodes => d.n_replicas = num(&value).map(|v| v as u8).unwrap_or(d.n_replicas),
                    Field::Clients => d.n_clients = num(&value).map(|v| v as u8).unwrap_or(d.n_clients),
                    Field::Seed => self.draft_seed = value,
                    Field::LatencyMin => d.latency_us_min = num(&value).map(|v| (v * 1000.0) as u64).unwrap_or(d.latency_us_min),
                    Field::LatencyMax => d.latency_us_max = num(&value).map(|v| (v * 1000.0) as u64).unwrap_or(d.latency_us_max),
                    Field::Loss => d.loss = num(&value).map(|v| v / 100.0).unwrap_or(d.loss),
                    Field::Timeout => d.op_timeout_ms = num(&value).map(|v| v as u64).unwrap_or(d.op_timeout_ms),
                    Field::AntiEntropy => d.ae_ms = num(&value).map(|v| v as u64).unwrap_or(d.ae_ms),
                    Field::Handoff => d.handoff_ms = num(&value).map(|v| v as u64).unwrap_or(d.handoff_ms),
                    Field::Auto => d.auto_ms = num(&value).map(|v| v as u64).unwrap_or(d.auto_ms),
                    Field::WritePct => d.write_pct = num(&value).map(|v| v.min(100.0) as u8).unwrap_or(d.write_pct),
                    Field::Skew => self.draft_skew = value,
                    Field::Conflict => d.conflict = Conflict::parse(&value).unwrap_or(d.conflict),
                    Field::SafeWriteBack => d.safety.read_write_back = value == "on",
                    Field::SafeWriteQuery => d.safety.write_query = value == "on",
                    Field::Sloppy => d.sloppy = value == "on",
                    Field::ReadRepair => d.read_repair = value == "on",
                }
                true
            }
            Msg::ApplySettings => {
                let mut notes: Vec<String> = Vec::new();
                let mut draft = self.draft.clone();
                let mut skew = Vec::new();
                for part in self.draft_skew.split(',').filter(|p| !p.trim().is_empty()) {
                    match part.trim().parse::<i64>() {
                        Ok(v) => skew.push(v),
                        Err(_) => {
                            notes.push(format!("'{}' is not a whole number of ms, so the clock skews were kept", truncate(part.trim(), 12)));
                            skew = self.config.skew_ms.clone();
                            break;
                        }
                    }
                }
                draft.skew_ms = skew;
                let clamped = draft.clone().clamped();
                let mut cmp = draft.clone();
                cmp.skew_ms.resize(clamped.skew_ms.len(), 0);
                if clamped != cmp {
                    notes.push("some values were outside their ranges and were adjusted".into());
                }
                match self.draft_seed.trim().parse::<u64>() {
                    Ok(s) if s <= u32::MAX as u64 => self.seed = s,
                    _ => notes.push("the seed must be a whole number up to 4294967295, so it was kept".into()),
                }
                let skipped = self.reconfigure(clamped);
                if skipped > 0 {
                    notes.push(format!("{skipped} of your events named nodes that no longer exist and were dropped"));
                }
                self.toast = Some(if notes.is_empty() {
                    "Settings applied: the run was recomputed with your events at the same times.".into()
                } else {
                    format!("Settings applied, but {}.", notes.join("; "))
                });
                true
            }
            Msg::RevertSettings => {
                self.seed = self.scenario().seed;
                let c = self.scenario().proto.config.clone();
                self.reconfigure(c);
                self.toast = Some("Settings restored to the scenario's own.".into());
                true
            }
            Msg::NewSeed => {
                self.draft_seed = dom::random_seed().to_string();
                true
            }
            Msg::Key(e) => {
                let Some(key) = super::lab_key(&e) else { return false };
                let msg = match key.as_str() {
                    " " | "k" => Some(Msg::TogglePlay),
                    "ArrowRight" | "." => Some(Msg::StepForward),
                    "ArrowLeft" | "," => Some(Msg::StepBack),
                    "Home" => Some(Msg::Seek(0)),
                    "End" => Some(Msg::Seek(self.tl.horizon())),
                    "r" => Some(Msg::Reset),
                    "h" => Some(Msg::Inject(Input::Heal)),
                    "p" => Some(Msg::Inject(self.split_input())),
                    "q" => Some(Msg::ClientOp { c: 0, write: false, via: None }),
                    "w" => Some(Msg::ClientOp { c: 0, write: true, via: None }),
                    "Q" => Some(Msg::ClientOp { c: 1, write: false, via: None }),
                    "W" => Some(Msg::ClientOp { c: 1, write: true, via: None }),
                    "m" if self.kind == LabKind::Cap => Some(Msg::SetMode(other_mode(self.config.mode))),
                    "v" if self.kind == LabKind::Cap => Some(Msg::Compare(!self.compare)),
                    "?" => Some(Msg::Help(!self.help)),
                    "+" | "=" => Some(Msg::Speed(self.speed + 1)),
                    "-" => Some(Msg::Speed(self.speed.saturating_sub(1))),
                    "Escape" => {
                        if self.help {
                            Some(Msg::Help(false))
                        } else if self.menu.is_some() {
                            Some(Msg::CloseMenu)
                        } else {
                            Some(Msg::SelectOp(None))
                        }
                    }
                    d if d.len() == 1 && d.as_bytes()[0].is_ascii_digit() => {
                        let i = d.as_bytes()[0] - b'0';
                        (i >= 1 && (i as usize) <= self.world().proto.n_replicas()).then(|| Msg::ClickNode(NodeId(i - 1)))
                    }
                    _ => None,
                };
                match msg {
                    Some(m) => {
                        e.prevent_default();
                        <Self as Component>::update(self, ctx, m)
                    }
                    None => false,
                }
            }
            Msg::DismissWarnings => {
                self.warnings.clear();
                self.toast = None;
                true
            }
            Msg::Compare(on) => {
                if self.kind != LabKind::Cap {
                    return false;
                }
                self.compare = on;
                self.shadow = None;
                self.sync_shadow();
                self.sync_url();
                if on {
                    self.toast = Some(format!(
                        "Comparing: the same seed, script and your events, run in {} beside {}.",
                        mode_name(other_mode(self.config.mode)),
                        mode_name(self.config.mode)
                    ));
                }
                true
            }
            Msg::SelectOp(i) => {
                self.focus_op = i.and_then(|i| lab_history(self.world()).refs.get(i).copied());
                true
            }
            Msg::Pacelc => {
                // No fault of any kind: no partition, and clocks that agree.
                let base = RegisterConfig {
                    auto_ms: if self.config.auto_ms == 0 { 100 } else { self.config.auto_ms },
                    n_clients: self.config.n_clients.max(2),
                    skew_ms: vec![0; self.config.n_replicas as usize],
                    loss: 0.0,
                    ..self.config.clone()
                };
                let run = |mode: Mode| {
                    let c = RegisterConfig { mode, ..base.clone() };
                    let mut tl = Timeline::new(World::new(Register::new(c), self.seed, vec![]));
                    let _ = tl.run_until(PACELC_RUN_US, MAX_STEPS);
                    counters(tl.world())
                };
                self.pacelc = Some(PacelcResult { cp: run(Mode::Cp), ap: run(Mode::Ap), config: base });
                true
            }
            Msg::Navigate(q) => {
                ctx.props().navigate.emit(q);
                false
            }
            Msg::Answer(choice) => {
                let Some(a) = self.predict.as_mut() else { return false };
                if a.chosen.is_some() {
                    return false;
                }
                if let Some(problem) = a.answer(choice) {
                    self.toast = Some(problem);
                }
                // Let the simulation play out to the moment the question is about.
                self.stop_at = Some(a.p().run_until);
                self.reached_pause = true;
                if !self.playing {
                    self.playing = true;
                    self.last_frame_ms = None;
                    self.schedule_frame(ctx);
                }
                self.sync_url();
                true
            }
            Msg::EndPrediction => {
                self.predict = None;
                self.stop_at = None;
                self.sync_url();
                true
            }
        }
    }

    fn view(&self, ctx: &Context<Self>) -> Html {
        let link = ctx.link();
        let w = self.world();
        let hist = lab_history(w);
        let focus_ref = self.focus();
        let focus = focus_ref.and_then(|r| focus_of(w, r));
        let focus_sets: Option<FocusSets> = focus.as_ref().map(|(s, _)| s.clone());
        let menu_node = match self.menu {
            Some(Menu::Node(id)) => Some(id),
            _ => None,
        };
        let primary_label = format!("{} cluster", mode_label(&self.config));
        let primary = diagram(&DiagramProps {
            world: w,
            view_us: self.view_us,
            selected: menu_node,
            focus: focus_sets.as_ref(),
            on_node: link.callback(Msg::ClickNode),
            on_msg: link.callback(Msg::ClickMessage),
            label: &primary_label,
            id_prefix: "a",
        });
        let violation_banner = w.violations.first().map(|v| {
            let step = v.step;
            html! {
                <div class="violation-banner" role="alert">
                    <strong>{format!("{} violated", v.invariant)}</strong>
                    <span>{format!(" at step {step}. ")}</span>
                    <button class="linklike" onclick={link.callback(move |_| Msg::Seek(step))}>{"Go there"}</button>
                    <button class="linklike" onclick={link.callback(|_| Msg::Tab(Tab::Invariants))}>{"Read the story"}</button>
                </div>
            }
        });
        let transport = html! {
            <Transport
                playing={self.playing}
                cursor={self.tl.cursor()}
                horizon={self.tl.horizon()}
                time_label={AttrValue::from(fmt_time(self.view_us as u64))}
                markers={self.markers.list.clone()}
                speed={self.speed}
                on_play={link.callback(|_| Msg::TogglePlay)}
                on_step_forward={link.callback(|_| Msg::StepForward)}
                on_step_back={link.callback(|_| Msg::StepBack)}
                on_reset={link.callback(|_| Msg::Reset)}
                on_seek={link.callback(Msg::Seek)}
                on_speed={link.callback(Msg::Speed)}
            />
        };
        let warnings = (!self.warnings.is_empty()).then(|| {
            html! {
                <div class="banner warn" role="alert">
                    <div>
                        <strong>{"Some of this link could not be used, so safe defaults were taken:"}</strong>
                        <ul>{ for self.warnings.iter().take(8).map(|w| html!{ <li>{w}</li> }) }</ul>
                    </div>
                    <button class="linklike" onclick={link.callback(|_| Msg::DismissWarnings)}>{"Dismiss"}</button>
                </div>
            }
        });
        let toast = self.toast.as_ref().map(|t| html! { <div class="toast" role="status">{t}</div> });
        let caption = {
            let cursor = self.tl.cursor();
            let text = match cursor.checked_sub(1).and_then(|i| self.tl.records().get(i as usize)) {
                Some(r) => w.narrate(&r.note),
                None => "The run has not started. Press Play, or Step forward to go one event at a time.".to_string(),
            };
            html! {
                <p class="caption" aria-live="polite">
                    <span class="caption-step">{ if cursor == 0 { "Start".to_string() } else { format!("Step {cursor}") } }</span>
                    {text}
                </p>
            }
        };
        let full_link = dom::full_url(&self.query().replace("&embed=1", ""));
        let cluster = if let (true, Some(sh)) = (self.compare, &self.shadow) {
            let sw = sh.tl.world();
            let shadow_label = format!("{} cluster (comparison)", mode_label(&sw.proto.config));
            let other = diagram(&DiagramProps {
                world: sw,
                view_us: self.view_us,
                selected: None,
                focus: None,
                on_node: link.callback(Msg::ClickNode),
                on_msg: Callback::noop(),
                label: &shadow_label,
                id_prefix: "b",
            });
            let (cp_w, ap_w) = if self.config.mode == Mode::Cp { (w, sw) } else { (sw, w) };
            let (cp_d, ap_d) = if self.config.mode == Mode::Cp { (primary, other) } else { (other, primary) };
            let side = |wd: &World<Register>, d: Html, title: &str, blurb: &str, main: bool| {
                let c = counters(wd);
                html! {
                    <div class={classes!("compare-side", main.then_some("main"))}>
                        <h2 class="compare-title">{title}<small>{blurb}</small></h2>
                        {self.status_strip(wd, true)}
                        {d}
                        {counters_table(&c, wd.proto.config.mode, "Operations", true)}
                    </div>
                }
            };
            html! {
                <>
                    <div class="compare-grid">
                        {side(cp_w, cp_d, "CP", "majority quorums (ABD)", self.config.mode == Mode::Cp)}
                        {side(ap_w, ap_d, "AP", if self.config.conflict == Conflict::Lww { "any replica, last writer wins" } else { "any replica, version vectors" }, self.config.mode == Mode::Ap)}
                    </div>
                    {self.pacelc_strip(cp_w, ap_w)}
                </>
            }
        } else {
            html! {
                <>
                    {self.status_strip(w, false)}
                    {primary}
                </>
            }
        };
        let focus_card = focus.map(|(_, text)| {
            let r = focus_ref.unwrap_or((0, 0));
            let op = view::op_at(w, r);
            let (t_in, t_out) = op.map(|o| (o.invoke_us, o.answered_us)).unwrap_or((0, None));
            html! {
                <div class="focus-card" aria-live="polite">
                    <span class="legend-rings" aria-hidden="true"><span class="lr read" />{"read set"}<span class="lr write" />{"write set"}</span>
                    <p>{text}</p>
                    <div class="focus-actions">
                        <button class="linklike" onclick={link.callback(move |_| Msg::SeekTime(t_in))}>{"Go to its start"}</button>
                        if let Some(t) = t_out {
                            <button class="linklike" onclick={link.callback(move |_| Msg::SeekTime(t))}>{"Go to its answer"}</button>
                        }
                        if self.focus_op.is_some() {
                            <button class="linklike" onclick={link.callback(|_| Msg::SelectOp(None))}>{"Follow the latest read"}</button>
                        }
                    </div>
                </div>
            }
        });
        let counters_card = (!self.compare).then(|| {
            let c = counters(w);
            html! {
                <section class="counters-card" aria-label="Counters">
                    <h2>{"Availability and consistency"}<small>{" per side of the partition, each operation counted where its client stood when it began"}</small></h2>
                    {counters_table(&c, self.config.mode, "Operations", false)}
                </section>
            }
        });
        let histories = self.history_view(ctx, &hist);
        html! {
            <>
                if self.embed {
                    <header class="embed-header">
                        <strong>{format!("{} · {}", self.kind.title(), self.scenario().title)}</strong>
                        <a href={full_link} target="_blank" rel="noopener">{"Open in dsviz ↗"}</a>
                    </header>
                } else {
                    <header class="site-header">
                        <a class="brand" href="?" onclick={link.callback(|e: MouseEvent| { e.prevent_default(); Msg::Navigate("?".into()) })}>
                            {icons::logo()}<span>{"dsviz"}</span>
                        </a>
                        <nav class="crumbs" aria-label="Breadcrumb">
                            <span aria-hidden="true">{"/"}</span>
                            <h1>{self.kind.title()}</h1>
                        </nav>
                        <div class="header-actions">
                            <button onclick={link.callback(|_| Msg::CopyLink)}>{"Copy link"}</button>
                            <button class="icon-btn" aria-label="Keyboard shortcuts" onclick={link.callback(|_| Msg::Help(true))}>{"?"}</button>
                        </div>
                    </header>
                }
                <main id="main" class={classes!("lab", "reg-lab", self.embed.then_some("embed"), self.compare.then_some("comparing"))}>
                    {for warnings}
                    <div class="stage">
                        {self.prediction_view(ctx)}
                        {self.mode_bar(ctx)}
                        <div class="diagram-wrap">
                            {for violation_banner}
                            {cluster}
                            {self.menu_view(ctx)}
                            {caption}
                        </div>
                        {for focus_card}
                        {transport}
                        {self.fault_bar(ctx)}
                        {for counters_card}
                        {histories}
                    </div>
                    if !self.embed {
                        <aside class="panel">
                            <div class="tabs" role="tablist" aria-label="Lab panels">
                                { for tabs(self.kind).iter().map(|(t, label)| {
                                    let t = *t;
                                    let badge = (t == Tab::Invariants && !w.violations.is_empty()).then(|| html!{ <span class="dot" aria-label="violations" /> });
                                    html! {
                                        <button role="tab" aria-selected={(self.tab == t).to_string()} class={classes!("tab", (self.tab == t).then_some("active"))}
                                            onclick={link.callback(move |_| Msg::Tab(t))}>{*label}{for badge}</button>
                                    }
                                }) }
                            </div>
                            <div class="tab-body" role="tabpanel">{self.tab_view(ctx)}</div>
                        </aside>
                    }
                </main>
                {for toast}
                if self.help {
                    <Help shortcuts={shortcuts(self.kind)} on_close={link.callback(|_| Msg::Help(false))} />
                }
            </>
        }
    }
}

fn mode_label(c: &RegisterConfig) -> String {
    match c.mode {
        Mode::Cp => "CP".into(),
        Mode::Ap => format!("AP ({})", if c.conflict == Conflict::Lww { "last writer wins" } else { "version vectors" }),
        Mode::Quorum => format!("Quorum N={} W={} R={}", c.rf, c.w, c.r),
    }
}

fn shortcuts(kind: LabKind) -> Vec<(&'static str, &'static str)> {
    let mut v = vec![
        ("Space", "Play or pause"),
        ("→  or  .", "Step forward one event"),
        ("←  or  ,", "Step back one event"),
        ("Home / End", "Go to the first / last computed step"),
        ("1 – 7", "Open the menu of replica R1 – R7"),
        ("W / Q", "C1 writes / reads"),
        ("Shift+W / Shift+Q", "C2 writes / reads"),
        ("P", "Split the network: minority | majority"),
        ("H", "Heal the network"),
    ];
    if kind == LabKind::Cap {
        v.push(("M", "Switch between CP and AP"));
        v.push(("V", "Compare CP and AP side by side"));
    }
    v.extend([
        ("+ / −", "Faster / slower"),
        ("R", "Reset the scenario"),
        ("?", "Show or hide this help"),
        ("Esc", "Close menus and dialogs; follow the latest read"),
    ]);
    v
}

impl RegisterLab {
    fn status_strip(&self, w: &World<Register>, compact: bool) -> Html {
        let reg = &w.proto;
        let c = &reg.config;
        let n = reg.n_replicas();
        let (mode_text, mode_class) = match c.mode {
            Mode::Cp => (format!("CP · majority {} of {n}", reg.majority()), "cp"),
            Mode::Ap => (format!("AP · {}", if c.conflict == Conflict::Lww { "last writer wins" } else { "version vectors" }), "ap"),
            Mode::Quorum => {
                let strict = c.w as u16 + c.r as u16 > c.rf as u16;
                (format!("N={} W={} R={} · W+R {} N", c.rf, c.w, c.r, if strict { ">" } else { "≤" }), if strict { "cp" } else { "warn-mode" })
            }
        };
        let (avail, avail_class) = view::availability_pill(&counters(w));
        let partition = w.net.is_partitioned().then(|| {
            let groups: Vec<String> = w
                .net
                .groups()
                .iter()
                .map(|g| g.iter().map(|n| reg.name(*n)).collect::<Vec<_>>().join(" "))
                .collect();
            let text = if w.net.cuts.is_empty() {
                format!("Partitioned: {}", groups.join(" | "))
            } else if groups.len() > 1 {
                format!("Partitioned: {} · {} cut link(s)", groups.join(" | "), w.net.cuts.len())
            } else {
                format!("{} cut link(s)", w.net.cuts.len())
            };
            html! { <span class="pill warn">{text}</span> }
        });
        html! {
            <div class="status-strip" aria-live="polite">
                <span class={classes!("pill", "mode-pill", mode_class)}>{mode_text}</span>
                {for partition}
                { for (0..w.nodes.len()).filter(|i| !w.is_up(NodeId(*i as u8))).map(|i| html!{ <span class="pill down">{format!("{} down", reg.name(NodeId(i as u8)))}</span> }) }
                <span class={classes!("pill", "avail", avail_class)}>{avail}</span>
                if !compact {
                    <span class="pill subtle">{format!("{} in flight", w.in_flight.len())}</span>
                }
            </div>
        }
    }

    fn pacelc_strip(&self, cp: &World<Register>, ap: &World<Register>) -> Html {
        let (c, a) = (counters(cp).whole, counters(ap).whole);
        let ms = |x: Option<u64>| x.map(|u| format!("{:.0} ms", u as f64 / 1000.0)).unwrap_or_else(|| "—".into());
        html! {
            <div class="pacelc-strip" aria-label="Latency with no partition">
                <strong>{"Else (no partition): "}</strong>
                <span>{format!("CP reads {} · writes {}", ms(c.mean_read_latency_us()), ms(c.mean_write_latency_us()))}</span>
                <span>{format!("AP reads {} · writes {}", ms(a.mean_read_latency_us()), ms(a.mean_write_latency_us()))}</span>
                <span class="muted">{format!("AP stale reads with no partition: {}", a.stale_reads)}</span>
            </div>
        }
    }

    fn mode_bar(&self, ctx: &Context<Self>) -> Html {
        let link = ctx.link();
        let c = &self.config;
        match self.kind {
            LabKind::Cap => {
                let seg = |m: Mode, label: &str, sub: &str| {
                    let active = c.mode == m;
                    html! {
                        <button class={classes!(active.then_some("active"))} aria-pressed={active.to_string()} onclick={link.callback(move |_| Msg::SetMode(m))}>
                            <b>{label.to_string()}</b><small>{sub.to_string()}</small>
                        </button>
                    }
                };
                let conflict = |k: Conflict, label: &str| {
                    let active = c.conflict == k;
                    html! { <button class={classes!(active.then_some("active"))} aria-pressed={active.to_string()} onclick={link.callback(move |_| Msg::SetConflict(k))}>{label.to_string()}</button> }
                };
                let compare = self.compare;
                html! {
                    <div class="mode-bar" role="group" aria-label="Mode">
                        <div class="seg mode-seg">
                            {seg(Mode::Cp, "CP", "refuse without a majority")}
                            {seg(Mode::Ap, "AP", "answer from any replica")}
                        </div>
                        if c.mode == Mode::Ap || compare {
                            <div class="seg small-seg" role="group" aria-label="Conflict resolution">
                                {conflict(Conflict::Lww, "Last writer wins")}
                                {conflict(Conflict::VersionVectors, "Version vectors")}
                            </div>
                        }
                        <label class="toggle">
                            <input type="checkbox" checked={compare} onchange={link.callback(move |_| Msg::Compare(!compare))} />
                            <span>{"Compare CP | AP"}</span>
                        </label>
                    </div>
                }
            }
            LabKind::Quorum => {
                let stepper = |f: QField, name: &str, value: u8, lo: u8, hi: u8, title: &str| {
                    html! {
                        <div class="stepper" role="group" aria-label={name.to_string()} title={title.to_string()}>
                            <span class="stepper-name">{name.to_string()}</span>
                            <button aria-label={format!("Decrease {name}")} disabled={value <= lo} onclick={link.callback(move |_| Msg::Step(f, -1))}>{"−"}</button>
                            <output aria-label={format!("{name} value")}>{value}</output>
                            <button aria-label={format!("Increase {name}")} disabled={value >= hi} onclick={link.callback(move |_| Msg::Step(f, 1))}>{"+"}</button>
                        </div>
                    }
                };
                let strict = c.w as u16 + c.r as u16 > c.rf as u16;
                let sloppy = c.sloppy;
                let rr = c.read_repair;
                let on_ae = link.callback(|e: Event| {
                    let sel: web_sys::HtmlSelectElement = e.target_unchecked_into();
                    Msg::AeInterval(sel.value().parse().unwrap_or(0))
                });
                let ae_opts: Vec<u64> = {
                    let mut v = vec![0, 50, 100, 200, 500, 1000];
                    if !v.contains(&c.ae_ms) {
                        v.push(c.ae_ms);
                        v.sort_unstable();
                    }
                    v
                };
                html! {
                    <div class="quorum-bar" role="group" aria-label="Quorum settings">
                        <div class="steppers">
                            {stepper(QField::Nodes, "Nodes", c.n_replicas, 3, 7, "Replicas in the cluster; those beyond N are stand-ins")}
                            {stepper(QField::N, "N", c.rf, 1, c.n_replicas, "Replicas that hold the register (R1…RN)")}
                            {stepper(QField::W, "W", c.w, 1, c.rf, "Acks a write waits for")}
                            {stepper(QField::R, "R", c.r, 1, c.rf, "Replies a read waits for")}
                            <span class={classes!("quorum-rule", if strict { "good" } else { "bad" })}>
                                { if strict { format!("W + R = {} > N = {}: quorums overlap", c.w + c.r, c.rf) } else { format!("W + R = {} ≤ N = {}: stale reads possible", c.w + c.r, c.rf) } }
                            </span>
                        </div>
                        <div class="switch-row">
                            <label class="toggle"><input type="checkbox" checked={sloppy} onchange={link.callback(move |_| Msg::Switch(Field::Sloppy, !sloppy))} /><span>{"Sloppy quorum + hinted handoff"}</span></label>
                            <label class="toggle"><input type="checkbox" checked={rr} onchange={link.callback(move |_| Msg::Switch(Field::ReadRepair, !rr))} /><span>{"Read repair"}</span></label>
                            <label class="toggle"><span>{"Anti-entropy"}</span>
                                <select aria-label="Anti-entropy interval" onchange={on_ae}>
                                    { for ae_opts.iter().map(|v| html!{ <option value={v.to_string()} selected={*v == c.ae_ms}>{ if *v == 0 { "off".to_string() } else { format!("every {v} ms") } }</option> }) }
                                </select>
                            </label>
                        </div>
                    </div>
                }
            }
        }
    }

    fn fault_bar(&self, ctx: &Context<Self>) -> Html {
        let link = ctx.link();
        let w = self.world();
        let reg = &w.proto;
        let clients = (0..reg.config.n_clients).map(|c| {
            let busy = self.client_busy(c);
            html! {
                <span class="client-ops" role="group" aria-label={format!("C{} operations", c + 1)}>
                    <b>{format!("C{}", c + 1)}</b>
                    <button disabled={busy} onclick={link.callback(move |_| Msg::ClientOp { c, write: false, via: None })}
                        aria-label={format!("C{} read", c + 1)} title={if c == 0 { "Q" } else if c == 1 { "Shift+Q" } else { "" }}>{"Read"}</button>
                    <button disabled={busy} onclick={link.callback(move |_| Msg::ClientOp { c, write: true, via: None })}
                        aria-label={format!("C{} write", c + 1)} title={if c == 0 { "W" } else if c == 1 { "Shift+W" } else { "" }}>{"Write"}</button>
                </span>
            }
        });
        let split = self.split_input();
        html! {
            <div class="fault-bar" role="group" aria-label="Faults and requests">
                {for clients}
                <span class="sep" aria-hidden="true" />
                <button onclick={link.callback(move |_| Msg::Inject(split.clone()))} title="P" aria-label="Split minority | majority">{self.split_label()}</button>
                <button onclick={link.callback(|_| Msg::Inject(Input::Heal))} disabled={!w.net.is_partitioned()} title="H">{"Heal network"}</button>
                <span class="hint">{"Click a replica to isolate, crash or skew it; a client to send through another replica."}</span>
            </div>
        }
    }

    fn history_view(&self, ctx: &Context<Self>, hist: &LabHistory) -> Html {
        let link = ctx.link();
        let w = self.world();
        let selected = self.focus_op.and_then(|r| hist.refs.iter().position(|x| *x == r));
        let name = format!("dsviz-{}-{}-{}-step{}", self.kind.id(), self.scenario().id, self.config.mode.as_str(), self.tl.cursor());
        let title = if self.compare { format!("History: {}", mode_name(self.config.mode)) } else { "History".to_string() };
        let main = html! {
            <HistoryPanel key="main" title={AttrValue::from(title)} ops={Rc::new(hist.ops.clone())} history={Rc::new(hist.history.clone())}
                lanes={Rc::new(hist.lanes.clone())} now={w.now.max(self.view_us as u64)} export_name={AttrValue::from(name)}
                selected={selected} on_select={link.callback(Msg::SelectOp)} />
        };
        let other = match (&self.shadow, self.compare) {
            (Some(sh), true) => {
                let sw = sh.tl.world();
                let h = lab_history(sw);
                let m = sw.proto.config.mode;
                let name = format!("dsviz-{}-{}-{}-compare", self.kind.id(), self.scenario().id, m.as_str());
                html! {
                    <HistoryPanel key="other" title={AttrValue::from(format!("History: {}", mode_name(m)))} ops={Rc::new(h.ops)} history={Rc::new(h.history)}
                        lanes={Rc::new(h.lanes)} now={sw.now.max(self.view_us as u64)} export_name={AttrValue::from(name)} import={false} />
                }
            }
            _ => html! {},
        };
        // CP first, as in the comparison above.
        if self.compare && self.config.mode == Mode::Ap {
            html! { <div class="histories">{other}{main}</div> }
        } else {
            html! { <div class="histories">{main}{other}</div> }
        }
    }

}

#[cfg(test)]
mod tests {
    use super::*;
    use dsviz_sim::labs::register::Side;

    fn run(kind: LabKind, mode: Mode, split_at_us: TimeUs, until_us: TimeUs) -> World<Register> {
        let sc = sandbox(kind);
        let config = RegisterConfig { mode, ..sc.proto.config.clone() };
        let reg = Register::new(config.clone());
        let k = (reg.n_replicas() - reg.majority()) as u8;
        let mut side: Vec<NodeId> = (0..k).map(NodeId).collect();
        side.push(reg.client_node(0));
        let (tl, _) = replay(&sc, &config, sc.seed, &[(split_at_us, Input::Partition(vec![side]))], shape(&config), until_us);
        tl.world().clone()
    }

    #[test]
    fn sandbox_minority_refuses_in_cp_and_reads_stale_in_ap() {
        let cp = counters(&run(LabKind::Cap, Mode::Cp, 300_000, 2_000_000));
        assert!(cp.minority.refused > 0, "{cp:?}");
        assert_eq!(cp.minority.served(), 0, "{cp:?}");
        assert_eq!(cp.total().stale_reads, 0, "{cp:?}");
        let ap = counters(&run(LabKind::Cap, Mode::Ap, 300_000, 2_000_000));
        assert_eq!(ap.minority.refused, 0, "{ap:?}");
        assert!(ap.minority.stale_reads > 0, "{ap:?}");
        assert!(ap.side(Side::Majority).served() > 0);
    }

    #[test]
    fn the_page_checker_gives_a_verdict_on_full_lab_histories() {
        use crate::components::history::CHECK_STATES;
        use dsviz_sim::check::{check, CheckConfig, History, Verdict};
        for (mode, clients) in [(Mode::Cp, 4u8), (Mode::Ap, 4), (Mode::Ap, 2)] {
            let sc = sandbox(LabKind::Cap);
            let config = RegisterConfig { mode, n_clients: clients, auto_ms: 20, ..sc.proto.config.clone() };
            let part = Input::Partition(vec![vec![NodeId(0), NodeId(1), NodeId(5)]]);
            let (tl, _) = replay(&sc, &config, 5, &[(400_000, part), (3_000_000, Input::Heal)], shape(&config), 8_000_000);
            let h = super::view::lab_history(tl.world());
            let t0 = std::time::Instant::now();
            let r = check(&History::new(h.history.clone()), &CheckConfig { max_states: CHECK_STATES });
            eprintln!("{mode:?} {clients} clients: {} ops, {:?}, {:?}", h.history.len(), t0.elapsed(), std::mem::discriminant(&r.linearizable));
            assert!(!matches!(r.linearizable, Verdict::Unknown { .. }), "{mode:?}: {:?}", r.linearizable);
            assert_eq!(matches!(r.linearizable, Verdict::Linearizable { .. }), mode == Mode::Cp);
        }
    }

    #[test]
    fn inputs_follow_nodes_to_a_run_of_another_shape() {
        let (from, to) = ((3, 2), (5, 2));
        let c1 = NodeId(3);
        let moved = remap_input(&Input::Command(Who::Id(c1), Cmd::Write { value: 1, via: Some(NodeId(2)) }), from, to);
        assert_eq!(moved, Some(Input::Command(Who::Id(NodeId(5)), Cmd::Write { value: 1, via: Some(NodeId(2)) })));
        assert_eq!(remap_input(&Input::Crash(Who::Id(NodeId(4))), (5, 2), (3, 2)), None, "R5 is gone");
        assert_eq!(remap_input(&Input::Crash(Who::Id(NodeId(6))), (5, 2), (3, 2)), Some(Input::Crash(Who::Id(NodeId(4)))), "C2 moves");
        assert_eq!(
            remap_input(&Input::Partition(vec![vec![NodeId(0), NodeId(4), NodeId(5)]]), (5, 2), (3, 2)),
            Some(Input::Partition(vec![vec![NodeId(0), NodeId(3)]]))
        );
        assert_eq!(remap_input(&Input::Drop(7), from, to), None);
    }

    #[test]
    fn every_scenario_of_both_labs_loads_and_replays_with_its_script() {
        for kind in [LabKind::Cap, LabKind::Quorum] {
            for sc in kind.scenarios() {
                // A run of a different shape still accepts the script.
                let config = RegisterConfig { n_replicas: 7, skew_ms: vec![0; 7], ..sc.proto.config.clone() }.clamped();
                let (tl, _) = replay(&sc, &config, sc.seed, &[], shape(&sc.proto.config), 500_000);
                assert!(tl.cursor() > 0 || sc.script.is_empty(), "{} did nothing", sc.id);
            }
        }
    }

    #[test]
    fn replay_reproduces_a_run_with_its_injections() {
        let sc = sandbox(LabKind::Cap);
        let config = sc.proto.config.clone();
        let mut tl = Timeline::new(World::new(Register::new(config.clone()), 3, vec![]));
        let _ = tl.run_until(200_000, MAX_STEPS);
        tl.inject(Input::Isolate(Who::Id(NodeId(0)))).unwrap();
        let _ = tl.run_until(600_000, MAX_STEPS);
        let timed = timed_injections(&tl);
        let (again, skipped) = replay(&sc, &config, 3, &timed, shape(&config), tl.world().now);
        assert_eq!(skipped, 0);
        assert_eq!(counters(again.world()), counters(tl.world()));
        assert_eq!(again.world().now, tl.world().now);
    }
}
