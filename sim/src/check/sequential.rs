//! The sequential consistency search: depth first over (operations done
//! per client, register value), never the same configuration twice.
//!
//! At each configuration the next operation of every client is a
//! candidate, tried in order of invocation so that a history which is
//! close to linearizable is found quickly. An indefinite operation may
//! also be skipped. As in the linearizability search, a read (or failed
//! cas) that can take effect now is placed now and nothing else is tried:
//! it changes nothing and no other client's order constrains it.
//!
//! One pruning keeps non-sequential histories from exploding: when the
//! register leaves a value `v` (or an indefinite write of `v` is skipped)
//! while some operation not yet placed must still see `v` (a read of `v`, a
//! swapping cas expecting `v`) and no write of `v` is left to place, the
//! branch is dead: the register can never hold `v` again.

use super::memo::{Insert, SliceSet};
use super::prepare::{PKind, Prepared, EMPTY};
use super::{Explanation, History, SeqVerdict};

/// Each client's operations in program order, by (invoke, index), which
/// is the order of the prepared operations; and each operation's client
/// slot.
fn program_order(p: &Prepared) -> (Vec<Vec<u32>>, Vec<u32>) {
    let mut client_ids: Vec<u32> = p.ops.iter().map(|o| o.client).collect();
    crate::sort::sort(&mut client_ids);
    client_ids.dedup();
    let mut seqs: Vec<Vec<u32>> = vec![Vec::new(); client_ids.len()];
    let mut slot = vec![0u32; p.ops.len()];
    for (i, o) in p.ops.iter().enumerate() {
        let c = client_ids.binary_search(&o.client).unwrap_or(0);
        slot[i] = c as u32;
        seqs[c].push(i as u32);
    }
    (seqs, slot)
}

/// Per value: completed operations that must see it, and operations that
/// may write it.
fn needs_and_writers(p: &Prepared) -> (Vec<u32>, Vec<u32>) {
    let n_values = p.values.len();
    let (mut need, mut writers) = (vec![0u32; n_values], vec![0u32; n_values]);
    for o in &p.ops {
        if let (Some(v), Some(_)) = (o.observed(), o.response) {
            need[v as usize] += 1;
        }
        if let Some(v) = o.written() {
            writers[v as usize] += 1;
        }
    }
    (need, writers)
}

/// The cheap proofs that no order works, in linear time: a value seen that
/// nothing writes, or (every value written once) a cycle among the writes
/// forced by the clients' own orders.
pub(crate) fn refute(h: &History, p: &Prepared) -> Option<Explanation> {
    let (seqs, _) = program_order(p);
    refute_with(h, p, &seqs)
}

fn refute_with(h: &History, p: &Prepared, seqs: &[Vec<u32>]) -> Option<Explanation> {
    let (need, writers) = needs_and_writers(p);
    if let Some(v) = (1..p.values.len()).find(|&v| need[v] > 0 && writers[v] == 0) {
        let reader = p
            .ops
            .iter()
            .find(|o| o.observed() == Some(v as u32) && o.response.is_some())
            .map_or(0, |o| o.index);
        let text = format!(
            "{} saw {}, but no operation writes it.",
            h.describe(reader),
            h.show_value(p.values[v])
        );
        return Some(Explanation {
            culprit: None,
            ops: vec![reader],
            text,
        });
    }
    program_order_cycle(h, p, seqs)
}

pub(crate) fn check(
    h: &History,
    p: &Prepared,
    max_states: u64,
    lin_witness: Option<&[u32]>,
) -> SeqVerdict {
    let (seqs, slot) = program_order(p);
    if let Some(w) = lin_witness {
        if keeps_program_order(p, &seqs, &slot, w) {
            return SeqVerdict::Sequential {
                order: w.iter().map(|&o| p.ops[o as usize].index).collect(),
            };
        }
    }
    if let Some(explanation) = refute_with(h, p, &seqs) {
        return SeqVerdict::NotSequential { explanation };
    }
    let (need, writers) = needs_and_writers(p);
    let mut s = Search {
        p,
        seqs: &seqs,
        pos: vec![0; seqs.len()],
        memo: SliceSet::new(),
        key: Vec::new(),
        max_states,
        need,
        writers,
    };
    match s.run() {
        Outcome::Sequential(order) => SeqVerdict::Sequential { order: order.iter().map(|&o| p.ops[o as usize].index).collect() },
        Outcome::Not(d) => SeqVerdict::NotSequential { explanation: explain(h, p, &seqs, &d) },
        Outcome::GaveUp => SeqVerdict::Unknown {
            reason: format!("the sequential consistency search explored its limit of {max_states} configurations without an answer"),
        },
    }
}

