//! The lab's invariants, checked after every step, and the live counters.
//!
//! The history checks compare real-time order with what reads return.
//! Write `a` *precedes* write `b` when `a` finished (was acknowledged)
//! before `b` began; a version is *older* than another when its write
//! precedes the other's. With that order:
//!
//! - a read is **stale** when some write that finished before the read
//!   began is preceded by every write the read returned (or the read
//!   returned the empty register);
//! - a read is a **new-old inversion** when some read that finished before
//!   it began returned a version whose write is preceded by every write
//!   this read returned;
//! - a write is **lost** when it was acknowledged, no replica holds it
//!   any more (hints included), and every version the replicas hold was
//!   written by a write that precedes it: only the past overwrote it.
//!
//! Each check only flags what no linearizable execution could produce,
//! so a flag is always a real anomaly (the checks are sound, not complete:
//! the full linearizability check lives in `crate::check`).
//!
//! Each read and write is checked once, when it completes; lost writes
//! are re-checked when a replica's data changes. Cost per step: O(ops)
//! when a read completes or data changes, else O(clients).

use super::client::{Client, OpRecord, Outcome};
use super::version::{same, values, OpRef, Version};
use super::{
    Mode, RegNode, Register, What, CONVERGENCE, NO_INVERSION, NO_LOST_WRITES, NO_STALE_READS,
    QUORUM_OVERLAP,
};
use crate::history::{Op, OpKind};
use crate::kernel::{fmt_time, Breach, CheckView, NodeId, Note, TimeUs, World};

/// Where a client stood when it started an operation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Side {
    /// No partition.
    Whole,
    /// The client's side of a partition holds a majority of the replicas.
    Majority,
    Minority,
}

/// What the checks found about one operation.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct OpFlags {
    pub stale: bool,
    pub inversion: bool,
    pub lost: bool,
    /// Quorum mode: the read shared no replica with the last finished write.
    pub no_overlap: bool,
}

#[derive(Clone, Debug, Default)]
pub struct RegisterChecker {
    /// Per client, per operation: the side it started on.
    pub sides: Vec<Vec<Side>>,
    /// Per client, per operation.
    pub flags: Vec<Vec<OpFlags>>,
    /// When the current quiet period (network whole, replicas up, no new
    /// write, no lost message) began.
    pub quiet_since_us: TimeUs,
    /// Per client: how many operations have been checked at completion.
    done: Vec<usize>,
    converge_reported: bool,
    data_sum: u64,
    /// Acknowledged writes not (yet) lost.
    watch: Vec<OpRef>,
}

impl RegisterChecker {
    pub fn new(reg: &Register) -> RegisterChecker {
        let n = reg.n_clients();
        RegisterChecker {
            sides: vec![vec![]; n],
            flags: vec![vec![]; n],
            done: vec![0; n],
            ..Default::default()
        }
    }

    pub fn flags(&self, client: u8, idx: u32) -> OpFlags {
        self.flags
            .get(client as usize)
            .and_then(|f| f.get(idx as usize))
            .copied()
            .unwrap_or_default()
    }

    pub fn side(&self, client: u8, idx: u32) -> Side {
        self.sides
            .get(client as usize)
            .and_then(|f| f.get(idx as usize))
            .copied()
            .unwrap_or(Side::Whole)
    }

    fn flag(&mut self, r: OpRef) -> Option<&mut OpFlags> {
        self.flags
            .get_mut(r.client as usize)
            .and_then(|f| f.get_mut(r.idx as usize))
    }

