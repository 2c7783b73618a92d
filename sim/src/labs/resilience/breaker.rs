//! A circuit breaker: closed, open, half-open.
//!
//! Closed, it admits every call and keeps the outcomes of recent ones in
//! a sliding window, either the last `size` calls (count-based) or the
//! calls of the last `window_ms`, kept in `buckets` buckets (time-based,
//! as Hystrix's rolling window). Once the window holds at least
//! `min_calls` outcomes, a failure rate or a slow-call rate at or above
//! its threshold opens it. Open, it refuses every call for `open_ms`; the
//! first call after that moves it to half-open, which admits
//! `half_open_calls` probes and, once all of them have answered, opens
//! again if their failure or slow rate reaches a threshold and closes
//! otherwise (resilience4j's rule; Hystrix's single trial request is the
//! case of one probe).
//!
//! Every transition bumps an epoch. A call carries the epoch it was
//! admitted in, and an answer from an older epoch is not counted: a call
//! let through while closed that fails after the breaker opened says
//! nothing about the dependency now.
//!
//! All arithmetic is on integers (rates are compared as `100 × bad ≥
//! threshold × calls`), so a run is the same on every platform.

use crate::kernel::TimeUs;
use std::collections::VecDeque;

/// The longest count-based window.
pub const SIZE_MAX: u32 = 1_000;
/// The most buckets a time-based window has.
pub const BUCKETS_MAX: u32 = 100;
/// The longest time-based window and the longest wait in open.
pub const SPAN_MS_MAX: u64 = 600_000;
/// The most probes in half-open.
pub const PROBES_MAX: u32 = 100;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WindowKind {
    /// The last `size` calls.
    Count,
    /// The calls of the last `window_ms`, in `buckets` buckets.
    Time,
}

impl WindowKind {
    pub fn key(self) -> &'static str {
        match self {
            WindowKind::Count => "count",
            WindowKind::Time => "time",
        }
    }
    pub fn from_key(s: &str) -> Option<WindowKind> {
        match s {
            "count" => Some(WindowKind::Count),
            "time" => Some(WindowKind::Time),
            _ => None,
        }
    }
}

/// How a breaker decides.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BreakerConfig {
    pub kind: WindowKind,
    /// Count-based: calls in the window.
    pub size: u32,
    /// Time-based: the window's length and how many buckets it rolls in.
    pub window_ms: u64,
    pub buckets: u32,
    /// Open at or above this failure rate, in percent (1–100).
    pub failure_pct: u32,
    /// Open at or above this rate of calls slower than `slow_ms` (1–100).
    pub slow_pct: u32,
    pub slow_ms: u64,
    /// No decision before the window holds this many calls.
    pub min_calls: u32,
    /// How long it stays open before letting probes through.
    pub open_ms: u64,
    /// Probes admitted in half-open.
    pub half_open_calls: u32,
}

impl BreakerConfig {
    /// resilience4j's defaults: 50% failures over the last 100 calls, at
    /// least 100 calls, 60 s open, 10 calls in half-open; slow calls are
    /// those over 60 s, and only a 100% slow rate opens it.
    pub const RESILIENCE4J: BreakerConfig = BreakerConfig {
        kind: WindowKind::Count,
        size: 100,
        window_ms: 100_000,
        buckets: 100,
        failure_pct: 50,
        slow_pct: 100,
        slow_ms: 60_000,
        min_calls: 100,
        open_ms: 60_000,
        half_open_calls: 10,
    };
    /// Hystrix's defaults: a 10 s rolling window in 10 buckets, at least 20
    /// requests in it, 50% errors, a 5 s sleep window, one trial request.
    /// Hystrix has no slow-call rate (its timeouts count as errors).
    pub const HYSTRIX: BreakerConfig = BreakerConfig {
        kind: WindowKind::Time,
        size: 100,
        window_ms: 10_000,
        buckets: 10,
        failure_pct: 50,
        slow_pct: 100,
        slow_ms: 600_000,
        min_calls: 20,
        open_ms: 5_000,
        half_open_calls: 1,
    };
    /// Sized for a lab run of tens of seconds: the last 20 calls, at least
    /// 10, 50% failures or 80% of calls over 200 ms, 2 s open, 3 probes.
    pub const LAB: BreakerConfig = BreakerConfig {
        kind: WindowKind::Count,
        size: 20,
        window_ms: 2_000,
        buckets: 10,
        failure_pct: 50,
        slow_pct: 80,
        slow_ms: 200,
        min_calls: 10,
        open_ms: 2_000,
        half_open_calls: 3,
    };

