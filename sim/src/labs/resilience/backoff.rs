//! How long a caller waits before its next attempt.
//!
//! The wait before retry `k` grows from a nominal value
//! `min(cap, base · 2^k)`; the policies differ in how much of it is left
//! to chance:
//!
//! | policy | wait |
//! |---|---|
//! | `None` | 0 |
//! | `Fixed` | `base` |
//! | `Exponential` | the nominal value |
//! | `Plus20` | the nominal value times a uniform factor in 0.8–1.2, at most `cap` |
//! | `Equal` | half the nominal value plus a uniform draw up to the other half |
//! | `Full` | a uniform draw from 0 to the nominal value |
//! | `Decorrelated` | a uniform draw from `base` to three times the previous wait, at most `cap` |
//!
//! The 2015 post counts `k` from 1 for the first retry; the lab's callers
//! count it from 0, so that their first retry waits `base`. Only
//! `Decorrelated` remembers anything between retries: the previous wait,
//! which starts at `base`.

use crate::kernel::{SimRng, TimeUs};

/// The longest wait a policy gives: a minute.
pub const CAP_US_MAX: TimeUs = 60_000_000;
/// Exponents above this add nothing: `2^32` microseconds is over an hour.
const SHIFT_MAX: u32 = 32;

/// A rule for the wait between attempts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Policy {
    None,
    Fixed,
    Exponential,
    Plus20,
    Equal,
    Full,
    Decorrelated,
}

impl Policy {
    pub const ALL: [Policy; 7] = [
        Policy::None,
        Policy::Fixed,
        Policy::Exponential,
        Policy::Plus20,
        Policy::Equal,
        Policy::Full,
        Policy::Decorrelated,
    ];

    /// The name links and the CLI use.
    pub fn key(self) -> &'static str {
        match self {
            Policy::None => "none",
            Policy::Fixed => "fixed",
            Policy::Exponential => "exponential",
            Policy::Plus20 => "plus20",
            Policy::Equal => "equal",
            Policy::Full => "full",
            Policy::Decorrelated => "decorrelated",
        }
    }

    pub fn from_key(s: &str) -> Option<Policy> {
        Policy::ALL.into_iter().find(|p| p.key() == s)
    }

    /// The policy in a few words, for legends and narration.
    pub fn label(self) -> &'static str {
        match self {
            Policy::None => "no backoff",
            Policy::Fixed => "fixed wait",
            Policy::Exponential => "exponential, no jitter",
            Policy::Plus20 => "exponential ±20%",
            Policy::Equal => "equal jitter",
            Policy::Full => "full jitter",
            Policy::Decorrelated => "decorrelated jitter",
        }
    }

    /// Whether the wait is drawn at random.
    pub fn jittered(self) -> bool {
        matches!(
            self,
            Policy::Plus20 | Policy::Equal | Policy::Full | Policy::Decorrelated
        )
    }
}

/// A policy with its base and cap.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Backoff {
    pub policy: Policy,
    pub base_us: TimeUs,
    pub cap_us: TimeUs,
}

impl Backoff {
    /// The same backoff with `0 ≤ base ≤ cap ≤` [`CAP_US_MAX`].
    pub fn clamped(self) -> Backoff {
        let cap_us = self.cap_us.min(CAP_US_MAX);
        Backoff {
            policy: self.policy,
            base_us: self.base_us.min(cap_us),
            cap_us,
        }
    }

    /// `min(cap, base · 2^k)`, without overflow.
    pub fn nominal_us(&self, k: u32) -> TimeUs {
        let shifted = self
            .base_us
            .checked_shl(k.min(SHIFT_MAX))
            .filter(|v| v >> k.min(SHIFT_MAX) == self.base_us)
            .unwrap_or(TimeUs::MAX);
        shifted.min(self.cap_us)
    }

