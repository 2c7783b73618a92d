//! The coordinator half of a replica: it runs a client's operation and
//! answers it. One function per mode and phase:
//!
//! - CP (ABD): [`Replica::abd_start`] asks every replica for its versions
//!   (phase 1, "query"); with a majority of answers a write picks a higher
//!   timestamp and a read picks the highest version, and both store it on
//!   a majority (phase 2, "store"; for a read, the write-back).
//! - AP: [`Replica::ap_write`] and [`Replica::ap_read`] answer from the
//!   coordinator's own copy; writes replicate in the background.
//! - Quorum: [`Replica::quorum_write`] and [`Replica::quorum_read`] contact
//!   the `N` preferred replicas and answer after `W` acks or `R` replies;
//!   [`Replica::on_sloppy`] turns to stand-ins; late read replies feed read
//!   repair.
//!
//! Every operation has a deadline ([`Replica::on_coord_timeout`]): a read
//! or a CP query that misses it is refused as unavailable (certainly no
//! effect); a write that misses it after storing anywhere is answered as
//! failed, which may or may not have taken effect.

use super::version::{context_of, merge_all, same, top_stamp, values, OpRef, Stamp, Version};
use super::{Answer, AnswerKind, Holder, Mode, Msg, RCtx, RegNote, Register, Replica, Timer, What};
use crate::history::{OpKind, Value};
use crate::kernel::{NodeId, TimeUs};

/// Operations one replica coordinates at once; more are refused.
pub const MAX_COORD: usize = 16;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    /// ABD phase 1: collecting versions from a majority.
    Query,
    /// ABD phase 2: storing on a majority (a write, or a read's write-back).
    Store,
    /// Quorum mode: collecting `W` acks or `R` replies.
    Collect,
}

/// An operation in progress at its coordinator.
#[derive(Clone, Debug, PartialEq)]
pub struct CoordOp {
    /// The coordinator's own number for it (timer key).
    pub cid: u32,
    pub client: NodeId,
    /// The client's index of the operation.
    pub op: u32,
    pub kind: OpKind,
    pub value: Option<Value>,
    pub context: Vec<u64>,
    pub phase: Phase,
    /// Request id of the current phase's messages.
    pub rid: u32,
    /// Replicas asked in the current phase (stand-ins included).
    pub asked: Vec<NodeId>,
    /// Replicas that answered in the current phase.
    pub heard: Vec<NodeId>,
    /// Replicas whose versions the answer is based on.
    pub read_set: Vec<NodeId>,
    /// Replicas that stored the version (write or write-back).
    pub write_set: Vec<Holder>,
    /// Versions heard so far, merged.
    pub seen: Vec<Version>,
    /// Quorum reads: each reply, for read repair.
    pub replies: Vec<(NodeId, Vec<Version>)>,
    /// Replicas already sent a read repair.
    pub repaired: Vec<NodeId>,
    /// The version being stored.
    pub chosen: Option<Version>,
    /// The client has its answer; the operation only collects late replies for read repair.
    pub answered: bool,
    pub stand_ins_used: bool,
    pub started_us: TimeUs,
}

impl Replica {
    fn cp_pos(&self, cid: u32) -> Option<usize> {
        self.coord.iter().position(|o| o.cid == cid)
    }

    fn answer(&self, ctx: &mut RCtx<'_>, op: &CoordOp, answer: Answer) {
        ctx.send(
            op.client,
            Msg::Reply {
                op: op.op,
                answer,
                read_set: op.read_set.clone(),
                write_set: op.write_set.clone(),
            },
        );
    }

    /// A new version of `value`: a fresh stamp from this replica's clock
    /// (CP overrides `t` with the ABD counter) and, under version vectors,
    /// the client's context with this replica's entry advanced.
    fn new_version(
        &mut self,
        reg: &Register,
        now: TimeUs,
        value: Value,
        context: &[u64],
        origin: OpRef,
    ) -> Version {
        let stamp = Stamp {
            t: self.clock_us(now),
            node: self.id.0,
            seq: self.write_seq,
        };
        self.write_seq = self.write_seq.wrapping_add(1);
        let vv = if reg.rule() == super::Rule::Causal {
            let mut vv = context.to_vec();
            vv.resize(reg.n_replicas(), 0);
            let me = self.id.idx();
            let next = self.vv_counter.max(vv[me]).saturating_add(1);
            vv[me] = next;
            self.vv_counter = next;
            vv
        } else {
            Vec::new()
        };
        Version {
            value,
            stamp,
            vv,
            origin,
        }
    }

