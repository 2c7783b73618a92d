//! Pure drawing for the Raft lab: the cluster diagram, the logs, and the
//! text of glyph labels. Nothing here changes state; callbacks carry the
//! learner's clicks back to the component.

use dsviz_sim::kernel::world::MessageKind;
use dsviz_sim::kernel::{InFlight, NodeId, Protocol, World};
use dsviz_sim::labs::raft::{Msg, Raft, RaftNode, Role, Server, Timer};
use yew::prelude::*;

pub const VIEW: f64 = 600.0;
const CENTER: f64 = 300.0;
const RING: f64 = 222.0;

/// Where server `i` of `n` sits: on a circle, S1 at the top, clockwise.
pub fn server_pos(i: usize, n: usize) -> (f64, f64) {
    let a = -std::f64::consts::FRAC_PI_2 + i as f64 * std::f64::consts::TAU / n as f64;
    (CENTER + RING * a.cos(), CENTER + RING * a.sin())
}

pub fn node_pos(id: NodeId, n_servers: usize) -> (f64, f64) {
    if id.idx() >= n_servers {
        (CENTER, CENTER)
    } else {
        server_pos(id.idx(), n_servers)
    }
}

pub fn node_radius(n_servers: usize) -> f64 {
    match n_servers {
        0..=5 => 42.0,
        6..=7 => 36.0,
        _ => 31.0,
    }
}

/// The accessible name of a server glyph, e.g. "S2, leader, term 3".
pub fn server_label(s: &Server, up: bool) -> String {
    let name = format!("S{}", s.id.0 + 1);
    if !up {
        return format!("{name}, crashed, term {}", s.term);
    }
    let mut l = format!("{name}, {}, term {}", s.role, s.term);
    if let Some(v) = s.voted_for {
        l.push_str(&format!(", voted for S{}", v.0 + 1));
    }
    l.push_str(&format!(
        ", log {} entries, commit {}",
        s.log.len(),
        s.commit
    ));
    l
}

/// A colour per term, so entries of one term look alike everywhere.
pub fn term_hue(term: u64) -> u64 {
    (term * 67 + 200) % 360
}

fn msg_class(m: &Msg) -> &'static str {
    match m {
        Msg::RequestVote { .. } => "m-rv",
        Msg::Vote { granted: true, .. } => "m-vote-yes",
        Msg::Vote { granted: false, .. } => "m-vote-no",
        Msg::AppendEntries { entries, .. } if entries.is_empty() => "m-hb",
        Msg::AppendEntries { .. } => "m-ae",
        Msg::AppendReply { success: true, .. } => "m-ok",
        Msg::AppendReply { success: false, .. } => "m-no",
        Msg::Request { .. } => "m-req",
        Msg::Reply { .. } => "m-reply",
        Msg::Redirect { .. } => "m-redirect",
    }
}

fn msg_detail(m: &Msg) -> String {
    match m {
        Msg::RequestVote { term, last_log_index, last_log_term } => {
            format!("term {term}, last log entry {last_log_index} of term {last_log_term}")
        }
        Msg::Vote { term, granted } => format!("term {term}, {}", if *granted { "granted" } else { "refused" }),
        Msg::AppendEntries { term, prev_index, prev_term, entries, leader_commit } => format!(
            "term {term}, after index {prev_index} (term {prev_term}), {} entr{}, commit {leader_commit}",
            entries.len(),
            if entries.len() == 1 { "y" } else { "ies" }
        ),
        Msg::AppendReply { term, success, index } => {
            format!("term {term}, {} at index {index}", if *success { "matched" } else { "refused" })
        }
        Msg::Request { value, .. } => format!("value {value}"),
        Msg::Reply { index, .. } => format!("committed at index {index}"),
        Msg::Redirect { leader, .. } => match leader {
            Some(l) => format!("try S{}", l.0 + 1),
            None => "no leader known".into(),
        },
    }
}

fn msg_glyph(m: &Msg) -> Html {
    match m {
        Msg::Vote { granted: true, .. } | Msg::AppendReply { success: true, .. } => {
            html! { <text class="mg" y="3.5">{"✓"}</text> }
        }
        Msg::Vote { granted: false, .. } | Msg::AppendReply { success: false, .. } => {
            html! { <text class="mg" y="3.5">{"✗"}</text> }
        }
        Msg::AppendEntries { entries, .. } if !entries.is_empty() => {
            html! { <text class="mg" y="3.5">{entries.len()}</text> }
        }
        Msg::Request { value, .. } => html! { <text class="mg" y="3.5">{value}</text> },
        _ => html! {},
    }
}

pub struct DiagramProps<'a> {
    pub world: &'a World<Raft>,
    pub view_us: f64,
    pub selected: Option<NodeId>,
    pub on_node: Callback<NodeId>,
    pub on_msg: Callback<u64>,
}

