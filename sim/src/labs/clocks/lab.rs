//! The Clocks lab's description: its card, parameter table, scenarios,
//! probes and experiments, registered once in [`crate::labs::registry`].

use super::{
    all_events, experiment, probes, scenarios, Clocks, ClocksConfig, Cmd, Lww, DRIFT_PPM_MAX,
    GAP_MS_MAX, HLC_TICK_US_MAX, KEYS_MAX, LATENCY_US_MAX, LOSS_MAX, N_PROCS_MAX, N_PROCS_MIN,
    OFFSET_MS_MAX, SYNC_ERR_US_MAX, TT_EPS_US_MAX,
};
use crate::kernel::names::NodeGroup;
use crate::kernel::{NodeId, World};
use crate::labs::experiment::Experiment;
use crate::labs::lab::{Lab, LabInfo, Model};
use crate::labs::params::{Choice, Group, Kind, Param, Shown, Value};
use crate::labs::probe::Probe;
use crate::labs::Scenario;
use crate::shiviz::ExportEvent;
use serde::Serialize;

pub static INFO: LabInfo = LabInfo {
    id: "clocks",
    short: "Clocks",
    title: "Clocks and causality",
    tagline: "Wall clocks, Lamport, vectors, HLC and TrueTime on one run",
    blurb: "A few processes send messages, write to a replicated store and commit transactions, each on its own skewed, \
            drifting clock. Stamp the same run with wall clocks, Lamport clocks, vector clocks, hybrid logical clocks or \
            TrueTime intervals, see which order each gives and whether it is causal, watch last-writer-wins lose a later \
            write, and pay Spanner's commit wait.",
    topics: &["happens-before", "Lamport clocks", "vector clocks", "hybrid logical clocks", "TrueTime", "commit wait", "last-writer-wins"],
    paper: "Lamport (1978); Fidge (1988) and Mattern (1989); Kulkarni et al., Logical Physical Clocks (2014); Corbett et al., Spanner (OSDI 2012)",
};

type P = Param<ClocksConfig>;

const GAP: Kind = Kind::Int {
    min: 0,
    max: GAP_MS_MAX as i64,
};
const GAP_RULE: &str = "0 for off, else 10–60,000 ms";
const MS: Option<Shown> = Some(Shown {
    unit: "ms",
    factor: 0.001,
});

const LWWS: &[Choice] = &[
    Choice {
        value: "wall",
        label: "Last writer wins, wall clock",
    },
    Choice {
        value: "lamport",
        label: "Last writer wins, Lamport clock",
    },
    Choice {
        value: "hlc",
        label: "Last writer wins, HLC",
    },
    Choice {
        value: "vv",
        label: "Version vectors (siblings)",
    },
];

