//! A replicated register: the CAP lab and the Quorum lab.
//!
//! One value, replicated on `n` replicas, read and written by a few
//! clients. Each client sends every operation to one replica, the
//! **coordinator** (its home replica unless the command names another),
//! which runs the operation for it and answers. Coordinators are replicas,
//! not clients, so that AP and Dynamo-style modes can answer from
//! whichever replica a client reaches; a client never retries elsewhere,
//! so each operation in its history is exactly one attempt.
//!
//! **CP** (linearizable) is multi-writer ABD (Attiya, Bar-Noy, Dolev 1995;
//! Lynch and Shvartsman 1997). A write first asks a majority for their
//! highest timestamp `(counter, node)`, then stores the value with a
//! higher one on a majority. A read asks a majority, takes the
//! highest-timestamped value, writes it back to a majority, and only then
//! returns it: the write-back is what stops a later read from seeing an
//! older value ("new-old inversion"). Any two majorities share a replica,
//! so every operation sees every operation that finished before it began.
//! A coordinator that cannot hear from a majority within its timeout
//! refuses ("unavailable"): on the minority side of a partition, CP gives
//! up availability. A refusal in the first phase is certain to have had no
//! effect; a write that times out while storing may or may not have, and
//! is recorded as indeterminate (no response), as a real client sees it.
//!
//! **AP**: the coordinator applies a write locally, acknowledges at once,
//! and replicates to the others in the background; a read returns the
//! coordinator's local value. Both sides of a partition keep serving, and
//! the minority side reads stale values. Replicas reconcile by
//! anti-entropy: every `ae_ms`, each replica syncs with the next peer in
//! turn. Conflicts are settled either by **last-writer-wins** on the
//! coordinator's clock (each replica's clock is virtual time plus its
//! skew), which silently discards a write that a fast clock elsewhere
//! out-stamps even though it happened later, or by **version vectors**,
//! which detect concurrent writes and keep both as siblings until a write
//! that has seen them (the client sends the context of its last read)
//! resolves them.
//!
//! **Quorum** (Dynamo-style): the first `rf` replicas (`N`) hold the
//! register. A write goes to all `N` and succeeds after `W` acks; a read
//! asks all `N` and answers with the freshest of the first `R` replies.
//! `W + R > N` makes every read set share a replica with every write set;
//! `W + R ≤ N` does not, and reads go stale. Options: a **sloppy quorum**
//! with hinted handoff (if the preferred replicas do not answer soon, the
//! coordinator writes to stand-ins outside the `N`, which hold the value
//! with a hint and hand it back when they can; a read on the other side of
//! a partition then shares no replica with the write even though
//! `W + R > N`), **read repair** (stale replicas in a read's set are sent
//! the merged value) and **anti-entropy** as in AP.
//!
//! Every operation is recorded by its client with invoke and response
//! times, the replica sets it read from and wrote to, and its outcome
//! ([`client::OpRecord`]); [`history`] exports them as the shared
//! [`crate::history::Op`] type, and [`counters`] sums availability,
//! consistency and latency per partition side. The invariants are
//! real-time properties of that history and of the replicas
//! ([`CP_INVARIANTS`], [`AP_INVARIANTS`], [`QUORUM_INVARIANTS`]); two CP
//! safety switches (read write-back, query before write) let a learner
//! break them.

mod check;
mod client;
mod coord;
pub mod lab;
mod narrate;
pub mod probes;
mod replica;
pub mod scenarios;
#[cfg(test)]
mod tests;
mod version;

pub use check::{
    counters, history, last_write_before, Counters, OpFlags, RegisterChecker, Side, SideCounters,
};
pub use client::{Client, OpRecord, Outcome, MAX_OPS};
pub use coord::{CoordOp, Phase, MAX_COORD};
pub use lab::{CapLab, QuorumLab};
pub use replica::{Hint, Replica, MAX_HINTS};
pub use version::{Applied, OpRef, Rule, Stamp, Version, MAX_SIBLINGS};

