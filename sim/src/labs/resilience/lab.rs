//! The Resilience lab's description: its card, parameter table,
//! scenarios, probes and experiments, registered once in
//! [`crate::labs::registry`].

use super::backoff::Policy;
use super::breaker::{self, BreakerConfig, WindowKind};
use super::service::{
    Load, ResilienceConfig, Service, ATTEMPTS_MAX, CLIENTS_MAX, GAP_MS_MAX, GAP_MS_MIN, LAYERS_MAX, QUEUE_MAX,
    SLOTS_MAX, SPAN_MS_MAX, WORKERS_MAX,
};
use super::{contention, probes, scenarios};
use crate::kernel::names::NodeGroup;
use crate::kernel::solo::Solo;
use crate::kernel::World;
use crate::labs::experiment::Experiment;
use crate::labs::lab::{Lab, LabInfo, Model};
use crate::labs::params::{Choice, Group, Kind, Param, Shown, Value};
use crate::labs::probe::Probe;
use crate::labs::Scenario;
use serde::Serialize;

/// The lab's protocol: the service as a one-node solo lab.
pub type Resilience = Solo<Service>;

pub static INFO: LabInfo = LabInfo {
    id: "resilience",
    short: "Resilience",
    title: "Retries, timeouts and circuit breakers",
    tagline: "A fleet of clients, a service, a failing dependency, and every defence",
    blurb: "Hundreds of clients call a service that calls one or two dependencies. Take a dependency down, slow it or make \
            it fail, and watch retries come back in waves without jitter, a retry storm keep the service down after the \
            dependency has recovered, a circuit breaker trip, probe and close, and a bulkhead keep one slow dependency \
            from taking every worker.",
    topics: &["retries", "exponential backoff", "jitter", "timeouts", "circuit breakers", "bulkheads", "load shedding", "retry budgets", "metastable failures"],
    paper: "Brooker, Exponential Backoff and Jitter (AWS Architecture Blog, 2015); Bronson et al., Metastable Failures in Distributed Systems (HotOS 2021); resilience4j and Hystrix",
};

type P = Param<ResilienceConfig>;

const MS: Option<Shown> = Some(Shown {
    unit: "ms",
    factor: 0.001,
});
const PCT: Option<Shown> = Some(Shown { unit: "%", factor: 1.0 });
const SPAN: Kind = Kind::Int {
    min: 0,
    max: SPAN_MS_MAX as i64,
};
const OFF_RULE: &str = "0 for off";

const LOADS: &[Choice] = &[
    Choice { value: "steady", label: "Steady" },
    Choice { value: "poisson", label: "Poisson" },
    Choice { value: "bursty", label: "Bursty (1 s on, 1 s off)" },
    Choice { value: "spike", label: "Poisson with a ×5 spike at 5–7 s" },
];

const POLICIES: &[Choice] = &[
    Choice { value: "none", label: "No wait" },
    Choice { value: "fixed", label: "Fixed wait" },
    Choice { value: "exponential", label: "Exponential, no jitter" },
    Choice { value: "plus20", label: "Exponential ±20%" },
    Choice { value: "equal", label: "Exponential, equal jitter" },
    Choice { value: "full", label: "Exponential, full jitter" },
    Choice { value: "decorrelated", label: "Decorrelated jitter" },
];

const PRESETS: &[Choice] = &[
    Choice { value: "lab", label: "Lab (20 calls, 2 s open, 3 probes)" },
    Choice { value: "resilience4j", label: "resilience4j defaults" },
    Choice { value: "hystrix", label: "Hystrix defaults" },
    Choice { value: "custom", label: "Custom" },
];

const WINDOWS: &[Choice] = &[
    Choice { value: "count", label: "Last N calls" },
    Choice { value: "time", label: "Last N seconds, in buckets" },
];

fn preset_of(b: &BreakerConfig) -> &'static str {
    if *b == BreakerConfig::LAB {
        "lab"
    } else if *b == BreakerConfig::RESILIENCE4J {
        "resilience4j"
    } else if *b == BreakerConfig::HYSTRIX {
        "hystrix"
    } else {
        "custom"
    }
}

fn retrying(c: &ResilienceConfig) -> bool {
    c.attempts > 1
}
fn breaking(c: &ResilienceConfig) -> bool {
    c.breaker_on
}

