//! Previews of what an instruction will do, computed by the program's own code on decoded
//! copies of the accounts: `turbo-math` for mint and redeem quotes, and the program's
//! `rebalance::plan` for rebalances. A preview can only disagree with the chain if the
//! accounts or the clock change before the transaction lands.

use anchor_lang::prelude::Result;
use pyth_solana_receiver_sdk::price_update::PriceUpdateV2;
use turbo::instructions::keeper::rebalance::{plan, RebalancePlan};
use turbo::state::{Config, Pool, Vault};
use turbo::touch::settle_state;
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
    turbo::touch::read_vault_prices(vault, config, asset, crt, &clock(at))
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

/// The pool's value leaning `bias`, over every vault in `vaults` with its price, as the LP
/// instructions compute it.
pub fn pool_value(config: &Config, pool: &Pool, vaults: &[(&Vault, Prices)], crt: &turbo_math::OraclePrice, bias: turbo_math::Bias) -> Result<Usd> {
    let mut v = turbo::valuation::start(config, pool, bias, crt)?;
    for (vault, px) in vaults {
        turbo::valuation::add(&mut v, config, vault, &px.asset)?;
    }
    v.value().map_err(|_| turbo::error::TurboError::PoolInsolvent.into())
}

/// LP shares for depositing `usdc`.
pub fn lp_deposit(value_high: Usd, lp_supply: u64, usdc: u64) -> Result<Shares> {
    turbo_math::lp_shares_for_deposit(Usd(usdc), Shares(lp_supply), value_high).map_err(|e| turbo::error::TurboError::from(e).into())
}

/// USDC and CRT paid for burning `shares`.
pub fn lp_withdraw(config: &Config, pool: &Pool, value_low: Usd, lp_supply: u64, shares: u64, crt: &turbo_math::OraclePrice) -> Result<(Usd, TokenAmount)> {
    let value_out = turbo_math::lp_value_for_shares(Shares(shares), Shares(lp_supply), value_low)
        .map_err(|e| anchor_lang::error::Error::from(turbo::error::TurboError::from(e)))?;
    turbo::valuation::withdrawal_payout(pool, config, value_out, crt)
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
