//! One random kernel fault, for any protocol.
//!
//! [`draw_fault`] looks at the world as it is and draws, by the weights of
//! a [`FaultMix`], one fault among those that would mean something now: a
//! crash names a node that is up, a restart one that is down, a heal needs
//! a split network, a drop or a duplicate names a message in flight (any
//! of them, not only the oldest). Kinds that mean nothing now are left out
//! of the draw rather than drawn and wasted, so a schedule's faults are
//! faults. Duplicates are drawn only where the world's network already
//! duplicates messages (its [`NetConfig`](crate::kernel::NetConfig) has a
//! duplicate probability above zero): a lab that never duplicates is not
//! built to tolerate it.
//!
//! Which nodes: node faults (crash, restart, isolate, slow, pause, clocks)
//! name only the mix's targets, and never a node
//! [`Protocol::is_faultable`] protects. Network faults (partitions, cuts,
//! link latency) are drawn over every faultable node; a protected node is
//! never named in a partition, so it stays in the group of unnamed nodes.
//! A partition splits the faultable nodes into 2 to
//! [`FaultMix::groups_max`] groups at random, not just two.
//!
//! Every value is bounded by the mix, and the mix by the kernel's bounds
//! (slow factor ≤ 20, latency ≤ [`LATENCY_US_MAX`], pause ≤
//! [`PAUSE_US_MAX`], clock offset ≤ [`OFFSET_US_MAX`], drift ≤
//! [`DRIFT_PPM_MAX`]). Slow, link latency and clock faults sometimes put
//! things back to normal (factor 1, the configured latency, true time),
//! so a schedule both degrades and repairs.

use crate::kernel::clock::{DRIFT_PPM_MAX, OFFSET_US_MAX};
use crate::kernel::net::LATENCY_US_MAX;
use crate::kernel::world::PAUSE_US_MAX;
use crate::kernel::{Input, NodeId, Protocol, SimRng, TimeUs, Who, World};
use std::fmt;

/// A kind of kernel fault, in the order of [`FaultKind::ALL`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum FaultKind {
    Crash,
    Restart,
    Partition,
    Isolate,
    Heal,
    Cut,
    Drop,
    Duplicate,
    Slow,
    LinkLatency,
    Pause,
    ClockOffset,
    ClockDrift,
}

impl FaultKind {
    pub const COUNT: usize = 13;
    pub const ALL: [FaultKind; FaultKind::COUNT] = [
        FaultKind::Crash,
        FaultKind::Restart,
        FaultKind::Partition,
        FaultKind::Isolate,
        FaultKind::Heal,
        FaultKind::Cut,
        FaultKind::Drop,
        FaultKind::Duplicate,
        FaultKind::Slow,
        FaultKind::LinkLatency,
        FaultKind::Pause,
        FaultKind::ClockOffset,
        FaultKind::ClockDrift,
    ];
    /// The kinds that move clocks, which labs without clocks leave out.
    pub const CLOCKS: [FaultKind; 2] = [FaultKind::ClockOffset, FaultKind::ClockDrift];

    pub const fn index(self) -> usize {
        self as usize
    }

    /// The head of the kind's link form (`crash`, `part`, `dup`...).
    pub const fn name(self) -> &'static str {
        match self {
            FaultKind::Crash => "crash",
            FaultKind::Restart => "restart",
            FaultKind::Partition => "part",
            FaultKind::Isolate => "iso",
            FaultKind::Heal => "heal",
            FaultKind::Cut => "cut",
            FaultKind::Drop => "drop",
            FaultKind::Duplicate => "dup",
            FaultKind::Slow => "slow",
            FaultKind::LinkLatency => "lat",
            FaultKind::Pause => "pause",
            FaultKind::ClockOffset => "clock",
            FaultKind::ClockDrift => "drift",
        }
    }

    /// The kind of a fault input; `None` for a lab command.
    pub fn of<C>(input: &Input<C>) -> Option<FaultKind> {
        Some(match input {
            Input::Crash(_) => FaultKind::Crash,
            Input::Restart(_) => FaultKind::Restart,
            Input::Isolate(_) => FaultKind::Isolate,
            Input::Partition(_) => FaultKind::Partition,
            Input::Heal => FaultKind::Heal,
            Input::Cut(..) => FaultKind::Cut,
            Input::Drop(_) => FaultKind::Drop,
            Input::Duplicate(_) => FaultKind::Duplicate,
            Input::Slow(..) => FaultKind::Slow,
            Input::LinkLatency(..) => FaultKind::LinkLatency,
            Input::ClockOffset(..) => FaultKind::ClockOffset,
            Input::ClockDrift(..) => FaultKind::ClockDrift,
            Input::Pause(..) => FaultKind::Pause,
            Input::Command(..) => return None,
        })
    }
}

