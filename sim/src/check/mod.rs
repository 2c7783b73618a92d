//! Consistency checkers for histories of one read/write/cas register:
//! linearizability, sequential consistency, and two session guarantees.
//! The `dsviz-sim check-history FILE` command runs all three on a JSON
//! history (format below) and prints the verdicts.
//!
//! # The model
//!
//! One register, initially **empty**. Each operation is an interval: a
//! client invokes it at `invoke` and gets an answer at `response`, or never
//! (`response` missing: the client crashed or gave up). Operations:
//!
//! - `read`: returned `value` (`null`: the register was empty).
//! - `write`: stored `value`.
//! - `cas` (compare-and-set): if the register held `expected` (`null`:
//!   empty), it now holds `value`, and `ok` is true; otherwise nothing
//!   changed and `ok` is false.
//!
//! How outcomes are read:
//!
//! - A read or write with `ok: false` definitely took no effect; it is
//!   ignored.
//! - A cas with `ok: false` and a response is a **failed cas**: it happened,
//!   and saw a value other than `expected`.
//! - A read with no response told nobody anything; it is ignored. A cas
//!   with `ok: false` and no response is ignored too.
//! - A write or cas with `ok: true` and no response is **indefinite**: it
//!   may have taken effect once, at any time after its invoke, or never. An
//!   indefinite cas that took effect swapped.
//!
//! **Real-time order.** Operation `a` precedes `b` when `a` responded
//! strictly before `b` was invoked (`a.response < b.invoke`). Operations
//! whose intervals overlap or merely touch are concurrent.
//!
//! # Linearizability
//!
//! A history is linearizable if the operations (all completed ones and any
//! subset of the indefinite ones) can be put in one order that respects
//! real-time order and is a legal run of a single register: every read
//! returns the latest value written before it (empty if none), every
//! swapping cas finds `expected`, every failed cas finds something else.
//! This is CAP's "C" for one key.
//!
//! The search is Wing & Gong's with Lowe's memoisation, as in Porcupine
//! (the notes at the top of `check/linear.rs` give the details): it
//! explores orders depth first, never the same (set of placed operations,
//! register value) twice, and gives up with a [`Verdict::Unknown`] after
//! [`CheckConfig::max_states`] such configurations rather than run for
//! ever. Reads that fit are placed at once; an indefinite operation is
//! placed only right before an operation that needs it; values nobody can
//! observe any more are treated as one. These reductions change no verdict
//! (the tests compare every verdict with an exhaustive search over all
//! orders) and keep histories of thousands of operations with crashed
//! clients to milliseconds.
//!
//! When a history is not linearizable, the explanation names the
//! **culprit**: the operation whose response first makes the history
//! impossible. Every shorter prefix (the history as it stood just before
//! that response, operations still in progress treated as indefinite) is
//! linearizable; the prefix ending at that response is not. The sentence
//! then says why, in the first of these forms that applies, each a fact
//! anyone can check from the listed times:
//!
//! 1. The value it read was never written before it returned.
//! 2. Every write of that value was overwritten by a completed write that
//!    also completed before the read began (a stale read).
//! 3. A failed cas claims the register did not hold `expected`, but a
//!    completed write of `expected` finished before it began and no other
//!    write could have come in between.
//! 4. When every write has its own value (so each read names the write it
//!    saw): real time forces the writes into a cycle, each step justified by
//!    one operation ending before another began.
//! 5. Otherwise: the furthest legal order the search found, the value it
//!    leaves, and why each operation that could come next cannot.
//!
//! # Sequential consistency
//!
//! A history is sequentially consistent if some order of the operations is
//! a legal run of the register and keeps each client's own operations in
//! their program order (by invoke, then by position in the history), with
//! no real-time constraint between clients. Indefinite operations may again
//! be left out.
//!
//! The check tries, in order: a linearization that happens to keep every
//! client's order (so linearizable histories of clients running one
//! operation at a time are settled at once); when every value is written
//! once, a cycle among the writes forced by the clients' own orders (a
//! proof, explained step by step); then a depth-first search memoising
//! (operations done per client, register value), pruned when a value some
//! operation still has to see is overwritten for good. The search has the
//! same effort cap; an exhausted cap gives [`SeqVerdict::Unknown`] (`null`
//! in the CLI's JSON). Deciding sequential consistency is NP-complete, and
//! histories that reuse a few values and are not linearizable can reach
//! the cap.
//!
//! # Session guarantees
//!
//! Judged per client on completed, successful operations, using only facts
//! that hold in every possible order, so a violation reported is certain.
//! A *read* here is a successful read (it saw `value`) or a swapping cas
//! (it saw `expected`); a *write* is any write or cas that may have taken
//! effect, indefinite ones included. The *sources* of a read that saw `v`
//! are the writes of `v` invoked no later than the read's response, other
//! than the read itself; if `v` is empty, the initial empty register is its
//! one source, completed before time began.
//!
//! - **Read your writes.** Let `W` be the latest write of the client
//!   (largest invoke) that completed before the client invoked read `R`,
//!   and let `R` see `v`, not `W`'s own value. `R` violates read-your-writes
//!   if `v` has sources and **every source completed before `W` was
//!   invoked**: then every write of `v` the read could have seen is older
//!   than the client's own write, which the read should have seen or seen
//!   overwritten by something newer.
//! - **Monotonic reads.** Let `R1` and `R2` be reads by one client, `R1`
//!   completed before `R2` was invoked, seeing `u` and `v ≠ u`. `R2`
//!   violates monotonic reads if both have sources and **every source of
//!   `v` completed before any source of `u` was invoked**: every write of `v`
//!   is then older than every write of `u`, so after seeing `u` the client
//!   saw the register go back in time. Reading empty after reading a value
//!   is always such a violation (the register cannot be emptied).
//!
//! A read of a value that nobody wrote is not a session violation (it is
//! a linearizability one).
//!
//! # JSON histories
//!
//! A history file is one JSON array of operations, in any order:
//!
//! ```json
//! [
//!   {"client": 1, "op": "write", "value": 1, "invoke": 0, "response": 10},
//!   {"client": 2, "op": "read", "value": null, "invoke": 2, "response": 5},
//!   {"client": 2, "op": "cas", "expected": 1, "value": 2, "ok": false, "invoke": 12, "response": 20},
//!   {"client": 3, "op": "write", "value": "x", "invoke": 15}
//! ]
//! ```
//!
//! | field | type | meaning |
//! |---|---|---|
//! | `client` | integer 0–4294967295 | who invoked it; required |
//! | `op` | `"read"`, `"write"` or `"cas"` | required |
//! | `value` | integer, string, or `null` | read: what it returned (`null`: empty); write: what it wrote (required, not `null`); cas: the new value (required, not `null`) |
//! | `expected` | integer, string, or `null` | cas only, required: the value compared against (`null`: empty) |
//! | `ok` | `true` or `false` | default `true`; see above |
//! | `invoke` | number ≥ 0 | required |
//! | `response` | number ≥ 0, or `null` | missing or `null`: no response ever came; otherwise ≥ `invoke` |
//!
//! - Integers are whole numbers from −2^63 to 2^63−1; strings are at most
//!   [`json::VALUE_CHARS_MAX`] characters. The integer `1` and the string
//!   `"1"` are different values. Strings are numbered internally and
//!   printed back as strings in explanations and exports.
//! - Times have no unit; only their order matters. If every time in the
//!   file is a whole number (`5` or `5.0`), times are kept as they are (up
//!   to 2^64−1). If any time has a fraction, every time is multiplied by
//!   1,000,000 and rounded to the nearest whole number (so seconds become
//!   microseconds): differences finer than a millionth are lost, which can
//!   only make operations concurrent, never order them. Then every time
//!   must be at most 1.8e13.
//! - Operations are numbered from 0 in file order; explanations, witnesses
//!   and session reports use these numbers.
//! - Fields other than these are ignored, as is everything inside them. A
//!   field given twice is an error.
//! - Limits: at most [`MAX_OPS`] operations and [`json::INPUT_BYTES_MAX`]
//!   bytes.
//!
//! Errors say where: `operation 12 (line 40): 'op' must be read, write or
//! cas`; syntax errors give the line and column. Export ([`json::to_json`])
//! writes the same format, one operation per line, so a history read and
//! written again is unchanged (except that fractional times come back
//! scaled).

