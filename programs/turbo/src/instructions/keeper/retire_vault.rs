use anchor_lang::prelude::*;
use anchor_spl::token::Token;

use crate::engine::retire::{arm, retire, retire_path, unpriced, RetirePath};
use crate::engine::settle::{read_vault_prices, retired_prices};
use crate::error::TurboError;
use crate::events::{emit, ChangeExecutedEvent};
use crate::instructions::flow::{emit_some, FlowAccounts};
use crate::oracle::{Caller, PriceSource};
use crate::state::{Config, PendingChange, Pool, Vault};

/// Retire a vault: settle it, close its exposure and freeze its NAV. Its holders then redeem in
/// kind, forever, with no price feed (the review's M-3). The admin may retire it with a due
/// `Change::RetireVault` (the timelock), at a fresh price; anyone may once no instruction could
/// price its asset for a day: the first call arms it, and a call a grace period later carries it
/// out unless any instruction used a live price of the asset in between, so a deprecated feed
/// traps nobody and a quiet one is not called dead. A retired vault that is owed nothing leaves the
/// registry: LP instructions stop needing its price and its slot is free. One the pool still
/// owes stays registered, valued at its claim, until a later call of this instruction finds the
/// claim paid.
#[derive(Accounts)]
pub struct RetireVault<'info> {
    pub caller: Signer<'info>,
    #[account(mut)]
    pub config: Box<Account<'info, Config>>,
    #[account(mut)]
    pub pool: Box<Account<'info, Pool>>,
    #[account(mut)]
    pub vault: Box<Account<'info, Vault>>,
    /// CHECK: pinned to the address stored at creation; the token program checks transfers.
    #[account(mut, address = vault.usdc_reserve)]
    pub vault_usdc: UncheckedAccount<'info>,
    /// CHECK: as `vault_usdc`.
    #[account(mut, address = vault.crt_reserve)]
    pub vault_crt: UncheckedAccount<'info>,
    /// CHECK: as `vault_usdc`.
    #[account(mut, address = pool.usdc_reserve)]
    pub pool_usdc: UncheckedAccount<'info>,
    /// CHECK: as `vault_usdc`.
    #[account(mut, address = pool.crt_reserve)]
    pub pool_crt: UncheckedAccount<'info>,
    /// The asset's price, on the admin's path; the feed-dead path reads none.
    /// CHECK: a `PriceUpdateV2` or a `SignedFeed`, read through `oracle::PriceSource::load`.
    pub price_update: Option<UncheckedAccount<'info>>,
    /// CRT's price, needed on the admin's path when the vault holds CRT.
    /// CHECK: a `PriceUpdateV2` or a `SignedFeed`, read through `oracle::PriceSource::load`.
    pub crt_price_update: Option<UncheckedAccount<'info>>,
    /// The admin's queued and due `Change::RetireVault` (closed here, rent to the admin).
    #[account(mut)]
    pub pending: Option<Box<Account<'info, PendingChange>>>,
    /// CHECK: receives the queue entry's rent; pinned to the admin.
    #[account(mut, address = config.admin @ TurboError::Unauthorized)]
    pub admin: UncheckedAccount<'info>,
    pub token_program: Program<'info, Token>,
}

pub fn handler(ctx: Context<RetireVault>) -> Result<()> {
    let clock = Clock::get()?;
    let now = clock.unix_timestamp;
    let a = &mut *ctx.accounts;
    let vault_key = a.vault.key();
    let path = retire_path(&a.pool, &a.vault, vault_key, a.pending.as_deref().map(|p| &**p), now)?;
    if path == RetirePath::ArmFeedDead {
        emit(arm(&a.pool, &mut a.vault, vault_key, a.caller.key(), now));
        return Ok(());
    }
    let px = match path {
        RetirePath::Admin => {
            let asset = PriceSource::load(a.price_update.as_ref().ok_or(TurboError::PriceAccountMissing)?)?;
            let crt = if a.vault.crt_balance > 0 {
                Some(PriceSource::load(a.crt_price_update.as_ref().ok_or(TurboError::PriceAccountMissing)?)?)
            } else {
                None
            };
            read_vault_prices(&a.vault, &mut a.pool, &a.config, &asset, crt.as_ref(), &clock, Caller::User)?
        }
        RetirePath::FeedDead => unpriced(&a.pool, &a.vault),
        RetirePath::Finish | RetirePath::ArmFeedDead => retired_prices(&a.vault),
    };
    let plan = retire(&mut a.config, &mut a.pool, &mut a.vault, vault_key, a.caller.key(), &px, path, now)?;

    let signer = a.vault.signer();
    let pool_signer = a.pool.signer();
    FlowAccounts {
        token_program: &a.token_program,
        vault: a.vault.to_account_info(),
        vault_seeds: &signer.seeds(),
        vault_usdc: a.vault_usdc.to_account_info(),
        vault_crt: a.vault_crt.to_account_info(),
        pool: a.pool.to_account_info(),
        pool_seeds: &pool_signer.seeds(),
        pool_usdc: a.pool_usdc.to_account_info(),
        pool_crt: a.pool_crt.to_account_info(),
    }
    .execute(plan.flow)?;
    emit_some(plan.settled.event);
    emit_some(plan.swept);
    // The queued change is carried out: close its entry (after every CPI), rent to the admin.
    if let (RetirePath::Admin, Some(pending)) = (path, a.pending.as_ref()) {
        emit(ChangeExecutedEvent { id: pending.id, change: pending.change, by: a.caller.key() });
        pending.close(a.admin.to_account_info())?;
    }
    emit(plan.event);
    Ok(())
}
