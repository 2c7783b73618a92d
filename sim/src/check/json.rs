//! Reading and writing histories as JSON. The format is documented in the
//! module doc of `check`.
//!
//! Reading streams through the text once with serde: known fields become
//! small tagged values, everything else is skipped without being stored, so
//! memory stays proportional to the operations, not to what surrounds
//! them. Validation then runs per operation, so every error can name the
//! operation and the line it starts on.

use super::{History, MAX_OPS};
use crate::history::{Op, OpKind, Value};
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

/// Largest input accepted.
pub const INPUT_BYTES_MAX: usize = 64 << 20;

/// Longest string value, in characters.
pub const VALUE_CHARS_MAX: usize = 1_000;

/// Largest time in a file with fractional times (before scaling).
pub const SCALED_TIME_MAX: u64 = 18_000_000_000_000;

const SCALE: u64 = 1_000_000;

/// What is wrong with an input, and where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImportError {
    /// The operation (from 0, in file order), if the error is in one.
    pub op: Option<usize>,
    /// The line the operation starts on (from 1).
    pub line: Option<usize>,
    pub message: String,
}

impl fmt::Display for ImportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.op, self.line) {
            (Some(i), Some(l)) => write!(f, "operation {i} (line {l}): {}", self.message),
            (Some(i), None) => write!(f, "operation {i}: {}", self.message),
            _ => f.write_str(&self.message),
        }
    }
}

impl std::error::Error for ImportError {}

fn whole(message: impl Into<String>) -> ImportError {
    ImportError {
        op: None,
        line: None,
        message: message.into(),
    }
}

/// Reads a history from bytes (UTF-8 JSON).
pub fn from_slice(bytes: &[u8]) -> Result<History, ImportError> {
    if bytes.len() > INPUT_BYTES_MAX {
        return Err(too_big(bytes.len()));
    }
    let text = std::str::from_utf8(bytes)
        .map_err(|e| whole(format!("the input is not UTF-8 (byte {})", e.valid_up_to())))?;
    from_json(text)
}

fn too_big(n: usize) -> ImportError {
    whole(format!(
        "the input is {n} bytes; the limit is {INPUT_BYTES_MAX} bytes (64 MiB)"
    ))
}

