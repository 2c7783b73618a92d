//! Why a history is not linearizable, in words a person can check.
//!
//! The search names the culprit: the operation whose response it could
//! never pass. The forms below are tried in order (see the module doc of
//! `check`); each states facts about times that anyone can verify, and
//! each is a proof on its own, so the first that applies is used.

use super::linear::Deepest;
use super::prepare::{PKind, Prepared, EMPTY};
use super::{Explanation, History};

const NIL: u32 = u32::MAX;

/// Operation numbers in the history, culprit first, without repeats.
fn op_list(p: &Prepared, ops: &[u32]) -> Vec<usize> {
    let mut out: Vec<usize> = Vec::with_capacity(ops.len());
    for &o in ops {
        let i = p.ops[o as usize].index;
        if !out.contains(&i) {
            out.push(i);
        }
    }
    out
}

fn show(h: &History, p: &Prepared, v: u32) -> String {
    h.show_value(p.values.get(v as usize).copied().flatten())
}

fn desc(h: &History, p: &Prepared, o: u32) -> String {
    h.describe(p.ops[o as usize].index)
}

pub(crate) fn linear(h: &History, p: &Prepared, d: &Deepest) -> Explanation {
    let x = d.blocked;
    let text_ops = no_source(h, p, x)
        .or_else(|| overwritten(h, p, x))
        .or_else(|| failed_cas_certain(h, p, x))
        .or_else(|| cycle(h, p, x))
        .unwrap_or_else(|| generic(h, p, d));
    let mut ops = vec![x];
    ops.extend(text_ops.1);
    Explanation {
        culprit: Some(p.ops[x as usize].index),
        ops: op_list(p, &ops),
        text: text_ops.0,
    }
}

type Found = (String, Vec<u32>);

/// "returned 1" / "swapped from 1": what the operation claims it saw.
fn saw(h: &History, p: &Prepared, o: u32, v: u32) -> String {
    match p.ops[o as usize].kind {
        PKind::Read { .. } if v == EMPTY => "found the register empty".into(),
        PKind::Read { .. } => format!("returned {}", show(h, p, v)),
        _ => format!("found {} in the register", show(h, p, v)),
    }
}

/// Form 1: the value seen was never written before the reader returned.
fn no_source(h: &History, p: &Prepared, x: u32) -> Option<Found> {
    let xo = &p.ops[x as usize];
    let v = xo.observed()?;
    let end = xo.response?;
    if v == EMPTY {
        return None;
    }
    let written = p
        .ops
        .iter()
        .enumerate()
        .any(|(i, o)| i as u32 != x && o.written() == Some(v) && o.invoke <= end);
    if written {
        return None;
    }
    let text = format!(
        "{} {}, but no operation wrote {} before it returned.",
        desc(h, p, x),
        saw(h, p, x, v),
        show(h, p, v)
    );
    Some((text, vec![]))
}

