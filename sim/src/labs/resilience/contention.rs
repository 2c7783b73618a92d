//! The contention experiment behind "Exponential Backoff and Jitter"
//! (Marc Brooker, AWS Architecture Blog, 2015).
//!
//! One row in a remote store guarded by optimistic concurrency: `N`
//! clients start together, and each updates the row exactly once. A
//! client reads the row's version, then writes with that version; the
//! write succeeds only if nobody has written since, and a client whose
//! write fails waits (its backoff policy) and starts over with a new
//! read. Every message takes `|N(10 ms, 2 ms)|`; backoff base 5 ms, cap
//! 2 s. Counted per run: the writes the store served ("calls") and the
//! time the last client finished.
//!
//! As in the post, the wait before retry `k` (first retry `k = 1`) grows
//! from `base · 2^k`, and a client's next read leaves after one network
//! delay plus the wait. The normal delay is drawn as an Irwin–Hall sum
//! of twelve uniform integers (mean 6σ, standard deviation σ), so every
//! time is a whole microsecond and a seed gives the same run everywhere.
//!
//! Bounds: at most [`CLIENTS_MAX`] clients, [`RUNS_MAX`] runs per point,
//! and [`ATTEMPTS_MAX`] attempts per client (never reached by the
//! policies here; a client that reached it would stop and be counted).

use super::backoff::{Backoff, Policy};
use crate::kernel::{SimRng, TimeUs};
use crate::labs::experiment::{
    csv_field, json_line, line_chart, point_seed, sweep_cell, ExpArgs, ExpDefault, ExpOutput, ExpParam, Experiment,
    ExperimentInfo, ExperimentRun, Table, SEED,
};
use crate::labs::params::Kind;
use serde::Serialize;
use std::cmp::Reverse;
use std::collections::BinaryHeap;

pub const CLIENTS_MAX: i64 = 500;
pub const RUNS_MAX: i64 = 1_000;
pub const ATTEMPTS_MAX: u32 = 10_000;
/// The post's network: mean and standard deviation of one delay.
pub const DELAY_MEAN_US: TimeUs = 10_000;
pub const DELAY_SD_US: TimeUs = 2_000;
/// The post's backoff.
pub const BASE_US: TimeUs = 5_000;
pub const CAP_US: TimeUs = 2_000_000;

/// The policies the post compares, in its order of keys.
pub const POLICIES: [Policy; 5] = [
    Policy::None,
    Policy::Exponential,
    Policy::Equal,
    Policy::Full,
    Policy::Decorrelated,
];

/// `|N(mean, sd)|` in whole microseconds (Irwin–Hall, twelve uniforms).
pub fn delay_us(rng: &mut SimRng) -> TimeUs {
    let sum: i64 = (0..12).map(|_| rng.range_u64(0, DELAY_SD_US) as i64).sum();
    (DELAY_MEAN_US as i64 - 6 * DELAY_SD_US as i64 + sum).unsigned_abs()
}

/// One run's totals.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RunResult {
    /// Writes the store served, successful or not.
    pub calls: u64,
    /// When the last client finished.
    pub completion_us: TimeUs,
    /// Clients that stopped at [`ATTEMPTS_MAX`].
    pub gave_up: u32,
    /// The row's version at the end: one per successful write.
    pub written: u64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Step {
    /// The read reaches the store.
    Read,
    /// The version reaches the client; its write leaves.
    Version(u64),
    /// The write reaches the store with the version read.
    Write(u64),
    /// The store's answer reaches the client.
    Answer(bool),
}

/// Events by (time, sequence): the client and what reaches whom.
type Queue = BinaryHeap<Reverse<(TimeUs, u64, u32, Step)>>;

