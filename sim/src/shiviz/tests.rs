//! ShiViz logs: exact parses of small logs in the formats ShiViz's own
//! examples use, message inference, every inconsistency with its line,
//! executions split by a delimiter, errors that name lines, the
//! JavaScript → native regex translation, export, and round trips over
//! random causal executions, clean and with one clock corrupted.
//!
//! The tests match with the native engine, so they need the `cli` feature
//! (on by default).

use super::native::{translate, RegexMatcher};
use super::*;
use crate::kernel::rng::SimRng;

fn read_with(log: &str, parser: &str, delimiter: Option<&str>) -> Result<Vec<Execution>, LogError> {
    let m = RegexMatcher::new(parser, delimiter).expect("the regexes compile");
    parse(log, &m)
}

/// The one execution of a log.
fn read(log: &str, parser: &str) -> Execution {
    let mut xs = read_with(log, parser, None).unwrap_or_else(|e| panic!("{e}\n{log}"));
    assert_eq!(xs.len(), 1);
    xs.remove(0)
}

fn clock(entries: &[(&str, u64)]) -> Clock {
    entries.iter().map(|(h, c)| (h.to_string(), *c)).collect()
}

/// (send, receive) pairs.
fn messages(x: &Execution) -> Vec<(usize, usize)> {
    x.messages.iter().map(|m| (m.send, m.receive)).collect()
}

/// (line, kind) of every inconsistency.
fn problems(x: &Execution) -> Vec<(usize, &'static str)> {
    x.inconsistent
        .iter()
        .map(|i| (i.line, i.problem.kind()))
        .collect()
}

// ---- parsing ----------------------------------------------------------------

/// ShiViz's default format: a description line, then `host {clock}`.
const PING_PONG: &str = r#"starting up
alpha {"alpha":1}
ping to beta
alpha {"alpha":2}
got ping
beta {"alpha":2, "beta":1}
pong to alpha
beta {"alpha":2, "beta":2}
got pong
alpha {"alpha":3, "beta":2}
"#;

#[test]
fn the_default_format_is_read_exactly() {
    let x = read(PING_PONG, SHIVIZ_DEFAULT_PARSER);
    assert_eq!(x.trace, "");
    assert_eq!(x.line, 1);
    assert_eq!(x.hosts, ["alpha", "beta"]);
    let want = [
        (0, 0, clock(&[("alpha", 1)]), "starting up", 1),
        (0, 1, clock(&[("alpha", 2)]), "ping to beta", 3),
        (1, 0, clock(&[("alpha", 2), ("beta", 1)]), "got ping", 5),
        (
            1,
            1,
            clock(&[("alpha", 2), ("beta", 2)]),
            "pong to alpha",
            7,
        ),
        (0, 2, clock(&[("alpha", 3), ("beta", 2)]), "got pong", 9),
    ];
    let got: Vec<_> = x
        .events
        .iter()
        .map(|e| {
            (
                e.host,
                e.index,
                e.clock.clone(),
                e.description.as_str(),
                e.line,
            )
        })
        .collect();
    assert_eq!(got, want);
    assert_eq!(messages(&x), [(1, 2), (3, 4)]);
    assert!(x.is_consistent(), "{:?}", x.inconsistent);
    assert_eq!(x.host_of(3), "beta");
}

#[test]
fn host_first_logs_and_extra_fields_are_read() {
    // The instrumentation libraries' form (host line first), and a
    // one-line form with a date field, as in ShiViz's example logs.
    let host_first = "n1 {\"n1\":1}\nInitialization complete\nn1 {\"n1\":2}\nSending request\nn2 {\"n2\":1, \"n1\":2}\nReceived request\n";
    let x = read(host_first, EXPORT_PARSER);
    assert_eq!(x.hosts, ["n1", "n2"]);
    assert_eq!(
        x.events
            .iter()
            .map(|e| (e.description.as_str(), e.line))
            .collect::<Vec<_>>(),
        [
            ("Initialization complete", 1),
            ("Sending request", 3),
            ("Received request", 5)
        ]
    );
    assert_eq!(messages(&x), [(1, 2)]);

    let one_line = r#"[INFO] [10:00:01.5] [node/a] {"a" : 1} Broadcasting m1
[INFO] [10:00:01.6] [node/b] {"a" : 1, "b" : 1} Received m1 from a
noise that is not an event
[INFO] [10:00:01.7] [node/c] {"a" : 1, "b" : 1, "c" : 1} Received m1 from b
"#;
    let parser = r"\[\w+\] \[(?<date>[^\]]+)\] \[node/(?<host>\w+)\] (?<clock>\{.*\}) (?<event>.*)";
    let x = read(one_line, parser);
    assert_eq!(x.hosts, ["a", "b", "c"]);
    assert_eq!(x.events[2].line, 4);
    assert_eq!(x.events[2].description, "Received m1 from b");
    // c's clock raises a and b, but b's event already knew a's: one message, from b.
    assert_eq!(messages(&x), [(0, 1), (1, 2)]);
    assert!(x.is_consistent());
}

