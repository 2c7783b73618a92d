//! Build-time facts about the question bank, so that each page compiles in
//! only the text it shows:
//!
//! - `bank_counts.rs`: how many questions and concepts there are, for the
//!   light home page, which compiles no question at all;
//! - `content_sets.rs`: the concept files as `include_str!` lists: `ALL`
//!   (study mode and the tests), and one list per lab id, `LAB_<ID>`
//!   (`LAB_RAFT`), holding the files whose questions appear beside that
//!   lab: those that declare it (`labs: raft`) and those with a "Show me"
//!   or a prediction into it (`lab: raft`). A lab page includes only its
//!   list, so a new concept file costs a lab page nothing unless it links
//!   there.

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

/// The labs a concept file's questions appear beside.
fn labs_of(text: &str) -> BTreeSet<String> {
    let mut labs = BTreeSet::new();
    for line in text.lines() {
        let line = line.trim_end();
        if let Some(list) = line.strip_prefix("labs:") {
            labs.extend(list.split(',').map(|l| l.trim().to_string()).filter(|l| !l.is_empty()));
        } else if let Some(lab) = line.strip_prefix("lab:") {
            labs.insert(lab.trim().to_string());
        }
    }
    labs
}

fn const_name(lab: &str) -> String {
    let mut s = String::from("LAB_");
    for c in lab.chars() {
        s.push(if c.is_ascii_alphanumeric() { c.to_ascii_uppercase() } else { '_' });
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
    names.sort_by_key(|n| (ORDER.iter().position(|o| o == n).unwrap_or(ORDER.len()), n.clone()));

    let mut questions = 0usize;
    let mut by_lab: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for name in &names {
        let text = fs::read_to_string(format!("content/{name}")).unwrap_or_default();
        questions += text.lines().filter(|l| l.starts_with("## ")).count();
        for lab in labs_of(&text) {
            by_lab.entry(lab).or_default().push(name.clone());
        }
    }

    let out = std::env::var("OUT_DIR").expect("cargo sets OUT_DIR");
    fs::write(
        format!("{out}/bank_counts.rs"),
        format!(
            "/// Questions in the bank.\npub const QUESTIONS: usize = {questions};\n/// Concept files in the bank.\npub const CONCEPTS: usize = {};\n",
            names.len()
        ),
    )
    .expect("OUT_DIR is writable");

    let root = std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    let entry = |name: &str| format!("    ({name:?}, include_str!({:?})),\n", format!("{root}/content/{name}"));
    let mut sets = String::from("/// Every concept file, in the bank's order.\npub const ALL: &[(&str, &str)] = &[\n");
    for n in &names {
        sets.push_str(&entry(n));
    }
    sets.push_str("];\n");
    for (lab, files) in &by_lab {
        let _ = write!(sets, "/// The concept files whose questions appear beside the `{lab}` lab.\npub const {}: &[(&str, &str)] = &[\n", const_name(lab));
        for n in files {
            sets.push_str(&entry(n));
        }
        sets.push_str("];\n");
    }
    fs::write(format!("{out}/content_sets.rs"), sets).expect("OUT_DIR is writable");
}
