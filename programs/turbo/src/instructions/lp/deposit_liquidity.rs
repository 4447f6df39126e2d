use anchor_lang::prelude::*;
use anchor_spl::token::{self, Mint, Token, TokenAccount};
use pyth_solana_receiver_sdk::price_update::PriceUpdateV2;
use turbo_math::{lp_shares_for_deposit, Bias, Shares, Usd};

use crate::constants::*;
use crate::error::{MathResultExt, TurboError};
use crate::events::LiquidityDepositedEvent;
use crate::state::{pause, Config, Pool};
use crate::instructions::lp::valuation::value_pool;
use crate::instructions::flow::transfer;

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
    pub crt_price_update: Box<Account<'info, PriceUpdateV2>>,
    pub token_program: Program<'info, Token>,
}

impl DepositLiquidity<'_> {
    pub fn validate(&self, args: &DepositLiquidityArgs) -> Result<()> {
        require!(!self.config.is_paused(pause::DEPOSIT, 0), TurboError::DepositPaused);
        require!(args.usdc_amount > 0, TurboError::ZeroAmount);
        Ok(())
    }
}

pub fn handler<'info>(ctx: Context<'info, DepositLiquidity<'info>>, args: DepositLiquidityArgs) -> Result<()> {
    let clock = Clock::get()?;
    let a = &mut *ctx.accounts;
    let valued = value_pool(&a.config, &mut a.pool, ctx.remaining_accounts, &a.crt_price_update, Bias::High, a.lp_mint.supply, &clock)?;
    let value = valued.value;
    let shares = lp_shares_for_deposit(Usd(args.usdc_amount), Shares(a.lp_mint.supply), value).or_overflow()?;
    require!(shares.0 > 0, TurboError::MintTooSmall);
    require!(shares.0 >= args.min_shares_out, TurboError::SlippageExceeded);

    transfer(
        &a.token_program,
        a.provider_usdc.to_account_info(),
        a.pool_usdc.to_account_info(),
        a.provider.to_account_info(),
        &[],
        args.usdc_amount,
    )?;
    let seeds: &[&[u8]] = &[POOL_SEED, &[a.pool.bump]];
    token::mint_to(
        CpiContext::new_with_signer(
            a.token_program.key(),
            token::MintTo {
                mint: a.lp_mint.to_account_info(),
                to: a.provider_lp.to_account_info(),
                authority: a.pool.to_account_info(),
            },
            &[seeds],
        ),
        shares.0,
    )?;
    let pool = &mut a.pool;
    pool.usdc_balance = pool.usdc_balance.checked_add(args.usdc_amount).ok_or(TurboError::MathOverflow)?;
    // From the first money of anyone but the admin on, changes that add risk wait for the
    // timelock (the admin's own seeding of the pool does not count).
    if a.provider.key() != a.config.admin {
        pool.launched = true;
    }
    crate::events::emit(LiquidityDepositedEvent {
        provider: a.provider.key(),
        usdc_in: args.usdc_amount,
        shares_out: shares.0,
        pool_value: value.0,
        lp_supply_after: a.lp_mint.supply.checked_add(shares.0).ok_or(TurboError::MathOverflow)?,
    });
    Ok(())
}
