//! Probes of the Resilience lab: what a prediction about a paused run can
//! ask, answered by playing on.

use super::breaker::Phase;
use super::lab::Resilience;
use super::service::What;
use crate::kernel::solo::SoloNote;
use crate::kernel::world::Note;
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
        "next-request-attempts",
        ArgKind::None,
        "How many attempts the first request to arrive after the paused step makes at its dependency, first try and every retry at every layer.",
        "a count (1, 3, 9, 27, ...)",
        next_request_attempts,
    ),
    Probe::new(
        "share-succeeding",
        ArgKind::None,
        "Requests that succeed from the paused step to the bound, as a share of the requests that arrive in that time.",
        "under a third, a third to two thirds, or over two thirds",
        share_succeeding,
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

fn model_note(n: &Note<SoloNote<super::service::RNote>>) -> Option<super::service::RNote> {
    match n {
        Note::Proto(SoloNote::Model(r)) => Some(*r),
        _ => None,
    }
}

fn next_request_attempts(run: &mut Run, _: Option<ProbeArg>) -> Result<String, String> {
    let mut req = None;
    let mut attempts = 0u32;
    while let Some(r) = run.step() {
        let Some(n) = model_note(&r.note) else {
            continue;
        };
        let calls = (n.tally.calls[0] + n.tally.calls[1]) as u32;
        match (req, n.what) {
            (None, What::Arrived { req: id, .. }) if n.tally.rejected == 0 => {
                req = Some(id);
                attempts = calls;
            }
            (Some(id), What::Retry { req: r2, .. }) if r2 == id => attempts += calls,
            _ => {}
        }
        if let Some(id) = req {
            let gone = run.world().nodes.first().is_none_or(|s| !s.state.reqs.contains_key(&id));
            if gone {
                return Ok(attempts.to_string());
            }
        }
    }
    Ok(if req.is_some() { attempts.to_string() } else { "none".into() })
}

fn share_succeeding(run: &mut Run, _: Option<ProbeArg>) -> Result<String, String> {
    let (mut offered, mut ok) = (0u64, 0u64);
    while let Some(r) = run.step() {
        if let Some(n) = model_note(&r.note) {
            offered += n.tally.arrivals as u64;
            ok += n.tally.ok as u64;
        }
    }
    Ok(if offered == 0 || ok * 3 < offered {
        "under a third"
    } else if ok * 3 <= offered * 2 {
        "a third to two thirds"
    } else {
        "over two thirds"
    }
    .into())
}
