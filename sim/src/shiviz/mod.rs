//! ShiViz logs in and out: read a log of events stamped with vector
//! clocks, infer its messages, report every clock that contradicts
//! causality, and write any run as a log ShiViz itself reads.
//!
//! # The format
//!
//! ShiViz (Beschastnikh et al., "Visualizing Distributed System
//! Executions", TOSEM 2020; the DistributedClocks/shiviz project) reads a
//! plain text log with a **parser**: a JavaScript regular expression with
//! three named groups, `host` (the process that executed the event),
//! `clock` (its vector clock, a JSON object mapping host name → counter)
//! and `event` (the description). Other named groups are extra fields and
//! are ignored here. The parser is applied with the `g` and `m` flags over
//! the whole text, match after match, so one event may span several lines;
//! ShiViz's own default parser is [`SHIVIZ_DEFAULT_PARSER`], a description
//! line followed by a `host {clock}` line.
//!
//! An optional **delimiter**, a second regex (also `m`), splits the log
//! into several executions: the text before the first delimiter is one
//! (called `""`), and the text after each delimiter another, named by the
//! delimiter's `trace` group if it has one (names must be unique). Parts
//! that are only white space are dropped; every remaining part must have
//! at least one event.
//!
//! How a clock is read: the text is JSON (ShiViz also accepts it with its
//! quotes escaped, `{\"a\":1}`, as TLA+ writes it); entries that are 0 are
//! dropped, so a missing entry means 0. Here every entry must be a whole
//! number ≥ 0, and a clock that is not a JSON object is an error naming its
//! line.
//!
//! # Messages and consistency
//!
//! ShiViz orders each host's events by the host's own entry, which must
//! count 1, 2, 3, … . Walking a host's events in that order, an event whose
//! clock **raises** another host's entry (above every earlier event of its
//! host) received something from that host: its sender is that host's
//! event with that counter. Of the senders found this way, those already
//! known to another sender are dropped (they are only reached through it),
//! so what remains are the messages, each from a send to a receive.
//!
//! ShiViz refuses a log whose clocks contradict this. Here every such
//! event is reported instead ([`Inconsistency`], with its line and a plain
//! reason) and the rest is still drawn: a host's own counter that does not
//! start at 1, skips or repeats; a clock with no entry for its own host; an
//! entry lower than on an earlier event of the same host (a clock going
//! backwards); an entry for a host with no events, or for an event the
//! host does not have (a receive whose send is missing); a receive whose
//! sender had already seen the receiving event (a cycle), or whose clock
//! lacks something its sender knew (no element-wise maximum). When none
//! is reported, every clock is exactly its host's previous clock merged
//! with its senders' clocks, own entry plus one: the clocks are a valid
//! vector-clock history and the messages are the ones they imply.
//!
//! # Matching
//!
//! The parser is a JavaScript regex, so the page matches it with the
//! browser's own `RegExp`, exactly as ShiViz does, and the command line
//! with a native engine (`native`, behind the `cli` feature, which
//! translates the JavaScript syntax and names what it cannot support).
//! Both implement [`LogMatcher`]; everything else (trimming, splitting into
//! executions, line numbers, clocks, messages, checks) is here, once.
//!
//! Differences from ShiViz, on purpose: line numbers count from the top of
//! the file, not of the trimmed execution; CRLF line ends are read as LF
//! first (a browser's text box does the same); a clock entry must be a
//! whole number; a delimiter without a `trace` group names every execution
//! `""` instead of refusing a third one.
//!
//! # Writing
//!
//! [`export`] writes events in a causal order as one `host {clock}` line
//! followed by one description line each, the format of the
//! DistributedClocks instrumentation libraries and of several of ShiViz's
//! own example logs, and returns the parser to paste into ShiViz with it
//! ([`EXPORT_PARSER`]); [`Exported::upload`] is the single file ShiViz's
//! upload button takes (parser on the first line, no delimiter on the
//! second, then the log).

use std::collections::BTreeMap;
use std::fmt;

mod draw;
#[cfg(feature = "cli")]
pub mod native;
pub use draw::{of_trace, trace_of};

// The tests match with the native engine.
#[cfg(all(test, feature = "cli"))]
mod tests;

