//! The clocks lab's run as a space-time [`Trace`], each event with its
//! stamps, and the stamp a chosen clock gives an event, in words.
//!
//! The kernel's own trace ([`Trace::of_timeline`]) draws steps; this one
//! draws the lab's recorded events, so a receive and the reply it sends in
//! one step are two dots, and each dot can carry any clock's stamp.

use super::event::{Event, EventId, EventKind as Kind, Stamps};
use super::Clocks;
use crate::kernel::World;
use crate::shiviz::ExportEvent;
use crate::spacetime::{Event as Dot, EventKind, Fate, Message, Order, Trace};

/// The clock whose stamps label the events.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shown {
    Wall,
    Lamport,
    Vector,
    Hlc,
    TrueTime,
}

impl Shown {
    pub const ALL: [Shown; 5] = [
        Shown::Wall,
        Shown::Lamport,
        Shown::Vector,
        Shown::Hlc,
        Shown::TrueTime,
    ];
    /// The value in links (`clock=hlc`).
    pub fn key(self) -> &'static str {
        match self {
            Shown::Wall => "wall",
            Shown::Lamport => "lamport",
            Shown::Vector => "vector",
            Shown::Hlc => "hlc",
            Shown::TrueTime => "truetime",
        }
    }
    pub fn parse(s: &str) -> Option<Shown> {
        Shown::ALL.into_iter().find(|c| c.key() == s)
    }
    pub fn label(self) -> &'static str {
        match self {
            Shown::Wall => "Wall clock",
            Shown::Lamport => "Lamport",
            Shown::Vector => "Vector",
            Shown::Hlc => "HLC",
            Shown::TrueTime => "TrueTime",
        }
    }
}

/// `|us|` in ms with one decimal, rounded down ("1.2").
fn ms_digits(us: i64) -> String {
    let a = us.unsigned_abs();
    format!("{}.{}", a / 1000, (a % 1000) / 100)
}

/// A clock reading in ms, for a stamp ("-1.2").
fn ms(us: i64) -> String {
    format!("{}{}", if us < 0 { "-" } else { "" }, ms_digits(us))
}

/// A clock's offset from true time, signed ("+200.0 ms", "−1.2 ms").
pub fn offset_text(us: i64) -> String {
    format!("{}{} ms", if us < 0 { "−" } else { "+" }, ms_digits(us))
}

/// The stamp `clock` gives `e`, short enough to label a dot.
pub fn stamp(s: &Stamps, clock: Shown) -> String {
    match clock {
        Shown::Wall => format!("{} ms", ms(s.wall_us)),
        Shown::Lamport => s.lamport.0.to_string(),
        Shown::Vector => s.vector.text(),
        Shown::Hlc => format!("{},{}", s.hlc.l, s.hlc.c),
        Shown::TrueTime => format!("[{}, {}]", ms(s.tt.earliest_us), ms(s.tt.latest_us)),
    }
}

/// What a clock's stamps say of two events `a` and `b`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Says {
    /// `a` is stamped first.
    Before,
    /// `b` is stamped first.
    After,
    /// The stamps are equal.
    Tie,
    /// Vector stamps neither of which is below the other.
    Concurrent,
    /// TrueTime intervals that overlap: neither can be said to be first.
    Overlap,
}

/// How what a clock says fits what happened.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fit {
    /// It orders causally related events the way causality does.
    Agrees,
    /// It orders causally related events backwards.
    Contradicts,
    /// It cannot tell causally related events apart.
    Unsure,
    /// It orders concurrent events: an order no process could have seen.
    Arbitrary,
    /// It says concurrent events are concurrent (or cannot be ordered).
    Honest,
}

impl Fit {
    /// The verdict in a few words.
    pub fn words(self) -> &'static str {
        match self {
            Fit::Agrees => "agrees with causality",
            Fit::Contradicts => "contradicts causality",
            Fit::Unsure => "cannot order them, though one caused the other",
            Fit::Arbitrary => "orders them, but no message links them: that order is arbitrary",
            Fit::Honest => "rightly does not order them",
        }
    }
}

fn cmp_says(o: std::cmp::Ordering) -> Says {
    match o {
        std::cmp::Ordering::Less => Says::Before,
        std::cmp::Ordering::Greater => Says::After,
        std::cmp::Ordering::Equal => Says::Tie,
    }
}

