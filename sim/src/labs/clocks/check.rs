//! The invariants, checked after every step, incrementally: each new
//! event once, against its direct predecessors (its previous event and,
//! for a receive, its send). The clock conditions are orders, so holding
//! on every direct edge is holding on every causal path.
//!
//! The checker keeps its own account of causality, the *causal frontier*
//! of every event (for each process, how many of its events are in the
//! event's causal past, the event itself included), computed from the
//! recorded structure alone. A vector clock is right exactly when it
//! equals that frontier; when it does not, the checker looks for the pair
//! of events it misorders and names it.
//!
//! The wall clock is not checked, since nothing promises it: a receive
//! stamped before its send is recorded as an [`Observation`].

use super::event::{Event, EventId, EventKind};
use super::stamps::VClock;
use super::{
    signed, us_text, Clocks, Proc, EXTERNAL_CONSISTENCY, HLC_BOUNDED, HLC_CLOSE, HLC_CONDITION,
    LAMPORT_CONDITION, NO_LOST_UPDATE, TT_HOLDS, VECTORS_CHARACTERISE, VECTOR_CONDITION,
};
use crate::kernel::{Breach, TimeUs};
use std::collections::BTreeMap;

/// Each invariant is reported at most this many times in a run (it is
/// still counted after that).
pub const REPORTS_PER_INVARIANT: u32 = 8;

/// Something worth seeing that breaks no promise: the wall clock stamped
/// a receive before its send.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Observation {
    pub name: &'static str,
    pub event: EventId,
    pub send: EventId,
    /// How far before the send's stamp the receive's is, µs.
    pub by_us: i64,
    pub story: String,
}

/// The name of the wall clock's observation.
pub const WALL_CONTRADICTS_CAUSALITY: &str = "Wall clock contradicts causality";

#[derive(Clone, Debug)]
struct Acked {
    s_us: i64,
    ack_true_us: TimeUs,
    label: String,
}

#[derive(Clone, Debug, Default)]
pub struct ClocksChecker {
    /// Events checked, per process.
    seen: Vec<usize>,
    /// The causal frontier of every checked event, per process.
    pub frontier: Vec<Vec<VClock>>,
    /// The widest and narrowest `pt·tick − true time` over the events so far (µs).
    off_max_us: Option<i64>,
    off_min_us: Option<i64>,
    /// Events per (process, pt), and the most of them.
    per_tick: BTreeMap<(u8, i64), u32>,
    pub k_max: u32,
    /// Transactions whose start read a TrueTime interval that held.
    start_valid: BTreeMap<(u8, u32), bool>,
    acked: Vec<Acked>,
    reports: BTreeMap<&'static str, u32>,
    pub observations: Vec<Observation>,
    /// Breaches counted, by invariant (reported or not).
    pub counts: BTreeMap<&'static str, u32>,
    /// The largest `l − pt` (ticks) and `c` seen, and the ε (µs) in force then.
    pub max_l_minus_pt: i64,
    pub max_c: u32,
    pub eps_us: i64,
    /// Distinct writes lost (thrown away for a write they causally follow).
    pub lost: std::collections::BTreeSet<EventId>,
}

impl ClocksChecker {
    pub fn new(lab: &Clocks) -> ClocksChecker {
        let n = lab.n_procs();
        ClocksChecker {
            seen: vec![0; n],
            frontier: vec![Vec::new(); n],
            k_max: 1,
            ..ClocksChecker::default()
        }
    }

    fn breach(&mut self, out: &mut Vec<Breach>, invariant: &'static str, explanation: String) {
        *self.counts.entry(invariant).or_default() += 1;
        let r = self.reports.entry(invariant).or_default();
        if *r < REPORTS_PER_INVARIANT {
            *r += 1;
            out.push(Breach {
                invariant,
                explanation,
            });
        }
    }

    /// Whether `a → b`, by the frontier of `b` (which must be checked).
    pub fn before(&self, a: EventId, b: EventId) -> bool {
        a != b
            && self
                .frontier_of(b)
                .is_some_and(|f| f.0.get(a.process as usize).is_some_and(|n| a.index < *n))
    }

    pub fn frontier_of(&self, e: EventId) -> Option<&VClock> {
        self.frontier.get(e.process as usize)?.get(e.index as usize)
    }

    /// How many breaches of `invariant` were counted.
    pub fn count(&self, invariant: &str) -> u32 {
        self.counts.get(invariant).copied().unwrap_or(0)
    }

    pub fn check(&mut self, lab: &Clocks, procs: &[Proc], out: &mut Vec<Breach>) {
        for (p, proc_) in procs.iter().enumerate() {
            while self.seen[p] < proc_.events.len() {
                let e = &proc_.events[self.seen[p]];
                self.check_event(lab, procs, e, out);
                self.seen[p] += 1;
            }
        }
    }

