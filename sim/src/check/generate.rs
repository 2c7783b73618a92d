//! Histories of a simulated register, for tests and benchmarks.
//!
//! Clients run one operation at a time. Each operation lasts a random
//! time and takes effect at a random instant inside its interval, so the
//! history is linearizable by construction: the instants are a witness.
//! Some operations crash: they get no response and take effect with
//! probability one half. A crashed client is replaced by a new one (a new
//! client number), as Jepsen replaces a crashed process.
//! [`with_stale_read`] then breaks such a history in a known place.

use super::History;
use crate::history::{Op, OpKind, Value};
use crate::kernel::SimRng;

/// Most clients at once.
pub const CLIENTS_MAX: u32 = 64;

#[derive(Clone, Debug, PartialEq)]
pub struct GenConfig {
    /// Clients running at once, 1–[`CLIENTS_MAX`].
    pub clients: u32,
    /// Operations in all, at most [`super::MAX_OPS`].
    pub ops: u32,
    /// Each operation lasts a uniform time in this range (µs).
    pub latency_us: (u64, u64),
    /// A client waits a uniform time in this range between operations (µs).
    pub think_us: (u64, u64),
    /// Reads, out of 100; then cas; the rest are writes.
    pub read_percent: u32,
    pub cas_percent: u32,
    /// Operations that crash, out of 1,000.
    pub crash_per_mille: u32,
    /// `None`: every write writes a new value. `Some(k)`: values are drawn
    /// from `1..=k`, so the same value is written many times.
    pub values: Option<u32>,
}

impl Default for GenConfig {
    fn default() -> GenConfig {
        GenConfig {
            clients: 5,
            ops: 1_000,
            latency_us: (1_000, 20_000),
            think_us: (0, 5_000),
            read_percent: 50,
            cas_percent: 10,
            crash_per_mille: 10,
            values: None,
        }
    }
}

/// A linearizable history, fully determined by the config and the seed.
pub fn linearizable(cfg: &GenConfig, seed: u64) -> History {
    let mut rng = SimRng::new(seed);
    let clients = cfg.clients.clamp(1, CLIENTS_MAX);
    let total = (cfg.ops as usize).min(super::MAX_OPS);
    let (lat_lo, lat_hi) = (
        cfg.latency_us.0.min(cfg.latency_us.1),
        cfg.latency_us.0.max(cfg.latency_us.1),
    );
    let (th_lo, th_hi) = (
        cfg.think_us.0.min(cfg.think_us.1),
        cfg.think_us.0.max(cfg.think_us.1),
    );
    // (next invoke time, client number) per running client.
    let mut running: Vec<(u64, u32)> = (0..clients)
        .map(|c| (rng.range_u64(th_lo, th_hi), c))
        .collect();
    let mut next_client = clients;
    let mut next_value: Value = 1;
    let mut last_written: Option<Value> = None;
    let mut ops: Vec<Op> = Vec::with_capacity(total);
    // Per operation: the instant it takes effect, if it does.
    let mut effect_at: Vec<Option<u64>> = Vec::with_capacity(total);
    while ops.len() < total {
        // The client due first (ties: lowest slot).
        let Some(slot) = (0..running.len()).min_by_key(|&s| running[s]) else {
            break;
        };
        let (invoke, client) = running[slot];
        let dur = rng.range_u64(lat_lo, lat_hi);
        let at = invoke.saturating_add(rng.range_u64(0, dur));
        let crashed = rng.range_u64(0, 999) < cfg.crash_per_mille as u64;
        let pick = rng.range_u64(0, 99) as u32;
        let mut fresh = || -> Value {
            match cfg.values {
                Some(k) => rng.range_u64(1, k.max(1) as u64) as Value,
                None => {
                    next_value += 1;
                    next_value - 1
                }
            }
        };
        let (kind, value, expected) = if pick < cfg.read_percent {
            (OpKind::Read, None, None)
        } else if pick < cfg.read_percent + cfg.cas_percent {
            let new = fresh();
            (OpKind::Cas, Some(new), last_written)
        } else {
            let v = fresh();
            last_written = Some(v);
            (OpKind::Write, Some(v), None)
        };
        let takes_effect = !crashed || rng.range_u64(0, 1) == 1;
        let response = (!crashed).then_some(invoke.saturating_add(dur));
        ops.push(Op {
            client,
            kind,
            value,
            expected,
            ok: true,
            invoke,
            response,
        });
        effect_at.push(takes_effect.then_some(at));
        let next_invoke = invoke
            .saturating_add(dur)
            .saturating_add(rng.range_u64(th_lo, th_hi));
        if crashed {
            running[slot] = (next_invoke, next_client);
            next_client += 1;
        } else {
            running[slot] = (next_invoke, client);
        }
    }
    // Play the operations in the order they take effect.
    let mut order: Vec<usize> = (0..ops.len()).filter(|&i| effect_at[i].is_some()).collect();
    crate::sort::sort_by_key(&mut order, |&i| (effect_at[i], i));
    let mut state: Option<Value> = None;
    for i in order {
        let op = &mut ops[i];
        match op.kind {
            OpKind::Read => op.value = state,
            OpKind::Write => state = op.value,
            OpKind::Cas => {
                if state == op.expected {
                    state = op.value;
                } else if op.response.is_some() {
                    op.ok = false;
                }
            }
        }
    }
    History::new(ops)
}

/// The same history with one completed read changed to return a value
/// that was certainly overwritten before the read began: a write of it
/// completed, then a write of another value began and completed, all
/// before the read was invoked. Only meaningful when every write has its
/// own value. Returns the new history and the read changed, or `None` if
/// no read fits.
pub fn with_stale_read(h: &History, seed: u64) -> Option<(History, usize)> {
    let mut rng = SimRng::new(seed);
    let ops = &h.ops;
    // Completed, successful plain writes, by response.
    let mut writes: Vec<usize> = (0..ops.len())
        .filter(|&i| ops[i].kind == OpKind::Write && ops[i].ok && ops[i].response.is_some())
        .collect();
    crate::sort::sort_by_key(&mut writes, |&i| (ops[i].response, i));
    let reads: Vec<usize> = (0..ops.len())
        .filter(|&i| ops[i].kind == OpKind::Read && ops[i].ok && ops[i].response.is_some())
        .collect();
    if reads.is_empty() {
        return None;
    }
    // Start from a random read in the second half and walk forward.
    let first = reads.len() / 2 + rng.range_u64(0, (reads.len() / 4) as u64) as usize;
    for &r in reads.iter().skip(first.min(reads.len() - 1)) {
        let r_inv = ops[r].invoke;
        // The latest write completed before the read began…
        let Some(&w2) = writes
            .iter()
            .rev()
            .find(|&&w| ops[w].response.is_some_and(|t| t < r_inv))
        else {
            continue;
        };
        // …and a write completed before that one began, of another value.
        let stale = writes.iter().rev().find(|&&w| {
            ops[w].response.is_some_and(|t| t < ops[w2].invoke)
                && ops[w].value != ops[r].value
                && ops[w].value != ops[w2].value
        });
        if let Some(&w) = stale {
            let mut out = h.clone();
            out.ops[r].value = ops[w].value;
            return Some((out, r));
        }
    }
    None
}
