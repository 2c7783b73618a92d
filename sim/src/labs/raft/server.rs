//! A Raft server: one handler per input, each returning a [`RaftNote`].
//! Transitions are named (`become_follower`, `become_leader`) as in the paper.

use super::{
    Entry, LogIndex, Msg, RCtx, Raft, RaftNote, Role, Term, Timer, VoteRefusal, What, MAX_BATCH,
    MAX_LOG,
};
use crate::kernel::NodeId;

#[derive(Clone, Debug, PartialEq)]
pub struct Server {
    pub id: NodeId,
    // Persistent state (survives a crash).
    pub term: Term,
    pub voted_for: Option<NodeId>,
    pub log: Vec<Entry>,
    // Volatile state.
    pub role: Role,
    pub commit: LogIndex,
    pub votes: Vec<NodeId>,
    pub next_index: Vec<LogIndex>,
    pub match_index: Vec<LogIndex>,
    pub leader_hint: Option<NodeId>,
    /// Bumped on every change to the log, so checks can skip unchanged logs.
    pub log_version: u64,
}

impl Server {
    pub fn new(raft: &Raft, id: NodeId, ctx: &mut RCtx<'_>) -> Server {
        let n = raft.n_servers();
        let s = Server {
            id,
            term: 0,
            voted_for: None,
            log: Vec::new(),
            role: Role::Follower,
            commit: 0,
            votes: Vec::new(),
            next_index: vec![1; n],
            match_index: vec![0; n],
            leader_hint: None,
            log_version: 0,
        };
        let t = raft.election_timeout_us(ctx.rng);
        ctx.set_timer(Timer::Election, t);
        s
    }

    pub fn last_index(&self) -> LogIndex {
        self.log.len() as LogIndex
    }

    pub fn last_term(&self) -> Term {
        self.log.last().map(|e| e.term).unwrap_or(0)
    }

    pub fn term_at(&self, index: LogIndex) -> Option<Term> {
        if index == 0 {
            return Some(0);
        }
        self.log.get(index as usize - 1).map(|e| e.term)
    }

    fn note(&self, stepped_down: Option<(Role, Term)>, what: What) -> RaftNote {
        RaftNote {
            node: self.id,
            term: self.term,
            stepped_down,
            what,
        }
    }

    fn reset_election_timer(&self, raft: &Raft, ctx: &mut RCtx<'_>) {
        let t = raft.election_timeout_us(ctx.rng);
        ctx.set_timer(Timer::Election, t);
    }

    /// Adopts a higher term seen in any message (Figure 2, "Rules for Servers").
    fn observe_term(
        &mut self,
        raft: &Raft,
        ctx: &mut RCtx<'_>,
        term: Term,
    ) -> Option<(Role, Term)> {
        if term <= self.term {
            return None;
        }
        let was = self.role;
        self.term = term;
        self.voted_for = None;
        self.become_follower(raft, ctx);
        Some((was, term))
    }

    fn become_follower(&mut self, raft: &Raft, ctx: &mut RCtx<'_>) {
        if self.role == Role::Leader {
            ctx.cancel_timer(Timer::Heartbeat);
            self.reset_election_timer(raft, ctx);
        }
        self.role = Role::Follower;
        self.votes.clear();
    }

    pub fn start_election(&mut self, raft: &Raft, ctx: &mut RCtx<'_>, forced: bool) -> RaftNote {
        if self.role == Role::Leader {
            ctx.cancel_timer(Timer::Heartbeat);
        }
        self.role = Role::Candidate;
        self.term += 1;
        self.voted_for = Some(self.id);
        self.votes = vec![self.id];
        self.leader_hint = None;
        self.reset_election_timer(raft, ctx);
        let msg = Msg::RequestVote {
            term: self.term,
            last_log_index: self.last_index(),
            last_log_term: self.last_term(),
        };
        for peer in 0..raft.n_servers() {
            if peer != self.id.idx() {
                ctx.send(NodeId(peer as u8), msg.clone());
            }
        }
        self.note(
            None,
            What::ElectionStarted {
                term: self.term,
                forced,
            },
        )
    }

