//! The register page's parts: the cluster (or the CP | AP comparison), the
//! mode bar, the focus card, the fault bar, counters and histories, node
//! menus, and the PACELC tab.

use super::view::{
    self as view, counters_table, diagram, focus_of, lab_history, DiagramProps, FocusSets,
    LabHistory,
};
use super::{kind, menu_node, mode_label, mode_name, Action, LabKind, Page, RegLab, RegUi};
use crate::components::history::HistoryPanel;
use crate::lab::shell::Msg;
use dsviz_sim::history::Value;
use dsviz_sim::kernel::{Input, NodeId, Who, World};
use dsviz_sim::labs::register::{counters, Cmd, Conflict, Mode, RegNode, Register, SideCounters};
use std::rc::Rc;
use yew::html::Scope;
use yew::prelude::*;

fn status_strip(w: &World<Register>, compact: bool) -> Html {
    let reg = &w.proto;
    let c = &reg.config;
    let n = reg.n_replicas();
    let (mode_text, mode_class) = match c.mode {
        Mode::Cp => (format!("CP · majority {} of {n}", reg.majority()), "cp"),
        Mode::Ap => (
            format!(
                "AP · {}",
                if c.conflict == Conflict::Lww {
                    "last writer wins"
                } else {
                    "version vectors"
                }
            ),
            "ap",
        ),
        Mode::Quorum => {
            let strict = reg.quorums().reads_see_writes();
            (
                format!(
                    "N={} W={} R={} · W+R {} N",
                    c.rf,
                    c.w,
                    c.r,
                    if strict { ">" } else { "≤" }
                ),
                if strict { "cp" } else { "warn-mode" },
            )
        }
    };
    let (avail, avail_class) = view::availability_pill(&counters(w));
    let partition = w.net.is_partitioned().then(|| {
        let groups: Vec<String> = w
            .net
            .groups()
            .iter()
            .map(|g| g.iter().map(|n| reg.name(*n)).collect::<Vec<_>>().join(" "))
            .collect();
        let text = if w.net.cuts.is_empty() {
            format!("Partitioned: {}", groups.join(" | "))
        } else if groups.len() > 1 {
            format!(
                "Partitioned: {} · {} cut link(s)",
                groups.join(" | "),
                w.net.cuts.len()
            )
        } else {
            format!("{} cut link(s)", w.net.cuts.len())
        };
        html! { <span class="pill warn">{text}</span> }
    });
    html! {
        <div class="status-strip" aria-live="polite">
            <span class={classes!("pill", "mode-pill", mode_class)}>{mode_text}</span>
            {for partition}
            { for (0..w.nodes.len()).map(|i| NodeId(i as u8)).filter(|id| !w.is_up(*id)).map(|id| html!{ <span class="pill down">{format!("{} down", reg.name(id))}</span> }) }
            <span class={classes!("pill", "avail", avail_class)}>{avail}</span>
            if !compact {
                <span class="pill subtle">{format!("{} in flight", w.in_flight.len())}</span>
            }
        </div>
    }
}

fn pacelc_strip(cp: &World<Register>, ap: &World<Register>) -> Html {
    let (c, a) = (counters(cp).whole, counters(ap).whole);
    let ms = |x: Option<u64>| {
        x.map(|u| format!("{:.0} ms", u as f64 / 1000.0))
            .unwrap_or_else(|| "—".into())
    };
    html! {
        <div class="pacelc-strip" aria-label="Latency with no partition">
            <strong>{"Else (no partition): "}</strong>
            <span>{format!("CP reads {} · writes {}", ms(c.mean_read_latency_us()), ms(c.mean_write_latency_us()))}</span>
            <span>{format!("AP reads {} · writes {}", ms(a.mean_read_latency_us()), ms(a.mean_write_latency_us()))}</span>
            <span class="muted">{format!("AP stale reads with no partition: {}", a.stale_reads)}</span>
        </div>
    }
}

