//! Retiring a vault (docs/design.md §4; docs/decisions.md, "Retiring a vault"): who may, at which price, and the state
//! it leaves: flat, fees swept, NAV frozen, out of the registry once the pool owes it nothing.

use anchor_lang::prelude::*;
use turbo_math::{Exposure, OraclePrice, Price, Prices};

use crate::constants::FEED_DEAD_SECS;
use crate::engine::fees::sweep_fees;
use crate::engine::flow::NetFlow;
use crate::engine::settle::{settle, Settled, UNREAD_CRT};
use crate::error::TurboError;
use crate::events::{FeesSweptEvent, VaultRetiredEvent};
use crate::state::{Change, Config, PendingChange, Pool, Vault};

/// How a retirement is allowed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RetirePath {
    /// The admin's queued `Change::RetireVault`, due: close at a fresh keeper price.
    Admin,
    /// No instruction has priced the vault's asset for a day: close at the last settlement
    /// price, which realizes nothing.
    FeedDead,
    /// Already retired: collect what the pool owes it and leave the registry once paid.
    Finish,
}

/// Which path, if any, lets `vault` be retired now.
pub fn retire_path(pool: &Pool, vault: &Vault, vault_key: Pubkey, pending: Option<&PendingChange>, now: i64) -> Result<RetirePath> {
    if vault.is_retired() {
        return Ok(RetirePath::Finish);
    }
    if let Some(p) = pending {
        require!(p.change == Change::RetireVault { vault: vault_key }, TurboError::ChangeMismatch);
        require!(p.is_due(now), TurboError::TimelockNotElapsed);
        return Ok(RetirePath::Admin);
    }
    let last = pool.assets[vault.asset_index as usize].mark.last_publish_time;
    require!(now.saturating_sub(last) >= FEED_DEAD_SECS, TurboError::RetireNotAllowed);
    Ok(RetirePath::FeedDead)
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
    let settled = settle(vault_key, vault, pool, config, px)?;
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
