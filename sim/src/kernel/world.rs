//! A world: the nodes of one lab, the network between them, their timers,
//! and one queue of future events ordered by (virtual time, sequence
//! number).
//!
//! A lab implements [`Protocol`]: pure handlers that change one node's
//! state and return effects (send or broadcast, set or cancel a timer,
//! write to stable storage) through a [`Ctx`]. The world applies the effects, draws every random number from
//! the run's one RNG, and checks the lab's invariants after every step.
//! Nothing here panics on a lab's behalf: a broken invariant is recorded
//! as a [`Violation`], with the step where it happened.
//!
//! **Clocks.** `now` is true virtual time, the kernel's. Each node also
//! has a [`Clock`] (offset and drift, supplied by
//! [`Protocol::initial_clock`] and moved by clock faults) that handlers
//! read through [`Ctx::local_now_us`]. A timer set with
//! [`Ctx::set_timer`] is a duration on the node's oscillator: with drift
//! `ρ` ppm, a timer of local duration `d` fires after `d / (1 + ρ/10⁶)` of
//! true time (rounded up to the first microsecond at which the oscillator
//! has advanced `d`), and it is re-timed if the drift changes while it
//! waits. A clock step does not move timers. With no drift, a timer of
//! `d` fires at exactly `now + d`, as it always has.
//!
//! **Pauses.** A paused node ([`Input::Pause`], a garbage collector's
//! stop-the-world pause) stays up and keeps all its state, but takes no
//! steps. The network still delivers to it: each message that reaches it
//! and each of its timers that comes due makes a step saying it waits
//! (the message sits in the node's receive buffer). At the end of the pause,
//! the resume is a step of its own, and then the node handles everything
//! that waited, at the resume time, in true arrival and deadline order,
//! before any other event: a timer it resets while catching up does not
//! fire. Its clock and its disk keep running; messages it had already
//! sent leave on time. Commands to a paused node are refused; a second
//! pause lasts until the later of the two ends (whatever the node had not
//! yet caught up on waits again, first); a crash ends the pause and loses
//! what waited; a down node cannot pause.
//!
//! **Persistence.** A handler that must not answer before its state is on
//! stable storage starts a write ([`Ctx::persist`]) and marks its answers
//! durable ([`Ctx::send_durable`]); the world holds those answers at the
//! sender until the write completes, and they die with the node if it
//! crashes first. Writes either overlap or queue ([`DiskModel`]). The
//! model does not lose state on a crash in the middle of a write: state is
//! safe the moment a handler changes it, and [`Protocol::on_crash`] alone
//! decides what survives. A write is a latency on the answers it guards,
//! which is what a lab about fsync needs to show.

use super::clock::{fmt_offset, Clock, ClockSpec};
use super::input::{Input, Who};
use super::net::{DropReason, NetConfig, Network, NodeId};
use super::rng::SimRng;
use super::time::TimeUs;
use std::cmp::Ordering;
use std::collections::{BTreeMap, BinaryHeap, VecDeque};
use std::fmt::Debug;
use std::rc::Rc;

/// A named safety property, listed in the UI with pass or fail.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct InvariantInfo {
    pub name: &'static str,
    /// One sentence: what must always hold.
    pub statement: &'static str,
}

/// One broken invariant, as a protocol's checker reports it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Breach {
    pub invariant: &'static str,
    pub explanation: String,
}

/// A breach with the step and time where it happened.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Violation {
    pub step: u64,
    pub time_us: TimeUs,
    pub invariant: &'static str,
    pub explanation: String,
}

/// What a handler asks the world to do.
#[derive(Clone, Debug, PartialEq)]
pub enum Effect<M, T> {
    /// `delay_us`: how long the message waits at the sender before it
    /// leaves. `durable`: it also waits until the writes it depends on are
    /// on stable storage (which writes, [`DiskModel`] says), because it
    /// reports state that must survive a crash, like a vote.
    Send {
        to: NodeId,
        msg: M,
        delay_us: TimeUs,
        durable: bool,
    },
    /// A timer of `after_us` on the node's own clock (see [`Clock`]): it
    /// fires once the node's oscillator has advanced that much.
    SetTimer {
        timer: T,
        after_us: TimeUs,
    },
    /// A timer that fires at true virtual time `at_us` (at once if that has
    /// passed), whatever the node's clock says: for what happens outside
    /// the node, such as a workload's next arrival.
    SetTimerAt {
        timer: T,
        at_us: TimeUs,
    },
    CancelTimer {
        timer: T,
    },
    /// Starts a write to stable storage that completes `write_us` later
    /// (at most [`WRITE_US_MAX`]). Its completion is not a step: it shows
    /// as the durable messages it held leaving.
    Persist {
        write_us: TimeUs,
    },
}

/// How a node's writes to stable storage overlap, and so how long a
/// durable send waits.
///
/// Either way the model treats a node's state as safe the moment a
/// handler changes it: what survives a crash is the protocol's
/// [`Protocol::on_crash`] decision. A write's delay is the latency its
/// answers pay, and those answers die with the node if it crashes first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum DiskModel {
    /// Every write completes its own delay after it starts, whatever else
    /// is being written (fsyncs that overlap, as on a device with a deep
    /// queue). A durable send waits for the writes its own handler
    /// started and for nothing else; with none, it leaves at once. Raft's
    /// lab uses this model.
    #[default]
    Parallel,
    /// One write at a time, in order: a write starts when the node's
    /// previous one completes (a single log device). A durable send waits
    /// for the node's last write, hence for every write before it.
    Queue,
}

/// The longest one write to stable storage may take; longer ones are clamped.
pub const WRITE_US_MAX: TimeUs = 10_000_000;

/// The handle a handler gets: who it is, what time it is, the run's RNG,
/// and a list to put effects in.
pub struct Ctx<'a, M, T> {
    pub now: TimeUs,
    pub me: NodeId,
    /// How many nodes the world has: [`Ctx::broadcast`] sends to the others.
    pub n_nodes: usize,
    pub rng: &'a mut SimRng,
    pub effects: Vec<Effect<M, T>>,
    /// The node's own clock; `now` stays true time, for the kernel.
    pub clock: Clock,
}

