use anchor_lang::prelude::*;

use crate::error::TurboError;
use crate::events::ChangeCancelledEvent;
use crate::state::{Config, PendingChange};

/// Cancel a queued change: the admin, or the guardian (who may only ever make the protocol
/// safer). The queue entry is closed, its rent back to the admin.
#[derive(Accounts)]
pub struct CancelChange<'info> {
    #[account(constraint = authority.key() == config.admin || authority.key() == config.guardian @ TurboError::Unauthorized)]
    pub authority: Signer<'info>,
    pub config: Box<Account<'info, Config>>,
    #[account(mut, close = admin)]
    pub pending: Box<Account<'info, PendingChange>>,
    /// CHECK: receives the queue entry's rent; pinned to the admin.
    #[account(mut, address = config.admin @ TurboError::Unauthorized)]
    pub admin: UncheckedAccount<'info>,
}

pub fn handler(ctx: Context<CancelChange>) -> Result<()> {
    let p = &ctx.accounts.pending;
    crate::events::emit(ChangeCancelledEvent { id: p.id, change: p.change, by: ctx.accounts.authority.key() });
    Ok(())
}
