use anchor_lang::prelude::*;

use crate::constants::CHANGE_SEED;
use crate::error::{CheckedExt, TurboError};
use crate::events::ChangeQueuedEvent;
use crate::state::{Change, Config, PendingChange, Vault};

/// Queue a change that adds risk (docs/decisions.md, "Admin powers"). It is checked now against
/// the bounds, announced by `ChangeQueuedEvent`, and may be executed once the delay has passed:
/// by `execute_change` for parameters, by `create_vault` or `retire_vault` for those.
#[derive(Accounts)]
#[instruction(change: Change)]
pub struct QueueChange<'info> {
    #[account(mut)]
    pub admin: Signer<'info>,
    #[account(mut, has_one = admin @ TurboError::Unauthorized)]
    pub config: Box<Account<'info, Config>>,
    #[account(
        init,
        payer = admin,
        space = 8 + PendingChange::INIT_SPACE,
        seeds = [CHANGE_SEED, &config.next_change_id.to_le_bytes()],
        bump,
    )]
    pub pending: Box<Account<'info, PendingChange>>,
    /// The vault a vault change or retirement is for.
    pub vault: Option<Box<Account<'info, Vault>>>,
    pub system_program: Program<'info, System>,
}

impl QueueChange<'_> {
    pub fn validate(&self, change: &Change) -> Result<()> {
        match change {
            Change::Config(p) => p.validate(),
            Change::Pool(caps) => caps.validate(),
            Change::Vault { vault, params } => {
                let v = self.vault_for(vault)?;
                params.validate_update(&v.params)
            }
            Change::RetireVault { vault } => self.vault_for(vault).map(|_| ()),
            Change::CreateVault { .. } | Change::CreateCustody { .. } | Change::OpenSignedFeed { .. } => Ok(()),
        }
    }

    /// The named vault, which must be given and active.
    fn vault_for(&self, key: &Pubkey) -> Result<&Vault> {
        let v = self.vault.as_ref().ok_or(TurboError::ChangeMismatch)?;
        require_keys_eq!(v.key(), *key, TurboError::ChangeMismatch);
        require!(!v.is_retired(), TurboError::VaultRetired);
        Ok(v)
    }
}

pub fn handler(ctx: Context<QueueChange>, change: Change) -> Result<()> {
    let now = Clock::get()?.unix_timestamp;
    let config = &mut ctx.accounts.config;
    let id = config.next_change_id;
    config.next_change_id = id.checked_add(1).or_overflow()?;
    let eta = now.saturating_add(config.params.timelock_secs as i64);
    let pending = &mut ctx.accounts.pending;
    pending.version = crate::state::LAYOUT_VERSION;
    pending.id = id;
    pending.change = change;
    pending.queued_at = now;
    pending.eta = eta;
    pending.bump = ctx.bumps.pending;
    crate::events::emit(ChangeQueuedEvent { id, change, eta });
    Ok(())
}
