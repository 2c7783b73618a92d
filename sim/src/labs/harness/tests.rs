//! The harnesses are tests' tests, so each claim they make is checked
//! here with a way to fail: the generator draws every kind it is given
//! and no other, only where it means something, within its bounds; drops
//! pick any message; partitions make more than two groups; protected
//! nodes are never named; a chaos run is the same for the same seed, on a
//! world or a timeline, and replays from its injections; the counters add
//! up; the scenario check reports a broken promise with its seed.

use super::*;
use crate::kernel::{Input, NetConfig, Network, NodeId, Protocol, SimRng, Timeline, Who, World};
use crate::labs::lab::Lab;
use crate::labs::raft::{Cmd, Raft, RaftConfig, RaftLab};
use crate::labs::register::{Mode, Register, RegisterConfig};
use std::collections::BTreeMap;

fn raft(n: u8, duplicate: f64) -> Raft {
    Raft::new(RaftConfig {
        n_servers: n,
        election_timeout_ms_min: 50,
        election_timeout_ms_max: 100,
        heartbeat_ms: 20,
        latency_us_min: 1_000,
        latency_us_max: 30_000,
        duplicate,
        ..RaftConfig::default()
    })
}

/// A client submit now and then, so messages stay in flight.
fn submits(rng: &mut SimRng, w: &World<Raft>) -> Option<Input<Cmd>> {
    Some(Input::Command(
        Who::Id(w.proto.client_id()),
        Cmd::Submit {
            value: rng.range_u64(1, 99) as u32,
            to: None,
        },
    ))
}

/// Steps `w` by hand for `steps` steps with `chaos`, handing each input
/// (with the world it was drawn for) to `seen`, and returns the world.
fn drawn<P: Protocol>(
    mut w: World<P>,
    chaos: &mut Chaos<'_, P>,
    steps: u64,
    mut seen: impl FnMut(&World<P>, &Input<P::Command>),
) -> World<P> {
    for _ in 0..steps {
        let input = chaos.next_input(&w);
        if let Some(i) = &input {
            seen(&w, i);
        }
        if w.step(input.as_ref()).is_none() {
            break;
        }
    }
    w
}

/// How many of each fault kind `mix` drew over `seeds` runs of Raft.
fn kinds_drawn(mix: FaultMix, duplicate: f64, seeds: u64) -> BTreeMap<FaultKind, u64> {
    let mut counts = BTreeMap::new();
    for seed in 0..seeds {
        let mut chaos = Chaos::new(mix.clone(), seed, 0.1).with_commands(2, submits);
        drawn(
            World::new(raft(5, duplicate), seed, vec![]),
            &mut chaos,
            2_000,
            |_, i| {
                if let Some(k) = FaultKind::of(i) {
                    *counts.entry(k).or_insert(0) += 1;
                }
            },
        );
    }
    counts
}

#[test]
fn every_configured_kind_is_drawn_and_no_other() {
    let all = kinds_drawn(
        FaultMix::default()
            .with_clocks()
            .with(FaultKind::Restart, 3),
        0.1,
        6,
    );
    for k in FaultKind::ALL {
        assert!(
            all.get(&k).copied().unwrap_or(0) > 0,
            "{k} never drawn: {all:?}"
        );
    }
    let no_clocks = kinds_drawn(FaultMix::default(), 0.1, 6);
    assert!(
        no_clocks.keys().all(|k| !FaultKind::CLOCKS.contains(k)),
        "clock faults without clocks: {no_clocks:?}"
    );
    assert_eq!(no_clocks.len(), FaultKind::COUNT - 2);
    let few = FaultMix::none()
        .with(FaultKind::Crash, 1)
        .with(FaultKind::Restart, 1)
        .with(FaultKind::Drop, 2);
    let few = kinds_drawn(few, 0.1, 6);
    assert_eq!(
        few.keys().copied().collect::<Vec<_>>(),
        vec![FaultKind::Crash, FaultKind::Restart, FaultKind::Drop]
    );
    assert!(
        few[&FaultKind::Drop] > few[&FaultKind::Crash],
        "weights matter: {few:?}"
    );
    assert!(kinds_drawn(FaultMix::none(), 0.1, 2).is_empty());
}

