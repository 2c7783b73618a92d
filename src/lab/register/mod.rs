//! The CAP lab and the Quorum lab: one page over the replicated register
//! (`dsviz_sim::labs::register`), for either lab description. The shell
//! does the rest; this module says what the status line, the diagram, a
//! node's menu, the fault bar and the panels below show, and holds the
//! page's own state: the operation whose replica sets are ringed, and the
//! CAP lab's comparison run.
//!
//! The comparison is a second run in the other mode (CP or AP), built
//! from the same seed, scenario and the learner's events at the same
//! virtual times (the same replay a change of settings uses), and kept at
//! the same moment as the first.

mod panels;
pub mod view;

use super::shell::{Key, LabPage, LabUi, Menu, Msg, Sync};
use super::Shadow;
use dsviz_sim::history::OpKind;
use dsviz_sim::kernel::timeline::MAX_STEPS;
use dsviz_sim::kernel::{Input, NodeId, TimeUs, Timeline, Who, World};
use dsviz_sim::labs::register::{Cmd, Conflict, Counters, Mode, RegNode, Register, RegisterConfig};
use dsviz_sim::labs::{Lab, Run};
use std::collections::BTreeMap;
use std::marker::PhantomData;
use view::{node_pos, VIEW};
use yew::html::Scope;
use yew::prelude::*;

/// The lab descriptions this page serves: the register protocol's.
pub trait RegLab: Lab<P = Register, Config = RegisterConfig> {}
impl<L: Lab<P = Register, Config = RegisterConfig>> RegLab for L {}

/// The register page for lab `L` (the CAP lab or the Quorum lab).
pub struct RegUi<L: RegLab>(PhantomData<L>);

/// The CAP lab's page.
pub type CapUi = RegUi<dsviz_sim::labs::register::CapLab>;
/// The Quorum lab's page.
pub type QuorumUi = RegUi<dsviz_sim::labs::register::QuorumLab>;

/// Which of the two labs a page is.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum LabKind {
    Cap,
    Quorum,
}

fn kind<L: RegLab>() -> LabKind {
    if L::info().id == "quorum" {
        LabKind::Quorum
    } else {
        LabKind::Cap
    }
}

/// The register labs start slower than Raft: operations take tens of ms.
const REGISTER_SPEED: usize = 3;
/// Virtual time the PACELC comparison runs each mode for.
const PACELC_RUN_US: TimeUs = 4_000_000;

/// PACELC: both modes, no fault, the same workload.
pub struct PacelcResult {
    pub cp: Counters,
    pub ap: Counters,
    pub config: RegisterConfig,
}

/// The register page's own state.
pub struct RegState<L: RegLab> {
    pub compare: bool,
    pub shadow: Option<Shadow<L>>,
    /// The operation whose replica sets are ringed: (client, index).
    pub focus_op: Option<(u8, u32)>,
    pub pacelc: Option<PacelcResult>,
}

/// The register page's own messages.
pub enum Action {
    ClientOp {
        c: u8,
        write: bool,
        via: Option<NodeId>,
    },
    SetMode(Mode),
    Compare(bool),
    SelectOp(Option<usize>),
    Pacelc,
}

type Page<L> = LabPage<RegUi<L>>;

fn other_mode(m: Mode) -> Mode {
    if m == Mode::Cp {
        Mode::Ap
    } else {
        Mode::Cp
    }
}

pub fn mode_name(m: Mode) -> &'static str {
    match m {
        Mode::Cp => "CP",
        Mode::Ap => "AP",
        Mode::Quorum => "Quorum",
    }
}

pub fn mode_label(c: &RegisterConfig) -> String {
    match c.mode {
        Mode::Cp => "CP".into(),
        Mode::Ap => format!(
            "AP ({})",
            if c.conflict == Conflict::Lww {
                "last writer wins"
            } else {
                "version vectors"
            }
        ),
        Mode::Quorum => format!("Quorum N={} W={} R={}", c.rf, c.w, c.r),
    }
}

impl<L: RegLab> RegUi<L> {
    fn client_busy(page: &Page<L>, c: u8) -> bool {
        let w = page.world();
        let node = w.proto.client_node(c);
        w.nodes
            .get(node.idx())
            .and_then(RegNode::client)
            .is_some_and(|cl| cl.pending.is_some())
            || !w.is_up(node)
    }

