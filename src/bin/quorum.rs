//! The Quorum lab's page (`quorum.html`).

fn main() {
    dsviz::start_lab::<dsviz::lab::register::QuorumUi>(dsviz::content::sets::LAB_QUORUM);
}
