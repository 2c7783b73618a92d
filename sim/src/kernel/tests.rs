//! Kernel tests with a minimal protocol: node 0 pings, everyone pongs.
//! Each test pins one network or timeline rule with exact effects.

use super::input::CommandCodec;
use super::world::MessageKind;
use super::*;

#[derive(Clone, Debug)]
struct Ping {
    n: usize,
    net: NetConfig,
    disk: DiskModel,
    /// Initial clocks by node; nodes past the end have perfect clocks.
    clocks: Vec<ClockSpec>,
}

#[derive(Clone, Debug, PartialEq)]
enum PMsg {
    Ping(u32),
    Pong(u32),
    /// Restart the receiver's timer 0 with this many µs.
    Arm(u64),
}

impl MessageKind for PMsg {
    fn kind(&self) -> &'static str {
        match self {
            PMsg::Ping(_) => "Ping",
            PMsg::Pong(_) => "Pong",
            PMsg::Arm(_) => "Arm",
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
enum PCmd {
    /// Ping node `.0`, holding the message `.1` µs before it leaves.
    Ping(u8, u64),
    /// Start (or restart) a timer of `.0` µs.
    Arm(u64),
    /// Start timer 1 at true time `.0`.
    ArmAt(u64),
    /// A durable ping to node `.0`, then a write of `.1` µs (none if 0).
    Durable(u8, u64),
    /// Ping every other node.
    Broadcast,
    /// Send node `.0` an `Arm(.1)` message.
    Remote(u8, u64),
    /// Ping each of these nodes.
    Each(Vec<u8>),
}

impl CommandCodec for PCmd {
    fn encode(&self) -> String {
        match self {
            PCmd::Ping(to, d) => format!("ping-{to}-{d}"),
            PCmd::Arm(d) => format!("arm-{d}"),
            PCmd::ArmAt(t) => format!("armat-{t}"),
            PCmd::Durable(to, w) => format!("durable-{to}-{w}"),
            PCmd::Broadcast => "bcast".into(),
            PCmd::Remote(to, d) => format!("remote-{to}-{d}"),
            PCmd::Each(to) => format!(
                "each-{}",
                to.iter()
                    .map(|n| n.to_string())
                    .collect::<Vec<_>>()
                    .join("-")
            ),
        }
    }
    fn parse(s: &str) -> Result<Self, String> {
        let p: Vec<&str> = s.split('-').collect();
        match p[..] {
            ["ping", to, d] => Ok(PCmd::Ping(
                to.parse().map_err(|_| "to")?,
                d.parse().map_err(|_| "d")?,
            )),
            ["arm", d] => Ok(PCmd::Arm(d.parse().map_err(|_| "d")?)),
            ["armat", t] => Ok(PCmd::ArmAt(t.parse().map_err(|_| "t")?)),
            ["bcast"] => Ok(PCmd::Broadcast),
            ["remote", to, d] => Ok(PCmd::Remote(
                to.parse().map_err(|_| "to")?,
                d.parse().map_err(|_| "d")?,
            )),
            ["each", ref to @ ..] => to
                .iter()
                .map(|n| n.parse().map_err(|_| "to".to_string()))
                .collect::<Result<_, _>>()
                .map(PCmd::Each),
            ["durable", to, w] => Ok(PCmd::Durable(
                to.parse().map_err(|_| "to")?,
                w.parse().map_err(|_| "w")?,
            )),
            _ => Err(format!("bad {s}")),
        }
    }
}

#[derive(Clone, Debug, Default, PartialEq)]
struct PNode {
    got: Vec<(u64, PMsg)>,
    fired: u32,
    /// (timer, true time, local reading) of every timer that fired.
    fired_at: Vec<(u8, u64, i64)>,
}

#[derive(Clone, Debug, PartialEq)]
enum PNote {
    Got(PMsg),
    Sent,
    Fired,
    Up,
}

impl Protocol for Ping {
    type Node = PNode;
    type Msg = PMsg;
    type Timer = u8;
    type Command = PCmd;
    type Note = PNote;
    type Checker = ();

    fn n_nodes(&self) -> usize {
        self.n
    }
    fn net_config(&self) -> NetConfig {
        self.net.clone()
    }
    fn node_name(&self, id: NodeId) -> String {
        format!("N{}", id.0)
    }
    fn init_node(&self, _id: NodeId, _ctx: &mut Ctx<'_, PMsg, u8>) -> PNode {
        PNode::default()
    }
    fn on_message(
        &self,
        node: &mut PNode,
        ctx: &mut Ctx<'_, PMsg, u8>,
        from: NodeId,
        msg: PMsg,
    ) -> PNote {
        node.got.push((ctx.now, msg.clone()));
        match msg {
            PMsg::Ping(k) => ctx.send(from, PMsg::Pong(k)),
            PMsg::Arm(d) => ctx.set_timer(0, d),
            PMsg::Pong(_) => {}
        }
        PNote::Got(msg)
    }
    fn on_timer(&self, node: &mut PNode, ctx: &mut Ctx<'_, PMsg, u8>, timer: u8) -> PNote {
        node.fired += 1;
        node.fired_at.push((timer, ctx.now, ctx.local_now_us()));
        PNote::Fired
    }
    fn on_command(&self, _node: &mut PNode, ctx: &mut Ctx<'_, PMsg, u8>, cmd: &PCmd) -> PNote {
        match cmd {
            PCmd::Ping(to, d) => ctx.send_after(NodeId(*to), PMsg::Ping(7), *d),
            PCmd::Arm(d) => ctx.set_timer(0, *d),
            PCmd::ArmAt(t) => ctx.set_timer_at(1, *t),
            PCmd::Durable(to, w) => {
                ctx.send_durable(NodeId(*to), PMsg::Ping(8));
                if *w > 0 {
                    ctx.persist(*w);
                }
            }
            PCmd::Remote(to, d) => ctx.send(NodeId(*to), PMsg::Arm(*d)),
            PCmd::Broadcast => {
                ctx.broadcast(PMsg::Ping(7));
            }
            PCmd::Each(to) => {
                ctx.send_each(to.iter().map(|n| NodeId(*n)), PMsg::Ping(7));
            }
        }
        PNote::Sent
    }
    fn on_crash(&self, _node: &mut PNode) {}
    fn on_restart(&self, _node: &mut PNode, _ctx: &mut Ctx<'_, PMsg, u8>) -> PNote {
        PNote::Up
    }
    fn invariants(&self) -> &'static [InvariantInfo] {
        &[]
    }
    fn new_checker(&self) {}
    fn check(&self, _view: &CheckView<'_, Self>, _checker: &mut (), _out: &mut Vec<Breach>) {}
    fn narrate(&self, note: &PNote) -> String {
        format!("{note:?}")
    }
    fn disk_model(&self) -> DiskModel {
        self.disk
    }
    fn initial_clock(&self, id: NodeId) -> ClockSpec {
        self.clocks.get(id.idx()).copied().unwrap_or_default()
    }
}

fn world(net: NetConfig) -> World<Ping> {
    World::new(
        Ping {
            n: 3,
            net,
            disk: DiskModel::Parallel,
            clocks: vec![],
        },
        5,
        vec![],
    )
}

fn fixed(latency_us: u64) -> NetConfig {
    NetConfig {
        latency_us_min: latency_us,
        latency_us_max: latency_us,
        loss: 0.0,
        duplicate: 0.0,
    }
}

fn ping(w: &mut World<Ping>, to: u8, hold_us: u64) {
    w.step(Some(&Input::Command(
        Who::Id(NodeId(0)),
        PCmd::Ping(to, hold_us),
    )))
    .unwrap();
}

/// Steps until nothing is left; returns the notes.
fn drain(w: &mut World<Ping>) -> Vec<Note<PNote>> {
    let mut out = Vec::new();
    while let Some(r) = w.step(None) {
        out.push(r.note);
    }
    out
}

#[test]
fn a_ping_arrives_after_its_latency_and_is_answered() {
    let mut w = world(fixed(10_000));
    ping(&mut w, 1, 0);
    let m = w.in_flight.values().next().unwrap().clone();
    assert_eq!(
        (m.from, m.to, m.depart_us, m.arrive_us, m.lost),
        (NodeId(0), NodeId(1), 0, 10_000, false)
    );
    assert_eq!(
        drain(&mut w),
        vec![
            Note::Proto(PNote::Got(PMsg::Ping(7))),
            Note::Proto(PNote::Got(PMsg::Pong(7)))
        ]
    );
    assert_eq!(w.nodes[1].got, vec![(10_000, PMsg::Ping(7))]);
    assert_eq!(w.nodes[0].got, vec![(20_000, PMsg::Pong(7))]);
}

#[test]
fn records_say_which_message_a_step_delivered_and_which_ids_it_sent() {
    let mut w = world(fixed(10_000));
    let sent = w
        .step(Some(&Input::Command(Who::Id(NodeId(0)), PCmd::Broadcast)))
        .unwrap();
    assert_eq!(
        (sent.delivered, sent.msg_ids_end),
        (None, 3),
        "a broadcast to two peers takes ids 1 and 2"
    );
    let first = w.step(None).unwrap();
    assert_eq!(
        (first.actor, first.delivered, first.msg_ids_end),
        (Some(NodeId(1)), Some((1, "Ping")), 4),
        "N1 gets ping 1 and sends pong 3"
    );
    let second = w.step(None).unwrap();
    assert_eq!(
        (second.actor, second.delivered, second.msg_ids_end),
        (Some(NodeId(2)), Some((2, "Ping")), 5)
    );
    let pong = w.step(None).unwrap();
    assert_eq!(
        (pong.actor, pong.delivered, pong.msg_ids_end),
        (Some(NodeId(0)), Some((3, "Pong")), 5),
        "a pong sends nothing"
    );
    assert_eq!(w.step(None).unwrap().delivered, Some((4, "Pong")));
    // A fault step delivers nothing; a message that reaches a paused node
    // is delivered at the resume.
    w.step(Some(&Input::Pause(Who::Id(NodeId(1)), 50_000)))
        .unwrap();
    w.step(Some(&Input::Command(Who::Id(NodeId(0)), PCmd::Ping(1, 0))))
        .unwrap();
    let held = w.step(None).unwrap();
    assert_eq!(held.delivered, None, "held, not handled");
    let mut resumed = None;
    while let Some(r) = w.step(None) {
        if r.delivered.is_some() {
            resumed = Some(r);
            break;
        }
    }
    let r = resumed.expect("handled at the resume");
    assert_eq!(
        (r.actor, r.delivered.map(|d| d.0)),
        (Some(NodeId(1)), Some(5))
    );
}

#[test]
fn a_held_message_leaves_late_and_dies_with_its_sender() {
    let mut w = world(fixed(10_000));
    ping(&mut w, 1, 5_000);
    let m = w.in_flight.values().next().unwrap().clone();
    assert_eq!((m.depart_us, m.arrive_us), (5_000, 15_000));
    w.step(Some(&Input::Crash(Who::Id(NodeId(0))))).unwrap();
    assert!(
        w.in_flight.is_empty(),
        "it had not left when its sender crashed"
    );
    assert_eq!(drain(&mut w), vec![]);
}

#[test]
fn a_partition_drops_messages_at_arrival_and_a_heal_in_time_saves_them() {
    let mut w = world(fixed(10_000));
    ping(&mut w, 1, 0);
    w.step(Some(&Input::Partition(vec![vec![NodeId(1)]])))
        .unwrap();
    let notes = drain(&mut w);
    assert!(
        matches!(
            notes[..],
            [Note::Dropped {
                reason: DropReason::Partition,
                kind: "Ping",
                ..
            }]
        ),
        "{notes:?}"
    );

    let mut w = world(fixed(10_000));
    ping(&mut w, 1, 0);
    w.step(Some(&Input::Isolate(Who::Id(NodeId(1))))).unwrap();
    w.step(Some(&Input::Heal)).unwrap();
    assert_eq!(
        drain(&mut w).len(),
        2,
        "healed before arrival: delivered and answered"
    );
}

#[test]
fn cuts_are_one_way_and_down_receivers_drop() {
    let mut w = world(fixed(1_000));
    w.step(Some(&Input::Cut(NodeId(1), NodeId(0)))).unwrap();
    ping(&mut w, 1, 0);
    let notes = drain(&mut w);
    assert!(
        matches!(
            notes[..],
            [
                Note::Proto(PNote::Got(PMsg::Ping(7))),
                Note::Dropped {
                    reason: DropReason::LinkCut,
                    kind: "Pong",
                    ..
                }
            ]
        ),
        "{notes:?}"
    );

    let mut w = world(fixed(1_000));
    ping(&mut w, 2, 0);
    w.step(Some(&Input::Crash(Who::Id(NodeId(2))))).unwrap();
    assert!(matches!(
        drain(&mut w)[..],
        [Note::Dropped {
            reason: DropReason::ReceiverDown,
            ..
        }]
    ));
}

#[test]
fn a_duplicated_message_arrives_twice_and_each_copy_meets_the_network() {
    let mut w = world(fixed(10_000));
    ping(&mut w, 1, 5_000);
    let id = *w.in_flight.keys().next().unwrap();
    let rec = w.step(Some(&Input::Duplicate(id))).unwrap();
    assert_eq!(
        rec.note,
        Note::Duplicated {
            msg_id: id,
            copy_id: id + 1,
            from: NodeId(0),
            to: NodeId(1),
            kind: "Ping",
            arrive_us: 15_000
        }
    );
    assert_eq!(w.marker(&rec.note), Some(Marker::Fault));
    assert_eq!(
        w.narrate(&rec.note),
        format!(
            "Ping #{id} from N0 to N1 is duplicated: a copy, #{}, arrives at 15.0 ms.",
            id + 1
        )
    );
    let copy = &w.in_flight[&(id + 1)];
    assert_eq!(
        (copy.depart_us, copy.arrive_us, copy.lost),
        (5_000, 15_000, false),
        "it leaves with the original, still held"
    );
    drain(&mut w);
    assert_eq!(
        w.nodes[1].got,
        vec![(15_000, PMsg::Ping(7)), (15_000, PMsg::Ping(7))]
    );
    assert_eq!(w.nodes[0].got.len(), 2, "both copies are answered");

    // A copy of a message that already left leaves now, and a partition
    // stops it like any message.
    let mut w = world(fixed(10_000));
    ping(&mut w, 1, 0);
    let id = *w.in_flight.keys().next().unwrap();
    assert!(w.advance_to(4_000));
    w.step(Some(&Input::Duplicate(id))).unwrap();
    assert_eq!(w.in_flight[&(id + 1)].arrive_us, 14_000);
    w.step(None).unwrap(); // the original arrives at 10 ms and is answered
    w.step(Some(&Input::Partition(vec![vec![NodeId(1)]])))
        .unwrap();
    let notes = drain(&mut w);
    assert!(
        matches!(
            notes[..],
            [
                Note::Dropped {
                    reason: DropReason::Partition,
                    kind: "Ping",
                    ..
                },
                Note::Dropped {
                    reason: DropReason::Partition,
                    kind: "Pong",
                    ..
                }
            ]
        ),
        "{notes:?}"
    );
    let rec = w.step(Some(&Input::Duplicate(id))).unwrap();
    assert_eq!(
        rec.note,
        Note::Skipped(format!("message {id} is no longer in flight"))
    );
}

#[test]
fn loss_and_duplication_follow_their_probabilities() {
    let mut w = world(NetConfig {
        latency_us_min: 0,
        latency_us_max: 0,
        loss: 0.9,
        duplicate: 0.0,
    });
    for _ in 0..1000 {
        ping(&mut w, 1, 0);
    }
    let lost = w.in_flight.values().filter(|m| m.lost).count();
    assert!(
        (850..=950).contains(&lost),
        "{lost} of 1000 lost at p = 0.9"
    );
    let mut w = world(NetConfig {
        latency_us_min: 0,
        latency_us_max: 0,
        loss: 0.0,
        duplicate: 0.5,
    });
    for _ in 0..1000 {
        ping(&mut w, 1, 0);
    }
    assert!(
        (1400..=1600).contains(&w.in_flight.len()),
        "{} copies of 1000 pings at p = 0.5",
        w.in_flight.len()
    );
}

#[test]
fn slow_nodes_and_link_latency_stretch_delivery() {
    let mut w = world(fixed(2_000));
    w.step(Some(&Input::Slow(Who::Id(NodeId(1)), 5))).unwrap();
    ping(&mut w, 1, 0);
    ping(&mut w, 2, 0);
    let arrivals: Vec<(u8, u64)> = w
        .in_flight
        .values()
        .map(|m| (m.to.0, m.arrive_us))
        .collect();
    assert_eq!(arrivals, vec![(1, 10_000), (2, 2_000)]);

    let mut w = world(fixed(2_000));
    let r = w
        .step(Some(&Input::LinkLatency(
            NodeId(0),
            NodeId(2),
            30_000,
            30_000,
        )))
        .unwrap();
    assert_eq!(
        w.narrate(&r.note),
        "Messages from N0 to N2 now take 30.0 ms–30.0 ms."
    );
    ping(&mut w, 2, 0);
    assert_eq!(w.in_flight.values().next().unwrap().arrive_us, 30_000);
    let notes = drain(&mut w);
    assert_eq!(
        w.nodes[0].got,
        vec![(32_000, PMsg::Pong(7))],
        "only the one direction is slow: {notes:?}"
    );
}

#[test]
fn a_reset_timer_fires_once_and_stale_entries_are_not_steps() {
    let mut w = world(fixed(1_000));
    w.step(Some(&Input::Command(Who::Id(NodeId(0)), PCmd::Arm(5_000))))
        .unwrap();
    w.step(Some(&Input::Command(Who::Id(NodeId(0)), PCmd::Arm(8_000))))
        .unwrap();
    assert_eq!(w.next_live_event_time(), Some(8_000));
    let before = w.step;
    assert_eq!(drain(&mut w), vec![Note::Proto(PNote::Fired)]);
    assert_eq!((w.step - before, w.nodes[0].fired, w.now), (1, 1, 8_000));
}

#[test]
fn a_crashed_node_loses_its_timers_and_inputs_to_missing_nodes_are_skipped() {
    let mut w = world(fixed(1_000));
    w.step(Some(&Input::Command(Who::Id(NodeId(1)), PCmd::Arm(5_000))))
        .unwrap();
    w.step(Some(&Input::Crash(Who::Id(NodeId(1))))).unwrap();
    assert_eq!(drain(&mut w), vec![]);
    let r = w.step(Some(&Input::Crash(Who::Id(NodeId(9))))).unwrap();
    assert_eq!(
        w.narrate(&r.note),
        "Nothing happens: node 9 does not exist."
    );
    let r = w.step(Some(&Input::Crash(Who::Leader))).unwrap();
    assert_eq!(w.narrate(&r.note), "Nothing happens: there is no leader.");
    let r = w.step(Some(&Input::Drop(999))).unwrap();
    assert_eq!(
        w.narrate(&r.note),
        "Nothing happens: message 999 is no longer in flight."
    );
}

#[test]
fn the_same_seed_gives_the_same_latencies() {
    let run = || {
        let mut w = World::new(
            Ping {
                n: 3,
                net: NetConfig::default(),
                disk: DiskModel::Parallel,
                clocks: vec![],
            },
            77,
            vec![],
        );
        for _ in 0..50 {
            ping(&mut w, 1, 0);
        }
        w.in_flight
            .values()
            .map(|m| m.arrive_us)
            .collect::<Vec<_>>()
    };
    assert_eq!(run(), run());
}

// ---- Persistence -----------------------------------------------------------

fn cmd(w: &mut World<Ping>, node: u8, c: PCmd) -> StepRecord<PNote> {
    w.step(Some(&Input::Command(Who::Id(NodeId(node)), c)))
        .unwrap()
}

/// (to, depart, arrive) of every message in flight, by id.
fn flights(w: &World<Ping>) -> Vec<(u8, u64, u64)> {
    w.in_flight
        .values()
        .map(|m| (m.to.0, m.depart_us, m.arrive_us))
        .collect()
}

#[test]
fn a_durable_send_waits_for_its_handlers_write_only_and_dies_with_a_crash() {
    let mut w = world(fixed(10_000));
    // The send comes before the write in the handler, and still waits for it.
    cmd(&mut w, 0, PCmd::Durable(1, 5_000));
    assert_eq!(w.disk_busy_until_us[0], 5_000);
    // Parallel writes: a later handler's durable send with no write of its
    // own is not held by the earlier write, and a second write overlaps.
    cmd(&mut w, 0, PCmd::Durable(2, 0));
    cmd(&mut w, 0, PCmd::Durable(2, 3_000));
    assert_eq!(
        flights(&w),
        vec![(1, 5_000, 15_000), (2, 0, 10_000), (2, 3_000, 13_000)]
    );
    assert_eq!(w.disk_busy_until_us[0], 5_000, "the longer write ends last");
    w.step(Some(&Input::Crash(Who::Id(NodeId(0))))).unwrap();
    assert_eq!(
        flights(&w),
        vec![(2, 0, 10_000)],
        "the held answers die with their sender"
    );
    assert_eq!(w.disk_busy_until_us[0], 0);
}

#[test]
fn a_disk_queue_runs_writes_one_after_another() {
    let mut w = World::new(
        Ping {
            n: 3,
            net: fixed(10_000),
            disk: DiskModel::Queue,
            clocks: vec![],
        },
        5,
        vec![],
    );
    cmd(&mut w, 0, PCmd::Durable(1, 5_000));
    cmd(&mut w, 0, PCmd::Durable(1, 3_000));
    // No write of its own, but the queue's last write covers what it reports.
    cmd(&mut w, 0, PCmd::Durable(2, 0));
    ping(&mut w, 2, 0);
    assert_eq!(
        flights(&w),
        vec![
            (1, 5_000, 15_000),
            (1, 8_000, 18_000),
            (2, 8_000, 18_000),
            (2, 0, 10_000)
        ]
    );
    assert_eq!(w.disk_busy_until_us[0], 8_000);
    // Once the disk is idle, a write starts at once.
    w.advance_to(9_000);
    cmd(&mut w, 0, PCmd::Durable(1, 500));
    assert_eq!(
        w.in_flight.values().last().map(|m| m.depart_us),
        Some(9_500)
    );
}

#[test]
fn a_write_longer_than_the_bound_is_clamped() {
    let mut w = world(fixed(0));
    cmd(&mut w, 0, PCmd::Durable(1, u64::MAX));
    assert_eq!(
        flights(&w),
        vec![(1, world::WRITE_US_MAX, world::WRITE_US_MAX)]
    );
}

#[test]
fn persistence_is_deterministic() {
    let run = || {
        let mut t = Timeline::new(World::new(
            Ping {
                n: 3,
                net: NetConfig::default(),
                disk: DiskModel::Queue,
                clocks: vec![],
            },
            9,
            vec![],
        ));
        for k in 0..20u64 {
            t.inject(Input::Command(
                Who::Id(NodeId((k % 3) as u8)),
                PCmd::Durable(((k + 1) % 3) as u8, k * 700),
            ))
            .unwrap();
        }
        t.seek(200);
        t.trace_hash()
    };
    assert_eq!(run(), run());
}

// ---- Broadcast -------------------------------------------------------------

#[test]
fn a_broadcast_is_one_send_per_other_node_in_node_order() {
    let mut rng = SimRng::new(1);
    let mut ctx: Ctx<'_, PMsg, u8> = Ctx::new(0, NodeId(1), &mut rng).with_n_nodes(4);
    assert_eq!(ctx.broadcast(PMsg::Ping(3)), 3);
    assert_eq!(
        ctx.send_each([NodeId(3), NodeId(1), NodeId(0), NodeId(3)], PMsg::Pong(4)),
        3
    );
    let sends: Vec<(u8, PMsg)> = ctx
        .effects
        .iter()
        .map(|e| match e {
            Effect::Send {
                to,
                msg,
                delay_us: 0,
                durable: false,
            } => (to.0, msg.clone()),
            other => panic!("not a plain send: {other:?}"),
        })
        .collect();
    let expected = [
        (0, PMsg::Ping(3)),
        (2, PMsg::Ping(3)),
        (3, PMsg::Ping(3)),
        (0, PMsg::Pong(4)),
        (1, PMsg::Pong(4)),
        (3, PMsg::Pong(4)),
    ];
    assert_eq!(
        sends, expected,
        "node order, once each; a named set may include the sender"
    );
    let mut rng = SimRng::new(1);
    let mut alone: Ctx<'_, PMsg, u8> = Ctx::new(0, NodeId(0), &mut rng);
    assert_eq!(
        alone.broadcast(PMsg::Ping(1)),
        0,
        "a test context knows no other node"
    );
}

#[test]
fn each_broadcast_copy_draws_its_own_fate_like_separate_sends() {
    let net = NetConfig {
        latency_us_min: 1_000,
        latency_us_max: 9_000,
        loss: 0.4,
        duplicate: 0.3,
    };
    let run = |cmds: &[PCmd]| {
        let mut w = World::new(
            Ping {
                n: 5,
                net: net.clone(),
                disk: DiskModel::Parallel,
                clocks: vec![],
            },
            21,
            vec![],
        );
        for _ in 0..30 {
            for c in cmds {
                cmd(&mut w, 2, c.clone());
            }
        }
        w.in_flight
            .values()
            .map(|m| (m.to.0, m.arrive_us, m.lost))
            .collect::<Vec<_>>()
    };
    let by_hand = run(&[
        PCmd::Ping(0, 0),
        PCmd::Ping(1, 0),
        PCmd::Ping(3, 0),
        PCmd::Ping(4, 0),
    ]);
    assert_eq!(run(&[PCmd::Broadcast]), by_hand);
    assert_eq!(run(&[PCmd::Each(vec![4, 3, 1, 0])]), by_hand);
    let lost = by_hand.iter().filter(|m| m.2).count();
    let arrivals: std::collections::BTreeSet<u64> = by_hand.iter().map(|m| m.1).collect();
    assert!(
        lost > 0 && lost < by_hand.len() && by_hand.len() > 120,
        "copies are lost and duplicated one by one"
    );
    assert!(arrivals.len() > 20, "copies draw their own latencies");
}

#[test]
fn broadcasts_are_deterministic() {
    let run = || {
        let net = NetConfig {
            latency_us_min: 1_000,
            latency_us_max: 9_000,
            loss: 0.2,
            duplicate: 0.2,
        };
        let mut t = Timeline::new(World::new(
            Ping {
                n: 4,
                net,
                disk: DiskModel::Parallel,
                clocks: vec![],
            },
            8,
            vec![],
        ));
        for k in 0..10u8 {
            t.inject(Input::Command(Who::Id(NodeId(k % 4)), PCmd::Broadcast))
                .unwrap();
        }
        t.seek(300);
        t.trace_hash()
    };
    assert_eq!(run(), run());
}

// ---- Clocks ----------------------------------------------------------------

fn with_clocks(clocks: Vec<ClockSpec>) -> World<Ping> {
    World::new(
        Ping {
            n: 3,
            net: fixed(1_000),
            disk: DiskModel::Parallel,
            clocks,
        },
        5,
        vec![],
    )
}

fn input(w: &mut World<Ping>, i: Input<PCmd>) -> String {
    let r = w.step(Some(&i)).unwrap();
    w.narrate(&r.note)
}

#[test]
fn handlers_read_the_clocks_their_protocol_supplies_and_timers_run_at_clock_rate() {
    let fast = ClockSpec {
        offset_us: 0,
        drift_ppm: 100_000,
    };
    let mut w = with_clocks(vec![
        ClockSpec::PERFECT,
        ClockSpec {
            offset_us: 5_000,
            drift_ppm: 0,
        },
        fast,
    ]);
    cmd(&mut w, 1, PCmd::Arm(8_000));
    cmd(&mut w, 2, PCmd::Arm(11_000));
    drain(&mut w);
    assert_eq!(
        w.nodes[1].fired_at,
        vec![(0, 8_000, 13_000)],
        "an offset changes the reading, not the timer"
    );
    assert_eq!(
        w.nodes[2].fired_at,
        vec![(0, 10_000, 11_000)],
        "11 ms on a 10% fast clock pass in 10 ms"
    );
    // A 10% slow clock: 90 ms local take 100 ms.
    let mut w = with_clocks(vec![ClockSpec {
        offset_us: -7,
        drift_ppm: -100_000,
    }]);
    cmd(&mut w, 0, PCmd::Arm(90_000));
    drain(&mut w);
    assert_eq!(w.nodes[0].fired_at, vec![(0, 100_000, 89_993)]);
    // The protocol's initial clock is clamped like any other setting.
    let w = with_clocks(vec![ClockSpec {
        offset_us: i64::MIN,
        drift_ppm: i32::MAX,
    }]);
    assert_eq!(
        (w.clocks[0].offset_us(0), w.clocks[0].drift_ppm()),
        (-clock::OFFSET_US_MAX, clock::DRIFT_PPM_MAX)
    );
}

#[test]
fn clock_faults_step_and_drift_with_narration_and_markers() {
    let mut w = with_clocks(vec![]);
    let n2 = Who::Id(NodeId(2));
    assert_eq!(
        input(&mut w, Input::ClockOffset(n2, 200_000)),
        "N2's clock jumps 200.0 ms ahead; it now reads 200.0 ms ahead of true time."
    );
    assert_eq!(w.clocks[2].read_us(0), 200_000);
    w.advance_to(1_000_000);
    assert_eq!(
        input(&mut w, Input::ClockDrift(Who::Id(NodeId(1)), 100)),
        "N1's clock now runs 100 ppm fast."
    );
    w.advance_to(2_000_000);
    assert_eq!(
        w.clocks[1].read_us(2_000_000),
        2_000_100,
        "drift counts from when it began"
    );
    assert_eq!(
        input(&mut w, Input::ClockOffset(n2, -50_000)),
        "N2's clock jumps 250.0 ms back; it now reads 50.0 ms behind true time."
    );
    assert_eq!(
        input(&mut w, Input::ClockOffset(n2, -50_000)),
        "N2's clock is set but does not move; it now reads 50.0 ms behind true time."
    );
    assert_eq!(
        input(&mut w, Input::ClockDrift(n2, -2_500)),
        "N2's clock now runs 2500 ppm slow."
    );
    assert_eq!(
        input(&mut w, Input::ClockDrift(n2, 0)),
        "N2's clock now runs at the true rate."
    );
    assert_eq!(
        input(&mut w, Input::ClockDrift(n2, -900_000)),
        "N2's clock now runs 100000 ppm slow.",
        "clamped"
    );
    assert_eq!(
        input(&mut w, Input::ClockOffset(Who::Id(NodeId(7)), 1)),
        "Nothing happens: node 7 does not exist."
    );
    let r = w.step(Some(&Input::ClockOffset(n2, 1))).unwrap();
    assert_eq!(
        (w.marker(&r.note), r.actor),
        (Some(Marker::Fault), Some(NodeId(2)))
    );
    let r = w.step(Some(&Input::ClockDrift(n2, 1))).unwrap();
    assert_eq!(w.marker(&r.note), Some(Marker::Fault));
}

#[test]
fn a_clock_step_leaves_timers_alone_but_a_drift_change_retimes_them() {
    let mut w = with_clocks(vec![]);
    cmd(&mut w, 1, PCmd::Arm(100_000));
    cmd(&mut w, 1, PCmd::ArmAt(70_000));
    w.advance_to(40_000);
    input(&mut w, Input::ClockOffset(Who::Id(NodeId(1)), 1_000_000));
    assert_eq!(
        w.timers[1][&0].deadline_us, 100_000,
        "timers wait on the monotonic clock"
    );
    input(&mut w, Input::ClockDrift(Who::Id(NodeId(1)), 100_000));
    // 60 ms of local time are left; at 1.1 local µs per µs that is 54,545.45 µs.
    assert_eq!(w.timers[1][&0].deadline_us, 94_546);
    assert_eq!(
        w.timers[1][&1].deadline_us, 70_000,
        "a timer at a true time ignores the clock"
    );
    assert_eq!(w.next_live_event_time(), Some(70_000));
    let notes = drain(&mut w);
    assert_eq!(
        notes,
        vec![Note::Proto(PNote::Fired), Note::Proto(PNote::Fired)],
        "the old entry is stale, not a second firing"
    );
    assert_eq!(
        w.nodes[1].fired_at,
        vec![(1, 70_000, 1_073_000), (0, 94_546, 1_100_000)]
    );
    assert_eq!(
        w.clocks[1].monotonic_us(94_546),
        100_000,
        "it fired the moment its local 100 ms were up"
    );
}

#[test]
fn clocks_are_deterministic_and_rewind_with_the_timeline() {
    let run = || {
        let clocks = vec![
            ClockSpec {
                offset_us: 3,
                drift_ppm: 40,
            },
            ClockSpec {
                offset_us: -9_000,
                drift_ppm: -70_000,
            },
        ];
        let mut t = Timeline::new(World::new(
            Ping {
                n: 3,
                net: NetConfig::default(),
                disk: DiskModel::Parallel,
                clocks,
            },
            4,
            vec![],
        ));
        for k in 0..12u64 {
            let node = NodeId((k % 3) as u8);
            t.inject(Input::Command(Who::Id(node), PCmd::Arm(10_000 + k * 3_333)))
                .unwrap();
            t.inject(Input::ClockDrift(Who::Id(node), (k as i32 - 6) * 9_999))
                .unwrap();
            t.inject(Input::ClockOffset(Who::Id(node), k as i64 * -12_345))
                .unwrap();
            t.forward().unwrap();
        }
        t.seek(200);
        t
    };
    let mut a = run();
    assert_eq!(a.trace_hash(), run().trace_hash());
    let end = format!("{:?}{:?}", a.world().clocks, a.world().nodes);
    a.seek(10);
    let mid = format!("{:?}", a.world().clocks);
    a.seek(200);
    assert_eq!(format!("{:?}{:?}", a.world().clocks, a.world().nodes), end);
    a.seek(10);
    assert_eq!(format!("{:?}", a.world().clocks), mid);
}

// ---- Pauses ----------------------------------------------------------------

/// Steps until nothing is left; returns (time, actor, narration) of each step.
fn drain_told(w: &mut World<Ping>) -> Vec<(u64, Option<u8>, String)> {
    let mut out = Vec::new();
    while let Some(r) = w.step(None) {
        out.push((r.time_us, r.actor.map(|a| a.0), w.narrate(&r.note)));
    }
    out
}

fn told(t: u64, actor: Option<u8>, s: &str) -> (u64, Option<u8>, String) {
    (t, actor, s.to_string())
}

#[test]
fn a_paused_node_handles_what_waited_at_its_resume_in_true_order() {
    let mut w = world(fixed(10_000));
    cmd(&mut w, 1, PCmd::Arm(30_000));
    let n1 = Who::Id(NodeId(1));
    assert_eq!(
        input(&mut w, Input::Pause(n1, 50_000)),
        "N1 pauses for 50.0 ms (a stop-the-world pause, not a crash): it keeps its state but takes no steps until 50.0 ms."
    );
    ping(&mut w, 1, 0);
    let r = w.step(None).unwrap();
    assert_eq!(
        (r.time_us, r.actor, w.narrate(&r.note)),
        (
            10_000,
            None,
            "Ping #1 from N0 reaches N1, which is paused; it waits.".into()
        )
    );
    assert_eq!(w.held_messages(NodeId(1)).len(), 1);
    w.advance_to(25_000);
    cmd(&mut w, 0, PCmd::Durable(1, 0));
    assert_eq!(
        drain_told(&mut w),
        vec![
            told(
                30_000,
                None,
                "One of N1's timers is due, but N1 is paused; it waits."
            ),
            told(
                35_000,
                None,
                "Ping #2 from N0 reaches N1, which is paused; it waits."
            ),
            told(
                50_000,
                Some(1),
                "N1 resumes after a 50.0 ms pause; 2 messages and 1 timer waited."
            ),
            told(50_000, Some(1), "Got(Ping(7))"),
            told(50_000, Some(1), "Fired"),
            told(50_000, Some(1), "Got(Ping(8))"),
            told(60_000, Some(0), "Got(Pong(7))"),
            told(60_000, Some(0), "Got(Pong(8))"),
        ]
    );
    assert_eq!(
        w.nodes[1].got,
        vec![(50_000, PMsg::Ping(7)), (50_000, PMsg::Ping(8))]
    );
    assert_eq!(w.nodes[1].fired_at, vec![(0, 50_000, 50_000)]);
    assert!(!w.is_paused(NodeId(1)) && w.held_messages(NodeId(1)).is_empty());
}

#[test]
fn what_waited_goes_before_anything_else_and_time_waits_for_it() {
    let mut w = world(fixed(10_000));
    ping(&mut w, 2, 0);
    w.step(Some(&Input::Pause(Who::Id(NodeId(2)), 10_000)))
        .unwrap();
    // The ping arrives at 10 ms, the instant the pause ends, but was queued
    // first: it is held, then handled right after the resume.
    let r = w.step(None).unwrap();
    assert!(matches!(r.note, Note::HeldMessage { .. }));
    let r = w.step(None).unwrap();
    assert!(matches!(
        r.note,
        Note::Resumed {
            n_msgs: 1,
            n_timers: 0,
            ..
        }
    ));
    assert_eq!(w.next_live_event_time(), Some(10_000));
    assert!(!w.advance_to(10_001), "time does not move past what waited");
    assert_eq!(
        w.step(None).unwrap().note,
        Note::Proto(PNote::Got(PMsg::Ping(7)))
    );
}

#[test]
fn a_reset_during_the_replay_makes_a_held_timer_stale() {
    let mut w = world(fixed(10_000));
    cmd(&mut w, 1, PCmd::Arm(20_000));
    w.step(Some(&Input::Pause(Who::Id(NodeId(1)), 50_000)))
        .unwrap();
    cmd(&mut w, 0, PCmd::Remote(1, 5_000));
    assert_eq!(
        drain_told(&mut w),
        vec![
            told(
                10_000,
                None,
                "Arm #1 from N0 reaches N1, which is paused; it waits."
            ),
            told(
                20_000,
                None,
                "One of N1's timers is due, but N1 is paused; it waits."
            ),
            told(
                50_000,
                Some(1),
                "N1 resumes after a 50.0 ms pause; 1 message and 1 timer waited."
            ),
            told(50_000, Some(1), "Got(Arm(5000))"),
            told(55_000, Some(1), "Fired"),
        ],
        "the stale beliefs are acted on in order: the message re-arms the timer before it can fire"
    );
}

#[test]
fn pause_edge_cases_each_have_a_defined_outcome() {
    let n1 = Who::Id(NodeId(1));
    // A down node, a missing node.
    let mut w = world(fixed(10_000));
    w.step(Some(&Input::Crash(n1))).unwrap();
    assert_eq!(
        input(&mut w, Input::Pause(n1, 5_000)),
        "Nothing happens: N1 is down."
    );
    assert_eq!(
        input(&mut w, Input::Pause(Who::Id(NodeId(9)), 5_000)),
        "Nothing happens: node 9 does not exist."
    );

    // A pause while paused lasts until the later end; commands are refused meanwhile.
    let mut w = world(fixed(10_000));
    let r = w.step(Some(&Input::Pause(n1, 50_000))).unwrap();
    assert_eq!(
        (w.marker(&r.note), r.actor),
        (Some(Marker::Fault), Some(NodeId(1)))
    );
    w.advance_to(20_000);
    assert_eq!(
        input(&mut w, Input::Pause(n1, 10_000)),
        "Nothing happens: N1 is already paused until 50.0 ms."
    );
    assert_eq!(
        input(&mut w, Input::Command(n1, PCmd::Arm(1))),
        "Nothing happens: N1 is paused until 50.0 ms."
    );
    assert_eq!(
        input(&mut w, Input::Pause(n1, 60_000)),
        "N1, already paused, stays paused longer: it now resumes at 80.0 ms."
    );
    let steps = drain_told(&mut w);
    assert_eq!(
        steps,
        vec![told(
            80_000,
            Some(1),
            "N1 resumes after a 80.0 ms pause; nothing waited."
        )],
        "the first resume is stale"
    );

    // A crash while paused ends the pause and loses what waited; a restart is a fresh start.
    let mut w = world(fixed(10_000));
    cmd(&mut w, 1, PCmd::Arm(15_000));
    w.step(Some(&Input::Pause(n1, 50_000))).unwrap();
    ping(&mut w, 1, 0);
    w.step(None).unwrap();
    assert_eq!(w.held_messages(NodeId(1)).len(), 1);
    w.advance_to(12_000);
    w.step(Some(&Input::Crash(n1))).unwrap();
    assert!(!w.is_paused(NodeId(1)) && w.held_messages(NodeId(1)).is_empty());
    assert_eq!(input(&mut w, Input::Restart(n1)), "Up");
    assert_eq!(
        drain_told(&mut w),
        vec![],
        "no resume, no held ping, no timer"
    );
    assert!(w.nodes[1].got.is_empty());

    // Lengths are clamped to 1 µs .. 60 s.
    let mut w = world(fixed(10_000));
    w.step(Some(&Input::Pause(n1, 0))).unwrap();
    assert_eq!(w.paused[1].map(|p| p.until_us), Some(1));
    w.step(Some(&Input::Pause(Who::Id(NodeId(2)), u64::MAX)))
        .unwrap();
    assert_eq!(w.paused[2].map(|p| p.until_us), Some(world::PAUSE_US_MAX));
}

#[test]
fn a_pause_that_comes_back_before_the_replay_is_done_keeps_the_order() {
    let mut w = world(fixed(10_000));
    let n1 = Who::Id(NodeId(1));
    w.step(Some(&Input::Pause(n1, 20_000))).unwrap();
    ping(&mut w, 1, 0);
    cmd(&mut w, 0, PCmd::Durable(1, 0));
    let first = drain_until(&mut w, |n| matches!(n, Note::Resumed { .. }));
    assert_eq!(first, 3, "two held pings and the resume");
    // Paused again before it handled either: both wait again, first.
    w.step(Some(&Input::Pause(n1, 5_000))).unwrap();
    ping(&mut w, 1, 0);
    let steps = drain_told(&mut w);
    assert_eq!(
        steps[0],
        told(
            25_000,
            Some(1),
            "N1 resumes after a 5.0 ms pause; 2 messages waited."
        )
    );
    assert_eq!(
        w.nodes[1].got,
        vec![
            (25_000, PMsg::Ping(7)),
            (25_000, PMsg::Ping(8)),
            (30_000, PMsg::Ping(7))
        ]
    );
}

/// Steps until a note matches; returns how many steps that took.
fn drain_until(w: &mut World<Ping>, f: impl Fn(&Note<PNote>) -> bool) -> usize {
    let mut n = 0;
    while let Some(r) = w.step(None) {
        n += 1;
        if f(&r.note) {
            break;
        }
    }
    n
}

#[test]
fn pauses_are_deterministic_and_rewind_exactly() {
    let run = || {
        let net = NetConfig {
            latency_us_min: 1_000,
            latency_us_max: 9_000,
            loss: 0.1,
            duplicate: 0.1,
        };
        let mut t = Timeline::new(World::new(
            Ping {
                n: 3,
                net,
                disk: DiskModel::Parallel,
                clocks: vec![],
            },
            12,
            vec![],
        ));
        for k in 0..15u64 {
            let node = NodeId((k % 3) as u8);
            t.inject(Input::Command(Who::Id(node), PCmd::Arm(3_000 + k * 1_000)))
                .unwrap();
            t.inject(Input::Command(Who::Id(node), PCmd::Broadcast))
                .unwrap();
            if k % 4 == 0 {
                t.inject(Input::Pause(
                    Who::Id(NodeId(((k + 1) % 3) as u8)),
                    4_000 + k * 700,
                ))
                .unwrap();
            }
            let _ = t.forward();
            let _ = t.forward();
        }
        let _ = t.run_until(500_000, 2_000);
        t
    };
    let mut a = run();
    assert_eq!(a.trace_hash(), run().trace_hash());
    assert!(
        a.records()
            .iter()
            .any(|r| matches!(r.note, Note::Resumed { n_msgs: 1.., .. })),
        "some pause held messages"
    );
    let digest = |t: &Timeline<Ping>| format!("{:?}", t.world());
    let end = a.cursor();
    let at_end = digest(&a);
    for probe in [5, 23, end / 2] {
        a.seek(probe);
        let here = digest(&a);
        a.back();
        a.forward().unwrap();
        assert_eq!(digest(&a), here, "back and forward at step {probe}");
    }
    a.seek(end);
    assert_eq!(digest(&a), at_end);
}