#[test]
fn duplicates_only_where_the_network_duplicates() {
    let mix = FaultMix::none()
        .with(FaultKind::Duplicate, 1)
        .with(FaultKind::Drop, 1);
    assert_eq!(
        kinds_drawn(mix.clone(), 0.0, 4).get(&FaultKind::Duplicate),
        None,
        "Raft without duplication"
    );
    assert!(kinds_drawn(mix.clone(), 0.05, 4)
        .get(&FaultKind::Duplicate)
        .is_some_and(|n| *n > 10));
    // The register's network never duplicates.
    let reg = Register::new(RegisterConfig {
        auto_ms: 30,
        ..RegisterConfig::default()
    });
    let mut chaos = Chaos::new(mix, 3, 0.2);
    let mut kinds = Vec::new();
    drawn(World::new(reg, 3, vec![]), &mut chaos, 3_000, |_, i| {
        kinds.push(FaultKind::of(i))
    });
    assert!(
        kinds.contains(&Some(FaultKind::Drop)) && !kinds.contains(&Some(FaultKind::Duplicate)),
        "{kinds:?}"
    );
}

/// Every fault means something where it lands: crashes and pauses name
/// nodes that are up, restarts nodes that are down, heals a split
/// network, drops and duplicates messages in flight; and any message, not
/// only the oldest.
#[test]
fn faults_are_meaningful_and_drops_pick_any_message() {
    let mut positions: BTreeMap<&str, u64> = BTreeMap::new();
    let mut n = 0;
    for seed in 0..4 {
        let mut chaos = Chaos::new(
            FaultMix::default().with_clocks().with(FaultKind::Drop, 4),
            seed,
            0.1,
        )
        .with_commands(2, submits);
        drawn(
            World::new(raft(5, 0.1), seed, vec![]),
            &mut chaos,
            3_000,
            |w, i| {
                let up = |who: &Who| matches!(who, Who::Id(id) if w.is_up(*id));
                match i {
                    Input::Crash(who) | Input::Pause(who, _) => {
                        assert!(up(who), "seed {seed}: {i:?} names a node that is down")
                    }
                    Input::Restart(who) => {
                        assert!(!up(who), "seed {seed}: {i:?} names a node that is up")
                    }
                    Input::Heal => assert!(
                        w.net.is_partitioned(),
                        "seed {seed}: heal of a whole network"
                    ),
                    Input::Duplicate(id) => assert!(w.in_flight.contains_key(id)),
                    Input::Drop(id) => {
                        let keys: Vec<u64> = w.in_flight.keys().copied().collect();
                        let at = keys
                            .iter()
                            .position(|k| k == id)
                            .expect("a drop names a message in flight");
                        n += 1;
                        if keys.len() >= 3 {
                            let place = if at == 0 {
                                "first"
                            } else if at + 1 == keys.len() {
                                "last"
                            } else {
                                "middle"
                            };
                            *positions.entry(place).or_insert(0) += 1;
                        }
                    }
                    _ => {}
                }
            },
        );
    }
    assert!(n > 50, "{n} drops");
    for place in ["first", "middle", "last"] {
        assert!(
            positions.get(place).is_some_and(|k| *k > 0),
            "no drop of the {place} message: {positions:?}"
        );
    }
    assert!(
        positions["middle"] > positions["first"],
        "drops favour the oldest message: {positions:?}"
    );
}

/// The groups a partition input makes, counting only the faultable nodes.
fn groups_among(
    input: &[Vec<NodeId>],
    n_nodes: usize,
    faultable: impl Fn(NodeId) -> bool,
) -> usize {
    let mut net = Network::new(n_nodes, NetConfig::default());
    net.partition(input);
    let groups = net.groups();
    groups
        .iter()
        .filter(|g| g.iter().any(|n| faultable(*n)))
        .count()
}

