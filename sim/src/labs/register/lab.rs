//! The CAP lab and the Quorum lab: two lab descriptions over the one
//! replicated-register protocol, with their own cards, parameter tables
//! (the CAP lab runs CP or AP; the Quorum lab runs quorum mode with N, W
//! and R), scenarios, probes and experiments.

use super::{
    counters, probes, scenarios, Cmd, Conflict, Mode, Register, RegisterConfig, INTERVAL_MS_MAX,
    INTERVAL_MS_MIN, LATENCY_US_MAX, LOSS_MAX, N_CLIENTS_MAX, N_REPLICAS_MAX, N_REPLICAS_MIN,
    SKEW_MS_MAX,
};
use crate::kernel::names::NodeGroup;
use crate::kernel::{NodeId, World};
use crate::labs::experiment::{
    Chart, ChartKind, ExpArgs, ExpDefault, ExpOutput, ExpParam, Experiment, ExperimentInfo,
    ExperimentRun, Series, Table, SEED,
};
use crate::labs::lab::{Lab, LabInfo, Model};
use crate::labs::params::{Choice, Group, Kind, Param, Shown, Value};
use crate::labs::probe::Probe;
use crate::labs::Scenario;
use crate::pbs::{self, PbsConfig, TPoint};
use serde::Serialize;

pub static CAP_INFO: LabInfo = LabInfo {
    id: "cap",
    short: "CAP and PACELC",
    title: "CAP and PACELC",
    tagline: "Consistency or availability, on one register",
    blurb: "Five replicas in CP (ABD majority quorums) or AP (last-writer-wins or version vectors). Split the network \
            and count, per side, what is served, refused, read stale or lost; run both modes side by side on the same \
            faults, and see what consistency costs with no partition at all. Check any history for linearizability.",
    topics: &["CAP", "PACELC", "ABD", "linearizability", "last-writer-wins", "version vectors", "history checking"],
    paper: "Gilbert & Lynch's partition argument (2002) on an ABD register (Attiya, Bar-Noy & Dolev, 1995); Abadi's PACELC (2012)",
};

pub static QUORUM_INFO: LabInfo = LabInfo {
    id: "quorum",
    short: "Quorums",
    title: "Quorums, Dynamo style",
    tagline: "N, W, R and how stale a read can be",
    blurb: "Turn N, W and R and watch each read's replica set meet the last write's — or miss it when W + R ≤ N. \
            Switch on sloppy quorums with hinted handoff, read repair and anti-entropy, and see which anomalies each \
            one closes. The PBS panel computes the chance of a stale read and simulates how fast it fades after a write.",
    topics: &["quorums", "W + R > N", "sloppy quorum", "hinted handoff", "read repair", "anti-entropy", "PBS"],
    paper: "DeCandia et al., Dynamo (2007); Bailis et al., Probabilistically Bounded Staleness, VLDB (2012)",
};

type P = Param<RegisterConfig>;

const INTERVAL: Kind = Kind::Int {
    min: INTERVAL_MS_MIN as i64,
    max: INTERVAL_MS_MAX as i64,
};
const OFF_OR_INTERVAL: Kind = Kind::Int {
    min: 0,
    max: INTERVAL_MS_MAX as i64,
};
const OFF_RULE: &str = "0 for off, else 10–10,000 ms";

const CAP_MODES: &[Choice] = &[
    Choice {
        value: "cp",
        label: "CP: majority quorums (ABD)",
    },
    Choice {
        value: "ap",
        label: "AP: any replica answers",
    },
];
const CONFLICTS: &[Choice] = &[
    Choice {
        value: "lww",
        label: "Last writer wins (clock)",
    },
    Choice {
        value: "vv",
        label: "Version vectors (siblings)",
    },
];

