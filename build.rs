//! Counts the question bank at build time, so the light home page can show
//! the numbers without compiling the bank in.

use std::fs;

fn main() {
    println!("cargo:rerun-if-changed=content");
    let mut questions = 0usize;
    let mut concepts = 0usize;
    if let Ok(dir) = fs::read_dir("content") {
        for entry in dir.flatten() {
            let path = entry.path();
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
            if !name.ends_with(".md") || name == "README.md" || name == "coverage.md" {
                continue;
            }
            if let Ok(text) = fs::read_to_string(&path) {
                concepts += 1;
                questions += text.lines().filter(|l| l.starts_with("## ")).count();
            }
        }
    }
    let out = std::env::var("OUT_DIR").expect("cargo sets OUT_DIR");
    fs::write(
        format!("{out}/bank_counts.rs"),
        format!("/// Questions in the bank.\npub const QUESTIONS: usize = {questions};\n/// Concept files in the bank.\npub const CONCEPTS: usize = {concepts};\n"),
    )
    .expect("OUT_DIR is writable");
}