/// Form 2: a stale read. Every write the reader could have seen (invoked
/// before it returned) was followed by a completed write of another
/// value that also completed before the reader began.
fn overwritten(h: &History, p: &Prepared, x: u32) -> Option<Found> {
    let xo = &p.ops[x as usize];
    let v = xo.observed()?;
    let end = xo.response?;
    // The latest-invoked completed write of another value that completed
    // before the reader began: if it does not follow a source, none does.
    let mut newer: Option<u32> = None;
    for (i, o) in p.ops.iter().enumerate() {
        let (Some(w), Some(r)) = (o.written(), o.response) else {
            continue;
        };
        if w != v && r < xo.invoke && newer.is_none_or(|n| o.invoke > p.ops[n as usize].invoke) {
            newer = Some(i as u32);
        }
    }
    let newer = newer?;
    let newer_invoke = p.ops[newer as usize].invoke;
    let sources: Vec<u32> = (0..p.ops.len() as u32)
        .filter(|&i| {
            i != x && p.ops[i as usize].written() == Some(v) && p.ops[i as usize].invoke <= end
        })
        .collect();
    if v != EMPTY && sources.is_empty() {
        return None;
    }
    let all_older = sources
        .iter()
        .all(|&s| p.ops[s as usize].response.is_some_and(|r| r < newer_invoke));
    if !all_older {
        return None;
    }
    let text = if v == EMPTY {
        format!(
            "{} found the register empty, but {} had completed before it began.",
            desc(h, p, x),
            desc(h, p, newer)
        )
    } else if sources.len() == 1 {
        format!(
            "{} {}, but the only write of {}, {}, had been overwritten by {}, which completed before the read began.",
            desc(h, p, x),
            saw(h, p, x, v),
            show(h, p, v),
            desc(h, p, sources[0]),
            desc(h, p, newer)
        )
    } else {
        let list: Vec<String> = sources
            .iter()
            .map(|&s| format!("op {}", p.ops[s as usize].index))
            .collect();
        format!(
            "{} {}, but every write of {} ({}) completed before {} began, and that completed before the read began.",
            desc(h, p, x),
            saw(h, p, x, v),
            show(h, p, v),
            list.join(", "),
            desc(h, p, newer)
        )
    };
    let mut ops = sources;
    ops.push(newer);
    Some((text, ops))
}

/// Form 3: a failed cas when the register certainly held `expected`.
fn failed_cas_certain(h: &History, p: &Prepared, x: u32) -> Option<Found> {
    let xo = &p.ops[x as usize];
    let PKind::Cas {
        expected,
        ok: false,
        ..
    } = xo.kind
    else {
        return None;
    };
    let end = xo.response?;
    // The last completed write of `expected` before the cas began.
    let mut last: Option<u32> = None;
    for (i, o) in p.ops.iter().enumerate() {
        if o.written() == Some(expected)
            && o.response.is_some_and(|r| r < xo.invoke)
            && last.is_none_or(|l| o.response > p.ops[l as usize].response)
        {
            last = Some(i as u32);
        }
    }
    let s = last?;
    let so = &p.ops[s as usize];
    // Could any write of another value come between it and the cas?
    let between = p.ops.iter().enumerate().any(|(i, o)| {
        i as u32 != x
            && o.written().is_some_and(|w| w != expected)
            && o.invoke <= end
            && o.response.is_none_or(|r| r >= so.invoke)
    });
    if between {
        return None;
    }
    let text = format!(
        "{} failed, so the register did not hold {}; but {} completed before the cas began and no write of another value could have come between them.",
        desc(h, p, x),
        show(h, p, expected),
        desc(h, p, s)
    );
    Some((text, vec![s]))
}

/// One step of a cycle: why write `from` precedes write `to`.
#[derive(Clone, Copy)]
enum Why {
    /// `x` (the write `from`, or an operation that saw its value) ended
    /// before `y` (the write `to`, or an operation that saw its value)
    /// began.
    RealTime { x: u32, y: u32 },
    /// The cas `to` swapped from `from`'s value: it came right after it.
    Cas,
    /// `from` is the initial empty register.
    Initial,
}

