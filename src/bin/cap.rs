//! The CAP lab's page (`cap.html`).

fn main() {
    dsviz::start_lab::<dsviz::lab::register::CapUi>(dsviz::content::sets::LAB_CAP);
}
