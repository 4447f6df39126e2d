//! The Pyth gate, in one place (DESIGN §3). Every price the program uses passes through
//! [`read_price`]: Full verification, the expected feed id, a maximum age, a positive price, a
//! confidence bound, and a publish time never older than the last one the vault used.

use anchor_lang::prelude::*;
use pyth_solana_receiver_sdk::error::GetPriceError;
use pyth_solana_receiver_sdk::price_update::PriceUpdateV2;
use turbo_math::{Bps, OraclePrice};

use crate::error::TurboError;

/// What a price must satisfy.
#[derive(Clone, Copy, Debug)]
pub struct PriceRules<'a> {
    pub feed_id: &'a [u8; 32],
    pub max_age_secs: u32,
    pub max_conf_bps: u16,
    /// The publish time of the last price this vault used.
    pub not_before: i64,
}

/// Read and validate a price update, returning low/mid/high prices at 8 decimals.
pub fn read_price(update: &PriceUpdateV2, rules: PriceRules, clock: &Clock) -> Result<OraclePrice> {
    let p = update
        .get_price_no_older_than(clock, rules.max_age_secs as u64, rules.feed_id)
        .map_err(|e| match e {
            GetPriceError::PriceTooOld => error!(TurboError::StalePrice),
            GetPriceError::MismatchedFeedId => error!(TurboError::PriceFeedMismatch),
            GetPriceError::InsufficientVerificationLevel => error!(TurboError::PriceNotFullyVerified),
            other => error!(other),
        })?;
    require!(p.price > 0, TurboError::NonPositivePrice);
    require!(
        OraclePrice::conf_within(p.price, p.conf, Bps(rules.max_conf_bps as u64)),
        TurboError::ConfidenceTooWide
    );
    require!(p.publish_time >= rules.not_before, TurboError::PriceUpdateOutOfOrder);
    // The conf bound (≤ 10%) keeps price − conf positive, and the exponent of a real feed keeps
    // the normalized value in range; anything else is refused as a bad price.
    OraclePrice::from_pyth(p.price, p.conf, p.exponent, p.publish_time)
        .map_err(|_| error!(TurboError::NonPositivePrice))
}
