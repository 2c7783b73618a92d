//! Inline SVG icons and art, drawn here so the app loads no image files.

use yew::prelude::*;

pub fn logo() -> Html {
    html! {
        <svg class="logo" viewBox="0 0 32 32" aria-hidden="true">
            <path d="M8 22 L16 8 L24 22 Z" fill="none" stroke="currentColor" stroke-width="2" stroke-linejoin="round" opacity="0.55" />
            <circle cx="16" cy="8" r="4.5" fill="#22c55e" />
            <circle cx="8" cy="22" r="4.5" fill="currentColor" />
            <circle cx="24" cy="22" r="4.5" fill="currentColor" />
        </svg>
    }
}

/// A small picture of a five-server cluster for the Raft card.
pub fn raft_art() -> Html {
    let pts: Vec<(f64, f64)> = (0..5)
        .map(|i| {
            let a = -std::f64::consts::FRAC_PI_2 + i as f64 * std::f64::consts::TAU / 5.0;
            (60.0 + 40.0 * a.cos(), 56.0 + 40.0 * a.sin())
        })
        .collect();
    let lines = pts.iter().skip(1).map(|(x, y)| {
        html! { <line x1={format!("{:.1}", pts[0].0)} y1={format!("{:.1}", pts[0].1)} x2={format!("{x:.1}")} y2={format!("{y:.1}")} /> }
    });
    let nodes = pts.iter().enumerate().map(|(i, (x, y))| {
        html! { <circle class={if i == 0 { "lead" } else { "fol" }} cx={format!("{x:.1}")} cy={format!("{y:.1}")} r="11" /> }
    });
    html! {
        <svg viewBox="0 0 120 112" class="art">
            <g class="links">{for lines}</g>
            {for nodes}
            <circle class="pkt" r="3.5" cx="60" cy="36" />
            <circle class="pkt" r="3.5" cx="84" cy="50" />
        </svg>
    }
}

fn icon(path: &'static str) -> Html {
    html! {
        <svg class="icon" viewBox="0 0 24 24" aria-hidden="true" focusable="false">
            <path d={path} fill="currentColor" />
        </svg>
    }
}

pub fn play() -> Html {
    icon("M7 4.5v15a1 1 0 0 0 1.5.86l12.5-7.5a1 1 0 0 0 0-1.72L8.5 3.64A1 1 0 0 0 7 4.5z")
}
pub fn pause() -> Html {
    icon("M6 4h4v16H6zM14 4h4v16h-4z")
}
pub fn step_forward() -> Html {
    icon("M5 5.2v13.6a.8.8 0 0 0 1.2.7L16 13.3V19h2.5V5H16v5.7L6.2 4.5A.8.8 0 0 0 5 5.2z")
}
pub fn step_back() -> Html {
    icon("M19 5.2v13.6a.8.8 0 0 1-1.2.7L8 13.3V19H5.5V5H8v5.7l9.8-6.2a.8.8 0 0 1 1.2.7z")
}
pub fn reset() -> Html {
    icon("M12 4a8 8 0 1 1-7.75 10h2.1A6 6 0 1 0 12 6c-1.66 0-3.14.69-4.22 1.78L10 10H4V4l2.35 2.35A7.96 7.96 0 0 1 12 4z")
}
