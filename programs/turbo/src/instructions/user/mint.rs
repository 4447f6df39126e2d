use anchor_lang::prelude::*;
use anchor_spl::token::TokenAccount;
use anchor_spl::token_2022;
use anchor_spl::token_interface::TokenAccount as T22Account;
use turbo_math::Shares;

use crate::engine::trade::{check_mint, mint, MintRequest};
use crate::events::emit;
use crate::instructions::flow::{emit_some, transfer};
use crate::instructions::vault_accounts::*;
use crate::oracle::Caller;

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug)]
pub struct MintArgs {
    /// USDC to deposit, fee included.
    pub usdc_amount: u64,
    /// CRT to deposit, fee included (needs `user_crt`).
    pub crt_amount: u64,
    /// Slippage guard: the fewest tokens the caller accepts.
    pub min_tokens_out: u64,
}

#[derive(Accounts)]
pub struct MintTokens<'info> {
    pub user: Signer<'info>,
    pub vault_accounts: VaultAccounts<'info>,
    /// Receives the minted tokens; any holder may be named.
    #[account(mut, token::mint = vault_accounts.mint, token::token_program = vault_accounts.token_2022_program)]
    pub user_tokens: Box<InterfaceAccount<'info, T22Account>>,
    #[account(mut, token::mint = vault_accounts.config.usdc_mint, token::authority = user)]
    pub user_usdc: Box<Account<'info, TokenAccount>>,
    #[account(mut, token::mint = vault_accounts.config.crt_mint, token::authority = user)]
    pub user_crt: Option<Box<Account<'info, TokenAccount>>>,
}

impl MintTokens<'_> {
    fn request(&self, args: &MintArgs) -> MintRequest {
        MintRequest {
            user: self.user.key(),
            usdc: args.usdc_amount,
            crt: args.crt_amount,
            min_tokens_out: args.min_tokens_out,
            has_crt_account: self.user_crt.is_some(),
        }
    }

    pub fn validate(&self, args: &MintArgs) -> Result<()> {
        let v = &self.vault_accounts;
        check_mint(&v.config, &v.vault, &self.request(args), Clock::get()?.unix_timestamp)
    }
}

pub fn handler(ctx: Context<MintTokens>, args: MintArgs) -> Result<()> {
    probe!("handler (validated)");
    let clock = Clock::get()?;
    let req = ctx.accounts.request(&args);
    let a = &mut *ctx.accounts;
    let t = &mut a.vault_accounts;
    let px = t.read_prices(&clock, Caller::User, true)?;
    probe!("prices");
    let vault_key = t.vault.key();
    let supply = Shares(t.mint.supply);
    let plan = mint(&t.config, &mut t.pool, &mut t.vault, vault_key, supply, &px, &req)?;
    probe!("engine");

    // Tokens: the deposit into the vault, then one net transfer per token to or from the pool,
    // then the new tokens.
    let user = a.user.to_account_info();
    transfer(&t.token_program, a.user_usdc.to_account_info(), t.vault_usdc.to_account_info(), user.clone(), &[], args.usdc_amount)?;
    if let Some(user_crt) = a.user_crt.as_ref() {
        transfer(&t.token_program, user_crt.to_account_info(), t.vault_crt.to_account_info(), user, &[], args.crt_amount)?;
    }
    t.execute(plan.flow)?;
    let signer = t.vault.signer();
    token_2022::mint_to(
        CpiContext::new_with_signer(
            t.token_2022_program.key(),
            token_2022::MintTo {
                mint: t.mint.to_account_info(),
                to: a.user_tokens.to_account_info(),
                authority: t.vault.to_account_info(),
            },
            &[&signer.seeds()],
        ),
        plan.quote.shares_out.0,
    )?;
    probe!("tokens");

    emit_some(plan.settled.event);
    emit_some(plan.swept);
    emit(plan.event);
    probe!("events");
    Ok(())
}
