//! Experiment: the thundering herd after an outage.
//!
//! N clients each send a request every 500 ms to the lab's service, whose
//! dependency serves 200 calls at once in 200–400 ms (about 670 a
//! second). At 3 s the dependency goes down for a second: every call in
//! it fails at once and every call during the second is refused. Each
//! caller tries four times, waiting by its policy (base 500 ms, cap 2 s).
//! Per client count and policy: the busiest 100 ms of attempts from the
//! outage on, and how long after the dependency came back a second of at
//! least 90% successes arrived (`never` within 12 s when the herd keeps
//! the dependency overloaded).
//!
//! The runs are the lab's own model ([`super::service`]) on the kernel's
//! world, measured by [`super::service::Live`], so the experiment sees
//! exactly what the page's charts show.

use super::backoff::Policy;
use super::contention::POLICIES;
use super::lab::Resilience;
use super::scenarios::outage;
use super::service::{Cmd, ResilienceConfig, Service};
use crate::kernel::solo::{Solo, SOLO_NODE};
use crate::kernel::{Input, TimeUs, Who, World};
use crate::labs::experiment::{
    csv_field, json_line, line_chart, point_seed, sweep_cell, ExpArgs, ExpDefault, ExpOutput, ExpParam, Experiment, ExperimentInfo,
    ExperimentRun, Table, SEED,
};
use crate::labs::params::Kind;
use serde::Serialize;

/// The most clients a point may have.
pub const HERD_CLIENTS_MAX: i64 = 500;
pub const HERD_RUNS_MAX: i64 = 100;
const DOWN_US: TimeUs = 3_000_000;
const BACK_US: TimeUs = 4_000_000;
const END_US: TimeUs = 12_000_000;

pub static INFO: ExperimentInfo = ExperimentInfo {
    name: "retry-herd",
    title: "How hard does the herd hit after an outage?",
    about: "N clients each send a request every 500 ms to a service whose dependency serves about 670 calls a second. The dependency is \
            down from 3 s to 4 s; every call in it fails at once. Each caller tries four times (base 500 ms, cap 2 s). Per client count \
            and policy: the busiest 100 ms of attempts from the outage on, and the time from the recovery to the first second in which \
            90% of requests succeed.",
    reproduces: "The synchronised retries behind Brooker's \"Exponential Backoff and Jitter\" (AWS Architecture Blog, 2015) and the \
                 retry storms of Bronson et al., \"Metastable Failures in Distributed Systems\" (HotOS 2021): without jitter the \
                 failed calls return together; jitter flattens the peak",
    params: &[
        ExpParam {
            flag: "clients",
            label: "Clients",
            kind: Kind::List {
                min: 1,
                max: HERD_CLIENTS_MAX,
            },
            default: ExpDefault::List(&[50, 100, 200, 300]),
            help: "Client counts to compare (each sends 2 requests a second).",
        },
        ExpParam {
            flag: "runs",
            label: "Runs per point",
            kind: Kind::Int {
                min: 1,
                max: HERD_RUNS_MAX,
            },
            default: ExpDefault::Int(5),
            help: "Seeded runs per client count and policy.",
        },
        SEED,
    ],
    output_json: "{\"experiment\",\"runs\",\"results\":[{\"clients\",\"policy\",\"mean_peak_attempts\",\"mean_recovery_ms\",\"never\"}]}",
    output_csv: "clients,policy,mean_peak_attempts,mean_recovery_ms,never",
};

/// One run's measures: the peak, and the recovery time if it came.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HerdRun {
    pub peak_attempts: u32,
    pub recovery_us: Option<TimeUs>,
}

fn config(clients: u16, policy: Policy) -> ResilienceConfig {
    ResilienceConfig {
        clients,
        gap_ms: 500,
        ..outage(policy)
    }
}

/// One outage with `clients` clients and `policy`, from `seed`.
pub fn run(clients: u16, policy: Policy, seed: u64) -> HerdRun {
    let at = |t, c| (t, Input::Command(Who::Id(SOLO_NODE), c));
    let script = vec![at(DOWN_US, Cmd::Down(0)), at(BACK_US, Cmd::Recover(0))];
    let mut w: World<Resilience> = World::new(Solo(Service::new(config(clients, policy))), seed, script);
    while w.step(None).is_some_and(|r| r.time_us < END_US) {}
    let live = &w.nodes[0].state.live;
    HerdRun {
        peak_attempts: live.peak(),
        recovery_us: live.recovered_us.map(|t| t.saturating_sub(BACK_US)),
    }
}

/// The experiment in progress.
pub struct Sweep {
    clients: Vec<i64>,
    runs: u32,
    seed: u64,
    done: usize,
    /// Per (client count, policy): summed peaks, summed recovery (µs), runs recovered.
    sums: Vec<[u64; 3]>,
}

