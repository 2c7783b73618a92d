//! `dsviz-sim`: the labs' scenarios and experiments from the command line.
//!
//! The output is a pure function of the arguments: the same command gives
//! the same bytes on every run and every machine, however many threads the
//! experiment uses. Bad arguments print one error line and the usage to
//! stderr and exit with status 2; nothing the user types makes it panic.

use dsviz_sim::check::{self, json::INPUT_BYTES_MAX, CheckConfig, SeqVerdict, SessionReport, Verdict};
use dsviz_sim::kernel::timeline::MAX_STEPS;
use dsviz_sim::kernel::{Protocol, Timeline};
use dsviz_sim::labs::raft::experiment::{
    election_time_trial, trial_seed, RangeResult, FIG16_RANGES_MS, TRIALS_MAX,
};
use dsviz_sim::labs::raft::{scenarios, RaftNode};
use dsviz_sim::pbs::{self, PbsConfig, TPoint};
use serde::Serialize;
use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::process::ExitCode;
use std::sync::atomic::{AtomicUsize, Ordering};

const EXPERIMENT_ELECTION: &str = "raft-election-time";
const EXPERIMENT_PBS: &str = "pbs";
const TRIALS_DEFAULT: u32 = 1_000;
const PBS_TRIALS_DEFAULT: u32 = 10_000;
/// Most replicas the pbs experiment takes from the command line.
const PBS_N_MAX: u64 = 20;
const PBS_NRW_DEFAULT: (u32, u32, u32) = (3, 1, 1);
const EXPERIMENT_SEED_DEFAULT: u64 = 1;
/// Trials one thread takes at a time: small enough to share the slow
/// ranges between cores, large enough to make the bookkeeping negligible.
const TRIALS_PER_CHUNK: u32 = 50;
/// Most worker threads, whatever the machine offers.
const THREADS_MAX: usize = 16;

