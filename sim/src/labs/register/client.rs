//! A client: a sequential process that reads and writes the register
//! through one coordinator replica, one operation at a time, and records
//! every operation it starts ([`OpRecord`]). It never retries: an
//! operation that gets no answer in time stays unanswered in the history
//! (it may or may not have taken effect), and the next command is a new
//! operation.
//!
//! With the automatic workload on, each client starts an operation every
//! `auto_ms` (± 50 %, drawn from the run's RNG) when it is idle; client
//! `c` writes the values `(c + 1) · 1000 + k`, so automatic writes are
//! distinct.

use super::coord::context_after;
use super::version::{values, OpRef, Version};
use super::{Answer, Holder, Msg, RCtx, RegNote, Register, Timer, What};
use crate::history::{Op, OpKind, Value};
use crate::kernel::{NodeId, TimeUs};

/// Operations one client records at most; further commands are refused.
pub const MAX_OPS: usize = 200;

/// What became of an operation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Sent, no answer yet.
    Pending,
    /// Served.
    Ok,
    /// Refused before anything was written ("unavailable"): certainly no effect.
    Unavailable,
    /// The coordinator gave up after some replicas may have stored the
    /// write: it may or may not take effect.
    Failed,
    /// No answer in time (or the client crashed): it may or may not take effect.
    NoAnswer,
}

/// One operation as its client saw it.
#[derive(Clone, Debug, PartialEq)]
pub struct OpRecord {
    pub idx: u32,
    pub kind: OpKind,
    /// Write: the value written.
    pub value: Option<Value>,
    /// The coordinator it was sent to.
    pub via: NodeId,
    /// Started by the automatic workload.
    pub auto: bool,
    pub invoke_us: TimeUs,
    /// When an answer (of any kind) arrived.
    pub answered_us: Option<TimeUs>,
    pub outcome: Outcome,
    /// Read: the versions returned (none: the register was empty; several: siblings).
    pub read: Vec<Version>,
    /// Write: the version it created.
    pub written: Option<Version>,
    /// Replicas whose versions the answer was based on (CP query phase, quorum read).
    pub read_set: Vec<NodeId>,
    /// Replicas that stored the write (or a CP read's write-back); stand-ins carry a hint.
    pub write_set: Vec<Holder>,
    /// For refusals and failures: replicas heard and needed.
    pub quorum: Option<(u8, u8)>,
}

impl OpRecord {
    /// When the operation finished successfully, if it did.
    pub fn ok_at(&self) -> Option<TimeUs> {
        if self.outcome == Outcome::Ok {
            self.answered_us
        } else {
            None
        }
    }

    pub fn latency_us(&self) -> Option<TimeUs> {
        self.answered_us.map(|t| t.saturating_sub(self.invoke_us))
    }

