//! The PBS panel of the Quorum lab (Bailis et al., VLDB 2012): the closed
//! form for how often a partial quorum misses the last write, k-staleness,
//! and a Monte Carlo t-visibility experiment on the WARS latency model,
//! run in animation-frame slices so the page stays responsive.

use super::tvis_chart::{t_visibility_svg, Curve};
use crate::dom;
use dsviz_sim::pbs::{
    binomial, p_miss, p_miss_k, Latency, PbsConfig, PbsExperiment, PbsResult, Wars, TRIALS_MAX,
    T_MS_DEFAULT,
};
use gloo::render::{request_animation_frame, AnimationFrame};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct PbsProps {
    /// Replicas holding the register (N).
    pub n: u32,
    pub w: u32,
    pub r: u32,
    pub seed: u64,
}

/// One latency distribution as the form holds it.
#[derive(Clone, Copy, Debug, PartialEq)]
struct LatSpec {
    kind: usize,
    a: f64,
    b: f64,
}

const KINDS: &[&str] = &["Exponential", "Uniform", "Constant", "Pareto"];
const HOPS: &[(&str, &str)] = &[
    ("W", "write reaches a replica"),
    ("A", "its ack returns"),
    ("R", "a read reaches a replica"),
    ("S", "its answer returns"),
];

impl LatSpec {
    fn from(l: Latency) -> LatSpec {
        match l {
            Latency::Exponential { mean_ms } => LatSpec {
                kind: 0,
                a: mean_ms,
                b: 0.0,
            },
            Latency::Uniform { lo_ms, hi_ms } => LatSpec {
                kind: 1,
                a: lo_ms,
                b: hi_ms,
            },
            Latency::Constant { ms } => LatSpec {
                kind: 2,
                a: ms,
                b: 0.0,
            },
            Latency::Pareto { scale_ms, shape } => LatSpec {
                kind: 3,
                a: scale_ms,
                b: shape,
            },
        }
    }
    fn latency(self) -> Latency {
        match self.kind {
            1 => Latency::Uniform {
                lo_ms: self.a,
                hi_ms: self.b,
            },
            2 => Latency::Constant { ms: self.a },
            3 => Latency::Pareto {
                scale_ms: self.a,
                shape: self.b,
            },
            _ => Latency::Exponential { mean_ms: self.a },
        }
    }
    /// The parameters' labels (the second is unused by some kinds).
    fn labels(self) -> (&'static str, Option<&'static str>) {
        match self.kind {
            1 => ("min ms", Some("max ms")),
            2 => ("ms", None),
            3 => ("scale ms", Some("shape")),
            _ => ("mean ms", None),
        }
    }
    fn defaults(kind: usize) -> LatSpec {
        match kind {
            1 => LatSpec {
                kind,
                a: 0.0,
                b: 10.0,
            },
            2 => LatSpec {
                kind,
                a: 5.0,
                b: 0.0,
            },
            3 => LatSpec {
                kind,
                a: 1.0,
                b: 1.5,
            },
            _ => LatSpec {
                kind: 0,
                a: 5.0,
                b: 0.0,
            },
        }
    }
}

pub enum PbsMsg {
    Kind(usize, usize),
    Param(usize, bool, String),
    Trials(u32),
    Defaults,
    Run,
    Frame,
    Cancel,
}

struct Run {
    key: (u32, u32, u32),
    on: PbsExperiment,
    off: PbsExperiment,
    started_ms: f64,
    elapsed_ms: f64,
    done: bool,
    chart: Option<String>,
    results: Option<(PbsResult, PbsResult)>,
    _frame: Option<AnimationFrame>,
}

pub struct PbsPanel {
    lat: [LatSpec; 4],
    trials: u32,
    error: Option<String>,
    run: Option<Run>,
}

fn default_lat() -> [LatSpec; 4] {
    let d = Wars::default();
    [
        LatSpec::from(d.w),
        LatSpec::from(d.a),
        LatSpec::from(d.r),
        LatSpec::from(d.s),
    ]
}

fn pct(p: f64) -> String {
    if p > 0.0 && p < 0.0001 {
        format!("{:.1e}", p)
    } else {
        format!("{:.4}", p)
    }
}

