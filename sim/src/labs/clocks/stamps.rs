//! The clocks themselves: one small type per clock and its update rules,
//! each a pure function so that a unit test can pin its exact effect.
//!
//! Every rule takes the safety switch that can break it, so the broken
//! variant lives next to the correct one and reads as the one-line
//! difference it is.

use serde::Serialize;
use std::cmp::Ordering;

/// A Lamport clock (Lamport 1978, IR1 and IR2).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Lamport(pub u64);

impl Lamport {
    /// A local event or a send: tick (IR1).
    pub fn tick(self) -> Lamport {
        Lamport(self.0.saturating_add(1))
    }
    /// A receive of a message stamped `m` (IR2): past both the local clock
    /// and the message. `with_max` off is the switch: the message's stamp
    /// is ignored and the receive only ticks.
    pub fn receive(self, m: Lamport, with_max: bool) -> Lamport {
        if with_max {
            Lamport(self.0.max(m.0).saturating_add(1))
        } else {
            self.tick()
        }
    }
}

/// A vector clock (Fidge 1988; Mattern 1989): entry `q` counts the events
/// of process `q` this process has heard of, its own included.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct VClock(pub Vec<u32>);

impl VClock {
    pub fn zero(n: usize) -> VClock {
        VClock(vec![0; n])
    }
    /// A local event or a send at process `me`.
    pub fn tick(&self, me: usize) -> VClock {
        let mut v = self.clone();
        if let Some(x) = v.0.get_mut(me) {
            *x = x.saturating_add(1);
        }
        v
    }
    /// A receive at `me` of a message stamped `m`: the element-wise max,
    /// then a tick. `with_max` off is the switch: the message's entries
    /// for the other processes overwrite the local ones (what a merge
    /// written as "take the newer vector" does), so what the process knew
    /// from elsewhere can be forgotten.
    pub fn receive(&self, m: &VClock, me: usize, with_max: bool) -> VClock {
        let mut v = self.clone();
        for (q, x) in v.0.iter_mut().enumerate() {
            let theirs = m.0.get(q).copied().unwrap_or(0);
            if with_max {
                *x = (*x).max(theirs);
            } else if q != me {
                *x = theirs;
            }
        }
        v.tick(me)
    }
    /// `self ≤ other` entry by entry.
    pub fn le(&self, other: &VClock) -> bool {
        let n = self.0.len().max(other.0.len());
        (0..n).all(|q| self.0.get(q).copied().unwrap_or(0) <= other.0.get(q).copied().unwrap_or(0))
    }
    /// `self < other`: at most everywhere and not equal (strict happens-before order).
    pub fn lt(&self, other: &VClock) -> bool {
        self.le(other) && self != other
    }
    /// Neither is below the other: the vectors say "concurrent".
    pub fn concurrent(&self, other: &VClock) -> bool {
        !self.le(other) && !other.le(self)
    }
    /// `[2,0,1]`.
    pub fn text(&self) -> String {
        format!(
            "[{}]",
            self.0
                .iter()
                .map(|x| x.to_string())
                .collect::<Vec<_>>()
                .join(",")
        )
    }
}

/// A hybrid logical clock stamp (Kulkarni et al. 2014): `l`, the largest
/// physical time heard of (in ticks of the HLC's clock), and `c`, a
/// counter that orders events sharing an `l`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Hlc {
    pub l: i64,
    pub c: u32,
}

impl PartialOrd for Hlc {
    fn partial_cmp(&self, o: &Hlc) -> Option<Ordering> {
        Some(self.cmp(o))
    }
}
impl Ord for Hlc {
    fn cmp(&self, o: &Hlc) -> Ordering {
        (self.l, self.c).cmp(&(o.l, o.c))
    }
}

impl Hlc {
    /// A local event or a send, with physical time `pt` (Figure 3 of the
    /// paper). `counter` off is the switch: the paper's naive algorithm
    /// (its Figure 2), which pushes `l` itself one tick past the clock on
    /// every event instead of counting in `c`, and so drifts ahead of
    /// physical time whenever events come faster than the clock ticks.
    pub fn tick(self, pt: i64, counter: bool) -> Hlc {
        if !counter {
            return Hlc {
                l: self.l.saturating_add(1).max(pt),
                c: 0,
            };
        }
        let l = self.l.max(pt);
        let c = if l == self.l {
            self.c.saturating_add(1)
        } else {
            0
        };
        Hlc { l, c }
    }
    /// A receive of a message stamped `m` with physical time `pt`.
    pub fn receive(self, m: Hlc, pt: i64, counter: bool) -> Hlc {
        if !counter {
            let l = self.l.saturating_add(1).max(m.l.saturating_add(1)).max(pt);
            return Hlc { l, c: 0 };
        }
        let l = self.l.max(m.l).max(pt);
        let c = if l == self.l && l == m.l {
            self.c.max(m.c).saturating_add(1)
        } else if l == self.l {
            self.c.saturating_add(1)
        } else if l == m.l {
            m.c.saturating_add(1)
        } else {
            0
        };
        Hlc { l, c }
    }
}

/// TrueTime's answer (Corbett et al. 2012, §3): an interval that contains
/// true time as long as the clock is within `ε` of it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct TtInterval {
    pub earliest_us: i64,
    pub latest_us: i64,
}

impl TtInterval {
    /// `TT.now()` for a clock reading `local_us` with uncertainty `eps_us`.
    pub fn now(local_us: i64, eps_us: u64) -> TtInterval {
        let e = eps_us.min(i64::MAX as u64) as i64;
        TtInterval {
            earliest_us: local_us.saturating_sub(e),
            latest_us: local_us.saturating_add(e),
        }
    }
    /// Whether true time `t_us` is inside: TrueTime's promise.
    pub fn contains(&self, t_us: i64) -> bool {
        self.earliest_us <= t_us && t_us <= self.latest_us
    }
}

/// The physical time an HLC reads: the clock in whole ticks, floored.
pub fn hlc_pt(local_us: i64, tick_us: u64) -> i64 {
    local_us.div_euclid(tick_us.max(1) as i64)
}
