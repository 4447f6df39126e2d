//! The counterparty pool's value, its LP shares and its exposure caps (DESIGN §1, §4).
//!
//! Pool value is what the pool holds minus what it owes every registered vault at current
//! prices. A depositor buys shares at a value biased high (vault gains at their largest, CRT at
//! its high price); a withdrawer is paid at a value biased low. Share math carries a virtual
//! offset (OpenZeppelin ERC-4626 style) so a first depositor cannot inflate the share price.

use crate::error::{MathError, MathResult};
use crate::fixed::*;
use crate::oracle::OraclePrice;
use crate::trade::split_fee;
use crate::units::*;

/// Virtual LP shares added to the supply in share math.
pub const VIRTUAL_LP_SHARES: u64 = 1_000_000;
/// Virtual pool value (micro-USD) added to the value in share math.
pub const VIRTUAL_POOL_VALUE: u64 = 1_000_000;

/// Which way a valuation leans.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Bias {
    /// As high as the prices allow: a depositor pays it.
    High,
    /// As low as the prices allow: a withdrawer is paid it.
    Low,
}

/// Accumulates the pool's value and its exposures over every registered vault.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PoolValuation {
    pub bias: Bias,
    /// Free tokens at oracle value.
    pub assets: i128,
    /// What the pool owes vaults (negative when vaults owe the pool).
    pub owed_to_vaults: i128,
    /// `Σ |q| P` over vaults, rounded up.
    pub gross_notional: u128,
    /// The CRT price and decimals the free CRT was valued at; fees owed are valued the same way.
    pub crt: OraclePrice,
    pub crt_decimals: u8,
}

impl PoolValuation {
    /// Start from the pool's free balances.
    pub fn new(bias: Bias, free_usdc: Usd, free_crt: TokenAmount, crt_decimals: u8, crt: &OraclePrice) -> MathResult<Self> {
        let mut v = PoolValuation { bias, assets: 0, owed_to_vaults: 0, gross_notional: 0, crt: *crt, crt_decimals };
        v.add_tokens(free_usdc, free_crt)?;
        Ok(v)
    }

    /// Add tokens the pool owns, CRT at the price the bias picks.
    fn add_tokens(&mut self, usdc: Usd, crt: TokenAmount) -> MathResult<()> {
        let crt_value = match self.bias {
            Bias::High => crt.value_ceil(self.crt_decimals, self.crt.hi)?,
            Bias::Low => crt.value_floor(self.crt_decimals, self.crt.lo)?,
        };
        self.assets = self.assets.safe_add(usdc.0 as i128)?.safe_add(crt_value.0 as i128)?;
        Ok(())
    }

    /// Add the LPs' share of fees a vault still holds for the pool (they are swept into the
    /// pool later and split then, by the same [`split_fee`]).
    pub fn add_fees_owed(&mut self, usdc: Usd, crt: TokenAmount, lp_share: Bps) -> MathResult<()> {
        let lp_usdc = split_fee(usdc.0, lp_share)?.lp;
        let lp_crt = split_fee(crt.0, lp_share)?.lp;
        self.add_tokens(Usd(lp_usdc), TokenAmount(lp_crt))
    }

    /// Add a vault's unrealized PnL `q * (P - P_s)` as the pool's liability. For a high value
    /// the vault's gain is taken at its smallest, for a low value at its largest.
    pub fn add_vault(&mut self, q: Exposure, settle_price: Price, px: &OraclePrice) -> MathResult<()> {
        let p = match self.bias {
            Bias::High => px.low_for(q),
            Bias::Low => px.high_for(q),
        };
        let dp = (p.0 as i128).safe_sub(settle_price.0 as i128)?;
        let owed = match self.bias {
            Bias::High => mul_div_floor_i(q.0 as i128, dp, NOTIONAL_DIVISOR)?,
            Bias::Low => mul_div_ceil_i(q.0 as i128, dp, NOTIONAL_DIVISOR)?,
        };
        self.owed_to_vaults = self.owed_to_vaults.safe_add(owed)?;
        self.gross_notional = self.gross_notional.safe_add(q.abs_notional_ceil(px.mid)?.0 as u128)?;
        Ok(())
    }

    /// `assets - owed`. Fails with [`MathError::NonPositive`] if the pool owes more than it
    /// holds. Zero is a value (an empty pool); whether shares may be priced at it is the
    /// caller's decision.
    pub fn value(&self) -> MathResult<Usd> {
        let v = self.assets.safe_sub(self.owed_to_vaults)?;
        if v < 0 {
            return Err(MathError::NonPositive);
        }
        to_u64(v).map(Usd)
    }
}

