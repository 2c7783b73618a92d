//! The app shell: reads the route from the address bar, follows the
//! browser's back and forward buttons, and shows the home page or a lab.

use crate::catalog::CATALOG;
use crate::components::icons;
use crate::dom;
use crate::lab::raft::RaftUi;
use crate::lab::register::{CapUi, QuorumUi};
use crate::lab::shell::LabPage;
use crate::pages::study::Study;
use crate::route::{build_query, Page, Route};
use gloo::events::EventListener;
use yew::prelude::*;

#[function_component(App)]
pub fn app() -> Html {
    let route = use_state(|| Route::parse(&dom::location_search()));
    // Bumped on every navigation so a lab rebuilds from its new link.
    let nav_id = use_state(|| 0u32);
    {
        let route = route.clone();
        let nav_id = nav_id.clone();
        use_effect_with((), move |_| {
            let listener = dom::window().map(|w| {
                EventListener::new(&w, "popstate", move |_| {
                    route.set(Route::parse(&dom::location_search()));
                    nav_id.set(*nav_id + 1);
                })
            });
            move || drop(listener)
        });
    }
    let navigate = {
        let route = route.clone();
        let nav_id = nav_id.clone();
        Callback::from(move |query: String| {
            dom::push_query(&query);
            route.set(Route::parse(&query));
            nav_id.set(*nav_id + 1);
            if let Some(w) = dom::window() {
                w.scroll_to_with_x_and_y(0.0, 0.0);
            }
        })
    };
    let body = match &route.page {
        Page::Home => {
            dom::set_title("dsviz — distributed systems, live");
            html! { <Home warnings={route.warnings.clone()} navigate={navigate.clone()} /> }
        }
        Page::Lab { lab } if lab == "raft" => {
            html! { <LabPage<RaftUi> key={*nav_id} route={(*route).clone()} navigate={navigate.clone()} /> }
        }
        Page::Lab { lab } if lab == "cap" => {
            html! { <LabPage<CapUi> key={format!("{lab}-{}", *nav_id)} route={(*route).clone()} navigate={navigate.clone()} /> }
        }
        Page::Lab { lab } if lab == "quorum" => {
            html! { <LabPage<QuorumUi> key={format!("{lab}-{}", *nav_id)} route={(*route).clone()} navigate={navigate.clone()} /> }
        }
        Page::Lab { .. } => html! { <Home warnings={vec!["That lab does not exist.".to_string()]} navigate={navigate.clone()} /> },
        Page::Study => html! { <Study key={*nav_id} route={(*route).clone()} navigate={navigate.clone()} /> },
    };
    html! {
        <>
            <a class="skip-link" href="#main">{"Skip to content"}</a>
            {body}
        </>
    }
}

#[derive(Properties, PartialEq)]
pub struct HomeProps {
    pub warnings: Vec<String>,
    pub navigate: Callback<String>,
    /// The page that holds the labs: "" when this page does (the full
    /// app), "app.html" on the light home page.
    #[prop_or_default]
    pub app_page: AttrValue,
}

/// Build-time counts of the question bank (see build.rs).
pub mod bank_counts {
    include!(concat!(env!("OUT_DIR"), "/bank_counts.rs"));
}

