//! Pages that are not labs.

pub mod study;