/// Largest log read, in bytes.
pub const LOG_BYTES_MAX: usize = 16 << 20;

/// Most events in one log (all executions together).
pub const EVENTS_MAX: usize = 200_000;

/// Most hosts in one execution, and most entries in one clock.
pub const HOSTS_MAX: usize = 1_000;

/// Most executions in one log.
pub const EXECUTIONS_MAX: usize = 1_000;

/// ShiViz's default parser: a description line, then `host {clock}`.
pub const SHIVIZ_DEFAULT_PARSER: &str = r"(?<event>.*)\n(?<host>\S*) (?<clock>{.*})";

/// The parser for logs written by [`export`]: `host {clock}`, then the
/// description.
pub const EXPORT_PARSER: &str = r"(?<host>\S*) (?<clock>{.*})\n(?<event>.*)";

/// The description written for an event that has none.
pub const EMPTY_DESCRIPTION: &str = "(no description)";

/// A vector clock: host → counter, entries of 0 left out.
pub type Clock = BTreeMap<String, u64>;

// ---- matching -------------------------------------------------------------

/// One match of the parser.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Match {
    /// The `host` group (empty if it did not take part).
    pub host: String,
    /// The `clock` group, unparsed.
    pub clock: String,
    /// The `event` group.
    pub event: String,
    /// The line the match starts on, from 1, counted in the text matched.
    pub line: usize,
}

/// A piece of the log as the delimiter cuts it: the pieces, in order, put
/// together again are the whole text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Piece {
    /// Text between delimiters.
    Text(String),
    /// A match of the delimiter, with its `trace` group if it has one.
    Delimiter { text: String, trace: Option<String> },
}

/// The regex engine, kept out of the simulation: the page implements it
/// with the browser's `RegExp` (ShiViz's own semantics: `new RegExp(p,
/// "gm")`, `exec` in a loop), the command line with `native`.
pub trait LogMatcher {
    /// The parser's named groups.
    fn parser_groups(&self) -> Vec<String>;
    /// The log cut at every match of the delimiter; one `Text` piece, the
    /// whole log, when there is no delimiter.
    fn split(&self, log: &str) -> Result<Vec<Piece>, String>;
    /// Every match of the parser in `text`, in order (the `g` flag: each
    /// search starts where the last match ended).
    fn matches(&self, text: &str) -> Result<Vec<Match>, String>;
}

/// The line (from 1) of byte `at` in `text`.
pub fn line_at(text: &str, at: usize) -> usize {
    1 + text.as_bytes()[..at.min(text.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
}

/// The named groups of a JavaScript pattern, `(?<name>…)`, in order
/// (lookbehinds and escaped parentheses are not groups). For a matcher
/// whose engine does not list them.
pub fn named_groups(pattern: &str) -> Vec<String> {
    let bytes = pattern.as_bytes();
    let mut names = Vec::new();
    let (mut i, mut in_class) = (0, false);
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 1,
            b'[' => in_class = true,
            b']' => in_class = false,
            b'(' if !in_class
                && pattern[i..].starts_with("(?<")
                && !pattern[i..].starts_with("(?<=")
                && !pattern[i..].starts_with("(?<!") =>
            {
                let rest = &pattern[i + 3..];
                if let Some(end) = rest.find('>') {
                    names.push(rest[..end].to_string());
                }
            }
            _ => {}
        }
        i += 1;
    }
    names
}

/// White space as JavaScript's `trim` sees it (with the byte-order mark).
fn is_js_space(c: char) -> bool {
    c.is_whitespace() || c == '\u{feff}'
}

// ---- errors ---------------------------------------------------------------

/// Why a log could not be read, and where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogError {
    /// The line (from 1, in the file), when the problem has one.
    pub line: Option<usize>,
    pub message: String,
}

impl fmt::Display for LogError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(l) => write!(f, "line {l}: {}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

impl std::error::Error for LogError {}

fn at_line(line: usize, message: impl Into<String>) -> LogError {
    LogError {
        line: Some(line),
        message: message.into(),
    }
}

fn whole(message: impl Into<String>) -> LogError {
    LogError {
        line: None,
        message: message.into(),
    }
}

/// At most `n` characters of `s`, with an ellipsis if cut.
fn clip(s: &str, n: usize) -> String {
    match s.char_indices().nth(n) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_string(),
    }
}

