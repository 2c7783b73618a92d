//! Versions of the register and the two rules that merge them.
//!
//! - **Ordered** (CP and last-writer-wins): every version carries a
//!   [`Stamp`]; a replica keeps the one with the highest stamp. In CP the
//!   stamp's `t` is the ABD counter; under last-writer-wins it is the
//!   coordinator's clock, which may be skewed.
//! - **Causal** (version vectors): a version replaces only the versions
//!   its vector dominates; versions whose vectors are incomparable are
//!   concurrent and kept side by side as siblings.

use crate::history::Value;
use serde::{Deserialize, Serialize};

/// Orders versions: `t` first (an ABD counter, or the coordinator's clock
/// in µs under last-writer-wins), then the coordinator's index, then its
/// write sequence number, so that no two writes share a stamp.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Stamp {
    pub t: u64,
    pub node: u8,
    pub seq: u32,
}

/// The client operation that wrote a version: the client's number (0 for
/// C1) and the operation's index in that client's history.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct OpRef {
    pub client: u8,
    pub idx: u32,
}

/// One version of the register's value.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Version {
    pub value: Value,
    pub stamp: Stamp,
    /// Version vector, one counter per replica; empty unless the lab uses
    /// version vectors.
    pub vv: Vec<u64>,
    /// The write that created it (kept for the checks and the display).
    pub origin: OpRef,
}

/// How a replica merges an incoming version with the ones it holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rule {
    /// Keep only the highest stamp.
    Ordered,
    /// Keep every version no other version's vector dominates.
    Causal,
}

/// The most siblings a replica keeps; beyond it the oldest (by stamp) is
/// dropped, which the checks then see as a lost write.
pub const MAX_SIBLINGS: usize = 16;

/// What merging one version did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Applied {
    /// It replaced what was there (or the register was empty).
    New,
    /// It is concurrent with what was there and kept beside it.
    Sibling,
    /// What was there is newer (higher stamp, or a dominating vector): ignored.
    Older,
    /// The replica already had it.
    Known,
}

/// `a ≤ b` component-wise; missing entries count as 0.
pub fn vv_leq(a: &[u64], b: &[u64]) -> bool {
    let n = a.len().max(b.len());
    (0..n).all(|i| a.get(i).copied().unwrap_or(0) <= b.get(i).copied().unwrap_or(0))
}

/// The component-wise maximum.
pub fn vv_join(a: &[u64], b: &[u64]) -> Vec<u64> {
    let n = a.len().max(b.len());
    (0..n)
        .map(|i| {
            a.get(i)
                .copied()
                .unwrap_or(0)
                .max(b.get(i).copied().unwrap_or(0))
        })
        .collect()
}

/// Merges `v` into `set` (kept sorted by stamp). Returns what happened and
/// whether a sibling had to be dropped to respect [`MAX_SIBLINGS`].
pub fn merge_one(set: &mut Vec<Version>, v: Version, rule: Rule) -> (Applied, bool) {
    match rule {
        Rule::Ordered => {
            let applied = match set.iter().map(|e| e.stamp).max() {
                None => Applied::New,
                Some(s) if v.stamp > s => Applied::New,
                Some(s) if v.stamp == s => Applied::Known,
                Some(_) => Applied::Older,
            };
            if applied == Applied::New {
                set.clear();
                set.push(v);
            }
            (applied, false)
        }
        Rule::Causal => {
            if let Some(e) = set.iter().find(|e| vv_leq(&v.vv, &e.vv)) {
                return (
                    if e.vv == v.vv {
                        Applied::Known
                    } else {
                        Applied::Older
                    },
                    false,
                );
            }
            let before = set.len();
            set.retain(|e| !vv_leq(&e.vv, &v.vv));
            let applied = if set.len() == before && before > 0 {
                Applied::Sibling
            } else {
                Applied::New
            };
            let pos = set.partition_point(|e| e.stamp < v.stamp);
            set.insert(pos, v);
            let evicted = set.len() > MAX_SIBLINGS;
            if evicted {
                set.remove(0);
            }
            (applied, evicted)
        }
    }
}

