//! Seeds, hard bounds and defaults. Every setter validates against the bounds here
//! (docs/design.md §2); `docs/parameters.md` keeps the same table for humans.

use anchor_lang::prelude::*;

#[constant]
pub const CONFIG_SEED: &[u8] = b"config";
#[constant]
pub const POOL_SEED: &[u8] = b"pool";
#[constant]
pub const POOL_USDC_SEED: &[u8] = b"pool_usdc";
#[constant]
pub const POOL_CRT_SEED: &[u8] = b"pool_crt";
#[constant]
pub const LP_MINT_SEED: &[u8] = b"lp_mint";
#[constant]
pub const VAULT_SEED: &[u8] = b"vault";
#[constant]
pub const VAULT_MINT_SEED: &[u8] = b"mint";
#[constant]
pub const VAULT_USDC_SEED: &[u8] = b"vault_usdc";
#[constant]
pub const VAULT_CRT_SEED: &[u8] = b"vault_crt";

/// Vaults a deployment can register (the pool values every one of them). Not an IDL constant:
/// the IDL has no `usize`; the arrays it sizes show the length.
pub const MAX_VAULTS: usize = 8;
/// Distinct underlying assets the pool tracks for net-exposure caps.
pub const MAX_ASSETS: usize = 8;
const _: () = assert!(MAX_ASSETS >= MAX_VAULTS, "every vault must find an asset slot");

/// Reserved bytes at the end of each account for the fields the coming work adds (docs/design.md
/// §2, "Layout"): the hedged pool's custodies in the pool, the price source's per-vault feed ids
/// and its signer settings. A new field takes its bytes from here, so an account never changes
/// size; all zero must mean "not set".
pub const CONFIG_RESERVED: usize = 128;
pub const POOL_RESERVED: usize = 108;
pub const VAULT_RESERVED: usize = 128;
pub const CHANGE_RESERVED: usize = 64;

/// New mints may fill the caps on an asset's net (the gap cap on its hedge, the hard and the risk
/// cap on its residual) only to this share of them; the rest is the holders' headroom, for the
/// re-leverage a rally asks of the vaults already minted (docs/decisions.md, "Headroom for the
/// holders already in").
#[constant]
pub const MINT_CAP_SHARE_BPS: u16 = 8_000;

/// Decimals of every Turbo/Bear token and of the LP token.
#[constant]
pub const SHARE_DECIMALS: u8 = 6;

// --- bounds (all fractions in bps, leverage with 6 decimals) ---

/// Mint and redeem fees are each at most 5%.
pub const MAX_FEE_BPS: u16 = 500;
/// |target leverage| is at most 5x.
pub const MAX_TARGET_LEVERAGE: i64 = 5_000_000;
/// The band and the emergency level stay under 10x.
pub const MAX_LEVERAGE_LEVEL: u64 = 10_000_000;
/// A step may move at most half the exposure.
pub const MAX_STEP_BPS: u16 = 5_000;
/// Intervals and jitter are at most a day.
pub const MAX_INTERVAL_SECS: u32 = 86_400;
/// The oracle may be at most 5 minutes old, and never less than 1 second.
pub const MAX_PRICE_AGE_SECS: u32 = 300;
/// User instructions (mint, redeem, LP deposit and withdraw) need a price published at most this
/// long before the clock: between 1 second and this bound (docs/decisions.md, "Fresh prices").
pub const MAX_FRESH_PRICE_SECS: u32 = 30;
/// The confidence bound is at most 10% of the price.
pub const MAX_CONF_BPS: u16 = 1_000;
/// CRT counts at most 95% of its value toward risk equity (w_crt < 1).
pub const MAX_CRT_WEIGHT_BPS: u16 = 9_500;
/// The keeper bounty is at most $100.
pub const MAX_KEEPER_BOUNTY: u64 = 100_000_000;
/// The bounty is at most 10 bps of the notional it pays for: `bounty_notional ≥ 1,000 × bounty`.
pub const MIN_BOUNTY_NOTIONAL_MULTIPLE: u64 = 1_000;
/// Exposure caps are at most 20x the pool value (gross) and 10x (net per asset).
pub const MAX_GROSS_CAP_BPS: u32 = 200_000;
pub const MAX_NET_CAP_BPS: u32 = 100_000;
/// The risk cap's daily loss budget is at most half the pool.
pub const MAX_DAILY_LOSS_BPS: u16 = 5_000;
/// Its `z` is between 1 and 10 (hundredths).
pub const MIN_RISK_Z_CENTI: u16 = 100;
pub const MAX_RISK_Z_CENTI: u16 = 1_000;
/// Its σ floor is between 10% and 1,000% a year.
pub const MIN_VOL_FLOOR_BPS: u32 = 1_000;
pub const MAX_VOL_FLOOR_BPS: u32 = 100_000;
/// Skew funding is at most 1% of the notional a day.
pub const MAX_FUNDING_BPS_PER_DAY: u16 = 100;

