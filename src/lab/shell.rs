//! The lab shell: one component that owns everything on a lab page that is
//! not the lab's own drawing.
//!
//! [`LabPage<U>`] holds the lab's [`Run`] (built from the link by the
//! simulator's lab description), plays it with one playback rule, keeps
//! the address bar in sync, and draws the header, warnings, toast,
//! caption, violation banner, transport with scrubber and markers, the
//! keyboard map and its help overlay, embed mode, node and message menus,
//! predictions, and the side panel's tabs: scenario, questions, events,
//! invariants, settings (generated from the parameter table) and
//! experiments (from the lab's experiment list).
//!
//! A lab implements [`LabUi`]: its diagram and status line, what its node
//! menus offer, its fault buttons, extra panels and tabs, extra keys, and
//! its own state and messages. Nothing here knows which lab it shows.

mod experiment;
mod settings;

use super::{advance_frame, lab_key, FrameInput, FrameOutcome, Markers};
use crate::components::event_log::timeline_log;
use crate::components::help::Help;
use crate::components::icons;
use crate::components::invariants::{rows_for, Invariants};
use crate::components::prediction::ActivePrediction;
use crate::components::question::QuestionCard;
use crate::components::spacetime::{self, SpaceTime};
use crate::components::transport::{Transport, DEFAULT_SPEED, SPEEDS};
use crate::content::{self, RunUntil};
use crate::dom;
use crate::route::{build_query, Route};
use dsviz_sim::kernel::names::NodeGroup;
use dsviz_sim::kernel::world::MessageKind;
use dsviz_sim::kernel::{fmt_time, Input, NodeId, Protocol, TimeUs, World};
use dsviz_sim::labs::lab::Model;
use dsviz_sim::labs::params::Group;
use dsviz_sim::labs::registry::CATALOG;
use dsviz_sim::labs::{Lab, Run};
use dsviz_sim::spacetime::Trace;
use gloo::events::{EventListener, EventListenerOptions};
use gloo::render::{request_animation_frame, AnimationFrame};
use std::collections::BTreeMap;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use yew::html::Scope;
use yew::prelude::*;

pub use experiment::ExpState;

/// A lab's command type.
pub type Cmd<U> = <<<U as LabUi>::Lab as Lab>::P as Protocol>::Command;
/// A lab's config type.
pub type Config<U> = <<U as LabUi>::Lab as Lab>::Config;
/// A lab's protocol.
pub type Proto<U> = <<U as LabUi>::Lab as Lab>::P;

/// Narration lines the Events tab shows.
const LOG_LINES: usize = 60;
/// Playing stops by itself once nothing has happened for this long of
/// virtual time after the last event (every operation over, no timer set).
const QUIET_STOP_US: f64 = 600_000.0;

/// A tab of the side panel.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Tab {
    Scenario,
    Questions,
    Events,
    /// The space-time diagram of the run (labs with more than one process).
    SpaceTime,
    Invariants,
    /// One of the lab's own tabs, by id.
    Lab(&'static str),
    Settings,
    Experiment,
}

/// What a menu is open on.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Menu {
    Node(NodeId),
    Message(u64),
}

/// A keyboard shortcut: the keys it answers to, how the help writes them,
/// what it does, and the message it sends (none when it does not apply now).
pub struct Key<U: LabUi> {
    pub keys: &'static [&'static str],
    pub label: &'static str,
    pub what: &'static str,
    pub msg: fn(&LabPage<U>) -> Option<Msg<U>>,
}

/// Why the lab's state is asked to catch up with the run.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Sync {
    /// The cursor moved, or an event was injected.
    Moved,
    /// The run was rebuilt (reset, new scenario, new settings).
    Rebuilt,
}

