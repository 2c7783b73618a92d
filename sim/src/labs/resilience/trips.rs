//! Experiment: how fast a breaker trips, and how often it trips for
//! nothing, by window type and size.
//!
//! Calls arrive as a Poisson stream at `rate` a second. For a minute the
//! dependency fails a background share of them (`background`%), then it
//! starts failing `failing`% of them. The breaker (50% failure rate, 5 s
//! open, 3 probes; a count window decides once full, a time window once it
//! holds half its average) is the lab's
//! [`super::breaker::Breaker`], driven directly. Per window: false trips
//! (opens during the healthy minute) per minute, and the mean time from
//! the onset to the first open after it.
//!
//! Windows of the two kinds are compared at the same expected number of
//! calls: a count window of N calls beside a time window of N / rate
//! seconds (in 10 buckets).

use super::breaker::{Breaker, BreakerConfig, Outcome, Phase, WindowKind};
use crate::kernel::workload::exponential_us;
use crate::kernel::{SimRng, TimeUs};
use crate::labs::experiment::{
    json_line, line_chart, point_seed, sweep_cell, ExpArgs, ExpDefault, ExpOutput, ExpParam, Experiment, ExperimentInfo, ExperimentRun, Table,
    SEED,
};
use crate::labs::params::Kind;
use serde::Serialize;

const HEALTHY_US: TimeUs = 60_000_000;
/// The longest wait for a trip after the onset.
const FAILING_US_MAX: TimeUs = 60_000_000;
pub const RATE_MAX: i64 = 1_000;
pub const TRIP_RUNS_MAX: i64 = 500;
/// The expected calls per window compared by default.
const SIZES: &[i64] = &[10, 20, 50, 100];

pub static INFO: ExperimentInfo = ExperimentInfo {
    name: "breaker-trips",
    title: "How fast does a breaker trip, and how often for nothing?",
    about: "Calls arrive at a steady Poisson rate. For a minute the dependency fails a background share of them, then it fails a higher \
            share. A breaker at 50% with a count window of N calls, or a time window holding N calls on average, judges them. Per \
            window: false trips per healthy minute, and the mean time from the onset to the breaker opening.",
    reproduces: "The trade-off behind resilience4j's and Hystrix's window settings: a small window trips fast and trips falsely; a large \
                 one is quiet and slow",
    params: &[
        ExpParam {
            flag: "windows",
            label: "Window sizes (calls)",
            kind: Kind::List { min: 2, max: 1_000 },
            default: ExpDefault::List(SIZES),
            help: "Expected calls per window to compare.",
        },
        ExpParam {
            flag: "background",
            label: "Background errors (%)",
            kind: Kind::Int { min: 0, max: 100 },
            default: ExpDefault::Int(25),
            help: "The share of calls that fail while the dependency is healthy.",
        },
        ExpParam {
            flag: "failing",
            label: "Errors after the onset (%)",
            kind: Kind::Int { min: 0, max: 100 },
            default: ExpDefault::Int(60),
            help: "The share of calls that fail once the dependency starts failing.",
        },
        ExpParam {
            flag: "rate",
            label: "Calls per second",
            kind: Kind::Int { min: 1, max: RATE_MAX },
            default: ExpDefault::Int(20),
            help: "How fast calls arrive.",
        },
        ExpParam {
            flag: "runs",
            label: "Runs per window",
            kind: Kind::Int { min: 1, max: TRIP_RUNS_MAX },
            default: ExpDefault::Int(40),
            help: "Seeded runs per window.",
        },
        SEED,
    ],
    output_json: "{\"experiment\",\"runs\",\"background_pct\",\"failing_pct\",\"rate\",\"results\":[{\"window\",\"kind\",\"calls\",\"false_trips_per_min\",\"mean_trip_ms\",\"never\"}]}",
    output_csv: "window,kind,calls,false_trips_per_min,mean_trip_ms,never",
};

