//! The strict parser for concept files and the coverage table. Every
//! problem is a [`ContentError`] naming the file and line; a file with
//! errors contributes nothing to the bank (the tests show every error).
//!
//! The format is documented in [`super`] (module docs) with an example.

use super::model::{
    Concept, CoverageRow, Difficulty, FollowUp, Prediction, RunUntil, ShowMe, Source,
};
use super::rich::{self, Rich};
use super::Question;
use dsviz_sim::kernel::timeline::MAX_STEPS;
use dsviz_sim::labs::registry::CATALOG;
use std::fmt;

/// A problem in a content file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ContentError {
    pub file: String,
    pub line: usize,
    pub message: String,
}

impl fmt::Display for ContentError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "content/{}:{}: {}", self.file, self.line, self.message)
    }
}

/// Bounds that keep content reviewable (and a bad file harmless).
pub const MAX_ID_LEN: usize = 60;
pub const MAX_TAGS: usize = 8;
pub const MAX_OPTIONS: usize = 6;
pub const MAX_FOLLOW_UPS: usize = 6;
pub const MAX_COVERAGE_WORDS: usize = 10;

/// Section headings a question may have, in the order authors write them.
pub const SECTIONS: &[&str] = &[
    "Prompt",
    "Strong answer",
    "Weak answer",
    "Why it falls short",
    "Follow-ups",
    "Show me",
    "Predict",
];

type Line<'a> = (usize, &'a str);

struct Ctx {
    file: &'static str,
}

impl Ctx {
    fn err(&self, line: usize, message: impl Into<String>) -> ContentError {
        ContentError {
            file: self.file.to_string(),
            line,
            message: message.into(),
        }
    }
    fn rich_err(&self, e: rich::RichError) -> ContentError {
        self.err(e.line, e.message)
    }
    fn source(&self, line: usize) -> Source {
        Source {
            file: self.file,
            line,
        }
    }
}

/// A kebab-case identifier: `a-z`, `0-9`, single dashes between words.
pub fn is_id(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= MAX_ID_LEN
        && s.split('-').all(|w| {
            !w.is_empty()
                && w.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
}

/// One `key: value` header, its value joined from continuation lines.
#[derive(Debug)]
struct Header {
    key: String,
    value: String,
    line: usize,
}

/// Reads `key: value` lines (a value continues on lines indented by two
/// spaces), refusing unknown and repeated keys. Blank lines are skipped.
fn headers(cx: &Ctx, lines: &[Line<'_>], allowed: &[&str]) -> Result<Vec<Header>, ContentError> {
    let mut out: Vec<Header> = Vec::new();
    for &(n, raw) in lines {
        let line = raw.trim_end();
        if line.is_empty() {
            continue;
        }
        if raw.contains('\t') {
            return Err(cx.err(n, "tab character; use spaces"));
        }
        if line.starts_with("  ") {
            let Some(last) = out.last_mut() else {
                return Err(cx.err(n, "indented line before any `key: value` line"));
            };
            last.value.push(' ');
            last.value.push_str(line.trim());
            continue;
        }
        let Some((key, value)) = line.split_once(':') else {
            return Err(cx.err(
                n,
                format!(
                    "expected `key: value` (one of: {}), got '{}'",
                    allowed.join(", "),
                    truncate(line)
                ),
            ));
        };
        let key = key.trim();
        if !allowed.contains(&key) {
            return Err(cx.err(
                n,
                format!("unknown key '{key}' (allowed here: {})", allowed.join(", ")),
            ));
        }
        if out.iter().any(|h| h.key == key) {
            return Err(cx.err(n, format!("'{key}' given twice")));
        }
        out.push(Header {
            key: key.to_string(),
            value: value.trim().to_string(),
            line: n,
        });
    }
    for h in &out {
        if h.value.is_empty() {
            return Err(cx.err(h.line, format!("'{}' is empty", h.key)));
        }
    }
    Ok(out)
}

fn truncate(s: &str) -> String {
    crate::route::truncate(s, 50)
}

fn take<'h>(cx: &Ctx, hs: &'h [Header], key: &str, at: usize) -> Result<&'h Header, ContentError> {
    hs.iter()
        .find(|h| h.key == key)
        .ok_or_else(|| cx.err(at, format!("missing '{key}:'")))
}

fn opt<'h>(hs: &'h [Header], key: &str) -> Option<&'h Header> {
    hs.iter().find(|h| h.key == key)
}

