//! Resilience scenarios. Each scripts its faults at fixed virtual times;
//! the clients' arrivals and the latencies are random, so each promise is
//! one that holds for every seed the tests try, with room to spare.

use super::backoff::Policy;
use super::breaker::{BreakerConfig, Phase};
use super::lab::Resilience;
use super::check::{NO_CALL_WHILE_OPEN, PROBES_BOUNDED, RETRY_BUDGET};
use super::service::{Cmd, DepConfig, Load, ResilienceConfig, Safety, Service, State};
use crate::kernel::solo::{Solo, SOLO_NODE};
use crate::kernel::{Input, TimeUs, Who, World};
use crate::labs::Scenario;

type Script = Vec<(TimeUs, Input<Cmd>)>;

fn at(t_ms: u64, cmd: Cmd) -> (TimeUs, Input<Cmd>) {
    (t_ms * 1000, Input::Command(Who::Id(SOLO_NODE), cmd))
}

fn state(w: &World<Resilience>) -> Result<&State, String> {
    w.nodes.first().map(|n| &n.state).ok_or_else(|| "no service".to_string())
}

fn no_violations(w: &World<Resilience>) -> Result<(), String> {
    match w.violations.first() {
        None => Ok(()),
        Some(v) => Err(format!("unexpected violation: {} at step {}: {}", v.invariant, v.step, v.explanation)),
    }
}

fn expect_violation(w: &World<Resilience>, name: &str) -> Result<(), String> {
    if w.violations.iter().any(|v| v.invariant == name) {
        Ok(())
    } else {
        Err(format!(
            "{name} never broke ({} violations: {:?})",
            w.violations.len(),
            w.violations.iter().map(|v| v.invariant).collect::<Vec<_>>()
        ))
    }
}

fn proto(c: ResilienceConfig) -> Resilience {
    Solo(Service::new(c))
}

/// Mean requests offered per 100 ms.
fn offered_per_bucket(c: &ResilienceConfig) -> f64 {
    c.offered_per_s() / 10.0
}

/// The outage scenarios: 400 requests a second to a dependency that
/// serves 200 calls at once in 200–400 ms, so about 120 are in it when
/// it restarts at 3 s (down for 100 ms). Four attempts, the first retry
/// 500 ms later.
pub fn outage(policy: Policy) -> ResilienceConfig {
    ResilienceConfig {
        clients: 100,
        gap_ms: 250,
        load: Load::Poisson,
        workers: 400,
        queue: 500,
        deps: [
            DepConfig {
                slots: 200,
                lat_us_min: 200_000,
                lat_us_max: 400_000,
                error_pct: 0,
                queue: 200,
            },
            DepConfig::DEFAULT,
        ],
        attempts: 4,
        backoff: super::backoff::Backoff {
            policy,
            base_us: 500_000,
            cap_us: 2_000_000,
        },
        timeout_ms: 1_000,
        ..ResilienceConfig::default()
    }
}

fn outage_script() -> Script {
    vec![at(3_000, Cmd::Down(0)), at(3_100, Cmd::Recover(0))]
}

/// The busiest 100 ms after the outage began, as a multiple of the mean offered load.
fn peak_ratio(w: &World<Resilience>) -> Result<f64, String> {
    let s = state(w)?;
    Ok(s.live.peak() as f64 / offered_per_bucket(&w.proto.0.config))
}

fn expect_waves(w: &World<Resilience>) -> Result<(), String> {
    expect_peak_at_least(w, 3.8)
}

fn expect_still_synchronised(w: &World<Resilience>) -> Result<(), String> {
    expect_peak_at_least(w, 2.4)
}

fn expect_peak_at_least(w: &World<Resilience>, x: f64) -> Result<(), String> {
    no_violations(w)?;
    let r = peak_ratio(w)?;
    if r < x {
        return Err(format!("the busiest 100 ms after the outage had only {r:.1}× the offered load"));
    }
    Ok(())
}

fn expect_spread(w: &World<Resilience>) -> Result<(), String> {
    no_violations(w)?;
    let r = peak_ratio(w)?;
    if r > 2.4 {
        return Err(format!("the busiest 100 ms after the outage had {r:.1}× the offered load: the retries came back together"));
    }
    Ok(())
}

