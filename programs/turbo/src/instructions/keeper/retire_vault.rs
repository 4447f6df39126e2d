use anchor_lang::prelude::*;
use anchor_spl::token::Token;
use pyth_solana_receiver_sdk::price_update::PriceUpdateV2;
use turbo_math::{Exposure, Price, Prices};

use crate::constants::FEED_DEAD_SECS;
use crate::error::TurboError;
use crate::events::{emit, ChangeExecutedEvent, VaultRetiredEvent};
use crate::oracle::Caller;
use crate::state::{Change, Config, PendingChange, Pool, Vault};
use crate::instructions::flow::FlowAccounts;
use crate::engine::flow::NetFlow;

/// Retire a vault: settle it, close its exposure and freeze its NAV. Its holders then redeem in
/// kind, forever, with no price feed (the review's M-3). The admin may retire it with a due
/// `Change::RetireVault` (the timelock); anyone may once no instruction could price its asset
/// for a day, so a deprecated feed traps nobody. A retired vault that is owed nothing leaves the
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
    pub price_update: Option<Box<Account<'info, PriceUpdateV2>>>,
    /// CRT's price, needed on the admin's path when the vault holds CRT.
    pub crt_price_update: Option<Box<Account<'info, PriceUpdateV2>>>,
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
    let mut feed_dead = false;
    let was_retired = a.vault.is_retired();
    let px = if a.vault.is_retired() {
        crate::engine::settle::retired_prices(&a.vault)
    } else if let Some(pending) = a.pending.as_ref() {
        require!(pending.change == Change::RetireVault { vault: vault_key }, TurboError::ChangeMismatch);
        require!(pending.is_due(now), TurboError::TimelockNotElapsed);
        let asset = a.price_update.as_ref().ok_or(TurboError::PriceAccountMissing)?;
        let crt = if a.vault.crt_balance > 0 {
            Some(&***a.crt_price_update.as_ref().ok_or(TurboError::PriceAccountMissing)?)
        } else {
            None
        };
        crate::engine::settle::read_vault_prices(&a.vault, &mut a.pool, &a.config, asset, crt, &clock, Caller::Keeper)?
    } else {
        let last = a.pool.assets[a.vault.asset_index as usize].mark.last_publish_time;
        require!(now.saturating_sub(last) >= FEED_DEAD_SECS, TurboError::RetireNotAllowed);
        feed_dead = true;
        // No price for a day: close at the last settlement price, which realizes nothing (and
        // so moves no CRT: none is read).
        Prices { asset: turbo_math::OraclePrice::exact(Price(a.vault.settle_price), last), crt: crate::engine::settle::UNREAD_CRT }
    };
    let used_pending = !was_retired && !feed_dead;

    // Settle (it collects what the pool owes the vault, as far as the pool can pay), close the
    // exposure at the settlement price, and sweep every fee the vault holds for the pool.
    let settlement = crate::instructions::flow::settle(vault_key, &mut a.vault, &mut a.pool, &a.config, &px)?;
    let mut flow = NetFlow::from_settlement(&settlement);
    let vault = &mut a.vault;
    let (q, p) = (Exposure(vault.exposure), Price(vault.settle_price));
    a.pool.rebook(vault.asset_index, q, p, Exposure(0), p)?;
    vault.exposure = 0;
    let swept = crate::engine::fees::sweep_fees(&mut a.pool, vault, a.config.lp_fee_share(), &mut flow, true)?;
    crate::instructions::flow::emit_swept(vault_key, &swept);
    if vault.retired_at == 0 {
        vault.retired_at = now;
    }
    let deregistered = vault.gain_claim == 0 && a.config.registered_vaults().contains(&vault_key);
    if deregistered {
        a.config.deregister_vault(&vault_key);
    }

    let signer = a.vault.signer();
    FlowAccounts {
        token_program: &a.token_program,
        vault: a.vault.to_account_info(),
        vault_seeds: &signer.seeds(),
        vault_usdc: a.vault_usdc.to_account_info(),
        vault_crt: a.vault_crt.to_account_info(),
        pool: a.pool.to_account_info(),
        pool_bump: a.pool.bump,
        pool_usdc: a.pool_usdc.to_account_info(),
        pool_crt: a.pool_crt.to_account_info(),
    }
    .execute(flow)?;
    if let (true, Some(pending)) = (used_pending, a.pending.as_ref()) {
        emit(ChangeExecutedEvent { id: pending.id, change: pending.change, by: a.caller.key() });
        pending.close(a.admin.to_account_info())?;
    }
    emit(VaultRetiredEvent {
        vault: vault_key,
        by: a.caller.key(),
        price: a.vault.settle_price,
        feed_dead,
        usdc: a.vault.usdc_balance,
        crt: a.vault.crt_balance,
        claim: a.vault.gain_claim,
        deregistered,
    });
    Ok(())
}