/// One run of `clients` clients under `policy`, from `seed`.
pub fn run(clients: u32, policy: Policy, seed: u64) -> RunResult {
    let backoff = Backoff {
        policy,
        base_us: BASE_US,
        cap_us: CAP_US,
    };
    let mut rng = SimRng::new(seed);
    let mut version = 0u64;
    let mut seq = 0u64;
    // (time, sequence) orders events; the sequence breaks ties in the
    // order they were scheduled.
    let mut queue: Queue = BinaryHeap::new();
    let mut push = |q: &mut Queue, t: TimeUs, c: u32, s: Step| {
        q.push(Reverse((t, seq, c, s)));
        seq += 1;
    };
    let mut attempts = vec![0u32; clients as usize];
    let mut last_wait = vec![BASE_US; clients as usize];
    for c in 0..clients {
        let d = delay_us(&mut rng);
        push(&mut queue, d, c, Step::Read);
    }
    let mut out = RunResult {
        calls: 0,
        completion_us: 0,
        gave_up: 0,
        written: 0,
    };
    while let Some(Reverse((t, _, c, step))) = queue.pop() {
        out.completion_us = t;
        let d = delay_us(&mut rng);
        match step {
            Step::Read => push(&mut queue, t + d, c, Step::Version(version)),
            Step::Version(v) => push(&mut queue, t + d, c, Step::Write(v)),
            Step::Write(v) => {
                out.calls += 1;
                let ok = v == version;
                if ok {
                    version += 1;
                }
                push(&mut queue, t + d, c, Step::Answer(ok));
            }
            Step::Answer(true) => {}
            Step::Answer(false) => {
                let i = c as usize;
                attempts[i] += 1;
                if attempts[i] >= ATTEMPTS_MAX {
                    out.gave_up += 1;
                    continue;
                }
                let w = backoff.wait_us(attempts[i], last_wait[i], &mut rng);
                last_wait[i] = w;
                push(&mut queue, t + d + w, c, Step::Read);
            }
        }
    }
    out.written = version;
    out
}

pub static INFO: ExperimentInfo = ExperimentInfo {
    name: "backoff-contention",
    title: "Which backoff gets contending clients through fastest?",
    about: "N clients each update one row once with optimistic concurrency (read the version, write with it, start over if someone wrote \
            first). Messages take |N(10, 2)| ms; a failed client waits by its policy (base 5 ms, cap 2 s) before it reads again. Per client \
            count and policy: the mean writes the store served and the mean time until the last client finished.",
    reproduces: "Marc Brooker, \"Exponential Backoff and Jitter\", AWS Architecture Blog (March 2015): exponential backoff without jitter takes \
                 by far the longest; full jitter does the least work; decorrelated jitter is close to full",
    params: &[
        ExpParam {
            flag: "clients",
            label: "Clients",
            kind: Kind::List {
                min: 1,
                max: CLIENTS_MAX,
            },
            default: ExpDefault::List(&[10, 20, 30, 40, 50]),
            help: "Client counts to compare.",
        },
        ExpParam {
            flag: "runs",
            label: "Runs per point",
            kind: Kind::Int {
                min: 1,
                max: RUNS_MAX,
            },
            default: ExpDefault::Int(100),
            help: "Seeded runs per client count and policy.",
        },
        SEED,
    ],
    output_json: "{\"experiment\",\"runs\",\"results\":[{\"clients\",\"policy\",\"mean_calls\",\"mean_completion_ms\"}]}",
    output_csv: "clients,policy,mean_calls,mean_completion_ms",
};

/// The experiment in progress: for each client count and policy, `runs` runs.
pub struct Sweep {
    clients: Vec<i64>,
    runs: u32,
    seed: u64,
    done: usize,
    /// Per (client count, policy): summed calls, completion and gave-ups.
    sums: Vec<[u64; 3]>,
}

impl Sweep {
    pub fn new(args: &ExpArgs) -> Sweep {
        let clients: Vec<i64> = args
            .get("clients")
            .map(|v| v.as_list())
            .unwrap_or_else(|| vec![10, 20, 30, 40, 50])
            .into_iter()
            .map(|c| c.clamp(1, CLIENTS_MAX))
            .collect();
        let runs = args
            .get("runs")
            .map(|v| v.as_int())
            .unwrap_or(100)
            .clamp(1, RUNS_MAX) as u32;
        let seed = args.get("seed").map(|v| v.as_int()).unwrap_or(1).max(0) as u64;
        let n = clients.len() * POLICIES.len();
        Sweep {
            clients,
            runs,
            seed,
            done: 0,
            sums: vec![[0; 3]; n],
        }
    }

