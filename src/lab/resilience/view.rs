//! Pure drawing for the Resilience lab: the status line, the system
//! diagram, each breaker's state machine, and the totals table.

use super::{at, band_keys, bands, request_lines, Action, Page, ResilienceUi, ALTERNATIVES};
use crate::components::timeseries::TimeSeries;
use dsviz_sim::labs::resilience::series::Series;
use crate::lab::shell::Msg;
use dsviz_sim::kernel::solo::SoloNote;
use dsviz_sim::kernel::world::Note;
use dsviz_sim::kernel::{NodeId, TimeUs, Timeline};
use dsviz_sim::labs::resilience::breaker::{Phase, Transition};
use dsviz_sim::labs::resilience::lab::Resilience;
use dsviz_sim::labs::resilience::series::{healthy, BUCKET_US};
use dsviz_sim::labs::resilience::service::{dep_name, ResilienceConfig, State};
use yew::html::Scope;
use yew::prelude::*;

/// Requests offered and succeeded over the last second.
fn last_second(s: &State) -> (u32, u32) {
    s.live.recent.iter().fold((0, 0), |(o, k), x| (o + x.0, k + x.1))
}

pub fn status(s: &State, c: &ResilienceConfig, up: bool, now: TimeUs) -> Html {
    let (o, k) = last_second(s);
    let deps = if c.two_deps() { 2 } else { 1 };
    let good = if o == 0 {
        html! { <span class="pill">{"No requests in the last second"}</span> }
    } else {
        let pct = k as u64 * 100 / o as u64;
        let class = if healthy(o, k) { "ok" } else if pct >= 50 { "warn" } else { "split" };
        html! { <span class={classes!("pill", class)}>{format!("{pct}% of the last second's {o} requests succeeded")}</span> }
    };
    let stuck = s.live.last_recover_us.filter(|r| s.live.recovered_us.is_none() && now > r + 2_000_000 && (0..deps).all(|d| !s.deps[d].fault.down));
    html! {
        <div class="status-strip" aria-live="polite">
            <span class="pill">{format!("{:.0} requests/s offered", c.offered_per_s())}</span>
            { good }
            if !up {
                <span class="pill down">{"Service crashed"}</span>
            }
            { for (0..deps).map(|d| {
                let f = s.deps[d].fault;
                let b = &s.deps[d].breaker;
                html! {
                    <>
                        if f.words() != "healthy" {
                            <span class="pill warn">{format!("{}: {}", dep_name(d), f.words())}</span>
                        }
                        if c.breaker_on && b.phase != Phase::Closed {
                            <span class={classes!("pill", if b.phase == Phase::Open { "split" } else { "warn" })}>{format!("{}'s breaker {}", dep_name(d), b.phase.label())}</span>
                        }
                    </>
                }
            }) }
            if let Some(r) = stuck {
                <span class="pill split">{format!("Goodput has not come back since the recovery at {}", at(r))}</span>
            }
            if let (Some(r), Some(t)) = (s.live.last_recover_us, s.live.recovered_us) {
                <span class="pill ok">{format!("Recovered {} after the dependency", at(t.saturating_sub(r / BUCKET_US * BUCKET_US)))}</span>
            }
        </div>
    }
}

fn bar(x: f64, y: f64, w: f64, h: f64, used: u32, of: u32, class: &'static str) -> Html {
    let f = if of == 0 { 0.0 } else { (used as f64 / of as f64).min(1.0) };
    html! {
        <g class={classes!("res-bar", class)}>
            <rect class="res-bar-track" x={x.to_string()} y={y.to_string()} width={w.to_string()} height={h.to_string()} rx="3" />
            <rect class="res-bar-fill" x={x.to_string()} y={y.to_string()} width={format!("{:.1}", w * f)} height={h.to_string()} rx="3" />
        </g>
    }
}

fn phase_class(p: Phase) -> &'static str {
    match p {
        Phase::Closed => "closed",
        Phase::Open => "open",
        Phase::HalfOpen => "half",
    }
}

/// Where the diagram's parts sit: wide (left to right) or tall (top to
/// bottom, for phones).
struct Geo {
    w: f64,
    h: f64,
    /// Client dots: origin, columns, spacing.
    dots: (f64, f64, usize),
    clients_label: (f64, f64),
    /// The wire from the clients to the service, and where its count sits.
    wire_in: (f64, f64, f64, f64),
    count_in: (f64, f64),
    svc: (f64, f64, f64, f64),
    /// Where wires leave the service.
    svc_out: (f64, f64),
    breaker: [(f64, f64); 2],
    dep: [(f64, f64, f64, f64); 2],
    /// Where a wire enters each dependency box.
    dep_in: [(f64, f64); 2],
}

