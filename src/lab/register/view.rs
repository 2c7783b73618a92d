//! Pure drawing for the CAP and Quorum labs: the replicas and clients,
//! messages in flight, the read and write sets of one operation, the
//! counters, and the client history as lanes. Nothing here changes state;
//! callbacks carry clicks back to the component.

use crate::components::history::{LaneOp, OpStatus};
use dsviz_sim::history::{Op, OpKind, Value};
use dsviz_sim::kernel::world::MessageKind;
use dsviz_sim::kernel::{fmt_time, InFlight, NodeId, TimeUs, World};
use dsviz_sim::labs::register::{
    last_write_before, Answer, Conflict, Counters, Holder, Mode, Msg, OpRecord, Outcome, Phase,
    RegNode, Register, Replica, Side, SideCounters, Version,
};
use yew::prelude::*;

pub const VIEW: f64 = 600.0;
const CENTER: f64 = 300.0;
const RING: f64 = 215.0;
/// How far inside the ring the clients sit.
const CLIENT_RING: f64 = 92.0;

pub fn radius(n: usize) -> f64 {
    match n {
        0..=5 => 42.0,
        _ => 36.0,
    }
}

fn angle(i: usize, n: usize) -> f64 {
    -std::f64::consts::FRAC_PI_2 + i as f64 * std::f64::consts::TAU / n.max(1) as f64
}

/// Where replica `i` of `n` sits: on a circle, R1 at the top, clockwise.
pub fn replica_pos(i: usize, n: usize) -> (f64, f64) {
    let a = angle(i, n);
    (CENTER + RING * a.cos(), CENTER + RING * a.sin())
}

/// Clients sit inside the ring, towards their home replica; clients that
/// share a home are fanned out.
pub fn client_pos(reg: &Register, c: u8) -> (f64, f64) {
    let n = reg.n_replicas();
    let home = reg.home(c);
    let same: Vec<u8> = (0..reg.config.n_clients)
        .filter(|k| reg.home(*k) == home)
        .collect();
    let k = same.iter().position(|x| *x == c).unwrap_or(0) as f64;
    let spread = (same.len() as f64 - 1.0) / 2.0;
    let a = angle(home.idx(), n) + (k - spread) * 0.62;
    (
        CENTER + CLIENT_RING * a.cos(),
        CENTER + CLIENT_RING * a.sin(),
    )
}

pub fn node_pos(reg: &Register, id: NodeId) -> (f64, f64) {
    match reg.client_of(id) {
        Some(c) => client_pos(reg, c),
        None => replica_pos(id.idx(), reg.n_replicas()),
    }
}

/// Values as a person reads them: `∅` for the empty register, `1|2` for siblings.
pub fn values_text(vs: &[Value]) -> String {
    if vs.is_empty() {
        "∅".into()
    } else {
        vs.iter()
            .map(|v| v.to_string())
            .collect::<Vec<_>>()
            .join("|")
    }
}

fn values_words(vs: &[Value]) -> String {
    match vs {
        [] => "empty".into(),
        [v] => format!("value {v}"),
        _ => format!(
            "siblings {}",
            vs.iter()
                .map(|v| v.to_string())
                .collect::<Vec<_>>()
                .join(" and ")
        ),
    }
}

/// A version's order as a short text: `3.1` (ABD counter 3, R1), `510ms.1`
/// (a clock reading, last-writer-wins), `⟨1,0,1⟩` (a version vector).
pub fn stamp_text(reg: &Register, v: &Version) -> String {
    match (reg.config.mode, reg.config.conflict) {
        (Mode::Cp, _) => format!("{}.{}", v.stamp.t, v.stamp.node + 1),
        (_, Conflict::Lww) => format!("{}ms.{}", v.stamp.t / 1000, v.stamp.node + 1),
        (_, Conflict::VersionVectors) => format!(
            "⟨{}⟩",
            v.vv.iter()
                .map(|x| x.to_string())
                .collect::<Vec<_>>()
                .join(",")
        ),
    }
}

fn vals(vs: &[Version]) -> Vec<Value> {
    vs.iter().map(|v| v.value).collect()
}

