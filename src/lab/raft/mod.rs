//! The Raft lab page: the shell plus Raft's own drawing. The diagram and
//! logs are pure functions in [`view`]; this module says what the status
//! line shows, what a server's menu offers, the fault buttons and keys.

pub mod view;

use super::shell::{Key, LabPage, LabUi, Msg};
use dsviz_sim::kernel::{Input, NodeId, Protocol, Who, World};
use dsviz_sim::labs::raft::{Cmd, Raft, RaftLab, RaftNode, Role};
use dsviz_sim::labs::Run;
use std::collections::BTreeMap;
use view::{node_pos, DiagramProps, VIEW};
use yew::html::Scope;
use yew::prelude::*;

/// The Raft lab's page.
pub struct RaftUi;

/// The Raft page's own messages.
pub enum Action {
    /// The client submits its next value, to a server or to its best guess at the leader.
    ClientRequest(Option<NodeId>),
}

type Page = LabPage<RaftUi>;

fn leader(w: &World<Raft>) -> Option<NodeId> {
    w.proto.leader(&w.nodes, &w.net)
}

fn client_request(to: Option<NodeId>) -> Msg<RaftUi> {
    Msg::Lab(Action::ClientRequest(to))
}

impl LabUi for RaftUi {
    type Lab = RaftLab;
    type State = ();
    type Action = Action;

    fn init(_run: &Run<RaftLab>, _extra: &BTreeMap<String, String>, _warnings: &mut Vec<String>) {}

    fn update(page: &mut Page, _ctx: &Context<Page>, action: Action) -> bool {
        match action {
            Action::ClientRequest(to) => {
                let w = page.world();
                let client = w.proto.client_id();
                let value = w
                    .nodes
                    .iter()
                    .filter_map(RaftNode::client)
                    .next()
                    .map(|c| c.next_req)
                    .unwrap_or(1);
                page.inject(Input::Command(Who::Id(client), Cmd::Submit { value, to }));
                true
            }
        }
    }

