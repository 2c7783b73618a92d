//! Experiments: many seeded trials that reproduce a published result (a
//! paper's figure or table), named in a lab's description so that the
//! page runs them in animation-frame slices with a progress bar and plots
//! them, and the CLI prints the same numbers as JSON and CSV.
//!
//! An experiment declares its arguments ([`ExpParam`], read from the CLI's
//! `--flag value` and shown as inputs in the page), starts an
//! [`ExperimentRun`] that does a bounded amount of work per call, and
//! finally produces an [`ExpOutput`]: the CLI's JSON and CSV text, plus
//! charts and a table the page draws. Everything is a pure function of
//! the arguments (seeds included).

use super::params::{fmt_num, Kind, Value};
use serde::Serialize;
use std::collections::BTreeMap;

/// One argument of an experiment.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ExpParam {
    /// The CLI flag without its dashes (`trials` for `--trials`).
    pub flag: &'static str,
    pub label: &'static str,
    /// `Int`, `Float` or `List` (a comma-separated list of whole numbers).
    pub kind: Kind,
    pub default: ExpDefault,
    pub help: &'static str,
}

/// A default value, in a form a `const` can hold.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum ExpDefault {
    Int(i64),
    Float(f64),
    List(&'static [i64]),
}

impl ExpDefault {
    pub fn value(self) -> Value {
        match self {
            ExpDefault::Int(v) => Value::Int(v),
            ExpDefault::Float(v) => Value::Float(v),
            ExpDefault::List(v) => Value::List(v.to_vec()),
        }
    }
}

/// The `--seed` every experiment takes: the base its trials' seeds derive from.
pub const SEED: ExpParam = ExpParam {
    flag: "seed",
    label: "Seed",
    kind: Kind::Int {
        min: 0,
        max: i64::MAX,
    },
    default: ExpDefault::Int(1),
    help: "The base seed every trial's seed derives from.",
};

/// What an experiment is, for the registry, the CLI's help and the page.
#[derive(Debug)]
pub struct ExperimentInfo {
    /// The CLI name (`raft-election-time`).
    pub name: &'static str,
    pub title: &'static str,
    /// What it measures and what it reproduces, a paragraph.
    pub about: &'static str,
    /// The published result it reproduces, as a citation.
    pub reproduces: &'static str,
    pub params: &'static [ExpParam],
    /// The CLI's output, one line per format, for `--help`.
    pub output_json: &'static str,
    pub output_csv: &'static str,
}

/// Argument values by flag, as [`read_args`] gives them.
pub type ExpArgs = BTreeMap<&'static str, Value>;

impl ExperimentInfo {
    /// Every argument at its default.
    pub fn defaults(&self) -> ExpArgs {
        self.params
            .iter()
            .map(|p| (p.flag, p.default.value()))
            .collect()
    }
}

/// Reads `--flag value` pairs (flags without dashes) for `info`. A flag
/// it does not take, a value that does not parse or one out of range is
/// an error naming it: the CLI refuses rather than guessing.
pub fn read_args(info: &ExperimentInfo, given: &[(String, String)]) -> Result<ExpArgs, String> {
    let mut args = info.defaults();
    let mut seen: Vec<&str> = Vec::new();
    for (flag, raw) in given {
        let p = info.params.iter().find(|p| p.flag == flag).ok_or_else(|| {
            let flags: Vec<String> = info
                .params
                .iter()
                .map(|p| format!("--{}", p.flag))
                .collect();
            format!(
                "experiment {} takes no flag --{flag} (it takes {})",
                info.name,
                flags.join(", ")
            )
        })?;
        if seen.contains(&p.flag) {
            return Err(format!("--{flag} is given twice"));
        }
        seen.push(p.flag);
        let v = parse_arg(p, raw)?;
        args.insert(p.flag, v);
    }
    Ok(args)
}

