//! The fixture every bank test builds on (marginfi's `test-utils` is the model): a deployment
//! with config, pool and vaults; funded users; a Pyth price setter that writes real
//! `PriceUpdateV2` accounts; and a clock. The program runs natively through `processor!`;
//! SPL Token, Token-2022 and the associated token program run as real SBF bytecode.

pub mod fixture;
pub mod outcome;
pub mod pyth;

pub use fixture::*;
pub use outcome::*;
pub use pyth::*;
