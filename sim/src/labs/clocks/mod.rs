//! Clocks and causality: physical clocks, Lamport clocks, vector clocks,
//! hybrid logical clocks and TrueTime, all stamping the same run.
//!
//! **The run.** Two to eight processes (P1…Pn) do local events, send
//! messages to each other over the kernel's network (some are requests,
//! which the receiver answers at once), write to a small replicated
//! key-value store and run transactions, each driven by its own seeded
//! exponential timers. Every process has its own physical clock: the
//! kernel's clock with an offset and a drift per process, moved by clock
//! faults, plus an optional periodic NTP-style correction that sets the
//! clock to within an error bound of true time. Every event is recorded
//! once with every clock's stamp ([`event::Event`]), so the page can show
//! any clock without changing the run.
//!
//! **Lamport clocks** (Lamport, "Time, Clocks, and the Ordering of Events
//! in a Distributed System", CACM 1978). Each process keeps a counter; it
//! ticks at every event, and a receive first jumps past the message's
//! stamp. That is exactly what the *clock condition* needs: if `a → b`
//! (a happens before b: same process and earlier, or a send and its
//! receive, or a chain of those) then `L(a) < L(b)`. The converse fails:
//! two events that never heard of each other still get ordered numbers,
//! so a Lamport order, unlike causality, is arbitrary between concurrent
//! events. Drop the max at the receive and the condition breaks as soon
//! as a message comes from a process that has counted further.
//!
//! **Vector clocks** (Fidge 1988; Mattern, "Virtual Time and Global
//! States of Distributed Systems", 1989). Each process keeps one counter
//! per process; a receive takes the element-wise max with the message's
//! vector, then ticks its own entry. Then `V(a) < V(b)` exactly when
//! `a → b`: the vectors characterise causality, and incomparable vectors
//! mean concurrent events. Merging by overwriting instead of by max
//! forgets what a process heard from a third one, and both directions
//! fail. The cost is n counters in every message.
//!
//! **Hybrid logical clocks** (Kulkarni, Demirbas, Madappa, Avva and
//! Leone, "Logical Physical Clocks", OPODIS 2014). A stamp `(l, c)`:
//! `l` is the largest physical time the process has heard of, `c` a
//! counter that orders events sharing an `l`. The clock condition holds
//! as for Lamport clocks, while `l` stays within the clock offset `ε` of
//! the process's own physical clock (`l − pt ≤ ε`, the paper's Theorem
//! 2), and `c` stays bounded (`c < N·(ε + 1)` in clock ticks, Theorem 3,
//! assuming each process's clock ticks between two of its events; the
//! lab scales the bound by the most events a process had in one tick, so
//! it holds without that assumption). The paper's first, naive algorithm
//! pushes `l` one tick past the clock at every event instead of counting
//! in `c`; whenever events come faster than the clock ticks, `l` runs
//! away from physical time. The HLC reads its clock in whole ticks (a
//! parameter, 1 ms by default), and ε is measured: the widest spread of
//! `pt − true time` over the events recorded so far.
//!
//! **TrueTime** (Corbett et al., "Spanner: Google's Globally-Distributed
//! Database", OSDI 2012, §3 and §4.1.2). `TT.now()` returns an interval
//! `[earliest, latest] = [local − ε, local + ε]` that contains true time
//! as long as the clock is within ε of it. A transaction picks its
//! commit timestamp `s = TT.now().latest` and, with **commit wait**,
//! acknowledges only once `TT.now().earliest > s`: true time has then
//! certainly passed `s`, so a transaction that starts after the
//! acknowledgement (in real time) picks a larger `s`. That is external
//! consistency, bought with about `2ε` of waiting per commit (Spanner
//! reports ε between 1 and 7 ms). Without the wait, a transaction started
//! just after another's acknowledgement, on a clock a little behind, can
//! get a smaller timestamp. If a clock leaves its ε, TrueTime's promise
//! is broken and the wait proves nothing: the lab checks both.
//!
//! **Wall clocks and last-writer-wins.** The wall clock is no logical
//! clock: under skew a process can stamp a reply before the request it
//! answers. The lab records each such receive as an observation (not a
//! broken promise: nobody promised it) and narrates it. The key-value
//! store settles concurrent writes by last-writer-wins on a chosen clock
//! (wall, Lamport or HLC) or keeps them as siblings under version
//! vectors. With wall clocks under skew, LWW keeps a write over one that
//! causally follows it: the lost update the "no lost update" invariant
//! names. Lamport and HLC stamps never lose a causally later write
//! (they still drop one of two concurrent writes silently); version
//! vectors detect the concurrency and keep both.
//!
//! **Crashes.** Clocks and the store survive a crash (they are on disk:
//! a Lamport clock that restarted at zero would break its own clock
//! condition); a transaction in its commit wait is abandoned.
//!
//! **Bounds.** 2–8 processes, at most [`EVENTS_MAX`] events per process
//! (a full process takes no more part), [`TXNS_OPEN_MAX`] transactions
//! waiting per process, [`SIBLINGS_MAX`] siblings per key, [`KEYS_MAX`] keys.

