//! The Clocks lab's Logs tab: ShiViz logs in and out. A log (a file, a
//! paste, or this run's own export) is read with ShiViz's kind of regex,
//! drawn in the space-time diagram, and every event whose vector clock
//! contradicts causality is listed and ringed. A log that cannot be read
//! gets a message naming its line, and what was shown before stays.

use super::{Action, Page};
use crate::components::spacetime::{SpaceTime, WINDOW};
use crate::dom;
use crate::lab::shell::Msg;
use dsviz_sim::shiviz::{self, Execution, SHIVIZ_DEFAULT_PARSER};
use dsviz_sim::spacetime::Trace;
use std::rc::Rc;
use yew::html::Scope;
use yew::prelude::*;

/// Largest file read (ShiViz logs are text; the reader's own limit).
const FILE_BYTES_MAX: usize = shiviz::LOG_BYTES_MAX;

/// One log read in: its executions, each drawn, and where the view is.
pub struct Loaded {
    pub name: String,
    pub executions: Vec<Execution>,
    /// Per execution: its trace and, per dot, the execution's event index.
    pub drawn: Vec<(Rc<Trace>, Rc<Vec<usize>>)>,
    pub pick: usize,
    /// The first event drawn.
    pub first: usize,
}

/// The tab's state: the form, the last error, and the log shown.
pub struct Logs {
    pub parser: String,
    pub delimiter: String,
    pub paste: String,
    pub error: Option<String>,
    pub loaded: Option<Loaded>,
}

impl Default for Logs {
    fn default() -> Logs {
        Logs {
            parser: SHIVIZ_DEFAULT_PARSER.into(),
            delimiter: String::new(),
            paste: String::new(),
            error: None,
            loaded: None,
        }
    }
}

/// What the tab asks of the page.
pub enum LogAction {
    Parser(String),
    Delimiter(String),
    Paste(String),
    ReadPaste,
    File(web_sys::File),
    FileText(String, Result<String, String>),
    /// Reads this run's own export back, as a file would be.
    OwnRun,
    Pick(usize),
    Page(usize),
    /// Draws from just before event `i` of the picked execution (by log index).
    ShowEvent(usize),
    Close,
    DefaultParser,
}

/// Whether a file starts with ShiViz's upload header (a parser line, then
/// a delimiter line) rather than with the log itself.
fn has_header(text: &str) -> bool {
    text.lines()
        .next()
        .is_some_and(|l| l.contains("(?<host>") || l.contains("(?<clock>"))
}

impl Logs {
    /// Reads `text` as the log `name`; on failure the error says why and
    /// where, and the log shown before stays.
    pub fn load(&mut self, name: &str, text: &str) {
        let (parser, delimiter, log, first_line) = match shiviz::read_upload(text) {
            Some(up) if has_header(text) => (
                up.parser,
                up.delimiter.unwrap_or_default(),
                up.log,
                up.log_line,
            ),
            _ => (self.parser.clone(), self.delimiter.clone(), text, 1),
        };
        match crate::logs::read(log, first_line, &parser, &delimiter) {
            Ok(executions) => {
                if first_line > 1 {
                    // The file's own header: the form shows what it was read with.
                    self.parser = parser;
                    self.delimiter = delimiter;
                }
                let drawn = executions
                    .iter()
                    .map(|x| {
                        let (t, order) = shiviz::trace_of(x);
                        (Rc::new(t), Rc::new(order))
                    })
                    .collect();
                self.loaded = Some(Loaded {
                    name: name.to_string(),
                    executions,
                    drawn,
                    pick: 0,
                    first: 0,
                });
                self.error = None;
            }
            Err(e) => {
                let kept = if self.loaded.is_some() {
                    "The log shown before is still here."
                } else {
                    "Nothing was loaded."
                };
                self.error = Some(format!("Could not read {name}: {e}. {kept}"));
            }
        }
    }
}