    pub fn check(&mut self, reg: &Register, view: &CheckView<'_, Register>, out: &mut Vec<Breach>) {
        let clients: Vec<&Client> = view.nodes.iter().filter_map(RegNode::client).collect();
        let mut new_write = false;
        for cl in &clients {
            let c = cl.c as usize;
            if c >= self.sides.len() {
                continue;
            }
            while self.sides[c].len() < cl.ops.len() {
                self.sides[c].push(side_of(reg, view, cl.id));
                self.flags[c].push(OpFlags::default());
            }
            while let Some(op) = cl.ops.get(self.done[c]) {
                if op.outcome == Outcome::Pending {
                    break;
                }
                self.done[c] += 1;
                if op.outcome != Outcome::Ok {
                    continue;
                }
                match op.kind {
                    OpKind::Write => {
                        self.watch.push(cl.op_ref(op.idx));
                        new_write = true;
                    }
                    _ => self.check_read(reg, &clients, cl, op, out),
                }
            }
        }
        let replicas: Vec<&super::Replica> =
            view.nodes.iter().filter_map(RegNode::replica).collect();
        let data_sum = replicas
            .iter()
            .fold(0u64, |a, r| a.wrapping_add(r.data_version));
        if new_write || data_sum != self.data_sum {
            self.data_sum = data_sum;
            self.check_lost(reg, &clients, &replicas, out);
        }
        if reg.config.mode != Mode::Cp {
            self.check_convergence(reg, view, &replicas, out);
        }
    }

    fn check_read(
        &mut self,
        reg: &Register,
        clients: &[&Client],
        cl: &Client,
        r: &OpRecord,
        out: &mut Vec<Breach>,
    ) {
        let me = cl.op_ref(r.idx);
        let name = |c: u8| format!("C{}", c + 1);
        // The latest-begun write among those that finished before the read began.
        let mut latest: Option<(&OpRecord, u8)> = None;
        let mut last_done: Option<(&OpRecord, u8)> = None;
        for o in clients
            .iter()
            .flat_map(|k| k.ops.iter().map(move |o| (o, k.c)))
        {
            if o.0.kind != OpKind::Write {
                continue;
            }
            let Some(t) = o.0.ok_at() else { continue };
            if t < r.invoke_us {
                if latest.is_none_or(|(l, _)| o.0.invoke_us > l.invoke_us) {
                    latest = Some(o);
                }
                if last_done.is_none_or(|(l, _)| Some(t) >= l.ok_at()) {
                    last_done = Some(o);
                }
            }
        }
        // When the newest write this read returned finished (MAX: not known to have).
        let returned_finish: Option<TimeUs> =
            r.read.iter().map(|v| finish(clients, v.origin)).max();
        let what = describe_read(r);
        let mut stale = false;
        if let Some((w, wc)) = latest {
            if returned_finish.is_none_or(|f| w.invoke_us > f) {
                stale = true;
                out.push(Breach {
                    invariant: NO_STALE_READS.name,
                    explanation: format!(
                        "{}'s read (started {}) returned {what}, but {}'s write of {} had finished at {}, before the read began.",
                        name(cl.c),
                        fmt_time(r.invoke_us),
                        name(wc),
                        w.value.unwrap_or(0),
                        fmt_time(w.ok_at().unwrap_or(0)),
                    ),
                });
            }
        }
        {
            // The newest-begun write returned by a read that finished before this one began.
            let mut best: Option<(TimeUs, u8, &Version)> = None;
            for k in clients {
                for o in &k.ops {
                    if o.kind != OpKind::Read || o.ok_at().is_none_or(|t| t >= r.invoke_us) {
                        continue;
                    }
                    for v in &o.read {
                        if let Some(w) = lookup(clients, v.origin) {
                            if best.is_none_or(|(t, _, _)| w.invoke_us > t) {
                                best = Some((w.invoke_us, k.c, v));
                            }
                        }
                    }
                }
            }
            if let Some((t, rc, v)) = best {
                if returned_finish.is_none_or(|f| t > f) {
                    if let Some(f) = self.flag(me) {
                        f.inversion = true;
                    }
                    out.push(Breach {
                        invariant: NO_INVERSION.name,
                        explanation: format!(
                            "{}'s read (started {}) returned {what}, older than the value {} that {}'s earlier read returned.",
                            name(cl.c),
                            fmt_time(r.invoke_us),
                            v.value,
                            name(rc),
                        ),
                    });
                }
            }
        }
        if stale {
            if let Some(f) = self.flag(me) {
                f.stale = true;
            }
        }
        if reg.config.mode == Mode::Quorum {
            if let Some((w, wc)) = last_done {
                let overlap = w.write_set.iter().any(|h| r.read_set.contains(&h.node));
                if !overlap {
                    if let Some(f) = self.flag(me) {
                        f.no_overlap = true;
                    }
                    let set = |s: &mut dyn Iterator<Item = NodeId>| {
                        s.map(|n| format!("R{}", n.0 + 1))
                            .collect::<Vec<_>>()
                            .join(", ")
                    };
                    out.push(Breach {
                        invariant: QUORUM_OVERLAP.name,
                        explanation: format!(
                            "{}'s read heard from {{{}}}, none of which acknowledged {}'s write of {} ({{{}}}).",
                            name(cl.c),
                            set(&mut r.read_set.iter().copied()),
                            name(wc),
                            w.value.unwrap_or(0),
                            set(&mut w.write_set.iter().map(|h| h.node)),
                        ),
                    });
                }
            }
        }
    }

