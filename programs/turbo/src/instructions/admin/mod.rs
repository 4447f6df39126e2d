// Every instruction module exports a `handler`; callers name it by module path.
#![allow(ambiguous_glob_reexports)]

pub mod accept_admin;
pub mod cancel_change;
pub mod create_custody;
pub mod create_vault;
pub mod execute_change;
pub mod initialize_config;
pub mod initialize_pool;
pub mod open_signed_feed;
pub mod propose_admin;
pub mod queue_change;
pub mod set_pause;
pub mod update_config;
pub mod update_pool;
pub mod update_vault;
pub mod withdraw_fees;

pub use accept_admin::*;
pub use cancel_change::*;
pub use create_custody::*;
pub use create_vault::*;
pub use execute_change::*;
pub use initialize_config::*;
pub use initialize_pool::*;
pub use open_signed_feed::*;
pub use propose_admin::*;
pub use queue_change::*;
pub use set_pause::*;
pub use update_config::*;
pub use update_pool::*;
pub use update_vault::*;
pub use withdraw_fees::*;
