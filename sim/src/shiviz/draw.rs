//! Between logs and space-time traces: any run written as a log's events
//! ([`of_trace`]), and a log's execution drawn as a trace ([`trace_of`]).

use super::{Execution, ExportEvent};
use crate::spacetime::{Event as Dot, EventKind, Fate, Message, Trace};
use std::collections::BTreeSet;

/// A trace's events as a log's, in the trace's order, each with the vector
/// clock the trace's structure gives it ([`Trace::vector_clocks`]) and
/// `describe(i)` as the description of event `i`.
pub fn of_trace(t: &Trace, describe: impl Fn(usize) -> String) -> Vec<ExportEvent> {
    let clocks = t.vector_clocks();
    t.events
        .iter()
        .zip(&clocks)
        .enumerate()
        .map(|(i, (e, c))| ExportEvent {
            host: t.lanes[e.lane].clone(),
            clock: t
                .lanes
                .iter()
                .zip(c)
                .filter(|(_, n)| **n > 0)
                .map(|(h, n)| (h.clone(), *n))
                .collect(),
            description: describe(i),
        })
        .collect()
}

/// An execution drawn as a trace: a lane per host, a dot per event, an
/// arrow per message its clocks imply. The dots are in log order except
/// where a receive is logged before its send, which moves it after the
/// send; clocks that contradict each other in a cycle fall back to log
/// order there, and such a message gets no arrow. Returns the trace and,
/// for each dot, its event's index in the execution.
pub fn trace_of(ex: &Execution) -> (Trace, Vec<usize>) {
    let n = ex.events.len();
    // Each event's successors: the next event on its host, and receives of its messages.
    let mut succs: Vec<Vec<usize>> = vec![Vec::new(); n];
    let mut indeg = vec![0usize; n];
    let mut on_host: Vec<Vec<usize>> = vec![Vec::new(); ex.hosts.len()];
    for (i, e) in ex.events.iter().enumerate() {
        if let Some(l) = on_host.get_mut(e.host) {
            l.push(i);
        }
    }
    for lane in &mut on_host {
        lane.sort_by_key(|&i| (ex.events[i].index, i));
        for w in lane.windows(2) {
            succs[w[0]].push(w[1]);
            indeg[w[1]] += 1;
        }
    }
    for m in &ex.messages {
        if m.send < n && m.receive < n && m.send != m.receive {
            succs[m.send].push(m.receive);
            indeg[m.receive] += 1;
        }
    }
    let mut ready: BTreeSet<usize> = (0..n).filter(|&i| indeg[i] == 0).collect();
    let mut left: BTreeSet<usize> = (0..n).collect();
    let mut order: Vec<usize> = Vec::with_capacity(n);
    while let Some(&first) = left.iter().next() {
        // The earliest logged event that is ready, or, in a cycle, the earliest left.
        let i = ready.iter().next().copied().unwrap_or(first);
        ready.remove(&i);
        left.remove(&i);
        order.push(i);
        for &s in &succs[i] {
            indeg[s] = indeg[s].saturating_sub(1);
            if indeg[s] == 0 && left.contains(&s) {
                ready.insert(s);
            }
        }
    }
    let mut place = vec![0usize; n];
    for (k, &i) in order.iter().enumerate() {
        place[i] = k;
    }
    let mut messages: Vec<Message> = ex
        .messages
        .iter()
        .filter(|m| m.send < n && m.receive < n && place[m.send] < place[m.receive])
        .map(|m| Message {
            send: place[m.send],
            fate: Fate::Received(place[m.receive]),
            kind: "message".into(),
        })
        .collect();
    messages.sort_by_key(|m| m.send);
    let sends: BTreeSet<usize> = messages.iter().map(|m| m.send).collect();
    let receives: BTreeSet<usize> = messages
        .iter()
        .filter_map(|m| match m.fate {
            Fate::Received(r) => Some(r),
            _ => None,
        })
        .collect();
    let events = order
        .iter()
        .enumerate()
        .map(|(k, &i)| Dot {
            lane: ex.events[i].host,
            time_us: k as u64,
            step: 0,
            kind: if receives.contains(&k) {
                EventKind::Receive
            } else if sends.contains(&k) {
                EventKind::Send
            } else {
                EventKind::Local
            },
        })
        .collect();
    (
        Trace {
            lanes: ex.hosts.clone(),
            events,
            messages,
            untimed: true,
        },
        order,
    )
}
