//! Register lab tests: exact effects of each handler, every scenario's
//! promised outcome, determinism, and random fault schedules over many
//! seeds: CP histories are linearizable, AP replicas converge after a
//! heal, strict quorums with W + R > N never read stale, and each CP
//! safety switch, turned off, produces its violation.
//!
//! Linearizability is decided by the shared checker (`crate::check`); on
//! short histories a small brute-force search ([`brute`]) must agree with it.

use super::*;
use crate::history::Op;
use crate::kernel::{Effect, Input, Protocol, SimRng, Timeline, Who, World};
use crate::labs::harness::{
    calm, check_scenarios, hunt, pauses_end_us, proptest_seeds, thorough, Chaos, Explored,
    FaultKind, FaultMix, Hunt, Report,
};
use crate::labs::quorum::Quorums;

/// Whether a history is linearizable, by the shared checker; on short
/// histories the brute-force search must agree.
fn lin(h: &[Op]) -> bool {
    let verdict = crate::check::check_linearizable(
        &crate::check::History::new(h.to_vec()),
        &Default::default(),
    );
    let real = match verdict {
        crate::check::Verdict::Linearizable { .. } => true,
        crate::check::Verdict::NotLinearizable { .. } => false,
        crate::check::Verdict::Unknown { reason } => panic!("checker gave up: {reason}"),
    };
    if h.len() <= 8 {
        assert_eq!(
            real,
            brute::linearizable(h),
            "checker and brute force disagree on {h:#?}"
        );
    }
    real
}

// ---- Handler harness -------------------------------------------------------

type Eff = Effect<Msg, Timer>;

fn cfg(mode: Mode, n: u8) -> RegisterConfig {
    RegisterConfig {
        mode,
        n_replicas: n,
        n_clients: 2,
        rf: n,
        latency_us_min: 10_000,
        latency_us_max: 10_000,
        skew_ms: vec![0; n as usize],
        ..RegisterConfig::default()
    }
}

fn node(reg: &Register, id: u8) -> RegNode {
    let mut rng = SimRng::new(0);
    let mut ctx = Ctx::new(0, NodeId(id), &mut rng);
    reg.init_node(NodeId(id), &mut ctx)
}

/// Runs one handler on `n` at time `now_us` and returns its note and effects.
fn run(
    reg: &Register,
    n: &mut RegNode,
    now_us: u64,
    f: impl FnOnce(&Register, &mut RegNode, &mut Ctx<'_, Msg, Timer>) -> RegNote,
) -> (What, Vec<Eff>) {
    let mut rng = SimRng::new(9);
    let me = match n {
        RegNode::Replica(r) => r.id,
        RegNode::Client(c) => c.id,
    };
    let mut ctx = Ctx::new(now_us, me, &mut rng);
    let note = f(reg, n, &mut ctx);
    (note.what, ctx.effects)
}

fn msg(reg: &Register, n: &mut RegNode, now_us: u64, from: u8, m: Msg) -> (What, Vec<Eff>) {
    run(reg, n, now_us, |r, n, c| {
        r.on_message(n, c, NodeId(from), m)
    })
}

fn timer(reg: &Register, n: &mut RegNode, now_us: u64, t: Timer) -> (What, Vec<Eff>) {
    run(reg, n, now_us, |r, n, c| r.on_timer(n, c, t))
}

fn sends(effects: &[Eff]) -> Vec<(u8, Msg)> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::Send { to, msg, .. } => Some((to.0, msg.clone())),
            _ => None,
        })
        .collect()
}

fn rep(n: &RegNode) -> &Replica {
    n.replica().expect("a replica")
}

fn rep_mut(n: &mut RegNode) -> &mut Replica {
    match n {
        RegNode::Replica(r) => r,
        RegNode::Client(_) => panic!("not a replica"),
    }
}

fn ver(value: i64, t: u64, node: u8, client: u8, idx: u32) -> Version {
    Version {
        value,
        stamp: Stamp { t, node, seq: 0 },
        vv: vec![],
        origin: OpRef { client, idx },
    }
}

fn write_req(op: u32, value: i64) -> Msg {
    Msg::Request {
        op,
        kind: OpKind::Write,
        value: Some(value),
        context: vec![],
    }
}

fn read_req(op: u32) -> Msg {
    Msg::Request {
        op,
        kind: OpKind::Read,
        value: None,
        context: vec![],
    }
}

fn h(node: u8, hint_for: Option<u8>) -> Holder {
    Holder {
        node: NodeId(node),
        hint_for: hint_for.map(NodeId),
    }
}

// ---- CP: ABD ---------------------------------------------------------------

#[test]
fn abd_write_queries_a_majority_then_stores_a_higher_timestamp() {
    let reg = Register::new(cfg(Mode::Cp, 3));
    let mut r1 = node(&reg, 0);
    let c1 = 3;
    let (what, eff) = msg(&reg, &mut r1, 1_000, c1, write_req(0, 7));
    assert_eq!(
        what,
        What::AbdQuery {
            client: NodeId(c1),
            kind: OpKind::Write,
            value: Some(7),
            asked: 2,
            needed: 2
        }
    );
    let cid = rep(&r1).coord[0].cid;
    let rid = rep(&r1).coord[0].rid;
    assert_eq!(
        sends(&eff),
        vec![(1, Msg::Get { rid }), (2, Msg::Get { rid })]
    );
    assert!(eff.contains(&Effect::SetTimer {
        timer: Timer::CoordOp(cid),
        after_us: 200_000
    }));

    // R2 holds a version with counter 4: the write must go above it.
    let (what, eff) = msg(
        &reg,
        &mut r1,
        2_000,
        1,
        Msg::GetReply {
            rid,
            versions: vec![ver(3, 4, 1, 1, 0)],
        },
    );
    let stamp = Stamp {
        t: 5,
        node: 0,
        seq: 0,
    };
    assert_eq!(
        what,
        What::AbdStore {
            kind: OpKind::Write,
            value: 7,
            stamp,
            heard: 2,
            from: Some(NodeId(1)),
            skipped_query: false,
            local: Applied::New
        }
    );
    let chosen = Version {
        value: 7,
        stamp,
        vv: vec![],
        origin: OpRef { client: 0, idx: 0 },
    };
    let rid2 = rep(&r1).coord[0].rid;
    assert_ne!(rid, rid2, "each phase has its own request id");
    let put = Msg::Put {
        rid: rid2,
        version: chosen.clone(),
        ack: true,
        hint_for: None,
    };
    assert_eq!(sends(&eff), vec![(1, put.clone()), (2, put)]);
    assert_eq!(
        rep(&r1).versions,
        vec![chosen.clone()],
        "the coordinator stores its own copy first"
    );

    // The late phase-1 reply is ignored; one ack makes a majority with R1's own store.
    let (what, eff) = msg(
        &reg,
        &mut r1,
        2_500,
        2,
        Msg::GetReply {
            rid,
            versions: vec![],
        },
    );
    assert!(matches!(what, What::Ignored { .. }) && eff.is_empty());
    let (what, eff) = msg(
        &reg,
        &mut r1,
        3_000,
        2,
        Msg::PutAck {
            rid: rid2,
            hint_for: None,
        },
    );
    assert_eq!(
        what,
        What::Counted {
            from: NodeId(2),
            ack: true,
            heard: 2,
            needed: 2,
            answered: Some(AnswerKind::Written),
            repaired: vec![]
        }
    );
    assert_eq!(
        sends(&eff),
        vec![(
            c1,
            Msg::Reply {
                op: 0,
                answer: Answer::Written { version: chosen },
                read_set: vec![NodeId(0), NodeId(1)],
                write_set: vec![h(0, None), h(2, None)]
            }
        )]
    );
    assert!(eff.contains(&Effect::CancelTimer {
        timer: Timer::CoordOp(cid)
    }));
    assert!(rep(&r1).coord.is_empty());
}

