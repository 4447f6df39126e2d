//! Mint and redeem, decided and booked (docs/design.md §4): every refusal the
//! instructions raise, the settlement, the quote, the new state of the vault and the pool, the
//! fees, the token flow between vault and pool, and the events. The handlers only read prices,
//! call these, move tokens and emit; the SDK previews call the same functions.

use anchor_lang::prelude::*;
use turbo_math::{quote_mint, quote_redeem, quote_redeem_in_kind, Exposure, MintQuote, Prices, RedeemQuote, Shares, TokenAmount, Usd};

use crate::engine::caps::check_caps;
use crate::engine::fees::{charge_fee, sweep_fees};
use crate::engine::settle::{leverage_of, nav_of, settle, Settled};
use crate::error::{CheckedExt, MathResultExt, TurboError};
use crate::events::{FeesSweptEvent, MintEvent, RedeemEvent};
use crate::state::{Config, Pause, Pool, Vault};

/// What a mint asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MintRequest {
    /// The minter.
    pub user: Pubkey,
    /// USDC and CRT deposited, fees included.
    pub usdc: u64,
    pub crt: u64,
    /// Slippage guard: the fewest tokens accepted.
    pub min_tokens_out: u64,
    /// Whether the minter named a CRT account.
    pub has_crt_account: bool,
}

/// What a redeem asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RedeemRequest {
    pub user: Pubkey,
    /// Raw tokens burnt.
    pub amount: u64,
    /// Slippage guards on what is received, after fees.
    pub min_usdc_out: u64,
    pub min_crt_out: u64,
    /// Whether the redeemer named a CRT account.
    pub has_crt_account: bool,
}

/// A mint, decided and booked on the state.
#[derive(Clone, Debug)]
pub struct MintPlan {
    pub settled: Settled,
    pub quote: MintQuote,
    /// Fees swept into the pool with the settlement's transfer.
    pub swept: Option<FeesSweptEvent>,
    /// Tokens to move between the vault and the pool (the deposit itself goes user → vault).
    pub flow: crate::engine::flow::NetFlow,
    pub event: MintEvent,
}

/// A redeem, decided and booked on the state.
#[derive(Clone, Debug)]
pub struct RedeemPlan {
    pub settled: Settled,
    pub quote: RedeemQuote,
    pub swept: Option<FeesSweptEvent>,
    pub flow: crate::engine::flow::NetFlow,
    pub event: RedeemEvent,
}

/// The refusals of a mint that need no price: a retired vault, a pause, nothing deposited, CRT
/// without a CRT account.
pub fn check_mint(config: &Config, vault: &Vault, req: &MintRequest, now: i64) -> Result<()> {
    require!(!vault.is_retired(), TurboError::VaultRetired);
    require!(!(config.is_paused(Pause::MINT, now) || vault.is_paused(Pause::MINT, now)), TurboError::MintPaused);
    require!(req.usdc > 0 || req.crt > 0, TurboError::ZeroAmount);
    require!(req.crt == 0 || req.has_crt_account, TurboError::CrtAccountMissing);
    Ok(())
}

/// Mint into `vault` (its key `vault_key`, `supply` tokens out) at `px`: settle, price the
/// deposit at NAV (the worse price for the minter), refuse a wiped-out vault, an empty mint, the
/// slippage guard, the supply cap and the pool's caps, book the deposit and the exposure that
/// keeps leverage unchanged, charge the fee and sweep what a transfer carries anyway.
#[allow(clippy::too_many_arguments)]
pub fn mint(
    config: &Config,
    pool: &mut Pool,
    vault: &mut Vault,
    vault_key: Pubkey,
    supply: Shares,
    px: &Prices,
    req: &MintRequest,
) -> Result<MintPlan> {
    let settled = settle(vault_key, vault, pool, config, px)?;
    let mut flow = settled.flow;
    let nav_before = nav_of(vault, config, px);
    require!(nav_before > 0, TurboError::VaultWipedOut);

    let crt = config.crt();
    let q = quote_mint(&vault.book(), supply, px, crt, Usd(req.usdc), TokenAmount(req.crt), vault.params.mint_fee()).or_math()?;
    require!(q.shares_out.0 > 0, TurboError::MintTooSmall);
    require!(q.shares_out.0 >= req.min_tokens_out, TurboError::SlippageExceeded);
    let supply_after = supply.0.checked_add(q.shares_out.0).or_overflow()?;
    require!(supply_after <= vault.params.supply_cap, TurboError::SupplyCapExceeded);

    // From the first money of anyone but the admin on, changes that add risk wait for the
    // timelock.
    if req.user != config.admin {
        pool.launch();
    }

    // Book the deposit and the grown exposure, then check the pool can back it.
    let old_q = Exposure(vault.exposure);
    vault.usdc_balance = vault.usdc_balance.checked_add(q.net_usdc.0).or_overflow()?;
    vault.crt_balance = vault.crt_balance.checked_add(q.net_crt.0).or_overflow()?;
    vault.exposure = vault.exposure.checked_add(q.exposure_delta.0).or_overflow()?;
    let p = px.asset.mid;
    pool.rebook(vault.asset_index, old_q, p, Exposure(vault.exposure), p)?;
    check_caps(pool, vault, old_q, px, crt.decimals)?;
    charge_fee(vault, q.fee_usdc, q.fee_crt)?;
    let swept = sweep_fees(pool, vault, config.lp_fee_share(), &mut flow, false)?.event(vault_key);

    let event = MintEvent {
        vault: vault_key,
        user: req.user,
        price: px.asset.mid.0,
        conf_price: px.asset.high_for(old_q).0,
        usdc_in: req.usdc,
        crt_in: req.crt,
        fee_usdc: q.fee_usdc.0,
        fee_crt: q.fee_crt.0,
        deposit_value: q.deposit_value.0,
        nav_before,
        nav_priced: q.nav.0,
        nav_after: nav_of(vault, config, px),
        tokens_out: q.shares_out.0,
        supply_after,
        exposure_before: settled.exposure_before,
        exposure_after: vault.exposure,
        leverage_before: settled.leverage_before,
        leverage_after: leverage_of(vault, config, px),
    };
    Ok(MintPlan { settled, quote: q, swept, flow, event })
}

