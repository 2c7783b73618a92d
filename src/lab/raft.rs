//! The Raft lab page: owns the timeline, turns clicks, keys and animation
//! frames into timeline operations, keeps the address bar in sync, and
//! draws with the pure functions in `raft_view`.

use super::raft_view::{self, node_pos, DiagramProps, VIEW};
use crate::components::chart::{cdf_svg, Series};
use crate::components::event_log::timeline_log;
use crate::components::help::Help;
use crate::components::icons;
use crate::components::invariants::{rows_for, Invariants};
use crate::components::question::QuestionCard;
use crate::components::transport::{Transport, DEFAULT_SPEED, SPEEDS};
use crate::components::prediction::ActivePrediction;
use crate::content::{self, RunUntil};
use crate::dom;
use crate::route::{build_query, Route};
use dsviz_sim::kernel::{fmt_time, Input, NodeId, Protocol, Who, World};
use dsviz_sim::labs::raft::experiment::{ElectionTimeExperiment, RangeResult, FIG16_RANGES_MS};
use dsviz_sim::labs::raft::{scenarios, Cmd, Raft, RaftConfig, RaftLab as RaftDesc, RaftNode};
use dsviz_sim::labs::Run;
use gloo::events::{EventListener, EventListenerOptions};
use gloo::render::{request_animation_frame, AnimationFrame};
use wasm_bindgen::JsCast;
use yew::prelude::*;

/// Narration lines shown.
const LOG_LINES: usize = 60;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Tab {
    Scenario,
    Events,
    Invariants,
    Settings,
    Experiment,
    Questions,
}

const TABS: &[(Tab, &str)] = &[
    (Tab::Scenario, "Scenario"),
    (Tab::Questions, "Questions"),
    (Tab::Events, "Events"),
    (Tab::Invariants, "Invariants"),
    (Tab::Settings, "Settings"),
    (Tab::Experiment, "Experiment"),
];

#[derive(Clone, PartialEq)]
enum Menu {
    Node(NodeId),
    Message(u64),
}

pub enum Msg {
    Frame(f64),
    TogglePlay,
    StepForward,
    StepBack,
    Seek(u64),
    Reset,
    Inject(Input<Cmd>),
    ClientRequest(Option<NodeId>),
    Speed(usize),
    ClickNode(NodeId),
    ClickMessage(u64),
    CloseMenu,
    Tab(Tab),
    Help(bool),
    CopyLink,
    Copied(bool),
    LoadScenario(String),
    Draft(Field, String),
    ApplySettings,
    RevertSettings,
    NewSeed,
    Key(web_sys::KeyboardEvent),
    DismissWarnings,
    ExpStart(u32),
    ExpFrame,
    ExpCancel,
    Navigate(String),
    Answer(String),
    EndPrediction,
}



#[derive(Clone, Copy, PartialEq, Debug)]
pub enum Field {
    Servers,
    TimeoutMin,
    TimeoutMax,
    Heartbeat,
    LatencyMin,
    LatencyMax,
    Loss,
    Duplicate,
    Fsync,
    Seed,
    SafeVote,
    SafeCommit,
    SafePersist,
}

struct Experiment {
    runner: ElectionTimeExperiment,
    trials: u32,
    started_ms: f64,
    elapsed_ms: f64,
    done: bool,
    charts: Option<(String, String)>,
    results: Vec<RangeResult>,
    _frame: Option<AnimationFrame>,
}

#[derive(Properties, PartialEq)]
pub struct RaftLabProps {
    pub route: Route,
    pub navigate: Callback<String>,
}

pub struct RaftLab {
    run: Run<RaftDesc>,
    draft: RaftConfig,
    draft_seed: String,
    warnings: Vec<String>,
    playing: bool,
    speed: usize,
    view_us: f64,
    last_frame_ms: Option<f64>,
    frame: Option<AnimationFrame>,
    menu: Option<Menu>,
    tab: Tab,
    help: bool,
    toast: Option<String>,
    reached_pause: bool,
    markers: super::Markers,
    experiment: Option<Experiment>,
    /// Embedded in another page: no site header or side panel.
    embed: bool,
    predict: Option<ActivePrediction>,
    /// Where playing stops by itself (a prediction's outcome).
    stop_at: Option<RunUntil>,
    _keys: Option<EventListener>,
}

impl RaftLab {
    /// Reads scenario, seed, parameters, injected events and step from a link.
    fn from_route(route: &Route) -> RaftLab {
        let opened = Run::<RaftDesc>::open(&route.pairs);
        let mut warnings = route.warnings.clone();
        warnings.extend(opened.warnings);
        let run = opened.run;
        let embed = opened.extra.get("embed").is_some_and(|v| v == "1");
        let step = run.tl.cursor();
        let predict = opened.extra.get("predict").and_then(|v| match ActivePrediction::find("raft", v, run.scenario.id, step) {
            Ok(p) => Some(p),
            Err(e) => {
                warnings.push(e);
                None
            }
        });
        let reached_pause = run.world().now >= run.scenario.pause_ms * 1000;
        let view_us = run.world().now as f64;
        let mut lab = RaftLab {
            draft: run.config.clone(),
            draft_seed: run.seed.to_string(),
            run,
            warnings,
            playing: false,
            speed: DEFAULT_SPEED,
            view_us,
            last_frame_ms: None,
            frame: None,
            menu: None,
            help: false,
            toast: None,
            reached_pause,
            markers: super::Markers::default(),
            experiment: None,
            embed,
            tab: if predict.is_some() { Tab::Questions } else { Tab::Scenario },
            predict,
            stop_at: None,
            _keys: None,
        };
        lab.refresh_markers();
        lab
    }

