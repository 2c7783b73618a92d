//! The Clocks and causality lab page: the shell plus the run drawn as a
//! space-time diagram, each event labelled by the clock the learner picks
//! (the run does not change), and a table of every process's clocks and
//! replica.

mod logs;

use super::shell::{Key, LabPage, LabUi, Msg};
use crate::components::spacetime::{self, SpaceTime};
use dsviz_sim::kernel::{Input, NodeId, Who, World};
use dsviz_sim::labs::clocks::event::Stamps;
use dsviz_sim::labs::clocks::lab::ClocksLab;
use dsviz_sim::labs::clocks::trace::{fit, offset_text, says, stamp, trace, Fit, Says, Shown};
use dsviz_sim::labs::clocks::{wall_offset_us, Clocks, Cmd};
use dsviz_sim::labs::Run;
use dsviz_sim::spacetime::Trace;
use std::collections::BTreeMap;
use std::rc::Rc;
use yew::html::Scope;
use yew::prelude::*;

/// The Clocks lab's page.
pub struct ClocksUi;

/// The page's own state: the clock whose stamps label the events.
pub struct ClocksState {
    pub shown: Shown,
    /// The Logs tab: the log read in, kept while the run changes.
    pub logs: logs::Logs,
}

pub enum Action {
    Show(Shown),
    Log(logs::LogAction),
}

type Page = LabPage<ClocksUi>;

const DEFAULT_SHOWN: Shown = Shown::Wall;

fn cmd(id: NodeId, c: Cmd) -> Msg<ClocksUi> {
    Msg::Inject(Input::Command(Who::Id(id), c))
}

/// A value no write has used yet, so the replicas show which write won.
fn next_value(w: &World<Clocks>) -> u32 {
    w.nodes.iter().map(|p| p.events.len() as u32).sum::<u32>() + 1
}

fn offsets(w: &World<Clocks>, page: &Page) -> Vec<(String, i64)> {
    (0..w.nodes.len())
        .map(|p| (page.name(NodeId(p as u8)), wall_offset_us(w, p)))
        .collect()
}

/// How each clock orders the picked events `a` and `b`, and whether that
/// fits what happened.
fn verdicts(t: &Trace, stamps: &[Stamps], a: usize, b: usize) -> Html {
    let (Some(x), Some(y)) = (stamps.get(a), stamps.get(b)) else {
        return Html::default();
    };
    let causal = t.order(a, b);
    let rows = Shown::ALL.iter().map(|&c| {
        let s = says(x, y, c);
        let f = fit(s, causal);
        let said = match s {
            Says::Before => "first before second",
            Says::After => "second before first",
            Says::Tie => "a tie",
            Says::Concurrent => "concurrent",
            Says::Overlap => "intervals overlap",
        };
        let class = match f {
            Fit::Agrees | Fit::Honest => "fit-ok",
            Fit::Contradicts => "fit-bad",
            Fit::Unsure | Fit::Arbitrary => "fit-meh",
        };
        html! {
            <tr>
                <th scope="row">{c.label()}</th>
                <td class="mono">{stamp(x, c)}</td>
                <td class="mono">{stamp(y, c)}</td>
                <td>{said}</td>
                <td class={class}>{f.words()}</td>
            </tr>
        }
    });
    html! {
        <div class="proc-scroll">
            <table class="st-verdicts" aria-label="How each clock orders the two events">
                <thead><tr><th>{"Clock"}</th><th>{"First picked"}</th><th>{"Second picked"}</th><th>{"Its stamps say"}</th><th>{"Against what happened"}</th></tr></thead>
                <tbody>{for rows}</tbody>
            </table>
        </div>
    }
}

impl LabUi for ClocksUi {
    type Lab = ClocksLab;
    type State = ClocksState;
    type Action = Action;

