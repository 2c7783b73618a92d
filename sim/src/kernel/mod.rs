//! The simulation kernel shared by every lab.
//!
//! - [`rng`]: the one seeded random generator of a run.
//! - [`time`]: virtual time in microseconds.
//! - [`clock`]: each node's local clock: offset, drift, monotonic time.
//! - [`net`]: latency, loss, duplication, partitions, crashes.
//! - [`world`]: nodes, messages in flight, timers and the event queue; the
//!   [`Protocol`] trait a lab implements.
//! - [`timeline`]: the cursor over a run: step, seek, rewind, branch.
//! - [`input`]: faults and commands a learner or a scenario injects, and
//!   their compact text form for URLs.
//! - [`workload`]: seeded arrival processes for a fleet of clients.
//! - [`solo`]: a single-state-machine model (a rate limiter, a breaker)
//!   as a one-node [`Protocol`], fed by a workload.

pub mod clock;
pub mod input;
pub mod names;
pub mod net;
pub mod rng;
pub mod solo;
pub mod time;
pub mod timeline;
pub mod workload;
pub mod world;

#[cfg(test)]
mod tests;

pub use clock::{Clock, ClockSpec};
pub use input::{Input, Who};
pub use names::NodeGroup;
pub use net::{DropReason, NetConfig, Network, NodeId};
pub use rng::SimRng;
pub use time::{fmt_time, ms, TimeUs};
pub use timeline::{Timeline, TimelineError};
pub use world::{
    Breach, CheckView, Ctx, DiskModel, Effect, InFlight, InvariantInfo, Marker, Note, PauseSlot,
    Protocol, StepRecord, TimerSlot, Violation, World,
};

/// FNV-1a, 64-bit: a small, portable hash for trace fingerprints.
pub fn fnv1a(hash: u64, bytes: &[u8]) -> u64 {
    let mut h = hash;
    for b in bytes {
        h ^= *b as u64;
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

pub const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
