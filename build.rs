//! Build-time facts about the question bank, so that each page compiles in
//! only the text it shows:
//!
//! - `bank_counts.rs`: how many questions and concepts there are, for the
//!   light home page, which compiles no question at all;
//! - `content_sets.rs`: the concept files as `include_str!` lists: `ALL`
//!   (study mode and the tests), and one list per lab id, `LAB_<ID>`
//!   (`LAB_RAFT`), holding exactly the questions that appear beside that
//!   lab: every question of a file that declares it (`labs: raft`), and
//!   from the other files only the questions with a "Show me" or a
//!   prediction into it (`lab: raft`), each written out with its file's
//!   header. A lab page includes only its list, so a question costs a lab
//!   page nothing unless it is shown there.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::fs;

/// The bank's order (study mode lists concepts in it); files not named
/// here follow in name order.
const ORDER: &[&str] = &[
    "raft.md",
    "consensus.md",
    "leader-election.md",
    "split-brain.md",
    "cap.md",
    "consistency-models.md",
    "quorums.md",
    "replication.md",
    "partitioning.md",
    "clocks.md",
    "messaging.md",
    "idempotency.md",
    "retries-backoff.md",
    "circuit-breakers.md",
    "sagas.md",
    "transactions.md",
    "fault-tolerance.md",
    "failure-detection.md",
    "gossip.md",
    "crdts.md",
    "rate-limiting.md",
    "caching.md",
    "event-sourcing.md",
    "system-design.md",
    "fundamentals.md",
];

/// A concept file cut into its header (up to the first question) and its
/// questions (each from its `## id` line to the next).
struct Split<'a> {
    header: &'a str,
    questions: Vec<&'a str>,
}

fn split(text: &str) -> Split<'_> {
    let mut starts: Vec<usize> = Vec::new();
    let mut at = 0;
    for line in text.split_inclusive('\n') {
        if line.starts_with("## ") {
            starts.push(at);
        }
        at += line.len();
    }
    let header = &text[..starts.first().copied().unwrap_or(text.len())];
    let questions = starts
        .iter()
        .enumerate()
        .map(|(i, &s)| &text[s..starts.get(i + 1).copied().unwrap_or(text.len())])
        .collect();
    Split { header, questions }
}

/// The labs a file's header declares.
fn declared(header: &str) -> BTreeSet<String> {
    header
        .lines()
        .filter_map(|l| l.strip_prefix("labs:"))
        .flat_map(|list| list.split(','))
        .map(|l| l.trim().to_string())
        .filter(|l| !l.is_empty())
        .collect()
}

/// The labs a question links into.
fn linked(question: &str) -> BTreeSet<String> {
    question
        .lines()
        .filter_map(|l| l.strip_prefix("lab:"))
        .map(|l| l.trim().to_string())
        .filter(|l| !l.is_empty())
        .collect()
}

fn const_name(lab: &str) -> String {
    let mut s = String::from("LAB_");
    for c in lab.chars() {
        s.push(if c.is_ascii_alphanumeric() {
            c.to_ascii_uppercase()
        } else {
            '_'
        });
    }
    s
}

fn main() {
    println!("cargo:rerun-if-changed=content");
    let mut names: Vec<String> = Vec::new();
    if let Ok(dir) = fs::read_dir("content") {
        for entry in dir.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.ends_with(".md") && name != "README.md" && name != "coverage.md" {
                names.push(name);
            }
        }
    }
    names.sort_by_key(|n| {
        (
            ORDER.iter().position(|o| o == n).unwrap_or(ORDER.len()),
            n.clone(),
        )
    });

    let out = std::env::var("OUT_DIR").expect("cargo sets OUT_DIR");
    let root = std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    let mut questions = 0usize;
    // Per lab: (file name, path of the text to include).
    let mut by_lab: BTreeMap<String, Vec<(String, String)>> = BTreeMap::new();
    for name in &names {
        let text = fs::read_to_string(format!("content/{name}")).unwrap_or_default();
        let parts = split(&text);
        questions += parts.questions.len();
        let whole = declared(parts.header);
        let mut labs: BTreeSet<String> = whole.clone();
        for q in &parts.questions {
            labs.extend(linked(q));
        }
        for lab in labs {
            let path = if whole.contains(&lab) {
                format!("{root}/content/{name}")
            } else {
                // Only the questions shown beside this lab, under the file's header.
                let mut cut = String::from(parts.header);
                for q in parts.questions.iter().filter(|q| linked(q).contains(&lab)) {
                    cut.push_str(q);
                }
                let dir = format!("{out}/content/{lab}");
                fs::create_dir_all(&dir).expect("OUT_DIR is writable");
                let path = format!("{dir}/{name}");
                fs::write(&path, cut).expect("OUT_DIR is writable");
                path
            };
            by_lab.entry(lab).or_default().push((name.clone(), path));
        }
    }

    fs::write(
        format!("{out}/bank_counts.rs"),
        format!(
            "/// Questions in the bank.\npub const QUESTIONS: usize = {questions};\n/// Concept files in the bank.\npub const CONCEPTS: usize = {};\n",
            names.len()
        ),
    )
    .expect("OUT_DIR is writable");

    let entry = |name: &str, path: &str| format!("    ({name:?}, include_str!({path:?})),\n");
    let mut sets = String::from(
        "/// Every concept file, in the bank's order.\npub const ALL: &[(&str, &str)] = &[\n",
    );
    for n in &names {
        sets.push_str(&entry(n, &format!("{root}/content/{n}")));
    }
    sets.push_str("];\n");
    for (lab, files) in &by_lab {
        let _ = write!(sets, "/// The questions that appear beside the `{lab}` lab, by concept file.\npub const {}: &[(&str, &str)] = &[\n", const_name(lab));
        for (n, path) in files {
            sets.push_str(&entry(n, path));
        }
        sets.push_str("];\n");
    }
    // For the tests only: a page names its own set, so no page links them all.
    sets.push_str("/// A lab's set by id (tests only).\n#[cfg(test)]\npub fn for_lab(id: &str) -> Option<&'static [(&'static str, &'static str)]> {\n    match id {\n");
    for lab in by_lab.keys() {
        let _ = writeln!(sets, "        {lab:?} => Some({}),", const_name(lab));
    }
    sets.push_str("        _ => None,\n    }\n}\n");
    fs::write(format!("{out}/content_sets.rs"), sets).expect("OUT_DIR is writable");
}
