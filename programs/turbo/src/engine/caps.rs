//! The pool's caps on the exposure it backs (docs/design.md §5.5–5.6; docs/decisions.md, "Caps
//! on mint versus on withdrawal", "The hedged pool"): what a move may not break, and the
//! residual that lowers the heavy side's target.
//!
//! With a custody on an asset, the tokens locked against its net long hedge it: the hard and the
//! risk cap bound only the **residual** the lock does not cover, and the **gap cap** bounds the
//! hedged part by what a stress gap beyond `1/L` would cost. An asset without a custody has no
//! hedge, and its residual is its whole net, as before the hedged pool.

use anchor_lang::prelude::*;
use turbo_math::{Exposure, Lev, Prices, SignedUsd, Usd};

use crate::constants::MINT_CAP_SHARE_BPS;
use crate::engine::settle::UNREAD_CRT;
use crate::error::{MathResultExt, TurboError};
use crate::events::EmergencyCause;
use crate::state::{Config, Pool, Vault};

/// The pool's settled book value the caps of `vault`'s asset are measured against: free USDC,
/// free CRT at the mid price (zero without a CRT price), the asset's own custody at its mid
/// price, less what the pool owes vaults' claims. Other assets' custodies are not counted: a
/// call on one asset never leans on another asset's price.
pub fn pool_book_value(pool: &Pool, vault: &Vault, px: &Prices, crt_decimals: u8) -> Result<Usd> {
    let free = pool.free_book()?;
    let crt_value = if px.crt == UNREAD_CRT { Usd(0) } else { free.crt.value_floor(crt_decimals, px.crt.mid).or_math()? };
    let hedge = &pool.hedges[vault.asset_index as usize];
    let custody = if hedge.is_enabled() { hedge.book().owned.value_floor(hedge.decimals, px.asset.mid).or_math()? } else { Usd(0) };
    let total = free.usdc.checked_add(crt_value).or_math()?.checked_add(custody).or_math()?;
    Ok(Usd(total.0.saturating_sub(pool.claims_owed)))
}

/// The asset's net as the caps see it: `(residual, hedged)`, the net notional the custody's lock
/// does not cover and the part it does, at the asset's mid price.
pub fn residual_and_hedged(pool: &Pool, vault: &Vault, px: &Prices) -> Result<(Usd, Usd)> {
    let i = vault.asset_index as usize;
    let book = pool.assets[i].book();
    let net = book.net();
    let hedge = &pool.hedges[i];
    if !hedge.is_enabled() || !book.long_heavy() {
        return Ok((net, Usd(0)));
    }
    let locked = hedge.book().hedged_value(px.asset.mid).or_math()?;
    let hedged = Usd(locked.0.min(net.0));
    let signed = net.signed().or_math()?;
    Ok((turbo_math::residual(signed, hedged), hedged))
}

/// Who asks to grow an asset's net: a new mint, held to `MINT_CAP_SHARE_BPS` of the net caps, or
/// the holders already in (a re-leverage), who may use the headroom the mints leave
/// (docs/decisions.md, "Headroom for the holders already in").
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mover {
    Mint,
    Holders,
}

impl Mover {
    /// The share of the net caps (the gap cap, the hard and the risk cap) this mover may fill.
    fn share(self) -> turbo_math::Bps {
        match self {
            Mover::Mint => turbo_math::Bps(MINT_CAP_SHARE_BPS as u64),
            Mover::Holders => turbo_math::Bps(turbo_math::BPS_ONE),
        }
    }

    /// `cap` at this mover's share, rounded down.
    fn of(self, cap: Usd) -> Result<Usd> {
        Ok(Usd(self.share().of_floor(cap.0).or_math()?))
    }
}

/// A cap a move breaks: which, the amount it would leave, and the cap at the mover's share.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Breach {
    pub error: TurboError,
    pub after: Usd,
    pub limit: Usd,
}

/// Which cap, if any, `vault`'s move from `old` to its current exposure breaks (docs/design.md §2,
/// §5.5–5.6): a move that grows |q| must keep the gross notional under its cap; a move that grows
/// its asset's heavy side must keep the residual under the hard and the risk cap and the hedged
/// part under the gap cap, each at `mover`'s share. Moves that shrink risk are always allowed. A
/// residual over a cap while the asset's hedge is full is `HedgeFull`: more custody would have
/// covered it.
pub fn cap_breach(pool: &Pool, vault: &Vault, old: Exposure, value: Usd, px: &Prices, mover: Mover) -> Result<Option<Breach>> {
    let new = Exposure(vault.exposure);
    if new.0.unsigned_abs() > old.0.unsigned_abs() {
        let cap = turbo_math::exposure_cap(value, pool.hard_caps().0).or_math()?;
        let gross = pool.gross_notional()?;
        if gross > cap {
            return Ok(Some(Breach { error: TurboError::PoolCapacityExceeded, after: gross, limit: cap }));
        }
    }
    let i = vault.asset_index as usize;
    let book = pool.assets[i].book();
    let grows_heavy_side = (new.0 > old.0 && book.long_heavy()) || (new.0 < old.0 && book.short > book.long);
    if grows_heavy_side {
        let (residual, hedged) = residual_and_hedged(pool, vault, px)?;
        if let Some(g) = gap_cap(pool, vault, value)? {
            let limit = mover.of(g)?;
            if hedged > limit {
                return Ok(Some(Breach { error: TurboError::GapCapExceeded, after: hedged, limit }));
            }
        }
        let (hard, risk) = net_caps(pool, vault, value)?;
        let (hard, risk) = (mover.of(hard)?, risk.map(|r| mover.of(r)).transpose()?);
        let hedge = &pool.hedges[i];
        let full = hedge.is_enabled() && book.long_heavy() && hedge.book().unlocked_room().or_math()?.0 == 0;
        // The tighter cap is the one reported, with its numbers.
        let (limit, error) = match risk {
            Some(r) if r < hard => (r, TurboError::RiskCapExceeded),
            _ => (hard, TurboError::ImbalanceCapExceeded),
        };
        if residual > limit {
            let error = if full { TurboError::HedgeFull } else { error };
            return Ok(Some(Breach { error, after: residual, limit }));
        }
    }
    Ok(None)
}

