//! The event record: every event of a run, once, with every clock's stamp.
//!
//! A process appends one [`Event`] per local event, send, receive, write,
//! replicated write and transaction step. Each carries the stamps of all
//! five clocks at once, so a page can switch the clock it labels events
//! with without changing the run, and the causal structure itself: its
//! place in its process (`id.index`) and, for a receive, the send it
//! receives (`from`). A send's own id is its message id: every receive of
//! it (a broadcast has several; a duplicated message two) names it.
//!
//! Happens-before is computed from that structure alone ([`happens_before`]),
//! never from the vector stamps, so the invariants can hold the vector
//! clock to the truth. For an export, an event is a host (the process's
//! name), a vector clock (process name → counter, [`Event::vector_pairs`])
//! and a description ([`Event::describe`]).

use super::stamps::{Hlc, Lamport, TtInterval, VClock};
use crate::kernel::TimeUs;
use serde::Serialize;

/// An event: process (0-based) and its index in that process (0-based).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct EventId {
    pub process: u8,
    pub index: u32,
}

impl EventId {
    /// `P2.5`: process P2's sixth event... named 1-based in both parts for people.
    pub fn label(&self) -> String {
        format!("P{}.{}", self.process + 1, self.index + 1)
    }
}

/// What kind of event.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub enum EventKind {
    Local,
    /// A message to `to` (process indexes); `request`: the receiver answers.
    Send {
        to: Vec<u8>,
        request: bool,
    },
    /// The receive of message `from` (the send's id).
    Receive,
    /// A reply to the request received just before, sent back.
    Reply {
        to: u8,
    },
    /// A write of `value` to `key`, applied here and sent to every other process.
    Write {
        key: u8,
        value: u32,
    },
    /// A replicated write received and settled by the store.
    Apply {
        key: u8,
        value: u32,
    },
    /// A transaction starts and picks its commit timestamp `s_us`.
    CommitStart {
        txn: u32,
        s_us: i64,
    },
    /// A transaction is acknowledged (after its commit wait, if on).
    CommitAck {
        txn: u32,
        s_us: i64,
    },
}

impl EventKind {
    pub fn name(&self) -> &'static str {
        match self {
            EventKind::Local => "local",
            EventKind::Send { request: true, .. } => "request",
            EventKind::Send { .. } => "send",
            EventKind::Receive => "receive",
            EventKind::Reply { .. } => "reply",
            EventKind::Write { .. } => "write",
            EventKind::Apply { .. } => "apply",
            EventKind::CommitStart { .. } => "commit-start",
            EventKind::CommitAck { .. } => "commit-ack",
        }
    }
    /// Whether the event sends a message (its id is then a message id).
    pub fn sends(&self) -> bool {
        matches!(
            self,
            EventKind::Send { .. } | EventKind::Reply { .. } | EventKind::Write { .. }
        )
    }
}

/// Every clock's stamp of one event.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Stamps {
    /// The process's wall clock (its kernel clock plus any sync correction), µs.
    pub wall_us: i64,
    pub lamport: Lamport,
    pub vector: VClock,
    pub hlc: Hlc,
    /// The physical time the HLC read, in its ticks.
    pub pt: i64,
    /// `TT.now()` at the event.
    pub tt: TtInterval,
}

/// What a write or a replicated write did to the store: the writes it
/// kept for the key and those it threw away (by their write events).
#[derive(Clone, Debug, PartialEq, Eq, Default, Serialize)]
pub struct KvEffect {
    pub kept: Vec<EventId>,
    pub discarded: Vec<EventId>,
}

/// One event of the run.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Event {
    pub id: EventId,
    pub kind: EventKind,
    /// True (virtual) time.
    pub true_us: TimeUs,
    pub stamps: Stamps,
    /// For a receive or an apply: the send it receives.
    pub from: Option<EventId>,
    /// For a write or an apply: what the store kept and dropped.
    pub kv: Option<KvEffect>,
}

impl Event {
    /// The id of the message this event sends or receives, if any.
    pub fn message(&self) -> Option<EventId> {
        if self.kind.sends() {
            Some(self.id)
        } else {
            self.from
        }
    }
    /// The vector stamp as (process name, counter) pairs, zero entries
    /// left out, in process order: what a log with vector clocks writes.
    pub fn vector_pairs(&self, name: impl Fn(u8) -> String) -> Vec<(String, u64)> {
        self.stamps
            .vector
            .0
            .iter()
            .enumerate()
            .filter(|(_, c)| **c > 0)
            .map(|(q, c)| (name(q as u8), *c as u64))
            .collect()
    }
    /// A one-line description: kind, and what it carries.
    pub fn describe(&self) -> String {
        let msg = |id: &EventId| id.label();
        match &self.kind {
            EventKind::Local => "local event".into(),
            EventKind::Send { to, request } => {
                let to: Vec<String> = to.iter().map(|q| format!("P{}", q + 1)).collect();
                format!(
                    "{} {} to {}",
                    if *request { "request" } else { "send" },
                    self.id.label(),
                    to.join(",")
                )
            }
            EventKind::Receive => format!(
                "receive {}",
                self.from.as_ref().map(msg).unwrap_or_default()
            ),
            EventKind::Reply { to } => format!("reply {} to P{}", self.id.label(), to + 1),
            EventKind::Write { key, value } => format!("write k{key}={value}"),
            EventKind::Apply { key, value } => format!(
                "apply k{key}={value} from {}",
                self.from.as_ref().map(msg).unwrap_or_default()
            ),
            EventKind::CommitStart { txn, s_us } => {
                format!("T{}.{txn} starts, s={s_us}", self.id.process + 1)
            }
            EventKind::CommitAck { txn, s_us } => {
                format!("T{}.{txn} acknowledged, s={s_us}", self.id.process + 1)
            }
        }
    }
}

/// The event `id` in per-process logs.
pub fn event<'a>(logs: &[&'a [Event]], id: EventId) -> Option<&'a Event> {
    logs.get(id.process as usize)?.get(id.index as usize)
}

/// Whether `a` happens before `b` (Lamport's →) in the recorded causal
/// structure: a path of process order and send-to-receive edges from `a`
/// to `b`. Irreflexive. Walks back from `b` once over each event at most.
pub fn happens_before(logs: &[&[Event]], a: EventId, b: EventId) -> bool {
    if a == b || event(logs, a).is_none() || event(logs, b).is_none() {
        return false;
    }
    // reached[p]: the highest index of p already walked down from (all
    // of p's events below it are then in b's past too).
    let mut reached: Vec<Option<u32>> = vec![None; logs.len()];
    let mut stack: Vec<EventId> = Vec::new();
    // b's direct predecessors.
    if b.index > 0 {
        stack.push(EventId {
            process: b.process,
            index: b.index - 1,
        });
    }
    if let Some(s) = event(logs, b).and_then(|e| e.from) {
        stack.push(s);
    }
    while let Some(top) = stack.pop() {
        let p = top.process as usize;
        if p >= logs.len() || (top.index as usize) >= logs[p].len() {
            continue;
        }
        let floor = match reached[p] {
            Some(r) if r >= top.index => continue,
            Some(r) => r + 1,
            None => 0,
        };
        if top.process == a.process && top.index >= a.index {
            return true;
        }
        reached[p] = Some(top.index);
        for i in floor..=top.index {
            if let Some(s) = logs[p][i as usize].from {
                stack.push(s);
            }
        }
    }
    false
}

/// Neither happens before the other (and they are different events).
pub fn concurrent(logs: &[&[Event]], a: EventId, b: EventId) -> bool {
    a != b && !happens_before(logs, a, b) && !happens_before(logs, b, a)
}
