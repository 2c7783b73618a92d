//! Study mode (`study.html`): every question, reviews, mock interviews.

fn main() {
    dsviz::start_study();
}