impl fmt::Display for FaultKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The most groups a random partition makes.
pub const GROUPS_MAX: usize = 8;
/// The most a link's latency is multiplied by.
pub const LATENCY_FACTOR_MAX: u64 = 100;

/// Which faults a lab's schedules draw, how often, and how hard.
#[derive(Clone, Debug, PartialEq)]
pub struct FaultMix {
    /// Relative weight of each kind, by [`FaultKind::index`]; 0 leaves the
    /// kind out.
    pub weights: [u32; FaultKind::COUNT],
    /// The nodes node faults may name; `None`: every node the protocol
    /// lets be faulted. Network faults ignore it (see the module notes).
    pub targets: Option<Vec<NodeId>>,
    /// Chance that a node fault names the current leader
    /// ([`Protocol::leader`]) when it is a candidate: leaders are where
    /// protocols keep their hardest state.
    pub leader_bias: f64,
    /// Chance that a crash is followed at once by the same node's restart:
    /// a process that dies and comes back before anyone notices.
    pub bounce: f64,
    /// Most groups of a partition, 2 to [`GROUPS_MAX`].
    pub groups_max: usize,
    /// Largest slow factor, 2 to 20.
    pub slow_max: u8,
    /// Largest factor a link's latency is multiplied by, 2 to [`LATENCY_FACTOR_MAX`].
    pub latency_factor_max: u64,
    /// Longest pause (µs), 1 to [`PAUSE_US_MAX`].
    pub pause_us_max: TimeUs,
    /// Largest clock step away from true time (µs), 1 to [`OFFSET_US_MAX`].
    pub offset_us_max: i64,
    /// Largest drift (ppm), 1 to [`DRIFT_PPM_MAX`].
    pub drift_ppm_max: i32,
}

impl Default for FaultMix {
    /// Every kind but the clock faults, with weight 1 each.
    fn default() -> FaultMix {
        let mut weights = [1; FaultKind::COUNT];
        for k in FaultKind::CLOCKS {
            weights[k.index()] = 0;
        }
        FaultMix {
            weights,
            targets: None,
            leader_bias: 0.0,
            bounce: 0.0,
            groups_max: 4,
            slow_max: 10,
            latency_factor_max: 10,
            pause_us_max: 200_000,
            offset_us_max: 500_000,
            drift_ppm_max: 50_000,
        }
    }
}

