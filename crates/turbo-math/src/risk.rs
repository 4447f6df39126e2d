//! The pool's risk limits on one asset (docs/design.md §5.5): a cap on the net exposure sized by
//! what a bad day could cost the pool, and the funding the heavy side pays for using it.
//!
//! - **Risk cap.** The pool's net exposure on an asset may not exceed the notional whose
//!   `z`-sigma daily move costs more than `max_daily_loss` of the pool's value:
//!   `|net| · z · σ_daily ≤ max_daily_loss · value`. σ is the vaults' own EWMA estimate, never
//!   below a floor. It tightens as σ rises or the pool shrinks; the hard net cap stays a ceiling.
//! - **Skew funding.** A vault on the heavy side of its asset pays, at each settlement,
//!   `notional · rate · Δt`, with `rate = max_rate · min(1, |net| / cap)` per day: nothing when the
//!   book is balanced, the full rate at the cap. It goes to the pool (the LPs carry the skew).
//!
//! Caps round down (stricter for the caller); charges and rates round up (against the payer).

use crate::error::{MathError, MathResult};
use crate::fixed::*;
use crate::units::*;
use crate::vol::VARIANCE_SCALE;

/// Seconds in a day: the unit of `σ_daily` and of funding rates.
pub const SECONDS_PER_DAY: u128 = 86_400;

/// A variance with 18 decimals, over this, is a squared volatility in bps.
const VOL_BPS_SQUARED_SCALE: u128 = VARIANCE_SCALE / (BPS_ONE as u128 * BPS_ONE as u128);

/// The daily volatility of a variance rate (18 decimals, per second), bps: `sqrt(v · 86,400)`,
/// rounded down.
pub fn daily_vol_bps(var: u64) -> MathResult<u64> {
    // σ_bps = sqrt(v · day / 10^18) · 10^4 = sqrt(v · day / 10^10)
    let x = (var as u128).safe_mul(SECONDS_PER_DAY)?.safe_div(VOL_BPS_SQUARED_SCALE)?;
    u64::try_from(x.isqrt()).map_err(|_| MathError::Overflow)
}

/// An annualized volatility as a daily one, bps: `σ / sqrt(365)`, rounded up (a floor read
/// higher is the stricter cap).
pub fn daily_from_annual_vol_bps(annual: u64) -> u64 {
    // sqrt(365) = 19.1049...; dividing by 19.104 rounds the quotient up a little.
    (annual as u128).saturating_mul(1_000).div_ceil(19_104).min(u64::MAX as u128) as u64
}

/// The risk limits of a pool, as stored in its caps.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RiskLimits {
    /// The largest loss a `z`-sigma day may cost, bps of the pool's value; 0 turns the cap off.
    pub max_daily_loss: Bps,
    /// `z`, in hundredths (300: a 3σ day).
    pub z_centi: u16,
    /// σ_daily is never taken below this, bps (a fresh vault has no estimate yet).
    pub vol_floor_daily: u64,
}

impl RiskLimits {
    /// The largest net notional the pool may carry on an asset whose daily volatility is
    /// `vol_daily` bps, at pool value `value`: `max_daily_loss · value / (z · σ)`, rounded down.
    /// `None` when the cap is off.
    pub fn net_cap(&self, value: Usd, vol_daily: u64) -> MathResult<Option<Usd>> {
        if self.max_daily_loss.0 == 0 {
            return Ok(None);
        }
        let sigma = vol_daily.max(self.vol_floor_daily).max(1) as u128;
        let z = (self.z_centi as u128).max(1);
        // value · loss_bps / (z_centi / 100 · σ_bps)
        let num = (value.0 as u128).safe_mul(self.max_daily_loss.0 as u128)?.safe_mul(100)?;
        let den = z.safe_mul(sigma)?;
        Ok(Some(Usd(u128_to_u64(num.safe_div(den)?).unwrap_or(u64::MAX))))
    }
}

/// The funding rate the heavy side of an asset pays, bps per day: `max_rate · min(1, net / cap)`,
/// rounded up. Zero with no net exposure or no rate; the full rate at or over the cap (and when
/// the cap is zero).
pub fn funding_rate(max_rate: Bps, net: Usd, cap: Usd) -> MathResult<u64> {
    if max_rate.0 == 0 || net.0 == 0 {
        return Ok(0);
    }
    if cap.0 == 0 || net.0 >= cap.0 {
        return Ok(max_rate.0);
    }
    u128_to_u64(mul_div_ceil(max_rate.0 as u128, net.0 as u128, cap.0 as u128)?)
}

/// The funding a heavy-side position of `notional` pays over `dt` seconds:
/// `notional · max_rate · min(1, net / cap) · dt / day`, rounded up. The utilization is applied
/// to the notional first (rounded up), so a small skew pays a small charge rather than a whole
/// basis point a day. Zero for a non-positive `dt`, no net exposure or no rate.
pub fn funding_charge(notional: Usd, max_rate: Bps, net: Usd, cap: Usd, dt: i64) -> MathResult<Usd> {
    if dt <= 0 || max_rate.0 == 0 || net.0 == 0 || notional.0 == 0 {
        return Ok(Usd(0));
    }
    let used =
        if cap.0 == 0 || net.0 >= cap.0 { notional.0 as u128 } else { mul_div_ceil(notional.0 as u128, net.0 as u128, cap.0 as u128)? };
    let den = (BPS_ONE as u128).safe_mul(SECONDS_PER_DAY)?;
    u128_to_u64(mul_div_ceil(used.safe_mul(max_rate.0 as u128)?, dt as u128, den)?).map(Usd)
}

