//! The named safety invariants with live pass or fail, and the story of
//! each violation with a button to go to its step.

use yew::prelude::*;

#[derive(Clone, PartialEq)]
pub struct InvariantRow {
    pub name: &'static str,
    pub statement: &'static str,
    /// (step, time, explanation) of the first violation at or before the cursor.
    pub broken: Option<(u64, String, String)>,
}

#[derive(Properties, PartialEq)]
pub struct InvariantsProps {
    pub rows: Vec<InvariantRow>,
    pub checked_steps: u64,
    pub on_seek: Callback<u64>,
}

#[function_component(Invariants)]
pub fn invariants(p: &InvariantsProps) -> Html {
    let rows = p.rows.iter().map(|r| {
        let status = if r.broken.is_some() { "violated" } else { "holds" };
        let story = r.broken.as_ref().map(|(step, time, why)| {
            let step = *step;
            let cb = p.on_seek.clone();
            html! {
                <div class="story">
                    <p>{format!("Broken at step {step} ({time}): ")}{why}</p>
                    <button class="small" onclick={Callback::from(move |_: MouseEvent| cb.emit(step))}>{format!("Go to step {step}")}</button>
                </div>
            }
        });
        html! {
            <li class={classes!("inv", status)} aria-label={format!("{}: {}", r.name, status)}>
                <div class="inv-head">
                    <span class="badge" aria-hidden="true">{ if r.broken.is_some() { "✗" } else { "✓" } }</span>
                    <strong>{r.name}</strong>
                    <span class="status">{status}</span>
                </div>
                <p class="statement">{r.statement}</p>
                {for story}
            </li>
        }
    });
    html! {
        <div>
            <p class="muted">{format!("Checked after each of the {} steps so far.", p.checked_steps)}</p>
            <ul class="invariants">{for rows}</ul>
        </div>
    }
}

/// One row per named invariant of the world's protocol, broken if a
/// violation of it is recorded at or before the cursor.
pub fn rows_for<P: dsviz_sim::kernel::Protocol>(
    w: &dsviz_sim::kernel::World<P>,
) -> Vec<InvariantRow> {
    w.proto
        .invariants()
        .iter()
        .map(|inv| InvariantRow {
            name: inv.name,
            statement: inv.statement,
            broken: w
                .violations
                .iter()
                .find(|v| v.invariant == inv.name)
                .map(|v| {
                    (
                        v.step,
                        dsviz_sim::kernel::fmt_time(v.time_us),
                        v.explanation.clone(),
                    )
                }),
        })
        .collect()
}
