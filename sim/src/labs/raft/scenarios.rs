//! Raft scenarios. Each one drives the cluster with forced timeouts,
//! crashes and partitions at fixed virtual times, with a fixed message
//! latency, so it tells the same story for every seed.

use super::{Cmd, Raft, RaftConfig, RaftNode, Role, Safety};
use crate::kernel::{Input, NodeId, TimeUs, Who, World};
use crate::labs::Scenario;

type Script = Vec<(TimeUs, Input<Cmd>)>;

fn s(i: u8) -> NodeId {
    NodeId(i - 1)
}
fn at(t_ms: u64, input: Input<Cmd>) -> (TimeUs, Input<Cmd>) {
    (t_ms * 1000, input)
}
fn timeout(i: u8) -> Input<Cmd> {
    Input::Command(Who::Id(s(i)), Cmd::Timeout)
}
fn submit(client: NodeId, value: u32, to: u8) -> Input<Cmd> {
    Input::Command(
        Who::Id(client),
        Cmd::Submit {
            value,
            to: Some(s(to)),
        },
    )
}

/// A config with a fixed 10 ms latency and no fsync, so scripts time exactly.
fn scripted(safety: Safety) -> RaftConfig {
    RaftConfig {
        election_timeout_ms_min: 1000,
        election_timeout_ms_max: 2000,
        latency_us_min: 10_000,
        latency_us_max: 10_000,
        fsync_us: 0,
        safety,
        ..RaftConfig::default()
    }
}

pub fn leader(w: &World<Raft>) -> Option<(NodeId, u64)> {
    w.nodes
        .iter()
        .filter_map(RaftNode::server)
        .filter(|s| s.role == Role::Leader && w.is_up(s.id))
        .max_by_key(|s| s.term)
        .map(|s| (s.id, s.term))
}

fn violated(w: &World<Raft>, name: &str) -> bool {
    w.violations.iter().any(|v| v.invariant == name)
}

fn no_violations(w: &World<Raft>) -> Result<(), String> {
    match w.violations.first() {
        None => Ok(()),
        Some(v) => Err(format!(
            "unexpected violation: {} at step {}: {}",
            v.invariant, v.step, v.explanation
        )),
    }
}

/// Index 2 as applied by the state machines (if any server applied it).
fn applied_at(w: &World<Raft>, idx: u64) -> Vec<u32> {
    let mut v: Vec<u32> = w
        .nodes
        .iter()
        .filter_map(RaftNode::server)
        .filter(|s| s.commit >= idx && s.log.len() as u64 >= idx)
        .map(|s| s.log[idx as usize - 1].value)
        .collect();
    crate::sort::sort(&mut v);
    v.dedup();
    v
}

/// The Figure 8 script: S1 leads term 2 with an entry only S2 has, S5
/// leads term 3 with a different entry at the same index, then S1 returns
/// as leader of term 4 and spreads its term-2 entry to a majority, and
/// finally S5 wins term 5.
fn figure8_script(client: NodeId) -> Script {
    vec![
        at(0, timeout(1)),
        at(30, submit(client, 1, 1)),
        at(100, timeout(1)),
        at(130, Input::Partition(vec![vec![s(1), s(2), client]])),
        at(140, submit(client, 2, 1)),
        at(200, Input::Crash(Who::Id(s(1)))),
        at(210, timeout(5)),
        at(240, Input::Partition(vec![vec![s(5), client]])),
        at(250, submit(client, 3, 5)),
        at(300, Input::Crash(Who::Id(s(5)))),
        at(310, Input::Heal),
        at(310, Input::Restart(Who::Id(s(1)))),
        at(320, timeout(1)),
        at(360, timeout(1)),
        at(450, Input::Crash(Who::Id(s(1)))),
        at(460, Input::Restart(Who::Id(s(5)))),
        at(470, timeout(5)),
        at(510, timeout(5)),
    ]
}

