//! The Clocks lab's experiments: sweeps of one setting, many seeded runs
//! per value, each run a full simulation.
//!
//! 1. `clocks-hlc-bounds`: the largest `l − pt` and `c` an HLC reaches,
//!    per clock spread ε, against Kulkarni et al.'s bounds (`l − pt ≤ ε`,
//!    Theorem 2; `c ≤ N·(ε + 1)` in ticks, Theorem 3).
//! 2. `clocks-commit-wait`: commit latency against TrueTime's ε, with and
//!    without commit wait (Spanner, §4.1.2: the wait is about 2ε; ε is 1
//!    to 7 ms in production), and how often external consistency broke.
//! 3. `clocks-lww-lost-updates`: the share of writes last-writer-wins on
//!    wall clocks loses, against the clock skew, at a given write rate.

use super::{scenarios::commit_latencies, Clocks, ClocksConfig, Lww, Safety, EXTERNAL_CONSISTENCY};
use crate::kernel::{SimRng, World};
use crate::labs::experiment::{
    csv_field, json_line, line_chart as lines, point_seed, ExpArgs, ExpDefault, ExpOutput, ExpParam,
    Experiment, ExperimentInfo, ExperimentRun, Table, SEED,
};
use crate::labs::params::Kind;
use serde::Serialize;

pub static ALL: &[&dyn Experiment] = &[&HlcBounds, &CommitWait, &LwwLost];

/// Most trials per value.
pub const TRIALS_MAX: i64 = 10_000;
/// Virtual time of one trial.
const RUN_US: u64 = 2_000_000;

fn run_world(c: ClocksConfig, seed: u64) -> World<Clocks> {
    let mut w = World::new(Clocks::new(c), seed, vec![]);
    while w.next_live_event_time().is_some_and(|t| t <= RUN_US) && w.step(None).is_some() {}
    w
}

/// Offsets spread uniformly over `[0, spread_us]`, drawn from the trial's seed.
fn offsets_ms(n: u8, spread_ms: i64, seed: u64) -> Vec<i64> {
    let mut r = SimRng::new(seed ^ 0x0ff5e7);
    (0..n)
        .map(|i| {
            if i == 0 {
                0
            } else if i == 1 {
                spread_ms
            } else {
                r.range_u64(0, spread_ms.max(0) as u64) as i64
            }
        })
        .collect()
}

/// What a sweep's rows become: per x, per trial, the trial's numbers.
type Output = fn(&[i64], u32, &[Vec<Vec<f64>>]) -> ExpOutput;

/// A sweep in progress: for each x, `trials` runs giving a row of numbers.
struct Sweep {
    xs: Vec<i64>,
    trials: u32,
    seed: u64,
    done: usize,
    rows: Vec<Vec<Vec<f64>>>,
    /// A second argument every trial gets (the write gap), or 0.
    extra: i64,
    trial: fn(i64, i64, u64) -> Vec<f64>,
    output: Output,
}

impl ExperimentRun for Sweep {
    fn progress(&self) -> (u64, u64) {
        (
            self.done as u64,
            (self.xs.len() * self.trials as usize) as u64,
        )
    }
    fn run_some(&mut self, budget: u32) -> bool {
        let total = self.xs.len() * self.trials as usize;
        for _ in 0..budget.max(1) {
            if self.done >= total {
                break;
            }
            let (i, t) = (
                self.done / self.trials as usize,
                (self.done % self.trials as usize) as u32,
            );
            let x = self.xs[i];
            self.rows[i].push((self.trial)(x, self.extra, point_seed(self.seed, x, 0, t)));
            self.done += 1;
        }
        self.done >= total
    }
    fn output(&self) -> ExpOutput {
        (self.output)(&self.xs, self.trials, &self.rows)
    }
}

fn start(
    args: &ExpArgs,
    xs_flag: &str,
    extra: i64,
    default_trials: i64,
    trial: fn(i64, i64, u64) -> Vec<f64>,
    output: Output,
) -> Sweep {
    let xs = args.get(xs_flag).map(|v| v.as_list()).unwrap_or_default();
    let trials = args
        .get("trials")
        .map(|v| v.as_int())
        .unwrap_or(default_trials)
        .clamp(1, TRIALS_MAX) as u32;
    let seed = args.get("seed").map(|v| v.as_int()).unwrap_or(1).max(0) as u64;
    let n = xs.len();
    Sweep {
        xs,
        trials,
        seed,
        done: 0,
        rows: vec![Vec::new(); n],
        extra,
        trial,
        output,
    }
}

