//! Labs that are one state machine, not a set of peers: a rate limiter, a
//! circuit breaker in front of a dependency, a hash ring, fed by a fleet
//! of clients.
//!
//! A lab writes a [`SoloModel`]: its state, what it does on an arrival,
//! on one of its own timers and on a command, its invariants and its
//! narration. [`Solo`] turns the model into a [`Protocol`] with one node,
//! named by the model, that keeps the model's state and a [`Workload`]
//! side by side. The adapter arms one true-time timer at the workload's
//! next arrival and hands each arrival to the model as its own step, so
//! a solo lab runs on the same [`super::World`] and [`super::Timeline`] as
//! every other: one seeded RNG, invariants checked after every step,
//! narration, scrubber markers, and URL inputs (commands as
//! `cmd.0.<command>`, and the node faults: crash, restart, pause, clock
//! steps and drift).
//!
//! A dependency the model calls (the service behind a circuit breaker) is
//! part of the model: it draws the call's latency and outcome from
//! [`SoloCtx::rng`] and sets one of its own timers for the answer.
//!
//! Faults, as the kernel defines them for a node: a crash clears the
//! model's timers and calls [`SoloModel::on_crash`]; at the restart every
//! client starts afresh ([`Workload::restart`]: the requests of the down
//! time are not made up). A pause holds the arrival timer, so at the
//! resume the model handles every overdue arrival at once, each one
//! knowing when it arrived ([`Arrival::at_us`]): the queue that builds up
//! behind a stalled service. The model reads its node's clock through
//! [`SoloCtx::local_now_us`] and [`SoloCtx::monotonic_now_us`]; the
//! workload keeps true time.

use super::clock::{Clock, ClockSpec};
use super::net::{NetConfig, NodeId};
use super::rng::SimRng;
use super::time::TimeUs;
use super::workload::{Arrival, Workload, WorkloadSpec};
use super::world::{Breach, CheckView, Ctx, InvariantInfo, Marker, MessageKind, Note, Protocol};
use std::fmt::Debug;

/// One state machine driven by a workload, commands and its own timers.
pub trait SoloModel: Clone + Debug {
    type State: Clone + Debug;
    type Timer: Copy + Ord + Debug;
    type Command: Clone + Debug + PartialEq;
    type Note: Clone + Debug;
    /// History the invariant checks need.
    type Checker: Clone + Debug;

    /// The component's name in narration ("Limiter").
    fn name(&self) -> String;
    /// The clients that send it requests.
    fn workload(&self) -> WorkloadSpec;
    /// Its node's clock at the start of a run.
    fn clock(&self) -> ClockSpec {
        ClockSpec::PERFECT
    }

    fn init(&self, ctx: &mut SoloCtx<'_, '_, Self::Timer>) -> Self::State;
    fn on_arrival(
        &self,
        state: &mut Self::State,
        ctx: &mut SoloCtx<'_, '_, Self::Timer>,
        arrival: Arrival,
    ) -> Self::Note;
    fn on_timer(
        &self,
        state: &mut Self::State,
        ctx: &mut SoloCtx<'_, '_, Self::Timer>,
        timer: Self::Timer,
    ) -> Self::Note;
    fn on_command(
        &self,
        state: &mut Self::State,
        ctx: &mut SoloCtx<'_, '_, Self::Timer>,
        cmd: &Self::Command,
    ) -> Self::Note;
    /// The node stops: forget whatever is not persistent (by default, nothing).
    fn on_crash(&self, _state: &mut Self::State) {}
    fn on_restart(
        &self,
        state: &mut Self::State,
        ctx: &mut SoloCtx<'_, '_, Self::Timer>,
    ) -> Self::Note;

    fn invariants(&self) -> &'static [InvariantInfo];
    fn new_checker(&self) -> Self::Checker;
    fn check(&self, view: &SoloView<'_, Self>, checker: &mut Self::Checker, out: &mut Vec<Breach>);

    fn narrate(&self, note: &Self::Note) -> String;
    fn marker(&self, _note: &Self::Note) -> Option<Marker> {
        None
    }
}

/// What a solo model's checker sees after a step.
pub struct SoloView<'a, M: SoloModel> {
    pub model: &'a M,
    pub state: &'a M::State,
    pub workload: &'a Workload,
    /// True virtual time.
    pub now: TimeUs,
    pub clock: &'a Clock,
    pub up: bool,
    /// The model's note, if this step was the model's (not a fault).
    pub note: Option<&'a M::Note>,
}

/// The handle a solo model's handler gets.
pub struct SoloCtx<'c, 'a, T> {
    ctx: &'c mut Ctx<'a, NoMsg, SoloTimer<T>>,
}

impl<T> SoloCtx<'_, '_, T> {
    /// True virtual time.
    pub fn now_us(&self) -> TimeUs {
        self.ctx.now
    }
    /// What the model's clock reads (see [`Ctx::local_now_us`]).
    pub fn local_now_us(&self) -> i64 {
        self.ctx.local_now_us()
    }
    /// The model's monotonic clock (see [`Ctx::monotonic_now_us`]).
    pub fn monotonic_now_us(&self) -> i64 {
        self.ctx.monotonic_now_us()
    }
    /// The run's one RNG.
    pub fn rng(&mut self) -> &mut SimRng {
        self.ctx.rng
    }
    /// A timer of `after_us` on the model's clock.
    pub fn set_timer(&mut self, timer: T, after_us: TimeUs) {
        self.ctx.set_timer(SoloTimer::Model(timer), after_us);
    }
    /// A timer at true time `at_us`.
    pub fn set_timer_at(&mut self, timer: T, at_us: TimeUs) {
        self.ctx.set_timer_at(SoloTimer::Model(timer), at_us);
    }
    pub fn cancel_timer(&mut self, timer: T) {
        self.ctx.cancel_timer(SoloTimer::Model(timer));
    }
}

