//! Unit newtypes. Mixing units fails to compile: a [`Price`] times an [`Exposure`] is only
//! reachable through [`Exposure::notional_floor`], which knows both scales.

use crate::error::{MathError, MathResult};
use crate::fixed::*;

/// Decimals of [`Usd`]: micro-USD, equal to the USDC base unit.
pub const USD_DECIMALS: u32 = 6;
/// Decimals of [`Price`].
pub const PRICE_DECIMALS: u32 = 8;
/// Decimals a token amount times a price carries beyond micro-USD.
const VALUE_SHIFT: u32 = PRICE_DECIMALS - USD_DECIMALS;
/// Decimals of [`Exposure`].
pub const EXPOSURE_DECIMALS: u32 = 9;
/// `q * P / NOTIONAL_DIVISOR` is micro-USD: 10^(9 + 8 - 6).
pub const NOTIONAL_DIVISOR: i128 = 100_000_000_000;
/// 1x leverage in [`Lev`] units.
pub const LEV_ONE: i64 = 1_000_000;
/// 100% in basis points.
pub const BPS_ONE: u64 = 10_000;
/// One whole USD in [`Usd`] units.
pub const ONE_USD: u64 = 1_000_000;

macro_rules! newtype {
    ($(#[$m:meta])* $name:ident($inner:ty)) => {
        $(#[$m])*
        #[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(pub $inner);

        impl $name {
            pub const ZERO: Self = Self(0);
            #[inline]
            pub fn checked_add(self, rhs: Self) -> MathResult<Self> {
                self.0.checked_add(rhs.0).map(Self).ok_or(MathError::Overflow)
            }
            #[inline]
            pub fn checked_sub(self, rhs: Self) -> MathResult<Self> {
                self.0.checked_sub(rhs.0).map(Self).ok_or(MathError::Overflow)
            }
            #[inline]
            pub fn is_zero(self) -> bool {
                self.0 == 0
            }
        }
    };
}

newtype!(
    /// Micro-USD (6 decimals). Also the raw amount of USDC, which the protocol values at $1.
    Usd(u64)
);
newtype!(
    /// A signed micro-USD amount: PnL, unrealized gains, signed notionals.
    SignedUsd(i64)
);
newtype!(
    /// USD per whole unit of an asset, 8 decimals. Always positive once it left the oracle gate.
    Price(u64)
);
newtype!(
    /// Signed units of the underlying asset, 9 decimals. Positive is long (Turbo), negative is
    /// short (Bear). Synthetic: the vault never holds the asset.
    Exposure(i64)
);
newtype!(
    /// Raw amount of a share token (a Turbo/Bear token or an LP token).
    Shares(u64)
);
newtype!(
    /// Raw amount of a collateral token whose decimals travel beside it (CRT).
    TokenAmount(u64)
);
newtype!(
    /// A fraction in basis points (10_000 = 100%).
    Bps(u64)
);
newtype!(
    /// Signed leverage with 6 decimals: 3x long = 3_000_000, 2x short = -2_000_000.
    Lev(i64)
);

impl Usd {
    #[inline]
    pub fn from_whole(usd: u64) -> MathResult<Self> {
        usd.safe_mul(ONE_USD).map(Usd)
    }
    /// `self * num / den`, rounded down.
    #[inline]
    pub fn mul_div_floor(self, num: u64, den: u64) -> MathResult<Usd> {
        u128_to_u64(mul_div_floor(self.0 as u128, num as u128, den as u128)?).map(Usd)
    }
    /// `self * num / den`, rounded up.
    #[inline]
    pub fn mul_div_ceil(self, num: u64, den: u64) -> MathResult<Usd> {
        u128_to_u64(mul_div_ceil(self.0 as u128, num as u128, den as u128)?).map(Usd)
    }
    #[inline]
    pub fn signed(self) -> MathResult<SignedUsd> {
        i64::try_from(self.0).map(SignedUsd).map_err(|_| MathError::Overflow)
    }
}

impl SignedUsd {
    /// The positive part, as [`Usd`]; zero for a negative value.
    #[inline]
    pub fn positive_part(self) -> Usd {
        Usd(self.0.max(0) as u64)
    }
    /// The magnitude of the negative part, as [`Usd`]; zero for a positive value.
    #[inline]
    pub fn negative_part(self) -> Usd {
        Usd(self.0.min(0).unsigned_abs())
    }
}

impl Exposure {
    /// Signed notional `q * p` in micro-USD, rounded toward negative infinity.
    #[inline]
    pub fn notional_floor(self, p: Price) -> MathResult<SignedUsd> {
        to_i64(mul_div_floor_i(self.0 as i128, p.0 as i128, NOTIONAL_DIVISOR)?).map(SignedUsd)
    }
    /// `|q| * p` in micro-USD, rounded up (used for exposure caps: the conservative side).
    #[inline]
    pub fn abs_notional_ceil(self, p: Price) -> MathResult<Usd> {
        let n = mul_div_ceil(self.0.unsigned_abs() as u128, p.0 as u128, NOTIONAL_DIVISOR as u128)?;
        u128_to_u64(n).map(Usd)
    }
    /// `|q| * p` in micro-USD, rounded down.
    #[inline]
    pub fn abs_notional_floor(self, p: Price) -> MathResult<Usd> {
        let n = mul_div_floor(self.0.unsigned_abs() as u128, p.0 as u128, NOTIONAL_DIVISOR as u128)?;
        u128_to_u64(n).map(Usd)
    }
    /// Unrealized PnL `q * (to - from)` in micro-USD, rounded toward negative infinity: a
    /// gain is rounded down and a loss is rounded up in magnitude (docs/design.md §1).
    #[inline]
    pub fn pnl_floor(self, from: Price, to: Price) -> MathResult<SignedUsd> {
        let dp = (to.0 as i128).safe_sub(from.0 as i128)?;
        to_i64(mul_div_floor_i(self.0 as i128, dp, NOTIONAL_DIVISOR)?).map(SignedUsd)
    }
    /// The exposure whose notional at `p` is `notional` (signed by `sign`), magnitude rounded
    /// toward zero so that a computed position is never larger than asked.
    #[inline]
    pub fn from_notional_toward_zero(notional: Usd, p: Price, negative: bool) -> MathResult<Exposure> {
        if p.0 == 0 {
            return Err(MathError::DivisionByZero);
        }
        let mag = mul_div_floor(notional.0 as u128, NOTIONAL_DIVISOR as u128, p.0 as u128)?;
        let mag = i64::try_from(mag).map_err(|_| MathError::Overflow)?;
        Ok(Exposure(if negative { mag.safe_neg()? } else { mag }))
    }
    /// `q * num / den` with the magnitude rounded toward zero.
    #[inline]
    pub fn scale_toward_zero(self, num: u64, den: u64) -> MathResult<Exposure> {
        let mag = mul_div_floor(self.0.unsigned_abs() as u128, num as u128, den as u128)?;
        let mag = i64::try_from(mag).map_err(|_| MathError::Overflow)?;
        Ok(Exposure(if self.0 < 0 { mag.safe_neg()? } else { mag }))
    }
    #[inline]
    pub fn is_short(self) -> bool {
        self.0 < 0
    }
}

impl TokenAmount {
    /// USD value of `self` raw units of a token with `decimals` at `p`, rounded down.
    #[inline]
    pub fn value_floor(self, decimals: u8, p: Price) -> MathResult<Usd> {
        let den = pow10((decimals as u32).saturating_add(VALUE_SHIFT))?;
        u128_to_u64(mul_div_floor(self.0 as u128, p.0 as u128, den)?).map(Usd)
    }
    /// USD value of `self` at `p`, rounded up.
    #[inline]
    pub fn value_ceil(self, decimals: u8, p: Price) -> MathResult<Usd> {
        let den = pow10((decimals as u32).saturating_add(VALUE_SHIFT))?;
        u128_to_u64(mul_div_ceil(self.0 as u128, p.0 as u128, den)?).map(Usd)
    }
    /// The amount of the token worth `value` at `p`, rounded down.
    #[inline]
    pub fn for_value_floor(value: Usd, decimals: u8, p: Price) -> MathResult<TokenAmount> {
        let num = pow10((decimals as u32).saturating_add(VALUE_SHIFT))?;
        u128_to_u64(mul_div_floor(value.0 as u128, num, p.0 as u128)?).map(TokenAmount)
    }
    /// The amount of the token worth `value` at `p`, rounded up.
    #[inline]
    pub fn for_value_ceil(value: Usd, decimals: u8, p: Price) -> MathResult<TokenAmount> {
        let num = pow10((decimals as u32).saturating_add(VALUE_SHIFT))?;
        u128_to_u64(mul_div_ceil(value.0 as u128, num, p.0 as u128)?).map(TokenAmount)
    }
    /// `self * num / den`, rounded down.
    #[inline]
    pub fn mul_div_floor(self, num: u64, den: u64) -> MathResult<TokenAmount> {
        u128_to_u64(mul_div_floor(self.0 as u128, num as u128, den as u128)?).map(TokenAmount)
    }
}

impl Bps {
    /// `amount * self`, rounded up: what a caller owes (fees).
    #[inline]
    pub fn of_ceil(self, amount: u64) -> MathResult<u64> {
        u128_to_u64(mul_div_ceil(amount as u128, self.0 as u128, BPS_ONE as u128)?)
    }
    /// `amount * self`, rounded down.
    #[inline]
    pub fn of_floor(self, amount: u64) -> MathResult<u64> {
        u128_to_u64(mul_div_floor(amount as u128, self.0 as u128, BPS_ONE as u128)?)
    }
}

impl Lev {
    /// Signed leverage `q * p / equity` (docs/design.md §1), magnitude rounded up so that a band check
    /// errs toward trimming. Returns `None` when equity is not positive (infinite leverage).
    pub fn of(q: Exposure, p: Price, equity: SignedUsd) -> MathResult<Option<Lev>> {
        if equity.0 <= 0 {
            return Ok(None);
        }
        let mag = mul_div_ceil(
            q.0.unsigned_abs() as u128,
            (p.0 as u128).safe_mul(LEV_ONE as u128)?,
            (NOTIONAL_DIVISOR as u128).safe_mul(equity.0 as u128)?,
        )?;
        let mag = i64::try_from(mag).map_err(|_| MathError::Overflow)?;
        Ok(Some(Lev(if q.0 < 0 { mag.safe_neg()? } else { mag })))
    }
    #[inline]
    pub fn abs(self) -> u64 {
        self.0.unsigned_abs()
    }
    /// The notional `|self| * equity`, rounded toward zero.
    #[inline]
    pub fn notional_of(self, equity: Usd) -> MathResult<Usd> {
        u128_to_u64(mul_div_floor(equity.0 as u128, self.abs() as u128, LEV_ONE as u128)?).map(Usd)
    }
}

#[cfg(test)]
#[allow(clippy::arithmetic_side_effects)] // tests compute expectations directly
mod tests {
    use super::*;

    #[test]
    fn notional_of_one_btc() {
        // 1 BTC at $60,000 is $60,000 = 60_000_000_000 micro-USD.
        let q = Exposure(1_000_000_000);
        let p = Price(60_000 * 100_000_000);
        assert_eq!(q.notional_floor(p).unwrap(), SignedUsd(60_000_000_000));
        assert_eq!(Exposure(-1).notional_floor(Price(1)).unwrap(), SignedUsd(-1));
        assert_eq!(Exposure(1).notional_floor(Price(1)).unwrap(), SignedUsd(0));
    }

    #[test]
    fn leverage_of_three_x() {
        let p = Price(100 * 100_000_000);
        let q = Exposure(3_000_000_000); // 3 units at $100 = $300
        let e = SignedUsd(100_000_000); // $100
        assert_eq!(Lev::of(q, p, e).unwrap(), Some(Lev(3_000_000)));
        assert_eq!(Lev::of(Exposure(-3_000_000_000), p, e).unwrap(), Some(Lev(-3_000_000)));
        assert_eq!(Lev::of(q, p, SignedUsd(0)).unwrap(), None);
    }

    #[test]
    fn token_value_round_trip_rounds_against_the_holder() {
        // CRT with 6 decimals at $0.50.
        let p = Price(50_000_000);
        let v = TokenAmount(3).value_floor(6, p).unwrap();
        assert_eq!(v, Usd(1));
        assert_eq!(TokenAmount(3).value_ceil(6, p).unwrap(), Usd(2));
        assert_eq!(TokenAmount::for_value_ceil(Usd(1), 6, p).unwrap(), TokenAmount(2));
        assert_eq!(TokenAmount::for_value_floor(Usd(1), 6, p).unwrap(), TokenAmount(2));
    }
}
