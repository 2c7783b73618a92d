//! Benchmarks run in the browser: the lab pages' binaries export them
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

/// Opens lab `L` with `pairs` (a page's query) and runs its timeline
/// (rewind on, as in the page) up to its step cap or `virtual_s` of
/// virtual time. Returns the run and the wall milliseconds it took.
fn timed_run<L: dsviz_sim::labs::lab::Lab>(pairs: &[(&str, String)], virtual_s: f64) -> (dsviz_sim::labs::lab::Run<L>, f64) {
    let virtual_s = if virtual_s.is_finite() {
        virtual_s.clamp(0.1, 3_600.0)
    } else {
        10.0
    };
    let pairs: Vec<(String, String)> = pairs.iter().map(|(k, v)| (k.to_string(), v.clone())).collect();
    let mut run = dsviz_sim::labs::lab::Run::<L>::open(&pairs).run;
    let t0 = crate::dom::now_ms();
    let _ = run.tl.run_until((virtual_s * 1e6) as u64, u64::MAX);
    (run, crate::dom::now_ms() - t0)
}

/// The JSON fields every lab timeline benchmark reports: steps, virtual
/// seconds, wall milliseconds and steps per wall second.
fn timeline_fields<L: dsviz_sim::labs::lab::Lab>(run: &dsviz_sim::labs::lab::Run<L>, wall_ms: f64) -> String {
    format!(
        "\"steps\":{},\"virtual_s\":{:.3},\"wall_ms\":{wall_ms:.1},\"steps_per_wall_s\":{:.0}",
        run.tl.cursor(),
        run.world().now as f64 / 1e6,
        run.tl.cursor() as f64 / (wall_ms / 1000.0).max(1e-9)
    )
}

/// Runs the Clocks lab's free play with `n` processes up to its step cap or
/// `virtual_s`, then times building the space-time trace of every recorded
/// event (what the page redraws each frame). Returns JSON: the
/// [`timeline_fields`], events and trace milliseconds.
pub fn clocks_timeline(n: u32, virtual_s: f64) -> String {
    use dsviz_sim::labs::clocks::lab::ClocksLab;
    use dsviz_sim::labs::clocks::trace::trace;
    let (run, wall_ms) = timed_run::<ClocksLab>(&[("sc", "free-play".into()), ("n", n.clamp(2, 8).to_string())], virtual_s);
    let t1 = crate::dom::now_ms();
    let events = trace(run.world()).0.events.len();
    let trace_ms = crate::dom::now_ms() - t1;
    format!("{{{},\"events\":{events},\"trace_ms\":{trace_ms:.2}}}", timeline_fields(&run, wall_ms))
}

/// Runs a Resilience lab scenario (`sc`, e.g. `metastable`) up to its step
/// cap or `virtual_s`, then times building the charts' series up to the
/// last step (what the page recomputes each frame while playing). Returns
/// JSON: the [`timeline_fields`] and series milliseconds.
pub fn resilience_timeline(sc: &str, virtual_s: f64) -> String {
    use dsviz_sim::labs::resilience::lab::ResilienceLab;
    use dsviz_sim::labs::resilience::series::series;
    let (run, wall_ms) = timed_run::<ResilienceLab>(&[("sc", sc.to_string())], virtual_s);
    let t1 = crate::dom::now_ms();
    let buckets = series(run.tl.records(), run.tl.cursor() as usize).buckets.len();
    let series_ms = crate::dom::now_ms() - t1;
    format!("{{{},\"buckets\":{buckets},\"series_ms\":{series_ms:.2}}}", timeline_fields(&run, wall_ms))
}

/// Runs any lab's experiment `name` (as the CLI names it) to the end with
/// its default arguments; returns wall milliseconds, or -1 for an unknown
/// name or a failed run.
pub fn experiment(name: &str) -> f64 {
    let Some((_, e)) = dsviz_sim::labs::registry::experiment(name) else {
        return -1.0;
    };
    let args = e.info().defaults();
    let t0 = crate::dom::now_ms();
    if e.run_all(&args).is_err() {
        return -1.0;
    }
    crate::dom::now_ms() - t0
}
