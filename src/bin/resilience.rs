//! The Resilience lab's page (`resilience.html`).

fn main() {
    dsviz::start_lab::<dsviz::lab::resilience::ResilienceUi>(dsviz::content::sets::LAB_RESILIENCE);
}
