//! The Raft lab's description: its card, parameter table, probes and the
//! Figure 16 experiment, registered once in [`crate::labs::registry`].

use super::experiment::{
    election_time_trial, trial_seed, ElectionTimeExperiment, RangeResult, FIG16_RANGES_MS,
    TRIALS_MAX,
};
use super::{
    probes, scenarios, Cmd, Raft, RaftConfig, RaftNode, Safety, FSYNC_US_MAX, HEARTBEAT_MS_MAX,
    LATENCY_US_MAX, LOSS_MAX, N_SERVERS_MAX, N_SERVERS_MIN, TIMEOUT_MS_MAX,
};
use crate::kernel::names::NodeGroup;
use crate::kernel::{NodeId, World};
use crate::labs::experiment::{
    csv_field, Chart, ChartKind, ExpArgs, ExpDefault, ExpOutput, ExpParam, Experiment,
    ExperimentInfo, ExperimentRun, Series, Table, SEED,
};
use crate::labs::lab::{Lab, LabInfo, Model};
use crate::labs::params::{Group, Kind, Param, Shown, Value};
use crate::labs::probe::Probe;
use crate::labs::Scenario;
use serde::Serialize;
use std::sync::atomic::{AtomicUsize, Ordering};

pub static INFO: LabInfo = LabInfo {
    id: "raft",
    short: "Raft",
    title: "Raft consensus",
    tagline: "Leader election and log replication",
    blurb: "Five servers elect a leader and replicate a log. Crash the leader, split the network, drop messages, \
            and watch Raft keep every committed entry. Switch off a safety rule and watch which invariant breaks, \
            and at which step.",
    topics: &["leader election", "terms", "log matching", "commit rule", "Figure 8", "split brain"],
    paper: "Ongaro & Ousterhout, In Search of an Understandable Consensus Algorithm (2014)",
};

const fn param(
    key: &'static str,
    label: &'static str,
    unit: &'static str,
    shown: Option<Shown>,
    kind: Kind,
    help: &'static str,
) -> Param<RaftConfig> {
    Param {
        shown,
        ..Param::new(key, label, unit, kind, help)
    }
}

const MS: Option<Shown> = Some(Shown {
    unit: "ms",
    factor: 0.001,
});
const PCT: Option<Shown> = Some(Shown {
    unit: "%",
    factor: 100.0,
});

/// The table, in the order links write it.
pub static PARAMS: &[Param<RaftConfig>] = &[
    Param {
        get: |c| Value::Int(c.n_servers as i64),
        set: |c, v| c.n_servers = v.as_int() as u8,
        ..param("n", "Servers", "", None, Kind::Int { min: N_SERVERS_MIN as i64, max: N_SERVERS_MAX as i64 }, "How many servers; a majority of them must agree.")
    },
    Param {
        get: |c| Value::Range(c.election_timeout_ms_min, c.election_timeout_ms_max),
        set: |c, v| (c.election_timeout_ms_min, c.election_timeout_ms_max) = v.as_range(),
        ..param(
            "eto",
            "Election timeout",
            "ms",
            None,
            Kind::Range { min: 1, max: TIMEOUT_MS_MAX },
            "Each follower waits a random time in this range without hearing a leader before it stands for election.",
        )
    },
    Param {
        get: |c| Value::Int(c.heartbeat_ms as i64),
        set: |c, v| c.heartbeat_ms = v.as_int() as u64,
        ..param("hb", "Heartbeat", "ms", None, Kind::Int { min: 1, max: HEARTBEAT_MS_MAX as i64 }, "How often a leader sends AppendEntries when it has nothing new.")
    },
    Param {
        get: |c| Value::Range(c.latency_us_min, c.latency_us_max),
        set: |c, v| (c.latency_us_min, c.latency_us_max) = v.as_range(),
        ..param("lat", "Latency", "µs", MS, Kind::Range { min: 0, max: LATENCY_US_MAX }, "One-way message delay, uniform in this range.")
    },
    Param {
        get: |c| Value::Float(c.loss),
        set: |c, v| c.loss = v.as_float(),
        ..param("loss", "Message loss", "", PCT, Kind::Float { min: 0.0, max: LOSS_MAX }, "Chance that a message is lost.")
    },
    Param {
        get: |c| Value::Float(c.duplicate),
        set: |c, v| c.duplicate = v.as_float(),
        ..param("dup", "Duplication", "", PCT, Kind::Float { min: 0.0, max: LOSS_MAX }, "Chance that a message is delivered twice.")
    },
    Param {
        get: |c| Value::Int(c.fsync_us as i64),
        set: |c, v| c.fsync_us = v.as_int() as u64,
        ..param(
            "fsync",
            "Disk write, fsync",
            "µs",
            MS,
            Kind::Int { min: 0, max: FSYNC_US_MAX as i64 },
            "Time to persist a new term, vote or log entries; votes and AppendEntries replies wait for it.",
        )
    },
    Param {
        group: Group::Safety,
        get: |c| Value::Flag(c.safety.up_to_date_vote),
        set: |c, v| c.safety.up_to_date_vote = v.as_flag(),
        ..param("s_vote", "Up-to-date vote check", "", None, Kind::Flag, "Vote only for a candidate whose log is at least as up to date (§5.4.1).")
    },
    Param {
        group: Group::Safety,
        get: |c| Value::Flag(c.safety.current_term_commit),
        set: |c, v| c.safety.current_term_commit = v.as_flag(),
        ..param("s_commit", "Current-term commit rule", "", None, Kind::Flag, "Count replicas only for entries of the leader's own term (§5.4.2, Figure 8).")
    },
    Param {
        group: Group::Safety,
        get: |c| Value::Flag(c.safety.persist_vote),
        set: |c, v| c.safety.persist_vote = v.as_flag(),
        ..param("s_persist", "Persist votedFor", "", None, Kind::Flag, "Remember the vote across a crash (Figure 2).")
    },
];