impl PbsPanel {
    fn config(&self, p: &PbsProps, propagation: bool) -> PbsConfig {
        PbsConfig {
            n: p.n,
            r: p.r,
            w: p.w,
            latencies: Wars {
                w: self.lat[0].latency(),
                a: self.lat[1].latency(),
                r: self.lat[2].latency(),
                s: self.lat[3].latency(),
            },
            trials: self.trials,
            t_ms: T_MS_DEFAULT.to_vec(),
            propagation,
        }
    }

    fn closed_form(&self, p: &PbsProps) -> Html {
        let (n, w, r) = (p.n, p.w, p.r);
        let Ok(ratio) = p_miss(n, r, w) else {
            return html! { <p class="banner warn small">{format!("N = {n}, W = {w}, R = {r} is outside the closed form's range.")}</p> };
        };
        let top = binomial(n - w, r);
        let bottom = binomial(n, r);
        let pm = ratio.to_f64();
        let frac = if ratio.num == 0 {
            "0".to_string()
        } else {
            format!("{}/{}", ratio.num, ratio.den)
        };
        let overlap = r + w > n;
        let ks = (1..=4u32).map(|k| {
            let v = p_miss_k(n, r, w, k).unwrap_or(f64::NAN);
            html! { <tr><td>{k}</td><td>{pct(v)}</td><td>{pct(1.0 - v)}</td></tr> }
        });
        html! {
            <div class="pbs-closed">
                <p class="formula" aria-label="Closed form">
                    <span class="muted">{"P(a read misses the last write) = C(N−W, R) / C(N, R) = "}</span>
                    <span class="formula-expr">{
                        if top == ratio.num && bottom == ratio.den {
                            format!("C({}, {r}) / C({n}, {r}) = {frac} ≈ {pm:.3}", n - w)
                        } else {
                            format!("C({}, {r}) / C({n}, {r}) = {top}/{bottom} = {frac} ≈ {pm:.3}", n - w)
                        }
                    }</span>
                </p>
                <p class={classes!("pbs-verdict", if overlap { "good" } else { "bad" })}>
                    { if overlap {
                        format!("R + W = {} > N = {n}: every read quorum meets every write quorum, so a read never misses a finished write (when the quorums are strict).", r + w)
                    } else {
                        format!("R + W = {} ≤ N = {n}: a read quorum can lie entirely among the N − W = {} replicas the write did not wait for. With uniformly random quorums and no propagation beyond them, that happens {:.1}% of the time.", r + w, n - w, pm * 100.0)
                    } }
                </p>
                <h3>{"k-staleness"}</h3>
                <p class="muted">{"The chance a read misses each of the last k writes (independent quorums), so returns something older than the k-th latest version: P(miss)^k."}</p>
                <div class="table-scroll">
                    <table class="results pbs-k">
                        <thead><tr><th>{"k"}</th><th>{"P(older than k-th latest)"}</th><th>{"P(within k versions)"}</th></tr></thead>
                        <tbody>{for ks}</tbody>
                    </table>
                </div>
            </div>
        }
    }

