use anchor_lang::prelude::*;
use anchor_spl::token::{self, Mint, Token, TokenAccount};

use crate::engine::lp::{check_deposit, deposit, DepositRequest, Lean};
use crate::events::emit;
use crate::instructions::flow::transfer;
use crate::instructions::lp::valuation::value_pool;
use crate::state::{Config, Pool};

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug)]
pub struct DepositLiquidityArgs {
    pub usdc_amount: u64,
    pub min_shares_out: u64,
}

/// Deposit USDC into the counterparty pool for LP shares priced at pool value (biased high).
/// Remaining accounts: every registered vault and its price update, in registry order.
#[derive(Accounts)]
pub struct DepositLiquidity<'info> {
    pub provider: Signer<'info>,
    pub config: Box<Account<'info, Config>>,
    #[account(mut)]
    pub pool: Box<Account<'info, Pool>>,
    #[account(mut, address = pool.lp_mint)]
    pub lp_mint: Box<Account<'info, Mint>>,
    #[account(mut, address = pool.usdc_reserve)]
    pub pool_usdc: Box<Account<'info, TokenAccount>>,
    #[account(mut, token::mint = config.usdc_mint, token::authority = provider)]
    pub provider_usdc: Box<Account<'info, TokenAccount>>,
    #[account(mut, token::mint = lp_mint)]
    pub provider_lp: Box<Account<'info, TokenAccount>>,
    /// CHECK: a `PriceUpdateV2` or a `SignedFeed`, read through `oracle::PriceSource::load`.
    pub crt_price_update: UncheckedAccount<'info>,
    pub token_program: Program<'info, Token>,
}

impl DepositLiquidity<'_> {
    fn request(&self, args: &DepositLiquidityArgs) -> DepositRequest {
        DepositRequest { provider: self.provider.key(), usdc: args.usdc_amount, min_shares_out: args.min_shares_out }
    }

    pub fn validate(&self, args: &DepositLiquidityArgs) -> Result<()> {
        check_deposit(&self.config, &self.request(args))
    }
}

pub fn handler<'info>(ctx: Context<'info, DepositLiquidity<'info>>, args: DepositLiquidityArgs) -> Result<()> {
    probe!("handler (validated)");
    let clock = Clock::get()?;
    let req = ctx.accounts.request(&args);
    let a = &mut *ctx.accounts;
    let lp_supply = a.lp_mint.supply;
    let valued = value_pool(&a.config, &mut a.pool, ctx.remaining_accounts, &a.crt_price_update, Lean::DEPOSIT, lp_supply, &clock)?;
    probe!("prices");
    let plan = deposit(&a.config, &mut a.pool, &valued, lp_supply, &req)?;
    probe!("engine");

    transfer(
        &a.token_program,
        a.provider_usdc.to_account_info(),
        a.pool_usdc.to_account_info(),
        a.provider.to_account_info(),
        &[],
        args.usdc_amount,
    )?;
    let signer = a.pool.signer();
    token::mint_to(
        CpiContext::new_with_signer(
            a.token_program.key(),
            token::MintTo { mint: a.lp_mint.to_account_info(), to: a.provider_lp.to_account_info(), authority: a.pool.to_account_info() },
            &[&signer.seeds()],
        ),
        plan.shares_out.0,
    )?;
    probe!("tokens");
    emit(plan.event);
    probe!("events");
    Ok(())
}
