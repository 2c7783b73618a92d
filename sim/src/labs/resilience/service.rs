//! The Resilience lab's system: a fleet of clients calling one service,
//! which calls one or two dependencies, with every defence switchable.
//!
//! The clients are a [`Workload`](crate::kernel::workload::Workload)
//! (open loop: a client does not wait for its last answer). The service
//! has `workers` threads and a bounded queue; a request holds a worker
//! from start to finish, through every retry and every wait between
//! them, as a thread does that calls synchronously and sleeps. It may
//! shed a request that waited in its queue too long.
//!
//! A request calls one dependency: clients below the split call A, the
//! rest B. A dependency serves `slots` calls at once, each for a time
//! drawn uniformly from its latency range, and queues the others
//! (bounded). It keeps working on a call whose caller gave up (wasted
//! work) unless the caller's deadline travels with the call, in which
//! case it drops calls that are already too late when they reach the
//! front of its queue. Faults: down (every call in it fails at once, as
//! connections reset, and new calls are refused), slow, erroring at a
//! rate, a brownout (slow and erroring), and recovery.
//!
//! Around each call, in the order resilience4j decorates one (retry
//! outside, then the breaker, then the bulkhead): retries with a backoff
//! policy, at up to three stacked layers, within a retry budget and an
//! overall deadline; a per-attempt timeout; a circuit breaker per
//! dependency ([`super::breaker`]); a bulkhead (a pool of permits per
//! dependency, failing fast when empty); and a fallback answer for a
//! request that failed. A call the breaker or the bulkhead refuses is
//! not retried.
//!
//! Every step's note carries a [`Tally`] of what it did (arrivals,
//! attempts, retries, successes, failures by kind, transitions), so the
//! charts and the invariant checks read the run from its records rather
//! than from history kept in the state, which every snapshot would copy.

use super::backoff::{Backoff, Policy};
use super::breaker::{Breaker, BreakerConfig, Outcome, Phase, Transition};
use crate::kernel::solo::{SoloCtx, SoloModel, SoloView};
use crate::kernel::time::fmt_time;
use crate::kernel::workload::{Arrival, Process, Stream, WorkloadSpec};
use crate::kernel::world::{Breach, InvariantInfo, Marker};
use crate::kernel::{input::CommandCodec, TimeUs};
use std::collections::{BTreeMap, VecDeque};

pub const CLIENTS_MAX: u16 = 500;
pub const WORKERS_MAX: u32 = 500;
/// The service's queue and each dependency's: the bound on what a
/// snapshot copies.
pub const QUEUE_MAX: u32 = 1_000;
pub const SLOTS_MAX: u32 = 200;
pub const ATTEMPTS_MAX: u32 = 10;
pub const LAYERS_MAX: u8 = 3;
/// The longest latency, timeout, deadline or shedding delay: a minute.
pub const SPAN_MS_MAX: u64 = 60_000;
/// A client's mean gap between requests.
pub const GAP_MS_MIN: u64 = 10;
pub const GAP_MS_MAX: u64 = 60_000;
/// A refused connection fails this fast.
pub const REFUSE_US: TimeUs = 1_000;
/// Retries the budget allows before any request has paid for one.
pub const BUDGET_RESERVE: u64 = 10;
/// The most a slow fault multiplies a dependency's latency by.
pub const SLOW_MAX: u32 = 50;

/// How the clients' requests arrive.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Load {
    /// Every client at its gap, each gap stretched by up to a tenth.
    Steady,
    /// Poisson at the mean gap.
    Poisson,
    /// One second at twice the rate, one second silent.
    Bursty,
    /// Poisson, and five times the rate from 5 s to 7 s.
    Spike,
}

impl Load {
    pub const ALL: [Load; 4] = [Load::Steady, Load::Poisson, Load::Bursty, Load::Spike];
    pub fn key(self) -> &'static str {
        match self {
            Load::Steady => "steady",
            Load::Poisson => "poisson",
            Load::Bursty => "bursty",
            Load::Spike => "spike",
        }
    }
    pub fn from_key(s: &str) -> Option<Load> {
        Load::ALL.into_iter().find(|l| l.key() == s)
    }
}

/// One dependency's capacity and latency.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DepConfig {
    /// Calls it serves at once.
    pub slots: u32,
    /// Service time, uniform in this range.
    pub lat_us_min: TimeUs,
    pub lat_us_max: TimeUs,
    /// Share of calls that fail when healthy, in percent.
    pub error_pct: u32,
    /// Calls that may wait for a slot; one more is refused.
    pub queue: u32,
}

impl DepConfig {
    pub const DEFAULT: DepConfig = DepConfig {
        slots: 10,
        lat_us_min: 10_000,
        lat_us_max: 30_000,
        error_pct: 0,
        queue: 200,
    };
    fn clamped(self) -> DepConfig {
        let max = self.lat_us_max.min(SPAN_MS_MAX * 1000);
        DepConfig {
            slots: self.slots.clamp(1, SLOTS_MAX),
            lat_us_min: self.lat_us_min.min(max),
            lat_us_max: max,
            error_pct: self.error_pct.min(100),
            queue: self.queue.min(QUEUE_MAX),
        }
    }
}