pub fn update(page: &mut Page, ctx: &Context<Page>, a: LogAction) -> bool {
    let logs = &mut page.state.logs;
    match a {
        LogAction::Parser(p) => {
            logs.parser = p;
            false
        }
        LogAction::Delimiter(d) => {
            logs.delimiter = d;
            false
        }
        LogAction::Paste(t) => {
            logs.paste = t;
            false
        }
        LogAction::DefaultParser => {
            logs.parser = SHIVIZ_DEFAULT_PARSER.into();
            logs.delimiter.clear();
            true
        }
        LogAction::ReadPaste => {
            if logs.paste.trim().is_empty() {
                logs.error = Some("The paste box is empty: paste a log first.".into());
            } else {
                let text = logs.paste.clone();
                logs.load("the pasted log", &text);
            }
            true
        }
        LogAction::File(f) => {
            let link = ctx.link().clone();
            dom::read_file(
                f,
                FILE_BYTES_MAX,
                Callback::from(move |(name, text)| {
                    link.send_message(Msg::Lab(Action::Log(LogAction::FileText(name, text))))
                }),
            );
            false
        }
        LogAction::FileText(name, text) => {
            match text {
                Ok(t) => logs.load(&name, &t),
                Err(e) => {
                    logs.error = Some(format!("Could not read {name}: {e}. Nothing changed."))
                }
            }
            true
        }
        LogAction::OwnRun => {
            let step = page.run.tl.cursor();
            match page.run.shiviz() {
                Ok(x) => page
                    .state
                    .logs
                    .load(&format!("this run at step {step}"), &x.upload()),
                Err(e) => page.state.logs.error = Some(format!("Could not write the run: {e}.")),
            }
            true
        }
        LogAction::Pick(i) => {
            if let Some(l) = &mut logs.loaded {
                if i < l.executions.len() {
                    l.pick = i;
                    l.first = 0;
                }
            }
            true
        }
        LogAction::Page(f) => {
            if let Some(l) = &mut logs.loaded {
                l.first = f;
            }
            true
        }
        LogAction::ShowEvent(i) => {
            if let Some(l) = &mut logs.loaded {
                if let Some((_, order)) = l.drawn.get(l.pick) {
                    if let Some(k) = order.iter().position(|&e| e == i) {
                        l.first = k.saturating_sub(4);
                    }
                }
            }
            true
        }
        LogAction::Close => {
            logs.loaded = None;
            logs.error = None;
            true
        }
    }
}

/// A clock as a short label: `P1:2 P2:1`, at most four entries.
fn clock_text(c: &shiviz::Clock) -> String {
    let mut parts: Vec<String> = c.iter().take(4).map(|(h, n)| format!("{h}:{n}")).collect();
    if c.len() > 4 {
        parts.push("…".into());
    }
    parts.join(" ")
}

fn loaded_view(l: &Loaded, link: &Scope<Page>) -> Html {
    let Some(x) = l.executions.get(l.pick) else {
        return Html::default();
    };
    let (t, order) = &l.drawn[l.pick];
    let n = t.events.len();
    let first = l.first.min(n.saturating_sub(1));
    let last = (first + WINDOW).min(n);
    let texts: Vec<(usize, String)> = (first..last)
        .map(|k| {
            let e = &x.events[order[k]];
            (
                k,
                format!(
                    "{} (line {})",
                    shiviz::clean_description(&e.description),
                    e.line
                ),
            )
        })
        .collect();
    let stamps: Vec<String> = order
        .iter()
        .map(|&i| clock_text(&x.events[i].clock))
        .collect();
    let flagged: Vec<usize> = x
        .inconsistent
        .iter()
        .filter_map(|b| order.iter().position(|&i| i == b.event))
        .collect();
    let picker = (l.executions.len() > 1).then(|| {
        let opts = l.executions.iter().enumerate().map(|(i, e)| {
            let name = if e.trace.is_empty() { format!("execution {}", i + 1) } else { e.trace.clone() };
            html! { <option value={i.to_string()} selected={i == l.pick}>{format!("{name} (line {})", e.line)}</option> }
        });
        html! {
            <label>{"Execution"}
                <select onchange={link.batch_callback(|e: Event| {
                    let s: web_sys::HtmlSelectElement = e.target_unchecked_into();
                    s.value().parse().ok().map(|i| Msg::Lab(Action::Log(LogAction::Pick(i))))
                })}>{for opts}</select>
            </label>
        }
    });
    let bad = x.inconsistent.iter().take(50).map(|b| {
        let ev = b.event;
        html! {
            <li>
                <strong>{format!("Line {}, {}: ", b.line, b.host)}</strong>{b.reason.clone()}{" "}
                <button class="linklike" onclick={link.callback(move |_| Msg::Lab(Action::Log(LogAction::ShowEvent(ev))))}>{"Show"}</button>
            </li>
        }
    });
    let more_bad = x.inconsistent.len().saturating_sub(50);
    let prev = first.saturating_sub(WINDOW);
    let next = last.min(n.saturating_sub(1));
    html! {
        <div class="log-loaded">
            <div class="row">
                <h4>{format!("{}: {} hosts, {} events, {} messages", l.name, x.hosts.len(), x.events.len(), x.messages.len())}</h4>
                <button class="small" onclick={link.callback(|_| Msg::Lab(Action::Log(LogAction::Close)))}>{"Close the log"}</button>
            </div>
            {for picker}
            if x.inconsistent.is_empty() {
                <p class="pill ok">{"Every vector clock is consistent with causality."}</p>
            } else {
                <div class="log-bad">
                    <p class="pill split">{format!("{} event{} whose clock contradicts causality (ringed in red)", x.inconsistent.len(), if x.inconsistent.len() == 1 { "" } else { "s" })}</p>
                    <ul>{for bad}</ul>
                    if more_bad > 0 { <p class="muted small">{format!("and {more_bad} more")}</p> }
                </div>
            }
            <div class="pager" role="group" aria-label="Events drawn">
                <button disabled={first == 0} onclick={link.callback(move |_| Msg::Lab(Action::Log(LogAction::Page(prev))))}>{"◀ Earlier"}</button>
                <span class="muted small">{format!("Events {}–{} of {n}", first + 1, last)}</span>
                <button disabled={last >= n} onclick={link.callback(move |_| Msg::Lab(Action::Log(LogAction::Page(next))))}>{"Later ▶"}</button>
            </div>
            <SpaceTime trace={t.clone()} texts={Rc::new(texts)} stamps={Some(Rc::new(stamps))} first={Some(first)} flagged={Rc::new(flagged)}
                on_seek={Callback::from(|_: u64| ())} />
        </div>
    }
}

