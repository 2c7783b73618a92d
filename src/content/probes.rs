//! Probes: named functions that play a lab's run on from a paused state
//! and report what really happens, as one short string. A prediction
//! names a probe; grading compares the learner's choice with the probe's
//! answer, so the simulation itself is the answer key.
//!
//! Adding a probe to a lab that has probes: write one function
//! `fn(&mut Run<Protocol>, Option<ProbeArg>) -> Result<String, String>`
//! and add one row to [`PROBES`]. Adding a lab whose protocol already has
//! probes (the CAP and Quorum labs share the register protocol): name it
//! in the rows' `labs`. Adding a protocol: one [`Runner`] variant and one
//! arm in [`run_on`] (plus its arm in [`super::labs`]).
//!
//! Every probe run is bounded: by the prediction's `run-until`, and by
//! [`MAX_PROBE_STEPS`] whatever the bound says.

use super::labs::{self, LabRun};
use super::model::{Prediction, ProbeArg, ProbeCall, RunUntil};
use dsviz_sim::history::OpKind;
use dsviz_sim::history::Value;
use dsviz_sim::kernel::{NodeId, Note, Protocol, StepRecord, Timeline, World};
use dsviz_sim::labs::raft::{scenarios, Raft, RaftNode, RaftNote, VoteRefusal, What};
use dsviz_sim::labs::register::{OpRecord, Outcome, RegNode, Register};

/// The most steps one probe plays, whatever its bound.
pub const MAX_PROBE_STEPS: u64 = 50_000;

/// What argument a probe takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ArgKind {
    None,
    /// A Raft server, written `S1`…`S9`.
    Server,
    /// A 1-based log index.
    Index,
    /// A client value.
    Value,
    /// A register replica, written `R1`…`R9`.
    Replica,
    /// A register client, written `C1`…`C9`.
    Client,
}

/// A probe as the UI and authors see it.
#[derive(Clone, Copy, Debug)]
pub struct ProbeInfo {
    pub name: &'static str,
    /// The labs whose runs it can probe.
    pub labs: &'static [&'static str],
    pub arg: ArgKind,
    /// What it finds, in a sentence.
    pub about: &'static str,
    /// How it spells its outcomes (what options must look like).
    pub outcomes: &'static str,
}

type Probed<P> = fn(&mut Run<P>, Option<ProbeArg>) -> Result<String, String>;

/// A probe function, by the protocol it reads.
#[derive(Clone, Copy)]
pub enum Runner {
    Raft(Probed<Raft>),
    Register(Probed<Register>),
}

pub struct Probe {
    pub info: ProbeInfo,
    pub run: Runner,
}

const RAFT: &[&str] = &["raft"];
const REGISTER: &[&str] = &["cap", "quorum"];

const fn raft(name: &'static str, arg: ArgKind, about: &'static str, outcomes: &'static str, f: Probed<Raft>) -> Probe {
    Probe { info: ProbeInfo { name, labs: RAFT, arg, about, outcomes }, run: Runner::Raft(f) }
}

const fn register(name: &'static str, arg: ArgKind, about: &'static str, outcomes: &'static str, f: Probed<Register>) -> Probe {
    Probe { info: ProbeInfo { name, labs: REGISTER, arg, about, outcomes }, run: Runner::Register(f) }
}