    fn world(&self) -> &World<Raft> {
        self.run.tl.world()
    }

    /// Rebuilds the run from scenario, seed and config, at step 0.
    fn rebuild(&mut self) {
        self.run.rebuild();
        self.view_us = 0.0;
        self.playing = false;
        self.frame = None;
        self.menu = None;
        self.reached_pause = false;
        self.markers.clear();
        self.draft = self.run.config.clone();
        self.draft_seed = self.run.seed.to_string();
    }

    /// The link that reproduces the state at the cursor.
    fn query(&self) -> String {
        let mut pairs = self.run.pairs();
        if self.embed {
            pairs.push(("embed", "1".into()));
        }
        if let Some(a) = self.predict.as_ref().filter(|a| a.chosen.is_none()) {
            pairs.push(("predict", a.param()));
        }
        build_query(&pairs)
    }

    fn sync_url(&self) {
        dom::replace_query(&self.query());
    }

    fn refresh_markers(&mut self) {
        self.markers.refresh(&self.run.tl);
    }

    fn after_move(&mut self) {
        self.view_us = self.world().now as f64;
        self.refresh_markers();
        if !self.playing {
            self.sync_url();
        }
    }

    fn pause(&mut self) {
        self.playing = false;
        self.frame = None;
        self.last_frame_ms = None;
        self.sync_url();
    }

    fn schedule_frame(&mut self, ctx: &Context<Self>) {
        let link = ctx.link().clone();
        self.frame = Some(request_animation_frame(move |ts| link.send_message(Msg::Frame(ts))));
    }

    fn inject(&mut self, input: Input<Cmd>) {
        let branching = self.run.tl.horizon() > self.run.tl.cursor();
        let discarded = self.run.tl.horizon() - self.run.tl.cursor();
        let keep_view = self.view_us;
        self.menu = None;
        match self.run.tl.inject(input) {
            Ok(_) => {
                if branching {
                    self.toast = Some(format!("Branched at step {}: the {discarded} later steps of the old run were discarded.", self.run.tl.cursor() - 1));
                }
            }
            Err(e) => self.toast = Some(format!("Could not apply that: {e}.")),
        }
        self.refresh_markers();
        self.view_us = keep_view.max(self.world().now as f64);
        if !self.playing {
            self.sync_url();
        }
    }

    fn next_client_value(&self) -> u32 {
        self.world().nodes.iter().filter_map(RaftNode::client).next().map(|c| c.next_req).unwrap_or(1)
    }

    fn leader(&self) -> Option<NodeId> {
        let w = self.world();
        w.proto.leader(&w.nodes, &w.net)
    }
}

impl Component for RaftLab {
    type Message = Msg;
    type Properties = RaftLabProps;

    fn create(ctx: &Context<Self>) -> Self {
        let lab = RaftLab::from_route(&ctx.props().route);
        dom::set_title("Raft lab — dsviz");
        lab.sync_url();
        lab
    }

    fn rendered(&mut self, ctx: &Context<Self>, first_render: bool) {
        if first_render {
            let link = ctx.link().clone();
            self._keys = dom::window().map(|w| {
                // Not passive: the handler calls preventDefault for the keys it takes (e.g. Space).
                EventListener::new_with_options(&w, "keydown", EventListenerOptions::enable_prevent_default(), move |e| {
                    if let Some(k) = e.dyn_ref::<web_sys::KeyboardEvent>() {
                        link.send_message(Msg::Key(k.clone()));
                    }
                })
            });
        }
    }