#[test]
fn partitions_make_two_to_groups_max_groups_and_spare_protected_nodes() {
    let r = raft(9, 0.0);
    let client = r.client_id();
    let mix = FaultMix {
        groups_max: 4,
        ..FaultMix::none().with(FaultKind::Partition, 1)
    };
    let mut by_groups: BTreeMap<usize, u64> = BTreeMap::new();
    let mut rng = SimRng::new(11);
    let w = World::new(r, 1, vec![]);
    for _ in 0..400 {
        let f = draw_fault(&mix, &mut rng, &w).unwrap();
        let Input::Partition(groups) = f.input else {
            panic!("{:?}", f.input)
        };
        assert!(
            groups.iter().flatten().all(|n| *n != client),
            "the client is protected: {groups:?}"
        );
        assert!(groups.iter().all(|g| !g.is_empty()));
        *by_groups
            .entry(groups_among(&groups, w.nodes.len(), |n| n != client))
            .or_insert(0) += 1;
    }
    assert_eq!(
        by_groups.keys().copied().collect::<Vec<_>>(),
        vec![2, 3, 4],
        "{by_groups:?}"
    );
    // Two faultable nodes can still be split.
    let mut tiny = World::new(raft(3, 0.0), 1, vec![]);
    tiny.step(Some(&Input::Crash(Who::Id(NodeId(0)))));
    let two = FaultMix {
        targets: Some(vec![NodeId(1), NodeId(2)]),
        ..mix
    };
    let f = draw_fault(&two, &mut rng, &tiny).unwrap();
    assert!(
        matches!(f.input, Input::Partition(ref g) if !g.is_empty()),
        "{:?}",
        f.input
    );
}

#[test]
fn node_faults_name_only_targets_and_network_faults_only_faultable_nodes() {
    // The register's clients can be partitioned but, with replicas as
    // targets, are never crashed, paused, slowed or isolated.
    let reg = Register::new(RegisterConfig {
        mode: Mode::Cp,
        auto_ms: 30,
        ..RegisterConfig::default()
    });
    let replicas: Vec<NodeId> = reg.replica_ids().collect();
    let clients: Vec<NodeId> = (0..reg.n_clients() as u8)
        .map(|c| reg.client_node(c))
        .collect();
    let mut chaos = Chaos::new(
        FaultMix::default().with_clocks().targets(replicas.clone()),
        5,
        0.2,
    );
    let mut clients_split = 0;
    drawn(
        World::new(reg, 5, vec![]),
        &mut chaos,
        4_000,
        |_, i| match i {
            Input::Crash(Who::Id(n))
            | Input::Restart(Who::Id(n))
            | Input::Isolate(Who::Id(n))
            | Input::Slow(Who::Id(n), _)
            | Input::Pause(Who::Id(n), _)
            | Input::ClockOffset(Who::Id(n), _)
            | Input::ClockDrift(Who::Id(n), _) => {
                assert!(replicas.contains(n), "{i:?} names a client")
            }
            Input::Partition(gs) => {
                clients_split += gs.iter().flatten().any(|n| clients.contains(n)) as u32
            }
            _ => {}
        },
    );
    assert!(
        clients_split > 0,
        "clients are faultable, so partitions name them"
    );
    // Raft's client is not faultable: nothing names it.
    let r = raft(5, 0.1);
    let client = r.client_id();
    let mut chaos = Chaos::new(FaultMix::default().with_clocks(), 5, 0.2).with_commands(1, submits);
    drawn(World::new(r, 5, vec![]), &mut chaos, 4_000, |_, i| {
        let names = match i {
            Input::Crash(Who::Id(n))
            | Input::Restart(Who::Id(n))
            | Input::Isolate(Who::Id(n))
            | Input::Slow(Who::Id(n), _)
            | Input::Pause(Who::Id(n), _)
            | Input::ClockOffset(Who::Id(n), _)
            | Input::ClockDrift(Who::Id(n), _) => vec![*n],
            Input::Partition(gs) => gs.iter().flatten().copied().collect(),
            Input::Cut(a, b) | Input::LinkLatency(a, b, ..) => vec![*a, *b],
            _ => vec![],
        };
        assert!(!names.contains(&client), "{i:?} names the client");
    });
}

#[test]
fn a_leader_bias_aims_node_faults_at_the_leader() {
    let mix = FaultMix {
        leader_bias: 1.0,
        ..FaultMix::none()
            .with(FaultKind::Crash, 1)
            .with(FaultKind::Restart, 1)
    };
    let (mut at_leader, mut crashes) = (0, 0);
    for seed in 0..4 {
        let mut chaos = Chaos::new(mix.clone(), seed, 0.02);
        drawn(
            World::new(raft(5, 0.0), seed, vec![]),
            &mut chaos,
            3_000,
            |w, i| {
                if let (Input::Crash(Who::Id(n)), Some(l)) = (i, w.proto.leader(&w.nodes, &w.net)) {
                    crashes += 1;
                    at_leader += (*n == l) as u32;
                }
            },
        );
    }
    assert!(
        crashes > 5 && at_leader == crashes,
        "{at_leader} of {crashes} crashes with a leader hit it"
    );
    let unbiased = kinds_drawn(FaultMix::none().with(FaultKind::Crash, 1), 0.0, 1);
    assert!(unbiased[&FaultKind::Crash] > 0);
}

