//! Lab pages. Each lab owns its timeline and draws it with pure view
//! functions of (world, view time, layout).

pub mod raft;
pub(crate) mod raft_view;
pub mod register;
pub mod register_view;
