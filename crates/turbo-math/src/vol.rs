//! Realized volatility from the prices a vault settles at (docs/design.md §5.4).
//!
//! The vault keeps an exponentially weighted estimate of the variance *rate* (variance per
//! second) of returns, with time constant [`VOL_TAU_SECS`]. For a move from `p0` to `p1` over
//! `dt` seconds, with return `r = 2(p1 − p0)/(p1 + p0)` (the symmetric approximation of
//! `ln(p1/p0)`, exact to third order), the update is
//!
//! ```text
//! v ← v · (1 − a/τ) + r² / τ,   a = min(dt, τ)
//! ```
//!
//! which is the continuous-time EWMA of the sample `r²/dt` with weight `dt/τ`. Annualized
//! volatility is `σ = sqrt(v · seconds_per_year)`.

use crate::error::{MathError, MathResult};
use crate::fixed::*;
use crate::units::*;

/// Variance rates are stored with 18 decimals (per second).
pub const VARIANCE_SCALE: u128 = 1_000_000_000_000_000_000;
/// EWMA time constant: one day.
pub const VOL_TAU_SECS: u64 = 86_400;
pub const SECONDS_PER_YEAR: u128 = 31_536_000;
/// Return scale inside the update (9 decimals).
const RETURN_SCALE: u128 = 1_000_000_000;

/// The estimate takes at most one sample per this many seconds of publish time, so settling
/// more often (any no-op rebalance settles) cannot add samples, and microstructure noise
/// between updates a second apart never enters it.
pub const VOL_SAMPLE_SECS: i64 = 60;

/// The variance after the next sample, if one is due: the move from the last sample `p0`
/// (published at `t0`) to `p1` (published at `t1`), once at least [`VOL_SAMPLE_SECS`] passed.
pub fn sample_variance(var: u64, p0: Price, t0: i64, p1: Price, t1: i64) -> MathResult<Option<u64>> {
    let dt = t1.saturating_sub(t0);
    if dt < VOL_SAMPLE_SECS {
        return Ok(None);
    }
    update_variance(var, p0, p1, dt).map(Some)
}

/// Update the variance rate `var` (18 decimals, per second) for a move `p0 → p1` over `dt`.
/// A non-positive `dt` (same or older update) leaves it unchanged.
pub fn update_variance(var: u64, p0: Price, p1: Price, dt: i64) -> MathResult<u64> {
    if dt <= 0 || p0.0 == 0 || p1.0 == 0 {
        return Ok(var);
    }
    let a = (dt as u64).min(VOL_TAU_SECS) as u128;
    let tau = VOL_TAU_SECS as u128;
    // |r| with 9 decimals; at most 2.
    let diff = (p1.0 as u128).abs_diff(p0.0 as u128);
    let r = mul_div_floor(diff, 2 * RETURN_SCALE, (p1.0 as u128).safe_add(p0.0 as u128)?)?;
    // r² with 18 decimals.
    let r2 = r.safe_mul(r)?;
    let decayed = mul_div_floor(var as u128, tau.safe_sub(a)?, tau)?;
    let fresh = r2.safe_div(tau)?;
    u64::try_from(decayed.safe_add(fresh)?).map_err(|_| MathError::Overflow)
}

/// Annualized volatility in basis points (10,000 = 100%/year), rounded down.
pub fn annualized_vol_bps(var: u64) -> MathResult<u64> {
    // σ_bps = sqrt(v · SPY / 10^18) · 10^4 = sqrt(v · SPY / 10^10)
    let x = (var as u128).safe_mul(SECONDS_PER_YEAR)? / 10_000_000_000;
    u64::try_from(x.isqrt()).map_err(|_| MathError::Overflow)
}

/// The largest |leverage| a volatility budget `budget` (annualized, bps) allows at volatility
/// `vol_bps`: `B / σ`. `None` when either is zero (no cap).
pub fn vol_capped_leverage(budget: Bps, vol_bps: u64) -> MathResult<Option<u64>> {
    if budget.0 == 0 || vol_bps == 0 {
        return Ok(None);
    }
    Ok(Some(u128_to_u64(mul_div_floor(budget.0 as u128, LEV_ONE as u128, vol_bps as u128)?)?))
}

#[cfg(test)]
#[allow(clippy::arithmetic_side_effects)] // tests compute expectations directly
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn one_percent_moves_every_minute_annualize_as_expected() {
        // r = 1% every 60 s for many time constants converges to v = r²/60 per second.
        let mut v = 0u64;
        let mut p = Price(10_000_000_000);
        for i in 0..20_000 {
            let next = if i % 2 == 0 { Price(p.0 * 101 / 100) } else { Price(p.0 * 100 / 101) };
            v = update_variance(v, p, next, 60).unwrap();
            p = next;
        }
        // r = 2·0.01/2.01 = 0.00995; σ = r·sqrt(SPY/60) = 0.00995 · 724.98 = 7.2136 (721%).
        let vol = annualized_vol_bps(v).unwrap();
        assert!((72_000..72_200).contains(&vol), "{vol}");
    }

    #[test]
    fn variance_decays_without_moves() {
        let v = update_variance(1_000_000, Price(100), Price(100), 43_200).unwrap();
        assert_eq!(v, 500_000);
        assert_eq!(update_variance(1_000_000, Price(100), Price(100), 0).unwrap(), 1_000_000);
        assert_eq!(update_variance(1_000_000, Price(100), Price(100), 10 * 86_400).unwrap(), 0);
    }

    #[test]
    fn l2_samples_come_at_most_once_a_minute() {
        let (p0, p1) = (Price(100_000_000), Price(101_000_000));
        assert_eq!(sample_variance(7, p0, 1_000, p1, 1_059).unwrap(), None);
        assert_eq!(sample_variance(7, p0, 1_000, p1, 1_060).unwrap(), Some(update_variance(7, p0, p1, 60).unwrap()));
    }

    #[test]
    fn budget_caps_leverage() {
        // A 150% budget at 75% volatility allows 2x; at 30% it allows 5x.
        assert_eq!(vol_capped_leverage(Bps(15_000), 7_500).unwrap(), Some(2_000_000));
        assert_eq!(vol_capped_leverage(Bps(15_000), 3_000).unwrap(), Some(5_000_000));
        assert_eq!(vol_capped_leverage(Bps(0), 3_000).unwrap(), None);
        assert_eq!(vol_capped_leverage(Bps(15_000), 0).unwrap(), None);
    }

    proptest! {
        #[test]
        fn update_never_panics_and_stays_bounded(var in 0u64..u64::MAX / 2, p0 in 1u64.., p1 in 1u64.., dt in any::<i64>()) {
            let v = update_variance(var, Price(p0), Price(p1), dt).unwrap();
            // The fresh term is at most 4e18/τ; the decayed term never exceeds the old value.
            prop_assert!(v as u128 <= var as u128 + 4 * VARIANCE_SCALE / VOL_TAU_SECS as u128 + 1);
            annualized_vol_bps(v).unwrap();
        }
    }
}
