//! The site's pages, one bundle each: the light home page, a page per
//! lab, and study mode. Each page's binary mounts one of the components
//! here, so a first visit downloads only that page's code and question
//! text. A link to another page is a page load (`raft.html?lab=raft&…`);
//! a link that reached the wrong page (an old `app.html?lab=…`) is
//! forwarded to the right one.

pub mod study;

use crate::components::icons;
use crate::dom;
use crate::lab::shell::{LabPage, LabUi};
use crate::route::{href, Page, Route};
use dsviz_sim::labs::Lab;
use gloo::events::EventListener;
use yew::prelude::*;

/// Opens `query` on the page that shows it.
fn open(query: String) {
    dom::go(&href(&query));
}

/// What a page shows while it forwards a link to another page.
fn forwarding() -> Html {
    html! { <main id="main" class="home"><p class="muted">{"Opening…"}</p></main> }
}

/// A lab's page: its shell, or a forward if the link names another page.
#[function_component(LabApp)]
pub fn lab_app<U: LabUi>() -> Html {
    let search = dom::location_search();
    let route = Route::parse(&search);
    let mine = match &route.page {
        Page::Lab { lab } => lab == U::Lab::info().id,
        // `raft.html` with no `lab=` is the Raft lab.
        Page::Home => route.get("lab").is_none() && route.get("page").is_none(),
        Page::Study => false,
    };
    {
        let search = search.clone();
        use_effect_with(mine, move |mine| {
            if !*mine {
                dom::go_instead(&href(&search));
            }
        });
    }
    if !mine {
        return forwarding();
    }
    let navigate = Callback::from(open);
    html! {
        <>
            <a class="skip-link" href="#main">{"Skip to content"}</a>
            <LabPage<U> {route} {navigate} />
        </>
    }
}

/// Study mode: its own queries stay on the page (with history entries);
/// links to labs or home load those pages.
#[function_component(StudyApp)]
pub fn study_app() -> Html {
    let route = use_state(|| Route::parse(&dom::location_search()));
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
    if route.page != Page::Study {
        let search = dom::location_search();
        dom::go_instead(&href(&search));
        return forwarding();
    }
    let navigate = {
        let route = route.clone();
        let nav_id = nav_id.clone();
        Callback::from(move |query: String| {
            let next = Route::parse(&query);
            if next.page != Page::Study {
                return open(query);
            }
            dom::push_query(&query);
            route.set(next);
            nav_id.set(*nav_id + 1);
            if let Some(w) = dom::window() {
                w.scroll_to_with_x_and_y(0.0, 0.0);
            }
        })
    };
    html! {
        <>
            <a class="skip-link" href="#main">{"Skip to content"}</a>
            <study::Study key={*nav_id} route={(*route).clone()} {navigate} />
        </>
    }
}

/// The site header of pages that are not labs: the brand and the way to
/// study mode.
pub fn site_header() -> Html {
    html! {
        <header class="site-header">
            <a class="brand" href="./">{icons::logo()}<span>{"dsviz"}</span></a>
            <nav class="top-nav" aria-label="Main"><a href="study.html?page=study">{"Study"}</a></nav>
        </header>
    }
}
