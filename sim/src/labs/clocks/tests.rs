//! Tests of the Clocks lab: each clock's rules and each handler's exact
//! effect, the checker against hand-built breaks, properties over random
//! fault schedules, and determinism.

use super::process::settle;
use super::scenarios::{quiet, values};
use super::*;
use crate::kernel::{Effect, Input, SimRng, Who};
use crate::labs::Lab;

// ---- Each clock's update rule ---------------------------------------------

#[test]
fn lamport_ticks_and_jumps_past_the_message_on_receive() {
    assert_eq!(Lamport(4).tick(), Lamport(5));
    assert_eq!(
        Lamport(4).receive(Lamport(9), true),
        Lamport(10),
        "IR2: max(4, 9) + 1"
    );
    assert_eq!(Lamport(12).receive(Lamport(9), true), Lamport(13));
    assert_eq!(
        Lamport(4).receive(Lamport(9), false),
        Lamport(5),
        "the switch off ignores the message"
    );
}

#[test]
fn vector_receive_takes_the_element_wise_max_then_ticks() {
    let v = VClock(vec![2, 0, 5]);
    assert_eq!(v.tick(1), VClock(vec![2, 1, 5]));
    let m = VClock(vec![1, 3, 0]);
    assert_eq!(v.receive(&m, 0, true), VClock(vec![3, 3, 5]));
    assert_eq!(
        v.receive(&m, 0, false),
        VClock(vec![3, 3, 0]),
        "overwriting forgets P3"
    );
    assert!(
        VClock(vec![1, 0]).lt(&VClock(vec![1, 1])) && !VClock(vec![1, 1]).lt(&VClock(vec![1, 1]))
    );
    assert!(VClock(vec![1, 0]).concurrent(&VClock(vec![0, 1])));
    assert!(!VClock(vec![1, 0]).concurrent(&VClock(vec![2, 0])));
    assert_eq!(VClock(vec![2, 0, 1]).text(), "[2,0,1]");
}

#[test]
fn hlc_follows_figure_3_of_the_paper() {
    let h = |l, c| Hlc { l, c };
    // Send or local: the clock moves on, c restarts; the clock stands still, c counts.
    assert_eq!(h(10, 3).tick(12, true), h(12, 0));
    assert_eq!(h(10, 3).tick(10, true), h(10, 4));
    assert_eq!(
        h(10, 3).tick(7, true),
        h(10, 4),
        "a clock behind l: l stays, c counts"
    );
    // Receive: the four cases.
    assert_eq!(
        h(10, 3).receive(h(10, 5), 9, true),
        h(10, 6),
        "l = l' = l_m: max(c, c_m) + 1"
    );
    assert_eq!(
        h(10, 3).receive(h(8, 5), 9, true),
        h(10, 4),
        "l = l': c + 1"
    );
    assert_eq!(
        h(10, 3).receive(h(14, 5), 9, true),
        h(14, 6),
        "l = l_m: c_m + 1"
    );
    assert_eq!(
        h(10, 3).receive(h(14, 5), 20, true),
        h(20, 0),
        "the clock is ahead of both: c = 0"
    );
    // The naive algorithm: l itself is pushed past the clock.
    assert_eq!(h(10, 0).tick(10, false), h(11, 0));
    assert_eq!(h(10, 0).receive(h(14, 0), 9, false), h(15, 0));
    assert_eq!(h(10, 0).tick(30, false), h(30, 0));
    assert!(h(10, 9) < h(11, 0) && h(10, 1) < h(10, 2));
}

#[test]
fn truetime_is_the_clock_plus_or_minus_epsilon() {
    let tt = TtInterval::now(1_000_000, 5_000);
    assert_eq!((tt.earliest_us, tt.latest_us), (995_000, 1_005_000));
    assert!(tt.contains(995_000) && tt.contains(1_005_000) && !tt.contains(1_005_001));
    assert_eq!(stamps::hlc_pt(-1, 1_000), -1, "floored, not truncated");
    assert_eq!(stamps::hlc_pt(1_999, 1_000), 1);
}