pub fn all() -> Vec<Scenario<Raft>> {
    let def = RaftConfig::default();
    let client5 = NodeId(5);
    vec![
        Scenario {
            id: "first-election",
            title: "First election",
            summary: "Five servers start as followers with random election timeouts. Nobody leads yet.",
            notice: "The server whose timer fires first becomes a candidate, wins a majority of votes and starts sending heartbeats; the heartbeats keep everyone else's timers from firing.",
            proto: Raft::new(def.clone()),
            seed: 1,
            script: vec![],
            pause_ms: 700,
            expect: |w| {
                let (_, term) = leader(w).ok_or("no leader after 700 ms")?;
                if term == 0 {
                    return Err("leader of term 0".into());
                }
                no_violations(w)
            },
        },
        Scenario {
            id: "split-vote",
            title: "Split vote and retry",
            summary: "S1, S2 and S3 time out at the same instant: three candidates for the two free votes of term 1.",
            notice: "No candidate can reach three votes in term 1. Each waits for its randomised timeout; the first to fire starts term 2 alone and wins. Randomised timeouts are what make split votes rare and short.",
            proto: Raft::new(def.clone()),
            seed: 1,
            script: vec![at(0, timeout(1)), at(0, timeout(2)), at(0, timeout(3))],
            pause_ms: 800,
            expect: |w| {
                let (_, term) = leader(w).ok_or("no leader after the split vote")?;
                if term < 2 {
                    return Err(format!("leader of term {term}: the first election should have split"));
                }
                if w.checker.leaders.contains_key(&1) {
                    return Err("someone won term 1".into());
                }
                no_violations(w)
            },
        },
        Scenario {
            id: "leader-crash",
            title: "Leader crash and re-election",
            summary: "A leader is elected, then crashes at 600 ms.",
            notice: "Followers stop hearing heartbeats. After one election timeout a follower becomes a candidate for the next term and wins; the crashed leader's term is over even though it never said so.",
            proto: Raft::new(def.clone()),
            seed: 2,
            script: vec![at(600, Input::Crash(Who::Leader))],
            pause_ms: 1400,
            expect: |w| {
                let (_, term) = leader(w).ok_or("no new leader after the crash")?;
                if term < 2 {
                    return Err(format!("leader still of term {term}"));
                }
                no_violations(w)
            },
        },
        Scenario {
            id: "stale-leader",
            title: "Stale leader in a minority partition",
            summary: "S1 leads term 1. At 200 ms the network splits: S1, S2 and the client on one side, S3, S4 and S5 on the other. The client writes value 7 to S1.",
            notice: "S1 still believes it leads and accepts the write, but it can never commit it: two servers are not a majority. The majority side elects S3 leader of term 2. When the network heals, S1 sees the higher term and steps down, and its uncommitted entry is replaced by S3's.",
            proto: Raft::new(RaftConfig { election_timeout_ms_min: 300, election_timeout_ms_max: 500, ..scripted(Safety::default()) }),
            seed: 4,
            script: vec![
                at(0, timeout(1)),
                at(200, Input::Partition(vec![vec![s(1), s(2), client5]])),
                at(250, submit(client5, 7, 1)),
                at(300, timeout(3)),
                at(900, Input::Heal),
                at(950, submit(client5, 8, 3)),
            ],
            pause_ms: 1100,
            expect: |w| {
                let (l, term) = leader(w).ok_or("no leader after heal")?;
                if l != s(3) || term != 2 {
                    return Err(format!("S{} leads term {term}: expected S3 in term 2", l.0 + 1));
                }
                let s1 = w.nodes[0].server().ok_or("S1 missing")?;
                if s1.role == Role::Leader {
                    return Err("S1 did not step down".into());
                }
                if s1.log.iter().any(|e| e.term == 1 && e.value == 7) {
                    return Err("S1 kept its uncommitted entry".into());
                }
                no_violations(w)
            },
        },
        Scenario {
            id: "log-repair",
            title: "Log divergence and repair",
            summary: "S1 leads term 1 on a minority side and appends two entries that never commit. On the majority side S3 leads term 2, commits three entries, and is re-elected in term 3. Then the network heals.",
            notice: "S3's AppendEntries fails the consistency check at S1 and S2: their logs hold term-1 entries where S3's has term 2. S3 backs up one index at a time until the logs agree, then the followers delete their conflicting entries and copy S3's. After repair every log is identical.",
            proto: Raft::new(RaftConfig { election_timeout_ms_min: 600, election_timeout_ms_max: 900, ..scripted(Safety::default()) }),
            seed: 5,
            script: vec![
                at(0, timeout(1)),
                at(100, Input::Partition(vec![vec![s(1), s(2), client5]])),
                at(120, submit(client5, 11, 1)),
                at(160, submit(client5, 12, 1)),
                at(300, timeout(3)),
                at(350, Input::Partition(vec![vec![s(1), s(2)]])),
                at(360, submit(client5, 21, 3)),
                at(380, submit(client5, 22, 3)),
                at(400, submit(client5, 23, 3)),
                at(500, timeout(3)),
                at(600, Input::Heal),
            ],
            pause_ms: 850,
            expect: |w| {
                let (l, term) = leader(w).ok_or("no leader")?;
                if l != s(3) || term != 3 {
                    return Err(format!("S{} leads term {term}: expected S3 in term 3", l.0 + 1));
                }
                let logs: Vec<Vec<u32>> =
                    w.nodes.iter().filter_map(RaftNode::server).map(|s| s.log.iter().map(|e| e.value).collect()).collect();
                if logs.iter().any(|l| *l != vec![21, 22, 23]) {
                    return Err(format!("logs not repaired: {logs:?}"));
                }
                no_violations(w)
            },
        },
        figure8(false),
        figure8(true),
        Scenario {
            id: "double-vote",
            title: "Forgetting the vote on restart",
            summary: "With votedFor not persisted, S3 votes for S1 in term 1, crashes, restarts with no memory of its vote, and votes for S2 in the same term.",
            notice: "Two leaders of term 1: Election Safety breaks. votedFor must be on disk before the vote is sent, precisely so that a restart cannot undo it. Turn the persistence switch back on and replay: S3 refuses S2.",
            proto: Raft::new(scripted(Safety { persist_vote: false, ..Safety::default() })),
            seed: 6,
            script: vec![
                at(0, Input::Partition(vec![vec![s(1), s(3), s(4)]])),
                at(1, timeout(1)),
                at(50, Input::Crash(Who::Id(s(3)))),
                at(60, Input::Restart(Who::Id(s(3)))),
                at(70, Input::Partition(vec![vec![s(2), s(3), s(5)]])),
                at(71, timeout(2)),
            ],
            pause_ms: 150,
            expect: |w| if violated(w, "Election Safety") { Ok(()) } else { Err("expected two leaders of term 1".into()) },
        },
        Scenario {
            id: "stale-vote",
            title: "Voting for a stale log",
            summary: "With the up-to-date check off, S5, which missed a committed entry while partitioned, asks for votes and gets them.",
            notice: "S5 becomes leader without the committed entry (Leader Completeness breaks), then overwrites it everywhere with its own (State Machine Safety breaks: index 1 is applied as two different values). The up-to-date check is what guarantees a new leader holds every committed entry.",
            proto: Raft::new(scripted(Safety { up_to_date_vote: false, ..Safety::default() })),
            seed: 7,
            script: vec![
                at(0, timeout(1)),
                at(30, Input::Isolate(Who::Id(s(5)))),
                at(40, submit(client5, 1, 1)),
                at(200, Input::Heal),
                at(200, timeout(5)),
                at(260, submit(client5, 2, 5)),
            ],
            pause_ms: 400,
            expect: |w| {
                for name in ["Leader Completeness", "State Machine Safety"] {
                    if !violated(w, name) {
                        return Err(format!("expected a {name} violation"));
                    }
                }
                Ok(())
            },
        },
    ]
}

