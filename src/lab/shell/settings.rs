//! The Settings tab, generated from the lab's parameter table: a field per
//! parameter (a select for a small count, number inputs in the unit the
//! table says to show, two for a range, a checkbox for a flag, the safety
//! rules apart with what each one protects), greyed out where the current
//! configuration makes a parameter moot. Applying recomputes the run with
//! the learner's events, as every change of settings does.

use super::{Config, LabPage, LabUi, Msg};
use dsviz_sim::labs::params::{self, fmt_num, Group, Kind, Param, Value};
use dsviz_sim::labs::{Lab, Run};
use yew::html::Scope;
use yew::prelude::*;

/// Which end of a range an input edits.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Part {
    Whole,
    Min,
    Max,
}

/// A field of the form.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Field {
    Param(&'static str, Part),
    Seed,
}

/// The settings being edited, not yet applied.
pub struct Draft<U: LabUi> {
    pub config: Config<U>,
    pub seed: String,
    /// What editing found (a value out of range), said when applying.
    notes: Vec<String>,
}

/// Small counts get a select; larger ones a number input.
const SELECT_SPAN_MAX: i64 = 12;

fn table<U: LabUi>() -> &'static [Param<Config<U>>] {
    U::Lab::params()
}

/// A number typed in the shown unit, as link text in the table's unit.
fn to_link(p: &Param<impl Sized>, typed: &str) -> String {
    let Ok(v) = typed.trim().parse::<f64>() else {
        return typed.trim().to_string();
    };
    let factor = p.shown.map(|s| s.factor).unwrap_or(1.0);
    let v = v / factor;
    match p.kind {
        Kind::Float { .. } => format!("{v}"),
        _ => format!("{}", v.round() as i64),
    }
}

/// A link value as the form shows it.
fn shown(p: &Param<impl Sized>, v: f64) -> String {
    let factor = p.shown.map(|s| s.factor).unwrap_or(1.0);
    let x = (v * factor * 1e6).round() / 1e6;
    format!("{x}")
}

impl<U: LabUi> Draft<U> {
    pub fn of(run: &Run<U::Lab>) -> Draft<U> {
        Draft {
            config: run.config.clone(),
            seed: run.seed.to_string(),
            notes: Vec::new(),
        }
    }

    /// Takes one field's new text.
    pub fn edit(&mut self, _run: &Run<U::Lab>, field: Field, typed: &str) {
        let (key, part) = match field {
            Field::Seed => {
                self.seed = typed.to_string();
                return;
            }
            Field::Param(k, part) => (k, part),
        };
        let Some(p) = table::<U>().iter().find(|p| p.key == key) else {
            return;
        };
        let text = match (p.kind, part) {
            (Kind::Range { .. }, Part::Min | Part::Max) => {
                let (a, b) = (p.get)(&self.config).as_range();
                let v = to_link(p, typed);
                if part == Part::Min {
                    format!("{v}-{b}")
                } else {
                    format!("{a}-{v}")
                }
            }
            (Kind::Flag | Kind::Choice(_) | Kind::List { .. }, _) => typed.trim().to_string(),
            _ => to_link(p, typed),
        };
        match params::set_one(table::<U>(), &self.config, key, &text, |c| c) {
            Ok((c, mut warnings)) => {
                self.config = c;
                self.notes.append(&mut warnings);
            }
            Err(e) => self.notes.push(e),
        }
    }

    /// The configuration and seed to apply, and what had to be adjusted.
    pub fn resolve(&self, run: &Run<U::Lab>) -> (Config<U>, u64, Vec<String>) {
        let mut notes: Vec<String> = Vec::new();
        for n in &self.notes {
            if !notes.contains(n) {
                notes.push(n.clone());
            }
        }
        let mut config =
            <<U::Lab as Lab>::P as dsviz_sim::labs::lab::Model>::clamp(self.config.clone());
        if config != self.config && notes.is_empty() {
            notes.push("some values did not fit the other settings and were adjusted".into());
        }
        U::Lab::check(&mut config, &run.config, &mut notes);
        let seed = match self.seed.trim().parse::<u64>() {
            Ok(s) if s <= dsviz_sim::labs::lab::SEED_MAX => s,
            _ => {
                notes.push(format!(
                    "the seed must be a whole number up to {}, so it was kept",
                    fmt_num(dsviz_sim::labs::lab::SEED_MAX as f64)
                ));
                run.seed
            }
        };
        (config, seed, notes)
    }
}

fn label_of(p: &Param<impl Sized>) -> String {
    let unit = p.shown.map(|s| s.unit).unwrap_or(p.unit);
    if unit.is_empty() {
        p.label.to_string()
    } else {
        format!("{} ({unit})", p.label)
    }
}

