//! Real Pyth `PriceUpdateV2` accounts, serialized with the account's own Anchor serializer and
//! owned by the Pyth receiver program, exactly as the receiver writes them.

use anchor_lang::AccountSerialize;
use pyth_solana_receiver_sdk::price_update::{PriceFeedMessage, PriceUpdateV2, VerificationLevel};
use solana_sdk::account::Account;
use solana_sdk::pubkey::Pubkey;

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