/// A linearization keeps program order if each client's operations in it
/// come in program order, skipping only indefinite ones.
fn keeps_program_order(p: &Prepared, seqs: &[Vec<u32>], slot: &[u32], order: &[u32]) -> bool {
    let mut pos = vec![0usize; seqs.len()];
    for &o in order {
        let c = slot[o as usize] as usize;
        let seq = &seqs[c];
        while pos[c] < seq.len() && seq[pos[c]] != o {
            if p.ops[seq[pos[c]] as usize].response.is_some() {
                return false;
            }
            pos[c] += 1;
        }
        if pos[c] == seq.len() {
            return false;
        }
        pos[c] += 1;
    }
    // Every completed operation must appear.
    seqs.iter().zip(&pos).all(|(seq, &k)| {
        seq[k..]
            .iter()
            .all(|&o| p.ops[o as usize].response.is_none())
    })
}

enum Outcome {
    Sequential(Vec<u32>),
    Not(Deepest),
    GaveUp,
}

struct Deepest {
    done: usize,
    state: u32,
    /// Each unfinished client's next operation.
    next_ops: Vec<u32>,
    /// Operations done per client.
    pos: Vec<u32>,
}

struct Frame {
    state: u32,
    /// (client slot, register after, whether the operation took effect).
    cands: Vec<(u32, u32, bool)>,
    next: usize,
}

struct Search<'a> {
    p: &'a Prepared,
    seqs: &'a [Vec<u32>],
    pos: Vec<u32>,
    memo: SliceSet,
    key: Vec<u32>,
    max_states: u64,
    /// Per value: completed operations not yet placed that must see it.
    need: Vec<u32>,
    /// Per value: operations not yet placed (or skipped) that may write it.
    writers: Vec<u32>,
}

enum Open {
    Done,
    Seen,
    Frame(Frame),
    GaveUp,
}

