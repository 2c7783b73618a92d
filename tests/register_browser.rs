//! Browser tests of the CAP and Quorum labs and their components: each
//! renders a real component into the page, clicks it, and reads the DOM back.
#![cfg(target_arch = "wasm32")]

use dsviz::components::history::{
    HistoryLanes, HistoryPanel, LaneOp, LanesProps, OpStatus, PanelProps, TimeFmt,
};
use dsviz::lab::register::{CapUi, QuorumUi};
use dsviz_sim::history::{Op, OpKind};
use dsviz_sim::labs::register::scenarios;
use std::rc::Rc;
use std::time::Duration;
use wasm_bindgen_test::*;
use web_sys::Element;
use yew::prelude::*;

mod common;
use common::{button, lab, mount, settle, text};

wasm_bindgen_test_configure!(run_in_browser);

fn count(root: &Element, selector: &str) -> u32 {
    root.query_selector_all(selector).unwrap().length()
}

fn op(
    lane: usize,
    kind: OpKind,
    label: &str,
    invoke: u64,
    response: Option<u64>,
    status: OpStatus,
    flags: Vec<&'static str>,
) -> LaneOp {
    LaneOp {
        lane,
        kind,
        label: label.into(),
        invoke,
        response,
        status,
        flags,
        describe: label.into(),
    }
}

#[wasm_bindgen_test]
async fn history_lanes_draw_one_lane_per_client_and_flag_stale_reads() {
    let root = mount();
    let ops = vec![
        op(
            0,
            OpKind::Write,
            "W 1",
            0,
            Some(20_000),
            OpStatus::Ok,
            vec![],
        ),
        op(
            1,
            OpKind::Read,
            "R ∅",
            30_000,
            Some(50_000),
            OpStatus::Ok,
            vec!["stale"],
        ),
        op(
            2,
            OpKind::Write,
            "W 2",
            10_000,
            Some(210_000),
            OpStatus::Refused,
            vec![],
        ),
        op(
            1,
            OpKind::Read,
            "R",
            60_000,
            None,
            OpStatus::Pending,
            vec![],
        ),
    ];
    let props = LanesProps {
        ops: Rc::new(ops),
        lanes: Rc::new(vec!["C1".into(), "C2".into(), "C3".into()]),
        now: Some(100_000),
        range: None,
        fmt: TimeFmt::Micros,
        marks: Rc::new(vec![]),
        selected: None,
        on_select: Callback::noop(),
        label: "History".into(),
    };
    yew::Renderer::<HistoryLanes>::with_root_and_props(root.clone(), props).render();
    settle().await;
    assert_eq!(count(&root, ".hist-lane"), 3, "one lane per client");
    assert_eq!(count(&root, ".hop"), 4);
    assert_eq!(count(&root, ".hop.flagged"), 1);
    let stale = root.query_selector(".hop.flagged").unwrap().unwrap();
    assert!(stale
        .get_attribute("aria-label")
        .unwrap()
        .contains("flagged stale"));
    assert_eq!(count(&root, ".hop.refused"), 1);
    assert_eq!(
        count(&root, ".hop.pending.open"),
        1,
        "the unanswered read is open-ended"
    );
    assert_eq!(
        count(&root, ".hist-now"),
        3,
        "the now line crosses every lane"
    );
}

#[wasm_bindgen_test]
async fn history_panel_checks_and_refuses_a_bad_paste_without_losing_anything() {
    let root = mount();
    // C2 reads the empty register after C1's write of 1 finished: not linearizable.
    let history = vec![
        Op {
            client: 0,
            kind: OpKind::Write,
            value: Some(1),
            expected: None,
            ok: true,
            invoke: 0,
            response: Some(10),
        },
        Op {
            client: 1,
            kind: OpKind::Read,
            value: None,
            expected: None,
            ok: true,
            invoke: 20,
            response: Some(30),
        },
    ];
    let ops = vec![
        op(0, OpKind::Write, "W 1", 0, Some(10), OpStatus::Ok, vec![]),
        op(
            1,
            OpKind::Read,
            "R ∅",
            20,
            Some(30),
            OpStatus::Ok,
            vec!["stale"],
        ),
    ];
    let props = PanelProps {
        title: "History".into(),
        ops: Rc::new(ops),
        history: Rc::new(history),
        lanes: Rc::new(vec!["C1".into(), "C2".into()]),
        now: 40,
        export_name: "test".into(),
        selected: None,
        on_select: Callback::noop(),
        import: true,
    };
    yew::Renderer::<HistoryPanel>::with_root_and_props(root.clone(), props).render();
    settle().await;
    button(&root, "Check").click();
    yew::platform::time::sleep(Duration::from_millis(150)).await;
    let report = text(&root, ".check-report");
    assert!(report.contains("Not linearizable."), "{report}");
    assert!(
        count(&root, ".hop.culprit") >= 1,
        "the culprit is ringed in the lanes"
    );

    button(&root, "Paste").click();
    settle().await;
    let area = root.query_selector("textarea").unwrap().unwrap();
    js_sys::Reflect::set(
        &area,
        &"value".into(),
        &"[{\"client\": 1, \"op\": \"frob\", \"invoke\": 0}]".into(),
    )
    .unwrap();
    let ev = web_sys::Event::new("input").unwrap();
    area.dispatch_event(&ev).unwrap();
    button(&root, "Load and check").click();
    settle().await;
    let alert = text(&root, ".import-error");
    assert!(
        alert.contains("Could not import") && alert.contains("operation 0"),
        "{alert}"
    );
    assert_eq!(
        count(&root, ".hist-lane"),
        2,
        "the lab's own history is still shown"
    );
}

