//! Trades with a custody (docs/design.md §5.6): a swap between the custody and the pool's USDC,
//! and an LP deposit or withdrawal in the asset. Each is valued at the oracle price against the
//! trader (the window's low for what comes in, its high for what goes out), pays the custody's
//! base fee, and pays or earns the impact of moving the custody's distance from its target, so
//! arbitrageurs move the hedge toward where the vaults' net long needs it. A slot's trades are
//! bounded. Locked tokens never leave. Pure state: the handlers move the tokens.

use anchor_lang::prelude::*;
use turbo_math::{
    lp_shares_for_deposit, lp_value_for_shares, target_owned, Bps, Exposure, OraclePrice, Price, Shares, SignedUsd, TokenAmount, Usd,
};

use crate::engine::lp::{residual_at, Valued};
use crate::error::{CheckedExt, MathResultExt, TurboError};
use crate::events::{CustodyDepositedEvent, CustodySwappedEvent, CustodyWithdrawnEvent};
use crate::state::{Config, Custody, Hedge, Pause, Pool};

/// The custody's distance from its target, micro-USD at `p`: its owned value less the value
/// that would leave the lock at the target utilization.
fn distance(h: &Hedge, owned: TokenAmount, p: Price) -> Result<i128> {
    let target = target_owned(Exposure(h.net_exposure), h.decimals, Bps(h.target_util_bps as u64)).or_math()?;
    let have = owned.value_floor(h.decimals, p).or_math()?;
    let want = target.value_floor(h.decimals, p).or_math()?;
    Ok(have.0 as i128 - want.0 as i128)
}

/// What the impact's curve is measured against: the pool's free USDC and this custody at `p`.
fn impact_scale(pool: &Pool, h: &Hedge, p: Price) -> Result<Usd> {
    let custody = TokenAmount(h.owned).value_floor(h.decimals, p).or_math()?;
    Ok(Usd(pool.free_book()?.usdc.0.saturating_add(custody.0).max(1)))
}

/// The fee of a trade worth `value` that moves the custody from `owned` to `after`: the base fee
/// (rounded up) plus the impact (a fee rounded up, a rebate rounded down).
fn trade_fee(pool: &Pool, custody: &Custody, h: &Hedge, value: Usd, after: TokenAmount, p: Price) -> Result<SignedUsd> {
    let base = Bps(custody.params.swap_fee_bps as u64).of_ceil(value.0).or_math()?;
    let (x0, x1) = (distance(h, TokenAmount(h.owned), p)?, distance(h, after, p)?);
    let impact = custody.params.impact().of_move(x0, x1, impact_scale(pool, h, p)?).or_math()?;
    Ok(SignedUsd((base as i64).checked_add(impact.0).or_overflow()?))
}

/// `value − fee`, never negative: what a trade credits.
fn net_of(value: Usd, fee: SignedUsd) -> Usd {
    Usd((value.0 as i128 - fee.0 as i128).clamp(0, u64::MAX as i128) as u64)
}

/// The refusals of a trade that need no price: a paused swap or deposit, nothing asked.
fn check_trade(config: &Config, flag: Pause, amount: u64, now: i64) -> Result<()> {
    let err = match flag {
        Pause::SWAP => TurboError::SwapPaused,
        Pause::DEPOSIT => TurboError::DepositPaused,
        _ => TurboError::WithdrawPaused,
    };
    if config.is_paused(flag, now) {
        return Err(error!(err));
    }
    require!(amount > 0, TurboError::ZeroAmount);
    Ok(())
}

/// What a swap asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SwapRequest {
    pub user: Pubkey,
    /// True: `amount_in` raw units of the asset in, USDC out. False: `amount_in` USDC in, the
    /// asset out.
    pub asset_in: bool,
    pub amount_in: u64,
    pub min_amount_out: u64,
}

/// A swap, decided and booked.
#[derive(Clone, Debug)]
pub struct SwapPlan {
    pub amount_out: u64,
    pub event: CustodySwappedEvent,
}

pub fn check_swap(config: &Config, req: &SwapRequest, now: i64) -> Result<()> {
    check_trade(config, Pause::SWAP, req.amount_in, now)
}