    fn update(&mut self, ctx: &Context<Self>, msg: Msg) -> bool {
        match msg {
            Msg::Frame(ts) => {
                if !self.playing {
                    return false;
                }
                let input = super::FrameInput { ts, speed: SPEEDS[self.speed].0, pause_ms: self.run.scenario.pause_ms, reached_pause: self.reached_pause };
                let outcome = super::advance_frame(&mut self.run.tl, &mut self.view_us, &mut self.last_frame_ms, &mut self.stop_at, input);
                self.refresh_markers();
                match outcome {
                    super::FrameOutcome::Continue => self.schedule_frame(ctx),
                    super::FrameOutcome::Quiet => self.schedule_frame(ctx),
                    super::FrameOutcome::PredictionOutcome => {
                        self.pause();
                        self.toast = Some("Paused: this is the outcome the prediction asked about.".into());
                    }
                    super::FrameOutcome::ScenarioNotice => {
                        self.reached_pause = true;
                        self.tab = Tab::Scenario;
                        self.pause();
                        self.toast = Some("Paused where this scenario makes its point: read “What to notice”.".into());
                    }
                    super::FrameOutcome::TraceFull(e) => {
                        self.toast = Some(format!("Paused: {e}."));
                        self.pause();
                    }
                }
                true
            }
            Msg::TogglePlay => {
                if self.playing {
                    self.pause();
                } else {
                    self.playing = true;
                    self.menu = None;
                    self.last_frame_ms = None;
                    self.view_us = self.view_us.max(self.world().now as f64);
                    self.schedule_frame(ctx);
                }
                true
            }
            Msg::StepForward => {
                if self.playing {
                    self.pause();
                }
                if let Err(e) = self.run.tl.forward() {
                    self.toast = Some(format!("Cannot step forward: {e}."));
                }
                self.after_move();
                true
            }
            Msg::StepBack => {
                if self.playing {
                    self.pause();
                }
                self.run.tl.back();
                self.after_move();
                true
            }
            Msg::Seek(step) => {
                self.run.tl.seek(step);
                self.after_move();
                true
            }
            Msg::Reset => {
                self.rebuild();
                self.toast = Some("Reset to the start of the scenario (your injected events are gone).".into());
                self.sync_url();
                true
            }
            Msg::Inject(input) => {
                self.inject(input);
                true
            }
            Msg::ClientRequest(to) => {
                let client = self.world().proto.client_id();
                let value = self.next_client_value();
                self.inject(Input::Command(Who::Id(client), Cmd::Submit { value, to }));
                true
            }
            Msg::Speed(i) => {
                self.speed = i.min(SPEEDS.len() - 1);
                true
            }
            Msg::ClickNode(id) => {
                self.menu = if id.0 == u8::MAX || self.menu == Some(Menu::Node(id)) { None } else { Some(Menu::Node(id)) };
                true
            }
            Msg::ClickMessage(id) => {
                self.menu = Some(Menu::Message(id));
                true
            }
            Msg::CloseMenu => {
                self.menu = None;
                true
            }
            Msg::Tab(t) => {
                self.tab = t;
                true
            }
            Msg::Help(open) => {
                self.help = open;
                true
            }
            Msg::CopyLink => {
                self.sync_url();
                let url = dom::full_url(&self.query());
                dom::copy_text(url, ctx.link().callback(Msg::Copied));
                false
            }
            Msg::Copied(ok) => {
                self.toast = Some(if ok {
                    "Link copied: it reopens this exact run at this step.".into()
                } else {
                    "Could not reach the clipboard; copy the address bar instead — it holds the same link.".into()
                });
                true
            }
            Msg::LoadScenario(id) => {
                if self.run.load_scenario(&id) {
                    self.rebuild();
                    self.warnings.clear();
                    self.sync_url();
                }
                true
            }
            Msg::Draft(field, value) => {
                let d = &mut self.draft;
                let num = |v: &str| v.trim().parse::<f64>().ok().filter(|x| x.is_finite() && *x >= 0.0);
                match field {
                    Field::Servers => d.n_servers = num(&value).map(|v| v as u8).unwrap_or(d.n_servers),
                    Field::TimeoutMin => d.election_timeout_ms_min = num(&value).map(|v| v as u64).unwrap_or(d.election_timeout_ms_min),
                    Field::TimeoutMax => d.election_timeout_ms_max = num(&value).map(|v| v as u64).unwrap_or(d.election_timeout_ms_max),
                    Field::Heartbeat => d.heartbeat_ms = num(&value).map(|v| v as u64).unwrap_or(d.heartbeat_ms),
                    Field::LatencyMin => d.latency_us_min = num(&value).map(|v| (v * 1000.0) as u64).unwrap_or(d.latency_us_min),
                    Field::LatencyMax => d.latency_us_max = num(&value).map(|v| (v * 1000.0) as u64).unwrap_or(d.latency_us_max),
                    Field::Loss => d.loss = num(&value).map(|v| v / 100.0).unwrap_or(d.loss),
                    Field::Duplicate => d.duplicate = num(&value).map(|v| v / 100.0).unwrap_or(d.duplicate),
                    Field::Fsync => d.fsync_us = num(&value).map(|v| (v * 1000.0) as u64).unwrap_or(d.fsync_us),
                    Field::Seed => self.draft_seed = value,
                    Field::SafeVote => d.safety.up_to_date_vote = value == "on",
                    Field::SafeCommit => d.safety.current_term_commit = value == "on",
                    Field::SafePersist => d.safety.persist_vote = value == "on",
                }
                true
            }
            Msg::ApplySettings => {
                let clamped = self.draft.clone().clamped();
                let mut notes = Vec::new();
                if clamped != self.draft {
                    notes.push("some values were outside their ranges and were adjusted");
                }
                match self.draft_seed.trim().parse::<u64>() {
                    Ok(s) if s <= u32::MAX as u64 => self.run.seed = s,
                    _ => notes.push("the seed must be a whole number up to 4294967295, so it was kept"),
                }
                let seed = self.run.seed;
                self.run.reconfigure(clamped, seed);
                self.draft = self.run.config.clone();
                self.draft_seed = self.run.seed.to_string();
                self.markers.clear();
                self.after_move();
                self.sync_url();
                self.toast = Some(if notes.is_empty() {
                    "Settings applied: the run was recomputed with your events at the same times.".into()
                } else {
                    format!("Settings applied, but {}.", notes.join(" and "))
                });
                true
            }
            Msg::RevertSettings => {
                let sc = self.run.scenario.clone();
                self.run = Run::of_scenario(sc);
                self.rebuild();
                self.sync_url();
                self.toast = Some("Settings restored to the scenario's own.".into());
                true
            }
            Msg::NewSeed => {
                self.draft_seed = dom::random_seed().to_string();
                true
            }
            Msg::Key(e) => {
                let Some(key) = super::lab_key(&e) else { return false };
                let msg = match key.as_str() {
                    " " | "k" => Some(Msg::TogglePlay),
                    "ArrowRight" | "." => Some(Msg::StepForward),
                    "ArrowLeft" | "," => Some(Msg::StepBack),
                    "Home" => Some(Msg::Seek(0)),
                    "End" => Some(Msg::Seek(self.run.tl.horizon())),
                    "r" => Some(Msg::Reset),
                    "c" => Some(Msg::ClientRequest(None)),
                    "h" => Some(Msg::Inject(Input::Heal)),
                    "x" => Some(Msg::Inject(Input::Crash(Who::Leader))),
                    "?" => Some(Msg::Help(!self.help)),
                    "+" | "=" => Some(Msg::Speed(self.speed + 1)),
                    "-" => Some(Msg::Speed(self.speed.saturating_sub(1))),
                    "Escape" => {
                        if self.help {
                            Some(Msg::Help(false))
                        } else {
                            Some(Msg::CloseMenu)
                        }
                    }
                    d if d.len() == 1 && d.as_bytes()[0].is_ascii_digit() => {
                        let i = d.as_bytes()[0] - b'0';
                        (i >= 1 && (i as usize) <= self.world().proto.n_servers()).then(|| Msg::ClickNode(NodeId(i - 1)))
                    }
                    _ => None,
                };
                match msg {
                    Some(m) => {
                        e.prevent_default();
                        <Self as Component>::update(self, ctx, m)
                    }
                    None => false,
                }
            }
            Msg::DismissWarnings => {
                self.warnings.clear();
                self.toast = None;
                true
            }
            Msg::ExpStart(trials) => {
                let runner = ElectionTimeExperiment::new(FIG16_RANGES_MS.to_vec(), trials, 1);
                self.experiment = Some(Experiment {
                    runner,
                    trials,
                    started_ms: dom::now_ms(),
                    elapsed_ms: 0.0,
                    done: false,
                    charts: None,
                    results: Vec::new(),
                    _frame: None,
                });
                ctx.link().send_message(Msg::ExpFrame);
                true
            }
            Msg::ExpFrame => {
                let Some(exp) = self.experiment.as_mut() else { return false };
                if exp.done {
                    return false;
                }
                // Work for about 12 ms per frame so the page stays responsive.
                let t0 = dom::now_ms();
                let mut done = false;
                while !done && dom::now_ms() - t0 < 12.0 {
                    done = exp.runner.run_some(10);
                }
                exp.elapsed_ms = dom::now_ms() - exp.started_ms;
                if done {
                    exp.done = true;
                    exp.results = exp.runner.results();
                    exp.charts = Some(fig16_charts(&exp.results));
                    exp._frame = None;
                } else {
                    let link = ctx.link().clone();
                    exp._frame = Some(request_animation_frame(move |_| link.send_message(Msg::ExpFrame)));
                }
                true
            }
            Msg::ExpCancel => {
                self.experiment = None;
                true
            }
            Msg::Navigate(q) => {
                ctx.props().navigate.emit(q);
                false
            }
            Msg::Answer(choice) => {
                let Some(a) = self.predict.as_mut() else { return false };
                if a.chosen.is_some() {
                    return false;
                }
                if let Some(problem) = a.answer(choice) {
                    self.toast = Some(problem);
                }
                // Let the simulation play out to the moment the question is about.
                self.stop_at = Some(a.p().run_until);
                self.reached_pause = true;
                if !self.playing {
                    self.playing = true;
                    self.last_frame_ms = None;
                    self.schedule_frame(ctx);
                }
                self.sync_url();
                true
            }
            Msg::EndPrediction => {
                self.predict = None;
                self.stop_at = None;
                self.sync_url();
                true
            }
        }
    }

