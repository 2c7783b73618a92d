//! The Resilience lab's invariants, checked after every step.
//!
//! The breaker checks do not ask the breaker: they follow its phase from
//! the transitions each step's note reports and count the attempts the
//! step sent, where the calls were made, so a path that sends a call
//! around the breaker (a retry that skips it, say) is caught. Within one
//! step the order is known: a call that ends an open breaker's wait moves
//! it to half-open before it goes; an answer that opens the breaker comes
//! after the calls of that step that were already sent, and one that
//! closes it comes before the calls its freed worker makes.

use super::breaker::Phase;
use super::service::{dep_name, RNote, ResilienceConfig, State, What, BUDGET_RESERVE};
use crate::kernel::world::{Breach, InvariantInfo};

pub const NO_CALL_WHILE_OPEN: InvariantInfo = InvariantInfo {
    name: "No call while open",
    statement: "A dependency gets no call while its circuit breaker is open.",
};
pub const PROBES_BOUNDED: InvariantInfo = InvariantInfo {
    name: "Half-open probes bounded",
    statement: "In half-open, a breaker lets through at most its permitted number of probe calls.",
};
pub const RETRY_BUDGET: InvariantInfo = InvariantInfo {
    name: "Retry budget kept",
    statement: "Retries never outnumber the budget: a reserve of 10 plus the budget's share of requests.",
};
pub const BULKHEAD_BOUNDED: InvariantInfo = InvariantInfo {
    name: "Bulkhead bounded",
    statement: "A dependency never has more calls waiting on it than its bulkhead's permits.",
};
pub const WORKERS_BOUNDED: InvariantInfo = InvariantInfo {
    name: "Workers and queue bounded",
    statement: "The service never runs more requests than it has workers, nor queues more than its queue holds.",
};

pub static INVARIANTS: &[InvariantInfo] = &[
    NO_CALL_WHILE_OPEN,
    PROBES_BOUNDED,
    RETRY_BUDGET,
    BULKHEAD_BOUNDED,
    WORKERS_BOUNDED,
];

/// What the checks remember between steps.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Checker {
    /// Each breaker's phase, as its transitions told it.
    pub phase: [Phase; 2],
    /// Probes sent since each breaker went half-open.
    pub probes: [u32; 2],
    pub retries: u64,
    pub arrivals: u64,
    /// Reserves granted: one at the start, one at each restart.
    pub reserves: u64,
}

impl Default for Checker {
    fn default() -> Self {
        Checker {
            phase: [Phase::Closed; 2],
            probes: [0; 2],
            retries: 0,
            arrivals: 0,
            reserves: 1,
        }
    }
}

fn breach(info: &InvariantInfo, explanation: String) -> Breach {
    Breach {
        invariant: info.name,
        explanation,
    }
}

impl Checker {
    /// Checks one step: its note (none for a kernel fault) and the state after it.
    pub fn check(&mut self, c: &ResilienceConfig, s: &State, note: Option<&RNote>, out: &mut Vec<Breach>) {
        if let Some(n) = note {
            self.step(c, n, out);
        }
        for d in 0..2 {
            let waiting = s.calls.values().filter(|x| x.dep as usize == d && x.waiting).count() as u32;
            if c.bulkhead > 0 && waiting > c.bulkhead {
                out.push(breach(
                    &BULKHEAD_BOUNDED,
                    format!("{} calls wait on {}, and its bulkhead has {} permits.", waiting, dep_name(d), c.bulkhead),
                ));
            }
        }
        let running = s.reqs.values().filter(|r| r.started_us.is_some()).count() as u32;
        if running > c.workers || s.busy > c.workers || s.queue.len() as u32 > c.queue {
            out.push(breach(
                &WORKERS_BOUNDED,
                format!(
                    "{running} requests run on {} workers (busy count {}), {} queued of {}.",
                    c.workers,
                    s.busy,
                    s.queue.len(),
                    c.queue
                ),
            ));
        }
    }

    fn step(&mut self, c: &ResilienceConfig, n: &RNote, out: &mut Vec<Breach>) {
        let t = &n.tally;
        if n.what == What::Restarted {
            self.phase = [Phase::Closed; 2];
            self.probes = [0; 2];
            self.reserves += 1;
        }
        if c.breaker_on {
            for d in 0..2 {
                let calls = t.calls[d] as u32;
                let before = self.phase[d];
                match t.moved[d] {
                    Some(m) if m.to == Phase::HalfOpen => {
                        self.phase[d] = Phase::HalfOpen;
                        self.probes[d] = calls;
                    }
                    Some(m) if m.to == Phase::Open => {
                        if before == Phase::HalfOpen {
                            self.probes[d] += calls;
                        }
                        self.phase[d] = Phase::Open;
                    }
                    Some(_) => {
                        self.phase[d] = Phase::Closed;
                        self.probes[d] = 0;
                    }
                    None => match before {
                        Phase::Open if calls > 0 => out.push(breach(
                            &NO_CALL_WHILE_OPEN,
                            format!("{calls} call{} went to {} while its breaker was open.", if calls == 1 { "" } else { "s" }, dep_name(d)),
                        )),
                        Phase::HalfOpen => self.probes[d] += calls,
                        _ => {}
                    },
                }
                if self.probes[d] > c.breaker.half_open_calls
                    && (self.phase[d] == Phase::HalfOpen || before == Phase::HalfOpen)
                {
                    out.push(breach(
                        &PROBES_BOUNDED,
                        format!(
                            "{}'s half-open breaker let {} probes through; it permits {}.",
                            dep_name(d),
                            self.probes[d],
                            c.breaker.half_open_calls
                        ),
                    ));
                }
            }
        }
        self.retries += t.retries as u64;
        self.arrivals += t.arrivals as u64;
        if c.budget_pct > 0 {
            let allowed_milli = self.reserves * BUDGET_RESERVE * 1000 + self.arrivals * c.budget_pct as u64 * 10;
            if self.retries * 1000 > allowed_milli {
                out.push(breach(
                    &RETRY_BUDGET,
                    format!(
                        "{} retries for {} requests; a {}% budget allows {}.",
                        self.retries,
                        self.arrivals,
                        c.budget_pct,
                        allowed_milli / 1000
                    ),
                ));
            }
        }
    }
}
