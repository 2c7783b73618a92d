//! The one random number generator of a run.
//!
//! ChaCha8 is specified bit for bit, so a seed gives the same stream on
//! x86-64 and in WebAssembly, today and after a `rand` upgrade. Only
//! fixed-width integer draws are used: `usize` ranges would differ between
//! 32-bit wasm and 64-bit native.

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

#[derive(Clone, Debug)]
pub struct SimRng(ChaCha8Rng);

impl SimRng {
    pub fn new(seed: u64) -> SimRng {
        SimRng(ChaCha8Rng::seed_from_u64(seed))
    }

    /// A uniform draw from `lo..=hi`; returns `lo` when the range is empty.
    pub fn range_u64(&mut self, lo: u64, hi: u64) -> u64 {
        if hi <= lo {
            return lo;
        }
        self.0.random_range(lo..=hi)
    }

    /// A uniform draw from `[0, 1)`.
    pub fn unit(&mut self) -> f64 {
        self.0.random::<f64>()
    }

    /// True with probability `p` (clamped to `[0, 1]`). Draws nothing when
    /// `p` is 0, so turning a fault off does not shift the rest of a run.
    pub fn chance(&mut self, p: f64) -> bool {
        if p <= 0.0 {
            return false;
        }
        if p >= 1.0 {
            return true;
        }
        self.unit() < p
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_stream() {
        let mut a = SimRng::new(7);
        let mut b = SimRng::new(7);
        for _ in 0..100 {
            assert_eq!(a.range_u64(0, 1_000_000), b.range_u64(0, 1_000_000));
        }
    }

    #[test]
    fn stream_is_pinned() {
        // Pins the algorithm: if this changes, every shared link changes meaning.
        let mut r = SimRng::new(42);
        let draws: Vec<u64> = (0..4).map(|_| r.range_u64(0, 999)).collect();
        assert_eq!(draws, PINNED_42);
    }

    const PINNED_42: [u64; 4] = [681, 950, 427, 627];

    #[test]
    fn range_is_inclusive_and_degenerate_ranges_are_safe() {
        let mut r = SimRng::new(1);
        let mut seen = [false; 3];
        for _ in 0..200 {
            seen[(r.range_u64(10, 12) - 10) as usize] = true;
        }
        assert_eq!(seen, [true; 3]);
        assert_eq!(r.range_u64(5, 5), 5);
        assert_eq!(r.range_u64(9, 3), 9);
        assert!(!r.chance(0.0));
        assert!(r.chance(1.0));
    }
}
