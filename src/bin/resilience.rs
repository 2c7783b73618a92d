//! The Resilience lab's page (`resilience.html`), and the browser
//! benchmarks that `scripts/bench.sh` calls on it (`window.wasmBindings.bench_*`).

use wasm_bindgen::prelude::*;

fn main() {
    dsviz::start_lab::<dsviz::lab::resilience::ResilienceUi>(dsviz::content::sets::LAB_RESILIENCE);
}

/// See [`dsviz::bench::resilience_timeline`].
#[wasm_bindgen]
pub fn bench_resilience_timeline(sc: &str, virtual_s: f64) -> String {
    dsviz::bench::resilience_timeline(sc, virtual_s)
}

/// See [`dsviz::bench::experiment`].
#[wasm_bindgen]
pub fn bench_experiment(name: &str) -> f64 {
    dsviz::bench::experiment(name)
}