    /// The wait before retry `k`, given the previous wait (`base` before
    /// the first); draws from `rng` only for a jittered policy.
    pub fn wait_us(&self, k: u32, prev_us: TimeUs, rng: &mut SimRng) -> TimeUs {
        let v = self.nominal_us(k);
        match self.policy {
            Policy::None => 0,
            Policy::Fixed => self.base_us,
            Policy::Exponential => v,
            Policy::Plus20 => {
                let lo = v - v / 5;
                rng.range_u64(lo, v + v / 5).min(self.cap_us)
            }
            Policy::Equal => v / 2 + rng.range_u64(0, v - v / 2),
            Policy::Full => rng.range_u64(0, v),
            Policy::Decorrelated => {
                let hi = prev_us.saturating_mul(3).max(self.base_us);
                rng.range_u64(self.base_us, hi).min(self.cap_us)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn b(policy: Policy) -> Backoff {
        Backoff {
            policy,
            base_us: 5_000,
            cap_us: 2_000_000,
        }
    }

    #[test]
    fn nominal_doubles_up_to_the_cap_and_never_overflows() {
        let e = b(Policy::Exponential);
        assert_eq!(
            (0..4).map(|k| e.nominal_us(k)).collect::<Vec<_>>(),
            [5_000, 10_000, 20_000, 40_000]
        );
        assert_eq!(e.nominal_us(8), 1_280_000);
        assert_eq!(e.nominal_us(9), 2_000_000);
        assert_eq!(e.nominal_us(63), 2_000_000);
        assert_eq!(e.nominal_us(u32::MAX), 2_000_000);
        let huge = Backoff {
            base_us: u64::MAX / 2,
            cap_us: u64::MAX,
            ..e
        };
        assert_eq!(huge.nominal_us(2), u64::MAX);
    }

    #[test]
    fn deterministic_policies_draw_nothing() {
        for (p, k, want) in [
            (Policy::None, 3, 0),
            (Policy::Fixed, 3, 5_000),
            (Policy::Exponential, 3, 40_000),
            (Policy::Exponential, 20, 2_000_000),
        ] {
            let mut r = SimRng::new(1);
            assert_eq!(b(p).wait_us(k, 5_000, &mut r), want, "{p:?}");
            let mut fresh = SimRng::new(1);
            assert_eq!(
                r.range_u64(0, 1 << 40),
                fresh.range_u64(0, 1 << 40),
                "{p:?} drew"
            );
            assert!(!p.jittered());
        }
    }

    #[test]
    fn jittered_waits_stay_in_their_ranges_and_cover_them() {
        let mut r = SimRng::new(9);
        for k in 0..12 {
            let v = b(Policy::Exponential).nominal_us(k);
            let (mut lo_f, mut hi_f) = (u64::MAX, 0);
            let (mut lo_e, mut hi_e) = (u64::MAX, 0);
            let (mut lo_p, mut hi_p) = (u64::MAX, 0);
            for _ in 0..2_000 {
                let f = b(Policy::Full).wait_us(k, 0, &mut r);
                let e = b(Policy::Equal).wait_us(k, 0, &mut r);
                let p = b(Policy::Plus20).wait_us(k, 0, &mut r);
                assert!(f <= v && e >= v / 2 && e <= v && p <= 2_000_000, "k={k}");
                assert!(p >= v - v / 5 && p <= v + v / 5, "k={k} p={p}");
                (lo_f, hi_f) = (lo_f.min(f), hi_f.max(f));
                (lo_e, hi_e) = (lo_e.min(e), hi_e.max(e));
                (lo_p, hi_p) = (lo_p.min(p), hi_p.max(p));
            }
            // 2,000 draws reach within 1% of each end.
            let near = |x: u64, y: u64| x.abs_diff(y) <= v / 100 + 1;
            assert!(near(lo_f, 0) && near(hi_f, v), "full k={k}: {lo_f}..{hi_f}");
            assert!(
                near(lo_e, v / 2) && near(hi_e, v),
                "equal k={k}: {lo_e}..{hi_e}"
            );
            if v < 2_000_000 {
                assert!(near(lo_p, v - v / 5), "plus20 k={k}: {lo_p}");
            }
        }
    }

    #[test]
    fn decorrelated_grows_from_the_last_wait_and_respects_base_and_cap() {
        let d = b(Policy::Decorrelated);
        let mut r = SimRng::new(4);
        let mut prev = d.base_us;
        let mut reached_cap = false;
        for k in 0..200 {
            let w = d.wait_us(k, prev, &mut r);
            assert!(w >= d.base_us && w <= d.cap_us, "k={k} w={w}");
            assert!(w <= prev * 3 || w == d.base_us, "k={k}: {w} after {prev}");
            reached_cap |= w == d.cap_us;
            prev = w;
        }
        assert!(reached_cap, "three times the last wait reaches the cap");
        // The k of a retry does not matter, only the last wait.
        let (mut r1, mut r2) = (SimRng::new(5), SimRng::new(5));
        assert_eq!(d.wait_us(0, 7_000, &mut r1), d.wait_us(9, 7_000, &mut r2));
    }

    #[test]
    fn keys_round_trip_and_clamping_orders_base_and_cap() {
        for p in Policy::ALL {
            assert_eq!(Policy::from_key(p.key()), Some(p));
        }
        assert_eq!(Policy::from_key("Full"), None);
        let c = Backoff {
            policy: Policy::Full,
            base_us: 90_000_000,
            cap_us: u64::MAX,
        }
        .clamped();
        assert_eq!((c.base_us, c.cap_us), (CAP_US_MAX, CAP_US_MAX));
    }
}
