//! Read-your-writes and monotonic reads, per client. The definitions are
//! in the module doc of `check`; both use only precedences that hold in
//! every order of the history, so a violation reported is certain.

use super::History;
use crate::history::{OpKind, Value};
use serde::Serialize;
use std::collections::BTreeMap;

/// Most violations listed per guarantee; the totals count them all.
pub const SESSION_VIOLATIONS_MAX: usize = 100;

/// Source operations named in one explanation, at most.
const SOURCES_SHOWN: usize = 4;

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct SessionReport {
    /// In client order, then in the order of the later operation.
    pub read_your_writes: Vec<SessionViolation>,
    pub monotonic_reads: Vec<SessionViolation>,
    /// Violations found, including those past the lists' limit.
    pub read_your_writes_total: usize,
    pub monotonic_reads_total: usize,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SessionViolation {
    pub client: u32,
    /// The earlier operation (the client's write, or its earlier read),
    /// then the read that violates the guarantee.
    pub ops: [usize; 2],
    pub explanation: String,
}

/// Time with the two ends of the line: the initial register completed at
/// −1, an indefinite write never completes.
type T = i128;
const INITIAL: T = -1;
const NEVER: T = i128::MAX;

struct Writes {
    /// (invoke, response, operation), by invoke.
    list: Vec<(T, T, usize)>,
    /// Latest response among `list[..=k]`.
    prefix_max: Vec<T>,
}

/// What the sources of a read are: earliest invoke, latest response, and
/// some of them to name.
struct Sources {
    min_invoke: T,
    max_response: T,
    ops: Vec<usize>,
}

struct Index {
    writes: BTreeMap<Value, Writes>,
}

impl Index {
    fn new(h: &History) -> Index {
        let mut writes: BTreeMap<Value, Writes> = BTreeMap::new();
        for (i, op) in h.ops.iter().enumerate() {
            let writes_value = matches!(op.kind, OpKind::Write | OpKind::Cas) && op.ok;
            if let (true, Some(v)) = (writes_value, op.value) {
                let resp = op.response.map_or(NEVER, T::from);
                writes
                    .entry(v)
                    .or_insert_with(|| Writes {
                        list: Vec::new(),
                        prefix_max: Vec::new(),
                    })
                    .list
                    .push((T::from(op.invoke), resp, i));
            }
        }
        for w in writes.values_mut() {
            crate::sort::sort(&mut w.list);
            let mut m = T::MIN;
            w.prefix_max = w
                .list
                .iter()
                .map(|e| {
                    m = m.max(e.1);
                    m
                })
                .collect();
        }
        Index { writes }
    }

    /// The sources of read `r` (operation index `ri`) that saw `v`.
    fn sources(&self, v: Option<Value>, ri: usize, r_response: T) -> Option<Sources> {
        let Some(v) = v else {
            return Some(Sources {
                min_invoke: INITIAL,
                max_response: INITIAL,
                ops: vec![],
            });
        };
        let w = self.writes.get(&v)?;
        let k = w.list.partition_point(|e| e.0 <= r_response);
        if k == 0 {
            return None;
        }
        let mine = w.list[..k].iter().any(|e| e.2 == ri);
        let (min_invoke, max_response) = if mine {
            // A cas that wrote back what it read is not its own source.
            let others: Vec<&(T, T, usize)> = w.list[..k].iter().filter(|e| e.2 != ri).collect();
            let first = others.first()?;
            (first.0, others.iter().map(|e| e.1).max().unwrap_or(first.1))
        } else {
            (w.list[0].0, w.prefix_max[k - 1])
        };
        let ops = w.list[..k]
            .iter()
            .filter(|e| e.2 != ri)
            .map(|e| e.2)
            .take(SOURCES_SHOWN + 1)
            .collect();
        Some(Sources {
            min_invoke,
            max_response,
            ops,
        })
    }
}

fn op_names(ops: &[usize]) -> String {
    let mut names: Vec<String> = ops
        .iter()
        .take(SOURCES_SHOWN)
        .map(|i| format!("op {i}"))
        .collect();
    if ops.len() > SOURCES_SHOWN {
        names.push("…".into());
    }
    names.join(", ")
}

pub(crate) fn check(h: &History) -> SessionReport {
    let mut report = SessionReport::default();
    if super::prepare::validate(h).is_err() {
        return report;
    }
    let index = Index::new(h);
    let mut by_client: BTreeMap<u32, Vec<usize>> = BTreeMap::new();
    for (i, op) in h.ops.iter().enumerate() {
        by_client.entry(op.client).or_default().push(i);
    }
    for (&client, ops) in &by_client {
        let mut ops = ops.clone();
        crate::sort::sort_by_key(&mut ops, |&i| (h.ops[i].invoke, i));
        read_your_writes(h, &index, client, &ops, &mut report);
        monotonic_reads(h, &index, client, &ops, &mut report);
    }
    report
}

/// The value a completed, successful operation saw, if it reads.
fn seen(h: &History, i: usize) -> Option<(Option<Value>, T)> {
    let op = &h.ops[i];
    let r = T::from(op.response?);
    match op.kind {
        OpKind::Read if op.ok => Some((op.value, r)),
        OpKind::Cas if op.ok => Some((op.expected, r)),
        _ => None,
    }
}

fn read_your_writes(
    h: &History,
    index: &Index,
    client: u32,
    ops: &[usize],
    report: &mut SessionReport,
) {
    // The client's completed writes, by response.
    let mut writes: Vec<(u64, usize)> = ops
        .iter()
        .filter(|&&i| matches!(h.ops[i].kind, OpKind::Write | OpKind::Cas) && h.ops[i].ok)
        .filter_map(|&i| h.ops[i].response.map(|r| (r, i)))
        .collect();
    crate::sort::sort(&mut writes);
    let mut next_write = 0;
    // The latest-invoked write completed so far.
    let mut latest: Option<usize> = None;
    for &r in ops {
        let Some((v, r_resp)) = seen(h, r) else {
            continue;
        };
        let r_inv = h.ops[r].invoke;
        while next_write < writes.len() && writes[next_write].0 < r_inv {
            let w = writes[next_write].1;
            if latest.is_none_or(|l| (h.ops[w].invoke, w) > (h.ops[l].invoke, l)) {
                latest = Some(w);
            }
            next_write += 1;
        }
        let Some(w) = latest else { continue };
        if h.ops[w].value == v {
            continue;
        }
        let Some(src) = index.sources(v, r, r_resp) else {
            continue;
        };
        if src.max_response < T::from(h.ops[w].invoke) {
            report.read_your_writes_total += 1;
            if report.read_your_writes.len() < SESSION_VIOLATIONS_MAX {
                let why = match v {
                    None => "but a register never becomes empty again once written".to_string(),
                    Some(_) => format!(
                        "but every write of {} ({}) completed before op {w} was invoked at {}",
                        h.show_value(v),
                        op_names(&src.ops),
                        h.ops[w].invoke
                    ),
                };
                let explanation = format!(
                    "{} saw {} after the client's own {} had completed, {why}: the client did not see its own write.",
                    h.describe(r),
                    h.show_value(v),
                    h.describe(w)
                );
                report.read_your_writes.push(SessionViolation {
                    client,
                    ops: [w, r],
                    explanation,
                });
            }
        }
    }
}

fn monotonic_reads(
    h: &History,
    index: &Index,
    client: u32,
    ops: &[usize],
    report: &mut SessionReport,
) {
    // The client's reads with their sources' earliest invoke, by response.
    let mut reads: Vec<(T, usize, T)> = Vec::new();
    for &r in ops {
        let Some((v, r_resp)) = seen(h, r) else {
            continue;
        };
        if let Some(src) = index.sources(v, r, r_resp) {
            reads.push((r_resp, r, src.min_invoke));
        }
    }
    crate::sort::sort(&mut reads);
    let mut next_read = 0;
    // The earlier read whose value's writes began latest: (earliest invoke of its sources, read).
    let mut best: Option<(T, usize)> = None;
    for &r2 in ops {
        let Some((v, r2_resp)) = seen(h, r2) else {
            continue;
        };
        let r2_inv = T::from(h.ops[r2].invoke);
        while next_read < reads.len() && reads[next_read].0 < r2_inv {
            let (_, r1, min_inv) = reads[next_read];
            if best.is_none_or(|b| min_inv > b.0) {
                best = Some((min_inv, r1));
            }
            next_read += 1;
        }
        let Some((min_inv, r1)) = best else { continue };
        let Some(src) = index.sources(v, r2, r2_resp) else {
            continue;
        };
        if src.max_response < min_inv {
            report.monotonic_reads_total += 1;
            if report.monotonic_reads.len() < SESSION_VIOLATIONS_MAX {
                let u = seen(h, r1).and_then(|s| s.0);
                let r1_src = index.sources(u, r1, seen(h, r1).map_or(NEVER, |s| s.1));
                let why = match v {
                    None => "but a register never becomes empty again once written".to_string(),
                    Some(_) => format!(
                        "but every write of {} ({}) completed before the first write of {} ({}) was invoked at {}",
                        h.show_value(v),
                        op_names(&src.ops),
                        h.show_value(u),
                        op_names(&r1_src.map(|s| s.ops).unwrap_or_default()),
                        min_inv
                    ),
                };
                let explanation = format!(
                    "{} saw {} after the client's {} had seen {}, {why}: the client saw the register go back in time.",
                    h.describe(r2),
                    h.show_value(v),
                    h.describe(r1),
                    h.show_value(u)
                );
                report.monotonic_reads.push(SessionViolation {
                    client,
                    ops: [r1, r2],
                    explanation,
                });
            }
        }
    }
}
