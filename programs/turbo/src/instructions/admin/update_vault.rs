use anchor_lang::prelude::*;

use crate::error::TurboError;
use crate::events::VaultUpdatedEvent;
use crate::state::{Config, Vault, VaultParams};

#[derive(Accounts)]
pub struct UpdateVault<'info> {
    pub admin: Signer<'info>,
    #[account(has_one = admin @ TurboError::Unauthorized)]
    pub config: Box<Account<'info, Config>>,
    #[account(mut)]
    pub vault: Box<Account<'info, Vault>>,
}

pub fn handler(ctx: Context<UpdateVault>, params: VaultParams) -> Result<()> {
    params.validate()?;
    let vault = &mut ctx.accounts.vault;
    vault.params = params;
    crate::events::emit(VaultUpdatedEvent { vault: vault.key(), params });
    Ok(())
}