// ---- the execution --------------------------------------------------------

/// One event of a log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Event {
    /// Its host, an index into [`Execution::hosts`].
    pub host: usize,
    /// Its place on its host's lane, from 0, in the order of the host's
    /// own counter (in a consistent log, `clock[host] == index + 1`).
    pub index: usize,
    pub clock: Clock,
    pub description: String,
    /// The line its match starts on, from 1, in the file.
    pub line: usize,
}

/// A message the clocks imply: `send` happened before `receive`, on
/// another host, with nothing in between. Indexes into
/// [`Execution::events`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Message {
    pub send: usize,
    pub receive: usize,
}

/// What is wrong with one event's clock.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Problem {
    /// The clock has no entry (or 0) for the event's own host.
    OwnEntryMissing,
    /// The host's own counter does not start at 1 or skips a value.
    OwnCounterSkips { expected: u64, found: u64 },
    /// Two events of the host carry the same own counter; `first_line`
    /// is the other one's.
    OwnCounterRepeats { counter: u64, first_line: usize },
    /// An entry lower than on an earlier event of the same host.
    GoesBackwards { host: String, before: u64, now: u64 },
    /// An entry for a host that has no events in the execution.
    UnknownHost { host: String },
    /// An entry counting an event its host does not have: the receive of
    /// a message whose send is missing.
    MissingSend { host: String, counter: u64 },
    /// The sender's clock already counts this event, or a later one of
    /// its host: the message is received before it is sent.
    ReceivedBeforeSent {
        from_host: String,
        from_counter: u64,
        seen: u64,
    },
    /// The sender knew `host` up to `sender_has`; this clock counts less.
    ForgetsSendersPast {
        from_host: String,
        from_counter: u64,
        host: String,
        sender_has: u64,
        event_has: u64,
    },
}

impl Problem {
    /// A short stable name, for JSON.
    pub fn kind(&self) -> &'static str {
        match self {
            Problem::OwnEntryMissing => "own-entry-missing",
            Problem::OwnCounterSkips { .. } => "own-counter-skips",
            Problem::OwnCounterRepeats { .. } => "own-counter-repeats",
            Problem::GoesBackwards { .. } => "goes-backwards",
            Problem::UnknownHost { .. } => "unknown-host",
            Problem::MissingSend { .. } => "missing-send",
            Problem::ReceivedBeforeSent { .. } => "received-before-sent",
            Problem::ForgetsSendersPast { .. } => "forgets-senders-past",
        }
    }

    /// The problem in plain English, for an event of `own`.
    pub fn explain(&self, own: &str) -> String {
        match self {
            Problem::OwnEntryMissing => format!("its clock has no entry for its own host {own}, which every event's clock must count"),
            Problem::OwnCounterSkips { expected: 1, found } => {
                format!("{own}'s own counter must start at 1, but its lowest is {found}")
            }
            Problem::OwnCounterSkips { expected, found } => {
                format!("{own}'s own counter jumps from {} to {found}: each event of a host counts one more than the one before", expected - 1)
            }
            Problem::OwnCounterRepeats { counter, first_line } => {
                format!("{own}'s own counter {counter} is also on line {first_line}: each event of a host counts one more than the one before")
            }
            Problem::GoesBackwards { host, before, now } => {
                format!("its entry for {host} is {now}, lower than the {before} an earlier event of {own} had: a clock never goes backwards")
            }
            Problem::UnknownHost { host } => format!("its clock counts host {host}, which has no events in this execution"),
            Problem::MissingSend { host, counter } => {
                format!("its clock counts {host}'s event {counter}, which the log does not have: a receive whose send is missing")
            }
            Problem::ReceivedBeforeSent { from_host, from_counter, seen } => format!(
                "it receives from {from_host}'s event {from_counter}, whose clock already counts {own}'s event {seen}: \
                 the message would be received before it was sent"
            ),
            Problem::ForgetsSendersPast { from_host, from_counter, host, sender_has, event_has } => format!(
                "it receives from {from_host}'s event {from_counter}, which had seen {host}'s event {sender_has}, but it counts {host} \
                 only to {event_has}: a receive takes the element-wise maximum"
            ),
        }
    }
}

