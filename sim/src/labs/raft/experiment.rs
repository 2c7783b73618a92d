//! Figure 16 of the Raft paper (Ongaro & Ousterhout, 2014, §9.3): how long
//! a cluster is without a leader after its leader crashes, for different
//! election-timeout ranges.
//!
//! The paper ran five servers whose broadcast time (one round of
//! RequestVote and its answers) was about 15 ms, mostly spent persisting
//! state. Here the same is built from the lab's parts: a fast network with
//! one-way latency uniform in 1–2 ms, and a 12 ms fsync, which a server
//! pays before answering whenever it changed its term, vote or log. A
//! candidate's RequestVote leaves at once (it writes its own disk in
//! parallel) and travels ≈1.5 ms, the voter persists the term and vote it
//! adopts (12 ms), and the vote travels back (≈1.5 ms): about 15 ms, 14 ms
//! at the least. Heartbeats change no persistent state, so their answers
//! leave at once.
//!
//! One trial, fully determined by its seed:
//!
//! 1. A five-server cluster boots with S1 forced to start the first
//!    election at time 0, so that every range begins with a leader (with a
//!    150–150 ms timeout every server would otherwise time out at the same
//!    instant, forever).
//! 2. The run continues until a leader has held office for
//!    [`SETTLE_HEARTBEATS`] heartbeat intervals with no election started
//!    anywhere. The heartbeat interval is half the minimum election
//!    timeout, as in the paper.
//! 3. The leader crashes at a time drawn uniformly within the next
//!    heartbeat interval. The draw comes from a second generator seeded
//!    from the trial's seed, so the world's own random stream is the same
//!    whatever the crash time.
//! 4. The result is the virtual time from the crash until some server
//!    becomes leader, or nothing if none has after [`CAP_US`] (10 s).
//!
//! The shortest possible time is known exactly. The leader's last
//! heartbeat left less than one heartbeat interval `hb` before the crash
//! and reached every follower at least 1 ms later; a follower's timer then
//! runs at least the minimum timeout `min`, and the election costs at least
//! 1 + 12 + 1 ms. So every trial takes more than `min − hb + 15 ms`.
//!
//! What the simulation shows (1,000 trials per range, see the `dsviz-sim`
//! binary, and the numbers in the closing notes): with no randomness
//! (150–150 ms) no leader is elected within 10 s. The four surviving
//! followers heard the same last heartbeat within 1 ms of each other, so
//! their timers fire within 1 ms, before any RequestVote can reach another
//! server; each votes for itself, the vote splits, and with identical
//! timeouts the same happens again every 150 ms. The paper reports the
//! same: elections "consistently took longer than 10 seconds". More
//! randomness shortens the tail, as in the paper's top graph, and shorter
//! timeouts cut the downtime, as in its bottom graph.
//!
//! A split is avoided only if the first candidate's RequestVote reaches a
//! majority before their own timers fire: a window of one network hop
//! (1–2 ms). Ranges barely wider than that window (150–151 ms) still split
//! often; a 5 ms range already avoids most splits.

use super::{Cmd, Raft, RaftConfig, RaftNote, Safety, What, TIMEOUT_MS_MAX};
use crate::kernel::{Input, NodeId, Note, Protocol, SimRng, TimeUs, Who, World};
use crate::stats::summarize;
use serde::Serialize;

/// The paper's timeout ranges in ms: its top graph, then its bottom graph
/// (150–300 appears in both and is listed once).
pub const FIG16_RANGES_MS: &[(u64, u64)] = &[
    (150, 150),
    (150, 151),
    (150, 155),
    (150, 175),
    (150, 200),
    (150, 300),
    (12, 24),
    (25, 50),
    (50, 100),
    (100, 200),
];

