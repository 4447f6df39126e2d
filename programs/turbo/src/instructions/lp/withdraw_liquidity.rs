use anchor_lang::prelude::*;
use anchor_spl::token::{self, Mint, Token, TokenAccount};

use crate::engine::lp::{check_withdraw, withdraw, Lean, WithdrawRequest};
use crate::events::emit;
use crate::instructions::flow::transfer;
use crate::instructions::lp::valuation::value_pool;
use crate::state::{Config, Pool};

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug)]
pub struct WithdrawLiquidityArgs {
    pub shares: u64,
    pub min_usdc_out: u64,
    pub min_crt_out: u64,
    /// Value a vault whose feed is stale past its maximum age (and CRT, if its feed is) at the
    /// most the pool could owe it, rather than refuse: the way out while a feed is dead. Any
    /// other price refusal still refuses the withdrawal (docs/decisions.md, "Dead means dead").
    pub allow_unpriced: bool,
}

/// Burn LP shares for their value at pool value (biased low), paid in USDC and, when the
/// pool's free USDC is short, in CRT. Refused if what is left cannot back the vaults' exposure
/// under the caps. Remaining accounts: every registered vault and its price update.
#[derive(Accounts)]
pub struct WithdrawLiquidity<'info> {
    pub provider: Signer<'info>,
    pub config: Box<Account<'info, Config>>,
    #[account(mut)]
    pub pool: Box<Account<'info, Pool>>,
    #[account(mut, address = pool.lp_mint)]
    pub lp_mint: Box<Account<'info, Mint>>,
    #[account(mut, address = pool.usdc_reserve)]
    pub pool_usdc: Box<Account<'info, TokenAccount>>,
    #[account(mut, address = pool.crt_reserve)]
    pub pool_crt: Box<Account<'info, TokenAccount>>,
    #[account(mut, token::mint = lp_mint, token::authority = provider)]
    pub provider_lp: Box<Account<'info, TokenAccount>>,
    #[account(mut, token::mint = config.usdc_mint)]
    pub provider_usdc: Box<Account<'info, TokenAccount>>,
    #[account(mut, token::mint = config.crt_mint)]
    pub provider_crt: Option<Box<Account<'info, TokenAccount>>>,
    /// CHECK: a `PriceUpdateV2` or a `SignedFeed`, read through `oracle::PriceSource::load`.
    pub crt_price_update: UncheckedAccount<'info>,
    pub token_program: Program<'info, Token>,
}

impl WithdrawLiquidity<'_> {
    fn request(&self, args: &WithdrawLiquidityArgs) -> WithdrawRequest {
        WithdrawRequest {
            provider: self.provider.key(),
            shares: args.shares,
            min_usdc_out: args.min_usdc_out,
            min_crt_out: args.min_crt_out,
            has_crt_account: self.provider_crt.is_some(),
            allow_unpriced: args.allow_unpriced,
        }
    }

    pub fn validate(&self, args: &WithdrawLiquidityArgs) -> Result<()> {
        check_withdraw(&self.config, &self.request(args), Clock::get()?.unix_timestamp)
    }
}

pub fn handler<'info>(ctx: Context<'info, WithdrawLiquidity<'info>>, args: WithdrawLiquidityArgs) -> Result<()> {
    probe!("handler (validated)");
    let clock = Clock::get()?;
    let req = ctx.accounts.request(&args);
    let a = &mut *ctx.accounts;
    let lp_supply = a.lp_mint.supply;
    let valued = value_pool(
        &a.config,
        &mut a.pool,
        ctx.remaining_accounts,
        &a.crt_price_update,
        Lean::withdrawal(req.allow_unpriced),
        lp_supply,
        &clock,
    )?;
    probe!("prices");
    let plan = withdraw(&a.config, &mut a.pool, &valued, lp_supply, &req)?;
    probe!("engine");

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
    let seeds = signer.seeds();
    let pool_info = a.pool.to_account_info();
    transfer(
        &a.token_program,
        a.pool_usdc.to_account_info(),
        a.provider_usdc.to_account_info(),
        pool_info.clone(),
        &seeds,
        plan.usdc_out.0,
    )?;
    if let Some(provider_crt) = a.provider_crt.as_ref() {
        transfer(&a.token_program, a.pool_crt.to_account_info(), provider_crt.to_account_info(), pool_info, &seeds, plan.crt_out.0)?;
    }
    probe!("tokens");
    emit(plan.event);
    probe!("events");
    Ok(())
}
