//! Raft lab tests: exact effects of each handler, every scenario's
//! promised outcome, determinism, and random fault schedules over many
//! seeds with every invariant checked after every step.

use super::check::RaftChecker;
use super::*;
use crate::kernel::{Effect, Input, Protocol, SimRng, Timeline, Who, World};
use crate::labs::harness::{
    check_scenarios, hunt, proptest_seeds, thorough, Chaos, Explored, FaultKind, FaultMix, Hunt,
    Report,
};
use crate::labs::lab::Lab;

fn raft(n: u8) -> Raft {
    Raft::new(RaftConfig {
        n_servers: n,
        ..RaftConfig::default()
    })
}

fn server(r: &Raft, id: u8) -> Server {
    let mut rng = SimRng::new(0);
    let mut ctx = Ctx::new(0, NodeId(id), &mut rng);
    Server::new(r, NodeId(id), &mut ctx)
}

/// Runs one handler and returns its note, its effects, and the delay of
/// its answer (Vote or AppendReply), if it sent one.
fn run(
    r: &Raft,
    s: &mut Server,
    f: impl FnOnce(&Raft, &mut RaftNode, &mut Ctx<'_, Msg, Timer>) -> RaftNote,
) -> (RaftNote, Vec<Effect<Msg, Timer>>, u64) {
    let mut rng = SimRng::new(9);
    let mut ctx = Ctx::new(1_000, s.id, &mut rng);
    let mut node = RaftNode::Server(s.clone());
    let note = f(r, &mut node, &mut ctx);
    *s = node.server().unwrap().clone();
    // Under the parallel disk model a durable answer waits for the longest
    // write its handler started.
    let write_us = ctx.effects.iter().filter_map(|e| match e {
        Effect::Persist { write_us } => Some(*write_us),
        _ => None,
    });
    let write_us = write_us.max().unwrap_or(0);
    let answer_delay = ctx
        .effects
        .iter()
        .find_map(|e| match e {
            Effect::Send {
                msg: Msg::Vote { .. } | Msg::AppendReply { .. },
                delay_us,
                durable,
                ..
            } => Some(if *durable {
                (*delay_us).max(write_us)
            } else {
                *delay_us
            }),
            _ => None,
        })
        .unwrap_or(0);
    (note, ctx.effects, answer_delay)
}

fn sends(effects: &[Effect<Msg, Timer>]) -> Vec<(u8, Msg)> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::Send { to, msg, .. } => Some((to.0, msg.clone())),
            _ => None,
        })
        .collect()
}

fn entry(term: Term, value: u32) -> Entry {
    Entry {
        term,
        value,
        req: None,
    }
}

// §5.2: a follower whose election timer fires starts an election.
#[test]
fn s5_2_timeout_starts_election() {
    let r = raft(3);
    let mut s = server(&r, 0);
    s.log = vec![entry(1, 5)];
    s.term = 1;
    let (note, effects, _) = run(&r, &mut s, |r, n, c| r.on_timer(n, c, Timer::Election));
    assert_eq!(
        (s.role, s.term, s.voted_for, s.votes.clone()),
        (Role::Candidate, 2, Some(NodeId(0)), vec![NodeId(0)])
    );
    assert_eq!(
        note.what,
        What::ElectionStarted {
            term: 2,
            forced: false
        }
    );
    let rv = Msg::RequestVote {
        term: 2,
        last_log_index: 1,
        last_log_term: 1,
    };
    assert_eq!(sends(&effects), vec![(1, rv.clone()), (2, rv)]);
    assert!(matches!(
        effects[0],
        Effect::SetTimer {
            timer: Timer::Election,
            ..
        }
    ));
    assert!(
        effects.iter().all(
            |e| !matches!(e, Effect::Send { delay_us, durable, .. } if *delay_us > 0 || *durable)
        ),
        "requests leave at once; the candidate writes its disk in parallel"
    );
}