    fn init(
        _run: &Run<ClocksLab>,
        extra: &BTreeMap<String, String>,
        warnings: &mut Vec<String>,
    ) -> ClocksState {
        let shown = match extra.get("clock") {
            None => DEFAULT_SHOWN,
            Some(v) => Shown::parse(v).unwrap_or_else(|| {
                let keys: Vec<&str> = Shown::ALL.iter().map(|c| c.key()).collect();
                warnings.push(format!(
                    "clock={v} is not a clock ({}); showing the wall clock.",
                    keys.join(", ")
                ));
                DEFAULT_SHOWN
            }),
        };
        ClocksState {
            shown,
            logs: logs::Logs::default(),
        }
    }

    fn view_pairs(page: &Page) -> Vec<(&'static str, String)> {
        if page.state.shown == DEFAULT_SHOWN {
            Vec::new()
        } else {
            vec![("clock", page.state.shown.key().to_string())]
        }
    }

    fn update(page: &mut Page, ctx: &Context<Page>, action: Action) -> bool {
        match action {
            Action::Show(c) => {
                page.state.shown = c;
                page.sync_url();
                true
            }
            Action::Log(a) => logs::update(page, ctx, a),
        }
    }

    fn tabs(_page: &Page) -> Vec<(&'static str, &'static str)> {
        vec![("logs", "Logs")]
    }

    fn tab(page: &Page, link: &Scope<Page>, id: &'static str) -> Html {
        match id {
            "logs" => logs::view(page, link),
            _ => Html::default(),
        }
    }

    fn diagram(page: &Page, link: &Scope<Page>) -> Html {
        let w = page.world();
        let (t, order) = trace(w);
        let t = Rc::new(t);
        let win = spacetime::window(&t);
        let texts: Vec<(usize, String)> = win
            .clone()
            .map(|i| {
                (
                    i,
                    format!("{}, {}", order[i].id.label(), order[i].describe()),
                )
            })
            .collect();
        let stamps: Vec<String> = order
            .iter()
            .map(|e| stamp(&e.stamps, page.state.shown))
            .collect();
        let all: Rc<Vec<Stamps>> = Rc::new(order.iter().map(|e| e.stamps.clone()).collect());
        let skewed: Vec<String> = offsets(w, page)
            .into_iter()
            .filter(|(_, o)| o.unsigned_abs() >= 1000)
            .map(|(n, o)| format!("{n} {}", offset_text(o)))
            .collect();
        let n_obs = w.checker.observations.len();
        let shown = page.state.shown;
        let picker = Shown::ALL.iter().map(|c| {
            let c = *c;
            html! {
                <button aria-pressed={(c == shown).to_string()} onclick={link.callback(move |_| Msg::Lab(Action::Show(c)))}>{c.label()}</button>
            }
        });
        let down: Vec<String> = (0..w.nodes.len())
            .map(|i| NodeId(i as u8))
            .filter(|id| !w.is_up(*id))
            .map(|id| page.name(id))
            .collect();
        html! {
            <>
                <div class="status-strip" aria-live="polite">
                    <span class="pill">{format!("{} events", order.len())}</span>
                    if skewed.is_empty() {
                        <span class="pill ok">{"Clocks agree within 1 ms"}</span>
                    } else {
                        <span class="pill warn">{format!("Clock offsets: {}", skewed.join(", "))}</span>
                    }
                    if n_obs > 0 {
                        <span class="pill split">{format!("{n_obs} wall-clock stamp{} against causality", if n_obs == 1 { "" } else { "s" })}</span>
                    }
                    { for down.iter().map(|n| html!{ <span class="pill down">{format!("{n} down")}</span> }) }
                    <span class="pill subtle">{format!("{} in flight", w.in_flight.len())}</span>
                </div>
                <div class="clock-pick" role="group" aria-label="Label events with">
                    {for picker}
                </div>
                <SpaceTime trace={t.clone()} texts={Rc::new(texts)} stamps={Some(Rc::new(stamps))} on_seek={link.callback(Msg::Seek)}
                    on_lane={Some(link.callback(|i: usize| Msg::ClickNode(NodeId(i as u8))))}
                    compare={Some(Callback::from(move |(a, b): (usize, usize)| verdicts(&t, &all, a, b)))}
                    on_export={Some(link.callback(|_| Msg::ExportLog))} />
            </>
        }
    }