    fn view(&self, ctx: &Context<Self>) -> Html {
        let link = ctx.link();
        let w = self.world();
        let n = w.proto.n_servers();
        let diagram = raft_view::diagram(&DiagramProps {
            world: w,
            view_us: self.view_us,
            selected: match self.menu {
                Some(Menu::Node(id)) => Some(id),
                _ => None,
            },
            on_node: link.callback(Msg::ClickNode),
            on_msg: link.callback(Msg::ClickMessage),
        });
        let violation_banner = w.violations.first().map(|v| {
            let step = v.step;
            html! {
                <div class="violation-banner" role="alert">
                    <strong>{format!("{} violated", v.invariant)}</strong>
                    <span>{format!(" at step {step}. ")}</span>
                    <button class="linklike" onclick={link.callback(move |_| Msg::Seek(step))}>{"Go there"}</button>
                    <button class="linklike" onclick={link.callback(|_| Msg::Tab(Tab::Invariants))}>{"Read the story"}</button>
                </div>
            }
        });
        let mut leaders: Vec<(u64, NodeId)> = w
            .nodes
            .iter()
            .filter_map(RaftNode::server)
            .filter(|s| s.role == dsviz_sim::labs::raft::Role::Leader && w.is_up(s.id))
            .map(|s| (s.term, s.id))
            .collect();
        leaders.sort_by(|a, b| b.cmp(a));
        let leader_note = match leaders.as_slice() {
            [] => "No leader".to_string(),
            [(t, l)] => format!("S{} leads term {t}", l.0 + 1),
            [(t, l), rest @ ..] => {
                let stale: Vec<String> = rest.iter().map(|(t, l)| format!("S{} (term {t})", l.0 + 1)).collect();
                format!("S{} leads term {t}; {} still think{} it leads", l.0 + 1, stale.join(", "), if stale.len() == 1 { "s" } else { "" })
            }
        };
        let status = html! {
            <div class="status-strip" aria-live="polite">
                <span class={classes!("pill", (!leaders.is_empty()).then_some("ok"), (leaders.len() > 1).then_some("split"))}>{leader_note}</span>
                if w.net.is_partitioned() {
                    <span class="pill warn">{partition_text(w)}</span>
                }
                { for (0..n).filter(|i| !w.is_up(NodeId(*i as u8))).map(|i| html!{ <span class="pill down">{format!("S{} down", i + 1)}</span> }) }
                <span class="pill subtle">{format!("{} in flight", w.in_flight.len())}</span>
            </div>
        };
        let transport = html! {
            <Transport
                playing={self.playing}
                cursor={self.run.tl.cursor()}
                horizon={self.run.tl.horizon()}
                time_label={AttrValue::from(fmt_time(self.view_us as u64))}
                markers={self.markers.list.clone()}
                speed={self.speed}
                on_play={link.callback(|_| Msg::TogglePlay)}
                on_step_forward={link.callback(|_| Msg::StepForward)}
                on_step_back={link.callback(|_| Msg::StepBack)}
                on_reset={link.callback(|_| Msg::Reset)}
                on_seek={link.callback(Msg::Seek)}
                on_speed={link.callback(Msg::Speed)}
            />
        };
        let faults = html! {
            <div class="fault-bar" role="group" aria-label="Faults and requests">
                <button onclick={link.callback(|_| Msg::ClientRequest(None))} title="C">{"Client request"}</button>
                <button onclick={link.callback(|_| Msg::Inject(Input::Crash(Who::Leader)))} disabled={self.leader().is_none()} title="X">{"Crash leader"}</button>
                <button onclick={link.callback(|_| Msg::Inject(Input::Isolate(Who::Leader)))} disabled={self.leader().is_none()}>{"Isolate leader"}</button>
                <button onclick={link.callback(move |_| Msg::Inject(Input::Partition(vec![(0..(n / 2) as u8).map(NodeId).collect()])))}>{"Split minority"}</button>
                <button onclick={link.callback(|_| Msg::Inject(Input::Heal))} disabled={!w.net.is_partitioned()} title="H">{"Heal network"}</button>
                <span class="hint">{"Click a server or a message for more."}</span>
            </div>
        };
        let warnings = (!self.warnings.is_empty()).then(|| {
            html! {
                <div class="banner warn" role="alert">
                    <div>
                        <strong>{"Some of this link could not be used, so safe defaults were taken:"}</strong>
                        <ul>{ for self.warnings.iter().take(8).map(|w| html!{ <li>{w}</li> }) }</ul>
                    </div>
                    <button class="linklike" onclick={link.callback(|_| Msg::DismissWarnings)}>{"Dismiss"}</button>
                </div>
            }
        });
        let toast = self.toast.as_ref().map(|t| html! { <div class="toast" role="status">{t}</div> });
        let caption = {
            let cursor = self.run.tl.cursor();
            let text = match cursor.checked_sub(1).and_then(|i| self.run.tl.records().get(i as usize)) {
                Some(r) => w.narrate(&r.note),
                None => "The run has not started. Press Play, or Step forward to go one event at a time.".to_string(),
            };
            html! {
                <p class="caption" aria-live="polite">
                    <span class="caption-step">{ if cursor == 0 { "Start".to_string() } else { format!("Step {cursor}") } }</span>
                    {text}
                </p>
            }
        };
        let full_link = {
            let q = self.query().replace("&embed=1", "");
            dom::full_url(&q)
        };
        html! {
            <>
                if self.embed {
                    <header class="embed-header">
                        <strong>{"Raft · "}{self.run.scenario.title}</strong>
                        <a href={full_link} target="_blank" rel="noopener">{"Open in dsviz ↗"}</a>
                    </header>
                } else {
                <header class="site-header">
                    <a class="brand" href="?" onclick={link.callback(|e: MouseEvent| { e.prevent_default(); Msg::Navigate("?".into()) })}>
                        {icons::logo()}<span>{"dsviz"}</span>
                    </a>
                    <nav class="crumbs" aria-label="Breadcrumb">
                        <span aria-hidden="true">{"/"}</span>
                        <h1>{"Raft"}</h1>
                    </nav>
                    <div class="header-actions">
                        <button onclick={link.callback(|_| Msg::CopyLink)}>{"Copy link"}</button>
                        <button class="icon-btn" aria-label="Keyboard shortcuts" onclick={link.callback(|_| Msg::Help(true))}>{"?"}</button>
                    </div>
                </header>
                }
                <main id="main" class={classes!("lab", self.embed.then_some("embed"))}>
                    {for warnings}
                    <div class="stage">
                        {self.prediction_view(ctx)}
                        <div class="diagram-wrap">
                            {status}
                            {for violation_banner}
                            {diagram}
                            {self.menu_view(ctx)}
                            {caption}
                        </div>
                        {transport}
                        {faults}
                        {raft_view::logs(w)}
                    </div>
                    if !self.embed {
                    <aside class="panel">
                        <div class="tabs" role="tablist" aria-label="Lab panels">
                            { for TABS.iter().map(|(t, label)| {
                                let t = *t;
                                let badge = (t == Tab::Invariants && !w.violations.is_empty()).then(|| html!{ <span class="dot" aria-label="violations" /> });
                                html! {
                                    <button role="tab" aria-selected={(self.tab == t).to_string()} class={classes!("tab", (self.tab == t).then_some("active"))}
                                        onclick={link.callback(move |_| Msg::Tab(t))}>{*label}{for badge}</button>
                                }
                            }) }
                        </div>
                        <div class="tab-body" role="tabpanel">{self.tab_view(ctx)}</div>
                    </aside>
                    }
                </main>
                {for toast}
                if self.help {
                    <Help shortcuts={shortcuts()} on_close={link.callback(|_| Msg::Help(false))} />
                }
            </>
        }
    }
}

