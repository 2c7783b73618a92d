//! dsviz: the web app. A yew single-page app that draws what the
//! `dsviz-sim` crate computes. See ARCHITECTURE.md for the code map.
//!
//! The app is a library (so browser tests can render its components) and a
//! thin binary that mounts it.

pub mod app;
pub mod bench;
pub mod catalog;
pub mod components;
pub mod content;
pub mod dom;
pub mod lab;
pub mod pages;
pub mod route;
pub mod study;

/// Mounts the app on the page's body.
pub fn start() {
    yew::Renderer::<app::App>::new().render();
}

/// Mounts the light home page (the release build's `index.html`).
pub fn start_home() {
    yew::Renderer::<app::LightHome>::new().render();
}