/// The metastable scenarios: 400 requests a second to a dependency that
/// serves 500 a second (10 at once, 10–30 ms each), with a 100 ms timeout
/// and three attempts. A slows down five times from 2 s to 4 s.
pub fn storm() -> ResilienceConfig {
    ResilienceConfig {
        clients: 100,
        gap_ms: 333,
        load: Load::Poisson,
        workers: 400,
        queue: 500,
        deps: [DepConfig::DEFAULT, DepConfig::DEFAULT],
        attempts: 3,
        backoff: super::backoff::Backoff {
            policy: Policy::Full,
            base_us: 20_000,
            cap_us: 200_000,
        },
        timeout_ms: 100,
        ..ResilienceConfig::default()
    }
}

fn storm_script() -> Script {
    vec![at(2_000, Cmd::Slow(0, 5)), at(4_000, Cmd::Recover(0))]
}

fn expect_stuck(w: &World<Resilience>) -> Result<(), String> {
    no_violations(w)?;
    let s = state(w)?;
    if let Some(t) = s.live.recovered_us {
        return Err(format!("goodput came back at {} ms; the storm should hold it down", t / 1000));
    }
    if s.deps[0].wasted == 0 {
        return Err("A wasted no work on calls whose callers had given up".into());
    }
    Ok(())
}

fn expect_recovered(w: &World<Resilience>) -> Result<(), String> {
    no_violations(w)?;
    let s = state(w)?;
    match s.live.recovered_us {
        Some(_) => Ok(()),
        None => Err("goodput never came back after A recovered".into()),
    }
}

fn expect_breaker_cycle(w: &World<Resilience>) -> Result<(), String> {
    no_violations(w)?;
    let s = state(w)?;
    let b = &s.deps[0].breaker;
    if b.trips == 0 {
        return Err("A's breaker never opened".into());
    }
    if b.phase != Phase::Closed {
        return Err(format!("A's breaker is {} at the pause, not closed again", b.phase.label()));
    }
    if s.totals.degraded == 0 {
        return Err("no request got the fallback answer".into());
    }
    Ok(())
}

/// Two dependencies behind one pool of 40 workers: a quarter of the
/// clients call B, which becomes 20 times slower at 2 s.
pub fn pool(bulkhead: u32) -> ResilienceConfig {
    ResilienceConfig {
        clients: 100,
        gap_ms: 500,
        b_pct: 25,
        workers: 40,
        queue: 100,
        attempts: 1,
        timeout_ms: 2_000,
        bulkhead,
        ..ResilienceConfig::default()
    }
}

/// The share of the last second's requests that succeeded, in percent.
fn a_goodput_pct(w: &World<Resilience>) -> Result<u64, String> {
    let s = state(w)?;
    Ok(s.live.recent.iter().map(|x| x.1 as u64).sum::<u64>() * 100
        / s.live.recent.iter().map(|x| x.0 as u64).sum::<u64>().max(1))
}

fn expect_pool_drained(w: &World<Resilience>) -> Result<(), String> {
    no_violations(w)?;
    let s = state(w)?;
    if s.totals.rejected == 0 {
        return Err("no request was turned away: the slow dependency did not take the pool".into());
    }
    let g = a_goodput_pct(w)?;
    if g > 50 {
        return Err(format!("{g}% of the last second's requests succeeded; the pool should be exhausted"));
    }
    Ok(())
}

fn expect_contained(w: &World<Resilience>) -> Result<(), String> {
    no_violations(w)?;
    let g = a_goodput_pct(w)?;
    // B's quarter fails; A's three quarters keep going.
    if g < 65 {
        return Err(format!("only {g}% of the last second's requests succeeded; A's should have kept going"));
    }
    Ok(())
}

/// A spike of five times the load from 5 s to 7 s on a service whose
/// dependency serves 500 calls a second.
pub fn spike(shed_ms: u64) -> ResilienceConfig {
    ResilienceConfig {
        clients: 100,
        gap_ms: 500,
        load: Load::Spike,
        workers: 40,
        queue: 600,
        shed_ms,
        attempts: 1,
        timeout_ms: 250,
        ..ResilienceConfig::default()
    }
}

fn expect_long_queue(w: &World<Resilience>) -> Result<(), String> {
    no_violations(w)?;
    let s = state(w)?;
    if s.queue.len() < 250 {
        return Err(format!("only {} requests queue at the pause; the spike should have built a long queue", s.queue.len()));
    }
    Ok(())
}

