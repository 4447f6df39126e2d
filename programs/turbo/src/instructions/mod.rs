//! One file per instruction, grouped by who may call it: `admin/` (admin or guardian),
//! `lp/` (liquidity providers), `user/` (wallets minting and redeeming), `keeper/`
//! (permissionless upkeep).

pub mod admin;
pub mod flow;
pub mod keeper;
pub mod lp;
pub mod user;
pub mod vault_accounts;

#[allow(ambiguous_glob_reexports)]
pub use admin::*;
pub use keeper::*;
pub use lp::*;
pub use user::*;
pub use vault_accounts::*;