#[test]
fn a_message_is_inferred_only_where_a_clock_raises_another_hosts_entry() {
    // b receives twice from a; the second receive (line 9) raises nothing
    // new for c, and c's receive is from b alone (a is reached through b).
    let log = r#"a {"a":1}
send 1
a {"a":2}
send 2
b {"a":1, "b":1}
recv 1
b {"a":2, "b":2}
recv 2
b {"a":2, "b":3}
send to c
c {"a":2, "b":3, "c":1}
recv from b
c {"a":2, "b":3, "c":2}
local
"#;
    let x = read(log, EXPORT_PARSER);
    assert_eq!(messages(&x), [(0, 2), (1, 3), (4, 5)]);
    assert!(x.is_consistent());
}

#[test]
fn a_hosts_events_are_ordered_by_its_own_counter() {
    // ShiViz sorts each host's events by its own entry, not by position.
    let log = "a {\"a\":2}\nsecond\nb {\"b\":1}\nother\na {\"a\":1}\nfirst\n";
    let x = read(log, EXPORT_PARSER);
    assert_eq!(
        x.events.iter().map(|e| e.index).collect::<Vec<_>>(),
        [1, 0, 0]
    );
    assert!(x.is_consistent());
}

#[test]
fn every_inconsistency_is_reported_with_its_line_and_reason() {
    struct Case {
        name: &'static str,
        log: &'static str,
        want: &'static [(usize, &'static str)],
        reason: &'static str,
    }
    let cases = [
        Case {
            name: "first counter is not 1",
            log: "a {\"a\":2}\nx\n",
            want: &[(1, "own-counter-skips")],
            reason: "a's own counter must start at 1, but its lowest is 2",
        },
        Case {
            name: "counter skips",
            log: "a {\"a\":1}\nx\na {\"a\":3}\ny\n",
            want: &[(3, "own-counter-skips")],
            reason: "a's own counter jumps from 1 to 3: each event of a host counts one more than the one before",
        },
        Case {
            name: "counter repeats",
            log: "a {\"a\":1}\nx\na {\"a\":1}\ny\n",
            want: &[(3, "own-counter-repeats")],
            reason: "a's own counter 1 is also on line 1: each event of a host counts one more than the one before",
        },
        Case {
            name: "own entry missing",
            log: "a {\"a\":1}\nx\na {\"b\":0}\ny\n",
            want: &[(3, "own-entry-missing")],
            reason: "its clock has no entry for its own host a, which every event's clock must count",
        },
        Case {
            name: "clock goes backwards",
            log: "b {\"b\":1}\ns\nb {\"b\":2}\nt\na {\"a\":1, \"b\":2}\nr\na {\"a\":2, \"b\":1}\nq\n",
            want: &[(7, "goes-backwards")],
            reason: "its entry for b is 1, lower than the 2 an earlier event of a had: a clock never goes backwards",
        },
        Case {
            name: "entry forgotten (goes to 0)",
            log: "b {\"b\":1}\ns\na {\"a\":1, \"b\":1}\nr\na {\"a\":2}\nq\n",
            want: &[(5, "goes-backwards")],
            reason: "its entry for b is 0, lower than the 1 an earlier event of a had: a clock never goes backwards",
        },
        Case {
            name: "unknown host",
            log: "a {\"a\":1, \"ghost\":4}\nx\n",
            want: &[(1, "unknown-host")],
            reason: "its clock counts host ghost, which has no events in this execution",
        },
        Case {
            name: "receive whose send is missing",
            log: "b {\"b\":1}\ns\na {\"a\":1, \"b\":3}\nr\n",
            want: &[(3, "missing-send")],
            reason: "its clock counts b's event 3, which the log does not have: a receive whose send is missing",
        },
        Case {
            name: "received before sent",
            log: "a {\"a\":1, \"b\":1}\nr\nb {\"a\":1, \"b\":1}\ns\n",
            want: &[(1, "received-before-sent"), (3, "received-before-sent")],
            reason: "it receives from b's event 1, whose clock already counts a's event 1: the message would be received before it was sent",
        },
        Case {
            name: "sender's past forgotten",
            log: "c {\"c\":1}\nsend\nb {\"b\":1, \"c\":1}\nrecv, send\na {\"a\":1, \"b\":1}\nrecv\n",
            want: &[(5, "forgets-senders-past")],
            reason: "it receives from b's event 1, which had seen c's event 1, but it counts c only to 0: a receive takes the element-wise maximum",
        },
    ];
    for case in cases {
        let x = read(case.log, EXPORT_PARSER);
        assert_eq!(problems(&x), case.want, "{}", case.name);
        assert_eq!(x.inconsistent[0].reason, case.reason, "{}", case.name);
        let e = x.inconsistent[0].event;
        assert_eq!(
            (x.events[e].line, x.inconsistent[0].host.as_str()),
            (case.want[0].0, x.host_of(e)),
            "{}",
            case.name
        );
    }
}

