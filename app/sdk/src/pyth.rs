//! Pyth price accounts: where the sponsored push feeds live, and how to build a real
//! `PriceUpdateV2` account (serialized with the account's own Anchor serializer and owned by
//! the Pyth receiver program, exactly as the receiver writes it) for the in-process bank.

use anchor_lang::prelude::Pubkey;
use anchor_lang::AccountSerialize;
use pyth_solana_receiver_sdk::price_update::{PriceFeedMessage, PriceUpdateV2, VerificationLevel};
use solana_sdk::account::Account;

/// Real Pyth feed ids (hex) of the assets Turbo lists.
pub const BTC_FEED: &str = "e62df6c8b4a85fe1a67db44dc12de5db330f7ac66b72dc658afedf0f4a415b43";
pub const SOL_FEED: &str = "ef0d8b6fda2ceba41da15d4095d1da392a0d2f8ed0c6c7bc0f4cfac8c280b56d";
pub const FET_FEED: &str = "7da003ada32eabbac855af3d22fcf0fe692cc589f0cfd5ced63cf0bdcc742efe";
/// The CRT feed of the test deployment.
pub const CRT_FEED: &str = "c7c7c7c7c7c7c7c7c7c7c7c7c7c7c7c7c7c7c7c7c7c7c7c7c7c7c7c7c7c7c7c7";

pub fn feed_id(hex: &str) -> [u8; 32] {
    pyth_solana_receiver_sdk::price_update::get_feed_id_from_hex(hex).expect("valid feed id")
}

/// One price reading, as Pyth publishes it (exponent -8 unless set otherwise).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Quote {
    pub feed_id: [u8; 32],
    pub price: i64,
    pub conf: u64,
    pub exponent: i32,
    pub publish_time: i64,
    pub verification: VerificationLevel,
}

impl Quote {
    pub fn new(feed_id: [u8; 32], price: i64, publish_time: i64) -> Self {
        Quote { feed_id, price, conf: 0, exponent: -8, publish_time, verification: VerificationLevel::Full }
    }
}

/// The bytes and owner of a `PriceUpdateV2` account holding `q`, owned by `owner`.
pub fn price_account(q: &Quote, owner: Pubkey) -> Account {
    let update = PriceUpdateV2 {
        write_authority: Pubkey::new_from_array([7; 32]),
        verification_level: q.verification,
        price_message: PriceFeedMessage {
            feed_id: q.feed_id,
            price: q.price,
            conf: q.conf,
            exponent: q.exponent,
            publish_time: q.publish_time,
            prev_publish_time: q.publish_time - 1,
            ema_price: q.price,
            ema_conf: q.conf,
        },
        posted_slot: 1,
    };
    let mut data = Vec::with_capacity(PriceUpdateV2::LEN);
    update.try_serialize(&mut data).expect("serialize price update");
    data.resize(PriceUpdateV2::LEN, 0);
    Account { lamports: 1_000_000_000, data, owner, executable: false, rent_epoch: 0 }
}

/// The address of Pyth's sponsored push-oracle feed for `feed_id` on `shard` (0 is the shard
/// Pyth keeps fresh on mainnet and devnet). Keepers and clients pass these accounts as they are.
pub fn sponsored_feed_address(shard: u16, feed_id: &[u8; 32]) -> Pubkey {
    Pubkey::find_program_address(&[&shard.to_le_bytes(), feed_id], &pyth_solana_receiver_sdk::PYTH_PUSH_ORACLE_ID).0
}

/// Parse a 64-hex-digit feed id, with or without `0x`.
pub fn parse_feed_id(hex: &str) -> Option<[u8; 32]> {
    pyth_solana_receiver_sdk::price_update::get_feed_id_from_hex(hex).ok()
}

/// The feed id as 64 lowercase hex digits.
pub fn feed_hex(id: &[u8; 32]) -> String {
    id.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sponsored_feed_addresses_match_pyths_published_accounts() {
        // Pyth's sponsored SOL/USD feed on shard 0, and a published FET/USD feed on shard 1.
        let sol = sponsored_feed_address(0, &feed_id(SOL_FEED));
        assert_eq!(sol.to_string(), "7UVimffxr9ow1uXYxsr4LHAcV58mLzhmwaeKvJ1pjLiE");
        let fet = sponsored_feed_address(1, &feed_id(FET_FEED));
        assert_eq!(fet.to_string(), "J1CtKJjc14jovXhpAsLzG9eTPcm1U7rGRRNnLf1tryT1");
        assert_eq!(feed_hex(&feed_id(FET_FEED)), FET_FEED);
    }
}