fn usage() -> String {
    let mut s = String::from(
        "dsviz-sim: run dsviz's simulations from the command line.

Usage:
  dsviz-sim scenario raft/<id> [--seed N] [--steps K] [--format json|csv]
  dsviz-sim experiment raft-election-time [--trials N] [--seed S] [--format json|csv]
  dsviz-sim experiment pbs [--n N] [--r R] [--w W] [--trials N] [--seed S] [--format json|csv]
  dsviz-sim check-history FILE|- [--max-states N]
  dsviz-sim help | --help | -h

Options (also written --name=value):
  --seed N      scenario: the run's seed (default: the scenario's own);
                experiment: the base seed every trial's seed derives from (default 1)
  --steps K     scenario: run exactly K steps, 0-200000 (default: run to the
                scenario's pause point)
  --trials N    experiment: trials per timeout range, 1-100000 (default 1000);
                pbs: trials, 1-100000 (default 10000)
  --n N, --r R, --w W
                pbs: replicas, read quorum and write quorum, 1 <= R, W <= N <= 20
                (default N=3, R=1, W=1)
  --max-states N
                check-history: configurations each search may explore before it
                answers \"unknown\" (null), 1-100000000 (default 5000000)
  --format F    json (default) or csv

Scenarios:
",
    );
    for sc in scenarios::all() {
        s.push_str(&format!("  raft/{:<20} {}\n", sc.id, sc.title));
    }
    s.push_str(&format!(
        "
Experiments:
  {EXPERIMENT_ELECTION:<25} Raft paper Figure 16: time from a leader crash to a new
                            leader, for its 10 election-timeout ranges (5 servers,
                            1-2 ms network, 6 ms fsync)
  {EXPERIMENT_PBS:<25} Probabilistically Bounded Staleness (Bailis et al., VLDB 2012):
                            the closed form C(N-W,R)/C(N,R) for a read quorum missing the
                            write quorum, its Monte Carlo estimate (only the W acking
                            replicas get the write, read at commit), and t-visibility
                            from the WARS model: P(a read t ms after commit is fresh)
                            for t = 0,1,2,5,10,20,50,100,200 ms. Default latencies,
                            per replica and message: W (write arrives) exponential,
                            mean 10 ms; A (ack), R (read request), S (read answer)
                            exponential, mean 1 ms.

History checks:
  check-history FILE        Reads a JSON history of one register (FILE, or - for stdin)
                            and checks linearizability, sequential consistency, and
                            read-your-writes / monotonic reads per client. The format:
                            [{{\"client\":1,\"op\":\"read\"|\"write\"|\"cas\",\"value\":..,
                            \"expected\":.. (cas),\"ok\":true,\"invoke\":t0,\"response\":t1}}, ...]
                            (a missing or null response: the operation never returned).
                            Documented in full in the dsviz_sim::check module.

Output:
  scenario json    {{\"lab\",\"scenario\",\"seed\",\"steps\":[{{\"step\",\"time_us\",\"actor\",\"text\",
                   \"injected\",\"violations\"}}],\"violations\",\"trace_hash\",\"final\":{{\"leader\",\"term\"}}}}
  scenario csv     step,time_us,actor,injected,violations,text (one row per step;
                   violations are the invariants broken at that step, separated by \"; \")
  experiment json  {{\"experiment\",\"trials\",\"results\":[{{\"timeout_ms\",\"times_ms\",\"no_leader\",
                   \"min_ms\",\"median_ms\",\"mean_ms\",\"p99_ms\",\"max_ms\"}}]}}
  experiment csv   timeout_min_ms,timeout_max_ms,trial,time_ms (one row per trial, so a
                   CDF can be drawn from it; time_ms is empty when no leader was elected
                   within 10 s of virtual time)
  pbs json         {{\"experiment\":\"pbs\",\"n\",\"r\",\"w\",\"p_miss_closed_form\",
                   \"p_miss_monte_carlo\",\"t_visibility\":[{{\"t_ms\",\"p_consistent\"}}]}}
  pbs csv          n,r,w,p_miss_closed_form,p_miss_monte_carlo,t_ms,p_consistent (one row per t)
  check-history    {{\"linearizable\":true|false|null,\"sequential\":true|false|null,
                   \"explanation\":string|null,\"culprit\",\"conflict\",\"witness\",
                   \"sequential_explanation\",\"unknown_reason\",\"operations\",
                   \"session\":{{\"read_your_writes\":[{{\"client\",\"ops\",\"explanation\"}}],
                   \"monotonic_reads\":[..],\"read_your_writes_total\",\"monotonic_reads_total\"}}}}
                   null: the search reached --max-states without an answer.
                   explanation: why the history is not linearizable; culprit: the operation
                   whose response first makes it so; conflict: the operations the
                   explanation names; witness: a linearization (operation numbers, from 0
                   in file order).

Exit status: 0 on success (whatever the verdict), 2 on bad arguments or an unreadable
or invalid history (one line saying what and where), 1 if the output could not be
written.
"
    ));
    s
}

/// A usage error: one line for the user.
struct BadArgs(String);

#[derive(Clone, Copy, PartialEq, Eq)]
enum Format {
    Json,
    Csv,
}

#[derive(Default)]
struct Flags {
    seed: Option<u64>,
    steps: Option<u64>,
    trials: Option<u32>,
    format: Option<Format>,
    n: Option<u32>,
    r: Option<u32>,
    w: Option<u32>,
    max_states: Option<u64>,
}

/// Reads `--name value` / `--name=value` flags; `allowed` names the ones
/// this command takes.
fn parse_flags(args: &[String], allowed: &[&str]) -> Result<Flags, BadArgs> {
    let mut f = Flags::default();
    let mut i = 0;
    while i < args.len() {
        let arg = &args[i];
        let (name, inline) = match arg.split_once('=') {
            Some((n, v)) if n.starts_with("--") => (n, Some(v.to_string())),
            _ => (arg.as_str(), None),
        };
        if !name.starts_with("--") {
            return Err(BadArgs(format!("unexpected argument '{arg}'")));
        }
        if !allowed.contains(&name) {
            return Err(BadArgs(format!("unknown flag '{name}' for this command")));
        }
        let value = match inline {
            Some(v) => v,
            None => {
                i += 1;
                args.get(i).cloned().ok_or_else(|| BadArgs(format!("{name} needs a value")))?
            }
        };
        let dup = || BadArgs(format!("{name} is given twice"));
        match name {
            "--seed" => {
                if f.seed.replace(number(name, &value, 0, u64::MAX)?).is_some() {
                    return Err(dup());
                }
            }
            "--steps" => {
                if f.steps.replace(number(name, &value, 0, MAX_STEPS)?).is_some() {
                    return Err(dup());
                }
            }
            "--trials" => {
                let n = number(name, &value, 1, TRIALS_MAX as u64)? as u32;
                if f.trials.replace(n).is_some() {
                    return Err(dup());
                }
            }
            "--n" | "--r" | "--w" => {
                let v = number(name, &value, 1, PBS_N_MAX)? as u32;
                let slot = match name {
                    "--n" => &mut f.n,
                    "--r" => &mut f.r,
                    _ => &mut f.w,
                };
                if slot.replace(v).is_some() {
                    return Err(dup());
                }
            }
            "--max-states" => {
                if f.max_states.replace(number(name, &value, 1, check::MAX_STATES_LIMIT)?).is_some() {
                    return Err(dup());
                }
            }
            "--format" => {
                let fmt = match value.as_str() {
                    "json" => Format::Json,
                    "csv" => Format::Csv,
                    _ => return Err(BadArgs(format!("--format must be json or csv, not '{value}'"))),
                };
                if f.format.replace(fmt).is_some() {
                    return Err(dup());
                }
            }
            _ => return Err(BadArgs(format!("unknown flag '{name}'"))),
        }
        i += 1;
    }
    Ok(f)
}

fn number(name: &str, value: &str, lo: u64, hi: u64) -> Result<u64, BadArgs> {
    match value.parse::<u64>() {
        Ok(v) if (lo..=hi).contains(&v) => Ok(v),
        Ok(v) => Err(BadArgs(format!("{name} {v} is outside {lo}-{hi}"))),
        Err(_) => Err(BadArgs(format!("{name} needs a whole number, not '{value}'"))),
    }
}

/// A CSV field, quoted when it must be (RFC 4180).
fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

fn to_json<T: Serialize>(v: &T) -> String {
    // Serialising plain structs of strings and numbers cannot fail; an
    // empty object would still be valid JSON if it somehow did.
    let mut s = serde_json::to_string(v).unwrap_or_else(|_| "{}".into());
    s.push('\n');
    s
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
    end: FinalOut,
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

#[derive(Serialize)]
struct FinalOut {
    /// The up leader of the highest term, if any.
    leader: Option<String>,
    /// That leader's term, or the highest term any server has reached.
    term: u64,
}

fn scenario(args: &[String]) -> Result<String, BadArgs> {
    let name = args.first().ok_or_else(|| BadArgs("scenario needs a name, e.g. raft/first-election".into()))?;
    let id = name
        .strip_prefix("raft/")
        .ok_or_else(|| BadArgs(format!("unknown scenario '{name}' (scenarios are named raft/<id>)")))?;
    let sc = scenarios::find(id).ok_or_else(|| BadArgs(format!("unknown scenario '{name}'")))?;
    let flags = parse_flags(&args[1..], &["--seed", "--steps", "--format"])?;
    let seed = flags.seed.unwrap_or(sc.seed);

    let t = match flags.steps {
        Some(k) => {
            let mut t = Timeline::new(sc.world(seed));
            while t.cursor() < k && t.forward().is_ok() {}
            t
        }
        // Exactly what the web app shows at the scenario's pause.
        None => sc.run_to_pause(seed),
    };
    let w = t.world();
    let mut broken: BTreeMap<u64, Vec<&'static str>> = BTreeMap::new();
    for v in &w.violations {
        broken.entry(v.step).or_default().push(v.invariant);
    }
    let steps: Vec<StepOut> = t
        .records()
        .iter()
        .map(|r| StepOut {
            step: r.step,
            time_us: r.time_us,
            actor: r.actor.map(|a| w.proto.node_name(a)),
            text: w.narrate(&r.note),
            injected: r.injected,
            violations: broken.get(&r.step).cloned().unwrap_or_default(),
        })
        .collect();

    if flags.format == Some(Format::Csv) {
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
        return Ok(out);
    }

    let end = match scenarios::leader(w) {
        Some((id, term)) => FinalOut { leader: Some(w.proto.node_name(id)), term },
        None => FinalOut { leader: None, term: w.nodes.iter().filter_map(RaftNode::server).map(|s| s.term).max().unwrap_or(0) },
    };
    let violations = w
        .violations
        .iter()
        .map(|v| ViolationOut { step: v.step, time_us: v.time_us, invariant: v.invariant, explanation: v.explanation.clone() })
        .collect();
    let out = ScenarioOut {
        lab: "raft",
        scenario: sc.id,
        seed,
        steps,
        violations,
        trace_hash: format!("{:016x}", t.trace_hash()),
        end,
    };
    Ok(to_json(&out))
}

// ---- experiment -------------------------------------------------------------

#[derive(Serialize)]
struct ExperimentOut {
    experiment: &'static str,
    trials: u32,
    results: Vec<RangeResult>,
}

/// Every trial of every range, as `ElectionTimeExperiment` would run them,
/// spread over the machine's cores. Each chunk's outcomes land in their own
/// slot, so the assembled result does not depend on which thread ran what.
fn election_outcomes(trials: u32, base_seed: u64) -> Vec<Vec<Option<f64>>> {
    let chunks: Vec<(usize, u32, u32)> = FIG16_RANGES_MS
        .iter()
        .enumerate()
        .flat_map(|(r, _)| (0..trials).step_by(TRIALS_PER_CHUNK as usize).map(move |s| (r, s, (s + TRIALS_PER_CHUNK).min(trials))))
        .collect();
    let run_chunk = |&(r, start, end): &(usize, u32, u32)| -> Vec<Option<f64>> {
        let range = FIG16_RANGES_MS[r];
        (start..end).map(|i| election_time_trial(range, trial_seed(base_seed, range, i))).collect()
    };
    let next = AtomicUsize::new(0);
    let worker = || {
        let mut done = Vec::new();
        loop {
            let k = next.fetch_add(1, Ordering::Relaxed);
            let Some(chunk) = chunks.get(k) else { break done };
            done.push((k, run_chunk(chunk)));
        }
    };
    let n_threads = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1).clamp(1, THREADS_MAX);
    let mut slots: Vec<Option<Vec<Option<f64>>>> = vec![None; chunks.len()];
    std::thread::scope(|scope| {
        let helpers: Vec<_> =
            (1..n_threads).filter_map(|_| std::thread::Builder::new().spawn_scoped(scope, worker).ok()).collect();
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

fn experiment(args: &[String]) -> Result<String, BadArgs> {
    let name = args.first().ok_or_else(|| BadArgs(format!("experiment needs a name, e.g. {EXPERIMENT_ELECTION}")))?;
    if name == EXPERIMENT_PBS {
        return pbs_experiment(&args[1..]);
    }
    if name != EXPERIMENT_ELECTION {
        return Err(BadArgs(format!("unknown experiment '{name}'")));
    }
    let flags = parse_flags(&args[1..], &["--seed", "--trials", "--format"])?;
    let trials = flags.trials.unwrap_or(TRIALS_DEFAULT);
    let outcomes = election_outcomes(trials, flags.seed.unwrap_or(EXPERIMENT_SEED_DEFAULT));

    if flags.format == Some(Format::Csv) {
        let mut out = String::from("timeout_min_ms,timeout_max_ms,trial,time_ms\n");
        for (range, o) in FIG16_RANGES_MS.iter().zip(&outcomes) {
            for (i, t) in o.iter().enumerate() {
                let t = t.map(|t| t.to_string()).unwrap_or_default();
                out.push_str(&format!("{},{},{i},{t}\n", range.0, range.1));
            }
        }
        return Ok(out);
    }
    let results = FIG16_RANGES_MS.iter().zip(&outcomes).map(|(r, o)| RangeResult::from_outcomes(*r, o)).collect();
    Ok(to_json(&ExperimentOut { experiment: EXPERIMENT_ELECTION, trials, results }))
}

// ---- pbs -------------------------------------------------------------------------

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

fn pbs_experiment(args: &[String]) -> Result<String, BadArgs> {
    let flags = parse_flags(args, &["--n", "--r", "--w", "--seed", "--trials", "--format"])?;
    let (n, r, w) = (
        flags.n.unwrap_or(PBS_NRW_DEFAULT.0),
        flags.r.unwrap_or(PBS_NRW_DEFAULT.1),
        flags.w.unwrap_or(PBS_NRW_DEFAULT.2),
    );
    if r > n || w > n {
        return Err(BadArgs(format!("--r and --w must be at most --n ({n}), not {r} and {w}")));
    }
    let seed = flags.seed.unwrap_or(EXPERIMENT_SEED_DEFAULT);
    let mut config = PbsConfig::new(n, r, w);
    config.trials = flags.trials.unwrap_or(PBS_TRIALS_DEFAULT);
    let curve = pbs::run(config.clone(), seed).map_err(|e| BadArgs(e.to_string()))?;
    // The closed form's model: only the acking replicas get the write, read at once.
    config.propagation = false;
    config.t_ms = vec![0.0];
    let no_propagation = pbs::run(config, seed).map_err(|e| BadArgs(e.to_string()))?;
    // Misses over trials, from the count, so that the ratio prints cleanly.
    let trials = no_propagation.trials.max(1) as f64;
    let fresh = no_propagation.t_visibility.first().map_or(0.0, |p| (p.p_consistent * trials).round());
    let p_miss_monte_carlo = (trials - fresh) / trials;
    let out = PbsOut {
        experiment: EXPERIMENT_PBS,
        n,
        r,
        w,
        p_miss_closed_form: curve.p_miss_closed_form,
        p_miss_monte_carlo,
        t_visibility: curve.t_visibility,
    };
    if flags.format == Some(Format::Csv) {
        let mut csv = String::from("n,r,w,p_miss_closed_form,p_miss_monte_carlo,t_ms,p_consistent\n");
        for p in &out.t_visibility {
            csv.push_str(&format!("{n},{r},{w},{},{},{},{}\n", out.p_miss_closed_form, out.p_miss_monte_carlo, p.t_ms, p.p_consistent));
        }
        return Ok(csv);
    }
    Ok(to_json(&out))
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
    let path = args.first().ok_or_else(|| BadArgs("check-history needs a file name, or - for standard input".into()))?;
    if path.starts_with("--") {
        return Err(BadArgs(format!("check-history needs a file name before its flags, not '{path}'")).into());
    }
    let flags = parse_flags(&args[1..], &["--max-states"])?;
    let bytes = read_input(path).map_err(Failure::Input)?;
    let shown = if path == "-" { "<stdin>" } else { path.as_str() };
    let history = check::json::from_slice(&bytes).map_err(|e| Failure::Input(format!("{shown}: {e}")))?;
    let config = CheckConfig { max_states: flags.max_states.unwrap_or(check::MAX_STATES_DEFAULT) };
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
        conflict: explanation.as_ref().map(|e| e.ops.clone()).unwrap_or_default(),
        explanation: explanation.map(|e| e.text),
        witness,
        sequential_explanation,
        unknown_reason: (!unknown.is_empty()).then(|| unknown.join("; ")),
        operations: history.ops.len(),
        session: report.sessions,
    };
    Ok(to_json(&out))
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
        Some("scenario") => Ok(Outcome::Print(scenario(&args[1..])?)),
        Some("experiment") => Ok(Outcome::Print(experiment(&args[1..])?)),
        Some("check-history") => check_history(&args[1..]).map(Outcome::Print),
        Some(other) => Err(BadArgs(format!("unknown command '{other}'")).into()),
    }
}

fn main() -> ExitCode {
    let args: Result<Vec<String>, _> = std::env::args_os().skip(1).map(|a| a.into_string()).collect();
    let result = match args {
        Ok(args) => run(&args),
        Err(bad) => Err(BadArgs(format!("argument {bad:?} is not valid UTF-8")).into()),
    };
    let text = match result {
        Ok(Outcome::Print(s)) => s,
        Ok(Outcome::Help) => usage(),
        Err(Failure::Args(BadArgs(msg))) => {
            let _ = write!(std::io::stderr().lock(), "dsviz-sim: error: {msg}\n\n{}", usage());
            return ExitCode::from(2);
        }
        Err(Failure::Input(msg)) => {
            let _ = writeln!(std::io::stderr().lock(), "dsviz-sim: error: {msg}");
            return ExitCode::from(2);
        }
    };
    let mut stdout = std::io::stdout().lock();
    match stdout.write_all(text.as_bytes()).and_then(|_| stdout.flush()) {
        Ok(()) => ExitCode::SUCCESS,
        // A closed pipe (`| head`) is the reader's choice, not an error to report.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::from(1),
        Err(e) => {
            let _ = writeln!(std::io::stderr().lock(), "dsviz-sim: cannot write output: {e}");
            ExitCode::from(1)
        }
    }
}