pub mod check;
pub mod event;
pub mod experiment;
pub mod lab;
mod narrate;
pub mod probes;
mod process;
pub mod scenarios;
pub mod stamps;
#[cfg(test)]
mod tests;
pub mod trace;

pub use check::{ClocksChecker, Observation, WALL_CONTRADICTS_CAUSALITY as WALL};
pub use event::{concurrent, happens_before, Event, EventId, EventKind, KvEffect, Stamps};
pub use lab::ClocksLab;
pub use process::{Proc, Ts, Txn, Version};
pub use stamps::{Hlc, Lamport, TtInterval, VClock};

use crate::kernel::input::CommandCodec;
use crate::kernel::names::{self, NodeGroup};
use crate::kernel::world::MessageKind;
use crate::kernel::{
    Breach, CheckView, ClockSpec, Ctx, InvariantInfo, Marker, NetConfig, NodeId, TimeUs, World,
};
use serde::Serialize;

pub const N_PROCS_MIN: u8 = 2;
pub const N_PROCS_MAX: u8 = 8;
/// Events one process records at most; then it stops taking part.
pub const EVENTS_MAX: usize = 1_000;
/// Transactions one process may have waiting at once.
pub const TXNS_OPEN_MAX: usize = 16;
pub const KEYS_MAX: u8 = 4;
pub const SIBLINGS_MAX: usize = 8;
/// Workload gaps: 0 (off) or 10 ms to 60 s.
pub const GAP_MS_MIN: u64 = 10;
pub const GAP_MS_MAX: u64 = 60_000;
pub const LATENCY_US_MAX: u64 = 1_000_000;
pub const LOSS_MAX: f64 = 0.5;
/// A process's initial clock offset, either way.
pub const OFFSET_MS_MAX: i64 = 10_000;
pub const DRIFT_PPM_MAX: i64 = 100_000;
pub const SYNC_ERR_US_MAX: u64 = 1_000_000;
pub const TT_EPS_US_MAX: u64 = 1_000_000;
pub const HLC_TICK_US_MAX: u64 = 1_000_000;
/// A ping-pong exchange has at most this many round trips.
pub const ROUNDS_MAX: u32 = 1_000;

/// Which clock last-writer-wins compares, or version vectors.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Lww {
    Wall,
    Lamport,
    Hlc,
    /// No LWW: version vectors, siblings for concurrent writes.
    VersionVectors,
}

impl Lww {
    pub fn as_str(self) -> &'static str {
        match self {
            Lww::Wall => "wall",
            Lww::Lamport => "lamport",
            Lww::Hlc => "hlc",
            Lww::VersionVectors => "vv",
        }
    }
    pub fn parse(s: &str) -> Option<Lww> {
        Some(match s {
            "wall" => Lww::Wall,
            "lamport" => Lww::Lamport,
            "hlc" => Lww::Hlc,
            "vv" => Lww::VersionVectors,
            _ => return None,
        })
    }
}

/// Rules a learner may switch off; all on is the algorithms as published.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Safety {
    /// Lamport receive takes the max with the message's stamp.
    pub lamport_max: bool,
    /// Vector receive takes the element-wise max.
    pub vector_max: bool,
    /// HLC counts in `c` (off: the paper's naive algorithm).
    pub hlc_counter: bool,
    /// Transactions wait until `TT.now().earliest > s` before acknowledging.
    pub commit_wait: bool,
}

impl Default for Safety {
    fn default() -> Safety {
        Safety {
            lamport_max: true,
            vector_max: true,
            hlc_counter: true,
            commit_wait: true,
        }
    }
}

