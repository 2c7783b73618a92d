//! Study mode: every question across concepts, with filters and search;
//! spaced-repetition review (Leitner boxes); a per-concept dashboard; a
//! timed mock interview with a self-grading rubric. Progress lives in
//! localStorage (see `crate::study`), exportable and importable as JSON.

use crate::components::icons;
use crate::components::question::QuestionCard;
use crate::content::render::render;
use crate::content::{bank, Question};
use crate::dom;
use crate::route::Route;
use crate::study::progress::{MockRecord, Progress, Rating, Standing};
use crate::study::store;
use gloo::timers::callback::Interval;
use yew::prelude::*;

/// Cards in one review session.
const SESSION: usize = 20;
/// Mock interview answer time, seconds.
const MOCK_SECONDS: u32 = 300;
const RUBRIC: &[&str] = &[
    "Stated the mechanism precisely",
    "Named the trade-off and when it binds",
    "Walked through a failure mode",
    "Used a number or a bound",
    "Anticipated the follow-up",
];

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Browse,
    Review,
    Dashboard,
    Mock,
}

pub enum Msg {
    Mode(Mode),
    Concept(String),
    Tag(String),
    Level(String),
    Search(String),
    StartReview,
    Reveal,
    Rate(Rating),
    NewMock,
    Tick,
    MockReveal,
    Rubric(usize),
    SaveMock,
    Export,
    ImportFile(web_sys::File),
    Imported(Result<String, String>),
    Navigate(String),
    Dismiss,
}

#[derive(Properties, PartialEq)]
pub struct StudyProps {
    pub route: Route,
    pub navigate: Callback<String>,
}

struct Mock {
    q: &'static Question,
    started_ms: f64,
    elapsed_s: u32,
    revealed: bool,
    ticks: Vec<bool>,
    saved: bool,
    _timer: Option<Interval>,
}

pub struct Study {
    progress: Progress,
    message: Option<String>,
    mode: Mode,
    concept: String,
    tag: String,
    level: String,
    search: String,
    queue: Vec<&'static str>,
    at: usize,
    revealed: bool,
    mock: Option<Mock>,
    today: u32,
}

impl Study {
    fn filtered(&self) -> Vec<&'static Question> {
        let needle = self.search.trim().to_lowercase();
        bank()
            .questions()
            .iter()
            .filter(|q| self.concept.is_empty() || q.concept == self.concept)
            .filter(|q| self.tag.is_empty() || q.tags.contains(&self.tag))
            .filter(|q| self.level.is_empty() || q.difficulty.level().to_string() == self.level)
            .filter(|q| {
                needle.is_empty()
                    || q.id.contains(&needle)
                    || q.prompt.plain_text().to_lowercase().contains(&needle)
                    || q.tags.iter().any(|t| t.contains(&needle))
            })
            .collect()
    }

    fn save(&mut self) {
        if let Err(e) = store::save(&self.progress) {
            self.message = Some(format!("Your progress could not be saved: {e}."));
        }
    }

    fn start_mock(&mut self, ctx: &Context<Self>) {
        let pool = self.filtered();
        let pool = if pool.is_empty() {
            bank().questions().iter().collect()
        } else {
            pool
        };
        let i = ((js_sys::Math::random() * pool.len() as f64) as usize)
            .min(pool.len().saturating_sub(1));
        let Some(q) = pool.get(i).copied() else {
            return;
        };
        let link = ctx.link().clone();
        self.mock = Some(Mock {
            q,
            started_ms: dom::now_ms(),
            elapsed_s: 0,
            revealed: false,
            ticks: vec![false; RUBRIC.len()],
            saved: false,
            _timer: Some(Interval::new(1000, move || link.send_message(Msg::Tick))),
        });
    }
}

impl Component for Study {
    type Message = Msg;
    type Properties = StudyProps;

