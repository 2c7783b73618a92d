//! One interview question: prompt first, then the model answers on
//! request, with "Show me" links into a lab and predictions the
//! simulation grades.

use crate::content::render::{render, render_compact};
use crate::content::{bank, Question};
use yew::prelude::*;

#[derive(Properties, PartialEq, Clone)]
pub struct QuestionProps {
    pub q: &'static Question,
    /// Opens an app link (a "Show me" state or a prediction).
    pub navigate: Callback<String>,
    #[prop_or(false)]
    pub open: bool,
    #[prop_or(true)]
    pub show_concept: bool,
}

/// The link that opens prediction `idx` of question `q`, paused for the learner.
pub fn prediction_link(q: &Question, idx: usize) -> String {
    format!("{}&predict={}~{idx}", q.predictions[idx].query(), q.id)
}

#[function_component(QuestionCard)]
pub fn question_card(p: &QuestionProps) -> Html {
    let revealed = use_state(|| p.open);
    let q = p.q;
    let concept = bank()
        .concept(&q.concept)
        .map(|c| c.title.clone())
        .unwrap_or_else(|| q.concept.clone());
    let toggle = {
        let revealed = revealed.clone();
        Callback::from(move |_: MouseEvent| revealed.set(!*revealed))
    };
    // A caption says what the step shows, so it stays hidden with the answer.
    let n_links = q.show_me.len();
    let links = q.show_me.iter().enumerate().map(|(i, s)| {
        let nav = p.navigate.clone();
        let query = s.query();
        let href = crate::route::href(&query);
        let onclick = Callback::from(move |e: MouseEvent| {
            e.prevent_default();
            nav.emit(query.clone());
        });
        if *revealed {
            html! { <a class="chip-link show-me" {href} {onclick}>{"▶ Show me: "}{render_compact(&s.caption)}</a> }
        } else {
            let label = if n_links > 1 { format!("▶ Show me in the lab ({})", i + 1) } else { "▶ Show me in the lab".to_string() };
            html! { <a class="chip-link show-me" {href} {onclick} title="Opens the step that demonstrates the answer; what it shows is told with the answer">{label}</a> }
        }
    });
    let predictions = q.predictions.iter().enumerate().map(|(i, _)| {
        let nav = p.navigate.clone();
        let query = prediction_link(q, i);
        let href = crate::route::href(&query);
        let onclick = Callback::from(move |e: MouseEvent| {
            e.prevent_default();
            nav.emit(query.clone());
        });
        let label = if q.predictions.len() > 1 {
            format!("? Predict what happens ({})", i + 1)
        } else {
            "? Predict what happens".into()
        };
        html! { <a class="chip-link predict" {href} {onclick}>{label}</a> }
    });
    html! {
        <article class="question" id={format!("q-{}", q.id)} aria-label={format!("Question {}", q.id)}>
            <header class="q-head">
                if p.show_concept { <span class="q-concept">{concept}</span> }
                <span class={format!("q-level l{}", q.difficulty.level())}>{q.difficulty.label()}</span>
                { for q.tags.iter().map(|t| html!{ <span class="q-tag">{format!("#{t}")}</span> }) }
            </header>
            <div class="q-prompt">{render(&q.prompt)}</div>
            <div class="q-actions">
                <button class={classes!("reveal", (*revealed).then_some("open"))} onclick={toggle} aria-expanded={revealed.to_string()}>
                    { if *revealed { "Hide answer" } else { "Reveal answer" } }
                </button>
                {for links}
                {for predictions}
            </div>
            if *revealed {
                <div class="q-answer">
                    <h4>{"Strong answer"}</h4>
                    <div class="strong">{render(&q.strong)}</div>
                    <h4>{"A typical weak answer"}</h4>
                    <div class="weak">{render(&q.weak)}</div>
                    <h4>{"Why it falls short"}</h4>
                    <div class="weak-why">{render(&q.weak_why)}</div>
                    if !q.follow_ups.is_empty() {
                        <h4>{"Follow-ups"}</h4>
                        <ul class="follow-ups">
                            { for q.follow_ups.iter().map(|f| html!{
                                <li>
                                    {render_compact(&f.prompt)}
                                    if let Some(a) = &f.answer {
                                        <details><summary>{"Answer"}</summary>{render(a)}</details>
                                    }
                                </li>
                            }) }
                        </ul>
                    }
                </div>
            }
        </article>
    }
}