pub const N_SERVERS: u8 = 5;
/// Time to persist a new term or vote before answering.
pub const FSYNC_US: u64 = 12_000;
pub const LATENCY_US_MIN: u64 = 1_000;
pub const LATENCY_US_MAX: u64 = 2_000;
/// Heartbeat intervals a leader must hold office, with no election
/// anywhere, before it is crashed.
pub const SETTLE_HEARTBEATS: u64 = 3;
/// Virtual time after the crash before a trial counts as "no leader".
pub const CAP_US: TimeUs = 10_000_000;
/// Virtual time the cluster may take to elect its first leader before the
/// crash; a trial that never settles counts as "no leader" too.
pub const SETTLE_CAP_US: TimeUs = 10_000_000;
/// Most steps one trial may take, so that a range far too short for the
/// network (a few ms) costs bounded work; a trial that reaches it counts as
/// "no leader". No Figure 16 trial comes near it.
pub const TRIAL_STEPS_MAX: u64 = 100_000;
/// Most trials per range an experiment runs.
pub const TRIALS_MAX: u32 = 100_000;
/// Most ranges one experiment holds.
pub const RANGES_MAX: usize = 64;

/// A range forced into what the lab allows: 1–10,000 ms, low end first.
fn normalize(range_ms: (u64, u64)) -> (u64, u64) {
    let lo = range_ms.0.min(range_ms.1).clamp(1, TIMEOUT_MS_MAX);
    let hi = range_ms.0.max(range_ms.1).clamp(lo, TIMEOUT_MS_MAX);
    (lo, hi)
}

/// The cluster of one trial: five servers, a 1–2 ms network, a 12 ms fsync,
/// the given election timeout and a heartbeat of half its minimum.
pub fn trial_config(range_ms: (u64, u64)) -> RaftConfig {
    let (lo, hi) = normalize(range_ms);
    RaftConfig {
        n_servers: N_SERVERS,
        election_timeout_ms_min: lo,
        election_timeout_ms_max: hi,
        heartbeat_ms: (lo / 2).max(1),
        latency_us_min: LATENCY_US_MIN,
        latency_us_max: LATENCY_US_MAX,
        loss: 0.0,
        duplicate: 0.0,
        fsync_us: FSYNC_US,
        safety: Safety::default(),
    }
    .clamped()
}

/// SplitMix64's finaliser: spreads nearby inputs over all 64 bits.
fn mix(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// The seed of trial `trial` of a range. It depends on the range itself,
/// not its position in a list, so a range gives the same results whatever
/// other ranges run with it.
pub fn trial_seed(base_seed: u64, range_ms: (u64, u64), trial: u32) -> u64 {
    let (lo, hi) = normalize(range_ms);
    mix(mix(mix(mix(base_seed) ^ lo) ^ hi) ^ trial as u64)
}

/// Tells the crash-time generator apart from the world's.
const CRASH_STREAM: u64 = 0xc4a5_4c0c_7e11_0000;

fn what(note: &Note<RaftNote>) -> Option<&What> {
    match note {
        Note::Proto(n) => Some(&n.what),
        _ => None,
    }
}

/// One trial in detail, for tests.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Trial {
    /// When the leader crashed, after the heartbeat schedule's settle point.
    crash_offset_us: TimeUs,
    /// From the crash to the next leader, if there was one within the cap.
    elected_after_us: Option<TimeUs>,
    /// Steps the whole trial took.
    steps: u64,
}