#[test]
fn an_inconsistent_log_is_still_drawn_and_reported_once_per_cause() {
    // One bad entry (b's event 5 does not exist): reported on the event
    // that raises it, not again on the later events that carry it on.
    let log = "b {\"b\":1}\ns\na {\"a\":1, \"b\":5}\nr\na {\"a\":2, \"b\":5}\nq\na {\"a\":3, \"b\":5}\np\n";
    let x = read(log, EXPORT_PARSER);
    assert_eq!(problems(&x), [(3, "missing-send")]);
    assert_eq!(x.events.len(), 4);
}

// ---- executions -------------------------------------------------------------

const TWO_RUNS: &str = r#"=== run one ===
x {"x":1}
hello
x {"x":2}
bye
=== run two ===
y {"y":1}
send
z {"y":1, "z":1}
recv
"#;

const TRACE: &str = "=== (?<trace>.*) ===";

#[test]
fn a_delimiter_splits_the_log_into_named_executions() {
    let xs = read_with(TWO_RUNS, EXPORT_PARSER, Some(TRACE)).unwrap();
    assert_eq!(
        xs.iter()
            .map(|x| (x.trace.as_str(), x.line, x.events.len()))
            .collect::<Vec<_>>(),
        [("run one", 1, 2), ("run two", 6, 2)]
    );
    // Lines count from the top of the file, in every execution.
    assert_eq!(
        xs[1].events.iter().map(|e| e.line).collect::<Vec<_>>(),
        [7, 9]
    );
    assert_eq!(xs[1].hosts, ["y", "z"]);
    assert_eq!(messages(&xs[1]), [(0, 1)]);
    // Text before the first delimiter is an execution called "".
    let prefixed = format!("w {{\"w\":1}}\nfirst\n{TWO_RUNS}");
    let xs = read_with(&prefixed, EXPORT_PARSER, Some(TRACE)).unwrap();
    assert_eq!(
        xs.iter()
            .map(|x| (x.trace.as_str(), x.line))
            .collect::<Vec<_>>(),
        [("", 1), ("run one", 3), ("run two", 8)]
    );
    // Without a delimiter the whole log is one execution.
    let xs = read_with(TWO_RUNS, EXPORT_PARSER, None).unwrap();
    assert_eq!((xs.len(), xs[0].hosts.len()), (1, 3));
}

#[test]
fn delimited_errors_name_the_execution_and_line() {
    let dup = TWO_RUNS.replace("run two", "run one");
    let e = read_with(&dup, EXPORT_PARSER, Some(TRACE)).unwrap_err();
    assert_eq!(
        e.to_string(),
        "line 6: two executions are called 'run one': execution names must be unique"
    );
    let empty_run = TWO_RUNS.replace(
        "y {\"y\":1}\nsend\nz {\"y\":1, \"z\":1}\nrecv\n",
        "nothing here\n",
    );
    let e = read_with(&empty_run, EXPORT_PARSER, Some(TRACE)).unwrap_err();
    assert_eq!(
        e.to_string(),
        "line 6: the parser regex matches no event in execution 'run two' (starting here)"
    );
}

// ---- errors -----------------------------------------------------------------