impl<'a, M, T> Ctx<'a, M, T> {
    /// A context for a unit test of one handler. It knows of no other node
    /// until [`Ctx::with_n_nodes`], so a broadcast from it sends nothing.
    pub fn new(now: TimeUs, me: NodeId, rng: &'a mut SimRng) -> Self {
        Ctx {
            now,
            me,
            n_nodes: 0,
            rng,
            effects: Vec::new(),
            clock: Clock::PERFECT,
        }
    }
    pub fn with_clock(mut self, clock: Clock) -> Self {
        self.clock = clock;
        self
    }
    /// What this node's clock reads now: its belief about the time, with
    /// its offset and drift.
    pub fn local_now_us(&self) -> i64 {
        self.clock.read_us(self.now)
    }
    /// This node's monotonic clock now: drift moves it, clock steps do not.
    /// Measure local durations (a lease held, a heartbeat's age) with it.
    pub fn monotonic_now_us(&self) -> i64 {
        self.clock.monotonic_us(self.now)
    }
    pub fn with_n_nodes(mut self, n_nodes: usize) -> Self {
        self.n_nodes = n_nodes;
        self
    }
    pub fn send(&mut self, to: NodeId, msg: M) {
        self.effects.push(Effect::Send {
            to,
            msg,
            delay_us: 0,
            durable: false,
        });
    }
    /// Sends `msg` once `delay_us` has passed at this node.
    pub fn send_after(&mut self, to: NodeId, msg: M, delay_us: TimeUs) {
        self.effects.push(Effect::Send {
            to,
            msg,
            delay_us,
            durable: false,
        });
    }
    /// Sends `msg` once the writes it depends on are durable (see
    /// [`DiskModel`]); at once if there are none.
    pub fn send_durable(&mut self, to: NodeId, msg: M) {
        self.effects.push(Effect::Send {
            to,
            msg,
            delay_us: 0,
            durable: true,
        });
    }
    /// Starts a write to stable storage that takes `write_us`. Durable
    /// sends of this handler, before or after this call, wait for it: a
    /// handler's effects apply together when it returns.
    pub fn persist(&mut self, write_us: TimeUs) {
        self.effects.push(Effect::Persist { write_us });
    }
    /// Sends one copy of `msg` to every other node, in node order. Each
    /// copy is its own send: its own loss, latency and duplicate draws,
    /// made in that order. Returns how many copies it sent.
    pub fn broadcast(&mut self, msg: M) -> usize
    where
        M: Clone,
    {
        let me = self.me;
        let others = (0..self.n_nodes.min(NODES_MAX))
            .map(|i| NodeId(i as u8))
            .filter(|n| *n != me);
        self.send_each(others, msg)
    }
    /// Sends one copy of `msg` to each of `targets`, in node order whatever
    /// order they come in, once each (itself too, if named). Returns how
    /// many copies it sent.
    pub fn send_each(&mut self, targets: impl IntoIterator<Item = NodeId>, msg: M) -> usize
    where
        M: Clone,
    {
        let mut to: Vec<NodeId> = targets.into_iter().collect();
        crate::sort::sort(&mut to);
        to.dedup();
        for n in &to {
            self.send(*n, msg.clone());
        }
        to.len()
    }
    pub fn set_timer(&mut self, timer: T, after_us: TimeUs) {
        self.effects.push(Effect::SetTimer { timer, after_us });
    }
    /// A timer at true virtual time `at_us` (see [`Effect::SetTimerAt`]).
    pub fn set_timer_at(&mut self, timer: T, at_us: TimeUs) {
        self.effects.push(Effect::SetTimerAt { timer, at_us });
    }
    pub fn cancel_timer(&mut self, timer: T) {
        self.effects.push(Effect::CancelTimer { timer });
    }
}

/// What the checker sees after a step.
pub struct CheckView<'a, P: Protocol> {
    pub proto: &'a P,
    pub nodes: &'a [P::Node],
    pub net: &'a Network,
    /// Every node's clock, so a check can compare a belief with true time.
    pub clocks: &'a [Clock],
    pub now: TimeUs,
    pub note: &'a Note<P::Note>,
}

/// Scrubber markers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Marker {
    Fault,
    /// A leader was elected, or some other role change worth a mark.
    Role,
    Violation,
}

/// A message kind's short name for narration ("AppendEntries").
pub trait MessageKind {
    fn kind(&self) -> &'static str;
}

/// A lab: its node state, messages, timers, commands and checks.
pub trait Protocol: Clone {
    type Node: Clone + Debug;
    type Msg: Clone + Debug + MessageKind;
    type Timer: Copy + Ord + Debug;
    type Command: Clone + Debug + PartialEq;
    /// A structured narration of one step; [`Protocol::narrate`] makes it a sentence.
    type Note: Clone + Debug;
    /// History the invariant checks need (e.g. who led each term).
    type Checker: Clone + Debug;

    fn n_nodes(&self) -> usize;
    fn net_config(&self) -> NetConfig;
    fn node_name(&self, id: NodeId) -> String;

    fn init_node(&self, id: NodeId, ctx: &mut Ctx<Self::Msg, Self::Timer>) -> Self::Node;
    fn on_message(
        &self,
        node: &mut Self::Node,
        ctx: &mut Ctx<Self::Msg, Self::Timer>,
        from: NodeId,
        msg: Self::Msg,
    ) -> Self::Note;
    fn on_timer(
        &self,
        node: &mut Self::Node,
        ctx: &mut Ctx<Self::Msg, Self::Timer>,
        timer: Self::Timer,
    ) -> Self::Note;
    fn on_command(
        &self,
        node: &mut Self::Node,
        ctx: &mut Ctx<Self::Msg, Self::Timer>,
        cmd: &Self::Command,
    ) -> Self::Note;
    /// The node stops: forget whatever is not persistent.
    fn on_crash(&self, node: &mut Self::Node);
    fn on_restart(
        &self,
        node: &mut Self::Node,
        ctx: &mut Ctx<Self::Msg, Self::Timer>,
    ) -> Self::Note;
    /// Whether a node can crash and be partitioned (clients may not).
    fn is_faultable(&self, _id: NodeId) -> bool {
        true
    }

    /// The node [`Who::Leader`] names, if any.
    fn leader(&self, _nodes: &[Self::Node], _net: &Network) -> Option<NodeId> {
        None
    }