#[test]
fn abd_read_writes_back_before_answering_unless_switched_off() {
    for write_back in [true, false] {
        let mut c = cfg(Mode::Cp, 3);
        c.safety.read_write_back = write_back;
        let reg = Register::new(c);
        let mut r1 = node(&reg, 0);
        rep_mut(&mut r1).versions = vec![ver(1, 1, 0, 0, 0)];
        msg(&reg, &mut r1, 0, 3, read_req(0));
        let rid = rep(&r1).coord[0].rid;
        let newer = ver(2, 2, 1, 1, 0);
        let (what, eff) = msg(
            &reg,
            &mut r1,
            1,
            1,
            Msg::GetReply {
                rid,
                versions: vec![newer.clone()],
            },
        );
        if write_back {
            assert!(
                matches!(
                    what,
                    What::AbdStore {
                        kind: OpKind::Read,
                        value: 2,
                        ..
                    }
                ),
                "{what:?}"
            );
            let rid2 = rep(&r1).coord[0].rid;
            let put = Msg::Put {
                rid: rid2,
                version: newer.clone(),
                ack: true,
                hint_for: None,
            };
            assert_eq!(sends(&eff), vec![(1, put.clone()), (2, put)]);
            let (_, eff) = msg(
                &reg,
                &mut r1,
                2,
                2,
                Msg::PutAck {
                    rid: rid2,
                    hint_for: None,
                },
            );
            let reply = sends(&eff);
            assert!(
                matches!(&reply[..], [(3, Msg::Reply { answer: Answer::Read { versions }, .. })] if *versions == vec![newer.clone()])
            );
        } else {
            assert!(
                matches!(
                    what,
                    What::Counted {
                        answered: Some(AnswerKind::Read),
                        ..
                    }
                ),
                "{what:?}"
            );
            assert!(
                matches!(&sends(&eff)[..], [(3, Msg::Reply { answer: Answer::Read { versions }, .. })] if *versions == vec![newer.clone()])
            );
            assert!(rep(&r1).coord.is_empty());
        }
    }
}

#[test]
fn abd_write_without_query_stamps_from_its_own_copy() {
    let mut c = cfg(Mode::Cp, 3);
    c.safety.write_query = false;
    let reg = Register::new(c);
    let mut r3 = node(&reg, 2);
    let (what, eff) = msg(&reg, &mut r3, 0, 3, write_req(0, 9));
    assert!(
        matches!(
            what,
            What::AbdStore {
                skipped_query: true,
                stamp: Stamp { t: 1, node: 2, .. },
                ..
            }
        ),
        "{what:?}"
    );
    assert!(
        sends(&eff)
            .iter()
            .all(|(_, m)| matches!(m, Msg::Put { .. })),
        "no phase 1"
    );
}

#[test]
fn cp_timeout_refuses_in_phase_one_and_is_indeterminate_in_phase_two() {
    let reg = Register::new(cfg(Mode::Cp, 5));
    let mut r1 = node(&reg, 0);
    msg(&reg, &mut r1, 0, 5, write_req(0, 1));
    let cid = rep(&r1).coord[0].cid;
    let (what, eff) = timer(&reg, &mut r1, 200_000, Timer::CoordOp(cid));
    assert_eq!(
        what,
        What::GaveUp {
            client: NodeId(5),
            kind: OpKind::Write,
            heard: 1,
            needed: 3,
            indeterminate: false
        }
    );
    assert!(matches!(
        &sends(&eff)[..],
        [(
            5,
            Msg::Reply {
                answer: Answer::Unavailable {
                    heard: 1,
                    needed: 3
                },
                ..
            }
        )]
    ));

    // Phase 2: two of three acks.
    msg(&reg, &mut r1, 0, 5, write_req(1, 2));
    let (cid, rid) = (rep(&r1).coord[0].cid, rep(&r1).coord[0].rid);
    msg(
        &reg,
        &mut r1,
        1,
        1,
        Msg::GetReply {
            rid,
            versions: vec![],
        },
    );
    msg(
        &reg,
        &mut r1,
        2,
        2,
        Msg::GetReply {
            rid,
            versions: vec![],
        },
    );
    let rid2 = rep(&r1).coord[0].rid;
    msg(
        &reg,
        &mut r1,
        3,
        1,
        Msg::PutAck {
            rid: rid2,
            hint_for: None,
        },
    );
    let (what, eff) = timer(&reg, &mut r1, 200_000, Timer::CoordOp(cid));
    assert_eq!(
        what,
        What::GaveUp {
            client: NodeId(5),
            kind: OpKind::Write,
            heard: 2,
            needed: 3,
            indeterminate: true
        }
    );
    assert!(matches!(
        &sends(&eff)[..],
        [(
            5,
            Msg::Reply {
                answer: Answer::Failed {
                    heard: 2,
                    needed: 3
                },
                ..
            }
        )]
    ));
}

// ---- AP --------------------------------------------------------------------

#[test]
fn ap_write_acknowledges_at_once_and_replicates_in_the_background() {
    let mut c = cfg(Mode::Ap, 3);
    c.skew_ms = vec![0, 0, 0];
    let reg = Register::new(c);
    let mut r1 = node(&reg, 0);
    let (what, eff) = msg(&reg, &mut r1, 5_000, 3, write_req(0, 4));
    let v = Version {
        value: 4,
        stamp: Stamp {
            t: 5_000,
            node: 0,
            seq: 0,
        },
        vv: vec![],
        origin: OpRef { client: 0, idx: 0 },
    };
    assert_eq!(
        what,
        What::ApWrite {
            client: NodeId(3),
            value: 4,
            stamp: v.stamp,
            local: Applied::New,
            sent: 2
        }
    );
    let rep_msg = Msg::Put {
        rid: 0,
        version: v.clone(),
        ack: false,
        hint_for: None,
    };
    assert_eq!(
        sends(&eff),
        vec![
            (1, rep_msg.clone()),
            (2, rep_msg),
            (
                3,
                Msg::Reply {
                    op: 0,
                    answer: Answer::Written { version: v.clone() },
                    read_set: vec![],
                    write_set: vec![h(0, None)]
                }
            )
        ]
    );
    assert!(rep(&r1).coord.is_empty(), "nothing to wait for");
    let (what, eff) = msg(&reg, &mut r1, 6_000, 4, read_req(0));
    assert_eq!(
        what,
        What::ApRead {
            client: NodeId(4),
            values: vec![4]
        }
    );
    assert!(
        matches!(&sends(&eff)[..], [(4, Msg::Reply { read_set, .. })] if *read_set == vec![NodeId(0)])
    );
}

#[test]
fn lww_discards_a_later_write_stamped_by_a_slow_clock() {
    let mut c = cfg(Mode::Ap, 3);
    c.skew_ms = vec![0, -500, 0];
    let reg = Register::new(c);
    let mut r2 = node(&reg, 1);
    assert_eq!(
        rep(&r2).clock_us(100_000),
        0,
        "a clock never reads below zero"
    );
    // R2 already holds a value stamped 300 ms by a fast clock elsewhere.
    rep_mut(&mut r2).versions = vec![ver(1, 300_000, 0, 0, 0)];
    let (what, eff) = msg(&reg, &mut r2, 700_000, 4, write_req(0, 2));
    assert!(
        matches!(
            what,
            What::ApWrite {
                value: 2,
                stamp: Stamp { t: 200_000, .. },
                local: Applied::Older,
                ..
            }
        ),
        "{what:?}"
    );
    assert!(
        sends(&eff).iter().any(|(to, m)| *to == 4
            && matches!(
                m,
                Msg::Reply {
                    answer: Answer::Written { .. },
                    ..
                }
            )),
        "still acknowledged"
    );
    assert_eq!(values_of(&r2), vec![1]);
}

fn values_of(n: &RegNode) -> Vec<i64> {
    rep(n).versions.iter().map(|v| v.value).collect()
}

#[test]
fn version_vector_write_extends_the_client_context() {
    let mut c = cfg(Mode::Ap, 3);
    c.conflict = Conflict::VersionVectors;
    let reg = Register::new(c);
    let mut r1 = node(&reg, 0);
    rep_mut(&mut r1).versions = vec![Version {
        vv: vec![0, 0, 3],
        ..ver(8, 1, 2, 1, 0)
    }];
    // A blind write (empty context) is concurrent with what R1 holds.
    msg(&reg, &mut r1, 10, 3, write_req(0, 5));
    assert_eq!(values_of(&r1), vec![8, 5]);
    assert_eq!(rep(&r1).versions[1].vv, vec![1, 0, 0]);
    // A write whose context saw both resolves them.
    let ctx = vec![1, 0, 3];
    msg(
        &reg,
        &mut r1,
        20,
        3,
        Msg::Request {
            op: 1,
            kind: OpKind::Write,
            value: Some(6),
            context: ctx,
        },
    );
    assert_eq!(values_of(&r1), vec![6]);
    assert_eq!(rep(&r1).versions[0].vv, vec![2, 0, 3]);
}