    #[allow(clippy::too_many_arguments)]
    pub(super) fn on_request(
        &mut self,
        reg: &Register,
        ctx: &mut RCtx<'_>,
        client: NodeId,
        op: u32,
        kind: OpKind,
        value: Option<Value>,
        context: Vec<u64>,
    ) -> RegNote {
        let Some(c) = reg.client_of(client) else {
            return self.note(What::Ignored {
                what: "a request from a node that is not a client",
            });
        };
        if self.coord.len() >= MAX_COORD {
            let reply = Msg::Reply {
                op,
                answer: Answer::Unavailable {
                    heard: 0,
                    needed: 0,
                },
                read_set: vec![],
                write_set: vec![],
            };
            ctx.send(client, reply);
            return self.note(What::Overloaded { client });
        }
        let value = match (kind, value) {
            (OpKind::Write, None) | (OpKind::Cas, _) => {
                return self.note(What::Ignored {
                    what: "a malformed request",
                });
            }
            (_, v) => v,
        };
        let cid = self.new_rid();
        let mut o = CoordOp {
            cid,
            client,
            op,
            kind,
            value,
            context,
            phase: Phase::Collect,
            rid: 0,
            asked: vec![],
            heard: vec![],
            read_set: vec![],
            write_set: vec![],
            seen: vec![],
            replies: vec![],
            repaired: vec![],
            chosen: None,
            answered: false,
            stand_ins_used: false,
            started_us: ctx.now,
        };
        let origin = OpRef { client: c, idx: op };
        match (reg.config.mode, kind) {
            (Mode::Cp, _) => self.abd_start(reg, ctx, o, origin),
            (Mode::Ap, OpKind::Write) => self.ap_write(reg, ctx, o, origin),
            (Mode::Ap, _) => self.ap_read(reg, ctx, o),
            (Mode::Quorum, OpKind::Write) => self.quorum_write(reg, ctx, o, origin),
            (Mode::Quorum, _) => {
                o.rid = self.new_rid();
                self.quorum_read(reg, ctx, o)
            }
        }
    }

    // ---- CP: ABD -------------------------------------------------------

    fn abd_start(
        &mut self,
        reg: &Register,
        ctx: &mut RCtx<'_>,
        mut o: CoordOp,
        origin: OpRef,
    ) -> RegNote {
        let rule = reg.rule();
        let needed = reg.majority() as u8;
        o.seen = self.visible(rule);
        o.heard = vec![self.id];
        o.read_set = vec![self.id];
        ctx.set_timer(Timer::CoordOp(o.cid), reg.op_timeout_us());
        if o.kind == OpKind::Write && !reg.config.safety.write_query {
            // Switch off: stamp from the local copy only, skipping phase 1.
            return self.abd_store(reg, ctx, o, origin, None);
        }
        o.phase = Phase::Query;
        o.rid = self.new_rid();
        for p in reg.replica_ids().filter(|p| *p != self.id) {
            ctx.send(p, Msg::Get { rid: o.rid });
            o.asked.push(p);
        }
        let what = What::AbdQuery {
            client: o.client,
            kind: o.kind,
            value: o.value,
            asked: o.asked.len() as u8,
            needed,
        };
        self.coord.push(o);
        self.note(what)
    }