    fn check_event(&mut self, lab: &Clocks, procs: &[Proc], e: &Event, out: &mut Vec<Breach>) {
        let get = |id: EventId| {
            procs
                .get(id.process as usize)
                .and_then(|p| p.events.get(id.index as usize))
        };
        let name = |id: EventId| id.label();
        let p = e.id.process as usize;
        // The causal frontier, from the structure.
        let mut f = if e.id.index > 0 {
            self.frontier[p][e.id.index as usize - 1].clone()
        } else {
            VClock::zero(lab.n_procs())
        };
        if let Some(src) = e.from.and_then(|s| self.frontier_of(s).cloned()) {
            for (x, y) in f.0.iter_mut().zip(src.0) {
                *x = (*x).max(y);
            }
        }
        f.0[p] = e.id.index + 1;
        self.frontier[p].push(f.clone());

        // The clock conditions on each direct edge.
        let prev = (e.id.index > 0).then(|| EventId {
            process: e.id.process,
            index: e.id.index - 1,
        });
        for (x, via) in [
            (prev, "comes before it on its process"),
            (e.from, "is the send it receives"),
        ] {
            let Some(x) = x.and_then(get) else { continue };
            let (a, b) = (&x.stamps, &e.stamps);
            if a.lamport >= b.lamport {
                let story = format!(
                    "{} {via}, yet its Lamport stamp {} is not below {}'s {}: the receive did not jump past the message's stamp.",
                    name(x.id),
                    a.lamport.0,
                    name(e.id),
                    b.lamport.0
                );
                self.breach(out, LAMPORT_CONDITION.name, story);
            }
            if !a.vector.lt(&b.vector) {
                let story = format!(
                    "{} {via}, yet its vector {} is not below {}'s {}.",
                    name(x.id),
                    a.vector.text(),
                    name(e.id),
                    b.vector.text()
                );
                self.breach(out, VECTOR_CONDITION.name, story);
            }
            if a.hlc >= b.hlc {
                let story = format!(
                    "{} {via}, yet its HLC ({}, {}) is not below {}'s ({}, {}).",
                    name(x.id),
                    a.hlc.l,
                    a.hlc.c,
                    name(e.id),
                    b.hlc.l,
                    b.hlc.c
                );
                self.breach(out, HLC_CONDITION.name, story);
            }
        }
        // The wall clock: an observation, not a promise.
        if let Some(send) = e.from.and_then(get) {
            let by_us = send.stamps.wall_us - e.stamps.wall_us;
            if by_us > 0 {
                let story = format!(
                    "{} receives {}'s message, but its wall clock stamps the receive {} before {} stamped the send: by wall clocks, the effect precedes its cause.",
                    lab.proc_name(e.id.process),
                    lab.proc_name(send.id.process),
                    us_text(by_us),
                    lab.proc_name(send.id.process)
                );
                self.observations.push(Observation {
                    name: WALL_CONTRADICTS_CAUSALITY,
                    event: e.id,
                    send: send.id,
                    by_us,
                    story,
                });
            }
        }
        // Vector clocks characterise causality exactly when they equal the frontier.
        if e.stamps.vector != f && self.count(VECTORS_CHARACTERISE.name) < REPORTS_PER_INVARIANT {
            if let Some(story) = self.misordered_pair(procs, e) {
                self.breach(out, VECTORS_CHARACTERISE.name, story);
            }
        }
        self.check_hlc(lab, e, out);
        self.check_txn(lab, e, out);
        self.check_kv(e, out);
    }

    /// A checked event `a` whose vector order with `e` disagrees with causality, told as a story.
    fn misordered_pair(&self, procs: &[Proc], e: &Event) -> Option<String> {
        for proc_ in procs {
            for a in proc_.events.iter().take(self.frontier[a_proc(proc_)].len()) {
                if a.id == e.id {
                    continue;
                }
                let causal = self.before(a.id, e.id);
                let by_vectors = a.stamps.vector.lt(&e.stamps.vector);
                if causal != by_vectors {
                    let (va, ve) = (a.stamps.vector.text(), e.stamps.vector.text());
                    return Some(if causal {
                        format!(
                            "{} happens before {}, but their vectors {va} and {ve} do not say so: the merge forgot what {} had heard.",
                            a.id.label(),
                            e.id.label(),
                            e.id.label()
                        )
                    } else {
                        format!("{} and {} are concurrent, yet {va} < {ve} claims an order that never was.", a.id.label(), e.id.label())
                    });
                }
                if e.stamps.vector.lt(&a.stamps.vector) {
                    return Some(format!(
                        "{} cannot happen before the earlier {}, yet its vector {} is below {}.",
                        e.id.label(),
                        a.id.label(),
                        e.stamps.vector.text(),
                        a.stamps.vector.text()
                    ));
                }
            }
        }
        None
    }