mod explain;
pub mod generate;
pub mod json;
mod linear;
mod memo;
mod prepare;
mod sequential;
mod session;

pub use session::{SessionReport, SessionViolation};

use crate::history::{Op, OpKind, Value};
use serde::Serialize;
use std::collections::BTreeMap;

/// Most operations a history may have.
pub const MAX_OPS: usize = 100_000;

/// Default cap on configurations a search may explore.
pub const MAX_STATES_DEFAULT: u64 = 5_000_000;

/// Highest cap a caller may set: the searches' memory grows with it
/// (about 30 bytes a configuration for the linearizability search).
pub const MAX_STATES_LIMIT: u64 = 100_000_000;

/// A history to check: the operations, and the text of values that were
/// strings in an imported file.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct History {
    pub ops: Vec<Op>,
    /// Value → its original text, for values that were strings.
    pub names: BTreeMap<Value, String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CheckConfig {
    /// Configurations a search may explore before answering "unknown";
    /// clamped to 1–[`MAX_STATES_LIMIT`].
    pub max_states: u64,
}

impl Default for CheckConfig {
    fn default() -> CheckConfig {
        CheckConfig {
            max_states: MAX_STATES_DEFAULT,
        }
    }
}

impl CheckConfig {
    fn cap(&self) -> u64 {
        self.max_states.clamp(1, MAX_STATES_LIMIT)
    }
}