/// What `clock`'s stamps say of events stamped `x` and `y`.
pub fn says(x: &Stamps, y: &Stamps, clock: Shown) -> Says {
    match clock {
        Shown::Wall => cmp_says(x.wall_us.cmp(&y.wall_us)),
        Shown::Lamport => cmp_says(x.lamport.cmp(&y.lamport)),
        Shown::Hlc => cmp_says(x.hlc.cmp(&y.hlc)),
        Shown::Vector => {
            if x.vector == y.vector {
                Says::Tie
            } else if x.vector.lt(&y.vector) {
                Says::Before
            } else if y.vector.lt(&x.vector) {
                Says::After
            } else {
                Says::Concurrent
            }
        }
        Shown::TrueTime => {
            if x.tt.latest_us < y.tt.earliest_us {
                Says::Before
            } else if y.tt.latest_us < x.tt.earliest_us {
                Says::After
            } else {
                Says::Overlap
            }
        }
    }
}

/// How a clock's verdict on two distinct events fits their causal order.
pub fn fit(says: Says, causal: Order) -> Fit {
    match (causal, says) {
        (Order::Before, Says::Before) | (Order::After, Says::After) => Fit::Agrees,
        (Order::Before, Says::After) | (Order::After, Says::Before) => Fit::Contradicts,
        (Order::Before | Order::After, _) => Fit::Unsure,
        (_, Says::Concurrent | Says::Overlap) => Fit::Honest,
        _ => Fit::Arbitrary,
    }
}

/// The run as a log's events, in the trace's order, each with its
/// process's own vector stamp and a description naming the event.
pub fn log_events(w: &World<Clocks>) -> Vec<ExportEvent> {
    let name = |p: u8| w.proto.proc_name(p);
    trace(w)
        .1
        .iter()
        .map(|e| ExportEvent {
            host: name(e.id.process),
            clock: e.vector_pairs(name),
            description: format!("{} {}", e.id.label(), e.describe()),
        })
        .collect()
}

fn kind_of(k: &Kind) -> &'static str {
    match k {
        Kind::Send { request: true, .. } => "Request",
        Kind::Reply { .. } => "Reply",
        Kind::Write { .. } => "Replicate",
        _ => "Message",
    }
}

