//! The deployment's configuration: who administers it, which collateral it takes, how CRT
//! counts, how fees split, what is paused, and the registry of vaults (docs/design.md §2).

use anchor_lang::prelude::*;
use turbo_math::{Bps, CrtParams};

use crate::constants::*;
use crate::error::TurboError;

/// Pause flags, on the config (every vault) and on each vault. MINT, REBALANCE and DEPOSIT are
/// held in `paused` until cleared; REDEEM and WITHDRAW select the exit pauses, which are end times
/// (`redeem_paused_until`, `withdraw_paused_until`) at most 72 h ahead.
/// Stored as their `u8` bits; read them with [`Config::paused_flags`] and [`Vault::paused_flags`].
/// Their lower-case names (`mint`, `redeem`, ...) are what the CLI shows and parses.
///
/// [`Vault::paused_flags`]: crate::state::Vault::paused_flags
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Pause(u8);

bitflags::bitflags! {
    impl Pause: u8 {
        const MINT = 1 << 0;
        const REDEEM = 1 << 1;
        const REBALANCE = 1 << 2;
        const DEPOSIT = 1 << 3;
        const WITHDRAW = 1 << 4;
        const SWAP = 1 << 5;
    }
}

impl Pause {
    /// The exits, whose pauses are end times rather than held flags.
    pub const EXITS: Pause = Pause::REDEEM.union(Pause::WITHDRAW);

    /// Whether `flag` is paused given the held flags and the exit pauses' end times.
    pub(crate) fn in_force(held: u8, flag: Pause, redeem_until: i64, withdraw_until: i64, now: i64) -> bool {
        if flag == Pause::REDEEM {
            now < redeem_until
        } else if flag == Pause::WITHDRAW {
            now < withdraw_until
        } else {
            Pause::from_bits_truncate(held).intersects(flag)
        }
    }

    /// The names of these flags, lower case, comma separated ("none" for none).
    pub fn names(self) -> String {
        let names: Vec<String> = self.iter_names().map(|(n, _)| n.to_lowercase()).collect();
        if names.is_empty() {
            "none".into()
        } else {
            names.join(", ")
        }
    }

    /// Parse "mint,redeem" or "all"; `None` names an unknown flag.
    pub fn parse(s: &str) -> Option<Pause> {
        s.split(',').map(str::trim).filter(|n| !n.is_empty()).try_fold(Pause::empty(), |acc, n| {
            let f = if n.eq_ignore_ascii_case("all") { Some(Pause::all()) } else { Pause::from_name(&n.to_uppercase()) };
            f.map(|f| acc | f)
        })
    }
}

/// A singleton: only `initialize_config` creates a `Config`, with `init` at its fixed PDA, so an
/// account that passes Anchor's owner and discriminator checks *is* the config. Instructions
/// therefore do not re-derive its PDA (1,500 CU per `create_program_address`).
#[account(zero_copy)]
#[repr(C, packed)]
#[derive(InitSpace, Debug)]
pub struct Config {
    /// The layout version (`LAYOUT_VERSION`).
    pub version: u8,
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
    /// Protocol-wide pause flags (`Pause`) of mint, rebalance and deposit.
    pub paused: u8,
    /// Redeem is paused protocol-wide until this time (0: not paused); at most 72 h ahead.
    pub redeem_paused_until: i64,
    /// LP withdrawal is paused until this time (0: not paused); at most 72 h ahead.
    pub withdraw_paused_until: i64,
    /// One clock for every exit pause, in the config and in every vault (the second review's N-3):
    /// the start of the current stretch of exit pauses (0: none yet) and its end, the latest end
    /// of any exit pause in any scope. A stretch lasts at most 7 days; a new one starts only 72 h
    /// after the last one ended (`Config::exit_pause_end`).
    pub exit_pause_from: i64,
    pub exit_pause_until: i64,
    /// The id the next queued change gets (`PendingChange`).
    pub next_change_id: u32,
    pub bump: u8,
    pub vault_count: u8,
    /// Registered vaults in creation order. The pool values exactly these.
    pub vaults: [Pubkey; MAX_VAULTS],
    /// Zero; room for the fields the coming work adds (docs/design.md §2, "Layout").
    pub reserved: [u8; CONFIG_RESERVED],
}