/// The breaker judging a window of `calls` expected calls, of `kind`, at `rate` calls a second.
pub fn breaker_for(kind: WindowKind, calls: u32, rate: u32) -> BreakerConfig {
    BreakerConfig {
        kind,
        size: calls,
        window_ms: (calls as u64 * 1000 / rate.max(1) as u64).max(10),
        buckets: 10,
        failure_pct: 50,
        slow_pct: 100,
        slow_ms: 600_000,
        // A count window decides once full (resilience4j's default); a time
        // window holds a varying number of calls, so it asks for half its
        // average, as Hystrix's 20 requests sit below most services' traffic.
        min_calls: match kind {
            WindowKind::Count => calls,
            WindowKind::Time => (calls / 2).max(1),
        },
        open_ms: 5_000,
        half_open_calls: 3,
    }
    .clamped()
}

/// One run: (false trips in the healthy minute, time to trip after the onset).
pub fn run(c: &BreakerConfig, rate: u32, background: u32, failing: u32, seed: u64) -> (u32, Option<TimeUs>) {
    let mut rng = SimRng::new(seed);
    let mut b = Breaker::new(0);
    let gap = 1_000_000 / rate.max(1) as u64;
    let mut t: TimeUs = 0;
    let mut false_trips = 0;
    loop {
        t += exponential_us(&mut rng, gap).max(1);
        if t >= HEALTHY_US + FAILING_US_MAX {
            return (false_trips, None);
        }
        let healthy = t < HEALTHY_US;
        // A breaker still open or probing at the onset from a false trip
        // starts over, so the time to trip is measured from a closed one.
        if !healthy && b.phase != Phase::Closed && b.since_us < HEALTHY_US {
            b = Breaker::new(t);
        }
        let a = b.admit(c, t);
        if !a.admitted {
            continue;
        }
        let p = if healthy { background } else { failing } as u64;
        let failed = rng.range_u64(0, 99) < p;
        if let Some(m) = b.record(c, t, a.epoch, Outcome { failed, slow: false }) {
            if m.from == Phase::Closed && m.to == Phase::Open {
                if healthy {
                    false_trips += 1;
                } else {
                    return (false_trips, Some(t - HEALTHY_US));
                }
            }
        }
    }
}

pub struct Sweep {
    sizes: Vec<i64>,
    background: u32,
    failing: u32,
    rate: u32,
    runs: u32,
    seed: u64,
    done: usize,
    /// Per (size, kind): false trips, summed trip time, runs that tripped.
    sums: Vec<[u64; 3]>,
}

const KINDS: [WindowKind; 2] = [WindowKind::Count, WindowKind::Time];

impl Sweep {
    pub fn new(args: &ExpArgs) -> Sweep {
        let int = |k: &str, d: i64, lo: i64, hi: i64| args.get(k).map(|v| v.as_int()).unwrap_or(d).clamp(lo, hi);
        let sizes: Vec<i64> = args
            .get("windows")
            .map(|v| v.as_list())
            .unwrap_or_else(|| SIZES.to_vec())
            .into_iter()
            .map(|s| s.clamp(2, 1_000))
            .collect();
        Sweep {
            sums: vec![[0; 3]; sizes.len() * KINDS.len()],
            sizes,
            background: int("background", 25, 0, 100) as u32,
            failing: int("failing", 60, 0, 100) as u32,
            rate: int("rate", 20, 1, RATE_MAX) as u32,
            runs: int("runs", 40, 1, TRIP_RUNS_MAX) as u32,
            seed: args.get("seed").map(|v| v.as_int()).unwrap_or(1).max(0) as u64,
            done: 0,
        }
    }

    fn total(&self) -> usize {
        self.sums.len() * self.runs as usize
    }

    /// Per size, per kind: false trips per minute, mean trip time (ms), runs that never tripped.
    pub fn means(&self) -> Vec<[(f64, Option<f64>, u32); 2]> {
        (0..self.sizes.len())
            .map(|i| {
                [0, 1].map(|k| {
                    let s = self.sums[i * 2 + k];
                    let trip = (s[2] > 0).then(|| s[1] as f64 / s[2] as f64 / 1000.0);
                    (s[0] as f64 / self.runs as f64, trip, self.runs - s[2] as u32)
                })
            })
            .collect()
    }
}

impl ExperimentRun for Sweep {
    fn progress(&self) -> (u64, u64) {
        (self.done as u64, self.total() as u64)
    }

