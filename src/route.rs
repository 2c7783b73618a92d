//! Where the app is, as a query string. Query routing (`?lab=raft&...`)
//! works on any static host and under any sub-path, with no server
//! rewrite rules. Every value is validated: a bad link gives a message
//! and safe defaults, never a panic.

use dsviz_sim::labs::registry::CATALOG;

/// The page the query names.
#[derive(Clone, Debug, PartialEq)]
pub enum Page {
    Home,
    /// A lab, with the query pairs it reads itself.
    Lab {
        lab: String,
    },
    /// Study mode: every question, reviews, mock interviews.
    Study,
}

/// A parsed location: the page plus every pair, and problems found.
#[derive(Clone, Debug, PartialEq)]
pub struct Route {
    pub page: Page,
    pub pairs: Vec<(String, String)>,
    pub warnings: Vec<String>,
}

/// Longest query string we read; anything longer is refused as a whole.
pub const MAX_QUERY_LEN: usize = 12 * 1024;

impl Route {
    /// Parses a query string (with or without the leading `?`).
    pub fn parse(query: &str) -> Route {
        let q = query.strip_prefix('?').unwrap_or(query);
        if q.len() > MAX_QUERY_LEN {
            return Route {
                page: Page::Home,
                pairs: vec![],
                warnings: vec![format!(
                    "The link is too long ({} characters); showing the home page.",
                    q.len()
                )],
            };
        }
        let mut pairs = Vec::new();
        for part in q.split('&').filter(|p| !p.is_empty()) {
            let (k, v) = part.split_once('=').unwrap_or((part, ""));
            pairs.push((decode(k), decode(v)));
        }
        let mut warnings = Vec::new();
        let page_param = pairs
            .iter()
            .find(|(k, _)| k == "page")
            .map(|(_, v)| v.clone());
        let page = match pairs
            .iter()
            .find(|(k, _)| k == "lab")
            .map(|(_, v)| v.as_str())
        {
            None if page_param.as_deref() == Some("study") => Page::Study,
            None if page_param.is_some() => {
                warnings.push(format!(
                    "There is no page called '{}'; here is the home page.",
                    truncate(page_param.as_deref().unwrap_or(""), 40)
                ));
                Page::Home
            }
            None => Page::Home,
            Some(lab) if CATALOG.iter().any(|l| l.id == lab) => Page::Lab {
                lab: lab.to_string(),
            },
            Some(other) => {
                warnings.push(format!(
                    "There is no lab called '{}'; here are the labs that exist.",
                    truncate(other, 40)
                ));
                Page::Home
            }
        };
        Route {
            page,
            pairs,
            warnings,
        }
    }

    pub fn get(&self, key: &str) -> Option<&str> {
        self.pairs
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }
}

/// The page file that shows `page`: every page is a sibling file of the
/// site's folder, so relative links work under any sub-path.
pub fn page_file(page: &Page) -> String {
    match page {
        Page::Home => "./".into(),
        Page::Lab { lab } => format!("{lab}.html"),
        Page::Study => "study.html".into(),
    }
}

/// A link to `query` on the page that shows it (`raft.html?lab=raft&…`).
pub fn href(query: &str) -> String {
    let page = Route::parse(query).page;
    let q = query.strip_prefix('?').unwrap_or(query);
    if q.is_empty() {
        page_file(&page)
    } else {
        format!("{}?{q}", page_file(&page))
    }
}

/// Builds a query string from pairs, percent-encoding values.
pub fn build_query(pairs: &[(&str, String)]) -> String {
    let body: Vec<String> = pairs
        .iter()
        .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
        .collect();
    format!("?{}", body.join("&"))
}

pub fn truncate(s: &str, max_chars: usize) -> String {
    if s.chars().count() <= max_chars {
        s.to_string()
    } else {
        let t: String = s.chars().take(max_chars).collect();
        format!("{t}…")
    }
}

/// Keeps what needs no escaping in a query value (including `.:,~-` used by
/// injected-event lists, so links stay readable) and escapes the rest.
fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b':' | b',' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// Percent-decoding that never fails: bad escapes are kept as text, and
/// invalid UTF-8 becomes U+FFFD.
fn decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3])
                    .ok()
                    .and_then(|h| u8::from_str_radix(h, 16).ok());
                match hex {
                    Some(v) => {
                        out.push(v);
                        i += 3;
                    }
                    None => {
                        out.push(b'%');
                        i += 1;
                    }
                }
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn home_lab_and_unknown_lab() {
        assert_eq!(Route::parse("").page, Page::Home);
        assert_eq!(
            Route::parse("?lab=raft&seed=3").page,
            Page::Lab { lab: "raft".into() }
        );
        assert_eq!(Route::parse("?page=study").page, Page::Study);
        assert_eq!(Route::parse("?page=nope").warnings.len(), 1);
        let r = Route::parse("?lab=paxos");
        assert_eq!(r.page, Page::Home);
        assert_eq!(r.warnings.len(), 1);
    }

    #[test]
    fn encoding_round_trips_and_bad_escapes_survive() {
        let q = build_query(&[
            ("inj", "12:crash.0,40:part.0-1~2-3".into()),
            ("x", "a b&c=d/é".into()),
        ]);
        let r = Route::parse(&q);
        assert_eq!(r.get("inj"), Some("12:crash.0,40:part.0-1~2-3"));
        assert_eq!(r.get("x"), Some("a b&c=d/é"));
        for bad in ["%", "%%", "%zz", "a=%e9", "=&=&", "%C3", "lab=%"] {
            let _ = Route::parse(bad);
        }
        assert_eq!(Route::parse("a=%zz%4").get("a"), Some("%zz%4"));
    }

    #[test]
    fn links_go_to_the_page_that_shows_them() {
        assert_eq!(
            href("?lab=raft&sc=split-vote&step=3"),
            "raft.html?lab=raft&sc=split-vote&step=3"
        );
        assert_eq!(href("?page=study&q=x"), "study.html?page=study&q=x");
        assert_eq!(href("?"), "./");
        assert_eq!(href(""), "./");
        assert_eq!(
            href("?lab=paxos"),
            "./?lab=paxos",
            "an unknown lab goes home, which says so"
        );
    }

    #[test]
    fn huge_queries_are_refused() {
        let r = Route::parse(&"a".repeat(MAX_QUERY_LEN + 1));
        assert_eq!(r.page, Page::Home);
        assert_eq!(r.warnings.len(), 1);
    }
}