#[test]
fn bad_logs_are_errors_that_name_the_line() {
    let cases: &[(&str, &str, &str)] = &[
        ("", EXPORT_PARSER, "the log is empty"),
        (" \n\t\n", EXPORT_PARSER, "the log is empty"),
        ("just text\nno clocks\n", EXPORT_PARSER, "the parser regex matches no event in the log"),
        ("a {\"a\":1}\nok\nb {\"b\":1,}\nbad\n", EXPORT_PARSER, "line 3: the clock '{\"b\":1,}' is not JSON (trailing comma at line 1 column 8)"),
        (
            "a {\"a\":1}\nok\n\nb [1, 2] {\"b\":1}\nx\n",
            r"(?<host>\S*) (?<clock>.*)\n(?<event>.*)",
            "line 4: the clock '[1, 2] {\"b\":1}' is not JSON (trailing characters at line 1 column 8)",
        ),
        ("a [1]\nx\n", r"(?<host>\S*) (?<clock>.*)\n(?<event>.*)", "line 1: the clock '[1]' must be a JSON object of host → counter"),
        ("a {\"a\":-1}\nx\n", EXPORT_PARSER, "line 1: the clock's entry for a must be a whole number ≥ 0, not -1"),
        ("a {\"a\":1.5}\nx\n", EXPORT_PARSER, "line 1: the clock's entry for a must be a whole number ≥ 0, not 1.5"),
        ("a {\"a\":\"1\"}\nx\n", EXPORT_PARSER, "line 1: the clock's entry for a must be a whole number ≥ 0, not \"1\""),
    ];
    for (log, parser, message) in cases {
        let e = read_with(log, parser, None).unwrap_err();
        assert_eq!(e.to_string(), *message, "{log:?}");
    }
    let e = read_with(
        "a {\"a\":1}\nx\n",
        r"(?<host>\S*) (?<time>{.*})\n(?<text>.*)",
        None,
    )
    .unwrap_err();
    assert_eq!(e.to_string(), "the parser regex needs the named groups host, clock and event; it lacks (?<clock>…), (?<event>…)");
}