/// Everything about a run of the lab.
#[derive(Clone, Debug, PartialEq)]
pub struct ResilienceConfig {
    pub clients: u16,
    /// Each client's mean gap between requests.
    pub gap_ms: u64,
    pub load: Load,
    /// Share of clients that call B (0: B is not used).
    pub b_pct: u32,
    pub workers: u32,
    pub queue: u32,
    /// Shed a request that waited longer than this in the queue (0: never).
    pub shed_ms: u64,
    pub deps: [DepConfig; 2],
    /// Attempts per layer, the first included (1: no retries).
    pub attempts: u32,
    pub backoff: Backoff,
    /// Layers that each retry (the service, and callers stacked above it).
    pub layers: u8,
    /// Retries allowed as a share of requests, in percent (0: no budget).
    pub budget_pct: u32,
    /// Per-attempt timeout (0: wait for the answer however long).
    pub timeout_ms: u64,
    /// Overall deadline of a request (0: none).
    pub deadline_ms: u64,
    /// The deadline travels with each call, so the dependency drops calls
    /// already too late.
    pub propagate: bool,
    pub breaker_on: bool,
    pub breaker: BreakerConfig,
    /// Permits per dependency (0: no bulkhead).
    pub bulkhead: u32,
    /// A failed request gets a degraded answer instead of an error.
    pub fallback: bool,
    pub safety: Safety,
}

/// Rules the lab lets the learner remove, each guarding one invariant.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Safety {
    /// Half-open lets through only its permitted probes. Off: every call
    /// in half-open goes, and "Half-open probes bounded" breaks.
    pub probe_limit: bool,
    /// Retries ask the breaker too. Off: a retry skips it (the retry
    /// wrapped inside the breaker, counted as one call), and "No call
    /// while open" breaks.
    pub retry_through_breaker: bool,
    /// A retry spends from the budget. Off: the budget is never checked,
    /// and "Retry budget kept" breaks.
    pub budget_checked: bool,
}

impl Default for Safety {
    fn default() -> Self {
        Safety {
            probe_limit: true,
            retry_through_breaker: true,
            budget_checked: true,
        }
    }
}

impl Default for ResilienceConfig {
    fn default() -> Self {
        ResilienceConfig {
            clients: 100,
            gap_ms: 500,
            load: Load::Poisson,
            b_pct: 0,
            workers: 64,
            queue: 200,
            shed_ms: 0,
            deps: [DepConfig::DEFAULT; 2],
            attempts: 3,
            backoff: Backoff {
                policy: Policy::Full,
                base_us: 50_000,
                cap_us: 2_000_000,
            },
            layers: 1,
            budget_pct: 0,
            timeout_ms: 250,
            deadline_ms: 0,
            propagate: false,
            breaker_on: false,
            breaker: BreakerConfig::LAB,
            bulkhead: 0,
            fallback: false,
            safety: Safety::default(),
        }
    }
}

impl ResilienceConfig {
    pub fn clamped(self) -> ResilienceConfig {
        let span = |ms: u64| ms.min(SPAN_MS_MAX);
        ResilienceConfig {
            clients: self.clients.clamp(1, CLIENTS_MAX),
            gap_ms: self.gap_ms.clamp(GAP_MS_MIN, GAP_MS_MAX),
            b_pct: self.b_pct.min(100),
            workers: self.workers.clamp(1, WORKERS_MAX),
            queue: self.queue.min(QUEUE_MAX),
            shed_ms: span(self.shed_ms),
            deps: self.deps.map(DepConfig::clamped),
            attempts: self.attempts.clamp(1, ATTEMPTS_MAX),
            backoff: self.backoff.clamped(),
            layers: self.layers.clamp(1, LAYERS_MAX),
            budget_pct: self.budget_pct.min(100),
            timeout_ms: span(self.timeout_ms),
            deadline_ms: span(self.deadline_ms),
            breaker: self.breaker.clamped(),
            bulkhead: self.bulkhead.min(WORKERS_MAX),
            ..self
        }
    }

    /// Clients below this number call A.
    pub fn n_calling_a(&self) -> u16 {
        let b = (self.clients as u32 * self.b_pct).div_ceil(100) as u16;
        self.clients - b.min(self.clients)
    }

    /// Whether B is used.
    pub fn two_deps(&self) -> bool {
        self.n_calling_a() < self.clients
    }

    /// The requests offered per second, on average.
    pub fn offered_per_s(&self) -> f64 {
        self.clients as f64 * 1000.0 / self.gap_ms as f64
    }

    /// What one dependency can serve per second at its mean latency.
    pub fn capacity_per_s(&self, dep: usize) -> f64 {
        let d = &self.deps[dep];
        let mean_us = (d.lat_us_min + d.lat_us_max) as f64 / 2.0;
        d.slots as f64 * 1e6 / mean_us.max(1.0)
    }

    fn workload(&self) -> WorkloadSpec {
        let g = self.gap_ms * 1000;
        let mut streams = Vec::new();
        let mut add = |first: u16, n: u16| {
            if n == 0 {
                return;
            }
            let one = |process| Stream {
                first_client: first,
                n_clients: n,
                process,
            };
            match self.load {
                Load::Steady => streams.push(one(Process::Steady {
                    gap_us: g - g / 20,
                    jitter_us: g / 10,
                })),
                Load::Poisson => streams.push(one(Process::Poisson { mean_gap_us: g })),
                Load::Bursty => streams.push(one(Process::OnOff {
                    mean_gap_us: (g / 2).max(1),
                    on_us: 1_000_000,
                    off_us: 1_000_000,
                })),
                Load::Spike => {
                    streams.push(one(Process::Poisson { mean_gap_us: g }));
                    streams.push(one(Process::Spike {
                        mean_gap_us: (g / 4).max(1),
                        at_us: 5_000_000,
                        for_us: 2_000_000,
                    }));
                }
            }
        };
        let a = self.n_calling_a();
        add(0, a);
        add(a, self.clients - a);
        WorkloadSpec { streams }.clamped()
    }
}

/// A fault on a dependency, or a move of its breaker, as the learner
/// injects it (`cmd.0.down-a`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cmd {
    /// Every call in it fails at once; new calls are refused.
    Down(u8),
    /// Latency × the factor (2–50) for calls it starts from now.
    Slow(u8, u32),
    /// This share of its calls fail (1–100%).
    Errors(u8, u32),
    /// Slow ×3 and 20% errors.
    Brownout(u8),
    /// Back to its configured self.
    Recover(u8),
    /// Opens or closes its breaker by hand.
    ForceBreaker(u8, bool),
}

