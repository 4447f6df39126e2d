//! A Turbo/Bear vault: its Token-2022 mint, its collateral, its synthetic exposure, its
//! rebalance parameters and its lifetime counters (docs/design.md §2).

use anchor_lang::prelude::*;
use turbo_math::{Bps, Exposure, Lev, Price, TokenAmount, Usd, VaultBook};

use crate::constants::*;
use crate::error::TurboError;

pod_params! {
/// Every bounded parameter of a vault. Leverage levels have 6 decimals (3x = 3_000_000).
pub struct VaultParams {
    /// Signed target leverage `T`: positive for Turbo (long), negative for Bear (short).
    pub target_leverage: i64,
    /// Lower edge of the band on |L|.
    pub band_lo: u64,
    /// Upper edge of the band on |L|.
    pub band_hi: u64,
    /// Emergency level `M` on |L|: at or above it a rebalance goes straight to target.
    pub emergency_leverage: u64,
    /// Step limit `s`: the largest share of |exposure| one capped rebalance moves, bps.
    pub step_bps: u16,
    /// Minimum seconds `Δt` between capped rebalance steps.
    pub min_interval_secs: u32,
    /// Largest slot-derived jitter added to `Δt`, seconds (0 disables it).
    pub jitter_secs: u32,
    /// Maximum age of the asset's price, seconds.
    pub max_price_age_secs: u32,
    /// Maximum confidence / price of the asset's price, bps.
    pub max_conf_bps: u16,
    /// Mint fee, bps of the deposit.
    pub mint_fee_bps: u16,
    /// Redeem fee, bps of the payout.
    pub redeem_fee_bps: u16,
    /// Largest raw token supply.
    pub supply_cap: u64,
    /// Volatility budget `B` (annualized, bps); 0 disables dynamic leverage.
    pub vol_budget_bps: u32,
    /// Reverse-split threshold: token price per UI token under which the multiplier halves,
    /// micro-USD.
    pub split_threshold: u64,
}
}

impl VaultParams {
    pub fn validate(&self) -> Result<()> {
        let t = self.target_leverage.unsigned_abs();
        require!(t > 0 && t <= MAX_TARGET_LEVERAGE as u64, TurboError::TargetLeverageOutOfBounds);
        require!(
            self.band_lo > 0
                && self.band_lo <= t
                && t <= self.band_hi
                && self.band_hi < self.emergency_leverage
                && self.emergency_leverage <= MAX_LEVERAGE_LEVEL,
            TurboError::BandOutOfBounds
        );
        require!(self.step_bps > 0 && self.step_bps <= MAX_STEP_BPS, TurboError::StepOutOfBounds);
        require!(self.min_interval_secs <= MAX_INTERVAL_SECS && self.jitter_secs <= MAX_INTERVAL_SECS, TurboError::IntervalOutOfBounds);
        require!((1..=MAX_PRICE_AGE_SECS).contains(&{ self.max_price_age_secs }), TurboError::PriceAgeOutOfBounds);
        require!((1..=MAX_CONF_BPS).contains(&{ self.max_conf_bps }), TurboError::ConfidenceBoundOutOfBounds);
        require!(self.mint_fee_bps <= MAX_FEE_BPS && self.redeem_fee_bps <= MAX_FEE_BPS, TurboError::FeeTooHigh);
        require!(self.split_threshold > 0, TurboError::SplitThresholdOutOfBounds);
        Ok(())
    }

    /// Whether replacing `old` with `self` adds risk, so it must wait for the timelock
    /// (docs/decisions.md, "Admin powers"). Safer is: lower fees, a lower |target|, a lower band
    /// and emergency level, a shorter jitter, tighter oracle bounds, a smaller supply cap and a
    /// tighter volatility budget. Anything else, including any change of the step, the interval
    /// or the split threshold, waits.
    pub fn adds_risk_over(&self, old: &VaultParams) -> bool {
        // A budget of 0 is no budget: the loosest.
        let budget = |b: u32| if b == 0 { u32::MAX } else { b };
        self.target_leverage.unsigned_abs() > old.target_leverage.unsigned_abs()
            || self.band_lo > old.band_lo
            || self.band_hi > old.band_hi
            || self.emergency_leverage > old.emergency_leverage
            || self.step_bps != old.step_bps
            || self.min_interval_secs != old.min_interval_secs
            || self.jitter_secs > old.jitter_secs
            || self.max_price_age_secs > old.max_price_age_secs
            || self.max_conf_bps > old.max_conf_bps
            || self.mint_fee_bps > old.mint_fee_bps
            || self.redeem_fee_bps > old.redeem_fee_bps
            || self.supply_cap > old.supply_cap
            || budget(self.vol_budget_bps) > budget(old.vol_budget_bps)
            || self.split_threshold != old.split_threshold
            // An immediate change stays small: the target, the emergency level and the price age
            // move by at most half at once; a larger cut is public for the timelock first (the
            // second review's N-8).
            || self.target_leverage.unsigned_abs() < old.target_leverage.unsigned_abs().div_ceil(2)
            || self.emergency_leverage < old.emergency_leverage.div_ceil(2)
            || self.max_price_age_secs < old.max_price_age_secs.div_ceil(2)
    }