/// Merges every version of `incoming`; returns whether `set` changed and
/// how many siblings were dropped.
pub fn merge_all(set: &mut Vec<Version>, incoming: &[Version], rule: Rule) -> (bool, u32) {
    let mut changed = false;
    let mut evicted = 0;
    for v in incoming {
        let (a, e) = merge_one(set, v.clone(), rule);
        changed |= matches!(a, Applied::New | Applied::Sibling);
        evicted += e as u32;
    }
    (changed, evicted)
}

/// Whether two sets hold the same versions.
pub fn same(a: &[Version], b: &[Version]) -> bool {
    a.len() == b.len() && a.iter().all(|x| b.iter().any(|y| y.stamp == x.stamp))
}

/// The highest stamp in a set, if any.
pub fn top_stamp(set: &[Version]) -> Option<Stamp> {
    set.iter().map(|v| v.stamp).max()
}

/// The join of every vector in a set: the context a client sends with its
/// next write, so that the write supersedes everything it has seen.
pub fn context_of(set: &[Version]) -> Vec<u64> {
    set.iter().fold(Vec::new(), |acc, v| vv_join(&acc, &v.vv))
}

/// Values of a set, in stamp order (for display and narration).
pub fn values(set: &[Version]) -> Vec<Value> {
    set.iter().map(|v| v.value).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(value: Value, t: u64, vv: &[u64]) -> Version {
        Version {
            value,
            stamp: Stamp { t, node: 0, seq: 0 },
            vv: vv.to_vec(),
            origin: OpRef {
                client: 0,
                idx: value as u32,
            },
        }
    }

    #[test]
    fn ordered_keeps_the_highest_stamp() {
        let mut set = vec![];
        assert_eq!(
            merge_one(&mut set, v(1, 5, &[]), Rule::Ordered),
            (Applied::New, false)
        );
        assert_eq!(
            merge_one(&mut set, v(2, 3, &[]), Rule::Ordered),
            (Applied::Older, false)
        );
        assert_eq!(
            merge_one(&mut set, v(1, 5, &[]), Rule::Ordered),
            (Applied::Known, false)
        );
        assert_eq!(
            merge_one(&mut set, v(3, 9, &[]), Rule::Ordered),
            (Applied::New, false)
        );
        assert_eq!(values(&set), vec![3]);
    }

    #[test]
    fn causal_keeps_concurrent_versions_as_siblings() {
        let mut set = vec![];
        merge_one(&mut set, v(1, 1, &[1, 0, 0]), Rule::Causal);
        assert_eq!(
            merge_one(&mut set, v(2, 2, &[0, 0, 1]), Rule::Causal),
            (Applied::Sibling, false)
        );
        assert_eq!(values(&set), vec![1, 2]);
        assert_eq!(
            merge_one(&mut set, v(9, 0, &[1, 0, 0]), Rule::Causal).0,
            Applied::Known
        );
        assert_eq!(
            merge_one(&mut set, v(0, 0, &[0, 0, 0]), Rule::Causal).0,
            Applied::Older
        );
        // A write whose context saw both siblings resolves them.
        let ctx = context_of(&set);
        assert_eq!(ctx, vec![1, 0, 1]);
        assert_eq!(
            merge_one(&mut set, v(3, 3, &[2, 0, 1]), Rule::Causal),
            (Applied::New, false)
        );
        assert_eq!(values(&set), vec![3]);
    }

    #[test]
    fn causal_sibling_count_is_bounded() {
        let mut set = vec![];
        for i in 0..(MAX_SIBLINGS as u64 + 2) {
            let mut vv = vec![0; MAX_SIBLINGS + 2];
            vv[i as usize] = 1;
            merge_one(&mut set, v(i as Value, i, &vv), Rule::Causal);
        }
        assert_eq!(set.len(), MAX_SIBLINGS);
        assert_eq!(set[0].value, 2, "the two oldest were dropped");
    }

    #[test]
    fn merging_is_order_independent() {
        let a = [v(1, 1, &[1, 0]), v(2, 2, &[0, 1]), v(3, 3, &[1, 1])];
        for rule in [Rule::Ordered, Rule::Causal] {
            let mut x = vec![];
            merge_all(&mut x, &a, rule);
            let mut y = vec![];
            let rev: Vec<Version> = a.iter().rev().cloned().collect();
            merge_all(&mut y, &rev, rule);
            assert!(same(&x, &y), "{rule:?}: {x:?} vs {y:?}");
        }
    }
}
