//! Client histories, Porcupine and Jepsen style: every operation is an
//! interval from invoke to response on its client's lane, with a "now"
//! line at the cursor. [`HistoryLanes`] only draws; [`HistoryPanel`] adds
//! the consistency checks (linearizability, sequential consistency,
//! session guarantees), JSON export, and JSON import of any history (for
//! example one recorded by Jepsen) without touching the lab's own run.

use crate::dom;
use dsviz_sim::check::{self, json, CheckConfig, History, Report, SeqVerdict, Verdict};
use dsviz_sim::history::{Op, OpKind};
use dsviz_sim::kernel::fmt_time;
use gloo::render::{request_animation_frame, AnimationFrame};
use std::rc::Rc;
use yew::prelude::*;

/// Operations drawn at most; a bigger history is shown as a window of it.
pub const MAX_DRAWN: usize = 1_500;
/// Client lanes drawn at most.
pub const MAX_LANES: usize = 64;
/// Configurations the checks may explore from the page (about 30 MB at most).
pub const CHECK_STATES: u64 = 1_000_000;

/// What became of an operation, as its lane shows it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OpStatus {
    /// Answered with success.
    Ok,
    /// Refused: certainly no effect.
    Refused,
    /// No answer, or a failure after a partial write: it may or may not have taken effect.
    Indeterminate,
    /// Still waiting for its answer at the cursor.
    Pending,
}

impl OpStatus {
    fn class(self) -> &'static str {
        match self {
            OpStatus::Ok => "ok",
            OpStatus::Refused => "refused",
            OpStatus::Indeterminate => "unknown",
            OpStatus::Pending => "pending",
        }
    }
    fn words(self) -> &'static str {
        match self {
            OpStatus::Ok => "ok",
            OpStatus::Refused => "refused (no effect)",
            OpStatus::Indeterminate => "indeterminate (may or may not have taken effect)",
            OpStatus::Pending => "waiting for its answer",
        }
    }
}

/// How an imported history's times read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TimeFmt {
    /// Virtual microseconds (the labs).
    Micros,
    /// Unitless numbers (imported files).
    Plain,
}

impl TimeFmt {
    /// An axis label, as short as the tick spacing allows: `250 ms`, `1.5 s`.
    fn tick(self, t: u64, step: f64) -> String {
        match self {
            TimeFmt::Plain => t.to_string(),
            TimeFmt::Micros if step >= 1_000_000.0 => format!("{} s", t / 1_000_000),
            TimeFmt::Micros if t >= 1_000_000 && step >= 100_000.0 => {
                format!("{:.1} s", t as f64 / 1e6)
            }
            TimeFmt::Micros if t >= 1_000_000 => format!("{:.3} s", t as f64 / 1e6),
            TimeFmt::Micros if step >= 1_000.0 => format!("{} ms", t / 1000),
            TimeFmt::Micros => fmt_time(t),
        }
    }

    pub fn show(self, t: u64) -> String {
        match self {
            TimeFmt::Micros => fmt_time(t),
            TimeFmt::Plain => t.to_string(),
        }
    }
}

/// One operation on a lane.
#[derive(Clone, Debug, PartialEq)]
pub struct LaneOp {
    /// Lane index (0 for the first client).
    pub lane: usize,
    pub kind: OpKind,
    /// Short text on the bar: "W 5", "R 1", "R ∅".
    pub label: String,
    pub invoke: u64,
    pub response: Option<u64>,
    pub status: OpStatus,
    /// Anomalies the lab's checks flagged: "stale", "inversion", "lost", "no overlap".
    pub flags: Vec<&'static str>,
    /// A sentence for screen readers and the tooltip.
    pub describe: String,
}

/// Ring an operation because a check named it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mark {
    Culprit,
    Involved,
}

