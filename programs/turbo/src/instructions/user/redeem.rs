use anchor_lang::prelude::*;
use anchor_spl::token::TokenAccount;
use anchor_spl::token_2022;
use anchor_spl::token_interface::TokenAccount as T22Account;
use turbo_math::Shares;

use crate::engine::trade::{check_redeem, redeem, RedeemRequest};
use crate::events::emit;
use crate::instructions::flow::emit_some;
use crate::instructions::vault_accounts::*;
use crate::oracle::Caller;

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
    fn request(&self, args: &RedeemArgs) -> RedeemRequest {
        RedeemRequest {
            user: self.user.key(),
            amount: args.amount,
            min_usdc_out: args.min_usdc_out,
            min_crt_out: args.min_crt_out,
            has_crt_account: self.user_crt.is_some(),
        }
    }

    pub fn validate(&self, args: &RedeemArgs) -> Result<()> {
        let v = &self.vault_accounts;
        check_redeem(&v.config, &v.vault, &self.request(args), Clock::get()?.unix_timestamp)?;
        v.check_payout(&self.user_usdc.key())?;
        if let Some(user_crt) = &self.user_crt {
            v.check_payout(&user_crt.key())?;
        }
        Ok(())
    }
}

pub fn handler(ctx: Context<RedeemTokens>, args: RedeemArgs) -> Result<()> {
    probe!("handler (validated)");
    let clock = Clock::get()?;
    let req = ctx.accounts.request(&args);
    let a = &mut *ctx.accounts;
    let t = &mut a.vault_accounts;
    let px = t.read_prices(&clock, Caller::Redeemer, false)?;
    probe!("prices");
    let vault_key = t.vault.key();
    let supply = Shares(t.mint.supply);
    let plan = redeem(&t.config, &mut t.pool, &mut t.vault, vault_key, supply, &px, &req)?;
    probe!("engine");

    // Tokens: the burn, one net transfer per token between vault and pool, then the payout.
    token_2022::burn(
        CpiContext::new(
            t.token_2022_program.key(),
            token_2022::Burn { mint: t.mint.to_account_info(), from: a.user_tokens.to_account_info(), authority: a.user.to_account_info() },
        ),
        args.amount,
    )?;
    t.execute(plan.flow)?;
    t.pay_from_vault(t.vault_usdc.to_account_info(), a.user_usdc.to_account_info(), plan.quote.usdc_out.0)?;
    if let Some(user_crt) = a.user_crt.as_ref() {
        t.pay_from_vault(t.vault_crt.to_account_info(), user_crt.to_account_info(), plan.quote.crt_out.0)?;
    }
    probe!("tokens");

    emit_some(plan.settled.event);
    emit_some(plan.swept);
    emit(plan.event);
    probe!("events");
    Ok(())
}
