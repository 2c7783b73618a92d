//! The question bank's types and lookups. No yew, no parsing: the UI reads
//! these, the parser builds them, the tests check them.

use super::rich::Rich;
use std::fmt;

/// How hard a question is, 1–5.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Difficulty(u8);

impl Difficulty {
    pub const MIN: u8 = 1;
    pub const MAX: u8 = 5;

    pub fn new(level: u8) -> Option<Difficulty> {
        (Self::MIN..=Self::MAX)
            .contains(&level)
            .then_some(Difficulty(level))
    }

    pub fn level(self) -> u8 {
        self.0
    }

    /// The level's name: who is expected to answer it well.
    /// 1 foundation (any backend engineer), 2 intermediate (knows the
    /// mechanism), 3 senior (trade-offs and failure modes), 4 staff (design
    /// under failure, subtle correctness), 5 principal (proof-level depth,
    /// the papers).
    pub fn label(self) -> &'static str {
        match self.0 {
            1 => "foundation",
            2 => "intermediate",
            3 => "senior",
            4 => "staff",
            _ => "principal",
        }
    }
}

impl fmt::Display for Difficulty {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.0, self.label())
    }
}

/// Where an item was defined, for error messages and "edit this" links.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Source {
    pub file: &'static str,
    pub line: usize,
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "content/{}:{}", self.file, self.line)
    }
}

/// One concept: one content file.
#[derive(Clone, Debug, PartialEq)]
pub struct Concept {
    /// The file's stem, e.g. `raft` for `content/raft.md`.
    pub id: String,
    /// Display title, from the file's `# ` line.
    pub title: String,
    /// One or two sentences: what the concept covers.
    pub summary: Rich,
    /// Labs that demonstrate the concept (their questions show beside them).
    pub labs: Vec<String>,
    pub source: Source,
}

/// A follow-up question, with a short answer when the author gave one.
#[derive(Clone, Debug, PartialEq)]
pub struct FollowUp {
    pub prompt: Rich,
    pub answer: Option<Rich>,
}

/// A link to the lab state that shows an answer.
#[derive(Clone, Debug, PartialEq)]
pub struct ShowMe {
    pub lab: String,
    pub scenario: String,
    /// Lab parameters on top of the scenario's, as query pairs (e.g. a
    /// safety switch turned back on: `s_persist=1`). Usually empty.
    pub params: Vec<(String, String)>,
    pub step: u64,
    pub caption: Rich,
    pub source: Source,
    /// The line of its `lab:` header, where a bad target is reported.
    pub lab_line: usize,
}

impl ShowMe {
    /// The app link (query string) that opens this state, e.g.
    /// `?lab=raft&sc=split-vote&step=34`.
    pub fn query(&self) -> String {
        lab_query(&self.lab, &self.scenario, &self.params, self.step)
    }
}

pub use dsviz_sim::labs::probe::{ProbeArg, ProbeCall, RunUntil};

/// A prediction the simulation grades: the learner sees the lab paused at
/// `at_step`, picks one of `options`, and [`super::probes::grade`] plays
/// the run on to find what really happens.
#[derive(Clone, Debug, PartialEq)]
pub struct Prediction {
    pub lab: String,
    pub scenario: String,
    /// Lab parameters on top of the scenario's (see [`ShowMe::params`]).
    pub params: Vec<(String, String)>,
    pub at_step: u64,
    pub question: Rich,
    /// The choices, as the probe spells its outcomes (2–6 of them).
    pub options: Vec<String>,
    /// The probe and its argument as written (`log-of S3`); the lab's own
    /// probe table reads it when grading, so a page needs no other lab.
    pub probe: String,
    pub run_until: RunUntil,
    /// The author's declared correct option; tests check the simulation agrees.
    pub answer: String,
    pub explanation: Rich,
    pub source: Source,
    /// The lines of its `lab:` and `probe:` headers, for error messages.
    pub lab_line: usize,
    pub probe_line: usize,
}

impl Prediction {
    /// The app link that opens the run paused where the learner predicts.
    pub fn query(&self) -> String {
        lab_query(&self.lab, &self.scenario, &self.params, self.at_step)
    }
}

fn lab_query(lab: &str, scenario: &str, params: &[(String, String)], step: u64) -> String {
    let mut pairs: Vec<(&str, String)> =
        vec![("lab", lab.to_string()), ("sc", scenario.to_string())];
    pairs.extend(params.iter().map(|(k, v)| (k.as_str(), v.clone())));
    pairs.push(("step", step.to_string()));
    crate::route::build_query(&pairs)
}