#[derive(Properties, PartialEq)]
pub struct LanesProps {
    pub ops: Rc<Vec<LaneOp>>,
    /// One name per lane.
    pub lanes: Rc<Vec<String>>,
    /// The cursor's time: a vertical line, and the right end of open operations.
    #[prop_or_default]
    pub now: Option<u64>,
    /// Time range shown; by default the operations' own range.
    #[prop_or_default]
    pub range: Option<(u64, u64)>,
    pub fmt: TimeFmt,
    /// Operations a check named, by index in `ops`.
    #[prop_or_default]
    pub marks: Rc<Vec<(usize, Mark)>>,
    #[prop_or_default]
    pub selected: Option<usize>,
    #[prop_or_default]
    pub on_select: Callback<Option<usize>>,
    #[prop_or(AttrValue::Static("History"))]
    pub label: AttrValue,
}

fn nice_step(span: f64, ticks: f64) -> f64 {
    let raw = (span / ticks).max(1e-9);
    let mag = 10f64.powf(raw.log10().floor());
    let f = raw / mag;
    let m = if f <= 1.0 {
        1.0
    } else if f <= 2.0 {
        2.0
    } else if f <= 5.0 {
        5.0
    } else {
        10.0
    };
    m * mag
}

/// Sub-rows so that overlapping operations of one lane do not hide each
/// other (a lab's client does one thing at a time; imported files may not).
fn sub_rows(ops: &[LaneOp], order: &[usize], open_end: u64) -> (Vec<usize>, Vec<usize>) {
    let n_lanes = ops.iter().map(|o| o.lane + 1).max().unwrap_or(0);
    let mut ends: Vec<Vec<u64>> = vec![Vec::new(); n_lanes];
    let mut row = vec![0; ops.len()];
    for &i in order {
        let o = &ops[i];
        let end = o.response.unwrap_or(open_end).max(o.invoke);
        let rows = &mut ends[o.lane];
        let r = match rows.iter().position(|e| *e < o.invoke) {
            Some(r) => r,
            None => {
                rows.push(0);
                rows.len() - 1
            }
        };
        rows[r] = end;
        row[i] = r;
    }
    (row, ends.iter().map(|e| e.len().max(1)).collect())
}