use crate::history::{OpKind, Value};
use crate::kernel::input::CommandCodec;
use crate::kernel::names::{self, NodeGroup};
use crate::kernel::world::MessageKind;
use crate::kernel::{Breach, CheckView, Ctx, InvariantInfo, Marker, NetConfig, NodeId, TimeUs};
use crate::labs::quorum::{self, Quorums};
use serde::{Deserialize, Serialize};

/// How the replicas behave; the CAP lab uses `Cp` and `Ap`, the Quorum lab `Quorum`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Mode {
    Cp,
    Ap,
    Quorum,
}

impl Mode {
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Cp => "cp",
            Mode::Ap => "ap",
            Mode::Quorum => "quorum",
        }
    }
    pub fn parse(s: &str) -> Option<Mode> {
        match s {
            "cp" => Some(Mode::Cp),
            "ap" => Some(Mode::Ap),
            "quorum" => Some(Mode::Quorum),
            _ => None,
        }
    }
}

/// How AP and quorum replicas settle concurrent writes (CP orders writes itself).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Conflict {
    /// Highest coordinator timestamp wins; skewed clocks lose writes.
    Lww,
    /// Version vectors: concurrent writes become siblings.
    VersionVectors,
}

impl Conflict {
    pub fn as_str(self) -> &'static str {
        match self {
            Conflict::Lww => "lww",
            Conflict::VersionVectors => "vv",
        }
    }
    pub fn parse(s: &str) -> Option<Conflict> {
        match s {
            "lww" => Some(Conflict::Lww),
            "vv" => Some(Conflict::VersionVectors),
            _ => None,
        }
    }
}

/// CP rules a learner may switch off. All on is ABD.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Safety {
    /// A read writes the value it returns back to a majority first.
    /// Off: a read that saw an unfinished write can be followed by a read
    /// that does not (new-old inversion).
    pub read_write_back: bool,
    /// A write asks a majority for the highest timestamp before choosing
    /// its own. Off: a coordinator that missed writes stamps too low, and
    /// its acknowledged write is ignored everywhere (lost write).
    pub write_query: bool,
}

impl Default for Safety {
    fn default() -> Self {
        Safety {
            read_write_back: true,
            write_query: true,
        }
    }
}

/// Lab parameters. [`RegisterConfig::clamped`] documents every range.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RegisterConfig {
    pub mode: Mode,
    /// Replicas, 3–7.
    pub n_replicas: u8,
    /// Clients, 1–4.
    pub n_clients: u8,
    /// Quorum mode: replicas holding the register (`N`), 1–`n_replicas`;
    /// they are R1..R`rf`, the rest are stand-ins for a sloppy quorum.
    /// CP and AP replicate to every replica.
    pub rf: u8,
    /// Quorum mode: acks a write waits for (`W`), 1–`rf`.
    pub w: u8,
    /// Quorum mode: replies a read waits for (`R`), 1–`rf`.
    pub r: u8,
    /// Quorum mode: write to stand-ins with hints when preferred replicas are slow to answer.
    pub sloppy: bool,
    /// Quorum mode: send the merged value to stale replicas a read heard from.
    pub read_repair: bool,
    /// AP and quorum modes: last-writer-wins or version vectors.
    pub conflict: Conflict,
    /// Anti-entropy interval (AP and quorum), 0 (off) or 10–10,000 ms.
    pub ae_ms: u64,
    /// Hinted handoff retry interval, 10–10,000 ms.
    pub handoff_ms: u64,
    /// How long a coordinator waits for a quorum before giving up, 10–10,000 ms.
    pub op_timeout_ms: u64,
    /// One-way message latency range, 0–1,000,000 µs, min ≤ max.
    pub latency_us_min: u64,
    pub latency_us_max: u64,
    /// Probability a message is lost, 0–0.5.
    pub loss: f64,
    /// Clock skew of each replica, −10,000–10,000 ms (one per replica).
    pub skew_ms: Vec<i64>,
    /// Automatic workload: each client starts an operation every ~`auto_ms`
    /// (0 = off, else 10–10,000 ms) if it is idle.
    pub auto_ms: u64,
    /// Share of automatic operations that are writes, 0–100 %.
    pub write_pct: u8,
    pub safety: Safety,
}