impl Model for Raft {
    type Config = RaftConfig;
    fn config(&self) -> &RaftConfig {
        &self.config
    }
    fn with_config(c: RaftConfig) -> Raft {
        Raft::new(c)
    }
    fn clamp(c: RaftConfig) -> RaftConfig {
        c.clamped()
    }
    fn groups(&self) -> Vec<NodeGroup> {
        self.group_array().to_vec()
    }
    fn remap_command(cmd: &Cmd, map: &dyn Fn(NodeId) -> Option<NodeId>) -> Option<Cmd> {
        Some(match cmd {
            Cmd::Timeout => Cmd::Timeout,
            // A request addressed to a server that is gone goes to the client's best guess.
            Cmd::Submit { value, to } => Cmd::Submit {
                value: *value,
                to: to.and_then(map),
            },
        })
    }
    fn summary(w: &World<Raft>) -> String {
        #[derive(Serialize)]
        struct Final {
            leader: Option<String>,
            term: u64,
        }
        let f = match scenarios::leader(w) {
            Some((id, term)) => Final {
                leader: Some(crate::kernel::Protocol::node_name(&w.proto, id)),
                term,
            },
            None => Final {
                leader: None,
                term: w
                    .nodes
                    .iter()
                    .filter_map(RaftNode::server)
                    .map(|s| s.term)
                    .max()
                    .unwrap_or(0),
            },
        };
        serde_json::to_string(&f).unwrap_or_else(|_| "{}".into())
    }
}

/// The Raft lab.
pub struct RaftLab;

impl Lab for RaftLab {
    type P = Raft;
    type Config = RaftConfig;

    fn info() -> &'static LabInfo {
        &INFO
    }
    fn params() -> &'static [Param<RaftConfig>] {
        PARAMS
    }
    fn scenarios() -> Vec<Scenario<Raft>> {
        scenarios::all()
    }
    fn default_config() -> RaftConfig {
        RaftConfig::default()
    }
    fn probes() -> &'static [Probe<Raft>] {
        probes::PROBES
    }
    fn experiments() -> &'static [&'static dyn Experiment] {
        &[&ElectionTime]
    }
}

impl Safety {
    /// The rules switched off, by name, for warnings.
    pub fn off(&self) -> Vec<&'static str> {
        [
            (!self.up_to_date_vote).then_some("up-to-date vote check"),
            (!self.current_term_commit).then_some("current-term commit rule"),
            (!self.persist_vote).then_some("persisted vote"),
        ]
        .into_iter()
        .flatten()
        .collect()
    }
}

// ---- Figure 16 -------------------------------------------------------------