    /// The shared history form. Conventions: a refused operation is
    /// `ok: false` with a response; a write that failed after a partial
    /// store, or got no answer, is indeterminate: `ok: true, response:
    /// None`; a read with no answer is `ok: false, response: None`; a read
    /// of siblings reports the sibling with the highest stamp.
    pub fn to_op(&self, client: u8) -> Op {
        let (ok, response) = match self.outcome {
            Outcome::Ok => (true, self.answered_us),
            Outcome::Unavailable => (false, self.answered_us),
            Outcome::Pending | Outcome::Failed | Outcome::NoAnswer => {
                (self.kind == OpKind::Write, None)
            }
        };
        let value = match self.kind {
            OpKind::Read => self.read.iter().max_by_key(|v| v.stamp).map(|v| v.value),
            _ => self.value,
        };
        Op {
            client: client as u32,
            kind: self.kind,
            value,
            expected: None,
            ok,
            invoke: self.invoke_us,
            response,
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Client {
    pub id: NodeId,
    /// The client's number: 0 for C1.
    pub c: u8,
    pub home: NodeId,
    pub ops: Vec<OpRecord>,
    /// The operation in progress, if any.
    pub pending: Option<u32>,
    /// Version-vector context of the last answer: sent with writes.
    pub context: Vec<u64>,
    /// Automatic writes so far (for distinct values).
    pub n_auto_writes: u32,
}

impl Client {
    pub fn new(reg: &Register, c: u8, ctx: &mut RCtx<'_>) -> Client {
        let cl = Client {
            id: ctx.me,
            c,
            home: reg.home(c),
            ops: Vec::new(),
            pending: None,
            context: Vec::new(),
            n_auto_writes: 0,
        };
        cl.arm_auto(reg, ctx);
        cl
    }

    fn note(&self, what: What) -> RegNote {
        RegNote {
            node: self.id,
            what,
        }
    }

    fn arm_auto(&self, reg: &Register, ctx: &mut RCtx<'_>) {
        if reg.config.auto_ms > 0 && self.ops.len() < MAX_OPS {
            let after = reg.auto_us(ctx.rng);
            ctx.set_timer(Timer::Auto, after);
        }
    }

    pub fn op_ref(&self, idx: u32) -> OpRef {
        OpRef {
            client: self.c,
            idx,
        }
    }

    /// Starts an operation through `via` (or the home replica).
    pub fn invoke(
        &mut self,
        reg: &Register,
        ctx: &mut RCtx<'_>,
        kind: OpKind,
        value: Option<Value>,
        via: Option<NodeId>,
        auto: bool,
    ) -> RegNote {
        if let Some(p) = self.pending {
            return self.note(What::Busy { pending: p });
        }
        if self.ops.len() >= MAX_OPS {
            return self.note(What::HistoryFull);
        }
        let via = via.filter(|v| reg.is_replica(*v)).unwrap_or(self.home);
        let idx = self.ops.len() as u32;
        self.ops.push(OpRecord {
            idx,
            kind,
            value,
            via,
            auto,
            invoke_us: ctx.now,
            answered_us: None,
            outcome: Outcome::Pending,
            read: vec![],
            written: None,
            read_set: vec![],
            write_set: vec![],
            quorum: None,
        });
        self.pending = Some(idx);
        ctx.send(
            via,
            Msg::Request {
                op: idx,
                kind,
                value,
                context: self.context.clone(),
            },
        );
        ctx.set_timer(Timer::ClientOp(idx), reg.client_timeout_us());
        self.note(What::Invoked {
            op: idx,
            kind,
            value,
            via,
            auto,
        })
    }

    pub fn on_message(
        &mut self,
        _reg: &Register,
        ctx: &mut RCtx<'_>,
        _from: NodeId,
        msg: Msg,
    ) -> RegNote {
        let Msg::Reply {
            op,
            answer,
            read_set,
            write_set,
        } = msg
        else {
            return self.note(What::Ignored {
                what: "a message meant for a replica",
            });
        };
        if self.pending != Some(op) {
            return self.note(What::LateReply { op });
        }
        let Some(rec) = self.ops.get_mut(op as usize) else {
            return self.note(What::LateReply { op });
        };
        self.pending = None;
        ctx.cancel_timer(Timer::ClientOp(op));
        rec.answered_us = Some(ctx.now);
        rec.read_set = read_set;
        rec.write_set = write_set;
        if let Some(c) = context_after(&answer) {
            self.context = c;
        }
        match answer {
            Answer::Written { version } => {
                rec.outcome = Outcome::Ok;
                rec.written = Some(version);
            }
            Answer::Read { versions } => {
                rec.outcome = Outcome::Ok;
                rec.read = versions;
            }
            Answer::Unavailable { heard, needed } => {
                rec.outcome = Outcome::Unavailable;
                rec.quorum = Some((heard, needed));
            }
            Answer::Failed { heard, needed } => {
                rec.outcome = Outcome::Failed;
                rec.quorum = Some((heard, needed));
            }
        }
        let latency_us = rec.latency_us().unwrap_or(0);
        let what = What::Completed {
            op,
            kind: rec.kind,
            outcome: rec.outcome,
            values: values(&rec.read),
            latency_us,
        };
        self.note(what)
    }

    pub fn on_timer(&mut self, reg: &Register, ctx: &mut RCtx<'_>, timer: Timer) -> RegNote {
        match timer {
            Timer::ClientOp(op) if self.pending == Some(op) => {
                self.pending = None;
                let kind = match self.ops.get_mut(op as usize) {
                    Some(rec) => {
                        rec.outcome = Outcome::NoAnswer;
                        rec.kind
                    }
                    None => OpKind::Read,
                };
                self.note(What::NoAnswer { op, kind })
            }
            Timer::Auto => {
                self.arm_auto(reg, ctx);
                if self.pending.is_some() || self.ops.len() >= MAX_OPS {
                    return self.note(What::Ignored {
                        what: "its automatic turn: it is still waiting for an answer",
                    });
                }
                let write = ctx.rng.chance(reg.config.write_pct as f64 / 100.0);
                if write {
                    let value = (self.c as Value + 1) * 1000 + self.n_auto_writes as Value;
                    self.n_auto_writes += 1;
                    self.invoke(reg, ctx, OpKind::Write, Some(value), None, true)
                } else {
                    self.invoke(reg, ctx, OpKind::Read, None, None, true)
                }
            }
            _ => self.note(What::Ignored {
                what: "a timer left over from an operation that is over",
            }),
        }
    }

    /// A crashed client abandons its operation in progress: no answer.
    pub fn crash(&mut self) {
        if let Some(p) = self.pending.take() {
            if let Some(rec) = self.ops.get_mut(p as usize) {
                rec.outcome = Outcome::NoAnswer;
            }
        }
    }

    pub fn restart(&mut self, reg: &Register, ctx: &mut RCtx<'_>) -> RegNote {
        self.arm_auto(reg, ctx);
        self.note(What::Restarted {
            values: vec![],
            n_hints: 0,
        })
    }
}
