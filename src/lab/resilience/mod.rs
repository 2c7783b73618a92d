//! The Resilience lab page: clients, the service and its dependencies
//! drawn with what is in flight, each breaker's state machine with the
//! call that moved it, and charts of the run up to the cursor (offered
//! load, attempts, goodput and failures per 100 ms; latency percentiles;
//! each breaker's open spells), all read from the run's records.

mod view;

use super::shell::{Key, LabPage, LabUi, Msg, Sync};
use super::Shadow;
use crate::components::timeseries::{lines_max, Band, Line, TimeSeries};
use dsviz_sim::kernel::{fmt_time, Input, NodeId, Who};
use dsviz_sim::labs::resilience::breaker::Phase;
use dsviz_sim::labs::resilience::lab::ResilienceLab;
use dsviz_sim::labs::resilience::series::{series, Bucket, Series, BUCKET_US};
use dsviz_sim::labs::resilience::service::{dep_name, Cmd, ResilienceConfig, State};
use dsviz_sim::labs::Run;
use std::collections::BTreeMap;
use yew::html::Scope;
use yew::prelude::*;

/// The Resilience lab's page.
pub struct ResilienceUi;

/// What a comparison run may change: a parameter, its value, and the
/// change in words.
pub const ALTERNATIVES: &[(&str, &str, &str)] = &[
    ("policy", "exponential", "exponential backoff without jitter"),
    ("policy", "full", "full jitter"),
    ("policy", "decorrelated", "decorrelated jitter"),
    ("attempts", "1", "no retries"),
    ("budget", "10", "a 10% retry budget"),
    ("breaker", "1", "a circuit breaker"),
    ("bulkhead", "10", "a bulkhead of 10"),
    ("shed", "100", "shedding after 100 ms queued"),
];

/// The page's own state: the comparison, if one is on, and its run.
pub struct RState {
    pub compare: Option<usize>,
    pub shadow: Option<Shadow<ResilienceLab>>,
}

pub enum Action {
    Compare(Option<usize>),
}

fn cmp_text(i: usize) -> String {
    let (k, v, _) = ALTERNATIVES[i];
    format!("{k}:{v}")
}

type Page = LabPage<ResilienceUi>;

fn cmd(c: Cmd) -> Msg<ResilienceUi> {
    Msg::Inject(Input::Command(Who::Id(NodeId(0)), c))
}

fn state(page: &Page) -> Option<&State> {
    page.world().nodes.first().map(|n| &n.state)
}

fn config(page: &Page) -> &ResilienceConfig {
    &page.world().proto.0.config
}

/// The run up to the cursor as series.
fn run_series(page: &Page) -> Series {
    let tl = &page.run.tl;
    series(tl.records(), tl.cursor() as usize)
}

impl LabUi for ResilienceUi {
    type Lab = ResilienceLab;
    type State = RState;
    type Action = Action;

    fn default_speed() -> usize {
        // Hundreds of requests a second: start at a quarter of real time.
        4
    }

    fn init(_run: &Run<ResilienceLab>, extra: &BTreeMap<String, String>, warnings: &mut Vec<String>) -> RState {
        let compare = extra.get("cmp").and_then(|v| {
            let found = (0..ALTERNATIVES.len()).find(|i| cmp_text(*i) == *v);
            if found.is_none() {
                let all: Vec<String> = (0..ALTERNATIVES.len()).map(cmp_text).collect();
                warnings.push(format!("cmp={v} is not a comparison this lab offers ({}); showing none.", all.join(", ")));
            }
            found
        });
        RState { compare, shadow: None }
    }

    fn view_pairs(page: &Page) -> Vec<(&'static str, String)> {
        page.state.compare.map(|i| vec![("cmp", cmp_text(i))]).unwrap_or_default()
    }

    fn sync(page: &mut Page, why: Sync) {
        if why == Sync::Rebuilt {
            page.state.shadow = None;
        }
        let Some(i) = page.state.compare else {
            page.state.shadow = None;
            return;
        };
        let (k, v, _) = ALTERNATIVES[i];
        let config = page.run.with_param(k, v).map(|x| x.0).unwrap_or_else(|_| page.run.config.clone());
        Shadow::follow(&mut page.state.shadow, &page.run, config);
    }