// ---- Quorum ----------------------------------------------------------------

#[test]
fn quorum_write_waits_for_w_and_a_sloppy_quorum_turns_to_stand_ins() {
    let reg = Register::new(RegisterConfig {
        rf: 3,
        w: 2,
        r: 2,
        sloppy: true,
        ..cfg(Mode::Quorum, 5)
    });
    let mut r1 = node(&reg, 0);
    let (what, eff) = msg(&reg, &mut r1, 0, 5, write_req(0, 1));
    assert!(
        matches!(
            what,
            What::QuorumWrite {
                local: Some(Applied::New),
                asked: 2,
                needed: 2,
                ..
            }
        ),
        "{what:?}"
    );
    let o = rep(&r1).coord[0].clone();
    let v = o.chosen.clone().unwrap();
    let put = |hint: Option<u8>| Msg::Put {
        rid: o.rid,
        version: v.clone(),
        ack: true,
        hint_for: hint.map(NodeId),
    };
    assert_eq!(sends(&eff), vec![(1, put(None)), (2, put(None))]);
    assert!(eff.contains(&Effect::SetTimer {
        timer: Timer::Sloppy(o.cid),
        after_us: reg.sloppy_after_us()
    }));

    let (what, eff) = timer(&reg, &mut r1, 22_000, Timer::Sloppy(o.cid));
    assert_eq!(
        what,
        What::StandIns {
            kind: OpKind::Write,
            asked: vec![(NodeId(3), NodeId(1)), (NodeId(4), NodeId(2))]
        }
    );
    assert_eq!(sends(&eff), vec![(3, put(Some(1))), (4, put(Some(2)))]);

    let (what, eff) = msg(
        &reg,
        &mut r1,
        30_000,
        3,
        Msg::PutAck {
            rid: o.rid,
            hint_for: Some(NodeId(1)),
        },
    );
    assert!(
        matches!(
            what,
            What::Counted {
                answered: Some(AnswerKind::Written),
                heard: 2,
                needed: 2,
                ..
            }
        ),
        "{what:?}"
    );
    assert!(
        matches!(&sends(&eff)[..], [(5, Msg::Reply { write_set, .. })] if *write_set == vec![h(0, None), h(3, Some(1))])
    );
}

#[test]
fn quorum_read_answers_after_r_and_repairs_stale_replicas() {
    let reg = Register::new(RegisterConfig {
        w: 2,
        r: 2,
        read_repair: true,
        ..cfg(Mode::Quorum, 3)
    });
    let mut r1 = node(&reg, 0);
    let fresh = ver(5, 50, 0, 0, 0);
    rep_mut(&mut r1).versions = vec![fresh.clone()];
    let (what, eff) = msg(&reg, &mut r1, 100, 3, read_req(0));
    assert_eq!(
        what,
        What::QuorumRead {
            client: NodeId(3),
            asked: 2,
            local: true,
            needed: 2
        }
    );
    let rid = rep(&r1).coord[0].rid;
    assert_eq!(
        sends(&eff),
        vec![(1, Msg::Get { rid }), (2, Msg::Get { rid })]
    );

    // R2 is stale: the read answers with R1's version and repairs R2.
    let (what, eff) = msg(
        &reg,
        &mut r1,
        200,
        1,
        Msg::GetReply {
            rid,
            versions: vec![],
        },
    );
    assert_eq!(
        what,
        What::Counted {
            from: NodeId(1),
            ack: false,
            heard: 2,
            needed: 2,
            answered: Some(AnswerKind::Read),
            repaired: vec![NodeId(1)]
        }
    );
    let s = sends(&eff);
    assert!(
        matches!(&s[0], (3, Msg::Reply { answer: Answer::Read { versions }, .. }) if *versions == vec![fresh.clone()])
    );
    assert_eq!(
        s[1],
        (
            1,
            Msg::Repair {
                versions: vec![fresh.clone()]
            }
        )
    );
    // R3's late, fresh reply needs no repair and closes the operation.
    let (what, eff) = msg(
        &reg,
        &mut r1,
        210,
        2,
        Msg::GetReply {
            rid,
            versions: vec![fresh.clone()],
        },
    );
    assert!(
        matches!(what, What::Counted { answered: None, ref repaired, .. } if repaired.is_empty()),
        "{what:?}"
    );
    assert!(rep(&r1).coord.is_empty());
    assert!(eff.iter().any(|e| matches!(
        e,
        Effect::CancelTimer {
            timer: Timer::CoordOp(_)
        }
    )));
}

// ---- Storage side ----------------------------------------------------------

#[test]
fn hints_are_stored_handed_off_and_dropped_once_delivered() {
    let reg = Register::new(RegisterConfig {
        rf: 3,
        sloppy: true,
        ..cfg(Mode::Quorum, 5)
    });
    let mut r4 = node(&reg, 3);
    let v = ver(1, 10, 0, 0, 0);
    let (what, eff) = msg(
        &reg,
        &mut r4,
        0,
        0,
        Msg::Put {
            rid: 7,
            version: v.clone(),
            ack: true,
            hint_for: Some(NodeId(1)),
        },
    );
    assert_eq!(
        what,
        What::PutApplied {
            coord: NodeId(0),
            value: 1,
            applied: Applied::New,
            hint_for: Some(NodeId(1)),
            ack: true
        }
    );
    assert_eq!(
        sends(&eff),
        vec![(
            0,
            Msg::PutAck {
                rid: 7,
                hint_for: Some(NodeId(1))
            }
        )]
    );
    assert!(eff.contains(&Effect::SetTimer {
        timer: Timer::Handoff,
        after_us: 100_000
    }));
    assert!(
        rep(&r4).versions.is_empty(),
        "a hint is not the stand-in's own copy"
    );

    let (what, eff) = timer(&reg, &mut r4, 100_000, Timer::Handoff);
    assert_eq!(
        what,
        What::HandoffSent {
            to: vec![NodeId(1)],
            n: 1
        }
    );
    assert_eq!(
        sends(&eff),
        vec![(
            1,
            Msg::Handoff {
                versions: vec![v.clone()]
            }
        )]
    );

    let mut r2 = node(&reg, 1);
    let (_, eff) = msg(
        &reg,
        &mut r2,
        110_000,
        3,
        Msg::Handoff {
            versions: vec![v.clone()],
        },
    );
    assert_eq!(rep(&r2).versions, vec![v.clone()]);
    assert_eq!(
        sends(&eff),
        vec![(
            3,
            Msg::HandoffAck {
                delivered: vec![v.stamp]
            }
        )]
    );

    let (what, eff) = msg(
        &reg,
        &mut r4,
        120_000,
        1,
        Msg::HandoffAck {
            delivered: vec![v.stamp],
        },
    );
    assert_eq!(
        what,
        What::HandoffAcked {
            from: NodeId(1),
            n: 1
        }
    );
    assert!(rep(&r4).hints.is_empty());
    assert!(eff.contains(&Effect::CancelTimer {
        timer: Timer::Handoff
    }));
}

#[test]
fn anti_entropy_pushes_to_the_next_peer_and_pulls_differences() {
    let reg = Register::new(RegisterConfig {
        ae_ms: 100,
        ..cfg(Mode::Ap, 3)
    });
    let mut r1 = node(&reg, 0);
    let v = ver(3, 10, 0, 0, 0);
    rep_mut(&mut r1).versions = vec![v.clone()];
    let (what, eff) = timer(&reg, &mut r1, 100_000, Timer::AntiEntropy);
    assert_eq!(what, What::SyncSent { to: NodeId(1) });
    assert_eq!(
        sends(&eff),
        vec![(
            1,
            Msg::Sync {
                versions: vec![v.clone()]
            }
        )]
    );
    assert!(eff.contains(&Effect::SetTimer {
        timer: Timer::AntiEntropy,
        after_us: 100_000
    }));
    let (what, _) = timer(&reg, &mut r1, 200_000, Timer::AntiEntropy);
    assert_eq!(what, What::SyncSent { to: NodeId(2) }, "round robin");

    // A peer with a newer version takes nothing and answers with its own.
    let mut r2 = node(&reg, 1);
    let newer = ver(4, 20, 1, 1, 0);
    rep_mut(&mut r2).versions = vec![newer.clone()];
    let (what, eff) = msg(&reg, &mut r2, 0, 0, Msg::Sync { versions: vec![v] });
    assert_eq!(
        what,
        What::SyncMerged {
            from: NodeId(0),
            changed: false,
            replied: true
        }
    );
    assert_eq!(
        sends(&eff),
        vec![(
            0,
            Msg::SyncReply {
                versions: vec![newer]
            }
        )]
    );
}

