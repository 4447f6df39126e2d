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
    let (gross_cap, net_cap) = pool.caps();
    let new = Exposure(vault.exposure);
    if new.0.unsigned_abs() > old.0.unsigned_abs() {
        let cap = turbo_math::exposure_cap(value, gross_cap).or_math()?;
        if pool.gross_notional()? > cap {
            return Ok(Some(TurboError::PoolCapacityExceeded));
        }
    }
    let book = pool.assets[vault.asset_index as usize].book();
    let grows_heavy_side = (new.0 > old.0 && book.long_heavy()) || (new.0 < old.0 && book.short > book.long);
    if grows_heavy_side && book.net() > turbo_math::exposure_cap(value, net_cap).or_math()? {
        return Ok(Some(TurboError::ImbalanceCapExceeded));
    }
    Ok(None)
}

/// Fail with the cap `vault`'s move breaks, if any.
pub fn check_caps(pool: &Pool, vault: &Vault, old: Exposure, crt: Option<(&Prices, u8)>) -> Result<()> {
    let value = pool_book_value(pool, crt)?;
    match cap_breach(pool, vault, old, value)? {
        Some(e) => Err(error!(e)),
        None => Ok(()),
    }
}

/// `(net cap, net)` when `vault` is on the heavy side of its asset and the pool's net exposure
/// is over its cap; the rebalance then lowers the vault's target (docs/design.md §5.5).
pub fn imbalance_for(pool: &Pool, vault: &Vault, value: Usd) -> Result<Option<(Usd, Usd)>> {
    let book = pool.assets[vault.asset_index as usize].book();
    let heavy = if vault.exposure < 0 || vault.params.target_leverage < 0 { book.short > book.long } else { book.long_heavy() };
    let cap = turbo_math::exposure_cap(value, pool.caps().1).or_math()?;
    Ok((heavy && book.net() > cap).then_some((cap, book.net())))
}