    fn actions(page: &Page, link: &Scope<Page>) -> Html {
        let w = page.world();
        let n = w.nodes.len() as u8;
        let last = n.saturating_sub(1);
        let v = next_value(w);
        html! {
            <div class="fault-bar" role="group" aria-label="Events and faults">
                <button onclick={link.callback(|_| cmd(NodeId(0), Cmd::Local))} title="L">{"P1 local event"}</button>
                <button onclick={link.callback(|_| cmd(NodeId(0), Cmd::Request { to: 1, rounds: 1 }))} title="R">{"P1 asks P2"}</button>
                <button onclick={link.callback(move |_| cmd(NodeId(0), Cmd::Write { key: 0, value: v }))} title="W">{"P1 writes k0"}</button>
                <button onclick={link.callback(move |_| cmd(NodeId(last), Cmd::Write { key: 0, value: v }))}>{format!("P{n} writes k0")}</button>
                <button onclick={link.callback(|_| cmd(NodeId(0), Cmd::Commit))}>{"P1 commits"}</button>
                <button onclick={link.callback(|_| Msg::Inject(Input::ClockOffset(Who::Id(NodeId(1)), 200_000)))}>{"P2's clock 200 ms fast"}</button>
                <span class="hint">{"Click a process's name for more; click a dot to see its causal past and future."}</span>
            </div>
        }
    }

    fn below(page: &Page, _link: &Scope<Page>) -> Html {
        let w = page.world();
        let rows = w.nodes.iter().enumerate().map(|(i, p)| {
            let id = NodeId(i as u8);
            let store: Vec<String> = p
                .store
                .iter()
                .map(|(k, vs)| {
                    let vals: Vec<String> = vs.iter().map(|v| v.value.to_string()).collect();
                    format!("k{k}={}", vals.join("|"))
                })
                .collect();
            let hlc = if p.hlc.l == i64::MIN { "—".to_string() } else { format!("{},{}", p.hlc.l, p.hlc.c) };
            html! {
                <tr class={classes!((!w.is_up(id)).then_some("down"))}>
                    <th scope="row">{page.name(id)}</th>
                    <td class="mono">{offset_text(wall_offset_us(w, i))}</td>
                    <td class="mono">{p.lamport.0}</td>
                    <td class="mono">{p.vector.text()}</td>
                    <td class="mono">{hlc}</td>
                    <td class="mono">{if store.is_empty() { "—".to_string() } else { store.join(" ") }}</td>
                </tr>
            }
        });
        html! {
            <section class="card proc-scroll" aria-label="Processes">
                <table class="proc-table">
                    <thead><tr><th>{"Process"}</th><th>{"Wall clock vs true time"}</th><th>{"Lamport"}</th><th>{"Vector"}</th><th>{"HLC l,c"}</th><th>{"Replica (| = siblings)"}</th></tr></thead>
                    <tbody>{for rows}</tbody>
                </table>
            </section>
        }
    }

