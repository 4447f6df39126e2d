//! Oracle prices as the math sees them: a mid price for settlement between vault and pool, and
//! a low and a high price one confidence interval away, used to bias every user-facing price
//! against the caller (docs/design.md §3).

use crate::error::{MathError, MathResult};
use crate::fixed::*;
use crate::units::*;

/// A validated oracle reading normalized to [`PRICE_DECIMALS`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OraclePrice {
    /// `price - conf`, rounded down.
    pub lo: Price,
    /// `price`, rounded down. Settlement uses it: it is neutral between vault and pool.
    pub mid: Price,
    /// `price + conf`, rounded up.
    pub hi: Price,
    /// Unix seconds of the update.
    pub publish_time: i64,
}

impl OraclePrice {
    /// Normalize a Pyth `(price, conf, exponent)` reading. Fails with [`MathError::NonPositive`]
    /// when the price, or the price minus its confidence, is not positive.
    pub fn from_pyth(price: i64, conf: u64, exponent: i32, publish_time: i64) -> MathResult<Self> {
        if price <= 0 {
            return Err(MathError::NonPositive);
        }
        let p = price as i128;
        let c = conf as i128;
        let lo_raw = p.safe_sub(c)?;
        if lo_raw <= 0 {
            return Err(MathError::NonPositive);
        }
        let hi_raw = p.safe_add(c)?;
        let shift = (PRICE_DECIMALS as i32).checked_add(exponent).ok_or(MathError::Overflow)?;
        let (lo, mid, hi) = if shift >= 0 {
            let m = pow10(shift as u32)? as i128;
            (lo_raw.safe_mul(m)?, p.safe_mul(m)?, hi_raw.safe_mul(m)?)
        } else {
            let d = pow10(shift.unsigned_abs())? as i128;
            (div_floor_i(lo_raw, d)?, div_floor_i(p, d)?, div_ceil_i(hi_raw, d)?)
        };
        if lo <= 0 {
            return Err(MathError::NonPositive);
        }
        Ok(OraclePrice { lo: Price(to_u64(lo)?), mid: Price(to_u64(mid)?), hi: Price(to_u64(hi)?), publish_time })
    }

    /// A reading with no confidence interval (tests, simulations and constant prices).
    pub fn exact(p: Price, publish_time: i64) -> Self {
        OraclePrice { lo: p, mid: p, hi: p, publish_time }
    }

    /// Whether `conf / price <= max_conf` on the raw Pyth values (exact, no rounding).
    pub fn conf_within(price: i64, conf: u64, max_conf: Bps) -> bool {
        if price <= 0 {
            return false;
        }
        // u64 × u64 always fits u128.
        match ((conf as u128).checked_mul(BPS_ONE as u128), (max_conf.0 as u128).checked_mul(price as u128)) {
            (Some(lhs), Some(rhs)) => lhs <= rhs,
            _ => false,
        }
    }

    /// The price at which an exposure of this sign is worth the most: `hi` for a long, `lo`
    /// for a short. A minter pays NAV at this price.
    #[inline]
    pub fn high_for(&self, q: Exposure) -> Price {
        if q.is_short() {
            self.lo
        } else {
            self.hi
        }
    }

    /// The price at which an exposure of this sign is worth the least. A redeemer is paid NAV
    /// at this price.
    #[inline]
    pub fn low_for(&self, q: Exposure) -> Price {
        if q.is_short() {
            self.hi
        } else {
            self.lo
        }
    }
}

#[cfg(test)]
#[allow(clippy::arithmetic_side_effects)] // tests compute expectations directly
mod tests {
    use super::*;

    #[test]
    fn pyth_expo_minus_8_is_identity() {
        let o = OraclePrice::from_pyth(6_000_000_000_000, 3_000_000_000, -8, 7).unwrap();
        assert_eq!(o.mid, Price(6_000_000_000_000));
        assert_eq!(o.lo, Price(5_997_000_000_000));
        assert_eq!(o.hi, Price(6_003_000_000_000));
        assert_eq!(o.publish_time, 7);
    }

    #[test]
    fn finer_exponents_round_outward() {
        // 1.234567891 with conf 0.000000005, exponent -9.
        let o = OraclePrice::from_pyth(1_234_567_891, 5, -9, 0).unwrap();
        assert_eq!(o.mid, Price(123_456_789));
        assert_eq!(o.lo, Price(123_456_788)); // floor(1_234_567_886 / 10)
        assert_eq!(o.hi, Price(123_456_790)); // ceil(1_234_567_896 / 10)
    }

    #[test]
    fn coarser_exponents_scale_up() {
        let o = OraclePrice::from_pyth(42, 1, -6, 0).unwrap();
        assert_eq!(o.mid, Price(4_200));
        assert_eq!(o.lo, Price(4_100));
        assert_eq!(o.hi, Price(4_300));
    }

    #[test]
    fn non_positive_prices_are_rejected() {
        assert_eq!(OraclePrice::from_pyth(0, 0, -8, 0), Err(MathError::NonPositive));
        assert_eq!(OraclePrice::from_pyth(-5, 0, -8, 0), Err(MathError::NonPositive));
        assert_eq!(OraclePrice::from_pyth(5, 5, -8, 0), Err(MathError::NonPositive));
    }

    #[test]
    fn confidence_bound_is_exact() {
        assert!(OraclePrice::conf_within(10_000, 200, Bps(200)));
        assert!(!OraclePrice::conf_within(10_000, 201, Bps(200)));
        assert!(!OraclePrice::conf_within(0, 0, Bps(200)));
    }
}
