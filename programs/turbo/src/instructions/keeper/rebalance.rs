use anchor_lang::prelude::*;
use anchor_lang::solana_program::program::invoke_signed;
use anchor_spl::token::TokenAccount;
use anchor_spl::token_2022::spl_token_2022::extension::scaled_ui_amount;
use turbo_math::{
    annualized_vol_bps, decide, effective_target, jitter_seed, keeper_bounty, splits_needed, ui_token_price, Action, Bps,
    Decision, Exposure, Lev, Prices, Settlement, Shares, Usd,
};

use crate::constants::*;
use crate::error::{MathResultExt, TurboError};
use crate::events::{emit, RebalanceEvent, ReverseSplitEvent};
use crate::state::{pause, Config, Pool, Vault};
use crate::instructions::vault_accounts::*;
use crate::oracle::Caller;
use crate::touch::{self, cap_breach, imbalance_for, pool_book_value, NetFlow, Swept};

/// Permissionless: settle the vault, then move its leverage toward the (effective) target by
/// the rules of DESIGN §5, apply a reverse split if the token price fell under the threshold,
/// and pay the keeper's bounty if the call changed exposure by at least the minimum notional.
/// A call with nothing to do still settles, emits a `RebalanceEvent` with its reason, and pays
/// nothing.
#[derive(Accounts)]
pub struct Rebalance<'info> {
    pub keeper: Signer<'info>,
    pub touch: VaultAccounts<'info>,
    /// Receives the bounty; without it the keeper waives the bounty.
    #[account(mut, token::mint = touch.config.usdc_mint)]
    pub keeper_usdc: Option<Box<Account<'info, TokenAccount>>>,
}

impl Rebalance<'_> {
    pub fn validate(&self) -> Result<()> {
        require!(!self.touch.vault.is_retired(), TurboError::VaultRetired);
        require!(!self.touch.paused(pause::REBALANCE)?, TurboError::RebalancePaused);
        if let Some(keeper_usdc) = &self.keeper_usdc {
            self.touch.check_payout(&keeper_usdc.key())?;
        }
        Ok(())
    }
}

/// Everything a rebalance decides, before any token moves.
#[derive(Clone, Copy, Debug)]
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
    now: i64,
    bounty_eligible: bool,
) -> Result<RebalancePlan> {
    let settlement = touch::settle_state(vault, pool, config, px)?;
    let mut flow = NetFlow::from_settlement(&settlement);
    let swept = touch::sweep_fees(pool, vault, config.lp_fee_share(), &mut flow, true)?;
    let crt = config.crt();

    // The effective target: the volatility budget, then the pool's imbalance (DESIGN §5.4–5).
    let value = pool_book_value(pool, Some((px, crt.decimals)))?;
    let vol_bps = annualized_vol_bps(vault.volatility).or_overflow()?;
    let imbalance = imbalance_for(pool, vault, value)?;
    let target = effective_target(vault.params.target(), Bps(vault.params.vol_budget_bps as u64), vol_bps, imbalance)
        .or_overflow()?;

    let before = Exposure(vault.exposure);
    let seed = jitter_seed(vault.vault_id, vault.last_rebalance_ts);
    let decision = decide(&vault.book(), px.asset.mid, px.crt.mid, crt, &vault.band(), target, now, seed, vault.last_rebalance_ts)
        .or_overflow()?;
    let mut action = decision.action;
    if action.moves() && decision.exposure != before {
        // Book the move, then check the caps against the book it leaves (the review's L-1): a
        // re-leverage the pool cannot back is undone and skipped; it is the only move that
        // adds risk.
        let p = px.asset.mid;
        let book_before = pool.assets[vault.asset_index as usize].book();
        vault.exposure = decision.exposure.0;
        pool.rebook(vault.asset_index, before, p, decision.exposure, p)?;
        if action == Action::Relever && cap_breach(pool, vault, before, value)?.is_some() {
            pool.assets[vault.asset_index as usize].set_book(book_before);
            vault.exposure = before.0;
            action = Action::InBand;
        } else {
            vault.last_rebalance_ts = now;
            vault.rebalance_count = vault.rebalance_count.checked_add(1).ok_or(TurboError::MathOverflow)?;
        }
    }
    let after = Exposure(vault.exposure);

    // The bounty comes out of the treasury's fees, in proportion to the notional moved.
    let moved = Exposure(after.0.saturating_sub(before.0)).abs_notional_floor(px.asset.mid).or_overflow()?;
    let bounty = if bounty_eligible {
        keeper_bounty(moved, config.params.keeper_bounty, config.params.bounty_notional).or_overflow()?.min(pool.treasury_usdc)
    } else {
        0
    };
    pool.treasury_usdc = pool.treasury_usdc.checked_sub(bounty).ok_or(TurboError::MathOverflow)?;
    pool.usdc_balance = pool.usdc_balance.checked_sub(bounty).ok_or(TurboError::MathOverflow)?;

    // Reverse split (DESIGN §5.6): halve the UI multiplier while the token is under threshold.
    let nav = Usd(touch::nav_of(vault, config, px));
    let splits = splits_needed(nav, supply, vault.split_count, Usd(vault.params.split_threshold)).or_overflow()?;
    vault.split_count = vault.split_count.checked_add(splits).ok_or(TurboError::MathOverflow)?;
    Ok(RebalancePlan { settlement, decision, action, vol_bps, target, before, after, bounty, splits, nav, flow, swept })
}