fn geo(tall: bool, deps: usize) -> Geo {
    if !tall {
        let dy = |d: usize| if deps == 1 { 70.0 } else if d == 0 { 20.0 } else { 140.0 };
        Geo {
            w: 760.0,
            h: 260.0,
            dots: (22.0, 48.0, 6),
            clients_label: (14.0, 26.0),
            wire_in: (110.0, 120.0, 200.0, 120.0),
            count_in: (155.0, 112.0),
            svc: (200.0, 40.0, 200.0, 170.0),
            svc_out: (400.0, 120.0),
            breaker: [(490.0, dy(0) + 50.0), (490.0, dy(1) + 50.0)],
            dep: [(560.0, dy(0), 190.0, 100.0), (560.0, dy(1), 190.0, 100.0)],
            dep_in: [(560.0, dy(0) + 50.0), (560.0, dy(1) + 50.0)],
        }
    } else {
        let dx = |d: usize| if deps == 1 { 80.0 } else if d == 0 { 6.0 } else { 184.0 };
        let dw = if deps == 1 { 200.0 } else { 170.0 };
        Geo {
            w: 360.0,
            h: 520.0,
            dots: (24.0, 44.0, 22),
            clients_label: (14.0, 24.0),
            wire_in: (180.0, 80.0, 180.0, 120.0),
            count_in: (192.0, 106.0),
            svc: (80.0, 120.0, 200.0, 170.0),
            svc_out: (180.0, 290.0),
            breaker: [(dx(0) + dw / 2.0, 345.0), (dx(1) + dw / 2.0, 345.0)],
            dep: [(dx(0), 400.0, dw, 104.0), (dx(1), 400.0, dw, 104.0)],
            dep_in: [(dx(0) + dw / 2.0, 400.0), (dx(1) + dw / 2.0, 400.0)],
        }
    }
}

fn n(x: f64) -> String {
    format!("{x:.1}")
}

/// The diagram: clients, service, breakers, dependencies, drawn twice
/// (wide and tall); the page's style shows the one that fits.
pub fn system(s: &State, c: &ResilienceConfig, up: bool, link: &Scope<Page>) -> Html {
    html! {
        <>
            { system_in(s, c, up, link, false) }
            { system_in(s, c, up, link, true) }
        </>
    }
}

