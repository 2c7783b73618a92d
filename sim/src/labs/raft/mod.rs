//! Raft: leader election and log replication (Ongaro & Ousterhout, 2014, §5).
//!
//! Servers are followers, candidates or leaders. Time is divided into
//! terms; each term begins with an election. A follower that hears nothing
//! from a leader for a randomised election timeout becomes a candidate:
//! it increments its term, votes for itself and asks the others for votes.
//! A server grants at most one vote per term, and only to a candidate whose
//! log is at least as up to date as its own (§5.4.1). A candidate with
//! votes from a majority leads the term.
//!
//! The leader appends client commands to its log and replicates them with
//! AppendEntries, which carries the index and term of the entry before the
//! new ones; a follower whose log does not match there refuses, and the
//! leader backs up one entry and retries, overwriting conflicts (§5.3). An
//! entry is committed once a majority stores it **and** it is from the
//! leader's current term; earlier-term entries commit only indirectly
//! (§5.4.2, Figure 8).
//!
//! Current term, vote and log are persistent: they survive a crash. A
//! server persists a change before it answers, and that fsync delay is
//! most of the paper's ~15 ms broadcast time.
//!
//! The lab's safety switches turn off one rule each, so a learner can watch
//! the invariant it protects break: the up-to-date vote check, the
//! current-term commit rule, and persisting `votedFor`.

mod check;
mod client;
pub mod experiment;
pub mod lab;
pub mod probes;
pub mod scenarios;
mod server;
#[cfg(test)]
mod tests;

pub use check::RaftChecker;
pub use client::{Client, ClientDone, Pending};
pub use lab::RaftLab;
pub use server::Server;

use crate::kernel::input::CommandCodec;
use crate::kernel::names::{self, NodeGroup};
use crate::kernel::world::MessageKind;
use crate::kernel::{
    Breach, CheckView, Ctx, InvariantInfo, Marker, NetConfig, Network, NodeId, TimeUs,
};
use serde::{Deserialize, Serialize};
use std::fmt;

pub type Term = u64;
/// 1-based position in a log; 0 means "before the first entry".
pub type LogIndex = u64;

/// Rules a learner may switch off. All on is Raft.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Safety {
    /// Grant a vote only to a candidate whose log is at least as up to date (§5.4.1).
    pub up_to_date_vote: bool,
    /// Commit by counting replicas only entries of the leader's current term (§5.4.2).
    pub current_term_commit: bool,
    /// Keep `votedFor` on stable storage across a crash (Figure 2).
    pub persist_vote: bool,
}

impl Default for Safety {
    fn default() -> Self {
        Safety {
            up_to_date_vote: true,
            current_term_commit: true,
            persist_vote: true,
        }
    }
}

/// Raft lab parameters. [`RaftConfig::clamped`] documents every range.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RaftConfig {
    /// Servers, 3–9.
    pub n_servers: u8,
    /// Election timeout range, 1–10,000 ms, min ≤ max.
    pub election_timeout_ms_min: u64,
    pub election_timeout_ms_max: u64,
    /// Leader heartbeat interval, 1–5,000 ms.
    pub heartbeat_ms: u64,
    /// One-way message latency range, 0–1,000,000 µs.
    pub latency_us_min: u64,
    pub latency_us_max: u64,
    /// Probability a message is lost, 0–0.5.
    pub loss: f64,
    /// Probability a message is delivered twice, 0–0.5.
    pub duplicate: f64,
    /// Time to persist a change of term, vote or log before answering
    /// (votes and AppendEntries replies wait for it), 0–200,000 µs.
    pub fsync_us: u64,
    pub safety: Safety,
}

impl Default for RaftConfig {
    fn default() -> Self {
        RaftConfig {
            n_servers: 5,
            election_timeout_ms_min: 150,
            election_timeout_ms_max: 300,
            heartbeat_ms: 50,
            latency_us_min: 8_000,
            latency_us_max: 15_000,
            loss: 0.0,
            duplicate: 0.0,
            fsync_us: 2_000,
            safety: Safety::default(),
        }
    }
}

