//! Browser tests of the app's components: each renders a real component
//! into the page, clicks it, and reads the DOM back.
#![cfg(target_arch = "wasm32")]

use dsviz::components::transport::{Transport, TransportProps};
use dsviz::lab::raft::RaftUi;
use dsviz::lab::shell::{LabPage, LabProps};
use dsviz::route::Route;
use std::cell::Cell;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{Element, HtmlElement};
use yew::prelude::*;

mod common;
use common::{mount, settle, text};

wasm_bindgen_test_configure!(run_in_browser);

fn by_label(root: &Element, label: &str) -> HtmlElement {
    root.query_selector(&format!("[aria-label=\"{label}\"]"))
        .unwrap()
        .unwrap_or_else(|| panic!("no element labelled {label}"))
        .dyn_into()
        .unwrap()
}

async fn lab(query: &str) -> Element {
    let root = mount();
    let props = LabProps {
        route: Route::parse(query),
        navigate: Callback::noop(),
    };
    yew::Renderer::<LabPage<RaftUi>>::with_root_and_props(root.clone(), props).render();
    settle().await;
    root
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
    let root = lab("?lab=raft").await;
    for i in 1..=5 {
        let sel = format!("[aria-label^=\"S{i}, follower, term 0\"]");
        assert!(root.query_selector(&sel).unwrap().is_some(), "S{i} glyph");
    }
    assert_eq!(text(&root, ".clock .step"), "step 0");
    by_label(&root, "Step forward").click();
    settle().await;
    assert_eq!(text(&root, ".clock .step"), "step 1");
    by_label(&root, "Step back").click();
    settle().await;
    assert_eq!(text(&root, ".clock .step"), "step 0");
}

#[wasm_bindgen_test]
async fn a_link_reopens_at_its_step_with_its_injections() {
    let root = lab("?lab=raft&sc=first-election&seed=1&inj=40:crash.0&step=60").await;
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
    let root = lab("?lab=raft&sc=nope&seed=abc&n=99&eto=9-x&inj=zz,5:crash.42&step=-3").await;
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
    let root = lab("?lab=raft").await;
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
