//! Browser tests of the app's components: each renders a real component
//! into the page, clicks it, and reads the DOM back.
#![cfg(target_arch = "wasm32")]

use dsviz::components::transport::{Transport, TransportProps};
use dsviz::lab::raft::RaftUi;
use std::cell::Cell;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{Element, HtmlElement};
use yew::prelude::*;

mod common;
use common::{lab, mount, settle, settle_until, text};

wasm_bindgen_test_configure!(run_in_browser);

fn by_label(root: &Element, label: &str) -> HtmlElement {
    root.query_selector(&format!("[aria-label=\"{label}\"]"))
        .unwrap()
        .unwrap_or_else(|| panic!("no element labelled {label}"))
        .dyn_into()
        .unwrap()
}

#[wasm_bindgen_test]
async fn transport_buttons_have_names_and_call_back() {
    let root = mount();
    let played = Rc::new(Cell::new(0));
    let p = played.clone();
    let props = TransportProps {
        playing: false,
        cursor: 0,
        horizon: 10,
        time_label: "0.0 ms".into(),
        markers: vec![],
        speed: 2,
        on_play: Callback::from(move |_| p.set(p.get() + 1)),
        on_step_forward: Callback::noop(),
        on_step_back: Callback::noop(),
        on_reset: Callback::noop(),
        on_seek: Callback::noop(),
        on_speed: Callback::noop(),
    };
    yew::Renderer::<Transport>::with_root_and_props(root.clone(), props).render();
    settle().await;
    for name in [
        "Play",
        "Step forward",
        "Step back",
        "Reset",
        "Speed",
        "Timeline position",
    ] {
        by_label(&root, name);
    }
    assert!(
        by_label(&root, "Step back").has_attribute("disabled"),
        "no step back at step 0"
    );
    by_label(&root, "Play").click();
    assert_eq!(played.get(), 1);
}

#[wasm_bindgen_test]
async fn raft_lab_draws_labelled_servers_and_steps() {
    let root = lab::<RaftUi>("?lab=raft").await;
    for i in 1..=5 {
        let sel = format!("[aria-label^=\"S{i}, follower, term 0\"]");
        assert!(root.query_selector(&sel).unwrap().is_some(), "S{i} glyph");
    }
    assert_eq!(text(&root, ".clock .step"), "step 0");
    by_label(&root, "Step forward").click();
    settle_until(|| text(&root, ".clock .step") == "step 1").await;
    assert_eq!(text(&root, ".clock .step"), "step 1");
    by_label(&root, "Step back").click();
    settle_until(|| text(&root, ".clock .step") == "step 0").await;
    assert_eq!(text(&root, ".clock .step"), "step 0");
}

#[wasm_bindgen_test]
async fn a_link_reopens_at_its_step_with_its_injections() {
    let root = lab::<RaftUi>("?lab=raft&sc=first-election&seed=1&inj=40:crash.0&step=60").await;
    assert_eq!(text(&root, ".clock .step"), "step 60");
    assert!(
        root.query_selector("[aria-label^=\"S1, crashed\"]")
            .unwrap()
            .is_some(),
        "S1 crashed by the injected event"
    );
}

#[wasm_bindgen_test]
async fn bad_links_show_a_message_and_fall_back() {
    let root =
        lab::<RaftUi>("?lab=raft&sc=nope&seed=abc&n=99&eto=9-x&inj=zz,5:crash.42&step=-3").await;
    let banner = text(&root, ".banner.warn");
    for part in [
        "no Raft scenario called 'nope'",
        "seed='abc'",
        "n=99",
        "eto='9-x'",
        "zz",
        "crash.42",
        "step='-3'",
    ] {
        assert!(banner.contains(part), "banner lacks {part:?}: {banner}");
    }
    // Nine servers (n clamped), first-election scenario, step 0.
    assert!(root
        .query_selector("[aria-label^=\"S9, follower\"]")
        .unwrap()
        .is_some());
    assert_eq!(text(&root, ".clock .step"), "step 0");
}

#[wasm_bindgen_test]
async fn clicking_a_server_opens_its_fault_menu() {
    let root = lab::<RaftUi>("?lab=raft").await;
    root.query_selector("[aria-label^=\"S3, follower\"]")
        .unwrap()
        .unwrap()
        .dyn_into::<web_sys::SvgElement>()
        .unwrap()
        .dispatch_event(&web_sys::MouseEvent::new("click").unwrap())
        .unwrap();
    settle().await;
    let menu = text(&root, ".menu");
    assert!(menu.contains("Crash S3"), "{menu}");
    let crash: HtmlElement = root
        .query_selector_all(".menu button")
        .unwrap()
        .get(0)
        .unwrap()
        .dyn_into()
        .unwrap();
    crash.click();
    settle().await;
    assert!(root
        .query_selector("[aria-label^=\"S3, crashed\"]")
        .unwrap()
        .is_some());
    assert_eq!(text(&root, ".clock .step"), "step 1", "the crash is a step");
}

