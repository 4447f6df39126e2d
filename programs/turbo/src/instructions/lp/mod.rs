// Every instruction module exports a `handler`; callers name it by module path.
#![allow(ambiguous_glob_reexports)]

pub mod deposit_custody;
pub mod deposit_liquidity;
pub mod quote_pool;
pub mod valuation;
pub mod withdraw_custody;
pub mod withdraw_liquidity;

pub use deposit_custody::*;
pub use deposit_liquidity::*;
pub use quote_pool::*;
pub use withdraw_custody::*;
pub use withdraw_liquidity::*;