    fn check_lost(
        &mut self,
        reg: &Register,
        clients: &[&Client],
        replicas: &[&super::Replica],
        out: &mut Vec<Breach>,
    ) {
        let pref = reg.preferred();
        let held: Vec<&Version> = replicas
            .iter()
            .filter(|r| pref.contains(&r.id))
            .flat_map(|r| r.versions.iter())
            .chain(
                replicas
                    .iter()
                    .flat_map(|r| r.hints.iter().map(|h| &h.version)),
            )
            .collect();
        let mut present: Vec<OpRef> = held.iter().map(|v| v.origin).collect();
        crate::sort::sort(&mut present);
        present.dedup();
        // A write is lost if absent and every held version finished before it began.
        let newest_finish = present.iter().map(|o| finish(clients, *o)).max();
        let mut lost = Vec::new();
        for &w in &self.watch {
            if present.binary_search(&w).is_ok() {
                continue;
            }
            let Some(wr) = lookup(clients, w) else {
                continue;
            };
            if newest_finish.is_some_and(|f| f >= wr.invoke_us) {
                continue;
            }
            lost.push(w);
            let by = held.iter().max_by_key(|v| v.stamp);
            let instead = match by.and_then(|v| lookup(clients, v.origin).map(|o| (v, o))) {
                Some((v, o)) => format!(
                    "the replicas hold C{}'s write of {}, which finished at {}, before it began",
                    v.origin.client + 1,
                    v.value,
                    fmt_time(o.ok_at().unwrap_or(0))
                ),
                None => "the register is empty everywhere".into(),
            };
            out.push(Breach {
                invariant: NO_LOST_WRITES.name,
                explanation: format!(
                    "C{}'s write of {} was acknowledged at {} but no replica holds it any more: {instead}.",
                    w.client + 1,
                    wr.value.unwrap_or(0),
                    fmt_time(wr.ok_at().unwrap_or(0)),
                ),
            });
        }
        for w in lost {
            self.watch.retain(|x| *x != w);
            if let Some(f) = self.flag(w) {
                f.lost = true;
            }
        }
    }