pub static PARAMS: &[P] = &[
    Param {
        get: |c| Value::Int(c.n_procs as i64),
        set: |c, v| c.n_procs = v.as_int() as u8,
        ..P::new("n", "Processes", "", Kind::Int { min: N_PROCS_MIN as i64, max: N_PROCS_MAX as i64 }, "How many processes, each with its own clock.")
    },
    Param {
        get: |c| Value::Int(c.local_ms as i64),
        set: |c, v| c.local_ms = v.as_int() as u64,
        rule: GAP_RULE,
        ..P::new("local", "Local events every", "ms", GAP, "Mean gap between a process's local events (exponential; 0: none).")
    },
    Param {
        get: |c| Value::Int(c.send_ms as i64),
        set: |c, v| c.send_ms = v.as_int() as u64,
        rule: GAP_RULE,
        ..P::new("send", "Messages every", "ms", GAP, "Mean gap between a process's messages to a random other process (0: none).")
    },
    Param {
        get: |c| Value::Int(c.request_pct as i64),
        set: |c, v| c.request_pct = v.as_int() as u8,
        shown: Some(Shown { unit: "%", factor: 1.0 }),
        ..P::new("req", "Requests", "%", Kind::Int { min: 0, max: 100 }, "The share of messages that are requests, which the receiver answers at once.")
    },
    Param {
        get: |c| Value::Int(c.write_ms as i64),
        set: |c, v| c.write_ms = v.as_int() as u64,
        rule: GAP_RULE,
        ..P::new("write", "Writes every", "ms", GAP, "Mean gap between a process's writes to the replicated store (0: none).")
    },
    Param {
        get: |c| Value::Int(c.txn_ms as i64),
        set: |c, v| c.txn_ms = v.as_int() as u64,
        rule: GAP_RULE,
        ..P::new("txn", "Transactions every", "ms", GAP, "Mean gap between a process's transactions, stamped by TrueTime (0: none).")
    },
    Param {
        get: |c| Value::Int(c.n_keys as i64),
        set: |c, v| c.n_keys = v.as_int() as u8,
        ..P::new("keys", "Keys", "", Kind::Int { min: 1, max: KEYS_MAX as i64 }, "How many keys the workload writes.")
    },
    Param {
        get: |c| Value::Range(c.latency_us_min, c.latency_us_max),
        set: |c, v| (c.latency_us_min, c.latency_us_max) = v.as_range(),
        shown: MS,
        ..P::new("lat", "Latency", "µs", Kind::Range { min: 0, max: LATENCY_US_MAX }, "One-way message delay, uniform in this range.")
    },
    Param {
        get: |c| Value::Float(c.loss),
        set: |c, v| c.loss = v.as_float(),
        shown: Some(Shown { unit: "%", factor: 100.0 }),
        ..P::new("loss", "Message loss", "", Kind::Float { min: 0.0, max: LOSS_MAX }, "Chance that a message is lost.")
    },
    Param {
        get: |c| Value::Float(c.duplicate),
        set: |c, v| c.duplicate = v.as_float(),
        shown: Some(Shown { unit: "%", factor: 100.0 }),
        ..P::new("dup", "Duplication", "", Kind::Float { min: 0.0, max: LOSS_MAX }, "Chance that a message is delivered twice.")
    },
    Param {
        get: |c| Value::List(c.offset_ms.clone()),
        set: |c, v| c.offset_ms = v.as_list(),
        rule: "one entry per process",
        ..P::new(
            "offset",
            "Clock offset per process",
            "ms",
            Kind::List { min: -OFFSET_MS_MAX, max: OFFSET_MS_MAX },
            "How far each process's clock starts ahead of true time (negative: behind).",
        )
    },
    Param {
        get: |c| Value::List(c.drift_ppm.clone()),
        set: |c, v| c.drift_ppm = v.as_list(),
        rule: "one entry per process",
        ..P::new(
            "drift",
            "Clock drift per process",
            "ppm",
            Kind::List { min: -DRIFT_PPM_MAX, max: DRIFT_PPM_MAX },
            "How fast each process's clock runs (negative: slow); 1,000 ppm gains 1 ms a second.",
        )
    },
    Param {
        get: |c| Value::Int(c.sync_ms as i64),
        set: |c, v| c.sync_ms = v.as_int() as u64,
        rule: GAP_RULE,
        ..P::new("sync", "Clock sync every", "ms", GAP, "How often each process sets its clock from a time server, NTP-style (0: never).")
    },
    Param {
        get: |c| Value::Int(c.sync_err_us as i64),
        set: |c, v| c.sync_err_us = v.as_int() as u64,
        shown: MS,
        when: Some(|c| c.sync_ms > 0),
        ..P::new("sync_err", "Sync error bound", "µs", Kind::Int { min: 0, max: SYNC_ERR_US_MAX as i64 }, "A sync leaves the clock within this of true time.")
    },
    Param {
        get: |c| Value::Int(c.tt_eps_us as i64),
        set: |c, v| c.tt_eps_us = v.as_int() as u64,
        shown: MS,
        ..P::new("eps", "TrueTime ε", "µs", Kind::Int { min: 0, max: TT_EPS_US_MAX as i64 }, "TT.now() is the clock ± ε; Spanner's ε is 1–7 ms.")
    },
    Param {
        get: |c| Value::Int(c.hlc_tick_us as i64),
        set: |c, v| c.hlc_tick_us = v.as_int() as u64,
        shown: MS,
        ..P::new("tick", "HLC clock tick", "µs", Kind::Int { min: 1, max: HLC_TICK_US_MAX as i64 }, "The resolution at which the HLC reads its clock.")
    },
    Param {
        get: |c| Value::Choice(c.lww.as_str()),
        set: |c, v| c.lww = Lww::parse(v.as_choice()).unwrap_or(c.lww),
        ..P::new("lww", "Concurrent writes", "", Kind::Choice(LWWS), "Which timestamp last-writer-wins compares, or keep concurrent writes as siblings.")
    },
    Param {
        group: Group::Safety,
        get: |c| Value::Flag(c.safety.lamport_max),
        set: |c, v| c.safety.lamport_max = v.as_flag(),
        ..P::new("s_lamport", "Lamport max on receive", "", Kind::Flag, "A receive sets the clock past the message's stamp. Off: the clock condition breaks.")
    },
    Param {
        group: Group::Safety,
        get: |c| Value::Flag(c.safety.vector_max),
        set: |c, v| c.safety.vector_max = v.as_flag(),
        ..P::new("s_vector", "Vector element-wise max", "", Kind::Flag, "A receive merges vectors entry by entry. Off: vectors misstate causality.")
    },
    Param {
        group: Group::Safety,
        get: |c| Value::Flag(c.safety.hlc_counter),
        set: |c, v| c.safety.hlc_counter = v.as_flag(),
        ..P::new("s_hlc", "HLC counter", "", Kind::Flag, "Order same-l events with c. Off: the paper's naive HLC, which drifts ahead of physical time.")
    },
    Param {
        group: Group::Safety,
        get: |c| Value::Flag(c.safety.commit_wait),
        set: |c, v| c.safety.commit_wait = v.as_flag(),
        ..P::new("s_wait", "Commit wait", "", Kind::Flag, "Acknowledge only once TT.now().earliest > s. Off: external consistency breaks.")
    },
];