pub fn is_stand_in(reg: &Register, id: NodeId) -> bool {
    reg.config.mode == Mode::Quorum && id.0 >= reg.config.rf
}

/// The accessible name of a replica glyph, e.g. "R2, value 5 (stamp 3.1), up".
pub fn replica_label(reg: &Register, r: &Replica, up: bool) -> String {
    let name = reg.name(r.id);
    let mut l = format!("{name}, {}", values_words(&vals(&r.versions)));
    let stamps: Vec<String> = r.versions.iter().map(|v| stamp_text(reg, v)).collect();
    if !stamps.is_empty() {
        l.push_str(&format!(" (stamp {})", stamps.join(", ")));
    }
    l.push_str(if up { ", up" } else { ", crashed" });
    if is_stand_in(reg, r.id) {
        l.push_str(", stand-in (not one of the N)");
    }
    if r.skew_ms != 0 {
        l.push_str(&format!(", clock {:+} ms", r.skew_ms));
    }
    if !r.hints.is_empty() {
        l.push_str(&format!(
            ", {} hint{}",
            r.hints.len(),
            if r.hints.len() == 1 { "" } else { "s" }
        ));
    }
    if up && !r.coord.is_empty() {
        l.push_str(&format!(", coordinating {}", r.coord.len()));
    }
    l
}

fn op_short(o: &OpRecord) -> String {
    match o.kind {
        OpKind::Write => format!("W {}", o.value.unwrap_or(0)),
        _ => "R".into(),
    }
}

/// A client's state in a few words.
pub fn client_status(c: &dsviz_sim::labs::register::Client) -> (String, &'static str) {
    if let Some(p) = c.pending {
        if let Some(o) = c.ops.get(p as usize) {
            return (format!("{}…", op_short(o)), "busy");
        }
    }
    match c.ops.last() {
        None => ("idle".into(), "idle"),
        Some(o) => match (o.outcome, o.kind) {
            (Outcome::Ok, OpKind::Write) => (format!("W {} ✓", o.value.unwrap_or(0)), "ok"),
            (Outcome::Ok, _) => (format!("R {}", values_text(&vals(&o.read))), "ok"),
            (Outcome::Unavailable, _) => (format!("{} ✗", op_short(o)), "refused"),
            _ => (format!("{} ?", op_short(o)), "unknown"),
        },
    }
}

pub fn client_label(reg: &Register, c: &dsviz_sim::labs::register::Client, up: bool) -> String {
    let name = reg.name(c.id);
    let (st, _) = client_status(c);
    let state = if !up {
        "crashed".to_string()
    } else if c.pending.is_some() {
        format!("waiting for {st}")
    } else if c.ops.is_empty() {
        "idle".into()
    } else {
        format!("last {st}")
    };
    format!(
        "{name}, client of {}, {state}, {} operation{}",
        reg.name(c.home),
        c.ops.len(),
        if c.ops.len() == 1 { "" } else { "s" }
    )
}

fn msg_class(m: &Msg) -> &'static str {
    match m {
        Msg::Request { .. } => "m-req",
        Msg::Reply {
            answer: Answer::Written { .. } | Answer::Read { .. },
            ..
        } => "m-reply-ok",
        Msg::Reply {
            answer: Answer::Unavailable { .. },
            ..
        } => "m-reply-no",
        Msg::Reply { .. } => "m-reply-unk",
        Msg::Get { .. } => "m-get",
        Msg::GetReply { .. } => "m-getr",
        Msg::Put {
            hint_for: Some(_), ..
        } => "m-hint",
        Msg::Put { ack: false, .. } => "m-repl",
        Msg::Put { .. } => "m-put",
        Msg::PutAck { .. } => "m-ack",
        Msg::Repair { .. } => "m-repair",
        Msg::Sync { .. } | Msg::SyncReply { .. } => "m-sync",
        Msg::Handoff { .. } | Msg::HandoffAck { .. } => "m-handoff",
    }
}