impl FaultMix {
    /// No fault at all (a base to add kinds to).
    pub fn none() -> FaultMix {
        FaultMix {
            weights: [0; FaultKind::COUNT],
            ..FaultMix::default()
        }
    }
    pub fn with(mut self, kind: FaultKind, weight: u32) -> FaultMix {
        self.weights[kind.index()] = weight;
        self
    }
    pub fn without(self, kind: FaultKind) -> FaultMix {
        self.with(kind, 0)
    }
    /// Adds clock steps and drift, weight 1 each.
    pub fn with_clocks(self) -> FaultMix {
        self.with(FaultKind::ClockOffset, 1)
            .with(FaultKind::ClockDrift, 1)
    }
    pub fn weight(&self, kind: FaultKind) -> u32 {
        self.weights[kind.index()]
    }
    pub fn targets(mut self, nodes: impl IntoIterator<Item = NodeId>) -> FaultMix {
        self.targets = Some(nodes.into_iter().collect());
        self
    }
    /// The mix with every bound forced into its range.
    pub fn clamped(mut self) -> FaultMix {
        let unit = |p: f64| {
            if p.is_finite() {
                p.clamp(0.0, 1.0)
            } else {
                0.0
            }
        };
        self.leader_bias = unit(self.leader_bias);
        self.bounce = unit(self.bounce);
        self.groups_max = self.groups_max.clamp(2, GROUPS_MAX);
        self.slow_max = self.slow_max.clamp(2, 20);
        self.latency_factor_max = self.latency_factor_max.clamp(2, LATENCY_FACTOR_MAX);
        self.pause_us_max = self.pause_us_max.clamp(1, PAUSE_US_MAX);
        self.offset_us_max = self.offset_us_max.clamp(1, OFFSET_US_MAX);
        self.drift_ppm_max = self.drift_ppm_max.clamp(1, DRIFT_PPM_MAX);
        self
    }
}

/// A drawn fault: its kind and the input that injects it.
#[derive(Clone, Debug, PartialEq)]
pub struct Fault<C> {
    pub kind: FaultKind,
    pub input: Input<C>,
}

/// The nodes a draw may name, from the world as it is.
struct Cast {
    /// Every node the protocol lets be faulted, in node order.
    faultable: Vec<NodeId>,
    /// The mix's targets among them.
    targets: Vec<NodeId>,
    leader: Option<NodeId>,
}

impl Cast {
    fn of<P: Protocol>(mix: &FaultMix, w: &World<P>) -> Cast {
        let faultable: Vec<NodeId> = (0..w.nodes.len())
            .map(|i| NodeId(i as u8))
            .filter(|n| w.proto.is_faultable(*n))
            .collect();
        let targets = match &mix.targets {
            None => faultable.clone(),
            Some(only) => faultable
                .iter()
                .copied()
                .filter(|n| only.contains(n))
                .collect(),
        };
        Cast {
            faultable,
            targets,
            leader: w.proto.leader(&w.nodes, &w.net),
        }
    }
}

/// Whether `kind` would mean something in `w` now.
fn meaningful<P: Protocol>(kind: FaultKind, cast: &Cast, w: &World<P>) -> bool {
    let any_up = cast.targets.iter().any(|n| w.is_up(*n));
    match kind {
        FaultKind::Crash | FaultKind::Pause => any_up,
        FaultKind::Restart => cast.targets.iter().any(|n| !w.is_up(*n)),
        FaultKind::Partition | FaultKind::Cut | FaultKind::LinkLatency => cast.faultable.len() >= 2,
        FaultKind::Isolate => !cast.targets.is_empty() && w.nodes.len() >= 2,
        FaultKind::Heal => w.net.is_partitioned(),
        FaultKind::Drop => !w.in_flight.is_empty(),
        FaultKind::Duplicate => !w.in_flight.is_empty() && w.net.config.duplicate > 0.0,
        FaultKind::Slow | FaultKind::ClockOffset | FaultKind::ClockDrift => {
            !cast.targets.is_empty()
        }
    }
}

/// The kinds `mix` allows that mean something in `w` now, with their weights.
pub fn eligible<P: Protocol>(mix: &FaultMix, w: &World<P>) -> Vec<(FaultKind, u32)> {
    let cast = Cast::of(mix, w);
    FaultKind::ALL
        .iter()
        .map(|k| (*k, mix.weight(*k)))
        .filter(|(k, wt)| *wt > 0 && meaningful(*k, &cast, w))
        .collect()
}

/// One fault `mix` allows, drawn from `rng` among those that mean
/// something in `w` now; `None` if none does.
pub fn draw_fault<P: Protocol>(
    mix: &FaultMix,
    rng: &mut SimRng,
    w: &World<P>,
) -> Option<Fault<P::Command>> {
    let kinds = eligible(mix, w);
    let total: u64 = kinds.iter().map(|(_, wt)| *wt as u64).sum();
    if total == 0 {
        return None;
    }
    let mut ticket = rng.range_u64(0, total - 1);
    for (kind, wt) in kinds {
        if ticket < wt as u64 {
            return Some(Fault {
                kind,
                input: build(kind, &mix.clone().clamped(), rng, w),
            });
        }
        ticket -= wt as u64;
    }
    unreachable!("the ticket is below the total weight")
}