    /// Phase 1 is over (or skipped): choose the version and store it on a
    /// majority, or answer a read that has nothing to write back.
    fn abd_store(
        &mut self,
        reg: &Register,
        ctx: &mut RCtx<'_>,
        mut o: CoordOp,
        origin: OpRef,
        from: Option<NodeId>,
    ) -> RegNote {
        let heard = o.heard.len() as u8;
        let chosen = match o.kind {
            OpKind::Write => {
                let t = top_stamp(&o.seen)
                    .map(|s| s.t)
                    .unwrap_or(0)
                    .saturating_add(1);
                let mut v = self.new_version(reg, ctx.now, o.value.unwrap_or(0), &[], origin);
                v.stamp.t = t;
                v
            }
            _ => {
                let top = o.seen.iter().max_by_key(|v| v.stamp).cloned();
                match top {
                    Some(v) if reg.config.safety.read_write_back => v,
                    _ => {
                        // Empty register, or write-back switched off: answer now.
                        let versions: Vec<Version> = top.into_iter().collect();
                        ctx.cancel_timer(Timer::CoordOp(o.cid));
                        self.answer(ctx, &o, Answer::Read { versions });
                        let needed = reg.majority() as u8;
                        return self.note(What::Counted {
                            from: from.unwrap_or(self.id),
                            ack: false,
                            heard,
                            needed,
                            answered: Some(AnswerKind::Read),
                            repaired: vec![],
                        });
                    }
                }
            }
        };
        o.phase = Phase::Store;
        o.rid = self.new_rid();
        o.heard = vec![self.id];
        o.asked.clear();
        o.write_set = vec![Holder {
            node: self.id,
            hint_for: None,
        }];
        let local = self.store(reg.rule(), chosen.clone());
        for p in reg.replica_ids().filter(|p| *p != self.id) {
            ctx.send(
                p,
                Msg::Put {
                    rid: o.rid,
                    version: chosen.clone(),
                    ack: true,
                    hint_for: None,
                },
            );
            o.asked.push(p);
        }
        let what = What::AbdStore {
            kind: o.kind,
            value: chosen.value,
            stamp: chosen.stamp,
            heard,
            from,
            skipped_query: from.is_none() && o.kind == OpKind::Write,
            local,
        };
        o.chosen = Some(chosen);
        self.coord.push(o);
        self.note(what)
    }

    // ---- AP ------------------------------------------------------------

    fn ap_write(
        &mut self,
        reg: &Register,
        ctx: &mut RCtx<'_>,
        mut o: CoordOp,
        origin: OpRef,
    ) -> RegNote {
        let v = self.new_version(reg, ctx.now, o.value.unwrap_or(0), &o.context, origin);
        let local = self.store(reg.rule(), v.clone());
        let mut sent = 0u8;
        for p in reg.preferred().into_iter().filter(|p| *p != self.id) {
            ctx.send(
                p,
                Msg::Put {
                    rid: 0,
                    version: v.clone(),
                    ack: false,
                    hint_for: None,
                },
            );
            sent += 1;
        }
        o.write_set = vec![Holder {
            node: self.id,
            hint_for: None,
        }];
        let (value, stamp) = (v.value, v.stamp);
        self.answer(ctx, &o, Answer::Written { version: v });
        self.note(What::ApWrite {
            client: o.client,
            value,
            stamp,
            local,
            sent,
        })
    }

    fn ap_read(&mut self, reg: &Register, ctx: &mut RCtx<'_>, mut o: CoordOp) -> RegNote {
        let versions = self.visible(reg.rule());
        let vals = values(&versions);
        o.read_set = vec![self.id];
        self.answer(ctx, &o, Answer::Read { versions });
        self.note(What::ApRead {
            client: o.client,
            values: vals,
        })
    }

    // ---- Quorum --------------------------------------------------------

    fn quorum_write(
        &mut self,
        reg: &Register,
        ctx: &mut RCtx<'_>,
        mut o: CoordOp,
        origin: OpRef,
    ) -> RegNote {
        let v = self.new_version(reg, ctx.now, o.value.unwrap_or(0), &o.context, origin);
        o.rid = self.new_rid();
        let targets = reg.preferred();
        let mut local = None;
        if targets.contains(&self.id) {
            local = Some(self.store(reg.rule(), v.clone()));
            o.heard.push(self.id);
            o.write_set.push(Holder {
                node: self.id,
                hint_for: None,
            });
        }
        for p in targets.iter().filter(|p| **p != self.id) {
            ctx.send(
                *p,
                Msg::Put {
                    rid: o.rid,
                    version: v.clone(),
                    ack: true,
                    hint_for: None,
                },
            );
            o.asked.push(*p);
        }
        let needed = reg.write_quorum() as u8;
        let what = What::QuorumWrite {
            client: o.client,
            value: v.value,
            stamp: v.stamp,
            local,
            asked: o.asked.len() as u8,
            needed,
        };
        o.chosen = Some(v.clone());
        if o.write_set.len() >= needed as usize {
            self.answer(ctx, &o, Answer::Written { version: v });
        } else {
            ctx.set_timer(Timer::CoordOp(o.cid), reg.op_timeout_us());
            if reg.config.sloppy && reg.n_replicas() > targets.len() {
                ctx.set_timer(Timer::Sloppy(o.cid), reg.sloppy_after_us());
            }
            self.coord.push(o);
        }
        self.note(what)
    }

