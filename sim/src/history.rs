//! Client operation histories on a single register, shared by the labs
//! that record them (CAP, quorums) and the consistency checkers.
//!
//! An operation is an interval: invoked at `invoke`, answered at
//! `response` (or never, if the client gave up or crashed). Times are in
//! any consistent unit; the labs use virtual microseconds.
//!
//! The JSON form, one array of operations, is documented in
//! `crate::check` (import/export) and used by the `check-history` CLI.

use serde::{Deserialize, Serialize};

/// A register value. Histories from elsewhere may use strings; they are
/// interned to numbers when imported.
pub type Value = i64;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OpKind {
    Read,
    Write,
    /// Compare-and-set: if the register holds `expected`, set it to `value`.
    Cas,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Op {
    pub client: u32,
    pub kind: OpKind,
    /// Read: the value returned (`None`: the register was empty). Write:
    /// the value written. Cas: the new value.
    pub value: Option<Value>,
    /// Cas only: the value compared against.
    pub expected: Option<Value>,
    /// Whether the operation succeeded. A failed operation (`false`) took
    /// no effect; a cas with `ok == false` did not swap.
    pub ok: bool,
    pub invoke: u64,
    /// `None`: no answer ever came, so it may or may not have taken effect.
    pub response: Option<u64>,
}

impl Op {
    pub fn completed(&self) -> bool {
        self.response.is_some()
    }
}