const MODE: P = Param {
    get: |c| Value::Choice(c.mode.as_str()),
    set: |c, v| c.mode = Mode::parse(v.as_choice()).unwrap_or(c.mode),
    ..P::new("mode", "Mode", "", Kind::Choice(CAP_MODES), "CP refuses on the minority side of a partition; AP answers everywhere and reconciles later.")
};
const N: P = Param {
    get: |c| Value::Int(c.n_replicas as i64),
    set: |c, v| c.n_replicas = v.as_int() as u8,
    ..P::new(
        "n",
        "Replicas",
        "",
        Kind::Int {
            min: N_REPLICAS_MIN as i64,
            max: N_REPLICAS_MAX as i64,
        },
        "How many replicas hold the register (or stand in for it).",
    )
};
const C: P = Param {
    get: |c| Value::Int(c.n_clients as i64),
    set: |c, v| c.n_clients = v.as_int() as u8,
    ..P::new(
        "c",
        "Clients",
        "",
        Kind::Int {
            min: 1,
            max: N_CLIENTS_MAX as i64,
        },
        "Clients, each sending to its home replica unless told otherwise.",
    )
};
const RF: P = Param {
    get: |c| Value::Int(c.rf as i64),
    set: |c, v| c.rf = v.as_int() as u8,
    limit: Some(|c| (1, c.n_replicas as i64)),
    rule: "at most the number of replicas",
    ..P::new(
        "rf",
        "N (replicas of the key)",
        "",
        Kind::Int {
            min: 1,
            max: N_REPLICAS_MAX as i64,
        },
        "The first N replicas hold the register; the rest are stand-ins for a sloppy quorum.",
    )
};
const W: P = Param {
    get: |c| Value::Int(c.w as i64),
    set: |c, v| c.w = v.as_int() as u8,
    limit: Some(|c| (1, c.rf as i64)),
    rule: "at most N",
    ..P::new(
        "w",
        "W (write acks)",
        "",
        Kind::Int {
            min: 1,
            max: N_REPLICAS_MAX as i64,
        },
        "A write succeeds after W of the N replicas acknowledge it.",
    )
};
const R: P = Param {
    get: |c| Value::Int(c.r as i64),
    set: |c, v| c.r = v.as_int() as u8,
    limit: Some(|c| (1, c.rf as i64)),
    rule: "at most N",
    ..P::new(
        "r",
        "R (read replies)",
        "",
        Kind::Int {
            min: 1,
            max: N_REPLICAS_MAX as i64,
        },
        "A read answers with the freshest of the first R replies.",
    )
};
const SLOPPY: P = Param {
    get: |c| Value::Flag(c.sloppy),
    set: |c, v| c.sloppy = v.as_flag(),
    ..P::new("sloppy", "Sloppy quorum", "", Kind::Flag, "Write to stand-ins with hints when preferred replicas are slow; they hand the value back later.")
};
const RR: P = Param {
    get: |c| Value::Flag(c.read_repair),
    set: |c, v| c.read_repair = v.as_flag(),
    ..P::new(
        "rr",
        "Read repair",
        "",
        Kind::Flag,
        "Send the newest version to stale replicas a read heard from.",
    )
};
const CONFLICT: P = Param {
    get: |c| Value::Choice(c.conflict.as_str()),
    set: |c, v| c.conflict = Conflict::parse(v.as_choice()).unwrap_or(c.conflict),
    when: Some(|c| c.mode != Mode::Cp),
    ..P::new(
        "conflict",
        "Concurrent writes",
        "",
        Kind::Choice(CONFLICTS),
        "How replicas settle writes that crossed: highest clock wins, or keep both as siblings.",
    )
};
const AE: P = Param {
    get: |c| Value::Int(c.ae_ms as i64),
    set: |c, v| c.ae_ms = v.as_int() as u64,
    rule: OFF_RULE,
    when: Some(|c| c.mode != Mode::Cp),
    ..P::new(
        "ae",
        "Anti-entropy every",
        "ms",
        OFF_OR_INTERVAL,
        "Each replica syncs with the next peer in turn this often (0: off).",
    )
};
const HO: P = Param {
    get: |c| Value::Int(c.handoff_ms as i64),
    set: |c, v| c.handoff_ms = v.as_int() as u64,
    ..P::new(
        "ho",
        "Hinted handoff every",
        "ms",
        INTERVAL,
        "How often a stand-in tries to hand hinted writes back.",
    )
};
const TO: P = Param {
    get: |c| Value::Int(c.op_timeout_ms as i64),
    set: |c, v| c.op_timeout_ms = v.as_int() as u64,
    ..P::new(
        "to",
        "Operation timeout",
        "ms",
        INTERVAL,
        "How long a coordinator waits for a quorum before it gives up.",
    )
};
const LAT: P = Param {
    get: |c| Value::Range(c.latency_us_min, c.latency_us_max),
    set: |c, v| (c.latency_us_min, c.latency_us_max) = v.as_range(),
    shown: Some(Shown {
        unit: "ms",
        factor: 0.001,
    }),
    ..P::new(
        "lat",
        "Latency",
        "µs",
        Kind::Range {
            min: 0,
            max: LATENCY_US_MAX,
        },
        "One-way message delay, uniform in this range.",
    )
};
const LOSS: P = Param {
    get: |c| Value::Float(c.loss),
    set: |c, v| c.loss = v.as_float(),
    shown: Some(Shown {
        unit: "%",
        factor: 100.0,
    }),
    ..P::new(
        "loss",
        "Message loss",
        "",
        Kind::Float {
            min: 0.0,
            max: LOSS_MAX,
        },
        "Chance that a message is lost.",
    )
};
const SKEW: P = Param {
    get: |c| Value::List(c.skew_ms.clone()),
    set: |c, v| c.skew_ms = v.as_list(),
    rule: "one entry per replica",
    ..P::new("skew", "Clock skew per replica", "ms", Kind::List { min: -SKEW_MS_MAX, max: SKEW_MS_MAX }, "How far each replica's clock is ahead (or behind, negative); last-writer-wins trusts these clocks.")
};
const AUTO: P = Param {
    get: |c| Value::Int(c.auto_ms as i64),
    set: |c, v| c.auto_ms = v.as_int() as u64,
    rule: OFF_RULE,
    ..P::new(
        "auto",
        "Workload: an operation every",
        "ms",
        OFF_OR_INTERVAL,
        "Each idle client starts a read or write about this often (0: only yours).",
    )
};
const WPCT: P = Param {
    get: |c| Value::Int(c.write_pct as i64),
    set: |c, v| c.write_pct = v.as_int() as u8,
    shown: Some(Shown {
        unit: "%",
        factor: 1.0,
    }),
    ..P::new(
        "wpct",
        "Workload writes",
        "%",
        Kind::Int { min: 0, max: 100 },
        "The share of the workload's operations that are writes.",
    )
};
const S_WB: P = Param {
    group: Group::Safety,
    get: |c| Value::Flag(c.safety.read_write_back),
    set: |c, v| c.safety.read_write_back = v.as_flag(),
    when: Some(|c| c.mode == Mode::Cp),
    ..P::new("s_wb", "Read write-back", "", Kind::Flag, "A read stores the value it returns on a majority before answering. Off: new-old inversions.")
};
const S_WQ: P = Param {
    group: Group::Safety,
    get: |c| Value::Flag(c.safety.write_query),
    set: |c, v| c.safety.write_query = v.as_flag(),
    when: Some(|c| c.mode == Mode::Cp),
    ..P::new("s_wq", "Query before write", "", Kind::Flag, "A write asks a majority for the highest timestamp first. Off: acknowledged writes can be lost.")
};