fn dep_letter(d: u8) -> char {
    if d == 0 {
        'a'
    } else {
        'b'
    }
}

/// A dependency's name: A or B.
pub fn dep_name(d: usize) -> &'static str {
    if d == 0 {
        "A"
    } else {
        "B"
    }
}

impl CommandCodec for Cmd {
    fn encode(&self) -> String {
        match *self {
            Cmd::Down(d) => format!("down-{}", dep_letter(d)),
            Cmd::Slow(d, x) => format!("slow-{}-{x}", dep_letter(d)),
            Cmd::Errors(d, p) => format!("errors-{}-{p}", dep_letter(d)),
            Cmd::Brownout(d) => format!("brownout-{}", dep_letter(d)),
            Cmd::Recover(d) => format!("recover-{}", dep_letter(d)),
            Cmd::ForceBreaker(d, open) => {
                format!("{}-{}", if open { "trip" } else { "reset" }, dep_letter(d))
            }
        }
    }
    fn parse(s: &str) -> Result<Cmd, String> {
        let parts: Vec<&str> = s.split('-').collect();
        let dep = |x: &str| match x {
            "a" => Ok(0u8),
            "b" => Ok(1u8),
            _ => Err(format!("'{s}': the dependency is a or b")),
        };
        let num = |x: &str, lo: u32, hi: u32, what: &str| -> Result<u32, String> {
            x.parse::<u32>()
                .ok()
                .filter(|v| (lo..=hi).contains(v))
                .ok_or_else(|| format!("'{s}': {what} must be {lo} to {hi}"))
        };
        match parts[..] {
            ["down", d] => Ok(Cmd::Down(dep(d)?)),
            ["slow", d, x] => Ok(Cmd::Slow(dep(d)?, num(x, 2, SLOW_MAX, "the slowdown")?)),
            ["errors", d, p] => Ok(Cmd::Errors(dep(d)?, num(p, 1, 100, "the error rate")?)),
            ["brownout", d] => Ok(Cmd::Brownout(dep(d)?)),
            ["recover", d] => Ok(Cmd::Recover(dep(d)?)),
            ["trip", d] => Ok(Cmd::ForceBreaker(dep(d)?, true)),
            ["reset", d] => Ok(Cmd::ForceBreaker(dep(d)?, false)),
            _ => Err(format!(
                "unknown command '{s}' (down-a, slow-a-5, errors-a-30, brownout-a, recover-a, trip-a, reset-a; b for B)"
            )),
        }
    }
}

/// A dependency's faults now.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Fault {
    pub down: bool,
    /// Latency multiplier (1: healthy).
    pub slow: u32,
    /// Error rate override, in percent.
    pub errors: Option<u32>,
}

impl Fault {
    pub const NONE: Fault = Fault {
        down: false,
        slow: 1,
        errors: None,
    };
    pub fn words(&self) -> String {
        if self.down {
            return "down".into();
        }
        let mut w = Vec::new();
        if self.slow > 1 {
            w.push(format!("{}× slower", self.slow));
        }
        if let Some(p) = self.errors {
            w.push(format!("{p}% errors"));
        }
        if w.is_empty() {
            "healthy".into()
        } else {
            w.join(", ")
        }
    }
}

/// Where a call is at its dependency.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum At {
    Queued,
    Serving,
    /// Refused at connect; fails after [`REFUSE_US`].
    Refused,
}

/// One attempt at a dependency.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Call {
    pub req: u64,
    pub dep: u8,
    pub sent_us: TimeUs,
    pub at: At,
    /// The breaker's epoch when it admitted the call (`None`: no breaker).
    pub epoch: Option<u32>,
    /// The caller still waits for it (false once it timed out).
    pub waiting: bool,
    /// The request's deadline, if it travels with the call.
    pub deadline_us: Option<TimeUs>,
}

/// A client's request at the service.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Req {
    pub client: u16,
    pub dep: u8,
    pub arrived_us: TimeUs,
    /// When it got a worker.
    pub started_us: Option<TimeUs>,
    pub deadline_us: Option<TimeUs>,
    /// Attempts made at each layer so far (outermost first).
    pub tries: [u8; 3],
    /// The last wait at each layer (decorrelated jitter grows from it).
    pub prev_wait_us: [TimeUs; 3],
    /// Its call in flight, if any; `None` while it waits to retry.
    pub call: Option<u64>,
}

/// One dependency's state.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Dep {
    pub fault: Fault,
    /// Calls being served.
    pub busy: u32,
    pub queue: VecDeque<u64>,
    pub breaker: Breaker,
    /// Bulkhead permits in use.
    pub permits: u32,
    /// Calls finished whose caller had already given up.
    pub wasted: u64,
    /// Calls dropped because their deadline had passed.
    pub expired: u64,
}

/// Running totals since the start.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Totals {
    pub requests: u64,
    pub ok: u64,
    pub failed: u64,
    pub degraded: u64,
    pub rejected: u64,
    pub shed: u64,
    pub attempts: u64,
    pub retries: u64,
    /// Requests the service was working on or queueing when it crashed.
    pub lost: u64,
}

/// Measures kept as the run goes, in constant space (the charts read the
/// records instead): the busiest 100 ms for attempts, and when goodput
/// came back after the last recovery, by the rule of
/// [`super::series::healthy`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Live {
    /// The bucket being counted and its (offered, ok, attempts).
    pub bucket: u64,
    pub cur: (u32, u32, u32),
    /// The last complete buckets' (offered, ok), newest last, at most a second's.
    pub recent: VecDeque<(u32, u32)>,
    /// Most attempts in one bucket since the last fault began (or the start).
    pub peak_attempts: u32,
    pub last_fault_us: Option<TimeUs>,
    pub last_recover_us: Option<TimeUs>,
    /// Start of the first healthy second after the last recovery.
    pub recovered_us: Option<TimeUs>,
}

