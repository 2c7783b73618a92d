//! The Clocks lab's experiments.

use crate::labs::experiment::Experiment;

pub static ALL: &[&dyn Experiment] = &[];