    /// Every value in range.
    pub fn clamped(self) -> BreakerConfig {
        let buckets = self.buckets.clamp(1, BUCKETS_MAX);
        BreakerConfig {
            kind: self.kind,
            size: self.size.clamp(1, SIZE_MAX),
            // At least a millisecond per bucket.
            window_ms: self.window_ms.clamp(buckets as u64, SPAN_MS_MAX),
            buckets,
            failure_pct: self.failure_pct.clamp(1, 100),
            slow_pct: self.slow_pct.clamp(1, 100),
            slow_ms: self.slow_ms.clamp(1, SPAN_MS_MAX),
            min_calls: self.min_calls.clamp(1, SIZE_MAX),
            open_ms: self.open_ms.clamp(1, SPAN_MS_MAX),
            half_open_calls: self.half_open_calls.clamp(1, PROBES_MAX),
        }
    }

    fn bucket_us(&self) -> TimeUs {
        (self.window_ms * 1000 / self.buckets as u64).max(1)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Phase {
    Closed,
    Open,
    HalfOpen,
}

impl Phase {
    pub fn label(self) -> &'static str {
        match self {
            Phase::Closed => "closed",
            Phase::Open => "open",
            Phase::HalfOpen => "half-open",
        }
    }
}

/// Why a breaker moved.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Why {
    /// `bad` of `calls` in the window failed.
    FailureRate { bad: u32, calls: u32 },
    /// `bad` of `calls` in the window were slow.
    SlowRate { bad: u32, calls: u32 },
    /// The wait in open is over and a call arrived.
    WaitOver,
    /// The probes answered: `failed` and `slow` of `probes`.
    Probes { failed: u32, slow: u32, probes: u32 },
    /// Forced by the learner.
    Forced,
}

/// A move of the breaker.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Transition {
    pub from: Phase,
    pub to: Phase,
    pub why: Why,
}

impl Transition {
    pub fn words(&self) -> String {
        let why = match self.why {
            Why::FailureRate { bad, calls } => format!("{bad} of the last {calls} calls failed"),
            Why::SlowRate { bad, calls } => format!("{bad} of the last {calls} calls were slow"),
            Why::WaitOver => "the wait in open is over".to_string(),
            Why::Probes { failed, slow, probes } => {
                if failed == 0 && slow == 0 {
                    format!("all {probes} probe{} succeeded", if probes == 1 { "" } else { "s" })
                } else {
                    format!("{failed} of {probes} probes failed, {slow} were slow")
                }
            }
            Why::Forced => "forced".to_string(),
        };
        format!("{} → {}: {why}", self.from.label(), self.to.label())
    }
}

/// A call's outcome as the breaker counts it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Outcome {
    pub failed: bool,
    pub slow: bool,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Bucket {
    /// Bucket number: start time over the bucket's length.
    index: u64,
    calls: u32,
    failed: u32,
    slow: u32,
}

/// A breaker's state.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Breaker {
    pub phase: Phase,
    /// When it entered its phase.
    pub since_us: TimeUs,
    /// Bumped at every transition.
    pub epoch: u32,
    /// Count-based window: one byte per call (bit 0 failed, bit 1 slow).
    ring: VecDeque<u8>,
    /// Time-based window, oldest first.
    buckets: VecDeque<Bucket>,
    /// Half-open: probes let through, answered, failed, slow.
    pub probes_admitted: u32,
    probes_done: u32,
    probes_failed: u32,
    probes_slow: u32,
    /// Times it opened from closed.
    pub trips: u32,
}

/// What a breaker says to a call.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Admission {
    pub admitted: bool,
    /// The epoch an admitted call carries.
    pub epoch: u32,
    /// Open → half-open, when this call ended the wait.
    pub moved: Option<Transition>,
}

impl Breaker {
    pub fn new(now_us: TimeUs) -> Breaker {
        Breaker {
            phase: Phase::Closed,
            since_us: now_us,
            epoch: 0,
            ring: VecDeque::new(),
            buckets: VecDeque::new(),
            probes_admitted: 0,
            probes_done: 0,
            probes_failed: 0,
            probes_slow: 0,
            trips: 0,
        }
    }

    fn enter(&mut self, to: Phase, why: Why, now_us: TimeUs) -> Transition {
        let t = Transition {
            from: self.phase,
            to,
            why,
        };
        if to == Phase::Open && self.phase == Phase::Closed {
            self.trips += 1;
        }
        self.phase = to;
        self.since_us = now_us;
        self.epoch = self.epoch.wrapping_add(1);
        self.ring.clear();
        self.buckets.clear();
        self.probes_admitted = 0;
        self.probes_done = 0;
        self.probes_failed = 0;
        self.probes_slow = 0;
        t
    }