    fn invariants(&self) -> &'static [InvariantInfo];
    fn new_checker(&self) -> Self::Checker;
    fn check(&self, view: &CheckView<'_, Self>, checker: &mut Self::Checker, out: &mut Vec<Breach>);

    fn narrate(&self, note: &Self::Note) -> String;
    fn marker(&self, _note: &Self::Note) -> Option<Marker> {
        None
    }

    /// Each node's clock at the start of a run; perfect unless a lab says
    /// otherwise.
    fn initial_clock(&self, _id: NodeId) -> ClockSpec {
        ClockSpec::PERFECT
    }

    /// How this lab's writes to stable storage overlap.
    fn disk_model(&self) -> DiskModel {
        DiskModel::Parallel
    }
}

/// What one step did, in a form the trace keeps and narration reads.
#[derive(Clone, Debug, PartialEq)]
pub enum Note<N> {
    Proto(N),
    Dropped {
        msg_id: u64,
        from: NodeId,
        to: NodeId,
        kind: &'static str,
        reason: DropReason,
    },
    /// A second copy of message `msg_id`, `copy_id`, is on its way and
    /// arrives at `arrive_us`.
    Duplicated {
        msg_id: u64,
        copy_id: u64,
        from: NodeId,
        to: NodeId,
        kind: &'static str,
        arrive_us: TimeUs,
    },
    Crashed(NodeId),
    Restarted(NodeId, N),
    Partitioned(Vec<Vec<NodeId>>),
    Healed,
    Cut(NodeId, NodeId),
    Slowed(NodeId, u8),
    /// A link's latency range changed (µs).
    LinkLatency(NodeId, NodeId, u64, u64),
    /// A node's clock was stepped by `jump_us` to read `offset_us` from true time.
    ClockStepped {
        node: NodeId,
        jump_us: i64,
        offset_us: i64,
    },
    /// A node's clock now runs at `drift_ppm`.
    ClockDrift {
        node: NodeId,
        drift_ppm: i32,
    },
    /// A node stopped taking steps until `until_us`; `extended`: it was
    /// already paused and now stays paused longer.
    Paused {
        node: NodeId,
        for_us: TimeUs,
        until_us: TimeUs,
        extended: bool,
    },
    /// A message reached a paused node; it waits for the resume.
    HeldMessage {
        node: NodeId,
        msg_id: u64,
        from: NodeId,
        kind: &'static str,
    },
    /// A paused node's timer came due; it waits for the resume.
    HeldTimer {
        node: NodeId,
    },
    /// A paused node resumed; `n_msgs` messages and `n_timers` timers
    /// waited, and are handled next, in the order they arrived or came due.
    Resumed {
        node: NodeId,
        paused_us: TimeUs,
        n_msgs: u32,
        n_timers: u32,
    },
    /// An input that could not apply (no leader to crash, node already down...).
    Skipped(String),
}

/// One entry of the trace.
#[derive(Clone, Debug)]
pub struct StepRecord<N> {
    /// 1 for the first step: the world after this record is at `step`.
    pub step: u64,
    pub time_us: TimeUs,
    /// The node whose state changed, if one did.
    pub actor: Option<NodeId>,
    pub note: Note<N>,
    pub injected: bool,
    /// How many invariants broke at this step.
    pub n_violations: u8,
    /// The message this step handed to its receiver's handler (id, kind).
    pub delivered: Option<(u64, &'static str)>,
    /// Message ids are given out in order: the step sent (or copied) the
    /// ids from the previous record's `msg_ids_end` (1 before the first
    /// step) up to this one. The space-time view joins sends to receives
    /// by these two fields.
    pub msg_ids_end: u64,
}

/// A message between nodes, visible while it travels.
#[derive(Clone, Debug)]
pub struct InFlight<M> {
    pub id: u64,
    pub from: NodeId,
    pub to: NodeId,
    pub depart_us: TimeUs,
    pub arrive_us: TimeUs,
    pub msg: M,
    /// Decided at send time; the message vanishes on arrival.
    pub lost: bool,
}

/// A pending timer, kept for display (progress bars) and cancellation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TimerSlot {
    pub set_us: TimeUs,
    /// In true time; it moves if the node's drift changes while it waits.
    pub deadline_us: TimeUs,
    seq: u64,
    /// The deadline on the node's monotonic clock; `None` for a timer set
    /// at a true time.
    mono_deadline_us: Option<i64>,
}

#[derive(Clone, Copy, Debug)]
enum Queued<T> {
    Deliver(u64),
    Timer(NodeId, T),
    Script(u32),
    /// The end of a node's pause, if the pause's sequence number still matches.
    Resume(NodeId, u64),
}

/// A node's pause: it takes no steps from `since_us` until `until_us`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PauseSlot {
    pub since_us: TimeUs,
    pub until_us: TimeUs,
    seq: u64,
}

/// What a paused node will handle when it resumes.
#[derive(Clone, Debug)]
enum Held<M, T> {
    Message(InFlight<M>),
    /// A timer that came due, with the sequence number of its slot then:
    /// if the node resets or cancels it first, it does not fire.
    Timer(T, u64),
}

type HeldOf<P> = Held<<P as Protocol>::Msg, <P as Protocol>::Timer>;

/// The longest a node may pause: a minute.
pub const PAUSE_US_MAX: TimeUs = 60_000_000;

#[derive(Clone, Debug)]
struct QItem<T> {
    time: TimeUs,
    seq: u64,
    what: Queued<T>,
}

impl<T> PartialEq for QItem<T> {
    fn eq(&self, o: &Self) -> bool {
        (self.time, self.seq) == (o.time, o.seq)
    }
}
impl<T> Eq for QItem<T> {}
impl<T> PartialOrd for QItem<T> {
    fn partial_cmp(&self, o: &Self) -> Option<Ordering> {
        Some(self.cmp(o))
    }
}
impl<T> Ord for QItem<T> {
    // Reversed: BinaryHeap is a max-heap and we want the earliest first.
    fn cmp(&self, o: &Self) -> Ordering {
        (o.time, o.seq).cmp(&(self.time, self.seq))
    }
}

/// The bound on messages in flight; sends beyond it are lost (and narrated).
pub const MAX_IN_FLIGHT: usize = 4_096;
/// The most nodes a world can name: [`NodeId`] is a byte.
pub const NODES_MAX: usize = 256;