/// Every probe, by lab.
pub static PROBES: &[Probe] = &[
    raft("next-leader", ArgKind::None, "The first server to win an election after the paused step.", "S1…S9, or none", next_leader),
    raft("next-leader-term", ArgKind::None, "The term of the first election won after the paused step.", "a term number, or none", next_leader_term),
    raft("leader-at-end", ArgKind::None, "The leader (highest term, up) when the bound is reached.", "S1…S9, or none", leader_at_end),
    raft(
        "first-violation",
        ArgKind::None,
        "The first safety invariant broken after the paused step.",
        "Election Safety, Leader Append-Only, Log Matching, Leader Completeness, State Machine Safety, or none",
        first_violation::<Raft>,
    ),
    raft(
        "applied-at",
        ArgKind::Index,
        "The values servers apply at a log index, in the order first applied, up to the bound.",
        "a value (7), values in order (2 then 3), or none",
        applied_at,
    ),
    raft(
        "index-of-value",
        ArgKind::Value,
        "Where a client value is first applied (committed), up to the bound.",
        "index N, or never",
        index_of_value,
    ),
    raft("log-of", ArgKind::Server, "A server's log values when the bound is reached.", "values separated by spaces (21 22 23), or empty", log_of),
    raft("role-of", ArgKind::Server, "A server's role when the bound is reached.", "leader, candidate, follower, or down", role_of),
    raft(
        "next-vote-by",
        ArgKind::Server,
        "A server's next answer to a vote request after the paused step.",
        "grants S2 | refuses S2 (already voted for S1) | refuses S2 (log behind) | refuses S2 (stale term) | none",
        next_vote_by,
    ),
    register(
        "first-violation",
        ArgKind::None,
        "The first invariant broken after the paused step.",
        "an invariant's name as the lab lists it (No stale reads, No lost writes, Quorum overlap, ...), or none",
        first_violation::<Register>,
    ),
    register(
        "next-read-by",
        ArgKind::Client,
        "What a client's next read to finish after the paused step returns.",
        "a value (2), siblings (1 and 2), empty, refused, no answer, or none",
        next_read_by,
    ),
    register(
        "next-outcome-of",
        ArgKind::Client,
        "How a client's next operation to finish after the paused step ends.",
        "ok, refused, failed, no answer, or none",
        next_outcome_of,
    ),
    register(
        "next-latency-of",
        ArgKind::Client,
        "How long a client's next successful operation after the paused step takes, in whole ms.",
        "N ms, or none",
        next_latency_of,
    ),
    register(
        "values-at",
        ArgKind::Replica,
        "What a replica holds when the bound is reached.",
        "a value (1), siblings (1 and 2), or empty",
        values_at,
    ),
];

/// The probe called `name` for `lab`.
pub fn probe(lab: &str, name: &str) -> Option<&'static Probe> {
    PROBES.iter().find(|p| p.info.name == name && p.info.labs.contains(&lab))
}

/// `S3`, `R2` or `C1` with its number in 1..=9, as a 0-based index.
fn numbered(a: &str, prefix: char, what: &str) -> Result<u8, String> {
    let n = a.strip_prefix(prefix).and_then(|n| n.parse::<u8>().ok()).filter(|n| (1..=9).contains(n));
    n.map(|n| n - 1).ok_or_else(|| format!("'{a}' is not a {what} ({prefix}1…{prefix}9)"))
}

/// Parses `name [arg]`, checking the probe exists for `lab` and the
/// argument has the probe's kind.
pub fn parse_call(lab: &str, text: &str) -> Result<ProbeCall, String> {
    let mut words = text.split_whitespace();
    let name = words.next().ok_or("empty probe")?;
    let arg_text = words.next();
    if words.next().is_some() {
        return Err(format!("probe '{text}': one argument at most"));
    }
    let p = probe(lab, name).ok_or_else(|| match PROBES.iter().find(|p| p.info.name == name) {
        Some(other) => format!("probe '{name}' belongs to the {} lab, not {lab}", other.info.labs.join(" and ")),
        None => {
            let names: Vec<&str> = PROBES.iter().filter(|p| p.info.labs.contains(&lab)).map(|p| p.info.name).collect();
            format!("unknown probe '{name}' (the {lab} lab has: {})", names.join(", "))
        }
    })?;
    let arg = match (p.info.arg, arg_text) {
        (ArgKind::None, None) => None,
        (ArgKind::None, Some(a)) => return Err(format!("probe '{name}' takes no argument, got '{a}'")),
        (_, None) => return Err(format!("probe '{name}' needs an argument ({:?})", p.info.arg)),
        (ArgKind::Server, Some(a)) => Some(ProbeArg::Server(numbered(a, 'S', "server")?)),
        (ArgKind::Replica, Some(a)) => Some(ProbeArg::Replica(numbered(a, 'R', "replica")?)),
        (ArgKind::Client, Some(a)) => Some(ProbeArg::Client(numbered(a, 'C', "client")?)),
        (ArgKind::Index, Some(a)) => {
            Some(ProbeArg::Index(a.parse::<u64>().ok().filter(|i| *i >= 1).ok_or_else(|| format!("'{a}' is not a log index (1, 2, …)"))?))
        }
        (ArgKind::Value, Some(a)) => Some(ProbeArg::Value(a.parse::<u32>().map_err(|_| format!("'{a}' is not a value"))?)),
    };
    Ok(ProbeCall { name: name.to_string(), arg })
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
    match p.run_until {
        RunUntil::Step(s) if s <= p.at_step => return Err(format!("run-until step {s} is not after at-step {}", p.at_step)),
        RunUntil::TimeMs(t) if t.saturating_mul(1000) < run.now_us() => {
            return Err(format!("run-until time {t}ms is before the paused step's time {} µs", run.now_us()))
        }
        _ => {}
    }
    run_on(&p.probe, run, p.run_until)
}