    fn node_menu(page: &Page, link: &Scope<Page>, id: NodeId) -> Option<(String, Html)> {
        let w = page.world();
        let p = w.nodes.get(id.idx())?;
        let name = page.name(id);
        let up = w.is_up(id);
        let others: Vec<u8> = (0..w.nodes.len() as u8).filter(|q| *q != id.0).collect();
        let offset = wall_offset_us(w, id.idx());
        let v = next_value(w);
        let items = html! {
            <>
                if up {
                    <button onclick={link.callback(move |_| cmd(id, Cmd::Local))}>{"Local event"}</button>
                    { for others.iter().map(|q| { let q = *q; html!{
                        <button onclick={link.callback(move |_| cmd(id, Cmd::Request { to: q, rounds: 1 }))}>{format!("Ask P{} (request and reply)", q + 1)}</button>
                    }}) }
                    <button onclick={link.callback(move |_| cmd(id, Cmd::Write { key: 0, value: v }))}>{format!("Write k0 = {v}")}</button>
                    <button onclick={link.callback(move |_| cmd(id, Cmd::Commit))}>{"Start a transaction"}</button>
                    <button onclick={link.callback(move |_| Msg::Inject(Input::ClockOffset(Who::Id(id), offset + 100_000)))}>{"Clock 100 ms ahead"}</button>
                    <button onclick={link.callback(move |_| Msg::Inject(Input::ClockOffset(Who::Id(id), offset - 100_000)))}>{"Clock 100 ms behind"}</button>
                    <button onclick={link.callback(move |_| Msg::Inject(Input::ClockDrift(Who::Id(id), 500)))}>{"Drift +500 ppm"}</button>
                    <button onclick={link.callback(move |_| Msg::Inject(Input::Pause(Who::Id(id), 300_000)))}>{"Pause 300 ms"}</button>
                    <button onclick={link.callback(move |_| Msg::Inject(Input::Crash(Who::Id(id))))}>{format!("Crash {name}")}</button>
                } else {
                    <button onclick={link.callback(move |_| Msg::Inject(Input::Restart(Who::Id(id))))}>{format!("Restart {name}")}</button>
                }
            </>
        };
        let facts = format!(
            "{name} — {}, clock {} from true time, Lamport {}, vector {}, {} events",
            if up { "up" } else { "crashed" },
            offset_text(offset),
            p.lamport.0,
            p.vector.text(),
            p.events.len()
        );
        Some((facts, items))
    }

    fn anchor(page: &Page, id: NodeId) -> (f64, f64) {
        (
            spacetime::lane_x_pct(id.idx(), page.world().nodes.len()),
            12.0,
        )
    }

    fn keys() -> Vec<Key<ClocksUi>> {
        vec![
            Key {
                keys: &["l"],
                label: "L",
                what: "P1 takes a local event",
                msg: |_| Some(cmd(NodeId(0), Cmd::Local)),
            },
            Key {
                keys: &["r"],
                label: "R",
                what: "P1 asks P2 (request and reply)",
                msg: |_| Some(cmd(NodeId(0), Cmd::Request { to: 1, rounds: 1 })),
            },
            Key {
                keys: &["w"],
                label: "W",
                what: "P1 writes k0",
                msg: |p| {
                    Some(cmd(
                        NodeId(0),
                        Cmd::Write {
                            key: 0,
                            value: next_value(p.world()),
                        },
                    ))
                },
            },
            Key {
                keys: &["k"],
                label: "K",
                what: "Label events with the next clock",
                msg: |p| {
                    let i = Shown::ALL
                        .iter()
                        .position(|c| *c == p.state.shown)
                        .unwrap_or(0);
                    Some(Msg::Lab(Action::Show(
                        Shown::ALL[(i + 1) % Shown::ALL.len()],
                    )))
                },
            },
        ]
    }

    fn legend() -> Html {
        html! {
            <ul>
                <li>{"One lane per process, time flowing down. A dot is an event: white a local event, grey a send, black a receive. An arrow is a message; dashed while it travels, crossed where it was lost."}</li>
                <li>{"The buttons above the diagram pick which clock labels the events: each process's wall clock (ms), Lamport counters, vector clocks, hybrid logical clocks (l, c) or TrueTime intervals. The run is the same; only the stamps change."}</li>
                <li>{"Click a dot: blue events happened before it, amber ones after it, faded ones are concurrent with it. Click a second dot to compare the two."}</li>
                <li>{"The table below shows every process's clock offset from true time, its clocks now, and its replica of the key-value store."}</li>
            </ul>
        }
    }

    fn spacetime_tab() -> bool {
        false
    }
}