impl Search<'_> {
    /// Places (`took`) or skips operation `o` in register `state`; false if
    /// that leaves some value needed but never again obtainable.
    fn account(&mut self, o: u32, state: u32, took: bool) -> bool {
        let op = &self.p.ops[o as usize];
        if took && op.response.is_some() {
            if let Some(v) = op.observed() {
                self.need[v as usize] -= 1;
            }
        }
        let written = op.written();
        if let Some(v) = written {
            self.writers[v as usize] -= 1;
        }
        let lost = match (took, written) {
            (true, Some(v)) if v != state => Some(state),
            (false, Some(v)) if v != state => Some(v),
            _ => None,
        };
        lost.is_none_or(|v| self.need[v as usize] == 0 || self.writers[v as usize] > 0)
    }

    fn unaccount(&mut self, o: u32, took: bool) {
        let op = &self.p.ops[o as usize];
        if took && op.response.is_some() {
            if let Some(v) = op.observed() {
                self.need[v as usize] += 1;
            }
        }
        if let Some(v) = op.written() {
            self.writers[v as usize] += 1;
        }
    }

    fn next_op(&self, c: usize) -> Option<u32> {
        self.seqs[c].get(self.pos[c] as usize).copied()
    }

    fn open(&mut self, state: u32) -> Open {
        // Compact: a bitset of finished clients, one of clients not yet
        // started, then (client, position) for the few in between. Crashed
        // clients are replaced by new ones, so there can be many clients,
        // few of them active.
        self.key.clear();
        self.key.push(state);
        let words = self.seqs.len().div_ceil(32);
        let base = self.key.len();
        self.key.resize(base + 2 * words, 0);
        for (c, (&k, seq)) in self.pos.iter().zip(self.seqs).enumerate() {
            if k as usize == seq.len() {
                self.key[base + c / 32] |= 1 << (c % 32);
            } else if k == 0 {
                self.key[base + words + c / 32] |= 1 << (c % 32);
            }
        }
        for (c, (&k, seq)) in self.pos.iter().zip(self.seqs).enumerate() {
            if k != 0 && (k as usize) < seq.len() {
                self.key.extend([c as u32, k]);
            }
        }
        match self.memo.insert(&self.key) {
            Insert::New => {}
            Insert::Seen => return Open::Seen,
            Insert::Full => return Open::GaveUp,
        }
        if self.memo.len() as u64 > self.max_states {
            return Open::GaveUp;
        }
        let ops = &self.p.ops;
        // Unfinished clients, by the invoke of their next operation.
        let mut next: Vec<(u32, u32)> = (0..self.seqs.len())
            .filter_map(|c| self.next_op(c).map(|o| (o, c as u32)))
            .collect();
        if next.is_empty() {
            return Open::Done;
        }
        crate::sort::sort(&mut next);
        let forced = next
            .iter()
            .find(|&&(o, _)| ops[o as usize].read_like() && ops[o as usize].apply(state).is_some());
        let cands = match forced {
            Some(&(_, c)) => vec![(c, state, true)],
            None => {
                let mut cands = Vec::new();
                for &(o, c) in &next {
                    let op = &ops[o as usize];
                    if let Some(s) = op.apply(state) {
                        cands.push((c, s, true));
                    }
                    if op.response.is_none() {
                        cands.push((c, state, false));
                    }
                }
                cands
            }
        };
        Open::Frame(Frame {
            state,
            cands,
            next: 0,
        })
    }

    fn run(&mut self) -> Outcome {
        let mut stack: Vec<Frame> = Vec::new();
        // (operation, whether it took effect, client slot), one per frame
        // above the root.
        let mut path: Vec<(u32, bool, u32)> = Vec::new();
        let mut deepest: Option<Deepest> = None;
        match self.open(EMPTY) {
            Open::Done => return Outcome::Sequential(Vec::new()),
            Open::Frame(f) => stack.push(f),
            Open::Seen | Open::GaveUp => return Outcome::GaveUp,
        }
        loop {
            let Some(top) = stack.last_mut() else {
                return match deepest {
                    Some(d) => Outcome::Not(d),
                    None => Outcome::GaveUp,
                };
            };
            if let Some(&(c, state, took)) = top.cands.get(top.next) {
                top.next += 1;
                let op = self.seqs[c as usize][self.pos[c as usize] as usize];
                let before = top.state;
                if !self.account(op, before, took) {
                    self.unaccount(op, took);
                    continue;
                }
                self.pos[c as usize] += 1;
                match self.open(state) {
                    Open::Done => {
                        path.push((op, took, c));
                        return Outcome::Sequential(
                            path.iter().filter(|e| e.1).map(|e| e.0).collect(),
                        );
                    }
                    Open::Seen => {
                        self.pos[c as usize] -= 1;
                        self.unaccount(op, took);
                    }
                    Open::GaveUp => return Outcome::GaveUp,
                    Open::Frame(f) => {
                        path.push((op, took, c));
                        stack.push(f);
                    }
                }
                continue;
            }
            let Some(f) = stack.pop() else { continue };
            if deepest.as_ref().is_none_or(|d| path.len() > d.done) {
                let next_ops = (0..self.seqs.len())
                    .filter_map(|c| self.next_op(c))
                    .collect();
                deepest = Some(Deepest {
                    done: path.len(),
                    state: f.state,
                    next_ops,
                    pos: self.pos.clone(),
                });
            }
            if let Some((op, took, c)) = path.pop() {
                self.pos[c as usize] -= 1;
                self.unaccount(op, took);
            }
        }
    }
}

