//! `turbo-sim`: replays real price history through the Turbo vault model (the program's own
//! code) beside spot, an ideal constant-leverage token, a daily-rebalanced token, a perp with
//! liquidation and a Bear vault, and reports how each fared.

pub mod lp;
pub mod model;
pub mod report;
pub mod strategies;
pub mod survival;

pub use model::TurboModel;
pub use strategies::{Options, Path, Track};