#[test]
fn crash_forgets_operations_but_keeps_the_register() {
    let reg = Register::new(cfg(Mode::Cp, 3));
    let mut r1 = node(&reg, 0);
    rep_mut(&mut r1).versions = vec![ver(1, 1, 0, 0, 0)];
    msg(&reg, &mut r1, 0, 3, write_req(0, 2));
    let rid_before = rep(&r1).next_rid;
    reg.on_crash(&mut r1);
    assert!(rep(&r1).coord.is_empty());
    assert_eq!(values_of(&r1), vec![1]);
    assert_eq!(
        rep(&r1).next_rid,
        rid_before,
        "request ids are never reused"
    );
    let (what, _) = run(&reg, &mut r1, 10, |r, n, c| r.on_restart(n, c));
    assert_eq!(
        what,
        What::Restarted {
            values: vec![1],
            n_hints: 0
        }
    );
}

// ---- Clients ---------------------------------------------------------------

#[test]
fn a_client_does_one_operation_at_a_time_and_records_it() {
    let reg = Register::new(cfg(Mode::Ap, 3));
    let mut c1 = node(&reg, 3);
    let (what, eff) = run(&reg, &mut c1, 0, |r, n, c| {
        r.on_command(
            n,
            c,
            &Cmd::Write {
                value: 5,
                via: Some(NodeId(2)),
            },
        )
    });
    assert_eq!(
        what,
        What::Invoked {
            op: 0,
            kind: OpKind::Write,
            value: Some(5),
            via: NodeId(2),
            auto: false
        }
    );
    assert_eq!(sends(&eff), vec![(2, write_req(0, 5))]);
    assert!(eff.contains(&Effect::SetTimer {
        timer: Timer::ClientOp(0),
        after_us: reg.client_timeout_us()
    }));
    let (what, eff) = run(&reg, &mut c1, 1, |r, n, c| {
        r.on_command(n, c, &Cmd::Read { via: None })
    });
    assert_eq!(what, What::Busy { pending: 0 });
    assert!(eff.is_empty());

    let v = ver(5, 10, 2, 0, 0);
    let reply = Msg::Reply {
        op: 0,
        answer: Answer::Written { version: v.clone() },
        read_set: vec![],
        write_set: vec![h(2, None)],
    };
    let (what, eff) = msg(&reg, &mut c1, 20_000, 2, reply.clone());
    assert_eq!(
        what,
        What::Completed {
            op: 0,
            kind: OpKind::Write,
            outcome: Outcome::Ok,
            values: vec![],
            latency_us: 20_000
        }
    );
    assert_eq!(
        eff,
        vec![Effect::CancelTimer {
            timer: Timer::ClientOp(0)
        }]
    );
    let rec = &c1.client().unwrap().ops[0];
    assert_eq!(
        (rec.ok_at(), rec.written.clone(), rec.write_set.clone()),
        (Some(20_000), Some(v), vec![h(2, None)])
    );
    assert_eq!(
        rec.to_op(0),
        Op {
            client: 0,
            kind: OpKind::Write,
            value: Some(5),
            expected: None,
            ok: true,
            invoke: 0,
            response: Some(20_000)
        }
    );
    let (what, _) = msg(&reg, &mut c1, 21_000, 2, reply);
    assert_eq!(what, What::LateReply { op: 0 });

    // Home replica by default; a timeout leaves the read unanswered.
    let (what, _) = run(&reg, &mut c1, 30_000, |r, n, c| {
        r.on_command(n, c, &Cmd::Read { via: None })
    });
    assert_eq!(
        what,
        What::Invoked {
            op: 1,
            kind: OpKind::Read,
            value: None,
            via: reg.home(0),
            auto: false
        }
    );
    let (what, _) = timer(&reg, &mut c1, 500_000, Timer::ClientOp(1));
    assert_eq!(
        what,
        What::NoAnswer {
            op: 1,
            kind: OpKind::Read
        }
    );
    let rec = &c1.client().unwrap().ops[1];
    assert_eq!(rec.outcome, Outcome::NoAnswer);
    assert_eq!((rec.to_op(0).ok, rec.to_op(0).response), (false, None));
}

#[test]
fn indeterminate_writes_are_ok_without_response_in_the_history() {
    let reg = Register::new(cfg(Mode::Cp, 3));
    let mut c1 = node(&reg, 3);
    run(&reg, &mut c1, 0, |r, n, c| {
        r.on_command(
            n,
            c,
            &Cmd::Write {
                value: 5,
                via: None,
            },
        )
    });
    msg(
        &reg,
        &mut c1,
        10,
        0,
        Msg::Reply {
            op: 0,
            answer: Answer::Failed {
                heard: 1,
                needed: 2,
            },
            read_set: vec![],
            write_set: vec![],
        },
    );
    let op = c1.client().unwrap().ops[0].to_op(0);
    assert_eq!((op.ok, op.response), (true, None));
    run(&reg, &mut c1, 20, |r, n, c| {
        r.on_command(
            n,
            c,
            &Cmd::Write {
                value: 6,
                via: None,
            },
        )
    });
    msg(
        &reg,
        &mut c1,
        30,
        0,
        Msg::Reply {
            op: 1,
            answer: Answer::Unavailable {
                heard: 1,
                needed: 2,
            },
            read_set: vec![],
            write_set: vec![],
        },
    );
    let op = c1.client().unwrap().ops[1].to_op(0);
    assert_eq!((op.ok, op.response), (false, Some(30)));
}

#[test]
fn commands_to_the_wrong_kind_of_node_are_ignored() {
    let reg = Register::new(cfg(Mode::Ap, 3));
    let mut r1 = node(&reg, 0);
    let (what, eff) = run(&reg, &mut r1, 0, |r, n, c| {
        r.on_command(n, c, &Cmd::Read { via: None })
    });
    assert!(matches!(what, What::Ignored { .. }) && eff.is_empty());
    let (what, _) = run(&reg, &mut r1, 0, |r, n, c| {
        r.on_command(n, c, &Cmd::Skew { ms: -250 })
    });
    assert_eq!(what, What::SkewSet { ms: -250 });
    let mut c1 = node(&reg, 3);
    let (what, _) = run(&reg, &mut c1, 0, |r, n, c| {
        r.on_command(n, c, &Cmd::AntiEntropy)
    });
    assert!(matches!(what, What::Ignored { .. }));
}

// ---- Text forms ------------------------------------------------------------

#[test]
fn cmd_codec_round_trips_and_rejects_garbage() {
    use crate::kernel::input::CommandCodec;
    let cmds = [
        Cmd::Read { via: None },
        Cmd::Read {
            via: Some(NodeId(4)),
        },
        Cmd::Write {
            value: 42,
            via: None,
        },
        Cmd::Write {
            value: 0,
            via: Some(NodeId(6)),
        },
        Cmd::AntiEntropy,
        Cmd::Skew { ms: 300 },
        Cmd::Skew { ms: -10_000 },
    ];
    for c in cmds {
        assert_eq!(Cmd::parse(&c.encode()), Ok(c.clone()), "{}", c.encode());
    }
    for bad in [
        "",
        "read-",
        "read-x",
        "read-7",
        "read-1-2",
        "write",
        "write-",
        "write--1",
        "write-1-9",
        "ae-1",
        "skew",
        "skew-n",
        "skew-99999",
        "skew-1-2",
        "write-1-2-3",
        "ü",
    ] {
        assert!(Cmd::parse(bad).is_err(), "{bad}");
    }
    let i: Input<Cmd> = Input::parse("cmd.5.write-7-2", 7).unwrap();
    assert_eq!(
        i,
        Input::Command(
            Who::Id(NodeId(5)),
            Cmd::Write {
                value: 7,
                via: Some(NodeId(2))
            }
        )
    );
}