#[cfg(test)]
#[allow(clippy::arithmetic_side_effects)] // tests compute expectations directly
mod tests {
    use super::*;
    use proptest::prelude::*;

    const LIMITS: RiskLimits = RiskLimits { max_daily_loss: Bps(1_000), z_centi: 300, vol_floor_daily: 200 };

    #[test]
    fn the_cap_is_the_loss_budget_over_a_z_sigma_day() {
        // $1M pool, 10% a day at 3σ, σ_daily 5%: $100k / 15% = $666,666.66.
        assert_eq!(LIMITS.net_cap(Usd(1_000_000_000_000), 500).unwrap(), Some(Usd(666_666_666_666)));
        // Under the floor (2%) σ counts as the floor: $100k / 6%.
        assert_eq!(LIMITS.net_cap(Usd(1_000_000_000_000), 50).unwrap(), Some(Usd(1_666_666_666_666)));
        // Off.
        let off = RiskLimits { max_daily_loss: Bps(0), ..LIMITS };
        assert_eq!(off.net_cap(Usd(1_000_000_000_000), 500).unwrap(), None);
    }

    #[test]
    fn daily_vol_from_the_variance_rate() {
        // v = σ_d² / 86,400 with σ_d = 5%: 0.0025 / 86,400 per second.
        let v = (0.0025f64 / 86_400.0 * 1e18) as u64;
        assert_eq!(daily_vol_bps(v).unwrap(), 499); // rounded down from 500
        assert_eq!(daily_vol_bps(0).unwrap(), 0);
    }

    #[test]
    fn funding_is_linear_in_utilization_and_time_and_rounds_up() {
        // 50 bps a day at the cap; half the cap: 25 bps a day; $1M for one day: $2,500.
        assert_eq!(funding_rate(Bps(50), Usd(500), Usd(1_000)).unwrap(), 25);
        assert_eq!(funding_charge(Usd(1_000_000_000_000), Bps(50), Usd(500), Usd(1_000), 86_400).unwrap(), Usd(2_500_000_000));
        // A tiny skew pays a tiny charge: 1/10,000 of the cap for a day on $1M at 10 bps: $0.10.
        assert_eq!(funding_charge(Usd(1_000_000_000_000), Bps(10), Usd(1), Usd(10_000), 86_400).unwrap(), Usd(100_000));
        // One second at 1 bp/day on $1: 1e6 · 1 / (1e4 · 86,400) → rounds up to one unit.
        assert_eq!(funding_charge(Usd(1_000_000), Bps(1), Usd(5), Usd(5), 1).unwrap(), Usd(1));
        assert_eq!(funding_rate(Bps(50), Usd(2_000), Usd(1_000)).unwrap(), 50);
        assert_eq!(funding_rate(Bps(50), Usd(0), Usd(1_000)).unwrap(), 0);
        assert_eq!(funding_charge(Usd(1_000_000), Bps(50), Usd(1), Usd(1), -5).unwrap(), Usd(0));
        assert_eq!(funding_charge(Usd(1_000_000), Bps(50), Usd(0), Usd(1), 86_400).unwrap(), Usd(0));
    }

    proptest! {
        #[test]
        fn the_cap_falls_as_sigma_rises_and_grows_with_the_pool(value in 0u64..1u64 << 50, s1 in 0u64..20_000, s2 in 0u64..20_000, v2 in 0u64..1u64 << 50) {
            let (lo, hi) = (s1.min(s2), s1.max(s2));
            let cap = |v: u64, s: u64| LIMITS.net_cap(Usd(v), s).unwrap().unwrap();
            prop_assert!(cap(value, hi) <= cap(value, lo));
            let (small, big) = (value.min(v2), value.max(v2));
            prop_assert!(cap(small, lo) <= cap(big, lo));
            // Rounded down: the cap's worst day never costs more than the budget.
            let sigma = lo.max(LIMITS.vol_floor_daily) as u128;
            prop_assert!(cap(value, lo).0 as u128 * 300 * sigma <= value as u128 * 1_000 * 100);
        }

        #[test]
        fn funding_rises_with_skew_and_time_and_never_undercharges(max in 0u64..=100, n1 in 0u64..1u64 << 40, n2 in 0u64..1u64 << 40, cap in 1u64..1u64 << 40, notional in 0u64..1u64 << 45, dt in 0i64..10_000_000) {
            let (lo, hi) = (n1.min(n2), n1.max(n2));
            let r_lo = funding_rate(Bps(max), Usd(lo), Usd(cap)).unwrap();
            let r_hi = funding_rate(Bps(max), Usd(hi), Usd(cap)).unwrap();
            prop_assert!(r_lo <= r_hi && r_hi <= max);
            // The rate is at least its exact value.
            prop_assert!(r_lo as u128 * cap as u128 >= max as u128 * (lo.min(cap)) as u128);
            // The charge rises with the skew and with time, and never undercharges the exact value.
            let c_lo = funding_charge(Usd(notional), Bps(max), Usd(lo), Usd(cap), dt).unwrap();
            let c = funding_charge(Usd(notional), Bps(max), Usd(hi), Usd(cap), dt).unwrap();
            prop_assert!(c_lo <= c);
            prop_assert!(funding_charge(Usd(notional), Bps(max), Usd(hi), Usd(cap), dt / 2).unwrap() <= c);
            let exact_num = notional as u128 * max as u128 * hi.min(cap) as u128 * dt.max(0) as u128;
            prop_assert!(c.0 as u128 * cap as u128 * 10_000 * 86_400 >= exact_num);
        }
    }
}