#[function_component(HistoryLanes)]
pub fn history_lanes(p: &LanesProps) -> Html {
    let ops = &p.ops;
    if ops.is_empty() {
        return html! {
            <div class="hist-empty" role="note">{"No operations yet: ask a client to read or write, or press Play."}</div>
        };
    }
    let t_lo = ops.iter().map(|o| o.invoke).min().unwrap_or(0);
    let t_hi = ops
        .iter()
        .map(|o| o.response.unwrap_or(o.invoke))
        .max()
        .unwrap_or(0)
        .max(p.now.unwrap_or(0));
    let (t0, t1) = p.range.unwrap_or((t_lo, t_hi));
    let span = (t1.saturating_sub(t0)).max(1) as f64;
    // Leave a little room on the right for open operations and the now line.
    let width = span * 1.03;
    let pct = |t: u64| ((t.saturating_sub(t0)) as f64 / width * 100.0).clamp(0.0, 100.0);
    let open_end = p.now.unwrap_or(t1).max(t1);
    let mut order: Vec<usize> = (0..ops.len()).collect();
    dsviz_sim::sort::sort_by_key(&mut order, |&i| (ops[i].invoke, i));
    let (row, rows_per_lane) = sub_rows(ops, &order, open_end);
    let marks = |i: usize| p.marks.iter().find(|(k, _)| *k == i).map(|(_, m)| *m);

    let step = nice_step(span, 6.0);
    let mut ticks = Vec::new();
    let mut t = (t0 as f64 / step).ceil() * step;
    while t <= t1 as f64 && ticks.len() < 12 {
        ticks.push(t as u64);
        t += step;
    }
    let axis = ticks.iter().map(|&t| {
        html! { <span class="hist-tick" style={format!("left:{:.2}%", pct(t))}>{p.fmt.tick(t, step)}</span> }
    });
    let lanes = p.lanes.iter().enumerate().take(MAX_LANES).map(|(li, name)| {
        let sub = rows_per_lane.get(li).copied().unwrap_or(1);
        let bars = order.iter().copied().filter(|&i| ops[i].lane == li && ops[i].response.unwrap_or(open_end) >= t0).map(|i| {
            let o = &ops[i];
            let left = pct(o.invoke);
            let open = o.response.is_none();
            let end = o.response.unwrap_or(open_end);
            let w = (pct(end) - left).max(0.35);
            let top = row[i] as f64 * 26.0 + 3.0;
            let mark = marks(i);
            let class = classes!(
                "hop",
                o.status.class(),
                if o.kind == OpKind::Write { "w" } else { "r" },
                open.then_some("open"),
                (!o.flags.is_empty()).then_some("flagged"),
                mark.map(|m| if m == Mark::Culprit { "culprit" } else { "involved" }),
                (p.selected == Some(i)).then_some("selected"),
            );
            let flags = (!o.flags.is_empty()).then(|| html! { <span class="hop-flag" aria-hidden="true">{"⚠ "}{o.flags.join(", ")}</span> });
            let mut aria = format!("op {i}: {}, {}", o.describe, o.status.words());
            if !o.flags.is_empty() {
                aria.push_str(&format!(", flagged {}", o.flags.join(" and ")));
            }
            if let Some(m) = mark {
                aria.push_str(if m == Mark::Culprit { ", named by the check as the culprit" } else { ", named by the check" });
            }
            let title = format!(
                "{aria}\ninvoked {}{}",
                p.fmt.show(o.invoke),
                match o.response {
                    Some(r) => format!(", answered {}", p.fmt.show(r)),
                    None => ", no answer".into(),
                }
            );
            let cb = p.on_select.clone();
            let selected = p.selected == Some(i);
            let onclick = Callback::from(move |_: MouseEvent| cb.emit(if selected { None } else { Some(i) }));
            html! {
                <button {class} style={format!("left:{left:.3}%;width:{w:.3}%;top:{top:.0}px")} aria-label={aria} {title} {onclick}
                    aria-pressed={selected.to_string()}>
                    <span class="hop-text">{&o.label}</span>
                    {for flags}
                </button>
            }
        });
        let height = sub as f64 * 26.0 + 6.0;
        html! {
            <div class="hist-lane" role="group" aria-label={format!("{name}'s operations")}>
                <span class="hist-name">{name}</span>
                <div class="hist-track" style={format!("height:{height:.0}px")}>
                    {for bars}
                    if let Some(now) = p.now {
                        <span class="hist-now" style={format!("left:{:.3}%", pct(now))} aria-hidden="true" />
                    }
                </div>
            </div>
        }
    });
    let hidden_lanes = p.lanes.len().saturating_sub(MAX_LANES);
    let name_w = p
        .lanes
        .iter()
        .take(MAX_LANES)
        .map(|n| n.chars().count())
        .max()
        .unwrap_or(2)
        .clamp(2, 12);
    html! {
        <div class="hist" role="group" aria-label={p.label.clone()} style={format!("--name-w:{}ch", name_w + 1)}>
            <div class="hist-axis" aria-hidden="true"><span class="hist-name" /><div class="hist-ticks">{for axis}</div></div>
            {for lanes}
            if hidden_lanes > 0 {
                <p class="muted">{format!("{hidden_lanes} more clients are not drawn.")}</p>
            }
        </div>
    }
}

// ---- Building lanes from a checker history -------------------------------------

/// Lanes for any history (an imported file): one per distinct client id, in
/// id order, and at most [`MAX_DRAWN`] operations around `focus`.
/// Returns (lane names, drawn ops, index in the history of each drawn op).
pub fn lanes_of(h: &History, focus: Option<usize>) -> (Vec<String>, Vec<LaneOp>, Vec<usize>) {
    let mut clients: Vec<u32> = h.ops.iter().map(|o| o.client).collect();
    dsviz_sim::sort::sort(&mut clients);
    clients.dedup();
    let names = clients.iter().map(|c| format!("client {c}")).collect();
    let n = h.ops.len();
    let (lo, hi) = if n <= MAX_DRAWN {
        (0, n)
    } else {
        let f = focus.unwrap_or(0).min(n - 1);
        let lo = f.saturating_sub(MAX_DRAWN / 2).min(n - MAX_DRAWN);
        (lo, lo + MAX_DRAWN)
    };
    let mut ops = Vec::with_capacity(hi - lo);
    let mut index = Vec::with_capacity(hi - lo);
    for (i, o) in h.ops.iter().enumerate().take(hi).skip(lo) {
        let lane = clients.binary_search(&o.client).unwrap_or(0);
        ops.push(lane_of_op(h, o, lane, i));
        index.push(i);
    }
    (names, ops, index)
}