fn expect_amplified(w: &World<Resilience>) -> Result<(), String> {
    no_violations(w)?;
    let s = state(w)?;
    let t = s.totals;
    let per = t.attempts as f64 / t.requests.max(1) as f64;
    if per < 15.0 {
        return Err(format!("{per:.1} attempts per request; three layers of three should make up to 27"));
    }
    Ok(())
}

/// The library-preset scenarios: the storm's load, A's breaker set to a
/// library's defaults; A goes down at 2 s and is back at 8 s.
fn preset(b: BreakerConfig) -> ResilienceConfig {
    ResilienceConfig {
        breaker_on: true,
        fallback: true,
        breaker: b,
        ..storm()
    }
}

fn preset_script() -> Script {
    vec![at(2_000, Cmd::Down(0)), at(8_000, Cmd::Recover(0))]
}

/// Hystrix's defaults: it trips, its one trial at about 7 s fails (A is
/// still down), and the next, about 5 s later, closes it.
fn expect_hystrix(w: &World<Resilience>) -> Result<(), String> {
    expect_breaker_cycle(w)?;
    let b = &state(w)?.deps[0].breaker;
    // Closed → open → half-open → open → half-open → closed: five moves.
    if b.epoch < 5 {
        return Err(format!("A's breaker moved {} times; the failed trial while A is down should reopen it", b.epoch));
    }
    Ok(())
}

/// resilience4j's defaults: it trips once and is still open at 16 s, long
/// after A came back, because it waits 60 s in open.
fn expect_resilience4j(w: &World<Resilience>) -> Result<(), String> {
    no_violations(w)?;
    let b = &state(w)?.deps[0].breaker;
    if b.trips != 1 {
        return Err(format!("A's breaker opened {} times, not once", b.trips));
    }
    if b.phase != Phase::Open {
        return Err(format!("A's breaker is {} at 16 s; a 60 s wait in open should keep it open", b.phase.label()));
    }
    Ok(())
}