macro_rules! dep_slots {
    ($d:expr, $key:literal, $name:literal, $when:expr) => {
        Param {
            get: |c| Value::Int(c.deps[$d].slots as i64),
            set: |c, v| c.deps[$d].slots = v.as_int() as u32,
            when: $when,
            ..P::new($key, concat!($name, ": calls at once"), "", Kind::Int { min: 1, max: SLOTS_MAX as i64 }, concat!("How many calls ", $name, " serves at the same time; the rest wait in its queue."))
        }
    };
}
macro_rules! dep_latency {
    ($d:expr, $key:literal, $name:literal, $when:expr) => {
        Param {
            get: |c| Value::Range(c.deps[$d].lat_us_min, c.deps[$d].lat_us_max),
            set: |c, v| (c.deps[$d].lat_us_min, c.deps[$d].lat_us_max) = v.as_range(),
            shown: MS,
            when: $when,
            ..P::new($key, concat!($name, ": latency"), "µs", Kind::Range { min: 0, max: SPAN_MS_MAX * 1000 }, concat!("How long ", $name, " takes to serve one call, uniform in this range."))
        }
    };
}
macro_rules! dep_errors {
    ($d:expr, $key:literal, $name:literal, $when:expr) => {
        Param {
            get: |c| Value::Int(c.deps[$d].error_pct as i64),
            set: |c, v| c.deps[$d].error_pct = v.as_int() as u32,
            shown: PCT,
            when: $when,
            ..P::new($key, concat!($name, ": background errors"), "%", Kind::Int { min: 0, max: 100 }, concat!("The share of calls ", $name, " fails when healthy."))
        }
    };
}

fn two_deps(c: &ResilienceConfig) -> bool {
    c.two_deps()
}