fn msg_glyph(m: &Msg) -> Option<String> {
    Some(match m {
        Msg::Request {
            kind: OpKind::Write,
            ..
        } => "W".into(),
        Msg::Request { .. } => "R".into(),
        Msg::Reply {
            answer: Answer::Written { .. },
            ..
        }
        | Msg::PutAck { .. } => "✓".into(),
        Msg::Reply {
            answer: Answer::Read { versions },
            ..
        } => values_text(&vals(versions)),
        Msg::Reply {
            answer: Answer::Unavailable { .. },
            ..
        } => "✗".into(),
        Msg::Reply { .. } => "?".into(),
        Msg::GetReply { versions, .. } => values_text(&vals(versions)),
        Msg::Put { version, .. } => version.value.to_string(),
        _ => return None,
    })
}

fn msg_detail(reg: &Register, m: &Msg) -> String {
    match m {
        Msg::Request {
            kind: OpKind::Write,
            value,
            ..
        } => format!("write {}", value.unwrap_or(0)),
        Msg::Request { .. } => "read".into(),
        Msg::Reply { answer, .. } => match answer {
            Answer::Written { .. } => "write acknowledged".into(),
            Answer::Read { versions } => format!("read returns {}", values_text(&vals(versions))),
            Answer::Unavailable { heard, needed } => format!("refused: heard {heard} of {needed}"),
            Answer::Failed { heard, needed } => {
                format!("failed after a partial write: {heard} of {needed} acks")
            }
        },
        Msg::Get { .. } => "asks for the replica's versions".into(),
        Msg::GetReply { versions, .. } => format!("holds {}", values_text(&vals(versions))),
        Msg::Put {
            version,
            hint_for,
            ack,
            ..
        } => format!(
            "store {} (stamp {}){}{}",
            version.value,
            stamp_text(reg, version),
            hint_for
                .map(|t| format!(", hinted for {}", reg.name(t)))
                .unwrap_or_default(),
            if *ack { "" } else { ", background replication" }
        ),
        Msg::PutAck { .. } => "stored".into(),
        Msg::Repair { versions } => format!("read repair: {}", values_text(&vals(versions))),
        Msg::Sync { versions } | Msg::SyncReply { versions } => {
            format!("anti-entropy: {}", values_text(&vals(versions)))
        }
        Msg::Handoff { versions } => format!("hinted handoff: {}", values_text(&vals(versions))),
        Msg::HandoffAck { .. } => "handoff received".into(),
    }
}

/// The replicas one operation touched, for rings on the diagram.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct FocusSets {
    /// Blue rings: replicas the read (or a CP write's query) heard from.
    pub read: Vec<NodeId>,
    /// Orange rings: replicas that acknowledged the write (the operation's
    /// own, or for a read the last write that finished before it began).
    pub write: Vec<Holder>,
}

pub struct DiagramProps<'a> {
    pub world: &'a World<Register>,
    pub view_us: f64,
    /// The node whose menu is open.
    pub selected: Option<NodeId>,
    pub focus: Option<&'a FocusSets>,
    pub on_node: Callback<NodeId>,
    pub on_msg: Callback<u64>,
    /// The SVG's accessible name.
    pub label: &'a str,
    /// Markup ids must be unique when two diagrams share a page.
    pub id_prefix: &'a str,
}

