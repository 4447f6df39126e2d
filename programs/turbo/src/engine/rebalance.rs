//! A rebalance, decided and applied to state (docs/design.md §5): settlement, the
//! effective target, the decision, the caps, the bounty and reverse splits. The handler moves
//! tokens afterwards; the SDK, the keeper and the simulator call [`plan`] on decoded copies, so
//! their prediction is exactly the program's decision.

use anchor_lang::prelude::*;
use turbo_math::{
    annualized_vol_bps, decide, effective_target, jitter_seed, keeper_bounty, splits_needed, trigger_price, ui_token_price, Action, Bps,
    Decision, Exposure, Lev, Prices, Settlement, Shares, Usd,
};

use crate::engine::caps::{cap_breach, capacity, gap_cap, imbalance_for, net_cap, pool_book_value, residual_and_hedged, Mover};
use crate::engine::fees::{sweep_fees, Swept};
use crate::engine::flow::NetFlow;
use crate::engine::settle::{leverage_of, nav_of, settle};
use crate::error::{CheckedExt, MathResultExt, TurboError};
use crate::events::{EmergencyDeleverageEvent, FeesSweptEvent, RebalanceEvent, ReverseSplitEvent, VaultQuotedEvent, VaultSettledEvent};
use crate::state::{Config, Pause, Pool, Vault};

/// The refusals of a rebalance that need no price: a retired vault, a pause.
pub fn check_rebalance(config: &Config, vault: &Vault, now: i64) -> Result<()> {
    require!(!vault.is_retired(), TurboError::VaultRetired);
    require!(!(config.is_paused(Pause::REBALANCE, now) || vault.is_paused(Pause::REBALANCE, now)), TurboError::RebalancePaused);
    Ok(())
}

/// Who calls a rebalance, when, and on which vault.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RebalanceCall {
    pub vault: Pubkey,
    pub keeper: Pubkey,
    /// The clock's unix time.
    pub now: i64,
    /// Whether the keeper named an account to receive the bounty.
    pub bounty_eligible: bool,
}

/// Everything a rebalance decides, before any token moves.
#[derive(Clone, Debug)]
pub struct RebalancePlan {
    pub settlement: Settlement,
    pub decision: Decision,
    /// The action taken: the decision's, or `InBand` when the caps refused a re-leverage.
    pub action: Action,
    pub vol_bps: u64,
    pub target: Lev,
    pub before: Exposure,
    pub after: Exposure,
    /// USDC owed to the keeper: in proportion to the notional moved, up to the whole bounty.
    pub bounty: u64,
    /// Reverse splits to apply now.
    pub splits: u8,
    /// NAV after the call, micro-USD.
    pub nav: Usd,
    /// Tokens to move between the vault and the pool: the settlement plus swept fees.
    pub flow: NetFlow,
    /// The fees this call swept into the pool (every rebalance sweeps them all).
    pub swept: Swept,
    /// The events, in the order the instruction emits them.
    pub settled_event: Option<VaultSettledEvent>,
    pub swept_event: Option<FeesSweptEvent>,
    pub split_event: Option<ReverseSplitEvent>,
    /// The declared emergency, when the vault's side is over what the pool may carry.
    pub emergency_event: Option<EmergencyDeleverageEvent>,
    pub event: RebalanceEvent,
}

impl RebalancePlan {
    /// Whether the call moved exposure: the one definition the program, the keeper and the
    /// simulator share (a waiting, in-band or capped-out call did not).
    pub fn moved(&self) -> bool {
        self.action.moves() && self.after != self.before
    }

    /// Whether the call is worth a transaction: it moves exposure or applies a reverse split.
    pub fn acts(&self) -> bool {
        self.moved() || self.splits > 0
    }
}

