use anchor_lang::prelude::*;
use anchor_spl::token::TokenAccount;
use anchor_spl::token_2022;
use anchor_spl::token_interface::TokenAccount as T22Account;
use turbo_math::{quote_redeem, quote_redeem_in_kind, Exposure, Shares};

use crate::error::{MathResultExt, TurboError};
use crate::events::RedeemEvent;
use crate::instructions::vault_accounts::*;
use crate::oracle::Caller;
use crate::state::pause;
use crate::engine::fees::charge_fee;
use crate::engine::fees::sweep_fees;

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug)]
pub struct RedeemArgs {
    /// Raw tokens to burn.
    pub amount: u64,
    /// Slippage guards on what is received, after fees.
    pub min_usdc_out: u64,
    pub min_crt_out: u64,
}

/// Burn tokens for the pro-rata USDC and CRT, minus the redeem fee. Redeem settles but never
/// rebalances, so it can never depend on a rebalance succeeding, and it ignores the mint pause.
/// It reads the CRT price only when the vault holds CRT, accepts the asset's confidence up to the
/// hard bound, and a retired vault redeems in kind with no price at all (the review's M-3, M-4).
#[derive(Accounts)]
pub struct RedeemTokens<'info> {
    pub user: Signer<'info>,
    pub vault_accounts: VaultAccounts<'info>,
    #[account(mut, token::mint = vault_accounts.mint, token::authority = user, token::token_program = vault_accounts.token_2022_program)]
    pub user_tokens: Box<InterfaceAccount<'info, T22Account>>,
    #[account(mut, token::mint = vault_accounts.config.usdc_mint)]
    pub user_usdc: Box<Account<'info, TokenAccount>>,
    #[account(mut, token::mint = vault_accounts.config.crt_mint)]
    pub user_crt: Option<Box<Account<'info, TokenAccount>>>,
}

impl RedeemTokens<'_> {
    pub fn validate(&self, args: &RedeemArgs) -> Result<()> {
        require!(!self.vault_accounts.paused(pause::REDEEM)?, TurboError::RedeemPaused);
        require!(args.amount > 0, TurboError::ZeroAmount);
        self.vault_accounts.check_payout(&self.user_usdc.key())?;
        if let Some(user_crt) = &self.user_crt {
            self.vault_accounts.check_payout(&user_crt.key())?;
        }
        Ok(())
    }
}

pub fn handler(ctx: Context<RedeemTokens>, args: RedeemArgs) -> Result<()> {
    let clock = Clock::get()?;
    let a = &mut *ctx.accounts;
    let t = &mut a.vault_accounts;
    let Opened { vault: vault_key, px, mut flow, supply, exposure_before, leverage_before } = t.open(&clock, Caller::Redeemer, false)?;
    let fee = t.vault.params.redeem_fee();
    let q = if t.vault.is_retired() {
        quote_redeem_in_kind(&t.vault.book(), supply, Shares(args.amount), fee)
    } else {
        quote_redeem(&t.vault.book(), supply, Shares(args.amount), &px, t.config.crt(), fee)
    }
    .or_overflow()?;
    require!(q.usdc_out.0 >= args.min_usdc_out && q.crt_out.0 >= args.min_crt_out, TurboError::SlippageExceeded);
    require!(q.crt_out.0 == 0 || a.user_crt.is_some(), TurboError::CrtAccountMissing);

    let vault = &mut t.vault;
    let old_q = Exposure(vault.exposure);
    vault.usdc_balance = vault.usdc_balance.checked_sub(q.gross_usdc.0).ok_or(TurboError::MathOverflow)?;
    vault.crt_balance = vault.crt_balance.checked_sub(q.gross_crt.0).ok_or(TurboError::MathOverflow)?;
    vault.exposure = vault.exposure.checked_add(q.exposure_delta.0).ok_or(TurboError::MathOverflow)?;
    let p = px.asset.mid;
    t.pool.rebook(vault.asset_index, old_q, p, Exposure(vault.exposure), p)?;
    charge_fee(vault, q.fee_usdc, q.fee_crt)?;
    let swept = sweep_fees(&mut t.pool, vault, t.config.lp_fee_share(), &mut flow, false)?;
    crate::instructions::flow::emit_swept(vault_key, &swept);

    token_2022::burn(
        CpiContext::new(
            t.token_2022_program.key(),
            token_2022::Burn { mint: t.mint.to_account_info(), from: a.user_tokens.to_account_info(), authority: a.user.to_account_info() },
        ),
        args.amount,
    )?;
    t.execute(flow)?;
    t.pay_from_vault(t.vault_usdc.to_account_info(), a.user_usdc.to_account_info(), q.usdc_out.0)?;
    if let Some(user_crt) = a.user_crt.as_ref() {
        t.pay_from_vault(t.vault_crt.to_account_info(), user_crt.to_account_info(), q.crt_out.0)?;
    }

    crate::events::emit(RedeemEvent {
        vault: vault_key,
        user: a.user.key(),
        price: px.asset.mid.0,
        conf_price: px.asset.low_for(old_q).0,
        tokens_burned: args.amount,
        usdc_out: q.usdc_out.0,
        crt_out: q.crt_out.0,
        fee_usdc: q.fee_usdc.0,
        fee_crt: q.fee_crt.0,
        nav_before: q.nav.0,
        nav_redeem: q.nav_redeem.0,
        nav_after: crate::engine::settle::nav_of(&t.vault, &t.config, &px),
        supply_after: supply.0.saturating_sub(args.amount), // quote_redeem refused burn > supply
        exposure_before,
        exposure_after: t.vault.exposure,
        leverage_before,
        leverage_after: crate::engine::settle::leverage_of(&t.vault, &t.config, &px),
    });
    Ok(())
}
