//! The linearizability search: Wing & Gong's, with Lowe's memoisation
//! (G. Lowe, "Testing for linearizability", 2017), as Porcupine does it.
//!
//! Every invoke and response becomes an event; the events, sorted by time
//! (an invoke before a response at the same instant, so that operations
//! which touch are concurrent), form a doubly linked list. The operations
//! that may take effect next are those invoked before the first response
//! still in the list: taking one effect removes its two events. When the
//! first event left is a response, the current order cannot be extended
//! without breaking real time, and the search backtracks. It succeeds when
//! no response is left: only indefinite operations remain, and they may
//! never take effect.
//!
//! A configuration is the set of operations already placed and the
//! register's value; a configuration met before is not explored again.
//! The set is written compactly: `n`, one more than the highest completed
//! operation placed (operations are numbered in order of invocation), the
//! completed operations below `n` not yet placed, and the indefinite
//! operations invoked before the first response left and not yet placed.
//! All of these are read off the head of the list. Two configurations
//! that can only have the same futures get the same key:
//!
//! - A value no operation still to come can observe (no read or cas
//!   expecting it, no failed cas expecting it, no live indefinite cas
//!   expecting it) is *junk*; all junk values behave alike, so the key
//!   records "junk" instead of the value.
//! - Indefinite plain writes of junk values are interchangeable (each can
//!   only put junk in the register), so the key records how many are left
//!   unplaced, grouped by when they die, not which.
//!
//! Three reductions keep the search small without changing any verdict:
//!
//! - An indefinite operation is placed only when the operation placed right
//!   after it *depends* on it: cannot take effect in the register before
//!   it, can after it. Any legal order can be rewritten this way: move each
//!   indefinite operation later, to just before the first operation whose
//!   legality it changes (only reads and failed cas that do not care lie in
//!   between, and an indefinite operation may take effect at any time after
//!   its invoke), or drop it if there is none. So crashed writes that
//!   nobody needed stay unplaced, instead of doubling the configurations
//!   for every one of them.
//! - A read (or failed cas) that can take effect now is placed now, and
//!   nothing else is tried in its place: any legal continuation that
//!   places it later stays legal with it moved here, since it changes
//!   nothing and every operation still waiting responded after it was
//!   invoked.
//! - An indefinite write becomes *dead* once every operation that could
//!   profit from its value has been placed (all their responses are
//!   behind the search) and every indefinite cas expecting its value is
//!   dead itself: placing it later could only hurt. A failed cas profits
//!   from any value but its `expected`, yet only if the register could hold
//!   `expected` during its interval; when real time rules that out (every
//!   write of `expected` was overwritten by a write that completed before
//!   the cas began), it profits from nothing. Dead operations are taken
//!   out of the list and out of the configuration.
//!
//! After an indefinite operation is placed, the configuration's key also
//! records the register before it, since only operations depending on it
//! may follow.

use super::memo::{Insert, SliceSet};
use super::prepare::{PKind, Prepared};

const NIL: u32 = u32::MAX;
/// The key's stand-in for any junk value.
const JUNK: u32 = u32::MAX - 1;

/// Where the search got furthest, when it failed: the first response it
/// could never pass.
#[derive(Clone, Debug)]
pub(crate) struct Deepest {
    /// The operation of that response.
    pub blocked: u32,
    /// A legal order of operations, every one with an earlier response
    /// included, that could not be extended by `blocked`.
    pub path: Vec<u32>,
    /// The register after `path`.
    pub state: u32,
    /// The operations that could have come next (invoked before the
    /// blocked response, not placed, not dead), `blocked` among them.
    pub frontier: Vec<u32>,
}

pub(crate) enum Outcome {
    /// A legal order of the operations placed (all completed ones and
    /// some indefinite ones).
    Linearizable(Vec<u32>),
    NotLinearizable(Deepest),
    /// The search met `max_states` configurations.
    GaveUp,
}

struct Frame {
    state: u32,
    /// One more than the highest completed operation placed.
    n: u32,
    /// The event position of the first response left.
    first_ret: u32,
    dead: Vec<u32>,
    frontier: Vec<u32>,
    /// (operation, register after it), to try in order.
    cands: Vec<(u32, u32)>,
    next: usize,
}

