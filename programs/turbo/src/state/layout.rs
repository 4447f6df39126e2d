//! The frozen account layout (docs/design.md §2, "Layout"): every field of the plain-old-data
//! accounts at a pinned byte offset (after the 8-byte discriminator), and every account's size.
//! A change here moves bytes that clients and deployed accounts rely on: make it on purpose,
//! taking new fields from the reserved bytes, and bump `LAYOUT_VERSION` when old bytes change
//! meaning.

#[cfg(test)]
mod tests {
    use core::mem::{offset_of, size_of};

    use anchor_lang::Space;

    use crate::state::*;

    /// `(field, offset)` of every field of `$t`, in declaration order, and its size.
    macro_rules! pinned {
        ($t:ty, $size:expr, [$(($f:ident, $o:expr)),* $(,)?]) => {{
            assert_eq!(size_of::<$t>(), $size, "{} changed size", stringify!($t));
            let got = [$((stringify!($f), offset_of!($t, $f))),*];
            let want = [$((stringify!($f), $o)),*];
            assert_eq!(got, want, "{} moved a field", stringify!($t));
        }};
    }

    #[test]
    fn every_field_sits_at_its_pinned_offset() {
        pinned!(
            Config,
            683,
            [
                (version, 0),
                (admin, 1),
                (pending_admin, 33),
                (guardian, 65),
                (treasury, 97),
                (usdc_mint, 129),
                (crt_mint, 161),
                (crt_feed_id, 193),
                (crt_decimals, 225),
                (params, 226),
                (paused, 260),
                (redeem_paused_until, 261),
                (withdraw_paused_until, 269),
                (exit_pause_from, 277),
                (exit_pause_until, 285),
                (next_change_id, 293),
                (bump, 297),
                (vault_count, 298),
                (vaults, 299),
                (reserved, 555),
            ]
        );
        pinned!(
            Pool,
            1754,
            [
                (version, 0),
                (lp_mint, 1),
                (usdc_reserve, 33),
                (crt_reserve, 65),
                (usdc_balance, 97),
                (crt_balance, 105),
                (treasury_usdc, 113),
                (treasury_crt, 121),
                (caps, 129),
                (bad_debt_absorbed, 151),
                (unpaid_gains, 159),
                (claims_owed, 167),
                (lp_fees_usdc, 175),
                (lp_fees_crt, 183),
                (funding_earned, 191),
                (crt_mark, 199),
                (launched, 251),
                (bump, 252),
                (asset_count, 253),
                (assets, 254),
                (hedges, 1246),
                (reserved, 1646),
            ]
        );
        pinned!(
            Vault,
            503,
            [
                (version, 0),
                (vault_id, 1),
                (bump, 3),
                (asset_index, 4),
                (split_count, 5),
                (paused, 6),
                (mint, 7),
                (usdc_reserve, 39),
                (crt_reserve, 71),
                (feed_id, 103),
                (params, 135),
                (usdc_balance, 207),
                (crt_balance, 215),
                (exposure, 223),
                (settle_price, 231),
                (vol_sample_time, 239),
                (vol_sample_price, 247),
                (last_rebalance_ts, 255),
                (variance_rate, 263),
                (fees_usdc, 271),
                (fees_crt, 279),
                (fees_owed_usdc, 287),
                (fees_owed_crt, 295),
                (rebalance_count, 303),
                (bad_debt, 311),
                (unpaid_gains, 319),
                (gain_claim, 327),
                (redeem_paused_until, 335),
                (retired_at, 343),
                (funding_ts, 351),
                (funding_paid, 359),
                (retire_armed_at, 367),
                (reserved, 375),
            ]
        );
        pinned!(
            AssetSlot,
            124,
            [
                (feed_id, 0),
                (long_notional, 32),
                (short_notional, 40),
                (mark, 48),
                (variance_rate, 100),
                (vol_sample_price, 108),
                (vol_sample_time, 116),
            ]
        );
        pinned!(PriceMark, 52, [(last_publish_time, 0), (cell, 8), (span, 16), (lo, 20), (hi, 28), (prev_lo, 36), (prev_hi, 44),]);
        pinned!(
            PoolCaps,
            22,
            [
                (gross_cap_bps, 0),
                (net_cap_bps, 4),
                (max_daily_loss_bps, 8),
                (risk_z_centi, 10),
                (vol_floor_bps, 12),
                (funding_max_bps_per_day, 16),
                (gap_budget_bps, 18),
                (stress_gap_bps, 20),
            ]
        );
        pinned!(
            VaultParams,
            72,
            [
                (target_leverage, 0),
                (band_lo, 8),
                (band_hi, 16),
                (emergency_leverage, 24),
                (step_bps, 32),
                (min_interval_secs, 34),
                (jitter_secs, 38),
                (max_price_age_secs, 42),
                (max_conf_bps, 46),
                (mint_fee_bps, 48),
                (redeem_fee_bps, 50),
                (supply_cap, 52),
                (vol_budget_bps, 60),
                (split_threshold, 64),
            ]
        );
        pinned!(
            ConfigParams,
            34,
            [
                (crt_weight_bps, 0),
                (crt_max_age_secs, 2),
                (crt_max_conf_bps, 6),
                (lp_fee_share_bps, 8),
                (keeper_bounty, 10),
                (bounty_notional, 18),
                (fresh_price_secs, 26),
                (timelock_secs, 30),
            ]
        );
        pinned!(
            Hedge,
            50,
            [
                (owned, 0),
                (locked, 8),
                (net_exposure, 16),
                (long_exposure, 24),
                (fees_earned, 32),
                (decimals, 40),
                (enabled, 41),
                (max_util_bps, 42),
                (target_util_bps, 44),
                (util_base_bps, 46),
                (util_slope_bps, 48),
            ]
        );
        pinned!(
            Custody,
            290,
            [
                (version, 0),
                (asset_index, 1),
                (bump, 2),
                (reserve_bump, 3),
                (mint, 4),
                (reserve, 36),
                (feed_id, 68),
                (params, 100),
                (trade_slot, 122),
                (slot_traded, 130),
                (swapped_in, 138),
                (swapped_out, 146),
                (trade_fees, 154),
                (reserved, 162),
            ]
        );
        pinned!(
            CustodyParams,
            22,
            [
                (max_util_bps, 0),
                (target_util_bps, 2),
                (util_base_bps, 4),
                (util_slope_bps, 6),
                (swap_fee_bps, 8),
                (impact_slope_bps, 10),
                (impact_max_bps, 12),
                (max_trade_per_slot, 14),
            ]
        );
    }

