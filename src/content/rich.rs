//! Rich text: the small, safe Markdown subset the content files use.
//!
//! Blocks: paragraphs (consecutive lines, joined with a space), bullet lists
//! (`- ` or `* `), numbered lists (`1. `, numbered in sequence), and fenced
//! code blocks (```` ``` ```` with an optional language). A list item may
//! continue on following lines indented by two or more spaces.
//!
//! Inlines: `code`, *emphasis*, **strong**, `[text](target)` links, and
//! backslash escapes of ASCII punctuation (`\*`). A `*` with a space after
//! it is a literal star, so `a * b` needs no escape.
//!
//! Nothing here is HTML: `<script>` is the eight characters it looks like,
//! and the renderer emits it as a text node. Link targets are limited to
//! `https://`, `http://`, app links (`?lab=…`) and in-page anchors (`#…`).
//!
//! The parser is strict: anything it does not support (headings, tables,
//! block quotes, indented code, tabs, an unclosed `*`, `**` or backtick, an
//! unclosed fence, a list that skips a number) is an error with its line,
//! so a typo in a content file fails a test instead of rendering oddly.

/// Parsed rich text: a sequence of blocks.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Rich {
    pub blocks: Vec<Block>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Block {
    Para(Vec<Inline>),
    Bullets(Vec<Vec<Inline>>),
    /// A numbered list starting at `start`.
    Numbered {
        start: u32,
        items: Vec<Vec<Inline>>,
    },
    /// A fenced code block; `lang` is empty when the fence names none.
    Code {
        lang: String,
        text: String,
    },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Inline {
    Text(String),
    Code(String),
    Emph(Vec<Inline>),
    Strong(Vec<Inline>),
    Link { href: String, text: Vec<Inline> },
}

/// A problem in rich text, at a line of the enclosing file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RichError {
    pub line: usize,
    pub message: String,
}

/// Longest code block, in lines, and deepest nesting of inline markup:
/// content is prose, and these bounds keep a bad file from doing harm.
pub const MAX_CODE_LINES: usize = 80;
pub const MAX_INLINE_DEPTH: usize = 4;

impl Rich {
    pub fn is_empty(&self) -> bool {
        self.blocks.is_empty()
    }

    /// The text without markup, blocks separated by a blank line and list
    /// items by a newline. For search, previews and word counts.
    pub fn plain_text(&self) -> String {
        let mut out = Vec::new();
        for b in &self.blocks {
            out.push(match b {
                Block::Para(i) => plain(i),
                Block::Bullets(items) | Block::Numbered { items, .. } => items
                    .iter()
                    .map(|i| plain(i))
                    .collect::<Vec<_>>()
                    .join("\n"),
                Block::Code { text, .. } => text.clone(),
            });
        }
        out.join("\n\n")
    }

    /// A single paragraph of inlines, as header values such as captions are.
    pub fn inline(inlines: Vec<Inline>) -> Rich {
        Rich {
            blocks: if inlines.is_empty() {
                vec![]
            } else {
                vec![Block::Para(inlines)]
            },
        }
    }
}

/// The text of inlines without markup.
pub fn plain(inlines: &[Inline]) -> String {
    let mut s = String::new();
    for i in inlines {
        match i {
            Inline::Text(t) | Inline::Code(t) => s.push_str(t),
            Inline::Emph(c) | Inline::Strong(c) | Inline::Link { text: c, .. } => {
                s.push_str(&plain(c))
            }
        }
    }
    s
}

/// Parses rich text from a string; line numbers start at 1.
pub fn parse(text: &str) -> Result<Rich, RichError> {
    let lines: Vec<(usize, &str)> = text.lines().enumerate().map(|(i, l)| (i + 1, l)).collect();
    parse_lines(&lines)
}