impl Safety {
    /// The rules switched off, by name.
    pub fn off(&self) -> Vec<&'static str> {
        [
            (!self.lamport_max).then_some("Lamport max on receive"),
            (!self.vector_max).then_some("vector element-wise max"),
            (!self.hlc_counter).then_some("HLC counter"),
            (!self.commit_wait).then_some("commit wait"),
        ]
        .into_iter()
        .flatten()
        .collect()
    }
}

/// The lab's parameters; [`ClocksConfig::clamped`] documents every range.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ClocksConfig {
    /// Processes, 2–8.
    pub n_procs: u8,
    /// Mean gap between a process's local events, ms: 0 (off) or 10–60,000.
    pub local_ms: u64,
    /// Mean gap between a process's sends, ms: 0 (off) or 10–60,000.
    pub send_ms: u64,
    /// Share of sends that are requests the receiver answers, 0–100 %.
    pub request_pct: u8,
    /// Mean gap between a process's writes, ms: 0 (off) or 10–60,000.
    pub write_ms: u64,
    /// Mean gap between a process's transactions, ms: 0 (off) or 10–60,000.
    pub txn_ms: u64,
    /// Keys of the store, 1–4.
    pub n_keys: u8,
    /// One-way latency range, 0–1,000,000 µs, min ≤ max.
    pub latency_us_min: u64,
    pub latency_us_max: u64,
    /// Chance a message is lost, or delivered twice, 0–0.5.
    pub loss: f64,
    pub duplicate: f64,
    /// Each process's initial clock offset, ms, within ±10,000 (one per process).
    pub offset_ms: Vec<i64>,
    /// Each process's clock drift, ppm, within ±100,000 (one per process).
    pub drift_ppm: Vec<i64>,
    /// NTP-style sync every this many ms: 0 (off) or 10–60,000.
    pub sync_ms: u64,
    /// A sync sets the clock to within this many µs of true time, 0–1,000,000.
    pub sync_err_us: u64,
    /// TrueTime's ε, µs, 0–1,000,000.
    pub tt_eps_us: u64,
    /// The HLC's clock tick, µs, 1–1,000,000.
    pub hlc_tick_us: u64,
    pub lww: Lww,
    pub safety: Safety,
}

impl Default for ClocksConfig {
    fn default() -> ClocksConfig {
        ClocksConfig {
            n_procs: 3,
            local_ms: 400,
            send_ms: 250,
            request_pct: 30,
            write_ms: 600,
            txn_ms: 800,
            n_keys: 2,
            latency_us_min: 5_000,
            latency_us_max: 20_000,
            loss: 0.0,
            duplicate: 0.0,
            offset_ms: vec![0; 3],
            drift_ppm: vec![0; 3],
            sync_ms: 0,
            sync_err_us: 1_000,
            tt_eps_us: 5_000,
            hlc_tick_us: 1_000,
            lww: Lww::Hlc,
            safety: Safety::default(),
        }
    }
}

fn gap(ms: u64) -> u64 {
    if ms == 0 {
        0
    } else {
        ms.clamp(GAP_MS_MIN, GAP_MS_MAX)
    }
}

fn unit(p: f64) -> f64 {
    if p.is_finite() {
        p.clamp(0.0, LOSS_MAX)
    } else {
        0.0
    }
}

impl ClocksConfig {
    /// The same configuration with every value forced into its range.
    pub fn clamped(mut self) -> ClocksConfig {
        self.n_procs = self.n_procs.clamp(N_PROCS_MIN, N_PROCS_MAX);
        self.local_ms = gap(self.local_ms);
        self.send_ms = gap(self.send_ms);
        self.request_pct = self.request_pct.min(100);
        self.write_ms = gap(self.write_ms);
        self.txn_ms = gap(self.txn_ms);
        self.n_keys = self.n_keys.clamp(1, KEYS_MAX);
        self.latency_us_max = self.latency_us_max.min(LATENCY_US_MAX);
        self.latency_us_min = self.latency_us_min.min(self.latency_us_max);
        self.loss = unit(self.loss);
        self.duplicate = unit(self.duplicate);
        let n = self.n_procs as usize;
        self.offset_ms.resize(n, 0);
        self.offset_ms
            .iter_mut()
            .for_each(|o| *o = (*o).clamp(-OFFSET_MS_MAX, OFFSET_MS_MAX));
        self.drift_ppm.resize(n, 0);
        self.drift_ppm
            .iter_mut()
            .for_each(|d| *d = (*d).clamp(-DRIFT_PPM_MAX, DRIFT_PPM_MAX));
        self.sync_ms = gap(self.sync_ms);
        self.sync_err_us = self.sync_err_us.min(SYNC_ERR_US_MAX);
        self.tt_eps_us = self.tt_eps_us.min(TT_EPS_US_MAX);
        self.hlc_tick_us = self.hlc_tick_us.clamp(1, HLC_TICK_US_MAX);
        self
    }
}

