//! The Pyth gate, in one place (docs/decisions.md, "Oracle"). Every price the program uses
//! passes through [`use_price`]: Full verification, the expected feed id, a maximum age, a
//! positive price and a confidence bound; never older than the newest update any instruction
//! used for the same feed; never published more than the fresh-price delay ahead of the chain's
//! clock; for users, published within the fresh-price delay of the clock. The
//! price is then recorded in the feed's mark, and comes back with its low and high prices
//! widened to every price used for the feed in the recent window.

use anchor_lang::prelude::*;
use pyth_solana_receiver_sdk::error::GetPriceError;
use pyth_solana_receiver_sdk::price_update::PriceUpdateV2;
use turbo_math::{Bps, OraclePrice};

use crate::error::TurboError;
use crate::state::{Config, PriceMark, SignedFeed};

/// Who is asking: users need fresh prices; keepers may use any price within the maximum age.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Caller {
    /// Mint, LP deposit and withdraw, and carrying out the admin's due retirement (N-4).
    User,
    /// Redeem: a user, but the confidence bound is the hard one (10%). The price is biased
    /// against the redeemer by the whole interval, so a wide one costs only them, and an exit
    /// must not stop when a crash widens it (the review's M-4).
    Redeemer,
    /// Rebalance (and the admin's vault creation).
    Keeper,
}

impl Caller {
    /// The fresh-price delay this caller must meet, if any.
    pub fn fresh_secs(self, config: &Config) -> Option<u32> {
        match self {
            Caller::User | Caller::Redeemer => Some(config.params.fresh_price_secs),
            Caller::Keeper => None,
        }
    }

    /// The confidence bound this caller's price must meet, given the feed's own.
    pub fn max_conf_bps(self, own: u16) -> u16 {
        match self {
            Caller::Redeemer => crate::constants::MAX_CONF_BPS,
            _ => own,
        }
    }
}

/// What a price must satisfy.
#[derive(Clone, Copy, Debug)]
pub struct PriceRules<'a> {
    pub feed_id: &'a [u8; 32],
    pub max_age_secs: u32,
    pub max_conf_bps: u16,
    /// For users: the price must be published at most this many seconds before the clock.
    pub fresh_secs: Option<u32>,
    /// For everyone: the price may be published at most this many seconds after the clock (the
    /// fresh-price delay), so the clock's lag behind Pyth cannot open the window (N-1).
    pub ahead_secs: u32,
}

impl<'a> PriceRules<'a> {
    /// The gate's rules for an asset of a vault with `params` (also a vault being created, whose
    /// price is read as a keeper's).
    pub fn asset(feed_id: &'a [u8; 32], params: &crate::state::VaultParams, config: &Config, caller: Caller) -> Self {
        PriceRules {
            feed_id,
            max_age_secs: params.max_price_age_secs,
            max_conf_bps: caller.max_conf_bps(params.max_conf_bps),
            fresh_secs: caller.fresh_secs(config),
            ahead_secs: config.params.fresh_price_secs,
        }
    }

    /// The gate's rules for CRT.
    pub fn crt(config: &'a Config, caller: Caller) -> Self {
        PriceRules {
            feed_id: &config.crt_feed_id,
            max_age_secs: config.params.crt_max_age_secs,
            max_conf_bps: caller.max_conf_bps(config.params.crt_max_conf_bps),
            fresh_secs: caller.fresh_secs(config),
            ahead_secs: config.params.fresh_price_secs,
        }
    }
}

/// Where a price comes from: Pyth's sponsored (or pulled) `PriceUpdateV2`, or a `SignedFeed`
/// holding a Pyth Pro price the Lazer program verified (docs/decisions.md, "The mainnet price
/// path"). Both pass through the one rule of [`read_price`].
#[derive(Clone)]
pub enum PriceSource {
    Pyth(PriceUpdateV2),
    Signed(SignedFeed),
}

impl core::fmt::Debug for PriceSource {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let (source, price, conf, exponent) = match self {
            PriceSource::Pyth(u) => ("pyth", u.price_message.price, u.price_message.conf, u.price_message.exponent),
            PriceSource::Signed(s) => ("signed", s.price, s.confidence, s.exponent),
        };
        f.debug_struct("PriceSource")
            .field("source", &source)
            .field("price", &price)
            .field("conf", &conf)
            .field("exponent", &exponent)
            .field("publish_time", &self.publish_time())
            .finish()
    }
}

/// A price as its source states it, before the rule: mantissa and confidence at `exponent`.
struct Stated {
    price: i64,
    conf: u64,
    exponent: i32,
    publish_time: i64,
}