/// The status line and the cluster; in the CAP lab's comparison, both runs side by side.
pub fn cluster<L: RegLab>(page: &Page<L>, link: &Scope<Page<L>>) -> Html {
    let w = page.world();
    let focus: Option<FocusSets> = RegUi::<L>::focus(page)
        .and_then(|r| focus_of(w, r))
        .map(|(s, _)| s);
    let primary_label = format!("{} cluster", mode_label(&page.run.config));
    let primary = diagram(&DiagramProps {
        world: w,
        view_us: page.view_us,
        selected: menu_node(page),
        focus: focus.as_ref(),
        on_node: link.callback(Msg::ClickNode),
        on_msg: link.callback(Msg::ClickMessage),
        label: &primary_label,
        id_prefix: "a",
    });
    let Some(sh) = page.state.shadow.as_ref().filter(|_| page.state.compare) else {
        return html! { <>{status_strip(w, false)}{primary}</> };
    };
    let sw = sh.run.world();
    let shadow_label = format!("{} cluster (comparison)", mode_label(&sw.proto.config));
    let other = diagram(&DiagramProps {
        world: sw,
        view_us: page.view_us,
        selected: None,
        focus: None,
        on_node: link.callback(Msg::ClickNode),
        on_msg: Callback::noop(),
        label: &shadow_label,
        id_prefix: "b",
    });
    let cp_main = page.run.config.mode == Mode::Cp;
    let (cp_w, ap_w) = if cp_main { (w, sw) } else { (sw, w) };
    let (cp_d, ap_d) = if cp_main {
        (primary, other)
    } else {
        (other, primary)
    };
    let side = |wd: &World<Register>, d: Html, title: &str, blurb: &str, main: bool| {
        html! {
            <div class={classes!("compare-side", main.then_some("main"))}>
                <h2 class="compare-title">{title}<small>{blurb}</small></h2>
                {status_strip(wd, true)}
                {d}
                {counters_table(&counters(wd), wd.proto.config.mode, "Operations", true)}
            </div>
        }
    };
    let ap_blurb = if page.run.config.conflict == Conflict::Lww {
        "any replica, last writer wins"
    } else {
        "any replica, version vectors"
    };
    html! {
        <>
            <div class="compare-grid">
                {side(cp_w, cp_d, "CP", "majority quorums (ABD)", cp_main)}
                {side(ap_w, ap_d, "AP", ap_blurb, !cp_main)}
            </div>
            {pacelc_strip(cp_w, ap_w)}
        </>
    }
}

