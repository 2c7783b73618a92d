//! Helpers shared by the browser test files: mount a root element, let
//! yew's scheduler run, read text back.
#![allow(dead_code)]

use dsviz::lab::shell::{LabPage, LabProps, LabUi};
use dsviz::route::Route;
use std::time::Duration;
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlElement};
use yew::Callback;

/// A fresh `<div>` appended to the page's body, to render a component into.
pub fn mount() -> Element {
    let doc = web_sys::window().unwrap().document().unwrap();
    let root = doc.create_element("div").unwrap();
    doc.body().unwrap().append_child(&root).unwrap();
    root
}

/// Gives yew's scheduler time to render (40 ms: enough for a lab to mount).
pub async fn settle() {
    yew::platform::time::sleep(Duration::from_millis(40)).await;
}

/// Lets yew render until `done` holds, for at most two seconds: for a
/// check that follows a click on a busy machine, where one fixed pause
/// may not be enough.
pub async fn settle_until(done: impl Fn() -> bool) {
    for _ in 0..100 {
        if done() {
            return;
        }
        yew::platform::time::sleep(Duration::from_millis(20)).await;
    }
}

/// The text of the first element matching `selector`, or "".
pub fn text(root: &Element, selector: &str) -> String {
    root.query_selector(selector)
        .unwrap()
        .and_then(|e| e.text_content())
        .unwrap_or_default()
}

/// Lab `U`'s page, mounted for the link `query`.
pub async fn lab<U: LabUi>(query: &str) -> Element {
    let root = mount();
    let props = LabProps {
        route: Route::parse(query),
        navigate: Callback::noop(),
    };
    yew::Renderer::<LabPage<U>>::with_root_and_props(root.clone(), props).render();
    settle().await;
    root
}

/// The button whose text or accessible name is `name`.
pub fn button(root: &Element, name: &str) -> HtmlElement {
    let all = root.query_selector_all("button").unwrap();
    for i in 0..all.length() {
        let b: HtmlElement = all.get(i).unwrap().dyn_into().unwrap();
        let label = b.get_attribute("aria-label").unwrap_or_default();
        if b.text_content().unwrap_or_default().trim() == name || label == name {
            return b;
        }
    }
    panic!("no button named {name}")
}