    /// Check `self` may replace `old` on a vault: in bounds, and the same direction (what a
    /// holder owns never changes: docs/decisions.md, "Admin powers").
    pub fn validate_update(&self, old: &VaultParams) -> Result<()> {
        self.validate()?;
        require!(self.target_leverage.signum() == old.target_leverage.signum(), TurboError::DirectionImmutable);
        Ok(())
    }

    pub fn target(&self) -> Lev {
        Lev(self.target_leverage)
    }
    pub fn mint_fee(&self) -> Bps {
        Bps(self.mint_fee_bps as u64)
    }
    pub fn redeem_fee(&self) -> Bps {
        Bps(self.redeem_fee_bps as u64)
    }
}

/// Vaults are created only by `create_vault` (admin, `init` at `["vault", id]`), so any account
/// with the `Vault` owner and discriminator is a genuine vault. Instructions do not re-derive
/// its PDA; they pin everything that belongs to it (`has_one = mint`, the reserves' addresses).
#[account(zero_copy)]
#[repr(C, packed)]
#[derive(InitSpace, Debug)]
pub struct Vault {
    /// The layout version (`LAYOUT_VERSION`).
    pub version: u8,
    /// Chosen by the admin at creation; part of the PDA seeds.
    pub vault_id: u16,
    pub bump: u8,
    /// Index of the vault's asset in `Pool::assets`.
    pub asset_index: u8,
    /// Reverse splits applied: the ScaledUiAmount multiplier is `2^-split_count`.
    pub split_count: u8,
    /// Vault pause flags (`Pause`) of mint and rebalance, on top of the config's.
    pub paused: u8,
    /// The Turbo/Bear Token-2022 mint; its authority is this vault.
    pub mint: Pubkey,
    /// The vault's USDC token account.
    pub usdc_reserve: Pubkey,
    /// The vault's CRT token account.
    pub crt_reserve: Pubkey,
    /// Pyth feed id of the underlying.
    pub feed_id: [u8; 32],
    pub params: VaultParams,
    /// USDC the vault owns by accounting, micro-USD. Its reserve holds this plus
    /// `fees_owed_usdc`.
    pub usdc_balance: u64,
    /// CRT the vault owns by accounting, raw.
    pub crt_balance: u64,
    /// Signed exposure `q`, 9 decimals of the asset.
    pub exposure: i64,
    /// `P_s`: the price of the last settlement, 8 decimals.
    pub settle_price: u64,
    /// Publish time of the price of the last volatility sample (at most one a minute,
    /// `turbo_math::VOL_SAMPLE_SECS`).
    pub vol_sample_time: i64,
    /// That price, 8 decimals.
    pub vol_sample_price: u64,
    /// Unix time of the last rebalance step that moved exposure.
    pub last_rebalance_ts: i64,
    /// EWMA of the variance rate of returns, per second, 18 decimals (`turbo_math::vol`).
    pub variance_rate: u64,
    /// Lifetime fees charged by this vault.
    pub fees_usdc: u64,
    pub fees_crt: u64,
    /// Fees charged but still in the vault's reserves: the pool's, swept into it by the next
    /// transfer between them (`crate::engine::fees::sweep_fees`), and split between LPs and the treasury then.
    pub fees_owed_usdc: u64,
    pub fees_owed_crt: u64,
    /// Lifetime rebalances that moved exposure.
    pub rebalance_count: u64,
    /// Lifetime bad debt, micro-USD.
    pub bad_debt: u64,
    /// Lifetime gains the pool could not pay when they were settled, micro-USD.
    pub unpaid_gains: u64,
    /// What the pool owes this vault now: gains it could not pay yet, micro-USD. Part of the
    /// vault's NAV; collected at its next settlements, ahead of new gains and of LPs.
    pub gain_claim: u64,
    /// Redeem of this vault is paused until this time (0: not paused); at most 72 h ahead.
    pub redeem_paused_until: i64,
    /// When the vault was retired (0: active). A retired vault is flat, takes no mints and no
    /// rebalances, and pays its holders in kind, needing no price.
    pub retired_at: i64,
    /// Publish time of the price its skew funding was last charged to (docs/design.md §5.5).
    pub funding_ts: i64,
    /// Lifetime skew funding charged to this vault, micro-USD.
    pub funding_paid: u64,
    /// When anyone armed a feed-dead retirement (0: none). It is carried out only after
    /// `FEED_DEAD_GRACE_SECS`, and only if no instruction used a price of the asset since
    /// (docs/decisions.md, "Dead means dead").
    pub retire_armed_at: i64,
    /// Zero; room for the fields the coming work adds (docs/design.md §2, "Layout").
    pub reserved: [u8; VAULT_RESERVED],
}

