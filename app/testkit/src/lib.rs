//! The one in-process world every test, bench and the demo builds on (marginfi's `test-utils`
//! is the model):
//!
//! - [`fixture::Fixture`]: a deployment built instruction by instruction, with users, a
//!   keeper, a Pyth price setter that writes real `PriceUpdateV2` accounts, and a clock;
//! - [`localnet`]: `migrations/localnet.toml` deployed by the SDK's deployer, funded wallets,
//!   and the bundled BTC/SOL/FET history (the demo's world, and the keeper's and CLI's tests);
//! - [`process`]: child processes for the over-the-wire tests (`turbo localnet` and the clients).
//!
//! Both are thin layers over `turbo_sdk::bank::Bank`, the in-process backend.

pub mod fixture;
pub mod localnet;
pub mod process;

pub use fixture::*;
pub use turbo_sdk::outcome::*;
pub use turbo_sdk::pyth::*;

/// Assert that `outcome` failed with exactly `code`.
#[track_caller]
pub fn assert_error(outcome: &Outcome, code: impl Into<u32>) {
    let code = code.into();
    assert_eq!(outcome.error_code(), Some(code), "expected error {code}, got {:?}; logs:\n{}", outcome.result, outcome.logs.join("\n"));
}

/// Assert that `outcome` succeeded.
#[track_caller]
pub fn assert_ok(outcome: &Outcome) {
    assert!(outcome.result.is_ok(), "transaction failed: {:?}; logs:\n{}", outcome.result, outcome.logs.join("\n"));
}