impl Live {
    fn close_buckets_until(&mut self, bucket: u64) {
        use super::series::{healthy, BUCKET_US, WINDOW_BUCKETS};
        while self.bucket < bucket {
            let (o, k, a) = std::mem::take(&mut self.cur);
            self.peak_attempts = self.peak_attempts.max(a);
            self.recent.push_back((o, k));
            if self.recent.len() > WINDOW_BUCKETS {
                self.recent.pop_front();
            }
            self.bucket += 1;
            let first = self.bucket - self.recent.len() as u64;
            if let (Some(r), None) = (self.last_recover_us, self.recovered_us) {
                let (o, k) = self.recent.iter().fold((0, 0), |(a, b), x| (a + x.0, b + x.1));
                if self.recent.len() == WINDOW_BUCKETS && first * BUCKET_US >= r / BUCKET_US * BUCKET_US && healthy(o, k) {
                    self.recovered_us = Some(first * BUCKET_US);
                }
            }
            if bucket - self.bucket > WINDOW_BUCKETS as u64 {
                // A long quiet spell: skip to a second before `bucket`.
                self.recent.clear();
                self.bucket = bucket - WINDOW_BUCKETS as u64;
            }
        }
    }

    fn count(&mut self, now: TimeUs, n: &RNote) {
        self.close_buckets_until(now / super::series::BUCKET_US);
        let t = &n.tally;
        self.cur.0 += t.arrivals as u32;
        self.cur.1 += t.ok as u32;
        self.cur.2 += (t.calls[0] + t.calls[1]) as u32;
        if let What::Fault { cmd, .. } = n.what {
            match cmd {
                Cmd::Recover(_) => {
                    self.last_recover_us = Some(now);
                    self.recovered_us = None;
                }
                Cmd::ForceBreaker(..) => {}
                _ => {
                    self.last_fault_us = Some(now);
                    self.peak_attempts = 0;
                }
            }
        }
    }

    /// Most attempts in one bucket since the last fault, the current bucket included.
    pub fn peak(&self) -> u32 {
        self.peak_attempts.max(self.cur.2)
    }
}

/// The service and its dependencies.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct State {
    pub reqs: BTreeMap<u64, Req>,
    pub calls: BTreeMap<u64, Call>,
    /// Requests waiting for a worker.
    pub queue: VecDeque<u64>,
    pub busy: u32,
    pub deps: [Dep; 2],
    /// Retry budget, in thousandths of a retry.
    pub budget_milli: u64,
    pub next_req: u64,
    pub next_call: u64,
    pub totals: Totals,
    pub live: Live,
}

/// How a request ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum End {
    Ok,
    /// Its last attempt failed or timed out and no retry was left.
    Exhausted,
    BreakerOpen,
    BulkheadFull,
    Budget,
    Deadline,
}

impl End {
    pub fn words(self) -> &'static str {
        match self {
            End::Ok => "succeeds",
            End::Exhausted => "fails after its last attempt",
            End::BreakerOpen => "is refused by the open breaker",
            End::BulkheadFull => "is refused by the full bulkhead",
            End::Budget => "fails: the retry budget is spent",
            End::Deadline => "fails: its deadline has passed",
        }
    }
}

/// What one step did, counted (the charts and checks read these).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Tally {
    pub arrivals: u16,
    /// Attempts sent to each dependency.
    pub calls: [u16; 2],
    pub retries: u16,
    pub ok: u16,
    /// Requests that failed (degraded ones included).
    pub failed: u16,
    /// Of those, answered by the fallback.
    pub degraded: u16,
    /// Turned away at the door: queue full, or shed after waiting.
    pub rejected: u16,
    pub shed: u16,
    pub timeouts: u16,
    /// End-to-end latency of the request this step completed, if one did.
    pub ok_latency_us: Option<u32>,
    /// Each breaker's move at this step.
    pub moved: [Option<Transition>; 2],
}

/// What a step was about, for narration.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum What {
    Arrived { req: u64, client: u16, dep: u8 },
    /// A dependency finished a call (or refused it).
    Answered { call: u64, dep: u8, ok: bool, waiting: bool },
    TimedOut { call: u64, dep: u8 },
    /// A request's wait before retrying ended.
    Retry { req: u64, dep: u8 },
    Fault { cmd: Cmd, dropped: u32 },
    Restarted,
}

/// One step's note: what it was, and what it did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RNote {
    pub what: What,
    pub tally: Tally,
    /// How the request this step was about ended, if it did.
    pub end: Option<End>,
    /// The retry it scheduled: wait and layer.
    pub retry: Option<(TimeUs, u8)>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Timer {
    /// The dependency finishes (or refuses) a call.
    Answer(u64),
    /// The caller's patience for a call runs out.
    Timeout(u64),
    /// A request's wait before its next attempt ends.
    Retry(u64),
}

/// The model.
#[derive(Clone, Debug)]
pub struct Service {
    pub config: ResilienceConfig,
}

impl Service {
    pub fn new(c: ResilienceConfig) -> Service {
        Service { config: c.clamped() }
    }
}

type C<'x, 'c, 'a> = &'x mut SoloCtx<'c, 'a, Timer>;

/// The handler's working set: the state, the step's note, and the config.
struct Step<'s> {
    m: &'s ResilienceConfig,
    s: &'s mut State,
    note: RNote,
}