/// The hedged pool's bounds (docs/design.md §5.6). The gap cap's loss budget, bps of pool value:
/// at most half the pool on one stress gap.
pub const MAX_GAP_BUDGET_BPS: u16 = 5_000;
/// The stress gap the gap cap is sized for lies between 10% and 100%.
pub const MIN_STRESS_GAP_BPS: u16 = 1_000;
pub const MAX_STRESS_GAP_BPS: u16 = 10_000;
/// At most this share of a custody may be locked (the rest answers withdrawals and swaps).
pub const MAX_UTILIZATION_BPS: u16 = 9_900;
/// The utilization fee: base and slope each at most 100% a year.
pub const MAX_UTIL_FEE_BPS: u16 = 10_000;
/// A swap's base fee at most 5%, its impact's maximum marginal rate at most 5%.
pub const MAX_SWAP_FEE_BPS: u16 = 500;
pub const MAX_IMPACT_BPS: u16 = 500;
/// A custody token's decimals, at most 9 (the exposure's own).
pub const MAX_CUSTODY_DECIMALS: u8 = 9;
pub const CUSTODY_SEED: &[u8] = b"custody";
pub const CUSTODY_RESERVE_SEED: &[u8] = b"custody_reserve";
pub const CUSTODY_RESERVED: usize = 128;
/// A vault's seed deposit is at least $10: with the seed shares locked in the vault, its
/// supply can never return to zero, so the share price cannot be inflated (docs/design.md §4).
pub const MIN_SEED_USDC: u64 = 10_000_000;
/// The timelock on changes that add risk is between an hour and 30 days (default a day).
pub const MIN_TIMELOCK_SECS: u32 = 3_600;
pub const MAX_TIMELOCK_SECS: u32 = 30 * 86_400;
/// A pause of redeem or of LP withdrawal lasts at most 72 h unless the admin renews it; the
/// guardian may start one only 72 h after the last one ended.
pub const MAX_EXIT_PAUSE_SECS: i64 = 72 * 3_600;
/// Anyone may retire a vault whose asset no instruction could price for a day.
pub const FEED_DEAD_SECS: i64 = 86_400;
/// A feed-dead retirement is carried out only this long after it was armed, and only if no
/// instruction used a price of the asset in between: a quiet feed is not a dead one (the second
/// review's N-2; docs/decisions.md, "Dead means dead").
pub const FEED_DEAD_GRACE_SECS: i64 = 86_400;
/// Exit pauses, in every scope together, last at most this long in a row (the admin renewing);
/// then exits stay open for [`MAX_EXIT_PAUSE_SECS`] before anyone may pause one again (N-3, N-8).
pub const MAX_EXIT_PAUSE_STRETCH_SECS: i64 = 7 * 86_400;
/// A queued change may be executed for this long after it became due; then it expires (N-9).
pub const CHANGE_EXPIRY_SECS: i64 = 7 * 86_400;
#[constant]
pub const CHANGE_SEED: &[u8] = b"change";
/// Token metadata limits.
pub const MAX_NAME_LEN: usize = 32;
pub const MAX_SYMBOL_LEN: usize = 10;
pub const MAX_URI_LEN: usize = 200;

// Default parameter values live in one place, off chain: `turbo_sdk::defaults`.
/// Signed prices (docs/decisions.md, "The mainnet price path"): a `SignedFeed` per Pyth feed at
/// `["signed_feed", feed_id]`.
#[constant]
pub const SIGNED_FEED_SEED: &[u8] = b"signed_feed";
pub const SIGNED_FEED_RESERVED: usize = 64;
/// The Pyth Pro (Lazer) verifier and its storage (the trusted signers, the fee, the treasury), at
/// their mainnet addresses (the SDK's tests hold them equal to `pyth-lazer-solana-contract`'s).
pub const LAZER_PROGRAM_ID: Pubkey = pubkey!("pytd2yyk641x7ak7mkaasSJVXh6YYZnC7wTmtgAyxPt");
pub const LAZER_STORAGE_ID: Pubkey = pubkey!("3rdJbqfnagQ4yx9HXJViD4zc4xpiSqmFsKpPuSCQVyQL");
/// The verifier's `verify_message` (Anchor's discriminator: the first 8 bytes of the SHA-256 of
/// `global:verify_message`).
pub const LAZER_VERIFY_MESSAGE: [u8; 8] = [180, 193, 120, 55, 189, 135, 203, 83];
/// The instructions sysvar, where the verifier finds the ed25519 instruction.
pub const INSTRUCTIONS_SYSVAR_ID: Pubkey = pubkey!("Sysvar1nstructions1111111111111111111111111");