fn column(rows: &[Vec<f64>], k: usize) -> impl Iterator<Item = f64> + '_ {
    rows.iter().map(move |r| r[k])
}
fn max_of(rows: &[Vec<f64>], k: usize) -> f64 {
    column(rows, k).fold(0.0, f64::max)
}
fn mean_of(rows: &[Vec<f64>], k: usize) -> f64 {
    if rows.is_empty() {
        0.0
    } else {
        column(rows, k).sum::<f64>() / rows.len() as f64
    }
}

// ---- 1. HLC bounds ---------------------------------------------------------------

const HLC_N: u8 = 4;

pub static HLC_INFO: ExperimentInfo = ExperimentInfo {
    name: "clocks-hlc-bounds",
    title: "How far does an HLC drift from its clock?",
    about: "Four processes on clocks spread over ε ms (one at 0, one at ε, the rest in between), HLC at 1 ms ticks, messages every 20 ms and \
            local events every 50 ms per process, 1–10 ms latency, 2 s per run. For each ε: the largest l − pt and the largest c seen over \
            all runs, beside the paper's bounds ε and N·(ε + 1).",
    reproduces: "Kulkarni et al., Logical Physical Clocks (OPODIS 2014), Theorems 2 and 3: l − pt ≤ ε and c ≤ N·(ε + 1)",
    params: &[
        ExpParam {
            flag: "eps",
            label: "Clock spreads ε",
            kind: Kind::List { min: 0, max: 10_000 },
            default: ExpDefault::List(&[0, 1, 5, 20, 100, 200]),
            help: "Spreads of the clocks, ms.",
        },
        ExpParam {
            flag: "trials",
            label: "Trials per ε",
            kind: Kind::Int { min: 1, max: TRIALS_MAX },
            default: ExpDefault::Int(50),
            help: "Seeded runs per ε.",
        },
        SEED,
    ],
    output_json: "{\"experiment\",\"trials\",\"results\":[{\"eps_ms\",\"max_l_minus_pt_ms\",\"bound_l_minus_pt_ms\",\"max_c\",\"bound_c\"}]}",
    output_csv: "eps_ms,trial,max_l_minus_pt_ms,max_c (one row per run)",
};

pub struct HlcBounds;

fn hlc_trial(eps_ms: i64, _: i64, seed: u64) -> Vec<f64> {
    let c = ClocksConfig {
        n_procs: HLC_N,
        local_ms: 50,
        send_ms: 20,
        write_ms: 0,
        txn_ms: 0,
        latency_us_min: 1_000,
        latency_us_max: 10_000,
        offset_ms: offsets_ms(HLC_N, eps_ms, seed),
        hlc_tick_us: 1_000,
        ..ClocksConfig::default()
    };
    let w = run_world(c, seed);
    vec![
        w.checker.max_l_minus_pt as f64,
        w.checker.max_c as f64,
        w.violations.len() as f64,
    ]
}

#[derive(Serialize)]
struct HlcRow {
    eps_ms: i64,
    max_l_minus_pt_ms: f64,
    bound_l_minus_pt_ms: i64,
    max_c: f64,
    bound_c: i64,
    violations: f64,
}

fn hlc_output(xs: &[i64], trials: u32, rows: &[Vec<Vec<f64>>]) -> ExpOutput {
    let results: Vec<HlcRow> = xs
        .iter()
        .zip(rows)
        .map(|(x, r)| HlcRow {
            eps_ms: *x,
            max_l_minus_pt_ms: max_of(r, 0),
            bound_l_minus_pt_ms: *x,
            max_c: max_of(r, 1),
            bound_c: HLC_N as i64 * (x + 1),
            violations: column(r, 2).sum(),
        })
        .collect();
    #[derive(Serialize)]
    struct Out<'a> {
        experiment: &'static str,
        trials: u32,
        results: &'a [HlcRow],
    }
    let json = json_line(&Out {
        experiment: HLC_INFO.name,
        trials,
        results: &results,
    });
    let mut csv = String::from("eps_ms,trial,max_l_minus_pt_ms,max_c\n");
    for (x, r) in xs.iter().zip(rows) {
        for (t, v) in r.iter().enumerate() {
            csv.push_str(&format!("{x},{t},{},{}\n", v[0], v[1]));
        }
    }
    let table = Table {
        headers: [
            "ε (ms)",
            "max l − pt (ms)",
            "bound ε",
            "max c",
            "bound N(ε+1)",
            "violations",
        ]
        .map(String::from)
        .to_vec(),
        rows: results
            .iter()
            .map(|r| {
                vec![
                    r.eps_ms.to_string(),
                    r.max_l_minus_pt_ms.to_string(),
                    r.bound_l_minus_pt_ms.to_string(),
                    r.max_c.to_string(),
                    r.bound_c.to_string(),
                    r.violations.to_string(),
                ]
            })
            .collect(),
    };
    let chart = lines(
        "HLC: l − pt against the clock spread",
        "clock spread ε (ms)",
        "ms",
        xs,
        vec![
            (
                "max l − pt".into(),
                results.iter().map(|r| r.max_l_minus_pt_ms).collect(),
            ),
            ("bound ε".into(), xs.iter().map(|x| *x as f64).collect()),
        ],
    );
    let note = "l − pt reaches the bound ε when a message from the fastest clock reaches the slowest one, and never passes it. c stays far \
                below N·(ε + 1): the paper's bound is a worst case over adversarial schedules, and c only counts while l waits for the \
                clock to catch up."
        .into();
    ExpOutput {
        json,
        csv,
        charts: vec![chart],
        table,
        note,
    }
}

