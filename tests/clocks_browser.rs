//! Browser tests of the Clocks lab: its page (the clock picker, two events
//! compared by every clock, the Logs tab), and ShiViz logs read with the
//! browser's own `RegExp`.
#![cfg(target_arch = "wasm32")]

use dsviz::lab::clocks::ClocksUi;
use dsviz::logs;
use dsviz_sim::shiviz::{EXPORT_PARSER, SHIVIZ_DEFAULT_PARSER};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::Element;

mod common;
use common::{button, lab, settle, settle_until, text};

wasm_bindgen_test_configure!(run_in_browser);

/// ShiViz's default format: a description line, then `host {clock}`.
const PING_PONG: &str = "starting up\nalpha {\"alpha\":1}\nping to beta\nalpha {\"alpha\":2}\ngot ping\nbeta {\"alpha\":2, \"beta\":1}\npong to alpha\nbeta {\"alpha\":2, \"beta\":2}\ngot pong\nalpha {\"alpha\":3, \"beta\":2}\n";

fn click(e: &Element) {
    e.dispatch_event(&web_sys::MouseEvent::new("click").unwrap())
        .unwrap();
}

#[wasm_bindgen_test]
fn the_browser_regexp_reads_shiviz_logs_as_shiviz_does() {
    let xs = logs::read(PING_PONG, 1, SHIVIZ_DEFAULT_PARSER, "").expect("reads");
    assert_eq!(xs.len(), 1);
    let x = &xs[0];
    assert_eq!(x.hosts, vec!["alpha".to_string(), "beta".to_string()]);
    assert_eq!(x.events.len(), 5);
    assert_eq!(x.messages.len(), 2);
    assert!(x.is_consistent());
    assert_eq!(x.events[2].line, 5, "got ping starts on line 5");
    // A lookbehind, which only the browser's engine has.
    let host_first = "alpha {\"alpha\":1} start\nbeta {\"beta\":1} idle\n";
    let xs = logs::read(
        host_first,
        1,
        r"^(?<host>\w+) (?<clock>\{[^}]*\}) (?<=\} )(?<event>.*)$",
        "",
    )
    .expect("a lookbehind works");
    assert_eq!(xs[0].events.len(), 2);
    // Executions split by a delimiter, named by its trace group.
    let two = format!("=== run one\n{PING_PONG}=== run two\n{PING_PONG}");
    let xs = logs::read(&two, 1, SHIVIZ_DEFAULT_PARSER, r"^=== (?<trace>.*)$").expect("splits");
    assert_eq!(xs.len(), 2);
    assert_eq!(xs[1].trace, "run two");
    // Bad input is an error that says where, never a thrown exception.
    let e = logs::read(PING_PONG, 1, "(", "").unwrap_err();
    assert!(e.message.contains("parser regex"), "{e}");
    let e = logs::read(PING_PONG, 1, r"(?<host>\S+)", "").unwrap_err();
    assert!(e.message.contains("needs the named groups"), "{e}");
    let broken = PING_PONG.replace("{\"alpha\":2, \"beta\":1}", "{\"alpha\":2, \"beta\":x}");
    let e = logs::read(&broken, 1, SHIVIZ_DEFAULT_PARSER, "").unwrap_err();
    assert_eq!(
        e.line,
        Some(5),
        "the event the bad clock belongs to starts on line 5: {e}"
    );
    // An empty match does not loop forever.
    let e = logs::read("a\nb\n", 1, r"(?<host>)(?<clock>)(?<event>)", "");
    assert!(e.is_err());
    // And the export parser reads what the lab writes.
    let w = "P1 {\"P1\":1}\nlocal\n";
    assert_eq!(
        logs::read(w, 1, EXPORT_PARSER, "").unwrap()[0].events.len(),
        1
    );
}