/// Parses rich text from numbered lines (as cut from a content file).
pub fn parse_lines(lines: &[(usize, &str)]) -> Result<Rich, RichError> {
    let mut blocks = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let (n, raw) = lines[i];
        let line = raw.trim_end();
        if line.is_empty() {
            i += 1;
            continue;
        }
        check_line(n, raw)?;
        if let Some(lang) = line.strip_prefix("```") {
            let lang = lang.trim();
            if !lang
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '+')
            {
                return Err(err(
                    n,
                    format!("a code fence's language must be a plain word, not '{lang}'"),
                ));
            }
            let mut body = Vec::new();
            let mut j = i + 1;
            loop {
                let Some(&(_, l)) = lines.get(j) else {
                    return Err(err(
                        n,
                        "this code fence is never closed (a line with ``` alone)",
                    ));
                };
                if l.trim_end() == "```" {
                    break;
                }
                if l.contains('\t') {
                    return Err(err(
                        lines[j].0,
                        "tab character in a code block; indent with spaces",
                    ));
                }
                body.push(l.trim_end());
                j += 1;
            }
            if body.len() > MAX_CODE_LINES {
                return Err(err(
                    n,
                    format!(
                        "code block of {} lines; the limit is {MAX_CODE_LINES}",
                        body.len()
                    ),
                ));
            }
            if body.iter().all(|l| l.is_empty()) {
                return Err(err(n, "empty code block"));
            }
            blocks.push(Block::Code {
                lang: lang.to_string(),
                text: body.join("\n"),
            });
            i = j + 1;
            continue;
        }
        if let Some((kind, _)) = list_marker(line) {
            let (block, next) = parse_list(lines, i, kind)?;
            blocks.push(block);
            i = next;
            continue;
        }
        if line.starts_with(' ') {
            return Err(err(
                n,
                "indented text outside a list; indented code is not supported, use a ``` fence",
            ));
        }
        // A paragraph: up to a blank line, a fence or a list.
        let mut text = String::new();
        let first = n;
        while i < lines.len() {
            let (n, raw) = lines[i];
            let l = raw.trim_end();
            if l.is_empty() || l.starts_with("```") || list_marker(l).is_some() {
                break;
            }
            check_line(n, raw)?;
            if l.starts_with(' ') {
                return Err(err(
                    n,
                    "indented line inside a paragraph; only list items continue on indented lines",
                ));
            }
            if !text.is_empty() {
                text.push(' ');
            }
            text.push_str(l);
            i += 1;
        }
        blocks.push(Block::Para(parse_inlines(&text, first)?));
    }
    Ok(Rich { blocks })
}

fn err(line: usize, message: impl Into<String>) -> RichError {
    RichError {
        line,
        message: message.into(),
    }
}