/// The caps on the residual net exposure of `vault`'s asset at pool value `value`: the hard cap,
/// and the risk cap at the asset's volatility estimate when it is on (docs/design.md §5.5).
pub fn net_caps(pool: &Pool, vault: &Vault, value: Usd) -> Result<(Usd, Option<Usd>)> {
    let hard = turbo_math::exposure_cap(value, pool.hard_caps().1).or_math()?;
    let vol = turbo_math::daily_vol_bps(pool.assets[vault.asset_index as usize].variance_rate).or_math()?;
    let risk = pool.caps.risk_limits().net_cap(value, vol).or_math()?;
    Ok((hard, risk))
}

/// The tighter of the two caps on the residual.
pub fn net_cap(pool: &Pool, vault: &Vault, value: Usd) -> Result<Usd> {
    let (hard, risk) = net_caps(pool, vault, value)?;
    Ok(risk.map_or(hard, |r| r.min(hard)))
}

/// The gap cap on the hedged part of `vault`'s asset at pool value `value`, sized at the vault's
/// own |target| (docs/design.md §5.6); `None` without a custody or with the cap off.
pub fn gap_cap(pool: &Pool, vault: &Vault, value: Usd) -> Result<Option<Usd>> {
    gap_cap_at(pool, vault, value, Lev(vault.params.target_leverage))
}

/// The gap cap sized at leverage `lev`: the vaults' equity covers a fall of `1/|lev|`.
fn gap_cap_at(pool: &Pool, vault: &Vault, value: Usd, lev: Lev) -> Result<Option<Usd>> {
    if !pool.hedges[vault.asset_index as usize].is_enabled() {
        return Ok(None);
    }
    let c = &pool.caps;
    turbo_math::gap_cap(value, turbo_math::Bps(c.gap_budget_bps as u64), turbo_math::Bps(c.stress_gap_bps as u64), lev).or_math()
}

/// The net long notional a mint on `vault`'s asset may still add now: the hedge fills first (up
/// to its utilization cap, within the mint's share of the gap cap), then the residual up to the
/// mint's share of the tighter net cap; never more than the gross cap leaves. Zero for a short
/// vault's side is its own (the risk cap only).
pub fn capacity(pool: &Pool, vault: &Vault, value: Usd, px: &Prices) -> Result<Usd> {
    let (residual, hedged) = residual_and_hedged(pool, vault, px)?;
    let residual_room = Usd(Mover::Mint.of(net_cap(pool, vault, value)?)?.0.saturating_sub(residual.0));
    let gross_room = Usd(turbo_math::exposure_cap(value, pool.hard_caps().0).or_math()?.0.saturating_sub(pool.gross_notional()?.0));
    let hedge = &pool.hedges[vault.asset_index as usize];
    let long = vault.params.target_leverage > 0;
    let net_room = if hedge.is_enabled() && long {
        let room = hedge.book().unlocked_room().or_math()?.value_floor(hedge.decimals, px.asset.mid).or_math()?;
        let gap_room = match gap_cap(pool, vault, value)? {
            Some(g) => Some(Usd(Mover::Mint.of(g)?.0.saturating_sub(hedged.0))),
            None => None,
        };
        turbo_math::net_long_capacity(room, gap_room, residual_room)
    } else {
        residual_room
    };
    Ok(Usd(net_room.0.min(gross_room.0)))
}

