use super::*;
use crate::labs::lab::Run;
use crate::labs::raft::RaftLab;

fn ev(lane: usize, t: u64, kind: EventKind) -> Event {
    Event {
        lane,
        time_us: t,
        step: 0,
        kind,
    }
}

/// P0: a(send m1) b(local); P1: c(recv m1) d(send m2); P2: e(local) f(recv m2).
fn small() -> Trace {
    Trace {
        lanes: vec!["P0".into(), "P1".into(), "P2".into()],
        events: vec![
            ev(0, 1, EventKind::Send),    // 0 a
            ev(2, 2, EventKind::Local),   // 1 e
            ev(0, 3, EventKind::Local),   // 2 b
            ev(1, 4, EventKind::Receive), // 3 c
            ev(1, 5, EventKind::Send),    // 4 d
            ev(2, 6, EventKind::Receive), // 5 f
        ],
        messages: vec![
            Message {
                send: 0,
                fate: Fate::Received(3),
                kind: "m1".into(),
            },
            Message {
                send: 4,
                fate: Fate::Received(5),
                kind: "m2".into(),
            },
        ],
        untimed: false,
    }
}

#[test]
fn happens_before_follows_lanes_and_messages() {
    let t = small();
    let idx = |v: Vec<bool>| {
        v.iter()
            .enumerate()
            .filter(|(_, b)| **b)
            .map(|(i, _)| i)
            .collect::<Vec<_>>()
    };
    // f's past: its lane (e), and through m2: d, c, and through m1: a.
    assert_eq!(idx(t.past(5)), vec![0, 1, 3, 4]);
    // a's future: b on its lane, c d via m1, f via m2.
    assert_eq!(idx(t.future(0)), vec![2, 3, 4, 5]);
    assert_eq!(idx(t.past(0)), Vec::<usize>::new());
    assert_eq!(t.order(0, 5), Order::Before);
    assert_eq!(t.order(5, 0), Order::After);
    assert_eq!(
        t.order(2, 3),
        Order::Concurrent,
        "b and c: nothing links them"
    );
    assert_eq!(t.order(1, 4), Order::Concurrent, "e and d");
    assert_eq!(t.order(3, 3), Order::Same);
    // Out of range asks are empty, not a panic.
    assert!(t.past(99).iter().all(|b| !b));
    assert_eq!(t.order(0, 99), Order::Concurrent);
}

#[test]
fn a_lost_message_orders_nothing() {
    let mut t = small();
    t.messages[0].fate = Fate::Dropped { to: 1, at_us: 4 };
    assert_eq!(t.order(0, 3), Order::Concurrent);
    assert_eq!(t.order(0, 2), Order::Before, "its own lane still orders it");
}

#[test]
fn a_raft_run_draws_every_delivery_as_an_arrow_from_an_earlier_send() {
    let sc = Run::<RaftLab>::scenario_named("leader-crash").expect("scenario");
    let mut run = Run::<RaftLab>::of_scenario(sc);
    run.tl
        .run_until(3_000_000, 20_000)
        .expect("the run advances");
    let t = Trace::of_timeline(&run.tl);
    let w = run.world();
    assert_eq!(t.lanes.len(), w.nodes.len());
    assert_eq!(t.lanes[0], "S1");
    let records = &run.tl.records()[..run.tl.cursor() as usize];
    let delivered = records.iter().filter(|r| r.delivered.is_some()).count();
    let received: Vec<_> = t
        .messages
        .iter()
        .filter_map(|m| {
            if let Fate::Received(r) = m.fate {
                Some((m.send, r))
            } else {
                None
            }
        })
        .collect();
    assert!(
        delivered > 20,
        "a leader crash run delivers messages ({delivered})"
    );
    assert_eq!(received.len(), delivered, "one arrow per delivery");
    for (s, r) in &received {
        assert!(s < r, "a send comes before its receive");
        assert!(t.events[*s].time_us <= t.events[*r].time_us);
        assert_ne!(t.events[*s].lane, t.events[*r].lane);
        assert_eq!(t.events[*r].kind, EventKind::Receive);
        assert_eq!(t.order(*s, *r), Order::Before);
    }
    // Every process step is an event, in step order.
    assert_eq!(
        t.events.len(),
        records.iter().filter(|r| r.actor.is_some()).count()
    );
    assert!(t.events.windows(2).all(|p| p[0].step < p[1].step));
    // What is still travelling at the cursor is drawn too.
    let in_flight = t
        .messages
        .iter()
        .filter(|m| matches!(m.fate, Fate::InFlight { .. }))
        .count();
    assert_eq!(
        in_flight,
        w.in_flight.len(),
        "every message in flight at the cursor"
    );
    // Rewinding draws the earlier run exactly.
    let at_end = t.clone();
    let mut back = run.clone();
    back.tl.seek(run.tl.cursor() / 2);
    let half = Trace::of_timeline(&back.tl);
    assert!(half.events.len() < at_end.events.len());
    assert_eq!(&at_end.events[..half.events.len()], &half.events[..]);
    back.tl.seek(run.tl.cursor());
    assert_eq!(Trace::of_timeline(&back.tl), at_end);
}

#[test]
fn vector_clocks_count_own_steps_and_merge_at_receives() {
    let t = small();
    assert_eq!(
        t.vector_clocks(),
        vec![
            vec![1, 0, 0], // a
            vec![0, 0, 1], // e
            vec![2, 0, 0], // b
            vec![1, 1, 0], // c: a's clock merged
            vec![1, 2, 0], // d
            vec![1, 2, 2], // f: d's clock merged with e's
        ]
    );
}

#[test]
fn vector_clocks_characterise_happens_before_in_a_raft_run() {
    let mut run = Run::<RaftLab>::open(&[("sc".into(), "first-election".into())]).run;
    let _ = run.tl.run_until(3_000_000, 100_000);
    let t = Trace::of_timeline(&run.tl);
    let v = t.vector_clocks();
    let less = |a: &[u64], b: &[u64]| a != b && a.iter().zip(b).all(|(x, y)| x <= y);
    assert!(t.events.len() > 20, "the run should have events");
    for a in 0..t.events.len() {
        let past = t.past(a);
        for b in 0..t.events.len() {
            assert_eq!(less(&v[b], &v[a]), past[b], "events {b} and {a}");
        }
    }
}