fn inline_rich(cx: &Ctx, h: &Header) -> Result<Rich, ContentError> {
    rich::parse_inlines(&h.value, h.line)
        .map(Rich::inline)
        .map_err(|e| cx.rich_err(e))
}

fn number(cx: &Ctx, h: &Header, max: u64) -> Result<u64, ContentError> {
    h.value
        .parse::<u64>()
        .ok()
        .filter(|v| *v <= max)
        .ok_or_else(|| {
            cx.err(
                h.line,
                format!(
                    "'{}' must be a whole number up to {max}, got '{}'",
                    h.key, h.value
                ),
            )
        })
}

/// `k=v&k=v` query pairs.
fn params(cx: &Ctx, h: Option<&Header>) -> Result<Vec<(String, String)>, ContentError> {
    let Some(h) = h else { return Ok(vec![]) };
    h.value
        .split('&')
        .map(|pair| match pair.split_once('=') {
            Some((k, v)) if !k.trim().is_empty() && !v.trim().is_empty() => {
                Ok((k.trim().to_string(), v.trim().to_string()))
            }
            _ => Err(cx.err(
                h.line,
                format!("params: expected key=value pairs joined by &, got '{pair}'"),
            )),
        })
        .collect()
}

/// Splits a file into the lines before the first line starting with
/// `prefix`, and chunks that each start with such a line.
fn split_at<'a>(lines: &[Line<'a>], prefix: &str) -> (Vec<Line<'a>>, Vec<Vec<Line<'a>>>) {
    let mut head = Vec::new();
    let mut chunks: Vec<Vec<Line<'a>>> = Vec::new();
    for &l in lines {
        if l.1.starts_with(prefix) {
            chunks.push(vec![l]);
        } else if let Some(c) = chunks.last_mut() {
            c.push(l);
        } else {
            head.push(l);
        }
    }
    (head, chunks)
}

/// Parses one concept file. `file` is its name under `content/`; the
/// concept id is the name without `.md`.
pub fn parse_concept_file(
    file: &'static str,
    text: &str,
) -> Result<(Concept, Vec<Question>), Vec<ContentError>> {
    let cx = Ctx { file };
    let lines: Vec<Line<'_>> = text.lines().enumerate().map(|(i, l)| (i + 1, l)).collect();
    let stem = file.strip_suffix(".md").unwrap_or(file);
    let (head, chunks) = split_at(&lines, "## ");
    let concept = match concept_head(&cx, stem, &head) {
        Ok(c) => c,
        Err(e) => return Err(vec![e]),
    };
    let mut errors = Vec::new();
    let mut questions = Vec::new();
    if chunks.is_empty() {
        errors.push(cx.err(
            lines.len().max(1),
            "no questions (each starts with a `## <id>` line)",
        ));
    }
    for chunk in chunks {
        match question(&cx, &concept.id, &chunk) {
            Ok(q) => questions.push(q),
            Err(e) => errors.push(e),
        }
    }
    if errors.is_empty() {
        Ok((concept, questions))
    } else {
        Err(errors)
    }
}