/// Decide a rebalance and apply it to the state (not the tokens): settlement, exposure, the
/// pool's books, counters, split count and bounty bookkeeping. The handler calls this, then
/// moves tokens; the SDK and keeper call it on decoded copies, so their preview is exactly the
/// program's decision.
pub fn plan(
    config: &Config,
    pool: &mut Pool,
    vault: &mut Vault,
    supply: Shares,
    px: &Prices,
    call: &RebalanceCall,
) -> Result<RebalancePlan> {
    let (now, bounty_eligible) = (call.now, call.bounty_eligible);
    let settled = settle(call.vault, vault, pool, config, px)?;
    let settlement = settled.settlement;
    let mut flow = settled.flow;
    let swept = sweep_fees(pool, vault, config.lp_fee_share(), &mut flow, true)?;
    let crt = config.crt();

    // The effective target: the volatility budget, then the pool's imbalance (docs/design.md §5.4–5).
    let value = pool_book_value(pool, vault, px, crt.decimals)?;
    let vol_bps = annualized_vol_bps(vault.variance_rate).or_math()?;
    let equity = vault.book().risk_equity(px.asset.mid, px.crt.mid, crt).or_math()?;
    let leverage = Lev::of(Exposure(vault.exposure), px.asset.mid, equity).or_math()?;
    let imbalance = imbalance_for(pool, vault, value, px, leverage)?;
    let room = imbalance.map(|i| (i.room, i.net));
    let target = effective_target(vault.params.target(), Bps(vault.params.vol_budget_bps as u64), vol_bps, room, leverage).or_math()?;
    let emergency_event = imbalance.map(|i| EmergencyDeleverageEvent {
        vault: call.vault,
        asset_index: vault.asset_index,
        cause: i.cause,
        room: i.room.0,
        net: i.net.0,
        target: vault.params.target_leverage,
        effective_target: target.0,
    });

    let before = Exposure(vault.exposure);
    let seed = jitter_seed(vault.vault_id, vault.last_rebalance_ts);
    let decision =
        decide(&vault.book(), px.asset.mid, px.crt.mid, crt, &vault.band(), target, now, seed, vault.last_rebalance_ts).or_math()?;
    let mut action = decision.action;
    if action.moves() && decision.exposure != before {
        // Book the move, then check the caps against the book it leaves (the review's L-1): a
        // re-leverage the pool cannot back is undone and skipped; it is the only move that
        // adds risk.
        // Undoing restores the asset's book and its hedge's sums and lock exactly.
        let (p, i) = (px.asset.mid, vault.asset_index as usize);
        let (book_before, hedge_before) = (pool.assets[i].book(), pool.hedges[i]);
        vault.exposure = decision.exposure.0;
        pool.rebook(vault.asset_index, before, p, decision.exposure, p)?;
        if action == Action::Relever && cap_breach(pool, vault, before, value, px, Mover::Holders)?.is_some() {
            pool.assets[i].set_book(book_before);
            pool.hedges[i] = hedge_before;
            vault.exposure = before.0;
            action = Action::InBand;
        } else {
            vault.last_rebalance_ts = now;
            vault.rebalance_count = vault.rebalance_count.checked_add(1).or_overflow()?;
        }
    }
    let after = Exposure(vault.exposure);

    // The bounty comes out of the treasury's fees, in proportion to the notional moved.
    let moved = Exposure(after.0.saturating_sub(before.0)).abs_notional_floor(px.asset.mid).or_math()?;
    let bounty = if bounty_eligible {
        keeper_bounty(moved, config.params.keeper_bounty, config.params.bounty_notional).or_math()?.min(pool.treasury_usdc)
    } else {
        0
    };
    pool.treasury_usdc = pool.treasury_usdc.checked_sub(bounty).or_overflow()?;
    pool.usdc_balance = pool.usdc_balance.checked_sub(bounty).or_overflow()?;

    // Reverse split (docs/design.md §5.6): halve the UI multiplier while the token is under threshold.
    let nav = Usd(nav_of(vault, config, px));
    let splits = splits_needed(nav, supply, vault.split_count, Usd(vault.params.split_threshold)).or_math()?;
    let splits_before = vault.split_count;
    vault.split_count = vault.split_count.checked_add(splits).or_overflow()?;
    let split_event = if splits > 0 {
        Some(ReverseSplitEvent {
            vault: call.vault,
            splits_before,
            splits_after: vault.split_count,
            ui_price_before: ui_token_price(nav, supply, splits_before).or_math()?.0,
            ui_price_after: ui_token_price(nav, supply, vault.split_count).or_math()?.0,
        })
    } else {
        None
    };

    // The settlement's event reports the exposure the call leaves.
    let settled_event = settled.event.map(|e| VaultSettledEvent { exposure: after.0, ..e });
    let event = RebalanceEvent {
        vault: call.vault,
        keeper: call.keeper,
        price: px.asset.mid.0,
        action: action.into(),
        capped: decision.capped && action.moves(),
        vol_bps,
        effective_target: target.0,
        leverage_before: decision.leverage.map_or(i64::MAX, |l| l.0),
        leverage_after: leverage_of(vault, config, px),
        exposure_before: before.0,
        exposure_after: after.0,
        pnl: settlement.pnl.0,
        bad_debt: settlement.bad_debt.0,
        closed_out: settlement.closed_out,
        nav: nav.0,
        bounty,
        ui_price: ui_token_price(nav, Shares(supply.0.max(1)), vault.split_count).or_math()?.0,
        band_lo: decision.lo,
        band_hi: decision.hi,
    };
    Ok(RebalancePlan {
        settlement,
        decision,
        action,
        vol_bps,
        target,
        before,
        after,
        bounty,
        splits,
        nav,
        flow,
        swept,
        settled_event,
        swept_event: swept.event(call.vault),
        split_event,
        emergency_event,
        event,
    })
}