/// Why a history fails a check: the operations involved and one or two
/// sentences a person can verify against their times.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Explanation {
    /// The operation at whose response the history first fails, if the
    /// check has one (linearizability does).
    pub culprit: Option<usize>,
    /// The operations the text refers to, culprit first.
    pub ops: Vec<usize>,
    pub text: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub enum Verdict {
    /// A witness: operation numbers in a legal order respecting real time.
    /// Ignored operations and indefinite ones left out are absent.
    Linearizable {
        order: Vec<usize>,
    },
    NotLinearizable {
        explanation: Explanation,
    },
    /// The effort cap was reached, or the history is malformed.
    Unknown {
        reason: String,
    },
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub enum SeqVerdict {
    /// A witness: operation numbers in a legal order respecting each
    /// client's program order.
    Sequential {
        order: Vec<usize>,
    },
    NotSequential {
        explanation: Explanation,
    },
    Unknown {
        reason: String,
    },
}

/// All three checks of one history.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Report {
    pub linearizable: Verdict,
    pub sequential: SeqVerdict,
    pub sessions: SessionReport,
}

impl History {
    pub fn new(ops: Vec<Op>) -> History {
        History {
            ops,
            names: BTreeMap::new(),
        }
    }

    /// A value as a person reads it: `5`, `"x"`, or `nothing` for the
    /// empty register.
    pub fn show_value(&self, v: Option<Value>) -> String {
        match v {
            None => "nothing".into(),
            Some(v) => match self.names.get(&v) {
                Some(name) => format!("{name:?}"),
                None => v.to_string(),
            },
        }
    }