/// What a lab supplies to the shell.
pub trait LabUi: 'static + Sized {
    /// The simulator's description of the lab.
    type Lab: Lab;
    /// The lab page's own state (a comparison run, a selected operation).
    type State: 'static;
    /// The lab page's own messages.
    type Action: 'static;

    /// Playback speed a page starts at, an index into [`SPEEDS`]: labs
    /// whose events take tens of milliseconds start slower.
    fn default_speed() -> usize {
        DEFAULT_SPEED
    }
    /// The page's own state, from the run and the link's view keys.
    fn init(
        run: &Run<Self::Lab>,
        extra: &BTreeMap<String, String>,
        warnings: &mut Vec<String>,
    ) -> Self::State;
    /// Pairs the view adds to the link (`cmp=1`).
    fn view_pairs(_page: &LabPage<Self>) -> Vec<(&'static str, String)> {
        Vec::new()
    }
    /// Keeps the page's own state in step with the run.
    fn sync(_page: &mut LabPage<Self>, _why: Sync) {}
    /// Handles one of the lab's own messages; true to redraw.
    fn update(page: &mut LabPage<Self>, ctx: &Context<LabPage<Self>>, action: Self::Action)
        -> bool;

    /// The status line and the diagram, drawn in the diagram frame.
    fn diagram(page: &LabPage<Self>, link: &Scope<LabPage<Self>>) -> Html;
    /// Above the diagram frame (a mode bar).
    fn above(_page: &LabPage<Self>, _link: &Scope<LabPage<Self>>) -> Html {
        Html::default()
    }
    /// Between the diagram frame and the transport (a focus card).
    fn under_diagram(_page: &LabPage<Self>, _link: &Scope<LabPage<Self>>) -> Html {
        Html::default()
    }
    /// The fault and request buttons under the transport.
    fn actions(page: &LabPage<Self>, link: &Scope<LabPage<Self>>) -> Html;
    /// Panels below the fault bar (logs, counters, histories).
    fn below(_page: &LabPage<Self>, _link: &Scope<LabPage<Self>>) -> Html {
        Html::default()
    }
    /// A node's menu: its title (the node's state in words) and buttons;
    /// `None` for a node without one.
    fn node_menu(
        page: &LabPage<Self>,
        link: &Scope<LabPage<Self>>,
        id: NodeId,
    ) -> Option<(String, Html)>;
    /// Where a node sits on the diagram, as percentages of its width and
    /// height, so a menu opens beside it.
    fn anchor(page: &LabPage<Self>, id: NodeId) -> (f64, f64);
    /// The lab's own tabs (id, label), shown after Invariants.
    fn tabs(_page: &LabPage<Self>) -> Vec<(&'static str, &'static str)> {
        Vec::new()
    }
    fn tab(_page: &LabPage<Self>, _link: &Scope<LabPage<Self>>, _id: &'static str) -> Html {
        Html::default()
    }
    /// The lab's own shortcuts, listed in the help between the shell's.
    fn keys() -> Vec<Key<Self>> {
        Vec::new()
    }
    /// Escape, when no dialog or menu is open.
    fn escape(_page: &LabPage<Self>) -> Option<Msg<Self>> {
        None
    }
    /// "How to read the diagram", in the Scenario tab.
    fn legend() -> Html;
    /// A sentence on what to expect of the invariants in this configuration.
    fn invariants_note(_page: &LabPage<Self>) -> Option<String> {
        None
    }
    /// A note in the Scenario tab when the settings differ from the scenario's.
    fn changed_note(_page: &LabPage<Self>) -> Option<String> {
        Some("You changed the scenario's settings; “What to notice” is told for its own.".into())
    }
    /// Extra classes for the page's main element (styles of the lab's own).
    fn page_classes(_page: &LabPage<Self>) -> Vec<&'static str> {
        Vec::new()
    }
    /// Whether the shell shows its Experiment tab; a lab may present its
    /// experiment in a richer tab of its own instead.
    fn experiment_tab() -> bool {
        true
    }
    /// Whether the shell shows its Space-time tab (for a run of more than
    /// one process); a lab whose diagram is already one says no.
    fn spacetime_tab() -> bool {
        true
    }
}

