//! ShiViz logs in the browser: the simulation's log reader
//! ([`dsviz_sim::shiviz`]) matched with the browser's own `RegExp`, as
//! ShiViz itself does (`new RegExp(pattern, "gm")`, `exec` in a loop), so a
//! parser that works in ShiViz works here, lookbehinds and all.
//!
//! A pattern the browser refuses is an error naming the regex, never a
//! thrown exception (which would stop the page).

use dsviz_sim::shiviz::{self, Execution, LogError, LogMatcher, Match, Piece};
use js_sys::{Array, Function, JsString, Reflect, RegExp};
use wasm_bindgen::{JsCast, JsValue};

/// A parser and an optional delimiter, compiled by the browser.
pub struct JsMatcher {
    parser: RegExp,
    groups: Vec<String>,
    delimiter: Option<RegExp>,
}

/// `new RegExp(pattern, "gm")`, with the browser's complaint as the error.
fn compile(pattern: &str) -> Result<RegExp, String> {
    let ctor: Function = Reflect::get(&js_sys::global(), &JsValue::from_str("RegExp"))
        .ok()
        .and_then(|c| c.dyn_into().ok())
        .ok_or("this browser has no RegExp")?;
    let args = Array::of2(&JsValue::from_str(pattern), &JsValue::from_str("gm"));
    Reflect::construct(&ctor, &args)
        .map_err(|e| {
            e.dyn_ref::<js_sys::Error>()
                .map(|e| String::from(e.message()))
                .unwrap_or_else(|| "is not a valid regular expression".into())
        })?
        .dyn_into::<RegExp>()
        .map_err(|_| "did not compile".to_string())
}

impl JsMatcher {
    /// Compiles the regexes; the error names which one is wrong and why.
    pub fn new(parser: &str, delimiter: Option<&str>) -> Result<JsMatcher, String> {
        let groups = shiviz::named_groups(parser);
        let parser = compile(parser).map_err(|e| format!("the parser regex: {e}"))?;
        let delimiter = delimiter
            .map(compile)
            .transpose()
            .map_err(|e| format!("the delimiter regex: {e}"))?;
        Ok(JsMatcher {
            parser,
            groups,
            delimiter,
        })
    }
}

/// Every match of `re` in `text`: (start, end) in UTF-16 units and the
/// match array. An empty match moves on one unit, as `String.matchAll` does.
fn each_match(re: &RegExp, text: &JsString) -> Vec<(u32, u32, Array)> {
    re.set_last_index(0);
    let mut out = Vec::new();
    // `exec` called on the JavaScript string itself: no copy of the log per match.
    let Some(exec) = Reflect::get(re, &JsValue::from_str("exec"))
        .ok()
        .and_then(|f| f.dyn_into::<Function>().ok())
    else {
        return out;
    };
    while let Some(m) = exec
        .call1(re, text)
        .ok()
        .and_then(|m| m.dyn_into::<Array>().ok())
    {
        let start = Reflect::get(&m, &JsValue::from_str("index"))
            .ok()
            .and_then(|v| v.as_f64())
            .unwrap_or(0.0) as u32;
        let whole = m.get(0).as_string().unwrap_or_default();
        let end = start + whole.encode_utf16().count() as u32;
        if end == start {
            re.set_last_index(end + 1);
        }
        out.push((start, end, m));
        if re.last_index() > text.length() {
            break;
        }
    }
    out
}

fn group(m: &Array, name: &str) -> Option<String> {
    let groups = Reflect::get(m, &JsValue::from_str("groups")).ok()?;
    if groups.is_undefined() || groups.is_null() {
        return None;
    }
    Reflect::get(&groups, &JsValue::from_str(name))
        .ok()?
        .as_string()
}

impl LogMatcher for JsMatcher {
    fn parser_groups(&self) -> Vec<String> {
        self.groups.clone()
    }

    fn split(&self, log: &str) -> Result<Vec<Piece>, String> {
        let Some(d) = &self.delimiter else {
            return Ok(vec![Piece::Text(log.to_string())]);
        };
        let text = JsString::from(log);
        let mut pieces = Vec::new();
        let mut last = 0u32;
        for (start, end, m) in each_match(d, &text) {
            if start < last {
                continue;
            }
            pieces.push(Piece::Text(text.slice(last, start).into()));
            pieces.push(Piece::Delimiter {
                text: text.slice(start, end).into(),
                trace: group(&m, "trace"),
            });
            last = end;
        }
        pieces.push(Piece::Text(text.slice(last, text.length()).into()));
        Ok(pieces)
    }

    fn matches(&self, text: &str) -> Result<Vec<Match>, String> {
        let js = JsString::from(text);
        // Lines counted as the matches move forward: one pass over the text.
        let mut chars = text.chars();
        let (mut at, mut line) = (0u32, 1usize);
        let mut out = Vec::new();
        for (start, _, m) in each_match(&self.parser, &js) {
            while at < start {
                let Some(c) = chars.next() else { break };
                at += c.len_utf16() as u32;
                if c == '\n' {
                    line += 1;
                }
            }
            out.push(Match {
                host: group(&m, "host").unwrap_or_default(),
                clock: group(&m, "clock").unwrap_or_default(),
                event: group(&m, "event").unwrap_or_default(),
                line,
            });
        }
        Ok(out)
    }
}

/// Reads a log with the given parser and delimiter (empty: none).
pub fn read(
    log: &str,
    first_line: usize,
    parser: &str,
    delimiter: &str,
) -> Result<Vec<Execution>, LogError> {
    let delimiter = (!delimiter.trim().is_empty()).then_some(delimiter);
    let m = JsMatcher::new(parser, delimiter).map_err(|message| LogError {
        line: None,
        message,
    })?;
    shiviz::parse_from_line(log, first_line, &m)
}