/// Grades a learner's choice against the simulation.
pub fn grade(p: &Prediction, choice: &str) -> Result<Grade, String> {
    let actual = outcome(p)?;
    Ok(Grade { correct: actual == choice, actual })
}

/// Runs a probe on a lab's run positioned anywhere (the UI may pass the
/// learner's own branched run). The run is consumed.
pub fn run_on(call: &ProbeCall, run: LabRun, until: RunUntil) -> Result<String, String> {
    let same_protocol = |p: &&Probe| matches!((p.run, &run), (Runner::Raft(_), LabRun::Raft(_)) | (Runner::Register(_), LabRun::Register(_)));
    let p = PROBES.iter().filter(same_protocol).find(|p| p.info.name == call.name).ok_or_else(|| format!("no probe '{}' for this lab", call.name))?;
    match (p.run, run) {
        (Runner::Raft(f), LabRun::Raft(tl)) => f(&mut Run::new(tl, until), call.arg),
        (Runner::Register(f), LabRun::Register(tl)) => f(&mut Run::new(tl, until), call.arg),
        _ => Err("probe and lab do not match".into()),
    }
}

/// Runs a Raft probe from a timeline's cursor without touching it: the
/// UI's entry point for "what happens next from here".
pub fn run_raft(call: &ProbeCall, tl: &Timeline<Raft>, until: RunUntil) -> Result<String, String> {
    run_on(call, LabRun::Raft(tl.clone()), until)
}

/// Runs a CAP or Quorum lab probe from a timeline's cursor without touching it.
pub fn run_register(call: &ProbeCall, tl: &Timeline<Register>, until: RunUntil) -> Result<String, String> {
    run_on(call, LabRun::Register(tl.clone()), until)
}

/// A run being played on by a probe, never past its bound.
pub struct Run<P: Protocol> {
    tl: Timeline<P>,
    until: RunUntil,
    taken: u64,
}

impl<P: Protocol> Run<P> {
    pub fn new(tl: Timeline<P>, until: RunUntil) -> Run<P> {
        Run { tl, until, taken: 0 }
    }

    pub fn world(&self) -> &World<P> {
        self.tl.world()
    }

    /// The next step, or `None` at the bound or when nothing is left to happen.
    pub fn step(&mut self) -> Option<StepRecord<P::Note>> {
        if self.taken >= MAX_PROBE_STEPS {
            return None;
        }
        let rec = match self.until {
            RunUntil::Step(s) => {
                if self.tl.cursor() >= s {
                    return None;
                }
                self.tl.forward().ok()?.clone()
            }
            RunUntil::TimeMs(t) => match self.tl.run_until(t.saturating_mul(1000), 1) {
                Ok(1) => self.tl.records().get((self.tl.cursor() - 1) as usize)?.clone(),
                _ => return None,
            },
        };
        self.taken += 1;
        Some(rec)
    }

    /// Plays on to the bound.
    pub fn finish(&mut self) {
        while self.step().is_some() {}
    }
}

fn name(id: NodeId) -> String {
    format!("S{}", id.0 + 1)
}

fn raft_note(r: &StepRecord<RaftNote>) -> Option<&RaftNote> {
    match &r.note {
        Note::Proto(n) | Note::Restarted(_, n) => Some(n),
        _ => None,
    }
}

fn server_arg(run: &Run<Raft>, arg: Option<ProbeArg>) -> Result<NodeId, String> {
    match arg {
        Some(ProbeArg::Server(s)) if (s as usize) < run.world().proto.n_servers() => Ok(NodeId(s)),
        Some(ProbeArg::Server(s)) => Err(format!("S{} does not exist in this run", s + 1)),
        _ => Err("this probe needs a server".into()),
    }
}