/// One of `nodes`, uniformly (`nodes` is not empty).
fn one(rng: &mut SimRng, nodes: &[NodeId]) -> NodeId {
    nodes[rng.range_u64(0, nodes.len() as u64 - 1) as usize]
}

/// One of `nodes`, the leader with chance `bias` when it is among them.
fn aim(rng: &mut SimRng, nodes: &[NodeId], leader: Option<NodeId>, bias: f64) -> NodeId {
    match leader {
        Some(l) if nodes.contains(&l) && rng.chance(bias) => l,
        _ => one(rng, nodes),
    }
}

/// Two different nodes of `nodes` (at least two), in a random order.
fn link(rng: &mut SimRng, nodes: &[NodeId]) -> (NodeId, NodeId) {
    let n = nodes.len() as u64;
    let a = rng.range_u64(0, n - 1);
    let b = (a + 1 + rng.range_u64(0, n - 2)) % n;
    (nodes[a as usize], nodes[b as usize])
}

/// A value of magnitude 1 to `max`, either sign; 0 (back to normal) with chance 1/4.
fn signed(rng: &mut SimRng, max: u64) -> i64 {
    if rng.range_u64(0, 3) == 0 {
        return 0;
    }
    let v = rng.range_u64(1, max) as i64;
    if rng.chance(0.5) {
        -v
    } else {
        v
    }
}

/// A message in flight, any of them (there is at least one).
fn any_message<P: Protocol>(rng: &mut SimRng, w: &World<P>) -> u64 {
    let k = rng.range_u64(0, w.in_flight.len() as u64 - 1) as usize;
    *w.in_flight
        .keys()
        .nth(k)
        .expect("k is below the number of messages")
}

/// The input for `kind`, which is meaningful in `w` (see [`meaningful`]).
fn build<P: Protocol>(
    kind: FaultKind,
    mix: &FaultMix,
    rng: &mut SimRng,
    w: &World<P>,
) -> Input<P::Command> {
    let cast = Cast::of(mix, w);
    let up: Vec<NodeId> = cast
        .targets
        .iter()
        .copied()
        .filter(|n| w.is_up(*n))
        .collect();
    let bias = mix.leader_bias;
    match kind {
        FaultKind::Crash => Input::Crash(Who::Id(aim(rng, &up, cast.leader, bias))),
        FaultKind::Pause => Input::Pause(
            Who::Id(aim(rng, &up, cast.leader, bias)),
            rng.range_u64(1_000.min(mix.pause_us_max), mix.pause_us_max),
        ),
        FaultKind::Restart => {
            let down: Vec<NodeId> = cast
                .targets
                .iter()
                .copied()
                .filter(|n| !w.is_up(*n))
                .collect();
            Input::Restart(Who::Id(one(rng, &down)))
        }
        FaultKind::Isolate => Input::Isolate(Who::Id(aim(rng, &cast.targets, cast.leader, bias))),
        FaultKind::Slow => {
            let node = aim(rng, &cast.targets, cast.leader, bias);
            let factor = if rng.range_u64(0, 2) == 0 {
                1
            } else {
                rng.range_u64(2, mix.slow_max as u64) as u8
            };
            Input::Slow(Who::Id(node), factor)
        }
        FaultKind::Partition => Input::Partition(partition(rng, &cast.faultable, mix.groups_max)),
        FaultKind::Heal => Input::Heal,
        FaultKind::Cut => {
            let (a, b) = link(rng, &cast.faultable);
            Input::Cut(a, b)
        }
        FaultKind::LinkLatency => {
            let (a, b) = link(rng, &cast.faultable);
            let (lo, hi) = (w.net.config.latency_us_min, w.net.config.latency_us_max);
            if rng.range_u64(0, 2) == 0 {
                return Input::LinkLatency(a, b, lo, hi);
            }
            let f = rng.range_u64(2, mix.latency_factor_max);
            // A link of the configured range scaled up; a lab with
            // instantaneous links still gets a millisecond to scale.
            let hi = (hi.max(1_000) * f).min(LATENCY_US_MAX);
            Input::LinkLatency(a, b, (lo * f).min(hi), hi)
        }
        FaultKind::Drop => Input::Drop(any_message(rng, w)),
        FaultKind::Duplicate => Input::Duplicate(any_message(rng, w)),
        FaultKind::ClockOffset => {
            let node = aim(rng, &cast.targets, cast.leader, bias);
            Input::ClockOffset(Who::Id(node), signed(rng, mix.offset_us_max as u64))
        }
        FaultKind::ClockDrift => {
            let node = aim(rng, &cast.targets, cast.leader, bias);
            Input::ClockDrift(Who::Id(node), signed(rng, mix.drift_ppm_max as u64) as i32)
        }
    }
}