pub static CAP_PARAMS: &[P] = &[
    MODE, N, C, CONFLICT, AE, TO, LAT, LOSS, SKEW, AUTO, WPCT, S_WB, S_WQ,
];
pub static QUORUM_PARAMS: &[P] = &[
    N, C, RF, W, R, SLOPPY, RR, CONFLICT, AE, HO, TO, LAT, LOSS, SKEW, AUTO, WPCT,
];

impl Model for Register {
    type Config = RegisterConfig;
    fn config(&self) -> &RegisterConfig {
        &self.config
    }
    fn with_config(c: RegisterConfig) -> Register {
        Register::new(c)
    }
    fn clamp(c: RegisterConfig) -> RegisterConfig {
        c.clamped()
    }
    fn groups(&self) -> Vec<NodeGroup> {
        self.group_array().to_vec()
    }
    fn remap_command(cmd: &Cmd, map: &dyn Fn(NodeId) -> Option<NodeId>) -> Option<Cmd> {
        Some(match cmd {
            // A request through a replica that is gone goes through the client's home replica.
            Cmd::Read { via } => Cmd::Read {
                via: via.and_then(map),
            },
            Cmd::Write { value, via } => Cmd::Write {
                value: *value,
                via: via.and_then(map),
            },
            other => other.clone(),
        })
    }
    fn summary(w: &World<Register>) -> String {
        serde_json::to_string(&counters(w)).unwrap_or_else(|_| "{}".into())
    }
}

