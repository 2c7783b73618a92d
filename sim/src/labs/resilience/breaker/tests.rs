//! Exact effects of every breaker transition.

use super::*;

const OK: Outcome = Outcome { failed: false, slow: false };
const FAIL: Outcome = Outcome { failed: true, slow: false };
const SLOW: Outcome = Outcome { failed: false, slow: true };

fn count(size: u32, min: u32) -> BreakerConfig {
    BreakerConfig {
        kind: WindowKind::Count,
        size,
        min_calls: min,
        ..BreakerConfig::LAB
    }
}

/// Admits and answers one call at `t_us`.
fn call(b: &mut Breaker, c: &BreakerConfig, t_us: TimeUs, o: Outcome) -> Option<Transition> {
    let a = b.admit(c, t_us);
    assert!(a.admitted, "call at {t_us} refused in {:?}", b.phase);
    b.record(c, t_us, a.epoch, o)
}

#[test]
fn count_window_opens_at_the_minimum_calls_and_not_before() {
    let c = count(20, 10);
    let mut b = Breaker::new(0);
    for i in 0..9 {
        assert_eq!(call(&mut b, &c, i, FAIL), None, "call {i}");
    }
    let t = call(&mut b, &c, 9, FAIL).expect("the tenth failure opens it");
    assert_eq!((t.from, t.to), (Phase::Closed, Phase::Open));
    assert_eq!(t.why, Why::FailureRate { bad: 10, calls: 10 });
    assert_eq!((b.phase, b.since_us, b.trips), (Phase::Open, 9, 1));
}

#[test]
fn the_rate_is_over_the_last_size_calls_and_opens_at_the_threshold_exactly() {
    let c = count(10, 10);
    let mut b = Breaker::new(0);
    // Ten successes, then failures push them out one by one: the fifth
    // failure makes 5 of the last 10, exactly 50%.
    for i in 0..10 {
        assert_eq!(call(&mut b, &c, i, OK), None);
    }
    for i in 0..4 {
        assert_eq!(call(&mut b, &c, 10 + i, FAIL), None, "failure {i}");
        assert_eq!(b.window(&c, 10 + i), (10, i as u32 + 1, 0));
    }
    let t = call(&mut b, &c, 14, FAIL).unwrap();
    assert_eq!(t.why, Why::FailureRate { bad: 5, calls: 10 });
}

#[test]
fn open_refuses_until_the_wait_is_over_then_the_next_call_is_a_probe() {
    let c = count(4, 4);
    let mut b = Breaker::new(0);
    for i in 0..4 {
        call(&mut b, &c, i, FAIL);
    }
    assert_eq!(b.phase, Phase::Open);
    let opened = b.since_us;
    let wait = c.open_ms * 1000;
    let a = b.admit(&c, opened + wait - 1);
    assert!(!a.admitted);
    assert_eq!(a.moved, None);
    assert_eq!(b.opens_until_us(&c), Some(opened + wait));
    let a = b.admit(&c, opened + wait);
    assert!(a.admitted);
    assert_eq!(
        a.moved,
        Some(Transition { from: Phase::Open, to: Phase::HalfOpen, why: Why::WaitOver })
    );
    assert_eq!((b.phase, b.probes_admitted), (Phase::HalfOpen, 1));
}

fn half_open(c: &BreakerConfig) -> Breaker {
    let mut b = Breaker::new(0);
    b.force(Phase::Open, 0);
    assert!(b.admit(c, c.open_ms * 1000).moved.is_some());
    // That admission was the first probe; give it back as a success later.
    b
}

#[test]
fn half_open_admits_exactly_the_permitted_probes() {
    let c = BreakerConfig::LAB; // 3 probes
    let mut b = half_open(&c);
    let t = c.open_ms * 1000;
    assert!(b.admit(&c, t).admitted);
    assert!(b.admit(&c, t).admitted);
    assert_eq!(b.probes_admitted, 3);
    assert!(!b.admit(&c, t).admitted, "a fourth call waits for the verdict");
}

#[test]
fn probes_close_it_below_the_threshold_and_open_it_at_it() {
    let c = BreakerConfig::LAB; // 3 probes, 50%
    let t = c.open_ms * 1000;
    // One failure of three: 33% < 50%, closed.
    let mut b = half_open(&c);
    let e = b.epoch;
    b.admit(&c, t);
    b.admit(&c, t);
    assert_eq!(b.record(&c, t, e, FAIL), None);
    assert_eq!(b.record(&c, t, e, OK), None);
    let m = b.record(&c, t, e, OK).unwrap();
    assert_eq!((m.from, m.to), (Phase::HalfOpen, Phase::Closed));
    assert_eq!(m.why, Why::Probes { failed: 1, slow: 0, probes: 3 });
    assert_eq!(b.trips, 1, "forcing open counted a trip; closing does not");
    // Two of three: 67%, open again, and that is not a new trip from closed.
    let mut b = half_open(&c);
    let e = b.epoch;
    b.admit(&c, t);
    b.admit(&c, t);
    b.record(&c, t, e, FAIL);
    b.record(&c, t, e, OK);
    let m = b.record(&c, t + 5, e, FAIL).unwrap();
    assert_eq!((m.to, b.since_us, b.trips), (Phase::Open, t + 5, 1));
}