fn lane_of_op(h: &History, o: &Op, lane: usize, i: usize) -> LaneOp {
    let v = |x| match x {
        None => "∅".to_string(),
        Some(_) => h.show_value(x),
    };
    let status = match (o.ok, o.response) {
        (_, None) => OpStatus::Indeterminate,
        (true, Some(_)) => OpStatus::Ok,
        (false, Some(_)) if o.kind == OpKind::Cas => OpStatus::Ok,
        (false, Some(_)) => OpStatus::Refused,
    };
    let label = match o.kind {
        OpKind::Read => format!("R {}", v(o.value)),
        OpKind::Write => format!("W {}", v(o.value)),
        OpKind::Cas => format!(
            "cas {}→{}{}",
            v(o.expected),
            v(o.value),
            if !o.ok && o.response.is_some() {
                " ✗"
            } else {
                ""
            }
        ),
    };
    LaneOp {
        lane,
        kind: o.kind,
        label,
        invoke: o.invoke,
        response: o.response,
        status,
        flags: vec![],
        describe: h.describe(i),
    }
}

// ---- The panel: lanes, checks, import and export ---------------------------------

/// A history loaded from a file or the paste box.
struct Imported {
    name: String,
    history: Rc<History>,
    report: Option<(Report, f64)>,
}

pub enum PanelMsg {
    Check,
    RunCheck,
    Export,
    File(web_sys::File),
    FileText(String, Result<String, String>),
    TogglePaste,
    Paste(String),
    LoadPasted,
    CloseImport,
    Focus(Vec<usize>),
    Select(Option<usize>),
    Window(Option<u64>),
}

#[derive(Properties, PartialEq)]
pub struct PanelProps {
    /// The heading, e.g. "History" or "CP history".
    pub title: AttrValue,
    /// The lab's operations, in history order (index-aligned with `history`).
    pub ops: Rc<Vec<LaneOp>>,
    pub history: Rc<Vec<Op>>,
    pub lanes: Rc<Vec<String>>,
    /// The cursor's virtual time.
    pub now: u64,
    /// File name for Export, without extension.
    pub export_name: AttrValue,
    /// The lab's selected operation (history index), if any.
    #[prop_or_default]
    pub selected: Option<usize>,
    #[prop_or_default]
    pub on_select: Callback<Option<usize>>,
    /// Offer import (off for the second history of a comparison).
    #[prop_or(true)]
    pub import: bool,
}

pub struct HistoryPanel {
    /// The lab history last checked, and its report.
    checked: Option<(Rc<Vec<Op>>, Report, f64)>,
    checking: bool,
    imported: Option<Imported>,
    import_error: Option<String>,
    paste_open: bool,
    paste: String,
    /// Operations an explanation the learner clicked names (history indexes).
    focus: Option<Vec<usize>>,
    imported_selected: Option<usize>,
    /// Lab histories: show only the last this-many µs (None: the whole run).
    window_us: Option<u64>,
    _frame: Option<AnimationFrame>,
}

/// Zoom choices for a lab's history: the whole run, or its last stretch.
const WINDOWS: &[(Option<u64>, &str)] = &[
    (None, "Whole run"),
    (Some(2_000_000), "Last 2 s"),
    (Some(500_000), "Last 0.5 s"),
];

fn run_checks(h: &History) -> (Report, f64) {
    let t0 = dom::now_ms();
    let r = check::check(
        h,
        &CheckConfig {
            max_states: CHECK_STATES,
        },
    );
    (r, dom::now_ms() - t0)
}

