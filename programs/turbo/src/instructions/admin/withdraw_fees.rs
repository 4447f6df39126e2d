use anchor_lang::prelude::*;
use anchor_spl::token::{Token, TokenAccount};

use crate::error::{CheckedExt, TurboError};
use crate::events::FeesWithdrawnEvent;
use crate::instructions::flow::transfer;
use crate::state::{Config, Pool};

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug)]
pub struct WithdrawFeesArgs {
    pub usdc: u64,
    pub crt: u64,
}

/// Move the treasury's share of fees out of the pool, to token accounts owned by the treasury.
#[derive(Accounts)]
pub struct WithdrawFees<'info> {
    pub admin: Signer<'info>,
    #[account(has_one = admin @ TurboError::Unauthorized)]
    pub config: Box<Account<'info, Config>>,
    #[account(mut)]
    pub pool: Box<Account<'info, Pool>>,
    #[account(mut, address = pool.usdc_reserve)]
    pub pool_usdc: Box<Account<'info, TokenAccount>>,
    #[account(mut, address = pool.crt_reserve)]
    pub pool_crt: Box<Account<'info, TokenAccount>>,
    #[account(mut, token::mint = config.usdc_mint, token::authority = config.treasury)]
    pub treasury_usdc: Box<Account<'info, TokenAccount>>,
    #[account(mut, token::mint = config.crt_mint, token::authority = config.treasury)]
    pub treasury_crt: Box<Account<'info, TokenAccount>>,
    pub token_program: Program<'info, Token>,
}

pub fn handler(ctx: Context<WithdrawFees>, args: WithdrawFeesArgs) -> Result<()> {
    let a = &ctx.accounts;
    let pool = &a.pool;
    require!(args.usdc <= pool.treasury_usdc && args.crt <= pool.treasury_crt, TurboError::InsufficientTreasuryFees);
    let signer = pool.signer();
    let seeds = signer.seeds();
    let pool_info = pool.to_account_info();
    transfer(&a.token_program, a.pool_usdc.to_account_info(), a.treasury_usdc.to_account_info(), pool_info.clone(), &seeds, args.usdc)?;
    transfer(&a.token_program, a.pool_crt.to_account_info(), a.treasury_crt.to_account_info(), pool_info, &seeds, args.crt)?;
    let pool = &mut ctx.accounts.pool;
    let sub = |a: u64, b: u64| a.checked_sub(b).or_overflow();
    pool.treasury_usdc = sub(pool.treasury_usdc, args.usdc)?;
    pool.treasury_crt = sub(pool.treasury_crt, args.crt)?;
    pool.usdc_balance = sub(pool.usdc_balance, args.usdc)?;
    pool.crt_balance = sub(pool.crt_balance, args.crt)?;
    crate::events::emit(FeesWithdrawnEvent {
        treasury: ctx.accounts.config.treasury,
        usdc: args.usdc,
        crt: args.crt,
        treasury_usdc_left: pool.treasury_usdc,
        treasury_crt_left: pool.treasury_crt,
    });
    Ok(())
}