impl Vault {
    pub fn book(&self) -> VaultBook {
        VaultBook {
            usdc: Usd(self.usdc_balance),
            crt: TokenAmount(self.crt_balance),
            exposure: Exposure(self.exposure),
            settle_price: Price(self.settle_price),
            claim: Usd(self.gain_claim),
        }
    }

    pub fn set_book(&mut self, b: &VaultBook) {
        self.usdc_balance = b.usdc.0;
        self.crt_balance = b.crt.0;
        self.exposure = b.exposure.0;
        self.settle_price = b.settle_price.0;
        self.gain_claim = b.claim.0;
    }

    /// What the vault's USDC and CRT reserves hold by the program's accounting: its balances
    /// plus the fees it holds for the pool (docs/design.md §7's first invariant checks against this).
    pub fn reserves(&self) -> (u64, u64) {
        (self.usdc_balance.saturating_add(self.fees_owed_usdc), self.crt_balance.saturating_add(self.fees_owed_crt))
    }

    /// Whether `flag` is paused on this vault at `now` (redeem's pause is a time that runs out).
    pub fn is_paused(&self, flag: crate::state::Pause, now: i64) -> bool {
        // A vault has no withdrawal pause: LP withdrawals are pool-wide.
        crate::state::Pause::in_force(self.paused, flag, self.redeem_paused_until, 0, now)
    }

    /// The held pause flags (mint, rebalance).
    pub fn paused_flags(&self) -> crate::state::Pause {
        crate::state::Pause::from_bits_truncate(self.paused)
    }

    pub fn is_retired(&self) -> bool {
        self.retired_at != 0
    }

    /// The ScaledUiAmount multiplier `2^-split_count`, built from its bits: it is exact, and no
    /// float arithmetic runs on chain.
    pub fn ui_multiplier(&self) -> f64 {
        f64::from_bits((1023 - self.split_count as u64) << 52)
    }

    /// The oracle gate's rules for this vault's asset price, for a user or a keeper.
    pub fn price_rules(&self, config: &crate::state::Config, caller: crate::oracle::Caller) -> crate::oracle::PriceRules<'_> {
        crate::oracle::PriceRules::asset(&self.feed_id, &self.params, config, caller)
    }

    /// The rebalance band of docs/design.md §5.
    pub fn band(&self) -> turbo_math::Band {
        let p = &self.params;
        turbo_math::Band {
            target: Lev(p.target_leverage),
            lo: p.band_lo,
            hi: p.band_hi,
            emergency: p.emergency_leverage,
            step: Bps(p.step_bps as u64),
            min_interval: p.min_interval_secs,
            jitter: p.jitter_secs,
        }
    }

    /// Owned seeds of the vault PDA, for signing CPIs.
    pub fn signer(&self) -> PdaSigner<2> {
        PdaSigner { prefix: VAULT_SEED, key: self.vault_id.to_le_bytes(), bump: [self.bump] }
    }
}

/// PDA seeds that own their bytes, so a handler can borrow `[&[u8]]` from them.
pub struct PdaSigner<const N: usize> {
    pub prefix: &'static [u8],
    pub key: [u8; N],
    pub bump: [u8; 1],
}

impl<const N: usize> PdaSigner<N> {
    pub fn seeds(&self) -> [&[u8]; 3] {
        [self.prefix, &self.key, &self.bump]
    }
}