    /// Moves it by hand (the lab's "force open" and "force closed").
    pub fn force(&mut self, to: Phase, now_us: TimeUs) -> Option<Transition> {
        (to != self.phase).then(|| self.enter(to, Why::Forced, now_us))
    }

    /// When an open breaker will let the next call become a probe.
    pub fn opens_until_us(&self, c: &BreakerConfig) -> Option<TimeUs> {
        (self.phase == Phase::Open).then(|| self.since_us.saturating_add(c.open_ms * 1000))
    }

    /// Asks to let a call through at `now_us`.
    pub fn admit(&mut self, c: &BreakerConfig, now_us: TimeUs) -> Admission {
        let mut moved = None;
        if self.phase == Phase::Open {
            match self.opens_until_us(c) {
                Some(t) if now_us >= t => moved = Some(self.enter(Phase::HalfOpen, Why::WaitOver, now_us)),
                _ => {
                    return Admission {
                        admitted: false,
                        epoch: self.epoch,
                        moved: None,
                    }
                }
            }
        }
        let admitted = match self.phase {
            Phase::Closed => true,
            Phase::HalfOpen if self.probes_admitted < c.half_open_calls => {
                self.probes_admitted += 1;
                true
            }
            _ => false,
        };
        Admission {
            admitted,
            epoch: self.epoch,
            moved,
        }
    }

    /// The window's calls, failed and slow, at `now_us`.
    pub fn window(&self, c: &BreakerConfig, now_us: TimeUs) -> (u32, u32, u32) {
        match c.kind {
            WindowKind::Count => {
                let calls = self.ring.len() as u32;
                let failed = self.ring.iter().filter(|b| *b & 1 != 0).count() as u32;
                let slow = self.ring.iter().filter(|b| *b & 2 != 0).count() as u32;
                (calls, failed, slow)
            }
            WindowKind::Time => {
                let oldest = (now_us / c.bucket_us()).saturating_sub(c.buckets as u64 - 1);
                self.buckets
                    .iter()
                    .filter(|b| b.index >= oldest)
                    .fold((0, 0, 0), |(n, f, s), b| (n + b.calls, f + b.failed, s + b.slow))
            }
        }
    }

    /// Counts the answer of a call admitted in `epoch`; a transition if it made one.
    pub fn record(
        &mut self,
        c: &BreakerConfig,
        now_us: TimeUs,
        epoch: u32,
        o: Outcome,
    ) -> Option<Transition> {
        if epoch != self.epoch {
            return None;
        }
        match self.phase {
            Phase::Open => None,
            Phase::HalfOpen => {
                self.probes_done += 1;
                self.probes_failed += o.failed as u32;
                self.probes_slow += o.slow as u32;
                if self.probes_done < c.half_open_calls {
                    return None;
                }
                let (n, f, s) = (self.probes_done, self.probes_failed, self.probes_slow);
                let why = Why::Probes {
                    failed: f,
                    slow: s,
                    probes: n,
                };
                let bad = 100 * f >= c.failure_pct * n || 100 * s >= c.slow_pct * n;
                let to = if bad { Phase::Open } else { Phase::Closed };
                Some(self.enter(to, why, now_us))
            }
            Phase::Closed => {
                let bits = o.failed as u8 | (o.slow as u8) << 1;
                match c.kind {
                    WindowKind::Count => {
                        self.ring.push_back(bits);
                        while self.ring.len() > c.size as usize {
                            self.ring.pop_front();
                        }
                    }
                    WindowKind::Time => {
                        let index = now_us / c.bucket_us();
                        let oldest = index.saturating_sub(c.buckets as u64 - 1);
                        while self.buckets.front().is_some_and(|b| b.index < oldest) {
                            self.buckets.pop_front();
                        }
                        if self.buckets.back().map(|b| b.index) != Some(index) {
                            self.buckets.push_back(Bucket {
                                index,
                                ..Bucket::default()
                            });
                        }
                        if let Some(b) = self.buckets.back_mut() {
                            b.calls += 1;
                            b.failed += o.failed as u32;
                            b.slow += o.slow as u32;
                        }
                    }
                }
                let (n, f, s) = self.window(c, now_us);
                if n < c.min_calls {
                    return None;
                }
                if 100 * f >= c.failure_pct * n {
                    Some(self.enter(Phase::Open, Why::FailureRate { bad: f, calls: n }, now_us))
                } else if 100 * s >= c.slow_pct * n {
                    Some(self.enter(Phase::Open, Why::SlowRate { bad: s, calls: n }, now_us))
                } else {
                    None
                }
            }
        }
    }
}

#[cfg(test)]
mod tests;
