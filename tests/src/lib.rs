//! The bank tests' own helpers: the cost and budget measurement (`cost`) and the SBF bytecode's
//! cases (`sbf`). Everything else a test builds on is the shared kit, `turbo_testkit`,
//! re-exported here.

pub mod cost;
pub mod sbf;

pub use turbo_testkit::*;
