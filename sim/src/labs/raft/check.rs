//! The five safety properties of Raft (Figure 3), checked after every step.
//!
//! Checks are incremental: a log is compared again only when its
//! `log_version` changed, and commits are compared once per newly applied
//! index. Each distinct breach is reported once.

use super::{Entry, LogIndex, Raft, RaftNode, Role, Server, Term};
use crate::kernel::{Breach, NodeId};
use std::collections::{BTreeMap, BTreeSet};

#[derive(Clone, Debug, PartialEq)]
pub struct Committed {
    pub entry: Entry,
    /// The term of the server that first applied it.
    pub commit_term: Term,
    pub first_by: NodeId,
}

#[derive(Clone, Debug, Default)]
pub struct RaftChecker {
    /// Who was leader in each term, first seen.
    pub leaders: BTreeMap<Term, NodeId>,
    /// The entry applied at each index, first seen.
    pub committed: BTreeMap<LogIndex, Committed>,
    checked_commit: Vec<LogIndex>,
    seen_version: Vec<u64>,
    /// A leader's log as of its last check (term, length, fingerprint of
    /// the entries), to prove it only grows without keeping a copy.
    leader_logs: Vec<Option<(Term, usize, u64)>>,
    reported: BTreeSet<(&'static str, u64, u64)>,
}

impl RaftChecker {
    pub fn new(n_servers: usize) -> RaftChecker {
        RaftChecker {
            checked_commit: vec![0; n_servers],
            seen_version: vec![u64::MAX; n_servers],
            leader_logs: vec![None; n_servers],
            ..Default::default()
        }
    }

    fn report(
        &mut self,
        out: &mut Vec<Breach>,
        invariant: &'static str,
        key: (u64, u64),
        explanation: String,
    ) {
        if self.reported.insert((invariant, key.0, key.1)) {
            out.push(Breach {
                invariant,
                explanation,
            });
        }
    }

    pub fn check(&mut self, raft: &Raft, nodes: &[RaftNode], up: &[bool], out: &mut Vec<Breach>) {
        // Servers come first in `nodes`; the client is last.
        let servers = &nodes[..raft.n_servers().min(nodes.len())];
        let servers = || servers.iter().filter_map(RaftNode::server);
        let name = |id: NodeId| format!("S{}", id.0 + 1);

        // Election Safety and Leader Completeness, when a leader is first seen.
        for s in servers() {
            if s.role != Role::Leader || !up[s.id.idx()] {
                continue;
            }
            match self.leaders.get(&s.term) {
                Some(&other) if other != s.id => self.report(
                    out,
                    "Election Safety",
                    (s.term, 0),
                    format!(
                        "{} and {} are both leaders of term {}.",
                        name(other),
                        name(s.id),
                        s.term
                    ),
                ),
                Some(_) => {}
                None => {
                    self.leaders.insert(s.term, s.id);
                    self.check_completeness(s, out);
                }
            }
        }

        // Leader Append-Only.
        for s in servers() {
            let i = s.id.idx();
            if s.role != Role::Leader {
                self.leader_logs[i] = None;
                continue;
            }
            match self.leader_logs[i] {
                Some((t, old_len, old_print)) if t == s.term => {
                    if s.log_version != self.seen_version[i] {
                        let kept =
                            old_len <= s.log.len() && fingerprint(&s.log[..old_len]) == old_print;
                        if !kept {
                            self.report(
                                out,
                                "Leader Append-Only",
                                (s.id.0 as u64, s.term),
                                format!("{}, leader of term {}, lost or changed entries it already had.", name(s.id), s.term),
                            );
                        }
                        self.leader_logs[i] = Some((s.term, s.log.len(), fingerprint(&s.log)));
                    }
                }
                _ => self.leader_logs[i] = Some((s.term, s.log.len(), fingerprint(&s.log))),
            }
        }

        // Log Matching, for logs that changed.
        for a in servers() {
            if a.log_version == self.seen_version[a.id.idx()] {
                continue;
            }
            for b in servers() {
                if a.id != b.id {
                    self.check_matching(a, b, out);
                }
            }
        }
        for s in servers() {
            self.seen_version[s.id.idx()] = s.log_version;
        }

        // State Machine Safety, for newly applied indexes.
        let mut new_commits = false;
        for s in servers() {
            let i = s.id.idx();
            if s.commit < self.checked_commit[i] {
                self.checked_commit[i] = s.commit; // restarted: it will apply again
            }
            let upto = s.commit.min(s.log.len() as LogIndex);
            for idx in self.checked_commit[i] + 1..=upto {
                let e = &s.log[idx as usize - 1];
                match self.committed.get(&idx) {
                    None => {
                        self.committed.insert(
                            idx,
                            Committed {
                                entry: e.clone(),
                                commit_term: s.term,
                                first_by: s.id,
                            },
                        );
                        new_commits = true;
                    }
                    Some(c) if c.entry != *e => {
                        let msg = format!(
                            "{} applies value {} (term {}) at index {idx}, but {} already applied value {} (term {}) there.",
                            name(s.id),
                            e.value,
                            e.term,
                            name(c.first_by),
                            c.entry.value,
                            c.entry.term
                        );
                        self.report(out, "State Machine Safety", (idx, e.term), msg);
                    }
                    Some(_) => {}
                }
            }
            self.checked_commit[i] = self.checked_commit[i].max(upto);
        }
        if new_commits {
            for s in servers() {
                if s.role == Role::Leader && up[s.id.idx()] {
                    self.check_completeness(s, out);
                }
            }
        }
    }