    fn create(ctx: &Context<Self>) -> Self {
        dom::set_title("Study mode — dsviz");
        let (progress, message) = store::load();
        let route = &ctx.props().route;
        let mode = match route.get("mode") {
            Some("review") => Mode::Review,
            Some("dashboard") => Mode::Dashboard,
            Some("mock") => Mode::Mock,
            _ => Mode::Browse,
        };
        let concept = route
            .get("concept")
            .filter(|c| bank().concept(c).is_some())
            .unwrap_or("")
            .to_string();
        Study {
            progress,
            message,
            mode,
            concept,
            tag: String::new(),
            level: String::new(),
            search: String::new(),
            queue: Vec::new(),
            at: 0,
            revealed: false,
            mock: None,
            today: dom::today(),
        }
    }

    fn update(&mut self, ctx: &Context<Self>, msg: Msg) -> bool {
        match msg {
            Msg::Mode(m) => {
                self.mode = m;
                if m == Mode::Mock && self.mock.is_none() {
                    self.start_mock(ctx);
                }
            }
            Msg::Concept(c) => self.concept = c,
            Msg::Tag(t) => self.tag = t,
            Msg::Level(l) => self.level = l,
            Msg::Search(s) => self.search = s,
            Msg::StartReview => {
                let ids: Vec<&'static str> =
                    self.filtered().iter().map(|q| q.id.as_str()).collect();
                self.queue = self.progress.queue(ids, self.today, SESSION);
                self.at = 0;
                self.revealed = false;
                self.mode = Mode::Review;
            }
            Msg::Reveal => self.revealed = true,
            Msg::Rate(r) => {
                if let Some(id) = self.queue.get(self.at) {
                    self.progress.review(id, r, self.today);
                    self.save();
                    self.at += 1;
                    self.revealed = false;
                }
            }
            Msg::NewMock => self.start_mock(ctx),
            Msg::Tick => {
                let Some(m) = self.mock.as_mut() else {
                    return false;
                };
                m.elapsed_s = ((dom::now_ms() - m.started_ms) / 1000.0) as u32;
                if m.revealed || m.elapsed_s >= MOCK_SECONDS {
                    m._timer = None;
                }
            }
            Msg::MockReveal => {
                if let Some(m) = self.mock.as_mut() {
                    m.revealed = true;
                    m._timer = None;
                }
            }
            Msg::Rubric(i) => {
                if let Some(t) = self.mock.as_mut().and_then(|m| m.ticks.get_mut(i)) {
                    *t = !*t;
                }
            }
            Msg::SaveMock => {
                let Some(m) = self.mock.as_mut() else {
                    return false;
                };
                let score = m.ticks.iter().filter(|t| **t).count() as u8;
                let rec = MockRecord {
                    question: m.q.id.clone(),
                    day: self.today,
                    score,
                    of: RUBRIC.len() as u8,
                    seconds: m.elapsed_s,
                };
                m.saved = true;
                self.progress.record_mock(rec);
                self.save();
            }
            Msg::Export => {
                if let Err(e) = dom::download("dsviz-progress.json", &self.progress.to_json()) {
                    self.message = Some(format!("Could not export: {e}."));
                }
            }
            Msg::ImportFile(file) => {
                let link = ctx.link().clone();
                let promise = file.text();
                wasm_bindgen_futures::spawn_local(async move {
                    let text = wasm_bindgen_futures::JsFuture::from(promise).await;
                    let text = text
                        .ok()
                        .and_then(|v| v.as_string())
                        .ok_or_else(|| "the file could not be read".to_string());
                    link.send_message(Msg::Imported(text));
                });
                return false;
            }
            Msg::Imported(text) => match text.and_then(|t| Progress::from_json(&t)) {
                Ok(p) => {
                    self.progress = p;
                    self.save();
                    self.message = Some(format!(
                        "Imported progress for {} questions.",
                        self.progress.cards.len()
                    ));
                }
                Err(e) => {
                    self.message = Some(format!(
                        "Could not import that file: {e}. Your progress was not changed."
                    ))
                }
            },
            Msg::Navigate(q) => {
                ctx.props().navigate.emit(q);
                return false;
            }
            Msg::Dismiss => self.message = None,
        }
        true
    }

