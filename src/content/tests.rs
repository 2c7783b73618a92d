//! The bank's checks: every file parses, every question is complete, every
//! "Show me" step exists, every prediction's declared answer is what the
//! simulation does, and the seed-coverage table is consistent.

use super::model::{ProbeArg, ProbeCall, RunUntil};
use super::rich::{Block, Inline, Rich};
use super::*;

/// The whole bank with its coverage table, parsed and checked against
/// the simulator once (pages parse only their own files and skip the check).
fn the_bank() -> &'static Bank {
    static CHECKED: std::sync::OnceLock<Result<Bank, Vec<String>>> = std::sync::OnceLock::new();
    install(FILES);
    let parsed = CHECKED.get_or_init(|| {
        let bank = parse_bank(FILES, Some(COVERAGE))
            .map_err(|e| e.iter().map(|e| e.to_string()).collect::<Vec<_>>())?;
        let problems = check::validate(&bank);
        if problems.is_empty() {
            Ok(bank)
        } else {
            Err(problems.iter().map(|e| e.to_string()).collect())
        }
    });
    match parsed {
        Ok(b) => b,
        Err(list) => panic!("{} content error(s):\n{}", list.len(), list.join("\n")),
    }
}

/// A probe call of `lab`, parsed through the registry.
fn parse_call(lab: &str, text: &str) -> Result<ProbeCall, String> {
    dsviz_sim::labs::registry::find(lab)
        .ok_or("no lab")?
        .parse_probe(text)
}

/// Grades as a lab page does (the same generic code, through the registry).
fn grade(p: &Prediction, choice: &str) -> Result<Grade, String> {
    check::grade(p, choice)
}

#[test]
fn content_every_file_parses() {
    let b = the_bank();
    assert_eq!(b.concepts().len(), FILES.len());
    assert!(
        b.questions().len() >= 80,
        "only {} questions",
        b.questions().len()
    );
}

#[test]
fn content_every_file_in_the_folder_is_compiled_in() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("content");
    let mut on_disk: Vec<String> = std::fs::read_dir(&dir)
        .expect("content/ exists")
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n.ends_with(".md") && n != COVERAGE.0 && n != "README.md")
        .collect();
    on_disk.sort();
    let mut listed: Vec<String> = FILES.iter().map(|(f, _)| f.to_string()).collect();
    listed.sort();
    assert_eq!(on_disk, listed, "content/*.md and FILES differ");
}

#[test]
fn content_questions_are_complete() {
    let b = the_bank();
    for q in b.questions() {
        let at = q.source;
        assert!(
            b.concept(&q.concept).is_some(),
            "{at}: unknown concept {}",
            q.concept
        );
        assert!((1..=5).contains(&q.difficulty.level()), "{at}");
        assert!(!q.tags.is_empty(), "{at}: no tags");
        for (name, r) in [
            ("prompt", &q.prompt),
            ("strong", &q.strong),
            ("weak", &q.weak),
            ("why", &q.weak_why),
        ] {
            assert!(words(r) >= 5, "{at}: the {name} section is too thin");
        }
        assert!(
            words(&q.strong) > words(&q.weak),
            "{at}: the strong answer is shorter than the weak one"
        );
        assert!(
            (2..=4).contains(&q.follow_ups.len()),
            "{at}: {} follow-ups; write 2–4",
            q.follow_ups.len()
        );
        for f in &q.follow_ups {
            assert!(!f.prompt.is_empty(), "{at}: empty follow-up");
        }
    }
    for c in b.concepts() {
        assert!(
            b.by_concept(&c.id).count() >= 2,
            "{}: a concept needs at least two questions",
            c.source
        );
    }
}

fn words(r: &Rich) -> usize {
    r.plain_text().split_whitespace().count()
}

#[test]
fn content_show_me_steps_are_reached() {
    let b = the_bank();
    let mut n = 0;
    for q in b.questions() {
        for s in &q.show_me {
            check::build_at(&s.lab, &s.scenario, &s.params, s.step)
                .unwrap_or_else(|e| panic!("{}: {e}", s.source));
            n += 1;
        }
    }
    assert!(n >= 8, "only {n} Show me links");
}

