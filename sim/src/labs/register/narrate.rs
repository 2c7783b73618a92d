//! One plain-English sentence per step.

use super::client::Outcome;
use super::version::{Applied, Stamp};
use super::{AnswerKind, Mode, RegNote, Register, What};
use crate::history::{OpKind, Value};
use crate::kernel::{fmt_time, NodeId};

fn list(vs: &[Value]) -> String {
    match vs {
        [] => "nothing (the register is empty)".into(),
        [v] => v.to_string(),
        _ => format!(
            "siblings {}",
            vs.iter()
                .map(|v| v.to_string())
                .collect::<Vec<_>>()
                .join(" and ")
        ),
    }
}

impl Register {
    /// A timestamp as a learner reads it: an ABD counter in CP, a clock
    /// reading under last-writer-wins.
    pub fn fmt_stamp(&self, s: Stamp) -> String {
        match self.config.mode {
            Mode::Cp => format!("({}, R{})", s.t, s.node + 1),
            _ => format!("{}@R{}", fmt_time(s.t), s.node + 1),
        }
    }

    fn applied_phrase(&self, a: Applied) -> &'static str {
        match a {
            Applied::New => "stores it",
            Applied::Sibling => "keeps it beside a concurrent version (siblings)",
            Applied::Older => "keeps the newer version it has and discards this one",
            Applied::Known => "already has it",
        }
    }

    pub fn narrate_note(&self, n: &RegNote) -> String {
        let me = self.name(n.node);
        let nm = |id: &NodeId| self.name(*id);
        let kind = |k: &OpKind| match k {
            OpKind::Write => "write",
            _ => "read",
        };
        match &n.what {
            What::Invoked { op, kind: OpKind::Write, value, via, auto } => format!(
                "{me} {}writes {} through {} (operation {}).",
                if *auto { "automatically " } else { "" },
                value.unwrap_or(0),
                nm(via),
                op + 1
            ),
            What::Invoked { op, via, auto, .. } => {
                format!("{me} {}reads through {} (operation {}).", if *auto { "automatically " } else { "" }, nm(via), op + 1)
            }
            What::Busy { pending } => {
                format!("{me} is still waiting for operation {}; a client does one operation at a time, so nothing happens.", pending + 1)
            }
            What::HistoryFull => format!("{me} has recorded {} operations, the lab's limit; it starts no more.", super::MAX_OPS),
            What::Completed { op, kind: k, outcome, values, latency_us } => {
                let t = fmt_time(*latency_us);
                match (outcome, k) {
                    (Outcome::Ok, OpKind::Write) => format!("{me}'s write (operation {}) is acknowledged after {t}.", op + 1),
                    (Outcome::Ok, _) => format!("{me}'s read (operation {}) returns {} after {t}.", op + 1, list(values)),
                    (Outcome::Unavailable, _) => format!(
                        "{me}'s {} (operation {}) is refused after {t}: unavailable. It certainly had no effect.",
                        kind(k),
                        op + 1
                    ),
                    (Outcome::Failed, _) => format!(
                        "{me}'s write (operation {}) fails after {t}, but some replicas may have stored it: it may still take effect.",
                        op + 1
                    ),
                    _ => format!("{me}'s {} (operation {}) ends after {t}.", kind(k), op + 1),
                }
            }
            What::NoAnswer { op, kind: k } => format!(
                "{me} gives up waiting for its {} (operation {}): no answer. {}",
                kind(k),
                op + 1,
                if *k == OpKind::Write { "It cannot tell whether the write took effect." } else { "" }
            )
            .trim_end()
            .to_string(),
            What::LateReply { op } => format!("{me} ignores a late answer to operation {}, which it already gave up on.", op + 1),
            What::AbdQuery { client, kind: k, value, asked, needed } => {
                let what = match (k, value) {
                    (OpKind::Write, Some(v)) => format!("write of {v}"),
                    _ => "read".into(),
                };
                format!(
                    "{me} coordinates {}'s {what}. Phase 1: it asks the other {asked} replicas for their highest timestamp (it needs {needed} answers, counting its own).",
                    nm(client)
                )
            }
            What::AbdStore { kind: OpKind::Write, value, stamp, heard, from, skipped_query: true, local } => {
                let _ = (heard, from);
                format!(
                    "{me} skips phase 1 (the safety switch is off) and stamps the write of {value} {} from its own copy alone; it {} and sends it to every replica (phase 2).",
                    self.fmt_stamp(*stamp),
                    self.applied_phrase(*local)
                )
            }
            What::AbdStore { kind: OpKind::Write, value, stamp, heard, from, local, .. } => format!(
                "{me} hears from {} ({heard} answers, a majority). Phase 2: it stamps the write of {value} {}, higher than any it heard, {} and sends it to every replica.",
                from.map(|f| nm(&f)).unwrap_or_else(|| me.clone()),
                self.fmt_stamp(*stamp),
                self.applied_phrase(*local)
            ),
            What::AbdStore { value, stamp, heard, from, .. } => format!(
                "{me} hears from {} ({heard} answers, a majority); the newest value is {value} {}. Before answering, it writes it back to a majority, so no later read can see an older value.",
                from.map(|f| nm(&f)).unwrap_or_else(|| me.clone()),
                self.fmt_stamp(*stamp)
            ),
            What::ApWrite { client, value, stamp, local, sent } => {
                let mut s = format!(
                    "{me} takes {}'s write of {value}, stamped {}; it {}, acknowledges at once and replicates it to {sent} others in the background.",
                    nm(client),
                    self.fmt_stamp(*stamp),
                    self.applied_phrase(*local)
                );
                if *local == Applied::Older {
                    s.push_str(" The client is told the write succeeded, yet it is already gone.");
                }
                s
            }
            What::ApRead { client, values } => format!("{me} answers {}'s read from its own copy: {}.", nm(client), list(values)),
            What::QuorumWrite { client, value, stamp, local, asked, needed } => {
                let head = format!("{me} coordinates {}'s write of {value}, stamped {}", nm(client), self.fmt_stamp(*stamp));
                let mine = match local {
                    Some(a) => format!("; it is one of the N replicas and {}", self.applied_phrase(*a)),
                    None => "; it is not one of the N replicas".into(),
                };
                let done = if local.is_some() && *needed == 1 { " W = 1: it acknowledges at once." } else { "" };
                format!("{head}{mine}, and sends it to {asked} more (W = {needed}).{done}")
            }
            What::QuorumRead { client, asked, local, needed } => {
                let mine = if *local { " and reads its own copy" } else { "" };
                let done = if *local && *needed == 1 { " R = 1: it answers from its own copy at once." } else { "" };
                format!("{me} coordinates {}'s read: it asks {asked} replicas{mine} (R = {needed}).{done}", nm(client))
            }
            What::Counted { from, ack, heard, needed, answered, repaired } => {
                let what = if *ack { "ack" } else { "reply" };
                let mut s = if answered.is_none() && heard > needed {
                    format!("{me} hears {}'s late {what} (the client already has its answer)", nm(from))
                } else {
                    format!("{me} counts {}'s {what} ({heard} of {needed})", nm(from))
                };
                match answered {
                    Some(AnswerKind::Written) => s.push_str(": enough, so it acknowledges the write"),
                    Some(AnswerKind::Read) => s.push_str(": enough, so it answers the read with the newest version it heard"),
                    None => {}
                }
                if answered.is_some() && !*ack && self.config.mode == Mode::Cp && !self.config.safety.read_write_back {
                    s.push_str(", without writing it back (the safety switch is off)");
                }
                if !repaired.is_empty() {
                    let rs: Vec<String> = repaired.iter().map(&nm).collect();
                    s.push_str(&format!("; read repair sends the newest version to {}", rs.join(", ")));
                }
                s.push('.');
                s
            }
            What::GaveUp { client, kind: k, heard, needed, indeterminate } => {
                if *indeterminate {
                    format!(
                        "{me} gives up on {}'s write: only {heard} of the {needed} acks it needs arrived in time. Some replicas stored it, so the write may still surface.",
                        nm(client)
                    )
                } else {
                    format!(
                        "{me} gives up on {}'s {}: it heard from only {heard} of the {needed} replicas it needs. It refuses: unavailable.",
                        nm(client),
                        kind(k)
                    )
                }
            }
            What::StandIns { kind: k, asked } => {
                let pairs: Vec<String> = asked.iter().map(|(s, t)| format!("{} for {}", nm(s), nm(t))).collect();
                match k {
                    OpKind::Write => format!(
                        "The preferred replicas are slow to answer, so {me} writes to stand-ins with hints (sloppy quorum): {}.",
                        pairs.join(", ")
                    ),
                    _ => format!("The preferred replicas are slow to answer, so {me} also asks stand-ins: {}.", pairs.join(", ")),
                }
            }
            What::Overloaded { client } => {
                format!("{me} is coordinating {} operations already, the lab's limit; it refuses {}'s request.", super::MAX_COORD, nm(client))
            }
            What::GetServed { coord, values } => format!("{me} tells {} it holds {}.", nm(coord), list(values)),
            What::PutApplied { value, applied, hint_for: Some(t), .. } => format!(
                "{me} stands in for {}: it {} {value} with a hint, to hand it back later.",
                nm(t),
                if *applied == Applied::Known { "already holds" } else { "holds" }
            ),
            What::PutApplied { coord, value, applied, ack, .. } => format!(
                "{me} receives {value} from {}: it {}{}.",
                nm(coord),
                self.applied_phrase(*applied),
                if *ack { "; it acknowledges" } else { "" }
            ),
            What::RepairApplied { from, changed: true } => format!("{me} takes the newer version {} sent by read repair.", nm(from)),
            What::RepairApplied { from, .. } => format!("{me} already has what {}'s read repair sends.", nm(from)),
            What::SyncSent { to } => format!("Anti-entropy: {me} sends its versions to {}.", nm(to)),
            What::SyncMerged { from, changed, replied } => {
                let got = if *changed { "takes what it was missing" } else { "has nothing to learn" };
                let back = if *replied { " and sends back what it has" } else { "" };
                format!("Anti-entropy: {me} merges {}'s versions: it {got}{back}.", nm(from))
            }
            What::HandoffSent { to, n } => format!(
                "{me} hands {n} hinted version{} back to {} (hinted handoff).",
                if *n == 1 { "" } else { "s" },
                to.iter().map(&nm).collect::<Vec<_>>().join(" and ")
            ),
            What::HandoffMerged { from, changed } => format!(
                "{me} receives hinted versions from {}: it {}.",
                nm(from),
                if *changed { "stores what it missed while it was unreachable" } else { "already had them" }
            ),
            What::HandoffAcked { from, n } => format!("{me} drops {n} hint{} that {} now holds.", if *n == 1 { "" } else { "s" }, nm(from)),
            What::SkewSet { ms } => format!("{me}'s clock is now {ms} ms {} true time.", if *ms < 0 { "behind" } else { "ahead of" }),
            What::Restarted { .. } if self.client_of(n.node).is_some() => format!("{me} restarts with nothing in progress."),
            What::Restarted { values, n_hints } => format!(
                "{me} restarts from disk holding {}{}; operations it was coordinating are forgotten.",
                list(values),
                if *n_hints > 0 { format!(" and {n_hints} hints") } else { String::new() }
            ),
            What::Ignored { what } => format!("{me} ignores {what}."),
        }
    }
}
