use anchor_lang::prelude::*;

use crate::error::TurboError;
use crate::events::PauseChangedEvent;
use crate::state::{pause, Config, Vault};

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug)]
pub struct SetPauseArgs {
    /// Which flags (`pause::*`) to change.
    pub flags: u8,
    /// Set them (pause) or clear them (unpause).
    pub paused: bool,
}

/// Pause or unpause, protocol-wide or for one vault (when `vault` is given). The admin may do
/// both; the guardian may only pause.
#[derive(Accounts)]
pub struct SetPause<'info> {
    pub authority: Signer<'info>,
    #[account(
        mut,
        constraint = authority.key() == config.admin || authority.key() == config.guardian @ TurboError::Unauthorized,
    )]
    pub config: Box<Account<'info, Config>>,
    #[account(mut)]
    pub vault: Option<Box<Account<'info, Vault>>>,
}

impl SetPause<'_> {
    pub fn validate(&self, args: &SetPauseArgs) -> Result<()> {
        if !args.paused {
            require_keys_eq!(self.authority.key(), self.config.admin, TurboError::GuardianCannotUnpause);
        }
        Ok(())
    }
}

pub fn handler(ctx: Context<SetPause>, args: SetPauseArgs) -> Result<()> {
    let flags = args.flags & pause::ALL;
    let apply = |current: u8| if args.paused { current | flags } else { current & !flags };
    let (vault, before, after) = match ctx.accounts.vault.as_mut() {
        Some(v) => {
            let before = v.paused;
            v.paused = apply(before);
            (v.key(), before, v.paused)
        }
        None => {
            let c = &mut ctx.accounts.config;
            let before = c.paused;
            c.paused = apply(before);
            (Pubkey::default(), before, c.paused)
        }
    };
    crate::events::emit(PauseChangedEvent { vault, by: ctx.accounts.authority.key(), flags_before: before, flags_after: after });
    Ok(())
}
