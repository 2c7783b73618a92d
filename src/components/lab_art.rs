//! Card art for the home page, one small picture per lab.

use super::icons;
use yew::prelude::*;

/// The picture for a lab's card: the lab's own where it has one, else a
/// neutral ring of nodes (so a new lab's card never borrows another's).
pub fn art(lab: &str) -> Html {
    match lab {
        "raft" => icons::raft_art(),
        "cap" => cap_art(),
        "quorum" => quorum_art(),
        _ => ring_art(),
    }
}

/// Six nodes on a ring, talking to their neighbours.
pub fn ring_art() -> Html {
    let at = |i: usize| {
        let a = std::f64::consts::TAU * i as f64 / 6.0 - std::f64::consts::FRAC_PI_2;
        (60.0 + 40.0 * a.cos(), 56.0 + 40.0 * a.sin())
    };
    let links = (0..6).map(|i| {
        let ((x1, y1), (x2, y2)) = (at(i), at((i + 1) % 6));
        html! { <line x1={format!("{x1:.1}")} y1={format!("{y1:.1}")} x2={format!("{x2:.1}")} y2={format!("{y2:.1}")} /> }
    });
    let nodes = (0..6).map(|i| {
        let (x, y) = at(i);
        html! { <circle class="majority" cx={format!("{x:.1}")} cy={format!("{y:.1}")} r="9" /> }
    });
    html! {
        <svg viewBox="0 0 120 112" class="art art-cap">
            <g class="links">{for links}</g>
            {for nodes}
        </svg>
    }
}

/// Five replicas cut in two by a partition: a minority and a majority.
pub fn cap_art() -> Html {
    html! {
        <svg viewBox="0 0 120 112" class="art art-cap">
            <g class="links">
                <line x1="26" y1="34" x2="26" y2="78" />
                <line x1="82" y1="22" x2="102" y2="56" /><line x1="102" y1="56" x2="82" y2="90" /><line x1="82" y1="90" x2="82" y2="22" />
            </g>
            <line class="cut" x1="52" y1="6" x2="52" y2="106" />
            <circle class="minority" cx="26" cy="34" r="11" />
            <circle class="minority" cx="26" cy="78" r="11" />
            <circle class="majority" cx="82" cy="22" r="11" />
            <circle class="majority" cx="102" cy="56" r="11" />
            <circle class="majority" cx="82" cy="90" r="11" />
        </svg>
    }
}

/// A write quorum and a read quorum that share one replica.
pub fn quorum_art() -> Html {
    let xs = [14.0, 37.0, 60.0, 83.0, 106.0];
    let nodes = xs.iter().enumerate().map(|(i, x)| {
        let class = match i {
            0 | 1 => "write",
            2 => "both",
            _ => "read",
        };
        html! { <circle class={class} cx={format!("{x:.1}")} cy="56" r="9.5" /> }
    });
    html! {
        <svg viewBox="0 0 120 112" class="art art-quorum">
            <rect class="wset" x="2" y="40" width="72" height="32" rx="16" />
            <rect class="rset" x="46" y="40" width="72" height="32" rx="16" />
            {for nodes}
            <text class="tag w" x="30" y="32">{"W"}</text>
            <text class="tag r" x="90" y="90">{"R"}</text>
        </svg>
    }
}