/// LP shares for depositing `amount` into a pool of `value` with `supply` shares, rounded down.
pub fn lp_shares_for_deposit(amount: Usd, supply: Shares, value: Usd) -> MathResult<Shares> {
    let s = (supply.0 as u128).safe_add(VIRTUAL_LP_SHARES as u128)?;
    let v = (value.0 as u128).safe_add(VIRTUAL_POOL_VALUE as u128)?;
    u128_to_u64(mul_div_floor(amount.0 as u128, s, v)?).map(Shares)
}

/// USD paid for burning `shares` of a pool of `value` with `supply` shares, rounded down.
pub fn lp_value_for_shares(shares: Shares, supply: Shares, value: Usd) -> MathResult<Usd> {
    let s = (supply.0 as u128).safe_add(VIRTUAL_LP_SHARES as u128)?;
    let v = (value.0 as u128).safe_add(VIRTUAL_POOL_VALUE as u128)?;
    u128_to_u64(mul_div_floor(shares.0 as u128, v, s)?).map(Usd)
}

/// The largest notional a cap of `cap` (per unit of pool value) allows, rounded down.
pub fn exposure_cap(value: Usd, cap: Bps) -> MathResult<Usd> {
    value.mul_div_floor(cap.0, BPS_ONE)
}

/// One asset's book in the pool: the notional of longs and of shorts at their last
/// settlement prices. Longs and shorts on the same asset net inside the pool (DESIGN §1).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct AssetBook {
    pub long: Usd,
    pub short: Usd,
}