    fn become_leader(&mut self, raft: &Raft, ctx: &mut RCtx<'_>) {
        debug_assert_eq!(self.role, Role::Candidate);
        self.role = Role::Leader;
        self.leader_hint = Some(self.id);
        let n = raft.n_servers();
        self.next_index = vec![self.last_index() + 1; n];
        self.match_index = vec![0; n];
        self.match_index[self.id.idx()] = self.last_index();
        ctx.cancel_timer(Timer::Election);
        self.broadcast_append(raft, ctx);
    }

    /// Sends every follower the entries it is missing (or a heartbeat) and
    /// restarts the heartbeat timer.
    fn broadcast_append(&mut self, raft: &Raft, ctx: &mut RCtx<'_>) -> u8 {
        let mut n = 0;
        for peer in 0..raft.n_servers() {
            if peer != self.id.idx() {
                self.send_append(ctx, NodeId(peer as u8));
                n += 1;
            }
        }
        ctx.set_timer(Timer::Heartbeat, raft.config.heartbeat_ms * 1000);
        n
    }

    fn send_append(&self, ctx: &mut RCtx<'_>, to: NodeId) {
        let next = self.next_index[to.idx()].clamp(1, self.last_index() + 1);
        let prev_index = next - 1;
        let prev_term = self.term_at(prev_index).unwrap_or(0);
        let end = (prev_index as usize + MAX_BATCH).min(self.log.len());
        let entries = self.log[prev_index as usize..end].to_vec();
        ctx.send(
            to,
            Msg::AppendEntries {
                term: self.term,
                prev_index,
                prev_term,
                entries,
                leader_commit: self.commit,
            },
        );
    }

    pub fn on_timer(&mut self, raft: &Raft, ctx: &mut RCtx<'_>, timer: Timer) -> RaftNote {
        match timer {
            Timer::Election if self.role != Role::Leader => self.start_election(raft, ctx, false),
            Timer::Heartbeat if self.role == Role::Leader => {
                let n_sent = self.broadcast_append(raft, ctx);
                self.note(
                    None,
                    What::Heartbeat {
                        term: self.term,
                        n_sent,
                    },
                )
            }
            _ => self.note(
                None,
                What::Ignored {
                    what: "a timer left over from an earlier role",
                },
            ),
        }
    }

    pub fn on_message(
        &mut self,
        raft: &Raft,
        ctx: &mut RCtx<'_>,
        from: NodeId,
        msg: Msg,
    ) -> RaftNote {
        match msg {
            Msg::RequestVote {
                term,
                last_log_index,
                last_log_term,
            } => self.on_request_vote(raft, ctx, from, term, last_log_index, last_log_term),
            Msg::Vote { term, granted } => self.on_vote(raft, ctx, from, term, granted),
            Msg::AppendEntries {
                term,
                prev_index,
                prev_term,
                entries,
                leader_commit,
            } => self.on_append(
                raft,
                ctx,
                from,
                term,
                prev_index,
                prev_term,
                entries,
                leader_commit,
            ),
            Msg::AppendReply {
                term,
                success,
                index,
            } => self.on_append_reply(raft, ctx, from, term, success, index),
            Msg::Request { req, value } => self.on_request(raft, ctx, from, req, value),
            Msg::Reply { .. } | Msg::Redirect { .. } => self.note(
                None,
                What::Ignored {
                    what: "a message meant for the client",
                },
            ),
        }
    }

    fn on_request_vote(
        &mut self,
        raft: &Raft,
        ctx: &mut RCtx<'_>,
        candidate: NodeId,
        term: Term,
        last_log_index: LogIndex,
        last_log_term: Term,
    ) -> RaftNote {
        let down = self.observe_term(raft, ctx, term);
        let log_ok = last_log_term > self.last_term()
            || (last_log_term == self.last_term() && last_log_index >= self.last_index());
        let refusal = if term < self.term {
            Some(VoteRefusal::StaleTerm)
        } else if let Some(v) = self.voted_for.filter(|v| *v != candidate) {
            Some(VoteRefusal::AlreadyVoted(v))
        } else if raft.config.safety.up_to_date_vote && !log_ok {
            Some(VoteRefusal::LogBehind)
        } else {
            None
        };
        let granted = refusal.is_none();
        if granted {
            self.voted_for = Some(candidate);
            self.reset_election_timer(raft, ctx);
        }
        ctx.send_durable(
            candidate,
            Msg::Vote {
                term: self.term,
                granted,
            },
        );
        let what = match refusal {
            None => What::VoteGranted {
                candidate,
                term: self.term,
            },
            Some(why) => What::VoteRefused {
                candidate,
                term: self.term,
                why,
            },
        };
        self.note(down, what)
    }