    fn quorum_read(&mut self, reg: &Register, ctx: &mut RCtx<'_>, mut o: CoordOp) -> RegNote {
        let targets = reg.preferred();
        let local = targets.contains(&self.id);
        if local {
            let mine = self.visible(reg.rule());
            o.seen = mine.clone();
            o.replies.push((self.id, mine));
            o.heard.push(self.id);
            o.read_set.push(self.id);
        }
        for p in targets.iter().filter(|p| **p != self.id) {
            ctx.send(*p, Msg::Get { rid: o.rid });
            o.asked.push(*p);
        }
        let needed = reg.read_quorum() as u8;
        let what = What::QuorumRead {
            client: o.client,
            asked: o.asked.len() as u8,
            local,
            needed,
        };
        if o.heard.len() >= needed as usize {
            o.answered = true;
            self.answer(
                ctx,
                &o,
                Answer::Read {
                    versions: o.seen.clone(),
                },
            );
        }
        let keep = !o.asked.is_empty() && (!o.answered || reg.config.read_repair);
        if keep {
            ctx.set_timer(Timer::CoordOp(o.cid), reg.op_timeout_us());
            if !o.answered && reg.config.sloppy && reg.n_replicas() > targets.len() {
                ctx.set_timer(Timer::Sloppy(o.cid), reg.sloppy_after_us());
            }
            self.coord.push(o);
        }
        self.note(what)
    }

    /// Read repair: send the merged versions to every replier that lacks
    /// some of them (repairing itself directly). Returns who was repaired.
    fn read_repair(&mut self, reg: &Register, ctx: &mut RCtx<'_>, pos: usize) -> Vec<NodeId> {
        if !reg.config.read_repair {
            return vec![];
        }
        let o = &self.coord[pos];
        let stale: Vec<NodeId> = o
            .replies
            .iter()
            .filter(|(n, vs)| {
                !o.repaired.contains(n) && !same(vs, &o.seen) && reg.preferred().contains(n)
            })
            .map(|(n, _)| *n)
            .collect();
        let seen = o.seen.clone();
        for n in &stale {
            if *n == self.id {
                self.store_all(reg.rule(), &seen);
            } else {
                ctx.send(
                    *n,
                    Msg::Repair {
                        versions: seen.clone(),
                    },
                );
            }
        }
        self.coord[pos].repaired.extend(stale.iter().copied());
        stale
    }

    // ---- Replies, acks, timeouts ---------------------------------------

    pub(super) fn on_get_reply(
        &mut self,
        reg: &Register,
        ctx: &mut RCtx<'_>,
        from: NodeId,
        rid: u32,
        versions: Vec<Version>,
    ) -> RegNote {
        let Some(pos) = self
            .coord
            .iter()
            .position(|o| o.rid == rid && o.phase != Phase::Store)
        else {
            return self.note(What::Ignored {
                what: "a late Get reply: it already had enough answers, or the operation is over",
            });
        };
        if self.coord[pos].heard.contains(&from) {
            return self.note(What::Ignored {
                what: "a second Get reply from the same replica",
            });
        }
        let rule = reg.rule();
        let o = &mut self.coord[pos];
        o.heard.push(from);
        merge_all(&mut o.seen, &versions, rule);
        if reg.config.mode == Mode::Cp {
            o.read_set.push(from);
            let heard = o.heard.len() as u8;
            let needed = reg.majority() as u8;
            if heard < needed {
                return self.note(What::Counted {
                    from,
                    ack: false,
                    heard,
                    needed,
                    answered: None,
                    repaired: vec![],
                });
            }
            let o = self.coord.remove(pos);
            let origin = match reg.client_of(o.client) {
                Some(c) => OpRef {
                    client: c,
                    idx: o.op,
                },
                None => {
                    return self.note(What::Ignored {
                        what: "an operation from a node that is not a client",
                    })
                }
            };
            return self.abd_store(reg, ctx, o, origin, Some(from));
        }
        // Quorum read.
        o.replies.push((from, versions));
        let needed = reg.read_quorum() as u8;
        let mut answered = None;
        if !o.answered {
            o.read_set.push(from);
            if o.heard.len() >= needed as usize {
                o.answered = true;
                answered = Some(AnswerKind::Read);
                let o = o.clone();
                ctx.cancel_timer(Timer::Sloppy(o.cid));
                self.answer(
                    ctx,
                    &o,
                    Answer::Read {
                        versions: o.seen.clone(),
                    },
                );
            }
        }
        let heard = self.coord[pos].heard.len() as u8;
        let repaired = if self.coord[pos].answered {
            self.read_repair(reg, ctx, pos)
        } else {
            vec![]
        };
        let o = &self.coord[pos];
        let all_in = o.asked.iter().all(|a| o.heard.contains(a));
        if o.answered && (all_in || !reg.config.read_repair) {
            let cid = o.cid;
            self.coord.remove(pos);
            ctx.cancel_timer(Timer::CoordOp(cid));
        }
        self.note(What::Counted {
            from,
            ack: false,
            heard,
            needed,
            answered,
            repaired,
        })
    }

