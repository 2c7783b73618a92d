//! Rich text to yew `Html`. Every piece of text becomes a text node, so
//! nothing in a content file can inject markup; links get
//! `rel="noopener noreferrer"` and open web pages in a new tab, while app
//! links (`?lab=…`) stay in the tab.

use super::rich::{Block, Inline, Rich};
use yew::prelude::*;

/// Renders rich text as a fragment of `<p>`, `<ul>`, `<ol>` and `<pre>`.
pub fn render(rich: &Rich) -> Html {
    html! { <>{ for rich.blocks.iter().map(render_block) }</> }
}

/// Renders inlines without a wrapping block (for captions, list items,
/// options and other one-line places).
pub fn render_inlines(inlines: &[Inline]) -> Html {
    html! { <>{ for inlines.iter().map(render_inline) }</> }
}

/// Renders rich text that is a single paragraph without the `<p>`
/// (a caption, a prediction's question); other rich text as [`render`].
pub fn render_compact(rich: &Rich) -> Html {
    match rich.blocks.as_slice() {
        [Block::Para(inlines)] => render_inlines(inlines),
        _ => render(rich),
    }
}

fn render_block(b: &Block) -> Html {
    match b {
        Block::Para(i) => html! { <p>{ render_inlines(i) }</p> },
        Block::Bullets(items) => html! {
            <ul>{ for items.iter().map(|i| html! { <li>{ render_inlines(i) }</li> }) }</ul>
        },
        Block::Numbered { start, items } => {
            let start = start.to_string();
            html! { <ol start={start}>{ for items.iter().map(|i| html! { <li>{ render_inlines(i) }</li> }) }</ol> }
        }
        Block::Code { lang, text } => {
            let class = (!lang.is_empty()).then(|| format!("language-{lang}"));
            html! { <pre><code class={class}>{ text.clone() }</code></pre> }
        }
    }
}

fn render_inline(i: &Inline) -> Html {
    match i {
        Inline::Text(t) => html! { { t.clone() } },
        Inline::Code(t) => html! { <code>{ t.clone() }</code> },
        Inline::Emph(c) => html! { <em>{ render_inlines(c) }</em> },
        Inline::Strong(c) => html! { <strong>{ render_inlines(c) }</strong> },
        Inline::Link { href, text } => {
            let external = href.starts_with("http");
            let target = external.then_some("_blank");
            html! {
                <a href={href.clone()} target={target} rel="noopener noreferrer">{ render_inlines(text) }</a>
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::rich::parse;
    use yew::virtual_dom::VNode;

    /// A deterministic HTML-like dump of a virtual DOM, escaping text as a
    /// browser would, so tests can compare what the renderer emits.
    fn markup(node: &Html) -> String {
        let mut s = String::new();
        dump(node, &mut s);
        s
    }

    fn esc(t: &str) -> String {
        t.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
    }

    fn dump(node: &VNode, out: &mut String) {
        match node {
            VNode::VTag(t) => {
                out.push('<');
                out.push_str(t.tag());
                let mut attrs: Vec<(&str, &str)> = t.attributes.iter().collect();
                dsviz_sim::sort::sort(&mut attrs);
                for (k, v) in attrs {
                    out.push_str(&format!(" {k}=\"{}\"", esc(v)));
                }
                out.push('>');
                if let Some(c) = t.children() {
                    dump(c, out);
                }
                out.push_str(&format!("</{}>", t.tag()));
            }
            VNode::VText(t) => out.push_str(&esc(&t.text)),
            VNode::VList(l) => l.iter().for_each(|c| dump(c, out)),
            VNode::VRaw(_) => panic!("the renderer must never emit raw HTML"),
            other => panic!("unexpected node {other:?}"),
        }
    }

    #[test]
    fn content_render_blocks_and_inlines() {
        let r = parse("Hello *you* and **all**, see `x<y`.\n\n- a\n- [b](?lab=raft&sc=split-vote&step=34)\n\n2. two\n\n```rust\nlet x = 1;\n```")
            .unwrap();
        assert_eq!(
            markup(&render(&r)),
            "<p>Hello <em>you</em> and <strong>all</strong>, see <code>x&lt;y</code>.</p>\
             <ul><li>a</li><li><a href=\"?lab=raft&amp;sc=split-vote&amp;step=34\" rel=\"noopener noreferrer\">b</a></li></ul>\
             <ol start=\"2\"><li>two</li></ol>\
             <pre><code class=\"language-rust\">let x = 1;</code></pre>"
        );
    }

    #[test]
    fn content_render_script_is_text() {
        let r = parse("<script>alert(1)</script> [x](https://example.com/a?b=\"c\")");
        // A quote in a link target is refused by the parser...
        assert!(r.is_err());
        // ...and markup-looking text is a text node, escaped on output.
        let r = parse("<script>alert(1)</script> [site](https://example.com)").unwrap();
        assert_eq!(
            markup(&render(&r)),
            "<p>&lt;script&gt;alert(1)&lt;/script&gt; <a href=\"https://example.com\" rel=\"noopener noreferrer\" target=\"_blank\">site</a></p>"
        );
    }

    #[test]
    fn content_render_compact_drops_the_paragraph() {
        let r = parse("just *this*").unwrap();
        assert_eq!(markup(&render_compact(&r)), "just <em>this</em>");
        let two = parse("a\n\nb").unwrap();
        assert_eq!(markup(&render_compact(&two)), "<p>a</p><p>b</p>");
    }
}