impl Default for RegisterConfig {
    fn default() -> Self {
        RegisterConfig {
            mode: Mode::Cp,
            n_replicas: 5,
            n_clients: 2,
            rf: 3,
            w: 2,
            r: 2,
            sloppy: false,
            read_repair: false,
            conflict: Conflict::Lww,
            ae_ms: 200,
            handoff_ms: 100,
            op_timeout_ms: 200,
            latency_us_min: 8_000,
            latency_us_max: 15_000,
            loss: 0.0,
            skew_ms: vec![0; 5],
            auto_ms: 0,
            write_pct: 50,
            safety: Safety::default(),
        }
    }
}

pub const N_REPLICAS_MIN: u8 = 3;
pub const N_REPLICAS_MAX: u8 = 7;
pub const N_CLIENTS_MAX: u8 = 4;
pub const INTERVAL_MS_MIN: u64 = 10;
pub const INTERVAL_MS_MAX: u64 = 10_000;
pub const LATENCY_US_MAX: u64 = 1_000_000;
pub const LOSS_MAX: f64 = 0.5;
pub const SKEW_MS_MAX: i64 = 10_000;

impl RegisterConfig {
    /// The same configuration with every value forced into its range.
    pub fn clamped(mut self) -> RegisterConfig {
        self.n_replicas = self.n_replicas.clamp(N_REPLICAS_MIN, N_REPLICAS_MAX);
        self.n_clients = self.n_clients.clamp(1, N_CLIENTS_MAX);
        self.rf = self.rf.clamp(1, self.n_replicas);
        // W and R within 1..=N: the quorum module's rule.
        let q = Quorums::clamped(self.rf as usize, self.w as usize, self.r as usize);
        (self.w, self.r) = (q.w() as u8, q.r() as u8);
        if self.ae_ms != 0 {
            self.ae_ms = self.ae_ms.clamp(INTERVAL_MS_MIN, INTERVAL_MS_MAX);
        }
        self.handoff_ms = self.handoff_ms.clamp(INTERVAL_MS_MIN, INTERVAL_MS_MAX);
        self.op_timeout_ms = self.op_timeout_ms.clamp(INTERVAL_MS_MIN, INTERVAL_MS_MAX);
        self.latency_us_max = self.latency_us_max.min(LATENCY_US_MAX);
        self.latency_us_min = self.latency_us_min.min(self.latency_us_max);
        self.loss = if self.loss.is_finite() {
            self.loss.clamp(0.0, LOSS_MAX)
        } else {
            0.0
        };
        self.skew_ms.resize(self.n_replicas as usize, 0);
        for s in self.skew_ms.iter_mut() {
            *s = (*s).clamp(-SKEW_MS_MAX, SKEW_MS_MAX);
        }
        if self.auto_ms != 0 {
            self.auto_ms = self.auto_ms.clamp(INTERVAL_MS_MIN, INTERVAL_MS_MAX);
        }
        self.write_pct = self.write_pct.min(100);
        self
    }
}

/// A replica that acknowledged a write; `hint_for` names the preferred
/// replica a stand-in holds it for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Holder {
    pub node: NodeId,
    pub hint_for: Option<NodeId>,
}

/// A coordinator's answer to a client.
#[derive(Clone, Debug, PartialEq)]
pub enum Answer {
    Written {
        version: Version,
    },
    /// The versions read: none (empty register), one, or siblings.
    Read {
        versions: Vec<Version>,
    },
    /// Refused before anything was written: certainly no effect.
    Unavailable {
        heard: u8,
        needed: u8,
    },
    /// Gave up after some replicas may have stored the write: it may or may not take effect.
    Failed {
        heard: u8,
        needed: u8,
    },
}

