//! The deployment's configuration: who administers it, which collateral it takes, how CRT
//! counts, how fees split, what is paused, and the registry of vaults (DESIGN §2).

use anchor_lang::prelude::*;
use turbo_math::{Bps, CrtParams};

use crate::constants::*;
use crate::error::TurboError;

/// Pause flags, on the config (every vault) and on each vault. MINT, REBALANCE and DEPOSIT are
/// held in `paused` until cleared; REDEEM and WITHDRAW select the exit pauses, which are end times
/// (`redeem_paused_until`, `withdraw_paused_until`) at most 72 h ahead.
pub mod pause {
    pub const MINT: u8 = 1 << 0;
    pub const REDEEM: u8 = 1 << 1;
    pub const REBALANCE: u8 = 1 << 2;
    pub const DEPOSIT: u8 = 1 << 3;
    pub const WITHDRAW: u8 = 1 << 4;
    pub const ALL: u8 = MINT | REDEEM | REBALANCE | DEPOSIT | WITHDRAW;
}

/// A singleton: only `initialize_config` creates a `Config`, with `init` at its fixed PDA, so an
/// account that passes Anchor's owner and discriminator checks *is* the config. Instructions
/// therefore do not re-derive its PDA (1,500 CU per `create_program_address`).
#[account]
#[derive(InitSpace, Debug)]
pub struct Config {
    /// May change every parameter. Moves by propose/accept.
    pub admin: Pubkey,
    /// The proposed next admin; the default key when none is pending.
    pub pending_admin: Pubkey,
    /// May only pause.
    pub guardian: Pubkey,
    /// The wallet whose token accounts receive withdrawn treasury fees.
    pub treasury: Pubkey,
    /// The stablecoin (SPL Token program), valued at $1.
    pub usdc_mint: Pubkey,
    /// The second collateral (SPL Token program), priced by `crt_feed_id`.
    pub crt_mint: Pubkey,
    /// Pyth feed id of CRT/USD.
    pub crt_feed_id: [u8; 32],
    /// Decimals of the CRT mint, read from the mint at initialization.
    pub crt_decimals: u8,
    /// Every bounded parameter (`update_config` replaces them together).
    pub params: ConfigParams,
    /// Protocol-wide pause flags (`pause::*`) of mint, rebalance and deposit.
    pub paused: u8,
    /// Redeem is paused protocol-wide until this time (0: not paused); at most 72 h ahead.
    pub redeem_paused_until: i64,
    /// LP withdrawal is paused until this time (0: not paused); at most 72 h ahead.
    pub withdraw_paused_until: i64,
    /// The id the next queued change gets (`PendingChange`).
    pub next_change_id: u32,
    pub bump: u8,
    pub vault_count: u8,
    /// Registered vaults in creation order. The pool values exactly these.
    pub vaults: [Pubkey; MAX_VAULTS],
}

/// Parameters of `initialize_config` and `update_config` that carry bounds.
#[cfg_attr(feature = "serde", derive(serde::Deserialize))]
#[derive(AnchorSerialize, AnchorDeserialize, InitSpace, Clone, Copy, Debug, PartialEq, Eq)]
pub struct ConfigParams {
    /// `w_crt`: the share of CRT's value that counts as risk equity, bps.
    pub crt_weight_bps: u16,
    /// Maximum age of a CRT price, seconds.
    pub crt_max_age_secs: u32,
    /// Maximum CRT confidence / price, bps.
    pub crt_max_conf_bps: u16,
    /// The LPs' share of every fee, bps; the treasury gets the rest.
    pub lp_fee_share_bps: u16,
    /// USDC paid to a keeper for a rebalance step that moved `bounty_notional` or more,
    /// micro-USD; a smaller step earns it in proportion.
    pub keeper_bounty: u64,
    /// The exposure change (notional, micro-USD) that earns the whole bounty.
    pub bounty_notional: u64,
    /// User instructions need prices published at most this many seconds before the clock.
    pub fresh_price_secs: u32,
    /// Changes that add risk wait this long between `queue_change` and `execute_change`.
    pub timelock_secs: u32,
}