    fn view(&self, ctx: &Context<Self>) -> Html {
        let link = ctx.link();
        let modes = [
            (Mode::Browse, "Browse"),
            (Mode::Review, "Review"),
            (Mode::Dashboard, "Progress"),
            (Mode::Mock, "Mock interview"),
        ];
        let body = match self.mode {
            Mode::Browse => self.browse(ctx),
            Mode::Review => self.review(ctx),
            Mode::Dashboard => self.dashboard(ctx),
            Mode::Mock => self.mock_view(ctx),
        };
        let on_file = link.batch_callback(|e: Event| {
            let input: web_sys::HtmlInputElement = e.target_unchecked_into();
            let file = input.files().and_then(|f| f.get(0));
            input.set_value("");
            file.map(Msg::ImportFile)
        });
        html! {
            <>
                <header class="site-header">
                    <a class="brand" href="./" onclick={link.callback(|e: MouseEvent| { e.prevent_default(); Msg::Navigate("?".into()) })}>
                        {icons::logo()}<span>{"dsviz"}</span>
                    </a>
                    <nav class="crumbs" aria-label="Breadcrumb"><span aria-hidden="true">{"/"}</span><h1>{"Study"}</h1></nav>
                </header>
                <main id="main" class="study">
                    if let Some(m) = &self.message {
                        <div class="banner warn" role="alert"><span>{m}</span><button class="linklike" onclick={link.callback(|_| Msg::Dismiss)}>{"Dismiss"}</button></div>
                    }
                    <div class="study-top">
                        <div class="seg" role="tablist" aria-label="Study modes">
                            { for modes.iter().map(|(m, label)| {
                                let m = *m;
                                html!{ <button role="tab" aria-selected={(self.mode == m).to_string()} class={classes!((self.mode == m).then_some("active"))}
                                    onclick={link.callback(move |_| if m == Mode::Review { Msg::StartReview } else { Msg::Mode(m) })}>{*label}</button> }
                            }) }
                        </div>
                        <div class="io">
                            <button onclick={link.callback(|_| Msg::Export)}>{"Export progress"}</button>
                            <label class="file-btn">
                                {"Import progress"}
                                <input type="file" accept=".json,application/json" aria-label="Import progress" onchange={on_file} />
                            </label>
                        </div>
                    </div>
                    {self.filters(ctx)}
                    {body}
                </main>
            </>
        }
    }
}

impl Study {
    fn filters(&self, ctx: &Context<Self>) -> Html {
        if self.mode == Mode::Dashboard {
            return html! {};
        }
        let link = ctx.link();
        let sel = |f: fn(String) -> Msg| {
            link.callback(move |e: Event| {
                f(e.target_unchecked_into::<web_sys::HtmlSelectElement>()
                    .value())
            })
        };
        let tags = bank().tags();
        html! {
            <div class="filters" role="search">
                <label class="field"><span>{"Concept"}</span>
                    <select aria-label="Concept" onchange={sel(Msg::Concept)}>
                        <option value="" selected={self.concept.is_empty()}>{format!("All ({})", bank().questions().len())}</option>
                        { for bank().concepts().iter().map(|c| html!{
                            <option value={c.id.clone()} selected={self.concept == c.id}>{format!("{} ({})", c.title, bank().by_concept(&c.id).count())}</option>
                        }) }
                    </select>
                </label>
                <label class="field"><span>{"Tag"}</span>
                    <select aria-label="Tag" onchange={sel(Msg::Tag)}>
                        <option value="" selected={self.tag.is_empty()}>{"Any"}</option>
                        { for tags.iter().map(|(t, n)| html!{ <option value={t.to_string()} selected={self.tag == *t}>{format!("{t} ({n})")}</option> }) }
                    </select>
                </label>
                <label class="field"><span>{"Level"}</span>
                    <select aria-label="Level" onchange={sel(Msg::Level)}>
                        <option value="" selected={self.level.is_empty()}>{"Any"}</option>
                        { for (1..=5u8).map(|l| html!{ <option value={l.to_string()} selected={self.level == l.to_string()}>{crate::content::Difficulty::new(l).map(|d| d.label()).unwrap_or("")}</option> }) }
                    </select>
                </label>
                <label class="field grow"><span>{"Search"}</span>
                    <input type="search" placeholder="quorum, fencing, jitter…" aria-label="Search questions" value={self.search.clone()}
                        oninput={link.callback(|e: InputEvent| Msg::Search(e.target_unchecked_into::<web_sys::HtmlInputElement>().value()))} />
                </label>
            </div>
        }
    }

