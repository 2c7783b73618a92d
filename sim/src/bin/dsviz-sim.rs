//! `dsviz-sim`: every lab's scenarios and experiments from the command
//! line, found through the lab registry, plus the history checker and the
//! ShiViz log reader.
//!
//! The output is a pure function of the arguments: the same command gives
//! the same bytes on every run and every machine, however many threads an
//! experiment uses. Bad arguments print one error line and the usage to
//! stderr and exit with status 2; nothing the user types makes it panic.

use dsviz_sim::check::{
    self, json::INPUT_BYTES_MAX, CheckConfig, SeqVerdict, SessionReport, Verdict,
};
use dsviz_sim::kernel::timeline::MAX_STEPS;
use dsviz_sim::labs::experiment::{read_args, ExperimentInfo};
use dsviz_sim::labs::lab::SEED_MAX;
use dsviz_sim::labs::params::{kind_bounds, Kind, Value};
use dsviz_sim::labs::registry::{self, AnyRun, LABS};
use dsviz_sim::labs::FREE_PLAY_CHECK_MS;
use dsviz_sim::shiviz::{self, native::RegexMatcher};
use serde::Serialize;
use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::process::ExitCode;

fn experiment_usage(e: &ExperimentInfo) -> String {
    let mut s = format!("  dsviz-sim experiment {}", e.name);
    for p in e.params {
        s.push_str(&format!(
            " [--{} {}]",
            p.flag,
            if matches!(p.kind, Kind::List { .. }) {
                "A,B,.."
            } else {
                "N"
            }
        ));
    }
    s.push_str(" [--format json|csv]\n");
    s
}