/// The Logs tab.
pub fn view(page: &Page, link: &Scope<Page>) -> Html {
    let logs = &page.state.logs;
    let on_file = link.batch_callback(|e: Event| {
        let input: web_sys::HtmlInputElement = e.target_unchecked_into();
        let file = input.files().and_then(|f| f.get(0));
        input.set_value("");
        file.map(|f| Msg::Lab(Action::Log(LogAction::File(f))))
    });
    html! {
        <section class="card log-panel" aria-label="ShiViz logs">
            <div>
                <h3>{"Logs in and out"}</h3>
                <p class="muted">{"ShiViz logs: each event names its host, its vector clock and what happened. Write this run as one (ShiViz's own upload reads the file as it is), or read a log from your own system and see its causality drawn, with every clock that contradicts it."}</p>
                <div class="row">
                    <button class="primary" onclick={link.callback(|_| Msg::ExportLog)}>{"Download this run as a ShiViz log"}</button>
                    <button onclick={link.callback(|_| Msg::Lab(Action::Log(LogAction::OwnRun)))}>{"Open this run here as a log"}</button>
                </div>
            </div>
            if let Some(e) = &logs.error {
                <p class="log-error" role="alert">{e.clone()}</p>
            }
            if let Some(l) = &logs.loaded {
                {loaded_view(l, link)}
            }
            <details class="log-form" open={logs.loaded.is_none() || logs.error.is_some()}>
                <summary><h4>{if logs.loaded.is_some() { "Read another log" } else { "Read a log" }}</h4></summary>
                <div class="row">
                    <label class="file-btn">{"Choose a file…"}
                        <input type="file" accept=".log,.txt,text/plain" onchange={on_file} aria-label="Choose a log file" />
                    </label>
                    <span class="muted small">{"or paste one below. A file that starts with its parser and delimiter lines (ShiViz's upload format) is read with those."}</span>
                </div>
                <label>{"Log"}
                    <textarea aria-label="Paste a log" placeholder={"starting up\nalpha {\"alpha\":1}"} value={logs.paste.clone()}
                        oninput={link.callback(|e: InputEvent| Msg::Lab(Action::Log(LogAction::Paste(dom::input_value(&e)))))} />
                </label>
                <label>{"Parser: a regular expression with the named groups host, clock and event"}
                    <input type="text" spellcheck="false" value={logs.parser.clone()} aria-label="Parser regex"
                        oninput={link.callback(|e: InputEvent| Msg::Lab(Action::Log(LogAction::Parser(dom::input_value(&e)))))} />
                </label>
                <label>{"Delimiter (optional): splits the log into executions; a (?<trace>…) group names each"}
                    <input type="text" spellcheck="false" value={logs.delimiter.clone()} aria-label="Delimiter regex"
                        oninput={link.callback(|e: InputEvent| Msg::Lab(Action::Log(LogAction::Delimiter(dom::input_value(&e)))))} />
                </label>
                <div class="row">
                    <button onclick={link.callback(|_| Msg::Lab(Action::Log(LogAction::ReadPaste)))}>{"Read the pasted log"}</button>
                    <button onclick={link.callback(|_| Msg::Lab(Action::Log(LogAction::DefaultParser)))}>{"ShiViz's default parser"}</button>
                </div>
            </details>
        </section>
    }
}