/// The CAP lab's mode switch and comparison toggle, or the Quorum lab's N, W, R steppers and options.
pub fn mode_bar<L: RegLab>(page: &Page<L>, link: &Scope<Page<L>>) -> Html {
    let c = &page.run.config;
    let set = |key: &'static str, v: String| {
        link.callback(move |_: MouseEvent| Msg::SetParam(key, v.clone()))
    };
    let set_on =
        |key: &'static str, v: String| link.callback(move |_: Event| Msg::SetParam(key, v.clone()));
    match kind::<L>() {
        LabKind::Cap => {
            let seg = |m: Mode, label: &str, sub: &str| {
                let active = c.mode == m;
                html! {
                    <button class={classes!(active.then_some("active"))} aria-pressed={active.to_string()} onclick={link.callback(move |_| Msg::Lab(Action::SetMode(m)))}>
                        <b>{label.to_string()}</b><small>{sub.to_string()}</small>
                    </button>
                }
            };
            let conflict = |k: Conflict, label: &str| {
                let active = c.conflict == k;
                html! { <button class={classes!(active.then_some("active"))} aria-pressed={active.to_string()} onclick={set("conflict", k.as_str().into())}>{label.to_string()}</button> }
            };
            let compare = page.state.compare;
            html! {
                <div class="mode-bar" role="group" aria-label="Mode">
                    <div class="seg mode-seg">
                        {seg(Mode::Cp, "CP", "refuse without a majority")}
                        {seg(Mode::Ap, "AP", "answer from any replica")}
                    </div>
                    if c.mode == Mode::Ap || compare {
                        <div class="seg small-seg" role="group" aria-label="Conflict resolution">
                            {conflict(Conflict::Lww, "Last writer wins")}
                            {conflict(Conflict::VersionVectors, "Version vectors")}
                        </div>
                    }
                    <label class="toggle">
                        <input type="checkbox" checked={compare} onchange={link.callback(move |_| Msg::Lab(Action::Compare(!compare)))} />
                        <span>{"Compare CP | AP"}</span>
                    </label>
                </div>
            }
        }
        LabKind::Quorum => {
            // Each stepper's bounds come from the parameter table, so they never disagree with a link.
            let stepper = |key: &'static str, name: &str, title: &str| {
                let Some(p) = L::params().iter().find(|p| p.key == key) else {
                    return Html::default();
                };
                let value = (p.get)(c).as_int();
                let (lo, hi) = p
                    .bounds(c)
                    .map(|(a, b)| (a as i64, b as i64))
                    .unwrap_or((value, value));
                html! {
                    <div class="stepper" role="group" aria-label={name.to_string()} title={title.to_string()}>
                        <span class="stepper-name">{name.to_string()}</span>
                        <button aria-label={format!("Decrease {name}")} disabled={value <= lo} onclick={set(key, (value - 1).to_string())}>{"−"}</button>
                        <output aria-label={format!("{name} value")}>{value}</output>
                        <button aria-label={format!("Increase {name}")} disabled={value >= hi} onclick={set(key, (value + 1).to_string())}>{"+"}</button>
                    </div>
                }
            };
            let strict = page.world().proto.quorums().reads_see_writes();
            let (sloppy, rr) = (c.sloppy, c.read_repair);
            let on_ae = link.callback(|e: Event| {
                let sel: web_sys::HtmlSelectElement = e.target_unchecked_into();
                Msg::SetParam("ae", sel.value())
            });
            let mut ae_opts: Vec<u64> = vec![0, 50, 100, 200, 500, 1000];
            if !ae_opts.contains(&c.ae_ms) {
                ae_opts.push(c.ae_ms);
                dsviz_sim::sort::sort(&mut ae_opts);
            }
            html! {
                <div class="quorum-bar" role="group" aria-label="Quorum settings">
                    <div class="steppers">
                        {stepper("n", "Nodes", "Replicas in the cluster; those beyond N are stand-ins")}
                        {stepper("rf", "N", "Replicas that hold the register (R1…RN)")}
                        {stepper("w", "W", "Acks a write waits for")}
                        {stepper("r", "R", "Replies a read waits for")}
                        <span class={classes!("quorum-rule", if strict { "good" } else { "bad" })}>
                            { if strict { format!("W + R = {} > N = {}: quorums overlap", c.w + c.r, c.rf) } else { format!("W + R = {} ≤ N = {}: stale reads possible", c.w + c.r, c.rf) } }
                        </span>
                    </div>
                    <div class="switch-row">
                        <label class="toggle"><input type="checkbox" checked={sloppy} onchange={set_on("sloppy", if sloppy { "0" } else { "1" }.into())} /><span>{"Sloppy quorum + hinted handoff"}</span></label>
                        <label class="toggle"><input type="checkbox" checked={rr} onchange={set_on("rr", if rr { "0" } else { "1" }.into())} /><span>{"Read repair"}</span></label>
                        <label class="toggle"><span>{"Anti-entropy"}</span>
                            <select aria-label="Anti-entropy interval" onchange={on_ae}>
                                { for ae_opts.iter().map(|v| html!{ <option value={v.to_string()} selected={*v == c.ae_ms}>{ if *v == 0 { "off".to_string() } else { format!("every {v} ms") } }</option> }) }
                            </select>
                        </label>
                    </div>
                </div>
            }
        }
    }
}

/// The ringed operation, in words, with links to its start and answer.
pub fn focus_card<L: RegLab>(page: &Page<L>, link: &Scope<Page<L>>) -> Html {
    let w = page.world();
    let Some(r) = RegUi::<L>::focus(page) else {
        return Html::default();
    };
    let Some((_, text)) = focus_of(w, r) else {
        return Html::default();
    };
    let (t_in, t_out) = view::op_at(w, r)
        .map(|o| (o.invoke_us, o.answered_us))
        .unwrap_or((0, None));
    html! {
        <div class="focus-card" aria-live="polite">
            <span class="legend-rings" aria-hidden="true"><span class="lr read" />{"read set"}<span class="lr write" />{"write set"}</span>
            <p>{text}</p>
            <div class="focus-actions">
                <button class="linklike" onclick={link.callback(move |_| Msg::SeekTime(t_in))}>{"Go to its start"}</button>
                if let Some(t) = t_out {
                    <button class="linklike" onclick={link.callback(move |_| Msg::SeekTime(t))}>{"Go to its answer"}</button>
                }
                if page.state.focus_op.is_some() {
                    <button class="linklike" onclick={link.callback(|_| Msg::Lab(Action::SelectOp(None)))}>{"Follow the latest read"}</button>
                }
            </div>
        </div>
    }
}