/// Swap with `custody` at `px` (read through the user gate for the asset) in `slot`.
pub fn swap(
    pool: &mut Pool,
    custody: &mut Custody,
    custody_key: Pubkey,
    px: &OraclePrice,
    req: &SwapRequest,
    slot: u64,
) -> Result<SwapPlan> {
    let i = custody.asset_index as usize;
    let h = pool.hedges[i];
    // The slot's bound first: a trade too large for it is refused whatever else holds.
    let value = if req.asset_in { TokenAmount(req.amount_in).value_floor(h.decimals, px.lo).or_math()? } else { Usd(req.amount_in) };
    custody.record_trade(slot, value.0)?;
    let (amount_out, fee, price) = if req.asset_in {
        let after = TokenAmount(h.owned.checked_add(req.amount_in).or_overflow()?);
        let fee = trade_fee(pool, custody, &h, value, after, px.mid)?;
        let out = net_of(value, fee);
        // Paid from the pool's free USDC beyond what it owes vaults' claims.
        let payable = pool.free_book()?.usdc.0.saturating_sub(pool.claims_owed);
        require!(out.0 <= payable, TurboError::PoolLiquidityInsufficient);
        pool.hedges[i].owned = after.0;
        pool.usdc_balance = pool.usdc_balance.checked_sub(out.0).or_overflow()?;
        (out.0, fee, px.lo)
    } else {
        // The impact is measured on the whole gross amount at the high price, a little more than
        // leaves: against the trader.
        let gross = TokenAmount::for_value_floor(value, h.decimals, px.hi).or_math()?;
        let after = TokenAmount(h.owned.saturating_sub(gross.0));
        let fee = trade_fee(pool, custody, &h, value, after, px.mid)?;
        let out = TokenAmount::for_value_floor(net_of(value, fee), h.decimals, px.hi).or_math()?;
        require!(out <= h.book().withdrawable().or_math()?, TurboError::CustodyLocked);
        pool.hedges[i].owned = h.owned.checked_sub(out.0).or_overflow()?;
        pool.usdc_balance = pool.usdc_balance.checked_add(req.amount_in).or_overflow()?;
        (out.0, fee, px.hi)
    };
    require!(amount_out > 0, TurboError::MintTooSmall);
    require!(amount_out >= req.min_amount_out, TurboError::SlippageExceeded);
    pool.hedges[i].relock()?;
    if req.asset_in {
        custody.swapped_in = custody.swapped_in.saturating_add(value.0);
    } else {
        custody.swapped_out = custody.swapped_out.saturating_add(value.0);
    }
    custody.trade_fees = custody.trade_fees.saturating_add(fee.0);
    let event = CustodySwappedEvent {
        custody: custody_key,
        user: req.user,
        asset_in: req.asset_in,
        amount_in: req.amount_in,
        amount_out,
        value: value.0,
        fee: fee.0,
        price: price.0,
        owned_after: pool.hedges[i].owned,
        locked_after: pool.hedges[i].locked,
    };
    Ok(SwapPlan { amount_out, event })
}

/// What an LP deposit or withdrawal in a custody's token asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CustodyLpRequest {
    pub provider: Pubkey,
    /// Raw units to deposit, or LP shares to burn.
    pub amount: u64,
    /// The fewest shares out, or raw units out.
    pub min_out: u64,
}

/// An LP trade in a custody's token, decided and booked.
#[derive(Clone, Debug)]
pub struct CustodyDepositPlan {
    pub shares_out: Shares,
    pub event: CustodyDepositedEvent,
}

#[derive(Clone, Debug)]
pub struct CustodyWithdrawPlan {
    pub amount_out: TokenAmount,
    pub event: CustodyWithdrawnEvent,
}

pub fn check_custody_deposit(config: &Config, req: &CustodyLpRequest) -> Result<()> {
    check_trade(config, Pause::DEPOSIT, req.amount, 0)
}

pub fn check_custody_withdraw(config: &Config, req: &CustodyLpRequest, now: i64) -> Result<()> {
    check_trade(config, Pause::WITHDRAW, req.amount, now)
}

/// The custody's price in a valuation: an LP trade in its token needs one.
fn priced(valued: &Valued, i: usize) -> Result<OraclePrice> {
    valued.asset_prices[i].ok_or_else(|| error!(TurboError::PriceAccountMissing))
}