    /// One operation in a line: `op 7 (client 3: read → 1, [16, 20])`.
    pub fn describe(&self, i: usize) -> String {
        let Some(op) = self.ops.get(i) else {
            return format!("op {i}");
        };
        let what = match op.kind {
            OpKind::Read if op.ok => format!("read → {}", self.show_value(op.value)),
            OpKind::Read => "read, failed".into(),
            OpKind::Write if op.ok => format!("write {}", self.show_value(op.value)),
            OpKind::Write => format!("write {}, failed", self.show_value(op.value)),
            OpKind::Cas => format!(
                "cas {} → {}{}",
                self.show_value(op.expected),
                self.show_value(op.value),
                match (op.ok, op.response.is_some()) {
                    (true, true) => ", swapped",
                    (false, _) => ", failed",
                    (true, false) => "",
                }
            ),
        };
        let end = op.response.map_or("no response".into(), |r| r.to_string());
        format!(
            "op {i} (client {}: {what}, [{}, {end}])",
            op.client, op.invoke
        )
    }
}

/// Is the history linearizable? See the module doc.
pub fn check_linearizable(history: &History, config: &CheckConfig) -> Verdict {
    let p = match prepare::prepare(history) {
        Ok(p) => p,
        Err(reason) => return Verdict::Unknown { reason },
    };
    match linear::search(&p, config.cap()) {
        linear::Outcome::Linearizable(order) => Verdict::Linearizable {
            order: order.iter().map(|&o| p.ops[o as usize].index).collect(),
        },
        linear::Outcome::NotLinearizable(deepest) => Verdict::NotLinearizable {
            explanation: explain::linear(history, &p, &deepest),
        },
        linear::Outcome::GaveUp => Verdict::Unknown {
            reason: gave_up("linearizability", config),
        },
    }
}

/// Is the history sequentially consistent? See the module doc.
///
/// The linear-time refutations come first, then a linearization: when
/// clients run one operation at a time it also keeps every client's order,
/// and finding one is usually far cheaper than searching interleavings.
pub fn check_sequential(history: &History, config: &CheckConfig) -> SeqVerdict {
    let p = match prepare::prepare(history) {
        Ok(p) => p,
        Err(reason) => return SeqVerdict::Unknown { reason },
    };
    if let Some(explanation) = sequential::refute(history, &p) {
        return SeqVerdict::NotSequential { explanation };
    }
    let witness = match linear::search(&p, config.cap()) {
        linear::Outcome::Linearizable(order) => Some(order),
        _ => None,
    };
    sequential::check(history, &p, config.cap(), witness.as_deref())
}

/// Read-your-writes and monotonic reads, per client. See the module doc.
pub fn check_sessions(history: &History) -> SessionReport {
    session::check(history)
}

/// All three checks. A linearizable history's witness is tried first as
/// the sequential one (it often keeps every client's order).
pub fn check(history: &History, config: &CheckConfig) -> Report {
    let p = match prepare::prepare(history) {
        Ok(p) => p,
        Err(reason) => {
            return Report {
                linearizable: Verdict::Unknown {
                    reason: reason.clone(),
                },
                sequential: SeqVerdict::Unknown { reason },
                sessions: SessionReport::default(),
            }
        }
    };
    let (linearizable, witness) = match linear::search(&p, config.cap()) {
        linear::Outcome::Linearizable(order) => (
            Verdict::Linearizable {
                order: order.iter().map(|&o| p.ops[o as usize].index).collect(),
            },
            Some(order),
        ),
        linear::Outcome::NotLinearizable(d) => (
            Verdict::NotLinearizable {
                explanation: explain::linear(history, &p, &d),
            },
            None,
        ),
        linear::Outcome::GaveUp => (
            Verdict::Unknown {
                reason: gave_up("linearizability", config),
            },
            None,
        ),
    };
    let sequential = sequential::check(history, &p, config.cap(), witness.as_deref());
    Report {
        linearizable,
        sequential,
        sessions: session::check(history),
    }
}

fn gave_up(what: &str, config: &CheckConfig) -> String {
    format!(
        "the {what} search explored its limit of {} configurations without an answer",
        config.cap()
    )
}

#[cfg(test)]
mod tests;