/// Reads a history from JSON text.
pub fn from_json(text: &str) -> Result<History, ImportError> {
    if text.len() > INPUT_BYTES_MAX {
        return Err(too_big(text.len()));
    }
    let mut de = serde_json::Deserializer::from_str(text);
    let top = TopSeed
        .deserialize(&mut de)
        .and_then(|t| de.end().map(|_| t))
        .map_err(|e| {
            let what = match e.classify() {
                serde_json::error::Category::Eof => "the input ends early",
                _ => "not valid JSON",
            };
            whole(format!("{what}: {e}"))
        })?;
    let elems = match top {
        Top::NotArray(kind) => {
            return Err(whole(format!(
                "a history must be a JSON array of operations, not {kind}"
            )))
        }
        Top::Array { total, .. } if total > MAX_OPS => {
            return Err(whole(format!(
                "the history has {total} operations; the limit is {MAX_OPS}"
            )))
        }
        Top::Array { elems, .. } => elems,
    };
    let lines = element_lines(text);
    let mut parsed: Vec<Parsed> = Vec::with_capacity(elems.len());
    for (i, e) in elems.into_iter().enumerate() {
        let at = |message: String| ImportError {
            op: Some(i),
            line: lines.get(i).copied(),
            message,
        };
        parsed.push(parse_op(e).map_err(at)?);
    }
    // Times: kept as they are, or all scaled if any has a fraction.
    let scale = parsed
        .iter()
        .any(|p| p.invoke.fractional() || p.response.is_some_and(|r| r.fractional()));
    let mut ops_times: Vec<(u64, Option<u64>)> = Vec::with_capacity(parsed.len());
    for (i, p) in parsed.iter().enumerate() {
        let at = |message: String| ImportError {
            op: Some(i),
            line: lines.get(i).copied(),
            message,
        };
        let invoke = p
            .invoke
            .to_u64(scale)
            .map_err(|m| at(format!("'invoke' {m}")))?;
        let response = match p.response {
            Some(r) => Some(r.to_u64(scale).map_err(|m| at(format!("'response' {m}")))?),
            None => None,
        };
        if let Some(r) = response {
            if r < invoke {
                return Err(at(format!(
                    "'response' ({}) is before 'invoke' ({})",
                    p.response.map_or(String::new(), |t| t.to_string()),
                    p.invoke
                )));
            }
        }
        ops_times.push((invoke, response));
    }
    // Strings become numbers no integer in the file uses.
    let ints: BTreeSet<Value> = parsed
        .iter()
        .flat_map(|p| [&p.value, &p.expected])
        .filter_map(|v| match v {
            Some(Val::Int(n)) => Some(*n),
            _ => None,
        })
        .collect();
    let mut interned: BTreeMap<String, Value> = BTreeMap::new();
    let mut names: BTreeMap<Value, String> = BTreeMap::new();
    let mut next_id: Value = 0;
    let mut intern = |v: &Option<Val>| -> Option<Value> {
        match v {
            None => None,
            Some(Val::Int(n)) => Some(*n),
            Some(Val::Str(s)) => Some(*interned.entry(s.clone()).or_insert_with(|| {
                while ints.contains(&next_id) {
                    next_id += 1;
                }
                names.insert(next_id, s.clone());
                next_id += 1;
                next_id - 1
            })),
        }
    };
    let mut ops = Vec::with_capacity(parsed.len());
    for (p, (invoke, response)) in parsed.iter().zip(ops_times) {
        let value = intern(&p.value);
        let expected = intern(&p.expected);
        ops.push(Op {
            client: p.client,
            kind: p.kind,
            value,
            expected,
            ok: p.ok,
            invoke,
            response,
        });
    }
    Ok(History { ops, names })
}

/// Writes a history in the same format, one operation per line.
pub fn to_json(h: &History) -> String {
    let val = |v: Option<Value>| -> String {
        match v {
            None => "null".into(),
            Some(v) => match h.names.get(&v) {
                Some(s) => serde_json::to_string(s).unwrap_or_else(|_| "null".into()),
                None => v.to_string(),
            },
        }
    };
    let mut out = String::from("[");
    for (i, op) in h.ops.iter().enumerate() {
        out.push_str(if i == 0 { "\n" } else { ",\n" });
        let kind = match op.kind {
            OpKind::Read => "read",
            OpKind::Write => "write",
            OpKind::Cas => "cas",
        };
        out.push_str(&format!(
            "{{\"client\":{},\"op\":\"{kind}\",\"value\":{}",
            op.client,
            val(op.value)
        ));
        if op.kind == OpKind::Cas {
            out.push_str(&format!(",\"expected\":{}", val(op.expected)));
        }
        let response = op.response.map_or("null".into(), |r| r.to_string());
        out.push_str(&format!(
            ",\"ok\":{},\"invoke\":{},\"response\":{response}}}",
            op.ok, op.invoke
        ));
    }
    out.push_str(if h.ops.is_empty() { "]\n" } else { "\n]\n" });
    out
}

// ---- validation -------------------------------------------------------------

enum Val {
    Int(Value),
    Str(String),
}

#[derive(Clone, Copy)]
enum Time {
    Int(u64),
    Frac(f64),
}

impl Time {
    fn fractional(self) -> bool {
        matches!(self, Time::Frac(f) if f.fract() != 0.0)
    }

    fn to_u64(self, scale: bool) -> Result<u64, String> {
        match (self, scale) {
            (Time::Int(n), false) => Ok(n),
            (Time::Frac(f), false) => {
                // A whole number: 2^64 is the first value that does not fit.
                if f < 18_446_744_073_709_551_616.0 {
                    Ok(f as u64)
                } else {
                    Err(format!("{f} is too large (at most 18446744073709551615)"))
                }
            }
            (Time::Int(n), true) if n <= SCALED_TIME_MAX => Ok(n * SCALE),
            (Time::Frac(f), true) if f <= SCALED_TIME_MAX as f64 => Ok((f * SCALE as f64).round() as u64),
            (t, true) => Err(format!(
                "{t} is too large: with fractional times in the file, every time is scaled to millionths and must be at most {SCALED_TIME_MAX}"
            )),
        }
    }
}

