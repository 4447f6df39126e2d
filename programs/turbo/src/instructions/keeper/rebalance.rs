use anchor_lang::prelude::*;
use anchor_lang::solana_program::program::invoke_signed;
use anchor_spl::token::{Token, TokenAccount};
use anchor_spl::token_2022::spl_token_2022::extension::scaled_ui_amount;
use anchor_spl::token_2022::Token2022;
use anchor_spl::token_interface::Mint as T22Mint;
use pyth_solana_receiver_sdk::price_update::PriceUpdateV2;
use turbo_math::{
    annualized_vol_bps, decide, effective_target, splits_needed, ui_token_price, Action, Bps, Decision, Exposure, Lev,
    Prices, Settlement, Shares, Usd,
};

use crate::constants::*;
use crate::error::{MathResultExt, TurboError};
use crate::events::{emit, RebalanceEvent, ReverseSplitEvent};
use crate::state::{pause, Config, Pool, Vault};
use crate::touch::{self, cap_breach, imbalance_for, pool_book_value, FlowAccounts, NetFlow};

/// Permissionless: settle the vault, then move its leverage toward the (effective) target by
/// the rules of DESIGN §5, apply a reverse split if the token price fell under the threshold,
/// and pay the keeper's bounty if the call changed exposure by at least the minimum notional.
/// A call with nothing to do still settles, emits a `RebalanceEvent` with its reason, and pays
/// nothing.
#[derive(Accounts)]
pub struct Rebalance<'info> {
    pub keeper: Signer<'info>,
    pub config: Box<Account<'info, Config>>,
    #[account(mut)]
    pub pool: Box<Account<'info, Pool>>,
    #[account(
        mut,
        has_one = mint,
    )]
    pub vault: Box<Account<'info, Vault>>,
    #[account(mut, mint::token_program = token_2022_program)]
    pub mint: Box<InterfaceAccount<'info, T22Mint>>,
    /// CHECK: the reserve's address is pinned to the one stored at creation; its contents are
    /// never read (the books are the program's accounting) and the token program checks every
    /// transfer.
    #[account(mut, address = vault.usdc_reserve)]
    pub vault_usdc: UncheckedAccount<'info>,
    /// CHECK: the reserve's address is pinned to the one stored at creation; its contents are
    /// never read (the books are the program's accounting) and the token program checks every
    /// transfer.
    #[account(mut, address = vault.crt_reserve)]
    pub vault_crt: UncheckedAccount<'info>,
    /// CHECK: the reserve's address is pinned to the one stored at creation; its contents are
    /// never read (the books are the program's accounting) and the token program checks every
    /// transfer.
    #[account(mut, address = pool.usdc_reserve)]
    pub pool_usdc: UncheckedAccount<'info>,
    /// CHECK: the reserve's address is pinned to the one stored at creation; its contents are
    /// never read (the books are the program's accounting) and the token program checks every
    /// transfer.
    #[account(mut, address = pool.crt_reserve)]
    pub pool_crt: UncheckedAccount<'info>,
    /// Receives the bounty; without it the keeper waives the bounty.
    #[account(mut, token::mint = config.usdc_mint)]
    pub keeper_usdc: Option<Box<Account<'info, TokenAccount>>>,
    pub price_update: Box<Account<'info, PriceUpdateV2>>,
    pub crt_price_update: Box<Account<'info, PriceUpdateV2>>,
    pub token_program: Program<'info, Token>,
    pub token_2022_program: Program<'info, Token2022>,
}

