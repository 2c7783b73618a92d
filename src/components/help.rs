//! The keyboard shortcut overlay.

use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct HelpProps {
    /// (keys, what they do), in the order shown.
    pub shortcuts: Vec<(String, String)>,
    pub on_close: Callback<()>,
}

#[function_component(Help)]
pub fn help(p: &HelpProps) -> Html {
    let close = {
        let cb = p.on_close.clone();
        Callback::from(move |_: MouseEvent| cb.emit(()))
    };
    let stop = Callback::from(|e: MouseEvent| e.stop_propagation());
    html! {
        <div class="overlay" onclick={close.clone()}>
            <div class="dialog" role="dialog" aria-modal="true" aria-labelledby="help-title" onclick={stop}>
                <h2 id="help-title">{"Keyboard shortcuts"}</h2>
                <table class="keys">
                    { for p.shortcuts.iter().map(|(k, what)| html!{ <tr><td><kbd>{k}</kbd></td><td>{what}</td></tr> }) }
                </table>
                <button class="primary" onclick={close} autofocus=true>{"Close"}</button>
            </div>
        </div>
    }
}
