//! The labs that exist, for the home page: the simulator's catalog, which
//! is plain data (no lab's code comes with it).

pub use dsviz_sim::labs::registry::CATALOG;
pub use dsviz_sim::labs::LabInfo;