#[test]
fn config_params_round_trip_and_clamp() {
    use crate::labs::params::{read, write};
    use crate::labs::register::lab::{CAP_PARAMS, QUORUM_PARAMS};
    use std::collections::BTreeMap;
    let base = RegisterConfig {
        mode: Mode::Quorum,
        ..RegisterConfig::default()
    };
    let custom = RegisterConfig {
        mode: Mode::Quorum,
        n_replicas: 6,
        n_clients: 3,
        rf: 4,
        w: 3,
        r: 1,
        sloppy: true,
        read_repair: true,
        conflict: Conflict::VersionVectors,
        ae_ms: 0,
        handoff_ms: 250,
        op_timeout_ms: 90,
        latency_us_min: 100,
        latency_us_max: 900,
        loss: 0.1,
        skew_ms: vec![0, -300, 0, 0, 700, 0],
        auto_ms: 40,
        write_pct: 30,
        safety: Safety::default(),
    };
    let owned: BTreeMap<String, String> = write(QUORUM_PARAMS, &custom, &base)
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
    let (c, warnings) = read(QUORUM_PARAMS, &base, &owned, RegisterConfig::clamped);
    assert_eq!(c, custom);
    assert!(warnings.is_empty(), "{warnings:?}");
    assert!(write(QUORUM_PARAMS, &base, &base).is_empty());

    // The CAP lab's table: CP or AP, with the CP safety switches.
    let cp = RegisterConfig {
        mode: Mode::Ap,
        safety: Safety {
            read_write_back: false,
            write_query: false,
        },
        ..RegisterConfig::default()
    };
    let owned: BTreeMap<String, String> = write(CAP_PARAMS, &cp, &RegisterConfig::default())
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
    assert_eq!(
        read(
            CAP_PARAMS,
            &RegisterConfig::default(),
            &owned,
            RegisterConfig::clamped
        )
        .0,
        cp
    );

    let bad: BTreeMap<String, String> = [
        ("mode", "ca"),
        ("n", "12"),
        ("w", "9"),
        ("skew", "5,x,-99999"),
        ("conflict", "crdt"),
        ("auto", "3"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    let (c, warnings) = read(
        CAP_PARAMS,
        &RegisterConfig::default(),
        &bad,
        RegisterConfig::clamped,
    );
    assert_eq!(
        (c.mode, c.n_replicas, c.conflict, c.auto_ms),
        (Mode::Cp, 7, Conflict::Lww, 10)
    );
    assert_eq!(
        c.skew_ms,
        vec![0; 7],
        "a list with a bad entry keeps the base, resized to the replicas"
    );
    // mode, n, skew, conflict, auto (0 or 10-10,000), and the skew resized; w is not a CAP setting.
    assert_eq!(warnings.len(), 5, "{warnings:?}");
    assert!(
        warnings
            .iter()
            .any(|w| w.starts_with("auto=3 adjusted to 10")),
        "{warnings:?}"
    );
    let (q, warnings) = read(QUORUM_PARAMS, &base, &bad, RegisterConfig::clamped);
    assert_eq!((q.n_replicas, q.w), (7, 3), "w is at most N = rf = 3");
    assert!(
        warnings.iter().any(|w| w == "w=9 is outside 1–3; using 3"),
        "{warnings:?}"
    );
}

#[test]
fn clamped_keeps_every_value_in_range() {
    let c = RegisterConfig {
        n_replicas: 99,
        n_clients: 0,
        rf: 0,
        w: 200,
        r: 0,
        ae_ms: 1,
        op_timeout_ms: 0,
        latency_us_min: 9,
        latency_us_max: 3,
        loss: f64::NAN,
        skew_ms: vec![i64::MIN],
        write_pct: 255,
        ..RegisterConfig::default()
    }
    .clamped();
    assert_eq!((c.n_replicas, c.n_clients, c.rf, c.w, c.r), (7, 1, 1, 1, 1));
    assert_eq!(
        (
            c.ae_ms,
            c.op_timeout_ms,
            c.latency_us_min,
            c.loss,
            c.write_pct
        ),
        (10, 10, 3, 0.0, 100)
    );
    assert_eq!(c.skew_ms, vec![-10_000, 0, 0, 0, 0, 0, 0]);
}

/// Each mode's quorum system, and what it promises: CP's majorities meet
/// each other and every read; AP's single replica meets nothing; quorum
/// mode's `W` and `R` count among the `N` preferred replicas only.
#[test]
fn each_mode_counts_answers_against_its_quorum_system() {
    let q = |mode, n, rf, w, r| {
        Register::new(RegisterConfig {
            mode,
            n_replicas: n,
            rf,
            w,
            r,
            ..RegisterConfig::default()
        })
        .quorums()
    };
    let cp = q(Mode::Cp, 5, 5, 1, 1);
    assert_eq!(
        (
            cp.n(),
            cp.w(),
            cp.r(),
            cp.reads_see_writes(),
            cp.writes_meet()
        ),
        (5, 3, 3, true, true)
    );
    let ap = q(Mode::Ap, 4, 4, 3, 3);
    assert_eq!(
        (
            ap.n(),
            ap.w(),
            ap.r(),
            ap.reads_see_writes(),
            ap.writes_meet()
        ),
        (4, 1, 1, false, false)
    );
    let strict = q(Mode::Quorum, 7, 3, 2, 2);
    assert_eq!(
        (
            strict.n(),
            strict.w(),
            strict.r(),
            strict.reads_see_writes(),
            strict.writes_meet()
        ),
        (3, 2, 2, true, true)
    );
    let loose = q(Mode::Quorum, 7, 5, 2, 3);
    assert_eq!(
        (
            loose.reads_see_writes(),
            loose.writes_meet(),
            loose.write_tolerates()
        ),
        (false, false, 3)
    );
    // Out of range W and R are clamped into 1..=N, by the same rule.
    let clamped = q(Mode::Quorum, 5, 3, 0, 9);
    assert_eq!((clamped.w(), clamped.r()), (1, 3));
    let reg = Register::new(RegisterConfig {
        mode: Mode::Quorum,
        n_replicas: 5,
        rf: 3,
        w: 2,
        r: 3,
        ..RegisterConfig::default()
    });
    assert_eq!(
        (reg.majority(), reg.write_quorum(), reg.read_quorum()),
        (3, 2, 3)
    );
}

// ---- Scenarios -------------------------------------------------------------

#[test]
fn every_scenario_keeps_its_promise_for_any_seed() {
    let mut failures = check_scenarios::<CapLab>(&[77, 12_345]);
    failures.extend(check_scenarios::<QuorumLab>(&[77, 12_345]));
    let text: Vec<String> = failures
        .iter()
        .map(|f| format!("{f}\n{}", f.narration))
        .collect();
    assert!(failures.is_empty(), "{}", text.join("\n\n"));
}

#[test]
fn scenarios_belong_to_their_lab_and_ids_are_unique() {
    for sc in scenarios::cap() {
        assert!(
            matches!(sc.proto.config.mode, Mode::Cp | Mode::Ap),
            "{}",
            sc.id
        );
    }
    for sc in scenarios::quorum() {
        assert_eq!(sc.proto.config.mode, Mode::Quorum, "{}", sc.id);
    }
    let all = scenarios::all();
    for (i, a) in all.iter().enumerate() {
        assert!(
            all[i + 1..].iter().all(|b| b.id != a.id),
            "duplicate id {}",
            a.id
        );
        assert!(scenarios::find(a.id).is_some());
        assert_eq!(
            a.proto.config,
            a.proto.config.clone().clamped(),
            "{}: config out of range",
            a.id
        );
    }
    // Every invariant is broken by some scenario (and, per mode, by the
    // property tests below).
    let broken: Vec<&str> = all
        .iter()
        .flat_map(|s| {
            s.run_to_pause(s.seed)
                .world()
                .violations
                .iter()
                .map(|v| v.invariant)
                .collect::<Vec<_>>()
        })
        .collect();
    for i in QUORUM_INVARIANTS
        .iter()
        .chain(AP_INVARIANTS)
        .chain(CP_INVARIANTS)
    {
        assert!(broken.contains(&i.name), "no scenario breaks {}", i.name);
    }
}

#[test]
fn stepping_back_and_forward_returns_the_same_state() {
    for sc in scenarios::all() {
        let mut t = sc.run_to_pause(sc.seed);
        let end = t.cursor();
        let digest = |t: &Timeline<Register>| {
            let w = t.world();
            format!(
                "{:?}{:?}{:?}{:?}",
                w.nodes,
                w.in_flight.keys().collect::<Vec<_>>(),
                w.checker,
                w.violations
            )
        };
        let at_end = digest(&t);
        let mid = end / 2;
        t.seek(mid);
        let at_mid = digest(&t);
        let k = mid.min(10);
        for _ in 0..k {
            t.back();
        }
        for _ in 0..k {
            t.forward().unwrap();
        }
        assert_eq!(digest(&t), at_mid, "{}: back {k}, forward {k}", sc.id);
        t.seek(end);
        assert_eq!(digest(&t), at_end, "{}: seek to end", sc.id);
    }
}

// ---- Determinism -----------------------------------------------------------

fn busy_config(mode: Mode) -> RegisterConfig {
    RegisterConfig {
        mode,
        auto_ms: 30,
        latency_us_min: 2_000,
        latency_us_max: 20_000,
        loss: 0.05,
        ..RegisterConfig::default()
    }
}

fn trace_hash(cfg: RegisterConfig, seed: u64, steps: u64) -> u64 {
    let mut t = Timeline::new(World::new(
        Register::new(cfg),
        seed,
        vec![(150_000, Input::Partition(vec![vec![NodeId(0), NodeId(1)]]))],
    ));
    t.seek(steps);
    t.trace_hash()
}

#[test]
fn same_seed_and_inputs_give_the_same_trace() {
    for mode in [Mode::Cp, Mode::Ap, Mode::Quorum] {
        let a = trace_hash(busy_config(mode), 5, 1_500);
        assert_eq!(a, trace_hash(busy_config(mode), 5, 1_500), "{mode:?}");
        assert_ne!(
            a,
            trace_hash(busy_config(mode), 6, 1_500),
            "{mode:?}: the seed must matter"
        );
    }
}

#[test]
fn counters_and_history_follow_the_clients() {
    let sc = scenarios::find("cp-refuses-minority").unwrap();
    let w = sc.run_to_pause(sc.seed);
    let w = w.world();
    let h = history(w);
    assert_eq!(h.len(), 4);
    assert!(h.windows(2).all(|p| p[0].invoke <= p[1].invoke));
    let refused: Vec<&Op> = h.iter().filter(|o| !o.ok).collect();
    assert_eq!(refused.len(), 1);
    assert_eq!(
        (refused[0].kind, refused[0].value, refused[0].client),
        (OpKind::Write, Some(2), 0)
    );
    let c = counters(w);
    assert_eq!(
        (
            c.whole.writes_served,
            c.minority.refused,
            c.majority.writes_served,
            c.majority.reads_served
        ),
        (1, 1, 1, 1)
    );
    assert_eq!(c.total().served(), 3);
    assert_eq!(c.majority.mean_read_latency_us(), Some(60_000));

    // The sloppy quorum's stale read and the write it missed.
    let sc = scenarios::find("sloppy-quorum").unwrap();
    let t = sc.run_to_pause(sc.seed);
    let w = t.world();
    let read = scenarios::op(w, 2, 1).unwrap();
    let (c, write) = last_write_before(w, read.invoke_us).unwrap();
    assert_eq!((c, write.value), (0, Some(1)));
    assert_eq!(
        write.write_set,
        vec![
            Holder {
                node: NodeId(0),
                hint_for: None
            },
            Holder {
                node: NodeId(3),
                hint_for: Some(NodeId(1))
            }
        ]
    );
    assert_eq!(read.read_set, vec![NodeId(1), NodeId(2)]);
    assert!(last_write_before(w, write.invoke_us).is_none());
}

// ---- Linearizability by brute force ------------------------------------------

/// Wing & Gong's search with memoisation on (operations placed, value),
/// for histories of at most 64 relevant operations. Follows the
/// conventions of `crate::check`: `ok: false` and unanswered reads are
/// ignored; an unanswered write may be placed anywhere after its invoke,
/// or left out.
mod brute {
    use crate::history::{Op, OpKind, Value};
    use std::collections::BTreeSet;

    pub fn linearizable(ops: &[Op]) -> bool {
        let ops: Vec<&Op> = ops
            .iter()
            .filter(|o| o.ok && (o.response.is_some() || o.kind == OpKind::Write))
            .collect();
        assert!(
            ops.len() <= 64,
            "brute force is for short histories ({} ops)",
            ops.len()
        );
        let required = ops
            .iter()
            .enumerate()
            .filter(|(_, o)| o.response.is_some())
            .fold(0u64, |m, (i, _)| m | 1 << i);
        search(&ops, 0, None, required, &mut BTreeSet::new())
    }

    fn search(
        ops: &[&Op],
        placed: u64,
        value: Option<Value>,
        required: u64,
        seen: &mut BTreeSet<(u64, Option<Value>)>,
    ) -> bool {
        if placed & required == required {
            return true;
        }
        if !seen.insert((placed, value)) {
            return false;
        }
        // An operation may go next only if no unplaced operation finished before it began.
        let horizon = ops
            .iter()
            .enumerate()
            .filter(|(i, _)| placed & (1 << i) == 0)
            .filter_map(|(_, o)| o.response)
            .min()
            .unwrap_or(u64::MAX);
        for (i, o) in ops.iter().enumerate() {
            if placed & (1 << i) != 0 || o.invoke > horizon {
                continue;
            }
            let next = match o.kind {
                OpKind::Write => o.value,
                OpKind::Read if o.value == value => value,
                _ => continue,
            };
            if search(ops, placed | 1 << i, next, required, seen) {
                return true;
            }
        }
        false
    }
}

fn op(client: u32, kind: OpKind, value: Option<i64>, invoke: u64, response: Option<u64>) -> Op {
    Op {
        client,
        kind,
        value,
        expected: None,
        ok: true,
        invoke,
        response,
    }
}

#[test]
fn brute_force_checker_on_known_histories() {
    use OpKind::{Read, Write};
    // Concurrent write and read: either order works.
    assert!(brute::linearizable(&[
        op(0, Write, Some(1), 0, Some(10)),
        op(1, Read, None, 5, Some(6))
    ]));
    // A read after a finished write must see it.
    assert!(!brute::linearizable(&[
        op(0, Write, Some(1), 0, Some(10)),
        op(1, Read, None, 11, Some(12))
    ]));
    // New-old inversion.
    let inv = [
        op(0, Write, Some(1), 0, Some(1)),
        op(0, Write, Some(2), 2, None),
        op(1, Read, Some(2), 3, Some(4)),
        op(2, Read, Some(1), 5, Some(6)),
    ];
    assert!(!brute::linearizable(&inv));
    // An unanswered write may take effect late.
    assert!(brute::linearizable(&[
        op(0, Write, Some(1), 0, None),
        op(1, Read, None, 5, Some(6)),
        op(1, Read, Some(1), 7, Some(8))
    ]));
    // Refused operations are ignored.
    let mut refused = op(0, Write, Some(9), 0, Some(1));
    refused.ok = false;
    assert!(brute::linearizable(&[
        refused,
        op(1, Read, None, 5, Some(6))
    ]));
}

// ---- Random fault schedules ----------------------------------------------------

/// The faults the register's schedules draw: every kernel fault but the
/// clock faults, since replicas keep their own skewed clocks (`skew_ms`,
/// which kernel clock faults do not move); duplicates are skipped by the
/// generator, as the register's network never duplicates. Node faults name
/// replicas only: clients are the observers whose histories are checked.
/// Partitions do name clients, which is how a client lands on a minority
/// side. Half the crashes bounce.
fn register_mix(reg: &Register) -> FaultMix {
    FaultMix {
        bounce: 0.5,
        pause_us_max: 200_000,
        ..FaultMix::default()
            .with(FaultKind::Crash, 2)
            .targets(reg.replica_ids())
    }
}

/// A read or a write (of a fresh value, so histories can be checked) by a
/// random idle client with fewer than `max_ops` operations, if one is idle.
fn client_command(
    rng: &mut SimRng,
    w: &World<Register>,
    max_ops: usize,
    next_value: &mut u32,
) -> Option<Input<Cmd>> {
    let n_clients = w.proto.n_clients() as u8;
    let c = rng.range_u64(0, n_clients as u64 - 1) as u8;
    let idle = |c: u8| {
        let node = w.proto.client_node(c);
        w.nodes[node.idx()]
            .client()
            .is_some_and(|k| k.pending.is_none() && k.ops.len() < max_ops)
            && w.is_up(node)
    };
    let c = (0..n_clients)
        .map(|k| (c + k) % n_clients)
        .find(|k| idle(*k))?;
    let via = Some(NodeId(
        rng.range_u64(0, w.proto.n_replicas() as u64 - 1) as u8
    ));
    let cmd = if rng.chance(0.5) {
        *next_value += 1;
        Cmd::Write {
            value: *next_value,
            via,
        }
    } else {
        Cmd::Read { via }
    };
    Some(Input::Command(Who::Id(w.proto.client_node(c)), cmd))
}

/// The chaos runner for one seeded register schedule: each step is a
/// fault or a command with probability `fault_rate`, about two in five a
/// command (mostly client reads and writes, at most `max_ops` per client,
/// sometimes an anti-entropy round). An idle world gets a client command,
/// and the run ends once no client can start one.
fn register_chaos<'h>(
    reg: &Register,
    seed: u64,
    fault_rate: f64,
    max_ops: usize,
) -> Chaos<'h, Register> {
    register_chaos_with(reg, seed, fault_rate, max_ops, 8)
}