pub static ELECTION_TIME_INFO: ExperimentInfo = ExperimentInfo {
    name: "raft-election-time",
    title: "How long is a cluster without a leader?",
    about: "The Raft paper's Figure 16: crash the leader of five servers and time how long until a new one is elected, for different \
            election-timeout ranges. Each trial is a full simulation with a broadcast time of about 15 ms (mostly the disk write before \
            answering). Randomness in the timeout is what breaks split votes: a little goes a long way.",
    reproduces: "Ongaro & Ousterhout (2014), Figure 16: time without a leader after a crash, for ten election-timeout ranges (5 servers, 1-2 ms network, 12 ms fsync)",
    params: &[
        ExpParam { flag: "trials", label: "Trials per range", kind: Kind::Int { min: 1, max: TRIALS_MAX as i64 }, default: ExpDefault::Int(1_000), help: "Trials per timeout range." },
        SEED,
    ],
    output_json: "{\"experiment\",\"trials\",\"results\":[{\"timeout_ms\",\"times_ms\",\"no_leader\",\"min_ms\",\"median_ms\",\"mean_ms\",\"p99_ms\",\"max_ms\"}]}",
    output_csv: "timeout_min_ms,timeout_max_ms,trial,time_ms (one row per trial; time_ms is empty when no leader was elected within 10 s)",
};

/// Figure 16 as a registered experiment.
pub struct ElectionTime;

fn args_of(args: &ExpArgs) -> (u32, u64) {
    let trials = args
        .get("trials")
        .map(|v| v.as_int())
        .unwrap_or(1_000)
        .clamp(1, TRIALS_MAX as i64) as u32;
    let seed = args.get("seed").map(|v| v.as_int()).unwrap_or(1).max(0) as u64;
    (trials, seed)
}

struct ElectionRun(ElectionTimeExperiment);

impl ExperimentRun for ElectionRun {
    fn progress(&self) -> (u64, u64) {
        let (d, t) = self.0.progress();
        (d as u64, t as u64)
    }
    fn run_some(&mut self, budget: u32) -> bool {
        self.0.run_some(budget)
    }
    fn output(&self) -> ExpOutput {
        let outcomes: Vec<Vec<Option<f64>>> = self.0.outcomes().to_vec();
        election_output(self.0.trials(), self.0.ranges(), &outcomes)
    }
}

impl Experiment for ElectionTime {
    fn info(&self) -> &'static ExperimentInfo {
        &ELECTION_TIME_INFO
    }
    fn start(&self, args: &ExpArgs) -> Result<Box<dyn ExperimentRun>, String> {
        let (trials, seed) = args_of(args);
        Ok(Box::new(ElectionRun(ElectionTimeExperiment::new(
            FIG16_RANGES_MS.to_vec(),
            trials,
            seed,
        ))))
    }
    fn run_all(&self, args: &ExpArgs) -> Result<ExpOutput, String> {
        let (trials, seed) = args_of(args);
        Ok(election_output(
            trials,
            FIG16_RANGES_MS,
            &election_outcomes(trials, seed),
        ))
    }
}

#[derive(Serialize)]
struct ElectionOut<'a> {
    experiment: &'static str,
    trials: u32,
    results: &'a [RangeResult],
}

