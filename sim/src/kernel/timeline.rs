//! The cursor over a run: step forward and back, seek to any step or
//! time, and branch by injecting an input at a past step.
//!
//! A run is fully determined by its initial world (protocol, seed, script)
//! and the list of injected inputs, each tagged with the step at which it
//! applies. The timeline keeps a snapshot every [`SNAPSHOT_EVERY`] steps,
//! so a seek replays at most that many events, and stops growing at
//! [`MAX_STEPS`] steps.
//!
//! Memory bound: at most `MAX_STEPS` trace records (tens of bytes each)
//! plus [`MAX_SNAPSHOTS`] world clones. When a long run would need more
//! snapshots, every other one is dropped and the spacing doubles, so a
//! seek then replays at most `MAX_STEPS / (MAX_SNAPSHOTS / 2)` events.

use super::input::Input;
use super::time::TimeUs;
use super::world::{Marker, Protocol, StepRecord, World};

/// Steps between snapshots: the most a seek ever replays.
pub const SNAPSHOT_EVERY: u64 = 256;
/// The longest run a timeline records.
pub const MAX_STEPS: u64 = 200_000;
/// The most world snapshots a timeline keeps.
pub const MAX_SNAPSHOTS: usize = 256;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TimelineError {
    /// The run reached [`MAX_STEPS`].
    TraceFull,
    /// Nothing is left to happen (every node is idle and the queue is empty).
    Quiescent,
}

impl std::fmt::Display for TimelineError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TimelineError::TraceFull => write!(
                f,
                "the run reached its limit of {MAX_STEPS} steps; reset or step back to branch"
            ),
            TimelineError::Quiescent => f.write_str("nothing is left to happen in this run"),
        }
    }
}

#[derive(Clone)]
pub struct Timeline<P: Protocol> {
    /// `snapshots[k]` is the world after `k * every` steps.
    snapshots: Vec<World<P>>,
    /// Steps between snapshots: [`SNAPSHOT_EVERY`], doubled each time the
    /// snapshots are thinned.
    every: u64,
    /// `records[i]` describes step `i + 1`.
    records: Vec<StepRecord<P::Note>>,
    /// Inputs by the step they apply at (the input is step `s + 1`), sorted.
    injections: Vec<(u64, Input<P::Command>)>,
    current: World<P>,
}

impl<P: Protocol> Timeline<P> {
    pub fn new(initial: World<P>) -> Timeline<P> {
        Timeline {
            snapshots: vec![initial.clone()],
            every: SNAPSHOT_EVERY,
            records: Vec::new(),
            injections: Vec::new(),
            current: initial,
        }
    }

    /// A timeline that replays `injections` as it moves forward (as from a link).
    /// Inputs beyond [`MAX_STEPS`] are dropped; duplicates of a step keep the first.
    pub fn with_injections(
        initial: World<P>,
        mut injections: Vec<(u64, Input<P::Command>)>,
    ) -> Timeline<P> {
        injections.retain(|(s, _)| *s < MAX_STEPS);
        crate::sort::sort_by_key(&mut injections, |(s, _)| *s);
        injections.dedup_by_key(|(s, _)| *s);
        let mut t = Timeline::new(initial);
        t.injections = injections;
        t
    }

    pub fn world(&self) -> &World<P> {
        &self.current
    }

    pub fn cursor(&self) -> u64 {
        self.current.step
    }

    /// How many steps have been computed (the scrubber's length).
    pub fn horizon(&self) -> u64 {
        self.records.len() as u64
    }

    pub fn records(&self) -> &[StepRecord<P::Note>] {
        &self.records
    }

    pub fn injections(&self) -> &[(u64, Input<P::Command>)] {
        &self.injections
    }

    fn injection_at(&self, step: u64) -> Option<&Input<P::Command>> {
        self.injections
            .binary_search_by_key(&step, |(s, _)| *s)
            .ok()
            .map(|i| &self.injections[i].1)
    }

    /// One step forward: replays a computed step, or computes a new one.
    pub fn forward(&mut self) -> Result<&StepRecord<P::Note>, TimelineError> {
        let s = self.current.step;
        if s >= MAX_STEPS {
            return Err(TimelineError::TraceFull);
        }
        let input = self.injection_at(s).cloned();
        let rec = self
            .current
            .step(input.as_ref())
            .ok_or(TimelineError::Quiescent)?;
        if s == self.records.len() as u64 {
            self.records.push(rec);
        }
        let s = self.current.step;
        if s % self.every == 0 && (s / self.every) as usize == self.snapshots.len() {
            if self.snapshots.len() >= MAX_SNAPSHOTS {
                self.thin_snapshots();
            }
            if s % self.every == 0 && (s / self.every) as usize == self.snapshots.len() {
                self.snapshots.push(self.current.clone());
            }
        }
        Ok(&self.records[(s - 1) as usize])
    }