    fn on_vote(
        &mut self,
        raft: &Raft,
        ctx: &mut RCtx<'_>,
        from: NodeId,
        term: Term,
        granted: bool,
    ) -> RaftNote {
        let down = self.observe_term(raft, ctx, term);
        if self.role != Role::Candidate || term != self.term {
            return self.note(
                down,
                What::Ignored {
                    what: "a vote from an election that is over",
                },
            );
        }
        if granted && !self.votes.contains(&from) {
            self.votes.push(from);
        }
        let votes = self.votes.len() as u8;
        if votes as usize >= raft.majority() {
            self.become_leader(raft, ctx);
            return self.note(
                down,
                What::BecameLeader {
                    term: self.term,
                    votes,
                },
            );
        }
        self.note(
            down,
            What::VoteCounted {
                from,
                granted,
                votes,
                needed: raft.majority() as u8,
            },
        )
    }

    #[allow(clippy::too_many_arguments)]
    fn on_append(
        &mut self,
        raft: &Raft,
        ctx: &mut RCtx<'_>,
        leader: NodeId,
        term: Term,
        prev_index: LogIndex,
        prev_term: Term,
        entries: Vec<Entry>,
        leader_commit: LogIndex,
    ) -> RaftNote {
        let down = self.observe_term(raft, ctx, term);
        if term < self.term {
            ctx.send_durable(
                leader,
                Msg::AppendReply {
                    term: self.term,
                    success: false,
                    index: prev_index,
                },
            );
            return self.note(down, What::AppendRefusedStale { leader, term });
        }
        if self.role == Role::Leader {
            // Two leaders in one term: Election Safety is already broken and recorded.
            return self.note(
                down,
                What::Ignored {
                    what: "AppendEntries from a second leader of its own term",
                },
            );
        }
        if self.role == Role::Candidate {
            self.become_follower(raft, ctx);
        }
        self.leader_hint = Some(leader);
        self.reset_election_timer(raft, ctx);
        if self.term_at(prev_index) != Some(prev_term) {
            ctx.send_durable(
                leader,
                Msg::AppendReply {
                    term: self.term,
                    success: false,
                    index: prev_index,
                },
            );
            return self.note(
                down,
                What::AppendRefusedMismatch {
                    leader,
                    prev_index,
                    prev_term,
                },
            );
        }
        let mut truncated_from = None;
        let mut n_new = 0;
        for (j, e) in entries.iter().enumerate() {
            let idx = prev_index as usize + 1 + j;
            if idx <= self.log.len() {
                if self.log[idx - 1].term == e.term {
                    continue;
                }
                self.log.truncate(idx - 1);
                truncated_from = Some(idx as LogIndex);
            }
            self.log.push(e.clone());
            n_new += 1;
        }
        if n_new > 0 {
            self.log_version += 1;
        }
        let last_new = prev_index + entries.len() as LogIndex;
        let before = self.commit;
        if leader_commit > self.commit {
            self.commit = self.commit.max(leader_commit.min(last_new));
        }
        ctx.send_durable(
            leader,
            Msg::AppendReply {
                term: self.term,
                success: true,
                index: last_new,
            },
        );
        self.note(
            down,
            What::Appended {
                leader,
                prev_index,
                n_new,
                truncated_from,
                commit: self.commit,
                commit_advanced: self.commit > before,
            },
        )
    }