/// Everything one run is: clone it to snapshot it.
#[derive(Clone, Debug)]
pub struct World<P: Protocol> {
    pub proto: P,
    pub now: TimeUs,
    pub step: u64,
    pub nodes: Vec<P::Node>,
    pub net: Network,
    pub in_flight: BTreeMap<u64, InFlight<P::Msg>>,
    pub timers: Vec<BTreeMap<P::Timer, TimerSlot>>,
    pub checker: P::Checker,
    pub violations: Vec<Violation>,
    /// Each node's clock.
    pub clocks: Vec<Clock>,
    /// When each node last crashed (for display), if it is down.
    pub down_since: Vec<Option<TimeUs>>,
    /// When the last write each node started completes (in the past when
    /// its disk is idle).
    pub disk_busy_until_us: Vec<TimeUs>,
    /// Each node's pause, if it is paused.
    pub paused: Vec<Option<PauseSlot>>,
    /// What each paused node will handle at its resume, in order.
    held: Vec<Vec<HeldOf<P>>>,
    /// What resumed nodes handle next, before any queued event.
    ready: VecDeque<(NodeId, HeldOf<P>)>,
    /// Messages in `held` and `ready`: they count against [`MAX_IN_FLIGHT`].
    n_held_msgs: usize,
    queue: BinaryHeap<QItem<P::Timer>>,
    seq: u64,
    next_msg_id: u64,
    /// The message the current step delivers, for its record.
    delivering: Option<(u64, &'static str)>,
    rng: SimRng,
    script: Rc<Vec<(TimeUs, Input<P::Command>)>>,
    /// Reused for every handler's effects, so a step allocates nothing for them.
    effect_buf: Vec<Effect<P::Msg, P::Timer>>,
}

impl<P: Protocol> World<P> {
    /// A new run. `script` holds inputs at fixed virtual times (a
    /// scenario's plan); they enter the queue like any other event.
    pub fn new(proto: P, seed: u64, script: Vec<(TimeUs, Input<P::Command>)>) -> World<P> {
        let n = proto.n_nodes();
        let net = Network::new(n, proto.net_config());
        let checker = proto.new_checker();
        let clocks = (0..n)
            .map(|i| Clock::new(proto.initial_clock(NodeId(i as u8))))
            .collect();
        let mut w = World {
            proto,
            now: 0,
            step: 0,
            nodes: Vec::with_capacity(n),
            net,
            in_flight: BTreeMap::new(),
            timers: vec![BTreeMap::new(); n],
            checker,
            violations: Vec::new(),
            clocks,
            down_since: vec![None; n],
            disk_busy_until_us: vec![0; n],
            paused: vec![None; n],
            held: vec![Vec::new(); n],
            ready: VecDeque::new(),
            n_held_msgs: 0,
            queue: BinaryHeap::new(),
            seq: 0,
            next_msg_id: 1,
            delivering: None,
            rng: SimRng::new(seed),
            script: Rc::new(Vec::new()),
            effect_buf: Vec::new(),
        };
        for i in 0..n {
            let id = NodeId(i as u8);
            let mut ctx = Ctx::new(0, id, &mut w.rng)
                .with_n_nodes(n)
                .with_clock(w.clocks[i]);
            let node = w.proto.init_node(id, &mut ctx);
            let mut effects = std::mem::take(&mut ctx.effects);
            w.nodes.push(node);
            w.apply_effects(id, &mut effects);
        }
        for (i, (t, _)) in script.iter().enumerate() {
            let seq = w.next_seq();
            w.queue.push(QItem {
                time: *t,
                seq,
                what: Queued::Script(i as u32),
            });
        }
        w.script = Rc::new(script);
        w
    }

    fn next_seq(&mut self) -> u64 {
        self.seq += 1;
        self.seq
    }

    pub fn is_up(&self, id: NodeId) -> bool {
        self.net.up.get(id.idx()).copied().unwrap_or(false)
    }

    pub fn is_paused(&self, id: NodeId) -> bool {
        self.paused.get(id.idx()).is_some_and(|p| p.is_some())
    }

    /// Messages waiting for a paused (or just resumed) node, in arrival order.
    pub fn held_messages(&self, id: NodeId) -> Vec<&InFlight<P::Msg>> {
        let held = self.held.get(id.idx()).into_iter().flatten();
        let ready = self.ready.iter().filter(|(n, _)| *n == id).map(|(_, h)| h);
        held.chain(ready)
            .filter_map(|h| match h {
                Held::Message(m) => Some(m),
                Held::Timer(..) => None,
            })
            .collect()
    }

    /// Whether a held timer would still fire (its slot was not reset or cancelled).
    fn held_is_live(&self, id: NodeId, held: &Held<P::Msg, P::Timer>) -> bool {
        match held {
            Held::Message(_) => true,
            Held::Timer(timer, seq) => {
                self.timers[id.idx()].get(timer).map(|s| s.seq) == Some(*seq)
            }
        }
    }

    /// The time of the next queued event, if any (skipping nothing: a
    /// cancelled timer may still be at the head).
    pub fn next_event_time(&self) -> Option<TimeUs> {
        self.queue.peek().map(|q| q.time)
    }

    /// The time of the next event that will really happen: stale entries
    /// at the head of the queue (cancelled timers, messages dropped by
    /// hand) are discarded first. Discarding them changes nothing, since
    /// [`World::step`] would skip them anyway; afterwards `step(None)`
    /// processes exactly the event at the returned time.
    pub fn next_live_event_time(&mut self) -> Option<TimeUs> {
        while let Some((id, held)) = self.ready.front() {
            if self.held_is_live(*id, held) {
                return Some(self.now);
            }
            self.ready.pop_front();
        }
        while let Some(head) = self.queue.peek() {
            let stale = match head.what {
                Queued::Deliver(id) => !self.in_flight.contains_key(&id),
                Queued::Timer(node, timer) => {
                    self.timers[node.idx()].get(&timer).map(|s| s.seq) != Some(head.seq)
                }
                Queued::Script(_) => false,
                Queued::Resume(node, seq) => self.paused[node.idx()].map(|p| p.seq) != Some(seq),
            };
            if !stale {
                return Some(head.time);
            }
            self.queue.pop();
        }
        None
    }

    /// Moves the clock forward to `t_us` without processing an event, so
    /// that an input given to the next [`World::step`] happens at exactly
    /// that time. Refuses (returns false, changes nothing) if `t_us` is in
    /// the past or an event is due before it: time never jumps over an
    /// event.
    pub fn advance_to(&mut self, t_us: TimeUs) -> bool {
        if t_us < self.now || self.next_live_event_time().is_some_and(|t| t < t_us) {
            return false;
        }
        self.now = t_us;
        true
    }

    /// Advances one step: the given input, or else the next event in the
    /// queue. Returns `None` when nothing is left to happen.
    pub fn step(&mut self, input: Option<&Input<P::Command>>) -> Option<StepRecord<P::Note>> {
        let (actor, note, injected) = match input {
            Some(i) => {
                let (a, n) = self.apply_input(i);
                (a, n, true)
            }
            None => loop {
                // What waited through a pause goes first: it is older than
                // anything still queued.
                if let Some((id, held)) = self.ready.pop_front() {
                    if let Some((a, n)) = self.replay(id, held) {
                        break (a, n, false);
                    }
                    continue;
                }
                let item = self.queue.pop()?;
                if let Some((a, n)) = self.process(item) {
                    break (a, n, false);
                }
            },
        };
        self.step += 1;
        let mut breaches = Vec::new();
        {
            let view = CheckView {
                proto: &self.proto,
                nodes: &self.nodes,
                net: &self.net,
                clocks: &self.clocks,
                now: self.now,
                note: &note,
            };
            self.proto.check(&view, &mut self.checker, &mut breaches);
        }
        let n_violations = breaches.len().min(255) as u8;
        for b in breaches {
            self.violations.push(Violation {
                step: self.step,
                time_us: self.now,
                invariant: b.invariant,
                explanation: b.explanation,
            });
        }
        let delivered = self.delivering.take();
        Some(StepRecord {
            step: self.step,
            time_us: self.now,
            actor,
            note,
            injected,
            n_violations,
            delivered,
            msg_ids_end: self.next_msg_id,
        })
    }

