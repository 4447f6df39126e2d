//! Program accounts: one `Config` per deployment, one counterparty `Pool`, a `Vault` per token,
//! and a `PendingChange` per change waiting in the timelock.

pub mod change;
pub mod config;
pub mod pool;
pub mod vault;

pub use change::*;
pub use config::*;
pub use pool::*;
pub use vault::*;