/// The clocks of a message, as the sender stamped its send.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MsgStamps {
    pub wall_us: i64,
    pub lamport: Lamport,
    pub vector: VClock,
    pub hlc: Hlc,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Msg {
    /// A message; a request (`rounds > 0`) is answered with a reply.
    Plain {
        send: EventId,
        stamps: MsgStamps,
        rounds: u32,
    },
    /// The answer to a request; with `rounds > 1` left, the requester asks again.
    Reply {
        send: EventId,
        stamps: MsgStamps,
        rounds: u32,
    },
    /// A write, replicated to every other process.
    Replicate {
        send: EventId,
        stamps: MsgStamps,
        key: u8,
        version: Version,
    },
}

impl Msg {
    pub fn send(&self) -> EventId {
        match self {
            Msg::Plain { send, .. } | Msg::Reply { send, .. } | Msg::Replicate { send, .. } => {
                *send
            }
        }
    }
    pub fn stamps(&self) -> &MsgStamps {
        match self {
            Msg::Plain { stamps, .. }
            | Msg::Reply { stamps, .. }
            | Msg::Replicate { stamps, .. } => stamps,
        }
    }
}

impl MessageKind for Msg {
    fn kind(&self) -> &'static str {
        match self {
            Msg::Plain { rounds: 0, .. } => "Message",
            Msg::Plain { .. } => "Request",
            Msg::Reply { .. } => "Reply",
            Msg::Replicate { .. } => "Replicate",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Timer {
    Local,
    Send,
    Write,
    Txn,
    Sync,
    /// A transaction's commit wait.
    CommitWait(u32),
}

/// Commands a learner or a scenario gives a process.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Cmd {
    Local,
    /// A one-way message to process `to` (0-based).
    Send {
        to: u8,
    },
    /// A request to `to`, answered at once; `rounds` round trips (1–1,000).
    Request {
        to: u8,
        rounds: u32,
    },
    /// Write `value` to `key`.
    Write {
        key: u8,
        value: u32,
    },
    /// Start a transaction.
    Commit,
}

impl CommandCodec for Cmd {
    /// `local`, `send-2`, `req-2` or `req-2-50`, `write-0-7`, `commit`.
    fn encode(&self) -> String {
        match self {
            Cmd::Local => "local".into(),
            Cmd::Send { to } => format!("send-{to}"),
            Cmd::Request { to, rounds: 1 } => format!("req-{to}"),
            Cmd::Request { to, rounds } => format!("req-{to}-{rounds}"),
            Cmd::Write { key, value } => format!("write-{key}-{value}"),
            Cmd::Commit => "commit".into(),
        }
    }
    fn parse(s: &str) -> Result<Cmd, String> {
        let parts: Vec<&str> = s.split('-').collect();
        let num = |t: &str, max: u64| {
            t.parse::<u64>()
                .ok()
                .filter(|v| *v <= max)
                .ok_or_else(|| format!("'{s}': bad number '{t}'"))
        };
        let proc_of = |t: &str| num(t, N_PROCS_MAX as u64 - 1).map(|v| v as u8);
        match parts[..] {
            ["local"] => Ok(Cmd::Local),
            ["commit"] => Ok(Cmd::Commit),
            ["send", to] => Ok(Cmd::Send { to: proc_of(to)? }),
            ["req", to] => Ok(Cmd::Request {
                to: proc_of(to)?,
                rounds: 1,
            }),
            ["req", to, r] => {
                let rounds = num(r, ROUNDS_MAX as u64)? as u32;
                if rounds == 0 {
                    return Err(format!("'{s}': at least one round"));
                }
                Ok(Cmd::Request {
                    to: proc_of(to)?,
                    rounds,
                })
            }
            ["write", k, v] => Ok(Cmd::Write {
                key: num(k, KEYS_MAX as u64 - 1)? as u8,
                value: num(v, u32::MAX as u64)? as u32,
            }),
            _ => Err(format!("unknown command '{s}'")),
        }
    }
}

/// What one step did at one process, narrated by [`Clocks::narrate_note`].
#[derive(Clone, Debug, PartialEq)]
pub enum What {
    /// Events recorded at this step (a receive and the reply it sends are two).
    Events(Vec<Event>),
    /// A transaction still waits: `TT.now().earliest` has not passed `s`.
    Waiting {
        txn: u32,
        s_us: i64,
        earliest_us: i64,
    },
    /// An NTP-style sync set the clock; it is now `error_us` from true time.
    Synced {
        error_us: i64,
        step_us: i64,
    },
    /// The process's event log is full; it takes no more part.
    Full,
    /// A command that does not apply (a send to itself, to no such process...).
    Ignored(String),
    Restarted {
        abandoned: u32,
    },
}

#[derive(Clone, Debug, PartialEq)]
pub struct ClockNote {
    pub node: NodeId,
    pub what: What,
}

/// The lab's protocol.
#[derive(Clone, Debug)]
pub struct Clocks {
    pub config: ClocksConfig,
}

pub const LAMPORT_CONDITION: InvariantInfo = InvariantInfo {
    name: "Lamport clock condition",
    statement: "If a happens before b, then L(a) < L(b).",
};
pub const VECTOR_CONDITION: InvariantInfo = InvariantInfo {
    name: "Vector clock condition",
    statement: "If a happens before b, then V(a) < V(b).",
};
pub const HLC_CONDITION: InvariantInfo = InvariantInfo {
    name: "HLC clock condition",
    statement: "If a happens before b, then (l, c) of a is below (l, c) of b.",
};
pub const VECTORS_CHARACTERISE: InvariantInfo = InvariantInfo {
    name: "Vectors characterise causality",
    statement:
        "V(a) < V(b) exactly when a happens before b: incomparable vectors mean concurrent events.",
};
pub const HLC_CLOSE: InvariantInfo = InvariantInfo {
    name: "HLC stays close to physical time",
    statement: "At every event, l − pt is at most ε, the widest clock offset spread seen (Kulkarni et al. 2014, Theorem 2).",
};
pub const HLC_BOUNDED: InvariantInfo = InvariantInfo {
    name: "HLC counter stays bounded",
    statement: "c < N·(ε + 1)·k in clock ticks, k the most events one process had in one tick (Theorem 3 has k = 1).",
};
pub const TT_HOLDS: InvariantInfo = InvariantInfo {
    name: "TrueTime interval holds",
    statement: "Every TT.now() a transaction reads contains true time: its clock is within ε (TrueTime's own promise, which clock faults can break).",
};
pub const EXTERNAL_CONSISTENCY: InvariantInfo = InvariantInfo {
    name: "External consistency",
    statement: "If T1 is acknowledged before T2 starts, in true time, then s1 < s2 (for transactions whose TrueTime intervals held).",
};
pub const NO_LOST_UPDATE: InvariantInfo = InvariantInfo {
    name: "No lost update",
    statement: "No process keeps a write over another write that causally follows it.",
};

pub const INVARIANTS: &[InvariantInfo] = &[
    LAMPORT_CONDITION,
    VECTOR_CONDITION,
    HLC_CONDITION,
    VECTORS_CHARACTERISE,
    HLC_CLOSE,
    HLC_BOUNDED,
    TT_HOLDS,
    EXTERNAL_CONSISTENCY,
    NO_LOST_UPDATE,
];

type CCtx<'a> = Ctx<'a, Msg, Timer>;

impl Clocks {
    pub fn new(config: ClocksConfig) -> Clocks {
        Clocks {
            config: config.clamped(),
        }
    }
    pub fn n_procs(&self) -> usize {
        self.config.n_procs as usize
    }
    pub(crate) fn group_array(&self) -> [NodeGroup; 1] {
        [NodeGroup::numbered("process", "P", self.n_procs())]
    }
    pub fn name(&self, id: NodeId) -> String {
        names::node_name(&self.group_array(), id)
    }
    /// `P3` for process index 2.
    pub fn proc_name(&self, p: u8) -> String {
        self.name(NodeId(p))
    }
}

/// Every process's event log, by process.
pub fn logs(w: &World<Clocks>) -> Vec<&[Event]> {
    w.nodes.iter().map(|p| p.events.as_slice()).collect()
}

/// Every event of the run in true-time order (ties: process, then index):
/// the plain list a space-time diagram or an export reads.
pub fn all_events(w: &World<Clocks>) -> Vec<&Event> {
    let mut v: Vec<&Event> = w.nodes.iter().flat_map(|p| p.events.iter()).collect();
    v.sort_by_key(|e| (e.true_us, e.id.process, e.id.index));
    v
}

impl crate::kernel::Protocol for Clocks {
    type Node = Proc;
    type Msg = Msg;
    type Timer = Timer;
    type Command = Cmd;
    type Note = ClockNote;
    type Checker = ClocksChecker;