impl Step<'_> {
    fn error_pct(&self, d: usize) -> u32 {
        self.s.deps[d].fault.errors.unwrap_or(self.m.deps[d].error_pct)
    }

    fn service_us(&self, ctx: C, d: usize) -> TimeUs {
        let c = &self.m.deps[d];
        let t = ctx.rng().range_u64(c.lat_us_min, c.lat_us_max);
        t.saturating_mul(self.s.deps[d].fault.slow as u64).max(1)
    }

    fn now(ctx: C) -> TimeUs {
        ctx.now_us()
    }

    /// A request arrives at the service.
    fn arrive(&mut self, ctx: C, a: Arrival) {
        let id = self.s.next_req;
        self.s.next_req += 1;
        let dep = u8::from(a.client >= self.m.n_calling_a());
        self.note.what = What::Arrived {
            req: id,
            client: a.client,
            dep,
        };
        self.note.tally.arrivals += 1;
        self.s.totals.requests += 1;
        if self.m.budget_pct > 0 {
            let cap = (BUDGET_RESERVE + self.m.budget_pct as u64) * 1000;
            self.s.budget_milli = (self.s.budget_milli + self.m.budget_pct as u64 * 10).min(cap);
        }
        let now = Self::now(ctx);
        let deadline_us = (self.m.deadline_ms > 0).then(|| a.at_us + self.m.deadline_ms * 1000);
        let req = Req {
            client: a.client,
            dep,
            arrived_us: a.at_us,
            started_us: None,
            deadline_us,
            tries: [0; 3],
            prev_wait_us: [0; 3],
            call: None,
        };
        if self.s.busy < self.m.workers && self.s.queue.is_empty() {
            self.s.reqs.insert(id, req);
            self.start(ctx, id, now);
        } else if (self.s.queue.len() as u32) < self.m.queue {
            self.s.reqs.insert(id, req);
            self.s.queue.push_back(id);
        } else {
            self.note.tally.rejected += 1;
            self.s.totals.rejected += 1;
        }
    }

    /// A worker takes request `id` and makes its first attempt.
    fn start(&mut self, ctx: C, id: u64, now: TimeUs) {
        self.s.busy += 1;
        let layers = self.m.layers as usize;
        if let Some(r) = self.s.reqs.get_mut(&id) {
            r.started_us = Some(now);
            for t in r.tries.iter_mut().take(layers) {
                *t = 1;
            }
            // Decorrelated jitter grows from the base.
            r.prev_wait_us = [self.m.backoff.base_us; 3];
        }
        self.attempt(ctx, id, now);
    }

    /// Free workers take queued requests, shedding the ones that waited too long.
    fn pull(&mut self, ctx: C, now: TimeUs) {
        while self.s.busy < self.m.workers {
            let Some(id) = self.s.queue.pop_front() else {
                return;
            };
            let waited = self
                .s
                .reqs
                .get(&id)
                .map_or(0, |r| now.saturating_sub(r.arrived_us));
            if self.m.shed_ms > 0 && waited > self.m.shed_ms * 1000 {
                self.s.reqs.remove(&id);
                self.note.tally.shed += 1;
                self.note.tally.rejected += 1;
                self.s.totals.shed += 1;
                self.s.totals.rejected += 1;
                continue;
            }
            self.start(ctx, id, now);
        }
    }

    /// Request `id` ends; its worker takes the next in the queue.
    fn finish(&mut self, ctx: C, id: u64, end: End, now: TimeUs) {
        let Some(r) = self.s.reqs.remove(&id) else {
            return;
        };
        self.note.end = Some(end);
        if end == End::Ok {
            self.note.tally.ok += 1;
            self.s.totals.ok += 1;
            let lat = now.saturating_sub(r.arrived_us).min(u32::MAX as u64) as u32;
            self.note.tally.ok_latency_us = Some(lat);
        } else {
            self.note.tally.failed += 1;
            self.s.totals.failed += 1;
            if self.m.fallback {
                self.note.tally.degraded += 1;
                self.s.totals.degraded += 1;
            }
        }
        if r.started_us.is_some() {
            self.s.busy = self.s.busy.saturating_sub(1);
        }
        self.pull(ctx, now);
    }

    /// Request `id` sends an attempt to its dependency, through the
    /// breaker and the bulkhead.
    fn attempt(&mut self, ctx: C, id: u64, now: TimeUs) {
        let Some(r) = self.s.reqs.get(&id) else {
            return;
        };
        let d = r.dep as usize;
        let deadline = r.deadline_us;
        if deadline.is_some_and(|t| now >= t) {
            self.finish(ctx, id, End::Deadline, now);
            return;
        }
        // The bulkhead sits outside the breaker here, so a full pool says
        // nothing to the breaker about the dependency.
        if self.m.bulkhead > 0 && self.s.deps[d].permits >= self.m.bulkhead {
            self.finish(ctx, id, End::BulkheadFull, now);
            return;
        }
        let mut epoch = None;
        let layers = self.m.layers as usize;
        let retry = r.tries.iter().take(layers).any(|t| *t > 1);
        let skips_breaker = retry && !self.m.safety.retry_through_breaker;
        if self.m.breaker_on && !skips_breaker {
            let a = self.s.deps[d].breaker.admit(&self.m.breaker, now);
            if a.moved.is_some() {
                self.note.tally.moved[d] = a.moved;
            }
            let flood = !self.m.safety.probe_limit && self.s.deps[d].breaker.phase == Phase::HalfOpen;
            if !a.admitted && !flood {
                self.finish(ctx, id, End::BreakerOpen, now);
                return;
            }
            epoch = Some(a.epoch);
        }
        if self.m.bulkhead > 0 {
            self.s.deps[d].permits += 1;
        }
        let cid = self.s.next_call;
        self.s.next_call += 1;
        let dep = &self.s.deps[d];
        let at = if dep.fault.down {
            At::Refused
        } else if dep.busy < self.m.deps[d].slots {
            At::Serving
        } else if (dep.queue.len() as u32) < self.m.deps[d].queue {
            At::Queued
        } else {
            At::Refused
        };
        match at {
            At::Refused => ctx.set_timer_at(Timer::Answer(cid), now + REFUSE_US),
            At::Serving => {
                let t = self.service_us(ctx, d);
                self.s.deps[d].busy += 1;
                ctx.set_timer_at(Timer::Answer(cid), now + t);
            }
            At::Queued => self.s.deps[d].queue.push_back(cid),
        }
        let mut patience = (self.m.timeout_ms > 0).then_some(self.m.timeout_ms * 1000);
        if let Some(t) = deadline {
            let left = t - now;
            patience = Some(patience.map_or(left, |p| p.min(left)));
        }
        if let Some(p) = patience {
            ctx.set_timer(Timer::Timeout(cid), p);
        }
        self.s.calls.insert(
            cid,
            Call {
                req: id,
                dep: d as u8,
                sent_us: now,
                at,
                epoch,
                waiting: true,
                deadline_us: if self.m.propagate { patience.map(|p| now + p) } else { None },
            },
        );
        if let Some(r) = self.s.reqs.get_mut(&id) {
            r.call = Some(cid);
        }
        self.note.tally.calls[d] += 1;
        self.s.totals.attempts += 1;
    }

    /// The breaker hears a call's outcome.
    fn record(&mut self, d: usize, epoch: u32, now: TimeUs, o: Outcome) {
        if let Some(t) = self.s.deps[d].breaker.record(&self.m.breaker, now, epoch, o) {
            self.note.tally.moved[d] = Some(t);
        }
    }

    /// The caller hears the end of call `cid`: `ok`, or failed / timed out.
    fn answered(&mut self, ctx: C, cid: u64, ok: bool, now: TimeUs) {
        let Some(call) = self.s.calls.get_mut(&cid) else {
            return;
        };
        if !call.waiting {
            return;
        }
        call.waiting = false;
        let (req, d, sent, epoch) = (call.req, call.dep as usize, call.sent_us, call.epoch);
        // The caller stops waiting, however the call ended.
        ctx.cancel_timer(Timer::Timeout(cid));
        if self.m.bulkhead > 0 {
            let p = &mut self.s.deps[d].permits;
            *p = p.saturating_sub(1);
        }
        if let Some(e) = epoch {
            let slow = now.saturating_sub(sent) >= self.m.breaker.slow_ms * 1000;
            self.record(d, e, now, Outcome { failed: !ok, slow });
        }
        if let Some(r) = self.s.reqs.get_mut(&req) {
            r.call = None;
        }
        if ok {
            self.finish(ctx, req, End::Ok, now);
        } else {
            self.retry_or_end(ctx, req, now);
        }
    }

    /// After a failed attempt: the innermost layer with attempts left
    /// retries after its wait (the layers inside it start afresh), or the
    /// request fails.
    fn retry_or_end(&mut self, ctx: C, id: u64, now: TimeUs) {
        let layers = self.m.layers as usize;
        let Some(r) = self.s.reqs.get(&id) else {
            return;
        };
        let Some(l) = (0..layers).rev().find(|&l| (r.tries[l] as u32) < self.m.attempts) else {
            self.finish(ctx, id, End::Exhausted, now);
            return;
        };
        if self.m.budget_pct > 0 && self.m.safety.budget_checked {
            if self.s.budget_milli < 1000 {
                self.finish(ctx, id, End::Budget, now);
                return;
            }
            self.s.budget_milli -= 1000;
        }
        let k = r.tries[l] as u32 - 1;
        let prev = r.prev_wait_us[l];
        let wait = self.m.backoff.wait_us(k, prev, ctx.rng());
        if r.deadline_us.is_some_and(|t| now + wait >= t) {
            self.finish(ctx, id, End::Deadline, now);
            return;
        }
        if let Some(r) = self.s.reqs.get_mut(&id) {
            r.tries[l] += 1;
            for m in l + 1..layers {
                r.tries[m] = 1;
                r.prev_wait_us[m] = self.m.backoff.base_us;
            }
            r.prev_wait_us[l] = wait;
        }
        self.note.tally.retries += 1;
        self.s.totals.retries += 1;
        self.note.retry = Some((wait, l as u8));
        ctx.set_timer(Timer::Retry(id), wait);
    }

    /// Dependency `d` finished or refused call `cid`.
    fn dep_done(&mut self, ctx: C, cid: u64, now: TimeUs) {
        let Some(call) = self.s.calls.remove(&cid) else {
            return;
        };
        let d = call.dep as usize;
        let ok = match call.at {
            At::Refused => false,
            _ => {
                self.s.deps[d].busy = self.s.deps[d].busy.saturating_sub(1);
                let p = self.error_pct(d) as u64;
                !(p > 0 && ctx.rng().range_u64(0, 99) < p)
            }
        };
        self.note.what = What::Answered {
            call: cid,
            dep: d as u8,
            ok,
            waiting: call.waiting,
        };
        if call.at == At::Serving && !call.waiting {
            self.s.deps[d].wasted += 1;
        }
        if call.at == At::Serving {
            self.serve_next(ctx, d, now);
        }
        if call.waiting {
            // Back in the map for `answered` to read, then gone.
            self.s.calls.insert(cid, call);
            self.answered(ctx, cid, ok, now);
            self.s.calls.remove(&cid);
        }
    }

    /// A slot at dependency `d` is free: it starts the next queued call,
    /// dropping those whose travelling deadline has passed.
    fn serve_next(&mut self, ctx: C, d: usize, now: TimeUs) {
        while self.s.deps[d].busy < self.m.deps[d].slots {
            let Some(cid) = self.s.deps[d].queue.pop_front() else {
                return;
            };
            let Some(call) = self.s.calls.get(&cid) else {
                continue;
            };
            // Too late to finish even at its fastest: not worth starting.
            let fastest = now + self.m.deps[d].lat_us_min * self.s.deps[d].fault.slow as u64;
            if call.deadline_us.is_some_and(|t| fastest >= t) {
                self.s.deps[d].expired += 1;
                let waiting = call.waiting;
                if waiting {
                    self.answered(ctx, cid, false, now);
                }
                self.s.calls.remove(&cid);
                continue;
            }
            let t = self.service_us(ctx, d);
            if let Some(c) = self.s.calls.get_mut(&cid) {
                c.at = At::Serving;
            }
            self.s.deps[d].busy += 1;
            ctx.set_timer_at(Timer::Answer(cid), now + t);
        }
    }

    fn timed_out(&mut self, ctx: C, cid: u64, now: TimeUs) {
        let Some(call) = self.s.calls.get(&cid) else {
            return;
        };
        if !call.waiting {
            return;
        }
        self.note.what = What::TimedOut {
            call: cid,
            dep: call.dep,
        };
        self.note.tally.timeouts += 1;
        self.answered(ctx, cid, false, now);
        // A refused call has nothing left to do at the dependency.
        if self.s.calls.get(&cid).is_some_and(|c| c.at == At::Refused) {
            self.s.calls.remove(&cid);
            ctx.cancel_timer(Timer::Answer(cid));
        }
    }

    fn fault(&mut self, ctx: C, cmd: Cmd, now: TimeUs) {
        let d = match cmd {
            Cmd::Down(d)
            | Cmd::Slow(d, _)
            | Cmd::Errors(d, _)
            | Cmd::Brownout(d)
            | Cmd::Recover(d)
            | Cmd::ForceBreaker(d, _) => (d as usize).min(1),
        };
        let mut dropped = 0;
        let f = &mut self.s.deps[d].fault;
        match cmd {
            Cmd::Down(_) => {
                f.down = true;
                // Every connection resets at once.
                let gone: Vec<u64> = self
                    .s
                    .calls
                    .iter()
                    .filter(|(_, c)| c.dep as usize == d && c.at != At::Refused)
                    .map(|(id, _)| *id)
                    .collect();
                self.s.deps[d].busy = 0;
                self.s.deps[d].queue.clear();
                for cid in gone {
                    ctx.cancel_timer(Timer::Answer(cid));
                    let waiting = self.s.calls.get(&cid).is_some_and(|c| c.waiting);
                    if waiting {
                        dropped += 1;
                        ctx.cancel_timer(Timer::Timeout(cid));
                        self.answered(ctx, cid, false, now);
                    }
                    self.s.calls.remove(&cid);
                }
            }
            Cmd::Slow(_, x) => f.slow = x.clamp(2, SLOW_MAX),
            Cmd::Errors(_, p) => f.errors = Some(p.clamp(1, 100)),
            Cmd::Brownout(_) => {
                f.slow = 3;
                f.errors = Some(20);
            }
            Cmd::Recover(_) => *f = Fault::NONE,
            Cmd::ForceBreaker(_, open) => {
                let to = if open { Phase::Open } else { Phase::Closed };
                self.note.tally.moved[d] = self.s.deps[d].breaker.force(to, now);
            }
        }
        self.note.what = What::Fault { cmd, dropped };
    }
}

