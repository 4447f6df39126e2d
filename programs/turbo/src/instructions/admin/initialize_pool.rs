use anchor_lang::prelude::*;
use anchor_spl::token::{Mint, Token, TokenAccount};

use crate::constants::*;
use crate::engine::create;
use crate::error::TurboError;
use crate::events::PoolInitializedEvent;
use crate::state::{Config, Pool, PoolCaps};

#[derive(Accounts)]
pub struct InitializePool<'info> {
    #[account(mut)]
    pub admin: Signer<'info>,
    #[account(has_one = admin @ TurboError::Unauthorized)]
    pub config: Box<Account<'info, Config>>,
    #[account(init, payer = admin, space = 8 + Pool::INIT_SPACE, seeds = [POOL_SEED], bump)]
    pub pool: Box<Account<'info, Pool>>,
    #[account(
        init,
        payer = admin,
        seeds = [LP_MINT_SEED],
        bump,
        mint::decimals = SHARE_DECIMALS,
        mint::authority = pool,
        mint::token_program = token_program,
    )]
    pub lp_mint: Box<Account<'info, Mint>>,
    #[account(
        init,
        payer = admin,
        seeds = [POOL_USDC_SEED],
        bump,
        token::mint = usdc_mint,
        token::authority = pool,
        token::token_program = token_program,
    )]
    pub pool_usdc: Box<Account<'info, TokenAccount>>,
    #[account(
        init,
        payer = admin,
        seeds = [POOL_CRT_SEED],
        bump,
        token::mint = crt_mint,
        token::authority = pool,
        token::token_program = token_program,
    )]
    pub pool_crt: Box<Account<'info, TokenAccount>>,
    #[account(address = config.usdc_mint)]
    pub usdc_mint: Box<Account<'info, Mint>>,
    #[account(address = config.crt_mint)]
    pub crt_mint: Box<Account<'info, Mint>>,
    pub token_program: Program<'info, Token>,
    pub system_program: Program<'info, System>,
}

pub fn handler(ctx: Context<InitializePool>, caps: PoolCaps) -> Result<()> {
    caps.validate()?;
    let a = &ctx.accounts;
    let state = create::pool(a.lp_mint.key(), a.pool_usdc.key(), a.pool_crt.key(), caps, ctx.bumps.pool);
    **ctx.accounts.pool = state;
    let pool = &ctx.accounts.pool;
    crate::events::emit(PoolInitializedEvent { pool: pool.key(), lp_mint: pool.lp_mint, caps });
    Ok(())
}
