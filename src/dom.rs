//! The few browser calls the app makes, each failing soft: a missing
//! window or a refused clipboard is reported, never a panic.

pub fn window() -> Option<web_sys::Window> {
    web_sys::window()
}

/// The current query string, e.g. `?lab=raft&seed=3`.
pub fn location_search() -> String {
    window().and_then(|w| w.location().search().ok()).unwrap_or_default()
}

/// The page's address without its query, so links work under any sub-path.
pub fn location_base() -> String {
    window().and_then(|w| w.location().pathname().ok()).unwrap_or_else(|| "/".into())
}

pub fn full_url(query: &str) -> String {
    let origin = window().and_then(|w| w.location().origin().ok()).unwrap_or_default();
    format!("{origin}{}{query}", location_base())
}

/// Replaces the address bar's query without a reload or a history entry.
pub fn replace_query(query: &str) {
    if let Some(h) = window().and_then(|w| w.history().ok()) {
        let _ = h.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&format!("{}{query}", location_base())));
    }
}

/// Navigates within the app, adding a history entry.
pub fn push_query(query: &str) {
    if let Some(h) = window().and_then(|w| w.history().ok()) {
        let _ = h.push_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&format!("{}{query}", location_base())));
    }
}

pub fn now_ms() -> f64 {
    window().and_then(|w| w.performance()).map(|p| p.now()).unwrap_or(0.0)
}

pub fn set_title(title: &str) {
    if let Some(d) = window().and_then(|w| w.document()) {
        d.set_title(title);
    }
}

/// Copies text to the clipboard; `done` learns whether it worked.
pub fn copy_text(text: String, done: yew::Callback<bool>) {
    let Some(w) = window() else {
        done.emit(false);
        return;
    };
    let promise = w.navigator().clipboard().write_text(&text);
    wasm_bindgen_futures::spawn_local(async move {
        let ok = wasm_bindgen_futures::JsFuture::from(promise).await.is_ok();
        done.emit(ok);
    });
}

/// A random seed for "new seed" buttons: the UI may use entropy, the simulation never does.
pub fn random_seed() -> u64 {
    (js_sys::Math::random() * 1_000_000.0) as u64
}
