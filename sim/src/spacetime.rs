//! A space-time view of a run: one lane per process, its events in order,
//! and messages as arrows from a send to its receive (Lamport 1978, the
//! diagrams of "Time, Clocks, and the Ordering of Events").
//!
//! A [`Trace`] is plain data, so any source can fill it: the kernel's step
//! records ([`Trace::of_timeline`], for every message-passing lab), a lab
//! that stamps events with its own clocks, or a log read from a file.
//!
//! Happens-before is computed from the trace's structure alone: `a → b`
//! when `a` comes before `b` on one lane, or `a` sends a message that `b` receives, or
//! by a chain of those. Two
//! distinct events with neither `a → b` nor `b → a` are concurrent. The
//! closure is a forward and a backward walk over the events, which are kept
//! in an order that respects causality (a receive after its send), so each
//! walk is one pass.

use crate::kernel::{Protocol, TimeUs, Timeline};

/// What happened at an event.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EventKind {
    /// A step of the process that neither received nor sent.
    Local,
    /// It sent at least one message and received none.
    Send,
    /// It received a message (and may have sent some).
    Receive,
}

/// One event on a lane.
#[derive(Clone, Debug, PartialEq)]
pub struct Event {
    pub lane: usize,
    pub time_us: TimeUs,
    /// The run's step (0 for a trace that is not from a run).
    pub step: u64,
    pub kind: EventKind,
}

/// What became of a message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fate {
    /// Received by the event `recv`.
    Received(usize),
    /// Lost, cut off or refused at `at_us`, on its way to lane `to`.
    Dropped { to: usize, at_us: TimeUs },
    /// Still travelling to lane `to`, due at `arrive_us`.
    InFlight { to: usize, arrive_us: TimeUs },
}

/// A message: sent by the event `send`.
#[derive(Clone, Debug, PartialEq)]
pub struct Message {
    pub send: usize,
    pub fate: Fate,
    pub kind: String,
}

/// A run drawn as lanes, events and messages. Events are in an order that
/// respects causality: every receive comes after its send.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Trace {
    pub lanes: Vec<String>,
    pub events: Vec<Event>,
    pub messages: Vec<Message>,
    /// The events carry no time (a log read from a file): only their order
    /// means anything.
    pub untimed: bool,
}

/// How two events are ordered by causality.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Order {
    Same,
    /// The first happened before the second.
    Before,
    /// The second happened before the first.
    After,
    Concurrent,
}

impl Trace {
    /// The trace of a run's first `upto` steps (all of them when the
    /// cursor is at the end): every step a process took is an event on its
    /// lane, every delivered message an arrow; messages still travelling at
    /// the cursor, or dropped, end at their receiver's lane.
    pub fn of_timeline<P: Protocol>(tl: &Timeline<P>) -> Trace {
        use crate::kernel::Note;
        let w = tl.world();
        let n = w.nodes.len();
        let lanes: Vec<String> = (0..n)
            .map(|i| w.proto.node_name(crate::kernel::NodeId(i as u8)))
            .collect();
        let mut t = Trace {
            lanes,
            ..Trace::default()
        };
        // By message id: the event that sent it, and its arrow once it has one.
        let mut sender: Vec<Option<usize>> = Vec::new();
        let mut arrow: Vec<Option<usize>> = Vec::new();
        let mut ids_end = 1u64;
        for r in &tl.records()[..tl.cursor() as usize] {
            let first_new = ids_end;
            ids_end = r.msg_ids_end.max(ids_end);
            let actor = r.actor.filter(|a| a.idx() < n);
            let Some(actor) = actor else {
                match &r.note {
                    Note::Dropped {
                        msg_id, to, kind, ..
                    } => fate_of(
                        &mut t,
                        &sender,
                        &mut arrow,
                        *msg_id,
                        Fate::Dropped {
                            to: to.idx(),
                            at_us: r.time_us,
                        },
                        kind,
                    ),
                    Note::Duplicated {
                        msg_id, copy_id, ..
                    } => {
                        let send = sender.get(*msg_id as usize).copied().flatten();
                        set(&mut sender, *copy_id, send);
                    }
                    _ => {}
                }
                continue;
            };
            let e = t.events.len();
            let kind = if r.delivered.is_some() {
                EventKind::Receive
            } else if ids_end > first_new {
                EventKind::Send
            } else {
                EventKind::Local
            };
            t.events.push(Event {
                lane: actor.idx(),
                time_us: r.time_us,
                step: r.step,
                kind,
            });
            if let Some((id, k)) = r.delivered {
                fate_of(&mut t, &sender, &mut arrow, id, Fate::Received(e), k);
            }
            for id in first_new..ids_end {
                set(&mut sender, id, Some(e));
            }
        }
        // What is still travelling at the cursor.
        for (id, send) in sender.iter().enumerate() {
            let (Some(send), None) = (*send, arrow.get(id).copied().flatten()) else {
                continue;
            };
            if let Some(m) = w.in_flight.get(&(id as u64)) {
                let kind = crate::kernel::world::MessageKind::kind(&m.msg).to_string();
                t.messages.push(Message {
                    send,
                    fate: Fate::InFlight {
                        to: m.to.idx(),
                        arrive_us: m.arrive_us,
                    },
                    kind,
                });
            }
        }
        t
    }