// ---- The store's rule ---------------------------------------------------------

fn version(p: u8, i: u32, value: u32, major: i64, vv: Vec<u32>) -> Version {
    Version {
        value,
        writer: EventId {
            process: p,
            index: i,
        },
        ts: Ts {
            major,
            minor: 0,
            process: p,
        },
        vv: VClock(vv),
    }
}

#[test]
fn last_writer_wins_keeps_the_higher_stamp_and_says_what_it_dropped() {
    let mut vs = vec![];
    let a = version(0, 0, 1, 400, vec![1, 0]);
    let b = version(1, 1, 2, 150, vec![1, 2]);
    assert_eq!(
        settle(&mut vs, a.clone(), Lww::Wall),
        KvEffect {
            kept: vec![a.writer],
            discarded: vec![]
        }
    );
    assert_eq!(
        settle(&mut vs, b.clone(), Lww::Wall),
        KvEffect {
            kept: vec![a.writer],
            discarded: vec![b.writer]
        },
        "b is later but stamped lower"
    );
    assert_eq!(
        settle(&mut vs, a.clone(), Lww::Wall).discarded,
        vec![],
        "a duplicate changes nothing"
    );
    let c = version(1, 2, 3, 500, vec![1, 3]);
    assert_eq!(
        settle(&mut vs, c.clone(), Lww::Wall),
        KvEffect {
            kept: vec![c.writer],
            discarded: vec![a.writer]
        }
    );
}

#[test]
fn version_vectors_keep_concurrent_writes_and_replace_dominated_ones() {
    let mut vs = vec![];
    let a = version(0, 0, 1, 400, vec![1, 0, 0]);
    let b = version(2, 0, 3, 100, vec![0, 0, 1]);
    settle(&mut vs, a.clone(), Lww::VersionVectors);
    assert_eq!(
        settle(&mut vs, b.clone(), Lww::VersionVectors).kept,
        vec![a.writer, b.writer],
        "siblings"
    );
    let c = version(1, 2, 2, 0, vec![1, 1, 1]);
    assert_eq!(
        settle(&mut vs, c.clone(), Lww::VersionVectors),
        KvEffect {
            kept: vec![c.writer],
            discarded: vec![a.writer, b.writer]
        }
    );
    assert_eq!(
        settle(&mut vs, a.clone(), Lww::VersionVectors),
        KvEffect {
            kept: vec![c.writer],
            discarded: vec![a.writer]
        },
        "old news"
    );
}

// ---- Handlers, one at a time --------------------------------------------------

fn lab(c: ClocksConfig) -> Clocks {
    Clocks::new(c)
}

fn proc_(l: &Clocks, p: u8) -> Proc {
    Proc::new(l, NodeId(p))
}