    fn update(page: &mut Page, _ctx: &Context<Page>, action: Action) -> bool {
        match action {
            Action::Compare(c) => {
                page.state.compare = c.filter(|i| *i < ALTERNATIVES.len());
                Self::sync(page, Sync::Moved);
                page.sync_url();
                true
            }
        }
    }

    fn diagram(page: &Page, link: &Scope<Page>) -> Html {
        let Some(s) = state(page) else {
            return Html::default();
        };
        let c = config(page);
        let up = page.world().is_up(NodeId(0));
        html! {
            <>
                { view::status(s, c, up, page.world().now) }
                { view::system(s, c, up, link) }
            </>
        }
    }

    fn below(page: &Page, link: &Scope<Page>) -> Html {
        let Some(s) = state(page) else {
            return Html::default();
        };
        let c = config(page);
        let ser = run_series(page);
        let now_s = page.view_us / 1e6;
        let span_s = (now_s.max(ser.end_us as f64 / 1e6) + 0.5).max(10.0).ceil();
        let b = BUCKET_US as f64 / 1e6;
        let bands = bands(&ser, c);
        let keys = band_keys(&bands);
        let p50 = per_bucket(&ser, |x| x.percentile_us(50).map_or(f64::NAN, |v| v as f64 / 1000.0));
        let p99 = per_bucket(&ser, |x| x.percentile_us(99).map_or(f64::NAN, |v| v as f64 / 1000.0));
        let on_seek = Some(link.callback(|t: f64| Msg::SeekTime((t * 1e6) as u64)));
        let deps = if c.two_deps() { 2 } else { 1 };
        let lines = request_lines(&ser);
        // With a comparison on, both requests charts share one scale.
        let other = page.state.shadow.as_ref().filter(|_| page.state.compare.is_some()).map(|sh| series(sh.run.tl.records(), sh.run.tl.cursor() as usize));
        let y_max = other.as_ref().map(|o| lines_max(&lines).max(lines_max(&request_lines(o))));
        html! {
            <section class="res-charts" aria-label="Charts of the run up to now">
                if c.breaker_on {
                    <div class="res-machines">
                        { for (0..deps).map(|d| view::machine(s, c, d, page, &page.run.tl)) }
                    </div>
                }
                <div class="res-chart-grid">
                    <TimeSeries title="Requests per 100 ms" unit="count" bucket_s={b} lines={lines} bands={bands.clone()} band_keys={keys.clone()} cursor_s={now_s} span_s={span_s} on_seek={on_seek.clone()} y_max={y_max} />
                    { view::compare(page, link, other.as_ref(), y_max, span_s, now_s) }
                    <TimeSeries title="Latency of successful requests" unit="ms" bucket_s={b}
                        lines={vec![
                            Line { label: "median", class: "ts-p50", values: p50, dashed: false },
                            Line { label: "99th percentile", class: "ts-p99", values: p99, dashed: true },
                        ]}
                        bands={bands} band_keys={keys} cursor_s={now_s} span_s={span_s} on_seek={on_seek} />
                </div>
                { view::totals(s, c) }
            </section>
        }
    }

