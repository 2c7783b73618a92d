//! dsviz-sim: the simulation cores behind dsviz.
//!
//! Everything a learner sees in a lab is computed here, with no web
//! dependency: a seeded, deterministic message-passing kernel
//! ([`kernel`]), and one folder per concept under [`labs`]. The web app
//! draws what this crate computes; the `dsviz-sim` binary runs the same
//! scenarios and experiments from the command line.
//!
//! Architecture invariant: the same seed and the same inputs give the same
//! trace on every platform. There is one RNG per run (ChaCha8), time is
//! virtual, and only ordered collections are iterated.

pub mod check;
pub mod history;
pub mod kernel;
pub mod labs;
pub mod pbs;
pub mod shiviz;
pub mod sort;
pub mod spacetime;
pub mod stats;