fn next_leader(run: &mut Run<Raft>, _: Option<ProbeArg>) -> Result<String, String> {
    while let Some(r) = run.step() {
        if let Some(RaftNote { node, what: What::BecameLeader { .. }, .. }) = raft_note(&r) {
            return Ok(name(*node));
        }
    }
    Ok("none".into())
}

fn next_leader_term(run: &mut Run<Raft>, _: Option<ProbeArg>) -> Result<String, String> {
    while let Some(r) = run.step() {
        if let Some(RaftNote { what: What::BecameLeader { term, .. }, .. }) = raft_note(&r) {
            return Ok(term.to_string());
        }
    }
    Ok("none".into())
}

fn leader_at_end(run: &mut Run<Raft>, _: Option<ProbeArg>) -> Result<String, String> {
    run.finish();
    Ok(scenarios::leader(run.world()).map(|(id, _)| name(id)).unwrap_or_else(|| "none".into()))
}

fn first_violation<P: Protocol>(run: &mut Run<P>, _: Option<ProbeArg>) -> Result<String, String> {
    let before = run.world().violations.len();
    while run.step().is_some() {
        if let Some(v) = run.world().violations.get(before) {
            return Ok(v.invariant.to_string());
        }
    }
    Ok("none".into())
}

/// Values applied at `idx` by any server right now.
fn applied_now(w: &World<Raft>, idx: u64) -> impl Iterator<Item = u32> + '_ {
    w.nodes
        .iter()
        .filter_map(RaftNode::server)
        .filter(move |s| s.commit >= idx && s.log.len() as u64 >= idx)
        .map(move |s| s.log[idx as usize - 1].value)
}

fn applied_at(run: &mut Run<Raft>, arg: Option<ProbeArg>) -> Result<String, String> {
    let Some(ProbeArg::Index(idx)) = arg else { return Err("applied-at needs an index".into()) };
    let mut seen: Vec<u32> = Vec::new();
    loop {
        for v in applied_now(run.world(), idx) {
            if !seen.contains(&v) {
                seen.push(v);
            }
        }
        if run.step().is_none() {
            break;
        }
    }
    if seen.is_empty() {
        return Ok("none".into());
    }
    Ok(seen.iter().map(|v| v.to_string()).collect::<Vec<_>>().join(" then "))
}

fn index_of_value(run: &mut Run<Raft>, arg: Option<ProbeArg>) -> Result<String, String> {
    let Some(ProbeArg::Value(value)) = arg else { return Err("index-of-value needs a value".into()) };
    loop {
        let w = run.world();
        let found = w
            .nodes
            .iter()
            .filter_map(RaftNode::server)
            .flat_map(|s| s.log.iter().take(s.commit as usize).enumerate())
            .filter(|(_, e)| e.value == value)
            .map(|(i, _)| i as u64 + 1)
            .min();
        if let Some(i) = found {
            return Ok(format!("index {i}"));
        }
        if run.step().is_none() {
            return Ok("never".into());
        }
    }
}

fn log_of(run: &mut Run<Raft>, arg: Option<ProbeArg>) -> Result<String, String> {
    let id = server_arg(run, arg)?;
    run.finish();
    let s = run.world().nodes[id.idx()].server().ok_or("not a server")?;
    if s.log.is_empty() {
        return Ok("empty".into());
    }
    Ok(s.log.iter().map(|e| e.value.to_string()).collect::<Vec<_>>().join(" "))
}

fn role_of(run: &mut Run<Raft>, arg: Option<ProbeArg>) -> Result<String, String> {
    let id = server_arg(run, arg)?;
    run.finish();
    let w = run.world();
    if !w.is_up(id) {
        return Ok("down".into());
    }
    Ok(w.nodes[id.idx()].server().ok_or("not a server")?.role.to_string())
}