/// A random split of `nodes` (at least two) into 2 to `groups_max`
/// groups, each node in a group drawn uniformly, at least two groups not
/// empty. The first group is left unnamed, so its nodes join the nodes the
/// input does not name (those that cannot be faulted).
fn partition(rng: &mut SimRng, nodes: &[NodeId], groups_max: usize) -> Vec<Vec<NodeId>> {
    let k = rng.range_u64(2, groups_max.min(nodes.len()).max(2) as u64);
    let mut group: Vec<u64> = nodes.iter().map(|_| rng.range_u64(0, k - 1)).collect();
    if group.iter().all(|g| *g == group[0]) {
        let i = rng.range_u64(0, nodes.len() as u64 - 1) as usize;
        group[i] = (group[i] + 1 + rng.range_u64(0, k - 2)) % k;
    }
    (1..k)
        .map(|g| {
            nodes
                .iter()
                .zip(&group)
                .filter(|(_, x)| **x == g)
                .map(|(n, _)| *n)
                .collect::<Vec<NodeId>>()
        })
        .filter(|g| !g.is_empty())
        .collect()
}

/// The inputs that undo every fault [`draw_fault`] makes, except a pause,
/// which can only be waited out ([`pauses_end_us`]): heal partitions and
/// cuts, restart every down node, every node at normal speed, every
/// changed link back to the configured latency, every clock back to its
/// initial offset and drift. Only faultable nodes are named.
pub fn calm<P: Protocol>(w: &World<P>) -> Vec<Input<P::Command>> {
    let mut out = Vec::new();
    if w.net.is_partitioned() {
        out.push(Input::Heal);
    }
    let (lo, hi) = (w.net.config.latency_us_min, w.net.config.latency_us_max);
    for (&(a, b), &range) in &w.net.link_latency {
        if range != (lo, hi) {
            out.push(Input::LinkLatency(a, b, lo, hi));
        }
    }
    for i in 0..w.nodes.len() {
        let id = NodeId(i as u8);
        if !w.proto.is_faultable(id) {
            continue;
        }
        if !w.is_up(id) {
            out.push(Input::Restart(Who::Id(id)));
        }
        if w.net.slow[i] != 1 {
            out.push(Input::Slow(Who::Id(id), 1));
        }
        let spec = w.proto.initial_clock(id).clamped();
        if w.clocks[i].drift_ppm() != spec.drift_ppm {
            out.push(Input::ClockDrift(Who::Id(id), spec.drift_ppm));
        }
        // A drift change keeps the reading continuous, so the offset is
        // still what it is now.
        if w.clocks[i].offset_us(w.now) != spec.offset_us {
            out.push(Input::ClockOffset(Who::Id(id), spec.offset_us));
        }
    }
    out
}

/// When the last pause of `w` ends, if a node is paused.
pub fn pauses_end_us<P: Protocol>(w: &World<P>) -> Option<TimeUs> {
    w.paused.iter().flatten().map(|p| p.until_us).max()
}