    /// Handles one queued item; `None` if it was stale (a cancelled timer,
    /// a message already dropped) and so is not a step.
    fn process(&mut self, item: QItem<P::Timer>) -> Option<(Option<NodeId>, Note<P::Note>)> {
        match item.what {
            Queued::Deliver(id) => {
                let m = self.in_flight.remove(&id)?;
                self.now = item.time;
                let reason = if m.lost {
                    Some(DropReason::Lost)
                } else if let Some(r) = self.net.blocked(m.from, m.to) {
                    Some(r)
                } else if !self.is_up(m.to) {
                    Some(DropReason::ReceiverDown)
                } else {
                    None
                };
                if let Some(reason) = reason {
                    let kind = m.msg.kind();
                    return Some((
                        None,
                        Note::Dropped {
                            msg_id: id,
                            from: m.from,
                            to: m.to,
                            kind,
                            reason,
                        },
                    ));
                }
                let to = m.to;
                if self.is_paused(to) {
                    let note = Note::HeldMessage {
                        node: to,
                        msg_id: id,
                        from: m.from,
                        kind: m.msg.kind(),
                    };
                    self.held[to.idx()].push(Held::Message(m));
                    self.n_held_msgs += 1;
                    return Some((None, note));
                }
                self.delivering = Some((id, m.msg.kind()));
                let note =
                    self.run_handler(to, |p, node, ctx| p.on_message(node, ctx, m.from, m.msg));
                Some((Some(to), Note::Proto(note)))
            }
            Queued::Timer(node, timer) => {
                let slot = self.timers[node.idx()].get(&timer)?;
                if slot.seq != item.seq {
                    return None;
                }
                self.now = item.time;
                if self.is_paused(node) {
                    self.held[node.idx()].push(Held::Timer(timer, item.seq));
                    return Some((None, Note::HeldTimer { node }));
                }
                self.timers[node.idx()].remove(&timer);
                let note = self.run_handler(node, |p, n, ctx| p.on_timer(n, ctx, timer));
                Some((Some(node), Note::Proto(note)))
            }
            Queued::Script(i) => {
                self.now = item.time;
                let script = Rc::clone(&self.script);
                let (_, input) = script.get(i as usize)?;
                Some(self.apply_input(input))
            }
            Queued::Resume(node, seq) => {
                let pause = self.paused[node.idx()].filter(|p| p.seq == seq)?;
                self.now = item.time;
                self.paused[node.idx()] = None;
                let held = std::mem::take(&mut self.held[node.idx()]);
                let n_msgs = held
                    .iter()
                    .filter(|h| matches!(h, Held::Message(_)))
                    .count() as u32;
                let n_timers = held.len() as u32 - n_msgs;
                self.ready.extend(held.into_iter().map(|h| (node, h)));
                let paused_us = self.now - pause.since_us;
                Some((
                    Some(node),
                    Note::Resumed {
                        node,
                        paused_us,
                        n_msgs,
                        n_timers,
                    },
                ))
            }
        }
    }

    /// Handles, at its resume, one thing that waited for a paused node;
    /// `None` if it is a timer the node has since reset or cancelled.
    fn replay(
        &mut self,
        id: NodeId,
        held: Held<P::Msg, P::Timer>,
    ) -> Option<(Option<NodeId>, Note<P::Note>)> {
        match held {
            Held::Message(m) => {
                self.n_held_msgs -= 1;
                self.delivering = Some((m.id, m.msg.kind()));
                let note =
                    self.run_handler(id, |p, node, ctx| p.on_message(node, ctx, m.from, m.msg));
                Some((Some(id), Note::Proto(note)))
            }
            Held::Timer(timer, seq) => {
                if self.timers[id.idx()].get(&timer).map(|s| s.seq) != Some(seq) {
                    return None;
                }
                self.timers[id.idx()].remove(&timer);
                let note = self.run_handler(id, |p, n, ctx| p.on_timer(n, ctx, timer));
                Some((Some(id), Note::Proto(note)))
            }
        }
    }

    /// Forgets what waited for a node (it crashed, or pauses again).
    fn take_waiting(&mut self, id: NodeId) -> Vec<Held<P::Msg, P::Timer>> {
        let mut out = std::mem::take(&mut self.held[id.idx()]);
        if self.ready.iter().any(|(n, _)| *n == id) {
            let (mine, others): (VecDeque<_>, VecDeque<_>) = std::mem::take(&mut self.ready)
                .into_iter()
                .partition(|(n, _)| *n == id);
            self.ready = others;
            // What was ready is older than anything held since.
            let mut ready: Vec<_> = mine.into_iter().map(|(_, h)| h).collect();
            ready.append(&mut out);
            out = ready;
        }
        out
    }

    fn run_handler(
        &mut self,
        id: NodeId,
        f: impl FnOnce(&P, &mut P::Node, &mut Ctx<P::Msg, P::Timer>) -> P::Note,
    ) -> P::Note {
        let n_nodes = self.nodes.len();
        let mut ctx = Ctx {
            now: self.now,
            me: id,
            n_nodes,
            rng: &mut self.rng,
            effects: std::mem::take(&mut self.effect_buf),
            clock: self.clocks[id.idx()],
        };
        let note = f(&self.proto, &mut self.nodes[id.idx()], &mut ctx);
        let mut effects = std::mem::take(&mut ctx.effects);
        self.apply_effects(id, &mut effects);
        self.effect_buf = effects;
        note
    }

    /// Applies one handler's effects in order, leaving `effects` empty.
    fn apply_effects(&mut self, me: NodeId, effects: &mut Vec<Effect<P::Msg, P::Timer>>) {
        let durable_us = self.start_writes(me, effects);
        for e in effects.drain(..) {
            match e {
                Effect::Send {
                    to,
                    msg,
                    delay_us,
                    durable,
                } => {
                    let hold_us = if durable {
                        delay_us.max(durable_us - self.now)
                    } else {
                        delay_us
                    };
                    self.send(me, to, msg, hold_us)
                }
                Effect::Persist { .. } => {}
                Effect::SetTimer { timer, after_us } => {
                    let clock = self.clocks[me.idx()];
                    let mono_us = clock
                        .monotonic_us(self.now)
                        .saturating_add(after_us.min(i64::MAX as u64) as i64);
                    // Without drift the oscillator is true time shifted, so
                    // this is exactly `now + after_us`.
                    let deadline_us = if clock.drift_ppm() == 0 {
                        self.now.saturating_add(after_us)
                    } else {
                        clock.true_time_at(mono_us).max(self.now)
                    };
                    self.arm(me, timer, deadline_us, Some(mono_us));
                }
                Effect::SetTimerAt { timer, at_us } => {
                    self.arm(me, timer, at_us.max(self.now), None)
                }
                Effect::CancelTimer { timer } => {
                    self.timers[me.idx()].remove(&timer);
                }
            }
        }
    }