/// Every message of a lab page.
pub enum Msg<U: LabUi> {
    Frame(f64),
    TogglePlay,
    StepForward,
    StepBack,
    Seek(u64),
    SeekTime(TimeUs),
    Reset,
    Inject(Input<Cmd<U>>),
    Speed(usize),
    ClickNode(NodeId),
    ClickMessage(u64),
    CloseMenu,
    Tab(Tab),
    Help(bool),
    CopyLink,
    Copied(bool),
    /// Hides the toast (its close button, or its timer).
    DismissToast,
    /// Arrow keys, Home and End on the tab list: the key.
    TabKey(String),
    /// Downloads the run up to the cursor as a ShiViz log.
    ExportLog,
    LoadScenario(String),
    /// Sets one parameter now (a mode switch, a stepper) and recomputes the run.
    SetParam(&'static str, String),
    Draft(settings::Field, String),
    ApplySettings,
    RevertSettings,
    NewSeed,
    Key(web_sys::KeyboardEvent),
    DismissWarnings,
    ExpArg(usize, &'static str, String),
    ExpStart(usize, bool),
    ExpFrame,
    ExpCancel,
    Navigate(String),
    Answer(String),
    EndPrediction,
    Lab(U::Action),
}

#[derive(Properties, PartialEq)]
pub struct LabProps {
    pub route: Route,
    pub navigate: Callback<String>,
}

/// A lab page: the shell's state, the run, and the lab's own state.
pub struct LabPage<U: LabUi> {
    pub run: Run<U::Lab>,
    pub state: U::State,
    pub warnings: Vec<String>,
    pub toast: Option<String>,
    pub playing: bool,
    pub speed: usize,
    /// The virtual time drawn: runs ahead of the last event while playing.
    pub view_us: f64,
    pub menu: Option<Menu>,
    pub tab: Tab,
    /// Embedded in another page: no site header or side panel.
    pub embed: bool,
    last_frame_ms: Option<f64>,
    frame: Option<AnimationFrame>,
    help: bool,
    reached_pause: bool,
    markers: Markers,
    predict: Option<ActivePrediction>,
    /// Where playing stops by itself (a prediction's outcome).
    stop_at: Option<RunUntil>,
    draft: settings::Draft<U>,
    exp: experiment::Experiments,
    _keys: Option<EventListener>,
    /// The toast the dismiss timer was started for, and the timer (a new
    /// toast replaces it; dropping it cancels it).
    toast_timed: Option<String>,
    toast_timer: Option<gloo::timers::callback::Timeout>,
    /// The selected tab takes the focus after the next render (arrow keys on the tab list).
    focus_tab: bool,
    tabs_ref: NodeRef,
}

impl<U: LabUi> LabPage<U> {
    fn from_route(route: &Route) -> LabPage<U> {
        let info = U::Lab::info();
        let opened = Run::<U::Lab>::open(&route.pairs);
        let mut warnings = route.warnings.clone();
        warnings.extend(opened.warnings);
        let run = opened.run;
        let embed = opened.extra.get("embed").is_some_and(|v| v == "1");
        let predict = opened.extra.get("predict").and_then(|v| {
            match ActivePrediction::find(info.id, v, run.scenario.id, run.tl.cursor()) {
                Ok(p) => Some(p),
                Err(e) => {
                    warnings.push(e);
                    None
                }
            }
        });
        let state = U::init(&run, &opened.extra, &mut warnings);
        let pause = run.scenario.pause_ms;
        let reached_pause = pause == 0 || run.world().now >= pause * 1000;
        let view_us = run.world().now as f64;
        let draft = settings::Draft::of(&run);
        let mut page = LabPage {
            run,
            state,
            warnings,
            toast: None,
            playing: false,
            speed: U::default_speed().min(SPEEDS.len() - 1),
            view_us,
            menu: None,
            tab: if predict.is_some() {
                Tab::Questions
            } else {
                Tab::Scenario
            },
            embed,
            last_frame_ms: None,
            frame: None,
            help: false,
            reached_pause,
            markers: Markers::default(),
            predict,
            stop_at: None,
            draft,
            exp: experiment::Experiments::new::<U::Lab>(),
            _keys: None,
            toast_timed: None,
            toast_timer: None,
            focus_tab: false,
            tabs_ref: NodeRef::default(),
        };
        page.markers.refresh(&page.run.tl);
        U::sync(&mut page, Sync::Rebuilt);
        page
    }

    pub fn world(&self) -> &World<Proto<U>> {
        self.run.world()
    }

    pub fn groups(&self) -> Vec<NodeGroup> {
        self.run.groups()
    }

    pub fn name(&self, id: NodeId) -> String {
        self.run.node_name(id)
    }

    /// The link that reproduces the state at the cursor.
    pub fn query(&self) -> String {
        let mut pairs = self.run.pairs();
        pairs.extend(U::view_pairs(self));
        if self.embed {
            pairs.push(("embed", "1".into()));
        }
        if let Some(a) = self.predict.as_ref().filter(|a| a.chosen.is_none()) {
            pairs.push(("predict", a.param()));
        }
        build_query(&pairs)
    }

    pub fn sync_url(&self) {
        dom::replace_query(&self.query());
    }

    /// After the cursor moved: the view follows, markers and the lab's
    /// state catch up, and the link is rewritten (not while playing).
    pub fn after_move(&mut self) {
        self.view_us = self.world().now as f64;
        self.markers.refresh(&self.run.tl);
        U::sync(self, Sync::Moved);
        if !self.playing {
            self.sync_url();
        }
    }

    /// After the run was rebuilt from scratch.
    fn after_rebuild(&mut self) {
        self.view_us = self.world().now as f64;
        self.playing = false;
        self.frame = None;
        self.menu = None;
        let pause = self.run.scenario.pause_ms;
        self.reached_pause = pause == 0 || self.world().now >= pause * 1000;
        self.markers.clear();
        self.markers.refresh(&self.run.tl);
        self.draft = settings::Draft::of(&self.run);
        U::sync(self, Sync::Rebuilt);
        self.sync_url();
    }

    fn pause(&mut self) {
        self.playing = false;
        self.frame = None;
        self.last_frame_ms = None;
        self.sync_url();
    }

    fn schedule_frame(&mut self, ctx: &Context<Self>) {
        let link = ctx.link().clone();
        self.frame = Some(request_animation_frame(move |ts| {
            link.send_message(Msg::Frame(ts))
        }));
    }

    /// Applies `input` at the cursor; a branch discards the old future and says so.
    pub fn inject(&mut self, input: Input<Cmd<U>>) {
        let discarded = self.run.tl.horizon() - self.run.tl.cursor();
        let keep_view = self.view_us;
        self.menu = None;
        match self.run.tl.inject(input) {
            Ok(_) if discarded > 0 => {
                self.toast = Some(format!("Branched at step {}: the {discarded} later steps of the old run were discarded.", self.run.tl.cursor() - 1));
            }
            Ok(_) => {}
            Err(e) => self.toast = Some(format!("Could not apply that: {e}.")),
        }
        self.markers.refresh(&self.run.tl);
        self.view_us = keep_view.max(self.world().now as f64);
        U::sync(self, Sync::Moved);
        if !self.playing {
            self.sync_url();
        }
    }

    /// Recomputes the run under `config` and `seed` with the learner's
    /// events at the same virtual times, back at the same moment: the one
    /// rule for every change of settings. Returns the events that could not
    /// be replayed.
    pub fn reconfigure(&mut self, config: Config<U>, seed: u64) -> usize {
        let skipped = self.run.reconfigure(config, seed);
        self.after_rebuild();
        skipped
    }

    /// Sets one parameter from its link text, recomputes, and tells the
    /// learner what happened. Returns how many of their events could not be
    /// replayed, or `None` if nothing changed.
    pub fn set_param(&mut self, key: &str, raw: &str) -> Option<usize> {
        match self.run.with_param(key, raw) {
            Ok((config, notes)) => {
                if config == self.run.config {
                    return None;
                }
                let seed = self.run.seed;
                let skipped = self.reconfigure(config, seed);
                let label = U::Lab::params()
                    .iter()
                    .find(|p| p.key == key)
                    .map(|p| p.label)
                    .unwrap_or(key);
                let mut text = format!("{label} changed: the run was recomputed from the start with your events at the same times");
                if skipped > 0 {
                    text.push_str(&format!(" ({skipped} could not be replayed)"));
                }
                if !notes.is_empty() {
                    text.push_str(&format!("; {}", notes.join("; ")));
                }
                text.push('.');
                self.toast = Some(text);
                Some(skipped)
            }
            Err(e) => {
                self.toast = Some(format!("Could not change that: {e}."));
                None
            }
        }
    }

    /// The safety rules switched off, by label.
    fn switched_off(&self) -> Vec<&'static str> {
        U::Lab::params()
            .iter()
            .filter(|p| p.group == Group::Safety && p.when.is_none_or(|w| w(&self.run.config)))
            .filter(|p| !(p.get)(&self.run.config).as_flag())
            .map(|p| p.label)
            .collect()
    }

    fn shell_keys() -> (Vec<Key<U>>, Vec<Key<U>>) {
        let before = vec![
            Key {
                keys: &[" ", "k"],
                label: "Space",
                what: "Play or pause",
                msg: |_| Some(Msg::TogglePlay),
            },
            Key {
                keys: &["ArrowRight", "."],
                label: "→  or  .",
                what: "Step forward one event",
                msg: |_| Some(Msg::StepForward),
            },
            Key {
                keys: &["ArrowLeft", ","],
                label: "←  or  ,",
                what: "Step back one event",
                msg: |_| Some(Msg::StepBack),
            },
            Key {
                keys: &["Home"],
                label: "Home / End",
                what: "Go to the first / last computed step",
                msg: |_| Some(Msg::Seek(0)),
            },
            Key {
                keys: &["End"],
                label: "",
                what: "",
                msg: |p| Some(Msg::Seek(p.run.tl.horizon())),
            },
        ];
        let after = vec![
            Key {
                keys: &["h"],
                label: "H",
                what: "Heal the network",
                msg: |_| Some(Msg::Inject(Input::Heal)),
            },
            Key {
                keys: &["+", "="],
                label: "+ / −",
                what: "Faster / slower",
                msg: |p| Some(Msg::Speed(p.speed + 1)),
            },
            Key {
                keys: &["-"],
                label: "",
                what: "",
                msg: |p| Some(Msg::Speed(p.speed.saturating_sub(1))),
            },
            Key {
                keys: &["r"],
                label: "R",
                what: "Reset the scenario",
                msg: |_| Some(Msg::Reset),
            },
            Key {
                keys: &["?"],
                label: "?",
                what: "Show or hide this help",
                msg: |p| Some(Msg::Help(!p.help)),
            },
        ];
        (before, after)
    }

    /// The help overlay's rows, from the same tables the keys are read from.
    fn shortcuts(&self) -> Vec<(String, String)> {
        let (before, after) = Self::shell_keys();
        let row =
            |k: &Key<U>| (!k.label.is_empty()).then(|| (k.label.to_string(), k.what.to_string()));
        let mut rows: Vec<(String, String)> = before.iter().filter_map(row).collect();
        if let Some(g) = self.groups().first() {
            let n = g.count.min(9);
            if n > 0 {
                rows.push((
                    format!("1 – {n}"),
                    format!(
                        "Open the menu of {} {}1 – {}{n}",
                        g.role, g.prefix, g.prefix
                    ),
                ));
            }
        }
        rows.extend(U::keys().iter().filter_map(row));
        rows.extend(after.iter().filter_map(row));
        rows.push(("Esc".into(), "Close menus and dialogs".into()));
        rows
    }

    fn key_msg(&self, key: &str) -> Option<Msg<U>> {
        if key == "Escape" {
            return if self.help {
                Some(Msg::Help(false))
            } else if self.menu.is_some() {
                Some(Msg::CloseMenu)
            } else {
                U::escape(self)
            };
        }
        if key.len() == 1 && key.as_bytes()[0].is_ascii_digit() {
            let i = (key.as_bytes()[0] - b'0') as usize;
            let first = self.groups().first().map(|g| g.count).unwrap_or(0);
            return (i >= 1 && i <= first.min(9)).then(|| Msg::ClickNode(NodeId(i as u8 - 1)));
        }
        let (before, after) = Self::shell_keys();
        let lab = U::keys();
        before
            .iter()
            .chain(lab.iter())
            .chain(after.iter())
            .find(|k| k.keys.contains(&key))
            .and_then(|k| (k.msg)(self))
    }

    fn tab_list(&self) -> Vec<(Tab, &'static str)> {
        let mut tabs = vec![
            (Tab::Scenario, "Scenario"),
            (Tab::Questions, "Questions"),
            (Tab::Events, "Events"),
        ];
        if U::spacetime_tab() && self.run.world().nodes.len() > 1 {
            tabs.push((Tab::SpaceTime, "Space-time"));
        }
        tabs.push((Tab::Invariants, "Invariants"));
        tabs.extend(
            U::tabs(self)
                .into_iter()
                .map(|(id, label)| (Tab::Lab(id), label)),
        );
        tabs.push((Tab::Settings, "Settings"));
        if U::experiment_tab() && !U::Lab::experiments().is_empty() {
            tabs.push((Tab::Experiment, "Experiment"));
        }
        tabs
    }
}

impl<U: LabUi> Component for LabPage<U> {
    type Message = Msg<U>;
    type Properties = LabProps;