// §5.2 and §5.4.1: one vote per term, only for an up-to-date log.
#[test]
fn s5_4_1_vote_rules() {
    let r = raft(3);
    let mut s = server(&r, 1);
    s.term = 3;
    s.log = vec![entry(1, 1), entry(3, 2)];
    let rv = |term, lli, llt| {
        move |r: &Raft, n: &mut RaftNode, c: &mut Ctx<'_, Msg, Timer>| {
            r.on_message(
                n,
                c,
                NodeId(0),
                Msg::RequestVote {
                    term,
                    last_log_index: lli,
                    last_log_term: llt,
                },
            )
        }
    };
    // Stale term.
    let (note, eff, _) = run(&r, &mut s, rv(2, 9, 9));
    assert_eq!(
        note.what,
        What::VoteRefused {
            candidate: NodeId(0),
            term: 3,
            why: VoteRefusal::StaleTerm
        }
    );
    assert_eq!(
        sends(&eff),
        vec![(
            0,
            Msg::Vote {
                term: 3,
                granted: false
            }
        )]
    );
    // Log behind: last term 2 < 3, even though longer.
    let (note, eff, _) = run(&r, &mut s, rv(4, 5, 2));
    assert_eq!(note.stepped_down, Some((Role::Follower, 4)));
    assert_eq!(
        note.what,
        What::VoteRefused {
            candidate: NodeId(0),
            term: 4,
            why: VoteRefusal::LogBehind
        }
    );
    assert_eq!(
        sends(&eff),
        vec![(
            0,
            Msg::Vote {
                term: 4,
                granted: false
            }
        )]
    );
    assert_eq!(s.voted_for, None);
    // Same last term, as long: granted, and the timer is reset.
    let (note, eff, delay) = run(&r, &mut s, rv(4, 2, 3));
    assert_eq!(
        note.what,
        What::VoteGranted {
            candidate: NodeId(0),
            term: 4
        }
    );
    assert_eq!(s.voted_for, Some(NodeId(0)));
    assert!(eff.iter().any(|e| matches!(
        e,
        Effect::SetTimer {
            timer: Timer::Election,
            ..
        }
    )));
    assert_eq!(
        delay, r.config.fsync_us,
        "a vote is sent only once it is on disk"
    );
    // A second candidate in the same term is refused.
    let (note, _, _) = run(&r, &mut s, |r, n, c| {
        r.on_message(
            n,
            c,
            NodeId(2),
            Msg::RequestVote {
                term: 4,
                last_log_index: 9,
                last_log_term: 9,
            },
        )
    });
    assert_eq!(
        note.what,
        What::VoteRefused {
            candidate: NodeId(2),
            term: 4,
            why: VoteRefusal::AlreadyVoted(NodeId(0))
        }
    );
}

#[test]
fn up_to_date_switch_off_grants_stale_candidates() {
    let r = Raft::new(RaftConfig {
        safety: Safety {
            up_to_date_vote: false,
            ..Safety::default()
        },
        ..RaftConfig::default()
    });
    let mut s = server(&r, 1);
    s.log = vec![entry(1, 1), entry(3, 2)];
    s.term = 3;
    let (note, _, _) = run(&r, &mut s, |r, n, c| {
        r.on_message(
            n,
            c,
            NodeId(0),
            Msg::RequestVote {
                term: 4,
                last_log_index: 0,
                last_log_term: 0,
            },
        )
    });
    assert_eq!(
        note.what,
        What::VoteGranted {
            candidate: NodeId(0),
            term: 4
        }
    );
}

#[test]
fn majority_of_votes_makes_a_leader_that_sends_heartbeats() {
    let r = raft(5);
    let mut s = server(&r, 0);
    run(&r, &mut s, |r, n, c| r.on_timer(n, c, Timer::Election));
    let vote = |from: u8| {
        move |r: &Raft, n: &mut RaftNode, c: &mut Ctx<'_, Msg, Timer>| {
            r.on_message(
                n,
                c,
                NodeId(from),
                Msg::Vote {
                    term: 1,
                    granted: true,
                },
            )
        }
    };
    let (note, eff, _) = run(&r, &mut s, vote(1));
    assert_eq!(
        note.what,
        What::VoteCounted {
            from: NodeId(1),
            granted: true,
            votes: 2,
            needed: 3
        }
    );
    assert!(eff.is_empty());
    let (note, _, _) = run(&r, &mut s, vote(1));
    assert_eq!(
        note.what,
        What::VoteCounted {
            from: NodeId(1),
            granted: true,
            votes: 2,
            needed: 3
        },
        "a duplicate vote counts once"
    );
    let (note, eff, _) = run(&r, &mut s, vote(3));
    assert_eq!(note.what, What::BecameLeader { term: 1, votes: 3 });
    assert_eq!(s.role, Role::Leader);
    let hb = Msg::AppendEntries {
        term: 1,
        prev_index: 0,
        prev_term: 0,
        entries: vec![],
        leader_commit: 0,
    };
    assert_eq!(
        sends(&eff),
        vec![(1, hb.clone()), (2, hb.clone()), (3, hb.clone()), (4, hb)]
    );
    assert!(eff.contains(&Effect::CancelTimer {
        timer: Timer::Election
    }));
    assert!(eff.contains(&Effect::SetTimer {
        timer: Timer::Heartbeat,
        after_us: 50_000
    }));
}