pub static PARAMS: &[P] = &[
    Param {
        get: |c| Value::Int(c.clients as i64),
        set: |c, v| c.clients = v.as_int() as u16,
        ..P::new("clients", "Clients", "", Kind::Int { min: 1, max: CLIENTS_MAX as i64 }, "How many clients send requests to the service.")
    },
    Param {
        get: |c| Value::Int(c.gap_ms as i64),
        set: |c, v| c.gap_ms = v.as_int() as u64,
        ..P::new("gap", "Each client sends every", "ms", Kind::Int { min: GAP_MS_MIN as i64, max: GAP_MS_MAX as i64 }, "The mean gap between one client's requests; clients do not wait for answers.")
    },
    Param {
        get: |c| Value::Choice(c.load.key()),
        set: |c, v| c.load = Load::from_key(v.as_choice()).unwrap_or(c.load),
        ..P::new("load", "Arrivals", "", Kind::Choice(LOADS), "How the requests arrive in time.")
    },
    Param {
        get: |c| Value::Int(c.b_pct as i64),
        set: |c, v| c.b_pct = v.as_int() as u32,
        shown: PCT,
        ..P::new("b_share", "Clients calling B", "%", Kind::Int { min: 0, max: 100 }, "The share of clients whose requests call dependency B instead of A (0: B is not used).")
    },
    Param {
        get: |c| Value::Int(c.workers as i64),
        set: |c, v| c.workers = v.as_int() as u32,
        ..P::new("workers", "Service workers", "", Kind::Int { min: 1, max: WORKERS_MAX as i64 }, "Requests the service works on at once; each holds its worker through every retry and wait.")
    },
    Param {
        get: |c| Value::Int(c.queue as i64),
        set: |c, v| c.queue = v.as_int() as u32,
        ..P::new("queue", "Service queue", "", Kind::Int { min: 0, max: QUEUE_MAX as i64 }, "Requests that may wait for a worker; one more is turned away.")
    },
    Param {
        get: |c| Value::Int(c.shed_ms as i64),
        set: |c, v| c.shed_ms = v.as_int() as u64,
        rule: OFF_RULE,
        ..P::new("shed", "Shed after queueing", "ms", SPAN, "Drop a request that waited longer than this for a worker, instead of working on it (0: never).")
    },
    dep_slots!(0, "a_slots", "A", None),
    dep_latency!(0, "a_lat", "A", None),
    dep_errors!(0, "a_err", "A", None),
    dep_slots!(1, "b_slots", "B", Some(two_deps)),
    dep_latency!(1, "b_lat", "B", Some(two_deps)),
    dep_errors!(1, "b_err", "B", Some(two_deps)),
    Param {
        get: |c| Value::Int(c.attempts as i64),
        set: |c, v| c.attempts = v.as_int() as u32,
        ..P::new("attempts", "Attempts per layer", "", Kind::Int { min: 1, max: ATTEMPTS_MAX as i64 }, "Tries of a call, the first included (1: no retries).")
    },
    Param {
        get: |c| Value::Choice(c.backoff.policy.key()),
        set: |c, v| c.backoff.policy = Policy::from_key(v.as_choice()).unwrap_or(c.backoff.policy),
        when: Some(retrying),
        ..P::new("policy", "Wait before a retry", "", Kind::Choice(POLICIES), "How long a caller waits before trying again.")
    },
    Param {
        get: |c| Value::Int((c.backoff.base_us / 1000) as i64),
        set: |c, v| c.backoff.base_us = v.as_int() as u64 * 1000,
        when: Some(retrying),
        ..P::new("base", "Backoff base", "ms", Kind::Int { min: 1, max: SPAN_MS_MAX as i64 }, "The first wait; exponential waits double from it.")
    },
    Param {
        get: |c| Value::Int((c.backoff.cap_us / 1000) as i64),
        set: |c, v| c.backoff.cap_us = v.as_int() as u64 * 1000,
        when: Some(retrying),
        ..P::new("cap", "Backoff cap", "ms", Kind::Int { min: 1, max: SPAN_MS_MAX as i64 }, "No wait is longer than this.")
    },
    Param {
        get: |c| Value::Int(c.layers as i64),
        set: |c, v| c.layers = v.as_int() as u8,
        when: Some(retrying),
        ..P::new("layers", "Retrying layers", "", Kind::Int { min: 1, max: LAYERS_MAX as i64 }, "Callers stacked above the dependency that each retry: 3 attempts at 3 layers make 27 calls.")
    },
    Param {
        get: |c| Value::Int(c.budget_pct as i64),
        set: |c, v| c.budget_pct = v.as_int() as u32,
        shown: PCT,
        rule: OFF_RULE,
        when: Some(retrying),
        ..P::new("budget", "Retry budget", "%", Kind::Int { min: 0, max: 100 }, "Retries allowed as a share of requests, beyond a reserve of 10 (0: no budget).")
    },
    Param {
        get: |c| Value::Int(c.timeout_ms as i64),
        set: |c, v| c.timeout_ms = v.as_int() as u64,
        rule: OFF_RULE,
        ..P::new("timeout", "Timeout per attempt", "ms", SPAN, "How long a caller waits for one answer (0: for ever).")
    },
    Param {
        get: |c| Value::Int(c.deadline_ms as i64),
        set: |c, v| c.deadline_ms = v.as_int() as u64,
        rule: OFF_RULE,
        ..P::new("deadline", "Request deadline", "ms", SPAN, "The most a request may take from arrival, every attempt and wait included (0: none).")
    },
    Param {
        get: |c| Value::Flag(c.propagate),
        set: |c, v| c.propagate = v.as_flag(),
        when: Some(|c| c.deadline_ms > 0),
        ..P::new("propagate", "Pass the deadline downstream", "", Kind::Flag, "Each call carries the deadline, and the dependency drops calls already too late instead of serving them.")
    },
    Param {
        get: |c| Value::Flag(c.breaker_on),
        set: |c, v| c.breaker_on = v.as_flag(),
        ..P::new("breaker", "Circuit breaker", "", Kind::Flag, "A breaker per dependency stops calls to it while it fails.")
    },
    Param {
        get: |c| Value::Choice(preset_of(&c.breaker)),
        set: |c, v| {
            c.breaker = match v.as_choice() {
                "lab" => BreakerConfig::LAB,
                "resilience4j" => BreakerConfig::RESILIENCE4J,
                "hystrix" => BreakerConfig::HYSTRIX,
                _ => c.breaker,
            }
        },
        when: Some(breaking),
        ..P::new("preset", "Breaker preset", "", Kind::Choice(PRESETS), "Fills in every breaker setting below; change one to make it custom.")
    },
    Param {
        get: |c| Value::Choice(c.breaker.kind.key()),
        set: |c, v| c.breaker.kind = WindowKind::from_key(v.as_choice()).unwrap_or(c.breaker.kind),
        when: Some(breaking),
        ..P::new("window", "Breaker window", "", Kind::Choice(WINDOWS), "Judge the last N calls, or the calls of the last few seconds.")
    },
    Param {
        get: |c| Value::Int(c.breaker.size as i64),
        set: |c, v| c.breaker.size = v.as_int() as u32,
        when: Some(|c| c.breaker_on && c.breaker.kind == WindowKind::Count),
        ..P::new("size", "Window: calls", "", Kind::Int { min: 1, max: breaker::SIZE_MAX as i64 }, "A count-based window holds the outcomes of this many calls.")
    },
    Param {
        get: |c| Value::Int(c.breaker.window_ms as i64),
        set: |c, v| c.breaker.window_ms = v.as_int() as u64,
        when: Some(|c| c.breaker_on && c.breaker.kind == WindowKind::Time),
        ..P::new("window_ms", "Window: length", "ms", Kind::Int { min: 1, max: breaker::SPAN_MS_MAX as i64 }, "A time-based window holds the calls of this long.")
    },
    Param {
        get: |c| Value::Int(c.breaker.buckets as i64),
        set: |c, v| c.breaker.buckets = v.as_int() as u32,
        when: Some(|c| c.breaker_on && c.breaker.kind == WindowKind::Time),
        ..P::new("buckets", "Window: buckets", "", Kind::Int { min: 1, max: breaker::BUCKETS_MAX as i64 }, "The time-based window rolls forward one bucket at a time.")
    },
    Param {
        get: |c| Value::Int(c.breaker.failure_pct as i64),
        set: |c, v| c.breaker.failure_pct = v.as_int() as u32,
        shown: PCT,
        when: Some(breaking),
        ..P::new("fail_rate", "Failure-rate threshold", "%", Kind::Int { min: 1, max: 100 }, "Open when at least this share of the window's calls failed or timed out.")
    },
    Param {
        get: |c| Value::Int(c.breaker.slow_pct as i64),
        set: |c, v| c.breaker.slow_pct = v.as_int() as u32,
        shown: PCT,
        when: Some(breaking),
        ..P::new("slow_rate", "Slow-call threshold", "%", Kind::Int { min: 1, max: 100 }, "Open when at least this share of the window's calls were slow.")
    },
    Param {
        get: |c| Value::Int(c.breaker.slow_ms as i64),
        set: |c, v| c.breaker.slow_ms = v.as_int() as u64,
        when: Some(breaking),
        ..P::new("slow_ms", "Slow call", "ms", Kind::Int { min: 1, max: breaker::SPAN_MS_MAX as i64 }, "A call that takes this long or longer is slow.")
    },
    Param {
        get: |c| Value::Int(c.breaker.min_calls as i64),
        set: |c, v| c.breaker.min_calls = v.as_int() as u32,
        when: Some(breaking),
        ..P::new("min_calls", "Minimum calls", "", Kind::Int { min: 1, max: breaker::SIZE_MAX as i64 }, "No verdict before the window holds this many calls.")
    },
    Param {
        get: |c| Value::Int(c.breaker.open_ms as i64),
        set: |c, v| c.breaker.open_ms = v.as_int() as u64,
        when: Some(breaking),
        ..P::new("open_ms", "Wait in open", "ms", Kind::Int { min: 1, max: breaker::SPAN_MS_MAX as i64 }, "How long the breaker refuses every call before probing.")
    },
    Param {
        get: |c| Value::Int(c.breaker.half_open_calls as i64),
        set: |c, v| c.breaker.half_open_calls = v.as_int() as u32,
        when: Some(breaking),
        ..P::new("probes", "Probes in half-open", "", Kind::Int { min: 1, max: breaker::PROBES_MAX as i64 }, "Calls let through to test the dependency; their failure rate decides.")
    },
    Param {
        get: |c| Value::Int(c.bulkhead as i64),
        set: |c, v| c.bulkhead = v.as_int() as u32,
        rule: OFF_RULE,
        ..P::new("bulkhead", "Bulkhead per dependency", "", Kind::Int { min: 0, max: WORKERS_MAX as i64 }, "Calls allowed to wait on one dependency at once; one more fails at once (0: no bulkhead).")
    },
    Param {
        group: Group::Setting,
        get: |c| Value::Flag(c.fallback),
        set: |c, v| c.fallback = v.as_flag(),
        ..P::new("fallback", "Fallback answer", "", Kind::Flag, "A request that fails gets a degraded answer (a cached or default value) instead of an error.")
    },
    Param {
        group: Group::Safety,
        get: |c| Value::Flag(c.safety.probe_limit),
        set: |c, v| c.safety.probe_limit = v.as_flag(),
        when: Some(breaking),
        ..P::new("s_probes", "Half-open probe limit", "", Kind::Flag, "Half-open lets through only its permitted probes. Off: every call goes while it is half-open.")
    },
    Param {
        group: Group::Safety,
        get: |c| Value::Flag(c.safety.retry_through_breaker),
        set: |c, v| c.safety.retry_through_breaker = v.as_flag(),
        when: Some(|c| c.breaker_on && c.attempts > 1),
        ..P::new("s_retry_cb", "Retries ask the breaker", "", Kind::Flag, "Each retry is a call the breaker may refuse. Off: retries skip it, as when the retry is wrapped inside the breaker.")
    },
    Param {
        group: Group::Safety,
        get: |c| Value::Flag(c.safety.budget_checked),
        set: |c, v| c.safety.budget_checked = v.as_flag(),
        when: Some(|c| c.budget_pct > 0 && c.attempts > 1),
        ..P::new("s_budget", "Retries spend the budget", "", Kind::Flag, "A retry needs a token from the budget. Off: the budget is never checked.")
    },
];