fn explain(h: &History, p: &Prepared, seqs: &[Vec<u32>], d: &Deepest) -> Explanation {
    let show = |v: u32| h.show_value(p.values.get(v as usize).copied().flatten());
    // What is still to come at that point.
    let todo: Vec<u32> = seqs
        .iter()
        .zip(&d.pos)
        .flat_map(|(seq, &k)| seq[k as usize..].iter().copied())
        .collect();
    let held = if d.state == EMPTY {
        "leaves the register empty".to_string()
    } else {
        format!("leaves it holding {}", show(d.state))
    };
    let mut ops: Vec<usize> = Vec::new();
    let reasons: Vec<String> = d
        .next_ops
        .iter()
        .map(|&o| {
            let po = &p.ops[o as usize];
            if !ops.contains(&po.index) {
                ops.push(po.index);
            }
            let need = match po.kind {
                _ if po.apply(d.state).is_some() => {
                    // Would it destroy a value someone still has to see?
                    let lost = po.written().filter(|&v| v != d.state).map(|_| d.state);
                    let still = lost.and_then(|v| {
                        let rewritten = todo
                            .iter()
                            .any(|&t| t != o && p.ops[t as usize].written() == Some(v));
                        let reader = todo.iter().copied().find(|&t| {
                            t != o
                                && p.ops[t as usize].response.is_some()
                                && p.ops[t as usize].observed() == Some(v)
                        });
                        reader.filter(|_| !rewritten).map(|r| (v, r))
                    });
                    match still {
                        Some((v, r)) => {
                            if !ops.contains(&p.ops[r as usize].index) {
                                ops.push(p.ops[r as usize].index);
                            }
                            format!(
                                "fits, but overwrites {} for good while op {} still has to see it",
                                show(v),
                                p.ops[r as usize].index
                            )
                        }
                        None => "fits but leads to a dead end".to_string(),
                    }
                }
                PKind::Read { v }
                | PKind::Cas {
                    expected: v,
                    ok: true,
                    ..
                } => format!("needs {}", show(v)),
                PKind::Cas { expected, .. } => format!("needs anything but {}", show(expected)),
                PKind::Write { .. } => "fits but leads to a dead end".to_string(),
            };
            format!("{} {need}", h.describe(po.index))
        })
        .collect();
    let text = format!(
        "No order that keeps each client's operations in program order is a legal register history. \
         The furthest the search got is {} of the {} operations, which {held}; each client's next operation cannot follow: {}.",
        d.done,
        p.ops.len(),
        reasons.join("; ")
    );
    Explanation {
        culprit: None,
        ops,
        text,
    }
}

/// Why one write precedes another in every order that keeps program order.
#[derive(Clone, Copy)]
enum Edge {
    /// Within one client's sequence.
    Chain,
    /// Operation `x` (the write, or a read of its value) is followed in its
    /// client's program by the rest of the sequence.
    Enter {
        x: u32,
    },
    /// Operation `y` of the sequence is the write, or reads its value.
    Exit {
        y: u32,
    },
    /// The cas swapped from the write's value.
    Cas,
    Initial,
}