fn next_vote_by(run: &mut Run<Raft>, arg: Option<ProbeArg>) -> Result<String, String> {
    let id = server_arg(run, arg)?;
    while let Some(r) = run.step() {
        let Some(n) = raft_note(&r) else { continue };
        if n.node != id {
            continue;
        }
        match &n.what {
            What::VoteGranted { candidate, .. } => return Ok(format!("grants {}", name(*candidate))),
            What::VoteRefused { candidate, why, .. } => {
                let why = match why {
                    VoteRefusal::AlreadyVoted(v) => format!("already voted for {}", name(*v)),
                    VoteRefusal::LogBehind => "log behind".into(),
                    VoteRefusal::StaleTerm => "stale term".into(),
                };
                return Ok(format!("refuses {} ({why})", name(*candidate)));
            }
            _ => {}
        }
    }
    Ok("none".into())
}

// ---- The register protocol (CAP and Quorum labs) ----------------------------

/// A register's values as learners see them: `1`, `1 and 2` (siblings), or `empty`.
fn spell_values(mut v: Vec<Value>) -> String {
    if v.is_empty() {
        return "empty".into();
    }
    v.sort();
    v.iter().map(|x| x.to_string()).collect::<Vec<_>>().join(" and ")
}

fn client_arg(run: &Run<Register>, arg: Option<ProbeArg>) -> Result<usize, String> {
    match arg {
        Some(ProbeArg::Client(c)) => {
            let node = run.world().proto.client_node(c);
            run.world()
                .nodes
                .get(node.idx())
                .and_then(RegNode::client)
                .map(|_| node.idx())
                .ok_or_else(|| format!("C{} does not exist in this run", c + 1))
        }
        _ => Err("this probe needs a client".into()),
    }
}

fn ops_of(w: &World<Register>, node: usize) -> &[OpRecord] {
    w.nodes.get(node).and_then(RegNode::client).map(|c| c.ops.as_slice()).unwrap_or(&[])
}

/// Plays on until one of the client's operations that was not finished
/// at the paused step finishes and `pick` accepts it; returns what `pick` made of it.
fn next_finished(run: &mut Run<Register>, node: usize, pick: impl Fn(&OpRecord) -> Option<String>) -> Result<String, String> {
    let done_before: Vec<u32> = ops_of(run.world(), node).iter().filter(|o| o.outcome != Outcome::Pending).map(|o| o.idx).collect();
    while run.step().is_some() {
        let found = ops_of(run.world(), node).iter().filter(|o| o.outcome != Outcome::Pending && !done_before.contains(&o.idx)).find_map(&pick);
        if let Some(s) = found {
            return Ok(s);
        }
    }
    Ok("none".into())
}

fn spell_outcome(o: Outcome) -> &'static str {
    match o {
        Outcome::Ok => "ok",
        Outcome::Unavailable => "refused",
        Outcome::Failed => "failed",
        Outcome::NoAnswer | Outcome::Pending => "no answer",
    }
}

fn next_read_by(run: &mut Run<Register>, arg: Option<ProbeArg>) -> Result<String, String> {
    let node = client_arg(run, arg)?;
    next_finished(run, node, |o| {
        (o.kind == OpKind::Read).then(|| match o.outcome {
            Outcome::Ok => spell_values(o.read.iter().map(|v| v.value).collect()),
            other => spell_outcome(other).to_string(),
        })
    })
}

fn next_outcome_of(run: &mut Run<Register>, arg: Option<ProbeArg>) -> Result<String, String> {
    let node = client_arg(run, arg)?;
    next_finished(run, node, |o| Some(spell_outcome(o.outcome).to_string()))
}

fn next_latency_of(run: &mut Run<Register>, arg: Option<ProbeArg>) -> Result<String, String> {
    let node = client_arg(run, arg)?;
    next_finished(run, node, |o| o.ok_at().and(o.latency_us()).map(|us| format!("{} ms", us / 1000)))
}

fn values_at(run: &mut Run<Register>, arg: Option<ProbeArg>) -> Result<String, String> {
    let Some(ProbeArg::Replica(i)) = arg else { return Err("values-at needs a replica".into()) };
    if i as usize >= run.world().proto.n_replicas() {
        return Err(format!("R{} does not exist in this run", i + 1));
    }
    run.finish();
    let r = run.world().nodes[i as usize].replica().ok_or("not a replica")?;
    Ok(spell_values(r.versions.iter().map(|v| v.value).collect()))
}
