//! The Clocks and causality lab's page (`clocks.html`), and the browser
//! benchmarks that `scripts/bench.sh` calls on it (`window.wasmBindings.bench_*`).

use wasm_bindgen::prelude::*;

fn main() {
    dsviz::start_lab::<dsviz::lab::clocks::ClocksUi>(dsviz::content::sets::LAB_CLOCKS);
}

/// See [`dsviz::bench::clocks_timeline`].
#[wasm_bindgen]
pub fn bench_clocks_timeline(n: u32, virtual_s: f64) -> String {
    dsviz::bench::clocks_timeline(n, virtual_s)
}

/// See [`dsviz::bench::experiment`].
#[wasm_bindgen]
pub fn bench_experiment(name: &str) -> f64 {
    dsviz::bench::experiment(name)
}
