//! Reading a vault's prices through the oracle gate, and settling the vault against the pool
//! at them (docs/design.md §1): the first step of every instruction that touches a
//! vault. Pure state: tokens move later, as one net flow per token.

use anchor_lang::prelude::*;
use turbo_math::{Lev, OraclePrice, Price, Prices, Settlement, SignedUsd, TokenAmount, Usd};

use crate::engine::flow::NetFlow;
use crate::error::{CheckedExt, MathResultExt, TurboError};
use crate::events::VaultSettledEvent;
use crate::oracle::{use_price, Caller, PriceRules, PriceSource};
use crate::state::{Config, Pool, Vault};

/// Read the asset and CRT prices for `vault` through the oracle gate, for `caller`, and record
/// them in the pool's price marks (one price per asset: the mark is shared by every vault of the
/// asset and by the pool). The prices come back widened to the window's range; settlement uses
/// only their mid. Without a CRT update the CRT price is [`UNREAD_CRT`], which only a vault that
/// holds no CRT may settle with.
pub fn read_vault_prices(
    vault: &Vault,
    pool: &mut Pool,
    config: &Config,
    asset: &PriceSource,
    crt: Option<&PriceSource>,
    clock: &Clock,
    caller: Caller,
) -> Result<Prices> {
    let span = config.price_window_span();
    let mark = &mut pool.assets[vault.asset_index as usize].mark;
    let asset = use_price(asset, vault.price_rules(config, caller), mark, span, clock)?;
    let crt = match crt {
        Some(crt) => use_price(crt, PriceRules::crt(config, caller), &mut pool.crt_mark, span, clock)?,
        None => UNREAD_CRT,
    };
    Ok(Prices { asset, crt })
}

/// The prices an instruction on `vault` reads from the price accounts it was given: none for a
/// retired vault (it settles at [`retired_prices`]), the asset always, CRT when the instruction
/// needs it (`need_crt`) or the vault holds some. A missing account the read needs is
/// `PriceAccountMissing`.
#[allow(clippy::too_many_arguments)]
pub fn read_prices(
    vault: &Vault,
    pool: &mut Pool,
    config: &Config,
    asset: Option<&PriceSource>,
    crt: Option<&PriceSource>,
    need_crt: bool,
    clock: &Clock,
    caller: Caller,
) -> Result<Prices> {
    if vault.is_retired() {
        return Ok(retired_prices(vault));
    }
    let asset = asset.ok_or(TurboError::PriceAccountMissing)?;
    let crt = match (need_crt || vault.crt_balance > 0, crt) {
        (false, _) => None,
        (true, Some(c)) => Some(c),
        (true, None) => return err!(TurboError::PriceAccountMissing),
    };
    read_vault_prices(vault, pool, config, asset, crt, clock, caller)
}

/// The CRT price of an instruction that did not read one (a redeem of a vault that holds no
/// CRT: the review's M-4; a retired vault, which is flat). Settlement then keeps the pool's CRT
/// out of reach, and the vault either holds none or has no exposure to lose on, so no CRT moves
/// and this value never counts; it is the largest price, so any CRT amount it would buy rounds
/// to nothing.
pub const UNREAD_CRT: OraclePrice = OraclePrice { lo: Price(u64::MAX), mid: Price(u64::MAX), hi: Price(u64::MAX), publish_time: 0 };

/// The prices a retired vault settles at: its last settlement price (it is flat, so the price
/// moves nothing) and no CRT price.
pub fn retired_prices(vault: &Vault) -> Prices {
    Prices { asset: OraclePrice::exact(Price(vault.settle_price), vault.vol_sample_time), crt: UNREAD_CRT }
}

/// Take a volatility sample at the asset's price when one is due (`turbo_math::sample_variance`),
/// into a variance rate and its last sample's price and time.
/// Values in and out: the fields live in packed accounts, which lend no references.
fn sample_vol(variance_rate: u64, sample_price: u64, sample_time: i64, px: &Prices) -> Result<(u64, u64, i64)> {
    let sample =
        turbo_math::sample_variance(variance_rate, Price(sample_price), sample_time, px.asset.mid, px.asset.publish_time).or_math()?;
    Ok(match sample {
        Some(v) => (v, px.asset.mid.0, px.asset.publish_time),
        None => (variance_rate, sample_price, sample_time),
    })
}