impl Experiment for HlcBounds {
    fn info(&self) -> &'static ExperimentInfo {
        &HLC_INFO
    }
    fn start(&self, args: &ExpArgs) -> Result<Box<dyn ExperimentRun>, String> {
        Ok(Box::new(start(args, "eps", 0, 50, hlc_trial, hlc_output)))
    }
}

// ---- 2. Commit wait ---------------------------------------------------------------

pub static COMMIT_INFO: ExperimentInfo = ExperimentInfo {
    name: "clocks-commit-wait",
    title: "What does commit wait cost?",
    about: "Three processes whose clocks are within ±ε/2 of true time run transactions every 20 ms for 2 s, with and without commit wait. \
            For each TrueTime ε: the mean commit latency (start to acknowledgement) and the runs in which external consistency broke.",
    reproduces: "Corbett et al., Spanner (OSDI 2012), §4.1.2 and §5.3: commit wait lasts about 2ε; ε is 1 to 7 ms",
    params: &[
        ExpParam {
            flag: "eps",
            label: "TrueTime ε",
            kind: Kind::List { min: 0, max: 1_000 },
            default: ExpDefault::List(&[1, 2, 3, 4, 5, 6, 7, 10]),
            help: "ε values, ms.",
        },
        ExpParam {
            flag: "trials",
            label: "Trials per ε",
            kind: Kind::Int { min: 1, max: TRIALS_MAX },
            default: ExpDefault::Int(20),
            help: "Seeded runs per ε and setting.",
        },
        SEED,
    ],
    output_json:
        "{\"experiment\",\"trials\",\"results\":[{\"eps_ms\",\"latency_ms_wait\",\"latency_ms_no_wait\",\"broken_runs_wait\",\"broken_runs_no_wait\"}]}",
    output_csv: "eps_ms,trial,latency_ms_wait,latency_ms_no_wait,broken_wait,broken_no_wait (one row per run)",
};

pub struct CommitWait;

fn commit_trial(eps_ms: i64, _: i64, seed: u64) -> Vec<f64> {
    let half = eps_ms * 1000 / 2;
    let mut r = SimRng::new(seed ^ 0x77);
    let n = 3u8;
    let offsets: Vec<i64> = (0..n)
        .map(|_| r.range_u64(0, 2 * half as u64) as i64 - half)
        .collect();
    let mut out = Vec::new();
    for wait in [true, false] {
        let c = ClocksConfig {
            n_procs: n,
            local_ms: 0,
            send_ms: 0,
            write_ms: 0,
            txn_ms: 20,
            tt_eps_us: eps_ms as u64 * 1000,
            offset_ms: vec![0; n as usize],
            safety: Safety {
                commit_wait: wait,
                ..Safety::default()
            },
            ..ClocksConfig::default()
        };
        let mut w = World::new(
            Clocks::new(c),
            seed,
            offsets
                .iter()
                .enumerate()
                .map(|(i, o)| {
                    (
                        0,
                        crate::kernel::Input::ClockOffset(
                            crate::kernel::Who::Id(crate::kernel::NodeId(i as u8)),
                            *o,
                        ),
                    )
                })
                .collect(),
        );
        while w.next_live_event_time().is_some_and(|t| t <= RUN_US) && w.step(None).is_some() {}
        let lat = commit_latencies(&w);
        out.push(if lat.is_empty() {
            0.0
        } else {
            lat.iter().sum::<u64>() as f64 / lat.len() as f64 / 1000.0
        });
        out.push(
            w.violations
                .iter()
                .any(|v| v.invariant == EXTERNAL_CONSISTENCY.name) as u8 as f64,
        );
    }
    vec![out[0], out[2], out[1], out[3]]
}