pub const N_SERVERS_MIN: u8 = 3;
pub const N_SERVERS_MAX: u8 = 9;
pub const TIMEOUT_MS_MAX: u64 = 10_000;
pub const HEARTBEAT_MS_MAX: u64 = 5_000;
pub const LATENCY_US_MAX: u64 = 1_000_000;
pub const LOSS_MAX: f64 = 0.5;
pub const FSYNC_US_MAX: u64 = 200_000;
/// Most entries one AppendEntries carries.
pub const MAX_BATCH: usize = 8;
/// Longest log a server keeps; client requests beyond it are refused.
pub const MAX_LOG: usize = 500;

impl RaftConfig {
    /// The same configuration with every value forced into its range.
    pub fn clamped(mut self) -> RaftConfig {
        self.n_servers = self.n_servers.clamp(N_SERVERS_MIN, N_SERVERS_MAX);
        self.election_timeout_ms_min = self.election_timeout_ms_min.clamp(1, TIMEOUT_MS_MAX);
        self.election_timeout_ms_max = self
            .election_timeout_ms_max
            .clamp(self.election_timeout_ms_min, TIMEOUT_MS_MAX);
        self.heartbeat_ms = self.heartbeat_ms.clamp(1, HEARTBEAT_MS_MAX);
        self.latency_us_max = self.latency_us_max.min(LATENCY_US_MAX);
        self.latency_us_min = self.latency_us_min.min(self.latency_us_max);
        self.loss = if self.loss.is_finite() {
            self.loss.clamp(0.0, LOSS_MAX)
        } else {
            0.0
        };
        self.duplicate = if self.duplicate.is_finite() {
            self.duplicate.clamp(0.0, LOSS_MAX)
        } else {
            0.0
        };
        self.fsync_us = self.fsync_us.min(FSYNC_US_MAX);
        self
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    pub term: Term,
    /// The client's command: here, a number to store.
    pub value: u32,
    /// The client request it came from, so a retry is not appended twice.
    pub req: Option<u32>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Role {
    Follower,
    Candidate,
    Leader,
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Role::Follower => "follower",
            Role::Candidate => "candidate",
            Role::Leader => "leader",
        })
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum Msg {
    RequestVote {
        term: Term,
        last_log_index: LogIndex,
        last_log_term: Term,
    },
    Vote {
        term: Term,
        granted: bool,
    },
    AppendEntries {
        term: Term,
        prev_index: LogIndex,
        prev_term: Term,
        entries: Vec<Entry>,
        leader_commit: LogIndex,
    },
    /// `index`: on success the follower's last matching index; on refusal the `prev_index` it refused.
    AppendReply {
        term: Term,
        success: bool,
        index: LogIndex,
    },
    Request {
        req: u32,
        value: u32,
    },
    Reply {
        req: u32,
        index: LogIndex,
    },
    Redirect {
        req: u32,
        leader: Option<NodeId>,
    },
}

impl MessageKind for Msg {
    fn kind(&self) -> &'static str {
        match self {
            Msg::RequestVote { .. } => "RequestVote",
            Msg::Vote { .. } => "Vote",
            Msg::AppendEntries { entries, .. } if entries.is_empty() => "Heartbeat",
            Msg::AppendEntries { .. } => "AppendEntries",
            Msg::AppendReply { .. } => "AppendEntries reply",
            Msg::Request { .. } => "Client request",
            Msg::Reply { .. } => "Client reply",
            Msg::Redirect { .. } => "Redirect",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Timer {
    Election,
    Heartbeat,
    /// The client's timer for one request.
    ClientRetry(u32),
}

/// Commands a learner or a scenario gives a node.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Cmd {
    /// Make a server's election timer fire now.
    Timeout,
    /// Ask the client to submit `value`, to server `to` or to its best guess at the leader.
    Submit { value: u32, to: Option<NodeId> },
}

impl CommandCodec for Cmd {
    fn encode(&self) -> String {
        match self {
            Cmd::Timeout => "timeout".into(),
            Cmd::Submit { value, to: None } => format!("submit-{value}"),
            Cmd::Submit { value, to: Some(t) } => format!("submit-{value}-{}", t.0),
        }
    }
    fn parse(s: &str) -> Result<Self, String> {
        if s == "timeout" {
            return Ok(Cmd::Timeout);
        }
        let rest = s
            .strip_prefix("submit-")
            .ok_or_else(|| format!("unknown command '{s}'"))?;
        let mut it = rest.split('-');
        let value = it
            .next()
            .and_then(|v| v.parse().ok())
            .ok_or_else(|| format!("'{s}': bad value"))?;
        let to = match it.next() {
            None => None,
            Some(t) => Some(NodeId(
                t.parse::<u8>()
                    .ok()
                    .filter(|t| *t < N_SERVERS_MAX)
                    .ok_or_else(|| format!("'{s}': bad server"))?,
            )),
        };
        Ok(Cmd::Submit { value, to })
    }
}

/// A node of the lab: a server, or the one client (the last node).
#[derive(Clone, Debug)]
pub enum RaftNode {
    Server(Server),
    Client(Client),
}

impl RaftNode {
    pub fn server(&self) -> Option<&Server> {
        match self {
            RaftNode::Server(s) => Some(s),
            RaftNode::Client(_) => None,
        }
    }
    pub fn client(&self) -> Option<&Client> {
        match self {
            RaftNode::Client(c) => Some(c),
            RaftNode::Server(_) => None,
        }
    }
}

/// Why a vote was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VoteRefusal {
    StaleTerm,
    AlreadyVoted(NodeId),
    LogBehind,
}

/// What one step did at one node.
#[derive(Clone, Debug, PartialEq)]
pub enum What {
    ElectionStarted {
        term: Term,
        forced: bool,
    },
    VoteGranted {
        candidate: NodeId,
        term: Term,
    },
    VoteRefused {
        candidate: NodeId,
        term: Term,
        why: VoteRefusal,
    },
    VoteCounted {
        from: NodeId,
        granted: bool,
        votes: u8,
        needed: u8,
    },
    BecameLeader {
        term: Term,
        votes: u8,
    },
    Heartbeat {
        term: Term,
        n_sent: u8,
    },
    Appended {
        leader: NodeId,
        prev_index: LogIndex,
        n_new: u32,
        truncated_from: Option<LogIndex>,
        commit: LogIndex,
        commit_advanced: bool,
    },
    AppendRefusedStale {
        leader: NodeId,
        term: Term,
    },
    AppendRefusedMismatch {
        leader: NodeId,
        prev_index: LogIndex,
        prev_term: Term,
    },
    AckCounted {
        from: NodeId,
        match_index: LogIndex,
        commit: LogIndex,
        commit_advanced: bool,
        earlier_term_skipped: bool,
    },
    NackCounted {
        from: NodeId,
        next_index: LogIndex,
    },
    RequestAccepted {
        index: LogIndex,
        value: u32,
    },
    RequestDuplicate {
        index: LogIndex,
    },
    RequestRefusedFull,
    RequestRedirected {
        leader: Option<NodeId>,
    },
    ClientSent {
        to: NodeId,
        value: u32,
        req: u32,
        attempt: u8,
    },
    ClientDone {
        value: u32,
        index: LogIndex,
        latency_us: TimeUs,
    },
    ClientGaveUp {
        value: u32,
    },
    Restarted {
        term: Term,
        voted_for: Option<NodeId>,
        log_len: u64,
    },
    Ignored {
        what: &'static str,
    },
}

/// A narrated step at one node; `stepped_down` is set when the node first
/// saw a higher term and fell back to follower.
#[derive(Clone, Debug, PartialEq)]
pub struct RaftNote {
    pub node: NodeId,
    pub term: Term,
    pub stepped_down: Option<(Role, Term)>,
    pub what: What,
}

/// The lab: configuration plus the handlers.
#[derive(Clone, Debug)]
pub struct Raft {
    pub config: RaftConfig,
}

impl Raft {
    pub fn new(config: RaftConfig) -> Raft {
        Raft {
            config: config.clamped(),
        }
    }
    pub fn n_servers(&self) -> usize {
        self.config.n_servers as usize
    }
    pub fn client_id(&self) -> NodeId {
        NodeId(self.config.n_servers)
    }
    pub fn majority(&self) -> usize {
        crate::labs::quorum::majority(self.n_servers())
    }
    /// Servers S1…Sn, then the one client.
    pub(crate) fn group_array(&self) -> [NodeGroup; 2] {
        [
            NodeGroup::numbered("server", "S", self.n_servers()),
            NodeGroup {
                role: "client",
                prefix: "C",
                count: 1,
                solo: Some("Client"),
            },
        ]
    }
    fn name(&self, id: NodeId) -> String {
        names::node_name(&self.group_array(), id)
    }
    pub(crate) fn election_timeout_us(&self, rng: &mut crate::kernel::SimRng) -> TimeUs {
        let c = &self.config;
        rng.range_u64(
            c.election_timeout_ms_min * 1000,
            c.election_timeout_ms_max * 1000,
        )
    }
    /// How long the client waits for an answer before trying another server.
    pub fn client_retry_us(&self) -> TimeUs {
        (self.config.election_timeout_ms_max * 1000).max(100_000)
    }
}

type RCtx<'a> = Ctx<'a, Msg, Timer>;

pub const INVARIANTS: &[InvariantInfo] = &[
    InvariantInfo { name: "Election Safety", statement: "At most one leader is elected in a given term." },
    InvariantInfo { name: "Leader Append-Only", statement: "A leader never overwrites or deletes entries in its log; it only appends." },
    InvariantInfo { name: "Log Matching", statement: "If two logs have an entry with the same index and term, the logs are identical up to that index." },
    InvariantInfo { name: "Leader Completeness", statement: "An entry committed in a term is in the log of every leader of every later term." },
    InvariantInfo { name: "State Machine Safety", statement: "No two servers apply different entries at the same log index." },
];

impl crate::kernel::Protocol for Raft {
    type Node = RaftNode;
    type Msg = Msg;
    type Timer = Timer;
    type Command = Cmd;
    type Note = RaftNote;
    type Checker = RaftChecker;

