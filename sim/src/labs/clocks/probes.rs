//! Probes of the Clocks lab: what a prediction about a paused run can
//! ask, answered by playing on.

use super::{Clocks, WALL};
use crate::labs::probe::{first_violation, ArgKind, Probe, ProbeArg, ProbeRun};

type Run = ProbeRun<Clocks>;

pub static PROBES: &[Probe<Clocks>] = &[
    Probe::new(
        "first-violation",
        ArgKind::None,
        "The first invariant broken after the paused step.",
        "an invariant's name as the lab lists it (Lamport clock condition, External consistency, No lost update, ...), or none",
        first_violation::<Clocks>,
    ),
    Probe::new(
        "next-commit-latency",
        ArgKind::None,
        "How long the next transaction to be acknowledged after the paused step took, start to acknowledgement, in whole ms.",
        "N ms, or none",
        next_commit_latency,
    ),
    Probe::new(
        "key-values",
        ArgKind::None,
        "What the stores hold for key k0 when the bound is reached, every process's values together.",
        "a value (2), several (1 and 3), or empty",
        key_values,
    ),
    Probe::new(
        "wall-inversions",
        ArgKind::None,
        "How many receives, by the bound, the wall clock stamps before the send they receive.",
        "a count (0, 1, 2, ...)",
        wall_inversions,
    ),
    Probe::new("hlc-lead", ArgKind::None, "The most any event's HLC l ran ahead of its process's clock, by the bound, in whole ms.", "N ms", hlc_lead),
];

fn next_commit_latency(run: &mut Run, _: Option<ProbeArg>) -> Result<String, String> {
    let acked = |r: &Run| {
        r.world()
            .nodes
            .iter()
            .flat_map(|p| &p.txns)
            .filter(|t| t.ack_true_us.is_some())
            .map(|t| (t.start_true_us, t.ack_true_us))
            .collect::<Vec<_>>()
    };
    let before = acked(run);
    while run.step().is_some() {
        let now = acked(run);
        if let Some((s, a)) = now.iter().find(|x| !before.contains(x)) {
            return Ok(format!("{} ms", (a.unwrap_or(*s) - s) / 1000));
        }
    }
    Ok("none".into())
}

fn key_values(run: &mut Run, _: Option<ProbeArg>) -> Result<String, String> {
    run.finish();
    let mut v: Vec<u32> = run
        .world()
        .nodes
        .iter()
        .flat_map(|p| p.store.get(&0).into_iter().flatten().map(|x| x.value))
        .collect();
    v.sort_unstable();
    v.dedup();
    if v.is_empty() {
        return Ok("empty".into());
    }
    Ok(v.iter()
        .map(|x| x.to_string())
        .collect::<Vec<_>>()
        .join(" and "))
}

fn wall_inversions(run: &mut Run, _: Option<ProbeArg>) -> Result<String, String> {
    run.finish();
    Ok(run
        .world()
        .checker
        .observations
        .iter()
        .filter(|o| o.name == WALL)
        .count()
        .to_string())
}

fn hlc_lead(run: &mut Run, _: Option<ProbeArg>) -> Result<String, String> {
    run.finish();
    let w = run.world();
    Ok(format!(
        "{} ms",
        w.checker.max_l_minus_pt * w.proto.config.hlc_tick_us as i64 / 1000
    ))
}
