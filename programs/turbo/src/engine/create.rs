//! The initial state of the deployment's accounts (docs/design.md §2): a config, the
//! pool, and a vault opened at its target leverage. The initialization instructions write exactly
//! these, and the simulator builds its model from the same functions, so no account is ever
//! assembled field by field anywhere else.

use anchor_lang::prelude::*;
use turbo_math::{exposure_for_leverage, initial_shares, Exposure, Lev, OraclePrice, Prices, Shares, Usd};

use crate::constants::{CONFIG_RESERVED, MAX_VAULTS, POOL_RESERVED, VAULT_RESERVED};
use crate::engine::caps::check_caps;
use crate::error::{MathResultExt, TurboError};
use crate::events::VaultCreatedEvent;
use crate::state::{AssetSlot, Config, ConfigParams, Hedge, Pool, PoolCaps, PriceMark, Vault, VaultParams, LAYOUT_VERSION};

/// Who runs a deployment and what it takes as collateral.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NewConfig {
    pub admin: Pubkey,
    pub guardian: Pubkey,
    pub treasury: Pubkey,
    pub usdc_mint: Pubkey,
    pub crt_mint: Pubkey,
    pub crt_feed_id: [u8; 32],
    pub crt_decimals: u8,
    pub params: ConfigParams,
    pub bump: u8,
}

/// A new config: nothing paused, no vault, no change queued.
pub fn config(n: &NewConfig) -> Config {
    Config {
        version: LAYOUT_VERSION,
        admin: n.admin,
        pending_admin: Pubkey::default(),
        guardian: n.guardian,
        treasury: n.treasury,
        usdc_mint: n.usdc_mint,
        crt_mint: n.crt_mint,
        crt_feed_id: n.crt_feed_id,
        crt_decimals: n.crt_decimals,
        params: n.params,
        paused: 0,
        redeem_paused_until: 0,
        withdraw_paused_until: 0,
        exit_pause_from: 0,
        exit_pause_until: 0,
        next_change_id: 0,
        bump: n.bump,
        vault_count: 0,
        vaults: [Pubkey::default(); MAX_VAULTS],
        reserved: [0; CONFIG_RESERVED],
    }
}

/// A new, empty pool with these token accounts and caps.
pub fn pool(lp_mint: Pubkey, usdc_reserve: Pubkey, crt_reserve: Pubkey, caps: PoolCaps, bump: u8) -> Pool {
    Pool {
        version: LAYOUT_VERSION,
        lp_mint,
        usdc_reserve,
        crt_reserve,
        usdc_balance: 0,
        crt_balance: 0,
        treasury_usdc: 0,
        treasury_crt: 0,
        caps,
        bad_debt_absorbed: 0,
        unpaid_gains: 0,
        claims_owed: 0,
        lp_fees_usdc: 0,
        lp_fees_crt: 0,
        funding_earned: 0,
        crt_mark: PriceMark::default(),
        launched: 0,
        bump,
        asset_count: 0,
        assets: [AssetSlot::default(); crate::constants::MAX_ASSETS],
        hedges: [Hedge::default(); crate::constants::MAX_ASSETS],
        reserved: [0; POOL_RESERVED],
    }
}

/// The addresses a new vault owns.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct VaultAddresses {
    pub vault: Pubkey,
    pub mint: Pubkey,
    pub usdc_reserve: Pubkey,
    pub crt_reserve: Pubkey,
    pub bump: u8,
}

/// What a new vault is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NewVault {
    pub vault_id: u16,
    pub feed_id: [u8; 32],
    pub params: VaultParams,
    pub seed_usdc: u64,
}

/// A vault opened with its seed at its target leverage at `price` (read through the gate, and
/// already recorded in the asset's mark), registered in the config and booked in the pool, which
/// must be able to back it. Returns the vault, the seed shares to lock, and the event.
pub fn vault(
    config: &mut Config,
    pool: &mut Pool,
    at: &VaultAddresses,
    n: &NewVault,
    asset_index: u8,
    price: &OraclePrice,
    now: i64,
) -> Result<(Vault, Shares, VaultCreatedEvent)> {
    let exposure = exposure_for_leverage(Usd(n.seed_usdc), Lev(n.params.target_leverage), price.mid).or_math()?;
    pool.rebook(asset_index, Exposure(0), price.mid, exposure, price.mid)?;
    config.register_vault(at.vault)?;
    let vault = Vault {
        version: LAYOUT_VERSION,
        vault_id: n.vault_id,
        bump: at.bump,
        asset_index,
        split_count: 0,
        paused: 0,
        mint: at.mint,
        usdc_reserve: at.usdc_reserve,
        crt_reserve: at.crt_reserve,
        feed_id: n.feed_id,
        params: n.params,
        usdc_balance: n.seed_usdc,
        crt_balance: 0,
        exposure: exposure.0,
        settle_price: price.mid.0,
        vol_sample_time: price.publish_time,
        vol_sample_price: price.mid.0,
        last_rebalance_ts: now,
        variance_rate: 0,
        fees_usdc: 0,
        fees_crt: 0,
        fees_owed_usdc: 0,
        fees_owed_crt: 0,
        rebalance_count: 0,
        bad_debt: 0,
        unpaid_gains: 0,
        gain_claim: 0,
        redeem_paused_until: 0,
        retired_at: 0,
        funding_ts: price.publish_time,
        funding_paid: 0,
        retire_armed_at: 0,
        reserved: [0; VAULT_RESERVED],
    };
    check_caps(pool, &vault, Exposure(0), &Prices { asset: *price, crt: crate::engine::settle::UNREAD_CRT }, 0)?;
    let leverage = vault.book().leverage(price.mid, price.mid, config.crt()).or_math()?.map_or(i64::MAX, |l| l.0);
    let seed_shares = initial_shares(Usd(n.seed_usdc));
    require!(seed_shares.0 > 0, TurboError::SeedTooSmall);
    let event = VaultCreatedEvent {
        vault: at.vault,
        mint: at.mint,
        vault_id: n.vault_id,
        feed_id: n.feed_id,
        params: n.params,
        seed_usdc: n.seed_usdc,
        seed_shares: seed_shares.0,
        price: price.mid.0,
        exposure: exposure.0,
        leverage,
    };
    Ok((vault, seed_shares, event))
}