#[function_component(Home)]
pub fn home(props: &HomeProps) -> Html {
    let app_page = props.app_page.to_string();
    let cards = CATALOG.iter().map(|lab| {
        let query = build_query(&[("lab", lab.id.to_string())]);
        let href = format!("{app_page}{query}");
        let onclick = {
            let navigate = props.navigate.clone();
            Callback::from(move |e: MouseEvent| {
                if e.ctrl_key() || e.meta_key() || e.shift_key() || e.button() != 0 {
                    return;
                }
                e.prevent_default();
                navigate.emit(query.clone());
            })
        };
        html! {
            <li class="lab-card">
                <div class="lab-card-art" aria-hidden="true">{crate::components::lab_art::art(lab.id)}</div>
                <div class="lab-card-body">
                    <h2><a href={href} {onclick} class="stretched">{lab.title}</a></h2>
                    <p class="tagline">{lab.tagline}</p>
                    <p>{lab.blurb}</p>
                    <ul class="chips" aria-label="Topics">
                        { for lab.topics.iter().map(|t| html!{ <li>{*t}</li> }) }
                    </ul>
                    <p class="paper">{"Reproduces: "}{lab.paper}</p>
                </div>
            </li>
        }
    });
    let study_click = {
        let navigate = props.navigate.clone();
        Callback::from(move |e: MouseEvent| {
            e.prevent_default();
            navigate.emit("?page=study".into());
        })
    };
    html! {
        <>
            <header class="site-header">
                <a class="brand" href="?">{icons::logo()}<span>{"dsviz"}</span></a>
                <nav class="top-nav" aria-label="Main"><a href={format!("{app_page}?page=study")} onclick={study_click.clone()}>{"Study"}</a></nav>
            </header>
            <main id="main" class="home">
                { for props.warnings.iter().map(|w| html!{ <div class="banner warn" role="alert">{w}</div> }) }
                <section class="hero">
                    <div class="hero-text">
                    <h1>{"Distributed systems, running in front of you."}</h1>
                    <p class="lede">
                        {"Every lab is a live, seeded simulation: step it forward and back, crash nodes, cut the network, \
                          and watch named safety invariants hold — or break at the exact step you broke them. \
                          The same link replays the same run, so you can share exactly what you saw."}
                    </p>
                    <ul class="hero-points">
                        <li><strong>{"Deterministic."}</strong>{" One seed, one run, on every machine."}</li>
                        <li><strong>{"Breakable."}</strong>{" Crash, partition, drop, delay — at any step."}</li>
                        <li><strong>{"Checked."}</strong>{" Invariants run after every event."}</li>
                    </ul>
                    </div>
                    <crate::components::hero::Hero />
                </section>
                <section aria-labelledby="labs-heading">
                    <h2 id="labs-heading" class="section-title">{"Labs"}</h2>
                    <ul class="lab-grid">{ for cards }</ul>
                </section>
                <section aria-labelledby="study-heading" class="study-promo">
                    <h2 id="study-heading" class="section-title">{"Interview preparation"}</h2>
                    <div class="promo-card">
                        <div>
                            <h3>{format!("{} questions, {} concepts", bank_counts::QUESTIONS, bank_counts::CONCEPTS)}</h3>
                            <p>{"Staff-level prompts with strong answers, the usual weak answer and why it falls short, and follow-ups. Where a lab can show the answer, one click opens the exact step; predictions are graded by running the simulation. Spaced repetition and timed mock interviews keep you honest."}</p>
                        </div>
                        <a class="button primary" href={format!("{app_page}?page=study")} onclick={study_click}>{"Open study mode"}</a>
                    </div>
                </section>
            </main>
            <footer class="site-footer">
                <p>{"dsviz runs entirely in your browser: no server, no tracking. Simulations are written in Rust and compiled to WebAssembly."}</p>
            </footer>
        </>
    }
}

/// The light home page (`index.html` in a release build): the catalog and
/// the live hero only, so a first visit downloads a small bundle. Links go
/// to `app.html`, which holds the labs and study mode; an old-style link
/// (`index.html?lab=…`) is forwarded there.
#[function_component(LightHome)]
pub fn light_home() -> Html {
    let search = dom::location_search();
    let forward = Route::parse(&search).page != Page::Home;
    {
        let search = search.clone();
        use_effect_with(forward, move |forward| {
            if *forward {
                if let Some(w) = dom::window() {
                    let _ = w.location().replace(&format!("app.html{search}"));
                }
            }
        });
    }
    let navigate = Callback::from(|query: String| {
        if let Some(w) = dom::window() {
            let _ = w.location().assign(&format!("app.html{query}"));
        }
    });
    if forward {
        return html! { <main id="main" class="home"><p class="muted">{"Opening the lab…"}</p></main> };
    }
    dom::set_title("dsviz — distributed systems, live");
    let warnings = Route::parse(&search).warnings;
    html! {
        <>
            <a class="skip-link" href="#main">{"Skip to content"}</a>
            <Home {warnings} {navigate} app_page="app.html" />
        </>
    }
}
