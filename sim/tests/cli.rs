//! The `dsviz-sim` binary, run as a user would: documented output shapes,
//! bad arguments, and byte-identical output for identical commands.

use dsviz_sim::labs::raft::experiment::{run_all, FIG16_RANGES_MS};
use dsviz_sim::labs::raft::scenarios;
use serde_json::Value;
use std::process::{Command, Output};

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_dsviz-sim")).args(args).output().expect("the binary runs")
}

/// Runs a command that must succeed and returns its stdout.
fn ok(args: &[&str]) -> String {
    let out = run(args);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{args:?} failed ({:?}): {stderr}", out.status.code());
    assert!(out.stderr.is_empty(), "{args:?} wrote to stderr: {stderr}");
    String::from_utf8(out.stdout).expect("stdout is UTF-8")
}

fn json(args: &[&str]) -> Value {
    let text = ok(args);
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{args:?}: not JSON ({e}): {text}"))
}

fn keys(v: &Value) -> Vec<&str> {
    v.as_object().expect("an object").keys().map(String::as_str).collect()
}

#[test]
fn scenario_json_has_the_documented_fields() {
    let v = json(&["scenario", "raft/leader-crash"]);
    let mut top = keys(&v);
    top.sort();
    assert_eq!(top, ["final", "lab", "scenario", "seed", "steps", "trace_hash", "violations"]);
    assert_eq!(v["lab"], "raft");
    assert_eq!(v["scenario"], "leader-crash");
    assert_eq!(v["seed"], scenarios::find("leader-crash").unwrap().seed);
    let steps = v["steps"].as_array().unwrap();
    assert!(!steps.is_empty());
    for (i, s) in steps.iter().enumerate() {
        let mut k = keys(s);
        k.sort();
        assert_eq!(k, ["actor", "injected", "step", "text", "time_us", "violations"]);
        assert_eq!(s["step"], i as u64 + 1);
        assert!(s["actor"].is_null() || s["actor"].as_str().unwrap().starts_with('S') || s["actor"] == "Client");
        assert!(!s["text"].as_str().unwrap().is_empty());
        assert!(s["violations"].is_array());
    }
    // By default the run stops where the web app pauses, with the same trace.
    let sc = scenarios::find("leader-crash").unwrap();
    let app = sc.run_to_pause(sc.seed);
    assert_eq!(steps.len(), app.records().len());
    assert_eq!(v["trace_hash"], format!("{:016x}", app.trace_hash()));
    // The scenario's promise (a new leader in a later term) shows in "final".
    assert!(steps.iter().any(|s| s["text"].as_str().unwrap().contains("crashes")));
    assert!(v["final"]["leader"].is_string(), "{}", v["final"]);
    assert!(v["final"]["term"].as_u64().unwrap() >= 2);
    assert_eq!(v["violations"], Value::Array(vec![]));
    let hash = v["trace_hash"].as_str().unwrap();
    assert!(hash.len() == 16 && hash.chars().all(|c| c.is_ascii_hexdigit()), "{hash}");
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
    let v = json(&["scenario", "raft/first-election", "--steps", "17", "--seed", "99"]);
    assert_eq!(v["steps"].as_array().unwrap().len(), 17);
    assert_eq!(v["seed"], 99);
    let other = json(&["scenario", "raft/first-election", "--steps=17", "--seed=100"]);
    assert_ne!(v["trace_hash"], other["trace_hash"], "the seed must matter");
    assert_eq!(json(&["scenario", "raft/first-election", "--steps", "0"])["steps"], Value::Array(vec![]));
}

#[test]
fn scenario_csv_has_a_header_and_one_row_per_step() {
    let text = ok(&["scenario", "raft/stale-leader", "--steps", "40", "--format", "csv"]);
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("step,time_us,actor,injected,violations,text"));
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
        assert_eq!(k, ["max_ms", "mean_ms", "median_ms", "min_ms", "no_leader", "p99_ms", "timeout_ms", "times_ms"]);
        assert_eq!(r["timeout_ms"], serde_json::json!([range.0, range.1]));
        let n = r["times_ms"].as_array().unwrap().len() as u64 + r["no_leader"].as_u64().unwrap();
        assert_eq!(n, 20, "{range:?}: every trial is counted once");
    }
    assert!(results[0]["mean_ms"].is_null(), "150-150 never elects: {}", results[0]);
    // The threads change nothing: the library's single-threaded run gives the same results.
    // Compared as text: parsing floats back is not exact without serde_json's float_roundtrip.
    let expected = serde_json::to_string(&run_all(FIG16_RANGES_MS.to_vec(), 20, 1)).unwrap();
    assert!(text.contains(&expected), "CLI results differ from run_all");
}

#[test]
fn experiment_csv_has_one_row_per_trial() {
    let text = ok(&["experiment", "raft-election-time", "--trials", "3", "--seed", "5", "--format", "csv"]);
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("timeout_min_ms,timeout_max_ms,trial,time_ms"));
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
            assert!(text.contains(&format!("raft/{}", sc.id)), "{args:?} omits {}", sc.id);
            assert!(text.contains(sc.title), "{args:?} omits the title of {}", sc.id);
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
        &["scenario", "raft/first-election", "--seed", "18446744073709551616"],
        &["scenario", "raft/first-election", "--trials", "3"],
        &["scenario", "raft/first-election", "--format", "xml"],
        &["scenario", "raft/first-election", "--seed", "1", "--seed", "2"],
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
        assert!(first.starts_with("dsviz-sim: error: "), "{args:?}: {stderr}");
        assert!(stderr.contains("Usage:") && stderr.contains("raft/first-election"), "{args:?}: no usage");
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
    }
}

#[test]
fn the_same_command_gives_the_same_bytes() {
    for args in [
        &["scenario", "raft/figure-8", "--seed", "3"][..],
        &["scenario", "raft/split-vote", "--format", "csv", "--steps", "300"],
        &["experiment", "raft-election-time", "--trials", "30", "--seed", "7"],
    ] {
        assert_eq!(ok(args), ok(args), "{args:?}");
    }
}

#[cfg(unix)]
#[test]
fn arguments_that_are_not_utf8_are_refused_not_a_panic() {
    use std::os::unix::ffi::OsStringExt;
    let bad = std::ffi::OsString::from_vec(vec![b'r', 0xff, b'x']);
    let out = Command::new(env!("CARGO_BIN_EXE_dsviz-sim")).arg("scenario").arg(bad).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).starts_with("dsviz-sim: error: "));
}