#[test]
fn values_stay_within_the_mix_and_sometimes_restore_normal() {
    let mix = FaultMix {
        slow_max: 6,
        pause_us_max: 50_000,
        latency_factor_max: 4,
        offset_us_max: 9_000,
        drift_ppm_max: 700,
        ..FaultMix::default().with_clocks()
    };
    let (mut normal_speed, mut normal_link, mut true_time, mut true_rate) = (0, 0, 0, 0);
    let mut seen = 0;
    for seed in 0..4 {
        let mut chaos = Chaos::new(mix.clone(), seed, 0.2).with_commands(1, submits);
        drawn(
            World::new(raft(5, 0.0), seed, vec![]),
            &mut chaos,
            3_000,
            |w, i| {
                seen += 1;
                match *i {
                    Input::Slow(_, f) => {
                        assert!((1..=6).contains(&f), "{i:?}");
                        normal_speed += (f == 1) as u32;
                    }
                    Input::Pause(_, us) => assert!((1..=50_000).contains(&us), "{i:?}"),
                    Input::LinkLatency(_, _, lo, hi) => {
                        let (dlo, dhi) = (w.net.config.latency_us_min, w.net.config.latency_us_max);
                        assert!(lo <= hi && hi <= 4 * dhi && lo >= dlo, "{i:?}");
                        normal_link += ((lo, hi) == (dlo, dhi)) as u32;
                    }
                    Input::ClockOffset(_, us) => {
                        assert!(us.abs() <= 9_000, "{i:?}");
                        true_time += (us == 0) as u32;
                    }
                    Input::ClockDrift(_, ppm) => {
                        assert!(ppm.abs() <= 700, "{i:?}");
                        true_rate += (ppm == 0) as u32;
                    }
                    _ => {}
                }
            },
        );
    }
    assert!(seen > 500, "{seen} inputs");
    assert!(
        normal_speed > 0 && normal_link > 0 && true_time > 0 && true_rate > 0,
        "{normal_speed} {normal_link} {true_time} {true_rate}"
    );
    // Out-of-range bounds are clamped to the kernel's.
    let wild = FaultMix {
        slow_max: 200,
        pause_us_max: u64::MAX,
        groups_max: 99,
        leader_bias: f64::NAN,
        ..FaultMix::default()
    }
    .clamped();
    assert_eq!(
        (
            wild.slow_max,
            wild.pause_us_max,
            wild.groups_max,
            wild.leader_bias
        ),
        (
            20,
            crate::kernel::world::PAUSE_US_MAX,
            faults::GROUPS_MAX,
            0.0
        )
    );
}

fn raft_chaos<'h>(seed: u64) -> Chaos<'h, Raft> {
    let mix = FaultMix {
        bounce: 0.5,
        leader_bias: 0.3,
        ..FaultMix::default().with_clocks()
    };
    Chaos::new(mix, seed, 0.05).with_commands(2, submits)
}

#[test]
fn chaos_runs_are_deterministic_for_a_seed() {
    let run = |seed: u64| {
        let mut w = World::new(raft(5, 0.1), seed, vec![]);
        let mut trace = Vec::new();
        let report = raft_chaos(seed).run_observed(&mut w, 2_000, |w, rec| {
            trace.push(format!("{} {}", rec.time_us, w.narrate(&rec.note)))
        });
        (report, trace)
    };
    let (a, trace_a) = run(4);
    let (b, trace_b) = run(4);
    assert_eq!(a, b);
    assert_eq!(trace_a, trace_b);
    let (c, trace_c) = run(5);
    assert_ne!(trace_a, trace_c, "the seed must matter");
    assert_ne!(a.explored, c.explored);
}

