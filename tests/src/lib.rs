//! The fixture every bank test builds on (marginfi's `test-utils` is the model): a deployment
//! with config, pool and vaults; funded users; a Pyth price setter that writes real
//! `PriceUpdateV2` accounts; and a clock. It is a thin layer over `turbo_sdk::bank::Bank`, the
//! in-process backend the CLI demo and the keeper also use.

pub mod cost;
pub mod fixture;

pub use fixture::*;
pub use turbo_sdk::outcome::*;
pub use turbo_sdk::pyth::*;

/// Assert that `outcome` failed with exactly `code`.
#[track_caller]
pub fn assert_error(outcome: &Outcome, code: impl Into<u32>) {
    let code = code.into();
    assert_eq!(
        outcome.error_code(),
        Some(code),
        "expected error {code}, got {:?}; logs:\n{}",
        outcome.result,
        outcome.logs.join("\n")
    );
}

/// Assert that `outcome` succeeded.
#[track_caller]
pub fn assert_ok(outcome: &Outcome) {
    assert!(outcome.result.is_ok(), "transaction failed: {:?}; logs:\n{}", outcome.result, outcome.logs.join("\n"));
}