/// [`register_chaos`] with the commands' weight against the faults' (11).
fn register_chaos_with<'h>(
    reg: &Register,
    seed: u64,
    fault_rate: f64,
    max_ops: usize,
    command_weight: u32,
) -> Chaos<'h, Register> {
    let mut next_value = 1;
    Chaos::new(register_mix(reg), seed, fault_rate).with_commands(
        command_weight,
        move |rng: &mut SimRng, w: &World<Register>| {
            if rng.range_u64(0, 5) == 0 {
                let replica = NodeId(rng.range_u64(0, w.proto.n_replicas() as u64 - 1) as u8);
                return Some(Input::Command(Who::Id(replica), Cmd::AntiEntropy));
            }
            client_command(rng, w, max_ops, &mut next_value)
        },
    )
}

/// A fresh world of `cfg` after one schedule of `steps` steps, and the report.
fn chaos_run(
    cfg: RegisterConfig,
    seed: u64,
    fault_rate: f64,
    max_ops: usize,
    steps: u64,
) -> (World<Register>, Report) {
    let mut w = World::new(Register::new(cfg), seed, vec![]);
    let report = register_chaos(&w.proto, seed, fault_rate, max_ops).run(&mut w, steps);
    (w, report)
}

/// Puts every fault right (see [`calm`]) and returns when the last pause ends.
fn calm_down(w: &mut World<Register>) -> u64 {
    for input in calm(w) {
        w.step(Some(&input));
    }
    pauses_end_us(w).unwrap_or(w.now).max(w.now)
}