    fn browse(&self, ctx: &Context<Self>) -> Html {
        let qs = self.filtered();
        let nav = ctx.link().callback(Msg::Navigate);
        html! {
            <section aria-label="Questions">
                <p class="muted">{format!("{} question{} match.", qs.len(), if qs.len() == 1 { "" } else { "s" })}</p>
                <div class="questions">
                    { for qs.iter().map(|q| html!{ <QuestionCard q={*q} navigate={nav.clone()} /> }) }
                </div>
            </section>
        }
    }

    fn review(&self, ctx: &Context<Self>) -> Html {
        let link = ctx.link();
        let Some(id) = self.queue.get(self.at) else {
            return html! {
                <section class="review-done">
                    <h2>{ if self.queue.is_empty() { "Nothing is due." } else { "Session done." } }</h2>
                    <p>{format!("You reviewed {} card{}. Cards come back when they are due: tomorrow after “Again”, weeks later after “Easy”.", self.at, if self.at == 1 { "" } else { "s" })}</p>
                    <button class="primary" onclick={link.callback(|_| Msg::StartReview)}>{"Start another session"}</button>
                </section>
            };
        };
        let Some(q) = bank().question(id) else {
            return html! {};
        };
        let standing = self.progress.standing(id, self.today);
        let rate = |r: Rating| link.callback(move |_| Msg::Rate(r));
        html! {
            <section class="review" aria-label="Review">
                <p class="muted">{format!("Card {} of {} · {}", self.at + 1, self.queue.len(), match standing { Standing::New => "new", Standing::Due => "due", Standing::Learning => "learning", Standing::Mastered => "mastered" })}</p>
                <div class="flash">
                    <div class="q-prompt">{render(&q.prompt)}</div>
                    if self.revealed {
                        <div class="q-answer">
                            <h4>{"Strong answer"}</h4>
                            <div class="strong">{render(&q.strong)}</div>
                            <h4>{"Why the usual answer falls short"}</h4>
                            <div class="weak-why">{render(&q.weak_why)}</div>
                        </div>
                        <div class="rate" role="group" aria-label="How well did you recall it?">
                            <button onclick={rate(Rating::Again)}>{"Again"}<small>{"forgot"}</small></button>
                            <button onclick={rate(Rating::Hard)}>{"Hard"}<small>{"with effort"}</small></button>
                            <button onclick={rate(Rating::Good)}>{"Good"}<small>{"recalled"}</small></button>
                            <button onclick={rate(Rating::Easy)}>{"Easy"}<small>{"instantly"}</small></button>
                        </div>
                    } else {
                        <p class="muted">{"Answer out loud or on paper first, then reveal and rate yourself honestly."}</p>
                        <button class="primary" onclick={link.callback(|_| Msg::Reveal)}>{"Reveal answer"}</button>
                    }
                </div>
            </section>
        }
    }