impl HistoryPanel {
    fn load(&mut self, name: String, text: &str) {
        match json::from_json(text) {
            Ok(h) => {
                if h.ops.is_empty() {
                    self.import_error = Some(format!("{name} holds an empty history (no operations): nothing to show. The lab's own history is unchanged."));
                    return;
                }
                let report = run_checks(&h);
                self.imported = Some(Imported {
                    name,
                    history: Rc::new(h),
                    report: Some(report),
                });
                self.import_error = None;
                self.focus = None;
                self.imported_selected = None;
                self.paste_open = false;
            }
            Err(e) => {
                self.import_error = Some(format!("Could not import {name}: {e}. Nothing changed: the lab's run and history are as they were."));
            }
        }
    }

    fn verdict_view(
        &self,
        ctx: &Context<Self>,
        h: &History,
        report: &Report,
        ms: f64,
        stale: bool,
    ) -> Html {
        let link = ctx.link();
        let focus_btn = |ops: Vec<usize>, text: String| {
            let ops2 = ops.clone();
            html! { <button class="chip-op" onclick={link.callback(move |_| PanelMsg::Focus(ops2.clone()))}>{text}</button> }
        };
        let lin = match &report.linearizable {
            Verdict::Linearizable { order } => {
                let shown: Vec<String> = order.iter().take(12).map(|i| i.to_string()).collect();
                html! {
                    <div class="check-row good">
                        <span class="check-badge" aria-hidden="true">{"✓"}</span>
                        <div>
                            <strong>{"Linearizable."}</strong>
                            {format!(" A legal single-register order that respects real time exists: op {}{}.", shown.join(" → "), if order.len() > 12 { " → …" } else { "" })}
                        </div>
                    </div>
                }
            }
            Verdict::NotLinearizable { explanation } => {
                let chips = explanation
                    .ops
                    .iter()
                    .map(|&i| focus_btn(vec![i], h.describe(i)));
                html! {
                    <div class="check-row bad" role="status">
                        <span class="check-badge" aria-hidden="true">{"✗"}</span>
                        <div>
                            <strong>{"Not linearizable."}</strong>{" "}{&explanation.text}
                            <div class="chip-ops">{for chips}</div>
                        </div>
                    </div>
                }
            }
            Verdict::Unknown { reason } => html! {
                <div class="check-row unknown"><span class="check-badge" aria-hidden="true">{"?"}</span>
                    <div><strong>{"Linearizability unknown: "}</strong>{reason}{"."}</div></div>
            },
        };
        let seq = match &report.sequential {
            SeqVerdict::Sequential { .. } => html! {
                <div class="check-row good"><span class="check-badge" aria-hidden="true">{"✓"}</span>
                    <div><strong>{"Sequentially consistent."}</strong>{" Some order keeps every client's own order (real time between clients may be ignored)."}</div></div>
            },
            SeqVerdict::NotSequential { explanation } => {
                let chips = explanation
                    .ops
                    .iter()
                    .map(|&i| focus_btn(vec![i], h.describe(i)));
                html! {
                    <div class="check-row bad"><span class="check-badge" aria-hidden="true">{"✗"}</span>
                        <div><strong>{"Not sequentially consistent."}</strong>{" "}{&explanation.text}<div class="chip-ops">{for chips}</div></div></div>
                }
            }
            SeqVerdict::Unknown { reason } => html! {
                <div class="check-row unknown"><span class="check-badge" aria-hidden="true">{"?"}</span>
                    <div><strong>{"Sequential consistency unknown: "}</strong>{reason}{"."}</div></div>
            },
        };
        let s = &report.sessions;
        let session = |name: &str, list: &[check::SessionViolation], total: usize| {
            if total == 0 {
                return html! {
                    <div class="check-row good"><span class="check-badge" aria-hidden="true">{"✓"}</span>
                        <div><strong>{format!("{name}: ")}</strong>{"no violation."}</div></div>
                };
            }
            let items = list.iter().take(4).map(|v| {
                let ops = v.ops.to_vec();
                html! { <li><button class="linklike" onclick={link.callback(move |_| PanelMsg::Focus(ops.clone()))}>{format!("client {}: ", v.client)}</button>{" "}{&v.explanation}</li> }
            });
            html! {
                <div class="check-row bad"><span class="check-badge" aria-hidden="true">{"✗"}</span>
                    <div><strong>{format!("{name}: {total} violation{}.", if total == 1 { "" } else { "s" })}</strong>
                        <ul class="check-list">{for items}</ul></div></div>
            }
        };
        html! {
            <div class={classes!("check-report", stale.then_some("stale"))} aria-live="polite">
                {lin}
                {seq}
                {session("Read your writes", &s.read_your_writes, s.read_your_writes_total)}
                {session("Monotonic reads", &s.monotonic_reads, s.monotonic_reads_total)}
                <p class="muted">{format!("{} operations checked in {:.0} ms.", h.ops.len(), ms)}</p>
            </div>
        }
    }
}