fn seeds() -> u64 {
    proptest_seeds(100)
}

fn cp_chaos_config(seed: u64, safety: Safety) -> RegisterConfig {
    let n = if seed % 2 == 0 { 3 } else { 5 };
    RegisterConfig {
        mode: Mode::Cp,
        n_replicas: n,
        n_clients: 2 + (seed % 3 == 0) as u8,
        latency_us_min: 1_000,
        latency_us_max: 20_000,
        loss: if seed % 4 == 1 { 0.05 } else { 0.0 },
        op_timeout_ms: 80,
        skew_ms: vec![0; n as usize],
        safety,
        ..RegisterConfig::default()
    }
}

#[test]
fn property_cp_histories_are_linearizable_and_break_no_invariant() {
    let mut longest = 0;
    let mut explored = Explored::default();
    for seed in 0..seeds() {
        let (w, report) = chaos_run(
            cp_chaos_config(seed, Safety::default()),
            seed,
            0.08,
            9,
            1_500,
        );
        assert!(
            w.violations.is_empty(),
            "seed {seed}: {:?}",
            w.violations[0]
        );
        let h = history(&w);
        longest = longest.max(h.len());
        assert!(lin(&h), "seed {seed}: not linearizable: {h:#?}");
        explored.merge(&report.explored);
    }
    assert!(
        longest >= 10,
        "histories too short to mean much ({longest})"
    );
    // Every fault of the mix landed (but duplicates: the network never
    // duplicates), partitions made more than two groups.
    let reg = Register::new(cp_chaos_config(0, Safety::default()));
    let mix = register_mix(&reg);
    let missing: Vec<FaultKind> = FaultKind::ALL
        .into_iter()
        .filter(|k| mix.weight(*k) > 0 && *k != FaultKind::Duplicate && explored.count(*k) == 0)
        .collect();
    if seeds() >= 20 {
        assert!(missing.is_empty(), "never drawn: {missing:?} ({explored})");
        assert!(
            explored.groups_max() >= 3 && explored.count(FaultKind::Duplicate) == 0,
            "{explored}"
        );
    }
    eprintln!("register CP chaos: {explored}");
}

/// Searches seeds until CP with `safety` breaks `invariant`; if it is a
/// read anomaly, the history of that run must also fail the brute-force
/// check (a lost write that no read observed leaves the history
/// linearizable). Lossy links leave writes half-stored, which is what the
/// switches mishandle; the anomalies need operations that overlap, so the
/// workload is twice the usual (over 1,000 seeds that doubles the
/// schedules that lose a write or read stale, and turns inversions from
/// none found to six). With `DSVIZ_PROPTEST_SEEDS` set, every seed is
/// tried, to report how often.
fn cp_switch_breaks(safety: Safety, invariant: &str) -> Hunt {
    hunt(0..seeds().max(2_000), thorough(), |seed| {
        let cfg = RegisterConfig {
            n_replicas: 3,
            n_clients: 3,
            skew_ms: vec![0; 3],
            loss: 0.2,
            ..cp_chaos_config(seed, safety)
        };
        let mut w = World::new(Register::new(cfg), seed, vec![]);
        let report = register_chaos_with(&w.proto, seed, 0.1, 16, 16).run(&mut w, 1_500);
        let broke = report.broke(invariant);
        if broke && invariant != "No lost writes" {
            assert!(
                !lin(&history(&w)),
                "seed {seed}: {invariant} flagged a linearizable history"
            );
        }
        broke
    })
}

#[test]
fn property_each_cp_switch_off_produces_its_violation() {
    let off_wb = Safety {
        read_write_back: false,
        ..Safety::default()
    };
    let off_wq = Safety {
        write_query: false,
        ..Safety::default()
    };
    let cases = [
        (
            off_wb,
            "No new-old inversion",
            "skipping the write-back never inverted",
        ),
        (
            off_wq,
            "No lost writes",
            "skipping phase 1 never lost a write",
        ),
        (
            off_wq,
            "No stale reads",
            "skipping phase 1 never read stale",
        ),
    ];
    for (safety, invariant, never) in cases {
        let found = cp_switch_breaks(safety, invariant);
        eprintln!("register CP, {invariant} with its switch off: {found}");
        assert!(found.first().is_some(), "{never} ({found})");
    }
}

fn ap_chaos_config(seed: u64) -> RegisterConfig {
    let mut skew = SimRng::new(seed);
    RegisterConfig {
        mode: if seed % 3 == 2 {
            Mode::Quorum
        } else {
            Mode::Ap
        },
        n_replicas: 3 + (seed % 3) as u8,
        n_clients: 3,
        rf: 3,
        w: 1 + (seed % 2) as u8,
        r: 1,
        sloppy: seed % 4 == 2,
        read_repair: seed % 5 == 0,
        conflict: if seed % 2 == 0 {
            Conflict::Lww
        } else {
            Conflict::VersionVectors
        },
        ae_ms: 50,
        handoff_ms: 40,
        op_timeout_ms: 80,
        latency_us_min: 1_000,
        latency_us_max: 20_000,
        skew_ms: (0..5)
            .map(|_| skew.range_u64(0, 400) as i64 - 200)
            .collect(),
        ..RegisterConfig::default()
    }
}

/// After a heal, with every replica restarted (and every other fault put
/// right, every pause over) and no new writes, the copies agree within the
/// settle period and no hint is left.
#[test]
fn property_ap_and_quorum_replicas_converge_after_a_heal() {
    for seed in 0..seeds() {
        let (mut w, _) = chaos_run(ap_chaos_config(seed), seed, 0.08, 8, 1_500);
        let settle = w.proto.settle_us();
        let deadline = calm_down(&mut w) + settle + 1_000;
        while w.now < deadline && w.step(None).is_some() {}
        let pref = w.proto.preferred();
        let copies: Vec<&Replica> = w
            .nodes
            .iter()
            .filter_map(RegNode::replica)
            .filter(|r| pref.contains(&r.id))
            .collect();
        let agree = copies
            .windows(2)
            .all(|p| version_sets_equal(&p[0].versions, &p[1].versions));
        let hints: usize = w
            .nodes
            .iter()
            .filter_map(RegNode::replica)
            .map(|r| r.hints.len())
            .sum();
        assert!(
            agree && hints == 0,
            "seed {seed}: {:?}, {hints} hints",
            copies.iter().map(|r| &r.versions).collect::<Vec<_>>()
        );
        assert!(
            !w.violations.iter().any(|v| v.invariant == "Convergence"),
            "seed {seed}: {:?}",
            w.violations
        );
    }
}

