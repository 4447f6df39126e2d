use anchor_lang::prelude::*;
use anchor_lang::solana_program::program::invoke_signed;
use anchor_spl::token::TokenAccount;
use anchor_spl::token_2022::spl_token_2022::extension::scaled_ui_amount;
use turbo_math::{
    ui_token_price, Shares,
};

use crate::constants::*;
use crate::error::{MathResultExt, TurboError};
use crate::events::{emit, RebalanceEvent, ReverseSplitEvent};
use crate::state::pause;
use crate::engine::rebalance::plan;
use crate::instructions::vault_accounts::*;
use crate::oracle::Caller;

/// Permissionless: settle the vault, then move its leverage toward the (effective) target by
/// the rules of DESIGN §5, apply a reverse split if the token price fell under the threshold,
/// and pay the keeper's bounty if the call changed exposure by at least the minimum notional.
/// A call with nothing to do still settles, emits a `RebalanceEvent` with its reason, and pays
/// nothing.
#[derive(Accounts)]
pub struct Rebalance<'info> {
    pub keeper: Signer<'info>,
    pub vault_accounts: VaultAccounts<'info>,
    /// Receives the bounty; without it the keeper waives the bounty.
    #[account(mut, token::mint = vault_accounts.config.usdc_mint)]
    pub keeper_usdc: Option<Box<Account<'info, TokenAccount>>>,
}

impl Rebalance<'_> {
    pub fn validate(&self) -> Result<()> {
        require!(!self.vault_accounts.vault.is_retired(), TurboError::VaultRetired);
        require!(!self.vault_accounts.paused(pause::REBALANCE)?, TurboError::RebalancePaused);
        if let Some(keeper_usdc) = &self.keeper_usdc {
            self.vault_accounts.check_payout(&keeper_usdc.key())?;
        }
        Ok(())
    }
}

pub fn handler(ctx: Context<Rebalance>) -> Result<()> {
    let clock = Clock::get()?;
    let a = &mut *ctx.accounts;
    let t = &mut a.vault_accounts;
    let vault_key = t.vault.key();
    let px = t.prices(&clock, Caller::Keeper)?;
    let previous_price = t.vault.settle_price;
    let supply = Shares(t.mint.supply);
    let p = plan(&t.config, &mut t.pool, &mut t.vault, supply, &px, clock.unix_timestamp, a.keeper_usdc.is_some())?;
    crate::instructions::flow::emit_settled(vault_key, previous_price, &px, &p.settlement, p.after.0);
    crate::instructions::flow::emit_swept(vault_key, &p.swept);

    // Tokens: the settlement and fees, then the bounty, then the multiplier.
    t.execute(p.flow)?;
    if let (Some(keeper_usdc), true) = (a.keeper_usdc.as_ref(), p.bounty > 0) {
        let pool_seeds: &[&[u8]] = &[POOL_SEED, &[t.pool.bump]];
        crate::instructions::flow::transfer(&t.token_program, t.pool_usdc.to_account_info(), keeper_usdc.to_account_info(), t.pool.to_account_info(), pool_seeds, p.bounty)?;
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
        leverage_after: crate::engine::settle::leverage_of(&t.vault, &t.config, &px),
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