impl ConfigParams {
    pub fn validate(&self) -> Result<()> {
        require!(self.crt_weight_bps <= MAX_CRT_WEIGHT_BPS, TurboError::CrtWeightOutOfBounds);
        require!(
            (1..=MAX_PRICE_AGE_SECS).contains(&self.crt_max_age_secs),
            TurboError::PriceAgeOutOfBounds
        );
        require!(
            (1..=MAX_CONF_BPS).contains(&self.crt_max_conf_bps),
            TurboError::ConfidenceBoundOutOfBounds
        );
        require!(self.lp_fee_share_bps <= 10_000, TurboError::FeeShareOutOfBounds);
        require!(self.keeper_bounty <= MAX_KEEPER_BOUNTY, TurboError::KeeperBountyTooHigh);
        // A bounty is at most 10 bps of the notional it pays for.
        require!(
            self.bounty_notional / MIN_BOUNTY_NOTIONAL_MULTIPLE >= self.keeper_bounty,
            TurboError::KeeperBountyTooHigh
        );
        require!(
            (1..=MAX_FRESH_PRICE_SECS).contains(&self.fresh_price_secs),
            TurboError::FreshPriceDelayOutOfBounds
        );
        require!(
            (MIN_TIMELOCK_SECS..=MAX_TIMELOCK_SECS).contains(&self.timelock_secs),
            TurboError::TimelockOutOfBounds
        );
        Ok(())
    }

    /// Whether replacing `old` with `self` adds risk, so it must wait for the timelock
    /// (docs/decisions.md, "Admin powers"): a lower or changed CRT weight, wider CRT or user
    /// price bounds, a smaller LP share of fees, a larger bounty per notional, and any change of
    /// the delay itself.
    pub fn adds_risk_over(&self, old: &ConfigParams) -> bool {
        self.crt_weight_bps != old.crt_weight_bps
            || self.crt_max_age_secs > old.crt_max_age_secs
            || self.crt_max_conf_bps > old.crt_max_conf_bps
            || self.lp_fee_share_bps < old.lp_fee_share_bps
            || self.keeper_bounty > old.keeper_bounty
            || self.bounty_notional < old.bounty_notional
            || self.fresh_price_secs > old.fresh_price_secs
            || self.timelock_secs != old.timelock_secs
    }
}

impl Config {
    pub fn crt(&self) -> CrtParams {
        CrtParams { decimals: self.crt_decimals, weight: Bps(self.params.crt_weight_bps as u64) }
    }

    /// The width of a cell of the price window: twice the fresh-price delay, so a user price
    /// sees every price used within the delay of it even when the clock lags publishers by up
    /// to the delay (turbo_math::mark).
    pub fn price_window_span(&self) -> u32 {
        self.params.fresh_price_secs.saturating_mul(2)
    }

    pub fn lp_fee_share(&self) -> Bps {
        Bps(self.params.lp_fee_share_bps as u64)
    }

    /// Whether `flag` is paused protocol-wide at `now`. Pauses of exits (REDEEM, WITHDRAW) are
    /// times that run out; the others are flags.
    pub fn is_paused(&self, flag: u8, now: i64) -> bool {
        match flag {
            pause::REDEEM => now < self.redeem_paused_until,
            pause::WITHDRAW => now < self.withdraw_paused_until,
            _ => self.paused & flag != 0,
        }
    }

    pub fn registered_vaults(&self) -> &[Pubkey] {
        &self.vaults[..self.vault_count as usize]
    }

    pub fn register_vault(&mut self, vault: Pubkey) -> Result<()> {
        let i = self.vault_count as usize;
        require!(i < MAX_VAULTS, TurboError::VaultRegistryFull);
        self.vaults[i] = vault;
        self.vault_count += 1;
        Ok(())
    }

    /// Remove a retired vault from the registry, keeping the order of the others; its slot is
    /// free for a new vault.
    pub fn deregister_vault(&mut self, vault: &Pubkey) {
        let n = self.vault_count as usize;
        if let Some(i) = self.vaults[..n].iter().position(|v| v == vault) {
            self.vaults.copy_within(i + 1..n, i);
            self.vaults[n - 1] = Pubkey::default();
            self.vault_count -= 1;
        }
    }
}
