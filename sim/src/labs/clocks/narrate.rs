//! One sentence per step.

use super::event::{Event, EventKind};
use super::{us_text, ClockNote, Clocks, What};

impl Clocks {
    fn stamp_text(&self, e: &Event) -> String {
        let s = &e.stamps;
        format!(
            "wall {}, Lamport {}, vector {}, HLC ({}, {}), TT [{}, {}]",
            us_text(s.wall_us),
            s.lamport.0,
            s.vector.text(),
            s.hlc.l,
            s.hlc.c,
            us_text(s.tt.earliest_us),
            us_text(s.tt.latest_us)
        )
    }

    fn event_text(&self, e: &Event) -> String {
        let what = match &e.kind {
            EventKind::Local => "has a local event".to_string(),
            EventKind::Send { to, request } => {
                let to: Vec<String> = to.iter().map(|q| self.proc_name(*q)).collect();
                format!(
                    "{} {} to {}",
                    if *request {
                        "sends a request"
                    } else {
                        "sends a message"
                    },
                    e.id.label(),
                    to.join(", ")
                )
            }
            EventKind::Receive => {
                format!("receives {}", e.from.map(|f| f.label()).unwrap_or_default())
            }
            EventKind::Reply { to } => {
                format!("replies to {} ({})", self.proc_name(*to), e.id.label())
            }
            EventKind::Write { key, value } => format!("writes k{key} = {value} and replicates it"),
            EventKind::Apply { key, value } => {
                let fate = match &e.kv {
                    Some(kv) if kv.discarded.iter().any(|d| Some(*d) == e.from) => {
                        ", but keeps what it had"
                    }
                    Some(kv) if kv.kept.len() > 1 => ", keeping siblings",
                    _ => "",
                };
                format!(
                    "applies {}'s k{key} = {value}{fate}",
                    e.from.map(|f| f.label()).unwrap_or_default()
                )
            }
            EventKind::CommitStart { txn, s_us } => format!(
                "starts transaction T{}.{} with s = {}",
                e.id.process + 1,
                txn + 1,
                us_text(*s_us)
            ),
            EventKind::CommitAck { txn, .. } => {
                format!("acknowledges T{}.{}", e.id.process + 1, txn + 1)
            }
        };
        format!("{what} [{}]", self.stamp_text(e))
    }

    pub fn narrate_note(&self, note: &ClockNote) -> String {
        let who = self.name(note.node);
        match &note.what {
            What::Events(events) => {
                let parts: Vec<String> = events.iter().map(|e| self.event_text(e)).collect();
                format!("{who} {}.", parts.join("; then "))
            }
            What::Waiting {
                txn,
                s_us,
                earliest_us,
            } => format!(
                "{who}'s T{}.{} waits on: TT.now().earliest is {}, not yet past s = {}.",
                note.node.0 + 1,
                txn + 1,
                us_text(*earliest_us),
                us_text(*s_us)
            ),
            What::Synced { error_us, step_us } => {
                format!(
                    "{who} syncs its clock (moved by {}); it is now {} from true time.",
                    us_text(*step_us),
                    us_text(*error_us)
                )
            }
            What::Full => format!("{who}'s event log is full; it takes no more part."),
            What::Ignored(why) => format!("{who} does nothing: {why}."),
            What::Restarted { abandoned: 0 } => {
                format!("{who} restarts with its clocks and store intact.")
            }
            What::Restarted { abandoned } => {
                format!("{who} restarts with its clocks and store intact; {abandoned} transaction(s) in commit wait were lost.")
            }
        }
    }
}