fn parse_arg(p: &ExpParam, raw: &str) -> Result<Value, String> {
    let out_of =
        |v: String, lo: String, hi: String| format!("--{} {v} is outside {lo}-{hi}", p.flag);
    match p.kind {
        Kind::Int { min, max } => {
            let v = raw
                .trim()
                .parse::<i64>()
                .map_err(|_| format!("--{} needs a whole number, not '{raw}'", p.flag))?;
            if v < min || v > max {
                return Err(out_of(v.to_string(), min.to_string(), max.to_string()));
            }
            Ok(Value::Int(v))
        }
        Kind::Float { min, max } => {
            let v = raw
                .trim()
                .parse::<f64>()
                .ok()
                .filter(|v| v.is_finite())
                .ok_or_else(|| format!("--{} needs a number, not '{raw}'", p.flag))?;
            if v < min || v > max {
                return Err(out_of(v.to_string(), fmt_num(min), fmt_num(max)));
            }
            Ok(Value::Float(v))
        }
        Kind::List { min, max } => {
            let mut out = Vec::new();
            for part in raw.split(',') {
                let v = part.trim().parse::<i64>().map_err(|_| {
                    format!(
                        "--{} needs whole numbers separated by commas, not '{raw}'",
                        p.flag
                    )
                })?;
                if v < min || v > max {
                    return Err(out_of(v.to_string(), min.to_string(), max.to_string()));
                }
                out.push(v);
            }
            if out.is_empty() || out.len() > 64 {
                return Err(format!("--{} takes 1 to 64 values", p.flag));
            }
            Ok(Value::List(out))
        }
        _ => Err(format!("--{}: unsupported argument kind", p.flag)),
    }
}

/// One line of a chart: a label and its points or samples.
#[derive(Clone, Debug, PartialEq)]
pub struct Series {
    pub label: String,
    /// For a CDF: the samples. For lines: y values, one per x.
    pub values: Vec<f64>,
    /// For a CDF: how many trials in all (samples plus those that never
    /// finished), so the curve tops out below 1 when some never did.
    pub total: usize,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ChartKind {
    /// Cumulative distribution of each series' samples, x on a log axis.
    Cdf { x_min: f64, x_max: f64 },
    /// Lines over shared x values, on linear axes from 0 to `y_max`; a
    /// value that is not finite leaves a gap.
    Lines { xs: Vec<f64>, y_max: f64 },
    /// The chance a read is fresh against time since the write, on a log
    /// time axis (PBS t-visibility).
    Visibility { xs: Vec<f64> },
}

/// A chart the page draws with plotters.
#[derive(Clone, Debug, PartialEq)]
pub struct Chart {
    pub title: String,
    pub x_label: String,
    pub y_label: String,
    pub kind: ChartKind,
    pub series: Vec<Series>,
}

/// A results table.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Table {
    pub headers: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

/// Everything an experiment produces.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct ExpOutput {
    /// What the CLI prints for `--format json` (one line, ending in a newline).
    pub json: String,
    /// What the CLI prints for `--format csv`.
    pub csv: String,
    pub charts: Vec<Chart>,
    pub table: Table,
    /// How to read the result beside the published one, a paragraph.
    pub note: String,
}

/// An experiment in progress.
pub trait ExperimentRun {
    /// Work done and in all, in the experiment's own units (trials).
    fn progress(&self) -> (u64, u64);
    /// Does about `budget` units of work; true once everything is done.
    fn run_some(&mut self, budget: u32) -> bool;
    /// The results; only meaningful once done.
    fn output(&self) -> ExpOutput;
}

/// An experiment a lab offers.
pub trait Experiment: Sync {
    fn info(&self) -> &'static ExperimentInfo;
    /// A run that the page advances a slice at a time.
    fn start(&self, args: &ExpArgs) -> Result<Box<dyn ExperimentRun>, String>;
    /// The whole experiment at once (the CLI); an experiment may spread
    /// it over threads, as long as the result does not depend on them.
    fn run_all(&self, args: &ExpArgs) -> Result<ExpOutput, String> {
        let mut run = self.start(args)?;
        while !run.run_some(1_000) {}
        Ok(run.output())
    }
}