fn system_in(s: &State, c: &ResilienceConfig, up: bool, link: &Scope<Page>, tall: bool) -> Html {
    let deps = if c.two_deps() { 2 } else { 1 };
    let g = geo(tall, deps);
    let offered_now = s.live.cur.0;
    let retrying = s.reqs.values().filter(|r| r.started_us.is_some() && r.call.is_none()).count();
    let dots = (c.clients as usize).min(if tall { 44 } else { 60 });
    let (ox, oy, cols) = g.dots;
    let client_dots = (0..dots).map(|i| {
        let (col, row) = (i % cols, i / cols);
        html! { <circle class="res-client" cx={n(ox + col as f64 * 14.0)} cy={n(oy + row as f64 * 14.0)} r="4.5" /> }
    });
    let service_click = link.callback(|_| Msg::<ResilienceUi>::ClickNode(NodeId(0)));
    let service_key = link.batch_callback(|e: KeyboardEvent| {
        (e.key() == "Enter" || e.key() == " ").then(|| {
            e.prevent_default();
            Msg::<ResilienceUi>::ClickNode(NodeId(0))
        })
    });
    let service_name = format!(
        "Service, {}: {} of {} workers busy, {} queued. Open its menu",
        if up { "up" } else { "crashed" },
        s.busy,
        c.workers,
        s.queue.len()
    );
    let (sx, sy, sw, sh) = g.svc;
    let dep_boxes = (0..deps).map(|d| {
        let (x, y, w, h) = g.dep[d];
        let (bx, by) = g.breaker[d];
        let (ix, iy) = g.dep_in[d];
        let dep = &s.deps[d];
        let cfg = &c.deps[d];
        let waiting = s.calls.values().filter(|x| x.dep as usize == d && x.waiting).count();
        let f = dep.fault;
        let ph = dep.breaker.phase;
        let (cx, cy) = ((g.svc_out.0 + bx) / 2.0, (g.svc_out.1 + by) / 2.0);
        html! {
            <g>
                <line class="res-wire" x1={n(g.svc_out.0)} y1={n(g.svc_out.1)} x2={n(bx)} y2={n(by)} />
                <line class={classes!("res-wire", (c.breaker_on && ph == Phase::Open).then_some("cut"))} x1={n(bx)} y1={n(by)} x2={n(ix)} y2={n(iy)} />
                <text class="res-count" x={n(cx + if tall { 12.0 } else { 0.0 })} y={n(cy - 8.0)} text-anchor="middle">{waiting}</text>
                if c.breaker_on {
                    <g class={classes!("res-breaker", phase_class(ph))}>
                        <circle cx={n(bx)} cy={n(by)} r="17" />
                        <text x={n(bx)} y={n(by + 4.0)} text-anchor="middle">{match ph { Phase::Closed => "C", Phase::Open => "O", Phase::HalfOpen => "H" }}</text>
                        <text class="res-sub" x={n(if tall { bx + 24.0 } else { bx })} y={n(if tall { by + 4.0 } else { by + 32.0 })} text-anchor={if tall { "start" } else { "middle" }}>{ph.label()}</text>
                    </g>
                } else {
                    <circle class="res-joint" cx={n(bx)} cy={n(by)} r="3" />
                }
                <g class={classes!("res-dep", f.down.then_some("down"), (f.slow > 1 || f.errors.is_some()).then_some("sick"))}>
                    <rect x={n(x)} y={n(y)} width={n(w)} height={n(h)} rx="10" />
                    <text class="res-title" x={n(x + 12.0)} y={n(y + 22.0)}>{format!("Dependency {}", dep_name(d))}</text>
                    <text class="res-sub" x={n(x + 12.0)} y={n(y + 40.0)}>{f.words()}</text>
                    { bar(x + 12.0, y + 50.0, w - 24.0, 12.0, dep.busy, cfg.slots, "slots") }
                    <text class="res-sub" x={n(x + 12.0)} y={n(y + 78.0)}>{format!("{}/{} serving · {} queued", dep.busy, cfg.slots, dep.queue.len())}</text>
                    <text class="res-sub" x={n(x + 12.0)} y={n(y + 93.0)}>{format!("{} wasted · {} expired", dep.wasted, dep.expired)}</text>
                </g>
                if c.bulkhead > 0 {
                    <text class="res-sub" x={n(cx + if tall { 12.0 } else { 0.0 })} y={n(cy + 16.0)} text-anchor="middle">{format!("{}/{} permits", dep.permits, c.bulkhead)}</text>
                }
            </g>
        }
    });
    let (w1, w2, w3, w4) = g.wire_in;
    html! {
        <svg class={classes!("res-svg", if tall { "tall" } else { "wide" })} viewBox={format!("0 0 {} {}", g.w, g.h)} role="img" aria-label="Clients, the service and its dependencies">
            <text class="res-title" x={n(g.clients_label.0)} y={n(g.clients_label.1)}>{format!("{} clients", c.clients)}</text>
            { for client_dots }
            <line class="res-wire" x1={n(w1)} y1={n(w2)} x2={n(w3)} y2={n(w4)} />
            <text class="res-count" x={n(g.count_in.0)} y={n(g.count_in.1)} text-anchor="middle">{offered_now}</text>
            <g class={classes!("res-service", (!up).then_some("down"))} onclick={service_click} onkeydown={service_key} role="button" tabindex="0" aria-label={service_name}>
                <rect x={n(sx)} y={n(sy)} width={n(sw)} height={n(sh)} rx="12" />
                <text class="res-title" x={n(sx + 16.0)} y={n(sy + 24.0)}>{"Service"}</text>
                <text class="res-sub" x={n(sx + 16.0)} y={n(sy + 44.0)}>{format!("workers {} of {}", s.busy, c.workers)}</text>
                { bar(sx + 16.0, sy + 52.0, sw - 32.0, 14.0, s.busy, c.workers, "workers") }
                <text class="res-sub" x={n(sx + 16.0)} y={n(sy + 86.0)}>{format!("queue {} of {}", s.queue.len(), c.queue)}</text>
                { bar(sx + 16.0, sy + 94.0, sw - 32.0, 10.0, s.queue.len() as u32, c.queue.max(1), "queue") }
                <text class="res-sub" x={n(sx + 16.0)} y={n(sy + 126.0)}>{format!("{retrying} waiting to retry")}</text>
                if c.budget_pct > 0 {
                    <text class="res-sub" x={n(sx + 16.0)} y={n(sy + 144.0)}>{format!("retry budget: {} left", s.budget_milli / 1000)}</text>
                }
                if !up {
                    <text class="res-title" x={n(sx + sw / 2.0)} y={n(sy + sh - 10.0)} text-anchor="middle">{"crashed"}</text>
                }
            </g>
            { for dep_boxes }
        </svg>
    }
}