/// Replicas on a ring, clients inside, messages in flight.
pub fn diagram(p: &DiagramProps<'_>) -> Html {
    let w = p.world;
    let reg = &w.proto;
    let n = reg.n_replicas();
    let r = radius(n);
    let groups = w.net.groups();
    // Halos mark the sides of a partition; one-way cuts alone make no sides.
    let partitioned = groups.len() > 1;
    let group_of = |id: NodeId| groups.iter().position(|g| g.contains(&id)).unwrap_or(0);

    let mut msgs: Vec<&InFlight<Msg>> = w.in_flight.values().collect();
    msgs.truncate(400);
    let messages = msgs.into_iter().map(|m| {
        let (x0, y0) = node_pos(reg, m.from);
        let (x1, y1) = node_pos(reg, m.to);
        let span = (m.arrive_us - m.depart_us).max(1) as f64;
        let f = ((p.view_us - m.depart_us as f64) / span).clamp(0.0, 1.0);
        let (dx, dy) = (x1 - x0, y1 - y0);
        let len = (dx * dx + dy * dy).sqrt().max(1.0);
        let r0 = if reg.is_replica(m.from) { r } else { 22.0 };
        let r1 = if reg.is_replica(m.to) { r } else { 22.0 };
        let usable = (len - r0 - r1).max(0.0);
        let d = r0 + usable * f;
        let (x, y) = (x0 + dx / len * d, y0 + dy / len * d);
        let label = format!(
            "{} #{} from {} to {}: {}. Click to drop it or delay its link.",
            m.msg.kind(),
            m.id,
            reg.name(m.from),
            reg.name(m.to),
            msg_detail(reg, &m.msg)
        );
        let id = m.id;
        let on_msg = p.on_msg.clone();
        let onclick = Callback::from(move |e: MouseEvent| {
            e.stop_propagation();
            on_msg.emit(id);
        });
        let glyph = msg_glyph(&m.msg);
        let wide = glyph.as_ref().is_some_and(|g| g.chars().count() > 2);
        html! {
            <g class={classes!("msg", msg_class(&m.msg), m.lost.then_some("doomed"))} transform={format!("translate({x:.1} {y:.1})")} {onclick}
                role="button" aria-label={label.clone()} key={m.id}>
                <title>{label}</title>
                if wide {
                    <rect x="-15" y="-9" width="30" height="18" rx="9" />
                } else {
                    <circle r="9" />
                }
                if let Some(g) = glyph {
                    <text class="mg" y="3.5">{g}</text>
                }
            </g>
        }
    });

    let focus = p.focus;
    let replicas = w.nodes.iter().filter_map(RegNode::replica).map(|rep| {
        let id = rep.id;
        let up = w.is_up(id);
        let (x, y) = replica_pos(id.idx(), n);
        let values = vals(&rep.versions);
        let main = values_text(&values);
        let main_size = match main.chars().count() {
            0..=3 => 26,
            4..=5 => 20,
            6..=8 => 15,
            _ => 11,
        };
        let main = if main.chars().count() > 12 { format!("{} sibl.", values.len()) } else { main };
        let stamp = rep.versions.iter().map(|v| stamp_text(reg, v)).collect::<Vec<_>>().join(" ");
        let stamp = if stamp.chars().count() > 14 { format!("{}…", stamp.chars().take(13).collect::<String>()) } else { stamp };
        let halo = partitioned.then(|| html! { <circle class={format!("halo g{}", group_of(id) % 4)} r={format!("{}", r + 15.0)} /> });
        let in_read = focus.is_some_and(|f| f.read.contains(&id));
        let in_write = focus.is_some_and(|f| f.write.iter().any(|h| h.node == id));
        let rings = html! {
            <>
                if in_write {
                    <circle class="set-ring write" r={format!("{}", r + 7.0)} />
                }
                if in_read {
                    <circle class="set-ring read" r={format!("{}", r + if in_write { 13.0 } else { 7.0 })} />
                }
                if in_read && in_write {
                    <g class="overlap-mark" transform={format!("translate({:.1} {:.1})", r * 0.72, -r * 0.72)}>
                        <circle r="10" /><text y="4">{"∩"}</text>
                    </g>
                }
            </>
        };
        let coord = (up && !rep.coord.is_empty()).then(|| {
            let phases: Vec<&str> = rep
                .coord
                .iter()
                .filter(|o| !o.answered)
                .map(|o| match o.phase {
                    Phase::Query => "phase 1",
                    Phase::Store => "phase 2",
                    Phase::Collect => "collecting",
                })
                .collect();
            let t = if phases.is_empty() { "late replies".to_string() } else { phases.join(", ") };
            html! {
                <g class="coord-badge" transform={format!("translate({:.1} {:.1})", -r * 0.78, -r * 0.78)}>
                    <title>{format!("Coordinating {} operation(s): {t}", rep.coord.len())}</title>
                    <circle r="9" /><text y="3.5">{rep.coord.len()}</text>
                </g>
            }
        });
        let selected = p.selected == Some(id);
        let (onclick, onkeydown) = crate::lab::node_handlers(id, &p.on_node);
        let (ly, vy) = if y < CENTER - 10.0 { (-r - 16.0, r + 27.0) } else { (r + 27.0, -r - 16.0) };
        let mut subs: Vec<String> = Vec::new();
        if !up {
            subs.push("crashed".into());
        } else if is_stand_in(reg, id) {
            subs.push("stand-in".into());
        }
        if rep.skew_ms != 0 {
            subs.push(format!("clock {:+}ms", rep.skew_ms));
        }
        if !rep.hints.is_empty() {
            subs.push(format!("{} hint{}", rep.hints.len(), if rep.hints.len() == 1 { "" } else { "s" }));
        }
        let class = classes!(
            "replica",
            (!up).then_some("down"),
            is_stand_in(reg, id).then_some("stand-in"),
            values.is_empty().then_some("empty"),
            (values.len() > 1).then_some("siblings"),
            selected.then_some("selected"),
        );
        html! {
            <g {class} transform={format!("translate({x:.1} {y:.1})")} role="button" tabindex="0" aria-label={replica_label(reg, rep, up)}
                {onclick} {onkeydown} key={format!("r{}", id.0)}>
                {for halo}
                <circle class="ring-bg" r={format!("{}", r + 7.0)} />
                {rings}
                <circle class="body" r={format!("{r}")} />
                <text class="val" y={format!("{}", main_size as f64 * 0.33 - 3.0)} style={format!("font-size:{main_size}px")}>{main}</text>
                <text class="stamp" y="21">{stamp}</text>
                <text class="name" y={format!("{ly}")}>{reg.name(id)}</text>
                if !subs.is_empty() {
                    <text class="sub" y={format!("{vy}")}>{subs.join(" · ")}</text>
                }
                {for coord}
                if !up { <text class="cross" y="16">{"✕"}</text> }
            </g>
        }
    });

    let clients = w.nodes.iter().filter_map(RegNode::client).map(|c| {
        let id = c.id;
        let up = w.is_up(id);
        let (x, y) = client_pos(reg, c.c);
        let (st, st_class) = client_status(c);
        let halo = partitioned.then(|| html! { <rect class={format!("halo g{}", group_of(id) % 4)} x="-42" y="-29" width="84" height="58" rx="15" /> });
        let (onclick, onkeydown) = crate::lab::node_handlers(id, &p.on_node);
        let selected = p.selected == Some(id);
        html! {
            <g class={classes!("reg-client", st_class, (!up).then_some("down"), selected.then_some("selected"))} transform={format!("translate({x:.1} {y:.1})")}
                role="button" tabindex="0" aria-label={client_label(reg, c, up)} {onclick} {onkeydown} key={format!("c{}", c.c)}>
                {for halo}
                <rect x="-34" y="-21" width="68" height="42" rx="10" />
                <text class="cname" y="-4">{reg.name(id)}</text>
                <text class="cstat" y="12">{ if up { st } else { "crashed".into() } }</text>
            </g>
        }
    });

    let deselect = {
        let on_node = p.on_node.clone();
        Callback::from(move |_| on_node.emit(NodeId(u8::MAX)))
    };
    let filter_id = format!("{}-glow", p.id_prefix);
    html! {
        <svg class="diagram reg-diagram" viewBox={format!("0 0 {VIEW} {VIEW}")} role="group" aria-label={p.label.to_string()} onclick={deselect}>
            <defs>
                <filter id={filter_id} x="-50%" y="-50%" width="200%" height="200%">
                    <feGaussianBlur stdDeviation="4" result="b" />
                    <feMerge><feMergeNode in="b" /><feMergeNode in="SourceGraphic" /></feMerge>
                </filter>
            </defs>
            <circle class="orbit" cx={format!("{CENTER}")} cy={format!("{CENTER}")} r={format!("{RING}")} />
            {for clients}
            {for replicas}
            <g class="messages">{for messages}</g>
        </svg>
    }
}

