//! The Raft lab's page (`raft.html`), and the browser benchmarks that
//! `scripts/bench.sh` calls on it (`window.wasmBindings.bench_*`).

use wasm_bindgen::prelude::*;

fn main() {
    dsviz::start_lab::<dsviz::lab::raft::RaftUi>(dsviz::content::sets::LAB_RAFT);
}

/// See [`dsviz::bench::raft_timeline`].
#[wasm_bindgen]
pub fn bench_raft_timeline(virtual_s: f64, request_every_ms: u32) -> String {
    dsviz::bench::raft_timeline(virtual_s, request_every_ms)
}

/// See [`dsviz::bench::fig16`].
#[wasm_bindgen]
pub fn bench_fig16(trials: u32) -> f64 {
    dsviz::bench::fig16(trials)
}
