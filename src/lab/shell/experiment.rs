//! The Experiment tab, generated from the lab's experiment list: each
//! experiment's essay and arguments, a run in animation-frame slices with
//! progress and Cancel (the page stays responsive), and its charts (drawn
//! with plotters), results table and reading note.

use super::{LabPage, LabUi, Msg};
use crate::components::chart::{cdf_svg, lines_svg};
use crate::components::tvis_chart::{t_visibility_svg, Curve};
use crate::dom;
use dsviz_sim::labs::experiment::{read_args, ChartKind, ExpOutput, Experiment, ExperimentRun};
use dsviz_sim::labs::params::{fmt_num, Kind};
use dsviz_sim::labs::Lab;
use gloo::render::{request_animation_frame, AnimationFrame};
use std::collections::BTreeMap;
use yew::html::Scope;
use yew::prelude::*;

/// Wall time one frame may spend on trials, so the page keeps drawing.
const SLICE_MS: f64 = 12.0;
/// A quick run is this fraction of the default number of trials.
const QUICK_DIVISOR: i64 = 10;

/// One experiment in progress or done.
pub struct ExpState {
    idx: usize,
    run: Box<dyn ExperimentRun>,
    started_ms: f64,
    elapsed_ms: f64,
    output: Option<ExpOutput>,
    svgs: Vec<String>,
    _frame: Option<AnimationFrame>,
}

/// The lab's experiments: the arguments typed for each, and the one running.
pub struct Experiments {
    list: &'static [&'static dyn Experiment],
    args: Vec<BTreeMap<&'static str, String>>,
    running: Option<ExpState>,
}

fn quick_trials(e: &dyn Experiment) -> Option<i64> {
    e.info()
        .params
        .iter()
        .find(|p| p.flag == "trials")
        .map(|p| (p.default.value().as_int() / QUICK_DIVISOR).max(1))
}

impl Experiments {
    pub fn new<L: Lab>() -> Experiments {
        let list = L::experiments();
        let args = list
            .iter()
            .map(|e| {
                e.info()
                    .params
                    .iter()
                    .map(|p| (p.flag, p.default.value().text()))
                    .collect()
            })
            .collect();
        Experiments {
            list,
            args,
            running: None,
        }
    }

    pub fn set_arg(&mut self, i: usize, flag: &'static str, value: String) {
        if let Some(a) = self.args.get_mut(i) {
            a.insert(flag, value);
        }
    }

    pub fn start<L: Lab>(&mut self, i: usize, quick: bool) -> Result<(), String> {
        let e = *self.list.get(i).ok_or("no such experiment")?;
        let mut given: Vec<(String, String)> = self.args[i]
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect();
        if quick {
            if let Some(q) = quick_trials(e) {
                given.retain(|(k, _)| k != "trials");
                given.push(("trials".into(), q.to_string()));
            }
        }
        let args = read_args(e.info(), &given)?;
        let run = e.start(&args)?;
        self.running = Some(ExpState {
            idx: i,
            run,
            started_ms: dom::now_ms(),
            elapsed_ms: 0.0,
            output: None,
            svgs: Vec::new(),
            _frame: None,
        });
        Ok(())
    }

    /// Works for one slice; asks for another frame until done. True to redraw.
    pub fn frame(&mut self, next: impl FnOnce() + 'static) -> bool {
        let Some(s) = self.running.as_mut() else {
            return false;
        };
        if s.output.is_some() {
            return false;
        }
        let t0 = dom::now_ms();
        let mut done = false;
        while !done && dom::now_ms() - t0 < SLICE_MS {
            done = s.run.run_some(10);
        }
        s.elapsed_ms = dom::now_ms() - s.started_ms;
        if done {
            let out = s.run.output();
            s.svgs = out.charts.iter().map(chart_svg).collect();
            s.output = Some(out);
            s._frame = None;
        } else {
            s._frame = Some(request_animation_frame(move |_| next()));
        }
        true
    }

    pub fn cancel(&mut self) {
        self.running = None;
    }
}