pod_params! {
/// Parameters of `initialize_config` and `update_config` that carry bounds.
#[cfg_attr(feature = "serde", derive(serde::Deserialize))]
// All zero (out of bounds) is a default only for the program's unit tests, which read none.
#[cfg_attr(test, derive(Default))]
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
}

impl ConfigParams {
    pub fn validate(&self) -> Result<()> {
        require!(self.crt_weight_bps <= MAX_CRT_WEIGHT_BPS, TurboError::CrtWeightOutOfBounds);
        require!((1..=MAX_PRICE_AGE_SECS).contains(&{ self.crt_max_age_secs }), TurboError::PriceAgeOutOfBounds);
        require!((1..=MAX_CONF_BPS).contains(&{ self.crt_max_conf_bps }), TurboError::ConfidenceBoundOutOfBounds);
        require!(self.lp_fee_share_bps <= 10_000, TurboError::FeeShareOutOfBounds);
        require!(self.keeper_bounty <= MAX_KEEPER_BOUNTY, TurboError::KeeperBountyTooHigh);
        // A bounty is at most 10 bps of the notional it pays for.
        require!(self.bounty_notional / MIN_BOUNTY_NOTIONAL_MULTIPLE >= self.keeper_bounty, TurboError::KeeperBountyTooHigh);
        require!((1..=MAX_FRESH_PRICE_SECS).contains(&{ self.fresh_price_secs }), TurboError::FreshPriceDelayOutOfBounds);
        require!((MIN_TIMELOCK_SECS..=MAX_TIMELOCK_SECS).contains(&{ self.timelock_secs }), TurboError::TimelockOutOfBounds);
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
            || self.fresh_price_secs < old.fresh_price_secs.div_ceil(2)
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
    pub fn is_paused(&self, flag: Pause, now: i64) -> bool {
        Pause::in_force(self.paused, flag, self.redeem_paused_until, self.withdraw_paused_until, now)
    }

    /// When an exit pause that `by_admin` (or the guardian) starts at `now` ends, in any scope, and
    /// record it on the one clock; `ExitPauseLimit` or `GuardianCannotRenewExitPause` when the
    /// bounds refuse it (docs/decisions.md, "Pauses have one clock"):
    /// - while a stretch is in force, the admin may extend it to 72 h from now, but never past 7
    ///   days from its start; the guardian may pause another exit only to the stretch's end;
    /// - otherwise a new stretch may start only 72 h after the last one ended, and lasts 72 h.
    pub fn exit_pause_end(&mut self, by_admin: bool, now: i64) -> Result<i64> {
        let (from, until) = (self.exit_pause_from, self.exit_pause_until);
        let end = if now < until {
            if by_admin {
                let end = now.saturating_add(MAX_EXIT_PAUSE_SECS).min(from.saturating_add(MAX_EXIT_PAUSE_STRETCH_SECS));
                require!(end > now, TurboError::ExitPauseLimit);
                end
            } else {
                until
            }
        } else {
            let cooled = until == 0 || now >= until.saturating_add(MAX_EXIT_PAUSE_SECS);
            require!(cooled || by_admin, TurboError::GuardianCannotRenewExitPause);
            require!(cooled, TurboError::ExitPauseLimit);
            self.exit_pause_from = now;
            now.saturating_add(MAX_EXIT_PAUSE_SECS)
        };
        self.exit_pause_until = self.exit_pause_until.max(end);
        Ok(end)
    }

    /// The held pause flags (mint, rebalance, deposit).
    pub fn paused_flags(&self) -> Pause {
        Pause::from_bits_truncate(self.paused)
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