fn fresh_dep(now: TimeUs) -> Dep {
    Dep {
        fault: Fault::NONE,
        busy: 0,
        queue: VecDeque::new(),
        breaker: Breaker::new(now),
        permits: 0,
        wasted: 0,
        expired: 0,
    }
}

fn blank(what: What) -> RNote {
    RNote {
        what,
        tally: Tally::default(),
        end: None,
        retry: None,
    }
}

impl Service {
    fn step(&self, s: &mut State, now: TimeUs, what: What, f: impl FnOnce(&mut Step<'_>)) -> RNote {
        let mut st = Step {
            m: &self.config,
            s,
            note: blank(what),
        };
        f(&mut st);
        let note = st.note;
        s.live.count(now, &note);
        note
    }
}

impl SoloModel for Service {
    type State = State;
    type Timer = Timer;
    type Command = Cmd;
    type Note = RNote;
    type Checker = super::check::Checker;

    fn name(&self) -> String {
        "Service".into()
    }
    fn workload(&self) -> WorkloadSpec {
        self.config.workload()
    }
    fn init(&self, ctx: &mut SoloCtx<'_, '_, Timer>) -> State {
        let now = ctx.now_us();
        State {
            reqs: BTreeMap::new(),
            calls: BTreeMap::new(),
            queue: VecDeque::new(),
            busy: 0,
            deps: [fresh_dep(now), fresh_dep(now)],
            budget_milli: BUDGET_RESERVE * 1000,
            next_req: 1,
            next_call: 1,
            totals: Totals::default(),
            live: Live::default(),
        }
    }
    fn on_arrival(&self, s: &mut State, ctx: &mut SoloCtx<'_, '_, Timer>, a: Arrival) -> RNote {
        let w = What::Arrived {
            req: 0,
            client: a.client,
            dep: 0,
        };
        let now = ctx.now_us();
        self.step(s, now, w, |st| st.arrive(ctx, a))
    }
    fn on_timer(&self, s: &mut State, ctx: &mut SoloCtx<'_, '_, Timer>, t: Timer) -> RNote {
        let now = ctx.now_us();
        match t {
            Timer::Answer(cid) => {
                let w = What::Answered {
                    call: cid,
                    dep: 0,
                    ok: false,
                    waiting: false,
                };
                self.step(s, now, w, |st| st.dep_done(ctx, cid, now))
            }
            Timer::Timeout(cid) => {
                let w = What::TimedOut { call: cid, dep: 0 };
                self.step(s, now, w, |st| st.timed_out(ctx, cid, now))
            }
            Timer::Retry(req) => {
                let dep = s.reqs.get(&req).map_or(0, |r| r.dep);
                self.step(s, now, What::Retry { req, dep }, |st| st.attempt(ctx, req, now))
            }
        }
    }
    fn on_command(&self, s: &mut State, ctx: &mut SoloCtx<'_, '_, Timer>, cmd: &Cmd) -> RNote {
        let now = ctx.now_us();
        let cmd = *cmd;
        self.step(s, now, What::Fault { cmd, dropped: 0 }, |st| st.fault(ctx, cmd, now))
    }
    fn on_crash(&self, s: &mut State) {
        // In-memory state is gone: requests, calls, queues, breakers,
        // permits, the budget. The dependencies forget the calls too (their
        // timers were the service's). The totals stay, for the charts.
        let mut totals = s.totals;
        totals.lost += s.reqs.len() as u64;
        let live = std::mem::take(&mut s.live);
        let (next_req, next_call) = (s.next_req, s.next_call);
        let faults = [s.deps[0].fault, s.deps[1].fault];
        let t = s.deps[0].breaker.since_us;
        *s = State {
            reqs: BTreeMap::new(),
            calls: BTreeMap::new(),
            queue: VecDeque::new(),
            busy: 0,
            deps: [fresh_dep(t), fresh_dep(t)],
            budget_milli: BUDGET_RESERVE * 1000,
            next_req,
            next_call,
            totals,
            live,
        };
        s.deps[0].fault = faults[0];
        s.deps[1].fault = faults[1];
    }
    fn on_restart(&self, s: &mut State, ctx: &mut SoloCtx<'_, '_, Timer>) -> RNote {
        let now = ctx.now_us();
        for d in &mut s.deps {
            d.breaker = Breaker::new(now);
        }
        blank(What::Restarted)
    }