    /// The next value a learner's write stores: small numbers, distinct
    /// from each other and from the automatic workload's (1000 and up).
    fn next_value(page: &Page<L>) -> u32 {
        let top = page
            .world()
            .nodes
            .iter()
            .filter_map(RegNode::client)
            .flat_map(|c| c.ops.iter())
            .filter_map(|o| o.value)
            .filter(|v| *v < 1000)
            .max()
            .unwrap_or(0);
        (top + 1).clamp(1, 999) as u32
    }

    /// The split preset: the first `n − majority` replicas (with the
    /// clients whose home they are) against the rest.
    fn split_input(page: &Page<L>) -> Input<Cmd> {
        let reg = &page.world().proto;
        let k = (reg.n_replicas() - reg.majority()) as u8;
        let mut side: Vec<NodeId> = (0..k).map(NodeId).collect();
        for c in 0..reg.config.n_clients {
            if reg.home(c).0 < k {
                side.push(reg.client_node(c));
            }
        }
        Input::Partition(vec![side])
    }

    fn split_label(page: &Page<L>) -> String {
        let reg = &page.world().proto;
        let k = reg.n_replicas() - reg.majority();
        format!("Split {k} | {}", reg.n_replicas() - k)
    }

    /// The operation ringed on the diagram: the learner's choice, else the
    /// latest read answered at the cursor.
    fn focus(page: &Page<L>) -> Option<(u8, u32)> {
        if page.state.focus_op.is_some() {
            return page.state.focus_op;
        }
        page.world()
            .nodes
            .iter()
            .filter_map(RegNode::client)
            .flat_map(|c| c.ops.iter().map(move |o| (c.c, o)))
            .filter(|(_, o)| {
                o.kind != OpKind::Write && o.answered_us.is_some() && !o.read_set.is_empty()
            })
            .max_by_key(|(c, o)| (o.answered_us, *c))
            .map(|(c, o)| (c, o.idx))
    }

    fn client_op(c: u8, write: bool) -> Msg<Self> {
        Msg::Lab(Action::ClientOp {
            c,
            write,
            via: None,
        })
    }
}

impl<L: RegLab> LabUi for RegUi<L> {
    type Lab = L;
    type State = RegState<L>;
    type Action = Action;

    fn default_speed() -> usize {
        REGISTER_SPEED
    }

    fn init(
        _run: &Run<L>,
        extra: &BTreeMap<String, String>,
        warnings: &mut Vec<String>,
    ) -> RegState<L> {
        let asked = extra
            .get("cmp")
            .is_some_and(|v| v == "1" || v == "on" || v == "true");
        let compare = asked && kind::<L>() == LabKind::Cap;
        if asked && !compare {
            warnings.push("cmp=1: only the CAP lab has a comparison view".into());
        }
        RegState {
            compare,
            shadow: None,
            focus_op: None,
            pacelc: None,
        }
    }

    fn view_pairs(page: &Page<L>) -> Vec<(&'static str, String)> {
        if page.state.compare {
            vec![("cmp", "1".into())]
        } else {
            Vec::new()
        }
    }

    /// Keeps the comparison run in step: rebuilt when the learner's events
    /// change, then moved to the first run's moment.
    fn sync(page: &mut Page<L>, why: Sync) {
        if why == Sync::Rebuilt {
            page.state.shadow = None;
            if page
                .state
                .focus_op
                .is_some_and(|(c, _)| c >= page.run.config.n_clients)
            {
                page.state.focus_op = None;
            }
        }
        if !page.state.compare {
            page.state.shadow = None;
            return;
        }
        let mut config = page.run.config.clone();
        config.mode = other_mode(config.mode);
        Shadow::follow(&mut page.state.shadow, &page.run, config);
    }