/// The refusals of a redeem that need no price: a pause of redeem (which expires), nothing
/// burnt.
pub fn check_redeem(config: &Config, vault: &Vault, req: &RedeemRequest, now: i64) -> Result<()> {
    require!(!(config.is_paused(Pause::REDEEM, now) || vault.is_paused(Pause::REDEEM, now)), TurboError::RedeemPaused);
    require!(req.amount > 0, TurboError::ZeroAmount);
    Ok(())
}

/// Redeem `req.amount` of `supply` tokens of `vault` at `px`: settle, pay the pro-rata share at
/// the worse price for the redeemer (in kind, with no price, for a retired vault), refuse the
/// slippage guard and CRT without a CRT account, book the payout and the shrunk exposure, charge
/// the fee and sweep what a transfer carries anyway.
pub fn redeem(
    config: &Config,
    pool: &mut Pool,
    vault: &mut Vault,
    vault_key: Pubkey,
    supply: Shares,
    px: &Prices,
    req: &RedeemRequest,
) -> Result<RedeemPlan> {
    let settled = settle(vault_key, vault, pool, config, px)?;
    let mut flow = settled.flow;
    let fee = vault.params.redeem_fee();
    let q = if vault.is_retired() {
        quote_redeem_in_kind(&vault.book(), supply, Shares(req.amount), fee)
    } else {
        quote_redeem(&vault.book(), supply, Shares(req.amount), px, config.crt(), fee)
    }
    .or_math()?;
    require!(q.usdc_out.0 >= req.min_usdc_out && q.crt_out.0 >= req.min_crt_out, TurboError::SlippageExceeded);
    require!(q.crt_out.0 == 0 || req.has_crt_account, TurboError::CrtAccountMissing);

    let old_q = Exposure(vault.exposure);
    vault.usdc_balance = vault.usdc_balance.checked_sub(q.gross_usdc.0).or_overflow()?;
    vault.crt_balance = vault.crt_balance.checked_sub(q.gross_crt.0).or_overflow()?;
    vault.exposure = vault.exposure.checked_add(q.exposure_delta.0).or_overflow()?;
    let p = px.asset.mid;
    pool.rebook(vault.asset_index, old_q, p, Exposure(vault.exposure), p)?;
    charge_fee(vault, q.fee_usdc, q.fee_crt)?;
    let swept = sweep_fees(pool, vault, config.lp_fee_share(), &mut flow, false)?.event(vault_key);

    let event = RedeemEvent {
        vault: vault_key,
        user: req.user,
        price: px.asset.mid.0,
        conf_price: px.asset.low_for(old_q).0,
        tokens_burned: req.amount,
        usdc_out: q.usdc_out.0,
        crt_out: q.crt_out.0,
        fee_usdc: q.fee_usdc.0,
        fee_crt: q.fee_crt.0,
        nav_before: q.nav.0,
        nav_redeem: q.nav_redeem.0,
        nav_after: nav_of(vault, config, px),
        // The quote refused a burn larger than the supply.
        supply_after: supply.0.saturating_sub(req.amount),
        exposure_before: settled.exposure_before,
        exposure_after: vault.exposure,
        leverage_before: settled.leverage_before,
        leverage_after: leverage_of(vault, config, px),
    };
    Ok(RedeemPlan { settled, quote: q, swept, flow, event })
}