    fn form(&self, ctx: &Context<Self>) -> Html {
        let link = ctx.link();
        let rows = self.lat.iter().enumerate().map(|(i, l)| {
            let (hop, what) = HOPS[i];
            let on_kind = link.callback(move |e: Event| {
                let sel: web_sys::HtmlSelectElement = e.target_unchecked_into();
                PbsMsg::Kind(i, sel.value().parse().unwrap_or(0))
            });
            let on_a = link.callback(move |e: Event| {
                let el: web_sys::HtmlInputElement = e.target_unchecked_into();
                PbsMsg::Param(i, false, el.value())
            });
            let on_b = link.callback(move |e: Event| {
                let el: web_sys::HtmlInputElement = e.target_unchecked_into();
                PbsMsg::Param(i, true, el.value())
            });
            let (la, lb) = l.labels();
            html! {
                <div class="wars-row">
                    <span class="wars-hop" title={what}><b>{hop}</b><small>{what}</small></span>
                    <select aria-label={format!("{hop} latency distribution")} onchange={on_kind}>
                        { for KINDS.iter().enumerate().map(|(k, name)| html!{ <option value={k.to_string()} selected={k == l.kind}>{*name}</option> }) }
                    </select>
                    <label class="wars-param"><span>{la}</span>
                        <input type="number" min="0" step="any" value={format!("{}", l.a)} aria-label={format!("{hop} {la}")} onchange={on_a} /></label>
                    if let Some(lb) = lb {
                        <label class="wars-param"><span>{lb}</span>
                            <input type="number" min="0" step="any" value={format!("{}", l.b)} aria-label={format!("{hop} {lb}")} onchange={on_b} /></label>
                    }
                </div>
            }
        });
        let on_trials = link.callback(|e: Event| {
            let sel: web_sys::HtmlSelectElement = e.target_unchecked_into();
            PbsMsg::Trials(sel.value().parse().unwrap_or(10_000))
        });
        let running = self.run.as_ref().is_some_and(|r| !r.done);
        html! {
            <div class="wars">
                <h3>{"t-visibility by simulation (WARS)"}</h3>
                <p class="muted">{"Each trial draws four latencies per replica: the write reaching it (W), its ack returning (A), a read reaching it (R), its answer returning (S). The write commits at the W-th ack; a read starting t ms later uses the first R answers and is fresh if one of those replicas had the write in time. Replicas outside the write quorum still receive it (propagation), so staleness fades with t."}</p>
                {for rows}
                <div class="row">
                    <label class="field inline"><span>{"Trials"}</span>
                        <select aria-label="Trials" onchange={on_trials}>
                            { for [1_000u32, 10_000, TRIALS_MAX].iter().map(|t| html!{ <option value={t.to_string()} selected={*t == self.trials}>{format!("{t}")}</option> }) }
                        </select>
                    </label>
                    <button class="primary" onclick={link.callback(|_| PbsMsg::Run)} disabled={running}>{"Run t-visibility"}</button>
                    <button onclick={link.callback(|_| PbsMsg::Defaults)} disabled={running}>{"Default latencies"}</button>
                </div>
                if let Some(e) = &self.error {
                    <p class="banner warn small" role="alert">{e}</p>
                }
            </div>
        }
    }

    fn results(&self, ctx: &Context<Self>) -> Html {
        let link = ctx.link();
        let p = ctx.props();
        let Some(run) = &self.run else {
            return html! {};
        };
        if !run.done {
            let (done, total) = run.on.progress();
            let pc = done as f64 / total.max(1) as f64 * 100.0;
            return html! {
                <div>
                    <div class="progress" role="progressbar" aria-label="t-visibility progress" aria-valuemin="0" aria-valuemax="100" aria-valuenow={format!("{pc:.0}")}>
                        <span style={format!("width:{pc:.1}%")} />
                    </div>
                    <p class="muted">{format!("{done} of {total} trials…")}</p>
                    <button onclick={link.callback(|_| PbsMsg::Cancel)}>{"Cancel"}</button>
                </div>
            };
        }
        let Some((on, off)) = &run.results else {
            return html! {};
        };
        let stale = run.key != (p.n, p.w, p.r);
        let rows = on.t_visibility.iter().zip(&off.t_visibility).map(|(a, b)| {
            html! { <tr><td>{format!("{}", a.t_ms)}</td><td>{format!("{:.4}", a.p_consistent)}</td><td>{format!("{:.4}", b.p_consistent)}</td></tr> }
        });
        html! {
            <div class="pbs-results">
                if stale {
                    <p class="banner warn small">{format!("These results are for N = {}, W = {}, R = {}; run again for the current setting.", on.n, on.w, on.r)}</p>
                }
                <p class="muted">{format!("{} trials each, simulated in {:.2} s in your browser.", on.trials, run.elapsed_ms / 1000.0)}</p>
                if let Some(svg) = &run.chart {
                    <figure class="chart">{Html::from_html_unchecked(AttrValue::from(svg.clone()))}</figure>
                }
                <div class="table-scroll">
                    <table class="results">
                        <thead><tr><th>{"t (ms)"}</th><th>{"P(fresh), propagation"}</th><th>{"P(fresh), none"}</th></tr></thead>
                        <tbody>{for rows}</tbody>
                    </table>
                </div>
                <p class="muted">{format!(
                    "Without propagation only the W acknowledging replicas ever hold the write, so the estimate stays at 1 − P(miss) = {:.3} for every t, as the closed form says. With propagation the write keeps spreading after the commit and reads catch up: the slower the write path (W) compared with the read path (R, S), the longer the tail.",
                    1.0 - on.p_miss_closed_form
                )}</p>
            </div>
        }
    }
}