// §5.3: the consistency check and conflict truncation.
#[test]
fn s5_3_append_entries_consistency_check_and_truncation() {
    let r = raft(3);
    let mut s = server(&r, 1);
    s.term = 2;
    s.log = vec![entry(1, 1), entry(1, 2), entry(1, 3)];
    let ae = |prev_index, prev_term, entries: Vec<Entry>, leader_commit| {
        move |r: &Raft, n: &mut RaftNode, c: &mut Ctx<'_, Msg, Timer>| {
            r.on_message(
                n,
                c,
                NodeId(0),
                Msg::AppendEntries {
                    term: 2,
                    prev_index,
                    prev_term,
                    entries,
                    leader_commit,
                },
            )
        }
    };
    // Mismatch at prev: refused with the index it refused.
    let (note, eff, delay) = run(&r, &mut s, ae(3, 2, vec![], 0));
    assert_eq!(
        note.what,
        What::AppendRefusedMismatch {
            leader: NodeId(0),
            prev_index: 3,
            prev_term: 2
        }
    );
    assert_eq!(
        sends(&eff),
        vec![(
            0,
            Msg::AppendReply {
                term: 2,
                success: false,
                index: 3
            }
        )]
    );
    assert_eq!(delay, 0, "nothing persistent changed");
    // Conflict at index 2: entries 2.. are replaced.
    let (note, eff, delay) = run(&r, &mut s, ae(1, 1, vec![entry(2, 9)], 2));
    assert_eq!(
        note.what,
        What::Appended {
            leader: NodeId(0),
            prev_index: 1,
            n_new: 1,
            truncated_from: Some(2),
            commit: 2,
            commit_advanced: true
        }
    );
    assert_eq!(s.log, vec![entry(1, 1), entry(2, 9)]);
    assert_eq!(
        sends(&eff),
        vec![(
            0,
            Msg::AppendReply {
                term: 2,
                success: true,
                index: 2
            }
        )]
    );
    assert_eq!(
        delay, r.config.fsync_us,
        "the reply waits for the new entries to be on disk"
    );
    // A repeated (stale) AppendEntries changes nothing and truncates nothing.
    let before = s.log_version;
    let (note, _, _) = run(&r, &mut s, ae(0, 0, vec![entry(1, 1)], 0));
    assert!(matches!(
        note.what,
        What::Appended {
            n_new: 0,
            truncated_from: None,
            ..
        }
    ));
    assert_eq!(
        (s.log.len(), s.log_version, s.commit),
        (2, before, 2),
        "commit index never goes back"
    );
}

#[test]
fn candidate_steps_down_for_a_leader_of_its_term() {
    let r = raft(3);
    let mut s = server(&r, 1);
    run(&r, &mut s, |r, n, c| r.on_timer(n, c, Timer::Election));
    assert_eq!(s.role, Role::Candidate);
    run(&r, &mut s, |r, n, c| {
        r.on_message(
            n,
            c,
            NodeId(0),
            Msg::AppendEntries {
                term: 1,
                prev_index: 0,
                prev_term: 0,
                entries: vec![],
                leader_commit: 0,
            },
        )
    });
    assert_eq!((s.role, s.leader_hint), (Role::Follower, Some(NodeId(0))));
}

/// A leader of term `term` with `log`, whose followers have matched nothing.
fn leader_with(r: &Raft, term: Term, log: Vec<Entry>) -> Server {
    let mut s = server(r, 0);
    s.term = term;
    s.log = log;
    s.role = Role::Leader;
    s.next_index = vec![s.last_index() + 1; r.n_servers()];
    s.match_index = vec![0; r.n_servers()];
    s.match_index[0] = s.last_index();
    s
}

fn ack(
    from: u8,
    term: Term,
    index: LogIndex,
) -> impl FnOnce(&Raft, &mut RaftNode, &mut Ctx<'_, Msg, Timer>) -> RaftNote {
    move |r, n, c| {
        r.on_message(
            n,
            c,
            NodeId(from),
            Msg::AppendReply {
                term,
                success: true,
                index,
            },
        )
    }
}