#[test]
fn a_timeline_run_is_the_world_run_and_replays_from_its_injections() {
    let seed = 8;
    let mut w = World::new(raft(5, 0.1), seed, vec![]);
    let on_world = raft_chaos(seed).run(&mut w, 2_500);
    let mut t = Timeline::new(World::new(raft(5, 0.1), seed, vec![]));
    let on_timeline = raft_chaos(seed).run_timeline(&mut t, 2_500);
    assert_eq!(on_world, on_timeline);
    assert_eq!(t.cursor(), w.step);
    assert_eq!(format!("{:?}", t.world().nodes), format!("{:?}", w.nodes));
    let injected = t.injections().len() as u64;
    assert_eq!(
        injected,
        on_timeline.explored.n_faults() + on_timeline.explored.commands
    );
    // As a link would: the same world and the injections rebuild the run.
    let mut replay = Timeline::with_injections(
        World::new(raft(5, 0.1), seed, vec![]),
        t.injections().to_vec(),
    );
    replay.seek(t.cursor());
    assert_eq!(replay.trace_hash(), t.trace_hash());
    assert_eq!(
        format!("{:?}", replay.world().nodes),
        format!("{:?}", t.world().nodes)
    );
}

#[test]
fn the_counters_add_up_to_what_was_injected() {
    let mut totals = Explored::default();
    for seed in 0..4 {
        let mut w = World::new(raft(5, 0.1), seed, vec![]);
        let (mut injected, mut skipped) = (0, 0);
        let report = raft_chaos(seed).run_observed(&mut w, 3_000, |_, rec| {
            injected += rec.injected as u64;
            skipped += matches!(rec.note, crate::kernel::Note::Skipped(_)) as u64;
        });
        let ex = &report.explored;
        assert_eq!(ex.steps, 3_000);
        assert_eq!(ex.n_faults() + ex.commands, injected, "seed {seed}: {ex}");
        assert!(
            ex.skipped <= skipped
                && ex.bounces <= ex.count(FaultKind::Restart)
                && ex.bounces <= ex.count(FaultKind::Crash)
        );
        let splits: u64 = ex.splits_by_groups.values().sum();
        assert!(splits <= ex.count(FaultKind::Partition) + ex.count(FaultKind::Isolate));
        assert_eq!(report.violations, w.violations, "all safety rules are on");
        totals.merge(ex);
    }
    assert_eq!(totals.steps, 12_000);
    assert!(totals.bounces > 0 && totals.groups_max() >= 3, "{totals}");
    assert!(totals.to_string().starts_with("12000 steps, "), "{totals}");
}

#[test]
fn an_idle_world_asks_the_hook_and_ends_when_it_has_nothing() {
    let quiet = || {
        Register::new(RegisterConfig {
            mode: Mode::Cp,
            auto_ms: 0,
            ae_ms: 0,
            ..RegisterConfig::default()
        })
    };
    // No hook: the run ends as soon as nothing is left to happen.
    let mut w = World::new(quiet(), 1, vec![]);
    let report = Chaos::new(FaultMix::none(), 1, 0.0).run(&mut w, 10_000);
    assert_eq!(report.explored.ended_early, 1);
    assert!(report.explored.steps < 10_000);
    // A hook with three writes in it: asked only when the world is idle
    // (the rate is 0), then the run ends.
    let mut w = World::new(quiet(), 1, vec![]);
    let mut left = 3;
    let client = w.proto.client_node(0);
    let mut chaos = Chaos::new(FaultMix::none(), 1, 0.0).with_commands(1, move |_, _| {
        (left > 0).then(|| {
            left -= 1;
            Input::Command(
                Who::Id(client),
                crate::labs::register::Cmd::Write {
                    value: left + 1,
                    via: None,
                },
            )
        })
    });
    let report = chaos.run(&mut w, 10_000);
    assert_eq!(
        (report.explored.commands, report.explored.ended_early),
        (3, 1),
        "{}",
        report.explored
    );
    let ops = w.nodes[client.idx()].client().unwrap().ops.len();
    assert_eq!(
        ops, 3,
        "each write ran to completion before the next was asked for"
    );
}

