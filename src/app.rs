//! The home page: the catalog of labs with a live Raft run, and the way
//! to study mode. It links to each lab's own page; an old link to the
//! single-page app (`app.html?lab=…`, `index.html?page=study`) is
//! forwarded to the page that now shows it.

use crate::catalog::CATALOG;
use crate::components::icons;
use crate::dom;
use crate::route::{build_query, href, Page, Route};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct HomeProps {
    pub warnings: Vec<String>,
    pub navigate: Callback<String>,
}

/// Build-time counts of the question bank (see build.rs).
pub mod bank_counts {
    include!(concat!(env!("OUT_DIR"), "/bank_counts.rs"));
}

#[function_component(Home)]
pub fn home(props: &HomeProps) -> Html {
    let cards = CATALOG.iter().map(|lab| {
        let query = build_query(&[("lab", lab.id.to_string())]);
        let href = href(&query);
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
                <a class="brand" href="./">{icons::logo()}<span>{"dsviz"}</span></a>
                <nav class="top-nav" aria-label="Main"><a href={href("?page=study")} onclick={study_click.clone()}>{"Study"}</a></nav>
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
                        <a class="button primary" href={href("?page=study")} onclick={study_click}>{"Open study mode"}</a>
                    </div>
                </section>
            </main>
            <footer class="site-footer">
                <p>{"dsviz runs entirely in your browser: no server, no tracking. Simulations are written in Rust and compiled to WebAssembly."}</p>
            </footer>
        </>
    }
}

/// The home page (`index.html`, and `app.html` for older links): the
/// catalog and the live hero only, so a first visit downloads a small
/// bundle. A link naming a lab or study mode is forwarded to that page.
#[function_component(LightHome)]
pub fn light_home() -> Html {
    let search = dom::location_search();
    let route = Route::parse(&search);
    let forward = route.page != Page::Home;
    {
        let search = search.clone();
        use_effect_with(forward, move |forward| {
            if *forward {
                dom::go_instead(&href(&search));
            }
        });
    }
    let navigate = Callback::from(|query: String| dom::go(&href(&query)));
    if forward {
        return html! { <main id="main" class="home"><p class="muted">{"Opening…"}</p></main> };
    }
    dom::set_title("dsviz — distributed systems, live");
    html! {
        <>
            <a class="skip-link" href="#main">{"Skip to content"}</a>
            <Home warnings={route.warnings} {navigate} />
        </>
    }
}