// §5.4.2 / Figure 8: entries from earlier terms are not committed by counting replicas.
#[test]
fn s5_4_2_current_term_rule() {
    let r = raft(5);
    let mut s = leader_with(&r, 4, vec![entry(1, 1), entry(2, 2)]);
    run(&r, &mut s, ack(1, 4, 2));
    let (note, _, _) = run(&r, &mut s, ack(2, 4, 2));
    assert_eq!(
        s.commit, 0,
        "index 2 is from term 2: a majority storing it is not enough"
    );
    assert!(matches!(
        note.what,
        What::AckCounted {
            commit_advanced: false,
            earlier_term_skipped: true,
            ..
        }
    ));
    // A current-term entry replicated to a majority commits everything before it.
    s.log.push(entry(4, 3));
    s.match_index[0] = 3;
    run(&r, &mut s, ack(1, 4, 3));
    let (note, _, _) = run(&r, &mut s, ack(2, 4, 3));
    assert_eq!(s.commit, 3);
    assert!(matches!(
        note.what,
        What::AckCounted {
            commit: 3,
            commit_advanced: true,
            ..
        }
    ));

    let unsafe_raft = Raft::new(RaftConfig {
        safety: Safety {
            current_term_commit: false,
            ..Safety::default()
        },
        ..RaftConfig::default()
    });
    let mut s = leader_with(&unsafe_raft, 4, vec![entry(1, 1), entry(2, 2)]);
    run(&unsafe_raft, &mut s, ack(1, 4, 2));
    run(&unsafe_raft, &mut s, ack(2, 4, 2));
    assert_eq!(
        s.commit, 2,
        "with the rule off, counting replicas commits the term-2 entry"
    );
}

#[test]
fn refusal_backs_up_next_index_and_retries() {
    let r = raft(3);
    let mut s = leader_with(&r, 3, vec![entry(1, 1), entry(2, 2), entry(3, 3)]);
    let (note, eff, _) = run(&r, &mut s, |r, n, c| {
        r.on_message(
            n,
            c,
            NodeId(1),
            Msg::AppendReply {
                term: 3,
                success: false,
                index: 3,
            },
        )
    });
    assert_eq!(
        note.what,
        What::NackCounted {
            from: NodeId(1),
            next_index: 3
        }
    );
    assert_eq!(
        sends(&eff),
        vec![(
            1,
            Msg::AppendEntries {
                term: 3,
                prev_index: 2,
                prev_term: 2,
                entries: vec![entry(3, 3)],
                leader_commit: 0
            }
        )]
    );
    // A duplicate of the same refusal does not back up further.
    let (note, _, _) = run(&r, &mut s, |r, n, c| {
        r.on_message(
            n,
            c,
            NodeId(1),
            Msg::AppendReply {
                term: 3,
                success: false,
                index: 3,
            },
        )
    });
    assert_eq!(
        note.what,
        What::NackCounted {
            from: NodeId(1),
            next_index: 3
        }
    );
}

#[test]
fn leader_steps_down_on_a_higher_term_reply() {
    let r = raft(3);
    let mut s = leader_with(&r, 2, vec![]);
    let (note, eff, _) = run(&r, &mut s, |r, n, c| {
        r.on_message(
            n,
            c,
            NodeId(1),
            Msg::AppendReply {
                term: 5,
                success: false,
                index: 0,
            },
        )
    });
    assert_eq!(note.stepped_down, Some((Role::Leader, 5)));
    assert_eq!((s.role, s.term, s.voted_for), (Role::Follower, 5, None));
    assert!(eff.contains(&Effect::CancelTimer {
        timer: Timer::Heartbeat
    }));
    assert!(eff.iter().any(|e| matches!(
        e,
        Effect::SetTimer {
            timer: Timer::Election,
            ..
        }
    )));
}

#[test]
fn followers_redirect_and_leaders_deduplicate_requests() {
    let r = raft(3);
    let mut f = server(&r, 1);
    f.leader_hint = Some(NodeId(2));
    let (note, eff, _) = run(&r, &mut f, |r, n, c| {
        r.on_message(n, c, NodeId(3), Msg::Request { req: 7, value: 70 })
    });
    assert_eq!(
        note.what,
        What::RequestRedirected {
            leader: Some(NodeId(2))
        }
    );
    assert_eq!(
        sends(&eff),
        vec![(
            3,
            Msg::Redirect {
                req: 7,
                leader: Some(NodeId(2))
            }
        )]
    );

    let mut l = leader_with(&r, 1, vec![]);
    let (note, eff, _) = run(&r, &mut l, |r, n, c| {
        r.on_message(n, c, NodeId(3), Msg::Request { req: 7, value: 70 })
    });
    assert_eq!(
        note.what,
        What::RequestAccepted {
            index: 1,
            value: 70
        }
    );
    assert_eq!(sends(&eff).len(), 2, "replicated to both followers at once");
    let (note, _, _) = run(&r, &mut l, |r, n, c| {
        r.on_message(n, c, NodeId(3), Msg::Request { req: 7, value: 70 })
    });
    assert_eq!(note.what, What::RequestDuplicate { index: 1 });
    assert_eq!(l.log.len(), 1);
}