#[test]
fn lines_count_from_the_top_of_the_file_whatever_the_line_ends() {
    let log = "\r\n\r\n  \r\na {\"a\":1}\r\nfirst\r\nb {\"b\":1,\"a\":1}\r\nsecond\r\n";
    let x = read(log, EXPORT_PARSER);
    assert_eq!(
        x.events
            .iter()
            .map(|e| (e.line, e.description.as_str()))
            .collect::<Vec<_>>(),
        [(4, "first"), (6, "second")]
    );
    let e = read_with("\n\na {\"a\":1}\nx\nb {oops}\ny\n", EXPORT_PARSER, None).unwrap_err();
    assert_eq!(e.line, Some(5));
    // A clock with escaped quotes, as TLA+ writes it, is read too.
    let x = read(concat!(r#"a {\"a\":1}"#, "\ntla\n"), EXPORT_PARSER);
    assert_eq!(x.events[0].clock, clock(&[("a", 1)]));
}

// ---- the JavaScript regex translation ----------------------------------------

#[test]
fn javascript_regexes_are_translated_for_the_native_engine() {
    let cases: &[(&str, &str)] = &[
        (
            r"(?<host>\S*) (?<clock>{.*})",
            r"(?<host>\S*) (?<clock>\{[^\n\r\x{2028}\x{2029}]*\})",
        ),
        (r"\d{4}-\d{2,}x{1,3}", r"[0-9]{4}-[0-9]{2,}x{1,3}"),
        (r"[\w.\-]+\b", r"[0-9A-Za-z_.\-]+(?-u:\b)"),
        (r"[^]|[]", r"[\s\S]|[^\s\S]"),
        (
            r"\/\\ Host = \u00e9\u{1F600}\0",
            r"\/\\ Host = \x{00e9}\x{1F600}\x00",
        ),
        (r"[a&&b~~c]", r"[a\&&b\~~c]"),
        (r"a]b", r"a\]b"),
        (r"(?:x)(?<n>y)", r"(?:x)(?<n>y)"),
    ];
    for (js, rust) in cases {
        assert_eq!(translate(js).as_deref(), Ok(*rust), "{js}");
        assert!(regex::Regex::new(rust).is_ok(), "{rust} compiles");
    }
    let refused: &[(&str, &str)] = &[
        (r"a(?=b)", "uses a lookahead (?= or (?! (at character 2), which the command line's regex engine does not support"),
        (r"(?<!a)b", "uses a lookbehind (?<= or (?<! (at character 1), which the command line's regex engine does not support"),
        (r"(a)\1", "uses a backreference or octal escape (at character 4), which the command line's regex engine does not support"),
        (r"(?<x>a)\k<x>", "uses a named backreference \\k<…> (at character 8), which the command line's regex engine does not support"),
        (r"(?i)a", "uses an inline flag group (?…) (at character 1), which the command line's regex engine does not support"),
        (r"\cJ", "uses a control escape \\c (at character 1), which the command line's regex engine does not support"),
        (r"[ab", "has a character class [ that is never closed"),
        ("ab\\", "ends with a lone backslash"),
    ];
    for (js, message) in refused {
        assert_eq!(translate(js), Err(message.to_string()), "{js}");
    }
    let e = RegexMatcher::new(EXPORT_PARSER, Some("(?<trace>")).unwrap_err();
    assert!(e.starts_with("the delimiter regex is not valid: "), "{e}");
    let e = RegexMatcher::new("(?=x)", None).unwrap_err();
    assert!(e.starts_with("the parser regex uses a lookahead"), "{e}");
}

#[test]
fn named_groups_are_found_in_a_pattern() {
    assert_eq!(
        named_groups(r"(?<host>\S*) (?<=x)\(?<no>[(?<no2>)](?<clock>{.*})"),
        ["host", "clock"]
    );
}

// ---- export -------------------------------------------------------------------

fn ev(host: &str, clock: &[(&str, u64)], description: &str) -> ExportEvent {
    ExportEvent {
        host: host.into(),
        clock: clock.iter().map(|(h, c)| (h.to_string(), *c)).collect(),
        description: description.into(),
    }
}

#[test]
fn export_writes_the_instrumentation_format_and_its_parser() {
    let events = [
        ev("S1", &[("S1", 1)], "send AppendEntries to S2"),
        ev(
            "S2",
            &[("S1", 1), ("S2", 1), ("S3", 0)],
            "receive\nAppendEntries",
        ),
        ev("S2", &[("S1", 1), ("S2", 2)], "  "),
    ];
    let out = export(&events).unwrap();
    assert_eq!(out.parser, EXPORT_PARSER);
    assert_eq!(
        out.log,
        "S1 {\"S1\":1}\nsend AppendEntries to S2\nS2 {\"S2\":1, \"S1\":1}\nreceive AppendEntries\nS2 {\"S2\":2, \"S1\":1}\n(no description)\n"
    );
    let x = read(&out.log, out.parser);
    assert_eq!(messages(&x), [(0, 1)]);
    assert_eq!(
        x.to_export(),
        [
            ev("S1", &[("S1", 1)], "send AppendEntries to S2"),
            ev("S2", &[("S1", 1), ("S2", 1)], "receive AppendEntries"),
            ev("S2", &[("S1", 1), ("S2", 2)], EMPTY_DESCRIPTION)
        ]
    );
    // The upload form: parser line, empty delimiter line, log.
    let file = out.upload();
    let up = read_upload(&file).unwrap();
    assert_eq!(
        (up.parser.as_str(), up.delimiter.as_deref(), up.log_line),
        (format!("^{EXPORT_PARSER}$").as_str(), None, 3)
    );
    let m = RegexMatcher::new(&up.parser, None).unwrap();
    let again = parse_from_line(up.log, up.log_line, &m).unwrap();
    assert_eq!(
        again[0].events.iter().map(|e| e.line).collect::<Vec<_>>(),
        [3, 5, 7]
    );
    assert_eq!(again[0].to_export(), x.to_export());
}

#[test]
fn export_refuses_what_could_not_be_read_back() {
    assert_eq!(
        export(&[ev("a b", &[("a b", 1)], "x")]),
        Err("event 0: host name 'a b' has white space or control characters, which the parser cannot read back".into())
    );
    assert_eq!(
        export(&[ev("", &[], "x")]),
        Err("event 0: a host name cannot be empty".into())
    );
    assert_eq!(
        export(&[
            ev("a", &[("a", 1)], "x"),
            ev("a", &[("a", 2), ("a", 3)], "y")
        ]),
        Err("event 1: its clock names a twice".into())
    );
    // Names JSON must escape survive the round trip.
    let odd = [
        ev("q\"uote", &[("q\"uote", 1)], "x"),
        ev("back\\slash", &[("back\\slash", 1), ("q\"uote", 1)], "y"),
    ];
    let x = read(&export(&odd).unwrap().log, EXPORT_PARSER);
    assert_eq!(x.hosts, ["q\"uote", "back\\slash"]);
    assert!(x.is_consistent());
}

// ---- round trips over random causal executions --------------------------------

const NAMES: [&str; 6] = ["alice", "bob", "carol", "dave", "erin", "frank"];

/// A random run: events in causal order with correct vector clocks, and
/// the messages the clocks show (a receive shows its message when its
/// sender's entry rises, which it does unless the send was already known
/// through another path).
struct RandomRun {
    n_hosts: usize,
    /// (host, clock by host, description).
    events: Vec<(usize, Vec<u64>, String)>,
    messages: Vec<(usize, usize)>,
    /// For each receive whose message shows, its send.
    sender: BTreeMap<usize, usize>,
}

fn random_run(rng: &mut SimRng) -> RandomRun {
    let n_hosts = rng.range_u64(2, 6) as usize;
    let n_steps = rng.range_u64(1, 60);
    let mut now = vec![vec![0u64; n_hosts]; n_hosts];
    let mut in_flight: Vec<(usize, usize, Vec<u64>)> = Vec::new(); // (send event, to host, clock)
    let mut run = RandomRun {
        n_hosts,
        events: Vec::new(),
        messages: Vec::new(),
        sender: BTreeMap::new(),
    };
    for _ in 0..n_steps {
        let h = rng.range_u64(0, n_hosts as u64 - 1) as usize;
        let waiting: Vec<usize> = (0..in_flight.len())
            .filter(|&k| in_flight[k].1 == h)
            .collect();
        let action = rng.range_u64(0, 2);
        let id = run.events.len();
        let text = if action == 2 && !waiting.is_empty() {
            let (send, _, c) =
                in_flight.remove(waiting[rng.range_u64(0, waiting.len() as u64 - 1) as usize]);
            let from = run.events[send].0;
            if c[from] > now[h][from] {
                run.messages.push((send, id));
                run.sender.insert(id, send);
            }
            for k in 0..n_hosts {
                now[h][k] = now[h][k].max(c[k]);
            }
            format!("receive from {}", NAMES[from])
        } else if action == 1 {
            let to = (h + 1 + rng.range_u64(0, n_hosts as u64 - 2) as usize) % n_hosts;
            now[h][h] += 1;
            in_flight.push((id, to, now[h].clone()));
            run.events
                .push((h, now[h].clone(), format!("send to {}", NAMES[to])));
            continue;
        } else {
            "local step".to_string()
        };
        now[h][h] += 1;
        run.events.push((h, now[h].clone(), text));
    }
    run.messages.sort();
    run
}

fn to_export(run: &RandomRun) -> Vec<ExportEvent> {
    run.events
        .iter()
        .map(|(h, c, d)| ExportEvent {
            host: NAMES[*h].into(),
            clock: (0..run.n_hosts)
                .map(|k| (NAMES[k].to_string(), c[k]))
                .collect(),
            description: d.clone(),
        })
        .collect()
}

/// Sets host `k`'s entry of event `e` (0 removes it).
fn set(events: &mut [ExportEvent], e: usize, host: &str, value: u64) {
    let c = &mut events[e].clock;
    c.retain(|(h, _)| h != host);
    c.push((host.to_string(), value));
}

/// Corrupts one clock so that no execution could have produced it: a
/// kind drawn at random, on the first event it applies to from a random
/// start; `None` if it applies to none.
fn corrupt(run: &RandomRun, rng: &mut SimRng, events: &mut [ExportEvent]) -> Option<&'static str> {
    let kind = rng.range_u64(0, 5);
    let n = run.events.len();
    let start = rng.range_u64(0, n as u64 - 1) as usize;
    (0..n).find_map(|j| corrupt_at(run, rng, events, kind, (start + j) % n))
}

/// Corruption `kind` of event `e`, if it applies (nothing changes if not).
fn corrupt_at(
    run: &RandomRun,
    rng: &mut SimRng,
    events: &mut [ExportEvent],
    kind: u64,
    e: usize,
) -> Option<&'static str> {
    let (h, ref c, _) = run.events[e];
    let own = c[h];
    let prev = (0..e)
        .rev()
        .find(|&p| run.events[p].0 == h)
        .map(|p| &run.events[p].1);
    let count = |k: usize| run.events.iter().filter(|x| x.0 == k).count() as u64;
    match kind {
        0 => {
            let new = match rng.range_u64(0, 2) {
                0 => 0,
                1 => own - 1,
                _ => own + rng.range_u64(1, 3),
            };
            set(events, e, NAMES[h], new);
            Some("own counter")
        }
        1 => {
            let prev = prev?;
            let k = (0..run.n_hosts).find(|&k| k != h && prev[k] > 0)?;
            set(events, e, NAMES[k], rng.range_u64(0, prev[k] - 1));
            Some("goes backwards")
        }
        2 => {
            let k = (h + 1) % run.n_hosts;
            set(events, e, NAMES[k], count(k) + rng.range_u64(1, 3));
            Some("missing send")
        }
        3 => {
            set(events, e, "zed", rng.range_u64(1, 3));
            Some("unknown host")
        }
        4 => {
            // An event of another host that already knew this one.
            let f = (e + 1..run.events.len())
                .find(|&f| run.events[f].0 != h && run.events[f].1[h] >= own)?;
            let (fh, ref fc, _) = run.events[f];
            set(events, e, NAMES[fh], fc[fh]);
            Some("received before sent")
        }
        _ => {
            let &s = run.sender.get(&e)?;
            let (sh, ref sc, _) = run.events[s];
            let before = |k: usize| prev.map_or(0, |p| p[k]);
            let k = (0..run.n_hosts).find(|&k| k != h && k != sh && sc[k] > before(k))?;
            set(events, e, NAMES[k], rng.range_u64(before(k), sc[k] - 1));
            Some("forgets the sender's past")
        }
    }
}