/// One interview question with its model answers.
#[derive(Clone, Debug, PartialEq)]
pub struct Question {
    /// Unique across the bank, kebab-case (`raft-commit-rule`).
    pub id: String,
    /// The concept (file) it belongs to.
    pub concept: String,
    pub difficulty: Difficulty,
    /// Kebab-case tags, at least one.
    pub tags: Vec<String>,
    pub prompt: Rich,
    /// What a strong (staff-level) candidate says.
    pub strong: Rich,
    /// A typical weak answer...
    pub weak: Rich,
    /// ...and why it falls short.
    pub weak_why: Rich,
    pub follow_ups: Vec<FollowUp>,
    /// Lab states that show the answer (empty for questions no lab shows yet).
    pub show_me: Vec<ShowMe>,
    pub predictions: Vec<Prediction>,
    pub source: Source,
}

/// One row of the seed-coverage table: a question the seed notes ask, and
/// the bank questions that answer it.
#[derive(Clone, Debug, PartialEq)]
pub struct CoverageRow {
    /// The seed file, e.g. `000_4434d18748c0fd38.txt`.
    pub seed: String,
    /// A short identifying phrase or paraphrase of the seed's question.
    pub phrase: String,
    pub ids: Vec<String>,
    pub line: usize,
}

/// The whole bank: concepts in display order, questions in file order.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Bank {
    pub(crate) concepts: Vec<Concept>,
    pub(crate) questions: Vec<Question>,
    pub(crate) coverage: Vec<CoverageRow>,
}

impl Bank {
    pub fn concepts(&self) -> &[Concept] {
        &self.concepts
    }

    pub fn concept(&self, id: &str) -> Option<&Concept> {
        self.concepts.iter().find(|c| c.id == id)
    }

    pub fn questions(&self) -> &[Question] {
        &self.questions
    }

    pub fn question(&self, id: &str) -> Option<&Question> {
        self.questions.iter().find(|q| q.id == id)
    }

    /// A concept's questions, in file order.
    pub fn by_concept<'a>(&'a self, concept: &'a str) -> impl Iterator<Item = &'a Question> + 'a {
        self.questions.iter().filter(move |q| q.concept == concept)
    }

    pub fn by_tag<'a>(&'a self, tag: &'a str) -> impl Iterator<Item = &'a Question> + 'a {
        self.questions
            .iter()
            .filter(move |q| q.tags.iter().any(|t| t == tag))
    }

    /// Every tag with its number of questions, most used first, then by name.
    pub fn tags(&self) -> Vec<(&str, usize)> {
        let mut counts: std::collections::BTreeMap<&str, usize> = Default::default();
        for q in &self.questions {
            for t in &q.tags {
                *counts.entry(t.as_str()).or_default() += 1;
            }
        }
        let mut v: Vec<(&str, usize)> = counts.into_iter().collect();
        dsviz_sim::sort::sort_by(&mut v, |a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
        v
    }

    /// The questions to show beside a lab: those of concepts the lab
    /// demonstrates, then any other question that links into the lab.
    pub fn for_lab<'a>(&'a self, lab: &str) -> Vec<&'a Question> {
        let in_concept = |q: &Question| {
            self.concept(&q.concept)
                .is_some_and(|c| c.labs.iter().any(|l| l == lab))
        };
        let links = |q: &Question| {
            q.show_me.iter().any(|s| s.lab == lab) || q.predictions.iter().any(|p| p.lab == lab)
        };
        let mut v: Vec<&Question> = self.questions.iter().filter(|q| in_concept(q)).collect();
        v.extend(self.questions.iter().filter(|q| !in_concept(q) && links(q)));
        v
    }

    /// Predictions set in one scenario of a lab, with their questions.
    pub fn predictions_for<'a>(
        &'a self,
        lab: &'a str,
        scenario: &'a str,
    ) -> impl Iterator<Item = (&'a Question, &'a Prediction)> + 'a {
        self.questions
            .iter()
            .flat_map(|q| q.predictions.iter().map(move |p| (q, p)))
            .filter(move |(_, p)| p.lab == lab && p.scenario == scenario)
    }

    /// "Show me" links into one scenario of a lab, with their questions.
    pub fn show_me_for<'a>(
        &'a self,
        lab: &'a str,
        scenario: &'a str,
    ) -> impl Iterator<Item = (&'a Question, &'a ShowMe)> + 'a {
        self.questions
            .iter()
            .flat_map(|q| q.show_me.iter().map(move |s| (q, s)))
            .filter(move |(_, s)| s.lab == lab && s.scenario == scenario)
    }

    pub fn coverage(&self) -> &[CoverageRow] {
        &self.coverage
    }
}
