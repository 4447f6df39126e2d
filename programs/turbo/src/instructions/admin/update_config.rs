use anchor_lang::prelude::*;

use crate::error::TurboError;
use crate::events::ConfigUpdatedEvent;
use crate::state::{Config, ConfigParams, Pool};

/// Every field is optional; `None` keeps the current value.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug, Default)]
pub struct UpdateConfigArgs {
    pub guardian: Option<Pubkey>,
    pub treasury: Option<Pubkey>,
    pub params: Option<ConfigParams>,
}

/// Change the guardian, the treasury, or parameters that lower risk, at once (parameters that
/// add risk go through the timelock once the pool holds LP money).
#[derive(Accounts)]
pub struct UpdateConfig<'info> {
    pub admin: Signer<'info>,
    #[account(mut, has_one = admin @ TurboError::Unauthorized)]
    pub config: Box<Account<'info, Config>>,
    pub pool: Box<Account<'info, Pool>>,
}

impl UpdateConfig<'_> {
    pub fn validate(&self, args: &UpdateConfigArgs) -> Result<()> {
        if let Some(p) = &args.params {
            p.validate()?;
            require!(!self.pool.is_launched() || !p.adds_risk_over(&self.config.params), TurboError::ChangeNeedsTimelock);
        }
        Ok(())
    }
}

pub fn handler(ctx: Context<UpdateConfig>, args: UpdateConfigArgs) -> Result<()> {
    let config = &mut ctx.accounts.config;
    if let Some(g) = args.guardian {
        config.guardian = g;
    }
    if let Some(t) = args.treasury {
        config.treasury = t;
    }
    if let Some(p) = args.params {
        config.params = p;
    }
    crate::events::emit(ConfigUpdatedEvent { guardian: config.guardian, treasury: config.treasury, params: config.params });
    Ok(())
}