/// An event whose clock contradicts causality.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Inconsistency {
    /// Index into [`Execution::events`].
    pub event: usize,
    pub line: usize,
    /// The event's host, by name.
    pub host: String,
    pub problem: Problem,
    /// [`Problem::explain`], for the event's host.
    pub reason: String,
}

/// One execution of a log: hosts, events, the messages their clocks imply,
/// and every event whose clock contradicts causality.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Execution {
    /// Its name: the delimiter's `trace` group, `""` without one.
    pub trace: String,
    /// The line its text starts on.
    pub line: usize,
    /// Host names, in the order they first appear.
    pub hosts: Vec<String>,
    /// Events, in the order they appear.
    pub events: Vec<Event>,
    /// Messages, by receive, then send.
    pub messages: Vec<Message>,
    /// Inconsistent clocks, by line.
    pub inconsistent: Vec<Inconsistency>,
}

impl Execution {
    /// No clock contradicts causality.
    pub fn is_consistent(&self) -> bool {
        self.inconsistent.is_empty()
    }

    /// The name of an event's host.
    pub fn host_of(&self, event: usize) -> &str {
        &self.hosts[self.events[event].host]
    }

    /// The events, in log order, ready for [`export`].
    pub fn to_export(&self) -> Vec<ExportEvent> {
        self.events
            .iter()
            .map(|e| ExportEvent {
                host: self.hosts[e.host].clone(),
                clock: e.clock.iter().map(|(h, &c)| (h.clone(), c)).collect(),
                description: e.description.clone(),
            })
            .collect()
    }
}

// ---- parsing --------------------------------------------------------------

/// Reads a log whose first line is line 1.
pub fn parse(log: &str, matcher: &dyn LogMatcher) -> Result<Vec<Execution>, LogError> {
    parse_from_line(log, 1, matcher)
}

/// Reads a log that starts on line `first_line` of its file (after an
/// upload's two header lines, say), so lines are named as in the file.
pub fn parse_from_line(
    log: &str,
    first_line: usize,
    matcher: &dyn LogMatcher,
) -> Result<Vec<Execution>, LogError> {
    if log.len() > LOG_BYTES_MAX {
        return Err(whole(format!(
            "the log is {} bytes, more than the {LOG_BYTES_MAX} this reads",
            log.len()
        )));
    }
    let groups = matcher.parser_groups();
    let missing: Vec<&str> = ["host", "clock", "event"]
        .into_iter()
        .filter(|g| !groups.iter().any(|n| n == g))
        .collect();
    if !missing.is_empty() {
        let list: Vec<String> = missing.iter().map(|g| format!("(?<{g}>…)")).collect();
        return Err(whole(format!(
            "the parser regex needs the named groups host, clock and event; it lacks {}",
            list.join(", ")
        )));
    }
    let normalized = if log.contains('\r') {
        log.replace("\r\n", "\n")
    } else {
        log.to_string()
    };
    let start = normalized.trim_start_matches(is_js_space);
    let lead_lines = line_at(&normalized, normalized.len() - start.len()) - 1;
    let text = start.trim_end_matches(is_js_space);
    if text.is_empty() {
        return Err(whole("the log is empty"));
    }
    let text_line = first_line + lead_lines;

    // The parts the delimiter separates: (name, first line, text).
    let pieces = matcher
        .split(text)
        .map_err(|e| whole(format!("the delimiter regex failed: {e}")))?;
    let mut parts: Vec<(String, usize, String)> = vec![(String::new(), text_line, String::new())];
    let mut line = text_line;
    for piece in pieces {
        match piece {
            Piece::Text(t) => {
                line += t.matches('\n').count();
                if let Some(last) = parts.last_mut() {
                    last.2.push_str(&t);
                }
            }
            Piece::Delimiter { text: d, trace } => {
                line += d.matches('\n').count();
                parts.push((trace.unwrap_or_default(), line, String::new()));
            }
        }
    }
    parts.retain(|(_, _, t)| !t.trim_matches(is_js_space).is_empty());
    if parts.len() > EXECUTIONS_MAX {
        return Err(whole(format!("the delimiter splits the log into {} executions, more than the {EXECUTIONS_MAX} this reads", parts.len())));
    }
    let several = parts.len() > 1 || parts.first().is_some_and(|p| !p.0.is_empty());
    for (i, (name, line, _)) in parts.iter().enumerate() {
        if !name.is_empty() && parts[..i].iter().any(|p| &p.0 == name) {
            return Err(at_line(
                *line,
                format!(
                    "two executions are called '{}': execution names must be unique",
                    clip(name, 60)
                ),
            ));
        }
    }
    let mut executions = Vec::new();
    let mut n_events = 0;
    for (name, line, part) in parts {
        let matches = matcher
            .matches(&part)
            .map_err(|e| at_line(line, format!("the parser regex failed: {e}")))?;
        if matches.is_empty() {
            return Err(if several {
                at_line(
                    line,
                    format!(
                        "the parser regex matches no event in execution '{}' (starting here)",
                        clip(&name, 60)
                    ),
                )
            } else {
                whole("the parser regex matches no event in the log")
            });
        }
        n_events += matches.len();
        if n_events > EVENTS_MAX {
            return Err(whole(format!(
                "the log has more than {EVENTS_MAX} events, the most this reads"
            )));
        }
        executions.push(execution(name, line, matches)?);
    }
    Ok(executions)
}