fn concept_head(cx: &Ctx, stem: &str, head: &[Line<'_>]) -> Result<Concept, ContentError> {
    let mut it = head.iter().skip_while(|(_, l)| l.trim().is_empty());
    let Some(&(title_line, first)) = it.next() else {
        return Err(cx.err(1, "a concept file starts with `# <title>`"));
    };
    let title = first
        .strip_prefix("# ")
        .map(str::trim)
        .filter(|t| !t.is_empty());
    let Some(title) = title else {
        return Err(cx.err(title_line, "a concept file starts with `# <title>`"));
    };
    let rest: Vec<Line<'_>> = it.copied().collect();
    let hs = headers(cx, &rest, &["concept", "labs", "summary"])?;
    let id = take(cx, &hs, "concept", title_line)?;
    if id.value != stem {
        return Err(cx.err(
            id.line,
            format!("concept '{}' must match the file name '{stem}'", id.value),
        ));
    }
    if !is_id(&id.value) {
        return Err(cx.err(
            id.line,
            format!("concept id '{}' must be kebab-case", id.value),
        ));
    }
    let mut declared = Vec::new();
    if let Some(h) = opt(&hs, "labs") {
        for l in h.value.split(',').map(str::trim) {
            if !known_lab(l) {
                return Err(cx.err(
                    h.line,
                    format!("unknown lab '{l}' (known: {})", lab_ids().join(", ")),
                ));
            }
            declared.push(l.to_string());
        }
    }
    let summary = inline_rich(cx, take(cx, &hs, "summary", title_line)?)?;
    Ok(Concept {
        id: id.value.clone(),
        title: title.to_string(),
        summary,
        labs: declared,
        source: cx.source(title_line),
    })
}

fn question(cx: &Ctx, concept: &str, chunk: &[Line<'_>]) -> Result<Question, ContentError> {
    let (id_line, first) = chunk[0];
    let id = first["## ".len()..].trim();
    if !is_id(id) {
        return Err(cx.err(id_line, format!("question id '{id}' must be kebab-case (a-z, 0-9, dashes), at most {MAX_ID_LEN} characters")));
    }
    let (head, sections) = split_at(&chunk[1..], "### ");
    let hs = headers(cx, &head, &["difficulty", "tags"])?;
    let d = take(cx, &hs, "difficulty", id_line)?;
    let difficulty = d
        .value
        .parse::<u8>()
        .ok()
        .and_then(Difficulty::new)
        .ok_or_else(|| {
            cx.err(
                d.line,
                format!(
                    "difficulty must be {}–{}, got '{}'",
                    Difficulty::MIN,
                    Difficulty::MAX,
                    d.value
                ),
            )
        })?;
    let t = take(cx, &hs, "tags", id_line)?;
    let tags: Vec<String> = t.value.split(',').map(|s| s.trim().to_string()).collect();
    if let Some(bad) = tags.iter().find(|t| !is_id(t)) {
        return Err(cx.err(t.line, format!("tag '{bad}' must be kebab-case")));
    }
    if tags.len() > MAX_TAGS {
        return Err(cx.err(t.line, format!("{} tags; at most {MAX_TAGS}", tags.len())));
    }
    for (i, tag) in tags.iter().enumerate() {
        if tags[..i].contains(tag) {
            return Err(cx.err(t.line, format!("tag '{tag}' repeated")));
        }
    }

    let mut q = Question {
        id: id.to_string(),
        concept: concept.to_string(),
        difficulty,
        tags,
        prompt: Rich::default(),
        strong: Rich::default(),
        weak: Rich::default(),
        weak_why: Rich::default(),
        follow_ups: Vec::new(),
        show_me: Vec::new(),
        predictions: Vec::new(),
        source: cx.source(id_line),
    };
    let mut seen: Vec<&str> = Vec::new();
    for sec in &sections {
        let (n, heading) = sec[0];
        let name = heading["### ".len()..].trim();
        let Some(&known) = SECTIONS.iter().find(|s| **s == name) else {
            return Err(cx.err(
                n,
                format!(
                    "unknown section '{name}' (sections: {})",
                    SECTIONS.join(", ")
                ),
            ));
        };
        let repeatable = matches!(known, "Show me" | "Predict");
        if !repeatable && seen.contains(&known) {
            return Err(cx.err(n, format!("section '{known}' given twice")));
        }
        seen.push(known);
        let body = &sec[1..];
        let rich_body = || -> Result<Rich, ContentError> {
            let r = rich::parse_lines(body).map_err(|e| cx.rich_err(e))?;
            if r.is_empty() {
                return Err(cx.err(n, format!("section '{known}' is empty")));
            }
            Ok(r)
        };
        match known {
            "Prompt" => q.prompt = rich_body()?,
            "Strong answer" => q.strong = rich_body()?,
            "Weak answer" => q.weak = rich_body()?,
            "Why it falls short" => q.weak_why = rich_body()?,
            "Follow-ups" => q.follow_ups = follow_ups(cx, n, body)?,
            "Show me" => q.show_me.push(show_me(cx, n, body)?),
            _ => q.predictions.push(predict(cx, n, body)?),
        }
    }
    for required in &SECTIONS[..5] {
        if !seen.contains(required) {
            return Err(cx.err(
                id_line,
                format!("question '{id}' has no '### {required}' section"),
            ));
        }
    }
    Ok(q)
}

/// `- question` items; an indented `A: ` line starts the item's answer,
/// other indented lines continue the question or the answer.
fn follow_ups(cx: &Ctx, heading: usize, body: &[Line<'_>]) -> Result<Vec<FollowUp>, ContentError> {
    struct Draft {
        line: usize,
        question: String,
        /// The answer's first line and text.
        answer: Option<(usize, String)>,
    }
    let mut items: Vec<Draft> = Vec::new();
    for &(n, raw) in body {
        let line = raw.trim_end();
        if line.is_empty() {
            continue;
        }
        if raw.contains('\t') {
            return Err(cx.err(n, "tab character; use spaces"));
        }
        if let Some(q) = line.strip_prefix("- ") {
            items.push(Draft {
                line: n,
                question: q.trim().to_string(),
                answer: None,
            });
            continue;
        }
        let Some(cont) = line.strip_prefix("  ") else {
            return Err(cx.err(
                n,
                "follow-ups are `- question` items; an indented `A: ` line gives the answer",
            ));
        };
        let Some(item) = items.last_mut() else {
            return Err(cx.err(n, "indented line before the first `- ` item"));
        };
        let cont = cont.trim();
        if let Some(a) = cont.strip_prefix("A:") {
            if item.answer.is_some() {
                return Err(cx.err(n, "a follow-up has one answer"));
            }
            item.answer = Some((n, a.trim().to_string()));
        } else if let Some((_, a)) = item.answer.as_mut() {
            a.push(' ');
            a.push_str(cont);
        } else {
            item.question.push(' ');
            item.question.push_str(cont);
        }
    }
    if items.is_empty() {
        return Err(cx.err(heading, "section 'Follow-ups' is empty"));
    }
    if items.len() > MAX_FOLLOW_UPS {
        return Err(cx.err(
            heading,
            format!("{} follow-ups; at most {MAX_FOLLOW_UPS}", items.len()),
        ));
    }
    let mut out = Vec::new();
    for Draft {
        line,
        question,
        answer,
    } in items
    {
        let prompt =
            Rich::inline(rich::parse_inlines(&question, line).map_err(|e| cx.rich_err(e))?);
        let answer = match answer {
            Some((an, a)) if a.is_empty() => return Err(cx.err(an, "empty answer")),
            Some((an, a)) => Some(Rich::inline(
                rich::parse_inlines(&a, an).map_err(|e| cx.rich_err(e))?,
            )),
            None => None,
        };
        out.push(FollowUp { prompt, answer });
    }
    Ok(out)
}

/// Whether a lab with this id exists (from the catalog, which is plain
/// data: parsing links no lab's code into a page).
fn known_lab(id: &str) -> bool {
    CATALOG.iter().any(|l| l.id == id)
}

fn lab_ids() -> Vec<&'static str> {
    CATALOG.iter().map(|l| l.id).collect()
}

/// The lab state a "Show me" or a prediction opens. Whether the scenario,
/// parameters and step exist is checked by [`super::check`] (the tests
/// run it on the whole bank), not here: a page parses only its own files
/// and carries only its own lab.
struct Target {
    lab: String,
    scenario: String,
    params: Vec<(String, String)>,
    lab_line: usize,
}

fn target(cx: &Ctx, hs: &[Header], at: usize) -> Result<Target, ContentError> {
    let lab = take(cx, hs, "lab", at)?;
    let sc = take(cx, hs, "scenario", at)?;
    let params = params(cx, opt(hs, "params"))?;
    if !known_lab(&lab.value) {
        return Err(cx.err(
            lab.line,
            format!(
                "unknown lab '{}' (known: {})",
                lab.value,
                lab_ids().join(", ")
            ),
        ));
    }
    Ok(Target {
        lab: lab.value.clone(),
        scenario: sc.value.clone(),
        params,
        lab_line: lab.line,
    })
}

fn show_me(cx: &Ctx, heading: usize, body: &[Line<'_>]) -> Result<ShowMe, ContentError> {
    let hs = headers(cx, body, &["lab", "scenario", "params", "step", "caption"])?;
    let Target {
        lab,
        scenario,
        params,
        lab_line,
    } = target(cx, &hs, heading)?;
    let step = number(cx, take(cx, &hs, "step", heading)?, MAX_STEPS)?;
    let caption = inline_rich(cx, take(cx, &hs, "caption", heading)?)?;
    Ok(ShowMe {
        lab,
        scenario,
        params,
        step,
        caption,
        source: cx.source(heading),
        lab_line,
    })
}

fn predict(cx: &Ctx, heading: usize, body: &[Line<'_>]) -> Result<Prediction, ContentError> {
    let keys = [
        "lab",
        "scenario",
        "params",
        "at-step",
        "probe",
        "run-until",
        "question",
        "options",
        "answer",
        "explanation",
    ];
    let hs = headers(cx, body, &keys)?;
    let Target {
        lab,
        scenario,
        params,
        lab_line,
    } = target(cx, &hs, heading)?;
    let at_step = number(cx, take(cx, &hs, "at-step", heading)?, MAX_STEPS)?;
    let ph = take(cx, &hs, "probe", heading)?;
    let probe = ph.value.trim().to_string();
    let ru = take(cx, &hs, "run-until", heading)?;
    let run_until = parse_run_until(&ru.value).ok_or_else(|| {
        cx.err(
            ru.line,
            format!(
                "run-until is `step <n>` or `time <n>ms` (n up to the step limit), got '{}'",
                ru.value
            ),
        )
    })?;
    let question = inline_rich(cx, take(cx, &hs, "question", heading)?)?;
    let oh = take(cx, &hs, "options", heading)?;
    let options: Vec<String> = oh
        .value
        .split(" | ")
        .map(|o| o.trim().to_string())
        .collect();
    if options.len() < 2 || options.len() > MAX_OPTIONS {
        return Err(cx.err(
            oh.line,
            format!(
                "{} options; give 2–{MAX_OPTIONS}, separated by ' | '",
                options.len()
            ),
        ));
    }
    for (i, o) in options.iter().enumerate() {
        if o.is_empty() || o.contains('|') {
            return Err(cx.err(oh.line, format!("bad option '{o}'")));
        }
        if options[..i].contains(o) {
            return Err(cx.err(oh.line, format!("option '{o}' repeated")));
        }
    }
    let ah = take(cx, &hs, "answer", heading)?;
    if !options.contains(&ah.value) {
        return Err(cx.err(
            ah.line,
            format!("answer '{}' is not one of the options", ah.value),
        ));
    }
    let explanation = inline_rich(cx, take(cx, &hs, "explanation", heading)?)?;
    Ok(Prediction {
        lab,
        scenario,
        params,
        at_step,
        question,
        options,
        probe,
        run_until,
        answer: ah.value.clone(),
        explanation,
        source: cx.source(heading),
        lab_line,
        probe_line: ph.line,
    })
}

/// `step 3000` or `time 1500ms`.
pub fn parse_run_until(s: &str) -> Option<RunUntil> {
    if let Some(n) = s.strip_prefix("step ") {
        return n
            .trim()
            .parse()
            .ok()
            .filter(|n| *n <= MAX_STEPS)
            .map(RunUntil::Step);
    }
    let ms = s.strip_prefix("time ")?.trim().strip_suffix("ms")?;
    ms.trim()
        .parse()
        .ok()
        .filter(|t| *t <= 10_000_000)
        .map(RunUntil::TimeMs)
}

/// Parses the coverage table: `## <seed file>` sections of
/// `- <phrase> -> <id>, <id>` rows. Text before the first section is free.
pub fn parse_coverage(
    file: &'static str,
    text: &str,
) -> Result<Vec<CoverageRow>, Vec<ContentError>> {
    let cx = Ctx { file };
    let lines: Vec<Line<'_>> = text.lines().enumerate().map(|(i, l)| (i + 1, l)).collect();
    let (_, sections) = split_at(&lines, "## ");
    let mut rows = Vec::new();
    let mut errors = Vec::new();
    if sections.is_empty() {
        errors.push(cx.err(1, "no `## <seed file>` sections"));
    }
    for sec in sections {
        let (n, heading) = sec[0];
        let seed = heading[3..].trim().to_string();
        if !is_seed_name(&seed) {
            errors.push(cx.err(
                n,
                format!("'{seed}' is not a seed file name like 000_4434d18748c0fd38.txt"),
            ));
            continue;
        }
        let before = rows.len();
        for &(n, raw) in &sec[1..] {
            let line = raw.trim_end();
            if line.is_empty() {
                continue;
            }
            let Some(row) = line.strip_prefix("- ") else {
                errors.push(cx.err(n, "expected `- <phrase> -> <id>, <id>`"));
                continue;
            };
            let Some((phrase, ids)) = row.split_once(" -> ") else {
                errors.push(cx.err(
                    n,
                    "a row needs ` -> ` between the phrase and the question ids",
                ));
                continue;
            };
            let phrase = phrase.trim();
            let words = phrase.split_whitespace().count();
            if words == 0 || words > MAX_COVERAGE_WORDS {
                errors.push(cx.err(n, format!("the phrase has {words} words; use 1–{MAX_COVERAGE_WORDS} (quote briefly or paraphrase)")));
                continue;
            }
            let ids: Vec<String> = ids.split(',').map(|s| s.trim().to_string()).collect();
            if let Some(bad) = ids.iter().find(|i| !is_id(i)) {
                errors.push(cx.err(n, format!("'{bad}' is not a question id")));
                continue;
            }
            rows.push(CoverageRow {
                seed: seed.clone(),
                phrase: phrase.to_string(),
                ids,
                line: n,
            });
        }
        if rows.len() == before {
            errors.push(cx.err(n, format!("no rows for {seed}")));
        }
    }
    if errors.is_empty() {
        Ok(rows)
    } else {
        Err(errors)
    }
}

fn is_seed_name(s: &str) -> bool {
    let Some(stem) = s.strip_suffix(".txt") else {
        return false;
    };
    let Some((num, hash)) = stem.split_once('_') else {
        return false;
    };
    num.len() == 3
        && num.bytes().all(|b| b.is_ascii_digit())
        && hash.len() == 16
        && hash.bytes().all(|b| b.is_ascii_hexdigit())
}