#[test]
fn crash_keeps_persistent_state_only() {
    let r = raft(3);
    let mut s = leader_with(&r, 4, vec![entry(4, 1)]);
    s.voted_for = Some(NodeId(0));
    s.commit = 1;
    r.on_crash(&mut RaftNode::Server(s.clone()));
    let mut node = RaftNode::Server(s);
    r.on_crash(&mut node);
    let s = node.server().unwrap();
    assert_eq!((s.term, s.voted_for, s.log.len()), (4, Some(NodeId(0)), 1));
    assert_eq!((s.role, s.commit), (Role::Follower, 0));

    let forgetful = Raft::new(RaftConfig {
        safety: Safety {
            persist_vote: false,
            ..Safety::default()
        },
        ..RaftConfig::default()
    });
    let mut node = RaftNode::Server(leader_with(&forgetful, 4, vec![]));
    forgetful.on_crash(&mut node);
    assert_eq!(node.server().unwrap().voted_for, None);
}

#[test]
fn config_params_round_trip_and_clamp() {
    let base = RaftConfig::default();
    let custom = RaftConfig {
        n_servers: 7,
        election_timeout_ms_min: 12,
        election_timeout_ms_max: 24,
        heartbeat_ms: 6,
        latency_us_min: 500,
        latency_us_max: 1500,
        loss: 0.1,
        duplicate: 0.05,
        fsync_us: 6000,
        safety: Safety {
            up_to_date_vote: false,
            current_term_commit: false,
            persist_vote: false,
        },
    };
    use crate::labs::params::{read, write};
    use crate::labs::raft::lab::PARAMS;
    use std::collections::BTreeMap;
    let owned: BTreeMap<String, String> = write(PARAMS, &custom, &base)
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
    assert_eq!(
        owned.len(),
        10,
        "every parameter differs, so every one is written"
    );
    let (c, warnings) = read(PARAMS, &base, &owned, RaftConfig::clamped);
    assert_eq!(c, custom);
    assert!(warnings.is_empty(), "{warnings:?}");
    let bad: BTreeMap<String, String> = [("n", "40"), ("eto", "9-x"), ("loss", "-1")]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let (c, warnings) = read(PARAMS, &base, &bad, RaftConfig::clamped);
    assert_eq!(
        (c.n_servers, c.election_timeout_ms_min, c.loss),
        (9, 150, 0.0)
    );
    assert_eq!(warnings.len(), 3, "{warnings:?}");
    assert_eq!(warnings[0], "n=40 is outside 3–9; using 9");
}

#[test]
fn cmd_codec_round_trips_and_rejects_garbage() {
    use crate::kernel::input::CommandCodec;
    for c in [
        Cmd::Timeout,
        Cmd::Submit { value: 5, to: None },
        Cmd::Submit {
            value: 9,
            to: Some(NodeId(4)),
        },
    ] {
        assert_eq!(Cmd::parse(&c.encode()), Ok(c));
    }
    for bad in ["", "submit-", "submit-x", "submit-1-99", "time"] {
        assert!(Cmd::parse(bad).is_err(), "{bad}");
    }
}

// ---- Scenarios -----------------------------------------------------------

/// Scenarios whose promise holds for their own seed only. In
/// split-vote, three candidates share term 1 and two servers are free: a
/// candidate that wins both free votes has three of five and wins the
/// term (for 15 of the seeds 2 to 39), so the split is the seed's doing.
const SEED_BOUND: &[&str] = &["split-vote"];

#[test]
fn every_scenario_keeps_its_promise() {
    let failures = check_scenarios::<RaftLab>(&[2, 3, 77, 12_345]);
    let (bound, broken): (Vec<_>, Vec<_>) = failures
        .iter()
        .partition(|f| SEED_BOUND.contains(&f.scenario));
    let text: Vec<String> = broken
        .iter()
        .map(|f| format!("{f}\n{}", f.narration))
        .collect();
    assert!(broken.is_empty(), "{}", text.join("\n\n"));
    // A scenario held to its own seed that holds for every seed should be
    // held to them all.
    for id in SEED_BOUND {
        let sc = RaftLab::scenarios()
            .into_iter()
            .find(|s| s.id == *id)
            .unwrap();
        assert!(
            bound.iter().all(|f| f.seed != sc.seed),
            "{id} breaks its promise at its own seed"
        );
        assert!(
            bound.iter().any(|f| f.scenario == *id),
            "{id} now holds for every seed checked: take it off SEED_BOUND"
        );
    }
}