    fn invariants(&self) -> &'static [InvariantInfo] {
        super::check::INVARIANTS
    }
    fn new_checker(&self) -> super::check::Checker {
        super::check::Checker::default()
    }
    fn check(&self, v: &SoloView<'_, Self>, ch: &mut super::check::Checker, out: &mut Vec<Breach>) {
        ch.check(&self.config, v.state, v.note, out);
    }

    fn narrate(&self, n: &RNote) -> String {
        narrate(&self.config, n)
    }
    fn marker(&self, n: &RNote) -> Option<Marker> {
        n.tally.moved.iter().any(Option::is_some).then_some(Marker::Role)
    }
}

/// A command in words ("A goes down").
pub fn cmd_words(c: Cmd) -> String {
    let n = |d: u8| dep_name(d as usize);
    match c {
        Cmd::Down(d) => format!("{} goes down", n(d)),
        Cmd::Slow(d, x) => format!("{} {x}× slower", n(d)),
        Cmd::Errors(d, p) => format!("{} fails {p}% of calls", n(d)),
        Cmd::Brownout(d) => format!("{} browns out", n(d)),
        Cmd::Recover(d) => format!("{} recovers", n(d)),
        Cmd::ForceBreaker(d, true) => format!("{}'s breaker forced open", n(d)),
        Cmd::ForceBreaker(d, false) => format!("{}'s breaker forced closed", n(d)),
    }
}

