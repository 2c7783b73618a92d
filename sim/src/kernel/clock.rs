//! A local clock per node: what a node believes the time is, as opposed to
//! the true virtual time the kernel runs on.
//!
//! A node's clock is an oscillator plus a setting. The oscillator ticks at
//! `1 + drift_ppm / 10⁶` local microseconds per true microsecond; it is
//! the node's monotonic clock, and it drives the node's timers. The
//! reading a handler sees ([`Clock::read_us`], through
//! `Ctx::local_now_us`) is the oscillator plus a step offset, which a
//! clock fault moves at once, as an operator or a bad NTP server setting
//! the wall clock would. So a step moves what a node reads but not when
//! its timers fire (timers wait on the monotonic clock, as `CLOCK_MONOTONIC`
//! ignores steps), while drift changes both, since it is the crystal
//! itself.
//!
//! Local time is continuous and piecewise linear in true time: when the
//! drift changes at true time `t`, the oscillator continues from its
//! reading at `t` at the new rate (the clock is re-anchored at `t`). All
//! arithmetic is on integers, with `i128` intermediates and floor division,
//! so every platform computes the same reading to the microsecond.
//!
//! Bounds: drift within ±[`DRIFT_PPM_MAX`], a step to at most
//! ±[`OFFSET_US_MAX`] from true time. Real crystals drift by tens of ppm;
//! the lab bound is far larger so a lease can visibly break within a few
//! seconds of a run instead of days, and it keeps a timer's true duration
//! within 0.9–1.1 times its local one. A clock survives its node's crash:
//! it is hardware.

use super::time::{fmt_time, TimeUs};

/// The largest drift a clock may have, either way, in parts per million.
pub const DRIFT_PPM_MAX: i32 = 100_000;
/// The furthest a clock may be stepped from true time, either way: an hour.
pub const OFFSET_US_MAX: i64 = 3_600_000_000;

const PPM: i128 = 1_000_000;

/// A clock's setting at the start of a run, as a protocol supplies it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct ClockSpec {
    /// How far the reading is ahead of true time (negative: behind).
    pub offset_us: i64,
    /// How fast the clock runs: positive is fast.
    pub drift_ppm: i32,
}

impl ClockSpec {
    /// A clock that reads true time at the true rate.
    pub const PERFECT: ClockSpec = ClockSpec {
        offset_us: 0,
        drift_ppm: 0,
    };

    pub fn clamped(self) -> ClockSpec {
        ClockSpec {
            offset_us: self.offset_us.clamp(-OFFSET_US_MAX, OFFSET_US_MAX),
            drift_ppm: self.drift_ppm.clamp(-DRIFT_PPM_MAX, DRIFT_PPM_MAX),
        }
    }
}

/// One node's clock. See the module documentation for the model.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Clock {
    /// True time of the last rate change, and the oscillator's reading then.
    anchor_true_us: TimeUs,
    anchor_mono_us: i64,
    drift_ppm: i32,
    /// Added to the oscillator to give the reading; clock steps move it.
    step_us: i64,
}

fn saturate_i64(x: i128) -> i64 {
    x.clamp(i64::MIN as i128, i64::MAX as i128) as i64
}

impl Clock {
    /// A perfect clock: reads true time, at the true rate.
    pub const PERFECT: Clock = Clock {
        anchor_true_us: 0,
        anchor_mono_us: 0,
        drift_ppm: 0,
        step_us: 0,
    };

    /// A clock set to `spec` at true time 0 (`spec` is clamped first).
    pub fn new(spec: ClockSpec) -> Clock {
        let spec = spec.clamped();
        Clock {
            anchor_true_us: 0,
            anchor_mono_us: 0,
            drift_ppm: spec.drift_ppm,
            step_us: spec.offset_us,
        }
    }

    pub fn drift_ppm(&self) -> i32 {
        self.drift_ppm
    }

    /// Local microseconds per 10⁶ true ones; positive, since drift is bounded.
    fn rate(&self) -> i128 {
        PPM + self.drift_ppm as i128
    }