    fn check_convergence(
        &mut self,
        reg: &Register,
        view: &CheckView<'_, Register>,
        replicas: &[&super::Replica],
        out: &mut Vec<Breach>,
    ) {
        let disturbed = match view.note {
            Note::Proto(n) => matches!(n.what, What::ApWrite { .. } | What::QuorumWrite { .. }),
            Note::Skipped(_) => false,
            _ => true,
        };
        let all_up = reg
            .replica_ids()
            .all(|r| view.net.up.get(r.idx()).copied().unwrap_or(false));
        if disturbed || view.net.is_partitioned() || !all_up {
            self.quiet_since_us = view.now;
            self.converge_reported = false;
            return;
        }
        if self.converge_reported || view.now < self.quiet_since_us.saturating_add(reg.settle_us())
        {
            return;
        }
        let pref = reg.preferred();
        let copies: Vec<&super::Replica> = replicas
            .iter()
            .copied()
            .filter(|r| pref.contains(&r.id))
            .collect();
        let agree = copies
            .windows(2)
            .all(|w| same(&w[0].versions, &w[1].versions));
        let hints = replicas.iter().map(|r| r.hints.len()).sum::<usize>();
        if agree && hints == 0 {
            return;
        }
        self.converge_reported = true;
        let state: Vec<String> = copies
            .iter()
            .map(|r| format!("R{} {:?}", r.id.0 + 1, values(&r.versions)))
            .collect();
        out.push(Breach {
            invariant: CONVERGENCE.name,
            explanation: format!(
                "The network has been whole for {} with no new write, yet the replicas disagree: {}{}.",
                fmt_time(view.now - self.quiet_since_us),
                state.join(", "),
                if hints > 0 { format!(" ({hints} hinted versions not handed off)") } else { String::new() }
            ),
        });
    }
}

fn side_of(reg: &Register, view: &CheckView<'_, Register>, client: NodeId) -> Side {
    let g = &view.net.group;
    let Some(&mine) = g.get(client.idx()) else {
        return Side::Whole;
    };
    if g.iter().all(|x| *x == mine) {
        return Side::Whole;
    }
    let with_me = reg
        .replica_ids()
        .filter(|r| g.get(r.idx()) == Some(&mine))
        .count();
    if with_me >= reg.majority() {
        Side::Majority
    } else {
        Side::Minority
    }
}

fn lookup<'a>(clients: &[&'a Client], r: OpRef) -> Option<&'a OpRecord> {
    clients
        .iter()
        .find(|c| c.c == r.client)
        .and_then(|c| c.ops.get(r.idx as usize))
}

/// When the write behind `r` finished successfully; `MAX` if it has not (or is unknown).
fn finish(clients: &[&Client], r: OpRef) -> TimeUs {
    lookup(clients, r)
        .and_then(OpRecord::ok_at)
        .unwrap_or(TimeUs::MAX)
}

fn describe_read(r: &OpRecord) -> String {
    match values(&r.read).as_slice() {
        [] => "nothing (the empty register)".into(),
        [v] => v.to_string(),
        vs => format!("siblings {vs:?}"),
    }
}

/// Counters for one side of a partition.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct SideCounters {
    pub reads_served: u32,
    pub writes_served: u32,
    /// Refused as unavailable.
    pub refused: u32,
    /// Writes the coordinator gave up on after a partial store.
    pub failed: u32,
    pub no_answer: u32,
    pub pending: u32,
    pub stale_reads: u32,
    pub inversions: u32,
    pub lost_writes: u32,
    /// Quorum mode: reads that shared no replica with the last write.
    pub no_overlap: u32,
    pub read_latency_us_sum: u64,
    pub write_latency_us_sum: u64,
}

impl SideCounters {
    pub fn served(&self) -> u32 {
        self.reads_served + self.writes_served
    }
    /// Operations that got an answer other than success, or none.
    pub fn not_served(&self) -> u32 {
        self.refused + self.failed + self.no_answer
    }
    pub fn mean_read_latency_us(&self) -> Option<u64> {
        (self.reads_served > 0).then(|| self.read_latency_us_sum / self.reads_served as u64)
    }
    pub fn mean_write_latency_us(&self) -> Option<u64> {
        (self.writes_served > 0).then(|| self.write_latency_us_sum / self.writes_served as u64)
    }
    fn add(&mut self, o: &SideCounters) {
        self.reads_served += o.reads_served;
        self.writes_served += o.writes_served;
        self.refused += o.refused;
        self.failed += o.failed;
        self.no_answer += o.no_answer;
        self.pending += o.pending;
        self.stale_reads += o.stale_reads;
        self.inversions += o.inversions;
        self.lost_writes += o.lost_writes;
        self.no_overlap += o.no_overlap;
        self.read_latency_us_sum += o.read_latency_us_sum;
        self.write_latency_us_sum += o.write_latency_us_sum;
    }
}