    fn create(ctx: &Context<Self>) -> Self {
        let page = LabPage::<U>::from_route(&ctx.props().route);
        dom::set_title(&format!("{} lab — dsviz", U::Lab::info().short));
        page.sync_url();
        page
    }

    fn rendered(&mut self, ctx: &Context<Self>, first_render: bool) {
        // A toast shows for a while, then goes; a new one starts its own time.
        if self.toast != self.toast_timed {
            self.toast_timed = self.toast.clone();
            self.toast_timer = self.toast.as_ref().map(|t| {
                let link = ctx.link().clone();
                let ms = (4_000 + 40 * t.chars().count() as u32).min(12_000);
                gloo::timers::callback::Timeout::new(ms, move || {
                    link.send_message(Msg::DismissToast)
                })
            });
        }
        if std::mem::take(&mut self.focus_tab) {
            if let Some(el) = self
                .tabs_ref
                .cast::<web_sys::Element>()
                .and_then(|l| l.query_selector("[aria-selected=true]").ok().flatten())
                .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
            {
                let _ = el.focus();
            }
        }
        if first_render {
            let link = ctx.link().clone();
            self._keys = dom::window().map(|w| {
                // Not passive: the handler calls preventDefault for the keys it takes (e.g. Space).
                EventListener::new_with_options(
                    &w,
                    "keydown",
                    EventListenerOptions::enable_prevent_default(),
                    move |e| {
                        if let Some(k) = e.dyn_ref::<web_sys::KeyboardEvent>() {
                            link.send_message(Msg::Key(k.clone()));
                        }
                    },
                )
            });
        }
    }