/// The CAP lab: CP or AP under partitions.
pub struct CapLab;

impl Lab for CapLab {
    type P = Register;
    type Config = RegisterConfig;
    fn info() -> &'static LabInfo {
        &CAP_INFO
    }
    fn params() -> &'static [P] {
        CAP_PARAMS
    }
    fn scenarios() -> Vec<Scenario<Register>> {
        let mut v = vec![scenarios::sandbox_cap()];
        v.extend(scenarios::cap());
        v
    }
    fn default_config() -> RegisterConfig {
        RegisterConfig::default()
    }
    fn probes() -> &'static [Probe<Register>] {
        probes::PROBES
    }
    fn view_keys() -> &'static [&'static str] {
        &["cmp"]
    }
}

/// The Quorum lab: N, W, R, sloppy quorums, read repair.
pub struct QuorumLab;

impl Lab for QuorumLab {
    type P = Register;
    type Config = RegisterConfig;
    fn info() -> &'static LabInfo {
        &QUORUM_INFO
    }
    fn params() -> &'static [P] {
        QUORUM_PARAMS
    }
    fn scenarios() -> Vec<Scenario<Register>> {
        let mut v = vec![scenarios::sandbox_quorum()];
        v.extend(scenarios::quorum());
        v
    }
    fn default_config() -> RegisterConfig {
        RegisterConfig {
            mode: Mode::Quorum,
            ..RegisterConfig::default()
        }
    }
    fn probes() -> &'static [Probe<Register>] {
        probes::PROBES
    }
    fn experiments() -> &'static [&'static dyn Experiment] {
        &[&Pbs]
    }
    fn other_key(key: &str, value: &str) -> Option<Option<String>> {
        // Links from before the two labs had their own tables name the mode.
        (key == "mode").then(|| {
            (value != "quorum").then(|| {
                format!(
                    "the Quorums lab runs in quorum mode; mode={} ignored",
                    value.chars().take(12).collect::<String>()
                )
            })
        })
    }
}

// ---- PBS ---------------------------------------------------------------------

/// Most replicas the PBS experiment takes.
const PBS_N_MAX: i64 = 20;

pub static PBS_INFO: ExperimentInfo = ExperimentInfo {
    name: "pbs",
    title: "How stale is a read? (PBS)",
    about: "Probabilistically Bounded Staleness: the closed form C(N-W,R)/C(N,R) for a read quorum missing the write quorum, its Monte \
            Carlo estimate (only the W acking replicas get the write, read at commit), and t-visibility from the WARS model: the chance \
            that a read t ms after the commit is fresh, for t = 0, 1, 2, 5, 10, 20, 50, 100, 200 ms. Default latencies, per replica and \
            message: W (write arrives) exponential, mean 10 ms; A (ack), R (read request), S (read answer) exponential, mean 1 ms.",
    reproduces: "Bailis et al., Probabilistically Bounded Staleness for Practical Partial Quorums, VLDB 2012",
    params: &[
        ExpParam { flag: "n", label: "N", kind: Kind::Int { min: 1, max: PBS_N_MAX }, default: ExpDefault::Int(3), help: "Replicas." },
        ExpParam { flag: "r", label: "R", kind: Kind::Int { min: 1, max: PBS_N_MAX }, default: ExpDefault::Int(1), help: "Read quorum, at most N." },
        ExpParam { flag: "w", label: "W", kind: Kind::Int { min: 1, max: PBS_N_MAX }, default: ExpDefault::Int(1), help: "Write quorum, at most N." },
        ExpParam { flag: "trials", label: "Trials", kind: Kind::Int { min: 1, max: pbs::TRIALS_MAX as i64 }, default: ExpDefault::Int(10_000), help: "Monte Carlo trials." },
        SEED,
    ],
    output_json: "{\"experiment\":\"pbs\",\"n\",\"r\",\"w\",\"p_miss_closed_form\",\"p_miss_monte_carlo\",\"t_visibility\":[{\"t_ms\",\"p_consistent\"}]}",
    output_csv: "n,r,w,p_miss_closed_form,p_miss_monte_carlo,t_ms,p_consistent (one row per t)",
};

pub struct Pbs;

