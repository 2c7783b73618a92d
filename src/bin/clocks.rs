//! The Clocks and causality lab's page (`clocks.html`).

fn main() {
    dsviz::start_lab::<dsviz::lab::clocks::ClocksUi>(dsviz::content::sets::LAB_CLOCKS);
}