    fn update(page: &mut Page<L>, _ctx: &Context<Page<L>>, action: Action) -> bool {
        match action {
            Action::ClientOp { c, write, via } => {
                if c >= page.run.config.n_clients {
                    return false;
                }
                if Self::client_busy(page, c) {
                    page.toast = Some(format!(
                        "C{} is busy or down: a client does one operation at a time.",
                        c + 1
                    ));
                    return true;
                }
                let node = page.world().proto.client_node(c);
                let cmd = if write {
                    Cmd::Write {
                        value: Self::next_value(page),
                        via,
                    }
                } else {
                    Cmd::Read { via }
                };
                page.inject(Input::Command(Who::Id(node), cmd));
                true
            }
            Action::SetMode(m) => {
                if m == page.run.config.mode || kind::<L>() != LabKind::Cap {
                    return false;
                }
                let skipped = page.set_param("mode", m.as_str()).unwrap_or(0);
                page.toast = Some(format!(
                    "Now {}: the run was recomputed from the start with your faults and requests at the same times{}.",
                    mode_name(m),
                    if skipped > 0 { format!(" ({skipped} could not be replayed)") } else { String::new() }
                ));
                true
            }
            Action::Compare(on) => {
                if kind::<L>() != LabKind::Cap {
                    return false;
                }
                page.state.compare = on;
                page.state.shadow = None;
                Self::sync(page, Sync::Moved);
                page.sync_url();
                if on {
                    page.toast = Some(format!(
                        "Comparing: the same seed, script and your events, run in {} beside {}.",
                        mode_name(other_mode(page.run.config.mode)),
                        mode_name(page.run.config.mode)
                    ));
                }
                true
            }
            Action::SelectOp(i) => {
                page.state.focus_op =
                    i.and_then(|i| view::lab_history(page.world()).refs.get(i).copied());
                true
            }
            Action::Pacelc => {
                // No fault of any kind: no partition, and clocks that agree.
                let c = &page.run.config;
                let base = RegisterConfig {
                    auto_ms: if c.auto_ms == 0 { 100 } else { c.auto_ms },
                    n_clients: c.n_clients.max(2),
                    skew_ms: vec![0; c.n_replicas as usize],
                    loss: 0.0,
                    ..c.clone()
                };
                let seed = page.run.seed;
                let run = |mode: Mode| {
                    let world = World::new(
                        Register::new(RegisterConfig {
                            mode,
                            ..base.clone()
                        }),
                        seed,
                        vec![],
                    );
                    let mut tl = Timeline::new(world);
                    let _ = tl.run_until(PACELC_RUN_US, MAX_STEPS);
                    dsviz_sim::labs::register::counters(tl.world())
                };
                page.state.pacelc = Some(PacelcResult {
                    cp: run(Mode::Cp),
                    ap: run(Mode::Ap),
                    config: base,
                });
                true
            }
        }
    }

    fn diagram(page: &Page<L>, link: &Scope<Page<L>>) -> Html {
        panels::cluster(page, link)
    }

    fn above(page: &Page<L>, link: &Scope<Page<L>>) -> Html {
        panels::mode_bar(page, link)
    }

    fn under_diagram(page: &Page<L>, link: &Scope<Page<L>>) -> Html {
        panels::focus_card(page, link)
    }

    fn actions(page: &Page<L>, link: &Scope<Page<L>>) -> Html {
        panels::fault_bar(page, link)
    }

    fn below(page: &Page<L>, link: &Scope<Page<L>>) -> Html {
        panels::below(page, link)
    }

    fn node_menu(page: &Page<L>, link: &Scope<Page<L>>, id: NodeId) -> Option<(String, Html)> {
        panels::node_menu(page, link, id)
    }

    fn anchor(page: &Page<L>, id: NodeId) -> (f64, f64) {
        let (x, y) = node_pos(&page.world().proto, id);
        let compare = page.state.compare;
        let scale = if compare { 50.0 } else { 100.0 };
        let offset = if compare && page.run.config.mode == Mode::Ap {
            50.0
        } else {
            0.0
        };
        (offset + x / VIEW * scale, y / VIEW * 100.0)
    }

    fn tabs(_page: &Page<L>) -> Vec<(&'static str, &'static str)> {
        match kind::<L>() {
            LabKind::Cap => vec![("pacelc", "PACELC")],
            LabKind::Quorum => vec![("pbs", "PBS")],
        }
    }

