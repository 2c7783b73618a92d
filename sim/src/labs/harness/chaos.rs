//! The chaos runner: a world or a timeline driven for a number of steps,
//! with random faults at a given rate and the lab's own commands mixed in.
//!
//! Each step, with probability `rate`, the runner injects one input drawn
//! by weight among the faults that mean something now ([`draw_fault`])
//! and, if the lab gave a command hook, its commands (a client's
//! submits, reads and writes), so a steady workload keeps the protocol
//! busy while the faults land. Otherwise the world takes its next event.
//! A crash may be followed at once by the node's restart (a bounce, the
//! mix's `bounce` chance). When nothing is left to happen, the runner asks
//! the hook for a command, and ends the run if it has none.
//!
//! The kernel checks every invariant after every step and records what
//! breaks; the runner returns those violations with [`Explored`], counters
//! of what the schedule did (steps, faults by kind, commands, partitions
//! by number of groups), so a property test can say what it covered.

use super::faults::{draw_fault, eligible, FaultKind, FaultMix};
use crate::kernel::{Input, Note, Protocol, SimRng, StepRecord, Timeline, Violation, Who, World};
use std::collections::BTreeMap;
use std::fmt;
use std::ops::Range;

/// Mixed into a test's seed to seed the fault RNG, so it never draws the
/// world's stream.
pub const FAULT_SEED_SALT: u64 = 0x5eed;

/// A lab's commands, drawn by the runner as one more kind of input: given
/// the fault RNG and the world, a command to inject, or `None` (no client
/// is free).
pub type CommandHook<'h, P> =
    Box<dyn FnMut(&mut SimRng, &World<P>) -> Option<Input<<P as Protocol>::Command>> + 'h>;

/// What a chaos run shows a test after each step: the world and the step's record.
pub type Observer<'o, P> = dyn FnMut(&World<P>, &StepRecord<<P as Protocol>::Note>) + 'o;

/// What a chaos run explored.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Explored {
    /// Steps taken (events and injected inputs).
    pub steps: u64,
    /// Faults injected, by kind (a bounce's restart counts as a restart).
    pub faults: BTreeMap<FaultKind, u64>,
    /// Lab commands injected.
    pub commands: u64,
    /// Crashes followed at once by a restart.
    pub bounces: u64,
    /// Injected inputs the kernel skipped (a command to a paused node...).
    pub skipped: u64,
    /// Partitions and isolations, by the number of groups the network was
    /// in right after.
    pub splits_by_groups: BTreeMap<usize, u64>,
    /// Runs that ended before their step budget: nothing was left to
    /// happen and no command could start, or the timeline was full.
    pub ended_early: u64,
}

impl Explored {
    pub fn count(&self, kind: FaultKind) -> u64 {
        self.faults.get(&kind).copied().unwrap_or(0)
    }
    pub fn n_faults(&self) -> u64 {
        self.faults.values().sum()
    }
    /// The most groups any split left the network in.
    pub fn groups_max(&self) -> usize {
        self.splits_by_groups
            .keys()
            .next_back()
            .copied()
            .unwrap_or(1)
    }
    /// Adds another run's counts to these.
    pub fn merge(&mut self, o: &Explored) {
        self.steps += o.steps;
        for (k, n) in &o.faults {
            *self.faults.entry(*k).or_default() += n;
        }
        self.commands += o.commands;
        self.bounces += o.bounces;
        self.skipped += o.skipped;
        for (g, n) in &o.splits_by_groups {
            *self.splits_by_groups.entry(*g).or_default() += n;
        }
        self.ended_early += o.ended_early;
    }
}

impl fmt::Display for Explored {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kinds: Vec<String> = self
            .faults
            .iter()
            .map(|(k, n)| format!("{k} {n}"))
            .collect();
        let splits: Vec<String> = self
            .splits_by_groups
            .iter()
            .map(|(g, n)| format!("{g}:{n}"))
            .collect();
        write!(
            f,
            "{} steps, {} faults ({}), {} commands, {} bounces, {} skipped, splits by groups [{}], {} ended early",
            self.steps,
            self.n_faults(),
            kinds.join(", "),
            self.commands,
            self.bounces,
            self.skipped,
            splits.join(" "),
            self.ended_early
        )
    }
}