/// Form 4, when every write has its own value: the precedences real time
/// forces between writes contain a cycle through the write the culprit saw.
///
/// Writes are nodes (plus the initial empty register). An operation stands
/// for a write *as the earlier side* if it is that write or read its value,
/// and *as the later side* if it is that write or read its value (a cas
/// reads `expected`). If an operation standing for `A` ended before one
/// standing for `B ≠ A` began, then `A` precedes `B` in every legal order.
/// The search is a breadth-first search whose edges from `A` go to every
/// later-side operation invoked after the earliest response among `A`'s
/// earlier-side operations: a suffix of the operations sorted by invoke,
/// so the whole search is linear.
fn cycle(h: &History, p: &Prepared, x: u32) -> Option<Found> {
    let m = p.ops.len();
    let init = m as u32;
    let n_nodes = m + 1;
    // The writer of each value; every value written at most once.
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
        if let Some(v) = o.observed() {
            observed[v as usize] = true;
        }
    }
    let target = writer[p.ops[x as usize].observed()? as usize];
    if target == NIL {
        return None;
    }
    // Earlier side: earliest response per node, and the operation with it.
    let mut earliest: Vec<Option<(u64, u32)>> = vec![None; n_nodes];
    // Later side: (invoke, node, operation), by invoke.
    let mut later: Vec<(u64, u32, u32)> = Vec::new();
    // Cas edges: (from node, cas).
    let mut cas_out: Vec<Vec<u32>> = vec![Vec::new(); n_nodes];
    for (i, o) in p.ops.iter().enumerate() {
        let i = i as u32;
        let (early, late) = match o.kind {
            PKind::Write { v } => {
                let indefinite = o.response.is_none();
                (Some(i), (!indefinite || observed[v as usize]).then_some(i))
            }
            PKind::Read { v } => (Some(writer[v as usize]), Some(writer[v as usize])),
            PKind::Cas {
                expected,
                new,
                ok: true,
            } => {
                let from = writer[expected as usize];
                let counts = o.response.is_some() || observed[new as usize];
                if counts && from != NIL {
                    cas_out[from as usize].push(i);
                }
                (Some(i), counts.then_some(from))
            }
            PKind::Cas { ok: false, .. } => (None, None),
        };
        if let (Some(node), Some(r)) = (early, o.response) {
            if node != NIL && earliest[node as usize].is_none_or(|(t, _)| r < t) {
                earliest[node as usize] = Some((r, i));
            }
        }
        if let Some(node) = late.filter(|&n| n != NIL) {
            later.push((o.invoke, node, i));
        }
    }
    crate::sort::sort(&mut later);
    // The latest-invoked later-side operation standing for the target.
    let into_target = later.iter().rev().find(|l| l.1 == target).copied();

    let mut parent: Vec<Option<(u32, Why)>> = vec![None; n_nodes];
    let mut visited = vec![false; n_nodes];
    let mut queue = std::collections::VecDeque::from([target]);
    let mut processed_from = later.len();
    let mut closing: Option<(u32, Why)> = None;
    'bfs: while let Some(a) = queue.pop_front() {
        // Where `a`'s real-time edges start, and the operation justifying them.
        let (start, xop) = if a == init {
            (0, None)
        } else {
            match earliest[a as usize] {
                Some((r, op)) => (later.partition_point(|l| l.0 <= r), Some(op)),
                None => (later.len(), None),
            }
        };
        let why = |y: u32| match xop {
            Some(xo) => Why::RealTime { x: xo, y },
            None => Why::Initial,
        };
        if a != target {
            if let Some((inv, _, y)) = into_target {
                if start < later.len() && inv >= later[start].0 {
                    closing = Some((a, why(y)));
                    break 'bfs;
                }
            }
            if cas_out[a as usize].contains(&target) {
                closing = Some((a, Why::Cas));
                break 'bfs;
            }
        }
        for &(_, b, y) in &later[start..processed_from.max(start)] {
            if b != target && b != a && !visited[b as usize] {
                visited[b as usize] = true;
                parent[b as usize] = Some((a, why(y)));
                queue.push_back(b);
            }
        }
        processed_from = processed_from.min(start);
        for &b in &cas_out[a as usize] {
            if b != target && !visited[b as usize] {
                visited[b as usize] = true;
                parent[b as usize] = Some((a, Why::Cas));
                queue.push_back(b);
            }
        }
    }
    let (last, why_close) = closing?;
    // Rebuild target → … → last → target.
    let mut steps: Vec<(u32, u32, Why)> = vec![(last, target, why_close)];
    let mut node = last;
    while node != target {
        let (from, why) = parent[node as usize]?;
        steps.push((from, node, why));
        node = from;
        if steps.len() > n_nodes {
            return None;
        }
    }
    steps.reverse();

    let name = |n: u32| -> String {
        if n == init {
            "the initial empty register".into()
        } else {
            let v = p.ops[n as usize].written().unwrap_or(EMPTY);
            format!(
                "the write of {} (op {})",
                show(h, p, v),
                p.ops[n as usize].index
            )
        }
    };
    let role = |op: u32, node: u32| -> String {
        if op == node {
            format!("op {}", p.ops[op as usize].index)
        } else {
            let o = &p.ops[op as usize];
            let verb = if matches!(o.kind, PKind::Read { .. }) {
                "read"
            } else {
                "swapped from"
            };
            let v = o.observed().unwrap_or(EMPTY);
            format!(
                "op {} (client {}, which {verb} {})",
                o.index,
                o.client,
                show(h, p, v)
            )
        }
    };
    let mut ops: Vec<u32> = Vec::new();
    let mut clauses: Vec<String> = Vec::new();
    for &(from, to, why) in &steps {
        for n in [from, to] {
            if n != init {
                ops.push(n);
            }
        }
        let reason = match why {
            Why::Initial => "everything comes after the initial empty register".to_string(),
            Why::Cas => format!("op {} swapped from it", p.ops[to as usize].index),
            Why::RealTime { x: xo, y } => {
                ops.extend([xo, y]);
                format!(
                    "{} ended at {} before {} began at {}",
                    role(xo, from),
                    p.ops[xo as usize].response.unwrap_or(0),
                    role(y, to),
                    p.ops[y as usize].invoke
                )
            }
        };
        clauses.push(format!(
            "{} precedes {}, since {reason}",
            name(from),
            name(to)
        ));
    }
    let text = format!(
        "{} {}, but every value is written once, and real time forces the writes into a cycle: {}.",
        desc(h, p, x),
        saw(h, p, x, p.ops[x as usize].observed().unwrap_or(EMPTY)),
        clauses.join("; ")
    );
    Some((text, ops))
}