impl Component for PbsPanel {
    type Message = PbsMsg;
    type Properties = PbsProps;

    fn create(_ctx: &Context<Self>) -> Self {
        PbsPanel {
            lat: default_lat(),
            trials: 10_000,
            error: None,
            run: None,
        }
    }

    fn update(&mut self, ctx: &Context<Self>, msg: PbsMsg) -> bool {
        match msg {
            PbsMsg::Kind(i, k) => {
                if let Some(l) = self.lat.get_mut(i) {
                    *l = LatSpec::defaults(k.min(KINDS.len() - 1));
                }
                true
            }
            PbsMsg::Param(i, second, v) => {
                if let Some(l) = self.lat.get_mut(i) {
                    match v.trim().parse::<f64>() {
                        Ok(x) if x.is_finite() => {
                            if second {
                                l.b = x;
                            } else {
                                l.a = x;
                            }
                            self.error = None;
                        }
                        _ => {
                            self.error = Some(format!(
                                "'{}' is not a number; {} kept its previous value.",
                                v.trim(),
                                HOPS[i].0
                            ))
                        }
                    }
                }
                true
            }
            PbsMsg::Trials(t) => {
                self.trials = t.clamp(1, TRIALS_MAX);
                true
            }
            PbsMsg::Defaults => {
                self.lat = default_lat();
                self.error = None;
                true
            }
            PbsMsg::Run => {
                let p = ctx.props();
                let (on, off) = (self.config(p, true), self.config(p, false));
                match (
                    PbsExperiment::new(on, p.seed),
                    PbsExperiment::new(off, p.seed),
                ) {
                    (Ok(on), Ok(off)) => {
                        self.error = None;
                        self.run = Some(Run {
                            key: (p.n, p.w, p.r),
                            on,
                            off,
                            started_ms: dom::now_ms(),
                            elapsed_ms: 0.0,
                            done: false,
                            chart: None,
                            results: None,
                            _frame: None,
                        });
                        ctx.link().send_message(PbsMsg::Frame);
                    }
                    (Err(e), _) | (_, Err(e)) => self.error = Some(format!("Cannot run: {e}.")),
                }
                true
            }
            PbsMsg::Frame => {
                let Some(run) = self.run.as_mut() else {
                    return false;
                };
                if run.done {
                    return false;
                }
                let t0 = dom::now_ms();
                let mut done = false;
                while !done && dom::now_ms() - t0 < 12.0 {
                    let a = run.on.run_some(250);
                    let b = run.off.run_some(250);
                    done = a && b;
                }
                run.elapsed_ms = dom::now_ms() - run.started_ms;
                if done {
                    run.done = true;
                    let (on, off) = (run.on.results(), run.off.results());
                    let curves = [
                        Curve {
                            label: "with propagation".into(),
                            points: on
                                .t_visibility
                                .iter()
                                .map(|p| (p.t_ms, p.p_consistent))
                                .collect(),
                            dashed: false,
                        },
                        Curve {
                            label: "no propagation".into(),
                            points: off
                                .t_visibility
                                .iter()
                                .map(|p| (p.t_ms, p.p_consistent))
                                .collect(),
                            dashed: true,
                        },
                    ];
                    let title = format!("t-visibility, N = {}, W = {}, R = {}", on.n, on.w, on.r);
                    run.chart = Some(t_visibility_svg(
                        &title,
                        &curves,
                        Some(("closed form".into(), 1.0 - on.p_miss_closed_form)),
                    ));
                    run.results = Some((on, off));
                    run._frame = None;
                } else {
                    let link = ctx.link().clone();
                    run._frame = Some(request_animation_frame(move |_| {
                        link.send_message(PbsMsg::Frame)
                    }));
                }
                true
            }
            PbsMsg::Cancel => {
                self.run = None;
                true
            }
        }
    }

    fn view(&self, ctx: &Context<Self>) -> Html {
        let p = ctx.props();
        html! {
            <div class="pbs" aria-label="Probabilistically bounded staleness">
                <h2>{"How stale is a partial quorum?"}</h2>
                <p class="muted">{"Probabilistically Bounded Staleness (Bailis et al., VLDB 2012) for the current N, W and R: first the closed form, then how the chance of a fresh read grows with the time since the write."}</p>
                {self.closed_form(p)}
                {self.form(ctx)}
                {self.results(ctx)}
            </div>
        }
    }
}