#[test]
fn scenario_ids_are_unique_and_findable() {
    let all = scenarios::all();
    for (i, a) in all.iter().enumerate() {
        assert!(
            all[i + 1..].iter().all(|b| b.id != a.id),
            "duplicate id {}",
            a.id
        );
        assert!(scenarios::find(a.id).is_some());
    }
}

#[test]
fn stepping_back_and_forward_returns_the_same_state() {
    for sc in scenarios::all() {
        let mut t = sc.run_to_pause(sc.seed);
        let end = t.cursor();
        let digest = |t: &Timeline<Raft>| {
            format!(
                "{:?}{:?}",
                t.world().nodes,
                t.world().in_flight.keys().collect::<Vec<_>>()
            )
        };
        let at_end = digest(&t);
        let mid = end / 2;
        t.seek(mid);
        let at_mid = digest(&t);
        for _ in 0..10 {
            t.back();
        }
        for _ in 0..10 {
            t.forward().unwrap();
        }
        assert_eq!(digest(&t), at_mid, "{}: back 10, forward 10", sc.id);
        t.seek(end);
        assert_eq!(digest(&t), at_end, "{}: seek to end", sc.id);
        t.seek(0);
        assert_eq!(t.cursor(), 0);
    }
}

// ---- Determinism ---------------------------------------------------------

use scenarios::golden_trace_hash as golden_hash;

#[test]
fn same_seed_and_inputs_give_the_same_trace() {
    assert_eq!(golden_hash(), golden_hash());
    let expected: u64 = include_str!("../../../tests/golden_trace_hash.txt")
        .trim()
        .parse()
        .unwrap();
    assert_eq!(
        golden_hash(),
        expected,
        "the trace changed: if intended, update sim/tests/golden_trace_hash.txt"
    );
    let a = scenarios::find("first-election").unwrap();
    assert_ne!(
        a.run_to_pause(1).trace_hash(),
        a.run_to_pause(2).trace_hash(),
        "the seed must matter"
    );
}

#[test]
fn branching_discards_the_old_future() {
    let sc = scenarios::find("first-election").unwrap();
    let mut t = sc.run_to_pause(sc.seed);
    let end = t.cursor();
    t.seek(end / 2);
    t.inject(Input::Crash(Who::Id(NodeId(0)))).unwrap();
    assert_eq!(t.horizon(), end / 2 + 1);
    assert_eq!(t.injections().len(), 1);
    // Replaying from scratch with the same injection gives the same state.
    let mut u = Timeline::with_injections(sc.world(sc.seed), t.injections().to_vec());
    u.seek(t.cursor());
    assert_eq!(
        format!("{:?}", u.world().nodes),
        format!("{:?}", t.world().nodes)
    );
}

// ---- Properties over random fault schedules ------------------------------

/// The faults Raft's schedules draw: every kernel fault but clock steps,
/// which Raft never reads (its timers run on each server's oscillator, so
/// drift does matter). Crashes, pauses and the other node faults aim at the
/// leader half the time, and half the crashes bounce (the server restarts
/// at once, within one election). The client cannot be faulted.
pub fn raft_mix() -> FaultMix {
    FaultMix {
        leader_bias: 0.5,
        bounce: 0.5,
        pause_us_max: 300_000,
        ..FaultMix::default()
            .with(FaultKind::ClockDrift, 1)
            .with(FaultKind::Crash, 2)
            .with(FaultKind::Restart, 2)
            .with(FaultKind::Heal, 2)
    }
}

/// Raft's commands: mostly a client submit of a random value, sometimes a
/// forced election timeout at a random server.
fn raft_commands(rng: &mut SimRng, w: &World<Raft>) -> Option<Input<Cmd>> {
    if rng.range_u64(0, 2) == 0 {
        let server = NodeId(rng.range_u64(0, w.proto.n_servers() as u64 - 1) as u8);
        return Some(Input::Command(Who::Id(server), Cmd::Timeout));
    }
    Some(Input::Command(
        Who::Id(w.proto.client_id()),
        Cmd::Submit {
            value: rng.range_u64(1, 99) as u32,
            to: None,
        },
    ))
}

