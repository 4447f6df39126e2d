use anchor_lang::prelude::*;

use crate::error::TurboError;
use crate::events::AdminProposedEvent;
use crate::state::Config;

/// Step one of the admin transfer. Proposing the default key cancels a pending proposal.
#[derive(Accounts)]
pub struct ProposeAdmin<'info> {
    pub admin: Signer<'info>,
    #[account(mut, has_one = admin @ TurboError::Unauthorized)]
    pub config: Box<Account<'info, Config>>,
}

pub fn handler(ctx: Context<ProposeAdmin>, proposed: Pubkey) -> Result<()> {
    ctx.accounts.config.pending_admin = proposed;
    crate::events::emit(AdminProposedEvent { admin: ctx.accounts.admin.key(), proposed });
    Ok(())
}