/// `v` as one line of JSON ending in a newline (the CLI's `--format json`).
pub fn json_line<T: Serialize>(v: &T) -> String {
    let mut s = serde_json::to_string(v).unwrap_or_else(|_| "{}".into());
    s.push('\n');
    s
}

/// The seed of run `run` of point `x` (a client count, a window size) in
/// variant `variant` (a policy, a window kind) of a sweep seeded `base`:
/// distinct for every cell, and the same in the CLI and the page.
pub fn point_seed(base: u64, x: i64, variant: usize, run: u32) -> u64 {
    base.wrapping_mul(1_000_003)
        .wrapping_add((x as u64).wrapping_mul(7_919))
        .wrapping_add((variant as u64).wrapping_mul(104_729))
        .wrapping_add(run as u64)
}

/// Where unit `done` of a sweep falls, as (point, variant, run): a cell's
/// `runs` runs are consecutive, and a point's `variants` cells too.
pub fn sweep_cell(done: usize, runs: u32, variants: usize) -> (usize, usize, u32) {
    let runs = runs.max(1) as usize;
    let cell = done / runs;
    (cell / variants.max(1), cell % variants.max(1), (done % runs) as u32)
}

/// A line chart over whole-number xs, its y axis 10% above the highest value.
pub fn line_chart(
    title: &str,
    x_label: &str,
    y_label: &str,
    xs: &[i64],
    series: Vec<(String, Vec<f64>)>,
) -> Chart {
    let y_max = series
        .iter()
        .flat_map(|(_, v)| v.iter().copied())
        .fold(1.0, f64::max)
        * 1.1;
    Chart {
        title: title.into(),
        x_label: x_label.into(),
        y_label: y_label.into(),
        kind: ChartKind::Lines {
            xs: xs.iter().map(|x| *x as f64).collect(),
            y_max,
        },
        series: series
            .into_iter()
            .map(|(label, values)| Series {
                label,
                total: values.len(),
                values,
            })
            .collect(),
    }
}

/// A CSV field, quoted when it must be (RFC 4180).
pub fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    static INFO: ExperimentInfo = ExperimentInfo {
        name: "demo",
        title: "Demo",
        about: "",
        reproduces: "",
        params: &[
            ExpParam {
                flag: "trials",
                label: "Trials",
                kind: Kind::Int { min: 1, max: 100 },
                default: ExpDefault::Int(10),
                help: "",
            },
            ExpParam {
                flag: "clients",
                label: "Clients",
                kind: Kind::List { min: 1, max: 500 },
                default: ExpDefault::List(&[10, 20]),
                help: "",
            },
        ],
        output_json: "",
        output_csv: "",
    };

    #[test]
    fn arguments_default_parse_and_refuse_what_they_should() {
        let a = read_args(&INFO, &[]).unwrap();
        assert_eq!(a["trials"], Value::Int(10));
        assert_eq!(a["clients"], Value::List(vec![10, 20]));
        let a = read_args(&INFO, &[("clients".into(), "5,50".into())]).unwrap();
        assert_eq!(a["clients"], Value::List(vec![5, 50]));
        for (flag, v, why) in [
            ("trials", "0", "outside"),
            ("trials", "x", "whole number"),
            ("clients", "1,,2", "commas"),
            ("clients", "900", "outside"),
            ("runs", "1", "takes no flag"),
        ] {
            let e = read_args(&INFO, &[(flag.into(), v.into())]).unwrap_err();
            assert!(e.contains(why), "{flag}={v}: {e}");
        }
        assert!(read_args(
            &INFO,
            &[("trials".into(), "1".into()), ("trials".into(), "2".into())]
        )
        .unwrap_err()
        .contains("twice"));
    }
}