/// The cluster: servers on a ring, the client in the middle, messages in flight.
pub fn diagram(p: &DiagramProps<'_>) -> Html {
    let w = p.world;
    let n = w.proto.n_servers();
    let r = node_radius(n);
    let partitioned = w.net.is_partitioned();
    let groups = w.net.groups();
    let group_of = |id: NodeId| groups.iter().position(|g| g.contains(&id)).unwrap_or(0);

    let mut msgs: Vec<&InFlight<Msg>> = w.in_flight.values().collect();
    msgs.truncate(400);
    let messages = msgs.into_iter().map(|m| {
        let (x0, y0) = node_pos(m.from, n);
        let (x1, y1) = node_pos(m.to, n);
        let span = (m.arrive_us - m.depart_us).max(1) as f64;
        let waiting = p.view_us < m.depart_us as f64;
        let f = ((p.view_us - m.depart_us as f64) / span).clamp(0.0, 1.0);
        // Start and end at the glyphs' edges, not their centres.
        let (dx, dy) = (x1 - x0, y1 - y0);
        let len = (dx * dx + dy * dy).sqrt().max(1.0);
        let r0 = if m.from.idx() >= n { 22.0 } else { r };
        let r1 = if m.to.idx() >= n { 22.0 } else { r };
        let usable = (len - r0 - r1).max(0.0);
        let d = r0 + usable * f;
        let (x, y) = (x0 + dx / len * d, y0 + dy / len * d);
        let from = w.proto.node_name(m.from);
        let to = w.proto.node_name(m.to);
        let label = format!("{} #{} from {from} to {to}: {}. Click to drop it.", m.msg.kind(), m.id, msg_detail(&m.msg));
        let id = m.id;
        let on_msg = p.on_msg.clone();
        let onclick = Callback::from(move |e: MouseEvent| {
            e.stop_propagation();
            on_msg.emit(id);
        });
        let class = classes!("msg", msg_class(&m.msg), waiting.then_some("waiting"));
        html! {
            <g {class} transform={format!("translate({x:.1} {y:.1})")} {onclick} role="button" aria-label={label.clone()} key={m.id}>
                <title>{label}</title>
                <circle r="9" />
                {msg_glyph(&m.msg)}
            </g>
        }
    });

    let servers = w.nodes.iter().filter_map(RaftNode::server).map(|s| {
        let up = w.is_up(s.id);
        let (x, y) = server_pos(s.id.idx(), n);
        let role_class = if !up {
            "down"
        } else {
            match s.role {
                Role::Follower => "follower",
                Role::Candidate => "candidate",
                Role::Leader => "leader",
            }
        };
        let label = server_label(s, up);
        // Election timer: the arc shrinks as the deadline nears.
        let timer_arc = w.timers[s.id.idx()].get(&Timer::Election).filter(|_| up && s.role != Role::Leader).map(|t| {
            let total = (t.deadline_us - t.set_us).max(1) as f64;
            let left = ((t.deadline_us as f64 - p.view_us) / total).clamp(0.0, 1.0);
            let rr = r + 7.0;
            let circ = std::f64::consts::TAU * rr;
            html! {
                <circle class="timer" r={format!("{rr}")} stroke-dasharray={format!("{:.1} {:.1}", circ * left, circ)}
                    transform="rotate(-90)" />
            }
        });
        let votes = (s.role == Role::Candidate && up).then(|| {
            let dots = s.votes.iter().map(|v| {
                let a = -std::f64::consts::FRAC_PI_2 + v.idx() as f64 * std::f64::consts::TAU / n as f64;
                let rr = r - 9.0;
                html! { <circle class="vote-dot" r="4" cx={format!("{:.1}", rr * a.cos())} cy={format!("{:.1}", rr * a.sin())} /> }
            });
            html! { <g class="votes">{for dots}</g> }
        });
        let halo = partitioned.then(|| {
            html! { <circle class={format!("halo g{}", group_of(s.id) % 4)} r={format!("{}", r + 15.0)} /> }
        });
        let selected = p.selected == Some(s.id);
        let id = s.id;
        let (onclick, onkeydown) = crate::lab::node_handlers(id, &p.on_node);
        let (ly, vy) = if y < CENTER - 10.0 { (-r - 16.0, r + 26.0) } else { (r + 26.0, -r - 16.0) };
        let sub = if !up {
            "crashed".to_string()
        } else {
            match s.voted_for {
                Some(v) if s.role != Role::Leader => format!("voted S{}", v.0 + 1),
                _ => s.role.to_string(),
            }
        };
        html! {
            <g class={classes!("server", role_class, selected.then_some("selected"))} transform={format!("translate({x:.1} {y:.1})")}
                role="button" tabindex="0" aria-label={label} {onclick} {onkeydown} key={format!("s{}", s.id.0)}>
                {for halo}
                <circle class="ring-bg" r={format!("{}", r + 7.0)} />
                {for timer_arc}
                <circle class="body" r={format!("{r}")} />
                {for votes}
                <text class="term" y="4">{s.term}</text>
                <text class="term-label" y="22">{"term"}</text>
                <text class="name" y={format!("{ly}")}>{format!("S{}", s.id.0 + 1)}</text>
                <text class="sub" y={format!("{vy}")}>{sub}</text>
                if !up { <text class="cross" y="14">{"✕"}</text> }
            </g>
        }
    });

    let client = w.nodes.iter().filter_map(RaftNode::client).next().map(|c| {
        let busy = !c.outstanding.is_empty();
        let label = format!(
            "Client, {} request{} in progress, {} done",
            c.outstanding.len(),
            if c.outstanding.len() == 1 { "" } else { "s" },
            c.done.len()
        );
        let halo = partitioned.then(|| html! { <rect class={format!("halo g{}", group_of(c.id) % 4)} x="-40" y="-26" width="80" height="52" rx="14" /> });
        html! {
            <g class={classes!("client", busy.then_some("busy"))} transform={format!("translate({CENTER} {CENTER})")} aria-label={label} role="img">
                {for halo}
                <rect x="-32" y="-18" width="64" height="36" rx="9" />
                <text y="5">{"Client"}</text>
            </g>
        }
    });

    let deselect = {
        let on_node = p.on_node.clone();
        Callback::from(move |_| on_node.emit(NodeId(u8::MAX)))
    };
    html! {
        <svg class="diagram" viewBox={format!("0 0 {VIEW} {VIEW}")} role="group" aria-label="Cluster diagram" onclick={deselect}>
            <defs>
                <filter id="glow" x="-50%" y="-50%" width="200%" height="200%">
                    <feGaussianBlur stdDeviation="4" result="b" />
                    <feMerge><feMergeNode in="b" /><feMergeNode in="SourceGraphic" /></feMerge>
                </filter>
            </defs>
            <circle class="orbit" cx={format!("{CENTER}")} cy={format!("{CENTER}")} r={format!("{RING}")} />
            {for client}
            {for servers}
            <g class="messages">{for messages}</g>
        </svg>
    }
}

