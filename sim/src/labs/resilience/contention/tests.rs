use super::*;
use crate::labs::experiment::read_args;

fn mean_of(clients: u32, policy: Policy, runs: u32) -> (f64, f64) {
    let (mut calls, mut us) = (0u64, 0u64);
    for r in 0..runs {
        let res = run(
            clients,
            policy,
            crate::labs::experiment::point_seed(7, clients as i64, policy as usize, r),
        );
        assert_eq!(
            res.written, clients as u64,
            "{policy:?}: every client writes once"
        );
        assert_eq!(res.gave_up, 0);
        calls += res.calls;
        us += res.completion_us;
    }
    (
        calls as f64 / runs as f64,
        us as f64 / runs as f64 / 1_000.0,
    )
}

#[test]
fn the_network_delay_is_about_normal_10_ms_sd_2_ms() {
    let mut r = SimRng::new(3);
    let xs: Vec<f64> = (0..20_000).map(|_| delay_us(&mut r) as f64).collect();
    let mean = xs.iter().sum::<f64>() / xs.len() as f64;
    let sd = (xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / xs.len() as f64).sqrt();
    assert!((mean - 10_000.0).abs() < 60.0, "mean {mean}");
    assert!((sd - 2_000.0).abs() < 60.0, "sd {sd}");
    assert!(xs.iter().all(|&x| x <= 22_000.0));
}

#[test]
fn one_client_writes_once_after_four_delays() {
    for p in POLICIES {
        let res = run(1, p, 5);
        assert_eq!((res.calls, res.written, res.gave_up), (1, 1, 0), "{p:?}");
        // Read, version, write, answer: four delays of at most 22 ms.
        assert!(
            res.completion_us > 0 && res.completion_us <= 88_000,
            "{p:?} {res:?}"
        );
    }
}

#[test]
fn without_backoff_every_round_has_one_winner() {
    // Two clients whose reads both see version 0: one write fails, and
    // that client reads again at once, so three writes, two succeed.
    let res = run(2, Policy::None, 11);
    assert_eq!(res.written, 2);
    assert!(res.calls >= 2);
    let mut total = 0;
    for seed in 0..200 {
        let r = run(5, Policy::None, seed);
        assert_eq!(r.written, 5);
        assert!(r.calls >= 5 && r.calls <= 15, "seed {seed}: {r:?}");
        total += r.calls;
    }
    assert!(total > 5 * 200, "clients that start together do conflict");
}

#[test]
fn same_seed_same_run_and_seeds_differ() {
    for p in POLICIES {
        assert_eq!(run(30, p, 42), run(30, p, 42), "{p:?}");
    }
    let outs: std::collections::BTreeSet<_> = (0..10)
        .map(|s| run(30, Policy::Full, s).completion_us)
        .collect();
    assert!(outs.len() > 5);
}

#[test]
fn reproduces_the_published_ranking() {
    for clients in [20, 50] {
        let m: Vec<(f64, f64)> = POLICIES.iter().map(|&p| mean_of(clients, p, 100)).collect();
        let [none, expo, equal, full, decor] = [m[0], m[1], m[2], m[3], m[4]];
        // Exponential without jitter takes by far the longest.
        for (name, other) in [
            ("none", none),
            ("equal", equal),
            ("full", full),
            ("decorrelated", decor),
        ] {
            assert!(
                expo.1 > 2.0 * other.1,
                "{clients}: exponential {expo:?} vs {name} {other:?}"
            );
        }
        // Full jitter does the least work of the backoffs...
        assert!(
            full.0 < expo.0 && full.0 < equal.0 && full.0 < none.0,
            "{clients}: {m:?}"
        );
        // ...and decorrelated comes close to it.
        assert!(
            decor.0 < 1.3 * full.0,
            "{clients}: full {full:?} decorrelated {decor:?}"
        );
        // No backoff does the most work.
        assert!(m.iter().all(|x| x.0 <= none.0), "{clients}: {m:?}");
    }
}

#[test]
fn without_backoff_work_grows_with_the_square_and_time_with_the_count() {
    let (c10, t10) = mean_of(10, Policy::None, 100);
    let (c50, t50) = mean_of(50, Policy::None, 100);
    // Quadratic would be 25×, linear 5×.
    assert!(c50 / c10 > 12.0, "calls {c10} → {c50}");
    let t = t50 / t10;
    assert!(t > 3.0 && t < 8.0, "time {t10} → {t50}");
}

#[test]
fn the_experiment_reads_its_flags_and_prints_every_point() {
    let args = read_args(
        &INFO,
        &[
            ("clients".into(), "10,20".into()),
            ("runs".into(), "5".into()),
        ],
    )
    .unwrap();
    let out = BackoffContention.run_all(&args).unwrap();
    let v: serde_json::Value = serde_json::from_str(out.json.trim()).unwrap();
    assert_eq!(v["experiment"], "backoff-contention");
    assert_eq!(v["runs"], 5);
    let rows = v["results"].as_array().unwrap();
    assert_eq!(rows.len(), 10);
    let keys: Vec<&str> = rows
        .iter()
        .take(5)
        .map(|r| r["policy"].as_str().unwrap())
        .collect();
    assert_eq!(
        keys,
        ["none", "exponential", "equal", "full", "decorrelated"]
    );
    assert!(rows
        .iter()
        .all(|r| r["mean_calls"].as_f64().unwrap() >= r["clients"].as_f64().unwrap()));
    assert!(rows
        .iter()
        .all(|r| r["mean_completion_ms"].as_f64().unwrap() > 0.0));
    assert_eq!(out.csv.lines().count(), 11);
    assert_eq!(out.table.rows.len(), 10);
    assert_eq!(out.charts.len(), 2);
    assert!(out.charts.iter().all(|c| c.series.len() == 5));
    // Sliced or all at once, the same numbers.
    let mut sliced = BackoffContention.start(&args).unwrap();
    let mut slices = 0;
    while !sliced.run_some(3) {
        slices += 1;
    }
    assert!(slices > 5);
    assert_eq!(sliced.progress(), (50, 50));
    assert_eq!(sliced.output(), out);
    for bad in [("clients", "0"), ("runs", "1001"), ("policy", "full")] {
        assert!(
            read_args(&INFO, &[(bad.0.into(), bad.1.into())]).is_err(),
            "{bad:?}"
        );
    }
}