    pub(super) fn on_put_ack(
        &mut self,
        reg: &Register,
        ctx: &mut RCtx<'_>,
        from: NodeId,
        rid: u32,
        hint_for: Option<NodeId>,
    ) -> RegNote {
        let Some(pos) = self
            .coord
            .iter()
            .position(|o| o.rid == rid && o.phase != Phase::Query)
        else {
            return self.note(What::Ignored {
                what: "a late Put ack: it already had enough acks, or the operation is over",
            });
        };
        let o = &mut self.coord[pos];
        if o.heard.contains(&from) {
            return self.note(What::Ignored {
                what: "a second Put ack from the same replica",
            });
        }
        o.heard.push(from);
        o.write_set.push(Holder {
            node: from,
            hint_for,
        });
        let needed = if reg.config.mode == Mode::Cp {
            reg.majority()
        } else {
            reg.write_quorum()
        } as u8;
        let heard = o.write_set.len() as u8;
        if heard < needed {
            return self.note(What::Counted {
                from,
                ack: true,
                heard,
                needed,
                answered: None,
                repaired: vec![],
            });
        }
        let o = self.coord.remove(pos);
        ctx.cancel_timer(Timer::CoordOp(o.cid));
        ctx.cancel_timer(Timer::Sloppy(o.cid));
        let chosen = o.chosen.clone();
        let (answer, kind) = match (o.kind, chosen) {
            (OpKind::Write, Some(v)) => (Answer::Written { version: v }, AnswerKind::Written),
            (_, Some(v)) => (Answer::Read { versions: vec![v] }, AnswerKind::Read),
            (_, None) => (Answer::Unavailable { heard, needed }, AnswerKind::Read),
        };
        self.answer(ctx, &o, answer);
        self.note(What::Counted {
            from,
            ack: true,
            heard,
            needed,
            answered: Some(kind),
            repaired: vec![],
        })
    }

    pub(super) fn on_coord_timeout(
        &mut self,
        reg: &Register,
        ctx: &mut RCtx<'_>,
        cid: u32,
    ) -> RegNote {
        let Some(pos) = self.cp_pos(cid) else {
            return self.note(What::Ignored {
                what: "a deadline for an operation that is over",
            });
        };
        let o = self.coord.remove(pos);
        ctx.cancel_timer(Timer::Sloppy(cid));
        if o.answered {
            return self.note(What::Ignored {
                what: "late replies to a read it already answered; it stops waiting",
            });
        }
        let (heard, needed) = match (o.phase, o.kind) {
            (Phase::Query, _) => (o.heard.len(), reg.majority()),
            (Phase::Store, _) => (o.write_set.len(), reg.majority()),
            (Phase::Collect, OpKind::Write) => (o.write_set.len(), reg.write_quorum()),
            (Phase::Collect, _) => (o.heard.len(), reg.read_quorum()),
        };
        let (heard, needed) = (heard as u8, needed as u8);
        // A write that stored anywhere may still take effect: indeterminate.
        let indeterminate = o.kind == OpKind::Write && o.phase != Phase::Query;
        let answer = if indeterminate {
            Answer::Failed { heard, needed }
        } else {
            Answer::Unavailable { heard, needed }
        };
        self.answer(ctx, &o, answer);
        self.note(What::GaveUp {
            client: o.client,
            kind: o.kind,
            heard,
            needed,
            indeterminate,
        })
    }