pub fn all() -> Vec<Scenario<Resilience>> {
    let breaker = ResilienceConfig {
        breaker_on: true,
        fallback: true,
        ..storm()
    };
    vec![
        Scenario {
            id: "herd",
            title: "An outage, retries without jitter",
            summary: "400 requests a second to A, which restarts at 3 s: it is down for 100 ms, and the 120 calls in it fail at the \
                      same instant. Every caller waits exactly 500 ms before its retry.",
            notice: "The attempts chart at 3.5 s: the calls that failed together come back together, a spike about five times the \
                     offered load, all in one 100 ms. A herd that size can knock over a dependency that just came back.",
            proto: proto(outage(Policy::Exponential)),
            seed: 1,
            script: outage_script(),
            pause_ms: 6_000,
            expect: expect_waves,
        },
        Scenario {
            id: "herd-full-jitter",
            title: "The same outage with full jitter",
            summary: "The outage of the first scenario, but each wait is uniform between zero and the exponential value.",
            notice: "The same 120 failures come back spread over the whole 500 ms: the busiest 100 ms has about twice the offered load, \
                     not five times.",
            proto: proto(outage(Policy::Full)),
            seed: 1,
            script: outage_script(),
            pause_ms: 6_000,
            expect: expect_spread,
        },
        Scenario {
            id: "herd-decorrelated",
            title: "The same outage with decorrelated jitter",
            summary: "Each wait is uniform between the base and three times the caller's last wait.",
            notice: "The first wait is between 500 ms and 1.5 s, so the herd spreads even wider than with full jitter.",
            proto: proto(outage(Policy::Decorrelated)),
            seed: 1,
            script: outage_script(),
            pause_ms: 6_000,
            expect: expect_spread,
        },
        Scenario {
            id: "herd-plus20",
            title: "±20% jitter still synchronises",
            summary: "The common ±20% jitter: each wait is the exponential value, give or take a fifth.",
            notice: "A fifth of 500 ms is 100 ms: the failed calls still come back within 200 ms of each other, a spike about three \
                     times the offered load. Small jitter leaves the herd a herd.",
            proto: proto(outage(Policy::Plus20)),
            seed: 1,
            script: outage_script(),
            pause_ms: 6_000,
            expect: expect_still_synchronised,
        },
        Scenario {
            id: "metastable",
            title: "A retry storm outlives its cause",
            summary: "400 requests a second to a dependency that serves 500. A is five times slower from 2 s to 4 s; \
                      calls time out after 100 ms and each is tried three times.",
            notice: "A recovers at 4 s, yet goodput stays near zero: every caller's retries keep A's queue longer than the timeout, \
                     and A spends its time on calls whose callers have already given up (wasted work). The trigger is gone; the \
                     failure sustains itself.",
            proto: proto(storm()),
            seed: 1,
            script: storm_script(),
            pause_ms: 10_000,
            expect: expect_stuck,
        },
        Scenario {
            id: "metastable-budget",
            title: "A retry budget breaks the storm",
            summary: "The storm of the last scenario, with retries capped at 10% of requests.",
            notice: "Once the budget is spent, failed calls are not retried, A's load falls below what it serves, its queue drains, \
                     and goodput comes back within a couple of seconds of the recovery.",
            proto: proto(ResilienceConfig {
                budget_pct: 10,
                ..storm()
            }),
            seed: 1,
            script: storm_script(),
            pause_ms: 10_000,
            expect: expect_recovered,
        },
        Scenario {
            id: "metastable-deadline",
            title: "Passing the deadline downstream",
            summary: "The storm again, with a 300 ms deadline per request that travels with every call.",
            notice: "A drops the calls that are already too late instead of serving them, so its work goes to calls someone still \
                     waits for, and goodput returns.",
            proto: proto(ResilienceConfig {
                deadline_ms: 300,
                propagate: true,
                ..storm()
            }),
            seed: 1,
            script: storm_script(),
            pause_ms: 10_000,
            expect: expect_recovered,
        },
        Scenario {
            id: "breaker",
            title: "The breaker trips, probes and closes",
            summary: "The storm, with a circuit breaker on A (20-call window, 50%, 2 s open, 3 probes) and a fallback answer.",
            notice: "The breaker opens while A is slow, refuses calls (they get the fallback) so A's queue drains, lets 3 probes \
                     through after 2 s and closes when they succeed. Follow its moves on the state machine and the markers.",
            proto: proto(breaker.clone()),
            seed: 1,
            script: storm_script(),
            pause_ms: 10_000,
            expect: expect_breaker_cycle,
        },
        Scenario {
            id: "breaker-hystrix",
            title: "Hystrix's defaults: an outage",
            summary: "A is down from 2 s to 8 s; A's breaker has Hystrix's defaults: a 10 s rolling window in 10 buckets, at least \
                      20 requests, 50% errors, a 5 s sleep window and one trial request.",
            notice: "Twenty failed calls are enough to trip it a moment after 2 s. Its one trial, 5 s later, meets A still down and \
                     reopens it; the next trial, at about 12 s, succeeds and closes it: four seconds of fallback after A was back.",
            proto: proto(preset(BreakerConfig::HYSTRIX)),
            seed: 1,
            script: preset_script(),
            pause_ms: 16_000,
            expect: expect_hystrix,
        },
        Scenario {
            id: "breaker-resilience4j",
            title: "resilience4j's defaults: an outage",
            summary: "The same outage; A's breaker has resilience4j's defaults: the last 100 calls, at least 100, 50% failures, \
                      60 s in open, 10 calls in half-open.",
            notice: "It needs 100 calls before it judges, then trips once and stays open: at 16 s A has been healthy for 8 s and \
                     every request still gets the fallback. The 60 s default suits a dependency that takes minutes to recover, \
                     not one that restarts in seconds.",
            proto: proto(preset(BreakerConfig::RESILIENCE4J)),
            seed: 1,
            script: preset_script(),
            pause_ms: 16_000,
            expect: expect_resilience4j,
        },
        Scenario {
            id: "pool-drained",
            title: "A slow dependency drains a shared pool",
            summary: "Two dependencies behind 40 workers; a quarter of the requests call B, which becomes 50 times slower at 2 s.",
            notice: "B's requests now hold their workers for a second each; within a second every worker waits on B, the queue fills, \
                     and A's requests are turned away too, though A is healthy.",
            proto: proto(pool(0)),
            seed: 1,
            script: vec![at(2_000, Cmd::Slow(1, 50))],
            pause_ms: 6_000,
            expect: expect_pool_drained,
        },
        Scenario {
            id: "bulkhead",
            title: "A bulkhead contains it",
            summary: "The same slow B, with a bulkhead of 10 permits per dependency.",
            notice: "At most 10 workers wait on B; the rest of B's requests fail fast, and A's keep succeeding.",
            proto: proto(pool(10)),
            seed: 1,
            script: vec![at(2_000, Cmd::Slow(1, 50))],
            pause_ms: 6_000,
            expect: expect_contained,
        },
        Scenario {
            id: "layers",
            title: "Three layers of retries",
            summary: "A is down. The service tries it 3 times, its caller tries the service 3 times, and that one's caller does too.",
            notice: "Every request makes 27 attempts at A: retries multiply across layers. Retry at one layer only.",
            proto: proto(ResilienceConfig {
                clients: 20,
                gap_ms: 500,
                attempts: 3,
                layers: 3,
                backoff: super::backoff::Backoff {
                    policy: Policy::Full,
                    base_us: 10_000,
                    cap_us: 100_000,
                },
                ..ResilienceConfig::default()
            }),
            seed: 1,
            script: vec![at(1_000, Cmd::Down(0))],
            pause_ms: 5_000,
            expect: expect_amplified,
        },
        Scenario {
            id: "spike",
            title: "A spike and a long queue",
            summary: "200 requests a second, and five times that from 5 s to 7 s, to a service whose dependency serves 500 a second. \
                      The service queues up to 600 requests and never sheds.",
            notice: "The queue fills during the spike and every request waits in it for about a second: the work is all done, but \
                     late, and the queue takes a couple of seconds to drain after the spike. Turn on the comparison \u{201c}shedding after 100 ms \
                     queued\u{201d} to see the same spike with stale requests dropped instead.",
            proto: proto(spike(0)),
            seed: 1,
            script: Vec::new(),
            pause_ms: 6_500,
            expect: expect_long_queue,
        },
        Scenario {
            id: "unsafe-retry-bypass",
            title: "Unsafe: retries that skip the breaker",
            summary: "The breaker scenario with the switch \u{201c}Retries ask the breaker\u{201d} off: a request's retries go straight to A.",
            notice: "While the breaker is open, first attempts are refused but retries already waiting still reach A: the invariant \
                     No call while open breaks. This is what wrapping the retry inside the breaker does.",
            proto: proto(ResilienceConfig {
                safety: Safety {
                    retry_through_breaker: false,
                    ..Safety::default()
                },
                ..breaker.clone()
            }),
            seed: 1,
            script: storm_script(),
            pause_ms: 4_000,
            expect: |w| expect_violation(w, NO_CALL_WHILE_OPEN.name),
        },
        Scenario {
            id: "unsafe-probe-flood",
            title: "Unsafe: half-open lets everything through",
            summary: "The breaker scenario with the switch \u{201c}Half-open probe limit\u{201d} off.",
            notice: "When the wait in open ends, every request goes to A before the first probe has answered: the invariant Half-open \
                     probes bounded breaks, and a dependency still recovering would get the full load at once.",
            proto: proto(ResilienceConfig {
                safety: Safety {
                    probe_limit: false,
                    ..Safety::default()
                },
                ..breaker.clone()
            }),
            seed: 1,
            script: storm_script(),
            pause_ms: 5_000,
            expect: |w| expect_violation(w, PROBES_BOUNDED.name),
        },
        Scenario {
            id: "unsafe-budget-ignored",
            title: "Unsafe: a budget nobody checks",
            summary: "The retry-budget scenario with the switch \u{201c}Retries spend the budget\u{201d} off.",
            notice: "Retries go on past 10% of requests: the invariant Retry budget kept breaks, and the storm is back.",
            proto: proto(ResilienceConfig {
                budget_pct: 10,
                safety: Safety {
                    budget_checked: false,
                    ..Safety::default()
                },
                ..storm()
            }),
            seed: 1,
            script: storm_script(),
            pause_ms: 6_000,
            expect: |w| expect_violation(w, RETRY_BUDGET.name),
        },
        Scenario {
            id: "free",
            title: "Free play",
            summary: "100 clients, one dependency, three attempts with full jitter, a 250 ms timeout. Break A from the buttons.",
            notice: "Take A down, slow it or make it fail; switch on the breaker, the budget or the bulkhead in Settings.",
            proto: proto(ResilienceConfig::default()),
            seed: 1,
            script: Vec::new(),
            pause_ms: 0,
            expect: no_violations,
        },
    ]
}