fn figure8(unsafe_commit: bool) -> Scenario<Raft> {
    let safety = Safety {
        current_term_commit: !unsafe_commit,
        ..Safety::default()
    };
    let mut sc = Scenario {
        id: "figure-8",
        title: "Figure 8: the current-term commit rule",
        summary: "The paper's Figure 8, scripted: S1 leads term 2, S5 term 3, S1 term 4, and S5 term 5. In term 4, S1 copies its term-2 entry at index 2 to a majority.",
        notice: "With the rule on, S1 does not commit the term-2 entry in term 4 even though a majority stores it (watch the narration say so). S5 can still win term 5 and replace it, which is safe because it was never committed.",
        proto: Raft::new(scripted(safety)),
        seed: 8,
        script: figure8_script(NodeId(5)),
        pause_ms: 650,
        expect: |w| {
            no_violations(w)?;
            let (l, term) = leader(w).ok_or("no leader at the end")?;
            if l != s(5) || term != 5 {
                return Err(format!("expected S5 leading term 5, got S{} in term {term}", l.0 + 1));
            }
            if applied_at(w, 2).contains(&2) {
                return Err("the term-2 entry was applied".into());
            }
            Ok(())
        },
    };
    if unsafe_commit {
        sc.id = "figure-8-unsafe";
        sc.title = "Figure 8 without the current-term rule";
        sc.summary = "The same script as Figure 8, with the current-term commit rule switched off: in term 4, S1 commits its term-2 entry as soon as a majority stores it.";
        sc.notice = "S1 commits and applies value 2 at index 2. Then S5, whose log ends in term 3, wins term 5 and overwrites index 2 with value 3: a committed entry is lost (Leader Completeness), and two servers apply different values at one index (State Machine Safety).";
        sc.expect = |w| {
            for name in ["Leader Completeness", "State Machine Safety"] {
                if !violated(w, name) {
                    return Err(format!("expected a {name} violation"));
                }
            }
            Ok(())
        };
    }
    sc
}

pub fn find(id: &str) -> Option<Scenario<Raft>> {
    all().into_iter().find(|s| s.id == id)
}

/// The run whose trace fingerprint must be identical natively and in
/// WebAssembly: "leader-crash" with one injected client request, 2,000 steps.
/// Tests on both platforms compare it with `sim/tests/golden_trace_hash.txt`.
pub fn golden_trace_hash() -> u64 {
    let sc = find("leader-crash").expect("leader-crash exists");
    let mut t = crate::kernel::Timeline::new(sc.world(sc.seed));
    let _ = t.inject(Input::Command(
        Who::Id(NodeId(5)),
        Cmd::Submit {
            value: 42,
            to: None,
        },
    ));
    t.seek(2_000);
    t.trace_hash()
}