    fn update(&mut self, ctx: &Context<Self>, msg: Msg<U>) -> bool {
        match msg {
            Msg::Frame(ts) => {
                if !self.playing {
                    return false;
                }
                let input = FrameInput {
                    ts,
                    speed: SPEEDS[self.speed].0,
                    pause_ms: self.run.scenario.pause_ms,
                    reached_pause: self.reached_pause,
                };
                let outcome = advance_frame(
                    &mut self.run.tl,
                    &mut self.view_us,
                    &mut self.last_frame_ms,
                    &mut self.stop_at,
                    input,
                );
                self.markers.refresh(&self.run.tl);
                U::sync(self, Sync::Moved);
                match outcome {
                    FrameOutcome::Continue => self.schedule_frame(ctx),
                    FrameOutcome::Quiet => {
                        let last =
                            self.run.tl.records().last().map(|r| r.time_us).unwrap_or(0) as f64;
                        if self.view_us > last + QUIET_STOP_US {
                            self.pause();
                            self.toast = Some("Paused: nothing is left to happen (no message in flight, no timer set). Send a request or inject a fault.".into());
                        } else {
                            self.schedule_frame(ctx);
                        }
                    }
                    FrameOutcome::PredictionOutcome => {
                        self.pause();
                        self.toast =
                            Some("Paused: this is the outcome the prediction asked about.".into());
                    }
                    FrameOutcome::ScenarioNotice => {
                        self.reached_pause = true;
                        self.tab = Tab::Scenario;
                        self.pause();
                        self.toast = Some(
                            "Paused where this scenario makes its point: read “What to notice”."
                                .into(),
                        );
                    }
                    FrameOutcome::TraceFull(e) => {
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
            Msg::SeekTime(t) => {
                if self.playing {
                    self.pause();
                }
                if t > self.world().now {
                    let _ = self
                        .run
                        .tl
                        .run_until(t, dsviz_sim::kernel::timeline::MAX_STEPS);
                } else {
                    self.run.tl.seek_time(t);
                }
                self.after_move();
                true
            }
            Msg::Reset => {
                self.run.rebuild();
                self.after_rebuild();
                self.toast = Some(
                    "Reset to the start of the scenario (your injected events are gone).".into(),
                );
                true
            }
            Msg::Inject(input) => {
                self.inject(input);
                true
            }
            Msg::Speed(i) => {
                self.speed = i.min(SPEEDS.len() - 1);
                true
            }
            Msg::ClickNode(id) => {
                self.menu = if self.menu == Some(Menu::Node(id)) {
                    None
                } else {
                    Some(Menu::Node(id))
                };
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
            Msg::ExportLog => {
                let name = format!(
                    "dsviz-{}-{}-seed{}-step{}.log",
                    U::Lab::info().id,
                    self.run.scenario.id,
                    self.run.seed,
                    self.run.tl.cursor()
                );
                self.toast = Some(
                    match self
                        .run
                        .shiviz()
                        .and_then(|x| dom::download(&name, &x.upload()))
                    {
                        Ok(()) => format!("Saved {name}: ShiViz's upload reads it as it is."),
                        Err(e) => format!("Could not write the log: {e}."),
                    },
                );
                true
            }
            Msg::LoadScenario(id) => {
                if self.run.load_scenario(&id) {
                    self.warnings.clear();
                    self.after_rebuild();
                }
                true
            }
            Msg::SetParam(key, raw) => {
                self.set_param(key, &raw);
                true
            }
            Msg::Draft(field, value) => {
                self.draft.edit(&self.run, field, &value);
                true
            }
            Msg::ApplySettings => {
                let (config, seed, mut notes) = self.draft.resolve(&self.run);
                let skipped = self.reconfigure(config, seed);
                if skipped > 0 {
                    notes.push(format!("{skipped} of your events named nodes that no longer exist and were dropped"));
                }
                self.toast = Some(if notes.is_empty() {
                    "Settings applied: the run was recomputed with your events at the same times."
                        .into()
                } else {
                    format!("Settings applied, but {}.", notes.join("; "))
                });
                true
            }
            Msg::RevertSettings => {
                let sc = &self.run.scenario;
                let (config, seed) = (sc.proto.config().clone(), sc.seed);
                self.reconfigure(config, seed);
                self.toast = Some("Settings restored to the scenario's own.".into());
                true
            }
            Msg::NewSeed => {
                self.draft.seed = dom::random_seed().to_string();
                true
            }
            Msg::Key(e) => {
                let Some(key) = lab_key(&e) else { return false };
                match self.key_msg(&key) {
                    Some(m) => {
                        e.prevent_default();
                        <Self as Component>::update(self, ctx, m)
                    }
                    None => false,
                }
            }
            Msg::TabKey(k) => {
                let tabs = self.tab_list();
                let i = tabs.iter().position(|(t, _)| *t == self.tab).unwrap_or(0);
                let n = tabs.len();
                let j = match k.as_str() {
                    "ArrowRight" | "ArrowDown" => (i + 1) % n,
                    "ArrowLeft" | "ArrowUp" => (i + n - 1) % n,
                    "Home" => 0,
                    "End" => n - 1,
                    _ => return false,
                };
                self.focus_tab = true;
                ctx.link().send_message(Msg::Tab(tabs[j].0));
                false
            }
            Msg::DismissToast => {
                self.toast = None;
                true
            }
            Msg::DismissWarnings => {
                self.warnings.clear();
                self.toast = None;
                true
            }
            Msg::ExpArg(i, flag, value) => {
                self.exp.set_arg(i, flag, value);
                true
            }
            Msg::ExpStart(i, quick) => {
                if let Err(e) = self.exp.start::<U::Lab>(i, quick) {
                    self.toast = Some(format!("Could not start the experiment: {e}."));
                    return true;
                }
                ctx.link().send_message(Msg::ExpFrame);
                true
            }
            Msg::ExpFrame => {
                let link = ctx.link().clone();
                self.exp.frame(move || link.send_message(Msg::ExpFrame))
            }
            Msg::ExpCancel => {
                self.exp.cancel();
                true
            }
            Msg::Navigate(q) => {
                ctx.props().navigate.emit(q);
                false
            }
            Msg::Answer(choice) => {
                let Some(a) = self.predict.as_mut() else {
                    return false;
                };
                if a.chosen.is_some() {
                    return false;
                }
                if let Some(problem) = a.answer(choice, content::grade_in::<U::Lab>) {
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
            Msg::Lab(action) => U::update(self, ctx, action),
        }
    }

    fn view(&self, ctx: &Context<Self>) -> Html {
        let link = ctx.link();
        let info = U::Lab::info();
        let w = self.world();
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
        let toast = self.toast.as_ref().map(|t| {
            html! {
                <div class="toast" role="status">
                    <span>{t}</span>
                    <button class="toast-close" aria-label="Dismiss message" onclick={link.callback(|_| Msg::DismissToast)}>{"×"}</button>
                </div>
            }
        });
        let lab_links = CATALOG.iter().map(|l| {
            let here = l.id == info.id;
            html! {
                <li><a href={crate::route::href(&format!("?lab={}", l.id))} aria-current={here.then_some("page")}>
                    <strong>{l.title}</strong><span>{l.tagline}</span>
                </a></li>
            }
        });
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
        let full_link = dom::full_url(&self.query().replace("&embed=1", ""));
        let prediction = self.predict.as_ref().map(|a| {
            a.card(
                self.playing,
                link.callback(Msg::Answer),
                link.callback(|_| Msg::EndPrediction),
            )
        });
        let lab_class = format!("lab-{}", info.id);
        let own = U::page_classes(self);
        html! {
            <>
                if self.embed {
                    <header class="embed-header">
                        <strong>{format!("{} · {}", info.short, self.run.scenario.title)}</strong>
                        {for toast.clone()}
                        <a href={full_link} target="_blank" rel="noopener">{"Open in dsviz ↗"}</a>
                    </header>
                } else {
                    <a class="skip-link" href="#main">{"Skip to content"}</a>
                    <header class="site-header">
                        <a class="brand" href="./" onclick={link.callback(|e: MouseEvent| { e.prevent_default(); Msg::Navigate("?".into()) })}>
                            {icons::logo()}<span>{"dsviz"}</span>
                        </a>
                        <nav class="crumbs" aria-label="Breadcrumb">
                            <span aria-hidden="true">{"/"}</span>
                            <h1>{info.short}</h1>
                        </nav>
                        <details class="lab-switch" onfocusout={Callback::from(|e: FocusEvent| {
                            // Closes when the focus leaves it (a click elsewhere, Tab past it).
                            // (yew delegates events, so the element is found from the target.)
                            let Some(d) = e.target().and_then(|t| t.dyn_into::<web_sys::Element>().ok()).and_then(|t| t.closest("details.lab-switch").ok().flatten()) else { return };
                            let inside = e.related_target().and_then(|t| t.dyn_into::<web_sys::Node>().ok()).is_some_and(|r| d.contains(Some(&r)));
                            if !inside {
                                let _ = d.remove_attribute("open");
                            }
                        })} onkeydown={Callback::from(|e: KeyboardEvent| {
                            if e.key() == "Escape" {
                                if let Some(d) = e.target().and_then(|t| t.dyn_into::<web_sys::Element>().ok()).and_then(|t| t.closest("details.lab-switch").ok().flatten()) {
                                    let _ = d.remove_attribute("open");
                                }
                            }
                        })}>
                            <summary>{"Labs"}</summary>
                            <ul>
                                {for lab_links}
                                <li><a href="study.html"><strong>{"Study mode"}</strong><span>{"Every question, review and mock interviews"}</span></a></li>
                            </ul>
                        </details>
                        {for toast.clone()}
                        <div class="header-actions">
                            <button onclick={link.callback(|_| Msg::CopyLink)}>{"Copy link"}</button>
                            <button class="icon-btn" aria-label="Keyboard shortcuts" onclick={link.callback(|_| Msg::Help(true))}>{"?"}</button>
                        </div>
                    </header>
                }
                <main id="main" tabindex="-1" class={classes!("lab", lab_class, own, self.embed.then_some("embed"))}>
                    {for warnings}
                    <div class="stage">
                        {for prediction}
                        {U::above(self, link)}
                        <div class="diagram-wrap">
                            {for violation_banner}
                            {U::diagram(self, link)}
                            {self.menu_view(link)}
                            {caption}
                        </div>
                        {U::under_diagram(self, link)}
                        {transport}
                        {U::actions(self, link)}
                        {U::below(self, link)}
                    </div>
                    if !self.embed {
                        <aside class="panel">
                            <div class="tabs" role="tablist" aria-label="Lab panels" ref={self.tabs_ref.clone()} onkeydown={link.batch_callback(|e: KeyboardEvent| {
                                let k = e.key();
                                matches!(k.as_str(), "ArrowRight" | "ArrowLeft" | "ArrowUp" | "ArrowDown" | "Home" | "End").then(|| {
                                    e.prevent_default();
                                    Msg::TabKey(k)
                                })
                            })}>
                                { for self.tab_list().into_iter().map(|(t, label)| {
                                    let badge = (t == Tab::Invariants && !w.violations.is_empty()).then(|| html!{ <span class="dot" aria-label="violations" /> });
                                    html! {
                                        <button role="tab" aria-selected={(self.tab == t).to_string()} tabindex={if self.tab == t { "0" } else { "-1" }} class={classes!("tab", (self.tab == t).then_some("active"))}
                                            onclick={link.callback(move |_| Msg::Tab(t))}>{label}{for badge}</button>
                                    }
                                }) }
                            </div>
                            <div class="tab-body" role="tabpanel">{self.tab_view(link)}</div>
                        </aside>
                    }
                </main>
                if self.help {
                    <Help shortcuts={self.shortcuts()} on_close={link.callback(|_| Msg::Help(false))} />
                }
            </>
        }
    }
}

impl<U: LabUi> LabPage<U> {
    fn menu_view(&self, link: &Scope<Self>) -> Html {
        let Some(menu) = self.menu else {
            return Html::default();
        };
        let w = self.world();
        let (title, anchor, items) = match menu {
            Menu::Node(id) => {
                let Some((title, items)) = U::node_menu(self, link, id) else {
                    return Html::default();
                };
                (title, id, items)
            }
            Menu::Message(mid) => {
                let Some(m) = w.in_flight.get(&mid) else {
                    return Html::default();
                };
                let (from, to) = (m.from, m.to);
                let title = format!(
                    "{} #{mid}: {} → {}",
                    m.msg.kind(),
                    self.name(from),
                    self.name(to)
                );
                let (lo, hi) = w.net.latency_range(from, to);
                let link_name = format!("{} → {}", self.name(from), self.name(to));
                let items = html! {
                    <>
                        <button onclick={link.callback(move |_| Msg::Inject(Input::Drop(mid)))}>{"Drop this message"}</button>
                        <button onclick={link.callback(move |_| Msg::Inject(Input::LinkLatency(from, to, lo.max(1_000) * 10, hi.max(1_000) * 10)))}>
                            {format!("Delay the link {link_name} (10× latency)")}
                        </button>
                        <button onclick={link.callback(move |_| Msg::Inject(Input::Cut(from, to)))}>{format!("Cut the link {link_name} (one way)")}</button>
                    </>
                };
                (title, to, items)
            }
        };
        let (x, y) = U::anchor(self, anchor);
        let top = (y + 9.0).clamp(5.0, 72.0);
        // Centred under the node where it fits, else against the nearer edge:
        // never outside the diagram (on a phone it is a sheet at the bottom).
        let left = format!(
            "clamp(.4rem, calc({:.1}% - var(--menu-w) / 2), calc(100% - var(--menu-w) - .4rem))",
            x.clamp(0.0, 100.0)
        );
        html! {
            <div class="menu" role="menu" aria-label={title.clone()} style={format!("left:{left};top:{top:.1}%")}>
                <p class="menu-title">{title}</p>
                {items}
                <button class="linklike" onclick={link.callback(|_| Msg::CloseMenu)}>{"Close"}</button>
            </div>
        }
    }

    fn tab_view(&self, link: &Scope<Self>) -> Html {
        match self.tab {
            Tab::Scenario => self.scenario_view(link),
            Tab::Questions => self.questions_view(link),
            Tab::Events => timeline_log(&self.run.tl, LOG_LINES, link.callback(Msg::Seek)),
            Tab::SpaceTime => self.spacetime_view(link),
            Tab::Invariants => self.invariants_view(link),
            Tab::Lab(id) => U::tab(self, link, id),
            Tab::Settings => settings::view(self, link),
            Tab::Experiment => experiment::view::<U>(&self.exp, link),
        }
    }

    fn spacetime_view(&self, link: &Scope<Self>) -> Html {
        let trace = Trace::of_timeline(&self.run.tl);
        let texts: Vec<(usize, String)> = spacetime::window(&trace)
            .map(|e| (e, self.run.step_text(trace.events[e].step)))
            .collect();
        html! { <SpaceTime trace={Rc::new(trace)} texts={Rc::new(texts)} on_seek={link.callback(Msg::Seek)} on_export={Some(link.callback(|_| Msg::ExportLog))} /> }
    }

    fn scenario_view(&self, link: &Scope<Self>) -> Html {
        let on_change = link.callback(|e: Event| {
            let sel: web_sys::HtmlSelectElement = e.target_unchecked_into();
            Msg::LoadScenario(sel.value())
        });
        let sc = &self.run.scenario;
        let pause = sc.pause_ms;
        let changed = (self.run.config != *sc.proto.config())
            .then(|| U::changed_note(self))
            .flatten();
        html! {
            <div class="scenario">
                <label class="field">
                    <span>{"Scenario"}</span>
                    <select onchange={on_change} aria-label="Scenario">
                        { for U::Lab::scenarios().iter().map(|s| html!{ <option value={s.id} selected={s.id == sc.id}>{s.title}</option> }) }
                    </select>
                </label>
                <h2>{sc.title}</h2>
                <p>{sc.summary}</p>
                if let Some(note) = changed {
                    <p class="banner warn small">{note}</p>
                }
                <div class={classes!("notice", (self.reached_pause && pause > 0).then_some("reached"))}>
                    <h3>{"What to notice"}</h3>
                    <p>{sc.notice}</p>
                    if !self.reached_pause && pause > 0 {
                        <p class="muted">{format!("Play: the lab pauses at {} when this has happened.", fmt_time(pause * 1000))}</p>
                    }
                </div>
                <details class="howto">
                    <summary>{"How to read the diagram"}</summary>
                    {U::legend()}
                </details>
            </div>
        }
    }

    fn questions_view(&self, link: &Scope<Self>) -> Html {
        let navigate = link.callback(Msg::Navigate);
        let qs = content::bank().for_lab(U::Lab::info().id);
        html! {
            <div class="questions">
                <p class="muted">
                    {format!("{} interview questions this lab can show. Answers stay hidden until you ask; “Show me” opens the step that demonstrates the answer, and “Predict” pauses the run and grades your guess by playing it out. All questions: ", qs.len())}
                    <a href="study.html?page=study" onclick={link.callback(|e: MouseEvent| { e.prevent_default(); Msg::Navigate("?page=study".into()) })}>{"study mode"}</a>{"."}
                </p>
                { for qs.into_iter().map(|q| html!{ <QuestionCard q={q} navigate={navigate.clone()} show_concept={false} /> }) }
            </div>
        }
    }

    fn invariants_view(&self, link: &Scope<Self>) -> Html {
        let rows = rows_for(self.world());
        let off = self.switched_off();
        html! {
            <div>
                if !off.is_empty() {
                    <p class="banner warn small">{format!("Safety rules switched off: {}. Expect violations.", off.join(", ").to_lowercase())}</p>
                }
                if let Some(note) = U::invariants_note(self) {
                    <p class="muted">{note}</p>
                }
                <Invariants {rows} checked_steps={self.run.tl.cursor()} on_seek={link.callback(Msg::Seek)} />
            </div>
        }
    }
}

/// A button that opens a node's menu: the click and keyboard handlers for
/// an SVG glyph with `role="button"`.
pub fn node_button<U: LabUi>(
    link: &Scope<LabPage<U>>,
    id: NodeId,
) -> (Callback<MouseEvent>, Callback<web_sys::KeyboardEvent>) {
    super::node_handlers(id, &link.callback(Msg::ClickNode))
}
