//! A signed price's home (docs/decisions.md, "The mainnet price path"): one account per Pyth
//! feed the deployment reads, at `["signed_feed", feed_id]`. It links the feed id the program's
//! accounts name to Pyth Pro's (Lazer's) id of the same price, and holds the newest price anyone
//! posted for it through `post_signed_prices`, which has the Lazer program verify the signature.
//! Every instruction that reads a price takes this account or the sponsored `PriceUpdateV2`, and
//! either passes through the one gate of `oracle.rs`.

use anchor_lang::prelude::*;

use crate::constants::SIGNED_FEED_RESERVED;

#[account]
#[derive(InitSpace, Debug, PartialEq, Eq)]
pub struct SignedFeed {
    /// The layout version (`LAYOUT_VERSION`).
    pub version: u8,
    pub bump: u8,
    /// The Pyth feed id the program's accounts name (an asset slot's, or CRT's).
    pub feed_id: [u8; 32],
    /// Pyth Pro's id of the same price.
    pub lazer_feed_id: u32,
    /// The newest verified price: mantissa and confidence at `exponent`.
    pub price: i64,
    pub confidence: u64,
    pub exponent: i32,
    /// When it was signed, microseconds since the Unix epoch; zero until the first post.
    pub timestamp_us: u64,
    /// The slot it was posted in.
    pub posted_slot: u64,
    /// Zero; room for what the coming work adds (docs/design.md §2, "Layout").
    pub reserved: [u8; SIGNED_FEED_RESERVED],
}

impl SignedFeed {
    /// When the price was signed, in whole seconds (`turbo_math::signed::publish_time`).
    pub fn publish_time(&self) -> i64 {
        turbo_math::signed::publish_time(self.timestamp_us)
    }
}
