use anchor_lang::prelude::*;
use anchor_lang::solana_program::program::invoke_signed;
use anchor_spl::token::TokenAccount;
use anchor_spl::token_2022::spl_token_2022::extension::scaled_ui_amount;
use turbo_math::Shares;

use crate::engine::rebalance::{check_rebalance, plan, RebalanceCall};
use crate::events::emit;
use crate::instructions::flow::{emit_some, transfer};
use crate::instructions::vault_accounts::*;
use crate::oracle::Caller;

/// Permissionless: settle the vault, then move its leverage toward the (effective) target by
/// the rules of docs/design.md §5, apply a reverse split if the token price fell under the threshold,
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
        let v = &self.vault_accounts;
        check_rebalance(&v.config, &v.vault, Clock::get()?.unix_timestamp)?;
        if let Some(keeper_usdc) = &self.keeper_usdc {
            self.vault_accounts.check_payout(&keeper_usdc.key())?;
        }
        Ok(())
    }
}

pub fn handler(ctx: Context<Rebalance>) -> Result<()> {
    probe!("handler (validated)");
    let clock = Clock::get()?;
    let a = &mut *ctx.accounts;
    let t = &mut a.vault_accounts;
    let vault_key = t.vault.key();
    let px = t.read_prices(&clock, Caller::Keeper, true)?;
    probe!("prices");
    let supply = Shares(t.mint.supply);
    let call =
        RebalanceCall { vault: vault_key, keeper: a.keeper.key(), now: clock.unix_timestamp, bounty_eligible: a.keeper_usdc.is_some() };
    let p = plan(&t.config, &mut t.pool, &mut t.vault, supply, &px, &call)?;
    probe!("engine");

    // Tokens: the settlement and fees, then the bounty, then the multiplier.
    t.execute(p.flow)?;
    if let (Some(keeper_usdc), true) = (a.keeper_usdc.as_ref(), p.bounty > 0) {
        let signer = t.pool.signer();
        transfer(
            &t.token_program,
            t.pool_usdc.to_account_info(),
            keeper_usdc.to_account_info(),
            t.pool.to_account_info(),
            &signer.seeds(),
            p.bounty,
        )?;
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
    }
    probe!("tokens");

    emit_some(p.settled_event);
    emit_some(p.swept_event);
    emit_some(p.split_event);
    emit_some(p.emergency_event);
    emit(p.event);
    probe!("events");
    Ok(())
}