/// The read-only quote of a vault at `px` (docs/design.md §5.7): the rebalance [`plan`] a call
/// would make now, run on copies, and the book as it stands before that move: NAV, token price,
/// leverage, the effective band, and the asset prices at which |L| would reach the band's edges
/// and the emergency level if only the price moved.
pub fn quote(
    config: &Config,
    pool: &Pool,
    vault: &Vault,
    vault_key: Pubkey,
    supply: Shares,
    px: &Prices,
    now: i64,
) -> Result<VaultQuotedEvent> {
    // Boxed: the two copies on SBF's 4 KiB frame left no headroom (docs/performance.md, "Stack
    // frames").
    let (mut pool, mut book_vault) = (Box::new(*pool), Box::new(*vault));
    let call = RebalanceCall { vault: vault_key, keeper: Pubkey::default(), now, bounty_eligible: false };
    let p = plan(config, &mut pool, &mut book_vault, supply, px, &call)?;
    // The settled book before the move the plan would make, the vault's and the pool's: the move
    // undone on the copies, at the price it was booked at, so exactly.
    book_vault.exposure = p.before.0;
    if p.after != p.before {
        pool.rebook(vault.asset_index, p.after, px.asset.mid, p.before, px.asset.mid)?;
    }
    let book = book_vault.book();
    let crt = config.crt();
    let at = |level: u64| -> Result<u64> { Ok(trigger_price(&book, px.asset.mid, px.crt.mid, crt, level).or_math()?.map_or(0, |p| p.0)) };
    let nav = Usd(nav_of(&book_vault, config, px));
    let emergency = vault.params.emergency_leverage;
    let value = pool_book_value(&pool, &book_vault, px, config.crt_decimals)?;
    let (residual, hedged) = residual_and_hedged(&pool, &book_vault, px)?;
    let hedge = pool.hedges[vault.asset_index as usize];
    let capacity = capacity(&pool, &book_vault, value, px)?;
    let lev = p.decision.leverage.filter(|l| l.0 != 0).unwrap_or(vault.params.target());
    let mint_capacity_usdc = turbo_math::deposit_for_notional(capacity, lev, Bps(vault.params.mint_fee_bps as u64)).or_math()?;
    Ok(VaultQuotedEvent {
        vault: vault_key,
        price: px.asset.mid.0,
        nav: nav.0,
        ui_price: ui_token_price(nav, Shares(supply.0.max(1)), vault.split_count).or_math()?.0,
        supply: supply.0,
        leverage: p.decision.leverage.map_or(i64::MAX, |l| l.0),
        effective_target: p.target.0,
        band_lo: p.decision.lo,
        band_hi: p.decision.hi,
        emergency,
        trim_price: at(p.decision.hi)?,
        relever_price: at(p.decision.lo)?,
        emergency_price: at(emergency)?,
        vol_bps: p.vol_bps,
        action: p.action.into(),
        pool_book_value: value.0,
        gross_notional: pool.gross_notional()?.0,
        gross_cap: turbo_math::exposure_cap(value, pool.hard_caps().0).or_math()?.0,
        asset_net: pool.assets[vault.asset_index as usize].book().net().0,
        net_cap: net_cap(&pool, &book_vault, value)?.0,
        hedge_owned: hedge.owned,
        hedge_locked: hedge.locked,
        hedged: hedged.0,
        residual: residual.0,
        gap_cap: gap_cap(&pool, &book_vault, value)?.map_or(0, |g| g.0),
        capacity: capacity.0,
        utilization_bps: hedge.book().utilization().or_math()?.0,
        next_step_at: turbo_math::next_step_at(
            &vault.band(),
            jitter_seed(vault.vault_id, vault.last_rebalance_ts),
            vault.last_rebalance_ts,
        )
        .or_math()?,
        mint_capacity_usdc,
    })
}