    fn dashboard(&self, ctx: &Context<Self>) -> Html {
        let link = ctx.link();
        let rows = bank().concepts().iter().map(|c| {
            let ids = bank().by_concept(&c.id).map(|q| q.id.as_str());
            let t = self.progress.tally(ids, self.today);
            let pct = |n: u32| if t.total == 0 { 0.0 } else { n as f64 / t.total as f64 * 100.0 };
            let id = c.id.clone();
            html! {
                <tr>
                    <th scope="row">
                        <button class="linklike" onclick={link.callback(move |_| Msg::Concept(id.clone()))}>{&c.title}</button>
                    </th>
                    <td class="bar-cell">
                        <div class="bar" role="img" aria-label={format!("{} mastered, {} learning, {} due, {} new of {}", t.mastered, t.learning, t.due, t.new, t.total)}>
                            <span class="m" style={format!("width:{:.1}%", pct(t.mastered))} />
                            <span class="l" style={format!("width:{:.1}%", pct(t.learning))} />
                            <span class="d" style={format!("width:{:.1}%", pct(t.due))} />
                        </div>
                    </td>
                    <td class="num">{t.mastered}</td><td class="num">{t.learning}</td><td class="num">{t.due}</td><td class="num">{t.new}</td>
                </tr>
            }
        });
        let predictions = self
            .progress
            .predictions
            .values()
            .fold((0, 0), |(r, w), p| (r + p.right, w + p.wrong));
        let mocks = &self.progress.mocks;
        let mock_avg = if mocks.is_empty() {
            None
        } else {
            Some(
                mocks
                    .iter()
                    .map(|m| m.score as f64 / m.of.max(1) as f64)
                    .sum::<f64>()
                    / mocks.len() as f64
                    * 100.0,
            )
        };
        html! {
            <section aria-label="Progress">
                <div class="stats">
                    <div><b>{self.progress.cards.len()}</b><span>{"cards reviewed"}</span></div>
                    <div><b>{format!("{} / {}", predictions.0, predictions.0 + predictions.1)}</b><span>{"predictions right"}</span></div>
                    <div><b>{mocks.len()}</b><span>{"mock interviews"}</span></div>
                    <div><b>{mock_avg.map(|a| format!("{a:.0} %")).unwrap_or_else(|| "—".into())}</b><span>{"average rubric score"}</span></div>
                </div>
                <div class="table-scroll">
                    <table class="dash">
                        <thead><tr><th>{"Concept"}</th><th>{""}</th><th>{"mastered"}</th><th>{"learning"}</th><th>{"due"}</th><th>{"new"}</th></tr></thead>
                        <tbody>{for rows}</tbody>
                    </table>
                </div>
            </section>
        }
    }

    fn mock_view(&self, ctx: &Context<Self>) -> Html {
        let link = ctx.link();
        let Some(m) = &self.mock else {
            return html! { <button class="primary" onclick={link.callback(|_| Msg::NewMock)}>{"Start a mock interview"}</button> };
        };
        let left = MOCK_SECONDS.saturating_sub(m.elapsed_s);
        let nav = link.callback(Msg::Navigate);
        html! {
            <section class="mock" aria-label="Mock interview">
                <div class="mock-bar">
                    <span class={classes!("timer", (left == 0).then_some("over"))} role="timer" aria-live="off">
                        {format!("{}:{:02}", left / 60, left % 60)}
                    </span>
                    <span class="muted">{"Answer as you would in the room: mechanism, trade-off, failure mode, numbers."}</span>
                    <button onclick={link.callback(|_| Msg::NewMock)}>{"Another question"}</button>
                </div>
                <div class="flash">
                    <div class="q-prompt">{render(&m.q.prompt)}</div>
                    if !m.revealed {
                        <button class="primary" onclick={link.callback(|_| Msg::MockReveal)}>{"I'm done: reveal"}</button>
                    } else {
                        <QuestionCard q={m.q} navigate={nav} open={true} />
                        <fieldset class="rubric">
                            <legend>{"Grade yourself"}</legend>
                            { for RUBRIC.iter().enumerate().map(|(i, r)| html!{
                                <label><input type="checkbox" checked={m.ticks[i]} onchange={link.callback(move |_| Msg::Rubric(i))} />{*r}</label>
                            }) }
                        </fieldset>
                        <button class="primary" disabled={m.saved} onclick={link.callback(|_| Msg::SaveMock)}>
                            { if m.saved { "Saved".to_string() } else { format!("Save score ({}/{})", m.ticks.iter().filter(|t| **t).count(), RUBRIC.len()) } }
                        </button>
                    }
                </div>
            </section>
        }
    }
}
