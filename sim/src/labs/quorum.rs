//! Quorum arithmetic, in one place.
//!
//! Every replicated protocol here waits for "enough" members before it
//! acts: Raft counts votes and replicas of an entry against a majority of
//! the servers; the register's CP mode (ABD) queries and stores on a
//! majority; its quorum mode waits for `W` acknowledgements of a write
//! and `R` answers to a read, out of the `N` replicas that hold the key.
//! What makes these safe is counting, not code: two sets of sizes `a` and
//! `b` drawn from `n` members must share a member exactly when
//! `a + b > n` (pigeonhole), so
//!
//! - every read quorum meets every write quorum iff `R + W > N`: a read
//!   hears from at least one replica that stored the last write;
//! - every two write quorums meet iff `2W > N`: two writes cannot both
//!   succeed on disjoint sides of a partition;
//! - a majority (`⌊n/2⌋ + 1`) is the smallest quorum that meets itself,
//!   which is why Raft's elections and commits use it, and it stays
//!   reachable through at most `⌈n/2⌉ − 1` failures.
//!
//! [`Quorums`] holds `N`, `W` and `R` with `1 ≤ W, R ≤ N`, so a quorum of
//! zero (which every set "meets" vacuously, and which would acknowledge a
//! write nobody stored) cannot be built. The labs' own helpers
//! ([`crate::labs::raft::Raft::majority`],
//! [`crate::labs::register::Register::majority`], `write_quorum`,
//! `read_quorum`) are answered from here. The tests read their cases from
//! text tables, one row per configuration, as raft-rs tests its quorum
//! module.

use std::fmt;

/// The smallest majority of `n` members: `⌊n/2⌋ + 1`. Of an empty set it
/// is 1, which can never be reached.
pub const fn majority(n: usize) -> usize {
    n / 2 + 1
}

/// Whether `k` members are a majority of `n`: `2k > n`.
pub const fn is_majority(k: usize, n: usize) -> bool {
    2 * k > n
}

/// The most members of `n` that may fail with a majority still up:
/// `⌈n/2⌉ − 1`, that is `(n − 1) / 2` (0 for `n ≤ 2`).
pub const fn majority_tolerates(n: usize) -> usize {
    n.saturating_sub(majority(n))
}

/// The fewest members a cluster that must survive `f` failures with a
/// majority needs: `2f + 1`.
pub const fn members_to_tolerate(f: usize) -> usize {
    2 * f + 1
}

/// Whether every set of `a` members and every set of `b` members, both
/// drawn from the same `n`, share at least one member: `a + b > n`.
pub const fn always_meet(a: usize, b: usize, n: usize) -> bool {
    a + b > n
}

/// Why a triple (`N`, `W`, `R`) is not a quorum system.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum QuorumError {
    /// No member holds the data.
    NoMembers,
    /// A write quorum of zero acknowledges a write nobody stored.
    ZeroWrite,
    /// A read quorum of zero returns without asking anyone.
    ZeroRead,
    /// More acknowledgements than members: no write could ever finish.
    WriteAboveN,
    /// More answers than members: no read could ever finish.
    ReadAboveN,
}

impl fmt::Display for QuorumError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            QuorumError::NoMembers => "N is 0",
            QuorumError::ZeroWrite => "W is 0",
            QuorumError::ZeroRead => "R is 0",
            QuorumError::WriteAboveN => "W is above N",
            QuorumError::ReadAboveN => "R is above N",
        })
    }
}

/// `N` members, write quorum `W`, read quorum `R`, with `1 ≤ W, R ≤ N`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Quorums {
    n: usize,
    w: usize,
    r: usize,
}

impl Quorums {
    /// The triple, if it is a quorum system.
    pub const fn new(n: usize, w: usize, r: usize) -> Result<Quorums, QuorumError> {
        if n == 0 {
            Err(QuorumError::NoMembers)
        } else if w == 0 {
            Err(QuorumError::ZeroWrite)
        } else if r == 0 {
            Err(QuorumError::ZeroRead)
        } else if w > n {
            Err(QuorumError::WriteAboveN)
        } else if r > n {
            Err(QuorumError::ReadAboveN)
        } else {
            Ok(Quorums { n, w, r })
        }
    }

    /// The nearest quorum system: `N` at least 1, `W` and `R` within
    /// `1..=N`. The register's configuration is clamped by this rule.
    pub const fn clamped(n: usize, w: usize, r: usize) -> Quorums {
        let n = if n == 0 { 1 } else { n };
        Quorums {
            n,
            w: clamp_to(w, n),
            r: clamp_to(r, n),
        }
    }

    /// Majority reads and writes (ABD, Raft): `W = R = ⌊n/2⌋ + 1`, `n ≥ 1`.
    pub const fn majority(n: usize) -> Quorums {
        let n = if n == 0 { 1 } else { n };
        Quorums {
            n,
            w: majority(n),
            r: majority(n),
        }
    }

    /// One acknowledgement and one answer (AP: any replica serves).
    pub const fn any(n: usize) -> Quorums {
        Quorums::clamped(n, 1, 1)
    }

    /// `W` with the smallest `R` that still meets every write quorum:
    /// `R = N + 1 − W` (clamped like [`Quorums::clamped`]).
    pub const fn strict_with_write(n: usize, w: usize) -> Quorums {
        let q = Quorums::clamped(n, w, 1);
        Quorums {
            r: q.n + 1 - q.w,
            ..q
        }
    }

    pub const fn n(&self) -> usize {
        self.n
    }
    pub const fn w(&self) -> usize {
        self.w
    }
    pub const fn r(&self) -> usize {
        self.r
    }

    /// Every read quorum meets every write quorum (`R + W > N`): a read
    /// hears from a replica that stored the last finished write.
    pub const fn reads_see_writes(&self) -> bool {
        always_meet(self.r, self.w, self.n)
    }

    /// Every two write quorums meet (`2W > N`): no two writes finish on
    /// disjoint sets of replicas, so a partition lets at most one side write.
    pub const fn writes_meet(&self) -> bool {
        always_meet(self.w, self.w, self.n)
    }

    /// Members that may fail with writes still able to finish: `N − W`.
    pub const fn write_tolerates(&self) -> usize {
        self.n - self.w
    }

    /// Members that may fail with reads still able to finish: `N − R`.
    pub const fn read_tolerates(&self) -> usize {
        self.n - self.r
    }
}

/// `q` within `1..=n` (`n ≥ 1`).
const fn clamp_to(q: usize, n: usize) -> usize {
    if q == 0 {
        1
    } else if q > n {
        n
    } else {
        q
    }
}

#[cfg(test)]
mod tests;