#[wasm_bindgen_test]
async fn the_clock_picker_relabels_the_same_run() {
    let root = lab::<ClocksUi>("?lab=clocks&sc=reply-before-request&step=12").await;
    settle_until(|| root.query_selector(".st-stamp").unwrap().is_some()).await;
    let stamps = || {
        let all = root.query_selector_all(".st-stamp").unwrap();
        (0..all.length())
            .map(|i| all.item(i).unwrap().text_content().unwrap_or_default())
            .collect::<Vec<_>>()
    };
    let wall = stamps();
    assert!(!wall.is_empty());
    assert!(wall.iter().all(|s| s.ends_with(" ms")), "{wall:?}");
    click(&button(&root, "Lamport"));
    settle_until(|| stamps() != wall).await;
    let lamport = stamps();
    assert_eq!(lamport.len(), wall.len(), "the same events");
    assert!(
        lamport.iter().all(|s| s.parse::<u64>().is_ok()),
        "{lamport:?}"
    );
    assert!(dsviz::dom::window()
        .unwrap()
        .location()
        .search()
        .unwrap()
        .contains("clock=lamport"));
}

#[wasm_bindgen_test]
async fn two_picked_events_are_compared_by_every_clock() {
    let root = lab::<ClocksUi>("?lab=clocks&sc=reply-before-request&step=12").await;
    settle_until(|| root.query_selector(".st-event").unwrap().is_some()).await;
    let events = root.query_selector_all(".st-event").unwrap();
    assert!(events.length() >= 3);
    click(&events.item(0).unwrap().dyn_into().unwrap());
    settle().await;
    click(
        &events
            .item(events.length() - 1)
            .unwrap()
            .dyn_into()
            .unwrap(),
    );
    settle_until(|| root.query_selector(".st-verdicts").unwrap().is_some()).await;
    let rows = root.query_selector_all(".st-verdicts tbody tr").unwrap();
    assert_eq!(rows.length(), 5, "one row per clock");
    let table = text(&root, ".st-verdicts");
    for c in ["Wall clock", "Lamport", "Vector", "HLC", "TrueTime"] {
        assert!(table.contains(c), "{table}");
    }
}

#[wasm_bindgen_test]
async fn the_logs_tab_reads_this_run_and_keeps_it_when_a_paste_is_bad() {
    let root = lab::<ClocksUi>("?lab=clocks&sc=vector-no-max&step=4").await;
    click(&button(&root, "Logs"));
    settle_until(|| root.query_selector(".log-panel").unwrap().is_some()).await;
    click(&button(&root, "Open this run here as a log"));
    settle_until(|| root.query_selector(".log-loaded").unwrap().is_some()).await;
    let head = text(&root, ".log-loaded h4");
    assert!(head.starts_with("this run at step 4:"), "{head}");
    // The broken vector merge wrote clocks that contradict causality.
    assert!(
        text(&root, ".log-bad").contains("contradicts causality"),
        "{}",
        text(&root, ".log-panel")
    );
    assert!(root.query_selector(".st-flag").unwrap().is_some());
    // A bad paste names its line and leaves the log shown.
    let area: web_sys::HtmlTextAreaElement = root
        .query_selector("textarea")
        .unwrap()
        .unwrap()
        .dyn_into()
        .unwrap();
    // (The form now holds the parser the run's own file named: host and clock first.)
    area.set_value("P1 {\"P1\":1}\nfirst\nP1 {\"P1\":x}\nsecond\n");
    area.dispatch_event(&web_sys::InputEvent::new("input").unwrap())
        .unwrap();
    click(&button(&root, "Read the pasted log"));
    settle_until(|| root.query_selector(".log-error").unwrap().is_some()).await;
    let err = text(&root, ".log-error");
    assert!(err.contains("line 3"), "{err}");
    assert!(err.contains("still here"), "{err}");
    assert_eq!(text(&root, ".log-loaded h4"), head, "nothing lost");
}

#[wasm_bindgen_test]
async fn a_toast_sits_in_the_header_and_its_close_button_removes_it() {
    let root = lab::<ClocksUi>("?lab=clocks&sc=reply-before-request&step=3").await;
    settle_until(|| root.query_selector(".st-foot button").unwrap().is_some()).await;
    click(&button(&root, "Download as ShiViz log"));
    settle_until(|| {
        root.query_selector(".site-header .toast")
            .unwrap()
            .is_some()
    })
    .await;
    let t = text(&root, ".site-header .toast");
    assert!(
        t.contains("dsviz-clocks-reply-before-request-seed1-step3.log"),
        "{t}"
    );
    click(&button(&root, "Dismiss message"));
    settle_until(|| root.query_selector(".toast").unwrap().is_none()).await;
    assert!(root.query_selector(".toast").unwrap().is_none());
}
