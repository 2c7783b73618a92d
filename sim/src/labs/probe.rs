//! Probes: named functions that play a lab's run on from a paused state
//! and report what really happens, as one short string. A prediction in
//! the question bank names a probe; grading compares the learner's choice
//! with the probe's answer, so the simulation itself is the answer key.
//!
//! A lab lists its probes in its description ([`super::Lab::probes`]); a
//! probe is one function over a [`ProbeRun`] of that lab's protocol. Every
//! probe run is bounded: by the prediction's [`RunUntil`], and by
//! [`MAX_PROBE_STEPS`] whatever that says.

use crate::kernel::{Protocol, StepRecord, Timeline, World};
use std::fmt;

/// The most steps one probe plays, whatever its bound.
pub const MAX_PROBE_STEPS: u64 = 50_000;

/// When a probe stops looking: at an absolute step of the run, or once
/// virtual time would pass an absolute time. Probes that wait for an
/// event (the next leader, the first violation) also stop when it happens.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RunUntil {
    Step(u64),
    TimeMs(u64),
}

impl fmt::Display for RunUntil {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RunUntil::Step(s) => write!(f, "step {s}"),
            RunUntil::TimeMs(t) => write!(f, "time {t}ms"),
        }
    }
}

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

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProbeArg {
    /// A server, 0-based (`S1` is 0).
    Server(u8),
    /// A log index, 1-based.
    Index(u64),
    /// A client value.
    Value(u32),
    /// A register replica, 0-based (`R1` is 0).
    Replica(u8),
    /// A register client, 0-based (`C1` is 0).
    Client(u8),
}

/// A named probe and its argument, e.g. `applied-at 2` or `log-of S1`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProbeCall {
    pub name: String,
    pub arg: Option<ProbeArg>,
}

impl fmt::Display for ProbeCall {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name)?;
        match self.arg {
            None => Ok(()),
            Some(ProbeArg::Server(s)) => write!(f, " S{}", s + 1),
            Some(ProbeArg::Index(i)) => write!(f, " {i}"),
            Some(ProbeArg::Value(v)) => write!(f, " {v}"),
            Some(ProbeArg::Replica(r)) => write!(f, " R{}", r + 1),
            Some(ProbeArg::Client(c)) => write!(f, " C{}", c + 1),
        }
    }
}

/// A probe as the UI and authors see it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ProbeInfo {
    pub name: &'static str,
    pub arg: ArgKind,
    /// What it finds, in a sentence.
    pub about: &'static str,
    /// How it spells its outcomes (what options must look like).
    pub outcomes: &'static str,
}

/// A probe of protocol `P`: its description and its function.
pub struct Probe<P: Protocol> {
    pub info: ProbeInfo,
    pub run: fn(&mut ProbeRun<P>, Option<ProbeArg>) -> Result<String, String>,
}

impl<P: Protocol> Probe<P> {
    pub const fn new(
        name: &'static str,
        arg: ArgKind,
        about: &'static str,
        outcomes: &'static str,
        run: fn(&mut ProbeRun<P>, Option<ProbeArg>) -> Result<String, String>,
    ) -> Probe<P> {
        Probe {
            info: ProbeInfo {
                name,
                arg,
                about,
                outcomes,
            },
            run,
        }
    }
}

/// `S3`, `R2` or `C1` with its number in 1..=9, as a 0-based index.
fn numbered(a: &str, prefix: char, what: &str) -> Result<u8, String> {
    let n = a
        .strip_prefix(prefix)
        .and_then(|n| n.parse::<u8>().ok())
        .filter(|n| (1..=9).contains(n));
    n.map(|n| n - 1)
        .ok_or_else(|| format!("'{a}' is not a {what} ({prefix}1…{prefix}9)"))
}

