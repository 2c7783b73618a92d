//! The Raft lab's probes: what a prediction about a paused Raft run can
//! ask, answered by playing the run on.

use super::{scenarios, Raft, RaftNode, RaftNote, VoteRefusal, What};
use crate::kernel::{NodeId, Note, StepRecord, World};
use crate::labs::probe::{first_violation, ArgKind, Probe, ProbeArg, ProbeRun};

type Run = ProbeRun<Raft>;

pub static PROBES: &[Probe<Raft>] = &[
    Probe::new("next-leader", ArgKind::None, "The first server to win an election after the paused step.", "S1…S9, or none", next_leader),
    Probe::new("next-leader-term", ArgKind::None, "The term of the first election won after the paused step.", "a term number, or none", next_leader_term),
    Probe::new("leader-at-end", ArgKind::None, "The leader (highest term, up) when the bound is reached.", "S1…S9, or none", leader_at_end),
    Probe::new(
        "first-violation",
        ArgKind::None,
        "The first safety invariant broken after the paused step.",
        "Election Safety, Leader Append-Only, Log Matching, Leader Completeness, State Machine Safety, or none",
        first_violation::<Raft>,
    ),
    Probe::new(
        "applied-at",
        ArgKind::Index,
        "The values servers apply at a log index, in the order first applied, up to the bound.",
        "a value (7), values in order (2 then 3), or none",
        applied_at,
    ),
    Probe::new("index-of-value", ArgKind::Value, "Where a client value is first applied (committed), up to the bound.", "index N, or never", index_of_value),
    Probe::new("log-of", ArgKind::Server, "A server's log values when the bound is reached.", "values separated by spaces (21 22 23), or empty", log_of),
    Probe::new("role-of", ArgKind::Server, "A server's role when the bound is reached.", "leader, candidate, follower, or down", role_of),
    Probe::new(
        "next-vote-by",
        ArgKind::Server,
        "A server's next answer to a vote request after the paused step.",
        "grants S2 | refuses S2 (already voted for S1) | refuses S2 (log behind) | refuses S2 (stale term) | none",
        next_vote_by,
    ),
];

fn name(run: &Run, id: NodeId) -> String {
    crate::kernel::Protocol::node_name(&run.world().proto, id)
}

fn raft_note(r: &StepRecord<RaftNote>) -> Option<&RaftNote> {
    match &r.note {
        Note::Proto(n) | Note::Restarted(_, n) => Some(n),
        _ => None,
    }
}

fn server_arg(run: &Run, arg: Option<ProbeArg>) -> Result<NodeId, String> {
    match arg {
        Some(ProbeArg::Server(s)) if (s as usize) < run.world().proto.n_servers() => Ok(NodeId(s)),
        Some(ProbeArg::Server(s)) => Err(format!("S{} does not exist in this run", s + 1)),
        _ => Err("this probe needs a server".into()),
    }
}

fn next_leader(run: &mut Run, _: Option<ProbeArg>) -> Result<String, String> {
    while let Some(r) = run.step() {
        if let Some(RaftNote {
            node,
            what: What::BecameLeader { .. },
            ..
        }) = raft_note(&r)
        {
            return Ok(name(run, *node));
        }
    }
    Ok("none".into())
}

fn next_leader_term(run: &mut Run, _: Option<ProbeArg>) -> Result<String, String> {
    while let Some(r) = run.step() {
        if let Some(RaftNote {
            what: What::BecameLeader { term, .. },
            ..
        }) = raft_note(&r)
        {
            return Ok(term.to_string());
        }
    }
    Ok("none".into())
}

fn leader_at_end(run: &mut Run, _: Option<ProbeArg>) -> Result<String, String> {
    run.finish();
    Ok(scenarios::leader(run.world())
        .map(|(id, _)| name(run, id))
        .unwrap_or_else(|| "none".into()))
}

/// Values applied at `idx` by any server right now.
fn applied_now(w: &World<Raft>, idx: u64) -> impl Iterator<Item = u32> + '_ {
    w.nodes
        .iter()
        .filter_map(RaftNode::server)
        .filter(move |s| s.commit >= idx && s.log.len() as u64 >= idx)
        .map(move |s| s.log[idx as usize - 1].value)
}

fn applied_at(run: &mut Run, arg: Option<ProbeArg>) -> Result<String, String> {
    let Some(ProbeArg::Index(idx)) = arg else {
        return Err("applied-at needs an index".into());
    };
    let mut seen: Vec<u32> = Vec::new();
    loop {
        for v in applied_now(run.world(), idx) {
            if !seen.contains(&v) {
                seen.push(v);
            }
        }
        if run.step().is_none() {
            break;
        }
    }
    if seen.is_empty() {
        return Ok("none".into());
    }
    Ok(seen
        .iter()
        .map(|v| v.to_string())
        .collect::<Vec<_>>()
        .join(" then "))
}

fn index_of_value(run: &mut Run, arg: Option<ProbeArg>) -> Result<String, String> {
    let Some(ProbeArg::Value(value)) = arg else {
        return Err("index-of-value needs a value".into());
    };
    loop {
        let w = run.world();
        let found = w
            .nodes
            .iter()
            .filter_map(RaftNode::server)
            .flat_map(|s| s.log.iter().take(s.commit as usize).enumerate())
            .filter(|(_, e)| e.value == value)
            .map(|(i, _)| i as u64 + 1)
            .min();
        if let Some(i) = found {
            return Ok(format!("index {i}"));
        }
        if run.step().is_none() {
            return Ok("never".into());
        }
    }
}

fn log_of(run: &mut Run, arg: Option<ProbeArg>) -> Result<String, String> {
    let id = server_arg(run, arg)?;
    run.finish();
    let s = run.world().nodes[id.idx()].server().ok_or("not a server")?;
    if s.log.is_empty() {
        return Ok("empty".into());
    }
    Ok(s.log
        .iter()
        .map(|e| e.value.to_string())
        .collect::<Vec<_>>()
        .join(" "))
}

fn role_of(run: &mut Run, arg: Option<ProbeArg>) -> Result<String, String> {
    let id = server_arg(run, arg)?;
    run.finish();
    let w = run.world();
    if !w.is_up(id) {
        return Ok("down".into());
    }
    Ok(w.nodes[id.idx()]
        .server()
        .ok_or("not a server")?
        .role
        .to_string())
}

fn next_vote_by(run: &mut Run, arg: Option<ProbeArg>) -> Result<String, String> {
    let id = server_arg(run, arg)?;
    while let Some(r) = run.step() {
        let Some(n) = raft_note(&r) else { continue };
        if n.node != id {
            continue;
        }
        match &n.what {
            What::VoteGranted { candidate, .. } => {
                return Ok(format!("grants {}", name(run, *candidate)))
            }
            What::VoteRefused { candidate, why, .. } => {
                let why = match why {
                    VoteRefusal::AlreadyVoted(v) => format!("already voted for {}", name(run, *v)),
                    VoteRefusal::LogBehind => "log behind".into(),
                    VoteRefusal::StaleTerm => "stale term".into(),
                };
                return Ok(format!("refuses {} ({why})", name(run, *candidate)));
            }
            _ => {}
        }
    }
    Ok("none".into())
}