/// Fail with the cap a new mint's move on `vault` breaks, if any, carrying its numbers as the
/// error's compared values (micro-USD): what the side would carry, and what a mint may fill.
/// Anchor logs them on chain (`Left:`, `Right:`), as klend's `xmsg!` does, and a client's preview
/// reads them, so a refused user sees how far over they were.
pub fn check_caps(pool: &Pool, vault: &Vault, old: Exposure, px: &Prices, crt_decimals: u8) -> Result<()> {
    let value = pool_book_value(pool, vault, px, crt_decimals)?;
    match cap_breach(pool, vault, old, value, px, Mover::Mint)? {
        Some(b) => Err(error!(b.error).with_values((b.after.0, b.limit.0))),
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

/// A heavy side over what the pool may carry: the room it may keep, the asset's net, and which
/// ceiling it is over.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Imbalance {
    pub room: Usd,
    pub net: Usd,
    pub cause: EmergencyCause,
}

/// The [`Imbalance`] when `vault` is on the heavy side of its asset and its net does not fit: the
/// rebalance then scales the heavy side's target by `room / net`, so exposure comes down pro rata
/// across the heavy side until it fits (docs/design.md §5.5–5.6: the emergency, never a queue).
/// - The hedged part over its gap cap (the pool's value fell or the budget was cut; no mint is
///   needed for it): `room` is the gap cap. A net long fills the hedge before any residual, so a
///   net over the gap cap has no room for a residual either. The cap is read at the vault's own
///   `leverage` when that is under its target: a rally books the hedge higher but lowers the
///   vault's loss on the stress gap faster (`N · g − E`), and is not an emergency
///   (docs/decisions.md, "A rally is not an emergency").
/// - Otherwise, the residual over the tighter of its caps: `room` is the hedged part plus the cap.
pub fn imbalance_for(pool: &Pool, vault: &Vault, value: Usd, px: &Prices, leverage: Option<Lev>) -> Result<Option<Imbalance>> {
    let net = pool.assets[vault.asset_index as usize].book().net();
    let (residual, hedged) = residual_and_hedged(pool, vault, px)?;
    let target = vault.params.target_leverage.unsigned_abs();
    let reading = Lev(leverage.map_or(target, |l| l.abs().min(target)) as i64);
    let over = match gap_cap_at(pool, vault, value, reading)? {
        Some(gap) if hedged > gap => Some((gap, EmergencyCause::GapCap)),
        _ => {
            let cap = net_cap(pool, vault, value)?;
            (residual > cap).then_some((Usd(hedged.0.saturating_add(cap.0)), EmergencyCause::ResidualCap))
        }
    };
    Ok(over.filter(|_| on_heavy_side(pool, vault)).map(|(room, cause)| Imbalance { room, net, cause }))
}

/// The skew funding `vault` owes for the time since it was last charged, at `px`: on the heavy
/// side of its asset, its share of the residual (`|q|·P · residual / net`) at
/// `max_rate · min(1, residual / cap) · Δt` (rounded up); nothing on the light side, with no
/// exposure, no rate, or a residual the hedge covers.
pub fn funding_due(pool: &Pool, vault: &Vault, config: &Config, px: &Prices) -> Result<Usd> {
    let max = pool.caps.funding_max_bps_per_day;
    if max == 0 || vault.exposure == 0 || !on_heavy_side(pool, vault) {
        return Ok(Usd(0));
    }
    let value = pool_book_value(pool, vault, px, config.crt_decimals)?;
    let net = pool.assets[vault.asset_index as usize].book().net();
    let (residual, _) = residual_and_hedged(pool, vault, px)?;
    if residual.0 == 0 || net.0 == 0 {
        return Ok(Usd(0));
    }
    let cap = net_cap(pool, vault, value)?;
    let notional = Exposure(vault.exposure).abs_notional_ceil(px.asset.mid).or_math()?;
    let share = notional.mul_div_ceil(residual.0.min(net.0), net.0).or_math()?;
    let dt = px.asset.publish_time.saturating_sub(vault.funding_ts);
    turbo_math::funding_charge(share, turbo_math::Bps(max as u64), residual, cap, dt).or_math()
}

/// The utilization fee `vault` owes for the time since it was last charged (docs/design.md §5.6):
/// a long vault on a hedged asset pays its share of the lock, `q / Σ long q`, of the locked
/// value at `px`, at the custody's yearly rate `base + slope · u`. Nothing for a short, without a
/// custody or a lock.
pub fn utilization_due(pool: &Pool, vault: &Vault, px: &Prices) -> Result<Usd> {
    let h = &pool.hedges[vault.asset_index as usize];
    if !h.is_enabled() || vault.exposure <= 0 || h.locked == 0 {
        return Ok(Usd(0));
    }
    let book = h.book();
    let rate = turbo_math::utilization_rate(
        turbo_math::Bps(h.util_base_bps as u64),
        turbo_math::Bps(h.util_slope_bps as u64),
        book.utilization().or_math()?,
    )
    .or_math()?;
    let locked = book.hedged_value(px.asset.mid).or_math()?;
    let dt = px.asset.publish_time.saturating_sub(vault.funding_ts);
    turbo_math::utilization_charge(locked, vault.exposure.unsigned_abs(), h.long_exposure, rate, dt).or_math()
}

/// The signed net notional of `vault`'s asset at `px`: what the quote reports.
pub fn signed_net(pool: &Pool, vault: &Vault) -> Result<SignedUsd> {
    let book = pool.assets[vault.asset_index as usize].book();
    let net = book.net().signed().or_math()?;
    Ok(if book.long_heavy() { net } else { SignedUsd(net.0.saturating_neg()) })
}
