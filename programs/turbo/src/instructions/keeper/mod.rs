// Every instruction module exports a `handler`; callers name it by module path.
#![allow(ambiguous_glob_reexports)]

pub mod post_signed_prices;
pub mod quote;
pub mod rebalance;
pub mod retire_vault;

pub use post_signed_prices::*;
pub use quote::*;
pub use rebalance::*;
pub use retire_vault::*;