#[test]
fn random_causal_executions_round_trip_and_every_corruption_is_found() {
    let mut corrupted = BTreeMap::new();
    for seed in 0..400 {
        let mut rng = SimRng::new(seed);
        let run = random_run(&mut rng);
        let events = to_export(&run);
        let out = export(&events).unwrap();
        let x = read(&out.log, out.parser);
        assert!(
            x.is_consistent(),
            "seed {seed}: {:?}\n{}",
            x.inconsistent,
            out.log
        );
        assert_eq!(messages(&x), run.messages, "seed {seed}\n{}", out.log);
        let first_seen: Vec<&str> =
            run.events
                .iter()
                .map(|ev| NAMES[ev.0])
                .fold(Vec::new(), |mut v, n| {
                    if !v.contains(&n) {
                        v.push(n);
                    }
                    v
                });
        assert_eq!(x.hosts, first_seen, "seed {seed}");
        for (i, (e, (h, c, d))) in x.events.iter().zip(&run.events).enumerate() {
            let want: Clock = (0..run.n_hosts)
                .filter(|&k| c[k] > 0)
                .map(|k| (NAMES[k].to_string(), c[k]))
                .collect();
            assert_eq!(
                (
                    x.hosts[e.host].as_str(),
                    &e.clock,
                    &e.description,
                    e.line,
                    e.index as u64 + 1
                ),
                (NAMES[*h], &want, d, 2 * i + 1, c[*h]),
                "seed {seed}"
            );
        }
        // Export → parse → export gives the same log.
        assert_eq!(
            export(&x.to_export()).unwrap().log.lines().count(),
            out.log.lines().count()
        );
        let again = read(&export(&x.to_export()).unwrap().log, EXPORT_PARSER);
        assert_eq!(again, x, "seed {seed}");

        let mut bad = events.clone();
        let Some(kind) = corrupt(&run, &mut rng, &mut bad) else {
            continue;
        };
        *corrupted.entry(kind).or_insert(0) += 1;
        let log = export(&bad).unwrap().log;
        let y = read(&log, EXPORT_PARSER);
        assert!(
            !y.is_consistent(),
            "seed {seed}: a corrupted clock ({kind}) went unnoticed\n{log}"
        );
    }
    // Every kind of corruption was tried, many times.
    assert_eq!(corrupted.len(), 6, "{corrupted:?}");
    assert!(corrupted.values().all(|&n| n >= 20), "{corrupted:?}");
}