fn run_trial(config: RaftConfig, seed: u64) -> Option<Trial> {
    let hb_us = config.heartbeat_ms * 1000;
    let mut w = World::new(Raft::new(config), seed, vec![]);
    w.step(Some(&Input::Command(Who::Id(NodeId(0)), Cmd::Timeout)))?;

    // Settle: a leader in office for a few heartbeats, no election since.
    let mut leader_since: Option<TimeUs> = None;
    let settled_at = loop {
        let t = w.next_live_event_time()?;
        if let Some(ready) = leader_since.map(|s| s + SETTLE_HEARTBEATS * hb_us) {
            if t > ready {
                break ready;
            }
        }
        if t > SETTLE_CAP_US + SETTLE_HEARTBEATS * hb_us || w.step >= TRIAL_STEPS_MAX {
            return None;
        }
        let rec = w.step(None)?;
        match what(&rec.note) {
            Some(What::BecameLeader { .. }) => leader_since = Some(rec.time_us),
            Some(What::ElectionStarted { .. }) => leader_since = None,
            _ => {}
        }
    };

    // Crash the leader somewhere within one heartbeat interval.
    let crash_offset_us = SimRng::new(mix(seed ^ CRASH_STREAM)).range_u64(0, hb_us - 1);
    let crash_at = settled_at + crash_offset_us;
    while w.next_live_event_time().is_some_and(|t| t <= crash_at) {
        w.step(None)?;
    }
    if !w.advance_to(crash_at) {
        return None;
    }
    let leader = w.proto.leader(&w.nodes, &w.net)?;
    w.step(Some(&Input::Crash(Who::Id(leader))))?;

    // Measure.
    let deadline = crash_at + CAP_US;
    let elected_after_us = loop {
        match w.next_live_event_time() {
            Some(t) if t <= deadline && w.step < TRIAL_STEPS_MAX => {}
            _ => break None,
        }
        let rec = w.step(None)?;
        if let Some(What::BecameLeader { .. }) = what(&rec.note) {
            break Some(rec.time_us - crash_at);
        }
    };
    Some(Trial {
        crash_offset_us,
        elected_after_us,
        steps: w.step,
    })
}

/// One trial: the time in ms from the leader's crash until a new leader is
/// elected, or `None` if there is none within [`CAP_US`] (or the cluster
/// never settled before the crash, or the trial reached [`TRIAL_STEPS_MAX`]).
pub fn election_time_trial(range_ms: (u64, u64), seed: u64) -> Option<f64> {
    let us = run_trial(trial_config(range_ms), seed)?.elected_after_us?;
    Some(us as f64 / 1000.0)
}

/// The trials of one range. Serialises as
/// `{"timeout_ms":[150,155],"times_ms":[..],"no_leader":0,"min_ms":..,
/// "median_ms":..,"mean_ms":..,"p99_ms":..,"max_ms":..}`, the statistics
/// `null` when no trial elected a leader.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RangeResult {
    pub timeout_ms: [u64; 2],
    /// Times of the trials that elected a leader, in trial order.
    pub times_ms: Vec<f64>,
    /// Trials with no leader within the cap.
    pub no_leader: u32,
    pub min_ms: Option<f64>,
    pub median_ms: Option<f64>,
    pub mean_ms: Option<f64>,
    /// Nearest-rank 99th percentile of `times_ms`.
    pub p99_ms: Option<f64>,
    pub max_ms: Option<f64>,
}

impl RangeResult {
    /// Summarises per-trial outcomes (`None` = no leader), in trial order.
    pub fn from_outcomes(range_ms: (u64, u64), outcomes: &[Option<f64>]) -> RangeResult {
        let times_ms: Vec<f64> = outcomes.iter().flatten().copied().collect();
        let no_leader = (outcomes.len() - times_ms.len()) as u32;
        let s = summarize(&times_ms);
        RangeResult {
            timeout_ms: [range_ms.0, range_ms.1],
            no_leader,
            min_ms: s.as_ref().map(|s| s.min),
            median_ms: s.as_ref().map(|s| s.median),
            mean_ms: s.as_ref().map(|s| s.mean),
            p99_ms: s.as_ref().map(|s| s.p99),
            max_ms: s.as_ref().map(|s| s.max),
            times_ms,
        }
    }
}

/// The experiment in slices, so a browser can run it between frames:
/// each [`ElectionTimeExperiment::run_some`] call does a bounded number of
/// trials (each at most 10 s of virtual time). Ranges run in order; the
/// results do not depend on how the work is sliced.
#[derive(Clone, Debug)]
pub struct ElectionTimeExperiment {
    ranges: Vec<(u64, u64)>,
    trials: u32,
    base_seed: u64,
    /// Per range, per trial so far: the time in ms, or `None` for no leader.
    outcomes: Vec<Vec<Option<f64>>>,
    /// The first range with trials still to run.
    next_range: usize,
}

