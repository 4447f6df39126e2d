use anchor_lang::prelude::*;

use crate::error::TurboError;
use crate::events::PauseChangedEvent;
use crate::state::{Config, Pause, Vault};

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug)]
pub struct SetPauseArgs {
    /// Which flags to change: the bits of [`Pause`]; at least one, and no unknown bit.
    pub flags: u8,
    /// Set them (pause) or clear them (unpause).
    pub paused: bool,
}

impl SetPauseArgs {
    pub fn new(flags: Pause, paused: bool) -> Self {
        SetPauseArgs { flags: flags.bits(), paused }
    }
}

/// Pause or unpause, protocol-wide or for one vault (when `vault` is given). The admin may do
/// both; the guardian may only pause. Mint, rebalance and deposit stay paused until unpaused.
/// A pause of an exit (redeem, LP withdrawal) lasts at most 72 h. Every exit pause, in the config
/// and in every vault, runs on one clock: the admin may renew within a stretch of at most 7 days,
/// and a new stretch starts only 72 h after the last one ended (the reviews' M-5, N-3 and N-8).
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
        require!(Pause::from_bits(args.flags).is_some_and(|f| !f.is_empty()), TurboError::PauseFlagsInvalid);
        if !args.paused {
            require_keys_eq!(self.authority.key(), self.config.admin, TurboError::GuardianCannotUnpause);
        }
        Ok(())
    }
}

/// The new end of an exit pause that ends at `until`: cleared on unpause (0); on pause, the end
/// the one clock of every exit pause gives (`Config::exit_pause_end`).
fn exit_pause(config: &mut Config, paused: bool, by_admin: bool, now: i64) -> Result<i64> {
    if !paused {
        return Ok(0);
    }
    config.exit_pause_end(by_admin, now)
}

pub fn handler(ctx: Context<SetPause>, args: SetPauseArgs) -> Result<()> {
    let now = Clock::get()?.unix_timestamp;
    let by_admin = ctx.accounts.authority.key() == ctx.accounts.config.admin;
    let flags = Pause::from_bits_truncate(args.flags);
    let held = (flags - Pause::EXITS).bits();
    let apply = |current: u8| if args.paused { current | held } else { current & !held };
    let event = match ctx.accounts.vault.as_mut() {
        Some(v) => {
            let before = v.paused;
            v.paused = apply(before);
            if flags.contains(Pause::REDEEM) {
                v.redeem_paused_until = exit_pause(&mut ctx.accounts.config, args.paused, by_admin, now)?;
            }
            PauseChangedEvent {
                vault: v.key(),
                by: ctx.accounts.authority.key(),
                flags_before: before,
                flags_after: v.paused,
                redeem_paused_until: v.redeem_paused_until,
                withdraw_paused_until: 0,
            }
        }
        None => {
            let c = &mut ctx.accounts.config;
            let before = c.paused;
            c.paused = apply(before);
            if flags.contains(Pause::REDEEM) {
                c.redeem_paused_until = exit_pause(c, args.paused, by_admin, now)?;
            }
            if flags.contains(Pause::WITHDRAW) {
                c.withdraw_paused_until = exit_pause(c, args.paused, by_admin, now)?;
            }
            PauseChangedEvent {
                vault: Pubkey::default(),
                by: ctx.accounts.authority.key(),
                flags_before: before,
                flags_after: c.paused,
                redeem_paused_until: c.redeem_paused_until,
                withdraw_paused_until: c.withdraw_paused_until,
            }
        }
    };
    crate::events::emit(event);
    Ok(())
}
