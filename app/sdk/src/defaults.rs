//! The default parameters (docs/design.md §5), in program units: the one home of
//! every default. The program holds only bounds; `docs/parameters.md` explains these values;
//! manifests in `migrations/`, the simulator's flags and the test fixture start from them.

use turbo::state::{ConfigParams, PoolCaps, VaultParams};

/// Mint fee, bps of the deposit.
pub const MINT_FEE_BPS: u16 = 50;
/// Redeem fee, bps of the payout.
pub const REDEEM_FEE_BPS: u16 = 100;
/// CRT counts at 80% of its value in a vault's risk equity.
pub const CRT_WEIGHT_BPS: u16 = 8_000;
/// LPs' share of fees.
pub const LP_FEE_SHARE_BPS: u16 = 5_000;
/// Reverse-split threshold: $10 per UI token, in micro-USD.
pub const SPLIT_THRESHOLD: u64 = 10_000_000;

/// The keeper's smallest step worth a transaction: 10 bps of the position. With the band's top
/// at the target every downtick is a trim; a vault left for a smaller step is within 0.1% of its
/// target (docs/decisions.md, "A keeper's smallest step").
pub const KEEPER_MIN_STEP_BPS: u64 = 10;

/// Protocol defaults: CRT weight 0.8, 60 s / 2% on CRT's price, half of fees to LPs, a $1
/// bounty for a rebalance step that moves $10,000 of notional (1 bp; smaller steps earn in
/// proportion), users' prices at most 5 s old (docs/decisions.md, "Oracle"), and a day's
/// timelock on changes that add risk ("Admin powers").
pub fn config_params() -> ConfigParams {
    ConfigParams {
        crt_weight_bps: CRT_WEIGHT_BPS,
        crt_max_age_secs: 60,
        crt_max_conf_bps: 200,
        lp_fee_share_bps: LP_FEE_SHARE_BPS,
        keeper_bounty: 1_000_000,
        bounty_notional: 10_000_000_000,
        fresh_price_secs: 5,
        timelock_secs: 86_400,
    }
}

/// The pool backs at most 5x its value gross and 3x net per asset (hard ceilings); no asset's
/// net exposure may cost it more than 1% of its value on a 3σ day, with σ read no lower than 50%
/// a year (the risk cap); the heavy side pays up to 10 bps of its notional a day, in proportion
/// to its use of the cap. Chosen by the LP study (docs/economics.md, "The counterparty pool").
pub fn pool_caps() -> PoolCaps {
    PoolCaps {
        gross_cap_bps: 50_000,
        net_cap_bps: 30_000,
        max_daily_loss_bps: 100,
        risk_z_centi: 300,
        vol_floor_bps: 5_000,
        funding_max_bps_per_day: 10,
        gap_budget_bps: GAP_BUDGET_BPS,
        stress_gap_bps: STRESS_GAP_BPS,
    }
}

/// A custody (docs/design.md §5.6): up to 90% of it may be locked, and swaps steer it toward
/// 80%; the long vaults pay 4% a year plus 4% times the utilization on the locked value; a trade
/// with it pays 10 bps, plus an impact of 1% per 100% of distance from the target (at most
/// 50 bps); a slot's trades move at most $1,000,000. Chosen by the hedged-pool study
/// (docs/economics.md).
pub fn custody_params() -> turbo::state::CustodyParams {
    turbo::state::CustodyParams {
        max_util_bps: 9_500,
        target_util_bps: 8_000,
        util_base_bps: 400,
        util_slope_bps: 400,
        swap_fee_bps: 10,
        impact_slope_bps: 100,
        impact_max_bps: 50,
        max_trade_per_slot: 1_000_000_000_000,
    }
}

/// The gap cap on a hedged asset (docs/design.md §5.6): a 50% gap between two keeper calls may
/// cost the pool at most 10% of its value beyond what the vaults' equity covers, so a 3x hedge may
/// reach 0.6 of the pool per asset. Chosen by the hedged-pool study (docs/economics.md).
pub const GAP_BUDGET_BPS: u16 = 1_000;
pub const STRESS_GAP_BPS: u16 = 5_000;

/// Turbo BTC/SOL/FET: +3x, band [2.9, 3.0], emergency 4.0, 5% steps, 30 s interval, 30 s
/// price age, 2% confidence.
pub fn turbo_params() -> VaultParams {
    VaultParams {
        target_leverage: 3_000_000,
        band_lo: 2_900_000,
        band_hi: 3_000_000,
        emergency_leverage: 4_000_000,
        step_bps: 500,
        min_interval_secs: 30,
        jitter_secs: 0,
        max_price_age_secs: 30,
        max_conf_bps: 200,
        mint_fee_bps: MINT_FEE_BPS,
        redeem_fee_bps: REDEEM_FEE_BPS,
        supply_cap: 1_000_000_000_000_000,
        vol_budget_bps: 0,
        split_threshold: SPLIT_THRESHOLD,
    }
}

/// Bear BTC: −2x, band [2.0, 2.5], emergency 3.0.
pub fn bear_params() -> VaultParams {
    VaultParams { target_leverage: -2_000_000, band_lo: 2_000_000, band_hi: 2_500_000, emergency_leverage: 3_000_000, ..turbo_params() }
}
