//! Times the consistency checkers on simulated histories and the PBS
//! experiment with the CLI's defaults. Not a test: nothing is asserted
//! about time.
//!
//! ```text
//! cargo run --release -p dsviz-sim --example bench_check
//! ```
//!
//! Histories: 5 clients, operations lasting 1–20 ms, 0–5 ms between a
//! client's operations, 50% reads, 10% cas, 1% crashed (no response,
//! taking effect half the time, the client replaced by a new one). Each
//! write has its own value, as in Jepsen's register tests, except in the
//! "values 1-5" rows. "stale read" rows change one read in the second half
//! to return a value overwritten before it began.

use dsviz_sim::check::generate::{self, GenConfig};
use dsviz_sim::check::{self, CheckConfig, History, SeqVerdict, Verdict};
use dsviz_sim::pbs::{self, PbsConfig};
use std::time::{Duration, Instant};

fn timed<T>(f: impl FnOnce() -> T) -> (T, Duration) {
    let start = Instant::now();
    let out = f();
    (out, start.elapsed())
}

fn lin_word(v: &Verdict) -> String {
    match v {
        Verdict::Linearizable { .. } => "yes".into(),
        Verdict::NotLinearizable { explanation } => {
            format!("no (culprit op {})", explanation.culprit.unwrap_or(0))
        }
        Verdict::Unknown { .. } => "unknown".into(),
    }
}

fn seq_word(v: &SeqVerdict) -> &'static str {
    match v {
        SeqVerdict::Sequential { .. } => "yes",
        SeqVerdict::NotSequential { .. } => "no",
        SeqVerdict::Unknown { .. } => "unknown",
    }
}

fn bench(label: &str, h: &History) {
    let cfg = CheckConfig::default();
    let crashed = h.ops.iter().filter(|o| o.response.is_none()).count();
    let (lin, t_lin) = timed(|| check::check_linearizable(h, &cfg));
    let (seq, t_seq) = timed(|| check::check_sequential(h, &cfg));
    let (ses, t_ses) = timed(|| check::check_sessions(h));
    let (_, t_all) = timed(|| check::check(h, &cfg));
    let (text, t_export) = timed(|| check::json::to_json(h));
    let (back, t_import) = timed(|| check::json::from_json(&text));
    assert_eq!(back.as_ref(), Ok(h), "the JSON round trip changes nothing");
    println!(
        "{label:<14} {:>6} {:>5} | lin {:<22} {:>9.2?} | seq {:<3} {:>9.2?} | sessions {:>1} {:>9.2?} | all {:>9.2?} | json out {:>9.2?} in {:>9.2?}",
        h.ops.len(),
        crashed,
        lin_word(&lin),
        t_lin,
        seq_word(&seq),
        t_seq,
        ses.read_your_writes_total + ses.monotonic_reads_total,
        t_ses,
        t_all,
        t_export,
        t_import
    );
}

fn main() {
    println!("{:<14} {:>6} {:>5} |", "history", "ops", "crash");
    for n in [100u32, 1_000, 10_000] {
        let cfg = GenConfig {
            ops: n,
            ..GenConfig::default()
        };
        let h = generate::linearizable(&cfg, 42);
        bench("linearizable", &h);
        match generate::with_stale_read(&h, 42) {
            Some((bad, _)) => bench("stale read", &bad),
            None => println!("stale read: no read fits"),
        }
        let small = GenConfig {
            ops: n,
            values: Some(5),
            ..GenConfig::default()
        };
        bench("values 1-5", &generate::linearizable(&small, 42));
    }
    let mut config = PbsConfig::new(3, 1, 1);
    let (curve, t_curve) = timed(|| pbs::run(config.clone(), 1));
    config.propagation = false;
    config.t_ms = vec![0.0];
    let (_, t_closed) = timed(|| pbs::run(config, 1));
    println!(
        "\npbs N=3 R=1 W=1, 10,000 trials: t-visibility curve ({} points) {:.2?}, no-propagation run {:.2?}",
        curve.map(|c| c.t_visibility.len()).unwrap_or(0),
        t_curve,
        t_closed
    );
}