/// Two processes: P0 sends to P1, then each has a local event; steps all 0,
/// as in a trace read from a log.
fn small_trace() -> dsviz_sim::spacetime::Trace {
    use dsviz_sim::spacetime::{Event, EventKind, Fate, Message, Trace};
    let ev = |lane, t, kind| Event {
        lane,
        time_us: t,
        step: 0,
        kind,
    };
    Trace {
        lanes: vec!["P1".into(), "P2".into()],
        events: vec![
            ev(0, 1, EventKind::Send),
            ev(1, 2, EventKind::Local),
            ev(1, 3, EventKind::Receive),
            ev(0, 4, EventKind::Local),
        ],
        messages: vec![Message {
            send: 0,
            fate: Fate::Received(2),
            kind: "m".into(),
        }],
        untimed: true,
    }
}

#[wasm_bindgen_test]
async fn space_time_lights_the_causal_past_and_compares_two_events() {
    use dsviz::components::spacetime::{SpaceTime, SpaceTimeProps};
    let root = mount();
    let texts: Vec<(usize, String)> = ["send m", "local a", "receive m", "local b"]
        .iter()
        .enumerate()
        .map(|(i, s)| (i, s.to_string()))
        .collect();
    let props = SpaceTimeProps {
        trace: Rc::new(small_trace()),
        texts: Rc::new(texts),
        stamps: Some(Rc::new(vec![
            "1".into(),
            "1".into(),
            "2".into(),
            "2".into(),
        ])),
        on_seek: Callback::noop(),
        on_lane: None,
        first: None,
        flagged: Rc::new(vec![3]),
        compare: Some(Callback::from(|(a, b): (usize, usize)| {
            html! { <p class="cmp">{format!("compared {a} and {b}")}</p> }
        })),
        on_export: None,
    };
    yew::Renderer::<SpaceTime>::with_root_and_props(root.clone(), props).render();
    settle().await;
    let events = root.query_selector_all(".st-event").unwrap();
    assert_eq!(events.length(), 4);
    assert_eq!(root.query_selector_all(".st-stamp").unwrap().length(), 4);
    let click = |i: u32| {
        let e: Element = events.item(i).unwrap().dyn_into().unwrap();
        e.dispatch_event(&web_sys::MouseEvent::new("click").unwrap())
            .unwrap();
    };
    // Pick the receive: the send and P2's local event are its past; P1's
    // later local event is concurrent with it.
    click(2);
    settle().await;
    let class = |i: u32| {
        events
            .item(i)
            .unwrap()
            .dyn_into::<Element>()
            .unwrap()
            .get_attribute("class")
            .unwrap_or_default()
    };
    assert!(class(2).contains("picked"), "{}", class(2));
    assert!(class(0).contains("past") && class(1).contains("past"));
    assert!(class(3).contains("concurrent"));
    assert!(
        text(&root, ".st-caption")
            .contains("2 events happened before it, 0 after it, and 1 are concurrent"),
        "{}",
        text(&root, ".st-caption")
    );
    // A second pick compares the two.
    click(3);
    settle().await;
    assert!(
        text(&root, ".st-caption").contains("P2's event 2 is concurrent with P1's event 2"),
        "{}",
        text(&root, ".st-caption")
    );
    // The page's own comparison follows the verdict.
    assert_eq!(text(&root, ".st-caption .cmp"), "compared 2 and 3");
    // A log's events carry no time: no time labels, and the flagged one is ringed.
    assert_eq!(root.query_selector_all(".st-time").unwrap().length(), 0);
    assert!(class(3).contains("flagged"), "{}", class(3));
    assert_eq!(root.query_selector_all(".st-flag").unwrap().length(), 1);
    click(3);
    click(0);
    settle().await;
    assert!(
        text(&root, ".st-caption").contains("happened after"),
        "{}",
        text(&root, ".st-caption")
    );
}

#[wasm_bindgen_test]
async fn arrow_keys_move_along_the_side_tabs() {
    let root = lab::<RaftUi>("?lab=raft").await;
    let selected = || text(&root, ".panel [role=tab][aria-selected=true]");
    assert_eq!(selected(), "Scenario");
    let list = root.query_selector("[role=tablist]").unwrap().unwrap();
    let key = |k: &str| {
        let init = web_sys::KeyboardEventInit::new();
        init.set_key(k);
        init.set_bubbles(true);
        let e =
            web_sys::KeyboardEvent::new_with_keyboard_event_init_dict("keydown", &init).unwrap();
        list.dispatch_event(&e).unwrap();
    };
    key("ArrowRight");
    settle_until(|| selected() == "Questions").await;
    assert_eq!(selected(), "Questions");
    // (Where the focus goes is checked end to end, in a focused browser window.)
    key("ArrowLeft");
    settle_until(|| selected() == "Scenario").await;
    key("ArrowLeft");
    settle_until(|| selected() != "Scenario").await;
    assert_eq!(
        selected(),
        "Experiment",
        "left from the first wraps to the last"
    );
    // Only the selected tab is in the Tab order.
    let tabs = root.query_selector_all("[role=tab][tabindex='0']").unwrap();
    assert_eq!(tabs.length(), 1);
}