fn marks_for(report: &Report, focus: &Option<Vec<usize>>) -> Vec<(usize, Mark)> {
    if let Some(f) = focus {
        return f
            .iter()
            .enumerate()
            .map(|(k, &i)| {
                (
                    i,
                    if k == 0 {
                        Mark::Culprit
                    } else {
                        Mark::Involved
                    },
                )
            })
            .collect();
    }
    match &report.linearizable {
        Verdict::NotLinearizable { explanation } => explanation
            .ops
            .iter()
            .map(|&i| {
                (
                    i,
                    if Some(i) == explanation.culprit {
                        Mark::Culprit
                    } else {
                        Mark::Involved
                    },
                )
            })
            .collect(),
        _ => vec![],
    }
}

impl Component for HistoryPanel {
    type Message = PanelMsg;
    type Properties = PanelProps;

    fn create(_ctx: &Context<Self>) -> Self {
        HistoryPanel {
            checked: None,
            checking: false,
            imported: None,
            import_error: None,
            paste_open: false,
            paste: String::new(),
            focus: None,
            imported_selected: None,
            window_us: Some(2_000_000),
            _frame: None,
        }
    }

    fn update(&mut self, ctx: &Context<Self>, msg: PanelMsg) -> bool {
        match msg {
            PanelMsg::Check => {
                self.checking = true;
                self.focus = None;
                // Let "Checking…" show before the work starts.
                let link = ctx.link().clone();
                self._frame = Some(request_animation_frame(move |_| {
                    link.send_message(PanelMsg::RunCheck)
                }));
                true
            }
            PanelMsg::RunCheck => {
                self.checking = false;
                self._frame = None;
                if let Some(imp) = self.imported.as_mut() {
                    imp.report = Some(run_checks(&imp.history));
                } else {
                    let ops = ctx.props().history.clone();
                    let (r, ms) = run_checks(&History::new((*ops).clone()));
                    // Show the whole run, so the operations a verdict names are in view.
                    if !matches!(r.linearizable, Verdict::Linearizable { .. }) {
                        self.window_us = None;
                    }
                    self.checked = Some((ops, r, ms));
                }
                true
            }
            PanelMsg::Export => {
                let (name, text) = match &self.imported {
                    Some(imp) => (
                        format!("{}-export.json", imp.name.trim_end_matches(".json")),
                        json::to_json(&imp.history),
                    ),
                    None => (
                        format!("{}.json", ctx.props().export_name),
                        json::to_json(&History::new((*ctx.props().history).clone())),
                    ),
                };
                if let Err(e) = dom::download(&name, &text) {
                    self.import_error = Some(format!("Could not start the download: {e}."));
                }
                true
            }
            PanelMsg::File(file) => {
                let link = ctx.link().clone();
                dom::read_file(
                    file,
                    json::INPUT_BYTES_MAX,
                    Callback::from(move |(name, text)| {
                        link.send_message(PanelMsg::FileText(name, text))
                    }),
                );
                false
            }
            PanelMsg::FileText(name, text) => {
                match text {
                    Ok(t) => self.load(name, &t),
                    Err(e) => {
                        self.import_error =
                            Some(format!("Could not import {name}: {e}. Nothing changed."))
                    }
                }
                true
            }
            PanelMsg::TogglePaste => {
                self.paste_open = !self.paste_open;
                true
            }
            PanelMsg::Paste(t) => {
                self.paste = t;
                false
            }
            PanelMsg::LoadPasted => {
                let text = self.paste.clone();
                if text.trim().is_empty() {
                    self.import_error = Some(
                        "The paste box is empty: paste a JSON array of operations first.".into(),
                    );
                } else {
                    self.load("the pasted history".into(), &text);
                }
                true
            }
            PanelMsg::CloseImport => {
                self.imported = None;
                self.import_error = None;
                self.focus = None;
                true
            }
            PanelMsg::Focus(ops) => {
                self.window_us = None;
                if let (Some(&first), None) = (ops.first(), &self.imported) {
                    ctx.props().on_select.emit(Some(first));
                }
                self.focus = Some(ops);
                true
            }
            PanelMsg::Window(w) => {
                self.window_us = w;
                true
            }
            PanelMsg::Select(i) => {
                if self.imported.is_some() {
                    self.imported_selected = i;
                } else {
                    ctx.props().on_select.emit(i);
                }
                true
            }
        }
    }