    /// Steps forward until virtual time would pass `t_us` (or `max_steps` steps).
    /// Returns how many steps were taken.
    pub fn run_until(&mut self, t_us: TimeUs, max_steps: u64) -> Result<u64, TimelineError> {
        let mut n = 0;
        while n < max_steps {
            let next_is_injection = self.injection_at(self.current.step).is_some();
            let next_t = if next_is_injection {
                Some(self.current.now)
            } else {
                self.current.next_live_event_time()
            };
            match next_t {
                Some(t) if t <= t_us => {
                    self.forward()?;
                    n += 1;
                }
                Some(_) => break,
                None => {
                    return if n == 0 {
                        Err(TimelineError::Quiescent)
                    } else {
                        Ok(n)
                    }
                }
            }
        }
        Ok(n)
    }

    /// Keeps every other snapshot and doubles the spacing.
    fn thin_snapshots(&mut self) {
        let mut k = 0;
        self.snapshots.retain(|_| {
            k += 1;
            (k - 1) % 2 == 0
        });
        self.every *= 2;
    }

    /// Steps between snapshots now: the most a seek replays.
    pub fn snapshot_spacing(&self) -> u64 {
        self.every
    }

    /// One step back. Returns false at step 0.
    pub fn back(&mut self) -> bool {
        let s = self.current.step;
        if s == 0 {
            return false;
        }
        self.seek(s - 1);
        true
    }

    /// Moves the cursor to `step`, replaying from the nearest snapshot.
    /// Seeking past the computed horizon computes the missing steps.
    pub fn seek(&mut self, step: u64) {
        let step = step.min(MAX_STEPS);
        let here = self.current.step;
        if step < here || step - here > self.every {
            let k = ((step / self.every) as usize).min(self.snapshots.len() - 1);
            self.current = self.snapshots[k].clone();
        }
        while self.current.step < step {
            if self.forward().is_err() {
                break;
            }
        }
    }

    /// Moves the cursor to the last computed step at or before virtual time `t_us`.
    pub fn seek_time(&mut self, t_us: TimeUs) {
        let idx = self.records.partition_point(|r| r.time_us <= t_us);
        self.seek(idx as u64);
    }

    /// Applies `input` at the cursor: the future after the cursor is
    /// discarded (a branch), and the input becomes the next step.
    pub fn inject(
        &mut self,
        input: Input<P::Command>,
    ) -> Result<&StepRecord<P::Note>, TimelineError> {
        let s = self.current.step;
        if s >= MAX_STEPS {
            return Err(TimelineError::TraceFull);
        }
        self.truncate_future();
        self.injections.push((s, input));
        self.forward()
    }

    /// Forgets everything computed after the cursor, including injections.
    pub fn truncate_future(&mut self) {
        let s = self.current.step;
        self.records.truncate(s as usize);
        self.injections.retain(|(at, _)| *at < s);
        let keep = (s / self.every) as usize + 1;
        self.snapshots.truncate(keep.max(1));
    }

    /// Scrubber marks, (step, marker), for the computed steps after `from`
    /// (0: all of them). A step that broke an invariant is marked as a
    /// violation, whatever else it did.
    pub fn markers_from(&self, from: u64) -> Vec<(u64, Marker)> {
        let w = &self.current;
        let start = (from as usize).min(self.records.len());
        self.records[start..]
            .iter()
            .filter_map(|r| {
                if r.n_violations > 0 {
                    Some((r.step, Marker::Violation))
                } else {
                    w.marker(&r.note).map(|m| (r.step, m))
                }
            })
            .collect()
    }

    /// A fingerprint of the trace up to the cursor's horizon: every step's
    /// time and narration. Equal on every platform for equal inputs.
    pub fn trace_hash(&self) -> u64 {
        let mut h = super::FNV_OFFSET;
        for r in &self.records {
            h = super::fnv1a(h, &r.time_us.to_le_bytes());
            h = super::fnv1a(h, self.current.narrate(&r.note).as_bytes());
            h = super::fnv1a(h, &[r.n_violations]);
        }
        h
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::labs::raft::{Raft, RaftConfig};

    #[test]
    fn snapshots_stay_bounded_and_seeks_stay_exact() {
        let mut t = Timeline::new(World::new(Raft::new(RaftConfig::default()), 3, vec![]));
        let target = SNAPSHOT_EVERY * (MAX_SNAPSHOTS as u64 + 10);
        t.seek(target);
        assert_eq!(t.cursor(), target);
        assert!(
            t.snapshots.len() <= MAX_SNAPSHOTS,
            "{} snapshots",
            t.snapshots.len()
        );
        assert_eq!(t.snapshot_spacing(), 2 * SNAPSHOT_EVERY);
        for (k, w) in t.snapshots.iter().enumerate() {
            assert_eq!(w.step, k as u64 * t.snapshot_spacing());
        }
        // A fresh replay to a step equals a seek back to it.
        let probe = target / 3 + 17;
        t.seek(probe);
        let mut fresh = Timeline::new(World::new(Raft::new(RaftConfig::default()), 3, vec![]));
        fresh.seek(probe);
        assert_eq!(
            format!("{:?}", t.world().nodes),
            format!("{:?}", fresh.world().nodes)
        );
    }
}
