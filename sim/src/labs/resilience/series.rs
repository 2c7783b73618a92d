//! The run as time series, read from its step records: offered load,
//! attempts, retries, goodput and failures per bucket, latency
//! percentiles, and each breaker's phase over time. The page's charts, the
//! probes and the experiments all read a run through this one function.

use super::breaker::Phase;
use super::service::{Cmd, RNote, What};
use crate::kernel::solo::SoloNote;
use crate::kernel::world::{Note, StepRecord};
use crate::kernel::TimeUs;

/// The charts' bucket: 100 ms.
pub const BUCKET_US: TimeUs = 100_000;
/// Goodput is judged over a second of buckets.
pub const WINDOW_BUCKETS: usize = (1_000_000 / BUCKET_US) as usize;

/// Whether a stretch with `offered` requests and `ok` successes is
/// healthy: it had requests, and at least 90% of them succeeded.
pub fn healthy(offered: u32, ok: u32) -> bool {
    offered > 0 && ok as u64 * 10 >= offered as u64 * 9
}

/// One bucket's counts.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Bucket {
    pub offered: u32,
    /// Attempts sent to A and B.
    pub attempts: [u32; 2],
    pub retries: u32,
    pub ok: u32,
    pub failed: u32,
    pub rejected: u32,
    pub timeouts: u32,
    /// Latencies of the requests that succeeded, in µs.
    pub latencies: Vec<u32>,
}

impl Bucket {
    pub fn attempts_total(&self) -> u32 {
        self.attempts[0] + self.attempts[1]
    }
    /// The `p`th percentile (0–100) of the bucket's successful latencies.
    pub fn percentile_us(&self, p: u32) -> Option<u32> {
        percentile(&self.latencies, p)
    }
}

/// The `p`th percentile (nearest rank) of `xs`.
pub fn percentile(xs: &[u32], p: u32) -> Option<u32> {
    if xs.is_empty() {
        return None;
    }
    let mut v = xs.to_vec();
    v.sort_unstable();
    let rank = (p.min(100) as usize * v.len()).div_ceil(100).max(1);
    v.get(rank - 1).copied()
}

/// A run read as series.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Series {
    /// Bucket `i` covers `[i × BUCKET_US, (i + 1) × BUCKET_US)`.
    pub buckets: Vec<Bucket>,
    /// Each breaker's moves: (time, phase entered).
    pub phases: [Vec<(TimeUs, Phase)>; 2],
    /// Times the learner or the scenario changed a dependency: (time, command).
    pub faults: Vec<(TimeUs, Cmd)>,
    /// Time of the last record read.
    pub end_us: TimeUs,
}

fn note_of(n: &Note<SoloNote<RNote>>) -> Option<&RNote> {
    match n {
        Note::Proto(SoloNote::Model(r)) | Note::Restarted(_, SoloNote::Model(r)) => Some(r),
        _ => None,
    }
}

/// The series of the first `upto` records.
pub fn series(records: &[StepRecord<SoloNote<RNote>>], upto: usize) -> Series {
    let mut s = Series::default();
    for r in records.iter().take(upto) {
        s.end_us = r.time_us;
        let Some(n) = note_of(&r.note) else {
            continue;
        };
        let i = (r.time_us / BUCKET_US) as usize;
        if s.buckets.len() <= i {
            s.buckets.resize(i + 1, Bucket::default());
        }
        let b = &mut s.buckets[i];
        let t = &n.tally;
        b.offered += t.arrivals as u32;
        b.attempts[0] += t.calls[0] as u32;
        b.attempts[1] += t.calls[1] as u32;
        b.retries += t.retries as u32;
        b.ok += t.ok as u32;
        b.failed += t.failed as u32;
        b.rejected += t.rejected as u32;
        b.timeouts += t.timeouts as u32;
        if let Some(l) = t.ok_latency_us {
            b.latencies.push(l);
        }
        for (d, m) in t.moved.iter().enumerate() {
            if let Some(m) = m {
                s.phases[d].push((r.time_us, m.to));
            }
        }
        if let What::Fault { cmd, .. } = n.what {
            if !matches!(cmd, Cmd::ForceBreaker(..)) {
                s.faults.push((r.time_us, cmd));
            }
        }
        if n.what == What::Restarted {
            for p in &mut s.phases {
                if p.last().is_some_and(|(_, ph)| *ph != Phase::Closed) {
                    p.push((r.time_us, Phase::Closed));
                }
            }
        }
    }
    s
}

impl Series {
    /// The breaker's phase at `t_us`.
    pub fn phase_at(&self, d: usize, t_us: TimeUs) -> Phase {
        self.phases[d]
            .iter()
            .take_while(|(t, _)| *t <= t_us)
            .last()
            .map_or(Phase::Closed, |(_, p)| *p)
    }

    /// The largest number of attempts in one bucket from `from_us` on.
    pub fn peak_attempts(&self, from_us: TimeUs) -> u32 {
        let first = (from_us / BUCKET_US) as usize;
        self.buckets
            .iter()
            .skip(first)
            .map(Bucket::attempts_total)
            .max()
            .unwrap_or(0)
    }

    /// When goodput came back after `from_us`: the start of the first
    /// second from `from_us` on in which at least 90% of the requests
    /// offered succeeded, and which had requests; `None` if none did by
    /// the end of the series (a metastable failure, or a run too short).
    pub fn recovered_at_us(&self, from_us: TimeUs) -> Option<TimeUs> {
        const WINDOW: usize = WINDOW_BUCKETS;
        let first = (from_us / BUCKET_US) as usize;
        if self.buckets.len() < WINDOW {
            return None;
        }
        (first..=self.buckets.len() - WINDOW).find_map(|i| {
            let w = &self.buckets[i..i + WINDOW];
            let offered: u32 = w.iter().map(|b| b.offered).sum();
            let ok: u32 = w.iter().map(|b| b.ok).sum();
            healthy(offered, ok).then_some(i as TimeUs * BUCKET_US)
        })
    }

    /// The last time a dependency recovered, if one did.
    pub fn last_recovery_us(&self) -> Option<TimeUs> {
        self.faults
            .iter()
            .rev()
            .find(|(_, c)| matches!(c, Cmd::Recover(_)))
            .map(|(t, _)| *t)
    }

    /// Goodput as a share of the requests offered between two times, in percent.
    pub fn goodput_pct(&self, from_us: TimeUs, to_us: TimeUs) -> Option<u32> {
        let a = (from_us / BUCKET_US) as usize;
        let b = ((to_us / BUCKET_US) as usize).min(self.buckets.len());
        let w = self.buckets.get(a..b)?;
        let offered: u32 = w.iter().map(|b| b.offered).sum();
        let ok: u32 = w.iter().map(|b| b.ok).sum();
        (offered > 0).then(|| ok * 100 / offered)
    }
}
