//! From a history as recorded to the operations the searches consider.
//!
//! - Failed reads and writes (`ok == false`) took no effect: removed.
//! - Reads with no response returned nothing anyone saw: removed.
//! - A cas with `ok == false` and no response neither swapped nor told
//!   anyone anything: removed. One with a response is a *failed cas*: it
//!   observed a value other than `expected`.
//! - Writes and cas with no response are *indefinite*: each may take effect
//!   once, at any time after its invoke, or never.
//! - An indefinite write (or cas) whose value nothing could ever profit
//!   from is removed too: no read returns it, no completed cas expects it,
//!   no indefinite cas expects it, and no failed cas could have seen it.
//!   Leaving such an operation out of any legal order leaves the order
//!   legal (the operations after it, up to the next write, see the earlier
//!   value instead, and none of them cared), so this changes no verdict.
//!
//! Values become dense ids (0 = the empty register, then the written and
//! read values in increasing order); operations are numbered by
//! `(invoke, index)`, their order of invocation.

use super::{History, MAX_OPS};
use crate::history::{OpKind, Value};
use std::collections::BTreeMap;

/// The empty register.
pub(crate) const EMPTY: u32 = 0;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum PKind {
    Read {
        v: u32,
    },
    Write {
        v: u32,
    },
    /// `ok`: swapped (completed or indefinite) or failed (completed only).
    Cas {
        expected: u32,
        new: u32,
        ok: bool,
    },
}

#[derive(Clone, Debug)]
pub(crate) struct POp {
    /// Index in the history.
    pub index: usize,
    pub client: u32,
    pub invoke: u64,
    /// `None`: indefinite.
    pub response: Option<u64>,
    pub kind: PKind,
}

impl POp {
    /// The register after this operation takes effect in `state`, or
    /// `None` if it cannot take effect there.
    pub(crate) fn apply(&self, state: u32) -> Option<u32> {
        match self.kind {
            PKind::Read { v } => (state == v).then_some(state),
            PKind::Write { v } => Some(v),
            PKind::Cas {
                expected,
                new,
                ok: true,
            } => (state == expected).then_some(new),
            PKind::Cas {
                expected,
                ok: false,
                ..
            } => (state != expected).then_some(state),
        }
    }

    /// Changes nothing when it takes effect (a read or a failed cas).
    pub(crate) fn read_like(&self) -> bool {
        matches!(self.kind, PKind::Read { .. } | PKind::Cas { ok: false, .. })
    }

    /// The value it puts in the register, if it writes.
    pub(crate) fn written(&self) -> Option<u32> {
        match self.kind {
            PKind::Write { v }
            | PKind::Cas {
                new: v, ok: true, ..
            } => Some(v),
            _ => None,
        }
    }

    /// The value it saw, if it read one: a read's result, a swapping
    /// cas's `expected`.
    pub(crate) fn observed(&self) -> Option<u32> {
        match self.kind {
            PKind::Read { v }
            | PKind::Cas {
                expected: v,
                ok: true,
                ..
            } => Some(v),
            _ => None,
        }
    }
}

pub(crate) struct Prepared {
    /// In order of invocation; `ops[i]` is operation `i` of the searches.
    pub ops: Vec<POp>,
    /// Dense id → value; `values[0]` is the empty register (`None`).
    pub values: Vec<Option<Value>>,
}

/// Checks that the operations make sense, whatever built them.
pub(crate) fn validate(h: &History) -> Result<(), String> {
    if h.ops.len() > MAX_OPS {
        return Err(format!(
            "the history has {} operations; the limit is {MAX_OPS}",
            h.ops.len()
        ));
    }
    for (i, op) in h.ops.iter().enumerate() {
        if let Some(r) = op.response {
            if r < op.invoke {
                return Err(format!(
                    "operation {i}: its response ({r}) is before its invoke ({})",
                    op.invoke
                ));
            }
        }
        match op.kind {
            OpKind::Read => {}
            OpKind::Write if op.value.is_none() => {
                return Err(format!("operation {i}: a write needs a value"))
            }
            OpKind::Write => {}
            OpKind::Cas if op.value.is_none() => {
                return Err(format!("operation {i}: a cas needs a new value"))
            }
            OpKind::Cas => {}
        }
    }
    Ok(())
}