#[derive(Serialize)]
struct CommitRow {
    eps_ms: i64,
    latency_ms_wait: f64,
    latency_ms_no_wait: f64,
    broken_runs_wait: f64,
    broken_runs_no_wait: f64,
}

fn commit_output(xs: &[i64], trials: u32, rows: &[Vec<Vec<f64>>]) -> ExpOutput {
    let round = |v: f64| (v * 1000.0).round() / 1000.0;
    let results: Vec<CommitRow> = xs
        .iter()
        .zip(rows)
        .map(|(x, r)| CommitRow {
            eps_ms: *x,
            latency_ms_wait: round(mean_of(r, 0)),
            latency_ms_no_wait: round(mean_of(r, 1)),
            broken_runs_wait: column(r, 2).sum(),
            broken_runs_no_wait: column(r, 3).sum(),
        })
        .collect();
    #[derive(Serialize)]
    struct Out<'a> {
        experiment: &'static str,
        trials: u32,
        results: &'a [CommitRow],
    }
    let json = json_line(&Out {
        experiment: COMMIT_INFO.name,
        trials,
        results: &results,
    });
    let mut csv = String::from(
        "eps_ms,trial,latency_ms_wait,latency_ms_no_wait,broken_wait,broken_no_wait\n",
    );
    for (x, r) in xs.iter().zip(rows) {
        for (t, v) in r.iter().enumerate() {
            csv.push_str(&format!("{x},{t},{},{},{},{}\n", v[0], v[1], v[2], v[3]));
        }
    }
    let table = Table {
        headers: [
            "ε (ms)",
            "latency, wait (ms)",
            "latency, no wait (ms)",
            "2ε (ms)",
            "broken runs, wait",
            "broken runs, no wait",
        ]
        .map(String::from)
        .to_vec(),
        rows: results
            .iter()
            .map(|r| {
                vec![
                    r.eps_ms.to_string(),
                    r.latency_ms_wait.to_string(),
                    r.latency_ms_no_wait.to_string(),
                    (2 * r.eps_ms).to_string(),
                    r.broken_runs_wait.to_string(),
                    csv_field(&r.broken_runs_no_wait.to_string()),
                ]
            })
            .collect(),
    };
    let chart = lines(
        "Commit latency against ε",
        "TrueTime ε (ms)",
        "mean commit latency (ms)",
        xs,
        vec![
            (
                "commit wait".into(),
                results.iter().map(|r| r.latency_ms_wait).collect(),
            ),
            (
                "no wait".into(),
                results.iter().map(|r| r.latency_ms_no_wait).collect(),
            ),
        ],
    );
    let note = "With commit wait every transaction waits 2ε and a microsecond (s = latest = local + ε; the ack needs local − ε > s), as \
                Spanner reports; without it, commits are immediate and some runs break external consistency."
        .into();
    ExpOutput {
        json,
        csv,
        charts: vec![chart],
        table,
        note,
    }
}

impl Experiment for CommitWait {
    fn info(&self) -> &'static ExperimentInfo {
        &COMMIT_INFO
    }
    fn start(&self, args: &ExpArgs) -> Result<Box<dyn ExperimentRun>, String> {
        Ok(Box::new(start(
            args,
            "eps",
            0,
            20,
            commit_trial,
            commit_output,
        )))
    }
}

// ---- 3. Lost updates -----------------------------------------------------------------