#[test]
fn calm_undoes_every_fault_but_a_pause() {
    let mut w = World::new(raft(5, 0.1), 2, vec![]);
    assert!(calm(&w).is_empty(), "a fresh world is calm");
    let mix = FaultMix {
        pause_us_max: 30_000,
        ..FaultMix::default().with_clocks().with(FaultKind::Heal, 0)
    };
    let mut chaos = Chaos::new(mix, 2, 0.3);
    chaos.run(&mut w, 300);
    let inputs = calm(&w);
    assert!(
        inputs.len() >= 4,
        "the schedule left too little to undo: {inputs:?}"
    );
    for i in &inputs {
        w.step(Some(i));
    }
    assert!(!w.net.is_partitioned());
    assert!(w.net.up.iter().all(|u| *u) && w.net.slow.iter().all(|s| *s == 1));
    let def = (w.net.config.latency_us_min, w.net.config.latency_us_max);
    assert!(w.net.link_latency.values().all(|r| *r == def));
    assert!(w
        .clocks
        .iter()
        .all(|c| c.drift_ppm() == 0 && c.offset_us(w.now) == 0));
    assert!(calm(&w).is_empty(), "{:?}", calm(&w));
    if let Some(end) = pauses_end_us(&w) {
        assert!(end > w.now);
    }
}

#[test]
fn a_hunt_stops_at_the_first_find_unless_exhaustive() {
    let multiple_of_7 = |s: u64| s % 7 == 3;
    let quick = hunt(0..30, false, multiple_of_7);
    assert_eq!((quick.tried, quick.found.clone()), (4, vec![3]));
    let all = hunt(0..30, true, multiple_of_7);
    assert_eq!((all.tried, all.found.clone()), (30, vec![3, 10, 17, 24]));
    assert_eq!(all.to_string(), "found in 4 of 30 seeds (first: seed 3)");
    assert_eq!(
        hunt(0..5, false, |_| false).to_string(),
        "found in none of 5 seeds"
    );
}

// ---- The scenario check ------------------------------------------------------

/// The Raft lab with two made-up scenarios: one that always keeps its
/// promise, and one whose promise ("S2 leads") holds for its own seed
/// only.
struct Staged;

impl Lab for Staged {
    type P = Raft;
    type Config = RaftConfig;
    fn info() -> &'static crate::labs::LabInfo {
        RaftLab::info()
    }
    fn params() -> &'static [crate::labs::params::Param<RaftConfig>] {
        RaftLab::params()
    }
    fn scenarios() -> Vec<crate::labs::Scenario<Raft>> {
        let base = RaftLab::scenarios()
            .into_iter()
            .find(|s| s.id == "first-election")
            .unwrap();
        let kept = crate::labs::Scenario {
            id: "kept",
            expect: |_| Ok(()),
            ..base.clone()
        };
        let s2 = crate::labs::Scenario {
            id: "s2-leads",
            expect: |w: &World<Raft>| match w.proto.leader(&w.nodes, &w.net) {
                Some(NodeId(1)) => Ok(()),
                other => Err(format!("the leader is {other:?}, not S2")),
            },
            ..base
        };
        vec![kept, s2]
    }
    fn default_config() -> RaftConfig {
        RaftConfig::default()
    }
}

#[test]
fn the_scenario_check_reports_each_broken_promise_with_its_seed() {
    let own = Staged::scenarios()[1].seed;
    assert!(
        check_scenarios::<Staged>(&[]).is_empty(),
        "both hold at their own seed"
    );
    let failures = check_scenarios::<Staged>(&[own, 2, 3, 4, 5, 6]);
    assert!(!failures.is_empty(), "S2 led for every seed; pick others");
    for f in &failures {
        assert_eq!((f.lab, f.scenario), ("raft", "s2-leads"), "{f}");
        assert_ne!(f.seed, own, "the own seed is checked once, and holds");
        assert!(f.reason.ends_with(", not S2"), "{f}");
        assert!(
            f.to_string()
                .starts_with(&format!("raft/s2-leads (seed {}): the leader is", f.seed)),
            "{f}"
        );
        assert!(
            f.narration.lines().count() > 10 && f.narration.contains("becomes leader"),
            "{}",
            f.narration
        );
    }
    let seeds: Vec<u64> = failures.iter().map(|f| f.seed).collect();
    assert!(
        seeds.windows(2).all(|p| p[0] < p[1]),
        "in seed order: {seeds:?}"
    );
    // The run stops at the check point, as the lab page's does.
    let sc = &Staged::scenarios()[1];
    let f = check_scenario::<Staged>(sc, failures[0].seed).unwrap_err();
    let last_ms: u64 = f
        .narration
        .lines()
        .rfind(|l| !l.starts_with("VIOLATION"))
        .unwrap()
        .split_whitespace()
        .next()
        .unwrap()
        .parse()
        .unwrap();
    assert!(last_ms <= sc.check_ms(), "{last_ms} ms");
}