// ---- runs written as logs, logs drawn as traces --------------------------------

fn scenario_run<L: crate::labs::lab::Lab>(sc: &str, until_us: u64) -> crate::labs::lab::Run<L> {
    let mut run = crate::labs::lab::Run::<L>::open(&[("sc".into(), sc.into())]).run;
    let _ = run.tl.run_until(until_us, 100_000);
    run
}

/// The log a run exports, read back as ShiViz reads the upload file.
fn read_back(up: &str) -> Execution {
    let u = read_upload(up).expect("an upload has a header");
    assert_eq!(u.parser, format!("^{EXPORT_PARSER}$"));
    assert_eq!(u.delimiter, None);
    let m = RegexMatcher::new(&u.parser, None).expect("the parser compiles");
    let mut xs = parse_from_line(u.log, u.log_line, &m).unwrap_or_else(|e| panic!("{e}\n{up}"));
    assert_eq!(xs.len(), 1);
    xs.remove(0)
}

/// (lane, lane) of every arrow, as a set: what a drawing shows.
fn arrows(t: &crate::spacetime::Trace) -> Vec<(usize, usize, usize, usize)> {
    // Each end as (lane, place on its lane).
    let mut place = vec![0usize; t.events.len()];
    let mut count = vec![0usize; t.lanes.len()];
    for (i, e) in t.events.iter().enumerate() {
        place[i] = count[e.lane];
        count[e.lane] += 1;
    }
    let mut v: Vec<_> = t
        .messages
        .iter()
        .filter_map(|m| match m.fate {
            crate::spacetime::Fate::Received(r) => Some((
                t.events[m.send].lane,
                place[m.send],
                t.events[r].lane,
                place[r],
            )),
            _ => None,
        })
        .collect();
    v.sort();
    v.dedup();
    v
}