/// Rejects what the subset does not support, so it is not silently mangled.
fn check_line(n: usize, raw: &str) -> Result<(), RichError> {
    let t = raw.trim_start();
    if raw.contains('\t') {
        return Err(err(n, "tab character; use spaces"));
    }
    if t.starts_with('#') {
        return Err(err(
            n,
            "headings are not allowed inside rich text (is a section heading misspelled?)",
        ));
    }
    if t.starts_with('>') {
        return Err(err(n, "block quotes are not supported"));
    }
    if t.starts_with('|') {
        return Err(err(n, "tables are not supported; use a list"));
    }
    if matches!(t.trim_end(), "-" | "*") {
        return Err(err(n, "empty list item"));
    }
    Ok(())
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum ListKind {
    Bullet,
    Number,
}

/// The kind of list a line starts, and the item's text after the marker.
fn list_marker(line: &str) -> Option<(ListKind, &str)> {
    if let Some(rest) = line.strip_prefix("- ").or_else(|| line.strip_prefix("* ")) {
        return Some((ListKind::Bullet, rest));
    }
    let digits = line.bytes().take_while(|b| b.is_ascii_digit()).count();
    if (1..=3).contains(&digits) {
        if let Some(rest) = line[digits..].strip_prefix(". ") {
            return Some((ListKind::Number, rest));
        }
    }
    None
}

fn parse_list(
    lines: &[(usize, &str)],
    mut i: usize,
    kind: ListKind,
) -> Result<(Block, usize), RichError> {
    let mut items: Vec<(usize, String)> = Vec::new();
    let mut start = 0u32;
    while i < lines.len() {
        let (n, raw) = lines[i];
        let line = raw.trim_end();
        if line.is_empty() {
            break;
        }
        check_line(n, raw)?;
        match list_marker(line) {
            Some((k, rest)) if k == kind => {
                if kind == ListKind::Number {
                    let num: u32 = line[..line.find('.').unwrap_or(0)].parse().unwrap_or(0);
                    if items.is_empty() {
                        start = num;
                    } else if num != start + items.len() as u32 {
                        return Err(err(n, format!("numbered list goes to {num}; expected {}", start + items.len() as u32)));
                    }
                }
                if rest.trim().is_empty() {
                    return Err(err(n, "empty list item"));
                }
                items.push((n, rest.trim().to_string()));
            }
            Some(_) => break,
            None if line.starts_with("  ") => {
                let Some(last) = items.last_mut() else { break };
                last.1.push(' ');
                last.1.push_str(line.trim());
            }
            None => return Err(err(n, "a line after a list item must be indented by two spaces (to continue the item) or follow a blank line")),
        }
        i += 1;
    }
    let mut parsed = Vec::with_capacity(items.len());
    for (n, text) in items {
        parsed.push(parse_inlines(&text, n)?);
    }
    let block = match kind {
        ListKind::Bullet => Block::Bullets(parsed),
        ListKind::Number => Block::Numbered {
            start,
            items: parsed,
        },
    };
    Ok((block, i))
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Stop {
    End,
    Emph,
    Strong,
    LinkText,
}

/// Parses one paragraph's (or item's) text; `line` is where it starts.
pub fn parse_inlines(text: &str, line: usize) -> Result<Vec<Inline>, RichError> {
    let chars: Vec<char> = text.chars().collect();
    let mut p = InlineParser {
        chars: &chars,
        pos: 0,
        line,
    };
    p.run(Stop::End, 0)
}

struct InlineParser<'a> {
    chars: &'a [char],
    pos: usize,
    line: usize,
}

impl InlineParser<'_> {
    fn at(&self, i: usize) -> Option<char> {
        self.chars.get(i).copied()
    }

    fn is_space(c: Option<char>) -> bool {
        c.is_none_or(char::is_whitespace)
    }

    fn run(&mut self, stop: Stop, depth: usize) -> Result<Vec<Inline>, RichError> {
        if depth > MAX_INLINE_DEPTH {
            return Err(err(self.line, "markup nested too deeply"));
        }
        let mut out: Vec<Inline> = Vec::new();
        let mut text = String::new();
        let flush = |text: &mut String, out: &mut Vec<Inline>| {
            if !text.is_empty() {
                out.push(Inline::Text(std::mem::take(text)));
            }
        };
        while let Some(c) = self.at(self.pos) {
            let prev = if self.pos == 0 {
                None
            } else {
                self.at(self.pos - 1)
            };
            match c {
                '\\' => {
                    match self.at(self.pos + 1) {
                        Some(n) if n.is_ascii_punctuation() => {
                            text.push(n);
                            self.pos += 2;
                        }
                        _ => {
                            text.push('\\');
                            self.pos += 1;
                        }
                    }
                    continue;
                }
                '`' => {
                    let start = self.pos + 1;
                    let Some(len) = self.chars[start..].iter().position(|&c| c == '`') else {
                        return Err(err(self.line, "unclosed ` (inline code)"));
                    };
                    if len == 0 {
                        return Err(err(self.line, "empty inline code ``"));
                    }
                    flush(&mut text, &mut out);
                    out.push(Inline::Code(
                        self.chars[start..start + len].iter().collect(),
                    ));
                    self.pos = start + len + 1;
                    continue;
                }
                '*' => {
                    let double = self.at(self.pos + 1) == Some('*');
                    // Closing comes first: a star right after text ends the
                    // innermost open emphasis (so `***` closes both).
                    if !Self::is_space(prev) {
                        let close = match stop {
                            Stop::Emph => Some(1),
                            Stop::Strong if double => Some(2),
                            _ => None,
                        };
                        if let Some(width) = close {
                            self.pos += width;
                            flush(&mut text, &mut out);
                            return Ok(out);
                        }
                    }
                    let width = if double { 2 } else { 1 };
                    if !Self::is_space(self.at(self.pos + width)) {
                        self.pos += width;
                        flush(&mut text, &mut out);
                        let inner =
                            self.run(if double { Stop::Strong } else { Stop::Emph }, depth + 1)?;
                        if inner.is_empty() {
                            return Err(err(self.line, "empty emphasis"));
                        }
                        out.push(if double {
                            Inline::Strong(inner)
                        } else {
                            Inline::Emph(inner)
                        });
                        continue;
                    }
                    // A star with a space after it is just a star.
                    for _ in 0..width {
                        text.push('*');
                    }
                    self.pos += width;
                    continue;
                }
                ']' if stop == Stop::LinkText => {
                    self.pos += 1;
                    flush(&mut text, &mut out);
                    return Ok(out);
                }
                '[' if self.link_ahead() => {
                    self.pos += 1;
                    flush(&mut text, &mut out);
                    let label = self.run(Stop::LinkText, depth + 1)?;
                    // link_ahead guaranteed "(" follows the closing bracket.
                    self.pos += 1;
                    let start = self.pos;
                    let Some(len) = self.chars[start..].iter().position(|&c| c == ')') else {
                        return Err(err(self.line, "unclosed ( after a link's text"));
                    };
                    let href: String = self.chars[start..start + len].iter().collect();
                    self.pos = start + len + 1;
                    check_href(&href).map_err(|m| err(self.line, m))?;
                    if label.is_empty() {
                        return Err(err(self.line, "a link needs text"));
                    }
                    out.push(Inline::Link { href, text: label });
                    continue;
                }
                _ => {
                    text.push(c);
                    self.pos += 1;
                }
            }
        }
        match stop {
            Stop::End => {
                flush(&mut text, &mut out);
                Ok(out)
            }
            Stop::Emph => Err(err(
                self.line,
                "unclosed * (emphasis); write \\* for a literal star",
            )),
            Stop::Strong => Err(err(self.line, "unclosed ** (strong)")),
            Stop::LinkText => Err(err(self.line, "unclosed [ in a link")),
        }
    }

    /// Whether the `[` at the cursor starts `[text](target)`: a matching `]`
    /// (outside inline code) directly followed by `(`.
    fn link_ahead(&self) -> bool {
        let mut depth = 0;
        let mut i = self.pos;
        let mut in_code = false;
        while let Some(c) = self.at(i) {
            match c {
                '`' => in_code = !in_code,
                '\\' if !in_code => i += 1,
                '[' if !in_code => depth += 1,
                ']' if !in_code => {
                    depth -= 1;
                    if depth == 0 {
                        return self.at(i + 1) == Some('(');
                    }
                }
                _ => {}
            }
            i += 1;
        }
        false
    }
}