    fn n_nodes(&self) -> usize {
        self.n_procs()
    }
    fn net_config(&self) -> NetConfig {
        let c = &self.config;
        NetConfig {
            latency_us_min: c.latency_us_min,
            latency_us_max: c.latency_us_max,
            loss: c.loss,
            duplicate: c.duplicate,
        }
    }
    fn node_name(&self, id: NodeId) -> String {
        self.name(id)
    }
    fn init_node(&self, id: NodeId, ctx: &mut CCtx<'_>) -> Proc {
        let p = Proc::new(self, id);
        p.arm_all(self, ctx);
        p
    }
    fn on_message(
        &self,
        node: &mut Proc,
        ctx: &mut CCtx<'_>,
        _from: NodeId,
        msg: Msg,
    ) -> ClockNote {
        node.on_message(self, ctx, msg)
    }
    fn on_timer(&self, node: &mut Proc, ctx: &mut CCtx<'_>, timer: Timer) -> ClockNote {
        node.on_timer(self, ctx, timer)
    }
    fn on_command(&self, node: &mut Proc, ctx: &mut CCtx<'_>, cmd: &Cmd) -> ClockNote {
        node.on_command(self, ctx, cmd)
    }
    fn on_crash(&self, node: &mut Proc) {
        node.crash();
    }
    fn on_restart(&self, node: &mut Proc, ctx: &mut CCtx<'_>) -> ClockNote {
        node.restart(self, ctx)
    }
    fn invariants(&self) -> &'static [InvariantInfo] {
        INVARIANTS
    }
    fn new_checker(&self) -> ClocksChecker {
        ClocksChecker::new(self)
    }
    fn check(
        &self,
        view: &CheckView<'_, Self>,
        checker: &mut ClocksChecker,
        out: &mut Vec<Breach>,
    ) {
        checker.check(self, view.nodes, out);
    }
    fn narrate(&self, note: &ClockNote) -> String {
        self.narrate_note(note)
    }
    fn marker(&self, note: &ClockNote) -> Option<Marker> {
        match &note.what {
            What::Synced { .. } => Some(Marker::Role),
            _ => None,
        }
    }
    fn initial_clock(&self, id: NodeId) -> ClockSpec {
        let i = id.idx();
        let offset_ms = self.config.offset_ms.get(i).copied().unwrap_or(0);
        let drift = self.config.drift_ppm.get(i).copied().unwrap_or(0);
        ClockSpec {
            offset_us: offset_ms * 1000,
            drift_ppm: drift as i32,
        }
        .clamped()
    }
}

/// How far a process's wall clock is from true time now (µs, + ahead).
pub fn wall_offset_us(w: &World<Clocks>, p: usize) -> i64 {
    let kernel = w.clocks.get(p).map(|c| c.offset_us(w.now)).unwrap_or(0);
    kernel + w.nodes.get(p).map(|n| n.correction_us).unwrap_or(0)
}

/// Bounded µs for messages.
pub(crate) fn us_text(us: i64) -> String {
    let sign = if us < 0 { "−" } else { "" };
    format!("{sign}{}", crate::kernel::fmt_time(us.unsigned_abs()))
}

/// The true time `t` as a signed value, for comparisons with clock readings.
pub(crate) fn signed(t: TimeUs) -> i64 {
    t.min(i64::MAX as u64) as i64
}