    fn n_nodes(&self) -> usize {
        self.n_servers() + 1
    }
    fn net_config(&self) -> NetConfig {
        NetConfig {
            latency_us_min: self.config.latency_us_min,
            latency_us_max: self.config.latency_us_max,
            loss: self.config.loss,
            duplicate: self.config.duplicate,
        }
    }
    fn node_name(&self, id: NodeId) -> String {
        self.name(id)
    }
    fn init_node(&self, id: NodeId, ctx: &mut RCtx<'_>) -> RaftNode {
        if id == self.client_id() {
            RaftNode::Client(Client::new(self))
        } else {
            RaftNode::Server(Server::new(self, id, ctx))
        }
    }
    fn on_message(
        &self,
        node: &mut RaftNode,
        ctx: &mut RCtx<'_>,
        from: NodeId,
        msg: Msg,
    ) -> RaftNote {
        match node {
            RaftNode::Server(s) => {
                self.persisting(s, ctx, |s, ctx| s.on_message(self, ctx, from, msg))
            }
            RaftNode::Client(c) => c.on_message(self, ctx, from, msg),
        }
    }
    fn on_timer(&self, node: &mut RaftNode, ctx: &mut RCtx<'_>, timer: Timer) -> RaftNote {
        match node {
            RaftNode::Server(s) => self.persisting(s, ctx, |s, ctx| s.on_timer(self, ctx, timer)),
            RaftNode::Client(c) => c.on_timer(self, ctx, timer),
        }
    }
    fn on_command(&self, node: &mut RaftNode, ctx: &mut RCtx<'_>, cmd: &Cmd) -> RaftNote {
        match (node, cmd) {
            (RaftNode::Server(s), Cmd::Timeout) => {
                self.persisting(s, ctx, |s, ctx| s.start_election(self, ctx, true))
            }
            (RaftNode::Client(c), Cmd::Submit { value, to }) => c.submit(self, ctx, *value, *to),
            (RaftNode::Server(s), Cmd::Submit { .. }) => RaftNote {
                node: s.id,
                term: s.term,
                stepped_down: None,
                what: What::Ignored {
                    what: "a submit sent to a server (send it to the client)",
                },
            },
            (RaftNode::Client(_), Cmd::Timeout) => RaftNote {
                node: ctx.me,
                term: 0,
                stepped_down: None,
                what: What::Ignored {
                    what: "a timeout for the client",
                },
            },
        }
    }
    fn on_crash(&self, node: &mut RaftNode) {
        if let RaftNode::Server(s) = node {
            s.crash(self);
        }
    }
    fn on_restart(&self, node: &mut RaftNode, ctx: &mut RCtx<'_>) -> RaftNote {
        match node {
            RaftNode::Server(s) => s.restart(self, ctx),
            RaftNode::Client(_) => RaftNote {
                node: ctx.me,
                term: 0,
                stepped_down: None,
                what: What::Ignored {
                    what: "a client restart",
                },
            },
        }
    }
    fn is_faultable(&self, id: NodeId) -> bool {
        id != self.client_id()
    }
    fn leader(&self, nodes: &[RaftNode], net: &Network) -> Option<NodeId> {
        nodes
            .iter()
            .filter_map(RaftNode::server)
            .filter(|s| s.role == Role::Leader && net.up[s.id.idx()])
            .max_by_key(|s| s.term)
            .map(|s| s.id)
    }
    fn invariants(&self) -> &'static [InvariantInfo] {
        INVARIANTS
    }
    fn new_checker(&self) -> RaftChecker {
        RaftChecker::new(self.n_servers())
    }
    fn check(&self, view: &CheckView<'_, Self>, checker: &mut RaftChecker, out: &mut Vec<Breach>) {
        checker.check(self, view.nodes, &view.net.up, out);
    }
    fn narrate(&self, note: &RaftNote) -> String {
        self.narrate_note(note)
    }
    fn marker(&self, note: &RaftNote) -> Option<Marker> {
        match (&note.what, note.stepped_down) {
            (What::BecameLeader { .. }, _) => Some(Marker::Role),
            (_, Some((Role::Leader, _))) => Some(Marker::Role),
            _ => None,
        }
    }
}