pub(crate) fn prepare(h: &History) -> Result<Prepared, String> {
    validate(h)?;
    let kept: Vec<usize> = (0..h.ops.len())
        .filter(|&i| {
            let op = &h.ops[i];
            match op.kind {
                OpKind::Read => op.ok && op.response.is_some(),
                OpKind::Write => op.ok,
                OpKind::Cas => op.ok || op.response.is_some(),
            }
        })
        .collect();

    let mut ids: BTreeMap<Value, u32> = BTreeMap::new();
    for &i in &kept {
        let op = &h.ops[i];
        for v in [
            op.value,
            if op.kind == OpKind::Cas {
                op.expected
            } else {
                None
            },
        ]
        .into_iter()
        .flatten()
        {
            ids.insert(v, 0);
        }
    }
    let mut values: Vec<Option<Value>> = vec![None];
    for (v, id) in ids.iter_mut() {
        *id = values.len() as u32;
        values.push(Some(*v));
    }
    let id = |v: Option<Value>| v.map_or(EMPTY, |v| ids.get(&v).copied().unwrap_or(EMPTY));

    let mut ops: Vec<POp> = kept
        .iter()
        .map(|&i| {
            let op = &h.ops[i];
            let kind = match op.kind {
                OpKind::Read => PKind::Read { v: id(op.value) },
                OpKind::Write => PKind::Write { v: id(op.value) },
                OpKind::Cas => PKind::Cas {
                    expected: id(op.expected),
                    new: id(op.value),
                    ok: op.ok,
                },
            };
            POp {
                index: i,
                client: op.client,
                invoke: op.invoke,
                response: op.response,
                kind,
            }
        })
        .collect();
    drop_useless_indefinite(&mut ops, values.len());
    crate::sort::sort_by_key(&mut ops, |o| (o.invoke, o.index));
    Ok(Prepared { ops, values })
}

/// Removes indefinite operations whose value nothing could profit from
/// (see the module doc), repeating while removals make more of them
/// useless.
fn drop_useless_indefinite(ops: &mut Vec<POp>, n_values: usize) {
    let mut reads = vec![0u64; n_values];
    let mut indefinite_cas_expect = vec![0u64; n_values];
    let mut failed_cas_expect = vec![0u64; n_values];
    let mut failed_cas = 0u64;
    for o in ops.iter() {
        match (o.kind, o.response) {
            (PKind::Read { v }, _)
            | (
                PKind::Cas {
                    expected: v,
                    ok: true,
                    ..
                },
                Some(_),
            ) => reads[v as usize] += 1,
            (
                PKind::Cas {
                    expected, ok: true, ..
                },
                None,
            ) => indefinite_cas_expect[expected as usize] += 1,
            (
                PKind::Cas {
                    expected,
                    ok: false,
                    ..
                },
                _,
            ) => {
                failed_cas += 1;
                failed_cas_expect[expected as usize] += 1;
            }
            (PKind::Write { .. }, _) => {}
        }
    }
    let useful =
        |v: usize, ice: &[u64]| reads[v] + ice[v] + (failed_cas - failed_cas_expect[v]) > 0;
    let mut alive = vec![true; ops.len()];
    loop {
        let mut changed = false;
        for (k, o) in ops.iter().enumerate() {
            if !alive[k] || o.response.is_some() {
                continue;
            }
            let Some(v) = o.written() else { continue };
            if !useful(v as usize, &indefinite_cas_expect) {
                alive[k] = false;
                changed = true;
                if let PKind::Cas { expected, .. } = o.kind {
                    indefinite_cas_expect[expected as usize] -= 1;
                }
            }
        }
        if !changed {
            break;
        }
    }
    let mut k = 0;
    ops.retain(|_| {
        k += 1;
        alive[k - 1]
    });
}