    fn tab(page: &Page<L>, link: &Scope<Page<L>>, id: &'static str) -> Html {
        match id {
            "pacelc" => panels::pacelc_view(page, link),
            "pbs" => {
                let c = &page.run.config;
                html! { <crate::components::pbs::PbsPanel n={c.rf as u32} w={c.w as u32} r={c.r as u32} seed={page.run.seed} /> }
            }
            _ => Html::default(),
        }
    }

    fn keys() -> Vec<Key<Self>> {
        let mut keys = vec![
            Key {
                keys: &["w"],
                label: "W / Q",
                what: "C1 writes / reads",
                msg: |_| Some(Self::client_op(0, true)),
            },
            Key {
                keys: &["q"],
                label: "",
                what: "",
                msg: |_| Some(Self::client_op(0, false)),
            },
            Key {
                keys: &["W"],
                label: "Shift+W / Shift+Q",
                what: "C2 writes / reads",
                msg: |_| Some(Self::client_op(1, true)),
            },
            Key {
                keys: &["Q"],
                label: "",
                what: "",
                msg: |_| Some(Self::client_op(1, false)),
            },
            Key {
                keys: &["p"],
                label: "P",
                what: "Split the network: minority | majority",
                msg: |p| Some(Msg::Inject(Self::split_input(p))),
            },
        ];
        if kind::<L>() == LabKind::Cap {
            keys.push(Key {
                keys: &["m"],
                label: "M",
                what: "Switch between CP and AP",
                msg: |p| Some(Msg::Lab(Action::SetMode(other_mode(p.run.config.mode)))),
            });
            keys.push(Key {
                keys: &["v"],
                label: "V",
                what: "Compare CP and AP side by side",
                msg: |p| Some(Msg::Lab(Action::Compare(!p.state.compare))),
            });
        }
        keys
    }

    fn escape(_page: &Page<L>) -> Option<Msg<Self>> {
        Some(Msg::Lab(Action::SelectOp(None)))
    }

    fn page_classes(page: &Page<L>) -> Vec<&'static str> {
        let mut v = vec!["reg-lab"];
        if page.state.compare {
            v.push("comparing");
        }
        v
    }

    fn legend() -> Html {
        html! {
            <ul>
                <li>{"Circles are replicas: the big number is the value they hold (∅: empty; 1|2: siblings), the small one its stamp — an ABD counter and writer (3.1) in CP, a clock reading in last-writer-wins, a version vector ⟨…⟩ with version vectors."}</li>
                <li>{"Rounded boxes inside the ring are clients, each sending to its home replica. A halo colour marks each side of a partition."}</li>
                <li>{"Dots are messages: violet requests, green answers (red: refused), blue reads of replicas (Get), amber stores (Put) and their acks, grey anti-entropy, teal read repair, pink hinted handoff."}</li>
                <li>{"Rings show one operation's quorum: blue around the replicas a read heard from, orange around those that acknowledged the last write before it; ∩ marks the overlap."}</li>
                <li>{"The history below puts every operation on its client's lane, from invoke to answer: green served, red refused, grey indeterminate, striped still waiting; ⚠ marks a stale read, an inversion or a lost write."}</li>
            </ul>
        }
    }

    fn invariants_note(page: &Page<L>) -> Option<String> {
        Some(
            match page.run.config.mode {
                Mode::Cp => "CP keeps all three while its safety rules are on.",
                Mode::Ap => "AP gives up the first two during a partition, and loses writes under skewed last-writer-wins.",
                Mode::Quorum => "Quorums keep them only when W + R > N and the quorums are strict; even then, unfinished writes allow inversions.",
            }
            .into(),
        )
    }

    fn changed_note(page: &Page<L>) -> Option<String> {
        Some(format!(
            "You changed the scenario's settings (now {}); the story below is told for its own.",
            mode_label(&page.run.config)
        ))
    }

    fn experiment_tab() -> bool {
        // The Quorum lab's PBS tab is its experiment, with the closed form beside the simulation.
        false
    }
}

/// Whether a node's menu is open.
pub fn menu_node<L: RegLab>(page: &Page<L>) -> Option<NodeId> {
    match page.menu {
        Some(Menu::Node(id)) => Some(id),
        _ => None,
    }
}
