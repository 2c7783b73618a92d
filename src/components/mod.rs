//! Components every lab page reuses: transport, event log, invariants,
//! keyboard help, charts, icons.

pub mod chart;
pub mod event_log;
pub mod help;
pub mod hero;
pub mod history;
pub mod icons;
pub mod invariants;
pub mod lab_art;
pub mod pbs;
pub mod prediction;
pub mod question;
pub mod spacetime;
pub mod timeseries;
pub mod transport;
pub mod tvis_chart;