    /// The oscillator's reading at true time `t_us`: the node's monotonic
    /// clock, which steps never move.
    pub fn monotonic_us(&self, t_us: TimeUs) -> i64 {
        let elapsed = t_us as i128 - self.anchor_true_us as i128;
        if self.drift_ppm == 0 {
            return saturate_i64(self.anchor_mono_us as i128 + elapsed);
        }
        saturate_i64(self.anchor_mono_us as i128 + (elapsed * self.rate()).div_euclid(PPM))
    }

    /// What the node reads at true time `t_us`.
    pub fn read_us(&self, t_us: TimeUs) -> i64 {
        saturate_i64(self.monotonic_us(t_us) as i128 + self.step_us as i128)
    }

    /// How far the reading is ahead of true time at `t_us` (negative: behind).
    pub fn offset_us(&self, t_us: TimeUs) -> i64 {
        saturate_i64(self.read_us(t_us) as i128 - t_us as i128)
    }

    /// From true time `t_us` on, the clock runs at `drift_ppm` (clamped),
    /// continuing from its reading at `t_us`.
    pub fn set_drift(&mut self, t_us: TimeUs, drift_ppm: i32) {
        let mono = self.monotonic_us(t_us);
        self.anchor_true_us = t_us;
        self.anchor_mono_us = mono;
        self.drift_ppm = drift_ppm.clamp(-DRIFT_PPM_MAX, DRIFT_PPM_MAX);
    }

    /// Steps the reading at true time `t_us` to `offset_us` (clamped) from
    /// true time. Returns how far the reading jumped (negative: back).
    pub fn step_to_offset(&mut self, t_us: TimeUs, offset_us: i64) -> i64 {
        let offset_us = offset_us.clamp(-OFFSET_US_MAX, OFFSET_US_MAX);
        let before = self.read_us(t_us);
        let target = t_us as i128 + offset_us as i128;
        self.step_us = saturate_i64(target - self.monotonic_us(t_us) as i128);
        saturate_i64(self.read_us(t_us) as i128 - before as i128)
    }

    /// The true time at which the oscillator, running at its present rate
    /// from its anchor, first reads at least `mono_us`. The world uses it
    /// to turn a timer's local deadline into a true one; with no drift, a
    /// timer of `d` set at `t` fires at exactly `t + d`.
    pub fn true_time_at(&self, mono_us: i64) -> TimeUs {
        let ahead = mono_us as i128 - self.anchor_mono_us as i128;
        if ahead <= 0 {
            return self.anchor_true_us;
        }
        // The least e with floor(e · rate / 10⁶) ≥ ahead is ceil(ahead · 10⁶ / rate).
        let rate = self.rate();
        let elapsed = (ahead * PPM + rate - 1) / rate;
        (self.anchor_true_us as i128 + elapsed).clamp(0, TimeUs::MAX as i128) as TimeUs
    }
}