    fn arm(
        &mut self,
        me: NodeId,
        timer: P::Timer,
        deadline_us: TimeUs,
        mono_deadline_us: Option<i64>,
    ) {
        let seq = self.next_seq();
        self.timers[me.idx()].insert(
            timer,
            TimerSlot {
                set_us: self.now,
                deadline_us,
                seq,
                mono_deadline_us,
            },
        );
        self.queue.push(QItem {
            time: deadline_us,
            seq,
            what: Queued::Timer(me, timer),
        });
    }

    /// After a node's drift changed: moves each of its waiting timers to
    /// the true time at which the oscillator, at its new rate, reaches the
    /// timer's local deadline. The old queue entries become stale.
    fn retime_timers(&mut self, id: NodeId) {
        let clock = self.clocks[id.idx()];
        let now = self.now;
        let waiting: Vec<(P::Timer, TimerSlot)> = self.timers[id.idx()]
            .iter()
            .filter(|(_, s)| s.deadline_us > now && s.mono_deadline_us.is_some())
            .map(|(t, s)| (*t, *s))
            .collect();
        for (timer, slot) in waiting {
            let Some(mono_us) = slot.mono_deadline_us else {
                continue;
            };
            let seq = self.next_seq();
            let deadline_us = clock.true_time_at(mono_us).max(now);
            self.timers[id.idx()].insert(
                timer,
                TimerSlot {
                    deadline_us,
                    seq,
                    ..slot
                },
            );
            self.queue.push(QItem {
                time: deadline_us,
                seq,
                what: Queued::Timer(id, timer),
            });
        }
    }

    /// Starts the writes among one handler's effects; returns when its
    /// durable sends may leave (see [`DiskModel`]).
    fn start_writes(&mut self, me: NodeId, effects: &[Effect<P::Msg, P::Timer>]) -> TimeUs {
        let model = self.proto.disk_model();
        let now = self.now;
        let busy = &mut self.disk_busy_until_us[me.idx()];
        let mut durable_us = match model {
            DiskModel::Parallel => now,
            DiskModel::Queue => (*busy).max(now),
        };
        for e in effects {
            let Effect::Persist { write_us } = e else {
                continue;
            };
            let write_us = (*write_us).min(WRITE_US_MAX);
            let start_us = match model {
                DiskModel::Parallel => now,
                DiskModel::Queue => (*busy).max(now),
            };
            let done_us = start_us + write_us;
            durable_us = durable_us.max(done_us);
            *busy = (*busy).max(done_us);
        }
        durable_us
    }

    fn send(&mut self, from: NodeId, to: NodeId, msg: P::Msg, delay_us: TimeUs) {
        if to.idx() >= self.nodes.len() || self.in_flight.len() + self.n_held_msgs >= MAX_IN_FLIGHT
        {
            return;
        }
        let (lo, hi) = self.net.latency_range(from, to);
        let (loss, dup) = (self.net.config.loss, self.net.config.duplicate);
        let factor = self.net.slow[from.idx()]
            .max(self.net.slow[to.idx()])
            .max(1) as u64;
        let copies = if self.rng.chance(dup) { 2 } else { 1 };
        let mut msg = Some(msg);
        for copy in 0..copies {
            let msg = if copy + 1 == copies {
                msg.take()
            } else {
                msg.clone()
            };
            let Some(msg) = msg else { break };
            let lost = self.rng.chance(loss);
            let latency = self.rng.range_u64(lo, hi) * factor;
            let depart_us = self.now + delay_us;
            let arrive_us = depart_us + latency;
            let id = self.next_msg_id;
            self.next_msg_id += 1;
            let seq = self.next_seq();
            self.in_flight.insert(
                id,
                InFlight {
                    id,
                    from,
                    to,
                    depart_us,
                    arrive_us,
                    msg,
                    lost,
                },
            );
            self.queue.push(QItem {
                time: arrive_us,
                seq,
                what: Queued::Deliver(id),
            });
        }
    }

    fn resolve(&self, who: &Who) -> Option<NodeId> {
        match who {
            Who::Id(n) if n.idx() < self.nodes.len() => Some(*n),
            Who::Id(_) => None,
            Who::Leader => self.proto.leader(&self.nodes, &self.net),
        }
    }

