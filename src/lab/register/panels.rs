//! The CAP and Quorum labs' menus and side-panel tabs: scenario, events,
//! invariants, settings, PACELC, questions, and the prediction card.

use super::*;

impl<L: RegLab> RegisterLab<L> {
    pub(super) fn menu_view(&self, ctx: &Context<Self>) -> Html {
        let link = ctx.link();
        let w = self.world();
        let reg = &w.proto;
        let Some(menu) = self.menu else { return html! {} };
        let (title, anchor, items): (String, NodeId, Html) = match menu {
            Menu::Node(id) if reg.is_replica(id) => {
                let Some(r) = w.nodes.get(id.idx()).and_then(RegNode::replica) else { return html! {} };
                let up = w.is_up(id);
                let name = reg.name(id);
                let isolated = w.net.groups().iter().any(|g| g.len() == 1 && g[0] == id);
                let skew = r.skew_ms;
                let ops_here = (0..reg.config.n_clients).map(|c| {
                    let busy = self.client_busy(c);
                    html! {
                        <span class="menu-pair">
                            <button disabled={busy} onclick={link.callback(move |_| Msg::ClientOp { c, write: false, via: Some(id) })}>{format!("C{} reads via {name}", c + 1)}</button>
                            <button disabled={busy} onclick={link.callback(move |_| Msg::ClientOp { c, write: true, via: Some(id) })}>{format!("C{} writes via {name}", c + 1)}</button>
                        </span>
                    }
                });
                let items = html! {
                    <>
                        if up {
                            <button onclick={link.callback(move |_| Msg::Inject(Input::Crash(Who::Id(id))))}>{format!("Crash {name}")}</button>
                        } else {
                            <button onclick={link.callback(move |_| Msg::Inject(Input::Restart(Who::Id(id))))}>{format!("Restart {name}")}</button>
                        }
                        if isolated {
                            <button onclick={link.callback(|_| Msg::Inject(Input::Heal))}>{"Heal network"}</button>
                        } else {
                            <button onclick={link.callback(move |_| Msg::Inject(Input::Isolate(Who::Id(id))))}>{format!("Isolate {name}")}</button>
                        }
                        <span class="menu-pair">
                            <button onclick={link.callback(move |_| Msg::Inject(Input::Command(Who::Id(id), Cmd::Skew { ms: skew + 500 })))}>{"Clock +500 ms"}</button>
                            <button onclick={link.callback(move |_| Msg::Inject(Input::Command(Who::Id(id), Cmd::Skew { ms: skew - 500 })))}>{"Clock −500 ms"}</button>
                        </span>
                        if skew != 0 {
                            <button onclick={link.callback(move |_| Msg::Inject(Input::Command(Who::Id(id), Cmd::Skew { ms: 0 })))}>{"Correct the clock"}</button>
                        }
                        if reg.config.mode != Mode::Cp && up {
                            <button onclick={link.callback(move |_| Msg::Inject(Input::Command(Who::Id(id), Cmd::AntiEntropy)))}>{"Run anti-entropy now"}</button>
                        }
                        if up {
                            {for ops_here}
                        }
                    </>
                };
                let vals: Vec<Value> = r.versions.iter().map(|v| v.value).collect();
                let facts = format!(
                    "{}, holds {}{}",
                    if up { "up" } else { "crashed" },
                    view::values_text(&vals),
                    if skew != 0 { format!(", clock {skew:+} ms") } else { String::new() }
                );
                (format!("{name} — {facts}"), id, items)
            }
            Menu::Node(id) => {
                let Some(c) = reg.client_of(id) else { return html! {} };
                let up = w.is_up(id);
                let busy = self.client_busy(c);
                let name = reg.name(id);
                let isolated = w.net.groups().iter().any(|g| g.len() == 1 && g[0] == id);
                let items = html! {
                    <>
                        <span class="menu-pair">
                            <button disabled={busy} onclick={link.callback(move |_| Msg::ClientOp { c, write: false, via: None })}>{format!("{name} reads")}</button>
                            <button disabled={busy} onclick={link.callback(move |_| Msg::ClientOp { c, write: true, via: None })}>{format!("{name} writes")}</button>
                        </span>
                        if up {
                            <button onclick={link.callback(move |_| Msg::Inject(Input::Crash(Who::Id(id))))}>{format!("Crash {name} (abandons its operation)")}</button>
                        } else {
                            <button onclick={link.callback(move |_| Msg::Inject(Input::Restart(Who::Id(id))))}>{format!("Restart {name}")}</button>
                        }
                        if isolated {
                            <button onclick={link.callback(|_| Msg::Inject(Input::Heal))}>{"Heal network"}</button>
                        } else {
                            <button onclick={link.callback(move |_| Msg::Inject(Input::Isolate(Who::Id(id))))}>{format!("Isolate {name}")}</button>
                        }
                    </>
                };
                let home = reg.home(c);
                (format!("{name} — sends through {} unless told otherwise", reg.name(home)), id, items)
            }
            Menu::Message(mid) => {
                let Some(m) = w.in_flight.get(&mid) else { return html! {} };
                use dsviz_sim::kernel::world::MessageKind;
                let title = format!("{} #{mid}: {} → {}", m.msg.kind(), reg.name(m.from), reg.name(m.to));
                let (from, to) = (m.from, m.to);
                let (lo, hi) = w.net.latency_range(from, to);
                let link_name = format!("{} → {}", reg.name(from), reg.name(to));
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
        let (x, y) = node_pos(reg, anchor);
        let scale = if self.compare { 50.0 } else { 100.0 };
        let offset = if self.compare && self.run.config.mode == Mode::Ap { 50.0 } else { 0.0 };
        let left = (offset + x / VIEW * scale).clamp(8.0, 80.0);
        let top = (y / VIEW * 100.0 + 9.0).clamp(5.0, 70.0);
        html! {
            <div class="menu reg-menu" role="menu" aria-label={title.clone()} style={format!("left:{left:.1}%;top:{top:.1}%")}>
                <p class="menu-title">{title}</p>
                {items}
                <button class="linklike" onclick={link.callback(|_| Msg::CloseMenu)}>{"Close"}</button>
            </div>
        }
    }

    pub(super) fn tab_view(&self, ctx: &Context<Self>) -> Html {
        match self.tab {
            Tab::Scenario => self.scenario_view(ctx),
            Tab::Events => self.events_view(ctx),
            Tab::Invariants => self.invariants_view(ctx),
            Tab::Settings => self.settings_view(ctx),
            Tab::Pacelc => self.pacelc_view(ctx),
            Tab::Pbs => {
                let c = &self.run.config;
                html! { <PbsPanel n={c.rf as u32} w={c.w as u32} r={c.r as u32} seed={self.run.seed} /> }
            }
            Tab::Questions => self.questions_view(ctx),
        }
    }

    fn scenario_view(&self, ctx: &Context<Self>) -> Html {
        let link = ctx.link();
        let on_change = link.callback(|e: Event| {
            let sel: web_sys::HtmlSelectElement = e.target_unchecked_into();
            Msg::LoadScenario(sel.value())
        });
        let sc = self.scenario();
        let pause = sc.pause_ms;
        let differs = self.run.config != sc.proto.config;
        html! {
            <div class="scenario">
                <label class="field">
                    <span>{"Scenario"}</span>
                    <select onchange={on_change} aria-label="Scenario">
                        { for L::scenarios().iter().map(|s| html!{ <option value={s.id} selected={s.id == sc.id}>{s.title}</option> }) }
                    </select>
                </label>
                <h2>{sc.title}</h2>
                <p>{sc.summary}</p>
                if differs {
                    <p class="banner warn small">{format!("You changed the scenario's settings (now {}); the story below is told for its own.", mode_label(&self.run.config))}</p>
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
                    <ul>
                        <li>{"Circles are replicas: the big number is the value they hold (∅: empty; 1|2: siblings), the small one its stamp — an ABD counter and writer (3.1) in CP, a clock reading in last-writer-wins, a version vector ⟨…⟩ with version vectors."}</li>
                        <li>{"Rounded boxes inside the ring are clients, each sending to its home replica. A halo colour marks each side of a partition."}</li>
                        <li>{"Dots are messages: violet requests, green answers (red: refused), blue reads of replicas (Get), amber stores (Put) and their acks, grey anti-entropy, teal read repair, pink hinted handoff."}</li>
                        <li>{"Rings show one operation's quorum: blue around the replicas a read heard from, orange around those that acknowledged the last write before it; ∩ marks the overlap."}</li>
                        <li>{"The history below puts every operation on its client's lane, from invoke to answer: green served, red refused, grey indeterminate, striped still waiting; ⚠ marks a stale read, an inversion or a lost write."}</li>
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
            (self.run.config.mode == Mode::Cp && !s.read_write_back).then_some("read write-back"),
            (self.run.config.mode == Mode::Cp && !s.write_query).then_some("query before write"),
        ]
        .into_iter()
        .flatten()
        .collect();
        let expect = match self.run.config.mode {
            Mode::Cp => "CP keeps all three while its safety rules are on.",
            Mode::Ap => "AP gives up the first two during a partition, and loses writes under skewed last-writer-wins.",
            Mode::Quorum => "Quorums keep them only when W + R > N and the quorums are strict; even then, unfinished writes allow inversions.",
        };
        html! {
            <div>
                if !off.is_empty() {
                    <p class="banner warn small">{format!("Safety rules switched off: {}. Expect violations.", off.join(", "))}</p>
                }
                <p class="muted">{expect}</p>
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
        let select = |field: Field| {
            link.callback(move |e: Event| {
                let el: web_sys::HtmlSelectElement = e.target_unchecked_into();
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
        let quorum = self.kind() == LabKind::Quorum;
        let cp = d.mode == Mode::Cp;
        html! {
            <form class="settings" onsubmit={link.callback(|e: SubmitEvent| { e.prevent_default(); Msg::ApplySettings })}>
                <div class="grid2">
                    <label class="field"><span>{"Replicas"}</span>
                        <select onchange={select(Field::Nodes)}>{ for (3..=7u8).map(|k| html!{ <option value={k.to_string()} selected={k == d.n_replicas}>{k}</option> }) }</select>
                    </label>
                    <label class="field"><span>{"Clients"}</span>
                        <select onchange={select(Field::Clients)}>{ for (1..=4u8).map(|k| html!{ <option value={k.to_string()} selected={k == d.n_clients}>{k}</option> }) }</select>
                    </label>
                    <label class="field"><span>{"Seed"}</span>
                        <span class="with-btn">
                            <input type="text" inputmode="numeric" value={self.draft_seed.clone()} onchange={input(Field::Seed)} />
                            <button type="button" aria-label="New random seed" onclick={link.callback(|_| Msg::NewSeed)}>{"Random"}</button>
                        </span>
                    </label>
                    <label class="field"><span>{"Operation timeout (ms)"}</span><input type="number" min="10" max="10000" value={d.op_timeout_ms.to_string()} onchange={input(Field::Timeout)} /></label>
                    <label class="field"><span>{"Latency min (ms)"}</span><input type="number" min="0" max="1000" step="0.1" value={ms(d.latency_us_min)} onchange={input(Field::LatencyMin)} /></label>
                    <label class="field"><span>{"Latency max (ms)"}</span><input type="number" min="0" max="1000" step="0.1" value={ms(d.latency_us_max)} onchange={input(Field::LatencyMax)} /></label>
                    <label class="field"><span>{"Message loss (%)"}</span><input type="number" min="0" max="50" step="1" value={format!("{}", (d.loss * 100.0).round())} onchange={input(Field::Loss)} /></label>
                    <label class="field"><span>{"Anti-entropy every (ms, 0 = off)"}</span><input type="number" min="0" max="10000" value={d.ae_ms.to_string()} onchange={input(Field::AntiEntropy)} disabled={cp} /></label>
                    <label class="field"><span>{"Workload: an operation every (ms, 0 = off)"}</span><input type="number" min="0" max="10000" value={d.auto_ms.to_string()} onchange={input(Field::Auto)} /></label>
                    <label class="field"><span>{"Workload writes (%)"}</span><input type="number" min="0" max="100" value={d.write_pct.to_string()} onchange={input(Field::WritePct)} /></label>
                    if quorum {
                        <label class="field"><span>{"Hinted handoff every (ms)"}</span><input type="number" min="10" max="10000" value={d.handoff_ms.to_string()} onchange={input(Field::Handoff)} /></label>
                    }
                    if !cp {
                        <label class="field"><span>{"Concurrent writes"}</span>
                            <select onchange={select(Field::Conflict)}>
                                <option value="lww" selected={d.conflict == Conflict::Lww}>{"Last writer wins (clock)"}</option>
                                <option value="vv" selected={d.conflict == Conflict::VersionVectors}>{"Version vectors (siblings)"}</option>
                            </select>
                        </label>
                    }
                    <label class="field wide"><span>{"Clock skew per replica (ms, comma-separated, e.g. 500,0,0,0,0)"}</span>
                        <input type="text" value={self.draft_skew.clone()} onchange={input(Field::Skew)} aria-label="Clock skew per replica" />
                    </label>
                </div>
                if cp {
                    <fieldset class="switches">
                        <legend>{"CP safety rules (ABD)"}</legend>
                        <label><input type="checkbox" checked={d.safety.read_write_back} onchange={check(Field::SafeWriteBack)} />
                            <span><b>{"Read write-back"}</b>{" — a read stores the value it returns on a majority before answering. Off: new-old inversions."}</span></label>
                        <label><input type="checkbox" checked={d.safety.write_query} onchange={check(Field::SafeWriteQuery)} />
                            <span><b>{"Query before write"}</b>{" — a write asks a majority for the highest timestamp first. Off: acknowledged writes can be lost."}</span></label>
                    </fieldset>
                }
                if quorum {
                    <fieldset class="switches">
                        <legend>{"Dynamo options"}</legend>
                        <label><input type="checkbox" checked={d.sloppy} onchange={check(Field::Sloppy)} />
                            <span><b>{"Sloppy quorum"}</b>{" — write to stand-ins with hints when preferred replicas are slow; they hand the value back later."}</span></label>
                        <label><input type="checkbox" checked={d.read_repair} onchange={check(Field::ReadRepair)} />
                            <span><b>{"Read repair"}</b>{" — send the newest version to stale replicas a read heard from."}</span></label>
                    </fieldset>
                }
                <p class="muted">{"Applying recomputes the run from the start, replaying your faults and requests at the same virtual times. Ranges: 3–7 replicas, 1–4 clients, latency up to 1 s, loss up to 50 %, intervals 10–10,000 ms, skew ±10 s."}</p>
                <div class="row">
                    <button type="submit" class="primary">{"Apply"}</button>
                    <button type="button" onclick={link.callback(|_| Msg::RevertSettings)}>{"Scenario defaults"}</button>
                </div>
            </form>
        }
    }

    fn pacelc_view(&self, ctx: &Context<Self>) -> Html {
        let link = ctx.link();
        let intro = html! {
            <div class="exp-intro">
                <h2>{"PACELC: the cost of consistency when nothing fails"}</h2>
                <p>{"CAP only speaks about partitions. PACELC adds the everyday case: Else, with no partition, a system still chooses between Latency and Consistency. CP pays two majority round trips per operation (ABD's query and store); AP answers from one replica at once, and replicates in the background — so even with a healthy network, a read elsewhere can miss a write that has already been acknowledged."}</p>
                <div class="row">
                    <button class="primary" onclick={link.callback(|_| Msg::Pacelc)}>{"Run both modes, no faults"}</button>
                    <button onclick={link.callback(|_| Msg::LoadScenario("latency-cp".into()))}>{"Scenario: CP latency"}</button>
                    <button onclick={link.callback(|_| Msg::LoadScenario("latency-ap".into()))}>{"Scenario: AP latency"}</button>
                </div>
            </div>
        };
        let Some(r) = &self.pacelc else {
            return html! { <div>{intro}<p class="muted">{"The experiment runs the current settings in CP and in AP for 4 s of virtual time with a steady workload and no fault, and compares mean latency and stale reads."}</p></div> };
        };
        let (c, a) = (r.cp.whole, r.ap.whole);
        let top = [c.mean_read_latency_us(), c.mean_write_latency_us(), a.mean_read_latency_us(), a.mean_write_latency_us()]
            .iter()
            .flatten()
            .copied()
            .max()
            .unwrap_or(1)
            .max(1) as f64;
        let bar = |label: &str, v: Option<u64>, class: &str| {
            let pct = v.map(|x| x as f64 / top * 100.0).unwrap_or(0.0);
            html! {
                <div class="lat-bar">
                    <span class="lat-label">{label.to_string()}</span>
                    <span class="lat-track"><span class={classes!("lat-fill", class.to_string())} style={format!("width:{pct:.1}%")} /></span>
                    <span class="lat-val">{v.map(|x| format!("{:.1} ms", x as f64 / 1000.0)).unwrap_or_else(|| "—".into())}</span>
                </div>
            }
        };
        let stale_pct = |s: &dsviz_sim::labs::register::SideCounters| {
            if s.reads_served == 0 {
                "—".to_string()
            } else {
                format!("{} of {} ({:.1}%)", s.stale_reads, s.reads_served, s.stale_reads as f64 / s.reads_served as f64 * 100.0)
            }
        };
        html! {
            <div>
                {intro}
                <p class="muted">{format!(
                    "{} replicas, {} clients, an operation every ~{} ms each ({} % writes), one-way latency {} ms, no partition, no loss, clocks in agreement; 4 s of virtual time, seed {}.",
                    r.config.n_replicas, r.config.n_clients, r.config.auto_ms, r.config.write_pct,
                    if r.config.latency_us_min == r.config.latency_us_max {
                        format!("{}", r.config.latency_us_min as f64 / 1000.0)
                    } else {
                        format!("{}–{}", r.config.latency_us_min as f64 / 1000.0, r.config.latency_us_max as f64 / 1000.0)
                    },
                    self.run.seed
                )}</p>
                <div class="lat-bars" aria-label="Mean latency">
                    {bar("CP read", c.mean_read_latency_us(), "cp")}
                    {bar("CP write", c.mean_write_latency_us(), "cp")}
                    {bar("AP read", a.mean_read_latency_us(), "ap")}
                    {bar("AP write", a.mean_write_latency_us(), "ap")}
                </div>
                <div class="table-scroll">
                    <table class="results">
                        <thead><tr><th>{""}</th><th>{"CP"}</th><th>{"AP"}</th></tr></thead>
                        <tbody>
                            <tr><td>{"operations served"}</td><td>{c.served()}</td><td>{a.served()}</td></tr>
                            <tr><td>{"stale reads"}</td><td>{stale_pct(&c)}</td><td>{stale_pct(&a)}</td></tr>
                            <tr><td>{"lost writes"}</td><td>{c.lost_writes}</td><td>{a.lost_writes}</td></tr>
                        </tbody>
                    </table>
                </div>
                <p class="muted">{
                    if a.stale_reads > 0 {
                        format!("The consistent choice costs latency on every operation; the fast one cost consistency here with nothing broken: {} AP reads missed a write that had already been acknowledged, because the background copy had not arrived yet. Raise the latency in Settings and run again: both gaps grow with the round trip.", a.stale_reads)
                    } else {
                        "The consistent choice costs latency on every operation. Here AP's background copies won every race, so no read was stale — but nothing guarantees it: a read that reaches a replica before the copy returns the old value. Widen the latency range or add clients in Settings and run again.".to_string()
                    }
                }</p>
            </div>
        }
    }

    pub(super) fn prediction_view(&self, ctx: &Context<Self>) -> Html {
        let Some(a) = &self.predict else { return html! {} };
        a.card(self.playing, ctx.link().callback(Msg::Answer), ctx.link().callback(|_| Msg::EndPrediction))
    }

    fn questions_view(&self, ctx: &Context<Self>) -> Html {
        let navigate = ctx.link().callback(Msg::Navigate);
        let qs = content::bank().for_lab(self.kind().id());
        let study = ctx.link().callback(|e: MouseEvent| {
            e.prevent_default();
            Msg::Navigate("?page=study".into())
        });
        html! {
            <div class="questions">
                <p class="muted">
                    { if qs.is_empty() {
                        "Interview questions on CAP, PACELC, quorums and consistency models are in ".to_string()
                    } else {
                        format!("{} interview questions this lab can show. Answers stay hidden until you ask. All questions: ", qs.len())
                    } }
                    <a href="?page=study" onclick={study}>{"study mode"}</a>{"."}
                </p>
                { for qs.into_iter().map(|q| html!{ <QuestionCard q={q} navigate={navigate.clone()} show_concept={true} /> }) }
            </div>
        }
    }
}
