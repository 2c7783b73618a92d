//! dsviz: the web app. A yew single-page app that draws what the
//! `dsviz-sim` crate computes. See ARCHITECTURE.md for the code map.

mod app;
mod catalog;
mod components;
mod dom;
mod lab;
mod route;

fn main() {
    yew::Renderer::<app::App>::new().render();
}