#[derive(Clone, Debug, PartialEq)]
pub enum Msg {
    /// Client to coordinator.
    Request {
        op: u32,
        kind: OpKind,
        value: Option<Value>,
        context: Vec<u64>,
    },
    /// Coordinator to client, with the replicas the operation read from and wrote to.
    Reply {
        op: u32,
        answer: Answer,
        read_set: Vec<NodeId>,
        write_set: Vec<Holder>,
    },
    /// Coordinator asks a replica for its versions (ABD phase 1, quorum read).
    Get {
        rid: u32,
    },
    GetReply {
        rid: u32,
        versions: Vec<Version>,
    },
    /// Coordinator stores a version (ABD phase 2, quorum write); `ack: false`
    /// is AP's background replication; `hint_for` makes it a hinted write.
    Put {
        rid: u32,
        version: Version,
        ack: bool,
        hint_for: Option<NodeId>,
    },
    PutAck {
        rid: u32,
        hint_for: Option<NodeId>,
    },
    /// Read repair: the merged versions, sent to a stale replica.
    Repair {
        versions: Vec<Version>,
    },
    /// Anti-entropy: a replica's versions, pushed to a peer that answers with its own if they differ.
    Sync {
        versions: Vec<Version>,
    },
    SyncReply {
        versions: Vec<Version>,
    },
    /// A stand-in hands hinted versions to the replica they belong to.
    Handoff {
        versions: Vec<Version>,
    },
    HandoffAck {
        delivered: Vec<Stamp>,
    },
}