// ---- History ------------------------------------------------------------------

/// The lab's history in the three forms the page needs, index-aligned:
/// lanes to draw, operations to check, and where each came from.
pub struct LabHistory {
    pub lanes: Vec<String>,
    pub ops: Vec<LaneOp>,
    pub history: Vec<Op>,
    /// (client number, operation index) of each entry.
    pub refs: Vec<(u8, u32)>,
}

/// Every operation of the run at the cursor, in the order of
/// [`dsviz_sim::labs::register::history`] (by invoke, then client).
pub fn lab_history(w: &World<Register>) -> LabHistory {
    let reg = &w.proto;
    let mut all: Vec<(TimeUs, u8, u32, &OpRecord)> = w
        .nodes
        .iter()
        .filter_map(RegNode::client)
        .flat_map(|cl| cl.ops.iter().map(move |o| (o.invoke_us, cl.c, o.idx, o)))
        .collect();
    dsviz_sim::sort::sort_by_key(&mut all, |(t, c, i, _)| (*t, *c, *i));
    let mut out = LabHistory {
        lanes: (0..reg.config.n_clients)
            .map(|c| reg.name(reg.client_node(c)))
            .collect(),
        ops: Vec::with_capacity(all.len()),
        history: Vec::with_capacity(all.len()),
        refs: Vec::with_capacity(all.len()),
    };
    for (_, c, idx, o) in all {
        let f = w.checker.flags(c, idx);
        let mut flags = Vec::new();
        if f.stale {
            flags.push("stale");
        }
        if f.inversion {
            flags.push("inversion");
        }
        if f.lost {
            flags.push("lost");
        }
        if f.no_overlap {
            flags.push("no overlap");
        }
        let status = match o.outcome {
            Outcome::Ok => OpStatus::Ok,
            Outcome::Unavailable => OpStatus::Refused,
            Outcome::Failed | Outcome::NoAnswer => OpStatus::Indeterminate,
            Outcome::Pending => OpStatus::Pending,
        };
        let label = match (o.kind, o.outcome) {
            (OpKind::Write, _) => format!("W {}", o.value.unwrap_or(0)),
            (_, Outcome::Ok) => format!("R {}", values_text(&vals(&o.read))),
            _ => "R".into(),
        };
        let via = reg.name(o.via);
        let describe = match (o.kind, o.outcome) {
            (OpKind::Write, _) => {
                format!("C{} writes {} through {via}", c + 1, o.value.unwrap_or(0))
            }
            (_, Outcome::Ok) => format!(
                "C{} reads {} through {via}",
                c + 1,
                values_text(&vals(&o.read))
            ),
            _ => format!("C{} reads through {via}", c + 1),
        };
        out.ops.push(LaneOp {
            lane: c as usize,
            kind: o.kind,
            label,
            invoke: o.invoke_us,
            response: match o.outcome {
                Outcome::NoAnswer | Outcome::Pending => None,
                _ => o.answered_us,
            },
            status,
            flags,
            describe,
        });
        out.history.push(o.to_op(c));
        out.refs.push((c, idx));
    }
    out
}

