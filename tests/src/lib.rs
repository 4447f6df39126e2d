//! The bank tests' own helpers: the cost and budget measurement (`cost`). Everything else a test
//! builds on is the shared kit, `turbo_testkit`, re-exported here.

pub mod cost;

pub use turbo_testkit::*;