impl Sweep {
    pub fn new(args: &ExpArgs) -> Sweep {
        let clients: Vec<i64> = args
            .get("clients")
            .map(|v| v.as_list())
            .unwrap_or_else(|| vec![50, 100, 200, 300])
            .into_iter()
            .map(|c| c.clamp(1, HERD_CLIENTS_MAX))
            .collect();
        let runs = args.get("runs").map(|v| v.as_int()).unwrap_or(5).clamp(1, HERD_RUNS_MAX) as u32;
        let seed = args.get("seed").map(|v| v.as_int()).unwrap_or(1).max(0) as u64;
        Sweep {
            sums: vec![[0; 3]; clients.len() * POLICIES.len()],
            clients,
            runs,
            seed,
            done: 0,
        }
    }

    fn total(&self) -> usize {
        self.sums.len() * self.runs as usize
    }

    /// Per client count, per policy: mean peak, mean recovery in ms (over
    /// the runs that recovered), and how many never did.
    pub fn means(&self) -> Vec<Vec<(f64, Option<f64>, u32)>> {
        (0..self.clients.len())
            .map(|i| {
                (0..POLICIES.len())
                    .map(|p| {
                        let s = self.sums[i * POLICIES.len() + p];
                        let rec = (s[2] > 0).then(|| s[1] as f64 / s[2] as f64 / 1000.0);
                        (s[0] as f64 / self.runs as f64, rec, self.runs - s[2] as u32)
                    })
                    .collect()
            })
            .collect()
    }
}

impl ExperimentRun for Sweep {
    fn progress(&self) -> (u64, u64) {
        (self.done as u64, self.total() as u64)
    }

    fn run_some(&mut self, budget: u32) -> bool {
        // One run is up to 30,000 steps: a unit of work is a run.
        for _ in 0..budget.max(1) {
            if self.done >= self.total() {
                break;
            }
            let (ci, p, r) = sweep_cell(self.done, self.runs, POLICIES.len());
            let cell = ci * POLICIES.len() + p;
            let c = self.clients[ci];
            let res = run(c as u16, POLICIES[p], point_seed(self.seed, c, p, r));
            let s = &mut self.sums[cell];
            s[0] += res.peak_attempts as u64;
            if let Some(t) = res.recovery_us {
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
            clients: i64,
            policy: &'static str,
            mean_peak_attempts: f64,
            mean_recovery_ms: Option<f64>,
            never: u32,
        }
        #[derive(Serialize)]
        struct Out {
            experiment: &'static str,
            runs: u32,
            results: Vec<Row>,
        }
        let means = self.means();
        let round = |x: f64| (x * 10.0).round() / 10.0;
        let mut rows = Vec::new();
        let mut csv = String::from("clients,policy,mean_peak_attempts,mean_recovery_ms,never\n");
        let mut table = Table {
            headers: vec![
                "Clients".into(),
                "Policy".into(),
                "Peak attempts / 100 ms".into(),
                "Recovery (ms)".into(),
                "Never recovered".into(),
            ],
            rows: Vec::new(),
        };
        for (i, &c) in self.clients.iter().enumerate() {
            for (p, policy) in POLICIES.iter().enumerate() {
                let (peak, rec, never) = means[i][p];
                let (peak, rec) = (round(peak), rec.map(round));
                let rec_text = rec.map_or(String::new(), |r| r.to_string());
                csv.push_str(&format!("{c},{},{peak},{rec_text},{never}\n", csv_field(policy.key())));
                table.rows.push(vec![
                    c.to_string(),
                    policy.label().into(),
                    format!("{peak:.1}"),
                    rec.map_or("—".into(), |r| format!("{r:.0}")),
                    format!("{never} of {}", self.runs),
                ]);
                rows.push(Row {
                    clients: c,
                    policy: policy.key(),
                    mean_peak_attempts: peak,
                    mean_recovery_ms: rec,
                    never,
                });
            }
        }
        let series = |k: usize| {
            POLICIES
                .iter()
                .enumerate()
                .map(|(p, policy)| {
                    let v = means
                        .iter()
                        .map(|m| if k == 0 { m[p].0 } else { m[p].1.unwrap_or(f64::NAN) })
                        .collect();
                    (policy.label().to_string(), v)
                })
                .collect()
        };
        let charts = vec![
            line_chart("The herd: busiest 100 ms of attempts", "clients", "attempts", &self.clients, series(0)),
            line_chart("Time to recover after the outage", "clients", "ms", &self.clients, series(1)),
        ];
        let note = "Without jitter every call that failed in the same instant returns in the same instant, so the peak grows with the \
                    number of clients far faster than with jitter, and once it exceeds what the dependency serves, the wave itself \
                    fails and comes back again. Full and decorrelated jitter spread the same retries over the wait, keeping the peak \
                    near the offered load."
            .to_string();
        ExpOutput {
            json: json_line(&Out {
                experiment: INFO.name,
                runs: self.runs,
                results: rows,
            }),
            csv,
            charts,
            table,
            note,
        }
    }
}

pub struct RetryHerd;

impl Experiment for RetryHerd {
    fn info(&self) -> &'static ExperimentInfo {
        &INFO
    }
    fn start(&self, args: &ExpArgs) -> Result<Box<dyn ExperimentRun>, String> {
        Ok(Box::new(Sweep::new(args)))
    }
}
