//! The `dsviz-sim` binary, run as a user would: documented output shapes,
//! bad arguments, and byte-identical output for identical commands.

use dsviz_sim::labs::raft::experiment::{run_all, FIG16_RANGES_MS};
use dsviz_sim::labs::raft::scenarios;
use serde_json::Value;
use std::process::{Command, Output};

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_dsviz-sim"))
        .args(args)
        .output()
        .expect("the binary runs")
}

/// Runs a command that must succeed and returns its stdout.
fn ok(args: &[&str]) -> String {
    let out = run(args);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "{args:?} failed ({:?}): {stderr}",
        out.status.code()
    );
    assert!(out.stderr.is_empty(), "{args:?} wrote to stderr: {stderr}");
    String::from_utf8(out.stdout).expect("stdout is UTF-8")
}

fn json(args: &[&str]) -> Value {
    let text = ok(args);
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{args:?}: not JSON ({e}): {text}"))
}

fn keys(v: &Value) -> Vec<&str> {
    v.as_object()
        .expect("an object")
        .keys()
        .map(String::as_str)
        .collect()
}

#[test]
fn scenario_json_has_the_documented_fields() {
    let v = json(&["scenario", "raft/leader-crash"]);
    let mut top = keys(&v);
    top.sort();
    assert_eq!(
        top,
        [
            "final",
            "lab",
            "scenario",
            "seed",
            "steps",
            "trace_hash",
            "violations"
        ]
    );
    assert_eq!(v["lab"], "raft");
    assert_eq!(v["scenario"], "leader-crash");
    assert_eq!(v["seed"], scenarios::find("leader-crash").unwrap().seed);
    let steps = v["steps"].as_array().unwrap();
    assert!(!steps.is_empty());
    for (i, s) in steps.iter().enumerate() {
        let mut k = keys(s);
        k.sort();
        assert_eq!(
            k,
            ["actor", "injected", "step", "text", "time_us", "violations"]
        );
        assert_eq!(s["step"], i as u64 + 1);
        assert!(
            s["actor"].is_null()
                || s["actor"].as_str().unwrap().starts_with('S')
                || s["actor"] == "Client"
        );
        assert!(!s["text"].as_str().unwrap().is_empty());
        assert!(s["violations"].is_array());
    }
    // By default the run stops where the web app pauses, with the same trace.
    let sc = scenarios::find("leader-crash").unwrap();
    let app = sc.run_to_pause(sc.seed);
    assert_eq!(steps.len(), app.records().len());
    assert_eq!(v["trace_hash"], format!("{:016x}", app.trace_hash()));
    // The scenario's promise (a new leader in a later term) shows in "final".
    assert!(steps
        .iter()
        .any(|s| s["text"].as_str().unwrap().contains("crashes")));
    assert!(v["final"]["leader"].is_string(), "{}", v["final"]);
    assert!(v["final"]["term"].as_u64().unwrap() >= 2);
    assert_eq!(v["violations"], Value::Array(vec![]));
    let hash = v["trace_hash"].as_str().unwrap();
    assert!(
        hash.len() == 16 && hash.chars().all(|c| c.is_ascii_hexdigit()),
        "{hash}"
    );
}

#[test]
fn scenario_violations_are_reported_per_step_and_in_full() {
    let v = json(&["scenario", "raft/double-vote"]);
    let all = v["violations"].as_array().unwrap();
    let first = all.first().expect("double-vote breaks Election Safety");
    assert_eq!(first["invariant"], "Election Safety");
    let mut k = keys(first);
    k.sort();
    assert_eq!(k, ["explanation", "invariant", "step", "time_us"]);
    let step = &v["steps"][first["step"].as_u64().unwrap() as usize - 1];
    assert_eq!(step["violations"], serde_json::json!(["Election Safety"]));
    assert_eq!(step["time_us"], first["time_us"]);
}

#[test]
fn seed_and_step_count_are_honoured() {
    let v = json(&[
        "scenario",
        "raft/first-election",
        "--steps",
        "17",
        "--seed",
        "99",
    ]);
    assert_eq!(v["steps"].as_array().unwrap().len(), 17);
    assert_eq!(v["seed"], 99);
    let other = json(&[
        "scenario",
        "raft/first-election",
        "--steps=17",
        "--seed=100",
    ]);
    assert_ne!(v["trace_hash"], other["trace_hash"], "the seed must matter");
    assert_eq!(
        json(&["scenario", "raft/first-election", "--steps", "0"])["steps"],
        Value::Array(vec![])
    );
}

#[test]
fn scenario_csv_has_a_header_and_one_row_per_step() {
    let text = ok(&[
        "scenario",
        "raft/stale-leader",
        "--steps",
        "40",
        "--format",
        "csv",
    ]);
    let mut lines = text.lines();
    assert_eq!(
        lines.next(),
        Some("step,time_us,actor,injected,violations,text")
    );
    let rows: Vec<&str> = lines.collect();
    assert_eq!(rows.len(), 40);
    assert!(rows[0].starts_with("1,"));
    // Narration with commas is quoted; a quoted field ends the row.
    assert!(rows.iter().any(|r| r.ends_with('"')), "{text}");
    assert!(rows.iter().all(|r| r.split(',').count() >= 6), "{text}");
}

