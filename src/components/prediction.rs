//! A prediction the learner answers in a lab: found from a link
//! (`&predict=<question>~<n>`), graded by running the simulation, recorded
//! in study progress, and drawn as a card above the diagram. Shared by
//! every lab page.

use crate::content::render::render_compact;
use crate::content::{self, Grade, Prediction, Question};
use crate::route::truncate;
use crate::study::store;
use yew::prelude::*;

pub struct ActivePrediction {
    pub q: &'static Question,
    pub idx: usize,
    pub chosen: Option<String>,
    pub grade: Option<Result<Grade, String>>,
}

impl ActivePrediction {
    pub fn p(&self) -> &'static Prediction {
        &self.q.predictions[self.idx]
    }

    /// Finds the prediction a link names (`id~index`), checking it belongs
    /// to this lab, scenario and step.
    pub fn find(lab: &str, v: &str, scenario: &str, step: u64) -> Result<ActivePrediction, String> {
        let bad = || {
            format!(
                "The link names a prediction '{}' that does not exist.",
                truncate(v, 40)
            )
        };
        let (id, idx) = v.split_once('~').ok_or_else(bad)?;
        let idx: usize = idx.parse().map_err(|_| bad())?;
        let q = content::bank().question(id).ok_or_else(bad)?;
        let p = q.predictions.get(idx).ok_or_else(bad)?;
        if p.lab != lab || p.scenario != scenario || p.at_step != step {
            return Err(format!(
                "The prediction '{}' belongs to another lab, scenario or step, so it is not shown.",
                truncate(v, 40)
            ));
        }
        Ok(ActivePrediction {
            q,
            idx,
            chosen: None,
            grade: None,
        })
    }

    /// The link parameter value naming this prediction.
    pub fn param(&self) -> String {
        format!("{}~{}", self.q.id, self.idx)
    }

    /// Grades `choice` with `grade` (which runs the lab's simulation) and
    /// records the result in study progress. Returns a message if the
    /// result could not be saved. Does nothing (and returns `None`) if
    /// already answered.
    pub fn answer(
        &mut self,
        choice: String,
        grade: impl Fn(&Prediction, &str) -> Result<Grade, String>,
    ) -> Option<String> {
        if self.chosen.is_some() {
            return None;
        }
        let grade = grade(self.p(), &choice);
        let mut problem = None;
        if let Ok(g) = &grade {
            let (mut progress, _) = store::load();
            progress.record_prediction(&format!("{}#{}", self.q.id, self.idx), g.correct);
            if let Err(e) = store::save(&progress) {
                problem = Some(format!("Your answer was graded but not saved: {e}."));
            }
        }
        self.chosen = Some(choice);
        self.grade = Some(grade);
        problem
    }

    /// The card: the question, the options, and once answered the verdict.
    pub fn card(&self, playing: bool, on_answer: Callback<String>, on_end: Callback<()>) -> Html {
        let p = self.p();
        let options = p.options.iter().map(|o| {
            let choice = o.clone();
            let chosen = self.chosen.as_deref() == Some(o.as_str());
            let actual = matches!(&self.grade, Some(Ok(g)) if g.actual == *o);
            let class = classes!("option", chosen.then_some("chosen"), (self.chosen.is_some() && actual).then_some("actual"));
            let on_answer = on_answer.clone();
            html! {
                <button {class} disabled={self.chosen.is_some()} onclick={Callback::from(move |_: MouseEvent| on_answer.emit(choice.clone()))}>{o}</button>
            }
        });
        let verdict = match (&self.chosen, &self.grade) {
            (Some(c), Some(Ok(g))) => html! {
                <div class={classes!("verdict", if g.correct { "right" } else { "wrong" })} role="status">
                    <strong>{ if g.correct { "Right." } else { "Not quite." } }</strong>
                    {format!(" You said {c}; the simulation says {}. ", g.actual)}
                    {render_compact(&p.explanation)}
                    <p class="muted">{ if playing { "Watch it happen: the run is playing to that moment." } else { "Step back and forth to see why." } }</p>
                </div>
            },
            (Some(_), Some(Err(e))) => {
                html! { <div class="verdict wrong" role="status">{format!("This prediction could not be graded: {e}.")}</div> }
            }
            _ => {
                html! { <p class="muted">{"The run is paused here. Choose an answer; then the simulation plays on and grades it."}</p> }
            }
        };
        let end = Callback::from(move |_: MouseEvent| on_end.emit(()));
        html! {
            <section class="prediction" aria-label="Prediction">
                <div class="prediction-head">
                    <span class="badge-predict">{"Predict"}</span>
                    <span class="q-ref">{&self.q.id}</span>
                    <button class="linklike" onclick={end}>{ if self.chosen.is_some() { "Done" } else { "Skip" } }</button>
                </div>
                <p class="prediction-q">{render_compact(&p.question)}</p>
                <div class="options" role="group" aria-label="Your prediction">{for options}</div>
                {verdict}
            </section>
        }
    }
}