/// The message type of a lab with one node: there are none.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NoMsg {}

impl MessageKind for NoMsg {
    fn kind(&self) -> &'static str {
        match *self {}
    }
}

/// The workload's arrival timer, or one of the model's own.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum SoloTimer<T> {
    Arrival,
    Model(T),
}

/// A step of a solo lab.
#[derive(Clone, Debug, PartialEq)]
pub enum SoloNote<N> {
    Model(N),
    /// The arrival timer fired with nothing due. The adapter never arms it
    /// so, but answers with this rather than assume it.
    NothingDue,
}

/// The one node: the model's state and the workload feeding it.
#[derive(Clone, Debug)]
pub struct SoloNode<M: SoloModel> {
    pub state: M::State,
    pub workload: Workload,
}

/// A [`SoloModel`] as a [`Protocol`] with one node.
#[derive(Clone, Debug)]
pub struct Solo<M>(pub M);

/// The solo lab's only node.
pub const SOLO_NODE: NodeId = NodeId(0);

type SCtx<'a, M> = Ctx<'a, NoMsg, SoloTimer<<M as SoloModel>::Timer>>;

fn arm<T>(workload: &Workload, ctx: &mut Ctx<'_, NoMsg, SoloTimer<T>>) {
    if let Some(t) = workload.next_us() {
        ctx.set_timer_at(SoloTimer::Arrival, t);
    }
}

impl<M: SoloModel> Protocol for Solo<M> {
    type Node = SoloNode<M>;
    type Msg = NoMsg;
    type Timer = SoloTimer<M::Timer>;
    type Command = M::Command;
    type Note = SoloNote<M::Note>;
    type Checker = M::Checker;

    fn n_nodes(&self) -> usize {
        1
    }
    fn net_config(&self) -> NetConfig {
        NetConfig::default()
    }
    fn node_name(&self, _id: NodeId) -> String {
        self.0.name()
    }
    fn initial_clock(&self, _id: NodeId) -> ClockSpec {
        self.0.clock()
    }
    fn init_node(&self, _id: NodeId, ctx: &mut SCtx<'_, M>) -> SoloNode<M> {
        let workload = Workload::new(self.0.workload(), ctx.now, ctx.rng);
        let state = self.0.init(&mut SoloCtx { ctx });
        arm(&workload, ctx);
        SoloNode { state, workload }
    }
    fn on_message(
        &self,
        _node: &mut SoloNode<M>,
        _ctx: &mut SCtx<'_, M>,
        _from: NodeId,
        msg: NoMsg,
    ) -> Self::Note {
        match msg {}
    }
    fn on_timer(
        &self,
        node: &mut SoloNode<M>,
        ctx: &mut SCtx<'_, M>,
        timer: Self::Timer,
    ) -> Self::Note {
        match timer {
            SoloTimer::Arrival => {
                let Some(arrival) = node.workload.pop_due(ctx.now, ctx.rng) else {
                    arm(&node.workload, ctx);
                    return SoloNote::NothingDue;
                };
                let note = self
                    .0
                    .on_arrival(&mut node.state, &mut SoloCtx { ctx }, arrival);
                arm(&node.workload, ctx);
                SoloNote::Model(note)
            }
            SoloTimer::Model(t) => {
                SoloNote::Model(self.0.on_timer(&mut node.state, &mut SoloCtx { ctx }, t))
            }
        }
    }
    fn on_command(
        &self,
        node: &mut SoloNode<M>,
        ctx: &mut SCtx<'_, M>,
        cmd: &M::Command,
    ) -> Self::Note {
        SoloNote::Model(
            self.0
                .on_command(&mut node.state, &mut SoloCtx { ctx }, cmd),
        )
    }
    fn on_crash(&self, node: &mut SoloNode<M>) {
        self.0.on_crash(&mut node.state);
    }
    fn on_restart(&self, node: &mut SoloNode<M>, ctx: &mut SCtx<'_, M>) -> Self::Note {
        node.workload.restart(ctx.now, ctx.rng);
        let note = self.0.on_restart(&mut node.state, &mut SoloCtx { ctx });
        arm(&node.workload, ctx);
        SoloNote::Model(note)
    }
    fn invariants(&self) -> &'static [InvariantInfo] {
        self.0.invariants()
    }
    fn new_checker(&self) -> M::Checker {
        self.0.new_checker()
    }
    fn check(&self, view: &CheckView<'_, Self>, checker: &mut M::Checker, out: &mut Vec<Breach>) {
        let (Some(node), Some(clock)) = (view.nodes.first(), view.clocks.first()) else {
            return;
        };
        let note = match view.note {
            Note::Proto(SoloNote::Model(n)) | Note::Restarted(_, SoloNote::Model(n)) => Some(n),
            _ => None,
        };
        let up = view.net.up.first().copied().unwrap_or(false);
        let solo = SoloView {
            model: &self.0,
            state: &node.state,
            workload: &node.workload,
            now: view.now,
            clock,
            up,
            note,
        };
        self.0.check(&solo, checker, out);
    }
    fn narrate(&self, note: &Self::Note) -> String {
        match note {
            SoloNote::Model(n) => self.0.narrate(n),
            SoloNote::NothingDue => format!("Nothing arrives at {}.", self.0.name()),
        }
    }
    fn marker(&self, note: &Self::Note) -> Option<Marker> {
        match note {
            SoloNote::Model(n) => self.0.marker(n),
            SoloNote::NothingDue => None,
        }
    }
}

#[cfg(test)]
mod tests;