fn version_sets_equal(a: &[Version], b: &[Version]) -> bool {
    a.len() == b.len() && a.iter().all(|x| b.contains(x))
}

/// Any stale read or inversion the checker flags makes the history
/// non-linearizable (the checks are sound), in AP runs rich in anomalies.
#[test]
fn property_flagged_anomalies_are_real() {
    let mut flagged = 0;
    let mut inversions = 0;
    for seed in 0..seeds().max(20) {
        let cfg = RegisterConfig {
            mode: Mode::Ap,
            conflict: Conflict::Lww,
            n_clients: 3,
            ..ap_chaos_config(seed)
        };
        let (w, _) = chaos_run(cfg, seed, 0.1, 7, 1_500);
        let anomaly = w
            .violations
            .iter()
            .any(|v| v.invariant == "No stale reads" || v.invariant == "No new-old inversion");
        inversions += w
            .violations
            .iter()
            .any(|v| v.invariant == "No new-old inversion") as u32;
        if anomaly {
            flagged += 1;
            assert!(
                !lin(&history(&w)),
                "seed {seed}: flagged {:?} in a linearizable history",
                w.violations[0]
            );
        }
    }
    assert!(
        flagged > 0 && inversions > 0,
        "AP runs showed {flagged} anomalies, {inversions} inversions"
    );
}

/// Strict quorums with W + R > N and synchronised clocks: every read set
/// meets the last write's set, and no read is stale or write lost,
/// whatever the faults (new-old inversions remain possible: no write-back).
#[test]
fn property_strict_overlapping_quorums_never_read_stale() {
    for seed in 0..seeds() {
        let rf = if seed % 2 == 0 { 3 } else { 5 };
        let strict = Quorums::strict_with_write(rf as usize, 1 + (seed % rf as u64) as usize);
        let cfg = RegisterConfig {
            mode: Mode::Quorum,
            n_replicas: 5,
            rf,
            w: strict.w() as u8,
            r: strict.r() as u8,
            sloppy: false,
            read_repair: seed % 3 == 0,
            conflict: if seed % 4 == 3 {
                Conflict::VersionVectors
            } else {
                Conflict::Lww
            },
            skew_ms: vec![0; 5],
            ..ap_chaos_config(seed)
        };
        let reg = Register::new(cfg);
        assert!(
            reg.quorums().reads_see_writes() && reg.quorums() == strict,
            "seed {seed}: {:?}",
            reg.quorums()
        );
        let mut w = World::new(reg, seed, vec![]);
        register_chaos(&w.proto, seed, 0.08, 8).run(&mut w, 1_500);
        let bad: Vec<_> = w
            .violations
            .iter()
            .filter(|v| v.invariant != "No new-old inversion" && v.invariant != "Convergence")
            .collect();
        assert!(bad.is_empty(), "seed {seed}: {:?}", bad[0]);
    }
}

/// Sloppy quorums and skewed clocks do break them.
#[test]
fn property_sloppy_quorums_and_skew_break_overlap_and_lose_writes() {
    let found = |cfg_of: &dyn Fn(u64) -> RegisterConfig, invariant: &str| {
        let found = hunt(0..300, false, |seed| {
            chaos_run(cfg_of(seed), seed, 0.1, 8, 1_500)
                .1
                .broke(invariant)
        });
        found.first().is_some()
    };
    let sloppy = |seed| RegisterConfig {
        mode: Mode::Quorum,
        n_replicas: 5,
        rf: 3,
        w: 2,
        r: 2,
        sloppy: true,
        skew_ms: vec![0; 5],
        ..ap_chaos_config(seed)
    };
    assert!(
        found(&sloppy, "Quorum overlap"),
        "a sloppy quorum never missed the overlap"
    );
    let skewed = |seed| RegisterConfig {
        mode: Mode::Ap,
        conflict: Conflict::Lww,
        skew_ms: vec![300, 0, -300, 0, 0],
        ..ap_chaos_config(seed)
    };
    assert!(
        found(&skewed, "No lost writes"),
        "skewed last-writer-wins never lost a write"
    );
    let skewed_quorum = |seed| RegisterConfig {
        mode: Mode::Quorum,
        w: 1,
        r: 1,
        ..skewed(seed)
    };
    assert!(
        found(&skewed_quorum, "No lost writes"),
        "skewed quorums never lost a write"
    );
    for mode in [Mode::Ap, Mode::Quorum] {
        assert!(
            diverges_without_anti_entropy(mode).is_some(),
            "{mode:?}: without anti-entropy replicas always converged"
        );
    }
}

/// A seed whose partitions leave replicas apart for good once anti-entropy
/// is off: the network is healed, the world left alone for the settle
/// period, and then one read gives the checker a step to notice.
fn diverges_without_anti_entropy(mode: Mode) -> Option<u64> {
    let found = hunt(0..200, false, |seed| {
        let cfg = RegisterConfig {
            mode,
            ae_ms: 0,
            read_repair: false,
            sloppy: false,
            ..ap_chaos_config(seed)
        };
        let (mut w, _) = chaos_run(cfg, seed, 0.1, 6, 600);
        let settle = w.proto.settle_us();
        let calm_at = calm_down(&mut w);
        let limit = calm_at + 5_000_000;
        while w.next_live_event_time().is_some_and(|t| t < limit) {
            w.step(None);
        }
        if !w.advance_to(w.now + settle + 1_000) {
            return false;
        }
        let reader = w.proto.client_node(0);
        w.step(Some(&Input::Command(
            Who::Id(reader),
            Cmd::Read { via: None },
        )));
        w.violations.iter().any(|v| v.invariant == "Convergence")
    });
    found.first()
}

/// Random configurations in every mode, with the automatic workload and
/// every fault: nothing panics and every bound holds.
#[test]
fn property_random_configs_never_panic_and_stay_bounded() {
    for seed in 0..seeds() {
        let mut g = SimRng::new(seed.wrapping_mul(31));
        let n = g.range_u64(3, 7) as u8;
        let cfg = RegisterConfig {
            mode: [Mode::Cp, Mode::Ap, Mode::Quorum][g.range_u64(0, 2) as usize],
            n_replicas: n,
            n_clients: g.range_u64(1, 4) as u8,
            rf: g.range_u64(1, n as u64) as u8,
            w: g.range_u64(1, 7) as u8,
            r: g.range_u64(1, 7) as u8,
            sloppy: g.chance(0.5),
            read_repair: g.chance(0.5),
            conflict: if g.chance(0.5) {
                Conflict::Lww
            } else {
                Conflict::VersionVectors
            },
            ae_ms: g.range_u64(0, 3) * 20,
            handoff_ms: 10 + g.range_u64(0, 100),
            op_timeout_ms: 10 + g.range_u64(0, 200),
            latency_us_min: g.range_u64(0, 5_000),
            latency_us_max: g.range_u64(5_000, 40_000),
            loss: g.range_u64(0, 2) as f64 * 0.1,
            skew_ms: (0..n)
                .map(|_| g.range_u64(0, 2_000) as i64 - 1_000)
                .collect(),
            auto_ms: 10 + g.range_u64(0, 40),
            write_pct: g.range_u64(0, 100) as u8,
            safety: Safety {
                read_write_back: g.chance(0.7),
                write_query: g.chance(0.7),
            },
        };
        let mut w = World::new(Register::new(cfg), seed, vec![]);
        register_chaos(&w.proto, seed, 0.05, MAX_OPS).run_observed(&mut w, 2_000, |w, rec| {
            assert!(!w.narrate(&rec.note).is_empty())
        });
        for r in w.nodes.iter().filter_map(RegNode::replica) {
            assert!(
                r.coord.len() <= MAX_COORD
                    && r.hints.len() <= MAX_HINTS
                    && r.versions.len() <= MAX_SIBLINGS,
                "seed {seed}"
            );
        }
        for c in w.nodes.iter().filter_map(RegNode::client) {
            assert!(c.ops.len() <= MAX_OPS, "seed {seed}");
        }
        let _ = counters(&w);
    }
}