/// A clock's text as ShiViz reads it (JSON, or JSON with escaped quotes).
fn parse_clock(text: &str, line: usize) -> Result<Clock, LogError> {
    let value: serde_json::Value = match serde_json::from_str(text) {
        Ok(v) => v,
        Err(first) => serde_json::from_str(&text.replace("\\\"", "\"")).map_err(|_| {
            let shown = if text.trim().is_empty() {
                "an empty clock".to_string()
            } else {
                format!("the clock '{}'", clip(text, 60))
            };
            at_line(line, format!("{shown} is not JSON ({first})"))
        })?,
    };
    let serde_json::Value::Object(map) = value else {
        return Err(at_line(
            line,
            format!(
                "the clock '{}' must be a JSON object of host → counter",
                clip(text, 60)
            ),
        ));
    };
    if map.len() > HOSTS_MAX {
        return Err(at_line(
            line,
            format!(
                "the clock has {} entries, more than the {HOSTS_MAX} hosts this reads",
                map.len()
            ),
        ));
    }
    let mut clock = Clock::new();
    for (host, v) in map {
        let Some(n) = v.as_u64() else {
            return Err(at_line(
                line,
                format!(
                    "the clock's entry for {} must be a whole number ≥ 0, not {}",
                    clip(&host, 40),
                    clip(&v.to_string(), 40)
                ),
            ));
        };
        if n > 0 {
            clock.insert(host, n);
        }
    }
    Ok(clock)
}