/// Allowed link targets: web pages, app links and in-page anchors.
pub fn check_href(href: &str) -> Result<(), String> {
    if href.is_empty()
        || href
            .chars()
            .any(|c| c.is_whitespace() || c == '"' || c == '<' || c == '>')
    {
        return Err(format!("bad link target '{href}'"));
    }
    let ok = href.starts_with("https://")
        || href.starts_with("http://")
        || href.starts_with('?')
        || href.starts_with('#');
    if ok {
        Ok(())
    } else {
        Err(format!(
            "link target '{href}' must start with https://, http://, ? (an app link) or #"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> Inline {
        Inline::Text(s.into())
    }

    fn para(src: &str) -> Vec<Inline> {
        match parse(src).unwrap().blocks.as_slice() {
            [Block::Para(i)] => i.clone(),
            other => panic!("expected one paragraph, got {other:?}"),
        }
    }

    fn error_of(src: &str) -> RichError {
        parse(src).expect_err("expected a parse error")
    }

    #[test]
    fn content_rich_inline_markup() {
        assert_eq!(
            para("a `x < y` and *em* and **strong *both*** end"),
            vec![
                t("a "),
                Inline::Code("x < y".into()),
                t(" and "),
                Inline::Emph(vec![t("em")]),
                t(" and "),
                Inline::Strong(vec![t("strong "), Inline::Emph(vec![t("both")])]),
                t(" end"),
            ]
        );
    }

    #[test]
    fn content_rich_stars_and_escapes() {
        assert_eq!(para("2 * 3 = 6"), vec![t("2 * 3 = 6")]);
        assert_eq!(
            para("W\\*R and a\\\\b and \\q"),
            vec![t("W*R and a\\b and \\q")]
        );
        assert!(error_of("W*R is text").message.contains("unclosed *"));
        assert!(error_of("**never closed").message.contains("unclosed **"));
        assert!(error_of("see `code").message.contains("unclosed `"));
    }

    #[test]
    fn content_rich_links() {
        assert_eq!(
            para("see [the paper](https://raft.github.io/raft.pdf) or [this step](?lab=raft&sc=figure-8&step=127)."),
            vec![
                t("see "),
                Inline::Link { href: "https://raft.github.io/raft.pdf".into(), text: vec![t("the paper")] },
                t(" or "),
                Inline::Link { href: "?lab=raft&sc=figure-8&step=127".into(), text: vec![t("this step")] },
                t("."),
            ]
        );
        assert_eq!(
            para("a[i] and [x] stay text"),
            vec![t("a[i] and [x] stay text")]
        );
        for bad in [
            "[x](javascript:alert(1))",
            "[x](data:text/html,hi)",
            "[x](ftp://a)",
            "[x](a b)",
        ] {
            assert!(error_of(bad).message.contains("link target"), "{bad}");
        }
        assert!(error_of("[](https://a.b)").message.contains("needs text"));
    }

    #[test]
    fn content_rich_html_is_text() {
        let src = "<script>alert('x')</script> and <b>bold</b> &amp; <img src=x onerror=y>";
        assert_eq!(para(src), vec![t(src)]);
        let code = parse("```html\n<script>evil()</script>\n```").unwrap();
        assert_eq!(
            code.blocks,
            vec![Block::Code {
                lang: "html".into(),
                text: "<script>evil()</script>".into()
            }]
        );
    }

    #[test]
    fn content_rich_blocks() {
        let src = "First line\nsecond line.\n\n- one\n- two\n  continues\n\n3. three\n4. four\n\n```rust\nfn f() {\n    1\n}\n```\n\nEnd.";
        let r = parse(src).unwrap();
        assert_eq!(
            r.blocks,
            vec![
                Block::Para(vec![t("First line second line.")]),
                Block::Bullets(vec![vec![t("one")], vec![t("two continues")]]),
                Block::Numbered {
                    start: 3,
                    items: vec![vec![t("three")], vec![t("four")]]
                },
                Block::Code {
                    lang: "rust".into(),
                    text: "fn f() {\n    1\n}".into()
                },
                Block::Para(vec![t("End.")]),
            ]
        );
        assert_eq!(r.plain_text(), "First line second line.\n\none\ntwo continues\n\nthree\nfour\n\nfn f() {\n    1\n}\n\nEnd.");
        // A list may interrupt a paragraph.
        assert_eq!(parse("Intro:\n- a").unwrap().blocks.len(), 2);
    }

    #[test]
    fn content_rich_errors_point_at_lines() {
        let cases = [
            ("ok\n\n```\nnever closed", 3, "never closed"),
            ("ok\n\n# Heading", 3, "headings"),
            ("> quote", 1, "block quotes"),
            ("| a | b |", 1, "tables"),
            ("text\n    indented", 2, "indented line"),
            ("    code", 1, "indented text"),
            ("1. a\n3. b", 2, "expected 2"),
            ("- a\nlazy", 2, "indented by two spaces"),
            ("a\tb", 1, "tab"),
            ("```\n\n```", 1, "empty code block"),
            ("- ", 1, "empty list item"),
        ];
        for (src, line, msg) in cases {
            let e = error_of(src);
            assert_eq!(e.line, line, "{src:?}: {e:?}");
            assert!(e.message.contains(msg), "{src:?}: {e:?}");
        }
    }

    #[test]
    fn content_rich_depth_is_bounded() {
        assert!(parse("*a **b *c **d *e* d** c* b** a*").is_err());
        assert!(parse("*a **b** a*").is_ok());
    }
}