    /// Sloppy quorum: the preferred replicas have been slow to answer, so
    /// ask stand-ins (replicas outside the preference list, this
    /// coordinator first) in their place: a hinted write for each
    /// preferred replica that has not acked, or a read.
    pub(super) fn on_sloppy(&mut self, reg: &Register, ctx: &mut RCtx<'_>, cid: u32) -> RegNote {
        let Some(pos) = self.cp_pos(cid) else {
            return self.note(What::Ignored {
                what: "a sloppy-quorum timer for an operation that is over",
            });
        };
        let pref = reg.preferred();
        let o = &self.coord[pos];
        if o.answered || o.stand_ins_used {
            return self.note(What::Ignored {
                what: "a sloppy-quorum timer: the operation has its quorum",
            });
        }
        let missing: Vec<NodeId> = pref
            .iter()
            .copied()
            .filter(|p| !o.heard.contains(p))
            .collect();
        let mut stand_ins: Vec<NodeId> = reg
            .replica_ids()
            .filter(|r| !pref.contains(r) && !o.asked.contains(r))
            .collect();
        if let Some(i) = stand_ins.iter().position(|r| *r == self.id) {
            let me = stand_ins.remove(i);
            stand_ins.insert(0, me);
        }
        let pairs: Vec<(NodeId, NodeId)> = stand_ins.into_iter().zip(missing).collect();
        if pairs.is_empty() {
            return self.note(What::Ignored {
                what: "a sloppy-quorum timer: no stand-in is left to ask",
            });
        }
        let kind = o.kind;
        let rid = o.rid;
        let chosen = o.chosen.clone();
        let rule = reg.rule();
        let mut local_hint = None;
        for (s, t) in &pairs {
            match (kind, &chosen) {
                (OpKind::Write, Some(v)) if *s == self.id => {
                    if self.hints.len() < super::MAX_HINTS {
                        if self.hints.is_empty() {
                            ctx.set_timer(Timer::Handoff, reg.config.handoff_ms * 1000);
                        }
                        self.hints.push(super::Hint {
                            target: *t,
                            version: v.clone(),
                        });
                        self.data_version += 1;
                        local_hint = Some(*t);
                    }
                }
                (OpKind::Write, Some(v)) => ctx.send(
                    *s,
                    Msg::Put {
                        rid,
                        version: v.clone(),
                        ack: true,
                        hint_for: Some(*t),
                    },
                ),
                _ if *s == self.id => {}
                _ => ctx.send(*s, Msg::Get { rid }),
            }
        }
        let o = &mut self.coord[pos];
        o.stand_ins_used = true;
        o.asked
            .extend(pairs.iter().map(|(s, _)| *s).filter(|s| *s != self.id));
        if kind == OpKind::Read && pairs.iter().any(|(s, _)| *s == self.id) {
            // The coordinator is itself a stand-in: its hints count as a reply.
            let hinted: Vec<Version> = self.hints.iter().map(|h| h.version.clone()).collect();
            let mut mine = Vec::new();
            merge_all(&mut mine, &hinted, rule);
            let me = self.id;
            let o = &mut self.coord[pos];
            o.heard.push(me);
            o.read_set.push(me);
            merge_all(&mut o.seen, &mine, rule);
            o.replies.push((me, mine));
        }
        if let Some(t) = local_hint {
            let me = self.id;
            let o = &mut self.coord[pos];
            o.heard.push(me);
            o.write_set.push(Holder {
                node: me,
                hint_for: Some(t),
            });
        }
        // The local stand-in may complete the quorum at once.
        let o = &self.coord[pos];
        let done = match kind {
            OpKind::Write => o.write_set.len() >= reg.write_quorum(),
            _ => o.heard.len() >= reg.read_quorum(),
        };
        if done {
            let mut o = self.coord.remove(pos);
            ctx.cancel_timer(Timer::CoordOp(o.cid));
            let answer = match (kind, o.chosen.clone()) {
                (OpKind::Write, Some(v)) => Answer::Written { version: v },
                _ => Answer::Read {
                    versions: o.seen.clone(),
                },
            };
            o.answered = true;
            self.answer(ctx, &o, answer);
        }
        self.note(What::StandIns { kind, asked: pairs })
    }
}

/// The context a client keeps after an answer: what its next write supersedes.
pub(super) fn context_after(answer: &Answer) -> Option<Vec<u64>> {
    match answer {
        Answer::Read { versions } => Some(context_of(versions)),
        Answer::Written { version } => Some(version.vv.clone()),
        _ => None,
    }
}
