//! Learner progress: a Leitner spaced-repetition schedule per question,
//! prediction results, mock-interview records. Stored in localStorage as
//! versioned JSON; anything unreadable is reset with a message, never a
//! crash. Days are whole days since the Unix epoch, passed in by the
//! caller, so every rule here is a pure function and testable natively.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The storage format's version. Bump it when the format changes, and
/// teach [`Progress::from_json`] to read the old one.
pub const SCHEMA: u32 = 1;
/// The localStorage key.
pub const STORAGE_KEY: &str = "dsviz.progress";
/// Largest progress file accepted on import.
pub const MAX_IMPORT_BYTES: usize = 2 * 1024 * 1024;
/// Mock interviews remembered.
pub const MAX_MOCKS: usize = 200;
/// Leitner boxes: a card moves up a box when recalled well.
pub const BOXES: u8 = 5;
/// Days until a card in box `b` (1-based) is due again.
pub const INTERVAL_DAYS: [u32; BOXES as usize] = [1, 3, 7, 16, 35];

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Rating {
    /// Could not answer: back to box 1, due tomorrow.
    Again,
    /// Answered with effort: same box, due sooner than its interval.
    Hard,
    /// Answered: up one box.
    Good,
    /// Answered at once: up two boxes.
    Easy,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Card {
    /// 1..=BOXES.
    #[serde(rename = "box")]
    pub box_no: u8,
    pub due_day: u32,
    pub reviews: u32,
    pub lapses: u32,
    pub last_day: u32,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PredictionRecord {
    pub right: u32,
    pub wrong: u32,
    pub last_right: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MockRecord {
    pub question: String,
    pub day: u32,
    /// Rubric points ticked, out of `of`.
    pub score: u8,
    pub of: u8,
    pub seconds: u32,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Progress {
    pub schema: u32,
    #[serde(default)]
    pub cards: BTreeMap<String, Card>,
    #[serde(default)]
    pub predictions: BTreeMap<String, PredictionRecord>,
    #[serde(default)]
    pub mocks: Vec<MockRecord>,
}

impl Default for Progress {
    fn default() -> Self {
        Progress {
            schema: SCHEMA,
            cards: BTreeMap::new(),
            predictions: BTreeMap::new(),
            mocks: Vec::new(),
        }
    }
}

/// How a card stands today.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Standing {
    New,
    Due,
    Learning,
    Mastered,
}

/// Per-concept counts for the dashboard.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Tally {
    pub total: u32,
    pub new: u32,
    pub due: u32,
    pub learning: u32,
    pub mastered: u32,
}

impl Card {
    fn first(today: u32) -> Card {
        Card {
            box_no: 1,
            due_day: today,
            reviews: 0,
            lapses: 0,
            last_day: today,
        }
    }
}

impl Progress {
    /// Records a self-rating and schedules the card's next review.
    pub fn review(&mut self, id: &str, rating: Rating, today: u32) -> &Card {
        let card = self
            .cards
            .entry(id.to_string())
            .or_insert_with(|| Card::first(today));
        let b = card.box_no.clamp(1, BOXES);
        let (next_box, days) = match rating {
            Rating::Again => (1, 1),
            Rating::Hard => (b, INTERVAL_DAYS[b as usize - 1].div_ceil(2)),
            Rating::Good => (
                (b + 1).min(BOXES),
                INTERVAL_DAYS[(b + 1).min(BOXES) as usize - 1],
            ),
            Rating::Easy => (
                (b + 2).min(BOXES),
                INTERVAL_DAYS[(b + 2).min(BOXES) as usize - 1],
            ),
        };
        if rating == Rating::Again && card.reviews > 0 {
            card.lapses += 1;
        }
        card.box_no = next_box;
        card.due_day = today.saturating_add(days);
        card.reviews += 1;
        card.last_day = today;
        card
    }

    pub fn standing(&self, id: &str, today: u32) -> Standing {
        match self.cards.get(id) {
            None => Standing::New,
            Some(c) if c.due_day <= today => Standing::Due,
            Some(c) if c.box_no >= 4 => Standing::Mastered,
            Some(_) => Standing::Learning,
        }
    }

    /// The review queue for `ids`: due cards first (most overdue first,
    /// then lowest box), then new cards in the given order, at most `limit`.
    pub fn queue<'a>(
        &self,
        ids: impl IntoIterator<Item = &'a str>,
        today: u32,
        limit: usize,
    ) -> Vec<&'a str> {
        let mut due: Vec<(u32, u8, &'a str)> = Vec::new();
        let mut new: Vec<&'a str> = Vec::new();
        for id in ids {
            match self.cards.get(id) {
                None => new.push(id),
                Some(c) if c.due_day <= today => due.push((c.due_day, c.box_no, id)),
                Some(_) => {}
            }
        }
        dsviz_sim::sort::sort(&mut due);
        due.into_iter()
            .map(|(_, _, id)| id)
            .chain(new)
            .take(limit)
            .collect()
    }

    pub fn tally<'a>(&self, ids: impl IntoIterator<Item = &'a str>, today: u32) -> Tally {
        let mut t = Tally::default();
        for id in ids {
            t.total += 1;
            match self.standing(id, today) {
                Standing::New => t.new += 1,
                Standing::Due => t.due += 1,
                Standing::Learning => t.learning += 1,
                Standing::Mastered => t.mastered += 1,
            }
        }
        t
    }

    pub fn record_prediction(&mut self, id: &str, right: bool) {
        let r = self
            .predictions
            .entry(id.to_string())
            .or_insert(PredictionRecord {
                right: 0,
                wrong: 0,
                last_right: right,
            });
        if right {
            r.right += 1;
        } else {
            r.wrong += 1;
        }
        r.last_right = right;
    }

    pub fn record_mock(&mut self, m: MockRecord) {
        if self.mocks.len() >= MAX_MOCKS {
            self.mocks.remove(0);
        }
        self.mocks.push(m);
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_else(|_| "{}".into())
    }

    /// Reads stored or imported progress. Errors say what is wrong in a
    /// sentence a learner can act on.
    pub fn from_json(text: &str) -> Result<Progress, String> {
        if text.len() > MAX_IMPORT_BYTES {
            return Err(format!(
                "the file is {} KB; progress files are at most {} KB",
                text.len() / 1024,
                MAX_IMPORT_BYTES / 1024
            ));
        }
        let value: serde_json::Value = serde_json::from_str(text).map_err(|e| {
            let (l, c) = (e.line(), e.column());
            match e.classify() {
                serde_json::error::Category::Eof => {
                    format!("it is not valid JSON: it ends too soon (line {l})")
                }
                _ => format!(
                    "it is not valid JSON: line {l}, column {c} is not what JSON allows there"
                ),
            }
        })?;
        match value.get("schema").and_then(|s| s.as_u64()) {
            Some(v) if v == SCHEMA as u64 => {}
            Some(v) => return Err(format!("it was written by a different version of dsviz (format {v}, this one reads {SCHEMA})")),
            None => return Err("it has no \"schema\" field, so it is not a dsviz progress file".into()),
        }
        let mut p: Progress = serde_json::from_value(value)
            .map_err(|e| format!("it has an unexpected shape ({e})"))?;
        for c in p.cards.values_mut() {
            c.box_no = c.box_no.clamp(1, BOXES);
        }
        if p.mocks.len() > MAX_MOCKS {
            let excess = p.mocks.len() - MAX_MOCKS;
            p.mocks.drain(..excess);
        }
        Ok(p)
    }

    /// Reads what localStorage held: nothing gives a fresh start quietly;
    /// anything unreadable gives a fresh start and a message.
    pub fn load_stored(stored: Option<&str>) -> (Progress, Option<String>) {
        match stored {
            None => (Progress::default(), None),
            Some(text) => match Progress::from_json(text) {
                Ok(p) => (p, None),
                Err(why) => (
                    Progress::default(),
                    Some(format!("Your saved study progress could not be read: {why}. It has been reset, so you start fresh.")),
                ),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn leitner_moves_cards_between_boxes() {
        let mut p = Progress::default();
        assert_eq!(
            p.review("q", Rating::Good, 100).clone(),
            Card {
                box_no: 2,
                due_day: 103,
                reviews: 1,
                lapses: 0,
                last_day: 100
            }
        );
        assert_eq!(p.review("q", Rating::Easy, 103).box_no, 4);
        assert_eq!(p.cards["q"].due_day, 103 + 16);
        assert_eq!(
            p.review("q", Rating::Hard, 119).clone(),
            Card {
                box_no: 4,
                due_day: 127,
                reviews: 3,
                lapses: 0,
                last_day: 119
            }
        );
        let c = p.review("q", Rating::Again, 127).clone();
        assert_eq!((c.box_no, c.due_day, c.lapses), (1, 128, 1));
        assert_eq!(p.review("q", Rating::Easy, 128).box_no, 3);
        for _ in 0..5 {
            p.review("q", Rating::Easy, 200);
        }
        assert_eq!(p.cards["q"].box_no, BOXES, "never beyond the last box");
    }

    #[test]
    fn queue_puts_overdue_first_then_new() {
        let mut p = Progress::default();
        p.review("a", Rating::Good, 10); // due 13
        p.review("b", Rating::Again, 10); // due 11
        p.review("c", Rating::Easy, 10); // due 17
        let ids = ["a", "b", "c", "d", "e"];
        assert_eq!(p.queue(ids, 12, 10), vec!["b", "d", "e"]);
        assert_eq!(p.queue(ids, 20, 10), vec!["b", "a", "c", "d", "e"]);
        assert_eq!(p.queue(ids, 20, 2), vec!["b", "a"]);
        let t = p.tally(ids, 12);
        assert_eq!(
            t,
            Tally {
                total: 5,
                new: 2,
                due: 1,
                learning: 2,
                mastered: 0
            }
        );
    }

    #[test]
    fn json_round_trips() {
        let mut p = Progress::default();
        p.review("raft-election", Rating::Good, 5);
        p.record_prediction("raft-next-leader", true);
        p.record_prediction("raft-next-leader", false);
        p.record_mock(MockRecord {
            question: "cap-c".into(),
            day: 5,
            score: 3,
            of: 5,
            seconds: 240,
        });
        assert_eq!(Progress::from_json(&p.to_json()), Ok(p));
    }

    #[test]
    fn corrupt_or_foreign_data_resets_with_a_message() {
        let cases = [
            (
                "{not json",
                "not valid JSON: line 1, column 2 is not what JSON allows there",
            ),
            (
                "{\"schema\": 1,",
                "not valid JSON: it ends too soon (line 1)",
            ),
            ("[]", "no \"schema\" field"),
            (r#"{"schema": 99}"#, "format 99"),
            (
                r#"{"schema": 1, "cards": {"q": {"box": "two"}}}"#,
                "unexpected shape",
            ),
            (r#"{"schema": 1, "cards": 5}"#, "unexpected shape"),
        ];
        for (text, expect) in cases {
            let (p, msg) = Progress::load_stored(Some(text));
            assert_eq!(p, Progress::default());
            let msg = msg.unwrap_or_default();
            assert!(
                msg.contains(expect) && msg.contains("reset"),
                "{text}: {msg}"
            );
        }
        assert_eq!(Progress::load_stored(None), (Progress::default(), None));
        let (p, msg) = Progress::load_stored(Some(
            r#"{"schema":1,"cards":{"q":{"box":9,"due_day":1,"reviews":1,"lapses":0,"last_day":1}}}"#,
        ));
        assert_eq!(
            (p.cards["q"].box_no, msg),
            (BOXES, None),
            "out-of-range boxes are clamped"
        );
        assert!(Progress::from_json(&" ".repeat(MAX_IMPORT_BYTES + 1))
            .unwrap_err()
            .contains("at most"));
    }
}