pub fn fault_bar<L: RegLab>(page: &Page<L>, link: &Scope<Page<L>>) -> Html {
    let w = page.world();
    let clients = (0..w.proto.config.n_clients).map(|c| {
        let busy = RegUi::<L>::client_busy(page, c);
        let name = w.proto.name(w.proto.client_node(c));
        html! {
            <span class="client-ops" role="group" aria-label={format!("{name} operations")}>
                <b>{name.clone()}</b>
                <button disabled={busy} onclick={link.callback(move |_| RegUi::<L>::client_op(c, false))}
                    aria-label={format!("{name} read")} title={if c == 0 { "Q" } else if c == 1 { "Shift+Q" } else { "" }}>{"Read"}</button>
                <button disabled={busy} onclick={link.callback(move |_| RegUi::<L>::client_op(c, true))}
                    aria-label={format!("{name} write")} title={if c == 0 { "W" } else if c == 1 { "Shift+W" } else { "" }}>{"Write"}</button>
            </span>
        }
    });
    let split = RegUi::<L>::split_input(page);
    html! {
        <div class="fault-bar" role="group" aria-label="Faults and requests">
            {for clients}
            <span class="sep" aria-hidden="true" />
            <button onclick={link.callback(move |_| Msg::Inject(split.clone()))} title="P" aria-label="Split minority | majority">{RegUi::<L>::split_label(page)}</button>
            <button onclick={link.callback(|_| Msg::Inject(Input::Heal))} disabled={!w.net.is_partitioned()} title="H">{"Heal network"}</button>
            <span class="hint">{"Click a replica to isolate, crash or skew it; a client to send through another replica."}</span>
        </div>
    }
}

/// The counters and the histories under the fault bar.
pub fn below<L: RegLab>(page: &Page<L>, link: &Scope<Page<L>>) -> Html {
    let w = page.world();
    let counters_card = (!page.state.compare).then(|| {
        html! {
            <section class="counters-card" aria-label="Counters">
                <h2>{"Availability and consistency"}<small>{" per side of the partition, each operation counted where its client stood when it began"}</small></h2>
                {counters_table(&counters(w), page.run.config.mode, "Operations", false)}
            </section>
        }
    });
    html! { <>{for counters_card}{history_view(page, link, &lab_history(w))}</> }
}

fn history_view<L: RegLab>(page: &Page<L>, link: &Scope<Page<L>>, hist: &LabHistory) -> Html {
    let w = page.world();
    let selected = page
        .state
        .focus_op
        .and_then(|r| hist.refs.iter().position(|x| *x == r));
    let (id, sc, mode) = (L::info().id, page.run.scenario.id, page.run.config.mode);
    let name = format!(
        "dsviz-{id}-{sc}-{}-step{}",
        mode.as_str(),
        page.run.tl.cursor()
    );
    let title = if page.state.compare {
        format!("History: {}", mode_name(mode))
    } else {
        "History".to_string()
    };
    let main = html! {
        <HistoryPanel key="main" title={AttrValue::from(title)} ops={Rc::new(hist.ops.clone())} history={Rc::new(hist.history.clone())}
            lanes={Rc::new(hist.lanes.clone())} now={w.now.max(page.view_us as u64)} export_name={AttrValue::from(name)}
            selected={selected} on_select={link.callback(|i| Msg::Lab(Action::SelectOp(i)))} />
    };
    let other = match (&page.state.shadow, page.state.compare) {
        (Some(sh), true) => {
            let sw = sh.run.world();
            let h = lab_history(sw);
            let m = sw.proto.config.mode;
            let name = format!("dsviz-{id}-{sc}-{}-compare", m.as_str());
            html! {
                <HistoryPanel key="other" title={AttrValue::from(format!("History: {}", mode_name(m)))} ops={Rc::new(h.ops)} history={Rc::new(h.history)}
                    lanes={Rc::new(h.lanes)} now={sw.now.max(page.view_us as u64)} export_name={AttrValue::from(name)} import={false} />
            }
        }
        _ => Html::default(),
    };
    // CP first, as in the comparison above.
    if page.state.compare && mode == Mode::Ap {
        html! { <div class="histories">{other}{main}</div> }
    } else {
        html! { <div class="histories">{main}{other}</div> }
    }
}

