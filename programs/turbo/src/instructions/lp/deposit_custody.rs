use anchor_lang::prelude::*;
use anchor_spl::token::{self, Mint, Token, TokenAccount};

use crate::engine::hedge::{check_custody_deposit, deposit, CustodyLpRequest};
use crate::engine::lp::Lean;
use crate::error::TurboError;
use crate::events::emit;
use crate::instructions::flow::transfer;
use crate::instructions::lp::valuation::value_pool;
use crate::state::{Config, Custody, Pool};

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug)]
pub struct DepositCustodyArgs {
    /// Raw units of the custody's token.
    pub amount: u64,
    pub min_shares_out: u64,
}

/// Deposit a custody's token into the pool for LP shares: valued at the asset's low price, less
/// the custody's base fee and the impact (a rebate where the hedge is short), shares at the pool's
/// value (biased high). Remaining accounts: every registered vault and its price update, then one
/// price update per custody, in asset order.
#[derive(Accounts)]
pub struct DepositCustody<'info> {
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
    #[account(mut, token::mint = custody.mint, token::authority = provider)]
    pub provider_asset: Box<Account<'info, TokenAccount>>,
    #[account(mut, token::mint = lp_mint)]
    pub provider_lp: Box<Account<'info, TokenAccount>>,
    /// CHECK: a `PriceUpdateV2` or a `SignedFeed`, read through `oracle::PriceSource::load`.
    pub crt_price_update: UncheckedAccount<'info>,
    pub token_program: Program<'info, Token>,
}

impl DepositCustody<'_> {
    fn request(&self, args: &DepositCustodyArgs) -> CustodyLpRequest {
        CustodyLpRequest { provider: self.provider.key(), amount: args.amount, min_out: args.min_shares_out }
    }

    pub fn validate(&self, args: &DepositCustodyArgs) -> Result<()> {
        check_custody_deposit(&self.config, &self.request(args))
    }
}

pub fn handler<'info>(ctx: Context<'info, DepositCustody<'info>>, args: DepositCustodyArgs) -> Result<()> {
    let clock = Clock::get()?;
    let req = ctx.accounts.request(&args);
    let a = &mut *ctx.accounts;
    let lp_supply = a.lp_mint.supply;
    let valued = value_pool(&a.config, &mut a.pool, ctx.remaining_accounts, &a.crt_price_update, Lean::DEPOSIT, lp_supply, &clock)?;
    let custody_key = a.custody.key();
    let plan = deposit(&a.config, &mut a.pool, &mut a.custody, custody_key, &valued, lp_supply, &req, clock.slot)?;

    transfer(
        &a.token_program,
        a.provider_asset.to_account_info(),
        a.custody_reserve.to_account_info(),
        a.provider.to_account_info(),
        &[],
        args.amount,
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
    emit(plan.event);
    Ok(())
}
