//! Checked integer helpers. Every division names where it rounds: `_floor` rounds toward
//! negative infinity, `_ceil` toward positive infinity. Callers choose the one that goes
//! against the party they are computing for.

use crate::error::{MathError, MathResult};

/// `SafeMath` in the Drift style: every operation turns overflow into [`MathError::Overflow`].
pub trait SafeMath: Sized {
    fn safe_add(self, rhs: Self) -> MathResult<Self>;
    fn safe_sub(self, rhs: Self) -> MathResult<Self>;
    fn safe_mul(self, rhs: Self) -> MathResult<Self>;
    /// Division rounding toward zero; a zero divisor is [`MathError::DivisionByZero`].
    fn safe_div(self, rhs: Self) -> MathResult<Self>;
}

/// Negation that cannot wrap (`-i64::MIN` is an overflow).
pub trait SafeNeg: Sized {
    fn safe_neg(self) -> MathResult<Self>;
}

macro_rules! impl_safe_math {
    ($($t:ty),*) => {$(
        impl SafeMath for $t {
            #[inline]
            fn safe_add(self, rhs: Self) -> MathResult<Self> {
                self.checked_add(rhs).ok_or(MathError::Overflow)
            }
            #[inline]
            fn safe_sub(self, rhs: Self) -> MathResult<Self> {
                self.checked_sub(rhs).ok_or(MathError::Overflow)
            }
            #[inline]
            fn safe_mul(self, rhs: Self) -> MathResult<Self> {
                self.checked_mul(rhs).ok_or(MathError::Overflow)
            }
            #[inline]
            fn safe_div(self, rhs: Self) -> MathResult<Self> {
                if rhs == 0 {
                    return Err(MathError::DivisionByZero);
                }
                self.checked_div(rhs).ok_or(MathError::Overflow)
            }
        }
    )*};
}
impl_safe_math!(u8, u64, i64, u128, i128);

macro_rules! impl_safe_neg {
    ($($t:ty),*) => {$(
        impl SafeNeg for $t {
            #[inline]
            fn safe_neg(self) -> MathResult<Self> {
                self.checked_neg().ok_or(MathError::Overflow)
            }
        }
    )*};
}
impl_safe_neg!(i64, i128);

/// `a * b / c`, rounded down.
#[inline]
pub fn mul_div_floor(a: u128, b: u128, c: u128) -> MathResult<u128> {
    if c == 0 {
        return Err(MathError::DivisionByZero);
    }
    a.safe_mul(b)?.safe_div(c)
}

/// `a * b / c`, rounded up.
#[inline]
pub fn mul_div_ceil(a: u128, b: u128, c: u128) -> MathResult<u128> {
    if c == 0 {
        return Err(MathError::DivisionByZero);
    }
    Ok(a.safe_mul(b)?.div_ceil(c))
}

/// Signed division rounded toward negative infinity. `c` must be positive.
#[inline]
pub fn div_floor_i(n: i128, c: i128) -> MathResult<i128> {
    if c <= 0 {
        return Err(MathError::DivisionByZero);
    }
    Ok(n.div_euclid(c))
}

/// Signed division rounded toward positive infinity. `c` must be positive.
#[inline]
pub fn div_ceil_i(n: i128, c: i128) -> MathResult<i128> {
    let q = div_floor_i(n, c)?;
    if q.checked_mul(c).ok_or(MathError::Overflow)? == n {
        Ok(q)
    } else {
        q.safe_add(1)
    }
}

/// Signed `a * b / c` rounded toward negative infinity. `c` must be positive.
#[inline]
pub fn mul_div_floor_i(a: i128, b: i128, c: i128) -> MathResult<i128> {
    div_floor_i(a.safe_mul(b)?, c)
}

/// Signed `a * b / c` rounded toward positive infinity. `c` must be positive.
#[inline]
pub fn mul_div_ceil_i(a: i128, b: i128, c: i128) -> MathResult<i128> {
    div_ceil_i(a.safe_mul(b)?, c)
}

/// Narrow an i128 into u64, failing instead of wrapping.
#[inline]
pub fn to_u64(v: i128) -> MathResult<u64> {
    u64::try_from(v).map_err(|_| MathError::Overflow)
}

/// Narrow a u128 into u64, failing instead of wrapping.
#[inline]
pub fn u128_to_u64(v: u128) -> MathResult<u64> {
    u64::try_from(v).map_err(|_| MathError::Overflow)
}

/// Narrow an i128 into i64, failing instead of wrapping.
#[inline]
pub fn to_i64(v: i128) -> MathResult<i64> {
    i64::try_from(v).map_err(|_| MathError::Overflow)
}

/// `10^exp` as u128, checked.
#[inline]
pub fn pow10(exp: u32) -> MathResult<u128> {
    10u128.checked_pow(exp).ok_or(MathError::Overflow)
}

#[cfg(test)]
#[allow(clippy::arithmetic_side_effects)] // tests compute expectations directly
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn signed_rounding_directions() {
        assert_eq!(div_floor_i(-7, 2).unwrap(), -4);
        assert_eq!(div_ceil_i(-7, 2).unwrap(), -3);
        assert_eq!(div_floor_i(7, 2).unwrap(), 3);
        assert_eq!(div_ceil_i(7, 2).unwrap(), 4);
        assert_eq!(div_ceil_i(8, 2).unwrap(), 4);
        assert_eq!(div_floor_i(1, 0), Err(MathError::DivisionByZero));
        assert_eq!(mul_div_floor(1, 1, 0), Err(MathError::DivisionByZero));
        assert_eq!(mul_div_floor(u128::MAX, 2, 1), Err(MathError::Overflow));
    }

    proptest! {
        #[test]
        fn floor_le_exact_le_ceil(a in 0u64.., b in 0u64.., c in 1u64..) {
            let (a, b, c) = (a as u128, b as u128, c as u128);
            let f = mul_div_floor(a, b, c).unwrap();
            let k = mul_div_ceil(a, b, c).unwrap();
            prop_assert!(f * c <= a * b);
            prop_assert!(k * c >= a * b);
            prop_assert!(k - f <= 1);
        }

        #[test]
        fn signed_floor_le_ceil(a in any::<i64>(), b in any::<i64>(), c in 1i64..) {
            let (a, b, c) = (a as i128, b as i128, c as i128);
            let f = mul_div_floor_i(a, b, c).unwrap();
            let k = mul_div_ceil_i(a, b, c).unwrap();
            prop_assert!(f * c <= a * b);
            prop_assert!(k * c >= a * b);
            prop_assert!(k - f <= 1);
        }
    }
}