    fn check_completeness(&mut self, leader: &Server, out: &mut Vec<Breach>) {
        let mut missing = None;
        for (idx, c) in &self.committed {
            if c.commit_term >= leader.term {
                continue;
            }
            if leader.log.get(*idx as usize - 1) != Some(&c.entry) {
                missing = Some((*idx, c.clone()));
                break;
            }
        }
        if let Some((idx, c)) = missing {
            let msg = format!(
                "S{} leads term {} without the entry at index {idx} (value {}, term {}) that S{} applied in term {}.",
                leader.id.0 + 1,
                leader.term,
                c.entry.value,
                c.entry.term,
                c.first_by.0 + 1,
                c.commit_term
            );
            self.report(out, "Leader Completeness", (leader.term, idx), msg);
        }
    }

    fn check_matching(&mut self, a: &Server, b: &Server, out: &mut Vec<Breach>) {
        let common = a.log.len().min(b.log.len());
        let Some(top) = (0..common).rev().find(|&i| a.log[i].term == b.log[i].term) else {
            return;
        };
        if let Some(i) = (0..=top).find(|&i| a.log[i] != b.log[i]) {
            let (lo, hi) = if a.id < b.id { (a, b) } else { (b, a) };
            let msg = format!(
                "S{} and S{} both have a term-{} entry at index {}, yet their logs differ at index {}.",
                lo.id.0 + 1,
                hi.id.0 + 1,
                a.log[top].term,
                top + 1,
                i + 1
            );
            self.report(
                out,
                "Log Matching",
                ((lo.id.0 as u64) << 8 | hi.id.0 as u64, i as u64 + 1),
                msg,
            );
        }
    }
}

/// A fingerprint of a log prefix: its entries' terms, values and requests.
fn fingerprint(log: &[Entry]) -> u64 {
    let mut h = crate::kernel::FNV_OFFSET;
    for e in log {
        h = crate::kernel::fnv1a(h, &e.term.to_le_bytes());
        h = crate::kernel::fnv1a(h, &e.value.to_le_bytes());
        h = crate::kernel::fnv1a(h, &e.req.unwrap_or(u32::MAX).to_le_bytes());
    }
    h
}
