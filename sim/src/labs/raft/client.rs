//! The lab's one client. It sends each value to the server it believes
//! leads (or to the server it is told), follows redirects, and retries
//! elsewhere when an answer is late. Up to [`MAX_OUTSTANDING`] requests
//! may be in progress at once, each with its own retry timer.

use super::{LogIndex, Msg, RCtx, Raft, RaftNote, Timer, What};
use crate::kernel::{NodeId, TimeUs};
use std::collections::VecDeque;

/// Attempts per value before the client gives up.
pub const MAX_ATTEMPTS: u8 = 12;
/// Requests in progress at once; more submits are refused.
pub const MAX_OUTSTANDING: usize = 16;
/// Completed requests remembered for display.
pub const MAX_DONE: usize = 64;

#[derive(Clone, Debug, PartialEq)]
pub struct Pending {
    pub req: u32,
    pub value: u32,
    pub to: NodeId,
    pub attempts: u8,
    pub first_sent_us: TimeUs,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ClientDone {
    pub value: u32,
    pub index: LogIndex,
    pub latency_us: TimeUs,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Client {
    pub id: NodeId,
    pub outstanding: Vec<Pending>,
    /// The server the client believes leads.
    pub guess: NodeId,
    pub next_req: u32,
    pub done: VecDeque<ClientDone>,
    pub gave_up: u32,
}

impl Client {
    pub fn new(raft: &Raft) -> Client {
        Client {
            id: raft.client_id(),
            outstanding: Vec::new(),
            guess: NodeId(0),
            next_req: 1,
            done: VecDeque::new(),
            gave_up: 0,
        }
    }

    fn note(&self, what: What) -> RaftNote {
        RaftNote {
            node: self.id,
            term: 0,
            stepped_down: None,
            what,
        }
    }

    pub fn submit(
        &mut self,
        raft: &Raft,
        ctx: &mut RCtx<'_>,
        value: u32,
        to: Option<NodeId>,
    ) -> RaftNote {
        if self.outstanding.len() >= MAX_OUTSTANDING {
            return self.note(What::Ignored {
                what: "a new value: too many requests are already in progress",
            });
        }
        let to = to
            .filter(|t| t.idx() < raft.n_servers())
            .unwrap_or(self.guess);
        let req = self.next_req;
        self.next_req += 1;
        self.outstanding.push(Pending {
            req,
            value,
            to,
            attempts: 1,
            first_sent_us: ctx.now,
        });
        ctx.send(to, Msg::Request { req, value });
        ctx.set_timer(Timer::ClientRetry(req), raft.client_retry_us());
        self.note(What::ClientSent {
            to,
            value,
            req,
            attempt: 1,
        })
    }

    fn resend(&mut self, raft: &Raft, ctx: &mut RCtx<'_>, pos: usize, to: NodeId) -> RaftNote {
        let p = &mut self.outstanding[pos];
        if p.attempts >= MAX_ATTEMPTS {
            let p = self.outstanding.remove(pos);
            self.gave_up += 1;
            ctx.cancel_timer(Timer::ClientRetry(p.req));
            return self.note(What::ClientGaveUp { value: p.value });
        }
        p.attempts += 1;
        p.to = to;
        let (req, value, attempt) = (p.req, p.value, p.attempts);
        ctx.send(to, Msg::Request { req, value });
        ctx.set_timer(Timer::ClientRetry(req), raft.client_retry_us());
        self.note(What::ClientSent {
            to,
            value,
            req,
            attempt,
        })
    }

    fn position(&self, req: u32) -> Option<usize> {
        self.outstanding.iter().position(|p| p.req == req)
    }

    pub fn on_message(
        &mut self,
        raft: &Raft,
        ctx: &mut RCtx<'_>,
        from: NodeId,
        msg: Msg,
    ) -> RaftNote {
        match msg {
            Msg::Reply { req, index } => {
                let Some(pos) = self.position(req) else {
                    return self.note(What::Ignored {
                        what: "a second answer to a request already done",
                    });
                };
                let p = self.outstanding.remove(pos);
                self.guess = from;
                let latency_us = ctx.now - p.first_sent_us;
                if self.done.len() >= MAX_DONE {
                    self.done.pop_front();
                }
                self.done.push_back(ClientDone {
                    value: p.value,
                    index,
                    latency_us,
                });
                ctx.cancel_timer(Timer::ClientRetry(req));
                self.note(What::ClientDone {
                    value: p.value,
                    index,
                    latency_us,
                })
            }
            Msg::Redirect { req, leader } => {
                let Some(pos) = self.position(req) else {
                    return self.note(What::Ignored {
                        what: "a redirect for a request already done",
                    });
                };
                match leader {
                    Some(l) => {
                        self.guess = l;
                        self.resend(raft, ctx, pos, l)
                    }
                    None => {
                        // Nobody knows a leader yet: try the next server when the retry timer fires.
                        self.guess = NodeId(((from.idx() + 1) % raft.n_servers()) as u8);
                        self.note(What::Ignored {
                            what: "a redirect that names no leader; it will retry later",
                        })
                    }
                }
            }
            _ => self.note(What::Ignored {
                what: "a message meant for a server",
            }),
        }
    }

    pub fn on_timer(&mut self, raft: &Raft, ctx: &mut RCtx<'_>, timer: Timer) -> RaftNote {
        let Timer::ClientRetry(req) = timer else {
            return self.note(What::Ignored {
                what: "a server timer",
            });
        };
        let Some(pos) = self.position(req) else {
            return self.note(What::Ignored {
                what: "a retry for a request already done",
            });
        };
        let last = self.outstanding[pos].to;
        let next = if last == self.guess {
            NodeId(((last.idx() + 1) % raft.n_servers()) as u8)
        } else {
            self.guess
        };
        self.guess = next;
        self.resend(raft, ctx, pos, next)
    }
}
