//! dsviz: the web app. A yew single-page app that draws what the
//! `dsviz-sim` crate computes. See ARCHITECTURE.md for the code map.
//!
//! The app is a library (so browser tests can render its components) and
//! one thin binary per page (`src/bin/`): the home page, study mode, and
//! each lab, so every page is its own small bundle.

pub mod app;
pub mod bench;
pub mod catalog;
pub mod components;
pub mod content;
pub mod dom;
pub mod lab;
pub mod logs;
pub mod pages;
pub mod route;
pub mod study;

/// Mounts the home page (`index.html`, and `app.html` for older links).
pub fn start_home() {
    dom::clear_boot();
    yew::Renderer::<app::LightHome>::new().render();
}

/// Mounts study mode (`study.html`), with every question.
pub fn start_study() {
    content::install(content::FILES);
    dom::clear_boot();
    yew::Renderer::<pages::StudyApp>::new().render();
}

/// Mounts lab `U`'s page, with the concept files whose questions appear
/// beside it (`content::sets::LAB_<ID>`).
pub fn start_lab<U: lab::shell::LabUi>(files: &'static [(&'static str, &'static str)]) {
    content::install(files);
    dom::clear_boot();
    yew::Renderer::<pages::LabApp<U>>::new().render();
}