pub fn handler(ctx: Context<Rebalance>) -> Result<()> {
    let clock = Clock::get()?;
    let a = &mut *ctx.accounts;
    let t = &mut a.touch;
    let vault_key = t.vault.key();
    let px = t.prices(&clock, Caller::Keeper)?;
    let previous_price = t.vault.settle_price;
    let supply = Shares(t.mint.supply);
    let p = plan(&t.config, &mut t.pool, &mut t.vault, supply, &px, clock.unix_timestamp, a.keeper_usdc.is_some())?;
    touch::emit_settled(vault_key, previous_price, &px, &p.settlement, p.after.0);
    touch::emit_swept(vault_key, &p.swept);

    // Tokens: the settlement and fees, then the bounty, then the multiplier.
    t.execute(p.flow)?;
    if let (Some(keeper_usdc), true) = (a.keeper_usdc.as_ref(), p.bounty > 0) {
        let pool_seeds: &[&[u8]] = &[POOL_SEED, &[t.pool.bump]];
        touch::transfer(&t.token_program, t.pool_usdc.to_account_info(), keeper_usdc.to_account_info(), t.pool.to_account_info(), pool_seeds, p.bounty)?;
    }
    if p.splits > 0 {
        let ix = scaled_ui_amount::instruction::update_multiplier(
            &t.token_2022_program.key(),
            &t.mint.key(),
            &vault_key,
            &[],
            t.vault.ui_multiplier(),
            clock.unix_timestamp,
        )?;
        let signer = t.vault.signer();
        invoke_signed(&ix, &[t.mint.to_account_info(), t.vault.to_account_info()], &[&signer.seeds()])?;
        let splits_before = t.vault.split_count - p.splits;
        emit(ReverseSplitEvent {
            vault: vault_key,
            splits_before,
            splits_after: t.vault.split_count,
            ui_price_before: ui_token_price(p.nav, supply, splits_before).or_overflow()?.0,
            ui_price_after: ui_token_price(p.nav, supply, t.vault.split_count).or_overflow()?.0,
        });
    }

    emit(RebalanceEvent {
        vault: vault_key,
        keeper: a.keeper.key(),
        price: px.asset.mid.0,
        action: p.action as u8,
        capped: p.decision.capped && p.action.moves(),
        vol_bps: p.vol_bps,
        effective_target: p.target.0,
        leverage_before: p.decision.leverage.map_or(i64::MAX, |l| l.0),
        leverage_after: touch::leverage_of(&t.vault, &t.config, &px),
        exposure_before: p.before.0,
        exposure_after: p.after.0,
        pnl: p.settlement.pnl.0,
        bad_debt: p.settlement.bad_debt.0,
        closed_out: p.settlement.closed_out,
        nav: p.nav.0,
        bounty: p.bounty,
    });
    Ok(())
}