impl MessageKind for Msg {
    fn kind(&self) -> &'static str {
        match self {
            Msg::Request {
                kind: OpKind::Write,
                ..
            } => "Write request",
            Msg::Request { .. } => "Read request",
            Msg::Reply { .. } => "Reply",
            Msg::Get { .. } => "Get",
            Msg::GetReply { .. } => "Get reply",
            Msg::Put {
                hint_for: Some(_), ..
            } => "Hinted put",
            Msg::Put { ack: false, .. } => "Replicate",
            Msg::Put { .. } => "Put",
            Msg::PutAck { .. } => "Put ack",
            Msg::Repair { .. } => "Read repair",
            Msg::Sync { .. } => "Sync",
            Msg::SyncReply { .. } => "Sync reply",
            Msg::Handoff { .. } => "Handoff",
            Msg::HandoffAck { .. } => "Handoff ack",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Timer {
    /// A client's deadline for operation `.0`.
    ClientOp(u32),
    /// A client's next automatic operation.
    Auto,
    /// A coordinator's deadline for its operation `.0`.
    CoordOp(u32),
    /// Sloppy quorum: when to turn to stand-ins for operation `.0`.
    Sloppy(u32),
    AntiEntropy,
    Handoff,
}

/// Commands a learner or a scenario gives a node.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Cmd {
    /// A client reads, through replica `via` or its home replica.
    Read { via: Option<NodeId> },
    /// A client writes `value`, through replica `via` or its home replica.
    Write { value: u32, via: Option<NodeId> },
    /// A replica runs an anti-entropy round now.
    AntiEntropy,
    /// A replica's clock jumps to `ms` milliseconds of skew.
    Skew { ms: i64 },
}

fn parse_via(s: Option<&str>, whole: &str) -> Result<Option<NodeId>, String> {
    match s {
        None => Ok(None),
        Some(t) => t
            .parse::<u8>()
            .ok()
            .filter(|t| *t < N_REPLICAS_MAX)
            .map(|t| Some(NodeId(t)))
            .ok_or_else(|| format!("'{whole}': bad replica")),
    }
}

impl CommandCodec for Cmd {
    /// `read`, `read-2` (through replica index 2), `write-42`, `write-42-2`,
    /// `ae`, `skew-300`, `skew-n300` (−300 ms).
    fn encode(&self) -> String {
        let via = |v: &Option<NodeId>| v.map(|n| format!("-{}", n.0)).unwrap_or_default();
        match self {
            Cmd::Read { via: v } => format!("read{}", via(v)),
            Cmd::Write { value, via: v } => format!("write-{value}{}", via(v)),
            Cmd::AntiEntropy => "ae".into(),
            Cmd::Skew { ms } if *ms < 0 => format!("skew-n{}", ms.unsigned_abs()),
            Cmd::Skew { ms } => format!("skew-{ms}"),
        }
    }
    fn parse(s: &str) -> Result<Self, String> {
        let mut it = s.split('-');
        let head = it.next().unwrap_or("");
        let a = it.next();
        let b = it.next();
        if it.next().is_some() {
            return Err(format!("'{s}': too many parts"));
        }
        match head {
            "read" if b.is_none() => Ok(Cmd::Read {
                via: parse_via(a, s)?,
            }),
            "write" => {
                let value = a
                    .and_then(|v| v.parse::<u32>().ok())
                    .ok_or_else(|| format!("'{s}': bad value"))?;
                Ok(Cmd::Write {
                    value,
                    via: parse_via(b, s)?,
                })
            }
            "ae" if a.is_none() => Ok(Cmd::AntiEntropy),
            "skew" if b.is_none() => {
                let raw = a.ok_or_else(|| format!("'{s}': missing skew"))?;
                let (neg, digits) = match raw.strip_prefix('n') {
                    Some(d) => (true, d),
                    None => (false, raw),
                };
                let v = digits
                    .parse::<i64>()
                    .ok()
                    .filter(|v| *v <= SKEW_MS_MAX)
                    .ok_or_else(|| format!("'{s}': bad skew"))?;
                Ok(Cmd::Skew {
                    ms: if neg { -v } else { v },
                })
            }
            _ => Err(format!("unknown command '{s}'")),
        }
    }
}

/// A node of the lab: replicas first (R1..), then clients (C1..).
#[derive(Clone, Debug)]
pub enum RegNode {
    Replica(Replica),
    Client(Client),
}

impl RegNode {
    pub fn replica(&self) -> Option<&Replica> {
        match self {
            RegNode::Replica(r) => Some(r),
            RegNode::Client(_) => None,
        }
    }
    pub fn client(&self) -> Option<&Client> {
        match self {
            RegNode::Client(c) => Some(c),
            RegNode::Replica(_) => None,
        }
    }
}

/// What one step did at one node. Narrated by [`Register::narrate_note`].
#[derive(Clone, Debug, PartialEq)]
pub enum What {
    // Clients.
    Invoked {
        op: u32,
        kind: OpKind,
        value: Option<Value>,
        via: NodeId,
        auto: bool,
    },
    Busy {
        pending: u32,
    },
    HistoryFull,
    Completed {
        op: u32,
        kind: OpKind,
        outcome: Outcome,
        values: Vec<Value>,
        latency_us: TimeUs,
    },
    NoAnswer {
        op: u32,
        kind: OpKind,
    },
    LateReply {
        op: u32,
    },
    // Coordinators.
    /// ABD phase 1: asks every replica for its versions.
    AbdQuery {
        client: NodeId,
        kind: OpKind,
        value: Option<Value>,
        asked: u8,
        needed: u8,
    },
    /// ABD phase 2: stores `stamp`/`value` (a write, or a read's write-back).
    AbdStore {
        kind: OpKind,
        value: Value,
        stamp: Stamp,
        heard: u8,
        from: Option<NodeId>,
        skipped_query: bool,
        local: Applied,
    },
    /// AP write: applied locally, acknowledged, replicated in the background.
    ApWrite {
        client: NodeId,
        value: Value,
        stamp: Stamp,
        local: Applied,
        sent: u8,
    },
    /// AP read: the local versions.
    ApRead {
        client: NodeId,
        values: Vec<Value>,
    },
    QuorumWrite {
        client: NodeId,
        value: Value,
        stamp: Stamp,
        local: Option<Applied>,
        asked: u8,
        needed: u8,
    },
    QuorumRead {
        client: NodeId,
        asked: u8,
        local: bool,
        needed: u8,
    },
    /// A reply or ack counted toward a quorum; `answered`: the client was answered at this step.
    Counted {
        from: NodeId,
        ack: bool,
        heard: u8,
        needed: u8,
        answered: Option<AnswerKind>,
        repaired: Vec<NodeId>,
    },
    /// Timeout: the coordinator gives up.
    GaveUp {
        client: NodeId,
        kind: OpKind,
        heard: u8,
        needed: u8,
        indeterminate: bool,
    },
    /// Sloppy quorum: hinted writes or reads sent to stand-ins.
    StandIns {
        kind: OpKind,
        asked: Vec<(NodeId, NodeId)>,
    },
    Overloaded {
        client: NodeId,
    },
    // Storage.
    GetServed {
        coord: NodeId,
        values: Vec<Value>,
    },
    PutApplied {
        coord: NodeId,
        value: Value,
        applied: Applied,
        hint_for: Option<NodeId>,
        ack: bool,
    },
    RepairApplied {
        from: NodeId,
        changed: bool,
    },
    SyncSent {
        to: NodeId,
    },
    SyncMerged {
        from: NodeId,
        changed: bool,
        replied: bool,
    },
    HandoffSent {
        to: Vec<NodeId>,
        n: u8,
    },
    HandoffMerged {
        from: NodeId,
        changed: bool,
    },
    HandoffAcked {
        from: NodeId,
        n: u8,
    },
    SkewSet {
        ms: i64,
    },
    Restarted {
        values: Vec<Value>,
        n_hints: u8,
    },
    Ignored {
        what: &'static str,
    },
}

/// The kind of answer a coordinator gave, for narration.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AnswerKind {
    Written,
    Read,
}

