use anchor_lang::prelude::*;

use crate::error::TurboError;
use crate::events::AdminAcceptedEvent;
use crate::state::Config;

/// Step two of the admin transfer: only the proposed key can take the role.
#[derive(Accounts)]
pub struct AcceptAdmin<'info> {
    pub new_admin: Signer<'info>,
    #[account(
        mut,
        constraint = config.pending_admin == new_admin.key() @ TurboError::NotPendingAdmin,
    )]
    pub config: Box<Account<'info, Config>>,
}

pub fn handler(ctx: Context<AcceptAdmin>) -> Result<()> {
    let config = &mut ctx.accounts.config;
    let previous = config.admin;
    config.admin = ctx.accounts.new_admin.key();
    config.pending_admin = Pubkey::default();
    crate::events::emit(AdminAcceptedEvent { previous, admin: config.admin });
    Ok(())
}