/// The operation a history index names.
pub fn op_at(w: &World<Register>, r: (u8, u32)) -> Option<&OpRecord> {
    let node = w.proto.client_node(r.0);
    w.nodes
        .get(node.idx())
        .and_then(RegNode::client)
        .and_then(|c| c.ops.get(r.1 as usize))
}

fn set_text(reg: &Register, s: &[NodeId]) -> String {
    if s.is_empty() {
        return "{}".into();
    }
    format!(
        "{{{}}}",
        s.iter()
            .map(|n| reg.name(*n))
            .collect::<Vec<_>>()
            .join(", ")
    )
}

fn holders_text(reg: &Register, s: &[Holder]) -> String {
    if s.is_empty() {
        return "{}".into();
    }
    let items: Vec<String> = s
        .iter()
        .map(|h| match h.hint_for {
            Some(t) => format!("{} (for {})", reg.name(h.node), reg.name(t)),
            None => reg.name(h.node),
        })
        .collect();
    format!("{{{}}}", items.join(", "))
}

/// The sets to ring for operation `r`, and a sentence about them.
pub fn focus_of(w: &World<Register>, r: (u8, u32)) -> Option<(FocusSets, Html)> {
    let reg = &w.proto;
    let o = op_at(w, r)?;
    let who = format!("C{}", r.0 + 1);
    match o.kind {
        OpKind::Write => {
            let sets = FocusSets {
                read: o.read_set.clone(),
                write: o.write_set.clone(),
            };
            let queried = (!o.read_set.is_empty()).then(|| {
                html! { <>{" It first asked "}<span class="set read">{set_text(reg, &o.read_set)}</span>{" for their timestamps."}</> }
            });
            let text = match o.outcome {
                Outcome::Pending => {
                    html! { <>{format!("{who}'s write of {} is in progress.", o.value.unwrap_or(0))}</> }
                }
                _ if o.write_set.is_empty() => {
                    html! { <>{format!("{who}'s write of {} was stored on no replica the client heard of.", o.value.unwrap_or(0))}</> }
                }
                _ => html! {
                    <>{format!("{who}'s write of {} was stored by ", o.value.unwrap_or(0))}<span class="set write">{holders_text(reg, &o.write_set)}</span>{"."}{for queried}</>
                },
            };
            Some((sets, text))
        }
        _ => {
            let last = last_write_before(w, o.invoke_us);
            let write = last.map(|(_, lw)| lw.write_set.clone()).unwrap_or_default();
            let sets = FocusSets {
                read: o.read_set.clone(),
                write: write.clone(),
            };
            if o.outcome == Outcome::Pending {
                return Some((
                    sets,
                    html! { <>{format!("{who}'s read is in progress.")}</> },
                ));
            }
            if o.read_set.is_empty() {
                return Some((
                    sets,
                    html! { <>{format!("{who}'s read heard from no replica in time.")}</> },
                ));
            }
            let overlap: Vec<NodeId> = o
                .read_set
                .iter()
                .copied()
                .filter(|n| write.iter().any(|h| h.node == *n))
                .collect();
            let returned = values_text(&vals(&o.read));
            let head = html! {
                <>{format!("{who}'s read heard from ")}<span class="set read">{set_text(reg, &o.read_set)}</span>{format!(" and returned {returned}.")}</>
            };
            let Some((wc, lw)) = last else {
                return Some((
                    sets,
                    html! { <>{head}{" No write had finished before it began."}</> },
                ));
            };
            let stale = w.checker.flags(r.0, r.1).stale;
            let about = html! {
                <>
                    {format!(" The last write finished before it began, C{}'s write of {}, was stored by ", wc + 1, lw.value.unwrap_or(0))}
                    <span class="set write">{holders_text(reg, &lw.write_set)}</span>{"."}
                </>
            };
            let verdict = if reg.config.mode == Mode::Ap {
                let tail = if stale {
                    html! { <span class="no-overlap">{" The read is stale: that write had not reached the replica it read."}</span> }
                } else {
                    html! { <>{" Background replication or anti-entropy had brought it to the replica it read in time."}</> }
                };
                html! { <>{" In AP one replica acknowledges a write and the others get it in the background."}{tail}</> }
            } else if overlap.is_empty() {
                let why = if reg.config.mode == Mode::Quorum {
                    let (nn, ww, rr) = (reg.config.rf, reg.config.w, reg.config.r);
                    if ww as u16 + rr as u16 <= nn as u16 {
                        format!(" With W + R ≤ N ({ww} + {rr} ≤ {nn}) a read quorum can miss every replica of a write quorum.")
                    } else {
                        " W + R > N, yet the sets do not meet: the write's set included stand-ins outside the N (sloppy quorum).".into()
                    }
                } else {
                    String::new()
                };
                let outcome = if stale {
                    " No overlap: the read could not see that write."
                } else {
                    " No overlap, but the write had reached the read's replicas some other way (repair, anti-entropy or handoff)."
                };
                html! { <span class={classes!(stale.then_some("no-overlap"))}>{outcome}{why}</span> }
            } else {
                html! { <>{" Overlap "}<span class="set both">{set_text(reg, &overlap)}</span>{": the read heard from a replica that has the write."}</> }
            };
            Some((sets, html! { <>{head}{about}{verdict}</> }))
        }
    }
}