impl fmt::Display for Time {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Time::Int(n) => write!(f, "{n}"),
            Time::Frac(x) => write!(f, "{x}"),
        }
    }
}

struct Parsed {
    client: u32,
    kind: OpKind,
    value: Option<Val>,
    expected: Option<Val>,
    ok: bool,
    invoke: Time,
    response: Option<Time>,
}

fn parse_op(e: Elem) -> Result<Parsed, String> {
    let raw = match e {
        Elem::Not(kind) => return Err(format!("an operation must be a JSON object, not {kind}")),
        Elem::Obj(raw) => raw,
    };
    if let Some(name) = raw.dup {
        return Err(format!("'{name}' is given twice"));
    }
    let client = match raw.client {
        None => return Err("'client' is missing".into()),
        Some(Raw::U64(c)) if c <= u32::MAX as u64 => c as u32,
        Some(_) => return Err("'client' must be a whole number from 0 to 4294967295".into()),
    };
    let kind = match raw.op {
        None => return Err("'op' is missing".into()),
        Some(Raw::Str(s)) if s == "read" => OpKind::Read,
        Some(Raw::Str(s)) if s == "write" => OpKind::Write,
        Some(Raw::Str(s)) if s == "cas" => OpKind::Cas,
        Some(_) => return Err("'op' must be read, write or cas".into()),
    };
    let value = parse_value("value", raw.value)?;
    let expected = match kind {
        OpKind::Cas => match raw.expected {
            None => return Err("a cas needs 'expected' (null for the empty register)".into()),
            e => parse_value("expected", e)?,
        },
        _ => None,
    };
    match kind {
        OpKind::Write if value.is_none() => {
            return Err("a write needs a 'value' other than null".into())
        }
        OpKind::Cas if value.is_none() => {
            return Err("a cas needs a 'value' other than null".into())
        }
        _ => {}
    }
    let ok = match raw.ok {
        None => true,
        Some(Raw::Bool(b)) => b,
        Some(_) => return Err("'ok' must be true or false".into()),
    };
    let invoke = match raw.invoke {
        None => return Err("'invoke' is missing".into()),
        Some(r) => time("invoke", r)?,
    };
    let response = match raw.response {
        None | Some(Raw::Null) => None,
        Some(r) => Some(time("response", r)?),
    };
    Ok(Parsed {
        client,
        kind,
        value,
        expected,
        ok,
        invoke,
        response,
    })
}

fn parse_value(name: &str, raw: Option<Raw>) -> Result<Option<Val>, String> {
    match raw {
        None | Some(Raw::Null) => Ok(None),
        Some(Raw::U64(n)) => match i64::try_from(n) {
            Ok(n) => Ok(Some(Val::Int(n))),
            Err(_) => Err(format!("'{name}' {n} is outside the 64-bit integer range")),
        },
        Some(Raw::I64(n)) => Ok(Some(Val::Int(n))),
        Some(Raw::Str(s)) if s.chars().count() <= VALUE_CHARS_MAX => Ok(Some(Val::Str(s))),
        Some(Raw::Str(_)) => Err(format!(
            "'{name}' is a string longer than {VALUE_CHARS_MAX} characters"
        )),
        Some(Raw::F64(f)) => Err(format!("'{name}' must be an integer or a string, not {f}")),
        Some(other) => Err(format!(
            "'{name}' must be an integer, a string or null, not {}",
            other.kind()
        )),
    }
}