    fn apply_input(&mut self, input: &Input<P::Command>) -> (Option<NodeId>, Note<P::Note>) {
        let who_of = |w: &Who| match w {
            Who::Leader => "there is no leader".to_string(),
            Who::Id(n) => format!("node {} does not exist", n.0),
        };
        match input {
            Input::Crash(w)
            | Input::Restart(w)
            | Input::Isolate(w)
            | Input::Slow(w, _)
            | Input::ClockOffset(w, _)
            | Input::ClockDrift(w, _)
            | Input::Pause(w, _) => {
                let Some(id) = self.resolve(w) else {
                    return (None, Note::Skipped(who_of(w)));
                };
                let name = self.proto.node_name(id);
                if !self.proto.is_faultable(id) {
                    return (None, Note::Skipped(format!("{name} cannot be faulted")));
                }
                match input {
                    Input::Crash(_) => {
                        if !self.is_up(id) {
                            return (None, Note::Skipped(format!("{name} is already down")));
                        }
                        self.net.up[id.idx()] = false;
                        self.down_since[id.idx()] = Some(self.now);
                        self.timers[id.idx()].clear();
                        let now = self.now;
                        // Messages still waiting to leave (e.g. behind an fsync) die with the node.
                        self.in_flight
                            .retain(|_, m| !(m.from == id && m.depart_us > now));
                        // Its writes are moot: what survives is on_crash's decision.
                        self.disk_busy_until_us[id.idx()] = now;
                        // A crash ends a pause, and loses what waited for the node.
                        self.paused[id.idx()] = None;
                        let lost = self.take_waiting(id);
                        self.n_held_msgs -= lost
                            .iter()
                            .filter(|h| matches!(h, Held::Message(_)))
                            .count();
                        self.proto.on_crash(&mut self.nodes[id.idx()]);
                        (Some(id), Note::Crashed(id))
                    }
                    Input::Restart(_) => {
                        if self.is_up(id) {
                            return (None, Note::Skipped(format!("{name} is already up")));
                        }
                        self.net.up[id.idx()] = true;
                        self.down_since[id.idx()] = None;
                        let note = self.run_handler(id, |p, n, ctx| p.on_restart(n, ctx));
                        (Some(id), Note::Restarted(id, note))
                    }
                    Input::Isolate(_) => {
                        let mut groups = self.net.groups();
                        for g in groups.iter_mut() {
                            g.retain(|n| *n != id);
                        }
                        groups.retain(|g| !g.is_empty());
                        groups.push(vec![id]);
                        self.net.partition(&groups);
                        (None, Note::Partitioned(self.net.groups()))
                    }
                    Input::Slow(_, f) => {
                        let f = (*f).clamp(1, 20);
                        self.net.slow[id.idx()] = f;
                        (Some(id), Note::Slowed(id, f))
                    }
                    Input::ClockOffset(_, offset_us) => {
                        let clock = &mut self.clocks[id.idx()];
                        let jump_us = clock.step_to_offset(self.now, *offset_us);
                        let offset_us = clock.offset_us(self.now);
                        (
                            Some(id),
                            Note::ClockStepped {
                                node: id,
                                jump_us,
                                offset_us,
                            },
                        )
                    }
                    Input::Pause(_, for_us) => {
                        if !self.is_up(id) {
                            return (None, Note::Skipped(format!("{name} is down")));
                        }
                        let for_us = (*for_us).clamp(1, PAUSE_US_MAX);
                        let until_us = self.now.saturating_add(for_us);
                        let (since_us, extended) = match self.paused[id.idx()] {
                            Some(p) if p.until_us >= until_us => {
                                let until = super::time::fmt_time(p.until_us);
                                return (
                                    None,
                                    Note::Skipped(format!(
                                        "{name} is already paused until {until}"
                                    )),
                                );
                            }
                            Some(p) => (p.since_us, true),
                            None => (self.now, false),
                        };
                        // Whatever it had not yet handled from an earlier
                        // pause waits again, ahead of anything new.
                        let waiting = self.take_waiting(id);
                        self.held[id.idx()] = waiting;
                        let seq = self.next_seq();
                        self.paused[id.idx()] = Some(PauseSlot {
                            since_us,
                            until_us,
                            seq,
                        });
                        self.queue.push(QItem {
                            time: until_us,
                            seq,
                            what: Queued::Resume(id, seq),
                        });
                        (
                            Some(id),
                            Note::Paused {
                                node: id,
                                for_us,
                                until_us,
                                extended,
                            },
                        )
                    }
                    Input::ClockDrift(_, drift_ppm) => {
                        self.clocks[id.idx()].set_drift(self.now, *drift_ppm);
                        self.retime_timers(id);
                        let drift_ppm = self.clocks[id.idx()].drift_ppm();
                        (
                            Some(id),
                            Note::ClockDrift {
                                node: id,
                                drift_ppm,
                            },
                        )
                    }
                    _ => unreachable!("the outer match lists exactly these"),
                }
            }
            Input::Partition(groups) => {
                self.net.partition(groups);
                (None, Note::Partitioned(self.net.groups()))
            }
            Input::Heal => {
                self.net.heal();
                (None, Note::Healed)
            }
            Input::Cut(a, b) => {
                if a.idx() >= self.nodes.len() || b.idx() >= self.nodes.len() || a == b {
                    return (None, Note::Skipped("that link does not exist".into()));
                }
                self.net.cuts.insert((*a, *b));
                (None, Note::Cut(*a, *b))
            }
            Input::LinkLatency(a, b, lo, hi) => {
                if a.idx() >= self.nodes.len() || b.idx() >= self.nodes.len() || a == b {
                    return (None, Note::Skipped("that link does not exist".into()));
                }
                self.net.set_link_latency(*a, *b, *lo, *hi);
                let (lo, hi) = self.net.latency_range(*a, *b);
                (None, Note::LinkLatency(*a, *b, lo, hi))
            }
            Input::Drop(id) => match self.in_flight.remove(id) {
                Some(m) => {
                    let kind = m.msg.kind();
                    (
                        None,
                        Note::Dropped {
                            msg_id: *id,
                            from: m.from,
                            to: m.to,
                            kind,
                            reason: DropReason::ByHand,
                        },
                    )
                }
                None => (
                    None,
                    Note::Skipped(format!("message {id} is no longer in flight")),
                ),
            },
            Input::Duplicate(id) => {
                let Some(m) = self.in_flight.get(id) else {
                    return (
                        None,
                        Note::Skipped(format!("message {id} is no longer in flight")),
                    );
                };
                if self.in_flight.len() + self.n_held_msgs >= MAX_IN_FLIGHT {
                    return (
                        None,
                        Note::Skipped(format!(
                            "the network already holds {MAX_IN_FLIGHT} messages"
                        )),
                    );
                }
                let (from, to, kind) = (m.from, m.to, m.msg.kind());
                let copy = InFlight {
                    id: self.next_msg_id,
                    depart_us: m.depart_us.max(self.now),
                    lost: false,
                    ..m.clone()
                };
                let (lo, hi) = self.net.latency_range(from, to);
                let factor = self.net.slow[from.idx()]
                    .max(self.net.slow[to.idx()])
                    .max(1) as u64;
                let arrive_us = copy.depart_us + self.rng.range_u64(lo, hi) * factor;
                let copy_id = copy.id;
                self.next_msg_id += 1;
                let seq = self.next_seq();
                self.in_flight
                    .insert(copy_id, InFlight { arrive_us, ..copy });
                self.queue.push(QItem {
                    time: arrive_us,
                    seq,
                    what: Queued::Deliver(copy_id),
                });
                (
                    None,
                    Note::Duplicated {
                        msg_id: *id,
                        copy_id,
                        from,
                        to,
                        kind,
                        arrive_us,
                    },
                )
            }
            Input::Command(w, cmd) => {
                let Some(id) = self.resolve(w) else {
                    return (None, Note::Skipped(who_of(w)));
                };
                if !self.is_up(id) {
                    let name = self.proto.node_name(id);
                    return (None, Note::Skipped(format!("{name} is down")));
                }
                if let Some(p) = self.paused[id.idx()] {
                    let name = self.proto.node_name(id);
                    return (
                        None,
                        Note::Skipped(format!(
                            "{name} is paused until {}",
                            super::time::fmt_time(p.until_us)
                        )),
                    );
                }
                let note = self.run_handler(id, |p, n, ctx| p.on_command(n, ctx, cmd));
                (Some(id), Note::Proto(note))
            }
        }
    }

