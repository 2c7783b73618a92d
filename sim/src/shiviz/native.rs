//! A [`LogMatcher`] on the `regex` crate, for the command line (the `cli`
//! feature; pages use the browser's `RegExp` instead).
//!
//! ShiViz's regexes are JavaScript's, so each is translated first
//! ([`translate`]): `.` stops at `\r`, U+2028 and U+2029 as well as `\n`;
//! `\d`, `\w` and `\b` are ASCII; a `{` or `}` that is not part of a
//! quantifier is a literal (ShiViz's own default parser writes `{.*}`);
//! `[^]` is any character and `[]` none; `\0` is NUL; `\uXXXX` and
//! `\u{…}` are code points; `^` and `$` match at every line (the `m` flag).
//! What the engine cannot do is refused with a message naming it:
//! lookahead and lookbehind, backreferences (`\1`, `\k<name>`), control
//! escapes (`\cX`) and inline flag groups. Remaining differences: `$` and
//! `^` see only `\n` as a line end (CRLF is read as LF before matching),
//! and matching is leftmost-first like JavaScript's, but never backtracks
//! exponentially.

use super::{line_at, LogMatcher, Match, Piece};
use regex::{Regex, RegexBuilder};

/// A parser and an optional delimiter, compiled.
#[derive(Clone, Debug)]
pub struct RegexMatcher {
    parser: Regex,
    delimiter: Option<Regex>,
}

impl RegexMatcher {
    /// Compiles ShiViz-style (JavaScript) regexes; the error names which
    /// one is wrong and why.
    pub fn new(parser: &str, delimiter: Option<&str>) -> Result<RegexMatcher, String> {
        let parser = compile(parser).map_err(|e| format!("the parser regex {e}"))?;
        let delimiter = delimiter
            .map(compile)
            .transpose()
            .map_err(|e| format!("the delimiter regex {e}"))?;
        Ok(RegexMatcher { parser, delimiter })
    }
}

fn compile(js: &str) -> Result<Regex, String> {
    let rust = translate(js)?;
    RegexBuilder::new(&rust)
        .multi_line(true)
        .size_limit(32 << 20)
        .build()
        .map_err(|e| {
            let detail = match &e {
                regex::Error::Syntax(s) => s
                    .lines()
                    .last()
                    .unwrap_or("")
                    .trim()
                    .trim_start_matches("error: ")
                    .to_string(),
                other => other.to_string(),
            };
            format!("is not valid: {detail}")
        })
}

impl LogMatcher for RegexMatcher {
    fn parser_groups(&self) -> Vec<String> {
        self.parser
            .capture_names()
            .flatten()
            .map(str::to_string)
            .collect()
    }

    fn split(&self, log: &str) -> Result<Vec<Piece>, String> {
        let Some(d) = &self.delimiter else {
            return Ok(vec![Piece::Text(log.to_string())]);
        };
        let mut pieces = Vec::new();
        let mut last = 0;
        for caps in d.captures_iter(log) {
            let m = caps.get(0).expect("group 0 is the match");
            pieces.push(Piece::Text(log[last..m.start()].to_string()));
            pieces.push(Piece::Delimiter {
                text: m.as_str().to_string(),
                trace: caps.name("trace").map(|t| t.as_str().to_string()),
            });
            last = m.end();
        }
        pieces.push(Piece::Text(log[last..].to_string()));
        Ok(pieces)
    }

    fn matches(&self, text: &str) -> Result<Vec<Match>, String> {
        let group = |caps: &regex::Captures, name: &str| {
            caps.name(name)
                .map_or(String::new(), |m| m.as_str().to_string())
        };
        // Lines counted incrementally: one pass over the text.
        let (mut line, mut counted) = (1, 0);
        let mut out = Vec::new();
        for caps in self.parser.captures_iter(text) {
            let start = caps.get(0).expect("group 0 is the match").start();
            line += line_at(&text[counted..start], start - counted) - 1;
            counted = start;
            out.push(Match {
                host: group(&caps, "host"),
                clock: group(&caps, "clock"),
                event: group(&caps, "event"),
                line,
            });
        }
        Ok(out)
    }
}