    fn on_append_reply(
        &mut self,
        raft: &Raft,
        ctx: &mut RCtx<'_>,
        from: NodeId,
        term: Term,
        success: bool,
        index: LogIndex,
    ) -> RaftNote {
        let down = self.observe_term(raft, ctx, term);
        if self.role != Role::Leader || term != self.term {
            return self.note(
                down,
                What::Ignored {
                    what: "a reply to AppendEntries from an earlier term",
                },
            );
        }
        let f = from.idx();
        if !success {
            let next = self.next_index[f]
                .min(index)
                .max(self.match_index[f] + 1)
                .max(1);
            self.next_index[f] = next;
            self.send_append(ctx, from);
            return self.note(
                down,
                What::NackCounted {
                    from,
                    next_index: next,
                },
            );
        }
        let index = index.min(self.last_index());
        self.match_index[f] = self.match_index[f].max(index);
        self.next_index[f] = self.match_index[f] + 1;
        let before = self.commit;
        let earlier_term_skipped = self.advance_commit(raft, ctx);
        if self.next_index[f] <= self.last_index() {
            self.send_append(ctx, from);
        }
        self.note(
            down,
            What::AckCounted {
                from,
                match_index: self.match_index[f],
                commit: self.commit,
                commit_advanced: self.commit > before,
                earlier_term_skipped,
            },
        )
    }

    /// Commits the highest index a majority stores, if the rules allow it;
    /// answers the client for newly committed entries. Returns whether an
    /// index was stored by a majority but held back by the current-term rule.
    fn advance_commit(&mut self, raft: &Raft, ctx: &mut RCtx<'_>) -> bool {
        let mut held_back = false;
        let old = self.commit;
        for n in (old + 1..=self.last_index()).rev() {
            let count = self.match_index.iter().filter(|&&m| m >= n).count();
            if count < raft.majority() {
                continue;
            }
            if raft.config.safety.current_term_commit && self.term_at(n) != Some(self.term) {
                held_back = true;
                continue;
            }
            self.commit = n;
            held_back = false;
            break;
        }
        for i in old + 1..=self.commit {
            if let Some(req) = self.log[i as usize - 1].req {
                ctx.send(raft.client_id(), Msg::Reply { req, index: i });
            }
        }
        held_back
    }

    fn on_request(
        &mut self,
        raft: &Raft,
        ctx: &mut RCtx<'_>,
        client: NodeId,
        req: u32,
        value: u32,
    ) -> RaftNote {
        if self.role != Role::Leader {
            let leader = self.leader_hint.filter(|l| *l != self.id);
            ctx.send(client, Msg::Redirect { req, leader });
            return self.note(None, What::RequestRedirected { leader });
        }
        if let Some(pos) = self.log.iter().position(|e| e.req == Some(req)) {
            let index = pos as LogIndex + 1;
            if index <= self.commit {
                ctx.send(client, Msg::Reply { req, index });
            }
            return self.note(None, What::RequestDuplicate { index });
        }
        if self.log.len() >= MAX_LOG {
            ctx.send(client, Msg::Redirect { req, leader: None });
            return self.note(None, What::RequestRefusedFull);
        }
        self.log.push(Entry {
            term: self.term,
            value,
            req: Some(req),
        });
        self.log_version += 1;
        self.match_index[self.id.idx()] = self.last_index();
        // A one-server majority is impossible (n ≥ 3), so nothing commits yet.
        for peer in 0..raft.n_servers() {
            if peer != self.id.idx() {
                self.send_append(ctx, NodeId(peer as u8));
            }
        }
        self.note(
            None,
            What::RequestAccepted {
                index: self.last_index(),
                value,
            },
        )
    }

    /// Forgets volatile state; keeps term, log and (unless switched off) the vote.
    pub fn crash(&mut self, raft: &Raft) {
        if !raft.config.safety.persist_vote {
            self.voted_for = None;
        }
        self.role = Role::Follower;
        self.commit = 0;
        self.votes.clear();
        self.leader_hint = None;
        let n = raft.n_servers();
        self.next_index = vec![1; n];
        self.match_index = vec![0; n];
    }

    pub fn restart(&mut self, raft: &Raft, ctx: &mut RCtx<'_>) -> RaftNote {
        self.reset_election_timer(raft, ctx);
        self.note(
            None,
            What::Restarted {
                term: self.term,
                voted_for: self.voted_for,
                log_len: self.last_index(),
            },
        )
    }
}
