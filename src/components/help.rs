//! The keyboard shortcut overlay.

use wasm_bindgen::JsCast;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct HelpProps {
    /// (keys, what they do), in the order shown.
    pub shortcuts: Vec<(String, String)>,
    pub on_close: Callback<()>,
}

#[function_component(Help)]
pub fn help(p: &HelpProps) -> Html {
    let button = use_node_ref();
    // Focus moves into the dialog when it opens and back to where it was
    // (the ? button, say) when it closes.
    {
        let button = button.clone();
        use_effect_with((), move |_| {
            let before = crate::dom::window()
                .and_then(|w| w.document())
                .and_then(|d| d.active_element())
                .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok());
            if let Some(b) = button.cast::<web_sys::HtmlElement>() {
                let _ = b.focus();
            }
            move || {
                if let Some(e) = before {
                    let _ = e.focus();
                }
            }
        });
    }
    // The dialog's one control keeps the focus: Tab cannot leave it.
    let trap = {
        let button = button.clone();
        Callback::from(move |e: KeyboardEvent| {
            if e.key() == "Tab" {
                e.prevent_default();
                if let Some(b) = button.cast::<web_sys::HtmlElement>() {
                    let _ = b.focus();
                }
            }
        })
    };
    let close = {
        let cb = p.on_close.clone();
        Callback::from(move |_: MouseEvent| cb.emit(()))
    };
    let stop = Callback::from(|e: MouseEvent| e.stop_propagation());
    html! {
        <div class="overlay" onclick={close.clone()}>
            <div class="dialog" role="dialog" aria-modal="true" aria-labelledby="help-title" onclick={stop} onkeydown={trap}>
                <h2 id="help-title">{"Keyboard shortcuts"}</h2>
                <table class="keys">
                    { for p.shortcuts.iter().map(|(k, what)| html!{ <tr><td><kbd>{k}</kbd></td><td>{what}</td></tr> }) }
                </table>
                <button class="primary" onclick={close} ref={button}>{"Close"}</button>
            </div>
        </div>
    }
}