/// The chaos runner for one seeded Raft schedule: each step is a fault or
/// a command with probability `fault_rate`, about two in seven a command.
pub fn raft_chaos<'h>(seed: u64, fault_rate: f64) -> Chaos<'h, Raft> {
    Chaos::new(raft_mix(), seed, fault_rate).with_commands(6, raft_commands)
}

/// Runs one seeded random schedule of `steps` steps on a fresh world.
pub fn chaos(config: RaftConfig, seed: u64, steps: u64, fault_rate: f64) -> Report {
    let mut w = World::new(Raft::new(config), seed, vec![]);
    raft_chaos(seed, fault_rate).run(&mut w, steps)
}

fn seeds() -> u64 {
    proptest_seeds(300)
}

fn chaos_config(seed: u64) -> RaftConfig {
    RaftConfig {
        n_servers: 3 + (seed % 3) as u8 * 2,
        election_timeout_ms_min: 50,
        election_timeout_ms_max: 100,
        heartbeat_ms: 20,
        latency_us_min: 1_000,
        latency_us_max: 30_000,
        loss: if seed % 4 == 0 { 0.1 } else { 0.0 },
        duplicate: if seed % 5 == 0 { 0.1 } else { 0.0 },
        fsync_us: 1_000,
        safety: Safety::default(),
    }
}

/// The golden run has no fsync, so this pins the other path: answers that
/// wait for the disk. Every step's time and narration, and when each
/// message in flight leaves and arrives, over random faults with fsync on.
#[test]
fn traces_with_fsync_are_pinned() {
    use crate::kernel::{fnv1a, FNV_OFFSET};
    let mut h = FNV_OFFSET;
    for seed in 0..8u64 {
        let config = RaftConfig {
            fsync_us: 2_000 + seed * 1_500,
            ..chaos_config(seed)
        };
        let mut w = World::new(Raft::new(config), seed, vec![]);
        raft_chaos(seed, 0.02).run_observed(&mut w, 3_000, |w, rec| {
            h = fnv1a(h, &rec.time_us.to_le_bytes());
            h = fnv1a(h, w.narrate(&rec.note).as_bytes());
            for m in w.in_flight.values() {
                h = fnv1a(h, &m.depart_us.to_le_bytes());
                h = fnv1a(h, &m.arrive_us.to_le_bytes());
            }
        });
    }
    assert_eq!(h, PINNED_FSYNC_TRACES, "Raft's trace with fsync changed");
}

const PINNED_FSYNC_TRACES: u64 = 14_791_930_523_116_008_228;

#[test]
fn property_no_violation_with_all_safety_rules_on() {
    let mut explored = Explored::default();
    for seed in 0..seeds() {
        let report = chaos(chaos_config(seed), seed, 3_000, 0.02);
        assert!(
            report.violations.is_empty(),
            "seed {seed}: {:?}",
            report.violations[0]
        );
        explored.merge(&report.explored);
    }
    // The schedules did what they claim: every fault of the mix landed,
    // partitions made more than two groups, clients kept submitting.
    let mix = raft_mix();
    let missing: Vec<FaultKind> = FaultKind::ALL
        .into_iter()
        .filter(|k| mix.weight(*k) > 0 && explored.count(*k) == 0)
        .collect();
    if seeds() >= 20 {
        assert!(missing.is_empty(), "never drawn: {missing:?} ({explored})");
        assert!(
            explored.groups_max() >= 3 && explored.commands > 0 && explored.bounces > 0,
            "{explored}"
        );
    }
    eprintln!("raft chaos, all safety rules on: {explored}");
}

/// The faults of the switch searches: [`raft_mix`] without slow nodes
/// and slow links. Each break needs elections and commits to happen in
/// the middle of crashes, and stretched latencies make both rarer within a
/// run: with them, a search over 1,000 seeds found a double vote in 2 to
/// 3 times fewer schedules, and a Figure 8 loss in about half as many.
fn switch_mix() -> FaultMix {
    raft_mix()
        .without(FaultKind::Slow)
        .without(FaultKind::LinkLatency)
}

