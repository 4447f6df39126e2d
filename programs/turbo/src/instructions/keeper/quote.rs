use anchor_lang::prelude::*;
use anchor_spl::token_interface::Mint as T22Mint;
use turbo_math::Shares;

use crate::engine::rebalance::quote;
use crate::engine::settle::read_prices;
use crate::events::emit;
use crate::oracle::{Caller, PriceSource};
use crate::state::{Config, Pool, Vault};

/// Read-only and permissionless: emit a `VaultQuotedEvent` with the vault's NAV, token price,
/// leverage, effective band and the asset prices of its next trim and re-leverage, at the
/// prices given (the keeper's age rule). Clients simulate it; it writes nothing, so a wallet or
/// page needs no copy of the protocol's math (docs/design.md §5.7).
#[derive(Accounts)]
pub struct Quote<'info> {
    pub config: Box<Account<'info, Config>>,
    pub pool: Box<Account<'info, Pool>>,
    #[account(has_one = mint)]
    pub vault: Box<Account<'info, Vault>>,
    pub mint: Box<InterfaceAccount<'info, T22Mint>>,
    /// The asset's price; a retired vault needs none.
    /// CHECK: a `PriceUpdateV2` or a `SignedFeed`, read through `oracle::PriceSource::load`.
    pub price_update: Option<UncheckedAccount<'info>>,
    /// CRT's price.
    /// CHECK: a `PriceUpdateV2` or a `SignedFeed`, read through `oracle::PriceSource::load`.
    pub crt_price_update: Option<UncheckedAccount<'info>>,
}

pub fn handler(ctx: Context<Quote>) -> Result<()> {
    let clock = Clock::get()?;
    let a = &ctx.accounts;
    // Boxed, as the engine's copies are: SBF gives a frame 4 KiB.
    let mut pool = Box::new(**a.pool);
    let (asset, crt) = (PriceSource::load_opt(a.price_update.as_deref())?, PriceSource::load_opt(a.crt_price_update.as_deref())?);
    let px = read_prices(&a.vault, &mut pool, &a.config, asset.as_ref(), crt.as_ref(), true, &clock, Caller::Keeper)?;
    emit(quote(&a.config, &pool, &a.vault, a.vault.key(), Shares(a.mint.supply), &px, clock.unix_timestamp)?);
    Ok(())
}