fn ms(us: TimeUs) -> String {
    fmt_time(us)
}

/// A step in words.
pub fn narrate(c: &ResilienceConfig, n: &RNote) -> String {
    let t = &n.tally;
    let mut s = match n.what {
        What::Arrived { req, client, dep } => {
            let head = format!("Request #{req} from client {} for {}", client + 1, dep_name(dep as usize));
            if t.rejected > 0 {
                format!("{head}: the queue is full, turned away")
            } else if t.calls[dep as usize] > 0 {
                format!("{head}: a worker takes it and calls {}", dep_name(dep as usize))
            } else if n.end.is_some() {
                format!("{head}: a worker takes it")
            } else {
                format!("{head}: every worker is busy, it waits in the queue")
            }
        }
        What::Answered { call, dep, ok, waiting } => {
            let d = dep_name(dep as usize);
            match (ok, waiting) {
                (_, false) => format!("{d} finishes call {call}, whose caller gave up: wasted work"),
                (true, true) => format!("{d} answers call {call}"),
                (false, true) => format!("Call {call} to {d} fails"),
            }
        }
        What::TimedOut { call, dep } => format!(
            "Call {call} to {} times out after {}",
            dep_name(dep as usize),
            ms(c.timeout_ms * 1000)
        ),
        What::Retry { req, dep } => {
            let d = dep_name(dep as usize);
            if t.calls[dep as usize] > 0 {
                format!("Request #{req} tries {d} again")
            } else {
                format!("Request #{req} would try {d} again")
            }
        }
        What::Fault { cmd, dropped } => {
            let mut w = cmd_words(cmd);
            if dropped > 0 {
                w += &format!(": {dropped} calls in it fail at once");
            }
            w
        }
        What::Restarted => "The service restarts with empty queues and closed breakers".into(),
    };
    if let Some(e) = n.end {
        if e == End::Ok {
            if let Some(l) = t.ok_latency_us {
                s += &format!("; its request succeeds after {}", ms(l as u64));
            }
        } else {
            s += &format!("; the request {}", e.words());
            if c.fallback {
                s += ", and gets the fallback answer";
            }
        }
    }
    if let Some((wait, layer)) = n.retry {
        if c.layers > 1 {
            s += &format!("; layer {} retries in {}", layer + 1, ms(wait));
        } else {
            s += &format!("; retry in {}", ms(wait));
        }
    }
    for (d, m) in t.moved.iter().enumerate() {
        if let Some(m) = m {
            s += &format!("; {}'s breaker {}", dep_name(d), m.words());
        }
    }
    let extra = t.ok + t.failed + t.rejected;
    let own = u16::from(n.end.is_some()) + u16::from(matches!(n.what, What::Arrived { .. }) && t.rejected > 0);
    if extra > own {
        s += &format!(" ({} requests ended at this step)", t.ok + t.failed);
    }
    s.push('.');
    s
}