impl AssetBook {
    /// Replace a vault's old notional with its new one.
    pub fn update(&mut self, old_q: Exposure, old_p: Price, new_q: Exposure, new_p: Price) -> MathResult<()> {
        let old = old_q.abs_notional_ceil(old_p)?;
        let new = new_q.abs_notional_ceil(new_p)?;
        // Saturating: rounding may leave a sum a unit below a term that was added with a
        // different price; the book is a cap estimate, never an amount of money.
        let s = self.side_mut(old_q);
        *s = Usd(s.0.saturating_sub(old.0));
        let s = self.side_mut(new_q);
        *s = s.checked_add(new)?;
        Ok(())
    }
    fn side_mut(&mut self, q: Exposure) -> &mut Usd {
        if q.is_short() {
            &mut self.short
        } else {
            &mut self.long
        }
    }
    pub fn gross(&self) -> MathResult<Usd> {
        self.long.checked_add(self.short)
    }
    /// `|long - short|`.
    pub fn net(&self) -> Usd {
        Usd(self.long.0.abs_diff(self.short.0))
    }
    /// True if longs outweigh shorts.
    pub fn long_heavy(&self) -> bool {
        self.long > self.short
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn first_deposit_is_one_to_one() {
        assert_eq!(lp_shares_for_deposit(Usd(1_000_000_000_000), Shares(0), Usd(0)).unwrap(), Shares(1_000_000_000_000));
    }

    #[test]
    fn inflation_attack_is_unprofitable() {
        // An attacker deposits 1 unit, then the pool value grows by a $10,000 "donation"
        // through PnL. A victim's $10,000 deposit still receives shares worth about $10,000.
        let s = lp_shares_for_deposit(Usd(1), Shares(0), Usd(0)).unwrap();
        assert_eq!(s, Shares(1));
        let value = Usd(10_000_000_001);
        let victim = lp_shares_for_deposit(Usd(10_000_000_000), s, value).unwrap();
        assert!(victim.0 > 0);
        let supply = Shares(s.0 + victim.0);
        let back = lp_value_for_shares(victim, supply, Usd(value.0 + 10_000_000_000)).unwrap();
        // The victim loses under 0.02%: the virtual offset eats the attacker's donation.
        assert!(back.0 >= 9_998_000_000, "{back:?}");
    }

    #[test]
    fn valuation_leans_against_the_lp() {
        let px = OraclePrice { lo: Price(99), mid: Price(100), hi: Price(101), publish_time: 0 };
        let crt = OraclePrice::exact(Price(100_000_000), 0);
        let q = Exposure(NOTIONAL_DIVISOR as i64); // 1 USD per price unit
        let mut hi = PoolValuation::new(Bias::High, Usd(1_000), TokenAmount(0), 6, &crt).unwrap();
        hi.add_vault(q, Price(100), &px).unwrap();
        let mut lo = PoolValuation::new(Bias::Low, Usd(1_000), TokenAmount(0), 6, &crt).unwrap();
        lo.add_vault(q, Price(100), &px).unwrap();
        assert_eq!(hi.value().unwrap(), Usd(1_001)); // the vault is owed least: -1
        assert_eq!(lo.value().unwrap(), Usd(999)); // the vault is owed most: +1
        assert_eq!(hi.gross_notional, 100);
    }

    #[test]
    fn fees_owed_count_only_the_lp_share_at_the_biased_crt_price() {
        let crt = OraclePrice { lo: Price(99_000_000), mid: Price(100_000_000), hi: Price(101_000_000), publish_time: 0 };
        let mut hi = PoolValuation::new(Bias::High, Usd(0), TokenAmount(0), 6, &crt).unwrap();
        let mut lo = PoolValuation::new(Bias::Low, Usd(0), TokenAmount(0), 6, &crt).unwrap();
        // 50% to LPs: 7 micro-USD -> 3 (floor); 2 CRT (2e6 raw) -> 1 CRT.
        hi.add_fees_owed(Usd(7), TokenAmount(2_000_000), Bps(5_000)).unwrap();
        lo.add_fees_owed(Usd(7), TokenAmount(2_000_000), Bps(5_000)).unwrap();
        assert_eq!(hi.value().unwrap(), Usd(3 + 1_010_000));
        assert_eq!(lo.value().unwrap(), Usd(3 + 990_000));
    }

    #[test]
    fn asset_book_nets_longs_against_shorts() {
        let mut b = AssetBook::default();
        let p = Price(100_000_000);
        b.update(Exposure(0), p, Exposure(3 * NOTIONAL_DIVISOR as i64 / 100_000_000), p).unwrap();
        b.update(Exposure(0), p, Exposure(-(NOTIONAL_DIVISOR as i64) / 100_000_000), p).unwrap();
        assert_eq!(b.long, Usd(3));
        assert_eq!(b.short, Usd(1));
        assert_eq!(b.net(), Usd(2));
        assert_eq!(b.gross().unwrap(), Usd(4));
        assert!(b.long_heavy());
    }

    proptest! {
        /// Sweeping a vault's fees into the pool moves the LPs' value by at most one micro-USD
        /// of CRT rounding, and that unit leans against the caller: a depositor (high bias)
        /// never pays less before the sweep, a withdrawer (low bias) is never paid more.
        #[test]
        fn sweeping_fees_does_not_move_lp_value(
            free_usdc in 0u64..1_000_000_000_000_000,
            free_crt in 0u64..1_000_000_000_000_000,
            owed_usdc in 0u64..1_000_000_000_000,
            owed_crt in 0u64..1_000_000_000_000,
            share in 0u64..=10_000,
            price in 1u64..1_000_000_000_000,
            conf in 0u64..1_000_000,
        ) {
            let crt = OraclePrice { lo: Price(price.saturating_sub(conf).max(1)), mid: Price(price), hi: Price(price + conf), publish_time: 0 };
            let lp_usdc = split_fee(owed_usdc, Bps(share)).unwrap().lp;
            let lp_crt = split_fee(owed_crt, Bps(share)).unwrap().lp;
            for bias in [Bias::High, Bias::Low] {
                let mut before = PoolValuation::new(bias, Usd(free_usdc), TokenAmount(free_crt), 6, &crt).unwrap();
                before.add_fees_owed(Usd(owed_usdc), TokenAmount(owed_crt), Bps(share)).unwrap();
                let after = PoolValuation::new(bias, Usd(free_usdc + lp_usdc), TokenAmount(free_crt + lp_crt), 6, &crt).unwrap();
                let (b, a) = (before.value().unwrap().0, after.value().unwrap().0);
                match bias {
                    Bias::High => prop_assert!(b >= a && b - a <= 1, "{b} {a}"),
                    Bias::Low => prop_assert!(b <= a && a - b <= 1, "{b} {a}"),
                }
            }
        }

        /// Depositing then withdrawing at an unchanged value never returns more than deposited.
        #[test]
        fn lp_round_trip_never_gains(amount in 0u64..1_000_000_000_000_000, supply in 0u64..1_000_000_000_000_000, value in 0u64..1_000_000_000_000_000) {
            let s = lp_shares_for_deposit(Usd(amount), Shares(supply), Usd(value)).unwrap();
            let back = lp_value_for_shares(s, Shares(supply + s.0), Usd(value + amount)).unwrap();
            prop_assert!(back.0 <= amount);
        }
    }
}