/// The outcome of a chaos run: what broke, and what was explored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Report {
    /// The violations recorded during the run, in step order.
    pub violations: Vec<Violation>,
    pub explored: Explored,
}

impl Report {
    /// Whether `invariant` broke in the run.
    pub fn broke(&self, invariant: &str) -> bool {
        self.violations.iter().any(|v| v.invariant == invariant)
    }
}

/// Something the runner can step: a bare world (fast) or a timeline
/// (whose injections then replay the run as a link would).
trait Drive<P: Protocol> {
    fn world(&self) -> &World<P>;
    fn step_with(&mut self, input: Option<Input<P::Command>>) -> Option<StepRecord<P::Note>>;
}

impl<P: Protocol> Drive<P> for World<P> {
    fn world(&self) -> &World<P> {
        self
    }
    fn step_with(&mut self, input: Option<Input<P::Command>>) -> Option<StepRecord<P::Note>> {
        self.step(input.as_ref())
    }
}

impl<P: Protocol> Drive<P> for Timeline<P> {
    fn world(&self) -> &World<P> {
        Timeline::world(self)
    }
    fn step_with(&mut self, input: Option<Input<P::Command>>) -> Option<StepRecord<P::Note>> {
        match input {
            Some(i) => self.inject(i).ok().cloned(),
            None => self.forward().ok().cloned(),
        }
    }
}

/// Where an input came from, for the counters.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Source {
    Fault(FaultKind),
    Bounce,
    Command,
}

/// The chaos runner: a fault mix, a rate, the fault RNG, and the lab's
/// command hook.
pub struct Chaos<'h, P: Protocol> {
    mix: FaultMix,
    rate: f64,
    rng: SimRng,
    commands: Option<(u32, CommandHook<'h, P>)>,
    /// A node that crashed in a bounce, restarted next step.
    bounce: Option<Who>,
}