/// A length of time in ms as the learner reads it: `500 ms`, `2 s`, `1.5 s`.
fn span(ms: u64) -> String {
    if ms < 1000 {
        format!("{ms} ms")
    } else if ms % 1000 == 0 {
        format!("{} s", ms / 1000)
    } else {
        format!("{:.1} s", ms as f64 / 1000.0)
    }
}

/// The last move of dependency `d`'s breaker up to the cursor, and when.
fn last_move(tl: &Timeline<Resilience>, d: usize) -> Option<(TimeUs, u64, Transition)> {
    tl.records()[..(tl.cursor() as usize).min(tl.records().len())]
        .iter()
        .rev()
        .find_map(|r| match &r.note {
            Note::Proto(SoloNote::Model(n)) => n.tally.moved[d].map(|m| (r.time_us, r.step, m)),
            _ => None,
        })
}

/// Dependency `d`'s breaker as a state machine.
pub fn machine(s: &State, c: &ResilienceConfig, d: usize, page: &Page, tl: &Timeline<Resilience>) -> Html {
    let b = &s.deps[d].breaker;
    let bc = &c.breaker;
    let now = page.world().now;
    let (calls, failed, slow) = b.window(bc, now);
    let node = |p: Phase, x: f64, y: f64| {
        html! {
            <g class={classes!("res-state", phase_class(p), (b.phase == p).then_some("here"))}>
                <rect x={(x - 52.0).to_string()} y={(y - 17.0).to_string()} width="104" height="34" rx="17" />
                <text x={x.to_string()} y={(y + 5.0).to_string()} text-anchor="middle">{p.label()}</text>
            </g>
        }
    };
    let last = last_move(tl, d);
    let detail = match b.phase {
        Phase::Closed => format!(
            "Window: {calls} call{}, {failed} failed, {slow} slow; opens at {}% failed or {}% slow once it holds {}.",
            if calls == 1 { "" } else { "s" },
            bc.failure_pct,
            bc.slow_pct,
            bc.min_calls
        ),
        Phase::Open => format!(
            "Refusing calls until {}; the next call after that is a probe.",
            at(b.opens_until_us(bc).unwrap_or(now))
        ),
        Phase::HalfOpen => format!("{} of {} probes let through; their answers decide.", b.probes_admitted, bc.half_open_calls),
    };
    html! {
        <div class="res-machine card">
            <h3>{format!("{}'s circuit breaker", dep_name(d))}</h3>
            <svg viewBox="0 0 380 120" role="img" aria-label={format!("{}'s breaker is {}", dep_name(d), b.phase.label())}>
                <defs>
                    <marker id={format!("res-arrow-{d}")} viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" /></marker>
                </defs>
                <path class="res-edge" d="M 114 30 L 244 30" marker-end={format!("url(#res-arrow-{d})")} />
                <text class="res-edge-label" x="180" y="20" text-anchor="middle">{format!("≥ {}% fail", bc.failure_pct)}</text>
                <path class="res-edge" d="M 318 47 Q 318 96 236 98" marker-end={format!("url(#res-arrow-{d})")} />
                <text class="res-edge-label" x="324" y="84">{format!("after {}", span(bc.open_ms))}</text>
                <path class="res-edge" d="M 196 79 Q 226 50 270 46" marker-end={format!("url(#res-arrow-{d})")} />
                <text class="res-edge-label" x="232" y="74">{"probes fail"}</text>
                <path class="res-edge" d="M 126 96 Q 44 96 44 49" marker-end={format!("url(#res-arrow-{d})")} />
                <text class="res-edge-label" x="4" y="84">{"probes pass"}</text>
                { node(Phase::Closed, 60.0, 30.0) }
                { node(Phase::Open, 300.0, 30.0) }
                { node(Phase::HalfOpen, 180.0, 96.0) }
            </svg>
            <p class="res-detail">{detail}</p>
            if let Some((t, step, m)) = last {
                <p class="res-detail">
                    {format!("Last move at {} (step {step}): {}.", at(t), m.words())}
                </p>
            } else {
                <p class="res-detail muted">{"No move yet."}</p>
            }
            <p class="res-detail muted">{format!("Opened {} time{} from closed.", b.trips, if b.trips == 1 { "" } else { "s" })}</p>
        </div>
    }
}

