//! Probes of the Resilience lab: what a prediction about a paused run can
//! ask, answered by playing on.

use super::breaker::Phase;
use super::lab::Resilience;
use crate::labs::probe::{first_violation, ArgKind, Probe, ProbeArg, ProbeRun};

type Run = ProbeRun<Resilience>;

pub static PROBES: &[Probe<Resilience>] = &[
    Probe::new(
        "first-violation",
        ArgKind::None,
        "The first invariant broken after the paused step.",
        "an invariant's name as the lab lists it (No call while open, Retry budget kept, ...), or none",
        first_violation::<Resilience>,
    ),
    Probe::new(
        "next-breaker-move",
        ArgKind::None,
        "The next move of A's circuit breaker after the paused step.",
        "closed → open, open → half-open, half-open → closed, half-open → open, or none",
        next_breaker_move,
    ),
    Probe::new(
        "recovers",
        ArgKind::None,
        "Whether goodput comes back (a second with at least 90% of requests succeeding) after the dependency's last recovery, by the bound.",
        "yes or no",
        recovers,
    ),
];

fn next_breaker_move(run: &mut Run, _: Option<ProbeArg>) -> Result<String, String> {
    let phase = |r: &Run| r.world().nodes.first().map(|n| (n.state.deps[0].breaker.phase, n.state.deps[0].breaker.epoch));
    let start = phase(run);
    while run.step().is_some() {
        let now = phase(run);
        if now != start {
            let from = start.map_or(Phase::Closed, |p| p.0);
            let to = now.map_or(Phase::Closed, |p| p.0);
            return Ok(format!("{} → {}", from.label(), to.label()));
        }
    }
    Ok("none".into())
}

fn recovers(run: &mut Run, _: Option<ProbeArg>) -> Result<String, String> {
    while run.step().is_some() {}
    let live = run.world().nodes.first().map(|n| n.state.live.clone()).unwrap_or_default();
    Ok(if live.recovered_us.is_some() { "yes" } else { "no" }.into())
}