impl ElectionTimeExperiment {
    /// `trials` per range, at most [`TRIALS_MAX`]; at most [`RANGES_MAX`]
    /// ranges, each forced into 1–10,000 ms with its low end first.
    pub fn new(ranges: Vec<(u64, u64)>, trials: u32, base_seed: u64) -> ElectionTimeExperiment {
        let ranges: Vec<(u64, u64)> = ranges.into_iter().take(RANGES_MAX).map(normalize).collect();
        let outcomes = vec![Vec::new(); ranges.len()];
        ElectionTimeExperiment {
            ranges,
            trials: trials.min(TRIALS_MAX),
            base_seed,
            outcomes,
            next_range: 0,
        }
    }

    /// Runs up to `max_trials` more trials; true when every trial is done.
    pub fn run_some(&mut self, max_trials: u32) -> bool {
        let mut budget = max_trials;
        loop {
            let Some(range) = self.ranges.get(self.next_range).copied() else {
                return true;
            };
            let done = &mut self.outcomes[self.next_range];
            if done.len() as u32 >= self.trials {
                self.next_range += 1;
                continue;
            }
            if budget == 0 {
                return false;
            }
            let seed = trial_seed(self.base_seed, range, done.len() as u32);
            done.push(election_time_trial(range, seed));
            budget -= 1;
        }
    }

    /// (trials done, trials in all).
    pub fn progress(&self) -> (u32, u32) {
        let done = self.outcomes.iter().map(|o| o.len() as u32).sum();
        (done, self.trials.saturating_mul(self.ranges.len() as u32))
    }

    pub fn ranges(&self) -> &[(u64, u64)] {
        &self.ranges
    }

    pub fn trials(&self) -> u32 {
        self.trials
    }

    /// Per range, the outcome of each trial run so far, in trial order.
    pub fn outcomes(&self) -> &[Vec<Option<f64>>] {
        &self.outcomes
    }

    /// One result per range, from the trials run so far.
    pub fn results(&self) -> Vec<RangeResult> {
        self.ranges
            .iter()
            .zip(&self.outcomes)
            .map(|(r, o)| RangeResult::from_outcomes(*r, o))
            .collect()
    }
}