#[test]
fn experiment_json_has_ten_ranges_with_the_documented_keys() {
    let text = ok(&["experiment", "raft-election-time", "--trials", "20"]);
    // serde_json's Value sorts keys, so the order is checked on the text.
    assert!(
        text.starts_with(concat!(
            r#"{"experiment":"raft-election-time","trials":20,"results":[{"timeout_ms":[150,150],"times_ms":[],"no_leader":20,"#,
            r#""min_ms":null,"median_ms":null,"mean_ms":null,"p99_ms":null,"max_ms":null},{"timeout_ms":[150,151],"times_ms":["#
        )),
        "{text}"
    );
    let v: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v["experiment"], "raft-election-time");
    assert_eq!(v["trials"], 20);
    let results = v["results"].as_array().unwrap();
    assert_eq!(results.len(), 10);
    for (r, range) in results.iter().zip(FIG16_RANGES_MS) {
        let mut k = keys(r);
        k.sort();
        assert_eq!(
            k,
            [
                "max_ms",
                "mean_ms",
                "median_ms",
                "min_ms",
                "no_leader",
                "p99_ms",
                "timeout_ms",
                "times_ms"
            ]
        );
        assert_eq!(r["timeout_ms"], serde_json::json!([range.0, range.1]));
        let n = r["times_ms"].as_array().unwrap().len() as u64 + r["no_leader"].as_u64().unwrap();
        assert_eq!(n, 20, "{range:?}: every trial is counted once");
    }
    assert!(
        results[0]["mean_ms"].is_null(),
        "150-150 never elects: {}",
        results[0]
    );
    // The threads change nothing: the library's single-threaded run gives the same results.
    // Compared as text: parsing floats back is not exact without serde_json's float_roundtrip.
    let expected = serde_json::to_string(&run_all(FIG16_RANGES_MS.to_vec(), 20, 1)).unwrap();
    assert!(text.contains(&expected), "CLI results differ from run_all");
}

#[test]
fn experiment_csv_has_one_row_per_trial() {
    let text = ok(&[
        "experiment",
        "raft-election-time",
        "--trials",
        "3",
        "--seed",
        "5",
        "--format",
        "csv",
    ]);
    let mut lines = text.lines();
    assert_eq!(
        lines.next(),
        Some("timeout_min_ms,timeout_max_ms,trial,time_ms")
    );
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    assert_eq!(rows.len(), 30);
    assert_eq!(rows[0], ["150", "150", "0", ""], "150-150 never elects");
    assert_eq!(&rows[29][..3], ["100", "200", "2"]);
    assert!(rows[29][3].parse::<f64>().unwrap() > 0.0);
}

#[test]
fn help_lists_every_scenario_and_experiment() {
    for args in [&["--help"][..], &["help"], &["-h"]] {
        let text = ok(args);
        for sc in scenarios::all() {
            assert!(
                text.contains(&format!("raft/{}", sc.id)),
                "{args:?} omits {}",
                sc.id
            );
            assert!(
                text.contains(sc.title),
                "{args:?} omits the title of {}",
                sc.id
            );
        }
        assert!(text.contains("raft-election-time"));
    }
}

#[test]
fn bad_arguments_exit_2_with_usage_on_stderr() {
    let cases: &[&[&str]] = &[
        &[],
        &["frobnicate"],
        &["scenario"],
        &["scenario", "raft/no-such-scenario"],
        &["scenario", "first-election"],
        &["scenario", "raft/first-election", "--steps"],
        &["scenario", "raft/first-election", "--steps", "many"],
        &["scenario", "raft/first-election", "--steps", "-1"],
        &["scenario", "raft/first-election", "--steps", "999999999"],
        &[
            "scenario",
            "raft/first-election",
            "--seed",
            "18446744073709551616",
        ],
        &["scenario", "raft/first-election", "--trials", "3"],
        &["scenario", "raft/first-election", "--format", "xml"],
        &[
            "scenario",
            "raft/first-election",
            "--seed",
            "1",
            "--seed",
            "2",
        ],
        &["scenario", "raft/first-election", "stray"],
        &["experiment"],
        &["experiment", "paxos"],
        &["experiment", "raft-election-time", "--trials", "0"],
        &["experiment", "raft-election-time", "--trials", "100001"],
        &["experiment", "raft-election-time", "--steps", "5"],
        &["experiment", "raft-election-time", "--trials"],
        &["experiment", "raft-election-time", "--verbose"],
        &["--", "ü"],
    ];
    for args in cases {
        let out = run(args);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(out.stdout.is_empty(), "{args:?} printed to stdout");
        let first = stderr.lines().next().unwrap_or("");
        assert!(
            first.starts_with("dsviz-sim: error: "),
            "{args:?}: {stderr}"
        );
        assert!(
            stderr.contains("Usage:") && stderr.contains("raft/first-election"),
            "{args:?}: no usage"
        );
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
    }
}