/// Every server's log as rows of term-coloured cells; committed entries solid.
pub fn logs(w: &World<Raft>) -> Html {
    let servers: Vec<&Server> = w.nodes.iter().filter_map(RaftNode::server).collect();
    let longest = servers.iter().map(|s| s.log.len()).max().unwrap_or(0);
    let cols = longest.max(8);
    let header = (1..=cols).map(|i| html! { <span class="idx">{i}</span> });
    let rows = servers.iter().map(|s| {
        let up = w.is_up(s.id);
        let cells = (0..cols).map(|i| match s.log.get(i) {
            Some(e) => {
                let committed = (i as u64) < s.commit;
                let style = format!("--h:{}", term_hue(e.term));
                let title = format!(
                    "S{} index {}: term {}, value {}{}",
                    s.id.0 + 1,
                    i + 1,
                    e.term,
                    e.value,
                    if committed { ", committed" } else { ", not known committed" }
                );
                html! {
                    <span class={classes!("cell", committed.then_some("committed"))} {style} title={title}>
                        <b>{e.term}</b><small>{e.value}</small>
                    </span>
                }
            }
            None => html! { <span class="cell empty" /> },
        });
        let role = if !up { "crashed".to_string() } else { s.role.to_string() };
        html! {
            <div class={classes!("log-row", (!up).then_some("down"), (s.role == Role::Leader && up).then_some("leader"))}>
                <span class="who">
                    <b>{format!("S{}", s.id.0 + 1)}</b>
                    <small>{role}</small>
                </span>
                <span class="cells">{for cells}</span>
                <span class="commit" title="Commit index">{format!("commit {}", s.commit)}</span>
            </div>
        }
    });
    let client = w.nodes.iter().filter_map(RaftNode::client).next().map(|c| {
        let pending: Vec<String> = c
            .outstanding
            .iter()
            .map(|p| format!("value {} → S{}{}", p.value, p.to.0 + 1, if p.attempts > 1 { format!(" (try {})", p.attempts) } else { String::new() }))
            .collect();
        let done: Vec<String> = c.done.iter().rev().take(6).map(|d| format!("{}@{}", d.value, d.index)).collect();
        html! {
            <p class="client-status">
                <b>{"Client"}</b>
                {" waiting on: "}{ if pending.is_empty() { "nothing".to_string() } else { pending.join(", ") } }
                {" · committed: "}{ if done.is_empty() { "none yet".to_string() } else { done.join(", ") } }
                { if c.gave_up > 0 { format!(" · gave up on {}", c.gave_up) } else { String::new() } }
            </p>
        }
    });
    html! {
        <section class="logs" aria-label="Server logs">
            <div class="logs-scroll">
                <div class="log-row head" aria-hidden="true">
                    <span class="who">{"Index"}</span>
                    <span class="cells">{for header}</span>
                    <span class="commit" />
                </div>
                {for rows}
            </div>
            {for client}
        </section>
    }
}
