//! Interview questions beside the labs: the data layer.
//!
//! The bank lives in `content/`, one Markdown-like file per concept,
//! compiled in with `include_str!` and parsed once, on first use, by a
//! strict parser ([`parse`]) whose every error names `file:line`. Rich
//! text is a small safe Markdown subset ([`rich`]) rendered by
//! [`render::render`] as text nodes only. Predictions are graded by the
//! simulation itself ([`probes`]).
//!
//! # The file format
//!
//! ```text
//! # Raft: leader election and log replication      <- display title
//! concept: raft                                     <- must equal the file name
//! labs: raft                                        <- optional: labs that show it
//! summary: How Raft elects one leader per term...   <- one paragraph
//!
//! ## raft-split-vote                                <- question id, unique, kebab-case
//! difficulty: 2                                     <- 1 foundation … 5 principal
//! tags: leader-election, timeouts                   <- kebab-case, 1–8
//!
//! ### Prompt
//! Rich text (paragraphs, lists, `code`, *em*, **strong**, [links](https://…), fences).
//! ### Strong answer
//! ### Weak answer
//! ### Why it falls short
//! ### Follow-ups
//! - A follow-up question?
//!   A: Its short answer (optional; indented continuation lines allowed).
//! ### Show me                                       <- optional, repeatable
//! lab: raft
//! scenario: split-vote
//! step: 34
//! caption: S4, which never stood in term 1, wins term 2.
//! ### Predict                                       <- optional, repeatable
//! lab: raft
//! scenario: split-vote
//! params: s_vote=1                                  <- optional lab parameters (query pairs)
//! at-step: 27
//! probe: next-leader-term                           <- a probe of probes::PROBES, with its argument
//! run-until: time 800ms                             <- or: step 400
//! question: Every vote of term 1 is cast and nobody has three. Which term's leader comes next?
//! options: 1 | 2 | 3
//! answer: 2
//! explanation: ...
//! ```
//!
//! Header values (`key: value`) may continue on lines indented by two
//! spaces. The five first sections are required, once each.
//!
//! # The API the UI uses
//!
//! - [`load_bank`] / [`bank`]: the parsed bank, parsed once.
//! - [`Bank`]: [`Bank::concepts`], [`Bank::questions`], [`Bank::question`],
//!   [`Bank::by_concept`], [`Bank::by_tag`], [`Bank::tags`],
//!   [`Bank::for_lab`], [`Bank::predictions_for`], [`Bank::show_me_for`],
//!   [`Bank::coverage`].
//! - [`Question`], [`Concept`], [`FollowUp`], [`ShowMe`] (with
//!   [`ShowMe::query`], the app link), [`Prediction`] (with
//!   [`Prediction::query`], the link to the paused state).
//! - [`probes::grade`] (a learner's choice against the simulation),
//!   [`probes::outcome`] (what the simulation does), [`probes::run_raft`]
//!   and [`probes::run_register`] (a probe from any timeline of those labs,
//!   e.g. the learner's own branched run), [`probes::PROBES`] (each probe's
//!   name, labs, argument and outcome spelling).
//! - [`render::render`], [`render::render_inlines`],
//!   [`render::render_compact`]: rich text to `Html`.

pub mod check;
pub mod model;
pub mod parse;
pub mod probes;
pub mod render;
pub mod rich;

#[cfg(test)]
mod tests;

pub use model::{
    Bank, Concept, CoverageRow, Difficulty, FollowUp, Prediction, ProbeArg, ProbeCall, Question,
    RunUntil, ShowMe, Source,
};
pub use parse::ContentError;
pub use probes::{grade_in, Grade};
pub use rich::Rich;

use std::sync::OnceLock;

/// The concept files, in display order.
/// The concept files, generated at build time (see `build.rs`): `ALL`, and
/// per lab id `LAB_<ID>` with the files whose questions appear beside it.
pub mod sets {
    include!(concat!(env!("OUT_DIR"), "/content_sets.rs"));
}

/// Every concept file, in the bank's order.
pub const FILES: &[(&str, &str)] = sets::ALL;

/// The table mapping the seed notes' questions to the bank.
pub const COVERAGE: (&str, &str) = ("coverage.md", include_str!("../../content/coverage.md"));

/// Parses concept files and a coverage table into a bank, checking what
/// no single file can: unique concept and question ids, and coverage
/// rows that name existing questions.
pub fn parse_bank(
    files: &[(&'static str, &str)],
    coverage: Option<(&'static str, &str)>,
) -> Result<Bank, Vec<ContentError>> {
    let mut bank = Bank::default();
    let mut errors = Vec::new();
    for (file, text) in files {
        match parse::parse_concept_file(file, text) {
            Ok((concept, questions)) => {
                if let Some(other) = bank.concept(&concept.id) {
                    errors.push(ContentError {
                        file: file.to_string(),
                        line: concept.source.line,
                        message: format!(
                            "concept '{}' is also defined at {}",
                            concept.id, other.source
                        ),
                    });
                }
                for q in questions {
                    if let Some(other) = bank.question(&q.id) {
                        errors.push(ContentError {
                            file: file.to_string(),
                            line: q.source.line,
                            message: format!(
                                "question id '{}' is also used at {}",
                                q.id, other.source
                            ),
                        });
                        continue;
                    }
                    bank.questions.push(q);
                }
                bank.concepts.push(concept);
            }
            Err(mut e) => errors.append(&mut e),
        }
    }
    if let Some((file, text)) = coverage {
        match parse::parse_coverage(file, text) {
            Ok(rows) => {
                for r in &rows {
                    for id in &r.ids {
                        if bank.question(id).is_none() {
                            errors.push(ContentError {
                                file: file.to_string(),
                                line: r.line,
                                message: format!("no question has the id '{id}'"),
                            });
                        }
                    }
                }
                bank.coverage = rows;
            }
            Err(mut e) => errors.append(&mut e),
        }
    }
    if errors.is_empty() {
        Ok(bank)
    } else {
        Err(errors)
    }
}

static BANK: OnceLock<Result<Bank, Vec<ContentError>>> = OnceLock::new();
/// The files this page's bank is parsed from, set once before first use.
static SOURCES: OnceLock<&'static [(&'static str, &'static str)]> = OnceLock::new();

/// Chooses the concept files this page shows (a lab page its lab's set,
/// study mode all of them). Only what is installed is compiled into a
/// page's bundle. The first call wins; later ones change nothing.
pub fn install(files: &'static [(&'static str, &'static str)]) {
    let _ = SOURCES.set(files);
}

/// The bank compiled into the app, parsed on first use. Tests guarantee
/// it parses; the error case exists so the app can say so instead of
/// panicking if a broken file ever ships.
pub fn load_bank() -> Result<&'static Bank, &'static [ContentError]> {
    match BANK.get_or_init(|| parse_bank(SOURCES.get().copied().unwrap_or(&[]), None)) {
        Ok(b) => Ok(b),
        Err(e) => Err(e),
    }
}

/// The bank, or an empty one if it failed to parse (see [`load_bank`]).
pub fn bank() -> &'static Bank {
    static EMPTY: Bank = Bank {
        concepts: Vec::new(),
        questions: Vec::new(),
        coverage: Vec::new(),
    };
    load_bank().unwrap_or(&EMPTY)
}