fn time(name: &str, raw: Raw) -> Result<Time, String> {
    match raw {
        Raw::U64(n) => Ok(Time::Int(n)),
        Raw::F64(f) if f.is_finite() && f >= 0.0 => Ok(Time::Frac(f)),
        Raw::I64(n) => Err(format!("'{name}' must be a number ≥ 0, not {n}")),
        Raw::F64(f) => Err(format!("'{name}' must be a number ≥ 0, not {f}")),
        other => Err(format!(
            "'{name}' must be a number ≥ 0, not {}",
            other.kind()
        )),
    }
}

// ---- where each operation starts ----------------------------------------------

/// The line (from 1) on which each element of the top-level array starts.
/// Only meaningful for the elements before any syntax error.
fn element_lines(text: &str) -> Vec<usize> {
    let mut lines = Vec::new();
    let mut line = 1;
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    let mut expect_element = false;
    for b in text.bytes() {
        if b == b'\n' {
            line += 1;
        }
        if in_string {
            if escaped {
                escaped = false;
            } else if b == b'\\' {
                escaped = true;
            } else if b == b'"' {
                in_string = false;
            }
            continue;
        }
        if expect_element && !b.is_ascii_whitespace() && b != b']' {
            lines.push(line);
            expect_element = false;
        }
        match b {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth += 1;
                if depth == 1 && b == b'[' {
                    expect_element = true;
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            b',' if depth == 1 => expect_element = true,
            _ => {}
        }
    }
    lines
}

// ---- streaming deserialisation ---------------------------------------------------

/// A known field's value, as JSON gave it. Arrays and objects are skipped.
enum Raw {
    Null,
    Bool(bool),
    U64(u64),
    I64(i64),
    F64(f64),
    Str(String),
    Array,
    Object,
}

impl Raw {
    fn kind(&self) -> &'static str {
        match self {
            Raw::Null => "null",
            Raw::Bool(_) => "a boolean",
            Raw::U64(_) | Raw::I64(_) | Raw::F64(_) => "a number",
            Raw::Str(_) => "a string",
            Raw::Array => "an array",
            Raw::Object => "an object",
        }
    }
}

struct RawVisitor;

impl<'de> Visitor<'de> for RawVisitor {
    type Value = Raw;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_unit<E>(self) -> Result<Raw, E> {
        Ok(Raw::Null)
    }
    fn visit_bool<E>(self, b: bool) -> Result<Raw, E> {
        Ok(Raw::Bool(b))
    }
    fn visit_u64<E>(self, n: u64) -> Result<Raw, E> {
        Ok(Raw::U64(n))
    }
    fn visit_i64<E>(self, n: i64) -> Result<Raw, E> {
        Ok(if n >= 0 {
            Raw::U64(n as u64)
        } else {
            Raw::I64(n)
        })
    }
    fn visit_f64<E>(self, f: f64) -> Result<Raw, E> {
        Ok(Raw::F64(f))
    }
    fn visit_str<E>(self, s: &str) -> Result<Raw, E> {
        Ok(Raw::Str(s.to_string()))
    }
    fn visit_string<E>(self, s: String) -> Result<Raw, E> {
        Ok(Raw::Str(s))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Raw, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Raw::Array)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Raw, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(Raw::Object)
    }
}

impl<'de> de::Deserialize<'de> for Raw {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Raw, D::Error> {
        d.deserialize_any(RawVisitor)
    }
}

#[derive(Default)]
struct RawOp {
    client: Option<Raw>,
    op: Option<Raw>,
    value: Option<Raw>,
    expected: Option<Raw>,
    ok: Option<Raw>,
    invoke: Option<Raw>,
    response: Option<Raw>,
    /// The first known field given twice.
    dup: Option<&'static str>,
}

