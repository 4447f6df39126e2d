use anchor_lang::prelude::*;
use anchor_spl::token::{self, Mint, Token, TokenAccount};

use crate::engine::hedge::{check_custody_withdraw, withdraw, CustodyLpRequest};
use crate::engine::lp::Lean;
use crate::error::TurboError;
use crate::events::emit;
use crate::instructions::flow::transfer;
use crate::instructions::lp::valuation::value_pool;
use crate::state::{Config, Custody, Pool};

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug)]
pub struct WithdrawCustodyArgs {
    pub shares: u64,
    /// Slippage guard: the fewest raw units of the custody's token.
    pub min_amount_out: u64,
}

/// Burn LP shares for their value (the pool biased low) in a custody's token, less the custody's
/// base fee and the impact, at the asset's high price; only from tokens that are not locked, and
/// refused if what is left breaks the hard caps. Remaining accounts: as a deposit.
#[derive(Accounts)]
pub struct WithdrawCustody<'info> {
    pub provider: Signer<'info>,
    pub config: Box<Account<'info, Config>>,
    #[account(mut)]
    pub pool: Box<Account<'info, Pool>>,
    #[account(mut)]
    pub custody: Box<Account<'info, Custody>>,
    #[account(mut, address = custody.reserve @ TurboError::CustodyMismatch)]
    pub custody_reserve: Box<Account<'info, TokenAccount>>,
    #[account(mut, address = pool.lp_mint)]
    pub lp_mint: Box<Account<'info, Mint>>,
    #[account(mut, token::mint = lp_mint, token::authority = provider)]
    pub provider_lp: Box<Account<'info, TokenAccount>>,
    #[account(mut, token::mint = custody.mint)]
    pub provider_asset: Box<Account<'info, TokenAccount>>,
    /// CHECK: a `PriceUpdateV2` or a `SignedFeed`, read through `oracle::PriceSource::load`.
    pub crt_price_update: UncheckedAccount<'info>,
    pub token_program: Program<'info, Token>,
}

impl WithdrawCustody<'_> {
    fn request(&self, args: &WithdrawCustodyArgs) -> CustodyLpRequest {
        CustodyLpRequest { provider: self.provider.key(), amount: args.shares, min_out: args.min_amount_out }
    }

    pub fn validate(&self, args: &WithdrawCustodyArgs) -> Result<()> {
        check_custody_withdraw(&self.config, &self.request(args), Clock::get()?.unix_timestamp)
    }
}

pub fn handler<'info>(ctx: Context<'info, WithdrawCustody<'info>>, args: WithdrawCustodyArgs) -> Result<()> {
    let clock = Clock::get()?;
    let req = ctx.accounts.request(&args);
    let a = &mut *ctx.accounts;
    let lp_supply = a.lp_mint.supply;
    let valued =
        value_pool(&a.config, &mut a.pool, ctx.remaining_accounts, &a.crt_price_update, Lean::withdrawal(false), lp_supply, &clock)?;
    let custody_key = a.custody.key();
    let plan = withdraw(&mut a.pool, &mut a.custody, custody_key, &valued, lp_supply, &req, clock.slot)?;

    token::burn(
        CpiContext::new(
            a.token_program.key(),
            token::Burn {
                mint: a.lp_mint.to_account_info(),
                from: a.provider_lp.to_account_info(),
                authority: a.provider.to_account_info(),
            },
        ),
        args.shares,
    )?;
    let signer = a.pool.signer();
    let pool_info = a.pool.to_account_info();
    transfer(
        &a.token_program,
        a.custody_reserve.to_account_info(),
        a.provider_asset.to_account_info(),
        pool_info,
        &signer.seeds(),
        plan.amount_out.0,
    )?;
    emit(plan.event);
    Ok(())
}