impl PriceSource {
    /// Read a price account: the program's own `SignedFeed`, or else the Pyth receiver's
    /// `PriceUpdateV2` (owner and discriminator checked as Anchor's `Account` checks them).
    pub fn load(info: &AccountInfo) -> Result<PriceSource> {
        PriceSource::decode(info.owner, &info.try_borrow_data()?)
    }

    /// [`PriceSource::load`] from an account's owner and bytes (clients decode fetched accounts
    /// with it).
    pub fn decode(owner: &Pubkey, data: &[u8]) -> Result<PriceSource> {
        let owner = *owner;
        // A closed account, or one that never existed (as Anchor's `Account` says of it).
        if owner == anchor_lang::system_program::ID {
            return Err(error!(ErrorCode::AccountNotInitialized).with_account_name("price_update"));
        }
        if owner == crate::ID {
            return Ok(PriceSource::Signed(SignedFeed::try_deserialize(&mut &data[..])?));
        }
        let receiver = pyth_solana_receiver_sdk::ID;
        if owner != receiver {
            return Err(error!(ErrorCode::AccountOwnedByWrongProgram).with_account_name("price_update").with_pubkeys((owner, receiver)));
        }
        Ok(PriceSource::Pyth(PriceUpdateV2::try_deserialize(&mut &data[..])?))
    }

    /// When the price was published, in unix seconds, whatever its feed or age.
    pub fn publish_time(&self) -> i64 {
        match self {
            PriceSource::Pyth(u) => u.price_message.publish_time,
            PriceSource::Signed(s) => s.publish_time(),
        }
    }

    /// Load the optional price account of an instruction.
    pub fn load_opt(info: Option<&AccountInfo>) -> Result<Option<PriceSource>> {
        info.map(PriceSource::load).transpose()
    }

    /// The price if it is for `rules.feed_id`, attested, and at most `rules.max_age_secs` old.
    fn stated(&self, rules: &PriceRules, clock: &Clock) -> Result<Stated> {
        match self {
            PriceSource::Pyth(update) => {
                let p = update.get_price_no_older_than(clock, rules.max_age_secs as u64, rules.feed_id).map_err(|e| match e {
                    GetPriceError::PriceTooOld => error!(TurboError::StalePrice),
                    GetPriceError::MismatchedFeedId => error!(TurboError::PriceFeedMismatch),
                    GetPriceError::InsufficientVerificationLevel => error!(TurboError::PriceNotFullyVerified),
                    other => error!(other),
                })?;
                Ok(Stated { price: p.price, conf: p.conf, exponent: p.exponent, publish_time: p.publish_time })
            }
            PriceSource::Signed(feed) => {
                // The Lazer program verified it when it was posted; the feed links it to the id.
                require!(&feed.feed_id == rules.feed_id, TurboError::PriceFeedMismatch);
                let publish_time = feed.publish_time();
                let max_age = rules.max_age_secs as i64;
                require!(feed.timestamp_us > 0 && publish_time.saturating_add(max_age) >= clock.unix_timestamp, TurboError::StalePrice);
                Ok(Stated { price: feed.price, conf: feed.confidence, exponent: feed.exponent, publish_time })
            }
        }
    }
}

/// Read and validate a price against `rules` and the feed's `mark`, returning low/mid/high
/// prices at 8 decimals. Records nothing.
pub fn read_price(source: &PriceSource, rules: PriceRules, mark: &PriceMark, clock: &Clock) -> Result<OraclePrice> {
    let p = source.stated(&rules, clock)?;
    require!(p.price > 0, TurboError::NonPositivePrice);
    require!(OraclePrice::conf_within(p.price, p.conf, Bps(rules.max_conf_bps as u64)), TurboError::ConfidenceTooWide);
    let now = clock.unix_timestamp;
    require!(turbo_math::on_time(p.publish_time, now, None, rules.ahead_secs), TurboError::PriceAheadOfClock);
    require!(mark.get().accepts(p.publish_time), TurboError::PriceUpdateOutOfOrder);
    require!(turbo_math::on_time(p.publish_time, now, rules.fresh_secs, rules.ahead_secs), TurboError::PriceNotFresh);
    // The conf bound (≤ 10%) keeps price − conf positive, and the exponent of a real feed keeps
    // the normalized value in range; anything else is refused as a bad price.
    OraclePrice::from_pyth(p.price, p.conf, p.exponent, p.publish_time).map_err(|_| error!(TurboError::NonPositivePrice))
}

/// [`read_price`], then record the price in `mark` (cells of `span` seconds) and return it with
/// its low and high prices widened to the window's range. The mid price is unchanged.
pub fn use_price(update: &PriceSource, rules: PriceRules, mark: &mut PriceMark, span: u32, clock: &Clock) -> Result<OraclePrice> {
    let px = read_price(update, rules, mark, clock)?;
    let mut m = mark.get();
    m.record(&px, span);
    mark.set(m);
    Ok(m.widen(&px))
}
