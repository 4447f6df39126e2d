use anchor_lang::prelude::*;

use crate::error::TurboError;
use crate::events::PoolCapsUpdatedEvent;
use crate::state::{Config, Pool, PoolCaps};

/// Change the pool's caps at once: only lower ones (or before the pool holds LP money); higher
/// caps go through the timelock.
#[derive(Accounts)]
pub struct UpdatePool<'info> {
    pub admin: Signer<'info>,
    #[account(has_one = admin @ TurboError::Unauthorized)]
    pub config: Box<Account<'info, Config>>,
    #[account(mut)]
    pub pool: Box<Account<'info, Pool>>,
}

impl UpdatePool<'_> {
    pub fn validate(&self, caps: &PoolCaps) -> Result<()> {
        caps.validate()?;
        require!(!self.pool.is_launched() || !caps.adds_risk_over(&self.pool.caps), TurboError::ChangeNeedsTimelock);
        Ok(())
    }
}

pub fn handler(ctx: Context<UpdatePool>, caps: PoolCaps) -> Result<()> {
    apply(&mut ctx.accounts.pool, caps);
    Ok(())
}

/// Replace the pool's caps (checked by the caller) and announce it.
pub fn apply(pool: &mut Pool, caps: PoolCaps) {
    pool.caps = caps;
    crate::events::emit(PoolCapsUpdatedEvent { caps });
}
