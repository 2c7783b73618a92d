//! Progress in localStorage: load once (resetting unreadable data with a
//! message), save after every change.

use super::progress::{Progress, STORAGE_KEY};
use crate::dom;

/// Loads stored progress; the message, if any, tells the learner it was reset.
pub fn load() -> (Progress, Option<String>) {
    let stored = dom::local_get(STORAGE_KEY);
    let (p, msg) = Progress::load_stored(stored.as_deref());
    if msg.is_some() {
        // Replace the unreadable data so the message shows once.
        let _ = dom::local_set(STORAGE_KEY, &p.to_json());
    }
    (p, msg)
}

pub fn save(p: &Progress) -> Result<(), String> {
    dom::local_set(STORAGE_KEY, &p.to_json())
}