    fn run_some(&mut self, budget: u32) -> bool {
        for _ in 0..budget.max(1) {
            if self.done >= self.total() {
                break;
            }
            let (si, k, r) = sweep_cell(self.done, self.runs, KINDS.len());
            let cell = si * KINDS.len() + k;
            let c = breaker_for(KINDS[k], self.sizes[si] as u32, self.rate);
            let seed = point_seed(self.seed, si as i64, k, r);
            let (f, trip) = run(&c, self.rate, self.background, self.failing, seed);
            let s = &mut self.sums[cell];
            s[0] += f as u64;
            if let Some(t) = trip {
                s[1] += t;
                s[2] += 1;
            }
            self.done += 1;
        }
        self.done >= self.total()
    }

    fn output(&self) -> ExpOutput {
        #[derive(Serialize)]
        struct Row {
            window: String,
            kind: &'static str,
            calls: i64,
            false_trips_per_min: f64,
            mean_trip_ms: Option<f64>,
            never: u32,
        }
        #[derive(Serialize)]
        struct Out {
            experiment: &'static str,
            runs: u32,
            background_pct: u32,
            failing_pct: u32,
            rate: u32,
            results: Vec<Row>,
        }
        let means = self.means();
        let round = |x: f64| (x * 100.0).round() / 100.0;
        let mut rows = Vec::new();
        let mut csv = String::from("window,kind,calls,false_trips_per_min,mean_trip_ms,never\n");
        let mut table = Table {
            headers: vec!["Window".into(), "False trips / healthy min".into(), "Time to trip (ms)".into(), "Never tripped".into()],
            rows: Vec::new(),
        };
        for (i, &n) in self.sizes.iter().enumerate() {
            for (k, kind) in KINDS.iter().enumerate() {
                let (f, trip, never) = means[i][k];
                let (f, trip) = (round(f), trip.map(|t| t.round()));
                let c = breaker_for(*kind, n as u32, self.rate);
                let window = match kind {
                    WindowKind::Count => format!("last {n} calls"),
                    WindowKind::Time => format!("last {} ms", c.window_ms),
                };
                csv.push_str(&format!("{window},{},{n},{f},{},{never}\n", kind.key(), trip.map_or(String::new(), |t| t.to_string())));
                table.rows.push(vec![
                    window.clone(),
                    format!("{f:.2}"),
                    trip.map_or("—".into(), |t| format!("{t:.0}")),
                    format!("{never} of {}", self.runs),
                ]);
                rows.push(Row {
                    window,
                    kind: kind.key(),
                    calls: n,
                    false_trips_per_min: f,
                    mean_trip_ms: trip,
                    never,
                });
            }
        }
        let series = |which: usize| {
            KINDS
                .iter()
                .enumerate()
                .map(|(k, kind)| {
                    let label = match kind {
                        WindowKind::Count => "count window",
                        WindowKind::Time => "time window",
                    };
                    let v = means.iter().map(|m| if which == 0 { m[k].0 } else { m[k].1.unwrap_or(f64::NAN) }).collect();
                    (label.to_string(), v)
                })
                .collect()
        };
        let charts = vec![
            line_chart("False trips per healthy minute", "expected calls in the window", "trips", &self.sizes, series(0)),
            line_chart("Time from the onset to the trip", "expected calls in the window", "ms", &self.sizes, series(1)),
        ];
        let note = format!(
            "At {}% background errors a window of a few calls often holds 50% failures by chance, so small windows trip for nothing; \
             large windows almost never do, but need more calls after the onset ({}% errors) before the failure rate crosses the \
             threshold. A time window holds a varying number of calls, so at the same average size it is a little noisier.",
            self.background, self.failing
        );
        ExpOutput {
            json: json_line(&Out {
                experiment: INFO.name,
                runs: self.runs,
                background_pct: self.background,
                failing_pct: self.failing,
                rate: self.rate,
                results: rows,
            }),
            csv,
            charts,
            table,
            note,
        }
    }
}

pub struct BreakerTrips;

impl Experiment for BreakerTrips {
    fn info(&self) -> &'static ExperimentInfo {
        &INFO
    }
    fn start(&self, args: &ExpArgs) -> Result<Box<dyn ExperimentRun>, String> {
        Ok(Box::new(Sweep::new(args)))
    }
}