/// An execution from its matches (lines relative to its text, which
/// starts on `line`).
fn execution(trace: String, line: usize, matches: Vec<Match>) -> Result<Execution, LogError> {
    let mut hosts: Vec<String> = Vec::new();
    let mut host_idx: BTreeMap<String, usize> = BTreeMap::new();
    let mut events = Vec::with_capacity(matches.len());
    for m in matches {
        let at = line + m.line.max(1) - 1;
        let clock = parse_clock(&m.clock, at)?;
        let host = match host_idx.get(&m.host) {
            Some(&h) => h,
            None => {
                if hosts.len() == HOSTS_MAX {
                    return Err(at_line(
                        at,
                        format!("more than {HOSTS_MAX} hosts, the most this reads"),
                    ));
                }
                host_idx.insert(m.host.clone(), hosts.len());
                hosts.push(m.host);
                hosts.len() - 1
            }
        };
        events.push(Event {
            host,
            index: 0,
            clock,
            description: m.event,
            line: at,
        });
    }
    let own = |e: &Event| e.clock.get(&hosts[e.host]).copied().unwrap_or(0);

    // Each host's lane, in the order of its own counter (then of the log).
    let mut lanes: Vec<Vec<usize>> = vec![Vec::new(); hosts.len()];
    for (i, e) in events.iter().enumerate() {
        lanes[e.host].push(i);
    }
    for lane in &mut lanes {
        lane.sort_by_key(|&i| own(&events[i]));
        for (k, &i) in lane.iter().enumerate() {
            events[i].index = k;
        }
    }
    let mut problems: Vec<(usize, Problem)> = Vec::new();
    let mut by_counter: BTreeMap<(usize, u64), usize> = BTreeMap::new();
    for lane in &lanes {
        let mut expected = 1;
        for &i in lane {
            let n = own(&events[i]);
            if n == 0 {
                problems.push((i, Problem::OwnEntryMissing));
                continue;
            }
            if let Some(&first) = by_counter.get(&(events[i].host, n)) {
                problems.push((
                    i,
                    Problem::OwnCounterRepeats {
                        counter: n,
                        first_line: events[first].line,
                    },
                ));
            } else {
                by_counter.insert((events[i].host, n), i);
                if n != expected {
                    problems.push((i, Problem::OwnCounterSkips { expected, found: n }));
                }
            }
            expected = n + 1;
        }
    }

    // Senders: entries raised above everything the host had seen.
    let mut messages = Vec::new();
    for (h, lane) in lanes.iter().enumerate() {
        let name = &hosts[h];
        let mut seen: BTreeMap<&str, u64> = BTreeMap::new();
        for &i in lane {
            let e = &events[i];
            for (other, &before) in &seen {
                let now = e.clock.get(*other).copied().unwrap_or(0);
                if now < before {
                    problems.push((
                        i,
                        Problem::GoesBackwards {
                            host: other.to_string(),
                            before,
                            now,
                        },
                    ));
                }
            }
            let mut senders = Vec::new();
            for (other, &t) in &e.clock {
                if other == name || t <= seen.get(other.as_str()).copied().unwrap_or(0) {
                    continue;
                }
                seen.insert(other, t);
                match host_idx.get(other) {
                    None => problems.push((
                        i,
                        Problem::UnknownHost {
                            host: other.clone(),
                        },
                    )),
                    Some(&oh) => match by_counter.get(&(oh, t)) {
                        None => problems.push((
                            i,
                            Problem::MissingSend {
                                host: other.clone(),
                                counter: t,
                            },
                        )),
                        Some(&s) => senders.push(s),
                    },
                }
            }
            // A sender another sender already knew is reached through it.
            let direct: Vec<usize> = senders
                .iter()
                .copied()
                .filter(|&s| {
                    let (s_host, s_own) = (&hosts[events[s].host], own(&events[s]));
                    !senders
                        .iter()
                        .any(|&d| d != s && events[d].clock.get(s_host) == Some(&s_own))
                })
                .collect();
            let n = own(e);
            for &s in &direct {
                messages.push(Message {
                    send: s,
                    receive: i,
                });
                let sender = &events[s];
                let (s_host, s_own) = (&hosts[sender.host], own(sender));
                let seen_own = sender.clock.get(name).copied().unwrap_or(0);
                if n > 0 && seen_own >= n {
                    problems.push((
                        i,
                        Problem::ReceivedBeforeSent {
                            from_host: s_host.clone(),
                            from_counter: s_own,
                            seen: seen_own,
                        },
                    ));
                }
                for (third, &v) in &sender.clock {
                    let has = e.clock.get(third).copied().unwrap_or(0);
                    if third != name && third != s_host && has < v {
                        problems.push((
                            i,
                            Problem::ForgetsSendersPast {
                                from_host: s_host.clone(),
                                from_counter: s_own,
                                host: third.clone(),
                                sender_has: v,
                                event_has: has,
                            },
                        ));
                    }
                }
            }
        }
    }
    messages.sort();
    // By line; for one event, in the order found.
    problems.sort_by_key(|(i, _)| events[*i].line);
    let inconsistent = problems
        .into_iter()
        .map(|(i, problem)| {
            let host = hosts[events[i].host].clone();
            Inconsistency {
                event: i,
                line: events[i].line,
                reason: problem.explain(&host),
                host,
                problem,
            }
        })
        .collect();
    Ok(Execution {
        trace,
        line,
        hosts,
        events,
        messages,
        inconsistent,
    })
}

