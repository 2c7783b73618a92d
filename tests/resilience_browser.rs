//! Browser tests of the Resilience lab's page (its diagram, breaker state
//! machine and fault buttons) and of the time-series chart it draws with.
#![cfg(target_arch = "wasm32")]

use dsviz::components::timeseries::{Band, Line, Props, TimeSeries};
use dsviz::lab::resilience::ResilienceUi;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::Element;

mod common;
use common::{button, lab, mount, settle, settle_until, text};

wasm_bindgen_test_configure!(run_in_browser);

fn count(root: &Element, selector: &str) -> u32 {
    root.query_selector_all(selector).unwrap().length()
}

#[wasm_bindgen_test]
async fn a_chart_draws_its_lines_breaks_them_at_gaps_and_seeks_on_click() {
    let root = mount();
    let seeks = std::rc::Rc::new(std::cell::RefCell::new(Vec::<f64>::new()));
    let got = seeks.clone();
    let props = Props {
        title: "Requests".into(),
        unit: "count".into(),
        bucket_s: 0.1,
        lines: vec![
            Line { label: "offered", class: "ts-offered", values: vec![1.0, 2.0, 3.0, 4.0], dashed: false },
            Line { label: "latency", class: "ts-p50", values: vec![5.0, f64::NAN, f64::NAN, 7.0], dashed: true },
        ],
        bands: vec![Band { from_s: 0.1, to_s: 0.2, class: "band-open" }],
        band_keys: vec![("band-open", "breaker open")],
        cursor_s: 0.3,
        span_s: 1.0,
        y_max: None,
        on_seek: Some(yew::Callback::from(move |t: f64| got.borrow_mut().push(t))),
    };
    yew::Renderer::<TimeSeries>::with_root_and_props(root.clone(), props).render();
    settle().await;
    assert_eq!(count(&root, "path.ts-line"), 2);
    assert_eq!(count(&root, "rect.ts-band"), 1);
    // The line with a gap is two pieces: two moves in its path.
    let gappy = root.query_selector("path.ts-p50").unwrap().unwrap().get_attribute("d").unwrap();
    assert_eq!(gappy.matches('M').count(), 2, "{gappy}");
    let full = root.query_selector("path.ts-offered").unwrap().unwrap().get_attribute("d").unwrap();
    assert_eq!(full.matches('M').count(), 1, "{full}");
    // The y axis rounds up to a nice number: 7 → 10.
    assert!(text(&root, "svg").contains("10"));
    assert!(text(&root, ".ts-keys").contains("breaker open"));
    // A click asks to seek to a time within the span.
    let svg = root.query_selector("svg").unwrap().unwrap();
    svg.dispatch_event(&web_sys::MouseEvent::new("click").unwrap()).unwrap();
    settle().await;
    let s = seeks.borrow();
    assert_eq!(s.len(), 1);
    assert!((0.0..=1.0).contains(&s[0]), "{s:?}");
}

#[wasm_bindgen_test]
async fn the_breaker_scenario_shows_the_state_machine_and_its_last_move() {
    let root = lab::<ResilienceUi>("?lab=resilience&sc=breaker&step=1268").await;
    settle_until(|| root.query_selector(".res-machine").unwrap().is_some()).await;
    assert!(text(&root, ".res-state.here").contains("open"), "{}", text(&root, ".res-machine"));
    assert!(text(&root, ".res-machine").contains("closed → open: 10 of the last 20 calls failed"));
    assert!(text(&root, ".status-strip").contains("A's breaker open"));
    // Two diagrams, wide and tall; the style shows one.
    assert_eq!(count(&root, "svg.res-svg"), 2);
    assert_eq!(count(&root, "figure.ts"), 2);
}

#[wasm_bindgen_test]
async fn fault_buttons_inject_commands_and_the_link_keeps_them() {
    let root = lab::<ResilienceUi>("?lab=resilience&sc=free&step=50").await;
    settle_until(|| root.query_selector(".res-svg").unwrap().is_some()).await;
    button(&root, "Take A down").click();
    settle_until(|| text(&root, ".status-strip").contains("A: down")).await;
    assert!(text(&root, ".status-strip").contains("A: down"));
    assert!(dsviz::dom::window().unwrap().location().search().unwrap().contains("down-a"));
    button(&root, "A comes back").click();
    settle_until(|| !text(&root, ".status-strip").contains("A: down")).await;
    assert!(!text(&root, ".status-strip").contains("A: down"));
}

#[wasm_bindgen_test]
async fn a_comparison_runs_the_same_outage_with_full_jitter_beside_it() {
    let root = lab::<ResilienceUi>("?lab=resilience&sc=herd&step=2799&cmp=policy:full").await;
    settle_until(|| root.query_selector(".res-compare-table").unwrap().is_some()).await;
    let table = text(&root, ".res-compare-table");
    assert!(table.contains("With full jitter"), "{table}");
    // Three requests charts' worth: this run, the comparison, the latency.
    assert_eq!(count(&root, "figure.ts"), 3);
    // Both requests charts share one scale.
    let tops: Vec<String> = (0..2)
        .map(|i| {
            let fig = root.query_selector_all("figure.ts").unwrap().item(i).unwrap();
            let ticks = fig.dyn_ref::<Element>().unwrap().query_selector_all(".ts-tick").unwrap();
            (0..ticks.length()).map(|k| ticks.item(k).unwrap().text_content().unwrap_or_default()).filter(|t| !t.ends_with(" s")).last().unwrap_or_default()
        })
        .collect();
    assert_eq!(tops[0], tops[1]);
}
