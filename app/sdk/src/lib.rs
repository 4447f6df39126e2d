//! Turbo's client SDK: PDA derivation, instruction builders, account decoding, previews that
//! run the program's own code, and one `Chain` trait with an RPC backend and (feature `bank`)
//! the in-process bank.

pub mod accounts;
#[cfg(feature = "bank")]
pub mod bank;
pub mod chain;
pub mod defaults;
pub mod deploy;
pub mod errors;
#[cfg(feature = "bank")]
pub mod heap;
pub mod indexer;
pub mod ix;
pub mod lazer;
pub mod lookup;
pub mod manifest;
pub mod outcome;
pub mod pda;
pub mod preview;
pub mod price_service;
pub mod pyth;
pub mod series;
pub mod setup;
pub mod text;

/// The Pyth receiver account the program reads prices from.
pub use pyth_solana_receiver_sdk::price_update::PriceUpdateV2;
pub use turbo;
pub use turbo::oracle::PriceSource;
pub use turbo_math as math;