    fn total(&self) -> usize {
        self.sums.len() * self.runs as usize
    }

    /// Mean calls and mean completion (ms) per client count, per policy.
    pub fn means(&self) -> Vec<Vec<(f64, f64)>> {
        let runs = self.runs as f64;
        self.clients
            .iter()
            .enumerate()
            .map(|(i, _)| {
                (0..POLICIES.len())
                    .map(|p| {
                        let s = self.sums[i * POLICIES.len() + p];
                        (s[0] as f64 / runs, s[1] as f64 / runs / 1_000.0)
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
        // A run of 50 clients without backoff is about 5,000 events: a
        // unit of work is one run.
        for _ in 0..budget.max(1) {
            if self.done >= self.total() {
                break;
            }
            let (ci, p, r) = sweep_cell(self.done, self.runs, POLICIES.len());
            let cell = ci * POLICIES.len() + p;
            let clients = self.clients[ci];
            let res = run(
                clients as u32,
                POLICIES[p],
                point_seed(self.seed, clients, p, r),
            );
            let s = &mut self.sums[cell];
            s[0] += res.calls;
            s[1] += res.completion_us;
            s[2] += res.gave_up as u64;
            self.done += 1;
        }
        self.done >= self.total()
    }

    fn output(&self) -> ExpOutput {
        #[derive(Serialize)]
        struct Row {
            clients: i64,
            policy: &'static str,
            mean_calls: f64,
            mean_completion_ms: f64,
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
        let mut csv = String::from("clients,policy,mean_calls,mean_completion_ms\n");
        let mut table = Table {
            headers: vec![
                "Clients".into(),
                "Policy".into(),
                "Mean calls".into(),
                "Mean completion (ms)".into(),
            ],
            rows: Vec::new(),
        };
        for (i, &c) in self.clients.iter().enumerate() {
            for (p, policy) in POLICIES.iter().enumerate() {
                let (calls, ms) = means[i][p];
                let (calls, ms) = (round(calls), round(ms));
                csv.push_str(&format!("{c},{},{calls},{ms}\n", csv_field(policy.key())));
                table.rows.push(vec![
                    c.to_string(),
                    policy.label().into(),
                    format!("{calls:.1}"),
                    format!("{ms:.1}"),
                ]);
                rows.push(Row {
                    clients: c,
                    policy: policy.key(),
                    mean_calls: calls,
                    mean_completion_ms: ms,
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
                        .map(|m| if k == 0 { m[p].0 } else { m[p].1 })
                        .collect();
                    (policy.label().to_string(), v)
                })
                .collect()
        };
        let charts = vec![
            line_chart(
                "Work: writes the store served",
                "clients",
                "mean calls",
                &self.clients,
                series(0),
            ),
            line_chart(
                "Time until the last client finished",
                "clients",
                "mean completion (ms)",
                &self.clients,
                series(1),
            ),
        ];
        let gave_up: u64 = self.sums.iter().map(|s| s[2]).sum();
        let mut note = "Read it as the post does: without jitter, exponential backoff's clients come back together, so every round still has \
                        one winner and the rest wait ever longer; jitter spreads the retries so that most reads find the row free. Full \
                        jitter should make the fewest calls, decorrelated close behind, and plain exponential the slowest by far."
            .to_string();
        if gave_up > 0 {
            note.push_str(&format!(
                " {gave_up} clients stopped at the limit of {ATTEMPTS_MAX} attempts."
            ));
        }
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

pub struct BackoffContention;

impl Experiment for BackoffContention {
    fn info(&self) -> &'static ExperimentInfo {
        &INFO
    }
    fn start(&self, args: &ExpArgs) -> Result<Box<dyn ExperimentRun>, String> {
        Ok(Box::new(Sweep::new(args)))
    }
}

#[cfg(test)]
mod tests;
