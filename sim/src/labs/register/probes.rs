//! Probes of the register protocol, shared by the CAP and Quorum labs:
//! what a prediction about a paused run can ask, answered by playing on.

use super::{OpRecord, Outcome, RegNode, Register};
use crate::history::{OpKind, Value};
use crate::kernel::World;
use crate::labs::probe::{first_violation, ArgKind, Probe, ProbeArg, ProbeRun};

type Run = ProbeRun<Register>;

pub static PROBES: &[Probe<Register>] = &[
    Probe::new(
        "first-violation",
        ArgKind::None,
        "The first invariant broken after the paused step.",
        "an invariant's name as the lab lists it (No stale reads, No lost writes, Quorum overlap, ...), or none",
        first_violation::<Register>,
    ),
    Probe::new(
        "next-read-by",
        ArgKind::Client,
        "What a client's next read to finish after the paused step returns.",
        "a value (2), siblings (1 and 2), empty, refused, no answer, or none",
        next_read_by,
    ),
    Probe::new("next-outcome-of", ArgKind::Client, "How a client's next operation to finish after the paused step ends.", "ok, refused, failed, no answer, or none", next_outcome_of),
    Probe::new(
        "next-latency-of",
        ArgKind::Client,
        "How long a client's next successful operation after the paused step takes, in whole ms.",
        "N ms, or none",
        next_latency_of,
    ),
    Probe::new("values-at", ArgKind::Replica, "What a replica holds when the bound is reached.", "a value (1), siblings (1 and 2), or empty", values_at),
];

/// A register's values as learners see them: `1`, `1 and 2` (siblings), or `empty`.
fn spell_values(mut v: Vec<Value>) -> String {
    if v.is_empty() {
        return "empty".into();
    }
    crate::sort::sort(&mut v);
    v.iter()
        .map(|x| x.to_string())
        .collect::<Vec<_>>()
        .join(" and ")
}

fn client_arg(run: &Run, arg: Option<ProbeArg>) -> Result<usize, String> {
    match arg {
        Some(ProbeArg::Client(c)) => {
            let node = run.world().proto.client_node(c);
            run.world()
                .nodes
                .get(node.idx())
                .and_then(RegNode::client)
                .map(|_| node.idx())
                .ok_or_else(|| format!("C{} does not exist in this run", c + 1))
        }
        _ => Err("this probe needs a client".into()),
    }
}

fn ops_of(w: &World<Register>, node: usize) -> &[OpRecord] {
    w.nodes
        .get(node)
        .and_then(RegNode::client)
        .map(|c| c.ops.as_slice())
        .unwrap_or(&[])
}

/// Plays on until one of the client's operations that was not finished
/// at the paused step finishes and `pick` accepts it; returns what `pick` made of it.
fn next_finished(
    run: &mut Run,
    node: usize,
    pick: impl Fn(&OpRecord) -> Option<String>,
) -> Result<String, String> {
    let done_before: Vec<u32> = ops_of(run.world(), node)
        .iter()
        .filter(|o| o.outcome != Outcome::Pending)
        .map(|o| o.idx)
        .collect();
    while run.step().is_some() {
        let found = ops_of(run.world(), node)
            .iter()
            .filter(|o| o.outcome != Outcome::Pending && !done_before.contains(&o.idx))
            .find_map(&pick);
        if let Some(s) = found {
            return Ok(s);
        }
    }
    Ok("none".into())
}

fn spell_outcome(o: Outcome) -> &'static str {
    match o {
        Outcome::Ok => "ok",
        Outcome::Unavailable => "refused",
        Outcome::Failed => "failed",
        Outcome::NoAnswer | Outcome::Pending => "no answer",
    }
}

fn next_read_by(run: &mut Run, arg: Option<ProbeArg>) -> Result<String, String> {
    let node = client_arg(run, arg)?;
    next_finished(run, node, |o| {
        (o.kind == OpKind::Read).then(|| match o.outcome {
            Outcome::Ok => spell_values(o.read.iter().map(|v| v.value).collect()),
            other => spell_outcome(other).to_string(),
        })
    })
}

fn next_outcome_of(run: &mut Run, arg: Option<ProbeArg>) -> Result<String, String> {
    let node = client_arg(run, arg)?;
    next_finished(run, node, |o| Some(spell_outcome(o.outcome).to_string()))
}

fn next_latency_of(run: &mut Run, arg: Option<ProbeArg>) -> Result<String, String> {
    let node = client_arg(run, arg)?;
    next_finished(run, node, |o| {
        o.ok_at()
            .and(o.latency_us())
            .map(|us| format!("{} ms", us / 1000))
    })
}

fn values_at(run: &mut Run, arg: Option<ProbeArg>) -> Result<String, String> {
    let Some(ProbeArg::Replica(i)) = arg else {
        return Err("values-at needs a replica".into());
    };
    if i as usize >= run.world().proto.n_replicas() {
        return Err(format!("R{} does not exist in this run", i + 1));
    }
    run.finish();
    let r = run.world().nodes[i as usize]
        .replica()
        .ok_or("not a replica")?;
    Ok(spell_values(r.versions.iter().map(|v| v.value).collect()))
}
