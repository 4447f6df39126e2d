//! A custody: the pool's holding of one asset's SPL token, the hedge of the asset's net long
//! (docs/design.md §5.6). Its book (owned, locked) and hot parameters live in the pool's
//! `Hedge` slot, so a mint, redeem or rebalance needs no extra account; this account holds its
//! token addresses and what only the swap and the LP instructions in the asset read.

use anchor_lang::prelude::*;
use turbo_math::{Bps, Impact};

use crate::constants::*;
use crate::error::TurboError;

pod_params! {
/// A custody's parameters, set at its creation and changed through the timelock once anyone
/// else's money is in.
#[cfg_attr(feature = "serde", derive(serde::Deserialize))]
pub struct CustodyParams {
    /// The largest share of the custody that may be locked, bps.
    pub max_util_bps: u16,
    /// The utilization the swap impact steers toward, bps (at most `max_util_bps`).
    pub target_util_bps: u16,
    /// The utilization fee a year on the locked value: `base + slope · u`, bps.
    pub util_base_bps: u16,
    pub util_slope_bps: u16,
    /// Every trade with the custody (swap, LP deposit or withdrawal in the asset) pays this, bps.
    pub swap_fee_bps: u16,
    /// The impact's marginal rate: `slope` bps per 100% of the pool's value of distance from
    /// the target, at most `max` bps.
    pub impact_slope_bps: u16,
    pub impact_max_bps: u16,
    /// The most a slot's trades with the custody may move, micro-USD.
    pub max_trade_per_slot: u64,
}
}

impl CustodyParams {
    pub fn validate(&self) -> Result<()> {
        require!(self.max_util_bps > 0 && self.max_util_bps <= MAX_UTILIZATION_BPS, TurboError::HedgeParamsOutOfBounds);
        require!(self.target_util_bps > 0 && self.target_util_bps <= self.max_util_bps, TurboError::HedgeParamsOutOfBounds);
        require!(self.util_base_bps <= MAX_UTIL_FEE_BPS && self.util_slope_bps <= MAX_UTIL_FEE_BPS, TurboError::HedgeParamsOutOfBounds);
        require!(self.swap_fee_bps <= MAX_SWAP_FEE_BPS && self.impact_max_bps <= MAX_IMPACT_BPS, TurboError::HedgeParamsOutOfBounds);
        require!(self.max_trade_per_slot > 0, TurboError::HedgeParamsOutOfBounds);
        Ok(())
    }

    pub fn impact(&self) -> Impact {
        Impact { slope: Bps(self.impact_slope_bps as u64), max: Bps(self.impact_max_bps as u64) }
    }
}

/// `["custody", asset_index]`, created by the admin for an asset slot that has a vault.
#[account(zero_copy)]
#[repr(C, packed)]
#[derive(InitSpace, Debug)]
pub struct Custody {
    /// The layout version (`LAYOUT_VERSION`).
    pub version: u8,
    /// The pool's asset slot this custody hedges (its feed prices the token).
    pub asset_index: u8,
    pub bump: u8,
    pub reserve_bump: u8,
    /// The asset's SPL token (wrapped SOL, a BTC token).
    pub mint: Pubkey,
    /// The pool's token account of it, `["custody_reserve", asset_index]`, owned by the pool.
    pub reserve: Pubkey,
    /// The asset's Pyth feed, copied from its slot.
    pub feed_id: [u8; 32],
    pub params: CustodyParams,
    /// The slot of the last trade with the custody, and the value traded in it, micro-USD.
    pub trade_slot: u64,
    pub slot_traded: u64,
    /// Lifetime value traded in and out through swaps, micro-USD.
    pub swapped_in: u64,
    pub swapped_out: u64,
    /// Lifetime fees less rebates of every trade with the custody, micro-USD (negative: the
    /// pool paid more rebates than it earned fees).
    pub trade_fees: i64,
    /// Zero; room for what the coming work adds (docs/design.md §2, "Layout").
    pub reserved: [u8; CUSTODY_RESERVED],
}

impl Custody {
    /// Record a trade of `value` in `slot`, refused past the per-slot bound.
    pub fn record_trade(&mut self, slot: u64, value: u64) -> Result<()> {
        let traded = if self.trade_slot == slot { self.slot_traded } else { 0 };
        let total = traded.saturating_add(value);
        require!(total <= self.params.max_trade_per_slot, TurboError::SwapSizeExceeded);
        (self.trade_slot, self.slot_traded) = (slot, total);
        Ok(())
    }
}