/// Form 5: the furthest the search got.
fn generic(h: &History, p: &Prepared, d: &Deepest) -> Found {
    const SHOWN: usize = 4;
    let x = d.blocked;
    let placed = d.path.len();
    let tail: Vec<String> = d
        .path
        .iter()
        .rev()
        .take(SHOWN)
        .rev()
        .map(|&o| format!("op {}", p.ops[o as usize].index))
        .collect();
    let order = match placed {
        0 => "placing no operation".to_string(),
        n if n <= SHOWN => format!("placing {} in that order", tail.join(", ")),
        n => format!("placing {n} operations, ending with {}", tail.join(", ")),
    };
    let held = if d.state == EMPTY {
        "leaves the register empty".to_string()
    } else {
        format!("leaves the register holding {}", show(h, p, d.state))
    };
    let mut reasons: Vec<String> = Vec::new();
    let mut named: Vec<u32> = Vec::new();
    for &o in &d.frontier {
        let po = &p.ops[o as usize];
        let fits = po.apply(d.state).is_some();
        // An indefinite operation that does not fit is no obstacle: it may
        // simply never take effect.
        if po.response.is_none() && !fits {
            continue;
        }
        let need = match po.kind {
            _ if fits => None,
            PKind::Read { v }
            | PKind::Cas {
                expected: v,
                ok: true,
                ..
            } => Some(format!("needs {}", show(h, p, v))),
            PKind::Cas {
                expected,
                ok: false,
                ..
            } => Some(format!("needs anything but {}", show(h, p, expected))),
            PKind::Write { .. } => None,
        };
        let what = if po.response.is_none() {
            " (no response)"
        } else {
            ""
        };
        reasons.push(match need {
            Some(need) => format!("op {}{what} {need}", po.index),
            None => format!("op {}{what} fits but leads to a dead end", po.index),
        });
        named.push(o);
    }
    let text = format!(
        "Every operation that returned before {} can be put in a legal order, but no such order has room for it. \
         The search got furthest {order}, which {held}; of the operations that could come next, {}.",
        desc(h, p, x),
        reasons.join(", ")
    );
    let mut ops: Vec<u32> = named;
    if let Some(&last) = d.path.last() {
        ops.push(last);
    }
    (text, ops)
}