    /// The events each event directly follows: its predecessor on its lane
    /// and, for a receive, the send.
    fn preds(&self) -> Vec<Vec<usize>> {
        let mut preds = vec![Vec::new(); self.events.len()];
        let mut last: Vec<Option<usize>> = vec![None; self.lanes.len()];
        for (i, e) in self.events.iter().enumerate() {
            if let Some(p) = last.get(e.lane).copied().flatten() {
                preds[i].push(p);
            }
            if let Some(l) = last.get_mut(e.lane) {
                *l = Some(i);
            }
        }
        for m in &self.messages {
            if let Fate::Received(r) = m.fate {
                if r < preds.len() && m.send < r {
                    preds[r].push(m.send);
                }
            }
        }
        preds
    }

    /// Each event's vector clock from the trace's structure alone (Fidge
    /// and Mattern): an event counts one on its own lane and takes the
    /// element-wise max with its lane predecessor and with the send of the
    /// message it receives, so `V(a) < V(b)` exactly when `a → b`.
    pub fn vector_clocks(&self) -> Vec<Vec<u64>> {
        let preds = self.preds();
        let n = self.lanes.len();
        let mut clocks: Vec<Vec<u64>> = Vec::with_capacity(self.events.len());
        for (i, e) in self.events.iter().enumerate() {
            let mut c = vec![0u64; n];
            for &p in &preds[i] {
                for (x, y) in c.iter_mut().zip(&clocks[p]) {
                    *x = (*x).max(*y);
                }
            }
            if let Some(own) = c.get_mut(e.lane) {
                *own += 1;
            }
            clocks.push(c);
        }
        clocks
    }

    /// The causal past of `e`: every event that happened before it.
    pub fn past(&self, e: usize) -> Vec<bool> {
        let preds = self.preds();
        let mut past = vec![false; self.events.len()];
        if e >= past.len() {
            return past;
        }
        let mut reach = vec![false; self.events.len()];
        reach[e] = true;
        for i in (0..=e).rev() {
            if reach[i] {
                for &p in &preds[i] {
                    reach[p] = true;
                    past[p] = true;
                }
            }
        }
        past
    }

    /// The causal future of `e`: every event it happened before.
    pub fn future(&self, e: usize) -> Vec<bool> {
        let preds = self.preds();
        let mut fut = vec![false; self.events.len()];
        if e >= fut.len() {
            return fut;
        }
        let mut reach = vec![false; self.events.len()];
        reach[e] = true;
        for i in e + 1..self.events.len() {
            if preds[i].iter().any(|&p| reach[p]) {
                reach[i] = true;
                fut[i] = true;
            }
        }
        fut
    }

    /// How `a` and `b` are ordered by happens-before.
    pub fn order(&self, a: usize, b: usize) -> Order {
        if a == b {
            return Order::Same;
        }
        if self.past(b).get(a).copied().unwrap_or(false) {
            Order::Before
        } else if self.past(a).get(b).copied().unwrap_or(false) {
            Order::After
        } else {
            Order::Concurrent
        }
    }
}

/// Gives message `id` (sent by the event `sender[id]`) its arrow.
fn fate_of(
    t: &mut Trace,
    sender: &[Option<usize>],
    arrow: &mut Vec<Option<usize>>,
    id: u64,
    fate: Fate,
    kind: &str,
) {
    let Some(send) = sender.get(id as usize).copied().flatten() else {
        return;
    };
    set(arrow, id, Some(t.messages.len()));
    t.messages.push(Message {
        send,
        fate,
        kind: kind.to_string(),
    });
}

fn set(v: &mut Vec<Option<usize>>, id: u64, value: Option<usize>) {
    let i = id as usize;
    if v.len() <= i {
        v.resize(i + 1, None);
    }
    v[i] = value;
}

#[cfg(test)]
mod tests;