/// When every value is written once, each read names the write it saw, and
/// program order forces precedences between writes: if a client did `x`
/// then `y`, the write `x` is or read precedes the write `y` is or read
/// (when they differ), and a cas comes right after the write it swapped
/// from. A cycle among these proves the history is not sequentially
/// consistent. The graph is linear in size: each client's sequence is a
/// chain of nodes, entered after `x` and left at `y`.
fn program_order_cycle(h: &History, p: &Prepared, seqs: &[Vec<u32>]) -> Option<Explanation> {
    const NIL: u32 = u32::MAX;
    let m = p.ops.len();
    let init = m as u32;
    let chain = |o: u32| m as u32 + 1 + o;
    let n_nodes = 2 * m + 1;
    let mut writer = vec![NIL; p.values.len()];
    writer[EMPTY as usize] = init;
    for (i, o) in p.ops.iter().enumerate() {
        if let Some(v) = o.written() {
            if writer[v as usize] != NIL {
                return None;
            }
            writer[v as usize] = i as u32;
        }
    }
    let mut observed = vec![false; p.values.len()];
    for o in &p.ops {
        if let (Some(v), Some(_)) = (o.observed(), o.response) {
            observed[v as usize] = true;
        }
    }
    // An operation's write, as the earlier and as the later side.
    let sides = |i: u32| -> (u32, u32) {
        let o = &p.ops[i as usize];
        match o.kind {
            PKind::Read { v } => (writer[v as usize], writer[v as usize]),
            PKind::Write { v } if o.response.is_some() || observed[v as usize] => (i, i),
            PKind::Cas {
                expected,
                new,
                ok: true,
            } if o.response.is_some() || observed[new as usize] => (i, writer[expected as usize]),
            _ => (NIL, NIL),
        }
    };
    let mut adj: Vec<Vec<(u32, Edge)>> = vec![Vec::new(); n_nodes];
    for seq in seqs {
        for (k, &o) in seq.iter().enumerate() {
            let (early, late) = sides(o);
            if late != NIL {
                adj[chain(o) as usize].push((late, Edge::Exit { y: o }));
            }
            if let Some(&next) = seq.get(k + 1) {
                adj[chain(o) as usize].push((chain(next), Edge::Chain));
                if early != NIL {
                    adj[early as usize].push((chain(next), Edge::Enter { x: o }));
                }
            }
            if let PKind::Cas {
                expected, ok: true, ..
            } = p.ops[o as usize].kind
            {
                let from = writer[expected as usize];
                if from != NIL && early == o {
                    adj[from as usize].push((o, Edge::Cas));
                }
            }
            if early == o {
                adj[init as usize].push((o, Edge::Initial));
            }
        }
    }
    // Precedences are "at or before": a path between two different writes
    // makes the first strictly earlier. So two writes in one strongly
    // connected component contradict each other; show the shortest cycle
    // through two of them.
    let is_write = |n: u32| (n as usize) <= m;
    let comp = strongly_connected(&adj);
    let mut writes_in: Vec<u32> = vec![0; n_nodes];
    for n in (0..=m as u32).filter(|&n| !adj[n as usize].is_empty() || n == init) {
        writes_in[comp[n as usize] as usize] += 1;
    }
    let a = (0..=m as u32).find(|&n| writes_in[comp[n as usize] as usize] >= 2)?;
    let (fwd, fdist) = bfs(&adj, a);
    let mut radj: Vec<Vec<(u32, Edge)>> = vec![Vec::new(); n_nodes];
    for (from, out) in adj.iter().enumerate() {
        for &(to, e) in out {
            radj[to as usize].push((from as u32, e));
        }
    }
    let (bwd, bdist) = bfs(&radj, a);
    let b = (0..=m as u32)
        .filter(|&n| n != a && is_write(n) && comp[n as usize] == comp[a as usize])
        .filter(|&n| fdist[n as usize] != u32::MAX && bdist[n as usize] != u32::MAX)
        .min_by_key(|&n| (fdist[n as usize] + bdist[n as usize], n))?;
    // a ⇝ b by the forward tree, then b ⇝ a by the backward one.
    let mut there: Vec<(u32, u32, Edge)> = Vec::new();
    let mut node = b;
    while node != a {
        let (from, e) = fwd[node as usize]?;
        there.push((from, node, e));
        node = from;
    }
    there.reverse();
    let mut node = b;
    while node != a {
        let (to, e) = bwd[node as usize]?;
        there.push((node, to, e));
        node = to;
    }
    let cycle = there;
    // Render: collapse chain nodes into one step per pair of writes.
    let name = |n: u32| -> String {
        if n == init {
            "the initial empty register".into()
        } else {
            let v = p.ops[n as usize].written().unwrap_or(EMPTY);
            format!(
                "the write of {} (op {})",
                h.show_value(p.values[v as usize]),
                p.ops[n as usize].index
            )
        }
    };
    let role = |op: u32, node: u32| -> String {
        let o = &p.ops[op as usize];
        if op == node {
            format!("op {}", o.index)
        } else {
            let verb = if matches!(o.kind, PKind::Read { .. }) {
                "read"
            } else {
                "swapped from"
            };
            format!(
                "op {} (which {verb} {})",
                o.index,
                h.show_value(p.values[o.observed().unwrap_or(EMPTY) as usize])
            )
        }
    };
    let mut clauses = Vec::new();
    let mut ops: Vec<usize> = Vec::new();
    let mut from = NIL;
    let mut entered: Option<u32> = None;
    for &(a, b, e) in &cycle {
        match e {
            Edge::Chain => {}
            Edge::Enter { x } => {
                from = a;
                entered = Some(x);
            }
            Edge::Exit { y } => {
                let x = entered.take().unwrap_or(y);
                ops.extend([p.ops[x as usize].index, p.ops[y as usize].index]);
                clauses.push(format!(
                    "{} precedes {}, since client {} did {} before {}",
                    name(from),
                    name(b),
                    p.ops[y as usize].client,
                    role(x, from),
                    role(y, b)
                ));
            }
            Edge::Cas => {
                ops.push(p.ops[b as usize].index);
                clauses.push(format!(
                    "{} precedes {}, since op {} swapped from it",
                    name(a),
                    name(b),
                    p.ops[b as usize].index
                ));
            }
            Edge::Initial => clauses.push(format!("{} precedes {}", name(a), name(b))),
        }
    }
    let mut seen = Vec::new();
    ops.retain(|i| {
        let new = !seen.contains(i);
        seen.push(*i);
        new
    });
    let text = format!(
        "No order that keeps each client's operations in program order is a legal register history: every value is written once, \
         and the clients' own orders force the writes into a cycle: {}.",
        clauses.join("; ")
    );
    Some(Explanation {
        culprit: None,
        ops,
        text,
    })
}

