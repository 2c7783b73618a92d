//! Study mode's state: what the learner has reviewed, predicted and
//! practised, and when each card is due. Pure logic here; the pages that
//! show it live in `crate::pages`.

pub mod progress;
pub mod store;