    fn view(&self, ctx: &Context<Self>) -> Html {
        let p = ctx.props();
        let link = ctx.link();
        let on_file = link.batch_callback(|e: Event| {
            let input: web_sys::HtmlInputElement = e.target_unchecked_into();
            let file = input.files().and_then(|f| f.get(0));
            input.set_value("");
            file.map(PanelMsg::File)
        });
        let on_paste = link.callback(|e: InputEvent| PanelMsg::Paste(dom::input_value(&e)));
        let (lanes_html, report_html, heading) = match &self.imported {
            Some(imp) => {
                let h = &imp.history;
                let culprit = imp
                    .report
                    .as_ref()
                    .and_then(|(r, _)| match &r.linearizable {
                        Verdict::NotLinearizable { explanation } => {
                            explanation.culprit.or(explanation.ops.first().copied())
                        }
                        _ => None,
                    });
                let (names, ops, index) = lanes_of(h, culprit);
                let marks: Vec<(usize, Mark)> = imp
                    .report
                    .as_ref()
                    .map(|(r, _)| marks_for(r, &self.focus))
                    .unwrap_or_default()
                    .into_iter()
                    .filter_map(|(i, m)| index.iter().position(|&k| k == i).map(|pos| (pos, m)))
                    .collect();
                let sel = self.imported_selected;
                let window_note = (ops.len() < h.ops.len()).then(|| {
                    html! { <p class="muted">{format!("Showing operations {}–{} of {} (the window around the first problem).", index[0], index[index.len() - 1], h.ops.len())}</p> }
                });
                let lanes = html! {
                    <>
                        {for window_note}
                        <HistoryLanes ops={Rc::new(ops)} lanes={Rc::new(names)} fmt={TimeFmt::Plain} marks={Rc::new(marks)} selected={sel}
                            on_select={link.callback(PanelMsg::Select)} label={AttrValue::from(format!("Imported history: {}", imp.name))} />
                    </>
                };
                let report = imp
                    .report
                    .as_ref()
                    .map(|(r, ms)| self.verdict_view(ctx, h, r, *ms, false))
                    .unwrap_or_default();
                let heading = html! {
                    <div class="import-banner" role="status">
                        <span>{format!("Imported {}: {} operations, {} clients. The lab is paused behind it, untouched.", imp.name, h.ops.len(), h.ops.iter().map(|o| o.client).collect::<std::collections::BTreeSet<_>>().len())}</span>
                        <button class="linklike" onclick={link.callback(|_| PanelMsg::CloseImport)}>{"Back to the lab's history"}</button>
                    </div>
                };
                (lanes, report, heading)
            }
            None => {
                let current = self
                    .checked
                    .as_ref()
                    .filter(|(ops, _, _)| *ops == p.history);
                let marks: Vec<(usize, Mark)> = current
                    .map(|(_, r, _)| marks_for(r, &self.focus))
                    .unwrap_or_default();
                let t_end = p
                    .ops
                    .iter()
                    .map(|o| o.response.unwrap_or(o.invoke))
                    .max()
                    .unwrap_or(0)
                    .max(p.now);
                let range = self
                    .window_us
                    .filter(|w| t_end > *w)
                    .map(|w| (t_end - w, t_end));
                let zoom = (!p.ops.is_empty()).then(|| {
                    html! {
                        <div class="seg hist-zoom" role="group" aria-label="History zoom">
                            { for WINDOWS.iter().map(|(w, label)| {
                                let w = *w;
                                let active = self.window_us == w;
                                html! { <button class={classes!(active.then_some("active"))} aria-pressed={active.to_string()} onclick={link.callback(move |_| PanelMsg::Window(w))}>{*label}</button> }
                            }) }
                        </div>
                    }
                });
                let lanes = html! {
                    <>
                        {for zoom}
                        <HistoryLanes ops={p.ops.clone()} lanes={p.lanes.clone()} now={p.now} fmt={TimeFmt::Micros} marks={Rc::new(marks)} {range}
                            selected={p.selected} on_select={link.callback(PanelMsg::Select)} label={p.title.clone()} />
                    </>
                };
                let report = match &self.checked {
                    Some((ops, r, ms)) => {
                        let stale = *ops != p.history;
                        html! {
                            <>
                                if stale {
                                    <p class="banner warn small">{format!("The history has changed since this check ({} operations then, {} now). Check again to judge the current one.", ops.len(), p.history.len())}</p>
                                }
                                {self.verdict_view(ctx, &History::new((**ops).clone()), r, *ms, stale)}
                            </>
                        }
                    }
                    None => html! {},
                };
                (lanes, report, html! {})
            }
        };
        let n_ops = self
            .imported
            .as_ref()
            .map(|i| i.history.ops.len())
            .unwrap_or(p.history.len());
        html! {
            <section class="history-card" aria-label={p.title.clone()}>
                <div class="history-head">
                    <h2>{p.title.clone()}</h2>
                    <span class="hist-legend" aria-hidden="true">
                        <span class="lg ok">{"ok"}</span><span class="lg refused">{"refused"}</span>
                        <span class="lg unknown">{"indeterminate"}</span><span class="lg pending">{"waiting"}</span><span class="lg flagged">{"⚠ anomaly"}</span>
                    </span>
                    <div class="history-actions">
                        <button class="primary" onclick={link.callback(|_| PanelMsg::Check)} disabled={self.checking || n_ops == 0}
                            title="Linearizability, sequential consistency, read-your-writes and monotonic reads">
                            { if self.checking { "Checking…" } else { "Check" } }
                        </button>
                        <button onclick={link.callback(|_| PanelMsg::Export)} disabled={n_ops == 0} title="Download this history as JSON">{"Export"}</button>
                        if p.import {
                            <label class="file-btn">{"Import…"}
                                <input type="file" accept=".json,application/json,text/plain" aria-label="Import a history file" onchange={on_file} />
                            </label>
                            <button onclick={link.callback(|_| PanelMsg::TogglePaste)} aria-expanded={self.paste_open.to_string()}>{"Paste"}</button>
                        }
                    </div>
                </div>
                {heading}
                if let Some(e) = &self.import_error {
                    <div class="banner warn small import-error" role="alert">
                        <span>{e}</span>
                    </div>
                }
                if self.paste_open {
                    <div class="paste-box">
                        <label class="field"><span>{"Paste a history: a JSON array of {\"client\", \"op\", \"value\", \"invoke\", \"response\"} objects"}</span>
                            <textarea rows="5" aria-label="History JSON" oninput={on_paste} value={self.paste.clone()}
                                placeholder={"[\n  {\"client\": 1, \"op\": \"write\", \"value\": 1, \"invoke\": 0, \"response\": 10},\n  {\"client\": 2, \"op\": \"read\", \"value\": null, \"invoke\": 12, \"response\": 15}\n]"} />
                        </label>
                        <div class="row">
                            <button class="primary" onclick={link.callback(|_| PanelMsg::LoadPasted)}>{"Load and check"}</button>
                            <button onclick={link.callback(|_| PanelMsg::TogglePaste)}>{"Cancel"}</button>
                        </div>
                    </div>
                }
                {lanes_html}
                {report_html}
            </section>
        }
    }
}
