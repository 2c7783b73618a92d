//! The few browser calls the app makes, each failing soft: a missing
//! window or a refused clipboard is reported, never a panic.

use wasm_bindgen::JsCast;

pub fn window() -> Option<web_sys::Window> {
    web_sys::window()
}

/// Removes the page frame the HTML shows while the wasm loads.
pub fn clear_boot() {
    if let Some(e) = window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id("boot"))
    {
        e.remove();
    }
}

/// The current query string, e.g. `?lab=raft&seed=3`.
pub fn location_search() -> String {
    window()
        .and_then(|w| w.location().search().ok())
        .unwrap_or_default()
}

/// The page's address without its query, so links work under any sub-path.
pub fn location_base() -> String {
    window()
        .and_then(|w| w.location().pathname().ok())
        .unwrap_or_else(|| "/".into())
}

pub fn full_url(query: &str) -> String {
    let origin = window()
        .and_then(|w| w.location().origin().ok())
        .unwrap_or_default();
    format!("{origin}{}{query}", location_base())
}

/// Replaces the address bar's query without a reload or a history entry.
pub fn replace_query(query: &str) {
    if let Some(h) = window().and_then(|w| w.history().ok()) {
        let _ = h.replace_state_with_url(
            &wasm_bindgen::JsValue::NULL,
            "",
            Some(&format!("{}{query}", location_base())),
        );
    }
}

/// Loads another page of the site (a relative link), adding a history entry.
pub fn go(href: &str) {
    if let Some(w) = window() {
        let _ = w.location().assign(href);
    }
}

/// Loads another page in place of this one (no history entry): for a link
/// that reached the wrong page.
pub fn go_instead(href: &str) {
    if let Some(w) = window() {
        let _ = w.location().replace(href);
    }
}

/// Navigates within the app, adding a history entry.
pub fn push_query(query: &str) {
    if let Some(h) = window().and_then(|w| w.history().ok()) {
        let _ = h.push_state_with_url(
            &wasm_bindgen::JsValue::NULL,
            "",
            Some(&format!("{}{query}", location_base())),
        );
    }
}

pub fn now_ms() -> f64 {
    window()
        .and_then(|w| w.performance())
        .map(|p| p.now())
        .unwrap_or(0.0)
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

/// Reads a localStorage entry; `None` if absent or storage is unavailable.
pub fn local_get(key: &str) -> Option<String> {
    window()
        .and_then(|w| w.local_storage().ok().flatten())
        .and_then(|s| s.get_item(key).ok().flatten())
}

/// Writes a localStorage entry; an error says why (private mode, quota).
pub fn local_set(key: &str, value: &str) -> Result<(), String> {
    let storage = window()
        .and_then(|w| w.local_storage().ok().flatten())
        .ok_or_else(|| "this browser does not allow local storage here".to_string())?;
    storage
        .set_item(key, value)
        .map_err(|_| "the browser refused to save (storage full or disabled)".to_string())
}

/// Whole days since the Unix epoch, by the learner's clock (for scheduling reviews).
pub fn today() -> u32 {
    (js_sys::Date::now() / 86_400_000.0).max(0.0) as u32
}

/// Offers `text` as a file download named `name`, through a Blob URL so
/// that large files are not limited by the length of a `data:` link.
pub fn download(name: &str, text: &str) -> Result<(), String> {
    let parts = js_sys::Array::of1(&wasm_bindgen::JsValue::from_str(text));
    let blob = web_sys::Blob::new_with_str_sequence(&parts)
        .map_err(|_| "the browser could not make the file")?;
    let url = web_sys::Url::create_object_url_with_blob(&blob)
        .map_err(|_| "the browser refused a download link")?;
    let doc = window().and_then(|w| w.document()).ok_or("no document")?;
    let a: web_sys::HtmlElement = doc
        .create_element("a")
        .map_err(|_| "cannot create a link")?
        .dyn_into()
        .map_err(|_| "not an element")?;
    a.set_attribute("href", &url).map_err(|_| "bad link")?;
    a.set_attribute("download", name).map_err(|_| "bad name")?;
    a.click();
    // The click has started the download; the URL can go once it has been read.
    gloo::timers::callback::Timeout::new(10_000, move || {
        let _ = web_sys::Url::revoke_object_url(&url);
    })
    .forget();
    Ok(())
}

/// The value of the input or textarea an input event came from, read
/// without needing web-sys's textarea type.
pub fn input_value(e: &yew::InputEvent) -> String {
    e.target()
        .and_then(|t| js_sys::Reflect::get(&t, &wasm_bindgen::JsValue::from_str("value")).ok())
        .and_then(|v| v.as_string())
        .unwrap_or_default()
}

/// Reads a picked file as text, up to `max_bytes`; `done` gets the file's
/// name and its text, or why it could not be read.
pub fn read_file(
    file: web_sys::File,
    max_bytes: usize,
    done: yew::Callback<(String, Result<String, String>)>,
) {
    let name = file.name();
    if file.size() > max_bytes as f64 {
        let mib = |b: f64| b / (1024.0 * 1024.0);
        done.emit((
            name,
            Err(format!(
                "the file is {:.1} MiB; the limit is {:.0} MiB",
                mib(file.size()),
                mib(max_bytes as f64)
            )),
        ));
        return;
    }
    let promise = file.text();
    wasm_bindgen_futures::spawn_local(async move {
        let text = match wasm_bindgen_futures::JsFuture::from(promise).await {
            Ok(v) => v
                .as_string()
                .ok_or_else(|| "the file is not text".to_string()),
            Err(_) => Err("the browser could not read the file".to_string()),
        };
        done.emit((name, text));
    });
}