#[test]
fn an_answer_from_an_earlier_epoch_is_not_counted() {
    let c = count(4, 4);
    let mut b = Breaker::new(0);
    let early = b.admit(&c, 0);
    for i in 0..4 {
        call(&mut b, &c, i, FAIL);
    }
    assert_eq!(b.phase, Phase::Open);
    assert_eq!(b.record(&c, 10, early.epoch, FAIL), None);
    // Half-open: a stale success does not count as a probe.
    let t = b.opens_until_us(&c).unwrap();
    let probe = b.admit(&c, t);
    assert_eq!(b.record(&c, t, early.epoch, OK), None);
    assert_eq!(b.phase, Phase::HalfOpen);
    assert!(probe.admitted);
}

#[test]
fn slow_calls_open_it_at_the_slow_rate() {
    let c = BreakerConfig { slow_pct: 80, ..count(10, 10) };
    let mut b = Breaker::new(0);
    for i in 0..2 {
        call(&mut b, &c, i, OK);
    }
    for i in 0..7 {
        assert_eq!(call(&mut b, &c, 2 + i, SLOW), None);
    }
    let t = call(&mut b, &c, 9, SLOW).unwrap();
    assert_eq!(t.why, Why::SlowRate { bad: 8, calls: 10 });
}

#[test]
fn hystrix_needs_twenty_requests_in_its_ten_second_window() {
    let c = BreakerConfig::HYSTRIX;
    let mut b = Breaker::new(0);
    for i in 0..19 {
        assert_eq!(call(&mut b, &c, i * 100_000, FAIL), None, "request {i}");
    }
    let t = call(&mut b, &c, 1_900_000, FAIL).unwrap();
    assert_eq!(t.why, Why::FailureRate { bad: 20, calls: 20 });
    // Sleep 5 s, then one trial request decides.
    let at = 1_900_000 + 5_000_000;
    assert!(!b.admit(&c, at - 1).admitted);
    let probe = b.admit(&c, at);
    assert!(probe.admitted);
    assert!(!b.admit(&c, at).admitted, "Hystrix lets one trial through");
    let m = b.record(&c, at + 1, probe.epoch, OK).unwrap();
    assert_eq!(m.to, Phase::Closed);
}

#[test]
fn a_time_window_forgets_buckets_older_than_its_length() {
    let c = BreakerConfig { min_calls: 10, ..BreakerConfig::HYSTRIX };
    let mut b = Breaker::new(0);
    // Nine failures in the first second.
    for i in 0..9 {
        call(&mut b, &c, i * 1000, FAIL);
    }
    assert_eq!(b.window(&c, 9_999_999), (9, 9, 0));
    // At 10 s the first bucket has rolled out of the window.
    assert_eq!(b.window(&c, 10_000_000), (0, 0, 0));
    assert_eq!(call(&mut b, &c, 10_000_000, FAIL), None, "one failure in the window, not ten");
    assert_eq!(b.window(&c, 10_000_000), (1, 1, 0));
}

#[test]
fn resilience4j_defaults_need_a_hundred_calls() {
    let c = BreakerConfig::RESILIENCE4J;
    let mut b = Breaker::new(0);
    for i in 0..99 {
        assert_eq!(call(&mut b, &c, i, FAIL), None);
    }
    assert!(call(&mut b, &c, 99, FAIL).is_some());
    assert_eq!(b.opens_until_us(&c), Some(99 + 60_000_000));
}

#[test]
fn clamping_keeps_every_value_in_range() {
    let c = BreakerConfig {
        kind: WindowKind::Time,
        size: 0,
        window_ms: 3,
        buckets: 1_000,
        failure_pct: 0,
        slow_pct: 500,
        slow_ms: 0,
        min_calls: 0,
        open_ms: u64::MAX,
        half_open_calls: 0,
    }
    .clamped();
    assert_eq!((c.size, c.buckets, c.window_ms), (1, BUCKETS_MAX, BUCKETS_MAX as u64));
    assert_eq!((c.failure_pct, c.slow_pct, c.slow_ms), (1, 100, 1));
    assert_eq!((c.min_calls, c.open_ms, c.half_open_calls), (1, SPAN_MS_MAX, 1));
}