    fn check_hlc(&mut self, lab: &Clocks, e: &Event, out: &mut Vec<Breach>) {
        let tick = lab.config.hlc_tick_us.max(1) as i64;
        let s = &e.stamps;
        let off = s.pt.saturating_mul(tick).saturating_sub(signed(e.true_us));
        let hi = self.off_max_us.map_or(off, |m| m.max(off));
        let lo = self.off_min_us.map_or(off, |m| m.min(off));
        (self.off_max_us, self.off_min_us) = (Some(hi), Some(lo));
        let eps_us = hi.saturating_sub(lo);
        let eps_ticks = eps_us.div_euclid(tick);
        let k = self.per_tick.entry((e.id.process, s.pt)).or_default();
        *k += 1;
        self.k_max = self.k_max.max(*k);
        let drift = s.hlc.l.saturating_sub(s.pt);
        if drift > self.max_l_minus_pt || self.max_c < s.hlc.c {
            self.eps_us = eps_us;
        }
        self.max_l_minus_pt = self.max_l_minus_pt.max(drift);
        self.max_c = self.max_c.max(s.hlc.c);
        if drift > eps_ticks {
            let story = format!(
                "At {}, l is {} ticks ahead of the process's clock, but no clock has been more than {} from another: l has run away from physical time.",
                e.id.label(),
                drift,
                us_text(eps_us)
            );
            self.breach(out, HLC_CLOSE.name, story);
        }
        let bound = (lab.n_procs() as i64)
            .saturating_mul(eps_ticks.saturating_add(1))
            .saturating_mul(self.k_max as i64);
        if s.hlc.c as i64 >= bound {
            let story = format!(
                "At {}, c is {}, at or past the bound N·(ε+1)·k = {bound}.",
                e.id.label(),
                s.hlc.c
            );
            self.breach(out, HLC_BOUNDED.name, story);
        }
    }

    fn check_txn(&mut self, lab: &Clocks, e: &Event, out: &mut Vec<Breach>) {
        let t = signed(e.true_us);
        let who = lab.proc_name(e.id.process);
        let eps = us_text(lab.config.tt_eps_us as i64);
        let holds = e.stamps.tt.contains(t);
        match e.kind {
            EventKind::CommitStart { txn, s_us } | EventKind::CommitAck { txn, s_us } => {
                let label = format!("T{}.{}", e.id.process + 1, txn + 1);
                if !holds {
                    let off = e.stamps.wall_us - t;
                    let story = format!(
                        "{label} at {who} reads TT.now() = [{}, {}], which misses true time: {who}'s clock is {} off, beyond ε = {eps}.",
                        us_text(e.stamps.tt.earliest_us),
                        us_text(e.stamps.tt.latest_us),
                        us_text(off)
                    );
                    self.breach(out, TT_HOLDS.name, story);
                }
                if matches!(e.kind, EventKind::CommitStart { .. }) {
                    self.start_valid.insert((e.id.process, txn), holds);
                    if holds {
                        let earlier = self
                            .acked
                            .iter()
                            .filter(|a| a.ack_true_us < e.true_us && a.s_us >= s_us)
                            .max_by_key(|a| a.s_us);
                        if let Some(a) = earlier {
                            let story = format!(
                                "{} was acknowledged before {label} started, yet {label} took s = {} and {} had s = {}: {label} is ordered before a transaction that finished before it began.",
                                a.label,
                                us_text(s_us),
                                a.label,
                                us_text(a.s_us)
                            );
                            self.breach(out, EXTERNAL_CONSISTENCY.name, story);
                        }
                    }
                } else {
                    let start_ok = self
                        .start_valid
                        .get(&(e.id.process, txn))
                        .copied()
                        .unwrap_or(false);
                    if holds && start_ok {
                        self.acked.push(Acked {
                            s_us,
                            ack_true_us: e.true_us,
                            label,
                        });
                    }
                }
            }
            _ => {}
        }
    }

    fn check_kv(&mut self, e: &Event, out: &mut Vec<Breach>) {
        let Some(kv) = &e.kv else { return };
        for d in &kv.discarded {
            for k in &kv.kept {
                if self.before(*k, *d) {
                    self.lost.insert(*d);
                    let story = format!(
                        "At {}, the store keeps {}'s write and throws away {}'s, which causally follows it: a lost update.",
                        e.id.label(),
                        k.label(),
                        d.label()
                    );
                    self.breach(out, NO_LOST_UPDATE.name, story);
                }
            }
        }
    }
}

fn a_proc(p: &Proc) -> usize {
    p.id.idx()
}
