//! The `turbo` command line as a library: every command is a function over any
//! [`turbo_sdk::chain::Chain`], returning the text it prints, so tests drive the real commands
//! against the in-process bank.

pub mod commands;
pub mod demo;
pub mod deploy;
pub mod hedge;
pub mod localnet;
/// The manifest format lives in the SDK; re-exported for the CLI's users.
pub use turbo_sdk::manifest;
pub mod text;

pub use commands::*;