    #[test]
    fn accounts_are_their_pinned_size_with_their_reserve() {
        // Discriminator + data, as the budget test and the rent table state them.
        assert_eq!(8 + size_of::<Config>(), 691);
        assert_eq!(8 + size_of::<Pool>(), 1762);
        assert_eq!(8 + size_of::<Vault>(), 511);
        assert_eq!(8 + PendingChange::INIT_SPACE, 199);
        assert_eq!(8 + size_of::<Custody>(), 298);
        // The hedged pool's slots came out of the pool's reserve: its size did not change.
        assert_eq!(size_of::<Hedge>() * crate::constants::MAX_ASSETS + 4 + crate::constants::POOL_RESERVED, 512);
        // Anchor's own count of each plain-old-data account agrees with its memory layout.
        assert_eq!(Config::INIT_SPACE, size_of::<Config>());
        assert_eq!(Pool::INIT_SPACE, size_of::<Pool>());
        assert_eq!(Vault::INIT_SPACE, size_of::<Vault>());
        assert_eq!(Custody::INIT_SPACE, size_of::<Custody>());
        // The layout version is the first byte of every account.
        assert_eq!((offset_of!(Config, version), offset_of!(Pool, version), offset_of!(Vault, version)), (0, 0, 0));
        // PendingChange is Borsh (its change is an enum): its version is the first field encoded.
        let pending = PendingChange {
            version: LAYOUT_VERSION,
            id: 7,
            change: Change::RetireVault { vault: anchor_lang::prelude::Pubkey::new_from_array([9; 32]) },
            queued_at: 0,
            eta: 0,
            bump: 0,
            reserved: [0; crate::constants::CHANGE_RESERVED],
        };
        let mut bytes = Vec::new();
        anchor_lang::AnchorSerialize::serialize(&pending, &mut bytes).unwrap();
        assert_eq!(bytes[..5], [LAYOUT_VERSION, 7, 0, 0, 0]);
        assert_eq!(LAYOUT_VERSION, 1);
    }

    #[test]
    fn a_parameter_set_has_the_same_bytes_in_an_account_and_on_the_wire() {
        // A plain-old-data parameter set reads the same through Borsh (instruction arguments,
        // clients) and through its memory (the accounts).
        let p = VaultParams {
            target_leverage: -2_000_000,
            band_lo: 1,
            band_hi: 2,
            emergency_leverage: 3,
            step_bps: 4,
            min_interval_secs: 5,
            jitter_secs: 6,
            max_price_age_secs: 7,
            max_conf_bps: 8,
            mint_fee_bps: 9,
            redeem_fee_bps: 10,
            supply_cap: 11,
            vol_budget_bps: 12,
            split_threshold: 13,
        };
        let mut borsh = Vec::new();
        anchor_lang::AnchorSerialize::serialize(&p, &mut borsh).unwrap();
        assert_eq!(borsh, bytemuck::bytes_of(&p));
        let back: VaultParams = anchor_lang::AnchorDeserialize::deserialize(&mut borsh.as_slice()).unwrap();
        assert_eq!(back, p);
    }
}