#[derive(Clone, Debug, PartialEq)]
pub struct RegNote {
    pub node: NodeId,
    pub what: What,
}

/// The lab: configuration plus the handlers.
#[derive(Clone, Debug)]
pub struct Register {
    pub config: RegisterConfig,
}

type RCtx<'a> = Ctx<'a, Msg, Timer>;

pub const NO_STALE_READS: InvariantInfo = InvariantInfo {
    name: "No stale reads",
    statement: "A read returns the value of the latest write that finished before the read began, or of a newer one.",
};
pub const NO_INVERSION: InvariantInfo = InvariantInfo {
    name: "No new-old inversion",
    statement: "A read that begins after another read finished never returns a value older than that read returned.",
};
pub const NO_LOST_WRITES: InvariantInfo = InvariantInfo {
    name: "No lost writes",
    statement: "An acknowledged write is never discarded in favour of writes that had finished before it began.",
};
pub const QUORUM_OVERLAP: InvariantInfo = InvariantInfo {
    name: "Quorum overlap",
    statement: "A read hears from at least one replica that acknowledged the last write finished before the read began.",
};
pub const CONVERGENCE: InvariantInfo = InvariantInfo {
    name: "Convergence",
    statement: "Once the network is whole, every replica is up and no write arrives for a settle period, all replicas hold the same versions.",
};

/// CP keeps every property; its safety switches break them.
pub const CP_INVARIANTS: &[InvariantInfo] = &[NO_STALE_READS, NO_INVERSION, NO_LOST_WRITES];
/// AP gives up the first two during a partition, and the third under skewed last-writer-wins.
pub const AP_INVARIANTS: &[InvariantInfo] =
    &[NO_STALE_READS, NO_INVERSION, NO_LOST_WRITES, CONVERGENCE];
pub const QUORUM_INVARIANTS: &[InvariantInfo] = &[
    NO_STALE_READS,
    NO_INVERSION,
    QUORUM_OVERLAP,
    NO_LOST_WRITES,
    CONVERGENCE,
];