/// The comparison: a picker, and when one is on, the other run's requests
/// chart and both runs' numbers side by side.
pub fn compare(page: &Page, link: &Scope<Page>, other: Option<&Series>, y_max: Option<f64>, span_s: f64, now_s: f64) -> Html {
    let on = page.state.compare;
    let onchange = link.callback(|e: Event| {
        let el: web_sys::HtmlSelectElement = e.target_unchecked_into();
        Msg::Lab(Action::Compare(el.value().parse::<usize>().ok()))
    });
    let picker = html! {
        <label class="res-compare-pick">
            {"Compare with the same run under "}
            <select aria-label="Compare with" {onchange}>
                <option value="" selected={on.is_none()}>{"nothing else"}</option>
                { for ALTERNATIVES.iter().enumerate().map(|(i, (_, _, label))| html!{ <option value={i.to_string()} selected={on == Some(i)}>{*label}</option> }) }
            </select>
        </label>
    };
    let (Some(i), Some(sh), Some(other)) = (on, page.state.shadow.as_ref(), other) else {
        return html! { <div class="res-compare card">{picker}</div> };
    };
    let label = ALTERNATIVES[i].2;
    let oc = &sh.run.world().proto.0.config;
    let os = &sh.run.world().nodes[0].state;
    let Some(ms) = page.world().nodes.first().map(|n| &n.state) else {
        return Html::default();
    };
    let bands = bands(other, oc);
    let keys = band_keys(&bands);
    let row = |name: &str, f: &dyn Fn(&State) -> String| {
        html! { <tr><th scope="row">{name.to_string()}</th><td class="mono">{f(ms)}</td><td class="mono">{f(os)}</td></tr> }
    };
    let pct = |s: &State| {
        let t = s.totals;
        if t.requests == 0 { "—".to_string() } else { format!("{}%", t.ok * 100 / t.requests) }
    };
    let rec = |s: &State| match (s.live.last_recover_us, s.live.recovered_us) {
        (Some(r), Some(t)) => format!("after {}", at(t.saturating_sub(r / BUCKET_US * BUCKET_US))),
        (Some(_), None) => "not yet".into(),
        _ => "—".into(),
    };
    html! {
        <div class="res-compare card">
            {picker}
            <TimeSeries title={format!("With {label}: requests per 100 ms")} unit="count" bucket_s={BUCKET_US as f64 / 1e6} lines={request_lines(other)} bands={bands} band_keys={keys} cursor_s={now_s} span_s={span_s} y_max={y_max} />
            <div class="proc-scroll">
                <table class="proc-table res-compare-table" aria-label="This run and the comparison, side by side">
                    <thead><tr><th></th><th>{"This run"}</th><th>{format!("With {label}")}</th></tr></thead>
                    <tbody>
                        { row("Requests that succeeded", &pct) }
                        { row("Attempts per request", &|s: &State| format!("{:.2}", s.totals.attempts as f64 / s.totals.requests.max(1) as f64)) }
                        { row("Busiest 100 ms since the last fault", &|s: &State| s.live.peak().to_string()) }
                        { row("Goodput back after the recovery", &rec) }
                        { row("Breaker trips", &|s: &State| (s.deps[0].breaker.trips + s.deps[1].breaker.trips).to_string()) }
                    </tbody>
                </table>
            </div>
        </div>
    }
}

/// The totals since the start.
pub fn totals(s: &State, c: &ResilienceConfig) -> Html {
    let t = s.totals;
    let per = if t.requests == 0 { 0.0 } else { t.attempts as f64 / t.requests as f64 };
    let deps = if c.two_deps() { 2 } else { 1 };
    html! {
        <section class="card counters-card" aria-label="Totals since the start">
            <div class="proc-scroll">
            <table class="proc-table">
                <thead><tr><th>{"Requests"}</th><th>{"Succeeded"}</th><th>{"Failed"}</th><th>{"Fallback"}</th><th>{"Turned away"}</th><th>{"Attempts"}</th><th>{"Retries"}</th><th>{"Attempts per request"}</th></tr></thead>
                <tbody>
                    <tr>
                        <td class="mono">{t.requests}</td>
                        <td class="mono">{t.ok}</td>
                        <td class="mono">{t.failed}</td>
                        <td class="mono">{t.degraded}</td>
                        <td class="mono">{format!("{}{}", t.rejected, if t.shed > 0 { format!(" ({} shed)", t.shed) } else { String::new() })}</td>
                        <td class="mono">{t.attempts}</td>
                        <td class="mono">{t.retries}</td>
                        <td class="mono">{format!("{per:.2}")}</td>
                    </tr>
                </tbody>
            </table>
            </div>
            if deps == 2 || s.deps[0].wasted > 0 {
                <p class="res-detail muted">
                    { for (0..deps).map(|d| html!{ <span>{format!("{}: {} calls served for callers who had given up, {} dropped past their deadline. ", dep_name(d), s.deps[d].wasted, s.deps[d].expired)}</span> }) }
                </p>
            }
        </section>
    }
}