#[test]
fn content_predictions_match_the_simulation() {
    let b = the_bank();
    let mut wrong = Vec::new();
    let mut n = 0;
    for q in b.questions() {
        for p in &q.predictions {
            n += 1;
            match check::outcome(p) {
                Ok(actual) if actual == p.answer => {}
                Ok(actual) => wrong.push(format!(
                    "{}: declared '{}', the simulation says '{actual}'",
                    p.source, p.answer
                )),
                Err(e) => wrong.push(format!("{}: {e}", p.source)),
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    for lab in check::labs() {
        assert!(
            b.questions()
                .iter()
                .any(|q| q.predictions.iter().any(|p| p.lab == lab)),
            "no prediction for lab {lab}"
        );
    }
    assert!(n >= 8, "only {n} predictions");
}

#[test]
fn content_grading_uses_the_simulation() {
    let b = the_bank();
    let (_, p) = b
        .questions()
        .iter()
        .flat_map(|q| q.predictions.iter().map(move |p| (q, p)))
        .next()
        .expect("a prediction");
    let right = grade(p, &p.answer).unwrap();
    assert!(right.correct);
    assert_eq!(right.actual, p.answer);
    let other = p.options.iter().find(|o| **o != p.answer).unwrap();
    let g = grade(p, other).unwrap();
    assert!(!g.correct);
    assert_eq!(g.actual, p.answer);
}

#[test]
fn content_app_links_in_text_open_real_states() {
    let b = the_bank();
    let mut links = Vec::new();
    for q in b.questions() {
        let mut all: Vec<&Rich> = vec![&q.prompt, &q.strong, &q.weak, &q.weak_why];
        for f in &q.follow_ups {
            all.push(&f.prompt);
            all.extend(f.answer.as_ref());
        }
        for r in all {
            collect_links(r, &mut |href| links.push((q.source, href.to_string())));
        }
    }
    for (at, href) in links.iter().filter(|(_, h)| h.starts_with('?')) {
        let route = crate::route::Route::parse(href);
        let lab = route
            .get("lab")
            .unwrap_or_else(|| panic!("{at}: app link {href} names no lab"));
        let sc = route
            .get("sc")
            .unwrap_or_else(|| panic!("{at}: app link {href} names no scenario"));
        let step = route.get("step").and_then(|s| s.parse().ok()).unwrap_or(0);
        let params: Vec<(String, String)> = route
            .pairs
            .iter()
            .filter(|(k, _)| !["lab", "sc", "step"].contains(&k.as_str()))
            .cloned()
            .collect();
        check::build_at(lab, sc, &params, step).unwrap_or_else(|e| panic!("{at}: {href}: {e}"));
    }
}

fn collect_links(r: &Rich, f: &mut dyn FnMut(&str)) {
    fn walk(i: &[Inline], f: &mut dyn FnMut(&str)) {
        for x in i {
            match x {
                Inline::Link { href, text } => {
                    f(href);
                    walk(text, f);
                }
                Inline::Emph(c) | Inline::Strong(c) => walk(c, f),
                Inline::Text(_) | Inline::Code(_) => {}
            }
        }
    }
    for b in &r.blocks {
        match b {
            Block::Para(i) => walk(i, f),
            Block::Bullets(items) | Block::Numbered { items, .. } => {
                items.iter().for_each(|i| walk(i, f))
            }
            Block::Code { .. } => {}
        }
    }
}

/// The five seed files the notes came in.
const SEEDS: &[&str] = &[
    "000_4434d18748c0fd38.txt",
    "001_cca60b3804009feb.txt",
    "002_e9391398ba7ef8d3.txt",
    "003_1747ab00e7db2aad.txt",
    "004_bf4cad0892c07ba0.txt",
];

#[test]
fn content_coverage_table_is_consistent() {
    let b = the_bank();
    for seed in SEEDS {
        assert!(
            b.coverage().iter().filter(|r| r.seed == *seed).count() >= 5,
            "few coverage rows for {seed}"
        );
    }
    for r in b.coverage() {
        assert!(
            SEEDS.contains(&r.seed.as_str()),
            "coverage.md:{}: unknown seed {}",
            r.line,
            r.seed
        );
        assert!(!r.ids.is_empty(), "coverage.md:{}: no ids", r.line);
        for id in &r.ids {
            assert!(
                b.question(id).is_some(),
                "coverage.md:{}: no question {id}",
                r.line
            );
        }
    }
}

/// Every lab in the registry can be linked to, and its page has at least
/// one graded prediction and one "Show me" beside it.
#[test]
fn content_every_lab_has_a_prediction_and_a_show_me() {
    let b = the_bank();
    for lab in check::labs() {
        assert!(check::scenario_ids(lab).is_some_and(|s| !s.is_empty()));
        assert!(
            crate::route::Route::parse(&format!("?lab={lab}"))
                .warnings
                .is_empty(),
            "the router does not know {lab}"
        );
        let qs = b.for_lab(lab);
        assert!(
            qs.iter()
                .any(|q| q.predictions.iter().any(|p| p.lab == lab)),
            "no graded prediction beside lab {lab}"
        );
        assert!(
            qs.iter().any(|q| q.show_me.iter().any(|s| s.lab == lab)),
            "no Show me beside lab {lab}"
        );
    }
}

#[test]
fn content_lookups() {
    let b = the_bank();
    let raft = b.for_lab("raft");
    assert!(raft.iter().any(|q| q.concept == "raft"));
    assert!(
        raft.iter()
            .any(|q| q.concept != "raft" && !q.show_me.is_empty()),
        "questions of other concepts that link into Raft"
    );
    assert!(b.for_lab("no-such-lab").is_empty());
    assert!(b.predictions_for("raft", "figure-8-unsafe").count() >= 1);
    assert!(b.show_me_for("raft", "split-vote").count() >= 1);
    let (tag, n) = b.tags()[0];
    assert_eq!(b.by_tag(tag).count(), n);
    let first = &b.questions()[0];
    assert_eq!(b.question(&first.id), Some(first));
    assert_eq!(
        b.by_concept(&b.concepts()[0].id).next().map(|q| &q.id),
        Some(&first.id)
    );
    assert_eq!(bank().questions().len(), b.questions().len());
}

#[test]
fn content_links_reopen_the_state() {
    let s = ShowMe {
        lab: "raft".into(),
        scenario: "double-vote".into(),
        params: vec![("s_persist".into(), "1".into())],
        step: 29,
        caption: Rich::default(),
        source: Source {
            file: "x.md",
            line: 1,
        },
        lab_line: 2,
    };
    assert_eq!(s.query(), "?lab=raft&sc=double-vote&s_persist=1&step=29");
}

/// A lab page parses only its own set of questions (build.rs cuts it):
/// it must hold exactly the questions the whole bank shows beside that lab.
#[test]
fn content_each_lab_page_compiles_in_exactly_its_questions() {
    let full = the_bank();
    for lab in check::labs() {
        let set =
            sets::for_lab(lab).unwrap_or_else(|| panic!("build.rs made no question set for {lab}"));
        let page = parse_bank(set, None).unwrap_or_else(|e| panic!("{lab}: {e:?}"));
        let want: Vec<&str> = full.for_lab(lab).iter().map(|q| q.id.as_str()).collect();
        let got: Vec<&str> = page.for_lab(lab).iter().map(|q| q.id.as_str()).collect();
        assert_eq!(got, want, "{lab}");
        assert_eq!(
            page.questions().len(),
            want.len(),
            "{lab}: the page carries questions it never shows"
        );
        let bytes: usize = set.iter().map(|(_, t)| t.len()).sum();
        let all: usize = FILES.iter().map(|(_, t)| t.len()).sum();
        assert!(bytes < all, "{lab}: the whole bank");
    }
}

/// The CAP lab does not run quorum mode, nor the Quorum lab CP.
#[test]
fn content_register_labs_refuse_the_other_mode() {
    let mode = |lab: &str, sc: &str, m: &str| {
        check::build_at(lab, sc, &[("mode".into(), m.into())], 0).err()
    };
    assert!(mode("cap", "ap-stale-read", "quorum").is_some_and(|e| e.contains("is not cp or ap")));
    assert!(mode("quorum", "quorum-overlap", "cp")
        .is_some_and(|e| e.contains("runs in quorum mode; mode=cp ignored")));
    assert!(mode("quorum", "quorum-overlap", "quorum").is_none());
    assert!(mode("cap", "ap-stale-read", "cp").is_none());
}

#[test]
fn content_probe_calls_are_checked() {
    for (text, msg) in [
        ("no-such-probe", "unknown probe"),
        ("log-of", "needs an argument"),
        ("log-of 3", "not a server"),
        ("log-of S10", "not a server"),
        ("applied-at 0", "not a log index"),
        ("next-leader S1", "takes no argument"),
        ("log-of S1 S2", "one argument"),
    ] {
        let e = parse_call("raft", text).expect_err(text);
        assert!(e.contains(msg), "{text}: {e}");
    }
    assert_eq!(
        parse_call("raft", "log-of S3").unwrap(),
        ProbeCall {
            name: "log-of".into(),
            arg: Some(ProbeArg::Server(2))
        }
    );
    assert!(parse_call("cap", "log-of S3")
        .unwrap_err()
        .contains("belongs to the raft lab"));
    assert!(parse_call("cap", "values-at S3")
        .unwrap_err()
        .contains("not a replica"));
    let call = parse_call("raft", "log-of S9").unwrap();
    let run = check::build_at("raft", "first-election", &[], 0).unwrap();
    assert!(run
        .probe(&call, RunUntil::Step(5))
        .unwrap_err()
        .contains("does not exist"));
}

const GOOD: &str = "# Test concept
concept: test
summary: A concept for tests.

## test-question
difficulty: 3
tags: testing, parser

### Prompt
What is tested?

### Strong answer
Everything, with **care**.

### Weak answer
Nothing.

### Why it falls short
It tests nothing.

### Follow-ups
- And then?
  A: More tests.
- Why?
";

fn errors_of(text: &str) -> Vec<ContentError> {
    let text: &'static str = Box::leak(text.to_string().into_boxed_str());
    match parse_bank(&[("test.md", text)], None) {
        Err(e) => e,
        Ok(bank) => check::validate(&bank),
    }
}

fn one_error(text: &str) -> (usize, String) {
    let e = errors_of(text);
    assert_eq!(e.len(), 1, "{e:?}");
    assert_eq!(e[0].file, "test.md");
    assert!(e[0]
        .to_string()
        .starts_with(&format!("content/test.md:{}: ", e[0].line)));
    (e[0].line, e[0].message.clone())
}

#[test]
fn content_a_good_file_parses() {
    let b = parse_bank(&[("test.md", GOOD)], None).unwrap();
    let q = &b.questions()[0];
    assert_eq!(q.id, "test-question");
    assert_eq!(q.difficulty.label(), "senior");
    assert_eq!(q.tags, vec!["testing", "parser"]);
    assert_eq!(q.follow_ups.len(), 2);
    assert_eq!(
        q.follow_ups[0].answer.as_ref().map(|a| a.plain_text()),
        Some("More tests.".into())
    );
    assert_eq!(q.follow_ups[1].answer, None);
    assert_eq!(b.concepts()[0].title, "Test concept");
    assert_eq!(q.source.to_string(), "content/test.md:5");
}

#[test]
fn content_parse_errors_name_file_and_line() {
    let cases: Vec<(String, usize, &str)> = vec![
        (GOOD.replace("difficulty: 3", "difficulty: 7"), 6, "difficulty must be 1–5"),
        (GOOD.replace("difficulty: 3", "dificulty: 3"), 6, "unknown key 'dificulty'"),
        (GOOD.replace("## test-question", "## Test_Question"), 5, "kebab-case"),
        (GOOD.replace("Everything, with **care**.", "Everything, with **care."), 13, "unclosed **"),
        (GOOD.replace("### Weak answer\nNothing.\n", ""), 5, "no '### Weak answer' section"),
        (GOOD.replace("### Prompt", "### Promt"), 9, "unknown section 'Promt'"),
        (GOOD.replace("concept: test", "concept: other"), 2, "must match the file name"),
        (GOOD.replace("Nothing.", "Nothing.\n\n#### Sub"), 18, "headings are not allowed"),
        (GOOD.replace("tags: testing, parser", "tags: testing, testing"), 7, "repeated"),
        (format!("{GOOD}\n### Show me\nlab: raft\nscenario: no-such\nstep: 3\ncaption: x\n"), 27, "has no scenario 'no-such'"),
        (format!("{GOOD}\n### Show me\nlab: paxos\nscenario: x\nstep: 3\ncaption: x\n"), 27, "unknown lab 'paxos'"),
        (format!("{GOOD}\n### Show me\nlab: raft\nscenario: split-vote\nstep: 3\n"), 26, "missing 'caption:'"),
        (format!("{GOOD}\n### Show me\nlab: raft\nscenario: split-vote\nparams: s_vote=maybe\nstep: 3\ncaption: x\n"), 27, "s_vote='maybe' is not 1 or 0"),
        (format!("{GOOD}\n### Show me\nlab: raft\nscenario: split-vote\nparams: colour=red\nstep: 3\ncaption: x\n"), 27, "no parameter 'colour'"),
        (predict_with("probe: next-leader", "probe: next-leeder"), 30, "unknown probe 'next-leeder'"),
        (predict_with("answer: S2", "answer: S7"), 34, "not one of the options"),
        (predict_with("options: S1 | S2 | S3", "options: S1"), 33, "1 options"),
        (predict_with("run-until: time 700ms", "run-until: 700"), 31, "run-until is"),
        (predict_with("options: S1 | S2 | S3", "options: S1 | S2 | S1"), 33, "repeated"),
    ];
    for (text, line, msg) in cases {
        let (l, m) = one_error(&text);
        assert!(m.contains(msg), "expected '{msg}', got line {l}: {m}");
        assert_eq!(l, line, "{m}");
    }
}

fn predict_with(from: &str, to: &str) -> String {
    let p = "
### Predict
lab: raft
scenario: first-election
at-step: 0
probe: next-leader
run-until: time 700ms
question: Who leads first?
options: S1 | S2 | S3
answer: S2
explanation: Its timer fires first.
";
    format!("{GOOD}{}", p.replace(from, to))
}

#[test]
fn content_a_prediction_parses_and_grades() {
    let text: &'static str = Box::leak(predict_with("", "").into_boxed_str());
    let b = parse_bank(&[("test.md", text)], None).unwrap();
    let p = &b.questions()[0].predictions[0];
    assert_eq!(p.run_until, RunUntil::TimeMs(700));
    assert_eq!(p.query(), "?lab=raft&sc=first-election&step=0");
    assert_eq!(check::outcome(p).unwrap(), "S2");
    assert!(grade(p, "S2").unwrap().correct);
}

#[test]
fn content_bank_wide_errors() {
    let twice = parse_bank(&[("test.md", GOOD), ("test.md", GOOD)], None).unwrap_err();
    assert!(
        twice
            .iter()
            .any(|e| e.message.contains("concept 'test' is also defined")),
        "{twice:?}"
    );
    assert!(
        twice.iter().any(|e| e
            .message
            .contains("question id 'test-question' is also used at content/test.md:5")),
        "{twice:?}"
    );
    let cov = "# Coverage\n\n## 000_4434d18748c0fd38.txt\n- Explain the thing -> test-question, missing-one\n";
    let e = parse_bank(&[("test.md", GOOD)], Some(("coverage.md", cov))).unwrap_err();
    assert_eq!(e.len(), 1);
    assert_eq!(
        (e[0].line, e[0].message.as_str()),
        (4, "no question has the id 'missing-one'")
    );
    for (bad, line, msg) in [
        ("## 000_4434d18748c0fd38.txt\n- a phrase without ids\n", 2, "` -> `"),
        ("## 000_4434d18748c0fd38.txt\n- one two three four five six seven eight nine ten eleven -> x\n", 2, "11 words"),
        ("## seeds.txt\n- a -> b\n", 1, "not a seed file name"),
        ("## 000_4434d18748c0fd38.txt\n", 1, "no rows"),
        ("## 000_4434d18748c0fd38.txt\n- a -> B\n", 2, "not a question id"),
    ] {
        let e = parse::parse_coverage("coverage.md", bad).unwrap_err();
        assert_eq!(e[0].line, line, "{bad}: {e:?}");
        assert!(e[0].message.contains(msg), "{bad}: {e:?}");
    }
}
