use anchor_lang::prelude::*;
use anchor_spl::token::{self, Mint, Token, TokenAccount};
use pyth_solana_receiver_sdk::price_update::PriceUpdateV2;
use turbo_math::{exposure_cap, lp_value_for_shares, Bias, Shares, Usd};

use crate::constants::*;
use crate::error::{MathResultExt, TurboError};
use crate::events::LiquidityWithdrawnEvent;
use crate::state::{pause, Config, Pool};
use crate::engine::lp::withdrawal_payout;
use crate::instructions::lp::valuation::value_pool;
use crate::instructions::flow::transfer;

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug)]
pub struct WithdrawLiquidityArgs {
    pub shares: u64,
    pub min_usdc_out: u64,
    pub min_crt_out: u64,
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
    pub crt_price_update: Box<Account<'info, PriceUpdateV2>>,
    pub token_program: Program<'info, Token>,
}

impl WithdrawLiquidity<'_> {
    pub fn validate(&self, args: &WithdrawLiquidityArgs) -> Result<()> {
        require!(!self.config.is_paused(pause::WITHDRAW, Clock::get()?.unix_timestamp), TurboError::WithdrawPaused);
        require!(args.shares > 0, TurboError::ZeroAmount);
        Ok(())
    }
}

pub fn handler<'info>(ctx: Context<'info, WithdrawLiquidity<'info>>, args: WithdrawLiquidityArgs) -> Result<()> {
    let clock = Clock::get()?;
    let a = &mut *ctx.accounts;
    let valued = value_pool(&a.config, &mut a.pool, ctx.remaining_accounts, &a.crt_price_update, Bias::Low, a.lp_mint.supply, &clock)?;
    let value = valued.value;
    let supply = Shares(a.lp_mint.supply);
    let value_out = lp_value_for_shares(Shares(args.shares), supply, value).or_overflow()?;

    let (usdc_out, crt_out) = withdrawal_payout(&a.pool, &a.config, &valued.valuation, value_out, &valued.crt)?;
    require!(crt_out.0 == 0 || a.provider_crt.is_some(), TurboError::CrtAccountMissing);
    require!(
        usdc_out.0 >= args.min_usdc_out && crt_out.0 >= args.min_crt_out,
        TurboError::SlippageExceeded
    );

    // What is left must still back every vault under the caps, measured both on the pool's
    // settled books and at current prices.
    let value_after = Usd(value.0.saturating_sub(value_out.0));
    let (gross_cap, net_cap) = a.pool.caps();
    let gross = a.pool.gross_notional()?.0.max(valued.valuation.gross_notional as u64);
    require!(gross <= exposure_cap(value_after, gross_cap).or_overflow()?.0, TurboError::WithdrawalBreaksCaps);
    let net_limit = exposure_cap(value_after, net_cap).or_overflow()?;
    for slot in &a.pool.assets[..a.pool.asset_count as usize] {
        require!(slot.book().net() <= net_limit, TurboError::WithdrawalBreaksCaps);
    }

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
    let seeds: &[&[u8]] = &[POOL_SEED, &[a.pool.bump]];
    let pool_info = a.pool.to_account_info();
    transfer(&a.token_program, a.pool_usdc.to_account_info(), a.provider_usdc.to_account_info(), pool_info.clone(), seeds, usdc_out.0)?;
    if let Some(provider_crt) = a.provider_crt.as_ref() {
        transfer(&a.token_program, a.pool_crt.to_account_info(), provider_crt.to_account_info(), pool_info, seeds, crt_out.0)?;
    }
    let pool = &mut a.pool;
    pool.usdc_balance = pool.usdc_balance.checked_sub(usdc_out.0).ok_or(TurboError::MathOverflow)?;
    pool.crt_balance = pool.crt_balance.checked_sub(crt_out.0).ok_or(TurboError::MathOverflow)?;
    crate::events::emit(LiquidityWithdrawnEvent {
        provider: a.provider.key(),
        shares_burned: args.shares,
        value_out: value_out.0,
        usdc_out: usdc_out.0,
        crt_out: crt_out.0,
        pool_value: value.0,
        lp_supply_after: supply.0.saturating_sub(args.shares), // the burn refused shares > supply
        gross_notional: gross,
    });
    Ok(())
}