    fn actions(page: &Page, link: &Scope<Page>) -> Html {
        let c = config(page);
        let Some(s) = state(page) else {
            return Html::default();
        };
        let deps = if c.two_deps() { 2 } else { 1 };
        let row = |d: usize| {
            let dd = d as u8;
            let f = s.deps[d].fault;
            let n = dep_name(d);
            html! {
                <div class="fault-bar" role="group" aria-label={format!("Faults on {n}")}>
                    <span class="fault-label">{n}</span>
                    if f.down {
                        <button class="primary" onclick={link.callback(move |_| cmd(Cmd::Recover(dd)))} title={if d == 0 { "D" } else { "" }}>{format!("{n} comes back")}</button>
                    } else {
                        <button onclick={link.callback(move |_| cmd(Cmd::Down(dd)))} title={if d == 0 { "D" } else { "" }}>{format!("Take {n} down")}</button>
                    }
                    <button onclick={link.callback(move |_| cmd(Cmd::Slow(dd, 5)))} title={if d == 0 { "S" } else { "" }}>{"5× slower"}</button>
                    <button onclick={link.callback(move |_| cmd(Cmd::Slow(dd, 20)))}>{"20× slower"}</button>
                    <button onclick={link.callback(move |_| cmd(Cmd::Errors(dd, 50)))} title={if d == 0 { "E" } else { "" }}>{"Fail 50%"}</button>
                    <button onclick={link.callback(move |_| cmd(Cmd::Brownout(dd)))}>{"Brownout"}</button>
                    if f != dsviz_sim::labs::resilience::service::Fault::NONE && !f.down {
                        <button class="primary" onclick={link.callback(move |_| cmd(Cmd::Recover(dd)))}>{format!("{n} recovers")}</button>
                    }
                    if c.breaker_on {
                        if s.deps[d].breaker.phase == Phase::Closed {
                            <button onclick={link.callback(move |_| cmd(Cmd::ForceBreaker(dd, true)))}>{"Trip breaker"}</button>
                        } else {
                            <button onclick={link.callback(move |_| cmd(Cmd::ForceBreaker(dd, false)))}>{"Reset breaker"}</button>
                        }
                    }
                </div>
            }
        };
        html! {
            <>
                { for (0..deps).map(row) }
                <p class="hint res-hint">{"Click the service for crash and pause; switch on the breaker, a retry budget, a bulkhead or shedding in Settings."}</p>
            </>
        }
    }

    fn node_menu(page: &Page, link: &Scope<Page>, id: NodeId) -> Option<(String, Html)> {
        let s = state(page)?;
        let up = page.world().is_up(id);
        let items = html! {
            if up {
                <>
                    <button onclick={link.callback(move |_| Msg::Inject(Input::Pause(Who::Id(id), 1_000_000)))}>{"Pause 1 s (a GC pause)"}</button>
                    <button onclick={link.callback(move |_| Msg::Inject(Input::Crash(Who::Id(id))))}>{"Crash the service"}</button>
                </>
            } else {
                <button onclick={link.callback(move |_| Msg::Inject(Input::Restart(Who::Id(id))))}>{"Restart the service"}</button>
            }
        };
        let c = config(page);
        let facts = format!(
            "Service — {}, {} of {} workers busy, {} queued, {} requests so far",
            if up { "up" } else { "crashed" },
            s.busy,
            c.workers,
            s.queue.len(),
            s.totals.requests
        );
        Some((facts, items))
    }

    fn anchor(_page: &Page, _id: NodeId) -> (f64, f64) {
        (45.0, 40.0)
    }

    fn keys() -> Vec<Key<ResilienceUi>> {
        vec![
            Key {
                keys: &["d"],
                label: "D",
                what: "Take A down, or bring it back",
                msg: |p| {
                    let down = state(p).is_some_and(|s| s.deps[0].fault.down);
                    Some(cmd(if down { Cmd::Recover(0) } else { Cmd::Down(0) }))
                },
            },
            Key {
                keys: &["s"],
                label: "S",
                what: "Make A five times slower",
                msg: |_| Some(cmd(Cmd::Slow(0, 5))),
            },
            Key {
                keys: &["e"],
                label: "E",
                what: "Make A fail half its calls",
                msg: |_| Some(cmd(Cmd::Errors(0, 50))),
            },
            Key {
                keys: &["a"],
                label: "A",
                what: "A recovers",
                msg: |_| Some(cmd(Cmd::Recover(0))),
            },
        ]
    }

