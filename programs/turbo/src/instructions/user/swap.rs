use anchor_lang::prelude::*;
use anchor_spl::token::{Token, TokenAccount};

use crate::engine::hedge::{check_swap, swap, SwapRequest};
use crate::error::TurboError;
use crate::events::emit;
use crate::instructions::flow::transfer;
use crate::oracle::{use_price, Caller, PriceRules, PriceSource};
use crate::state::{Config, Custody, Pool};

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug)]
pub struct SwapArgs {
    /// True: `amount_in` raw units of the asset in, USDC out. False: USDC in, the asset out.
    pub asset_in: bool,
    pub amount_in: u64,
    /// Slippage guard: the least the caller accepts, raw units of what goes out.
    pub min_amount_out: u64,
}

/// Swap a custody's token for the pool's USDC, or back, at the oracle price (the side against
/// the trader, over the price window), for the custody's base fee plus the impact of moving it
/// from its target: the way arbitrageurs keep the hedge where the vaults' net long needs it
/// (docs/design.md §5.6). A fresh price only, a bounded size per slot, and never locked tokens.
#[derive(Accounts)]
pub struct Swap<'info> {
    pub user: Signer<'info>,
    pub config: Box<Account<'info, Config>>,
    #[account(mut)]
    pub pool: Box<Account<'info, Pool>>,
    #[account(mut)]
    pub custody: Box<Account<'info, Custody>>,
    #[account(mut, address = custody.reserve @ TurboError::CustodyMismatch)]
    pub custody_reserve: Box<Account<'info, TokenAccount>>,
    #[account(mut, address = pool.usdc_reserve)]
    pub pool_usdc: Box<Account<'info, TokenAccount>>,
    #[account(mut, token::mint = custody.mint, token::authority = user)]
    pub user_asset: Box<Account<'info, TokenAccount>>,
    #[account(mut, token::mint = config.usdc_mint, token::authority = user)]
    pub user_usdc: Box<Account<'info, TokenAccount>>,
    /// CHECK: a `PriceUpdateV2` or a `SignedFeed`, read through `oracle::PriceSource::load`.
    pub price_update: UncheckedAccount<'info>,
    pub token_program: Program<'info, Token>,
}

impl Swap<'_> {
    fn request(&self, args: &SwapArgs) -> SwapRequest {
        SwapRequest { user: self.user.key(), asset_in: args.asset_in, amount_in: args.amount_in, min_amount_out: args.min_amount_out }
    }

    pub fn validate(&self, args: &SwapArgs) -> Result<()> {
        check_swap(&self.config, &self.request(args), Clock::get()?.unix_timestamp)
    }
}

pub fn handler(ctx: Context<Swap>, args: SwapArgs) -> Result<()> {
    let clock = Clock::get()?;
    let req = ctx.accounts.request(&args);
    let a = &mut *ctx.accounts;
    let i = a.custody.asset_index as usize;
    let custody_key = a.custody.key();
    // The asset's price through the user gate, recorded in its mark (the custody's own bounds
    // are the config's collateral bounds, as in the LP valuation).
    let feed_id = a.pool.assets[i].feed_id;
    require!(feed_id == a.custody.feed_id, TurboError::CustodyMismatch);
    let rules = PriceRules {
        feed_id: &feed_id,
        max_age_secs: a.config.params.crt_max_age_secs,
        max_conf_bps: a.config.params.crt_max_conf_bps,
        fresh_secs: Caller::User.fresh_secs(&a.config),
        ahead_secs: a.config.params.fresh_price_secs,
    };
    let span = a.config.price_window_span();
    let px = use_price(&PriceSource::load(&a.price_update)?, rules, &mut a.pool.assets[i].mark, span, &clock)?;
    let plan = swap(&mut a.pool, &mut a.custody, custody_key, &px, &req, clock.slot)?;

    let signer = a.pool.signer();
    let pool_info = a.pool.to_account_info();
    // What comes in goes from the user to its reserve; what goes out leaves the other reserve
    // under the pool's signature.
    let (user_in, reserve_in, reserve_out, user_out) = if args.asset_in {
        (&a.user_asset, &a.custody_reserve, &a.pool_usdc, &a.user_usdc)
    } else {
        (&a.user_usdc, &a.pool_usdc, &a.custody_reserve, &a.user_asset)
    };
    let user = a.user.to_account_info();
    transfer(&a.token_program, user_in.to_account_info(), reserve_in.to_account_info(), user, &[], args.amount_in)?;
    transfer(&a.token_program, reserve_out.to_account_info(), user_out.to_account_info(), pool_info, &signer.seeds(), plan.amount_out)?;
    emit(plan.event);
    Ok(())
}