/// Every recorded event as a dot in an order that respects causality
/// (true time, but never a receive before its send), and every message as
/// an arrow; the events come back in the dots' order.
pub fn trace(w: &World<Clocks>) -> (Trace, Vec<&Event>) {
    let logs: Vec<&[Event]> = super::logs(w);
    let n = logs.len();
    let lanes = (0..n).map(|p| w.proto.proc_name(p as u8)).collect();
    let mut heads = vec![0usize; n];
    let mut placed: Vec<Vec<Option<usize>>> = logs.iter().map(|l| vec![None; l.len()]).collect();
    let mut order: Vec<&Event> = Vec::new();
    let at = |placed: &Vec<Vec<Option<usize>>>, id: EventId| {
        placed
            .get(id.process as usize)
            .and_then(|v| v.get(id.index as usize))
            .copied()
            .flatten()
    };
    loop {
        let mut best: Option<(bool, u64, usize)> = None;
        for p in 0..n {
            let Some(e) = logs[p].get(heads[p]) else {
                continue;
            };
            // Ready when what it receives has been placed (or is unknown).
            let ready = e.from.is_none_or(|f| {
                at(&placed, f).is_some()
                    || logs
                        .get(f.process as usize)
                        .is_none_or(|l| l.len() <= f.index as usize)
            });
            let key = (!ready, e.true_us, p);
            if best.is_none_or(|b| key < b) {
                best = Some(key);
            }
        }
        let Some((_, _, p)) = best else { break };
        let e = &logs[p][heads[p]];
        placed[p][heads[p]] = Some(order.len());
        order.push(e);
        heads[p] += 1;
    }
    let events = order
        .iter()
        .map(|e| Dot {
            lane: e.id.process as usize,
            time_us: e.true_us,
            step: 0,
            kind: match (&e.kind, e.from.is_some()) {
                (_, true) => EventKind::Receive,
                (k, false) if k.sends() => EventKind::Send,
                _ => EventKind::Local,
            },
        })
        .collect();
    let mut messages = Vec::new();
    // Receives, and which (send, target) pairs arrived.
    let mut arrived: Vec<(EventId, u8)> = Vec::new();
    for (i, e) in order.iter().enumerate() {
        if let Some(f) = e.from {
            if let Some(s) = at(&placed, f) {
                messages.push(Message {
                    send: s,
                    fate: Fate::Received(i),
                    kind: kind_of(&order[s].kind).into(),
                });
                arrived.push((f, e.id.process));
            }
        }
    }
    // Sends that have not arrived: travelling, or lost (looked up sorted:
    // a long run has thousands of receives).
    arrived.sort_unstable();
    for (i, e) in order.iter().enumerate() {
        let targets: Vec<u8> = match &e.kind {
            Kind::Send { to, .. } => to.clone(),
            Kind::Reply { to } => vec![*to],
            Kind::Write { .. } => (0..n as u8).filter(|q| *q != e.id.process).collect(),
            _ => continue,
        };
        for to in targets {
            if arrived.binary_search(&(e.id, to)).is_ok() {
                continue;
            }
            let flying = w
                .in_flight
                .values()
                .find(|m| m.msg.send() == e.id && m.to.0 == to);
            let fate = match flying {
                Some(m) => Fate::InFlight {
                    to: to as usize,
                    arrive_us: m.arrive_us,
                },
                None => Fate::Dropped {
                    to: to as usize,
                    at_us: e.true_us,
                },
            };
            messages.push(Message {
                send: i,
                fate,
                kind: kind_of(&e.kind).into(),
            });
        }
    }
    (
        Trace {
            lanes,
            events,
            messages,
            untimed: false,
        },
        order,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::labs::clocks::event::happens_before;
    use crate::labs::clocks::lab::ClocksLab;
    use crate::labs::lab::Run;
    use crate::spacetime::Order;

    #[test]
    fn every_scenario_draws_causality_as_the_lab_records_it() {
        for (id, run) in every_scenario_at_its_point() {
            let w = run.world();
            let (t, order) = trace(w);
            assert_eq!(
                order.len(),
                super::super::all_events(w).len(),
                "{id}: every event once"
            );
            assert_eq!(t.lanes.len(), w.nodes.len());
            for m in &t.messages {
                if let Fate::Received(r) = m.fate {
                    assert!(m.send < r, "{id}: a receive after its send");
                }
            }
            // The diagram's happens-before is the lab's, on a sample of pairs.
            let logs = super::super::logs(w);
            let k = order.len().min(40);
            for a in 0..k {
                for b in 0..k {
                    let hb = happens_before(&logs, order[a].id, order[b].id);
                    let o = t.order(a, b);
                    assert_eq!(
                        hb,
                        o == Order::Before,
                        "{id}: {} vs {}",
                        order[a].id.label(),
                        order[b].id.label()
                    );
                }
            }
        }
    }

    /// Every scenario run to its pause point (at least 500 ms), by id.
    fn every_scenario_at_its_point() -> Vec<(&'static str, Run<ClocksLab>)> {
        <ClocksLab as crate::labs::Lab>::scenarios()
            .into_iter()
            .map(|sc| {
                let id = sc.id;
                let mut run = Run::<ClocksLab>::of_scenario(sc);
                let _ = run
                    .tl
                    .run_until(run.scenario.pause_ms.max(500) * 1000, 20_000);
                (id, run)
            })
            .collect()
    }

    /// The vectors-expose-concurrency scenario, 2 s in.
    fn concurrency_run() -> Run<ClocksLab> {
        let sc = Run::<ClocksLab>::scenario_named("vectors-expose-concurrency").unwrap();
        let mut run = Run::<ClocksLab>::of_scenario(sc);
        let _ = run.tl.run_until(2_000_000, 20_000);
        run
    }

    #[test]
    fn stamps_read_as_each_clock_writes_them() {
        let run = concurrency_run();
        let (_, order) = trace(run.world());
        let e = order.last().expect("events");
        assert_eq!(
            stamp(&e.stamps, Shown::Lamport),
            e.stamps.lamport.0.to_string()
        );
        assert_eq!(stamp(&e.stamps, Shown::Vector), e.stamps.vector.text());
        assert!(stamp(&e.stamps, Shown::Wall).ends_with(" ms"));
        assert!(stamp(&e.stamps, Shown::TrueTime).starts_with('['));
        for c in Shown::ALL {
            assert_eq!(Shown::parse(c.key()), Some(c));
        }
        assert_eq!(Shown::parse("sundial"), None);
        assert_eq!(ms(-1_250), "-1.2");
        assert_eq!(offset_text(-100_000), "−100.0 ms");
        assert_eq!(offset_text(200_050), "+200.0 ms");
    }

    #[test]
    fn what_each_clock_says_of_two_events_fits_causality_as_the_theory_says() {
        let mut wall_contradicted = false;
        let mut lamport_arbitrary = false;
        for (id, run) in every_scenario_at_its_point() {
            let safe = run.config.safety;
            let (t, order) = trace(run.world());
            let k = order.len().min(40);
            for a in 0..k {
                for b in 0..k {
                    if a == b {
                        continue;
                    }
                    let causal = t.order(a, b);
                    let f = |c| fit(says(&order[a].stamps, &order[b].stamps, c), causal);
                    if safe.vector_max {
                        // Vector clocks characterise causality: always right.
                        assert!(
                            matches!(f(Shown::Vector), Fit::Agrees | Fit::Honest),
                            "{id}: vector {a} {b}"
                        );
                    }
                    if safe.lamport_max && causal != Order::Concurrent {
                        assert_eq!(f(Shown::Lamport), Fit::Agrees, "{id}: Lamport {a} {b}");
                    }
                    if safe.hlc_counter && causal != Order::Concurrent {
                        assert_eq!(f(Shown::Hlc), Fit::Agrees, "{id}: HLC {a} {b}");
                    }
                    // Scalar clocks never say "concurrent".
                    for c in [Shown::Wall, Shown::Lamport, Shown::Hlc] {
                        assert!(!matches!(f(c), Fit::Honest), "{id}: {c:?}");
                    }
                    wall_contradicted |= f(Shown::Wall) == Fit::Contradicts;
                    lamport_arbitrary |= f(Shown::Lamport) == Fit::Arbitrary;
                }
            }
        }
        assert!(
            wall_contradicted,
            "some scenario shows the wall clock ordering an effect before its cause"
        );
        assert!(
            lamport_arbitrary,
            "some scenario shows Lamport ordering concurrent events"
        );
    }

    #[test]
    fn verdicts_on_exact_stamps() {
        use crate::labs::clocks::stamps::{Hlc, Lamport, TtInterval, VClock};
        let run = concurrency_run();
        let (_, order) = trace(run.world());
        let mut a = order[0].clone();
        let mut b = order[0].clone();
        a.stamps.wall_us = 10;
        b.stamps.wall_us = 5;
        a.stamps.lamport = Lamport(3);
        b.stamps.lamport = Lamport(3);
        a.stamps.vector = VClock(vec![1, 0]);
        b.stamps.vector = VClock(vec![0, 1]);
        a.stamps.hlc = Hlc { l: 7, c: 2 };
        b.stamps.hlc = Hlc { l: 7, c: 3 };
        a.stamps.tt = TtInterval {
            earliest_us: 0,
            latest_us: 10,
        };
        b.stamps.tt = TtInterval {
            earliest_us: 10,
            latest_us: 20,
        };
        assert_eq!(says(&a.stamps, &b.stamps, Shown::Wall), Says::After);
        assert_eq!(says(&a.stamps, &b.stamps, Shown::Lamport), Says::Tie);
        assert_eq!(says(&a.stamps, &b.stamps, Shown::Vector), Says::Concurrent);
        assert_eq!(says(&a.stamps, &b.stamps, Shown::Hlc), Says::Before);
        assert_eq!(says(&a.stamps, &b.stamps, Shown::TrueTime), Says::Overlap);
        b.stamps.tt = TtInterval {
            earliest_us: 11,
            latest_us: 20,
        };
        assert_eq!(says(&a.stamps, &b.stamps, Shown::TrueTime), Says::Before);
        assert_eq!(fit(Says::After, Order::Before), Fit::Contradicts);
        assert_eq!(fit(Says::Tie, Order::Before), Fit::Unsure);
        assert_eq!(fit(Says::Overlap, Order::After), Fit::Unsure);
        assert_eq!(fit(Says::Tie, Order::Concurrent), Fit::Arbitrary);
        assert_eq!(fit(Says::Overlap, Order::Concurrent), Fit::Honest);
        assert_eq!(fit(Says::After, Order::After), Fit::Agrees);
    }
}