#[derive(Serialize)]
struct PbsOut {
    experiment: &'static str,
    n: u32,
    r: u32,
    w: u32,
    p_miss_closed_form: f64,
    p_miss_monte_carlo: f64,
    t_visibility: Vec<TPoint>,
}

fn pbs_args(args: &ExpArgs) -> Result<(u32, u32, u32, u32, u64), String> {
    let get = |k: &str, d: i64| args.get(k).map(|v| v.as_int()).unwrap_or(d);
    let (n, r, w) = (get("n", 3) as u32, get("r", 1) as u32, get("w", 1) as u32);
    if r > n || w > n {
        return Err(format!(
            "--r and --w must be at most --n ({n}), not {r} and {w}"
        ));
    }
    Ok((
        n,
        r,
        w,
        get("trials", 10_000) as u32,
        get("seed", 1).max(0) as u64,
    ))
}

struct PbsRun {
    out: ExpOutput,
}

impl ExperimentRun for PbsRun {
    fn progress(&self) -> (u64, u64) {
        (1, 1)
    }
    fn run_some(&mut self, _budget: u32) -> bool {
        true
    }
    fn output(&self) -> ExpOutput {
        self.out.clone()
    }
}

impl Experiment for Pbs {
    fn info(&self) -> &'static ExperimentInfo {
        &PBS_INFO
    }
    fn start(&self, args: &ExpArgs) -> Result<Box<dyn ExperimentRun>, String> {
        Ok(Box::new(PbsRun {
            out: self.run_all(args)?,
        }))
    }
    fn run_all(&self, args: &ExpArgs) -> Result<ExpOutput, String> {
        let (n, r, w, trials, seed) = pbs_args(args)?;
        let mut config = PbsConfig::new(n, r, w);
        config.trials = trials;
        let curve = pbs::run(config.clone(), seed).map_err(|e| e.to_string())?;
        // The closed form's model: only the acking replicas get the write, read at once.
        config.propagation = false;
        config.t_ms = vec![0.0];
        let no_propagation = pbs::run(config, seed).map_err(|e| e.to_string())?;
        // Misses over trials, from the count, so that the ratio prints cleanly.
        let total = no_propagation.trials.max(1) as f64;
        let fresh = no_propagation
            .t_visibility
            .first()
            .map_or(0.0, |p| (p.p_consistent * total).round());
        let p_miss_monte_carlo = (total - fresh) / total;
        let out = PbsOut {
            experiment: PBS_INFO.name,
            n,
            r,
            w,
            p_miss_closed_form: curve.p_miss_closed_form,
            p_miss_monte_carlo,
            t_visibility: curve.t_visibility,
        };
        let mut csv =
            String::from("n,r,w,p_miss_closed_form,p_miss_monte_carlo,t_ms,p_consistent\n");
        for p in &out.t_visibility {
            csv.push_str(&format!(
                "{n},{r},{w},{},{},{},{}\n",
                out.p_miss_closed_form, out.p_miss_monte_carlo, p.t_ms, p.p_consistent
            ));
        }
        let mut json = serde_json::to_string(&out).unwrap_or_else(|_| "{}".into());
        json.push('\n');
        let chart = Chart {
            title: format!("t-visibility, N={n} R={r} W={w}"),
            x_label: "time after the write commits (ms)".into(),
            y_label: "chance a read is fresh".into(),
            kind: ChartKind::Visibility {
                xs: out.t_visibility.iter().map(|p| p.t_ms).collect(),
            },
            series: vec![Series {
                label: "WARS Monte Carlo".into(),
                values: out.t_visibility.iter().map(|p| p.p_consistent).collect(),
                total: trials as usize,
            }],
        };
        let table = Table {
            headers: vec!["t (ms)".into(), "P(fresh)".into()],
            rows: out
                .t_visibility
                .iter()
                .map(|p| vec![format!("{}", p.t_ms), format!("{:.4}", p.p_consistent)])
                .collect(),
        };
        let note = format!(
            "Closed form: a read quorum misses the write quorum with probability {:.4}; the Monte Carlo estimate with no propagation is {:.4}.",
            out.p_miss_closed_form, out.p_miss_monte_carlo
        );
        Ok(ExpOutput {
            json,
            csv,
            charts: vec![chart],
            table,
            note,
        })
    }
}