impl Register {
    pub fn new(config: RegisterConfig) -> Register {
        Register {
            config: config.clamped(),
        }
    }
    pub fn n_replicas(&self) -> usize {
        self.config.n_replicas as usize
    }
    pub fn n_clients(&self) -> usize {
        self.config.n_clients as usize
    }
    pub fn replica_ids(&self) -> impl Iterator<Item = NodeId> {
        (0..self.config.n_replicas).map(NodeId)
    }
    /// The node of client `c` (0 for C1).
    pub fn client_node(&self, c: u8) -> NodeId {
        NodeId(self.config.n_replicas + c)
    }
    /// The client number of a node, if it is a client.
    pub fn client_of(&self, id: NodeId) -> Option<u8> {
        let c = id.0.checked_sub(self.config.n_replicas)?;
        (c < self.config.n_clients).then_some(c)
    }
    pub fn is_replica(&self, id: NodeId) -> bool {
        id.0 < self.config.n_replicas
    }
    /// The replica client `c` sends to unless told otherwise: clients are
    /// spread over the replicas (2 clients on 5 replicas: R1 and R3).
    pub fn home(&self, c: u8) -> NodeId {
        let n = self.config.n_replicas as usize;
        NodeId(((c as usize * n) / self.n_clients()).min(n - 1) as u8)
    }
    /// A majority of all replicas (CP).
    pub fn majority(&self) -> usize {
        quorum::majority(self.n_replicas())
    }
    /// The replicas that hold the register: all in CP and AP, the first
    /// `rf` (the preference list) in quorum mode.
    pub fn preferred(&self) -> Vec<NodeId> {
        let k = match self.config.mode {
            Mode::Quorum => self.config.rf,
            _ => self.config.n_replicas,
        };
        (0..k).map(NodeId).collect()
    }
    /// The quorum system of the mode: majorities of all replicas (CP),
    /// any one replica (AP), or `W` and `R` of the `N` preferred replicas
    /// (quorum mode).
    pub fn quorums(&self) -> Quorums {
        let c = &self.config;
        match c.mode {
            Mode::Cp => Quorums::majority(self.n_replicas()),
            Mode::Ap => Quorums::any(self.n_replicas()),
            Mode::Quorum => Quorums::clamped(c.rf as usize, c.w as usize, c.r as usize),
        }
    }
    /// Acks a write needs: a majority (CP), 1 (AP) or `W`.
    pub fn write_quorum(&self) -> usize {
        self.quorums().w()
    }
    /// Replies a read needs: a majority (CP), 1 (AP, the local copy) or `R`.
    pub fn read_quorum(&self) -> usize {
        self.quorums().r()
    }
    pub fn rule(&self) -> Rule {
        match (self.config.mode, self.config.conflict) {
            (Mode::Cp, _) | (_, Conflict::Lww) => Rule::Ordered,
            (_, Conflict::VersionVectors) => Rule::Causal,
        }
    }
    pub fn uses_anti_entropy(&self) -> bool {
        self.config.mode != Mode::Cp && self.config.ae_ms > 0
    }
    /// Replicas R1…Rn, then clients C1…Cm.
    pub(crate) fn group_array(&self) -> [NodeGroup; 2] {
        [
            NodeGroup::numbered("replica", "R", self.n_replicas()),
            NodeGroup::numbered("client", "C", self.n_clients()),
        ]
    }
    pub fn name(&self, id: NodeId) -> String {
        names::node_name(&self.group_array(), id)
    }
    pub fn op_timeout_us(&self) -> TimeUs {
        self.config.op_timeout_ms * 1000
    }
    /// A client waits for the coordinator's timeout plus two round trips.
    pub fn client_timeout_us(&self) -> TimeUs {
        self.op_timeout_us() + 4 * self.config.latency_us_max + 1_000
    }
    /// Sloppy quorum: how long a coordinator waits for preferred replicas
    /// before it turns to stand-ins (a round trip and a little more, at
    /// most half the operation timeout).
    pub fn sloppy_after_us(&self) -> TimeUs {
        (2 * self.config.latency_us_max + 2_000).min(self.op_timeout_us() / 2)
    }
    /// How long after the network is whole (with every replica up and no
    /// new write or lost message) replicas must agree: enough anti-entropy
    /// rounds for every pair to sync, one handoff round, and slack for
    /// latency. With anti-entropy off, the same as with 200 ms rounds.
    pub fn settle_us(&self) -> TimeUs {
        let ae = if self.config.ae_ms > 0 {
            self.config.ae_ms
        } else {
            200
        };
        let rounds = self.preferred().len() as u64 + 1;
        (rounds * ae + 2 * self.config.handoff_ms) * 1000 + 6 * self.config.latency_us_max
    }
    pub fn auto_us(&self, rng: &mut crate::kernel::SimRng) -> TimeUs {
        let a = self.config.auto_ms * 1000;
        rng.range_u64(a / 2, a + a / 2)
    }
}