fn shortcuts() -> Vec<(&'static str, &'static str)> {
    vec![
        ("Space", "Play or pause"),
        ("→  or  .", "Step forward one event"),
        ("←  or  ,", "Step back one event"),
        ("Home / End", "Go to the first / last computed step"),
        ("1 – 9", "Open the menu of server S1 – S9"),
        ("C", "Send a client request"),
        ("X", "Crash the leader"),
        ("H", "Heal the network"),
        ("+ / −", "Faster / slower"),
        ("R", "Reset the scenario"),
        ("?", "Show or hide this help"),
        ("Esc", "Close menus and dialogs"),
    ]
}

fn partition_text(w: &World<Raft>) -> String {
    let groups: Vec<String> = w
        .net
        .groups()
        .iter()
        .map(|g| g.iter().map(|n| w.proto.node_name(*n)).collect::<Vec<_>>().join(" "))
        .collect();
    format!("Partitioned: {}", groups.join(" | "))
}

fn fig16_charts(results: &[RangeResult]) -> (String, String) {
    let series = |pick: &dyn Fn(&RangeResult) -> bool| -> Vec<Series> {
        results
            .iter()
            .filter(|r| pick(r))
            .map(|r| Series {
                label: format!("{}–{} ms", r.timeout_ms[0], r.timeout_ms[1]),
                values: r.times_ms.clone(),
                total: r.times_ms.len() + r.no_leader as usize,
            })
            .collect()
    };
    let top = series(&|r| r.timeout_ms[0] == 150);
    let bottom = series(&|r| r.timeout_ms[0] < 150 || r.timeout_ms == [150, 300]);
    (
        cdf_svg("Varying randomness (150–X ms)", "time without leader (ms)", &top, 100.0, 12_000.0),
        cdf_svg("Varying the timeout scale", "time without leader (ms)", &bottom, 10.0, 3_000.0),
    )
}