#[test]
fn the_same_command_gives_the_same_bytes() {
    for args in [
        &["scenario", "raft/figure-8", "--seed", "3"][..],
        &[
            "scenario",
            "raft/split-vote",
            "--format",
            "csv",
            "--steps",
            "300",
        ],
        &[
            "experiment",
            "raft-election-time",
            "--trials",
            "30",
            "--seed",
            "7",
        ],
    ] {
        assert_eq!(ok(args), ok(args), "{args:?}");
    }
}

#[cfg(unix)]
#[test]
fn arguments_that_are_not_utf8_are_refused_not_a_panic() {
    use std::os::unix::ffi::OsStringExt;
    let bad = std::ffi::OsString::from_vec(vec![b'r', 0xff, b'x']);
    let out = Command::new(env!("CARGO_BIN_EXE_dsviz-sim"))
        .arg("scenario")
        .arg(bad)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).starts_with("dsviz-sim: error: "));
}

// ---- pbs ------------------------------------------------------------------------

#[test]
fn pbs_json_has_the_documented_fields_in_order() {
    let text = ok(&["experiment", "pbs", "--n", "3", "--r", "1", "--w", "1"]);
    assert!(
        text.starts_with(r#"{"experiment":"pbs","n":3,"r":1,"w":1,"p_miss_closed_form":0.6666666666666666,"p_miss_monte_carlo":"#),
        "{text}"
    );
    let v: Value = serde_json::from_str(&text).unwrap();
    let mut k = keys(&v);
    k.sort();
    assert_eq!(
        k,
        [
            "experiment",
            "n",
            "p_miss_closed_form",
            "p_miss_monte_carlo",
            "r",
            "t_visibility",
            "w"
        ]
    );
    // 10,000 trials by default: five standard deviations of the estimate.
    let est = v["p_miss_monte_carlo"].as_f64().unwrap();
    let tol = 5.0 * (2.0f64 / 9.0 / 10_000.0).sqrt();
    assert!((est - 2.0 / 3.0).abs() < tol, "{est}");
    let curve = v["t_visibility"].as_array().unwrap();
    assert_eq!(curve.len(), dsviz_sim::pbs::T_MS_DEFAULT.len());
    let mut last = 0.0;
    for (p, t) in curve.iter().zip(dsviz_sim::pbs::T_MS_DEFAULT) {
        let mut k = keys(p);
        k.sort();
        assert_eq!(k, ["p_consistent", "t_ms"]);
        assert_eq!(p["t_ms"].as_f64(), Some(*t));
        let pc = p["p_consistent"].as_f64().unwrap();
        assert!(pc >= last && pc <= 1.0, "{text}");
        last = pc;
    }
    assert!(last > 0.99, "fresh 200 ms after the commit: {text}");
    // The library gives the same curve.
    let lib = dsviz_sim::pbs::run(dsviz_sim::pbs::PbsConfig::new(3, 1, 1), 1).unwrap();
    assert!(
        text.contains(&serde_json::to_string(&lib.t_visibility).unwrap()),
        "{text}"
    );
    // A strict quorum never misses.
    let v = json(&[
        "experiment",
        "pbs",
        "--n=5",
        "--r=3",
        "--w=3",
        "--trials=500",
    ]);
    assert_eq!(
        (
            v["p_miss_closed_form"].as_f64(),
            v["p_miss_monte_carlo"].as_f64()
        ),
        (Some(0.0), Some(0.0))
    );
    assert!(v["t_visibility"]
        .as_array()
        .unwrap()
        .iter()
        .all(|p| p["p_consistent"] == 1.0));
}

#[test]
fn pbs_csv_has_one_row_per_t() {
    let text = ok(&[
        "experiment",
        "pbs",
        "--n",
        "5",
        "--r",
        "2",
        "--w",
        "2",
        "--trials",
        "1000",
        "--seed",
        "3",
        "--format",
        "csv",
    ]);
    let mut lines = text.lines();
    assert_eq!(
        lines.next(),
        Some("n,r,w,p_miss_closed_form,p_miss_monte_carlo,t_ms,p_consistent")
    );
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    assert_eq!(rows.len(), dsviz_sim::pbs::T_MS_DEFAULT.len());
    assert_eq!(&rows[0][..4], ["5", "2", "2", "0.3"]);
    assert_eq!(rows[0][5], "0");
    assert!(rows
        .iter()
        .all(|r| r.len() == 7 && r[6].parse::<f64>().is_ok()));
}

#[test]
fn pbs_with_defaults_and_the_same_bytes_twice() {
    let v = json(&["experiment", "pbs", "--trials", "200"]);
    assert_eq!(
        (v["n"].as_u64(), v["r"].as_u64(), v["w"].as_u64()),
        (Some(3), Some(1), Some(1))
    );
    let args = [
        "experiment",
        "pbs",
        "--n",
        "7",
        "--r",
        "2",
        "--w",
        "3",
        "--trials",
        "3000",
        "--seed",
        "9",
    ];
    assert_eq!(ok(&args), ok(&args));
    assert_ne!(
        ok(&args),
        ok(&[
            "experiment",
            "pbs",
            "--n",
            "7",
            "--r",
            "2",
            "--w",
            "3",
            "--trials",
            "3000",
            "--seed",
            "10"
        ])
    );
}

// ---- check-history ---------------------------------------------------------------

/// A file under the temp dir, removed when dropped.
struct TempFile(std::path::PathBuf);

impl TempFile {
    fn new(name: &str, text: &str) -> TempFile {
        let path = std::env::temp_dir().join(format!("dsviz-cli-{}-{name}", std::process::id()));
        std::fs::write(&path, text).expect("the temp dir is writable");
        TempFile(path)
    }
    fn arg(&self) -> &str {
        self.0.to_str().expect("a UTF-8 temp path")
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

const STALE_READ: &str = r#"[
  {"client": 1, "op": "write", "value": 1, "invoke": 0, "response": 10},
  {"client": 2, "op": "write", "value": 2, "invoke": 20, "response": 30},
  {"client": 3, "op": "read", "value": 1, "invoke": 40, "response": 50}
]"#;

#[test]
fn check_history_reports_a_stale_read() {
    let f = TempFile::new("stale.json", STALE_READ);
    let text = ok(&["check-history", f.arg()]);
    assert!(text.starts_with(r#"{"linearizable":false,"sequential":true,"explanation":"op 2 (client 3: read → 1, [40, 50]) returned 1"#), "{text}");
    let v: Value = serde_json::from_str(&text).unwrap();
    let mut k = keys(&v);
    k.sort();
    assert_eq!(
        k,
        [
            "conflict",
            "culprit",
            "explanation",
            "linearizable",
            "operations",
            "sequential",
            "sequential_explanation",
            "session",
            "unknown_reason",
            "witness"
        ]
    );
    assert_eq!(v["culprit"], 2);
    assert_eq!(v["conflict"], serde_json::json!([2, 0, 1]));
    assert!(
        v["witness"].is_null()
            && v["unknown_reason"].is_null()
            && v["sequential_explanation"].is_null()
    );
    assert_eq!(v["operations"], 3);
    assert_eq!(v["session"]["read_your_writes"], serde_json::json!([]));
    assert_eq!(
        ok(&["check-history", f.arg()]),
        text,
        "the same bytes twice"
    );
}

#[test]
fn check_history_reads_stdin_and_gives_a_witness() {
    use std::io::Write;
    let history = r#"[{"client":1,"op":"write","value":"a","invoke":0,"response":10},
                      {"client":2,"op":"read","value":"a","invoke":5,"response":15},
                      {"client":2,"op":"write","value":"b","invoke":20},
                      {"client":2,"op":"read","value":"a","invoke":30,"response":40}]"#;
    let mut child = Command::new(env!("CARGO_BIN_EXE_dsviz-sim"))
        .args(["check-history", "-"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(history.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    // The write of "b" never returned and nobody saw it: left out.
    assert_eq!(
        (v["linearizable"].as_bool(), v["sequential"].as_bool()),
        (Some(true), Some(true))
    );
    assert_eq!(v["witness"], serde_json::json!([0, 1, 3]));
    assert!(v["explanation"].is_null() && v["culprit"].is_null());
    assert_eq!(v["conflict"], serde_json::json!([]));
    // Client 2 read "a" after its own write of "b" was invoked, but that write never completed: no violation.
    assert_eq!(v["session"]["read_your_writes_total"], 0);
}

#[test]
fn check_history_session_violations_and_unknown() {
    let f = TempFile::new(
        "session.json",
        r#"[{"client":1,"op":"write","value":1,"invoke":0,"response":10},
            {"client":2,"op":"write","value":2,"invoke":20,"response":30},
            {"client":2,"op":"read","value":1,"invoke":40,"response":50}]"#,
    );
    let v = json(&["check-history", f.arg()]);
    assert_eq!(v["linearizable"], false);
    // Sequentially consistent (write 2, write 1, read 1), but client 2 did
    // not read its own write: session guarantees use real time.
    assert_eq!(v["sequential"], true);
    let ryw = &v["session"]["read_your_writes"];
    assert_eq!(ryw[0]["client"], 2);
    assert_eq!(ryw[0]["ops"], serde_json::json!([1, 2]));
    assert!(ryw[0]["explanation"]
        .as_str()
        .unwrap()
        .contains("did not see its own write"));
    // A search with no room answers null, with the reason.
    let v = json(&["check-history", f.arg(), "--max-states", "1"]);
    assert!(
        v["linearizable"].is_null() && v["sequential"].is_null(),
        "{v}"
    );
    assert_eq!(
        v["unknown_reason"],
        "linearizability: the linearizability search explored its limit of 1 configurations without an answer; \
         sequential consistency: the sequential consistency search explored its limit of 1 configurations without an answer"
    );
}

#[test]
fn bad_history_files_exit_2_saying_what_and_where() {
    let cases: &[(&str, &str, &str)] = &[
        ("badop.json", "[\n  {\"client\":1,\"op\":\"write\",\"value\":1,\"invoke\":0,\"response\":1},\n  {\"client\":1,\"op\":\"delete\",\"invoke\":0}\n]", "operation 1 (line 3): 'op' must be read, write or cas"),
        ("syntax.json", "[\n  {\"client\":1,\n  \"op\":}\n]", "not valid JSON: expected value at line 3 column 8"),
        ("order.json", "[{\"client\":1,\"op\":\"read\",\"invoke\":9,\"response\":3}]", "operation 0 (line 1): 'response' (3) is before 'invoke' (9)"),
        ("object.json", "{\"ops\":[]}", "a history must be a JSON array of operations, not an object"),
        ("empty.json", "", "the input ends early: EOF while parsing a value at line 1 column 0"),
    ];
    for (name, text, message) in cases {
        let f = TempFile::new(name, text);
        let out = run(&["check-history", f.arg()]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{name}: {stderr}");
        assert!(out.stdout.is_empty(), "{name} printed to stdout");
        assert_eq!(
            stderr,
            format!("dsviz-sim: error: {}: {message}\n", f.arg()),
            "{name}"
        );
    }
    let missing =
        std::env::temp_dir().join(format!("dsviz-cli-{}-missing.json", std::process::id()));
    let out = run(&["check-history", missing.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.starts_with(&format!(
            "dsviz-sim: error: cannot read {}: ",
            missing.display()
        )),
        "{stderr}"
    );
    assert_eq!(
        stderr.lines().count(),
        1,
        "no usage for a bad file: {stderr}"
    );
}

#[test]
fn bad_pbs_and_check_history_arguments_exit_2_with_usage() {
    let f = TempFile::new("args.json", STALE_READ);
    let cases: &[&[&str]] = &[
        &["experiment", "pbs", "--n", "0"],
        &["experiment", "pbs", "--n", "21"],
        &["experiment", "pbs", "--n", "3", "--r", "4"],
        &["experiment", "pbs", "--w", "4"],
        &["experiment", "pbs", "--r", "0"],
        &["experiment", "pbs", "--r", "one"],
        &["experiment", "pbs", "--n", "3", "--n", "4"],
        &["experiment", "pbs", "--trials", "0"],
        &["experiment", "pbs", "--steps", "3"],
        &["experiment", "pbs", "--max-states", "3"],
        &["experiment", "raft-election-time", "--n", "3"],
        &["check-history"],
        &["check-history", "--max-states", "5"],
        &["check-history", f.arg(), "--max-states", "0"],
        &["check-history", f.arg(), "--max-states", "100000001"],
        &["check-history", f.arg(), "--trials", "5"],
        &["check-history", f.arg(), "extra"],
    ];
    for args in cases {
        let out = run(args);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(out.stdout.is_empty(), "{args:?} printed to stdout");
        assert!(
            stderr.starts_with("dsviz-sim: error: ") && stderr.contains("Usage:"),
            "{args:?}: {stderr}"
        );
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
    }
}

#[test]
fn help_lists_pbs_and_check_history() {
    let text = ok(&["--help"]);
    for needle in [
        "experiment pbs",
        "check-history FILE|-",
        "--max-states",
        "p_miss_closed_form",
        "\"linearizable\":true|false|null",
    ] {
        assert!(text.contains(needle), "help omits {needle}");
    }
}

#[test]
fn list_names_every_lab_with_its_scenarios_experiments_and_parameters() {
    let v = json(&["list", "--format", "json"]);
    let labs = v["labs"].as_array().unwrap();
    let ids: Vec<&str> = labs.iter().map(|l| l["id"].as_str().unwrap()).collect();
    assert_eq!(ids, dsviz_sim::labs::registry::ids());
    for l in labs {
        let mut k = keys(l);
        k.sort();
        assert_eq!(
            k,
            [
                "experiments",
                "id",
                "params",
                "scenarios",
                "tagline",
                "title"
            ]
        );
        assert!(!l["scenarios"].as_array().unwrap().is_empty());
        for p in l["params"].as_array().unwrap() {
            for key in ["key", "label", "unit", "kind", "min", "max", "default"] {
                assert!(p.get(key).is_some(), "{}: {key}", p["key"]);
            }
        }
    }
    let raft = &labs[0];
    assert_eq!(
        raft["experiments"],
        serde_json::json!(["raft-election-time"])
    );
    let n = raft["params"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["key"] == "n")
        .unwrap();
    assert_eq!(
        (n["min"].as_f64(), n["max"].as_f64(), n["default"].as_i64()),
        (Some(3.0), Some(9.0), Some(5))
    );
    let table = ok(&["list"]);
    for id in ids {
        assert!(table.contains(&format!("({id})")), "the table omits {id}");
    }
}

#[test]
fn scenarios_of_every_lab_run_with_parameters() {
    let v = json(&["scenario", "cap/ap-stale-read", "--param", "conflict=vv"]);
    assert_eq!(v["lab"], "cap");
    assert!(
        v["final"]["whole"].is_object(),
        "the register labs report their counters: {}",
        v["final"]
    );
    let plain = json(&["scenario", "cap/ap-stale-read"]);
    assert_ne!(
        v["trace_hash"], plain["trace_hash"],
        "the parameter must change the run"
    );
    let q = json(&[
        "scenario",
        "quorum/quorum-stale",
        "--param=w=2",
        "--param",
        "r=2",
    ]);
    assert_eq!(
        q["violations"],
        Value::Array(vec![]),
        "W + R > N: no stale read"
    );
    let r = json(&["scenario", "raft/first-election", "--param", "n=7"]);
    assert!(
        r["steps"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["actor"] == "S7"),
        "seven servers"
    );
}

#[test]
fn bad_labs_scenarios_and_parameters_exit_2_with_usage() {
    for args in [
        &["scenario", "paxos/x"][..],
        &["scenario", "cap/no-such"],
        &["scenario", "cap/ap-stale-read", "--param", "colour=red"],
        &["scenario", "cap/ap-stale-read", "--param", "n=99"],
        &["scenario", "cap/ap-stale-read", "--param", "n"],
        &["scenario", "raft/first-election", "--param", "seed=3"],
        &["list", "--format", "xml"],
        &["list", "--verbose", "1"],
        &["experiment", "pbs", "--param", "n=0"],
    ] {
        let out = run(args);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(
            stderr.starts_with("dsviz-sim: error: ") && stderr.contains("Usage:"),
            "{args:?}: {stderr}"
        );
        assert!(out.stdout.is_empty());
    }
}

// ---- shiviz ----------------------------------------------------------------------

/// ShiViz's default format: a description line, then `host {clock}`.
const PING_PONG: &str = r#"starting up
alpha {"alpha":1}
ping to beta
alpha {"alpha":2}
got ping
beta {"alpha":2, "beta":1}
pong to alpha
beta {"alpha":2, "beta":2}
got pong
alpha {"alpha":3, "beta":2}
"#;

const DEFAULT_PARSER: &str = r"(?<event>.*)\n(?<host>\S*) (?<clock>{.*})";

fn text_of(args: &[&str]) -> String {
    ok(args)
}

#[test]
fn shiviz_json_is_exactly_the_documented_object() {
    let f = TempFile::new("pingpong.log", PING_PONG);
    let text = ok(&[
        "shiviz",
        f.arg(),
        "--parser",
        DEFAULT_PARSER,
        "--format",
        "json",
    ]);
    assert_eq!(
        text,
        "{\"hosts\":2,\"events\":5,\"messages\":2,\"inconsistent\":[]}\n"
    );
    assert_eq!(
        ok(&[
            "shiviz",
            f.arg(),
            "--parser",
            DEFAULT_PARSER,
            "--format=json"
        ]),
        text,
        "the same bytes twice"
    );
    let text = ok(&["shiviz", f.arg(), "--parser", DEFAULT_PARSER]);
    assert_eq!(
        text,
        "2 hosts, 5 events, 2 messages; every clock is consistent with causality\n"
    );
}

#[test]
fn shiviz_reports_inconsistent_clocks_with_their_lines() {
    // beta's second event forgets alpha (line 8), and alpha's last event
    // counts a beta event that does not exist (line 10).
    let log = PING_PONG
        .replace("beta {\"alpha\":2, \"beta\":2}", "beta {\"beta\":2}")
        .replace(
            "alpha {\"alpha\":3, \"beta\":2}",
            "alpha {\"alpha\":3, \"beta\":7}",
        );
    let f = TempFile::new("bad-clocks.log", &log);
    let v = json(&[
        "shiviz",
        f.arg(),
        "--parser",
        DEFAULT_PARSER,
        "--format",
        "json",
    ]);
    assert_eq!(keys(&v), ["events", "hosts", "inconsistent", "messages"]);
    let bad = v["inconsistent"].as_array().unwrap();
    let got: Vec<(u64, &str, &str, &str)> = bad
        .iter()
        .map(|i| {
            (
                i["line"].as_u64().unwrap(),
                i["host"].as_str().unwrap(),
                i["event"].as_str().unwrap(),
                i["kind"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            (7, "beta", "pong to alpha", "goes-backwards"),
            (9, "alpha", "got pong", "missing-send")
        ]
    );
    assert_eq!(keys(&bad[0]), ["event", "host", "kind", "line", "reason"]);
    assert!(text_of(&["shiviz", f.arg(), "--parser", DEFAULT_PARSER, "--format", "json"])
        .contains("{\"line\":7,\"host\":\"beta\",\"event\":\"pong to alpha\",\"kind\":\"goes-backwards\",\"reason\":"));
    assert_eq!(bad[1]["reason"], "its clock counts beta's event 7, which the log does not have: a receive whose send is missing");
    let text = ok(&["shiviz", f.arg(), "--parser", DEFAULT_PARSER]);
    assert!(
        text.starts_with("2 hosts, 5 events, 1 message; 2 clocks inconsistent with causality:\n  line 7 (beta): its entry for alpha is 0"),
        "{text}"
    );
}

#[test]
fn shiviz_with_a_delimiter_prints_one_execution_per_trace() {
    let log = format!("=== first ===\n{PING_PONG}=== second ===\nsolo\ngamma {{\"gamma\":1}}\n");
    let f = TempFile::new("two.log", &log);
    let args = [
        "shiviz",
        f.arg(),
        "--parser",
        DEFAULT_PARSER,
        "--delimiter",
        "^=== (?<trace>.*) ===$",
        "--format",
        "json",
    ];
    let text = ok(&args);
    assert_eq!(
        text,
        "[{\"trace\":\"first\",\"line\":1,\"hosts\":2,\"events\":5,\"messages\":2,\"inconsistent\":[]},\
         {\"trace\":\"second\",\"line\":12,\"hosts\":1,\"events\":1,\"messages\":0,\"inconsistent\":[]}]\n"
    );
    let text = ok(&args[..6]);
    assert_eq!(
        text,
        "execution \"first\" (line 1): 2 hosts, 5 events, 2 messages; every clock is consistent with causality\n\
         execution \"second\" (line 12): 1 host, 1 event, 0 messages; every clock is consistent with causality\n"
    );
}

#[test]
fn shiviz_reads_a_file_in_the_upload_form_without_a_parser() {
    // Line 1 the parser, line 2 the delimiter (empty: none), then the log.
    let file = "(?<host>\\S*) (?<clock>{.*})\\n(?<event>.*)\n\na {\"a\":1}\nsend\nb {\"a\":1, \"b\":1}\nrecv\nb {\"b\":2}\nforgot\n";
    let f = TempFile::new("upload.log", file);
    let v = json(&["shiviz", f.arg(), "--format", "json"]);
    assert_eq!(v["messages"], 1);
    assert_eq!(v["inconsistent"][0]["line"], 7);
    // An empty first line means ShiViz's default parser.
    let f = TempFile::new("upload-default.log", &format!("\n\n{PING_PONG}"));
    assert_eq!(
        ok(&["shiviz", f.arg(), "--format", "json"]),
        "{\"hosts\":2,\"events\":5,\"messages\":2,\"inconsistent\":[]}\n"
    );
}

#[test]
fn bad_shiviz_logs_exit_2_naming_the_line() {
    let cases: &[(&str, &str, &str, &str)] = &[
        (
            "badjson.log",
            "a {\"a\":1}\nok\nb {\"b\":}\nbad\n",
            r"(?<host>\S*) (?<clock>{.*})\n(?<event>.*)",
            "line 3: the clock '{\"b\":}' is not JSON (expected value at line 1 column 6)",
        ),
        ("empty.log", "\n\n", DEFAULT_PARSER, "the log is empty"),
        (
            "nomatch.log",
            "hello\nworld\n",
            DEFAULT_PARSER,
            "the parser regex matches no event in the log",
        ),
        (
            "groups.log",
            PING_PONG,
            r"(?<event>.*)\n(?<host>\S*) (?<vc>{.*})",
            "the parser regex needs the named groups host, clock and event; it lacks (?<clock>…)",
        ),
        (
            "negative.log",
            "x\na {\"a\":-2}\n",
            DEFAULT_PARSER,
            "line 1: the clock's entry for a must be a whole number ≥ 0, not -2",
        ),
    ];
    for (name, text, parser, message) in cases {
        let f = TempFile::new(name, text);
        let out = run(&["shiviz", f.arg(), "--parser", parser]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{name}: {stderr}");
        assert!(out.stdout.is_empty(), "{name} printed to stdout");
        assert_eq!(
            stderr,
            format!("dsviz-sim: error: {}: {message}\n", f.arg()),
            "{name}"
        );
    }
    let missing =
        std::env::temp_dir().join(format!("dsviz-cli-{}-missing.log", std::process::id()));
    let out = run(&[
        "shiviz",
        missing.to_str().unwrap(),
        "--parser",
        DEFAULT_PARSER,
    ]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.starts_with(&format!(
            "dsviz-sim: error: cannot read {}: ",
            missing.display()
        )),
        "{stderr}"
    );
    // A bad regex in an upload file names its line.
    let f = TempFile::new("upload-bad.log", "(?<host>\\S*) (?=x)\n\nx\n");
    let out = run(&["shiviz", f.arg()]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr.starts_with(&format!(
            "dsviz-sim: error: {}: line 1: the parser regex uses a lookahead",
            f.arg()
        )),
        "{stderr}"
    );
}

#[test]
fn bad_shiviz_arguments_exit_2_with_usage() {
    let f = TempFile::new("args.log", PING_PONG);
    let cases: &[&[&str]] = &[
        &["shiviz"],
        &["shiviz", "--parser", DEFAULT_PARSER],
        &[
            "shiviz",
            f.arg(),
            "--parser",
            DEFAULT_PARSER,
            "--format",
            "csv",
        ],
        &["shiviz", f.arg(), "--parser", "(?<host>(x)"],
        &[
            "shiviz",
            f.arg(),
            "--parser",
            r"(?<host>\S*)(?=\n)(?<clock>.*)(?<event>.*)",
        ],
        &[
            "shiviz",
            f.arg(),
            "--parser",
            DEFAULT_PARSER,
            "--delimiter",
            "(a)\\1",
        ],
        &["shiviz", f.arg(), "--delimiter", "^==="],
        &[
            "shiviz",
            f.arg(),
            "--parser",
            DEFAULT_PARSER,
            "--parser",
            DEFAULT_PARSER,
        ],
        &["shiviz", f.arg(), "--parser", DEFAULT_PARSER, "--seed", "3"],
        &["shiviz", f.arg(), "--parser"],
    ];
    for args in cases {
        let out = run(args);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(out.stdout.is_empty(), "{args:?} printed to stdout");
        assert!(
            stderr.starts_with("dsviz-sim: error: ") && stderr.contains("Usage:"),
            "{args:?}: {stderr}"
        );
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
    }
    let out = run(&[
        "shiviz",
        f.arg(),
        "--parser",
        r"a(?=b)(?<host>)(?<clock>)(?<event>)",
    ]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.starts_with("dsviz-sim: error: the parser regex uses a lookahead (?= or (?! (at character 2), which the command line's regex engine does not support\n"), "{stderr}");
}

#[test]
fn help_documents_shiviz() {
    let text = ok(&["--help"]);
    for needle in [
        "dsviz-sim shiviz FILE|- [--parser REGEX [--delimiter REGEX]] [--format json]",
        r"(?<event>.*)\n(?<host>\S*) (?<clock>{.*})",
        "\"hosts\":H",
        "\"trace\"",
    ] {
        assert!(text.contains(needle), "help omits {needle}");
    }
}

#[test]
fn a_scenario_exported_as_a_shiviz_log_reads_back_with_the_shiviz_command() {
    let log = ok(&[
        "scenario",
        "clocks/reply-before-request",
        "--export",
        "shiviz",
    ]);
    let mut lines = log.lines();
    assert_eq!(
        lines.next(),
        Some(r"(?<host>\S*) (?<clock>{.*})\n(?<event>.*)"),
        "the first line is the parser ShiViz's upload reads"
    );
    assert_eq!(lines.next(), Some(""), "no delimiter");
    assert!(
        lines.next().is_some_and(|l| l.starts_with("P")),
        "then host and clock: {log}"
    );
    let f = TempFile::new("clocks.log", &log);
    let v = json(&["shiviz", f.arg(), "--format", "json"]);
    assert_eq!(v["hosts"], 2, "P1 and P2: {v}");
    assert!(v["events"].as_u64().unwrap() >= 4, "{v}");
    assert!(v["messages"].as_u64().unwrap() >= 2, "{v}");
    assert_eq!(v["inconsistent"], serde_json::json!([]));
    // The same command writes the same bytes.
    assert_eq!(
        log,
        ok(&[
            "scenario",
            "clocks/reply-before-request",
            "--export",
            "shiviz"
        ])
    );
    // Broken vector merges write clocks the reader flags.
    let bad = ok(&["scenario", "clocks/vector-no-max", "--export", "shiviz"]);
    let f = TempFile::new("broken.log", &bad);
    let v = json(&["shiviz", f.arg(), "--format", "json"]);
    assert!(!v["inconsistent"].as_array().unwrap().is_empty(), "{v}");
    // Any lab's run exports, with the clocks its messages imply.
    let raft = ok(&["scenario", "raft/first-election", "--export", "shiviz"]);
    let f = TempFile::new("raft.log", &raft);
    let v = json(&["shiviz", f.arg(), "--format", "json"]);
    assert_eq!(v["hosts"], 5);
    assert_eq!(v["inconsistent"], serde_json::json!([]));
    let out = run(&["scenario", "raft/first-election", "--export", "dot"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--export writes shiviz"));
}