enum Elem {
    Obj(RawOp),
    /// Not an object: what it is.
    Not(&'static str),
}

enum Key {
    Known(&'static str),
    Other,
}

struct KeyVisitor;

impl<'de> Visitor<'de> for KeyVisitor {
    type Value = Key;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a field name")
    }
    fn visit_str<E>(self, s: &str) -> Result<Key, E> {
        Ok(match s {
            "client" => Key::Known("client"),
            "op" => Key::Known("op"),
            "value" => Key::Known("value"),
            "expected" => Key::Known("expected"),
            "ok" => Key::Known("ok"),
            "invoke" => Key::Known("invoke"),
            "response" => Key::Known("response"),
            _ => Key::Other,
        })
    }
}

impl<'de> de::Deserialize<'de> for Key {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Key, D::Error> {
        d.deserialize_str(KeyVisitor)
    }
}

struct ElemVisitor;

impl<'de> Visitor<'de> for ElemVisitor {
    type Value = Elem;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an operation")
    }
    fn visit_unit<E>(self) -> Result<Elem, E> {
        Ok(Elem::Not("null"))
    }
    fn visit_bool<E>(self, _: bool) -> Result<Elem, E> {
        Ok(Elem::Not("a boolean"))
    }
    fn visit_u64<E>(self, _: u64) -> Result<Elem, E> {
        Ok(Elem::Not("a number"))
    }
    fn visit_i64<E>(self, _: i64) -> Result<Elem, E> {
        Ok(Elem::Not("a number"))
    }
    fn visit_f64<E>(self, _: f64) -> Result<Elem, E> {
        Ok(Elem::Not("a number"))
    }
    fn visit_str<E>(self, _: &str) -> Result<Elem, E> {
        Ok(Elem::Not("a string"))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Elem, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Elem::Not("an array"))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Elem, A::Error> {
        let mut op = RawOp::default();
        while let Some(key) = map.next_key::<Key>()? {
            let Key::Known(name) = key else {
                map.next_value::<IgnoredAny>()?;
                continue;
            };
            let raw: Raw = map.next_value()?;
            let slot = match name {
                "client" => &mut op.client,
                "op" => &mut op.op,
                "value" => &mut op.value,
                "expected" => &mut op.expected,
                "ok" => &mut op.ok,
                "invoke" => &mut op.invoke,
                _ => &mut op.response,
            };
            if slot.replace(raw).is_some() && op.dup.is_none() {
                op.dup = Some(name);
            }
        }
        Ok(Elem::Obj(op))
    }
}

impl<'de> de::Deserialize<'de> for Elem {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Elem, D::Error> {
        d.deserialize_any(ElemVisitor)
    }
}

enum Top {
    NotArray(&'static str),
    /// The first [`MAX_OPS`] elements, and how many there were.
    Array {
        elems: Vec<Elem>,
        total: usize,
    },
}

struct TopSeed;

impl<'de> DeserializeSeed<'de> for TopSeed {
    type Value = Top;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Top, D::Error> {
        d.deserialize_any(TopVisitor)
    }
}

struct TopVisitor;

impl<'de> Visitor<'de> for TopVisitor {
    type Value = Top;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON array of operations")
    }
    fn visit_unit<E>(self) -> Result<Top, E> {
        Ok(Top::NotArray("null"))
    }
    fn visit_bool<E>(self, _: bool) -> Result<Top, E> {
        Ok(Top::NotArray("a boolean"))
    }
    fn visit_u64<E>(self, _: u64) -> Result<Top, E> {
        Ok(Top::NotArray("a number"))
    }
    fn visit_i64<E>(self, _: i64) -> Result<Top, E> {
        Ok(Top::NotArray("a number"))
    }
    fn visit_f64<E>(self, _: f64) -> Result<Top, E> {
        Ok(Top::NotArray("a number"))
    }
    fn visit_str<E>(self, _: &str) -> Result<Top, E> {
        Ok(Top::NotArray("a string"))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Top, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(Top::NotArray("an object"))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Top, A::Error> {
        let mut elems = Vec::new();
        let mut total = 0usize;
        loop {
            if total < MAX_OPS {
                match seq.next_element::<Elem>()? {
                    Some(e) => elems.push(e),
                    None => break,
                }
            } else if seq.next_element::<IgnoredAny>()?.is_none() {
                break;
            }
            total += 1;
        }
        Ok(Top::Array { elems, total })
    }
}