/// "200.0 ms ahead of true time", "1.500 s behind true time", "true time".
pub fn fmt_offset(offset_us: i64) -> String {
    match offset_us {
        0 => "true time".into(),
        o if o > 0 => format!("{} ahead of true time", fmt_time(o.unsigned_abs())),
        o => format!("{} behind true time", fmt_time(o.unsigned_abs())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_perfect_clock_reads_true_time_and_times_exactly() {
        let c = Clock::PERFECT;
        assert_eq!(
            (c.read_us(0), c.read_us(1_234_567), c.offset_us(99)),
            (0, 1_234_567, 0)
        );
        assert_eq!(c.true_time_at(c.monotonic_us(5_000) + 150_000), 155_000);
        assert_eq!(Clock::new(ClockSpec::PERFECT), Clock::PERFECT);
    }

    #[test]
    fn drift_is_exact_and_floors() {
        // 100 ppm fast: 1 s of true time is 1.0001 s local.
        let c = Clock::new(ClockSpec {
            offset_us: 0,
            drift_ppm: 100,
        });
        assert_eq!(c.read_us(1_000_000), 1_000_100);
        assert_eq!(c.read_us(9_999), 9_999, "9999.9999 µs floors to 9999");
        assert_eq!(c.read_us(10_000), 10_001);
        // 2% slow, 50 ms behind.
        let c = Clock::new(ClockSpec {
            offset_us: -50_000,
            drift_ppm: -20_000,
        });
        assert_eq!(c.read_us(1_000_000), 930_000);
        assert_eq!(c.offset_us(1_000_000), -70_000);
    }

    #[test]
    fn a_drift_change_continues_from_the_current_reading() {
        let mut c = Clock::new(ClockSpec {
            offset_us: 1_000,
            drift_ppm: 50_000,
        });
        assert_eq!(c.read_us(2_000_000), 2_101_000);
        c.set_drift(2_000_000, -50_000);
        assert_eq!(c.read_us(2_000_000), 2_101_000, "no jump at the change");
        assert_eq!(c.read_us(3_000_000), 3_051_000, "then 5% slow");
        assert_eq!(c.monotonic_us(3_000_000), 3_050_000);
        c.set_drift(3_000_000, 10_000_000);
        assert_eq!(c.drift_ppm(), DRIFT_PPM_MAX, "clamped");
    }

    #[test]
    fn a_step_moves_the_reading_but_not_the_oscillator() {
        let mut c = Clock::new(ClockSpec {
            offset_us: 0,
            drift_ppm: 100_000,
        });
        assert_eq!(c.read_us(1_000_000), 1_100_000);
        assert_eq!(
            c.step_to_offset(1_000_000, 200_000),
            100_000,
            "it was already 100 ms ahead"
        );
        assert_eq!(
            (c.read_us(1_000_000), c.monotonic_us(1_000_000)),
            (1_200_000, 1_100_000)
        );
        assert_eq!(c.step_to_offset(1_000_000, -30_000), -230_000);
        assert_eq!(c.offset_us(1_000_000), -30_000);
        assert_eq!(
            c.step_to_offset(1_000_000, i64::MAX),
            OFFSET_US_MAX + 30_000,
            "clamped to an hour ahead"
        );
    }

    #[test]
    fn true_time_at_inverts_the_oscillator_exactly() {
        for drift_ppm in [
            -DRIFT_PPM_MAX,
            -333,
            -1,
            0,
            1,
            7,
            100,
            99_999,
            DRIFT_PPM_MAX,
        ] {
            let mut c = Clock::new(ClockSpec {
                offset_us: -5,
                drift_ppm: 0,
            });
            c.set_drift(123_457, drift_ppm);
            for start in [123_457u64, 200_000, 9_876_543] {
                for d in [0i64, 1, 2, 999, 150_000, 10_000_000] {
                    let target = c.monotonic_us(start) + d;
                    let t = c.true_time_at(target);
                    assert!(
                        c.monotonic_us(t) >= target,
                        "drift {drift_ppm}: reads {} < {target} at {t}",
                        c.monotonic_us(t)
                    );
                    assert!(
                        t == start || c.monotonic_us(t - 1) < target,
                        "drift {drift_ppm}: {t} is not the first"
                    );
                }
            }
        }
        // A 10% fast clock's 110 ms pass in 100 ms of true time.
        let c = Clock::new(ClockSpec {
            offset_us: 0,
            drift_ppm: 100_000,
        });
        assert_eq!(c.true_time_at(110_000), 100_000);
    }

    #[test]
    fn extreme_times_saturate_instead_of_overflowing() {
        let c = Clock::new(ClockSpec {
            offset_us: OFFSET_US_MAX,
            drift_ppm: DRIFT_PPM_MAX,
        });
        assert_eq!(c.read_us(TimeUs::MAX), i64::MAX);
        let t = c.true_time_at(i64::MAX);
        assert!(
            t < TimeUs::MAX && c.monotonic_us(t) == i64::MAX && c.monotonic_us(t - 1) < i64::MAX
        );
    }

    #[test]
    fn offsets_are_narrated_in_words() {
        assert_eq!(fmt_offset(200_000), "200.0 ms ahead of true time");
        assert_eq!(fmt_offset(-1_500_000), "1.500 s behind true time");
        assert_eq!(fmt_offset(0), "true time");
    }
}