pub fn node_menu<L: RegLab>(
    page: &Page<L>,
    link: &Scope<Page<L>>,
    id: NodeId,
) -> Option<(String, Html)> {
    let w = page.world();
    let reg = &w.proto;
    let up = w.is_up(id);
    let name = reg.name(id);
    let isolated = w.net.groups().iter().any(|g| g.len() == 1 && g[0] == id);
    let crash_or_restart = if up {
        html! { <button onclick={link.callback(move |_| Msg::Inject(Input::Crash(Who::Id(id))))}>{ if reg.is_replica(id) { format!("Crash {name}") } else { format!("Crash {name} (abandons its operation)") } }</button> }
    } else {
        html! { <button onclick={link.callback(move |_| Msg::Inject(Input::Restart(Who::Id(id))))}>{format!("Restart {name}")}</button> }
    };
    let isolate = if isolated {
        html! { <button onclick={link.callback(|_| Msg::Inject(Input::Heal))}>{"Heal network"}</button> }
    } else {
        html! { <button onclick={link.callback(move |_| Msg::Inject(Input::Isolate(Who::Id(id))))}>{format!("Isolate {name}")}</button> }
    };
    if reg.is_replica(id) {
        let r = w.nodes.get(id.idx()).and_then(RegNode::replica)?;
        let skew = r.skew_ms;
        let skew_to = |ms: i64| {
            link.callback(move |_| Msg::Inject(Input::Command(Who::Id(id), Cmd::Skew { ms })))
        };
        let ops_here = (0..reg.config.n_clients).map(|c| {
            let busy = RegUi::<L>::client_busy(page, c);
            let cname = reg.name(reg.client_node(c));
            html! {
                <span class="menu-pair">
                    <button disabled={busy} onclick={link.callback(move |_| Msg::Lab(Action::ClientOp { c, write: false, via: Some(id) }))}>{format!("{cname} reads via {name}")}</button>
                    <button disabled={busy} onclick={link.callback(move |_| Msg::Lab(Action::ClientOp { c, write: true, via: Some(id) }))}>{format!("{cname} writes via {name}")}</button>
                </span>
            }
        });
        let items = html! {
            <>
                {crash_or_restart}
                {isolate}
                <span class="menu-pair">
                    <button onclick={skew_to(skew + 500)}>{"Clock +500 ms"}</button>
                    <button onclick={skew_to(skew - 500)}>{"Clock −500 ms"}</button>
                </span>
                if skew != 0 {
                    <button onclick={skew_to(0)}>{"Correct the clock"}</button>
                }
                if reg.config.mode != Mode::Cp && up {
                    <button onclick={link.callback(move |_| Msg::Inject(Input::Command(Who::Id(id), Cmd::AntiEntropy)))}>{"Run anti-entropy now"}</button>
                }
                if up {
                    {for ops_here}
                }
            </>
        };
        let vals: Vec<Value> = r.versions.iter().map(|v| v.value).collect();
        let facts = format!(
            "{}, holds {}{}",
            if up { "up" } else { "crashed" },
            view::values_text(&vals),
            if skew != 0 {
                format!(", clock {skew:+} ms")
            } else {
                String::new()
            }
        );
        return Some((format!("{name} — {facts}"), items));
    }
    let c = reg.client_of(id)?;
    let busy = RegUi::<L>::client_busy(page, c);
    let items = html! {
        <>
            <span class="menu-pair">
                <button disabled={busy} onclick={link.callback(move |_| RegUi::<L>::client_op(c, false))}>{format!("{name} reads")}</button>
                <button disabled={busy} onclick={link.callback(move |_| RegUi::<L>::client_op(c, true))}>{format!("{name} writes")}</button>
            </span>
            {crash_or_restart}
            {isolate}
        </>
    };
    Some((
        format!(
            "{name} — sends through {} unless told otherwise",
            reg.name(reg.home(c))
        ),
        items,
    ))
}

