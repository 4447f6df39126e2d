use anchor_lang::prelude::*;

use crate::error::TurboError;
use crate::events::PoolCapsUpdatedEvent;
use crate::state::{Config, Pool, PoolCaps};

#[derive(Accounts)]
pub struct UpdatePool<'info> {
    pub admin: Signer<'info>,
    #[account(has_one = admin @ TurboError::Unauthorized)]
    pub config: Box<Account<'info, Config>>,
    #[account(mut)]
    pub pool: Box<Account<'info, Pool>>,
}

pub fn handler(ctx: Context<UpdatePool>, caps: PoolCaps) -> Result<()> {
    caps.validate()?;
    let pool = &mut ctx.accounts.pool;
    pool.gross_cap_bps = caps.gross_cap_bps;
    pool.net_cap_bps = caps.net_cap_bps;
    crate::events::emit(PoolCapsUpdatedEvent { caps });
    Ok(())
}