    fn legend() -> Html {
        html! {
            <ul>
                <li>{"Left, the clients: each sends requests at its own pace and does not wait for answers. Middle, the service: the bar is its workers (a request holds one through every retry and wait), the smaller bar its queue. Right, each dependency with the calls it is serving and queueing, and before it the circuit breaker: green closed, red open, amber half-open."}</li>
                <li>{"The numbers on the arrows are requests in the last 100 ms (clients to service) and calls waiting for an answer (service to dependency)."}</li>
                <li>{"The charts show the whole run up to the cursor, per 100 ms: requests offered, attempts sent to dependencies (first tries and retries), requests that succeeded and that failed. Shaded: a dependency down, a breaker open. Click a chart to jump to that time."}</li>
                <li>{"Each breaker's state machine shows where it is and the call that made its last move, with the window it judged."}</li>
            </ul>
        }
    }

    fn invariants_note(page: &Page) -> Option<String> {
        let c = config(page);
        (!c.breaker_on && c.budget_pct == 0 && c.bulkhead == 0).then(|| {
            "With no breaker, budget or bulkhead, their invariants hold trivially; switch one on in Settings to put it to the test.".to_string()
        })
    }

    fn spacetime_tab() -> bool {
        false
    }
}

fn per_bucket(ser: &Series, f: impl Fn(&Bucket) -> f64) -> Vec<f64> {
    ser.buckets.iter().map(f).collect()
}

/// The requests chart's lines: offered, attempts, succeeded, failed, and
/// turned away when any were.
pub fn request_lines(ser: &Series) -> Vec<Line> {
    let mut lines = vec![
        Line { label: "offered", class: "ts-offered", values: per_bucket(ser, |x| x.offered as f64), dashed: false },
        Line { label: "attempts", class: "ts-attempts", values: per_bucket(ser, |x| x.attempts_total() as f64), dashed: false },
        Line { label: "succeeded", class: "ts-ok", values: per_bucket(ser, |x| x.ok as f64), dashed: false },
        Line { label: "failed", class: "ts-failed", values: per_bucket(ser, |x| x.failed as f64), dashed: false },
    ];
    if ser.buckets.iter().any(|x| x.rejected > 0) {
        lines.push(Line { label: "turned away", class: "ts-rejected", values: per_bucket(ser, |x| x.rejected as f64), dashed: true });
    }
    lines
}

/// Shaded spells: a dependency down, a breaker open or half-open.
pub fn bands(ser: &Series, c: &ResilienceConfig) -> Vec<Band> {
    let end_s = ser.end_us as f64 / 1e6;
    let secs = |t: u64| t as f64 / 1e6;
    let mut out = Vec::new();
    let deps = if c.two_deps() { 2 } else { 1 };
    if c.breaker_on {
        for d in 0..deps {
            let mut from: Option<(f64, Phase)> = None;
            for (t, p) in ser.phases[d].iter().map(|(t, p)| (secs(*t), *p)).chain(std::iter::once((end_s, Phase::Closed))) {
                if let Some((f, ph)) = from.take() {
                    if ph != Phase::Closed {
                        out.push(Band { from_s: f, to_s: t, class: if ph == Phase::Open { "band-open" } else { "band-half" } });
                    }
                }
                if p != Phase::Closed {
                    from = Some((t, p));
                }
            }
        }
    }
    for (i, (t, cmd)) in ser.faults.iter().enumerate() {
        if let Cmd::Down(d) = cmd {
            let back = ser.faults[i + 1..]
                .iter()
                .find(|(_, c2)| *c2 == Cmd::Recover(*d))
                .map_or(end_s, |(u, _)| secs(*u));
            out.push(Band { from_s: secs(*t), to_s: back, class: "band-down" });
        }
    }
    out
}

/// The legend entries of the bands drawn.
pub fn band_keys(bands: &[Band]) -> Vec<(&'static str, &'static str)> {
    [("band-down", "dependency down"), ("band-open", "breaker open"), ("band-half", "half-open")]
        .into_iter()
        .filter(|(k, _)| bands.iter().any(|b| b.class == *k))
        .collect()
}

/// A time in words for the page (`2.31 s`).
pub fn at(t_us: u64) -> String {
    fmt_time(t_us)
}