    /// The plain-English line for one trace entry.
    pub fn narrate(&self, note: &Note<P::Note>) -> String {
        let p = &self.proto;
        match note {
            Note::Proto(n) => p.narrate(n),
            Note::Dropped { msg_id, from, to, kind, reason } => format!(
                "{kind} #{msg_id} from {} to {} is gone: {reason}.",
                p.node_name(*from),
                p.node_name(*to)
            ),
            Note::Duplicated { msg_id, copy_id, from, to, kind, arrive_us } => format!(
                "{kind} #{msg_id} from {} to {} is duplicated: a copy, #{copy_id}, arrives at {}.",
                p.node_name(*from),
                p.node_name(*to),
                super::time::fmt_time(*arrive_us)
            ),
            Note::Crashed(n) => format!("{} crashes; it keeps only its persistent state.", p.node_name(*n)),
            Note::Restarted(_, n) => p.narrate(n),
            Note::Partitioned(groups) => {
                let gs: Vec<String> = groups
                    .iter()
                    .map(|g| format!("{{{}}}", g.iter().map(|n| p.node_name(*n)).collect::<Vec<_>>().join(", ")))
                    .collect();
                format!("The network splits into {}.", gs.join(" | "))
            }
            Note::Healed => "The network heals: every node can reach every other.".into(),
            Note::Cut(a, b) => format!("The link from {} to {} is cut (one way).", p.node_name(*a), p.node_name(*b)),
            Note::Slowed(n, 1) => format!("{} runs at normal speed again.", p.node_name(*n)),
            Note::Slowed(n, f) => format!("{} slows down: its messages take {f}× as long.", p.node_name(*n)),
            Note::LinkLatency(a, b, lo, hi) => format!(
                "Messages from {} to {} now take {}–{}.",
                p.node_name(*a),
                p.node_name(*b),
                super::time::fmt_time(*lo),
                super::time::fmt_time(*hi)
            ),
            Note::ClockStepped { node, jump_us, offset_us } => {
                let name = p.node_name(*node);
                let jump = match *jump_us {
                    0 => "is set but does not move".to_string(),
                    j if j > 0 => format!("jumps {} ahead", super::time::fmt_time(j.unsigned_abs())),
                    j => format!("jumps {} back", super::time::fmt_time(j.unsigned_abs())),
                };
                format!("{name}'s clock {jump}; it now reads {}.", fmt_offset(*offset_us))
            }
            Note::ClockDrift { node, drift_ppm } => {
                let name = p.node_name(*node);
                match *drift_ppm {
                    0 => format!("{name}'s clock now runs at the true rate."),
                    d if d > 0 => format!("{name}'s clock now runs {d} ppm fast."),
                    d => format!("{name}'s clock now runs {} ppm slow.", d.unsigned_abs()),
                }
            }
            Note::Paused { node, for_us, until_us, extended: false } => format!(
                "{} pauses for {} (a stop-the-world pause, not a crash): it keeps its state but takes no steps until {}.",
                p.node_name(*node),
                super::time::fmt_time(*for_us),
                super::time::fmt_time(*until_us)
            ),
            Note::Paused { node, until_us, extended: true, .. } => format!(
                "{}, already paused, stays paused longer: it now resumes at {}.",
                p.node_name(*node),
                super::time::fmt_time(*until_us)
            ),
            Note::HeldMessage { node, msg_id, from, kind } => format!(
                "{kind} #{msg_id} from {} reaches {}, which is paused; it waits.",
                p.node_name(*from),
                p.node_name(*node)
            ),
            Note::HeldTimer { node } => {
                let name = p.node_name(*node);
                format!("One of {name}'s timers is due, but {name} is paused; it waits.")
            }
            Note::Resumed { node, paused_us, n_msgs, n_timers } => {
                let count = |n: u32, what: &str| format!("{n} {what}{}", if n == 1 { "" } else { "s" });
                let waited = match (n_msgs, n_timers) {
                    (0, 0) => "nothing waited".to_string(),
                    (m, 0) => format!("{} waited", count(*m, "message")),
                    (0, t) => format!("{} waited", count(*t, "timer")),
                    (m, t) => format!("{} and {} waited", count(*m, "message"), count(*t, "timer")),
                };
                format!("{} resumes after a {} pause; {waited}.", p.node_name(*node), super::time::fmt_time(*paused_us))
            }
            Note::Skipped(why) => format!("Nothing happens: {why}."),
        }
    }

    pub fn marker(&self, note: &Note<P::Note>) -> Option<Marker> {
        match note {
            Note::Proto(n) => self.proto.marker(n),
            Note::Dropped {
                reason: DropReason::ByHand,
                ..
            } => Some(Marker::Fault),
            Note::Dropped { .. }
            | Note::Skipped(_)
            | Note::HeldMessage { .. }
            | Note::HeldTimer { .. } => None,
            Note::Crashed(_)
            | Note::Duplicated { .. }
            | Note::Restarted(..)
            | Note::Partitioned(_)
            | Note::Healed
            | Note::Cut(..)
            | Note::Slowed(..)
            | Note::LinkLatency(..)
            | Note::ClockStepped { .. }
            | Note::ClockDrift { .. }
            | Note::Paused { .. }
            | Note::Resumed { .. } => Some(Marker::Fault),
        }
    }
}

#[cfg(test)]
mod tests {
    // The Raft lab serves as a convenient protocol with cancelled timers.
    use crate::kernel::{Input, NodeId, Who, World};
    use crate::labs::raft::{Raft, RaftConfig};

    fn world() -> World<Raft> {
        World::new(Raft::new(RaftConfig::default()), 3, vec![])
    }

    #[test]
    fn next_live_event_time_is_the_time_of_the_next_step() {
        let mut w = world();
        let mut skipped_stale = 0;
        for _ in 0..2_000 {
            let raw = w.next_event_time();
            let live = w.next_live_event_time();
            if raw != live {
                skipped_stale += 1;
            }
            assert!(raw <= live || live.is_none());
            let Some(rec) = w.step(None) else { break };
            assert_eq!(Some(rec.time_us), live);
        }
        assert!(
            skipped_stale > 0,
            "the run never had a cancelled timer at the head of the queue"
        );
    }

    #[test]
    fn advance_to_never_jumps_over_an_event() {
        let mut w = world();
        w.step(None).unwrap();
        let now = w.now;
        let next = w.next_live_event_time().unwrap();
        assert!(next > now + 1, "need a gap to test in");
        assert!(now > 0 && !w.advance_to(now - 1), "time went back");
        assert!(!w.advance_to(next + 1), "jumped over the event at {next}");
        assert_eq!(w.now, now);
        assert!(w.advance_to(next - 1));
        let rec = w.step(Some(&Input::Crash(Who::Id(NodeId(0))))).unwrap();
        assert_eq!(
            rec.time_us,
            next - 1,
            "the input happens at the advanced time"
        );
        assert!(w.advance_to(w.now), "advancing to now is allowed");
    }
}