    fn diagram(page: &Page, link: &Scope<Page>) -> Html {
        let w = page.world();
        let n = w.proto.n_servers();
        let mut leaders: Vec<(u64, NodeId)> = w
            .nodes
            .iter()
            .filter_map(RaftNode::server)
            .filter(|s| s.role == Role::Leader && w.is_up(s.id))
            .map(|s| (s.term, s.id))
            .collect();
        dsviz_sim::sort::sort_by(&mut leaders, |a, b| b.cmp(a));
        let leader_note = match leaders.as_slice() {
            [] => "No leader".to_string(),
            [(t, l)] => format!("{} leads term {t}", page.name(*l)),
            [(t, l), rest @ ..] => {
                let stale: Vec<String> = rest
                    .iter()
                    .map(|(t, l)| format!("{} (term {t})", page.name(*l)))
                    .collect();
                format!(
                    "{} leads term {t}; {} still think{} it leads",
                    page.name(*l),
                    stale.join(", "),
                    if stale.len() == 1 { "s" } else { "" }
                )
            }
        };
        let groups: Vec<String> = w
            .net
            .groups()
            .iter()
            .map(|g| {
                g.iter()
                    .map(|n| page.name(*n))
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .collect();
        let status = html! {
            <div class="status-strip" aria-live="polite">
                <span class={classes!("pill", (!leaders.is_empty()).then_some("ok"), (leaders.len() > 1).then_some("split"))}>{leader_note}</span>
                if w.net.is_partitioned() {
                    <span class="pill warn">{format!("Partitioned: {}", groups.join(" | "))}</span>
                }
                { for (0..n).map(|i| NodeId(i as u8)).filter(|id| !w.is_up(*id)).map(|id| html!{ <span class="pill down">{format!("{} down", page.name(id))}</span> }) }
                <span class="pill subtle">{format!("{} in flight", w.in_flight.len())}</span>
            </div>
        };
        let selected = match page.menu {
            Some(super::shell::Menu::Node(id)) => Some(id),
            _ => None,
        };
        let diagram = view::diagram(&DiagramProps {
            world: w,
            view_us: page.view_us,
            selected,
            on_node: link.callback(Msg::ClickNode),
            on_msg: link.callback(Msg::ClickMessage),
        });
        html! { <>{status}{diagram}</> }
    }

    fn actions(page: &Page, link: &Scope<Page>) -> Html {
        let w = page.world();
        let n = w.proto.n_servers();
        let no_leader = leader(w).is_none();
        html! {
            <div class="fault-bar" role="group" aria-label="Faults and requests">
                <button onclick={link.callback(|_| client_request(None))} title="C">{"Client request"}</button>
                <button onclick={link.callback(|_| Msg::Inject(Input::Crash(Who::Leader)))} disabled={no_leader} title="X">{"Crash leader"}</button>
                <button onclick={link.callback(|_| Msg::Inject(Input::Isolate(Who::Leader)))} disabled={no_leader}>{"Isolate leader"}</button>
                <button onclick={link.callback(move |_| Msg::Inject(Input::Partition(vec![(0..(n / 2) as u8).map(NodeId).collect()])))}>{"Split minority"}</button>
                <button onclick={link.callback(|_| Msg::Inject(Input::Heal))} disabled={!w.net.is_partitioned()} title="H">{"Heal network"}</button>
                <span class="hint">{"Click a server or a message for more."}</span>
            </div>
        }
    }

    fn below(page: &Page, _link: &Scope<Page>) -> Html {
        view::logs(page.world())
    }

    fn node_menu(page: &Page, link: &Scope<Page>, id: NodeId) -> Option<(String, Html)> {
        let w = page.world();
        let s = w.nodes.get(id.idx()).and_then(RaftNode::server)?;
        let up = w.is_up(id);
        let name = page.name(id);
        let slow = w.net.slow[id.idx()] > 1;
        let isolated = w.net.groups().iter().any(|g| g.len() == 1 && g[0] == id);
        let items = html! {
            <>
                if up {
                    <button onclick={link.callback(move |_| Msg::Inject(Input::Crash(Who::Id(id))))}>{format!("Crash {name}")}</button>
                    <button onclick={link.callback(move |_| Msg::Inject(Input::Command(Who::Id(id), Cmd::Timeout)))}>{"Force election timeout"}</button>
                    <button onclick={link.callback(move |_| client_request(Some(id)))}>{format!("Client request to {name}")}</button>
                } else {
                    <button onclick={link.callback(move |_| Msg::Inject(Input::Restart(Who::Id(id))))}>{format!("Restart {name}")}</button>
                }
                if isolated {
                    <button onclick={link.callback(|_| Msg::Inject(Input::Heal))}>{"Heal network"}</button>
                } else {
                    <button onclick={link.callback(move |_| Msg::Inject(Input::Isolate(Who::Id(id))))}>{format!("Isolate {name}")}</button>
                }
                if slow {
                    <button onclick={link.callback(move |_| Msg::Inject(Input::Slow(Who::Id(id), 1)))}>{"Normal speed"}</button>
                } else {
                    <button onclick={link.callback(move |_| Msg::Inject(Input::Slow(Who::Id(id), 5)))}>{"Slow down (5× latency)"}</button>
                }
            </>
        };
        let facts = format!(
            "{}, term {}, voted for {}, {} log entries, commit {}",
            if up {
                s.role.to_string()
            } else {
                "crashed".into()
            },
            s.term,
            s.voted_for
                .map(|v| page.name(v))
                .unwrap_or_else(|| "nobody".into()),
            s.log.len(),
            s.commit
        );
        Some((format!("{name} — {facts}"), items))
    }

    fn anchor(page: &Page, id: NodeId) -> (f64, f64) {
        let (x, y) = node_pos(id, page.world().proto.n_servers());
        (x / VIEW * 100.0, y / VIEW * 100.0)
    }

    fn keys() -> Vec<Key<RaftUi>> {
        vec![
            Key {
                keys: &["c"],
                label: "C",
                what: "Send a client request",
                msg: |_| Some(client_request(None)),
            },
            Key {
                keys: &["x"],
                label: "X",
                what: "Crash the leader",
                msg: |_| Some(Msg::Inject(Input::Crash(Who::Leader))),
            },
        ]
    }

    fn legend() -> Html {
        html! {
            <ul>
                <li><span class="key-dot follower" />{"Follower"}<span class="key-dot candidate" />{"Candidate"}<span class="key-dot leader" />{"Leader"}<span class="key-dot down" />{"Crashed"}</li>
                <li>{"The number in a server is its current term. The ring around a follower or candidate is its election timer running down."}</li>
                <li>{"Dots travelling between servers are messages: amber vote requests, green ✓ / red ✗ answers, blue AppendEntries (a number = entries carried), pale blue heartbeats, violet client traffic. A faded dot is waiting for its sender's disk write."}</li>
                <li>{"In the logs below, each cell is an entry: its term on top, the client's value beneath. Solid cells are known committed by that server."}</li>
            </ul>
        }
    }
}