#[test]
fn every_clocks_scenario_exports_a_log_that_reads_back_consistent_and_draws_the_same() {
    use crate::labs::clocks::lab::ClocksLab;
    for sc in [
        "reply-before-request",
        "vectors-expose-concurrency",
        "lww-lost-update",
        "commit-wait",
        "hlc-one-fast-clock",
    ] {
        let run = scenario_run::<ClocksLab>(sc, 4_000_000);
        let ex = read_back(&run.shiviz().expect("exports").upload());
        let (t, order) = crate::labs::clocks::trace::trace(run.world());
        assert_eq!(
            ex.events.len(),
            order.len(),
            "{sc}: one log event per lab event"
        );
        assert!(ex.is_consistent(), "{sc}: {:?}", ex.inconsistent.first());
        assert_eq!(ex.hosts.len(), run.world().nodes.len(), "{sc}");
        // Drawn back, the log has only arrows the run has (a message whose
        // news the receiver already had leaves no trace in the clocks), and
        // the same causal order.
        let (back, back_order) = trace_of(&ex);
        let name_of = |t: &crate::spacetime::Trace, l: usize| t.lanes[l].clone();
        let norm = |t: &crate::spacetime::Trace| -> Vec<(String, usize, String, usize)> {
            arrows(t)
                .into_iter()
                .map(|(a, i, b, j)| (name_of(t, a), i, name_of(t, b), j))
                .collect()
        };
        let run_arrows = norm(&t);
        for a in norm(&back) {
            assert!(
                run_arrows.contains(&a),
                "{sc}: {a:?} is not a message of the run"
            );
        }
        assert!(
            norm(&back).len() * 10 >= run_arrows.len() * 8,
            "{sc}: most messages are implied"
        );
        for (k, &i) in back_order.iter().enumerate() {
            let n_back = back.past(k).iter().filter(|b| **b).count();
            let n_run = t.past(i).iter().filter(|b| **b).count();
            assert_eq!(n_back, n_run, "{sc}: the past of event {i}");
        }
    }
}

#[test]
fn a_run_with_the_vector_merge_off_exports_clocks_the_reader_flags() {
    use crate::labs::clocks::lab::ClocksLab;
    let run = scenario_run::<ClocksLab>("vector-no-max", 4_000_000);
    let ex = read_back(&run.shiviz().expect("exports").upload());
    assert!(
        !ex.inconsistent.is_empty(),
        "the broken merge writes clocks that contradict causality"
    );
}

#[test]
fn a_raft_run_exports_the_kernel_trace_with_implied_clocks() {
    use crate::labs::raft::RaftLab;
    let run = scenario_run::<RaftLab>("first-election", 2_000_000);
    let t = crate::spacetime::Trace::of_timeline(&run.tl);
    let ex = read_back(&run.shiviz().expect("exports").upload());
    assert!(ex.is_consistent(), "{:?}", ex.inconsistent.first());
    assert_eq!(ex.events.len(), t.events.len());
    assert_eq!(ex.hosts.len(), 5);
    // Causality survives the trip: drawn back, each event's past is the same size.
    let (back, order) = trace_of(&ex);
    for (k, &i) in order.iter().enumerate() {
        let n_back = back.past(k).iter().filter(|b| **b).count();
        let n_orig = t.past(i).iter().filter(|b| **b).count();
        assert_eq!(n_back, n_orig, "event {i}");
    }
}

#[test]
fn a_receive_logged_before_its_send_is_drawn_after_it() {
    // b's receive is logged first; its clock says it follows a's send.
    let log = "b {\"b\":1, \"a\":1}\nrecv\na {\"a\":1}\nsend\n";
    let ex = read(log, EXPORT_PARSER);
    let (t, order) = trace_of(&ex);
    assert_eq!(order, vec![1, 0]);
    assert!(t.untimed);
    assert_eq!(t.lanes, vec!["b".to_string(), "a".to_string()]);
    assert_eq!(t.events[0].kind, crate::spacetime::EventKind::Send);
    assert_eq!(t.events[1].kind, crate::spacetime::EventKind::Receive);
    assert_eq!(t.messages.len(), 1);
    assert_eq!(t.order(0, 1), crate::spacetime::Order::Before);
}

#[test]
fn clocks_that_form_a_cycle_still_draw_every_event() {
    // Each host claims to have seen the other's first event: a cycle.
    let log = "a {\"a\":1, \"b\":1}\nx\nb {\"b\":1, \"a\":1}\ny\n";
    let ex = read(log, EXPORT_PARSER);
    assert!(!ex.is_consistent());
    let (t, order) = trace_of(&ex);
    let mut sorted = order.clone();
    sorted.sort();
    assert_eq!(sorted, vec![0, 1]);
    assert_eq!(t.events.len(), 2);
    for m in &t.messages {
        if let crate::spacetime::Fate::Received(r) = m.fate {
            assert!(m.send < r, "every arrow points forward");
        }
    }
}
