//! Previews of what an instruction will do, computed by the program's own code on decoded
//! copies of the accounts: `turbo-math` for mint and redeem quotes, and the program's
//! `rebalance::plan` for rebalances. A preview can only disagree with the chain if the
//! accounts or the clock change before the transaction lands.

use anchor_lang::prelude::Result;
use pyth_solana_receiver_sdk::price_update::PriceUpdateV2;
use turbo::instructions::keeper::rebalance::{plan, RebalancePlan};
use turbo::oracle::{read_price, PriceRules};
use turbo::state::{Config, Pool, Vault};
use turbo::touch::{crt_rules, settle_state};
use turbo_math::{quote_mint, quote_redeem, MintQuote, Prices, RedeemQuote, Shares, TokenAmount, Usd};

/// The clock a preview assumes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct At {
    pub unix_timestamp: i64,
    pub slot: u64,
}

fn clock(at: At) -> anchor_lang::prelude::Clock {
    anchor_lang::prelude::Clock { slot: at.slot, unix_timestamp: at.unix_timestamp, ..Default::default() }
}

/// Read both prices for `vault` through the program's oracle gate.
pub fn prices(config: &Config, vault: &Vault, asset: &PriceUpdateV2, crt: &PriceUpdateV2, at: At) -> Result<Prices> {
    let c = clock(at);
    let asset = read_price(
        asset,
        PriceRules {
            feed_id: &vault.feed_id,
            max_age_secs: vault.params.max_price_age_secs,
            max_conf_bps: vault.params.max_conf_bps,
            not_before: vault.last_publish_time,
        },
        &c,
    )?;
    let crt = read_price(crt, crt_rules(config, vault.crt_last_publish_time), &c)?;
    Ok(Prices { asset, crt })
}

/// What `rebalance` would do now. `pool` and `vault` are copies; they come back as the program
/// would leave them.
#[allow(clippy::too_many_arguments)]
pub fn rebalance(config: &Config, pool: &mut Pool, vault: &mut Vault, supply: u64, px: &Prices, at: At, bounty_eligible: bool) -> Result<RebalancePlan> {
    plan(config, pool, vault, Shares(supply), px, at.unix_timestamp, at.slot, bounty_eligible)
}

/// What a mint of `usdc` and `crt` would pay out, fees included.
pub fn mint(config: &Config, pool: &Pool, vault: &Vault, supply: u64, px: &Prices, usdc: u64, crt: u64) -> Result<MintQuote> {
    let (mut pool, mut vault) = (pool.clone(), vault.clone());
    settle_state(&mut vault, &mut pool, config, px)?;
    quote_mint(&vault.book(), Shares(supply), px, config.crt(), Usd(usdc), TokenAmount(crt), vault.params.mint_fee())
        .map_err(|e| turbo::error::TurboError::from(e).into())
}

/// What redeeming `amount` tokens would pay out, fees included.
pub fn redeem(config: &Config, pool: &Pool, vault: &Vault, supply: u64, px: &Prices, amount: u64) -> Result<RedeemQuote> {
    let (mut pool, mut vault) = (pool.clone(), vault.clone());
    settle_state(&mut vault, &mut pool, config, px)?;
    quote_redeem(&vault.book(), Shares(supply), Shares(amount), px, config.crt(), vault.params.redeem_fee())
        .map_err(|e| turbo::error::TurboError::from(e).into())
}