impl Raft {
    /// Runs a server handler and, if it changed term, vote or log, writes
    /// the change to disk. The handler's answers (votes and AppendEntries
    /// replies) are durable sends, so they wait for that write; with no
    /// write they leave at once. Requests leave at once: a candidate or
    /// leader may write its own disk in parallel with asking the others,
    /// as long as it counts itself only once the write is done, which the
    /// kernel's disk model grants since state is safe the moment it
    /// changes ([`crate::kernel::DiskModel::Parallel`]).
    fn persisting(
        &self,
        s: &mut Server,
        ctx: &mut RCtx<'_>,
        f: impl FnOnce(&mut Server, &mut RCtx<'_>) -> RaftNote,
    ) -> RaftNote {
        let before = (s.term, s.voted_for, s.log_version);
        let note = f(s, ctx);
        if (s.term, s.voted_for, s.log_version) != before {
            ctx.persist(self.config.fsync_us);
        }
        note
    }

    pub fn narrate_note(&self, n: &RaftNote) -> String {
        let me = self.name(n.node);
        let nm = |id: &NodeId| self.name(*id);
        let prefix = match n.stepped_down {
            Some((Role::Follower, t)) => format!("{me} sees term {t} and adopts it; "),
            Some((role, t)) => {
                format!("{me} sees term {t} and steps down from {role} to follower; ")
            }
            None => String::new(),
        };
        let subject = if prefix.is_empty() {
            me.clone()
        } else {
            "it".to_string()
        };
        let body = match &n.what {
            What::ElectionStarted { term, forced: false } => {
                format!("{subject}'s election timer fires: it becomes a candidate for term {term}, votes for itself and asks for votes.")
            }
            What::ElectionStarted { term, forced: true } => {
                format!("{subject} is forced to time out: it becomes a candidate for term {term}, votes for itself and asks for votes.")
            }
            What::VoteGranted { candidate, term } => format!("{subject} grants its term-{term} vote to {}.", nm(candidate)),
            What::VoteRefused { candidate, term, why } => {
                let reason = match why {
                    VoteRefusal::StaleTerm => format!("{}'s term is older than {term}", nm(candidate)),
                    VoteRefusal::AlreadyVoted(v) => format!("it already voted for {} in term {term}", nm(v)),
                    VoteRefusal::LogBehind => format!("{}'s log is less up to date than its own", nm(candidate)),
                };
                format!("{subject} refuses {}'s vote request: {reason}.", nm(candidate))
            }
            What::VoteCounted { from, granted: true, votes, needed } => {
                format!("{subject} counts a vote from {} ({votes} of the {needed} it needs).", nm(from))
            }
            What::VoteCounted { from, granted: false, votes, needed } => {
                format!("{subject} is refused by {} ({votes} of {needed} votes so far).", nm(from))
            }
            What::BecameLeader { term, votes } => {
                format!("{subject} wins with {votes} votes and becomes leader of term {term}; it sends heartbeats to assert it.")
            }
            What::Heartbeat { term, n_sent } => format!("{subject} (leader, term {term}) sends AppendEntries to {n_sent} followers."),
            What::Appended { leader, prev_index, n_new, truncated_from, commit, commit_advanced } => {
                let mut s = if *n_new == 0 {
                    format!("{subject} accepts {}'s heartbeat (log matches at index {prev_index})", nm(leader))
                } else {
                    format!("{subject} appends {n_new} entr{} from {} after index {prev_index}", if *n_new == 1 { "y" } else { "ies" }, nm(leader))
                };
                if let Some(t) = truncated_from {
                    s.push_str(&format!(", first deleting its conflicting entries from index {t}"));
                }
                if *commit_advanced {
                    s.push_str(&format!("; it learns entries up to {commit} are committed and applies them"));
                }
                s.push('.');
                s
            }
            What::AppendRefusedStale { leader, term } => {
                format!("{subject} refuses AppendEntries from {}: term {term} is stale.", nm(leader))
            }
            What::AppendRefusedMismatch { leader, prev_index, prev_term } => format!(
                "{subject} refuses AppendEntries from {}: its log has no entry of term {prev_term} at index {prev_index}.",
                nm(leader)
            ),
            What::AckCounted { from, match_index, commit, commit_advanced, earlier_term_skipped } => {
                let mut s = format!("{subject} learns {} matches its log up to index {match_index}", nm(from));
                if *commit_advanced {
                    s.push_str(&format!("; a majority stores index {commit}, so it commits and applies up to {commit}"));
                } else if *earlier_term_skipped {
                    s.push_str("; a majority stores an entry from an earlier term, but it may not count replicas for that (Figure 8)");
                }
                s.push('.');
                s
            }
            What::NackCounted { from, next_index } => {
                format!("{subject} backs up: it will retry {} from index {next_index}.", nm(from))
            }
            What::RequestAccepted { index, value } => {
                format!("{subject} appends the client's value {value} at index {index} and replicates it.")
            }
            What::RequestDuplicate { index } => format!("{subject} already has this request at index {index}; it does not append it twice."),
            What::RequestRefusedFull => format!("{subject} refuses the request: its log is at the lab's limit of {MAX_LOG} entries."),
            What::RequestRedirected { leader: Some(l) } => format!("{subject} is not the leader; it redirects the client to {}.", nm(l)),
            What::RequestRedirected { leader: None } => format!("{subject} is not the leader and knows none; the client will retry."),
            What::ClientSent { to, value, attempt: 1, .. } => format!("The client sends value {value} to {}.", nm(to)),
            What::ClientSent { to, value, attempt, .. } => format!("The client sends value {value} to {} (attempt {attempt}).", nm(to)),
            What::ClientDone { value, index, latency_us } => format!(
                "The client learns value {value} is committed at index {index}, {} after it first sent it.",
                crate::kernel::fmt_time(*latency_us)
            ),
            What::ClientGaveUp { value } => format!("The client gives up on value {value} after too many attempts."),
            What::Restarted { term, voted_for, log_len } => format!(
                "{me} restarts from disk: term {term}, voted for {}, {log_len} log entr{}; commit index and role are forgotten.",
                voted_for.map(|v| self.name(v)).unwrap_or_else(|| "nobody".into()),
                if *log_len == 1 { "y" } else { "ies" }
            ),
            What::Ignored { what } => format!("{subject} ignores {what}."),
        };
        format!("{prefix}{body}")
    }
}