#[wasm_bindgen_test]
async fn cap_lab_mounts_from_a_link_and_counts_the_refusal() {
    // Where the scenario has made its point.
    let sc = scenarios::cap()
        .into_iter()
        .find(|s| s.id == "cp-refuses-minority")
        .unwrap();
    let step = sc.run_to_pause(sc.seed).cursor();
    let root = lab::<CapUi>(&format!("?lab=cap&sc=cp-refuses-minority&step={step}")).await;
    assert_eq!(text(&root, ".clock .step"), format!("step {step}"));
    for i in 1..=5 {
        assert!(
            root.query_selector(&format!("[aria-label^=\"R{i}, \"]"))
                .unwrap()
                .is_some(),
            "R{i} glyph"
        );
    }
    let refused = text(
        &root,
        "table.counters tr.row-refused td[data-side=\"minority\"]",
    );
    assert_eq!(refused, "1", "one refusal on the minority side");
    assert!(count(&root, ".hist-lane") == 2, "two clients, two lanes");
}

#[wasm_bindgen_test]
async fn bad_register_links_show_a_message_and_fall_back() {
    let root = lab::<CapUi>("?lab=cap&sc=nope&n=99&mode=quorum&inj=zz,4:crash.42&step=-3").await;
    let banner = text(&root, ".banner.warn");
    for part in [
        "no CAP and PACELC scenario called 'nope'",
        "n=99",
        "'quorum' is not cp or ap",
        "zz",
        "crash.42",
        "step='-3'",
    ] {
        assert!(banner.contains(part), "banner lacks {part:?}: {banner}");
    }
    assert!(
        root.query_selector("[aria-label^=\"R7, \"]")
            .unwrap()
            .is_some(),
        "n clamped to 7"
    );
    assert_eq!(text(&root, ".clock .step"), "step 0");
}

#[wasm_bindgen_test]
async fn quorum_lab_steppers_and_pbs_closed_form() {
    let root = lab::<QuorumUi>("?lab=quorum&sc=quorum-stale").await;
    assert!(text(&root, ".quorum-rule").contains("W + R = 2 ≤ N = 3"));
    button(&root, "PBS").click();
    settle().await;
    let formula = text(&root, ".formula-expr");
    assert!(
        formula.contains("2/3") && formula.contains("0.667"),
        "{formula}"
    );
    button(&root, "Increase W").click();
    settle().await;
    assert!(text(&root, ".quorum-rule").contains("W + R = 3 ≤ N = 3"));
    assert!(
        text(&root, ".formula-expr").contains("1/3 ≈ 0.333"),
        "{}",
        text(&root, ".formula-expr")
    );
    button(&root, "Increase R").click();
    settle().await;
    assert!(text(&root, ".quorum-rule").contains("W + R = 4 > N = 3"));
    assert!(
        text(&root, ".formula-expr").contains("= 0 ≈ 0.000"),
        "W + R > N never misses"
    );
}

#[wasm_bindgen_test]
async fn compare_view_runs_both_modes() {
    let root = lab::<CapUi>("?lab=cap&cmp=1").await;
    assert_eq!(count(&root, "svg.reg-diagram"), 2);
    assert_eq!(count(&root, ".compare-side"), 2);
    button(&root, "Split minority | majority").click();
    settle().await;
    // The partition reaches both runs.
    assert_eq!(count(&root, ".compare-side .pill.warn"), 2);
}