fn usage() -> String {
    let mut s = String::from(
        "dsviz-sim: run dsviz's simulations from the command line.

Usage:
  dsviz-sim list [--format json]
  dsviz-sim scenario <lab>/<id> [--seed N] [--steps K] [--param key=value]... [--format json|csv]
                     [--export shiviz]
",
    );
    for l in LABS {
        for e in l.experiments() {
            s.push_str(&experiment_usage(e.info()));
        }
    }
    s.push_str(
        "  dsviz-sim check-history FILE|- [--max-states N]
  dsviz-sim shiviz FILE|- [--parser REGEX [--delimiter REGEX]] [--format json]
  dsviz-sim help | --help | -h

Options (also written --name=value):
  --seed N      scenario: the run's seed, 0-4294967295 (default: the scenario's own;
                some scenarios script every event and tell the same story for any seed)
  --steps K     scenario: run exactly K steps, 0-200000 (default: run to the
                scenario's pause point, or 3 s of virtual time for free play)
  --param k=v   scenario: a lab parameter, as in a link (see `dsviz-sim list`);
                repeat it for several
  --export shiviz
                scenario: write the run as a ShiViz log instead (the file ShiViz's
                upload takes: its parser, an empty delimiter line, then each event's
                host and vector clock and a description; `dsviz-sim shiviz` reads it)
  --max-states N
                check-history: configurations each search may explore before it
                answers \"unknown\" (null), 1-100000000 (default 5000000)
  --format F    json (default) or csv; list: a table, or json

Labs and scenarios:
",
    );
    for l in LABS {
        let info = l.info();
        s.push_str(&format!("  {} ({})\n", info.title, info.id));
        for sc in l.scenarios() {
            s.push_str(&format!(
                "    {:<28} {}\n",
                format!("{}/{}", info.id, sc.id),
                sc.title
            ));
        }
    }
    s.push_str("\nExperiments:\n");
    for l in LABS {
        for e in l.experiments() {
            let e = e.info();
            s.push_str(&format!(
                "  {} (lab {}): {}\n",
                e.name,
                l.info().id,
                e.title
            ));
            s.push_str(&wrap(e.about, 4));
            s.push_str(&format!("    Reproduces: {}\n", e.reproduces));
            for p in e.params {
                s.push_str(&format!(
                    "    --{:<10} {} (default {})\n",
                    p.flag,
                    p.help,
                    p.default.value().text()
                ));
            }
            s.push_str(&format!(
                "    json: {}\n    csv:  {}\n",
                e.output_json, e.output_csv
            ));
        }
    }
    s.push_str(
        "
History checks:
  check-history FILE        Reads a JSON history of one register (FILE, or - for stdin)
                            and checks linearizability, sequential consistency, and
                            read-your-writes / monotonic reads per client. The format:
                            [{\"client\":1,\"op\":\"read\"|\"write\"|\"cas\",\"value\":..,
                            \"expected\":.. (cas),\"ok\":true,\"invoke\":t0,\"response\":t1}, ...]
                            (a missing or null response: the operation never returned).
                            Documented in full in the dsviz_sim::check module.

ShiViz logs:
  shiviz FILE               Reads a ShiViz log (FILE, or - for stdin): events with a host, a
                            vector clock (a JSON object host -> counter) and a description,
                            found by --parser, a JavaScript regex with the named groups host,
                            clock and event, e.g. '(?<event>.*)\\n(?<host>\\S*) (?<clock>{.*})'
                            (ShiViz's default) or '(?<host>\\S*) (?<clock>{.*})\\n(?<event>.*)'
                            (the logs dsviz writes). --delimiter, a second regex, splits the
                            log into executions, named by its group trace if it has one, e.g.
                            '^=== (?<trace>.*) ===$'. Without --parser, FILE is in the form
                            ShiViz's upload takes: the parser on line 1 (empty: ShiViz's
                            default), the delimiter on line 2 (empty: none), then the log.
                            Infers the messages from the clocks and reports every event whose
                            clock contradicts causality. The command line's regex engine has
                            no lookaround or backreferences; such a regex is refused.

Output:
  list json        {\"labs\":[{\"id\",\"title\",\"tagline\",\"scenarios\":[..],\"experiments\":[..],
                   \"params\":[{\"key\",\"label\",\"unit\",\"kind\",\"min\",\"max\",\"default\",\"choices\"}]}]}
  scenario json    {\"lab\",\"scenario\",\"seed\",\"steps\":[{\"step\",\"time_us\",\"actor\",\"text\",
                   \"injected\",\"violations\"}],\"violations\",\"trace_hash\",\"final\"}
                   (final: the lab's summary, e.g. Raft's {\"leader\",\"term\"})
  scenario csv     step,time_us,actor,injected,violations,text (one row per step;
                   violations are the invariants broken at that step, separated by \"; \")
  check-history    {\"linearizable\":true|false|null,\"sequential\":true|false|null,
                   \"explanation\":string|null,\"culprit\",\"conflict\",\"witness\",
                   \"sequential_explanation\",\"unknown_reason\",\"operations\",
                   \"session\":{\"read_your_writes\":[{\"client\",\"ops\",\"explanation\"}],
                   \"monotonic_reads\":[..],\"read_your_writes_total\",\"monotonic_reads_total\"}}
                   null: the search reached --max-states without an answer.
                   explanation: why the history is not linearizable; culprit: the operation
                   whose response first makes it so; conflict: the operations the
                   explanation names; witness: a linearization (operation numbers, from 0
                   in file order).
  shiviz           a readable summary; with --format json, one execution:
                   {\"hosts\":H,\"events\":E,\"messages\":M,\"inconsistent\":[{\"line\",\"host\",
                   \"event\",\"kind\",\"reason\"}]} (H, E, M: how many); with a delimiter, an array
                   of them, one per execution in log order, each with \"trace\" (its name) and
                   \"line\" (where it starts) first. Lines count from 1 at the top of FILE.

Exit status: 0 on success (whatever the verdict), 2 on bad arguments or an unreadable
or invalid history or log (one line saying what and where), 1 if the output could
not be written.
",
    );
    s
}

/// A paragraph wrapped at 88 columns, indented.
fn wrap(text: &str, indent: usize) -> String {
    let mut out = String::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        if !line.is_empty() && indent + line.len() + 1 + word.len() > 88 {
            out.push_str(&format!("{}{line}\n", " ".repeat(indent)));
            line.clear();
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        out.push_str(&format!("{}{line}\n", " ".repeat(indent)));
    }
    out
}

/// A usage error: one line for the user.
struct BadArgs(String);

#[derive(Clone, Copy, PartialEq, Eq)]
enum Format {
    Json,
    Csv,
}

/// `--name value` / `--name=value` flags, in order; `--param k=v` becomes ("param", "k=v").
fn split_flags(args: &[String]) -> Result<Vec<(String, String)>, BadArgs> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < args.len() {
        let arg = &args[i];
        let Some(body) = arg.strip_prefix("--") else {
            return Err(BadArgs(format!("unexpected argument '{arg}'")));
        };
        let (name, value) = match body.split_once('=') {
            Some((n, v)) => (n.to_string(), v.to_string()),
            None => {
                i += 1;
                let v = args
                    .get(i)
                    .cloned()
                    .ok_or_else(|| BadArgs(format!("--{body} needs a value")))?;
                (body.to_string(), v)
            }
        };
        out.push((name, value));
        i += 1;
    }
    Ok(out)
}

fn format_of(v: &str) -> Result<Format, BadArgs> {
    match v {
        "json" => Ok(Format::Json),
        "csv" => Ok(Format::Csv),
        _ => Err(BadArgs(format!("--format must be json or csv, not '{v}'"))),
    }
}

fn number(name: &str, value: &str, lo: u64, hi: u64) -> Result<u64, BadArgs> {
    match value.parse::<u64>() {
        Ok(v) if (lo..=hi).contains(&v) => Ok(v),
        Ok(v) => Err(BadArgs(format!("{name} {v} is outside {lo}-{hi}"))),
        Err(_) => Err(BadArgs(format!(
            "{name} needs a whole number, not '{value}'"
        ))),
    }
}

/// Takes `name` from `flags` at most once.
fn take_once(flags: &mut Vec<(String, String)>, name: &str) -> Result<Option<String>, BadArgs> {
    let mut found: Vec<String> = Vec::new();
    flags.retain(|(n, v)| {
        if n == name {
            found.push(v.clone());
            false
        } else {
            true
        }
    });
    match found.len() {
        0 => Ok(None),
        1 => Ok(found.pop()),
        _ => Err(BadArgs(format!("--{name} is given twice"))),
    }
}

fn to_json<T: Serialize>(v: &T) -> String {
    // Serialising plain structs of strings and numbers cannot fail; an
    // empty object would still be valid JSON if it somehow did.
    let mut s = serde_json::to_string(v).unwrap_or_else(|_| "{}".into());
    s.push('\n');
    s
}

fn csv_field(s: &str) -> String {
    dsviz_sim::labs::experiment::csv_field(s)
}

// ---- list -------------------------------------------------------------------

#[derive(Serialize)]
struct ListOut {
    labs: Vec<LabOut>,
}

#[derive(Serialize)]
struct LabOut {
    id: &'static str,
    title: &'static str,
    tagline: &'static str,
    scenarios: Vec<&'static str>,
    experiments: Vec<&'static str>,
    params: Vec<ParamOut>,
}

#[derive(Serialize)]
struct ParamOut {
    key: &'static str,
    label: &'static str,
    unit: &'static str,
    kind: &'static str,
    min: Option<f64>,
    max: Option<f64>,
    default: serde_json::Value,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    choices: Vec<&'static str>,
}

fn value_json(v: &Value) -> serde_json::Value {
    match v {
        Value::Int(i) => (*i).into(),
        Value::Float(f) => serde_json::Number::from_f64(*f)
            .map(serde_json::Value::Number)
            .unwrap_or(serde_json::Value::Null),
        Value::Range(a, b) => serde_json::json!([a, b]),
        Value::Flag(b) => (*b).into(),
        Value::Choice(c) => (*c).into(),
        Value::List(vs) => serde_json::json!(vs),
    }
}

fn list(args: &[String]) -> Result<String, BadArgs> {
    let mut flags = split_flags(args)?;
    let json = match take_once(&mut flags, "format")? {
        None => false,
        Some(f) => format_of(&f)? == Format::Json,
    };
    if let Some((n, _)) = flags.first() {
        return Err(BadArgs(format!("unknown flag '--{n}' for list")));
    }
    let labs: Vec<LabOut> = LABS
        .iter()
        .map(|l| LabOut {
            id: l.info().id,
            title: l.info().title,
            tagline: l.info().tagline,
            scenarios: l.scenarios().iter().map(|s| s.id).collect(),
            experiments: l.experiments().iter().map(|e| e.info().name).collect(),
            params: l
                .params()
                .into_iter()
                .map(|p| {
                    let bounds = kind_bounds(&p.kind);
                    ParamOut {
                        key: p.key,
                        label: p.label,
                        unit: p.unit,
                        kind: match p.kind {
                            Kind::Int { .. } => "int",
                            Kind::Float { .. } => "float",
                            Kind::Range { .. } => "range",
                            Kind::Flag => "flag",
                            Kind::Choice(_) => "choice",
                            Kind::List { .. } => "list",
                        },
                        min: bounds.map(|b| b.0),
                        max: bounds.map(|b| b.1),
                        default: value_json(&p.default),
                        choices: match p.kind {
                            Kind::Choice(cs) => cs.iter().map(|c| c.value).collect(),
                            _ => vec![],
                        },
                    }
                })
                .collect(),
        })
        .collect();
    if json {
        return Ok(to_json(&ListOut { labs }));
    }
    let mut out = String::new();
    for l in &labs {
        out.push_str(&format!(
            "{} ({})\n  scenarios:   {}\n",
            l.title,
            l.id,
            l.scenarios.join(", ")
        ));
        if !l.experiments.is_empty() {
            out.push_str(&format!("  experiments: {}\n", l.experiments.join(", ")));
        }
        out.push_str("  parameters:\n");
        for p in &l.params {
            let range = match (p.min, p.max, p.kind) {
                (_, _, "choice") => p.choices.join(" | "),
                (_, _, "flag") => "1 | 0".into(),
                (Some(a), Some(b), _) => format!("{a}–{b}"),
                _ => String::new(),
            };
            let unit = if p.unit.is_empty() {
                String::new()
            } else {
                format!(" {}", p.unit)
            };
            out.push_str(&format!(
                "    {:<10} {:<32} {:<22} default {}\n",
                p.key,
                p.label,
                format!("{range}{unit}"),
                p.default
            ));
        }
    }
    Ok(out)
}

// ---- scenario -------------------------------------------------------------

#[derive(Serialize)]
struct ScenarioOut<'a> {
    lab: &'static str,
    scenario: &'a str,
    seed: u64,
    steps: Vec<StepOut>,
    violations: Vec<ViolationOut>,
    trace_hash: String,
    #[serde(rename = "final")]
    end: serde_json::Value,
}

#[derive(Serialize)]
struct StepOut {
    step: u64,
    time_us: u64,
    actor: Option<String>,
    text: String,
    injected: bool,
    /// The invariants broken at this step.
    violations: Vec<&'static str>,
}

#[derive(Serialize)]
struct ViolationOut {
    step: u64,
    time_us: u64,
    invariant: &'static str,
    explanation: String,
}

fn scenario(args: &[String]) -> Result<String, BadArgs> {
    let name = args
        .first()
        .ok_or_else(|| BadArgs("scenario needs a name, e.g. raft/first-election".into()))?;
    let (lab_id, sc_id) = name.split_once('/').ok_or_else(|| {
        BadArgs(format!(
            "unknown scenario '{name}' (scenarios are named <lab>/<id>, e.g. raft/first-election)"
        ))
    })?;
    let lab = registry::find(lab_id).ok_or_else(|| {
        BadArgs(format!(
            "unknown lab '{lab_id}' (labs: {})",
            registry::ids().join(", ")
        ))
    })?;
    if !lab.scenarios().iter().any(|s| s.id == sc_id) {
        return Err(BadArgs(format!("unknown scenario '{name}'")));
    }
    let mut flags = split_flags(&args[1..])?;
    let format = take_once(&mut flags, "format")?
        .map(|f| format_of(&f))
        .transpose()?
        .unwrap_or(Format::Json);
    let seed = take_once(&mut flags, "seed")?
        .map(|v| number("--seed", &v, 0, SEED_MAX))
        .transpose()?;
    let steps = take_once(&mut flags, "steps")?
        .map(|v| number("--steps", &v, 0, MAX_STEPS))
        .transpose()?;
    let export = take_once(&mut flags, "export")?;
    if let Some(e) = export.as_deref().filter(|e| *e != "shiviz") {
        return Err(BadArgs(format!(
            "--export writes shiviz (a ShiViz log), not '{e}'"
        )));
    }
    let mut pairs: Vec<(String, String)> = vec![("sc".into(), sc_id.into())];
    if let Some(s) = seed {
        pairs.push(("seed".into(), s.to_string()));
    }
    for (n, v) in flags {
        if n != "param" {
            return Err(BadArgs(format!("unknown flag '--{n}' for scenario")));
        }
        let (k, val) = v
            .split_once('=')
            .ok_or_else(|| BadArgs(format!("--param needs key=value, not '{v}'")))?;
        if dsviz_sim::labs::lab::RUN_KEYS.contains(&k) {
            return Err(BadArgs(format!(
                "--param {k}=…: use the scenario name, --seed or --steps instead"
            )));
        }
        if !lab.params().iter().any(|p| p.key == k) {
            let keys: Vec<&str> = lab.params().iter().map(|p| p.key).collect();
            return Err(BadArgs(format!(
                "lab '{lab_id}' has no parameter '{k}' (it has: {})",
                keys.join(", ")
            )));
        }
        pairs.push((k.to_string(), val.to_string()));
    }
    let mut run = lab.open_strict(&pairs).map_err(BadArgs)?;
    match steps {
        Some(k) => while run.cursor() < k && run.forward() {},
        // Exactly what the web app shows at the scenario's pause.
        None => {
            let sc = run.scenario();
            let ms = if sc.pause_ms == 0 {
                FREE_PLAY_CHECK_MS
            } else {
                sc.pause_ms
            };
            run.run_until(ms * 1000);
        }
    }
    if export.is_some() {
        return run
            .shiviz()
            .map(|x| x.upload())
            .map_err(|e| BadArgs(format!("the run could not be written as a log: {e}")));
    }
    Ok(scenario_output(run.as_ref(), format))
}

fn scenario_output(run: &dyn AnyRun, format: Format) -> String {
    let mut broken: BTreeMap<u64, Vec<&'static str>> = BTreeMap::new();
    for v in run.violations() {
        broken.entry(v.step).or_default().push(v.invariant);
    }
    let steps: Vec<StepOut> = run
        .steps()
        .into_iter()
        .map(|s| StepOut {
            violations: broken.get(&s.step).cloned().unwrap_or_default(),
            step: s.step,
            time_us: s.time_us,
            actor: s.actor,
            text: s.text,
            injected: s.injected,
        })
        .collect();
    if format == Format::Csv {
        let mut out = String::from("step,time_us,actor,injected,violations,text\n");
        for s in &steps {
            out.push_str(&format!(
                "{},{},{},{},{},{}\n",
                s.step,
                s.time_us,
                csv_field(s.actor.as_deref().unwrap_or("")),
                s.injected,
                csv_field(&s.violations.join("; ")),
                csv_field(&s.text)
            ));
        }
        return out;
    }
    let violations = run
        .violations()
        .iter()
        .map(|v| ViolationOut {
            step: v.step,
            time_us: v.time_us,
            invariant: v.invariant,
            explanation: v.explanation.clone(),
        })
        .collect();
    let sc = run.scenario();
    let out = ScenarioOut {
        lab: run.lab().id,
        scenario: sc.id,
        seed: run.seed(),
        steps,
        violations,
        trace_hash: format!("{:016x}", run.trace_hash()),
        end: serde_json::from_str(&run.summary()).unwrap_or(serde_json::Value::Null),
    };
    to_json(&out)
}

// ---- experiment -------------------------------------------------------------

fn experiment(args: &[String]) -> Result<String, BadArgs> {
    let names: Vec<&str> = LABS
        .iter()
        .flat_map(|l| l.experiments().iter().map(|e| e.info().name))
        .collect();
    let name = args
        .first()
        .ok_or_else(|| BadArgs(format!("experiment needs a name ({})", names.join(", "))))?;
    let (_, exp) = registry::experiment(name).ok_or_else(|| {
        BadArgs(format!(
            "unknown experiment '{name}' (experiments: {})",
            names.join(", ")
        ))
    })?;
    let mut flags = split_flags(&args[1..])?;
    let format = take_once(&mut flags, "format")?
        .map(|f| format_of(&f))
        .transpose()?
        .unwrap_or(Format::Json);
    let mut given = Vec::new();
    for (n, v) in flags {
        if n == "param" {
            let (k, val) = v
                .split_once('=')
                .ok_or_else(|| BadArgs(format!("--param needs key=value, not '{v}'")))?;
            given.push((k.to_string(), val.to_string()));
        } else {
            given.push((n, v));
        }
    }
    let parsed = read_args(exp.info(), &given).map_err(BadArgs)?;
    let out = exp.run_all(&parsed).map_err(BadArgs)?;
    Ok(if format == Format::Csv {
        out.csv
    } else {
        out.json
    })
}

// ---- check-history ---------------------------------------------------------------

#[derive(Serialize)]
struct CheckOut {
    linearizable: Option<bool>,
    sequential: Option<bool>,
    explanation: Option<String>,
    culprit: Option<usize>,
    conflict: Vec<usize>,
    witness: Option<Vec<usize>>,
    sequential_explanation: Option<String>,
    unknown_reason: Option<String>,
    operations: usize,
    session: SessionReport,
}

/// What went wrong with a command: bad arguments (the usage helps) or a
/// bad input file (it does not: one line says what and where).
enum Failure {
    Args(BadArgs),
    Input(String),
}

impl From<BadArgs> for Failure {
    fn from(b: BadArgs) -> Failure {
        Failure::Args(b)
    }
}

/// The whole input, or as much as one byte past the limit (so the import
/// can say it is too large).
fn read_input(path: &str) -> Result<Vec<u8>, String> {
    let limit = INPUT_BYTES_MAX as u64 + 1;
    let mut bytes = Vec::new();
    let read = if path == "-" {
        std::io::stdin().lock().take(limit).read_to_end(&mut bytes)
    } else {
        std::fs::File::open(path).and_then(|f| f.take(limit).read_to_end(&mut bytes))
    };
    let name = if path == "-" { "standard input" } else { path };
    read.map_err(|e| format!("cannot read {name}: {e}"))?;
    Ok(bytes)
}

fn check_history(args: &[String]) -> Result<String, Failure> {
    let path = args.first().ok_or_else(|| {
        BadArgs("check-history needs a file name, or - for standard input".into())
    })?;
    if path.starts_with("--") {
        return Err(BadArgs(format!(
            "check-history needs a file name before its flags, not '{path}'"
        ))
        .into());
    }
    let mut flags = split_flags(&args[1..])?;
    let max_states = take_once(&mut flags, "max-states")?
        .map(|v| number("--max-states", &v, 1, check::MAX_STATES_LIMIT))
        .transpose()?;
    if let Some((n, _)) = flags.first() {
        return Err(BadArgs(format!("unknown flag '--{n}' for check-history")).into());
    }
    let bytes = read_input(path).map_err(Failure::Input)?;
    let shown = if path == "-" {
        "<stdin>"
    } else {
        path.as_str()
    };
    let history =
        check::json::from_slice(&bytes).map_err(|e| Failure::Input(format!("{shown}: {e}")))?;
    let config = CheckConfig {
        max_states: max_states.unwrap_or(check::MAX_STATES_DEFAULT),
    };
    let report = check::check(&history, &config);
    let mut unknown = Vec::new();
    let (linearizable, explanation, witness) = match report.linearizable {
        Verdict::Linearizable { order } => (Some(true), None, Some(order)),
        Verdict::NotLinearizable { explanation } => (Some(false), Some(explanation), None),
        Verdict::Unknown { reason } => {
            unknown.push(format!("linearizability: {reason}"));
            (None, None, None)
        }
    };
    let (sequential, sequential_explanation) = match report.sequential {
        SeqVerdict::Sequential { .. } => (Some(true), None),
        SeqVerdict::NotSequential { explanation } => (Some(false), Some(explanation.text)),
        SeqVerdict::Unknown { reason } => {
            unknown.push(format!("sequential consistency: {reason}"));
            (None, None)
        }
    };
    let out = CheckOut {
        linearizable,
        sequential,
        culprit: explanation.as_ref().and_then(|e| e.culprit),
        conflict: explanation
            .as_ref()
            .map(|e| e.ops.clone())
            .unwrap_or_default(),
        explanation: explanation.map(|e| e.text),
        witness,
        sequential_explanation,
        unknown_reason: (!unknown.is_empty()).then(|| unknown.join("; ")),
        operations: history.ops.len(),
        session: report.sessions,
    };
    Ok(to_json(&out))
}

// ---- shiviz -----------------------------------------------------------------------

#[derive(Serialize)]
struct ShivizOut {
    #[serde(skip_serializing_if = "Option::is_none")]
    trace: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    line: Option<usize>,
    hosts: usize,
    events: usize,
    messages: usize,
    inconsistent: Vec<InconsistentOut>,
}

#[derive(Serialize)]
struct InconsistentOut {
    line: usize,
    host: String,
    event: String,
    kind: &'static str,
    reason: String,
}

fn shiviz(args: &[String]) -> Result<String, Failure> {
    let path = args
        .first()
        .ok_or_else(|| BadArgs("shiviz needs a file name, or - for standard input".into()))?;
    if path.starts_with("--") {
        return Err(BadArgs(format!(
            "shiviz needs a file name before its flags, not '{path}'"
        ))
        .into());
    }
    let mut flags = split_flags(&args[1..])?;
    let json = match take_once(&mut flags, "format")?.as_deref() {
        None => false,
        Some("json") => true,
        Some(f) => {
            return Err(BadArgs(format!(
                "--format for shiviz must be json (or left out for text), not '{f}'"
            ))
            .into())
        }
    };
    let parser = take_once(&mut flags, "parser")?;
    let delimiter = take_once(&mut flags, "delimiter")?;
    if let Some((n, _)) = flags.first() {
        return Err(BadArgs(format!("unknown flag '--{n}' for shiviz")).into());
    }
    if parser.is_none() && delimiter.is_some() {
        return Err(BadArgs("--delimiter needs --parser (without --parser, the file's second line is the delimiter)".into()).into());
    }
    let matcher = parser
        .as_deref()
        .map(|p| RegexMatcher::new(p, delimiter.as_deref()))
        .transpose()
        .map_err(BadArgs)?;
    let bytes = read_input(path).map_err(Failure::Input)?;
    let shown = if path == "-" {
        "<stdin>"
    } else {
        path.as_str()
    };
    let bad = |m: String| Failure::Input(format!("{shown}: {m}"));
    let text = std::str::from_utf8(&bytes)
        .map_err(|e| bad(format!("the log is not UTF-8 (byte {})", e.valid_up_to())))?;
    let (executions, delimited) = match matcher {
        Some(m) => (
            shiviz::parse(text, &m).map_err(|e| bad(e.to_string()))?,
            delimiter.is_some(),
        ),
        None => {
            let up = shiviz::read_upload(text)
                .ok_or_else(|| bad("without --parser the file needs the parser on line 1 and the delimiter on line 2".into()))?;
            let m = RegexMatcher::new(&up.parser, None).map_err(|e| bad(format!("line 1: {e}")))?;
            let m = match &up.delimiter {
                None => m,
                Some(d) => RegexMatcher::new(&up.parser, Some(d))
                    .map_err(|e| bad(format!("line 2: {e}")))?,
            };
            (
                shiviz::parse_from_line(up.log, up.log_line, &m).map_err(|e| bad(e.to_string()))?,
                up.delimiter.is_some(),
            )
        }
    };
    let outs: Vec<ShivizOut> = executions
        .iter()
        .map(|x| ShivizOut {
            trace: delimited.then(|| x.trace.clone()),
            line: delimited.then_some(x.line),
            hosts: x.hosts.len(),
            events: x.events.len(),
            messages: x.messages.len(),
            inconsistent: x
                .inconsistent
                .iter()
                .map(|i| InconsistentOut {
                    line: i.line,
                    host: i.host.clone(),
                    event: x.events[i.event].description.clone(),
                    kind: i.problem.kind(),
                    reason: i.reason.clone(),
                })
                .collect(),
        })
        .collect();
    if json {
        return Ok(if delimited {
            to_json(&outs)
        } else {
            to_json(&outs[0])
        });
    }
    let mut out = String::new();
    for o in &outs {
        if let (Some(t), Some(l)) = (&o.trace, o.line) {
            out.push_str(&format!(
                "execution {} (line {l}): ",
                serde_json::Value::from(t.as_str())
            ));
        }
        let plural =
            |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
        out.push_str(&format!(
            "{}, {}, {}; ",
            plural(o.hosts, "host", "hosts"),
            plural(o.events, "event", "events"),
            plural(o.messages, "message", "messages")
        ));
        if o.inconsistent.is_empty() {
            out.push_str("every clock is consistent with causality\n");
        } else {
            out.push_str(&format!(
                "{} inconsistent with causality:\n",
                plural(o.inconsistent.len(), "clock", "clocks")
            ));
            for i in &o.inconsistent {
                out.push_str(&format!("  line {} ({}): {}\n", i.line, i.host, i.reason));
            }
        }
    }
    Ok(out)
}

// ---- main -------------------------------------------------------------------

enum Outcome {
    Print(String),
    Help,
}

fn run(args: &[String]) -> Result<Outcome, Failure> {
    match args.first().map(String::as_str) {
        None => Err(BadArgs("no command given".into()).into()),
        Some("help" | "--help" | "-h") => Ok(Outcome::Help),
        Some("list") => Ok(Outcome::Print(list(&args[1..])?)),
        Some("scenario") => Ok(Outcome::Print(scenario(&args[1..])?)),
        Some("experiment") => Ok(Outcome::Print(experiment(&args[1..])?)),
        Some("check-history") => check_history(&args[1..]).map(Outcome::Print),
        Some("shiviz") => shiviz(&args[1..]).map(Outcome::Print),
        Some(other) => Err(BadArgs(format!("unknown command '{other}'")).into()),
    }
}

fn main() -> ExitCode {
    let args: Result<Vec<String>, _> = std::env::args_os()
        .skip(1)
        .map(|a| a.into_string())
        .collect();
    let result = match args {
        Ok(args) => run(&args),
        Err(bad) => Err(BadArgs(format!("argument {bad:?} is not valid UTF-8")).into()),
    };
    let text = match result {
        Ok(Outcome::Print(s)) => s,
        Ok(Outcome::Help) => usage(),
        Err(Failure::Args(BadArgs(msg))) => {
            let _ = write!(
                std::io::stderr().lock(),
                "dsviz-sim: error: {msg}\n\n{}",
                usage()
            );
            return ExitCode::from(2);
        }
        Err(Failure::Input(msg)) => {
            let _ = writeln!(std::io::stderr().lock(), "dsviz-sim: error: {msg}");
            return ExitCode::from(2);
        }
    };
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(text.as_bytes())
        .and_then(|_| stdout.flush())
    {
        Ok(()) => ExitCode::SUCCESS,
        // A closed pipe (`| head`) is the reader's choice, not an error to report.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::from(1),
        Err(e) => {
            let _ = writeln!(
                std::io::stderr().lock(),
                "dsviz-sim: cannot write output: {e}"
            );
            ExitCode::from(1)
        }
    }
}