/// Runs every trial of every range at once.
pub fn run_all(ranges: Vec<(u64, u64)>, trials: u32, base_seed: u64) -> Vec<RangeResult> {
    let mut e = ElectionTimeExperiment::new(ranges, trials, base_seed);
    e.run_some(u32::MAX);
    e.results()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn find(results: &[RangeResult], range: (u64, u64)) -> &RangeResult {
        results
            .iter()
            .find(|r| r.timeout_ms == [range.0, range.1])
            .unwrap()
    }

    #[test]
    fn broadcast_time_is_about_15_ms() {
        // The paper's setting: one RequestVote round ≈ latency + the voter's fsync + latency.
        let c = trial_config((150, 300));
        let round_us = c.fsync_us + c.latency_us_min + c.latency_us_max;
        assert_eq!(round_us, 15_000);
        assert_eq!((c.n_servers, c.heartbeat_ms), (5, 75));
        assert_eq!(trial_config((12, 24)).heartbeat_ms, 6);
        assert_eq!(
            trial_config((1, 1)).heartbeat_ms,
            1,
            "never a zero heartbeat"
        );
    }

    #[test]
    fn trials_are_deterministic_and_seeded() {
        let a: Vec<Option<f64>> = (0..20)
            .map(|i| election_time_trial((150, 200), trial_seed(9, (150, 200), i)))
            .collect();
        let b: Vec<Option<f64>> = (0..20)
            .map(|i| election_time_trial((150, 200), trial_seed(9, (150, 200), i)))
            .collect();
        assert_eq!(a, b);
        let mut distinct: Vec<u64> = a.iter().map(|t| t.unwrap().to_bits()).collect();
        crate::sort::sort(&mut distinct);
        distinct.dedup();
        assert!(distinct.len() > 10, "the seed must matter: {a:?}");
        let seeds: Vec<u64> = (0..3).map(|i| trial_seed(9, (150, 200), i)).collect();
        assert!(
            seeds[0] != seeds[1]
                && seeds[1] != seeds[2]
                && trial_seed(9, (150, 201), 0) != seeds[0]
        );
    }

    #[test]
    fn slicing_the_work_changes_nothing() {
        let ranges = vec![(150, 155), (12, 24), (150, 150)];
        let whole = run_all(ranges.clone(), 7, 3);
        let mut e = ElectionTimeExperiment::new(ranges, 7, 3);
        assert_eq!(e.progress(), (0, 21));
        assert!(!e.run_some(0));
        let mut calls = 0;
        while !e.run_some(4) {
            calls += 1;
            assert_eq!(e.progress(), (4 * calls, 21));
        }
        assert_eq!(calls, 5);
        assert_eq!(e.progress(), (21, 21));
        assert_eq!(e.results(), whole);
        assert!(e.run_some(1), "a finished experiment stays finished");
    }

    #[test]
    fn inputs_are_bounded() {
        let e =
            ElectionTimeExperiment::new(vec![(300, 150), (0, 0), (20_000, 30_000)], u32::MAX, 0);
        assert_eq!(
            e.ranges(),
            &[(150, 300), (1, 1), (TIMEOUT_MS_MAX, TIMEOUT_MS_MAX)]
        );
        assert_eq!(e.trials(), TRIALS_MAX);
        let e = ElectionTimeExperiment::new(vec![(1, 2); 1000], 1, 0);
        assert_eq!(e.ranges().len(), RANGES_MAX);
    }

    #[test]
    fn range_result_serialises_as_documented() {
        let r = RangeResult::from_outcomes((150, 155), &[Some(2.0), None, Some(1.0)]);
        assert_eq!(
            serde_json::to_string(&r).unwrap(),
            r#"{"timeout_ms":[150,155],"times_ms":[2.0,1.0],"no_leader":1,"min_ms":1.0,"median_ms":1.0,"mean_ms":1.5,"p99_ms":2.0,"max_ms":2.0}"#
        );
        let none = RangeResult::from_outcomes((150, 150), &[None, None]);
        assert_eq!(
            serde_json::to_string(&none).unwrap(),
            r#"{"timeout_ms":[150,150],"times_ms":[],"no_leader":2,"min_ms":null,"median_ms":null,"mean_ms":null,"p99_ms":null,"max_ms":null}"#
        );
    }

    /// The last heartbeat left less than `hb` before the crash and took at
    /// least 1 ms to arrive; then a full minimum timeout, and an election
    /// of at least 1 ms + the voter's fsync + 1 ms.
    fn lower_bound_us(range: (u64, u64)) -> TimeUs {
        let c = trial_config(range);
        c.election_timeout_ms_min * 1000 - c.heartbeat_ms * 1000
            + c.latency_us_min
            + c.fsync_us
            + 2 * c.latency_us_min
    }

    #[test]
    fn no_election_beats_the_lower_bound_and_the_bound_is_nearly_reached() {
        for &range in FIG16_RANGES_MS {
            let bound = lower_bound_us(range);
            let hb_us = trial_config(range).heartbeat_ms * 1000;
            let mut fastest = TimeUs::MAX;
            for i in 0..100 {
                let seed = trial_seed(1, range, i);
                let t = run_trial(trial_config(range), seed)
                    .unwrap_or_else(|| panic!("{range:?} seed {seed}: never settled"));
                assert!(t.crash_offset_us < hb_us);
                assert!(
                    t.steps < TRIAL_STEPS_MAX / 10,
                    "{range:?} seed {seed}: {} steps",
                    t.steps
                );
                if let Some(us) = t.elected_after_us {
                    assert!(
                        us > bound,
                        "{range:?} seed {seed}: elected {us} µs after the crash, bound {bound} µs"
                    );
                    fastest = fastest.min(us);
                }
            }
            // With 10 ms or more of randomness the first election after the
            // crash usually succeeds, and a crash just before a heartbeat
            // comes close to the bound. If crashes all fell early in the
            // heartbeat interval, the fastest would be up to `hb` slower.
            if range.1 - range.0 >= 10 {
                assert!(
                    fastest < bound + 10_000,
                    "{range:?}: fastest {fastest} µs, bound {bound} µs"
                );
            }
        }
    }

    #[test]
    fn hopeless_ranges_cost_bounded_work() {
        // Timeouts shorter than a RequestVote round never settle; they must
        // still end, as "no leader", after a bounded number of steps.
        for range in [(1, 1), (5, 10)] {
            assert_eq!(election_time_trial(range, 1), None);
        }
        // A long timeout still settles: the settle cap grows with the heartbeat.
        let slow = run_trial(trial_config((3_000, 6_000)), 2).unwrap();
        assert!(slow.elected_after_us.is_some(), "{slow:?}");
    }

    /// Figure 16's findings, as this model reproduces them (400 trials per range).
    #[test]
    fn figure_16_shape() {
        let results = run_all(FIG16_RANGES_MS.to_vec(), 400, 16);
        let summary: Vec<String> = results
            .iter()
            .map(|x| {
                format!(
                    "{:?}: mean {:?} median {:?} p99 {:?} max {:?} none {}",
                    x.timeout_ms, x.mean_ms, x.median_ms, x.p99_ms, x.max_ms, x.no_leader
                )
            })
            .collect();
        let summary = summary.join("\n");
        let r = |lo, hi| find(&results, (lo, hi));
        let mean = |lo, hi| {
            r(lo, hi)
                .mean_ms
                .unwrap_or_else(|| panic!("{lo}-{hi}: no leader ever\n{summary}"))
        };
        let p99 = |lo, hi| {
            r(lo, hi)
                .p99_ms
                .unwrap_or_else(|| panic!("{lo}-{hi}: no leader ever\n{summary}"))
        };

        // No randomness: the followers time out within 1 ms of each other,
        // every election splits, forever (the paper: "consistently longer than 10 s").
        assert_eq!(r(150, 150).no_leader, 400, "{summary}");
        // 1 ms of randomness rarely separates the candidates by the hop a
        // RequestVote needs: elections drag on for seconds.
        assert!(mean(150, 151) > 5.0 * mean(150, 175), "{summary}");
        assert!(p99(150, 151) > 5.0 * p99(150, 175), "{summary}");
        // 5 ms already helps a lot, but the tail is still long.
        assert!(r(150, 155).no_leader == 0, "{summary}");
        assert!(p99(150, 155) > 1.5 * p99(150, 175), "{summary}");
        for range in [
            (150, 155),
            (150, 175),
            (150, 200),
            (150, 300),
            (12, 24),
            (25, 50),
            (50, 100),
            (100, 200),
        ] {
            assert_eq!(r(range.0, range.1).no_leader, 0, "{range:?}\n{summary}");
        }
        // More randomness, shorter tail.
        assert!(p99(150, 175) > p99(150, 300), "{summary}");
        assert!(mean(150, 300) < 1_000.0, "{summary}");
        // Shorter timeouts, shorter downtime: 12-24 ms averages tens of ms, as in the paper.
        assert!(mean(12, 24) < 60.0, "{summary}");
        assert!(
            mean(25, 50) < mean(50, 100)
                && mean(50, 100) < mean(100, 200)
                && mean(100, 200) < mean(150, 300),
            "{summary}"
        );
    }
}