impl<'h, P: Protocol> Chaos<'h, P> {
    /// A runner injecting, at each step with chance `rate`, one fault of
    /// `mix`, its RNG seeded from `seed` (salted with [`FAULT_SEED_SALT`]).
    pub fn new(mix: FaultMix, seed: u64, rate: f64) -> Chaos<'h, P> {
        let rate = if rate.is_finite() {
            rate.clamp(0.0, 1.0)
        } else {
            0.0
        };
        Chaos {
            mix: mix.clamped(),
            rate,
            rng: SimRng::new(seed ^ FAULT_SEED_SALT),
            commands: None,
            bounce: None,
        }
    }

    /// Mixes the lab's commands in: drawn with `weight` against the
    /// mix's fault weights, and asked for when the world falls idle.
    pub fn with_commands(
        mut self,
        weight: u32,
        hook: impl FnMut(&mut SimRng, &World<P>) -> Option<Input<P::Command>> + 'h,
    ) -> Chaos<'h, P> {
        self.commands = Some((weight, Box::new(hook)));
        self
    }

    pub fn mix(&self) -> &FaultMix {
        &self.mix
    }

    /// The input for the next step of `w`, if any, and where it came from.
    fn next(&mut self, w: &World<P>) -> Option<(Input<P::Command>, Source)> {
        if let Some(who) = self.bounce.take() {
            return Some((Input::Restart(who), Source::Bounce));
        }
        if !self.rng.chance(self.rate) {
            return None;
        }
        let command_weight = self.commands.as_ref().map_or(0, |(wt, _)| *wt as u64);
        if command_weight > 0 {
            let faults: u64 = eligible(&self.mix, w)
                .iter()
                .map(|(_, wt)| *wt as u64)
                .sum();
            if self.rng.range_u64(0, faults + command_weight - 1) >= faults {
                return self.command(w).map(|i| (i, Source::Command));
            }
        }
        let fault = draw_fault(&self.mix, &mut self.rng, w)?;
        if let Input::Crash(who) = &fault.input {
            if self.rng.chance(self.mix.bounce) {
                self.bounce = Some(*who);
            }
        }
        Some((fault.input, Source::Fault(fault.kind)))
    }

    fn command(&mut self, w: &World<P>) -> Option<Input<P::Command>> {
        let (_, hook) = self.commands.as_mut()?;
        hook(&mut self.rng, w)
    }

    /// The input for the next step of `w`: a bounce's restart, or with
    /// chance `rate` a fault or a command. For tests that step by hand.
    pub fn next_input(&mut self, w: &World<P>) -> Option<Input<P::Command>> {
        self.next(w).map(|(i, _)| i)
    }

    /// Runs `w` for up to `steps` steps.
    pub fn run(&mut self, w: &mut World<P>, steps: u64) -> Report {
        self.drive(w, steps, &mut |_, _| {})
    }

    /// [`Chaos::run`], calling `observe` with the world after every step.
    pub fn run_observed(
        &mut self,
        w: &mut World<P>,
        steps: u64,
        mut observe: impl FnMut(&World<P>, &StepRecord<P::Note>),
    ) -> Report {
        self.drive(w, steps, &mut observe)
    }

    /// Runs a timeline for up to `steps` steps from its cursor: every input
    /// becomes one of its injections, so the run replays from them.
    pub fn run_timeline(&mut self, t: &mut Timeline<P>, steps: u64) -> Report {
        self.drive(t, steps, &mut |_, _| {})
    }

    fn drive<D: Drive<P>>(
        &mut self,
        d: &mut D,
        steps: u64,
        observe: &mut Observer<'_, P>,
    ) -> Report {
        let first_violation = d.world().violations.len();
        let mut ex = Explored::default();
        for _ in 0..steps {
            let mut chosen = self.next(d.world());
            let mut rec = d.step_with(chosen.as_ref().map(|(i, _)| i.clone()));
            if rec.is_none() && chosen.is_none() {
                // Nothing is left to happen: a command may start something.
                chosen = self.command(d.world()).map(|i| (i, Source::Command));
                if let Some((input, _)) = &chosen {
                    rec = d.step_with(Some(input.clone()));
                }
            }
            let Some(rec) = rec else {
                ex.ended_early += 1;
                break;
            };
            ex.steps += 1;
            if let Some((input, source)) = &chosen {
                match source {
                    Source::Command => ex.commands += 1,
                    Source::Bounce => {
                        ex.bounces += 1;
                        *ex.faults.entry(FaultKind::Restart).or_default() += 1;
                    }
                    Source::Fault(kind) => *ex.faults.entry(*kind).or_default() += 1,
                }
                if matches!(rec.note, Note::Skipped(_)) {
                    ex.skipped += 1;
                }
                if matches!(input, Input::Partition(_) | Input::Isolate(_))
                    && matches!(rec.note, Note::Partitioned(_))
                {
                    *ex.splits_by_groups
                        .entry(d.world().net.groups().len())
                        .or_default() += 1;
                }
            }
            observe(d.world(), &rec);
        }
        Report {
            violations: d.world().violations[first_violation..].to_vec(),
            explored: ex,
        }
    }
}

/// A search of seeds for a schedule that finds something.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hunt {
    pub tried: u64,
    /// The seeds that found it, in order.
    pub found: Vec<u64>,
}

impl Hunt {
    pub fn first(&self) -> Option<u64> {
        self.found.first().copied()
    }
}

impl fmt::Display for Hunt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.first() {
            None => write!(f, "found in none of {} seeds", self.tried),
            Some(s) => write!(
                f,
                "found in {} of {} seeds (first: seed {s})",
                self.found.len(),
                self.tried
            ),
        }
    }
}

/// Tries the seeds of `seeds` in order with `finds`, up to the first that
/// finds, or through all of them when `exhaustive` (to measure how often).
pub fn hunt(seeds: Range<u64>, exhaustive: bool, mut finds: impl FnMut(u64) -> bool) -> Hunt {
    let mut h = Hunt {
        tried: 0,
        found: Vec::new(),
    };
    for seed in seeds {
        h.tried += 1;
        if finds(seed) {
            h.found.push(seed);
            if !exhaustive {
                break;
            }
        }
    }
    h
}