pub static LWW_INFO: ExperimentInfo = ExperimentInfo {
    name: "clocks-lww-lost-updates",
    title: "How many writes does wall-clock LWW lose?",
    about: "Three processes write one key every write_ms (default 50 ms) each on average (a write is replicated to the others over 5–20 ms), for 2 s, \
            the store keeping the write with the highest wall-clock stamp. The clocks are spread over the skew (one at 0, one at the skew, \
            one between). For each skew: the share of writes lost (thrown away somewhere for a write they causally follow).",
    reproduces: "Kleppmann, Designing Data-Intensive Applications (2017), ch. 8, 'Timestamps for ordering events': LWW with skewed clocks silently drops causally later writes",
    params: &[
        ExpParam { flag: "skew", label: "Clock skews", kind: Kind::List { min: 0, max: 10_000 }, default: ExpDefault::List(&[0, 1, 5, 10, 20, 50, 100, 200]), help: "Skews, ms." },
        ExpParam { flag: "write_ms", label: "Mean gap between writes", kind: Kind::Int { min: 10, max: 60_000 }, default: ExpDefault::Int(50), help: "Per process, ms." },
        ExpParam { flag: "trials", label: "Trials per skew", kind: Kind::Int { min: 1, max: TRIALS_MAX }, default: ExpDefault::Int(20), help: "Seeded runs per skew." },
        SEED,
    ],
    output_json: "{\"experiment\",\"trials\",\"results\":[{\"skew_ms\",\"writes\",\"lost_updates\",\"lost_per_write\"}]}",
    output_csv: "skew_ms,trial,writes,lost_updates (one row per run)",
};

pub struct LwwLost;

fn lww_trial(skew_ms: i64, write_ms: i64, seed: u64) -> Vec<f64> {
    let c = ClocksConfig {
        n_procs: 3,
        local_ms: 0,
        send_ms: 0,
        write_ms: write_ms.max(10) as u64,
        txn_ms: 0,
        n_keys: 1,
        latency_us_min: 5_000,
        latency_us_max: 20_000,
        offset_ms: offsets_ms(3, skew_ms, seed),
        lww: Lww::Wall,
        ..ClocksConfig::default()
    };
    let w = run_world(c, seed);
    let writes = w
        .nodes
        .iter()
        .flat_map(|p| &p.events)
        .filter(|e| e.kind.name() == "write")
        .count();
    vec![writes as f64, w.checker.lost.len() as f64]
}

#[derive(Serialize)]
struct LwwRow {
    skew_ms: i64,
    writes: f64,
    lost_updates: f64,
    lost_per_write: f64,
}

fn lww_output(xs: &[i64], trials: u32, rows: &[Vec<Vec<f64>>]) -> ExpOutput {
    let results: Vec<LwwRow> = xs
        .iter()
        .zip(rows)
        .map(|(x, r)| {
            let (writes, lost) = (column(r, 0).sum::<f64>(), column(r, 1).sum::<f64>());
            LwwRow {
                skew_ms: *x,
                writes,
                lost_updates: lost,
                lost_per_write: if writes > 0.0 {
                    (lost / writes * 10_000.0).round() / 10_000.0
                } else {
                    0.0
                },
            }
        })
        .collect();
    #[derive(Serialize)]
    struct Out<'a> {
        experiment: &'static str,
        trials: u32,
        results: &'a [LwwRow],
    }
    let json = json_line(&Out {
        experiment: LWW_INFO.name,
        trials,
        results: &results,
    });
    let mut csv = String::from("skew_ms,trial,writes,lost_updates\n");
    for (x, r) in xs.iter().zip(rows) {
        for (t, v) in r.iter().enumerate() {
            csv.push_str(&format!("{x},{t},{},{}\n", v[0], v[1]));
        }
    }
    let table = Table {
        headers: ["skew (ms)", "writes", "lost updates", "lost per write"]
            .map(String::from)
            .to_vec(),
        rows: results
            .iter()
            .map(|r| {
                vec![
                    r.skew_ms.to_string(),
                    r.writes.to_string(),
                    r.lost_updates.to_string(),
                    r.lost_per_write.to_string(),
                ]
            })
            .collect(),
    };
    let chart = lines(
        "Lost updates against clock skew",
        "clock skew (ms)",
        "lost updates per write",
        xs,
        vec![(
            "wall-clock LWW".into(),
            results.iter().map(|r| r.lost_per_write).collect(),
        )],
    );
    let note = "With no skew nothing is lost; once the skew passes the replication latency, a write that has seen a fast clock's write is \
                stamped below it, and the share lost grows with the skew."
        .into();
    ExpOutput {
        json,
        csv,
        charts: vec![chart],
        table,
        note,
    }
}

impl Experiment for LwwLost {
    fn info(&self) -> &'static ExperimentInfo {
        &LWW_INFO
    }
    fn start(&self, args: &ExpArgs) -> Result<Box<dyn ExperimentRun>, String> {
        Ok(Box::new(start(
            args,
            "skew",
            args.get("write_ms").map(|v| v.as_int()).unwrap_or(50),
            20,
            lww_trial,
            lww_output,
        )))
    }
}