#[derive(Serialize)]
struct Summary {
    events: usize,
    messages: usize,
    wall_inversions: usize,
    lost_updates: u32,
    transactions_acked: usize,
    max_hlc_l_minus_pt_ticks: i64,
    max_hlc_c: u32,
}

impl Model for Clocks {
    type Config = ClocksConfig;
    fn config(&self) -> &ClocksConfig {
        &self.config
    }
    fn with_config(c: ClocksConfig) -> Clocks {
        Clocks::new(c)
    }
    fn clamp(c: ClocksConfig) -> ClocksConfig {
        c.clamped()
    }
    fn groups(&self) -> Vec<NodeGroup> {
        self.group_array().to_vec()
    }
    fn remap_command(cmd: &Cmd, map: &dyn Fn(NodeId) -> Option<NodeId>) -> Option<Cmd> {
        Some(match *cmd {
            Cmd::Send { to } => Cmd::Send {
                to: map(NodeId(to))?.0,
            },
            Cmd::Request { to, rounds } => Cmd::Request {
                to: map(NodeId(to))?.0,
                rounds,
            },
            ref other => other.clone(),
        })
    }
    fn summary(w: &World<Clocks>) -> String {
        let events = all_events(w);
        let s = Summary {
            events: events.len(),
            messages: events.iter().filter(|e| e.kind.sends()).count(),
            wall_inversions: w.checker.observations.len(),
            lost_updates: w.checker.count(super::NO_LOST_UPDATE.name),
            transactions_acked: w
                .nodes
                .iter()
                .flat_map(|p| &p.txns)
                .filter(|t| t.ack_true_us.is_some())
                .count(),
            max_hlc_l_minus_pt_ticks: w.checker.max_l_minus_pt,
            max_hlc_c: w.checker.max_c,
        };
        serde_json::to_string(&s).unwrap_or_else(|_| "{}".into())
    }
    /// Each event with the vector stamp its process gave it: a run with the
    /// vector merge switched off writes clocks that contradict causality,
    /// and reading the log back finds them.
    fn log_events(w: &World<Clocks>) -> Option<Vec<ExportEvent>> {
        Some(super::trace::log_events(w))
    }
}

/// The Clocks lab.
pub struct ClocksLab;

impl Lab for ClocksLab {
    type P = Clocks;
    type Config = ClocksConfig;
    fn info() -> &'static LabInfo {
        &INFO
    }
    fn params() -> &'static [P] {
        PARAMS
    }
    fn scenarios() -> Vec<Scenario<Clocks>> {
        scenarios::all()
    }
    fn default_config() -> ClocksConfig {
        ClocksConfig::default()
    }
    fn probes() -> &'static [Probe<Clocks>] {
        probes::PROBES
    }
    fn experiments() -> &'static [&'static dyn Experiment] {
        experiment::ALL
    }
    /// The page's clock (`clock=hlc`): which stamps label the events.
    fn view_keys() -> &'static [&'static str] {
        &["clock"]
    }
}