/// A JavaScript regex (no flags) as the `regex` crate writes it, or why
/// it cannot be.
pub fn translate(js: &str) -> Result<String, String> {
    let chars: Vec<char> = js.chars().collect();
    let unsupported = |what: &str, at: usize| {
        Err(format!(
            "uses {what} (at character {}), which the command line's regex engine does not support",
            at + 1
        ))
    };
    let mut out = String::with_capacity(js.len() + 16);
    let mut in_class = false;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            '\\' => {
                let Some(&n) = chars.get(i + 1) else {
                    return Err("ends with a lone backslash".into());
                };
                i += 1;
                match n {
                    'd' if in_class => out.push_str("0-9"),
                    'w' if in_class => out.push_str("0-9A-Za-z_"),
                    'D' if in_class => out.push_str("[^0-9]"),
                    'W' if in_class => out.push_str("[^0-9A-Za-z_]"),
                    'b' if in_class => out.push_str(r"\x08"),
                    'd' => out.push_str("[0-9]"),
                    'D' => out.push_str("[^0-9]"),
                    'w' => out.push_str("[0-9A-Za-z_]"),
                    'W' => out.push_str("[^0-9A-Za-z_]"),
                    'b' => out.push_str(r"(?-u:\b)"),
                    'B' => out.push_str(r"(?-u:\B)"),
                    '0' if !chars.get(i + 1).is_some_and(char::is_ascii_digit) => {
                        out.push_str(r"\x00")
                    }
                    '0'..='9' => return unsupported("a backreference or octal escape", i - 1),
                    'k' if chars.get(i + 1) == Some(&'<') => {
                        return unsupported("a named backreference \\k<…>", i - 1)
                    }
                    'c' => return unsupported("a control escape \\c", i - 1),
                    'u' => {
                        // \uXXXX or \u{X…}; otherwise JavaScript reads a plain 'u'.
                        let hex4: String = chars.iter().skip(i + 1).take(4).collect();
                        if hex4.len() == 4 && hex4.chars().all(|h| h.is_ascii_hexdigit()) {
                            out.push_str(&format!(r"\x{{{hex4}}}"));
                            i += 4;
                        } else if chars.get(i + 1) == Some(&'{') {
                            let close = chars[i + 1..]
                                .iter()
                                .position(|&h| h == '}')
                                .map(|p| p + i + 1);
                            let body: String = close
                                .map(|e| chars[i + 2..e].iter().collect())
                                .unwrap_or_default();
                            if body.is_empty() || !body.chars().all(|h| h.is_ascii_hexdigit()) {
                                return Err(format!(
                                    "has a bad \\u{{…}} escape at character {}",
                                    i
                                ));
                            }
                            out.push_str(&format!(r"\x{{{body}}}"));
                            i = close.unwrap_or(i);
                        } else {
                            out.push('u');
                        }
                    }
                    'x' if chars.get(i + 1).is_some_and(char::is_ascii_hexdigit)
                        && chars.get(i + 2).is_some_and(char::is_ascii_hexdigit) =>
                    {
                        out.push_str(r"\x");
                    }
                    'x' => out.push('x'),
                    // Escapes both engines read alike.
                    'n' | 'r' | 't' | 'f' | 'v' | 's' | 'S' => {
                        out.push('\\');
                        out.push(n);
                    }
                    // Any other escaped character is itself in JavaScript.
                    other => push_literal(&mut out, other),
                }
            }
            '[' if in_class => out.push_str(r"\["),
            '[' => {
                let negated = chars.get(i + 1) == Some(&'^');
                let next = i + 1 + usize::from(negated);
                if chars.get(next) == Some(&']') {
                    // JavaScript's `[]` matches nothing and `[^]` anything.
                    out.push_str(if negated { r"[\s\S]" } else { r"[^\s\S]" });
                    i = next;
                } else {
                    in_class = true;
                    out.push_str(if negated { "[^" } else { "[" });
                    i = next - 1;
                }
            }
            ']' if in_class => {
                in_class = false;
                out.push(']');
            }
            '&' | '~' | '-' if in_class && chars.get(i + 1) == Some(&c) => {
                // Set operations in the regex crate, literals in JavaScript.
                out.push('\\');
                out.push(c);
            }
            _ if in_class => out.push(c),
            ']' => out.push_str(r"\]"),
            '(' if chars.get(i + 1) == Some(&'?') => {
                let rest: String = chars[i + 2..].iter().take(2).collect();
                if rest.starts_with('=') || rest.starts_with('!') {
                    return unsupported("a lookahead (?= or (?!", i);
                }
                if rest.starts_with("<=") || rest.starts_with("<!") {
                    return unsupported("a lookbehind (?<= or (?<!", i);
                }
                if !rest.starts_with('<') && !rest.starts_with(':') {
                    return unsupported("an inline flag group (?…)", i);
                }
                out.push_str("(?");
                i += 1;
            }
            '.' => out.push_str(r"[^\n\r\x{2028}\x{2029}]"),
            '{' => match quantifier(&chars[i..]) {
                Some(len) => {
                    out.extend(&chars[i..i + len]);
                    i += len - 1;
                }
                None => out.push_str(r"\{"),
            },
            '}' => out.push_str(r"\}"),
            _ => out.push(c),
        }
        i += 1;
    }
    if in_class {
        return Err("has a character class [ that is never closed".into());
    }
    Ok(out)
}

/// The length of a `{n}`, `{n,}` or `{n,m}` quantifier at the start.
fn quantifier(chars: &[char]) -> Option<usize> {
    let mut i = 1;
    let digits = |i: &mut usize| {
        let from = *i;
        while chars.get(*i).is_some_and(char::is_ascii_digit) {
            *i += 1;
        }
        *i > from
    };
    if !digits(&mut i) {
        return None;
    }
    if chars.get(i) == Some(&',') {
        i += 1;
        digits(&mut i);
    }
    (chars.get(i) == Some(&'}')).then_some(i + 1)
}

/// A character JavaScript reads as itself after a backslash.
fn push_literal(out: &mut String, c: char) {
    if c.is_ascii_punctuation() {
        out.push('\\');
    }
    out.push(c);
}