/// Runs `f` on `node` at true time `now` with a clock reading `now + offset_us`.
fn run_at<R>(
    node: &mut Proc,
    now: u64,
    offset_us: i64,
    n: usize,
    f: impl FnOnce(&mut Proc, &mut Ctx<'_, Msg, Timer>) -> R,
) -> (R, Vec<Effect<Msg, Timer>>) {
    let mut rng = SimRng::new(1);
    let clock = crate::kernel::Clock::new(ClockSpec {
        offset_us,
        drift_ppm: 0,
    });
    let mut ctx = Ctx::new(now, node.id, &mut rng)
        .with_clock(clock)
        .with_n_nodes(n);
    let r = f(node, &mut ctx);
    (r, ctx.effects)
}

#[test]
fn a_send_records_one_event_with_every_stamp_and_sends_them() {
    let l = lab(ClocksConfig {
        tt_eps_us: 5_000,
        ..quiet(3)
    });
    let mut p = proc_(&l, 0);
    let (_, effects) = run_at(&mut p, 2_500, 1_000, 3, |p, ctx| p.send(&l, ctx, 2, 0));
    let e = &p.events[0];
    assert_eq!(
        (e.id, e.kind.clone(), e.true_us),
        (
            EventId {
                process: 0,
                index: 0
            },
            EventKind::Send {
                to: vec![2],
                request: false
            },
            2_500
        )
    );
    let s = &e.stamps;
    assert_eq!(
        (s.wall_us, s.lamport, s.vector.clone(), s.hlc, s.pt),
        (
            3_500,
            Lamport(1),
            VClock(vec![1, 0, 0]),
            Hlc { l: 3, c: 0 },
            3
        )
    );
    assert_eq!((s.tt.earliest_us, s.tt.latest_us), (-1_500, 8_500));
    assert_eq!(effects.len(), 1);
    let Effect::Send {
        to,
        msg: Msg::Plain {
            send,
            stamps,
            rounds: 0,
        },
        ..
    } = &effects[0]
    else {
        panic!("{effects:?}")
    };
    assert_eq!(
        (*to, *send, stamps.lamport, stamps.wall_us),
        (NodeId(2), e.id, Lamport(1), 3_500)
    );
    // Sending to itself or to no one is refused and records nothing.
    let (note, effects) = run_at(&mut p, 3_000, 0, 3, |p, ctx| p.send(&l, ctx, 0, 0));
    assert!(matches!(note.what, What::Ignored(_)) && effects.is_empty() && p.events.len() == 1);
}

#[test]
fn a_request_is_received_and_answered_in_one_step() {
    let l = lab(quiet(2));
    let mut a = proc_(&l, 0);
    let (_, effects) = run_at(&mut a, 1_000, 0, 2, |p, ctx| p.send(&l, ctx, 1, 1));
    let Effect::Send { msg, .. } = effects[0].clone() else {
        panic!()
    };
    let mut b = proc_(&l, 1);
    let (note, effects) = run_at(&mut b, 11_000, -200_000, 2, |p, ctx| {
        p.on_message(&l, ctx, msg)
    });
    assert!(matches!(&note.what, What::Events(es) if es.len() == 2));
    let (recv, reply) = (&b.events[0], &b.events[1]);
    assert_eq!(
        (recv.kind.clone(), recv.from),
        (
            EventKind::Receive,
            Some(EventId {
                process: 0,
                index: 0
            })
        )
    );
    assert_eq!(
        (recv.stamps.lamport, recv.stamps.vector.clone()),
        (Lamport(2), VClock(vec![1, 1]))
    );
    assert_eq!(recv.stamps.wall_us, -189_000, "200 ms behind");
    assert_eq!(
        recv.stamps.hlc,
        Hlc { l: 1, c: 1 },
        "l is the sender's time: its clock is behind"
    );
    assert_eq!(reply.kind, EventKind::Reply { to: 0 });
    assert_eq!(reply.stamps.lamport, Lamport(3));
    assert!(matches!(
        &effects[..],
        [Effect::Send {
            to: NodeId(0),
            msg: Msg::Reply { rounds: 1, .. },
            ..
        }]
    ));
}

#[test]
fn a_write_is_settled_locally_and_replicated_to_everyone_else() {
    let l = lab(ClocksConfig {
        lww: Lww::Wall,
        ..quiet(3)
    });
    let mut p = proc_(&l, 1);
    let (_, effects) = run_at(&mut p, 5_000, 0, 3, |p, ctx| p.write(&l, ctx, 0, 7));
    assert_eq!(values_of(&p, 0), vec![7]);
    assert_eq!(
        p.events[0].kv,
        Some(KvEffect {
            kept: vec![p.events[0].id],
            discarded: vec![]
        })
    );
    let to: Vec<NodeId> = effects
        .iter()
        .filter_map(|e| {
            if let Effect::Send {
                to,
                msg: Msg::Replicate { key: 0, .. },
                ..
            } = e
            {
                Some(*to)
            } else {
                None
            }
        })
        .collect();
    assert_eq!(to, vec![NodeId(0), NodeId(2)]);
    let Effect::Send {
        msg: Msg::Replicate { version, .. },
        ..
    } = &effects[0]
    else {
        panic!()
    };
    assert_eq!(
        version.ts,
        Ts {
            major: 5_000,
            minor: 0,
            process: 1
        },
        "stamped with the wall clock"
    );
}

fn values_of(p: &Proc, k: u8) -> Vec<u32> {
    p.store
        .get(&k)
        .map(|v| v.iter().map(|x| x.value).collect())
        .unwrap_or_default()
}

#[test]
fn commit_wait_waits_until_earliest_passes_s() {
    let l = lab(ClocksConfig {
        tt_eps_us: 5_000,
        ..quiet(2)
    });
    let mut p = proc_(&l, 0);
    let (_, effects) = run_at(&mut p, 100_000, 4_000, 2, |p, ctx| p.commit(&l, ctx));
    assert_eq!(p.txns[0].s_us, 109_000, "s = local + ε");
    // earliest > s once local − 5 ms > 109 ms: 10.001 ms of local time later.
    assert_eq!(
        effects,
        vec![Effect::SetTimer {
            timer: Timer::CommitWait(0),
            after_us: 10_001
        }]
    );
    let (note, _) = run_at(&mut p, 110_000, 4_000, 2, |p, ctx| {
        p.commit_wait(&l, ctx, 0)
    });
    assert!(
        matches!(
            note.what,
            What::Waiting {
                earliest_us: 109_000,
                ..
            }
        ),
        "a clock stepped back must wait again"
    );
    run_at(&mut p, 110_001, 4_000, 2, |p, ctx| {
        p.commit_wait(&l, ctx, 0)
    });
    assert_eq!(p.txns[0].ack_true_us, Some(110_001));
    assert_eq!(
        p.events.iter().map(|e| e.kind.name()).collect::<Vec<_>>(),
        ["commit-start", "commit-ack"]
    );
    // Without commit wait, the acknowledgement is immediate.
    let l = lab(ClocksConfig {
        safety: Safety {
            commit_wait: false,
            ..Safety::default()
        },
        ..quiet(2)
    });
    let mut p = proc_(&l, 0);
    let (_, effects) = run_at(&mut p, 100_000, 0, 2, |p, ctx| p.commit(&l, ctx));
    assert!(effects.is_empty() && p.txns[0].ack_true_us == Some(100_000));
}

#[test]
fn a_sync_sets_the_wall_clock_within_the_error_bound() {
    let l = lab(ClocksConfig {
        sync_ms: 100,
        sync_err_us: 1_000,
        ..quiet(2)
    });
    let mut p = proc_(&l, 0);
    for t in [1_000_000u64, 2_000_000, 3_000_000] {
        let (note, _) = run_at(&mut p, t, 250_000, 2, |p, ctx| {
            let n = p.sync(&l, ctx);
            let err = p.wall_us(ctx) - t as i64;
            assert!(err.abs() <= 1_000, "{err}");
            n
        });
        assert!(matches!(note.what, What::Synced { .. }));
    }
}

#[test]
fn a_full_log_takes_no_more_part() {
    let l = lab(quiet(2));
    let mut p = proc_(&l, 0);
    for i in 0..EVENTS_MAX as u64 {
        run_at(&mut p, i, 0, 2, |p, ctx| p.local(&l, ctx));
    }
    let (note, effects) = run_at(&mut p, 5_000, 0, 2, |p, ctx| p.send(&l, ctx, 1, 0));
    assert_eq!(
        (note.what, effects.len(), p.events.len()),
        (What::Full, 0, EVENTS_MAX)
    );
}

#[test]
fn commands_round_trip_and_refuse_garbage() {
    use crate::kernel::input::CommandCodec;
    for c in [
        Cmd::Local,
        Cmd::Send { to: 3 },
        Cmd::Request { to: 1, rounds: 1 },
        Cmd::Request { to: 7, rounds: 200 },
        Cmd::Write { key: 3, value: 42 },
        Cmd::Commit,
    ] {
        assert_eq!(Cmd::parse(&c.encode()), Ok(c.clone()), "{}", c.encode());
    }
    for bad in [
        "",
        "send",
        "send-8",
        "req-1-0",
        "req-1-1001",
        "write-4-1",
        "write-0",
        "write-0-x",
        "local-1",
        "nope",
        "send--1",
    ] {
        assert!(Cmd::parse(bad).is_err(), "{bad}");
    }
}

#[test]
fn config_clamps_every_value() {
    let c = ClocksConfig {
        n_procs: 20,
        local_ms: 3,
        latency_us_min: 9_000_000,
        latency_us_max: 9_000_000,
        loss: f64::NAN,
        offset_ms: vec![99_999],
        drift_ppm: vec![-999_999; 12],
        hlc_tick_us: 0,
        ..ClocksConfig::default()
    }
    .clamped();
    assert_eq!(
        (
            c.n_procs,
            c.local_ms,
            c.latency_us_max,
            c.loss,
            c.hlc_tick_us
        ),
        (8, GAP_MS_MIN, LATENCY_US_MAX, 0.0, 1)
    );
    assert_eq!(c.offset_ms, vec![OFFSET_MS_MAX, 0, 0, 0, 0, 0, 0, 0]);
    assert_eq!(c.drift_ppm, vec![-DRIFT_PPM_MAX; 8]);
}

// ---- Happens-before from the recorded structure ------------------------------

fn world(c: ClocksConfig, seed: u64, script: Vec<(u64, Input<Cmd>)>) -> World<Clocks> {
    World::new(Clocks::new(c), seed, script)
}

fn cmd(t_ms: u64, p: u8, c: Cmd) -> (u64, Input<Cmd>) {
    (t_ms * 1000, Input::Command(Who::Id(NodeId(p)), c))
}

fn run_to(w: &mut World<Clocks>, t_us: u64) {
    while w.next_live_event_time().is_some_and(|t| t <= t_us) && w.step(None).is_some() {}
}

#[test]
fn happens_before_follows_process_order_and_messages_only() {
    let mut w = world(
        quiet(3),
        1,
        vec![
            cmd(10, 0, Cmd::Local),
            cmd(20, 0, Cmd::Send { to: 1 }),
            cmd(25, 2, Cmd::Local),
            cmd(40, 1, Cmd::Local),
        ],
    );
    run_to(&mut w, 100_000);
    let logs = logs(&w);
    let id = |p, i| EventId {
        process: p,
        index: i,
    };
    assert!(happens_before(&logs, id(0, 0), id(0, 1)), "process order");
    assert!(
        happens_before(&logs, id(0, 1), id(1, 0)),
        "send before receive"
    );
    assert!(happens_before(&logs, id(0, 0), id(1, 1)), "transitively");
    assert!(
        !happens_before(&logs, id(1, 0), id(0, 1)) && !happens_before(&logs, id(0, 0), id(0, 0)),
        "irreflexive, one way"
    );
    assert!(concurrent(&logs, id(2, 0), id(1, 1)) && concurrent(&logs, id(2, 0), id(0, 0)));
    assert!(
        !concurrent(&logs, id(0, 0), id(1, 1)) && !happens_before(&logs, id(0, 0), id(9, 0)),
        "no such event"
    );
}

// ---- Runs: scenarios, random schedules, determinism ---------------------------

#[test]
fn every_scenario_keeps_its_promise_for_several_seeds() {
    let failures = crate::labs::harness::check_scenarios::<ClocksLab>(&[2, 3, 17]);
    assert!(
        failures.is_empty(),
        "{}",
        failures
            .iter()
            .map(|f| format!("{f}\n{}", f.narration))
            .collect::<Vec<_>>()
            .join("\n\n")
    );
}

#[test]
fn the_lost_update_scenario_is_fixed_by_every_other_store_rule() {
    let sc = ClocksLab::scenarios()
        .into_iter()
        .find(|s| s.id == "lww-lost-update")
        .unwrap();
    for lww in [Lww::Lamport, Lww::Hlc, Lww::VersionVectors] {
        let c = ClocksConfig {
            lww,
            ..sc.proto.config.clone()
        };
        let mut w = world(c, 1, sc.script.clone());
        run_to(&mut w, 300_000);
        assert!(w.violations.is_empty(), "{lww:?}: {:?}", w.violations);
        assert!(
            (0..3).all(|p| values(&w, p, 0) == [2]),
            "{lww:?}: the later write wins"
        );
    }
}

// ---- Properties over random fault schedules -----------------------------------

use crate::labs::harness::{
    hunt, proptest_seeds, thorough, Chaos, Explored, FaultKind, FaultMix, Hunt, Report,
};

fn seeds() -> u64 {
    proptest_seeds(60)
}

/// Every kernel fault, clocks included (steps up to 300 ms, drift up to
/// 5%), half the crashes bouncing.
fn clocks_mix() -> FaultMix {
    FaultMix {
        bounce: 0.5,
        offset_us_max: 300_000,
        drift_ppm_max: 50_000,
        ..FaultMix::default().with_clocks()
    }
}

/// The lab's commands: a random process does a random thing.
fn clocks_commands(rng: &mut SimRng, w: &World<Clocks>) -> Option<Input<Cmd>> {
    let n = w.proto.n_procs() as u64;
    let p = rng.range_u64(0, n - 1) as u8;
    let other = ((p as u64 + 1 + rng.range_u64(0, n - 2)) % n) as u8;
    let c = match rng.range_u64(0, 5) {
        0 => Cmd::Local,
        1 => Cmd::Send { to: other },
        2 => Cmd::Request {
            to: other,
            rounds: rng.range_u64(1, 3) as u32,
        },
        3 | 4 => Cmd::Write {
            key: rng.range_u64(0, w.proto.config.n_keys as u64 - 1) as u8,
            value: rng.range_u64(1, 99) as u32,
        },
        _ => Cmd::Commit,
    };
    Some(Input::Command(Who::Id(NodeId(p)), c))
}

fn chaos_config(seed: u64, safety: Safety) -> ClocksConfig {
    let mut r = SimRng::new(seed ^ 0xc10c);
    let n = 2 + (seed % 4) as u8;
    ClocksConfig {
        n_procs: n,
        local_ms: 60,
        send_ms: 30,
        write_ms: 80,
        txn_ms: 100,
        latency_us_min: 1_000,
        latency_us_max: 20_000,
        loss: if seed % 4 == 1 { 0.1 } else { 0.0 },
        duplicate: if seed % 5 == 2 { 0.1 } else { 0.0 },
        offset_ms: (0..n).map(|_| r.range_u64(0, 100) as i64 - 50).collect(),
        drift_ppm: (0..n)
            .map(|_| r.range_u64(0, 2_000) as i64 - 1_000)
            .collect(),
        sync_ms: if seed % 3 == 0 { 200 } else { 0 },
        hlc_tick_us: [1, 1_000, 10_000][(seed % 3) as usize],
        lww: [Lww::Lamport, Lww::Hlc, Lww::VersionVectors][(seed / 4 % 3) as usize],
        safety,
        ..ClocksConfig::default()
    }
}

fn chaos(c: ClocksConfig, mix: FaultMix, seed: u64, steps: u64) -> (World<Clocks>, Report) {
    let mut w = World::new(Clocks::new(c), seed, vec![]);
    let report = Chaos::new(mix, seed, 0.05)
        .with_commands(4, clocks_commands)
        .run(&mut w, steps);
    (w, report)
}

/// TrueTime's own promise is the environment's, not the protocol's: clock
/// faults beyond ε break it, and the schedules are meant to.
const ENVIRONMENT: &[&str] = &["TrueTime interval holds"];

#[test]
fn property_no_invariant_breaks_with_every_rule_on() {
    let mut explored = Explored::default();
    let mut tt_broken = 0;
    for seed in 0..seeds() {
        let (w, report) = chaos(
            chaos_config(seed, Safety::default()),
            clocks_mix(),
            seed,
            2_000,
        );
        let bad: Vec<_> = report
            .violations
            .iter()
            .filter(|v| !ENVIRONMENT.contains(&v.invariant))
            .collect();
        assert!(bad.is_empty(), "seed {seed}: {:?}", bad[0]);
        tt_broken += report.broke("TrueTime interval holds") as u32;
        // The checker's account of causality is the pure function's, and
        // correct vector clocks are exactly the causal frontiers.
        let logs = logs(&w);
        let mut r = SimRng::new(seed);
        let all: Vec<EventId> = logs.iter().flat_map(|l| l.iter().map(|e| e.id)).collect();
        for e in &all {
            assert_eq!(
                w.checker.frontier_of(*e),
                Some(&event::event(&logs, *e).unwrap().stamps.vector),
                "seed {seed}: {}",
                e.label()
            );
        }
        for _ in 0..200.min(all.len() * all.len()) {
            let a = all[r.range_u64(0, all.len() as u64 - 1) as usize];
            let b = all[r.range_u64(0, all.len() as u64 - 1) as usize];
            assert_eq!(
                happens_before(&logs, a, b),
                w.checker.before(a, b),
                "seed {seed}: {} → {}",
                a.label(),
                b.label()
            );
        }
        explored.merge(&report.explored);
    }
    let mix = clocks_mix();
    let missing: Vec<FaultKind> = FaultKind::ALL
        .into_iter()
        .filter(|k| mix.weight(*k) > 0 && explored.count(*k) == 0)
        .collect();
    if seeds() >= 20 {
        assert!(missing.is_empty(), "never drawn: {missing:?} ({explored})");
        assert!(explored.commands > 0 && explored.bounces > 0, "{explored}");
    }
    eprintln!("clocks chaos, every rule on: {explored}; TrueTime's own promise broken by clock faults in {tt_broken} of {} runs", seeds());
}

/// Wall-clock last-writer-wins under the same schedules: the only
/// invariant it adds to the environment's is "No lost update".
#[test]
fn property_wall_clock_lww_loses_updates_and_breaks_nothing_else() {
    let mut lost = 0;
    for seed in 0..seeds() {
        let c = ClocksConfig {
            lww: Lww::Wall,
            ..chaos_config(seed, Safety::default())
        };
        let (_, report) = chaos(c, clocks_mix(), seed, 2_000);
        let bad: Vec<_> = report
            .violations
            .iter()
            .filter(|v| !ENVIRONMENT.contains(&v.invariant) && v.invariant != "No lost update")
            .collect();
        assert!(bad.is_empty(), "seed {seed}: {:?}", bad[0]);
        lost += report.broke("No lost update") as u32;
    }
    eprintln!(
        "clocks chaos, wall-clock LWW: a lost update in {lost} of {} runs",
        seeds()
    );
    assert!(
        lost > 0 || seeds() < 10,
        "wall-clock LWW never lost an update"
    );
}

/// Searches seeds for a schedule that breaks `invariant` with `c`'s switch
/// off. With `DSVIZ_PROPTEST_SEEDS` set, every seed is tried, to report how often.
fn finds(invariant: &str, mix: FaultMix, config: impl Fn(u64) -> ClocksConfig) -> Hunt {
    hunt(0..seeds().max(2_000), thorough(), |seed| {
        chaos(config(seed), mix.clone(), seed, 1_500)
            .1
            .broke(invariant)
    })
}

#[test]
fn property_each_switch_off_breaks_its_invariant() {
    let off = |f: fn(&mut Safety)| {
        let mut s = Safety::default();
        f(&mut s);
        s
    };
    // Commit wait matters only while TrueTime holds: small offsets, no clock faults.
    let tt_mix = FaultMix {
        bounce: 0.5,
        ..FaultMix::default()
    };
    type ConfigOf = Box<dyn Fn(u64) -> ClocksConfig>;
    let cases: Vec<(&str, FaultMix, ConfigOf)> = vec![
        (
            "Lamport clock condition",
            clocks_mix(),
            Box::new(move |s| chaos_config(s, off(|x| x.lamport_max = false))),
        ),
        (
            "Vectors characterise causality",
            clocks_mix(),
            Box::new(move |s| ClocksConfig {
                n_procs: 3 + (s % 3) as u8,
                ..chaos_config(s, off(|x| x.vector_max = false))
            }),
        ),
        (
            "HLC stays close to physical time",
            clocks_mix(),
            Box::new(move |s| chaos_config(s, off(|x| x.hlc_counter = false))),
        ),
        (
            "External consistency",
            tt_mix,
            Box::new(move |s| {
                let n = 2 + (s % 3) as u8;
                let mut r = SimRng::new(s);
                ClocksConfig {
                    txn_ms: 20,
                    tt_eps_us: 5_000,
                    offset_ms: (0..n).map(|_| r.range_u64(0, 8) as i64 - 4).collect(),
                    drift_ppm: vec![0; n as usize],
                    sync_ms: 0,
                    ..chaos_config(s, off(|x| x.commit_wait = false))
                }
            }),
        ),
    ];
    for (invariant, mix, config) in cases {
        let found = finds(invariant, mix, config);
        eprintln!("clocks, {invariant} with its switch off: {found}");
        assert!(found.first().is_some(), "{invariant} never broke ({found})");
    }
}

#[test]
fn the_same_seed_and_schedule_give_the_same_trace() {
    let run = |seed: u64| {
        let mut t = crate::kernel::Timeline::new(World::new(
            Clocks::new(chaos_config(seed, Safety::default())),
            seed,
            vec![],
        ));
        Chaos::new(clocks_mix(), seed, 0.05)
            .with_commands(4, clocks_commands)
            .run_timeline(&mut t, 1_000);
        (t.trace_hash(), format!("{:?}", t.world().nodes))
    };
    for seed in [3, 8] {
        assert_eq!(run(seed), run(seed), "seed {seed}");
    }
    assert_ne!(run(3).0, run(8).0);
}

#[test]
fn a_chaos_timeline_steps_back_and_forward_to_the_same_state() {
    let seed = 5;
    let mut t = crate::kernel::Timeline::new(World::new(
        Clocks::new(chaos_config(seed, Safety::default())),
        seed,
        vec![],
    ));
    Chaos::new(clocks_mix(), seed, 0.05)
        .with_commands(4, clocks_commands)
        .run_timeline(&mut t, 700);
    let end = t.cursor();
    let at_end = format!(
        "{:?} {:?} {:?}",
        t.world().nodes,
        t.world().checker.frontier,
        t.world().violations
    );
    t.seek(end / 3);
    t.seek(end);
    assert_eq!(
        format!(
            "{:?} {:?} {:?}",
            t.world().nodes,
            t.world().checker.frontier,
            t.world().violations
        ),
        at_end
    );
}

// ---- Experiments ----------------------------------------------------------------

#[test]
fn experiments_run_in_slices_to_the_same_output_and_match_the_papers() {
    use crate::labs::experiment::{read_args, Experiment};
    for e in experiment::ALL {
        let info = e.info();
        let args = read_args(info, &[("trials".into(), "2".into())]).unwrap();
        let mut run = e.start(&args).unwrap();
        while !run.run_some(3) {}
        assert_eq!(run.output(), e.run_all(&args).unwrap(), "{}", info.name);
        assert!(run
            .output()
            .json
            .starts_with(&format!("{{\"experiment\":\"{}\"", info.name)));
    }
    // Commit wait costs 2ε (and a microsecond); without it, nothing.
    let args = read_args(
        &experiment::COMMIT_INFO,
        &[("trials".into(), "2".into()), ("eps".into(), "1,7".into())],
    )
    .unwrap();
    let json = experiment::CommitWait.run_all(&args).unwrap().json;
    assert!(
        json.contains("\"latency_ms_wait\":2.001")
            && json.contains("\"latency_ms_wait\":14.001")
            && json.contains("\"broken_runs_wait\":0.0"),
        "{json}"
    );
}
