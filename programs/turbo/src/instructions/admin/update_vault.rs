use anchor_lang::prelude::*;

use crate::error::TurboError;
use crate::events::VaultUpdatedEvent;
use crate::state::{Config, Pool, Vault, VaultParams};

/// Change a vault's parameters at once. Allowed only for changes that lower risk (or before
/// the pool holds any LP money); anything else goes through `queue_change` and the timelock. A
/// vault's direction never changes.
#[derive(Accounts)]
pub struct UpdateVault<'info> {
    pub admin: Signer<'info>,
    #[account(has_one = admin @ TurboError::Unauthorized)]
    pub config: Box<Account<'info, Config>>,
    pub pool: Box<Account<'info, Pool>>,
    #[account(mut)]
    pub vault: Box<Account<'info, Vault>>,
}

impl UpdateVault<'_> {
    pub fn validate(&self, params: &VaultParams) -> Result<()> {
        require!(!self.vault.is_retired(), TurboError::VaultRetired);
        params.validate_update(&self.vault.params)?;
        require!(!self.pool.is_launched() || !params.adds_risk_over(&self.vault.params), TurboError::ChangeNeedsTimelock);
        Ok(())
    }
}

pub fn handler(ctx: Context<UpdateVault>, params: VaultParams) -> Result<()> {
    apply(&mut ctx.accounts.vault, params);
    Ok(())
}

/// Replace a vault's parameters (checked by the caller) and announce it.
pub fn apply(vault: &mut Account<Vault>, params: VaultParams) {
    vault.params = params;
    crate::events::emit(VaultUpdatedEvent { vault: vault.key(), params });
}
