//! Kernel and Raft throughput, natively. Run with
//! `cargo run --release -p dsviz-sim --example bench_kernel`.
//! Prints events per second for a bare `World` and for a `Timeline`
//! (snapshots and trace on, as in the lab), and virtual seconds per wall
//! second. Benchmarks may read the wall clock; the library never does.

use dsviz_sim::kernel::{Input, Timeline, Who, World};
use dsviz_sim::labs::raft::{Cmd, Raft, RaftConfig};
use std::time::Instant;

const VIRTUAL_S: u64 = 600;

fn submit(raft: &Raft, value: u32) -> Input<Cmd> {
    Input::Command(Who::Id(raft.client_id()), Cmd::Submit { value, to: None })
}

fn main() {
    let raft = Raft::new(RaftConfig::default());

    // Bare world: a client request every 100 ms of virtual time.
    let mut w = World::new(raft.clone(), 1, vec![]);
    let t0 = Instant::now();
    let mut events = 0u64;
    let mut next_req = 100_000;
    let mut value = 1;
    while w.now < VIRTUAL_S * 1_000_000 {
        let input = if w.next_live_event_time().is_some_and(|t| t >= next_req) {
            next_req += 100_000;
            value += 1;
            Some(submit(&raft, value))
        } else {
            None
        };
        if w.step(input.as_ref()).is_none() {
            break;
        }
        events += 1;
    }
    let s = t0.elapsed().as_secs_f64();
    println!(
        "world:    {events} events, {:.0} virtual s in {s:.3} s wall: {:.2} M events/s, {:.0} virtual s per wall s",
        w.now as f64 / 1e6,
        events as f64 / s / 1e6,
        w.now as f64 / 1e6 / s
    );

    // Timeline, as the lab runs it (records, snapshots every 256 steps), up to its step cap.
    let mut tl = Timeline::new(World::new(raft.clone(), 1, vec![]));
    let t0 = Instant::now();
    let mut next_req = 100_000;
    let mut value = 1;
    loop {
        if tl.run_until(next_req, u64::MAX).is_err() {
            break;
        }
        value += 1;
        next_req += 100_000;
        if tl.inject(submit(&raft, value)).is_err() {
            break;
        }
    }
    let s = t0.elapsed().as_secs_f64();
    let vs = tl.world().now as f64 / 1e6;
    println!(
        "timeline: {} steps (the cap), {vs:.0} virtual s in {s:.3} s wall: {:.2} M steps/s, {:.0} virtual s per wall s",
        tl.cursor(),
        tl.cursor() as f64 / s / 1e6,
        vs / s
    );
    let t0 = Instant::now();
    for k in 0..1000u64 {
        tl.seek((k * 7919) % tl.horizon());
    }
    println!(
        "seek:     {:.1} µs per random seek over the full trace",
        t0.elapsed().as_secs_f64() * 1e3
    );
    clocks();
}

/// The Clocks lab's free play on a timeline, as the page runs it, and the
/// cost of what the page redraws each frame (the space-time trace of every
/// recorded event) and of a ShiViz export, at a few run lengths.
fn clocks() {
    use dsviz_sim::labs::clocks::lab::ClocksLab;
    use dsviz_sim::labs::clocks::trace::trace;
    use dsviz_sim::labs::lab::Run;
    let mut run = Run::<ClocksLab>::open(&[("sc".into(), "free-play".into())]).run;
    let t0 = Instant::now();
    let _ = run.tl.run_until(u64::MAX / 2, u64::MAX);
    let s = t0.elapsed().as_secs_f64();
    let vs = run.world().now as f64 / 1e6;
    println!(
        "clocks:   {} steps (the cap), {vs:.0} virtual s in {s:.3} s wall: {:.2} M steps/s, {:.0} virtual s per wall s",
        run.tl.cursor(),
        run.tl.cursor() as f64 / s / 1e6,
        vs / s
    );
    let horizon = run.tl.horizon();
    for step in [1_000, 10_000, horizon] {
        run.tl.seek(step.min(horizon));
        let reps = 20;
        let t0 = Instant::now();
        let mut n = 0;
        for _ in 0..reps {
            n = trace(run.world()).0.events.len();
        }
        let per = t0.elapsed().as_secs_f64() * 1e3 / reps as f64;
        let t0 = Instant::now();
        let bytes = run.shiviz().map(|x| x.log.len()).unwrap_or(0);
        println!(
            "          at step {}: {n} events, trace {per:.2} ms, ShiViz export {:.1} ms ({bytes} bytes)",
            run.tl.cursor(),
            t0.elapsed().as_secs_f64() * 1e3
        );
    }
}
