//! Benchmarks run in the browser: the Raft and Clocks pages' binaries export them
//! (`window.wasmBindings.bench_*` once trunk's loader has run) for
//! `scripts/bench.sh`. They time with the page's
//! clock; the simulation itself never reads one.

use dsviz_sim::kernel::{Input, NodeId, Timeline, Who, World};
use dsviz_sim::labs::raft::experiment::{ElectionTimeExperiment, FIG16_RANGES_MS};
use dsviz_sim::labs::raft::{Cmd, Raft, RaftConfig};

/// Simulates `virtual_s` seconds of a five-server Raft cluster on a
/// [`Timeline`] (snapshots and trace on, as in the lab), with a client
/// request every `request_every_ms` of virtual time (0: none, an idle
/// cluster exchanging heartbeats). Returns JSON: steps, virtual seconds,
/// wall milliseconds and virtual seconds per wall second.
pub fn raft_timeline(virtual_s: f64, request_every_ms: u32) -> String {
    let every_us = if request_every_ms == 0 {
        u64::MAX / 4
    } else {
        request_every_ms as u64 * 1000
    };
    let virtual_s = if virtual_s.is_finite() {
        virtual_s.clamp(0.1, 3_600.0)
    } else {
        10.0
    };
    let raft = Raft::new(RaftConfig::default());
    let client = raft.client_id();
    let mut tl = Timeline::new(World::new(raft, 1, vec![]));
    let t0 = crate::dom::now_ms();
    let end_us = (virtual_s * 1e6) as u64;
    let mut next_req = every_us;
    let mut value = 1;
    while tl.world().now < end_us {
        let until = next_req.min(end_us);
        if tl.run_until(until, u64::MAX).is_err() {
            break;
        }
        if until == next_req {
            let _ = tl.inject(Input::Command(
                Who::Id(client),
                Cmd::Submit { value, to: None },
            ));
            value += 1;
            next_req += every_us;
        }
        if tl.world().now < until && tl.world().next_event_time().is_none_or(|t| t > end_us) {
            break;
        }
    }
    let wall_ms = crate::dom::now_ms() - t0;
    let vs = tl.world().now as f64 / 1e6;
    let _ = NodeId(0);
    format!(
        "{{\"steps\":{},\"virtual_s\":{vs:.3},\"wall_ms\":{wall_ms:.1},\"virtual_s_per_wall_s\":{:.1}}}",
        tl.cursor(),
        vs / (wall_ms / 1000.0).max(1e-9)
    )
}

/// Runs the Figure 16 experiment with `trials` per range; returns wall milliseconds.
pub fn fig16(trials: u32) -> f64 {
    let t0 = crate::dom::now_ms();
    let mut exp = ElectionTimeExperiment::new(FIG16_RANGES_MS.to_vec(), trials.min(10_000), 1);
    while !exp.run_some(1_000) {}
    crate::dom::now_ms() - t0
}

/// Runs the Clocks lab's free play with `n` processes on a [`Timeline`]
/// (rewind on, as in the page) up to its step cap or `virtual_s`, then
/// times building the space-time trace of every recorded event (what the
/// page redraws each frame). Returns JSON: steps, virtual seconds, wall
/// milliseconds, steps per wall second, events and trace milliseconds.
pub fn clocks_timeline(n: u32, virtual_s: f64) -> String {
    use dsviz_sim::labs::clocks::lab::ClocksLab;
    use dsviz_sim::labs::clocks::trace::trace;
    use dsviz_sim::labs::lab::Run;
    let virtual_s = if virtual_s.is_finite() {
        virtual_s.clamp(0.1, 3_600.0)
    } else {
        10.0
    };
    let pairs = [
        ("sc".to_string(), "free-play".to_string()),
        ("n".to_string(), n.clamp(2, 8).to_string()),
    ];
    let mut run = Run::<ClocksLab>::open(&pairs).run;
    let t0 = crate::dom::now_ms();
    let _ = run.tl.run_until((virtual_s * 1e6) as u64, u64::MAX);
    let wall_ms = crate::dom::now_ms() - t0;
    let t1 = crate::dom::now_ms();
    let events = trace(run.world()).0.events.len();
    let trace_ms = crate::dom::now_ms() - t1;
    format!(
        "{{\"steps\":{},\"virtual_s\":{:.3},\"wall_ms\":{wall_ms:.1},\"steps_per_wall_s\":{:.0},\"events\":{events},\"trace_ms\":{trace_ms:.2}}}",
        run.tl.cursor(),
        run.world().now as f64 / 1e6,
        run.tl.cursor() as f64 / (wall_ms / 1000.0).max(1e-9)
    )
}

/// Runs one of the Clocks lab's experiments (`id`) to the end with its
/// default arguments; returns wall milliseconds.
pub fn clocks_experiment(id: &str) -> f64 {
    use dsviz_sim::labs::clocks::experiment::ALL;
    let Some(e) = ALL.iter().find(|e| e.info().name == id) else {
        return -1.0;
    };
    let args = e.info().defaults();
    let t0 = crate::dom::now_ms();
    if e.run_all(&args).is_err() {
        return -1.0;
    }
    crate::dom::now_ms() - t0
}