impl Rebalance<'_> {
    pub fn validate(&self) -> Result<()> {
        require!(
            !self.config.is_paused(pause::REBALANCE) && !self.vault.is_paused(pause::REBALANCE),
            TurboError::RebalancePaused
        );
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
    /// USDC owed to the keeper (zero unless `bounty_eligible` and the move was large enough).
    pub bounty: u64,
    /// Reverse splits to apply now.
    pub splits: u8,
    /// NAV after the call, micro-USD.
    pub nav: Usd,
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
    slot: u64,
    bounty_eligible: bool,
) -> Result<RebalancePlan> {
    let settlement = touch::settle_state(vault, pool, config, px)?;
    let crt = config.crt();

    // The effective target: the volatility budget, then the pool's imbalance (DESIGN §5.4–5).
    let value = pool_book_value(pool, Some((px, crt.decimals)))?;
    let vol_bps = annualized_vol_bps(vault.volatility).or_overflow()?;
    let imbalance = imbalance_for(pool, vault, value)?;
    let target = effective_target(vault.params.target(), Bps(vault.params.vol_budget_bps as u64), vol_bps, imbalance)
        .or_overflow()?;

    let before = Exposure(vault.exposure);
    let decision = decide(&vault.book(), px.asset.mid, px.crt.mid, crt, &vault.band(), target, now, slot, vault.last_rebalance_ts)
        .or_overflow()?;
    let mut action = decision.action;
    if action.moves() && decision.exposure != before {
        vault.exposure = decision.exposure.0;
        // A re-leverage the pool cannot back is skipped: it is the only move that adds risk.
        if action == Action::Relever && cap_breach(pool, vault, before, value)?.is_some() {
            vault.exposure = before.0;
            action = Action::InBand;
        } else {
            let p = px.asset.mid;
            pool.rebook(vault.asset_index, before, p, decision.exposure, p)?;
            vault.last_rebalance_ts = now;
            vault.rebalance_count = vault.rebalance_count.checked_add(1).ok_or(TurboError::MathOverflow)?;
        }
    }
    let after = Exposure(vault.exposure);

    // The bounty comes out of the treasury's fees, only for a real move.
    let moved = Exposure(after.0.saturating_sub(before.0)).abs_notional_floor(px.asset.mid).or_overflow()?;
    let bounty = if bounty_eligible && moved.0 > 0 && moved.0 >= config.bounty_min_notional {
        config.keeper_bounty.min(pool.treasury_usdc)
    } else {
        0
    };
    pool.treasury_usdc -= bounty;
    pool.usdc_balance -= bounty;

    // Reverse split (DESIGN §5.6): halve the UI multiplier while the token is under threshold.
    let nav = Usd(touch::nav_of(vault, config, px)?);
    let splits = splits_needed(nav, supply, vault.split_count, Usd(vault.params.split_threshold)).or_overflow()?;
    vault.split_count += splits;
    Ok(RebalancePlan { settlement, decision, action, vol_bps, target, before, after, bounty, splits, nav })
}

pub fn handler(ctx: Context<Rebalance>) -> Result<()> {
    let clock = Clock::get()?;
    let a = &mut *ctx.accounts;
    let vault_key = a.vault.key();
    let px = touch::read_vault_prices(&a.vault, &a.config, &a.price_update, &a.crt_price_update, &clock)?;
    let previous_price = a.vault.settle_price;
    let supply = Shares(a.mint.supply);
    let p = plan(&a.config, &mut a.pool, &mut a.vault, supply, &px, clock.unix_timestamp, clock.slot, a.keeper_usdc.is_some())?;
    touch::emit_settled(vault_key, previous_price, &px, &p.settlement, p.after.0);

    // Tokens: the settlement, then the bounty, then the multiplier.
    let signer = a.vault.signer();
    let vault_seeds = signer.seeds();
    FlowAccounts {
        token_program: &a.token_program,
        vault: a.vault.to_account_info(),
        vault_seeds: &vault_seeds,
        vault_usdc: a.vault_usdc.to_account_info(),
        vault_crt: a.vault_crt.to_account_info(),
        pool: a.pool.to_account_info(),
        pool_bump: a.pool.bump,
        pool_usdc: a.pool_usdc.to_account_info(),
        pool_crt: a.pool_crt.to_account_info(),
    }
    .execute(NetFlow::from_settlement(&p.settlement))?;
    if let (Some(keeper_usdc), true) = (a.keeper_usdc.as_ref(), p.bounty > 0) {
        let pool_seeds: &[&[u8]] = &[POOL_SEED, &[a.pool.bump]];
        touch::transfer(
            &a.token_program,
            a.pool_usdc.to_account_info(),
            keeper_usdc.to_account_info(),
            a.pool.to_account_info(),
            pool_seeds,
            p.bounty,
        )?;
    }
    if p.splits > 0 {
        let ix = scaled_ui_amount::instruction::update_multiplier(
            &a.token_2022_program.key(),
            &a.mint.key(),
            &vault_key,
            &[],
            a.vault.ui_multiplier(),
            clock.unix_timestamp,
        )?;
        invoke_signed(&ix, &[a.mint.to_account_info(), a.vault.to_account_info()], &[&vault_seeds])?;
        let splits_before = a.vault.split_count - p.splits;
        emit(ReverseSplitEvent {
            vault: vault_key,
            splits_before,
            splits_after: a.vault.split_count,
            ui_price_before: ui_token_price(p.nav, supply, splits_before).or_overflow()?.0,
            ui_price_after: ui_token_price(p.nav, supply, a.vault.split_count).or_overflow()?.0,
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
        leverage_after: touch::leverage_of(&a.vault, &a.config, &px)?,
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