fn field<U: LabUi>(
    page: &LabPage<U>,
    link: &Scope<LabPage<U>>,
    p: &'static Param<Config<U>>,
) -> Html {
    let d = &page.draft.config;
    let disabled = p.when.is_some_and(|w| !w(d));
    let key = p.key;
    let input = |part: Part| {
        link.callback(move |e: Event| {
            let el: web_sys::HtmlInputElement = e.target_unchecked_into();
            Msg::Draft(Field::Param(key, part), el.value())
        })
    };
    let select = link.callback(move |e: Event| {
        let el: web_sys::HtmlSelectElement = e.target_unchecked_into();
        Msg::Draft(Field::Param(key, Part::Whole), el.value())
    });
    let bounds = p.bounds(d).unwrap_or((0.0, 0.0));
    let (lo, hi) = (shown(p, bounds.0), shown(p, bounds.1));
    let step = match (p.kind, p.shown) {
        (Kind::Float { .. }, Some(s)) if s.factor >= 100.0 => "1",
        (Kind::Float { .. }, _) => "any",
        (_, Some(s)) if s.factor < 1.0 => "0.1",
        _ => "1",
    };
    let value = (p.get)(d);
    let help = p.help;
    match (p.kind, &value) {
        (Kind::Int { .. }, Value::Int(v))
            if p.shown.is_none() && bounds.1 - bounds.0 <= SELECT_SPAN_MAX as f64 =>
        {
            let (a, b) = (bounds.0 as i64, bounds.1 as i64);
            html! {
                <label class="field" title={help}><span>{label_of(p)}</span>
                    <select onchange={select} {disabled}>{ for (a..=b).map(|k| html!{ <option value={k.to_string()} selected={k == *v}>{k}</option> }) }</select>
                </label>
            }
        }
        (Kind::Int { .. } | Kind::Float { .. }, v) => html! {
            <label class="field" title={help}><span>{label_of(p)}</span>
                <input type="number" min={lo} max={hi} {step} value={shown(p, v.as_float())} onchange={input(Part::Whole)} {disabled} />
            </label>
        },
        (Kind::Range { .. }, Value::Range(a, b)) => {
            let unit = p.shown.map(|s| s.unit).unwrap_or(p.unit);
            let unit = if unit.is_empty() {
                String::new()
            } else {
                format!(" ({unit})")
            };
            html! {
                <>
                    <label class="field" title={help}><span>{format!("{} min{unit}", p.label)}</span>
                        <input type="number" min={lo.clone()} max={hi.clone()} {step} value={shown(p, *a as f64)} onchange={input(Part::Min)} {disabled} />
                    </label>
                    <label class="field" title={help}><span>{format!("{} max{unit}", p.label)}</span>
                        <input type="number" min={lo} max={hi} {step} value={shown(p, *b as f64)} onchange={input(Part::Max)} {disabled} />
                    </label>
                </>
            }
        }
        (Kind::Choice(choices), v) => html! {
            <label class="field" title={help}><span>{label_of(p)}</span>
                <select onchange={select} {disabled}>
                    { for choices.iter().map(|c| html!{ <option value={c.value} selected={c.value == v.as_choice()}>{c.label}</option> }) }
                </select>
            </label>
        },
        (Kind::List { .. }, v) => {
            let text = v
                .as_list()
                .iter()
                .map(|x| x.to_string())
                .collect::<Vec<_>>()
                .join(",");
            html! {
                <label class="field wide" title={help}><span>{format!("{}, comma-separated", label_of(p))}</span>
                    <input type="text" value={text} onchange={input(Part::Whole)} aria-label={p.label} {disabled} />
                </label>
            }
        }
        (Kind::Flag, v) => {
            let on = v.as_flag();
            let toggle = link.callback(move |_: Event| {
                Msg::Draft(
                    Field::Param(key, Part::Whole),
                    if on { "0".into() } else { "1".into() },
                )
            });
            html! {
                <label class="check-field" title={help}>
                    <input type="checkbox" checked={on} onchange={toggle} {disabled} />
                    <span><b>{p.label}</b>{format!(" — {help}")}</span>
                </label>
            }
        }
        _ => Html::default(),
    }
}

/// The Settings tab.
pub fn view<U: LabUi>(page: &LabPage<U>, link: &Scope<LabPage<U>>) -> Html {
    let settings = table::<U>()
        .iter()
        .filter(|p| p.group == Group::Setting && !matches!(p.kind, Kind::Flag));
    let flags: Vec<&'static Param<Config<U>>> = table::<U>()
        .iter()
        .filter(|p| p.group == Group::Setting && matches!(p.kind, Kind::Flag))
        .collect();
    let safety: Vec<&'static Param<Config<U>>> = table::<U>()
        .iter()
        .filter(|p| p.group == Group::Safety)
        .collect();
    let on_seed = link.callback(|e: Event| {
        let el: web_sys::HtmlInputElement = e.target_unchecked_into();
        Msg::Draft(Field::Seed, el.value())
    });
    html! {
        <form class="settings" onsubmit={link.callback(|e: SubmitEvent| { e.prevent_default(); Msg::ApplySettings })}>
            <div class="grid2">
                { for settings.map(|p| field(page, link, p)) }
                <label class="field"><span>{"Seed"}</span>
                    <span class="with-btn">
                        <input type="text" inputmode="numeric" value={page.draft.seed.clone()} onchange={on_seed} />
                        <button type="button" aria-label="New random seed" onclick={link.callback(|_| Msg::NewSeed)}>{"Random"}</button>
                    </span>
                </label>
            </div>
            if !flags.is_empty() {
                <fieldset class="switches">
                    <legend>{"Options"}</legend>
                    { for flags.into_iter().map(|p| field(page, link, p)) }
                </fieldset>
            }
            if !safety.is_empty() {
                <fieldset class="switches">
                    <legend>{"Safety rules"}</legend>
                    { for safety.into_iter().map(|p| field(page, link, p)) }
                </fieldset>
            }
            <p class="muted">{"Applying recomputes the run from the start, replaying your faults and requests at the same virtual times. Each field's range is its input's; hover a field for what it does."}</p>
            <div class="row">
                <button type="submit" class="primary">{"Apply"}</button>
                <button type="button" onclick={link.callback(|_| Msg::RevertSettings)}>{"Scenario defaults"}</button>
            </div>
        </form>
    }
}