pub fn pacelc_view<L: RegLab>(page: &Page<L>, link: &Scope<Page<L>>) -> Html {
    let intro = html! {
        <div class="exp-intro">
            <h2>{"PACELC: the cost of consistency when nothing fails"}</h2>
            <p>{"CAP only speaks about partitions. PACELC adds the everyday case: Else, with no partition, a system still chooses between Latency and Consistency. CP pays two majority round trips per operation (ABD's query and store); AP answers from one replica at once, and replicates in the background — so even with a healthy network, a read elsewhere can miss a write that has already been acknowledged."}</p>
            <div class="row">
                <button class="primary" onclick={link.callback(|_| Msg::Lab(Action::Pacelc))}>{"Run both modes, no faults"}</button>
                <button onclick={link.callback(|_| Msg::LoadScenario("latency-cp".into()))}>{"Scenario: CP latency"}</button>
                <button onclick={link.callback(|_| Msg::LoadScenario("latency-ap".into()))}>{"Scenario: AP latency"}</button>
            </div>
        </div>
    };
    let Some(r) = &page.state.pacelc else {
        return html! { <div>{intro}<p class="muted">{"The experiment runs the current settings in CP and in AP for 4 s of virtual time with a steady workload and no fault, and compares mean latency and stale reads."}</p></div> };
    };
    let (c, a) = (r.cp.whole, r.ap.whole);
    let top = [
        c.mean_read_latency_us(),
        c.mean_write_latency_us(),
        a.mean_read_latency_us(),
        a.mean_write_latency_us(),
    ]
    .iter()
    .flatten()
    .copied()
    .max()
    .unwrap_or(1)
    .max(1) as f64;
    let bar = |label: &str, v: Option<u64>, class: &str| {
        let pct = v.map(|x| x as f64 / top * 100.0).unwrap_or(0.0);
        html! {
            <div class="lat-bar">
                <span class="lat-label">{label.to_string()}</span>
                <span class="lat-track"><span class={classes!("lat-fill", class.to_string())} style={format!("width:{pct:.1}%")} /></span>
                <span class="lat-val">{v.map(|x| format!("{:.1} ms", x as f64 / 1000.0)).unwrap_or_else(|| "—".into())}</span>
            </div>
        }
    };
    let stale_pct = |s: &SideCounters| {
        if s.reads_served == 0 {
            "—".to_string()
        } else {
            format!(
                "{} of {} ({:.1}%)",
                s.stale_reads,
                s.reads_served,
                s.stale_reads as f64 / s.reads_served as f64 * 100.0
            )
        }
    };
    let lat = if r.config.latency_us_min == r.config.latency_us_max {
        format!("{}", r.config.latency_us_min as f64 / 1000.0)
    } else {
        format!(
            "{}–{}",
            r.config.latency_us_min as f64 / 1000.0,
            r.config.latency_us_max as f64 / 1000.0
        )
    };
    html! {
        <div>
            {intro}
            <p class="muted">{format!(
                "{} replicas, {} clients, an operation every ~{} ms each ({} % writes), one-way latency {lat} ms, no partition, no loss, clocks in agreement; 4 s of virtual time, seed {}.",
                r.config.n_replicas, r.config.n_clients, r.config.auto_ms, r.config.write_pct, page.run.seed
            )}</p>
            <div class="lat-bars" aria-label="Mean latency">
                {bar("CP read", c.mean_read_latency_us(), "cp")}
                {bar("CP write", c.mean_write_latency_us(), "cp")}
                {bar("AP read", a.mean_read_latency_us(), "ap")}
                {bar("AP write", a.mean_write_latency_us(), "ap")}
            </div>
            <div class="table-scroll">
                <table class="results">
                    <thead><tr><th><span class="visually-hidden">{"Measure"}</span></th><th>{"CP"}</th><th>{"AP"}</th></tr></thead>
                    <tbody>
                        <tr><td>{"operations served"}</td><td>{c.served()}</td><td>{a.served()}</td></tr>
                        <tr><td>{"stale reads"}</td><td>{stale_pct(&c)}</td><td>{stale_pct(&a)}</td></tr>
                        <tr><td>{"lost writes"}</td><td>{c.lost_writes}</td><td>{a.lost_writes}</td></tr>
                    </tbody>
                </table>
            </div>
            <p class="muted">{
                if a.stale_reads > 0 {
                    format!("The consistent choice costs latency on every operation; the fast one cost consistency here with nothing broken: {} AP reads missed a write that had already been acknowledged, because the background copy had not arrived yet. Raise the latency in Settings and run again: both gaps grow with the round trip.", a.stale_reads)
                } else {
                    "The consistent choice costs latency on every operation. Here AP's background copies won every race, so no read was stale — but nothing guarantees it: a read that reaches a replica before the copy returns the old value. Widen the latency range or add clients in Settings and run again.".to_string()
                }
            }</p>
        </div>
    }
}
