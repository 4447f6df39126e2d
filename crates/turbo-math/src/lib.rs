//! Pure fixed-point math shared by the Turbo program, its SDK, the keeper and the simulator.
//!
//! Nothing here knows about Solana. Every function is integer-only, checked, and names its
//! rounding direction; the direction always goes against whoever is asking (docs/design.md §3). The
//! program calls these functions from its handlers, and the clients call the *same* functions
//! for previews, so a preview can never disagree with the chain.
//!
//! Scales (see `docs/decisions.md`):
//! - [`Usd`]: micro-USD, which is also the USDC base unit (6 decimals);
//! - [`Price`]: USD per whole unit of an asset, 8 decimals;
//! - [`Exposure`]: signed asset units, 9 decimals;
//! - [`Lev`]: leverage, 6 decimals (3x = 3_000_000);
//! - [`Bps`]: fractions in basis points (10_000 = 100%).

#![forbid(unsafe_code)]
#![deny(clippy::arithmetic_side_effects)]

pub mod error;
pub mod fixed;
pub mod hedge;
pub mod mark;
pub mod oracle;
pub mod pool;
pub mod position;
pub mod rebalance;
pub mod risk;
pub mod signed;
pub mod trade;
pub mod units;
pub mod vol;

pub use error::{MathError, MathResult};
pub use fixed::*;
pub use hedge::*;
pub use mark::*;
pub use oracle::*;
pub use pool::*;
pub use position::*;
pub use rebalance::*;
pub use risk::*;
pub use trade::*;
pub use units::*;
pub use vol::*;