enum Open {
    /// No response left: success.
    Done,
    Seen,
    Frame(Frame),
    GaveUp,
}

struct Search<'a> {
    p: &'a Prepared,
    /// Per event (sorted): the operation and whether it is an invoke.
    ev_op: Vec<u32>,
    ev_call: Vec<bool>,
    /// Linked list over events; index `head` is the sentinel.
    next: Vec<u32>,
    prev: Vec<u32>,
    head: u32,
    call_ev: Vec<u32>,
    /// `NIL` for indefinite operations.
    ret_ev: Vec<u32>,
    /// Indefinite operations are dead once the first response left is at
    /// or after this position.
    live_until: Vec<u32>,
    /// Values are junk once the first response left is at or after this
    /// position.
    junk_from: Vec<u32>,
    junk_scratch: Vec<u32>,
    memo: SliceSet,
    max_states: u64,
    key: Vec<u32>,
    scratch: Vec<u32>,
    pool: Vec<Vec<u32>>,
}

pub(crate) fn search(p: &Prepared, max_states: u64) -> Outcome {
    let mut s = Search::new(p, max_states);
    s.run()
}

impl<'a> Search<'a> {
    fn new(p: &'a Prepared, max_states: u64) -> Search<'a> {
        let m = p.ops.len();
        // (time, 0 = invoke / 1 = response, op)
        let mut events: Vec<(u64, u8, u32)> = Vec::with_capacity(2 * m);
        for (i, o) in p.ops.iter().enumerate() {
            events.push((o.invoke, 0, i as u32));
            if let Some(r) = o.response {
                events.push((r, 1, i as u32));
            }
        }
        crate::sort::sort(&mut events);
        let e = events.len();
        let head = e as u32;
        let mut call_ev = vec![NIL; m];
        let mut ret_ev = vec![NIL; m];
        for (pos, &(_, kind, op)) in events.iter().enumerate() {
            if kind == 0 {
                call_ev[op as usize] = pos as u32;
            } else {
                ret_ev[op as usize] = pos as u32;
            }
        }
        let mut next: Vec<u32> = (1..=e as u32).collect();
        next.push(if e == 0 { NIL } else { 0 });
        if e > 0 {
            next[e - 1] = NIL;
        }
        let mut prev: Vec<u32> = (0..e as u32)
            .map(|i| if i == 0 { head } else { i - 1 })
            .collect();
        prev.push(NIL);

        let live_until = live_until(p, &ret_ev);
        let junk_from = junk_from(p, &ret_ev, &live_until);
        Search {
            p,
            ev_op: events.iter().map(|e| e.2).collect(),
            ev_call: events.iter().map(|e| e.1 == 0).collect(),
            next,
            prev,
            head,
            call_ev,
            ret_ev,
            live_until,
            junk_from,
            junk_scratch: Vec::new(),
            memo: SliceSet::new(),
            max_states,
            key: Vec::new(),
            scratch: Vec::new(),
            pool: Vec::new(),
        }
    }

    fn unlink(&mut self, e: u32) {
        let (p, n) = (self.prev[e as usize], self.next[e as usize]);
        self.next[p as usize] = n;
        if n != NIL {
            self.prev[n as usize] = p;
        }
    }

    fn relink(&mut self, e: u32) {
        let (p, n) = (self.prev[e as usize], self.next[e as usize]);
        self.next[p as usize] = e;
        if n != NIL {
            self.prev[n as usize] = e;
        }
    }

    fn lift(&mut self, op: u32) {
        self.unlink(self.call_ev[op as usize]);
        let r = self.ret_ev[op as usize];
        if r != NIL {
            self.unlink(r);
        }
    }

    fn unlift(&mut self, op: u32) {
        let r = self.ret_ev[op as usize];
        if r != NIL {
            self.relink(r);
        }
        self.relink(self.call_ev[op as usize]);
    }

    fn buf(&mut self) -> Vec<u32> {
        self.pool.pop().unwrap_or_default()
    }

    /// The configuration reached: `state` after placing operations whose
    /// highest completed one is `n - 1`, with the register `constraint`
    /// before the last one placed if that was indefinite.
    fn open(&mut self, state: u32, n: u32, constraint: Option<u32>) -> Open {
        self.scratch.clear();
        let mut e = self.next[self.head as usize];
        let first_ret = loop {
            if e == NIL {
                return Open::Done;
            }
            if !self.ev_call[e as usize] {
                break e;
            }
            self.scratch.push(self.ev_op[e as usize]);
            e = self.next[e as usize];
        };
        let mut dead = self.buf();
        let mut frontier = self.buf();
        let junk = |v: u32, junk_from: &[u32]| junk_from[v as usize] <= first_ret;
        let state_key = if junk(state, &self.junk_from) {
            JUNK
        } else {
            state
        };
        // [n, state or JUNK, register before the last (indefinite) operation
        // or NIL, completed unplaced below n…, NIL, indefinite unplaced…,
        // NIL, lifetimes of unplaced junk writes…]
        self.key.clear();
        self.key.push(n);
        self.key.push(state_key);
        self.key.push(constraint.unwrap_or(NIL));
        self.junk_scratch.clear();
        let mut indefinite_keys: Vec<u32> = Vec::new();
        for &o in &self.scratch {
            let op = &self.p.ops[o as usize];
            if op.response.is_some() {
                frontier.push(o);
                if o < n {
                    self.key.push(o);
                }
            } else if first_ret >= self.live_until[o as usize] {
                dead.push(o);
            } else {
                frontier.push(o);
                match op.kind {
                    PKind::Write { v } if junk(v, &self.junk_from) => {
                        self.junk_scratch.push(self.live_until[o as usize])
                    }
                    _ => indefinite_keys.push(o),
                }
            }
        }
        self.key.push(NIL);
        self.key.extend_from_slice(&indefinite_keys);
        self.key.push(NIL);
        crate::sort::sort(&mut self.junk_scratch);
        self.key.extend_from_slice(&self.junk_scratch);
        let seen = match self.memo.insert(&self.key) {
            Insert::New => false,
            Insert::Seen => true,
            Insert::Full => return Open::GaveUp,
        };
        if seen {
            dead.clear();
            frontier.clear();
            self.pool.push(dead);
            self.pool.push(frontier);
            return Open::Seen;
        }
        if self.memo.len() as u64 > self.max_states {
            return Open::GaveUp;
        }
        for &d in &dead {
            self.lift(d);
        }
        let ops = &self.p.ops;
        let fits = |o: u32| {
            let op = &ops[o as usize];
            op.apply(state).is_some() && constraint.is_none_or(|before| op.apply(before).is_none())
        };
        let forced = frontier
            .iter()
            .copied()
            .find(|&o| ops[o as usize].read_like() && fits(o));
        let cands: Vec<(u32, u32)> = match forced {
            Some(o) => vec![(o, state)],
            None => {
                // One junk write per lifetime: the others would lead to the same keys.
                let mut tried_junk: Vec<u32> = Vec::new();
                let mut cands = Vec::new();
                for &o in frontier.iter() {
                    if !fits(o) {
                        continue;
                    }
                    let op = &ops[o as usize];
                    if let (PKind::Write { v }, None) = (op.kind, op.response) {
                        if self.junk_from[v as usize] <= first_ret {
                            let life = self.live_until[o as usize];
                            if tried_junk.contains(&life) {
                                continue;
                            }
                            tried_junk.push(life);
                        }
                    }
                    if let Some(s) = op.apply(state) {
                        cands.push((o, s));
                    }
                }
                cands
            }
        };
        Open::Frame(Frame {
            state,
            n,
            first_ret,
            dead,
            frontier,
            cands,
            next: 0,
        })
    }

    fn run(&mut self) -> Outcome {
        let mut stack: Vec<Frame> = Vec::new();
        let mut path: Vec<u32> = Vec::new();
        let mut deepest: Option<Deepest> = None;
        match self.open(super::prepare::EMPTY, 0, None) {
            Open::Done => return Outcome::Linearizable(path),
            Open::Frame(f) => stack.push(f),
            // The memo starts empty, so the root is never `Seen`.
            Open::GaveUp | Open::Seen => return Outcome::GaveUp,
        }
        loop {
            let Some(top) = stack.last_mut() else {
                return match deepest {
                    Some(d) => Outcome::NotLinearizable(d),
                    // A first configuration always fails with a record.
                    None => Outcome::GaveUp,
                };
            };
            if let Some(&(op, state)) = top.cands.get(top.next) {
                top.next += 1;
                let indefinite = self.p.ops[op as usize].response.is_none();
                let n = if indefinite { top.n } else { top.n.max(op + 1) };
                let constraint = indefinite.then_some(top.state);
                self.lift(op);
                match self.open(state, n, constraint) {
                    Open::Done => {
                        path.push(op);
                        return Outcome::Linearizable(path);
                    }
                    Open::Seen => self.unlift(op),
                    Open::GaveUp => return Outcome::GaveUp,
                    Open::Frame(f) => {
                        path.push(op);
                        stack.push(f);
                    }
                }
                continue;
            }
            // Every way on from here failed.
            let Some(mut f) = stack.pop() else { continue };
            if deepest
                .as_ref()
                .is_none_or(|d| f.first_ret > self.ret_ev[d.blocked as usize])
            {
                deepest = Some(Deepest {
                    blocked: self.ev_op[f.first_ret as usize],
                    path: path.clone(),
                    state: f.state,
                    frontier: f.frontier.clone(),
                });
            }
            for &d in f.dead.iter().rev() {
                self.unlift(d);
            }
            f.dead.clear();
            f.frontier.clear();
            self.pool.push(f.dead);
            self.pool.push(f.frontier);
            if let Some(op) = path.pop() {
                self.unlift(op);
            }
        }
    }
}

/// For each indefinite operation, the event position from which it is
/// dead: one past the last response of an operation that could profit
/// from its value (a read of it, a swapping cas expecting it, a failed cas
/// expecting something else that could find what it expected), and no earlier than any indefinite cas
/// expecting its value is dead (a dead cas is never placed, so it no longer
/// profits). The second rule is recursive; it is solved by raising the
/// bounds until nothing changes, which ends because they only grow.
fn live_until(p: &Prepared, ret_ev: &[u32]) -> Vec<u32> {
    let n_values = p.values.len();
    // One past the last response, per value, of its readers.
    let mut readers_until = vec![0u32; n_values];
    // The two latest failed cas with different `expected`: (until, expected).
    let mut fc1: (u32, u32) = (0, u32::MAX);
    let mut fc2: u32 = 0;
    // Indefinite cas: (operation, expected).
    let mut pending_cas: Vec<(usize, u32)> = Vec::new();
    let sensitive = sensitive_failed_cas(p);
    for (i, o) in p.ops.iter().enumerate() {
        let until = if ret_ev[i] == NIL { 0 } else { ret_ev[i] + 1 };
        match (o.kind, o.response) {
            (
                PKind::Cas {
                    expected, ok: true, ..
                },
                None,
            ) => pending_cas.push((i, expected)),
            (PKind::Cas { ok: false, .. }, Some(_)) if !sensitive[i] => {}
            (
                PKind::Cas {
                    expected,
                    ok: false,
                    ..
                },
                Some(_),
            ) => {
                if expected == fc1.1 {
                    fc1.0 = fc1.0.max(until);
                } else if until > fc1.0 {
                    fc2 = fc1.0;
                    fc1 = (until, expected);
                } else {
                    fc2 = fc2.max(until);
                }
            }
            _ => {
                if let Some(v) = o.observed() {
                    readers_until[v as usize] = readers_until[v as usize].max(until);
                }
            }
        }
    }
    let mut live: Vec<u32> = p
        .ops
        .iter()
        .enumerate()
        .map(|(i, o)| match o.written().filter(|_| ret_ev[i] == NIL) {
            Some(v) => readers_until[v as usize].max(if v == fc1.1 { fc2 } else { fc1.0 }),
            None => NIL,
        })
        .collect();
    // Indefinite writers per value.
    let mut writers: Vec<Vec<usize>> = vec![Vec::new(); n_values];
    for (i, o) in p.ops.iter().enumerate() {
        if let (Some(v), NIL) = (o.written(), ret_ev[i]) {
            writers[v as usize].push(i);
        }
    }
    loop {
        let mut changed = false;
        for &(c, expected) in &pending_cas {
            let bound = live[c];
            for &w in &writers[expected as usize] {
                if live[w] < bound {
                    live[w] = bound;
                    changed = true;
                }
            }
        }
        if !changed {
            return live;
        }
    }
}

/// Per operation: a failed cas that might need help, because the register
/// could hold its `expected` at some instant of its interval. It cannot if
/// every write of `expected` it could see (invoked before it returned) had
/// completed before some completed write of another value began, which
/// itself completed before the cas began: that write always comes between
/// (as for a stale read). Such a cas fits wherever it is placed, so no
/// indefinite write is kept alive for its sake. Real time is the argument,
/// so this serves the linearizability search only.
fn sensitive_failed_cas(p: &Prepared) -> Vec<bool> {
    let n_values = p.values.len();
    // Per value, its writes by invoke, with the running latest response
    // (`u64::MAX` for indefinite ones).
    let mut by_value: Vec<Vec<(u64, u64)>> = vec![Vec::new(); n_values];
    for o in &p.ops {
        if let Some(v) = o.written() {
            by_value[v as usize].push((o.invoke, o.response.unwrap_or(u64::MAX)));
        }
    }
    for list in by_value.iter_mut() {
        crate::sort::sort(list);
        let mut latest = 0;
        for e in list.iter_mut() {
            latest = latest.max(e.1);
            e.1 = latest;
        }
    }
    // Completed writes by response: (response, invoke, value).
    let mut done: Vec<(u64, u64, u32)> = p
        .ops
        .iter()
        .filter_map(|o| Some((o.response?, o.invoke, o.written()?)))
        .collect();
    crate::sort::sort(&mut done);
    // Failed cas by invoke.
    let mut failed: Vec<usize> = (0..p.ops.len())
        .filter(|&i| {
            matches!(p.ops[i].kind, PKind::Cas { ok: false, .. }) && p.ops[i].response.is_some()
        })
        .collect();
    crate::sort::sort_by_key(&mut failed, |&i| (p.ops[i].invoke, i));
    let mut sensitive = vec![false; p.ops.len()];
    // The latest-invoked completed write so far, and the latest-invoked one
    // of a different value: (invoke, value).
    let (mut best1, mut best2): (Option<(u64, u32)>, Option<u64>) = (None, None);
    let mut k = 0;
    for f in failed {
        let fo = &p.ops[f];
        let PKind::Cas { expected, .. } = fo.kind else {
            continue;
        };
        let end = fo.response.unwrap_or(u64::MAX);
        while k < done.len() && done[k].0 < fo.invoke {
            let (_, inv, v) = done[k];
            match best1 {
                Some((i1, v1)) if inv <= i1 => {
                    if v != v1 {
                        best2 = Some(best2.map_or(inv, |i2| i2.max(inv)));
                    }
                }
                Some((i1, v1)) => {
                    if v != v1 {
                        best2 = Some(i1);
                    }
                    best1 = Some((inv, v));
                }
                None => best1 = Some((inv, v)),
            }
            k += 1;
        }
        let newer = match best1 {
            Some((i1, v1)) if v1 != expected => Some(i1),
            _ => best2,
        };
        // The latest response among the writes of `expected` it could see
        // (`None`: the initial empty register, done before time began).
        let sources = &by_value[expected as usize];
        let seen = sources.partition_point(|e| e.0 <= end);
        let latest = if seen == 0 {
            None
        } else {
            Some(sources[seen - 1].1)
        };
        sensitive[f] = match (newer, latest) {
            (None, _) => true,
            (Some(_), None) => false,
            (Some(n), Some(l)) => l >= n,
        };
    }
    sensitive
}

/// For each value, the event position from which nothing still to come
/// can observe it: one past the last response of a read of it, a swapping
/// cas expecting it, or a failed cas expecting it (which cannot take effect
/// while the register holds it), and no earlier than every indefinite cas
/// expecting it is dead.
fn junk_from(p: &Prepared, ret_ev: &[u32], live_until: &[u32]) -> Vec<u32> {
    let mut from = vec![0u32; p.values.len()];
    for (i, o) in p.ops.iter().enumerate() {
        let (v, until) = match (o.kind, o.response) {
            (PKind::Read { v }, Some(_)) | (PKind::Cas { expected: v, .. }, Some(_)) => {
                (v, ret_ev[i] + 1)
            }
            (PKind::Cas { expected: v, .. }, None) => (v, live_until[i]),
            _ => continue,
        };
        from[v as usize] = from[v as usize].max(until);
    }
    from
}