fn election_output(trials: u32, ranges: &[(u64, u64)], outcomes: &[Vec<Option<f64>>]) -> ExpOutput {
    let results: Vec<RangeResult> = ranges
        .iter()
        .zip(outcomes)
        .map(|(r, o)| RangeResult::from_outcomes(*r, o))
        .collect();
    let mut json = serde_json::to_string(&ElectionOut {
        experiment: ELECTION_TIME_INFO.name,
        trials,
        results: &results,
    })
    .unwrap_or_else(|_| "{}".into());
    json.push('\n');
    let mut csv = String::from("timeout_min_ms,timeout_max_ms,trial,time_ms\n");
    for (range, o) in ranges.iter().zip(outcomes) {
        for (i, t) in o.iter().enumerate() {
            let t = t.map(|t| t.to_string()).unwrap_or_default();
            csv.push_str(&format!("{},{},{i},{}\n", range.0, range.1, csv_field(&t)));
        }
    }
    let series = |pick: &dyn Fn(&RangeResult) -> bool| -> Vec<Series> {
        results
            .iter()
            .filter(|r| pick(r))
            .map(|r| Series {
                label: format!("{}–{} ms", r.timeout_ms[0], r.timeout_ms[1]),
                values: r.times_ms.clone(),
                total: r.times_ms.len() + r.no_leader as usize,
            })
            .collect()
    };
    let chart = |title: &str, series: Vec<Series>, x_min: f64, x_max: f64| Chart {
        title: title.into(),
        x_label: "time without leader (ms)".into(),
        y_label: "cumulative share of trials".into(),
        kind: ChartKind::Cdf { x_min, x_max },
        series,
    };
    let f = |v: Option<f64>| v.map(|x| format!("{x:.0}")).unwrap_or_else(|| "—".into());
    let table = Table {
        headers: ["timeout (ms)", "median", "mean", "p99", "max", "no leader"]
            .map(String::from)
            .to_vec(),
        rows: results
            .iter()
            .map(|r| {
                vec![
                    format!("{}–{}", r.timeout_ms[0], r.timeout_ms[1]),
                    f(r.median_ms),
                    f(r.mean_ms),
                    f(r.p99_ms),
                    f(r.max_ms),
                    r.no_leader.to_string(),
                ]
            })
            .collect(),
    };
    ExpOutput {
        json,
        csv,
        charts: vec![
            chart("Varying randomness (150–X ms)", series(&|r| r.timeout_ms[0] == 150), 100.0, 12_000.0),
            chart("Varying the timeout scale", series(&|r| r.timeout_ms[0] < 150 || r.timeout_ms == [150, 300]), 10.0, 3_000.0),
        ],
        table,
        note: "Times in ms from the crash to the next leader. Compare the paper: with no randomness (150–150) split votes drag the tail out \
               to seconds; 5 ms of randomness already helps, and 150–300 ms elects a leader in under 300 ms almost always."
            .into(),
    }
}

/// Trials one thread takes at a time: small enough to share the slow
/// ranges between cores, large enough to make the bookkeeping negligible.
const TRIALS_PER_CHUNK: u32 = 50;
/// Most worker threads, whatever the machine offers.
const THREADS_MAX: usize = 16;

/// Every trial of every range, as [`ElectionTimeExperiment`] would run
/// them, spread over the machine's cores. Each chunk's outcomes land in
/// their own slot, so the result does not depend on which thread ran what.
/// Where threads cannot start (the browser), everything runs here.
fn election_outcomes(trials: u32, base_seed: u64) -> Vec<Vec<Option<f64>>> {
    let chunks: Vec<(usize, u32, u32)> = FIG16_RANGES_MS
        .iter()
        .enumerate()
        .flat_map(|(r, _)| {
            (0..trials)
                .step_by(TRIALS_PER_CHUNK as usize)
                .map(move |s| (r, s, (s + TRIALS_PER_CHUNK).min(trials)))
        })
        .collect();
    let run_chunk = |&(r, start, end): &(usize, u32, u32)| -> Vec<Option<f64>> {
        let range = FIG16_RANGES_MS[r];
        (start..end)
            .map(|i| election_time_trial(range, trial_seed(base_seed, range, i)))
            .collect()
    };
    let next = AtomicUsize::new(0);
    let worker = || {
        let mut done = Vec::new();
        loop {
            let k = next.fetch_add(1, Ordering::Relaxed);
            let Some(chunk) = chunks.get(k) else {
                break done;
            };
            done.push((k, run_chunk(chunk)));
        }
    };
    let n_threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .clamp(1, THREADS_MAX);
    let mut slots: Vec<Option<Vec<Option<f64>>>> = vec![None; chunks.len()];
    std::thread::scope(|scope| {
        let helpers: Vec<_> = (1..n_threads)
            .filter_map(|_| std::thread::Builder::new().spawn_scoped(scope, worker).ok())
            .collect();
        for (k, o) in worker() {
            slots[k] = Some(o);
        }
        for h in helpers {
            if let Ok(done) = h.join() {
                for (k, o) in done {
                    slots[k] = Some(o);
                }
            }
        }
    });
    let mut per_range: Vec<Vec<Option<f64>>> = vec![Vec::new(); FIG16_RANGES_MS.len()];
    for (slot, chunk) in slots.into_iter().zip(&chunks) {
        // A chunk lost with a failed thread is run again here.
        let outcomes = slot.unwrap_or_else(|| run_chunk(chunk));
        per_range[chunk.0].extend(outcomes);
    }
    per_range
}