/// Searches seeds for a schedule that breaks `invariant` with `safety`;
/// the switch is proven to matter when one does. Each switch has its own
/// fault rate: a forgotten vote matters only if a crash and restart land
/// inside one election, so that search needs a denser schedule. With
/// `DSVIZ_PROPTEST_SEEDS` set, every seed is tried, to report how often.
fn finds_violation(safety: Safety, invariant: &str, fault_rate: f64) -> Hunt {
    hunt(0..seeds().max(2_000), thorough(), |seed| {
        // Three servers: the Figure 8 pattern needs a majority of two to form by chance.
        let cfg = RaftConfig {
            safety,
            n_servers: 3,
            ..chaos_config(seed)
        };
        let mut w = World::new(Raft::new(cfg), seed, vec![]);
        Chaos::new(switch_mix(), seed, fault_rate)
            .with_commands(6, raft_commands)
            .run(&mut w, 6_000)
            .broke(invariant)
    })
}

#[test]
fn property_each_safety_switch_off_produces_its_violation() {
    let off = |f: fn(&mut Safety)| {
        let mut s = Safety::default();
        f(&mut s);
        s
    };
    let cases = [
        (
            off(|s| s.persist_vote = false),
            "Election Safety",
            0.1,
            "forgetting votedFor never double-voted",
        ),
        (
            off(|s| s.up_to_date_vote = false),
            "Leader Completeness",
            0.02,
            "stale votes never lost a committed entry",
        ),
        (
            off(|s| s.current_term_commit = false),
            "State Machine Safety",
            0.04,
            "counting old-term replicas never broke SMS",
        ),
    ];
    for (safety, invariant, rate, never) in cases {
        let found = finds_violation(safety, invariant, rate);
        eprintln!("raft, {invariant} with its switch off: {found}");
        assert!(found.first().is_some(), "{never} ({found})");
    }
}

// ---- The checker detects what no switch can break ------------------------

fn check_nodes(
    r: &Raft,
    checker: &mut RaftChecker,
    servers: &[Server],
) -> Vec<crate::kernel::Breach> {
    let mut nodes: Vec<RaftNode> = servers.iter().cloned().map(RaftNode::Server).collect();
    nodes.push(RaftNode::Client(Client::new(r)));
    let up = vec![true; nodes.len()];
    let mut out = Vec::new();
    checker.check(r, &nodes, &up, &mut out);
    out
}

#[test]
fn checker_flags_a_leader_that_loses_entries() {
    let r = raft(3);
    let mut checker = r.new_checker();
    let mut a = leader_with(&r, 2, vec![entry(1, 1), entry(2, 2)]);
    let b = server(&r, 1);
    let c = server(&r, 2);
    assert!(check_nodes(&r, &mut checker, &[a.clone(), b.clone(), c.clone()]).is_empty());
    a.log.pop();
    a.log.push(entry(2, 9));
    a.log_version += 1;
    let out = check_nodes(&r, &mut checker, &[a.clone(), b.clone(), c.clone()]);
    assert_eq!(out.len(), 1);
    assert_eq!(out[0].invariant, "Leader Append-Only");
    assert_eq!(
        out[0].explanation,
        "S1, leader of term 2, lost or changed entries it already had."
    );
    // Reported once, not at every later step.
    a.log_version += 1;
    assert!(check_nodes(&r, &mut checker, &[a, b, c]).is_empty());
}

#[test]
fn checker_flags_logs_that_match_late_but_differ_early() {
    let r = raft(3);
    let mut checker = r.new_checker();
    let mut a = server(&r, 0);
    let mut b = server(&r, 1);
    a.log = vec![entry(1, 1), entry(2, 2)];
    b.log = vec![entry(1, 7), entry(2, 2)];
    a.log_version = 1;
    b.log_version = 1;
    let out = check_nodes(&r, &mut checker, &[a, b, server(&r, 2)]);
    assert!(!out.is_empty());
    assert_eq!(out[0].invariant, "Log Matching");
    assert_eq!(
        out[0].explanation,
        "S1 and S2 both have a term-2 entry at index 2, yet their logs differ at index 1."
    );
}

#[test]
fn markers_flag_violations_roles_and_faults_from_a_step() {
    use crate::kernel::Marker;
    let sc = scenarios::find("figure-8-unsafe").unwrap();
    let t = sc.run_to_pause(sc.seed);
    let all = t.markers_from(0);
    let first_violation = t.world().violations[0].step;
    assert!(all.contains(&(first_violation, Marker::Violation)));
    assert!(all.iter().any(|(_, m)| *m == Marker::Role));
    assert!(
        all.iter().any(|(_, m)| *m == Marker::Fault),
        "the script crashes servers"
    );
    let later = t.markers_from(first_violation);
    assert!(later.iter().all(|(s, _)| *s > first_violation));
    assert_eq!(
        all.iter().filter(|(s, _)| *s > first_violation).count(),
        later.len()
    );
}
