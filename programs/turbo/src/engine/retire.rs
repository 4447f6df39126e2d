//! Retiring a vault (docs/design.md §4; docs/decisions.md, "Retiring a vault"): who may, at which price, and the state
//! it leaves: flat, fees swept, NAV frozen, out of the registry once the pool owes it nothing.

use anchor_lang::prelude::*;
use turbo_math::{Exposure, OraclePrice, Price, Prices};

use crate::constants::{FEED_DEAD_GRACE_SECS, FEED_DEAD_SECS};
use crate::engine::fees::sweep_fees;
use crate::engine::flow::NetFlow;
use crate::engine::settle::{settle, Settled, UNREAD_CRT};
use crate::error::TurboError;
use crate::events::{FeesSweptEvent, RetirementArmedEvent, VaultRetiredEvent};
use crate::state::{Change, Config, PendingChange, Pool, Vault};

/// How a retirement is allowed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RetirePath {
    /// The admin's queued `Change::RetireVault`, due: close at a fresh price, read as a user's
    /// (the second review's N-4: no look-back beyond the fresh-price delay).
    Admin,
    /// No instruction has priced the vault's asset for a day: arm a retirement, to be carried
    /// out after the grace period unless a live price is used first. Nothing else changes.
    ArmFeedDead,
    /// Armed a grace period ago, and still no instruction has priced the asset: close at the
    /// last settlement price, which realizes nothing.
    FeedDead,
    /// Already retired: collect what the pool owes it and leave the registry once paid.
    Finish,
}

/// Which path, if any, lets `vault` be retired now. A feed is dead only when no instruction
/// used a price of its asset for a day *and* for the whole grace period after someone said so:
/// a quiet feed that anyone can still price is not dead (the second review's N-2).
pub fn retire_path(pool: &Pool, vault: &Vault, vault_key: Pubkey, pending: Option<&PendingChange>, now: i64) -> Result<RetirePath> {
    if vault.is_retired() {
        return Ok(RetirePath::Finish);
    }
    if let Some(p) = pending {
        require!(p.change == Change::RetireVault { vault: vault_key }, TurboError::ChangeMismatch);
        require!(p.is_due(now), TurboError::TimelockNotElapsed);
        require!(!p.is_expired(now), TurboError::ChangeExpired);
        return Ok(RetirePath::Admin);
    }
    let last = pool.assets[vault.asset_index as usize].mark.last_publish_time;
    require!(now.saturating_sub(last) >= FEED_DEAD_SECS, TurboError::RetireNotAllowed);
    // An arming still stands when no price was used since it: the asset was already a day
    // unpriced when it was armed.
    let armed = vault.retire_armed_at;
    let standing = armed != 0 && armed.saturating_sub(last) >= FEED_DEAD_SECS;
    if !standing {
        return Ok(RetirePath::ArmFeedDead);
    }
    require!(now >= armed.saturating_add(FEED_DEAD_GRACE_SECS), TurboError::RetirementPending);
    Ok(RetirePath::FeedDead)
}

/// Arm a feed-dead retirement of `vault` at `now` (the path [`RetirePath::ArmFeedDead`]).
pub fn arm(pool: &Pool, vault: &mut Vault, vault_key: Pubkey, caller: Pubkey, now: i64) -> RetirementArmedEvent {
    vault.retire_armed_at = now;
    RetirementArmedEvent {
        vault: vault_key,
        by: caller,
        last_publish_time: pool.assets[vault.asset_index as usize].mark.last_publish_time,
        executable_at: now.saturating_add(FEED_DEAD_GRACE_SECS),
    }
}

/// The prices a retirement closes at when it reads none: the last settlement price, and no CRT.
pub fn unpriced(pool: &Pool, vault: &Vault) -> Prices {
    let last = pool.assets[vault.asset_index as usize].mark.last_publish_time;
    Prices { asset: OraclePrice::exact(Price(vault.settle_price), last), crt: UNREAD_CRT }
}

/// A retirement, decided and booked on the state.
#[derive(Clone, Debug)]
pub struct RetirePlan {
    pub settled: Settled,
    pub swept: Option<FeesSweptEvent>,
    pub flow: NetFlow,
    pub event: VaultRetiredEvent,
}

/// Retire `vault` at `px` by `path`: settle (collecting what the pool owes it, as far as the
/// pool can pay), close the exposure at the settlement price, sweep every fee it holds, mark it
/// retired, and take it out of the registry if the pool owes it nothing.
#[allow(clippy::too_many_arguments)]
pub fn retire(
    config: &mut Config,
    pool: &mut Pool,
    vault: &mut Vault,
    vault_key: Pubkey,
    caller: Pubkey,
    px: &Prices,
    path: RetirePath,
    now: i64,
) -> Result<RetirePlan> {
    // The feed-dead path settles at the stale settlement price: no volatility sample may come of
    // it, for the vault or the asset (the second review's N-12).
    let i = vault.asset_index as usize;
    let sigma = (vault.variance_rate, vault.vol_sample_price, vault.vol_sample_time);
    let slot_sigma = (pool.assets[i].variance_rate, pool.assets[i].vol_sample_price, pool.assets[i].vol_sample_time);
    let settled = settle(vault_key, vault, pool, config, px)?;
    if path == RetirePath::FeedDead {
        (vault.variance_rate, vault.vol_sample_price, vault.vol_sample_time) = sigma;
        let slot = &mut pool.assets[i];
        (slot.variance_rate, slot.vol_sample_price, slot.vol_sample_time) = slot_sigma;
    }
    let mut flow = settled.flow;
    let (q, p) = (Exposure(vault.exposure), Price(vault.settle_price));
    pool.rebook(vault.asset_index, q, p, Exposure(0), p)?;
    vault.exposure = 0;
    let swept = sweep_fees(pool, vault, config.lp_fee_share(), &mut flow, true)?.event(vault_key);
    if vault.retired_at == 0 {
        vault.retired_at = now;
    }
    let deregistered = vault.gain_claim == 0 && config.registered_vaults().contains(&vault_key);
    if deregistered {
        config.deregister_vault(&vault_key);
    }
    let event = VaultRetiredEvent {
        vault: vault_key,
        by: caller,
        price: vault.settle_price,
        feed_dead: path == RetirePath::FeedDead,
        usdc: vault.usdc_balance,
        crt: vault.crt_balance,
        claim: vault.gain_claim,
        deregistered,
    };
    Ok(RetirePlan { settled, swept, flow, event })
}