/// Parses `name [arg]` against `probes` (one lab's), checking the
/// argument has the probe's kind. `None` if no probe has that name.
pub fn parse_call(probes: &[ProbeInfo], text: &str) -> Option<Result<ProbeCall, String>> {
    let mut words = text.split_whitespace();
    let name = words.next()?;
    let p = probes.iter().find(|p| p.name == name)?;
    let arg_text = words.next();
    if words.next().is_some() {
        return Some(Err(format!("probe '{text}': one argument at most")));
    }
    let arg = match (p.arg, arg_text) {
        (ArgKind::None, None) => Ok(None),
        (ArgKind::None, Some(a)) => Err(format!("probe '{name}' takes no argument, got '{a}'")),
        (_, None) => Err(format!("probe '{name}' needs an argument ({:?})", p.arg)),
        (ArgKind::Server, Some(a)) => numbered(a, 'S', "server").map(|s| Some(ProbeArg::Server(s))),
        (ArgKind::Replica, Some(a)) => {
            numbered(a, 'R', "replica").map(|s| Some(ProbeArg::Replica(s)))
        }
        (ArgKind::Client, Some(a)) => numbered(a, 'C', "client").map(|s| Some(ProbeArg::Client(s))),
        (ArgKind::Index, Some(a)) => a
            .parse::<u64>()
            .ok()
            .filter(|i| *i >= 1)
            .map(|i| Some(ProbeArg::Index(i)))
            .ok_or_else(|| format!("'{a}' is not a log index (1, 2, …)")),
        (ArgKind::Value, Some(a)) => a
            .parse::<u32>()
            .map(|v| Some(ProbeArg::Value(v)))
            .map_err(|_| format!("'{a}' is not a value")),
    };
    Some(arg.map(|arg| ProbeCall {
        name: name.to_string(),
        arg,
    }))
}

/// A run being played on by a probe, never past its bound.
pub struct ProbeRun<P: Protocol> {
    tl: Timeline<P>,
    until: RunUntil,
    taken: u64,
}

impl<P: Protocol> ProbeRun<P> {
    pub fn new(tl: Timeline<P>, until: RunUntil) -> ProbeRun<P> {
        ProbeRun {
            tl,
            until,
            taken: 0,
        }
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
                Ok(1) => self
                    .tl
                    .records()
                    .get((self.tl.cursor() - 1) as usize)?
                    .clone(),
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

/// A probe every lab has: the first invariant broken after the paused step.
pub fn first_violation<P: Protocol>(
    run: &mut ProbeRun<P>,
    _: Option<ProbeArg>,
) -> Result<String, String> {
    let before = run.world().violations.len();
    while run.step().is_some() {
        if let Some(v) = run.world().violations.get(before) {
            return Ok(v.invariant.to_string());
        }
    }
    Ok("none".into())
}

/// What probe `text` of lab `L` finds in the run that link `pairs` open
/// (strictly: a bad link is an error), up to `until`. This is how a page
/// grades a prediction, and how the tests check every prediction's answer.
pub fn outcome_of<L: crate::labs::Lab>(
    pairs: &[(String, String)],
    text: &str,
    until: RunUntil,
) -> Result<String, String> {
    let infos: Vec<ProbeInfo> = L::probes().iter().map(|p| p.info).collect();
    let call =
        parse_call(&infos, text).unwrap_or_else(|| Err(format!("unknown probe '{text}'")))?;
    let run = crate::labs::Run::<L>::open_strict(pairs)?;
    run_probe(L::probes(), &call, &run.tl, until)
}

/// Runs `call` with the probes of one lab, from a timeline's cursor,
/// without touching the timeline.
pub fn run_probe<P: Protocol>(
    probes: &[Probe<P>],
    call: &ProbeCall,
    tl: &Timeline<P>,
    until: RunUntil,
) -> Result<String, String> {
    let p = probes
        .iter()
        .find(|p| p.info.name == call.name)
        .ok_or_else(|| format!("no probe '{}' for this lab", call.name))?;
    match until {
        RunUntil::Step(s) if s <= tl.cursor() => {
            return Err(format!(
                "run-until step {s} is not after the paused step {}",
                tl.cursor()
            ))
        }
        RunUntil::TimeMs(t) if t.saturating_mul(1000) < tl.world().now => {
            return Err(format!(
                "run-until time {t}ms is before the paused step's time {} µs",
                tl.world().now
            ))
        }
        _ => {}
    }
    (p.run)(&mut ProbeRun::new(tl.clone(), until), call.arg)
}
