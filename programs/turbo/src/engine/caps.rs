//! The pool's caps on the exposure it backs (docs/design.md §5.5; docs/decisions.md, "Caps on mint versus on withdrawal"): what a move may not break,
//! and the imbalance that lowers the heavy side's target.

use anchor_lang::prelude::*;
use turbo_math::{Exposure, Prices, Usd};

use crate::error::{MathResultExt, TurboError};
use crate::state::{Pool, Vault};

/// The pool's settled book value that caps are measured against: free USDC plus free CRT at
/// the mid price (zero when no CRT price is at hand), less what the pool owes vaults' claims.
pub fn pool_book_value(pool: &Pool, crt: Option<(&Prices, u8)>) -> Result<Usd> {
    let free = pool.free_book()?;
    let crt_value = match crt {
        Some((px, decimals)) => free.crt.value_floor(decimals, px.crt.mid).or_math()?,
        None => Usd(0),
    };
    Ok(Usd(free.usdc.checked_add(crt_value).or_math()?.0.saturating_sub(pool.claims_owed)))
}

/// Which cap, if any, `vault`'s move from `old` to its current exposure breaks (docs/design.md §2,
/// §5.5): a move that grows |q| must keep the gross notional under its cap, and a move that
/// grows its asset's heavy side must leave the net imbalance under the net cap. Moves that
/// shrink risk are always allowed.
pub fn cap_breach(pool: &Pool, vault: &Vault, old: Exposure, value: Usd) -> Result<Option<TurboError>> {
    let new = Exposure(vault.exposure);
    if new.0.unsigned_abs() > old.0.unsigned_abs() {
        let cap = turbo_math::exposure_cap(value, pool.hard_caps().0).or_math()?;
        if pool.gross_notional()? > cap {
            return Ok(Some(TurboError::PoolCapacityExceeded));
        }
    }
    let book = pool.assets[vault.asset_index as usize].book();
    let grows_heavy_side = (new.0 > old.0 && book.long_heavy()) || (new.0 < old.0 && book.short > book.long);
    if grows_heavy_side {
        let (hard, risk) = net_caps(pool, vault, value)?;
        if book.net() > hard {
            return Ok(Some(TurboError::ImbalanceCapExceeded));
        }
        if risk.is_some_and(|r| book.net() > r) {
            return Ok(Some(TurboError::RiskCapExceeded));
        }
    }
    Ok(None)
}

/// The caps on the net exposure of `vault`'s asset at pool value `value`: the hard cap, and the
/// risk cap at the asset's volatility estimate when it is on (docs/design.md §5.5).
pub fn net_caps(pool: &Pool, vault: &Vault, value: Usd) -> Result<(Usd, Option<Usd>)> {
    let hard = turbo_math::exposure_cap(value, pool.hard_caps().1).or_math()?;
    let vol = turbo_math::daily_vol_bps(pool.assets[vault.asset_index as usize].variance_rate).or_math()?;
    let risk = pool.caps.risk_limits().net_cap(value, vol).or_math()?;
    Ok((hard, risk))
}

/// The tighter of the two net caps.
pub fn net_cap(pool: &Pool, vault: &Vault, value: Usd) -> Result<Usd> {
    let (hard, risk) = net_caps(pool, vault, value)?;
    Ok(risk.map_or(hard, |r| r.min(hard)))
}

/// Fail with the cap `vault`'s move breaks, if any.
pub fn check_caps(pool: &Pool, vault: &Vault, old: Exposure, crt: Option<(&Prices, u8)>) -> Result<()> {
    let value = pool_book_value(pool, crt)?;
    match cap_breach(pool, vault, old, value)? {
        Some(e) => Err(error!(e)),
        None => Ok(()),
    }
}

/// Whether `vault` is on the heavy side of its asset's book.
pub fn on_heavy_side(pool: &Pool, vault: &Vault) -> bool {
    let book = pool.assets[vault.asset_index as usize].book();
    if vault.exposure < 0 || vault.params.target_leverage < 0 {
        book.short > book.long
    } else {
        book.long_heavy()
    }
}

/// `(net cap, net)` when `vault` is on the heavy side of its asset and the pool's net exposure
/// is over the tighter of its caps; the rebalance then lowers the vault's target, so exposure
/// comes down as σ rises or the pool shrinks, not only when someone mints (docs/design.md §5.5).
pub fn imbalance_for(pool: &Pool, vault: &Vault, value: Usd) -> Result<Option<(Usd, Usd)>> {
    let net = pool.assets[vault.asset_index as usize].book().net();
    let cap = net_cap(pool, vault, value)?;
    Ok((on_heavy_side(pool, vault) && net > cap).then_some((cap, net)))
}

/// The skew funding `vault` owes for the time since it was last charged, at `px`: on the heavy
/// side of its asset, `|q|·P · max_rate · min(1, net / cap) · Δt` (rounded up); nothing on the
/// light side, with no exposure, or with no rate.
pub fn funding_due(pool: &Pool, vault: &Vault, config: &crate::state::Config, px: &Prices) -> Result<Usd> {
    let max = pool.caps.funding_max_bps_per_day;
    if max == 0 || vault.exposure == 0 || !on_heavy_side(pool, vault) {
        return Ok(Usd(0));
    }
    let crt = (px.crt != crate::engine::settle::UNREAD_CRT).then_some((px, config.crt_decimals));
    let value = pool_book_value(pool, crt)?;
    let net = pool.assets[vault.asset_index as usize].book().net();
    let cap = net_cap(pool, vault, value)?;
    let notional = Exposure(vault.exposure).abs_notional_ceil(px.asset.mid).or_math()?;
    let dt = px.asset.publish_time.saturating_sub(vault.funding_ts);
    turbo_math::funding_charge(notional, turbo_math::Bps(max as u64), net, cap, dt).or_math()
}