/// Tarjan's strongly connected components, iteratively: a component
/// number per node.
fn strongly_connected(adj: &[Vec<(u32, Edge)>]) -> Vec<u32> {
    const UNSEEN: u32 = u32::MAX;
    let n = adj.len();
    let mut index = vec![UNSEEN; n];
    let mut low = vec![0u32; n];
    let mut on_stack = vec![false; n];
    let mut comp = vec![UNSEEN; n];
    let mut stack: Vec<u32> = Vec::new();
    let mut calls: Vec<(u32, usize)> = Vec::new();
    let (mut next_index, mut next_comp) = (0u32, 0u32);
    for root in 0..n as u32 {
        if index[root as usize] != UNSEEN {
            continue;
        }
        calls.push((root, 0));
        index[root as usize] = next_index;
        low[root as usize] = next_index;
        next_index += 1;
        stack.push(root);
        on_stack[root as usize] = true;
        while let Some(&mut (v, ref mut k)) = calls.last_mut() {
            if let Some(&(w, _)) = adj[v as usize].get(*k) {
                *k += 1;
                if index[w as usize] == UNSEEN {
                    index[w as usize] = next_index;
                    low[w as usize] = next_index;
                    next_index += 1;
                    stack.push(w);
                    on_stack[w as usize] = true;
                    calls.push((w, 0));
                } else if on_stack[w as usize] {
                    low[v as usize] = low[v as usize].min(index[w as usize]);
                }
                continue;
            }
            calls.pop();
            if let Some(&(parent, _)) = calls.last() {
                low[parent as usize] = low[parent as usize].min(low[v as usize]);
            }
            if low[v as usize] == index[v as usize] {
                while let Some(w) = stack.pop() {
                    on_stack[w as usize] = false;
                    comp[w as usize] = next_comp;
                    if w == v {
                        break;
                    }
                }
                next_comp += 1;
            }
        }
    }
    comp
}

/// Breadth-first search from `start`: per node, the step that reached it
/// and its distance (`u32::MAX`: unreached).
#[allow(clippy::type_complexity)]
fn bfs(adj: &[Vec<(u32, Edge)>], start: u32) -> (Vec<Option<(u32, Edge)>>, Vec<u32>) {
    let mut parent: Vec<Option<(u32, Edge)>> = vec![None; adj.len()];
    let mut dist = vec![u32::MAX; adj.len()];
    dist[start as usize] = 0;
    let mut queue = std::collections::VecDeque::from([start]);
    while let Some(a) = queue.pop_front() {
        for &(b, e) in &adj[a as usize] {
            if dist[b as usize] == u32::MAX {
                dist[b as usize] = dist[a as usize] + 1;
                parent[b as usize] = Some((a, e));
                queue.push_back(b);
            }
        }
    }
    (parent, dist)
}