/// Deposit `req.amount` of the custody's token into a pool valued (high) at `valued`: credited at
/// the asset's low price less the base fee and the impact, shares at the pool's value.
#[allow(clippy::too_many_arguments)]
pub fn deposit(
    config: &Config,
    pool: &mut Pool,
    custody: &mut Custody,
    custody_key: Pubkey,
    valued: &Valued,
    lp_supply: u64,
    req: &CustodyLpRequest,
    slot: u64,
) -> Result<CustodyDepositPlan> {
    let i = custody.asset_index as usize;
    let px = priced(valued, i)?;
    let h = pool.hedges[i];
    let value = TokenAmount(req.amount).value_floor(h.decimals, px.lo).or_math()?;
    let after = TokenAmount(h.owned.checked_add(req.amount).or_overflow()?);
    let fee = trade_fee(pool, custody, &h, value, after, px.mid)?;
    let credited = net_of(value, fee);
    let shares = lp_shares_for_deposit(credited, Shares(lp_supply), valued.value).or_math()?;
    require!(shares.0 > 0, TurboError::MintTooSmall);
    require!(shares.0 >= req.min_out, TurboError::SlippageExceeded);
    custody.record_trade(slot, value.0)?;
    custody.trade_fees = custody.trade_fees.saturating_add(fee.0);
    pool.hedges[i].owned = after.0;
    pool.hedges[i].relock()?;
    if req.provider != config.admin {
        pool.launch();
    }
    let event = CustodyDepositedEvent {
        custody: custody_key,
        provider: req.provider,
        amount_in: req.amount,
        value: value.0,
        fee: fee.0,
        shares_out: shares.0,
        pool_value: valued.value.0,
        lp_supply_after: lp_supply.checked_add(shares.0).or_overflow()?,
        owned_after: after.0,
    };
    Ok(CustodyDepositPlan { shares_out: shares, event })
}

/// Withdraw `req.amount` shares in the custody's token from a pool valued (low) at `valued`: the
/// shares' value less the base fee and the impact, paid at the asset's high price, from what may
/// leave the custody; refused if what is left breaks the hard caps, as any withdrawal.
#[allow(clippy::too_many_arguments)]
pub fn withdraw(
    pool: &mut Pool,
    custody: &mut Custody,
    custody_key: Pubkey,
    valued: &Valued,
    lp_supply: u64,
    req: &CustodyLpRequest,
    slot: u64,
) -> Result<CustodyWithdrawPlan> {
    let i = custody.asset_index as usize;
    let px = priced(valued, i)?;
    let h = pool.hedges[i];
    let value = lp_value_for_shares(Shares(req.amount), Shares(lp_supply), valued.value).or_math()?;
    let gross = TokenAmount::for_value_floor(value, h.decimals, px.hi).or_math()?;
    let fee = trade_fee(pool, custody, &h, value, TokenAmount(h.owned.saturating_sub(gross.0)), px.mid)?;
    let out = TokenAmount::for_value_floor(net_of(value, fee), h.decimals, px.hi).or_math()?;
    require!(out.0 > 0, TurboError::MintTooSmall);
    require!(out.0 >= req.min_out, TurboError::SlippageExceeded);
    require!(out <= h.book().withdrawable().or_math()?, TurboError::CustodyLocked);
    custody.record_trade(slot, value.0)?;
    custody.trade_fees = custody.trade_fees.saturating_add(fee.0);
    pool.hedges[i].owned = h.owned.checked_sub(out.0).or_overflow()?;
    pool.hedges[i].relock()?;
    // What is left must still back every vault under the hard caps.
    let value_after = Usd(valued.value.0.saturating_sub(value.0));
    let (gross_cap, net_cap) = pool.hard_caps();
    require!(pool.gross_notional()? <= turbo_math::exposure_cap(value_after, gross_cap).or_math()?, TurboError::WithdrawalBreaksCaps);
    let net_limit = turbo_math::exposure_cap(value_after, net_cap).or_math()?;
    for a in 0..pool.asset_count as usize {
        require!(residual_at(pool, a, valued.asset_prices[a])? <= net_limit, TurboError::WithdrawalBreaksCaps);
    }
    let event = CustodyWithdrawnEvent {
        custody: custody_key,
        provider: req.provider,
        shares_burned: req.amount,
        value_out: value.0,
        fee: fee.0,
        amount_out: out.0,
        pool_value: valued.value.0,
        lp_supply_after: lp_supply.saturating_sub(req.amount),
        owned_after: pool.hedges[i].owned,
        locked_after: pool.hedges[i].locked,
    };
    Ok(CustodyWithdrawPlan { amount_out: out, event })
}