// ---- uploads --------------------------------------------------------------

/// A file in the form ShiViz's upload button takes: the parser on the
/// first line (empty: ShiViz's default), the delimiter on the second
/// (empty: none), then the log. ShiViz anchors both regexes, `^…$`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Upload<'a> {
    pub parser: String,
    pub delimiter: Option<String>,
    pub log: &'a str,
    /// The line of the file the log starts on (3).
    pub log_line: usize,
}

/// Splits an upload file into its parser, delimiter and log; `None` if it
/// has fewer than two lines.
pub fn read_upload(file: &str) -> Option<Upload<'_>> {
    let (first, rest) = file.split_once('\n')?;
    let (second, log) = rest.split_once('\n').unwrap_or((rest, ""));
    let first = first.trim_end_matches('\r');
    let parser = if first.trim().is_empty() {
        SHIVIZ_DEFAULT_PARSER.to_string()
    } else {
        format!("^{first}$")
    };
    let second = second.trim();
    let delimiter = (!second.is_empty()).then(|| format!("^{second}$"));
    Some(Upload {
        parser,
        delimiter,
        log,
        log_line: 3,
    })
}

// ---- export ---------------------------------------------------------------

/// One event to write: its host, its vector clock (host, counter), and a
/// description.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExportEvent {
    pub host: String,
    pub clock: Vec<(String, u64)>,
    pub description: String,
}

/// A written log and the parser ShiViz reads it with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Exported {
    pub log: String,
    pub parser: &'static str,
}

impl Exported {
    /// The one file ShiViz's upload button takes: parser, an empty
    /// delimiter line, the log.
    pub fn upload(&self) -> String {
        format!("{}\n\n{}", self.parser, self.log)
    }
}

/// A description as [`export`] writes it: one line (line breaks become
/// spaces), trimmed, never empty. What [`parse`] reads back.
pub fn clean_description(text: &str) -> String {
    let one_line: String = text
        .chars()
        .map(|c| {
            if matches!(c, '\n' | '\r' | '\u{2028}' | '\u{2029}') {
                ' '
            } else {
                c
            }
        })
        .collect();
    let trimmed = one_line.trim_matches(is_js_space);
    if trimmed.is_empty() {
        EMPTY_DESCRIPTION.to_string()
    } else {
        trimmed.to_string()
    }
}

/// Writes events, given in a causal order (every send before its
/// receive), as a log ShiViz reads with [`EXPORT_PARSER`]. Entries of 0
/// are left out and the own host's entry comes first. Refuses a host name
/// the parser could not read back (empty, or with white space or control
/// characters) and a clock that names a host twice; it does not check
/// causality, which [`parse`] reports.
pub fn export(events: &[ExportEvent]) -> Result<Exported, String> {
    let mut log = String::new();
    for (i, e) in events.iter().enumerate() {
        check_host(&e.host).map_err(|m| format!("event {i}: {m}"))?;
        let mut entries: Vec<&(String, u64)> = e.clock.iter().filter(|(_, c)| *c > 0).collect();
        for (k, (h, _)) in entries.iter().enumerate() {
            if entries[..k].iter().any(|(g, _)| g == h) {
                return Err(format!("event {i}: its clock names {h} twice"));
            }
        }
        entries.sort_by_key(|(h, _)| *h != e.host);
        let body: Vec<String> = entries
            .iter()
            .map(|(h, c)| format!("{}:{c}", serde_json::Value::from(h.as_str())))
            .collect();
        log.push_str(&format!(
            "{} {{{}}}\n{}\n",
            e.host,
            body.join(", "),
            clean_description(&e.description)
        ));
    }
    Ok(Exported {
        log,
        parser: EXPORT_PARSER,
    })
}

fn check_host(host: &str) -> Result<(), String> {
    if host.is_empty() {
        return Err("a host name cannot be empty".into());
    }
    if host.chars().any(|c| is_js_space(c) || c.is_control()) {
        return Err(format!("host name '{}' has white space or control characters, which the parser cannot read back", host.escape_debug()));
    }
    Ok(())
}