impl RaftLab {
    fn menu_view(&self, ctx: &Context<Self>) -> Html {
        let link = ctx.link();
        let w = self.world();
        let n = w.proto.n_servers();
        let Some(menu) = &self.menu else { return html! {} };
        let (title, anchor, items): (String, NodeId, Html) = match menu {
            Menu::Node(id) => {
                let id = *id;
                let Some(s) = w.nodes.get(id.idx()).and_then(RaftNode::server) else { return html! {} };
                let up = w.is_up(id);
                let name = format!("S{}", id.0 + 1);
                let slow = w.net.slow[id.idx()] > 1;
                let isolated = w.net.groups().iter().any(|g| g.len() == 1 && g[0] == id);
                let items = html! {
                    <>
                        if up {
                            <button onclick={link.callback(move |_| Msg::Inject(Input::Crash(Who::Id(id))))}>{format!("Crash {name}")}</button>
                            <button onclick={link.callback(move |_| Msg::Inject(Input::Command(Who::Id(id), Cmd::Timeout)))}>{"Force election timeout"}</button>
                            <button onclick={link.callback(move |_| Msg::ClientRequest(Some(id)))}>{format!("Client request to {name}")}</button>
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
                    if up { s.role.to_string() } else { "crashed".into() },
                    s.term,
                    s.voted_for.map(|v| format!("S{}", v.0 + 1)).unwrap_or_else(|| "nobody".into()),
                    s.log.len(),
                    s.commit
                );
                (format!("{name} — {facts}"), id, items)
            }
            Menu::Message(mid) => {
                let mid = *mid;
                let Some(m) = w.in_flight.get(&mid) else {
                    return html! {};
                };
                use dsviz_sim::kernel::world::MessageKind;
                let title = format!("{} #{mid}: {} → {}", m.msg.kind(), w.proto.node_name(m.from), w.proto.node_name(m.to));
                let (from, to) = (m.from, m.to);
                let (lo, hi) = w.net.latency_range(from, to);
                let link_name = format!("{} → {}", w.proto.node_name(from), w.proto.node_name(to));
                let items = html! {
                    <>
                        <button onclick={link.callback(move |_| Msg::Inject(Input::Drop(mid)))}>{"Drop this message"}</button>
                        <button onclick={link.callback(move |_| Msg::Inject(Input::LinkLatency(from, to, lo.max(1_000) * 10, hi.max(1_000) * 10)))}>
                            {format!("Delay the link {link_name} (10× latency)")}
                        </button>
                        <button onclick={link.callback(move |_| Msg::Inject(Input::Cut(from, to)))}>{format!("Cut the link {link_name} (one way)")}</button>
                    </>
                };
                (title, m.to, items)
            }
        };
        let (x, y) = node_pos(anchor, n);
        let left = (x / VIEW * 100.0).clamp(8.0, 70.0);
        let top = (y / VIEW * 100.0 + 9.0).clamp(5.0, 78.0);
        html! {
            <div class="menu" role="menu" aria-label={title.clone()} style={format!("left:{left:.1}%;top:{top:.1}%")}>
                <p class="menu-title">{title}</p>
                {items}
                <button class="linklike" onclick={link.callback(|_| Msg::CloseMenu)}>{"Close"}</button>
            </div>
        }
    }

    fn tab_view(&self, ctx: &Context<Self>) -> Html {
        match self.tab {
            Tab::Scenario => self.scenario_view(ctx),
            Tab::Events => self.events_view(ctx),
            Tab::Invariants => self.invariants_view(ctx),
            Tab::Settings => self.settings_view(ctx),
            Tab::Experiment => self.experiment_view(ctx),
            Tab::Questions => self.questions_view(ctx),
        }
    }

    fn questions_view(&self, ctx: &Context<Self>) -> Html {
        let navigate = ctx.link().callback(Msg::Navigate);
        let qs = content::bank().for_lab("raft");
        html! {
            <div class="questions">
                <p class="muted">
                    {format!("{} interview questions this lab can show. Answers stay hidden until you ask; “Show me” opens the step that demonstrates the answer, and “Predict” pauses the run and grades your guess by playing it out. All questions: ", qs.len())}
                    <a href="?page=study" onclick={ctx.link().callback(|e: MouseEvent| { e.prevent_default(); Msg::Navigate("?page=study".into()) })}>{"study mode"}</a>{"."}
                </p>
                { for qs.into_iter().map(|q| html!{ <QuestionCard q={q} navigate={navigate.clone()} show_concept={false} /> }) }
            </div>
        }
    }

    fn prediction_view(&self, ctx: &Context<Self>) -> Html {
        let Some(a) = &self.predict else { return html! {} };
        a.card(self.playing, ctx.link().callback(Msg::Answer), ctx.link().callback(|_| Msg::EndPrediction))
    }

    fn scenario_view(&self, ctx: &Context<Self>) -> Html {
        let link = ctx.link();
        let on_change = link.callback(|e: Event| {
            let sel: web_sys::HtmlSelectElement = e.target_unchecked_into();
            Msg::LoadScenario(sel.value())
        });
        let sc = &self.run.scenario;
        let all = scenarios::all();
        let _ = &all;
        let pause = sc.pause_ms;
        html! {
            <div class="scenario">
                <label class="field">
                    <span>{"Scenario"}</span>
                    <select onchange={on_change} aria-label="Scenario">
                        { for all.iter().map(|s| html!{ <option value={s.id} selected={s.id == sc.id}>{s.title}</option> }) }
                    </select>
                </label>
                <h2>{sc.title}</h2>
                <p>{sc.summary}</p>
                <div class={classes!("notice", self.reached_pause.then_some("reached"))}>
                    <h3>{"What to notice"}</h3>
                    <p>{sc.notice}</p>
                    if !self.reached_pause && pause > 0 {
                        <p class="muted">{format!("Play: the lab pauses at {} when this has happened.", fmt_time(pause * 1000))}</p>
                    }
                </div>
                <details class="howto">
                    <summary>{"How to read the diagram"}</summary>
                    <ul>
                        <li><span class="key-dot follower" />{"Follower"}<span class="key-dot candidate" />{"Candidate"}<span class="key-dot leader" />{"Leader"}<span class="key-dot down" />{"Crashed"}</li>
                        <li>{"The number in a server is its current term. The ring around a follower or candidate is its election timer running down."}</li>
                        <li>{"Dots travelling between servers are messages: amber vote requests, green ✓ / red ✗ answers, blue AppendEntries (a number = entries carried), pale blue heartbeats, violet client traffic. A faded dot is waiting for its sender's disk write."}</li>
                        <li>{"In the logs below, each cell is an entry: its term on top, the client's value beneath. Solid cells are known committed by that server."}</li>
                    </ul>
                </details>
            </div>
        }
    }

    fn events_view(&self, ctx: &Context<Self>) -> Html {
        timeline_log(&self.run.tl, LOG_LINES, ctx.link().callback(Msg::Seek))
    }

    fn invariants_view(&self, ctx: &Context<Self>) -> Html {
        let w = self.world();
        let rows = rows_for(w);
        let s = &self.run.config.safety;
        let off: Vec<&str> = [
            (!s.up_to_date_vote).then_some("up-to-date vote check"),
            (!s.current_term_commit).then_some("current-term commit rule"),
            (!s.persist_vote).then_some("persisted vote"),
        ]
        .into_iter()
        .flatten()
        .collect();
        html! {
            <div>
                if !off.is_empty() {
                    <p class="banner warn small">{format!("Safety rules switched off: {}. Expect violations.", off.join(", "))}</p>
                }
                <Invariants {rows} checked_steps={self.run.tl.cursor()} on_seek={ctx.link().callback(Msg::Seek)} />
            </div>
        }
    }

    fn settings_view(&self, ctx: &Context<Self>) -> Html {
        let link = ctx.link();
        let d = &self.draft;
        let input = |field: Field| {
            link.callback(move |e: Event| {
                let el: web_sys::HtmlInputElement = e.target_unchecked_into();
                Msg::Draft(field, el.value())
            })
        };
        let check = |field: Field| {
            link.callback(move |e: Event| {
                let el: web_sys::HtmlInputElement = e.target_unchecked_into();
                Msg::Draft(field, if el.checked() { "on".into() } else { "off".into() })
            })
        };
        let ms = |us: u64| format!("{}", us as f64 / 1000.0);
        let on_servers = link.callback(|e: Event| {
            let el: web_sys::HtmlSelectElement = e.target_unchecked_into();
            Msg::Draft(Field::Servers, el.value())
        });
        html! {
            <form class="settings" onsubmit={link.callback(|e: SubmitEvent| { e.prevent_default(); Msg::ApplySettings })}>
                <div class="grid2">
                    <label class="field"><span>{"Servers"}</span>
                        <select onchange={on_servers}>{ for (3..=9u8).map(|k| html!{ <option value={k.to_string()} selected={k == d.n_servers}>{k}</option> }) }</select>
                    </label>
                    <label class="field"><span>{"Seed"}</span>
                        <span class="with-btn">
                            <input type="text" inputmode="numeric" value={self.draft_seed.clone()} onchange={input(Field::Seed)} />
                            <button type="button" aria-label="New random seed" onclick={link.callback(|_| Msg::NewSeed)}>{"Random"}</button>
                        </span>
                    </label>
                    <label class="field"><span>{"Election timeout min (ms)"}</span><input type="number" min="1" max="10000" value={d.election_timeout_ms_min.to_string()} onchange={input(Field::TimeoutMin)} /></label>
                    <label class="field"><span>{"Election timeout max (ms)"}</span><input type="number" min="1" max="10000" value={d.election_timeout_ms_max.to_string()} onchange={input(Field::TimeoutMax)} /></label>
                    <label class="field"><span>{"Heartbeat (ms)"}</span><input type="number" min="1" max="5000" value={d.heartbeat_ms.to_string()} onchange={input(Field::Heartbeat)} /></label>
                    <label class="field"><span>{"Disk write, fsync (ms)"}</span><input type="number" min="0" max="200" step="0.1" value={ms(d.fsync_us)} onchange={input(Field::Fsync)} /></label>
                    <label class="field"><span>{"Latency min (ms)"}</span><input type="number" min="0" max="1000" step="0.1" value={ms(d.latency_us_min)} onchange={input(Field::LatencyMin)} /></label>
                    <label class="field"><span>{"Latency max (ms)"}</span><input type="number" min="0" max="1000" step="0.1" value={ms(d.latency_us_max)} onchange={input(Field::LatencyMax)} /></label>
                    <label class="field"><span>{"Message loss (%)"}</span><input type="number" min="0" max="50" step="1" value={format!("{}", (d.loss * 100.0).round())} onchange={input(Field::Loss)} /></label>
                    <label class="field"><span>{"Duplication (%)"}</span><input type="number" min="0" max="50" step="1" value={format!("{}", (d.duplicate * 100.0).round())} onchange={input(Field::Duplicate)} /></label>
                </div>
                <fieldset class="switches">
                    <legend>{"Safety rules"}</legend>
                    <label><input type="checkbox" checked={d.safety.up_to_date_vote} onchange={check(Field::SafeVote)} />
                        <span><b>{"Up-to-date vote check"}</b>{" — vote only for a candidate whose log is at least as up to date (§5.4.1)."}</span></label>
                    <label><input type="checkbox" checked={d.safety.current_term_commit} onchange={check(Field::SafeCommit)} />
                        <span><b>{"Current-term commit rule"}</b>{" — count replicas only for entries of the leader's own term (§5.4.2, Figure 8)."}</span></label>
                    <label><input type="checkbox" checked={d.safety.persist_vote} onchange={check(Field::SafePersist)} />
                        <span><b>{"Persist votedFor"}</b>{" — remember the vote across a crash (Figure 2)."}</span></label>
                </fieldset>
                <p class="muted">{"Applying restarts the run from step 0 with the scenario's script. Ranges: 3–9 servers, timeouts 1–10,000 ms, latency up to 1 s, loss and duplication up to 50 %, fsync up to 200 ms."}</p>
                <div class="row">
                    <button type="submit" class="primary">{"Apply and restart"}</button>
                    <button type="button" onclick={link.callback(|_| Msg::RevertSettings)}>{"Scenario defaults"}</button>
                </div>
            </form>
        }
    }

    fn experiment_view(&self, ctx: &Context<Self>) -> Html {
        let link = ctx.link();
        let intro = html! {
            <div class="exp-intro">
                <h2>{"How long is a cluster without a leader?"}</h2>
                <p>{"The Raft paper's Figure 16: crash the leader of five servers and time how long until a new one is elected, for different election-timeout ranges. Each trial is a full simulation with a broadcast time of about 15 ms (mostly the disk write before answering). Randomness in the timeout is what breaks split votes: a little goes a long way."}</p>
            </div>
        };
        let Some(exp) = &self.experiment else {
            return html! {
                <div>
                    {intro}
                    <div class="row">
                        <button class="primary" onclick={link.callback(|_| Msg::ExpStart(1000))}>{"Run 1,000 trials per range"}</button>
                        <button onclick={link.callback(|_| Msg::ExpStart(100))}>{"Quick: 100 trials"}</button>
                    </div>
                </div>
            };
        };
        let (done, total) = exp.runner.progress();
        let pct = if total == 0 { 100.0 } else { done as f64 / total as f64 * 100.0 };
        let body = if let (true, Some((top, bottom))) = (exp.done, &exp.charts) {
            let rows = exp.results.iter().map(|r| {
                let f = |v: Option<f64>| v.map(|x| format!("{x:.0}")).unwrap_or_else(|| "—".into());
                html! {
                    <tr>
                        <td>{format!("{}–{}", r.timeout_ms[0], r.timeout_ms[1])}</td>
                        <td>{f(r.median_ms)}</td><td>{f(r.mean_ms)}</td><td>{f(r.p99_ms)}</td><td>{f(r.max_ms)}</td><td>{r.no_leader}</td>
                    </tr>
                }
            });
            html! {
                <>
                    <p class="muted">{format!("{} trials per range, {} in all, simulated in {:.1} s in your browser.", exp.trials, total, exp.elapsed_ms / 1000.0)}</p>
                    <figure class="chart">{Html::from_html_unchecked(AttrValue::from(top.clone()))}</figure>
                    <figure class="chart">{Html::from_html_unchecked(AttrValue::from(bottom.clone()))}</figure>
                    <div class="table-scroll">
                        <table class="results">
                            <thead><tr><th>{"timeout (ms)"}</th><th>{"median"}</th><th>{"mean"}</th><th>{"p99"}</th><th>{"max"}</th><th>{"no leader"}</th></tr></thead>
                            <tbody>{for rows}</tbody>
                        </table>
                    </div>
                    <p class="muted">{"Times in ms from the crash to the next leader. Compare the paper: with no randomness (150–150) split votes drag the tail out to seconds; 5 ms of randomness already helps, and 150–300 ms elects a leader in under 300 ms almost always."}</p>
                    <div class="row">
                        <button onclick={link.callback(|_| Msg::ExpCancel)}>{"Clear results"}</button>
                    </div>
                </>
            }
        } else {
            html! {
                <>
                    <div class="progress" role="progressbar" aria-valuemin="0" aria-valuemax="100" aria-valuenow={format!("{pct:.0}")}>
                        <span style={format!("width:{pct:.1}%")} />
                    </div>
                    <p class="muted">{format!("{done} of {total} trials…")}</p>
                    <button onclick={link.callback(|_| Msg::ExpCancel)}>{"Cancel"}</button>
                </>
            }
        };
        html! { <div>{intro}{body}</div> }
    }
}