impl crate::kernel::Protocol for Register {
    type Node = RegNode;
    type Msg = Msg;
    type Timer = Timer;
    type Command = Cmd;
    type Note = RegNote;
    type Checker = RegisterChecker;

    fn n_nodes(&self) -> usize {
        self.n_replicas() + self.n_clients()
    }
    fn net_config(&self) -> NetConfig {
        NetConfig {
            latency_us_min: self.config.latency_us_min,
            latency_us_max: self.config.latency_us_max,
            loss: self.config.loss,
            duplicate: 0.0,
        }
    }
    fn node_name(&self, id: NodeId) -> String {
        self.name(id)
    }
    fn init_node(&self, id: NodeId, ctx: &mut RCtx<'_>) -> RegNode {
        match self.client_of(id) {
            Some(c) => RegNode::Client(Client::new(self, c, ctx)),
            None => RegNode::Replica(Replica::new(self, id, ctx)),
        }
    }
    fn on_message(
        &self,
        node: &mut RegNode,
        ctx: &mut RCtx<'_>,
        from: NodeId,
        msg: Msg,
    ) -> RegNote {
        match node {
            RegNode::Replica(r) => r.on_message(self, ctx, from, msg),
            RegNode::Client(c) => c.on_message(self, ctx, from, msg),
        }
    }
    fn on_timer(&self, node: &mut RegNode, ctx: &mut RCtx<'_>, timer: Timer) -> RegNote {
        match node {
            RegNode::Replica(r) => r.on_timer(self, ctx, timer),
            RegNode::Client(c) => c.on_timer(self, ctx, timer),
        }
    }
    fn on_command(&self, node: &mut RegNode, ctx: &mut RCtx<'_>, cmd: &Cmd) -> RegNote {
        let ignored = |what| RegNote {
            node: ctx.me,
            what: What::Ignored { what },
        };
        match (node, cmd) {
            (RegNode::Client(c), Cmd::Read { via }) => {
                c.invoke(self, ctx, OpKind::Read, None, *via, false)
            }
            (RegNode::Client(c), Cmd::Write { value, via }) => {
                c.invoke(self, ctx, OpKind::Write, Some(*value as Value), *via, false)
            }
            (RegNode::Replica(r), Cmd::AntiEntropy) => r.anti_entropy(self, ctx, true),
            (RegNode::Replica(r), Cmd::Skew { ms }) => r.set_skew(ctx, *ms),
            (RegNode::Replica(_), _) => {
                ignored("a client command (send reads and writes to a client)")
            }
            (RegNode::Client(_), _) => ignored("a replica command (send it to a replica)"),
        }
    }
    fn on_crash(&self, node: &mut RegNode) {
        match node {
            RegNode::Replica(r) => r.crash(),
            RegNode::Client(c) => c.crash(),
        }
    }
    fn on_restart(&self, node: &mut RegNode, ctx: &mut RCtx<'_>) -> RegNote {
        match node {
            RegNode::Replica(r) => r.restart(self, ctx),
            RegNode::Client(c) => c.restart(self, ctx),
        }
    }
    fn invariants(&self) -> &'static [InvariantInfo] {
        match self.config.mode {
            Mode::Cp => CP_INVARIANTS,
            Mode::Ap => AP_INVARIANTS,
            Mode::Quorum => QUORUM_INVARIANTS,
        }
    }
    fn new_checker(&self) -> RegisterChecker {
        RegisterChecker::new(self)
    }
    fn check(
        &self,
        view: &CheckView<'_, Self>,
        checker: &mut RegisterChecker,
        out: &mut Vec<Breach>,
    ) {
        checker.check(self, view, out);
    }
    fn narrate(&self, note: &RegNote) -> String {
        self.narrate_note(note)
    }
    fn marker(&self, note: &RegNote) -> Option<Marker> {
        // Refusals are the CAP lab's turning points: mark them.
        match note.what {
            What::GaveUp { .. } => Some(Marker::Role),
            _ => None,
        }
    }
}
