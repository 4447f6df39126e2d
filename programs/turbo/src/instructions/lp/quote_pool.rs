use anchor_lang::prelude::*;
use anchor_spl::token::Mint;
use turbo_math::{ui_token_price, Bias, Shares};

use crate::engine::lp::Lean;
use crate::error::MathResultExt;
use crate::events::{emit, PoolQuotedEvent};
use crate::instructions::lp::valuation::value_pool;
use crate::state::{Config, Pool};

/// Read-only and permissionless: emit a `PoolQuotedEvent` with the pool's value as a withdrawal
/// and as a deposit would price it, and the LP share price both ways. The remaining accounts
/// are every registered vault and its price update, as for a deposit. Clients simulate it.
#[derive(Accounts)]
pub struct QuotePool<'info> {
    pub config: Box<Account<'info, Config>>,
    pub pool: Box<Account<'info, Pool>>,
    #[account(address = pool.lp_mint)]
    pub lp_mint: Box<Account<'info, Mint>>,
    /// CHECK: a `PriceUpdateV2` or a `SignedFeed`, read through `oracle::PriceSource::load`.
    pub crt_price_update: UncheckedAccount<'info>,
}

pub fn handler<'info>(ctx: Context<'info, QuotePool<'info>>) -> Result<()> {
    let clock = Clock::get()?;
    let a = &ctx.accounts;
    let lp_supply = a.lp_mint.supply;
    let value = |bias| -> Result<u64> {
        // Boxed: SBF gives a frame 4 KiB.
        let mut pool = Box::new(**a.pool);
        Ok(value_pool(
            &a.config,
            &mut pool,
            ctx.remaining_accounts,
            &a.crt_price_update,
            Lean { bias, allow_unpriced: true },
            lp_supply,
            &clock,
        )?
        .value
        .0)
    };
    let (value_low, value_high) = (value(Bias::Low)?, value(Bias::High)?);
    let share = |v: u64| -> Result<u64> { Ok(ui_token_price(turbo_math::Usd(v), Shares(lp_supply.max(1)), 0).or_math()?.0) };
    emit(PoolQuotedEvent { value_low, value_high, lp_supply, share_price_low: share(value_low)?, share_price_high: share(value_high)? });
    Ok(())
}
