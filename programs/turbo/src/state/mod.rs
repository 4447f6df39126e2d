//! Program accounts: one `Config` per deployment, one counterparty `Pool`, a `Vault` per token.

pub mod config;
pub mod pool;
pub mod vault;

pub use config::*;
pub use pool::*;
pub use vault::*;
