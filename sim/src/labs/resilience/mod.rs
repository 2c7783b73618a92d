//! Resilience: what a caller does when the thing it calls is slow, failing
//! or overloaded.
//!
//! A retry turns a transient failure into a success, and an overloaded
//! dependency into a more overloaded one. When many callers fail at the
//! same moment (an outage, a conflict on one row), capped exponential
//! backoff spreads their retries over time only if each caller's wait is
//! also random: with the same wait for everyone the callers come back in
//! waves, each wave failing the way the first did. Marc Brooker's post on
//! the AWS Architecture Blog, "Exponential Backoff and Jitter" (2015),
//! measured this on optimistic concurrency over one row: exponential
//! backoff without jitter takes by far the longest to get every client
//! through, "full jitter" (a uniform wait between zero and the
//! exponential value) does the least work, and "decorrelated jitter"
//! (each wait uniform between the base and three times the last) comes
//! close to it. [`contention`] reproduces that experiment; [`backoff`]
//! holds the wait rules it compares, which the lab's callers use too.
//!
//! Every wait is an integer number of microseconds drawn from the run's
//! one RNG, so a seed gives the same waits natively and in the browser;
//! a rule without randomness draws nothing.

pub mod backoff;
pub mod breaker;
pub mod check;
pub mod contention;
pub mod herd;
pub mod lab;
pub mod probes;
pub mod scenarios;
pub mod series;
pub mod service;
pub mod trips;

#[cfg(test)]
mod tests;