#[derive(Serialize)]
struct Summary {
    requests: u64,
    ok: u64,
    failed: u64,
    degraded: u64,
    rejected: u64,
    shed: u64,
    attempts: u64,
    retries: u64,
    breaker_trips: [u32; 2],
    wasted: [u64; 2],
}

impl Model for Resilience {
    type Config = ResilienceConfig;
    fn config(&self) -> &ResilienceConfig {
        &self.0.config
    }
    fn with_config(c: ResilienceConfig) -> Resilience {
        Solo(Service::new(c))
    }
    fn clamp(c: ResilienceConfig) -> ResilienceConfig {
        c.clamped()
    }
    fn groups(&self) -> Vec<NodeGroup> {
        vec![NodeGroup {
            role: "service",
            prefix: "S",
            count: 1,
            solo: Some("Service"),
        }]
    }
    fn summary(w: &World<Resilience>) -> String {
        let Some(n) = w.nodes.first() else {
            return "{}".into();
        };
        let t = n.state.totals;
        let d = &n.state.deps;
        let s = Summary {
            requests: t.requests,
            ok: t.ok,
            failed: t.failed,
            degraded: t.degraded,
            rejected: t.rejected,
            shed: t.shed,
            attempts: t.attempts,
            retries: t.retries,
            breaker_trips: [d[0].breaker.trips, d[1].breaker.trips],
            wasted: [d[0].wasted, d[1].wasted],
        };
        serde_json::to_string(&s).unwrap_or_else(|_| "{}".into())
    }
}

/// The Resilience lab.
pub struct ResilienceLab;

pub static EXPERIMENTS: &[&dyn Experiment] = &[&contention::BackoffContention, &super::herd::RetryHerd, &super::trips::BreakerTrips];

impl Lab for ResilienceLab {
    type P = Resilience;
    type Config = ResilienceConfig;
    fn info() -> &'static LabInfo {
        &INFO
    }
    fn params() -> &'static [P] {
        PARAMS
    }
    fn scenarios() -> Vec<Scenario<Resilience>> {
        scenarios::all()
    }
    fn default_config() -> ResilienceConfig {
        ResilienceConfig::default()
    }
    fn probes() -> &'static [Probe<Resilience>] {
        probes::PROBES
    }
    fn experiments() -> &'static [&'static dyn Experiment] {
        EXPERIMENTS
    }
    /// The page's comparison (`cmp=policy:full`): a second run beside this one.
    fn view_keys() -> &'static [&'static str] {
        &["cmp"]
    }
}