fn chart_svg(c: &dsviz_sim::labs::experiment::Chart) -> String {
    match &c.kind {
        ChartKind::Cdf { x_min, x_max } => cdf_svg(&c.title, &c.x_label, &c.series, *x_min, *x_max),
        ChartKind::Lines { xs, y_max } => lines_svg(&c.title, &c.x_label, &c.y_label, xs, &c.series, *y_max),
        ChartKind::Visibility { xs } => {
            let curves: Vec<Curve> = c
                .series
                .iter()
                .map(|s| Curve {
                    label: s.label.clone(),
                    points: xs.iter().copied().zip(s.values.iter().copied()).collect(),
                    dashed: false,
                })
                .collect();
            t_visibility_svg(&c.title, &curves, None)
        }
    }
}

/// The Experiment tab.
pub fn view<U: LabUi>(exp: &Experiments, link: &Scope<LabPage<U>>) -> Html {
    let items = exp.list.iter().enumerate().map(|(i, e)| {
        let info = e.info();
        let running = exp.running.as_ref().filter(|s| s.idx == i);
        let inputs = info.params.iter().map(|p| {
            let flag = p.flag;
            let onchange = link.callback(move |ev: Event| {
                let el: web_sys::HtmlInputElement = ev.target_unchecked_into();
                Msg::ExpArg(i, flag, el.value())
            });
            let value = exp.args[i].get(flag).cloned().unwrap_or_default();
            let (kind, min, max) = match p.kind {
                Kind::Int { min, max } => ("number", min.to_string(), max.to_string()),
                Kind::Float { min, max } => ("number", fmt_num(min).replace(',', ""), fmt_num(max).replace(',', "")),
                _ => ("text", String::new(), String::new()),
            };
            html! {
                <label class="field" title={p.help}><span>{p.label}</span>
                    <input type={kind} min={min} max={max} value={value} {onchange} />
                </label>
            }
        });
        let quick = quick_trials(*e);
        let body = match running {
            None => html! {
                <>
                    <div class="grid2">{ for inputs }</div>
                    <div class="row">
                        <button class="primary" onclick={link.callback(move |_| Msg::ExpStart(i, false))}>{"Run the experiment"}</button>
                        if let Some(q) = quick {
                            <button onclick={link.callback(move |_| Msg::ExpStart(i, true))}>{format!("Quick: {} trials", fmt_num(q as f64))}</button>
                        }
                    </div>
                </>
            },
            Some(s) => match &s.output {
                Some(out) => html! {
                    <>
                        <p class="muted">{format!("Done: simulated in {:.1} s in your browser.", s.elapsed_ms / 1000.0)}</p>
                        { for s.svgs.iter().map(|svg| html!{ <figure class="chart">{Html::from_html_unchecked(AttrValue::from(svg.clone()))}</figure> }) }
                        if !out.table.rows.is_empty() {
                            <div class="table-scroll">
                                <table class="results">
                                    <thead><tr>{ for out.table.headers.iter().map(|h| html!{ <th>{h}</th> }) }</tr></thead>
                                    <tbody>{ for out.table.rows.iter().map(|r| html!{ <tr>{ for r.iter().map(|c| html!{ <td>{c}</td> }) }</tr> }) }</tbody>
                                </table>
                            </div>
                        }
                        <p class="muted">{&out.note}</p>
                        <div class="row"><button onclick={link.callback(|_| Msg::ExpCancel)}>{"Clear results"}</button></div>
                    </>
                },
                None => {
                    let (done, total) = s.run.progress();
                    let pct = if total == 0 { 100.0 } else { done as f64 / total as f64 * 100.0 };
                    html! {
                        <>
                            <div class="progress" role="progressbar" aria-valuemin="0" aria-valuemax="100" aria-valuenow={format!("{pct:.0}")}>
                                <span style={format!("width:{pct:.1}%")} />
                            </div>
                            <p class="muted">{format!("{} of {} trials…", fmt_num(done as f64), fmt_num(total as f64))}</p>
                            <button onclick={link.callback(|_| Msg::ExpCancel)}>{"Cancel"}</button>
                        </>
                    }
                }
            },
        };
        html! {
            <section class="experiment">
                <div class="exp-intro">
                    <h2>{info.title}</h2>
                    <p>{info.about}</p>
                    <p class="paper">{"Reproduces: "}{info.reproduces}</p>
                </div>
                {body}
            </section>
        }
    });
    html! { <div>{ for items }</div> }
}
