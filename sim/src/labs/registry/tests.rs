//! One test walks the registry: whatever lab is added, it is held to the
//! same checks. Scenarios meet their promises, stepping back and forward
//! is exact, links round-trip, and bad parameters are clamped with a
//! warning, never a panic.

use super::*;
use crate::labs::lab::{PAGE_KEYS, RUN_KEYS};
use crate::labs::params::{kind_bounds, Kind};
use crate::labs::FREE_PLAY_CHECK_MS;

fn owned(pairs: &[(&'static str, String)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.clone()))
        .collect()
}

fn check_ms(s: &ScenarioInfo) -> u64 {
    if s.pause_ms == 0 {
        FREE_PLAY_CHECK_MS
    } else {
        s.pause_ms
    }
}

#[test]
fn the_catalog_and_the_registry_list_the_same_labs() {
    assert_eq!(CATALOG.len(), LABS.len());
    for (card, lab) in CATALOG.iter().zip(LABS) {
        assert!(
            std::ptr::eq(*card, lab.info()),
            "{} is out of order or a different card",
            card.id
        );
    }
    let ids = ids();
    for (i, id) in ids.iter().enumerate() {
        assert!(!ids[i + 1..].contains(id), "two labs are called {id}");
        assert!(find(id).is_some());
        assert!(
            id.bytes().all(|b| b.is_ascii_lowercase() || b == b'-'),
            "{id}: ids name pages, keep them plain"
        );
    }
    assert!(find("paxos-not-yet").is_none());
}

#[test]
fn every_lab_describes_itself_fully() {
    for lab in LABS {
        let id = lab.info().id;
        let scenarios = lab.scenarios();
        assert!(!scenarios.is_empty(), "{id}: no scenario");
        for (i, s) in scenarios.iter().enumerate() {
            assert!(
                scenarios[i + 1..].iter().all(|t| t.id != s.id),
                "{id}: two scenarios called {}",
                s.id
            );
            assert!(
                !s.title.is_empty() && !s.summary.is_empty() && !s.notice.is_empty(),
                "{id}/{}: say what it shows",
                s.id
            );
        }
        assert!(
            !lab.probes().is_empty(),
            "{id}: no probe, so no prediction can be graded"
        );
        assert!(!lab.invariants().is_empty(), "{id}: no invariant");
        let params = lab.params();
        for (i, p) in params.iter().enumerate() {
            assert!(
                params[i + 1..].iter().all(|q| q.key != p.key),
                "{id}: two parameters called {}",
                p.key
            );
            assert!(
                !RUN_KEYS.contains(&p.key) && !PAGE_KEYS.contains(&p.key),
                "{id}: {} is a reserved key",
                p.key
            );
            assert!(
                !p.label.is_empty() && !p.help.is_empty(),
                "{id}/{}: label and help",
                p.key
            );
        }
        for e in lab.experiments() {
            let info = e.info();
            assert!(
                registry_experiment_is(info.name, id),
                "{id}: experiment {} is not found by name",
                info.name
            );
            assert!(!info.about.is_empty() && !info.reproduces.is_empty());
        }
    }
}

fn registry_experiment_is(name: &str, lab: &str) -> bool {
    experiment(name).is_some_and(|(l, _)| l.info().id == lab)
}

#[test]
fn every_scenario_keeps_its_promise_and_steps_back_exactly() {
    let mut failures = Vec::new();
    for lab in LABS {
        let id = lab.info().id;
        let broken = lab.check_scenarios(&[]);
        for s in lab.scenarios() {
            if broken.iter().any(|f| f.scenario == s.id) {
                continue;
            }
            let (mut run, warnings) = lab.open(&[("sc".into(), s.id.into())]);
            assert!(warnings.is_empty(), "{id}/{}: {warnings:?}", s.id);
            run.run_until(check_ms(&s) * 1000);
            // The check ran the scenario as the lab page builds it; a link
            // to it must keep the same promise.
            if let Err(e) = run.expect() {
                failures.push(format!("{id}/{}: through its link: {e}", s.id));
                continue;
            }
            let end = run.cursor();
            assert!(end > 0, "{id}/{}: nothing happened", s.id);
            let at_end = run.fingerprint();
            assert!(run.back());
            assert!(run.forward());
            assert_eq!(
                run.fingerprint(),
                at_end,
                "{id}/{}: back then forward changed the state",
                s.id
            );
            run.seek(end / 2);
            run.seek(end);
            assert_eq!(
                run.fingerprint(),
                at_end,
                "{id}/{}: seeking back and forth changed the state",
                s.id
            );
            run.seek(0);
            run.seek(end);
            assert_eq!(
                run.fingerprint(),
                at_end,
                "{id}/{}: replaying from step 0 changed the state",
                s.id
            );
        }
        failures.extend(broken.iter().map(|f| format!("{f}\n{}", f.narration)));
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn links_round_trip_with_injected_events() {
    for lab in LABS {
        let id = lab.info().id;
        for s in lab.scenarios() {
            let (mut run, _) = lab.open(&[("sc".into(), s.id.into()), ("seed".into(), "7".into())]);
            for _ in 0..25 {
                run.forward();
            }
            run.inject_text("crash.0").unwrap();
            for _ in 0..15 {
                run.forward();
            }
            run.inject_text("heal").unwrap();
            let pairs = run.pairs();
            assert!(
                pairs
                    .iter()
                    .any(|(k, v)| *k == "inj" && v.contains("crash.0")),
                "{id}/{}: {pairs:?}",
                s.id
            );
            let (again, warnings) = lab.open(&owned(&pairs));
            assert!(warnings.is_empty(), "{id}/{}: {warnings:?}", s.id);
            assert_eq!(again.cursor(), run.cursor());
            assert_eq!(
                again.pairs(),
                pairs,
                "{id}/{}: the link does not read back to itself",
                s.id
            );
            assert_eq!(
                again.fingerprint(),
                run.fingerprint(),
                "{id}/{}: the link does not rebuild the state",
                s.id
            );
        }
    }
}

#[test]
fn the_same_link_gives_the_same_trace() {
    for lab in LABS {
        let s = &lab.scenarios()[0];
        let pairs = vec![
            ("sc".to_string(), s.id.to_string()),
            ("seed".into(), "3".into()),
            ("step".into(), "400".into()),
        ];
        let (a, _) = lab.open(&pairs);
        let (b, _) = lab.open(&pairs);
        assert_eq!(a.trace_hash(), b.trace_hash(), "{}", lab.info().id);
        assert_eq!(a.fingerprint(), b.fingerprint());
    }
}

#[test]
fn out_of_range_and_malformed_parameters_clamp_with_a_warning() {
    for lab in LABS {
        let id = lab.info().id;
        for p in lab.params() {
            let too_big = match (p.kind, kind_bounds(&p.kind)) {
                (Kind::Int { max, .. }, _) => Some(format!("{}", max as i128 + 1)),
                (Kind::Float { max, .. }, _) => Some(format!("{}", max * 2.0 + 1.0)),
                (Kind::Range { max, .. }, _) => Some(format!("0-{}", max as u128 + 1)),
                (Kind::List { max, .. }, _) => Some(format!("{}", max as i128 + 1)),
                _ => None,
            };
            for raw in
                too_big
                    .into_iter()
                    .chain(["garbage".to_string(), "".to_string(), "9".repeat(400)])
            {
                let (run, warnings) = lab.open(&[(p.key.to_string(), raw.clone())]);
                assert!(
                    warnings.iter().any(|w| w.contains(p.key)),
                    "{id}: {}={} gave no warning naming it: {warnings:?}",
                    p.key,
                    &raw[..raw.len().min(30)]
                );
                assert!(
                    warnings.iter().all(|w| w.len() < 300),
                    "{id}: an overlong warning: {warnings:?}"
                );
                let back = lab.open(&owned(&run.pairs())).1;
                assert!(
                    back.is_empty(),
                    "{id}: {}: the clamped run's own link warns: {back:?}",
                    p.key
                );
            }
        }
        let (_, warnings) = lab.open(&[
            ("nonsense".into(), "1".into()),
            ("seed".into(), "1".into()),
            ("seed".into(), "2".into()),
        ]);
        assert_eq!(
            warnings.len(),
            2,
            "{id}: an unknown key and a repeated one: {warnings:?}"
        );
        let (run, warnings) = lab.open(&[
            ("sc".into(), "no-such".into()),
            ("step".into(), "x".into()),
            ("inj".into(), "1:explode,zz".into()),
        ]);
        assert_eq!(run.cursor(), 0);
        assert_eq!(warnings.len(), 4, "{id}: {warnings:?}");
    }
}

#[test]
fn strict_links_refuse_what_a_page_would_warn_about() {
    let raft = find("raft").unwrap();
    assert!(raft
        .open_strict(&[("n".into(), "40".into())])
        .err()
        .unwrap()
        .contains("n=40"));
    assert!(raft
        .open_strict(&[("sc".into(), "split-vote".into())])
        .is_ok());
    assert!(build_at("raft", &[("sc".into(), "split-vote".into())], 10_000_000).is_err());
    assert!(build_at("nope", &[], 0)
        .err()
        .unwrap()
        .contains("unknown lab"));
}

#[test]
fn probes_parse_against_their_own_lab() {
    let raft = find("raft").unwrap();
    let cap = find("cap").unwrap();
    assert_eq!(
        raft.parse_probe("log-of S3").unwrap().arg,
        Some(crate::labs::probe::ProbeArg::Server(2))
    );
    assert!(cap
        .parse_probe("log-of S3")
        .unwrap_err()
        .contains("belongs to the raft lab"));
    assert!(cap
        .parse_probe("values-at S3")
        .unwrap_err()
        .contains("not a replica"));
    assert!(raft
        .parse_probe("no-such-probe")
        .unwrap_err()
        .contains("unknown probe"));
    let (run, _) = raft.open(&[("sc".into(), "first-election".into())]);
    let call = raft.parse_probe("next-leader").unwrap();
    assert!(run
        .probe(&call, RunUntil::TimeMs(1_000))
        .unwrap()
        .starts_with('S'));
    assert!(run
        .probe(&call, RunUntil::Step(0))
        .unwrap_err()
        .contains("not after"));
}

/// Runs probe `call` of `lab` on `scenario` (with `params`) paused at `step`.
fn probe_of(
    lab: &str,
    call: &str,
    scenario: &str,
    params: &[(&str, &str)],
    step: u64,
    until: RunUntil,
) -> Result<String, String> {
    let l = find(lab).unwrap();
    let call = l.parse_probe(call)?;
    let mut pairs: Vec<(String, String)> = vec![("sc".into(), scenario.into())];
    pairs.extend(params.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    let run = build_at(lab, &pairs, step)?;
    run.probe(&call, until)
}

fn probe(
    call: &str,
    scenario: &str,
    params: &[(&str, &str)],
    step: u64,
    until: RunUntil,
) -> String {
    probe_of("raft", call, scenario, params, step, until).unwrap()
}

/// Each Raft probe, pinned on a scenario whose story is known.
#[test]
fn raft_probes_report_what_happens() {
    let t = |ms| RunUntil::TimeMs(ms);
    assert_eq!(probe("next-leader", "first-election", &[], 0, t(700)), "S2");
    assert_eq!(probe("next-leader-term", "split-vote", &[], 0, t(800)), "2");
    assert_eq!(probe("next-leader", "split-vote", &[], 0, t(800)), "S4");
    assert_eq!(
        probe("leader-at-end", "stale-leader", &[], 0, t(1100)),
        "S3"
    );
    assert_eq!(
        probe("role-of S1", "stale-leader", &[], 0, t(1100)),
        "follower"
    );
    assert_eq!(
        probe("role-of S1", "stale-leader", &[], 0, t(600)),
        "leader"
    );
    assert_eq!(probe("role-of S5", "leader-crash", &[], 0, t(1400)), "down");
    assert_eq!(probe("applied-at 1", "stale-leader", &[], 0, t(1100)), "8");
    assert_eq!(
        probe("index-of-value 7", "stale-leader", &[], 0, t(1500)),
        "index 2"
    );
    assert_eq!(
        probe("index-of-value 7", "stale-leader", &[], 0, t(1100)),
        "never"
    );
    assert_eq!(probe("log-of S1", "log-repair", &[], 0, t(850)), "21 22 23");
    assert_eq!(probe("log-of S1", "log-repair", &[], 0, t(550)), "11 12");
    assert_eq!(
        probe("log-of S1", "first-election", &[], 0, t(100)),
        "empty"
    );
    assert_eq!(
        probe("applied-at 2", "figure-8-unsafe", &[], 0, t(650)),
        "2 then 3"
    );
    assert_eq!(probe("applied-at 2", "figure-8", &[], 0, t(650)), "none");
    assert_eq!(
        probe("first-violation", "figure-8-unsafe", &[], 0, t(650)),
        "Leader Completeness"
    );
    assert_eq!(probe("first-violation", "figure-8", &[], 0, t(650)), "none");
    assert_eq!(
        probe("first-violation", "double-vote", &[], 0, t(150)),
        "Election Safety"
    );
    assert_eq!(
        probe(
            "first-violation",
            "double-vote",
            &[("s_persist", "1")],
            0,
            t(150)
        ),
        "none"
    );
    assert_eq!(
        probe("next-vote-by S3", "double-vote", &[], 16, t(150)),
        "grants S2"
    );
    assert_eq!(
        probe(
            "next-vote-by S3",
            "double-vote",
            &[("s_persist", "1")],
            16,
            t(150)
        ),
        "refuses S2 (already voted for S1)"
    );
    assert_eq!(
        probe("next-vote-by S3", "split-vote", &[], 0, t(800)),
        "refuses S2 (already voted for S3)"
    );
    // The step bound stops a probe exactly there.
    assert_eq!(
        probe("next-leader", "first-election", &[], 0, RunUntil::Step(6)),
        "none"
    );
    assert_eq!(
        probe("next-leader", "first-election", &[], 0, RunUntil::Step(7)),
        "S2"
    );
}

fn reg_probe(
    call: &str,
    lab: &str,
    scenario: &str,
    step: u64,
    until: RunUntil,
) -> Result<String, String> {
    probe_of(lab, call, scenario, &[], step, until)
}

/// Each register probe (CAP and Quorum labs), pinned on a known scenario.
#[test]
fn register_probes_report_what_happens() {
    let t = |ms| RunUntil::TimeMs(ms);
    let ok = |call, lab, sc, step, until| reg_probe(call, lab, sc, step, until).unwrap();
    assert_eq!(
        ok(
            "next-outcome-of C1",
            "cap",
            "cp-refuses-minority",
            20,
            t(500)
        ),
        "refused"
    );
    assert_eq!(
        ok(
            "next-outcome-of C2",
            "cap",
            "cp-refuses-minority",
            20,
            t(500)
        ),
        "ok"
    );
    assert_eq!(
        ok("next-read-by C1", "cap", "ap-stale-read", 0, t(300)),
        "1"
    );
    assert_eq!(
        ok("next-read-by C2", "cap", "ap-stale-read", 0, t(300)),
        "2"
    );
    assert_eq!(
        ok("next-read-by C1", "cap", "ap-siblings", 0, t(1100)),
        "1 and 2"
    );
    assert_eq!(
        ok("values-at R3", "cap", "ap-lww-lost-update", 0, t(1000)),
        "1"
    );
    assert_eq!(
        ok("values-at R3", "cap", "ap-no-anti-entropy", 0, t(1900)),
        "2"
    );
    assert_eq!(
        ok("next-latency-of C1", "cap", "latency-cp", 0, t(200)),
        "60 ms"
    );
    assert_eq!(
        ok("next-latency-of C2", "cap", "latency-ap", 0, t(200)),
        "20 ms"
    );
    assert_eq!(
        ok("first-violation", "cap", "ap-lww-lost-update", 0, t(1000)),
        "No lost writes"
    );
    assert_eq!(
        ok("first-violation", "cap", "latency-cp", 0, t(200)),
        "none"
    );
    assert_eq!(
        ok("next-read-by C2", "quorum", "sloppy-quorum", 0, t(450)),
        "empty"
    );
    assert_eq!(
        ok("next-read-by C2", "quorum", "sloppy-quorum", 17, t(450)),
        "1"
    );
    assert_eq!(
        ok("next-read-by C2", "quorum", "quorum-stale", 0, t(50)),
        "none"
    );
    assert_eq!(
        ok("first-violation", "quorum", "quorum-stale", 0, t(200)),
        "No stale reads"
    );
    assert!(
        reg_probe("next-read-by C4", "quorum", "quorum-overlap", 0, t(200))
            .unwrap_err()
            .contains("does not exist")
    );
    assert!(
        reg_probe("values-at R5", "quorum", "quorum-overlap", 0, t(200))
            .unwrap_err()
            .contains("does not exist")
    );
    assert!(
        reg_probe("log-of S1", "quorum", "quorum-overlap", 0, t(200))
            .unwrap_err()
            .contains("belongs to the raft lab")
    );
}
