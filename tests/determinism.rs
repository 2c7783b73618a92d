//! The simulation gives the same trace in the browser as natively: the
//! golden run's fingerprint equals the one the native test pins.
#![cfg(target_arch = "wasm32")]

use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
fn golden_trace_hash_matches_native() {
    let expected: u64 = include_str!("../sim/tests/golden_trace_hash.txt")
        .trim()
        .parse()
        .unwrap();
    assert_eq!(
        dsviz_sim::labs::raft::scenarios::golden_trace_hash(),
        expected
    );
}

#[wasm_bindgen_test]
fn every_scenario_keeps_its_promise_in_wasm() {
    for sc in dsviz_sim::labs::raft::scenarios::all() {
        let t = sc.run_to_pause(sc.seed);
        assert_eq!((sc.expect)(t.world()), Ok(()), "scenario {}", sc.id);
    }
}
