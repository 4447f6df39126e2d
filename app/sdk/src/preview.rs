//! Previews of what an instruction will do, computed by the program's own code on decoded
//! copies of the accounts: `turbo-math` for mint and redeem quotes, and the program's
//! `rebalance::plan` for rebalances. A preview can only disagree with the chain if the
//! accounts or the clock change before the transaction lands.

use anchor_lang::prelude::{Pubkey, Result};
use pyth_solana_receiver_sdk::price_update::PriceUpdateV2;
use turbo::engine::rebalance::{plan, RebalancePlan};
use turbo::state::{Config, Pool, Vault};
use turbo::oracle::Caller;
use turbo::engine::settle::settle_state;
use turbo::engine::lp::{Valued, Valuing};
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

/// Read both prices for `vault` through the program's oracle gate for `caller`, recording them
/// in `pool`'s price marks as the program would (pass a copy).
pub fn prices(config: &Config, pool: &mut Pool, vault: &Vault, asset: &PriceUpdateV2, crt: &PriceUpdateV2, at: At, caller: Caller) -> Result<Prices> {
    turbo::engine::settle::read_vault_prices(vault, pool, config, asset, Some(crt), &clock(at), caller)
}

/// The prices a redeem of `vault` reads: the hard confidence bound, CRT only when the vault holds
/// some, none at all for a retired vault.
pub fn redeem_prices(config: &Config, pool: &mut Pool, vault: &Vault, asset: &PriceUpdateV2, crt: &PriceUpdateV2, at: At) -> Result<Prices> {
    if vault.is_retired() {
        return Ok(turbo::engine::settle::retired_prices(vault));
    }
    let crt = (vault.crt_balance > 0).then_some(crt);
    turbo::engine::settle::read_vault_prices(vault, pool, config, asset, crt, &clock(at), Caller::Redeemer)
}

/// What `rebalance` would do now. `pool` and `vault` are copies; they come back as the program
/// would leave them.
pub fn rebalance(config: &Config, pool: &mut Pool, vault: &mut Vault, supply: u64, px: &Prices, at: At, bounty_eligible: bool) -> Result<RebalancePlan> {
    plan(config, pool, vault, Shares(supply), px, at.unix_timestamp, bounty_eligible)
}

/// What a mint of `usdc` and `crt` would pay out, fees included.
pub fn mint(config: &Config, pool: &Pool, vault: &Vault, supply: u64, px: &Prices, usdc: u64, crt: u64) -> Result<MintQuote> {
    let (mut pool, mut vault) = (pool.clone(), vault.clone());
    settle_state(&mut vault, &mut pool, config, px)?;
    quote_mint(&vault.book(), Shares(supply), px, config.crt(), Usd(usdc), TokenAmount(crt), vault.params.mint_fee())
        .map_err(|e| turbo::error::TurboError::from(e).into())
}

/// What redeeming `amount` tokens would pay out, fees included (in kind for a retired vault).
pub fn redeem(config: &Config, pool: &Pool, vault: &Vault, supply: u64, px: &Prices, amount: u64) -> Result<RedeemQuote> {
    let (mut pool, mut vault) = (pool.clone(), vault.clone());
    settle_state(&mut vault, &mut pool, config, px)?;
    let fee = vault.params.redeem_fee();
    if vault.is_retired() {
        turbo_math::quote_redeem_in_kind(&vault.book(), Shares(supply), Shares(amount), fee)
    } else {
        quote_redeem(&vault.book(), Shares(supply), Shares(amount), px, config.crt(), fee)
    }
    .map_err(|e| turbo::error::TurboError::from(e).into())
}

/// The pool's valuation leaning `bias`, as an LP instruction computes it: every registered vault
/// in `vaults` with the key and contents of the price update it names, CRT at `crt`, through the
/// user gate at `at`. `pool` is a copy and comes back with the prices recorded.
pub fn value_pool(
    config: &Config,
    pool: &mut Pool,
    vaults: &[(&Vault, Pubkey, &PriceUpdateV2)],
    crt: &PriceUpdateV2,
    bias: turbo_math::Bias,
    lp_supply: u64,
    at: At,
) -> Result<Valued> {
    let clock = clock(at);
    let mut v = Valuing::begin(config, pool, crt, bias, &clock)?;
    for (vault, key, update) in vaults {
        v.add(config, pool, vault, *key, update, &clock)?;
    }
    v.finish(lp_supply)
}

/// LP shares for depositing `usdc`.
pub fn lp_deposit(value_high: Usd, lp_supply: u64, usdc: u64) -> Result<Shares> {
    turbo_math::lp_shares_for_deposit(Usd(usdc), Shares(lp_supply), value_high).map_err(|e| turbo::error::TurboError::from(e).into())
}

/// USDC and CRT paid for burning `shares`, from a low-biased valuation.
pub fn lp_withdraw(config: &Config, pool: &Pool, valued: &Valued, lp_supply: u64, shares: u64) -> Result<(Usd, TokenAmount)> {
    let value_out = turbo_math::lp_value_for_shares(Shares(shares), Shares(lp_supply), valued.value)
        .map_err(|e| anchor_lang::error::Error::from(turbo::error::TurboError::from(e)))?;
    turbo::engine::lp::withdrawal_payout(pool, config, &valued.valuation, value_out, &valued.crt)
}

/// What a vault looks like once settled at current prices.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Metrics {
    /// NAV at mid, micro-USD.
    pub nav: Usd,
    /// Signed leverage at mid; `None` without positive risk equity.
    pub leverage: Option<turbo_math::Lev>,
    /// Price per UI token, micro-USD.
    pub ui_price: Usd,
    /// Annualized volatility estimate, bps.
    pub vol_bps: u64,
}

/// Settle copies of `pool` and `vault` at `px` with the program's own settlement and read off
/// NAV, leverage and the UI token price.
pub fn metrics(config: &Config, pool: &Pool, vault: &Vault, supply: u64, px: &Prices) -> Result<Metrics> {
    let (mut pool, mut vault) = (pool.clone(), vault.clone());
    settle_state(&mut vault, &mut pool, config, px)?;
    let map = |e: turbo_math::MathError| anchor_lang::error::Error::from(turbo::error::TurboError::from(e));
    let book = vault.book();
    let nav = Usd(book.nav_floor(px.asset.mid, px.crt.mid, config.crt()).map_err(map)?.0.max(0) as u64);
    Ok(Metrics {
        nav,
        leverage: book.leverage(px.asset.mid, px.crt.mid, config.crt()).map_err(map)?,
        ui_price: turbo_math::ui_token_price(nav, Shares(supply.max(1)), vault.split_count).map_err(map)?,
        vol_bps: turbo_math::annualized_vol_bps(vault.volatility).map_err(map)?,
    })
}