/// Availability, consistency and latency per side of a partition, where
/// each operation counts on the side its client stood when it began.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct Counters {
    pub whole: SideCounters,
    pub majority: SideCounters,
    pub minority: SideCounters,
}

impl Counters {
    pub fn side(&self, s: Side) -> &SideCounters {
        match s {
            Side::Whole => &self.whole,
            Side::Majority => &self.majority,
            Side::Minority => &self.minority,
        }
    }
    pub fn total(&self) -> SideCounters {
        let mut t = SideCounters::default();
        t.add(&self.whole);
        t.add(&self.majority);
        t.add(&self.minority);
        t
    }
}

/// The live counters of a run: a pure function of the world.
pub fn counters(world: &World<Register>) -> Counters {
    let mut out = Counters::default();
    let ch = &world.checker;
    for cl in world.nodes.iter().filter_map(RegNode::client) {
        for op in &cl.ops {
            let s = match ch.side(cl.c, op.idx) {
                Side::Whole => &mut out.whole,
                Side::Majority => &mut out.majority,
                Side::Minority => &mut out.minority,
            };
            let f = ch.flags(cl.c, op.idx);
            match (op.outcome, op.kind) {
                (Outcome::Ok, OpKind::Write) => {
                    s.writes_served += 1;
                    s.write_latency_us_sum += op.latency_us().unwrap_or(0);
                }
                (Outcome::Ok, _) => {
                    s.reads_served += 1;
                    s.read_latency_us_sum += op.latency_us().unwrap_or(0);
                }
                (Outcome::Unavailable, _) => s.refused += 1,
                (Outcome::Failed, _) => s.failed += 1,
                (Outcome::NoAnswer, _) => s.no_answer += 1,
                (Outcome::Pending, _) => s.pending += 1,
            }
            s.stale_reads += f.stale as u32;
            s.inversions += f.inversion as u32;
            s.lost_writes += f.lost as u32;
            s.no_overlap += f.no_overlap as u32;
        }
    }
    out
}

/// The write a read should have seen at least: of the writes that finished
/// successfully before `invoke_us`, the one that finished last (client
/// number and record). The UI draws its `write_set` against a read's
/// `read_set` to show (or not) the quorum overlap.
pub fn last_write_before(world: &World<Register>, invoke_us: TimeUs) -> Option<(u8, &OpRecord)> {
    world
        .nodes
        .iter()
        .filter_map(RegNode::client)
        .flat_map(|cl| cl.ops.iter().map(move |o| (cl.c, o)))
        .filter(|(_, o)| o.kind == OpKind::Write && o.ok_at().is_some_and(|t| t < invoke_us))
        .max_by_key(|(c, o)| (o.ok_at(), *c))
}

/// Every client operation of the run in the shared history form, ordered
/// by invocation (see [`OpRecord::to_op`] for the conventions).
pub fn history(world: &World<Register>) -> Vec<Op> {
    let mut ops: Vec<(TimeUs, u8, u32, Op)> = world
        .nodes
        .iter()
        .filter_map(RegNode::client)
        .flat_map(|cl| {
            cl.ops
                .iter()
                .map(move |o| (o.invoke_us, cl.c, o.idx, o.to_op(cl.c)))
        })
        .collect();
    crate::sort::sort_by_key(&mut ops, |(t, c, i, _)| (*t, *c, *i));
    ops.into_iter().map(|(_, _, _, o)| o).collect()
}