/// Settle `vault` at the mid price: realize its PnL against the pool's free balances (a gain the
/// pool cannot pay stays the vault's claim, paid ahead of new gains), record bad debt, move its
/// notional in the pool's asset book, take a volatility sample when one is due, and count.
/// Pure state: tokens move later through [`NetFlow`], and [`settle`] emits the event. Clients
/// call this on decoded copies to preview a settlement exactly.
pub fn settle_state(vault: &mut Vault, pool: &mut Pool, config: &Config, px: &Prices) -> Result<Settlement> {
    let before = vault.book();
    let mut book = before;
    let mut free = pool.free_book()?;
    // Without a CRT price nothing may move in CRT: the vault must hold none, and the pool's is
    // kept out of reach (a gain it cannot pay in USDC stays a claim).
    let crt_read = px.crt != UNREAD_CRT;
    require!(crt_read || vault.crt_balance == 0 || vault.exposure == 0, TurboError::CrtPriceRequired);
    let hidden_crt = if crt_read { TokenAmount(0) } else { std::mem::take(&mut free.crt) };
    // Other vaults' claims are paid before this vault's new gain.
    let reserved = Usd(pool.claims_owed.saturating_sub(vault.gain_claim));
    // The skew funding on the residual and the utilization fee on the hedge since the last
    // charge, at the book as it stood (docs/design.md §5.5–5.6); one charge, paid like a loss.
    let skew = crate::engine::caps::funding_due(pool, vault, config, px)?;
    let hedge_fee = crate::engine::caps::utilization_due(pool, vault, px)?;
    vault.funding_ts = vault.funding_ts.max(px.asset.publish_time);
    let funding = skew.checked_add(hedge_fee).or_math()?;
    let mut s = book.settle_with_funding(&mut free, reserved, funding, px.asset.mid, px.crt.mid, config.crt()).or_math()?;
    (s.funding, s.hedge_fee) = (skew, hedge_fee);
    let h = &mut pool.hedges[vault.asset_index as usize];
    h.fees_earned = h.fees_earned.checked_add(hedge_fee.0).or_overflow()?;
    free.crt = free.crt.checked_add(hidden_crt).or_math()?;
    pool.set_free_book(free)?;
    pool.rebook(vault.asset_index, before.exposure, before.settle_price, book.exposure, book.settle_price)?;
    vault.set_book(&book);
    // The vault's σ drives its own volatility budget; the asset's, sampled by every vault of
    // the asset, drives the pool's risk cap.
    (vault.variance_rate, vault.vol_sample_price, vault.vol_sample_time) =
        sample_vol(vault.variance_rate, vault.vol_sample_price, vault.vol_sample_time, px)?;
    let slot = &mut pool.assets[vault.asset_index as usize];
    (slot.variance_rate, slot.vol_sample_price, slot.vol_sample_time) =
        sample_vol(slot.variance_rate, slot.vol_sample_price, slot.vol_sample_time, px)?;
    let add = |a: u64, b: u64| a.checked_add(b).or_overflow();
    vault.bad_debt = add(vault.bad_debt, s.bad_debt.0)?;
    vault.funding_paid = add(vault.funding_paid, s.funding.0)?;
    pool.funding_earned = add(pool.funding_earned, s.funding.0)?;
    vault.unpaid_gains = add(vault.unpaid_gains, s.unpaid_gain.0)?;
    pool.bad_debt_absorbed = add(pool.bad_debt_absorbed, s.bad_debt.0)?;
    pool.unpaid_gains = add(pool.unpaid_gains, s.unpaid_gain.0)?;
    pool.claims_owed = add(pool.claims_owed.saturating_sub(s.claim_before.0), s.claim_after.0)?;
    Ok(s)
}

/// A vault settled at an instruction's prices: where every mint, redeem, rebalance and
/// retirement starts.
#[derive(Clone, Debug)]
pub struct Settled {
    pub settlement: Settlement,
    /// The event, when the settlement realized PnL, moved a claim or closed the exposure.
    pub event: Option<VaultSettledEvent>,
    /// The token movement it needs; swept fees are added to it.
    pub flow: NetFlow,
    /// Exposure and leverage (for events) once settled, before the instruction's own move.
    pub exposure_before: i64,
    pub leverage_before: i64,
}

/// [`settle_state`], with the event it announces and the flow it needs.
pub fn settle(vault_key: Pubkey, vault: &mut Vault, pool: &mut Pool, config: &Config, px: &Prices) -> Result<Settled> {
    let previous_price = vault.settle_price;
    let s = settle_state(vault, pool, config, px)?;
    let event = (s.pnl.0 != 0 || s.closed_out || s.claim_before != s.claim_after).then_some(VaultSettledEvent {
        vault: vault_key,
        price: px.asset.mid.0,
        previous_price,
        pnl: s.pnl.0,
        funding: s.funding.0,
        hedge_fee: s.hedge_fee.0,
        usdc_to_vault: s.usdc_to_vault,
        crt_to_vault: s.crt_to_vault,
        bad_debt: s.bad_debt.0,
        unpaid_gain: s.unpaid_gain.0,
        claim: s.claim_after.0,
        closed_out: s.closed_out,
        exposure: vault.exposure,
    });
    Ok(Settled {
        settlement: s,
        event,
        flow: NetFlow::from_settlement(&s),
        exposure_before: vault.exposure,
        leverage_before: leverage_of(vault, config, px),
    })
}

/// The vault's leverage at mid prices, for events: `i64::MAX` when equity is not positive, and
/// saturated there when equity is so small that leverage does not fit (the review's I-6: an
/// event must never make an instruction fail).
pub fn leverage_of(vault: &Vault, config: &Config, px: &Prices) -> i64 {
    let l: Option<Lev> = vault.book().leverage(px.asset.mid, px.crt.mid, config.crt()).unwrap_or(None);
    l.map_or(i64::MAX, |l| l.0)
}

/// NAV at mid prices, floored at zero, micro-USD, for events: zero when it cannot be valued (a
/// retired vault that holds CRT, redeemed with no CRT price), so an event never fails a call.
pub fn nav_of(vault: &Vault, config: &Config, px: &Prices) -> u64 {
    let n: SignedUsd = vault.book().nav_floor(px.asset.mid, px.crt.mid, config.crt()).unwrap_or(SignedUsd(0));
    n.0.max(0) as u64
}