// ---- Counters -----------------------------------------------------------------

fn ms(us: Option<u64>) -> String {
    us.map(|u| format!("{:.0}", u as f64 / 1000.0))
        .unwrap_or_else(|| "—".into())
}

/// Availability and consistency per side of a partition.
pub fn counters_table(c: &Counters, mode: Mode, caption: &str, compact: bool) -> Html {
    let sides = [
        (Side::Whole, "No partition", "Whole"),
        (Side::Majority, "Majority side", "Majority"),
        (Side::Minority, "Minority side", "Minority"),
    ];
    let side_key = |s: Side| match s {
        Side::Whole => "whole",
        Side::Majority => "majority",
        Side::Minority => "minority",
    };
    let row = |(name, short): (&str, &str),
               key: &str,
               class: &str,
               f: &dyn Fn(&SideCounters) -> Html,
               bad: &dyn Fn(&SideCounters) -> bool| {
        let cells = sides.iter().map(|(s, _, _)| {
            let x = c.side(*s);
            html! { <td class={classes!(bad(x).then_some(class.to_string()))} data-side={side_key(*s)}>{f(x)}</td> }
        });
        let label = if compact || name == short {
            html! { {short.to_string()} }
        } else {
            html! { <><span class="long">{name.to_string()}</span><span class="short" aria-hidden="true">{short.to_string()}</span></> }
        };
        html! { <tr class={key.to_string()}><th scope="row" aria-label={name.to_string()}>{label}</th>{for cells}</tr> }
    };
    let num = |v: u32| html! { {v} };
    let quorum = mode == Mode::Quorum;
    html! {
        <div class="table-scroll">
            <table class={classes!("counters", compact.then_some("compact"))} aria-label={caption.to_string()}>
                <thead><tr><th scope="col"><span class="long">{caption.to_string()}</span></th>{ for sides.iter().map(|(_, long, short)| html!{
                    <th scope="col" aria-label={*long}>
                        if compact { {*short} } else { <span class="long">{*long}</span><span class="short" aria-hidden="true">{*short}</span> }
                    </th>
                }) }</tr></thead>
                <tbody>
                    {row(("Served", "Served"), "row-served", "good", &|x| html! {
                        <>{x.served()}if !compact { <small class="detail">{format!(" ({}R {}W)", x.reads_served, x.writes_served)}</small> }</>
                    }, &|x| x.served() > 0)}
                    {row(("Refused", "Refused"), "row-refused", "warn", &|x| num(x.refused), &|x| x.refused > 0)}
                    {row(("No answer / failed", "No answer"), "row-unknown", "warn", &|x| num(x.no_answer + x.failed), &|x| x.no_answer + x.failed > 0)}
                    {row(("Stale reads", "Stale"), "row-stale", "bad", &|x| num(x.stale_reads), &|x| x.stale_reads > 0)}
                    {row(("Inversions", "Inversions"), "row-inversions", "bad", &|x| num(x.inversions), &|x| x.inversions > 0)}
                    {row(("Lost writes", "Lost"), "row-lost", "bad", &|x| num(x.lost_writes), &|x| x.lost_writes > 0)}
                    if quorum {
                        {row(("No quorum overlap", "No overlap"), "row-no-overlap", "bad", &|x| num(x.no_overlap), &|x| x.no_overlap > 0)}
                    }
                    {row(("Latency R / W (ms)", "R/W ms"), "row-latency", "", &|x| html! { {format!("{} / {}", ms(x.mean_read_latency_us()), ms(x.mean_write_latency_us()))} }, &|_| false)}
                </tbody>
            </table>
        </div>
    }
}

/// Served and refused in a sentence, for the status strip.
pub fn availability_pill(c: &Counters) -> (String, &'static str) {
    let t = c.total();
    let asked = t.served() + t.not_served();
    let bad = t.stale_reads + t.inversions + t.lost_writes;
    if asked == 0 {
        return ("No operations yet".into(), "subtle-pill");
    }
    let text = format!(
        "{}/{} served · {} anomal{}",
        t.served(),
        asked,
        bad,
        if bad == 1 { "y" } else { "ies" }
    );
    (
        text,
        if bad > 0 {
            "bad"
        } else if t.not_served() > 0 {
            "warn"
        } else {
            "ok"
        },
    )
}

/// A short description of the time an operation took.
pub fn latency_text(o: &OpRecord) -> String {
    o.latency_us().map(fmt_time).unwrap_or_else(|| "—".into())
}
