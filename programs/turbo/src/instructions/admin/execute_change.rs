use anchor_lang::prelude::*;

use crate::error::TurboError;
use crate::events::ChangeExecutedEvent;
use crate::state::{Change, Config, PendingChange, Pool, Vault};

/// Carry out a queued parameter change once its delay has passed. Anyone may: the change has
/// been public since it was queued. It is checked again against the bounds (a vault's direction
/// still may not change), and the queue entry is closed, its rent back to the admin.
#[derive(Accounts)]
pub struct ExecuteChange<'info> {
    pub executor: Signer<'info>,
    #[account(mut)]
    pub config: Box<Account<'info, Config>>,
    #[account(mut, close = admin)]
    pub pending: Box<Account<'info, PendingChange>>,
    /// CHECK: receives the queue entry's rent; pinned to the admin.
    #[account(mut, address = config.admin @ TurboError::Unauthorized)]
    pub admin: UncheckedAccount<'info>,
    #[account(mut)]
    pub pool: Option<Box<Account<'info, Pool>>>,
    #[account(mut)]
    pub vault: Option<Box<Account<'info, Vault>>>,
}

impl ExecuteChange<'_> {
    pub fn validate(&self) -> Result<()> {
        require!(self.pending.is_due(Clock::get()?.unix_timestamp), TurboError::TimelockNotElapsed);
        require!(!self.pending.is_expired(Clock::get()?.unix_timestamp), TurboError::ChangeExpired);
        Ok(())
    }
}

pub fn handler(ctx: Context<ExecuteChange>) -> Result<()> {
    let a = &mut *ctx.accounts;
    let change = a.pending.change;
    match change {
        Change::Config(params) => {
            params.validate()?;
            a.config.params = params;
            crate::events::emit(crate::events::ConfigUpdatedEvent { guardian: a.config.guardian, treasury: a.config.treasury, params });
        }
        Change::Pool(caps) => {
            caps.validate()?;
            let pool = a.pool.as_mut().ok_or(TurboError::ChangeMismatch)?;
            super::update_pool::apply(pool, caps);
        }
        Change::Vault { vault, params } => {
            let v = a.vault.as_mut().ok_or(TurboError::ChangeMismatch)?;
            require_keys_eq!(v.key(), vault, TurboError::ChangeMismatch);
            require!(!v.is_retired(), TurboError::VaultRetired);
            params.validate_update(&v.params)?;
            super::update_vault::apply(v, params);
        }
        // These are carried out by their own instructions.
        Change::CreateVault { .. } | Change::RetireVault { .. } | Change::CreateCustody { .. } | Change::OpenSignedFeed { .. } => {
            return err!(TurboError::ChangeMismatch)
        }
    }
    crate::events::emit(ChangeExecutedEvent { id: a.pending.id, change, by: a.executor.key() });
    Ok(())
}
