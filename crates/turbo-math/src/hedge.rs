//! The hedged pool (docs/design.md §5.6): the pool holds the real asset in a custody, so a net
//! long of its vaults is covered by tokens the pool owns instead of being a naked short.
//!
//! - **Locking.** Of the custody's tokens, enough to cover the asset's net long exposure are
//!   locked (rounded up), up to `max_util · owned`: `locked = min(⌈net⌉, ⌊owned · u_max⌋)`.
//!   Locked tokens cannot leave the pool; the rest can (LP withdrawals in the asset, swaps out).
//! - **Residual.** What the locked tokens do not cover is the unhedged residual, which the risk cap
//!   bounds as it bounded the whole net before: `residual = net − min(net, hedged value)` for a
//!   net long, the whole net for a net short (a custody hedges only longs).
//! - **Gap cap.** A hedged net long loses only on a gap larger than `1/L` between two keeper
//!   calls: the vaults' equity covers a fall up to `1/L`, the custody loses the rest. On a stress
//!   gap `g` the pool loses `hedged · (g − 1/L)`, so `hedged ≤ budget · value / (g − 1/L)`.
//! - **Utilization fee.** The long vaults pay for the locked tokens, pro rata to their exposure:
//!   a yearly rate `base + slope · u`, `u = locked / owned`, on the locked value, with time.
//! - **Swap impact.** A trade with the custody (a swap, or an LP deposit or withdrawal in the
//!   asset) pays the change of a convex potential of the custody's distance from its target, so
//!   trades toward the target earn a bounded rebate, trades away pay, a trade split in parts
//!   costs what it costs whole, and a round trip never gains.
//!
//! Rounding goes against whoever asks: locked and charges round up, caps and hedge value down.

use crate::error::{MathError, MathResult};
use crate::fixed::*;
use crate::units::*;

/// Seconds in a (365-day) year: the unit of the utilization fee's rate.
pub const SECONDS_PER_YEAR_HEDGE: u128 = 31_536_000;

/// Raw token units of a token with `decimals` for `q` (9 decimals) units of the asset, rounded up.
pub fn units_ceil(q: u64, decimals: u8) -> MathResult<TokenAmount> {
    let (num, den) = scale(decimals)?;
    u128_to_u64(mul_div_ceil(q as u128, num, den)?).map(TokenAmount)
}

/// Exposure units (9 decimals) of `amount` raw token units, rounded down.
pub fn exposure_floor(amount: TokenAmount, decimals: u8) -> MathResult<u64> {
    let (num, den) = scale(decimals)?;
    u128_to_u64(mul_div_floor(amount.0 as u128, den, num)?)
}

/// `(10^decimals, 10^9)`: raw token units per exposure unit, as a fraction.
fn scale(decimals: u8) -> MathResult<(u128, u128)> {
    Ok((pow10(decimals as u32)?, pow10(EXPOSURE_DECIMALS)?))
}

/// A custody's book: what the pool owns of the asset, and how much of it is locked.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct HedgeBook {
    /// Raw units the pool owns (locked included).
    pub owned: TokenAmount,
    /// Raw units locked against the asset's net long.
    pub locked: TokenAmount,
    /// The token's decimals.
    pub decimals: u8,
    /// The largest share of `owned` that may be locked.
    pub max_util: Bps,
}

impl HedgeBook {
    /// What is locked for a net exposure `net` (signed, 9 decimals): its long part, rounded up,
    /// capped at `max_util · owned` (rounded down).
    pub fn locked_for(&self, net: Exposure) -> MathResult<TokenAmount> {
        let need = if net.0 > 0 { units_ceil(net.0.unsigned_abs(), self.decimals)? } else { TokenAmount(0) };
        let room = TokenAmount(self.max_util.of_floor(self.owned.0)?);
        Ok(TokenAmount(need.0.min(room.0)))
    }

    /// Relock for `net`: the book with `locked` recomputed.
    pub fn relocked(self, net: Exposure) -> MathResult<HedgeBook> {
        Ok(HedgeBook { locked: self.locked_for(net)?, ..self })
    }

    /// Owned but not locked.
    pub fn unlocked(&self) -> TokenAmount {
        TokenAmount(self.owned.0.saturating_sub(self.locked.0))
    }

    /// What more may be locked: `max_util · owned − locked`.
    pub fn unlocked_room(&self) -> MathResult<TokenAmount> {
        Ok(TokenAmount(self.max_util.of_floor(self.owned.0)?.saturating_sub(self.locked.0)))
    }

    /// What may leave the pool: the most that can go while the lock stays within
    /// `max_util` of what remains (`owned' ≥ ⌈locked / max_util⌉`).
    pub fn withdrawable(&self) -> MathResult<TokenAmount> {
        if self.locked.0 == 0 {
            return Ok(self.owned);
        }
        if self.max_util.0 == 0 {
            return Ok(TokenAmount(0));
        }
        let keep = mul_div_ceil(self.locked.0 as u128, BPS_ONE as u128, self.max_util.0 as u128)?;
        Ok(TokenAmount(u128_to_u64((self.owned.0 as u128).saturating_sub(keep))?))
    }

    /// The value the locked tokens hedge at `p`, rounded down (less hedge is more residual: the
    /// stricter reading).
    pub fn hedged_value(&self, p: Price) -> MathResult<Usd> {
        self.locked.value_floor(self.decimals, p)
    }

    /// Utilization `locked / owned`, bps, rounded up (a higher rate is charged against the
    /// payer); zero when nothing is owned.
    pub fn utilization(&self) -> MathResult<Bps> {
        if self.owned.0 == 0 {
            return Ok(Bps(0));
        }
        u128_to_u64(mul_div_ceil(self.locked.0 as u128, BPS_ONE as u128, self.owned.0 as u128)?).map(Bps)
    }
}

/// The unhedged residual of a net exposure whose notional is `net` (signed, micro-USD) when
/// `hedged` of it is covered: a net long less what the hedge covers; a net short whole.
pub fn residual(net: SignedUsd, hedged: Usd) -> Usd {
    if net.0 > 0 {
        Usd(net.0.unsigned_abs().saturating_sub(hedged.0))
    } else {
        Usd(net.0.unsigned_abs())
    }
}

/// The gap cap on the hedged notional at pool value `value`: the largest hedge whose loss on a
/// `stress` gap (bps) beyond `1/|target|` stays within `budget` (bps of the value):
/// `budget · value / (stress − 1/L)`, rounded down. `None` when the stress gap is within `1/L`
/// (the vaults' own equity covers it) or the budget is off (zero).
pub fn gap_cap(value: Usd, budget: Bps, stress: Bps, target: Lev) -> MathResult<Option<Usd>> {
    if budget.0 == 0 || target.0 == 0 {
        return Ok(None);
    }
    // 1/L in bps, rounded down: a larger excess loss, the stricter cap.
    let inv_lev = mul_div_floor(BPS_ONE as u128, LEV_ONE as u128, target.abs() as u128)?;
    let excess = (stress.0 as u128).saturating_sub(inv_lev);
    if excess == 0 {
        return Ok(None);
    }
    let cap = mul_div_floor(value.0 as u128, budget.0 as u128, excess)?;
    Ok(Some(Usd(u128_to_u64(cap).unwrap_or(u64::MAX))))
}

/// The loss the pool takes on a fall of `gap` (bps) with `hedged` notional covered at leverage
/// `target`: the custody loses `hedged · g`, the vaults' equity covers `hedged / L`. Rounded up.
pub fn gap_loss(hedged: Usd, gap: Bps, target: Lev) -> MathResult<Usd> {
    let lost = mul_div_ceil(hedged.0 as u128, gap.0 as u128, BPS_ONE as u128)?;
    let covered = mul_div_floor(hedged.0 as u128, LEV_ONE as u128, target.abs().max(1) as u128)?;
    u128_to_u64(lost.saturating_sub(covered)).map(Usd)
}

/// The utilization fee's yearly rate, bps: `base + slope · u`, rounded up.
pub fn utilization_rate(base: Bps, slope: Bps, util: Bps) -> MathResult<Bps> {
    let variable = mul_div_ceil(slope.0 as u128, util.0 as u128, BPS_ONE as u128)?;
    u128_to_u64(variable.safe_add(base.0 as u128)?).map(Bps)
}

/// A long vault's utilization fee for `dt` seconds: its share `q / long_q` of the locked value,
/// at `rate` (bps a year), rounded up. Nothing with no time, no lock or no long side.
pub fn utilization_charge(locked_value: Usd, q: u64, long_q: u64, rate: Bps, dt: i64) -> MathResult<Usd> {
    if dt <= 0 || locked_value.0 == 0 || q == 0 || long_q == 0 || rate.0 == 0 {
        return Ok(Usd(0));
    }
    // A vault never pays for more than the whole lock, whatever the books say.
    let share = mul_div_ceil(locked_value.0 as u128, q.min(long_q) as u128, long_q as u128)?;
    let den = (BPS_ONE as u128).safe_mul(SECONDS_PER_YEAR_HEDGE)?;
    u128_to_u64(mul_div_ceil(share.safe_mul(rate.0 as u128)?, dt as u128, den)?).map(Usd)
}

/// The swap impact's shape: the marginal rate grows with the custody's distance from its
/// target at `slope` (bps of rate per 100% of the pool's value of distance), up to `max` bps.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Impact {
    pub slope: Bps,
    pub max: Bps,
}

impl Impact {
    /// The potential at distance `x` (micro-USD of custody value over its target, signed) in a
    /// pool worth `value`: `∫₀^|x| min(slope · t / value, max) dt`, in micro-USD, as a fraction
    /// `(num, den)` so that differences can be rounded once.
    fn potential(&self, x: i128, value: Usd) -> MathResult<(u128, u128)> {
        let (s, m, v) = (self.slope.0 as u128, self.max.0 as u128, (value.0 as u128).max(1));
        let ax = x.unsigned_abs();
        if s == 0 {
            return Ok((0, 1));
        }
        // Where the marginal rate reaches its maximum: slope · xc / value = max.
        let xc = mul_div_floor(m, v, s)?;
        let den = 2u128.safe_mul(v)?.safe_mul(BPS_ONE as u128)?;
        if ax <= xc {
            // s · x² / (2 · value · 10⁴)
            Ok((s.safe_mul(ax)?.safe_mul(ax)?, den))
        } else {
            // the quadratic part up to xc, then max · (|x| − xc) / 10⁴
            let quad = s.safe_mul(xc)?.safe_mul(xc)?;
            let lin = m.safe_mul(ax.safe_sub(xc)?)?.safe_mul(2)?.safe_mul(v)?;
            Ok((quad.safe_add(lin)?, den))
        }
    }

    /// The impact of moving the custody's distance from `x0` to `x1`: `Φ(x1) − Φ(x0)`, positive
    /// (a fee) or negative (a rebate), rounded against the trader (a fee up, a rebate down).
    pub fn of_move(&self, x0: i128, x1: i128, value: Usd) -> MathResult<SignedUsd> {
        let (n1, d) = self.potential(x1, value)?;
        let (n0, _) = self.potential(x0, value)?;
        let v = if n1 >= n0 {
            let up = n1.safe_sub(n0)?.div_ceil(d.max(1));
            i64::try_from(up).map_err(|_| MathError::Overflow)?
        } else {
            let down = n0.safe_sub(n1)?.safe_div(d.max(1))?;
            i64::try_from(down).map_err(|_| MathError::Overflow)?.safe_neg()?
        };
        Ok(SignedUsd(v))
    }
}

/// The custody's target holding for a net exposure `net` (9 decimals): enough that the lock is
/// `target_util` of it, in raw units, rounded up; zero for a net short.
pub fn target_owned(net: Exposure, decimals: u8, target_util: Bps) -> MathResult<TokenAmount> {
    if net.0 <= 0 || target_util.0 == 0 {
        return Ok(TokenAmount(0));
    }
    let need = units_ceil(net.0.unsigned_abs(), decimals)?;
    u128_to_u64(mul_div_ceil(need.0 as u128, BPS_ONE as u128, target_util.0 as u128)?).map(TokenAmount)
}

/// The net long notional a mint may still add on an asset: with `hedge_room` of unlocked custody
/// value that may still be locked, `gap_room` under the gap cap and `residual_room` under the
/// risk cap. The hedge fills first; once it is full (`hedge_room ≤ gap_room`) the rest is
/// residual; if the gap cap binds first, nothing more fits.
pub fn net_long_capacity(hedge_room: Usd, gap_room: Option<Usd>, residual_room: Usd) -> Usd {
    match gap_room {
        Some(g) if hedge_room.0 >= g.0 => g,
        _ => Usd(hedge_room.0.saturating_add(residual_room.0)),
    }
}

#[cfg(test)]
#[allow(clippy::arithmetic_side_effects)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const BTC: u8 = 8;

    fn book(owned: u64, max_util: u64) -> HedgeBook {
        HedgeBook { owned: TokenAmount(owned), locked: TokenAmount(0), decimals: BTC, max_util: Bps(max_util) }
    }

    #[test]
    fn a_net_long_locks_what_it_needs_rounded_up_up_to_the_utilization_cap() {
        // 10 BTC owned, 90% may lock: 9 BTC.
        let b = book(1_000_000_000, 9_000);
        // 2.5 BTC long (9 decimals) locks 2.5 BTC (8 decimals).
        assert_eq!(b.locked_for(Exposure(2_500_000_000)).unwrap(), TokenAmount(250_000_000));
        // One exposure unit (1e-9 BTC) rounds up to one satoshi.
        assert_eq!(b.locked_for(Exposure(1)).unwrap(), TokenAmount(1));
        // 20 BTC long locks only 9.
        assert_eq!(b.locked_for(Exposure(20_000_000_000)).unwrap(), TokenAmount(900_000_000));
        // A net short locks nothing.
        assert_eq!(b.locked_for(Exposure(-5_000_000_000)).unwrap(), TokenAmount(0));
        let b = b.relocked(Exposure(2_500_000_000)).unwrap();
        assert_eq!(b.unlocked(), TokenAmount(750_000_000));
        assert_eq!(b.utilization().unwrap(), Bps(2_500));
        // 9 BTC may lock, 2.5 are: 6.5 more may.
        assert_eq!(b.unlocked_room().unwrap(), TokenAmount(650_000_000));
        // 2.5 locked must stay within 90% of what remains: keep ⌈2.5 / 0.9⌉ = 2.77777778.
        assert_eq!(b.withdrawable().unwrap(), TokenAmount(1_000_000_000 - 277_777_778));
    }

    #[test]
    fn the_residual_is_the_uncovered_long_or_the_whole_short() {
        assert_eq!(residual(SignedUsd(1_000), Usd(600)), Usd(400));
        assert_eq!(residual(SignedUsd(1_000), Usd(1_600)), Usd(0));
        assert_eq!(residual(SignedUsd(-1_000), Usd(600)), Usd(1_000));
    }

    #[test]
    fn the_gap_cap_keeps_a_stress_gap_within_its_budget() {
        // $1M pool, 10% budget, 50% stress gap, 3x: (0.5 − 0.3333) → cap $600,000 (1/L rounds
        // down to 3,333 bps: excess 1,667 bps; 1e12 · 1000 / 1667 = 599,880,023,995).
        let cap = gap_cap(Usd(1_000_000_000_000), Bps(1_000), Bps(5_000), Lev(3_000_000)).unwrap().unwrap();
        assert_eq!(cap, Usd(599_880_023_995));
        // Its loss on the stress gap: 50% of the hedge less a third of it, ≤ 10% of the pool.
        let loss = gap_loss(cap, Bps(5_000), Lev(3_000_000)).unwrap();
        assert!(loss.0 <= 100_000_000_000, "{loss:?}");
        assert_eq!(loss, Usd(99_980_004_000)); // ⌈299,940,011,997.5⌉ − ⌊199,960,007,998.3⌋
                                               // At 2x a 50% gap is what the equity covers: no cap. No budget: no cap.
        assert_eq!(gap_cap(Usd(1_000), Bps(1_000), Bps(5_000), Lev(2_000_000)).unwrap(), None);
        assert_eq!(gap_cap(Usd(1_000), Bps(0), Bps(5_000), Lev(3_000_000)).unwrap(), None);
    }

    #[test]
    fn the_utilization_fee_is_the_long_vaults_share_of_the_lock_with_time() {
        // 4% + 4% · 50% = 6% a year.
        let rate = utilization_rate(Bps(400), Bps(400), Bps(5_000)).unwrap();
        assert_eq!(rate, Bps(600));
        // A vault with half the long side, $1M locked, one day: 0.5 · 1e12 · 6% / 365.
        let c = utilization_charge(Usd(1_000_000_000_000), 50, 100, rate, 86_400).unwrap();
        assert_eq!(c, Usd(82_191_781)); // $82.19, rounded up
        assert_eq!(utilization_charge(Usd(1_000_000_000_000), 50, 100, rate, 0).unwrap(), Usd(0));
        // A vault is never charged for more than the whole lock.
        assert_eq!(
            utilization_charge(Usd(1_000_000), 200, 100, Bps(10_000), 31_536_000).unwrap(),
            utilization_charge(Usd(1_000_000), 100, 100, Bps(10_000), 31_536_000).unwrap()
        );
    }

    #[test]
    fn the_swap_impact_charges_moves_away_and_rebates_moves_toward_the_target() {
        let imp = Impact { slope: Bps(100), max: Bps(50) }; // 1% of rate per 100% distance, at most 50 bps
        let v = Usd(1_000_000_000_000);
        // From 10% below target to the target: a rebate; the reverse: the same fee.
        let x = -100_000_000_000i128;
        let rebate = imp.of_move(x, 0, v).unwrap();
        let fee = imp.of_move(0, x, v).unwrap();
        assert!(rebate.0 < 0 && fee.0 > 0);
        assert!(fee.0 + rebate.0 >= 0 && fee.0 + rebate.0 <= 1, "{fee:?} {rebate:?}");
        // s · x² / (2 v 10⁴) = 100 · 1e22 / (2e12 · 1e4) = 50,000,000 ($50).
        assert_eq!(fee, SignedUsd(50_000_000));
        // Past the maximum the rate is flat: xc = 50 · 1e12 / 100 = 50% of the pool.
        let far = imp.of_move(500_000_000_000, 600_000_000_000, v).unwrap();
        assert_eq!(far, SignedUsd(500_000_000)); // 50 bps of $100,000
    }

    #[test]
    fn a_target_holding_leaves_the_lock_at_the_target_utilization() {
        // 8 BTC long at an 80% target utilization: hold 10 BTC.
        assert_eq!(target_owned(Exposure(8_000_000_000), BTC, Bps(8_000)).unwrap(), TokenAmount(1_000_000_000));
        assert_eq!(target_owned(Exposure(-8_000_000_000), BTC, Bps(8_000)).unwrap(), TokenAmount(0));
    }

    #[test]
    fn capacity_fills_the_hedge_then_the_residual_unless_the_gap_cap_binds_first() {
        assert_eq!(net_long_capacity(Usd(100), Some(Usd(500)), Usd(30)), Usd(130));
        assert_eq!(net_long_capacity(Usd(600), Some(Usd(500)), Usd(30)), Usd(500));
        assert_eq!(net_long_capacity(Usd(100), None, Usd(30)), Usd(130));
    }

    proptest! {
        /// A trade split in two parts costs what it costs whole, to the rounding of each part, and
        /// a round trip never gains: the potential telescopes.
        #[test]
        fn split_trades_cost_the_same_and_round_trips_never_gain(
            x0 in -2_000_000_000_000i128..2_000_000_000_000,
            a in -1_000_000_000_000i128..1_000_000_000_000,
            b in -1_000_000_000_000i128..1_000_000_000_000,
            value in 1_000_000_000u64..100_000_000_000_000,
            slope in 0u64..10_000,
            max in 0u64..1_000,
        ) {
            let imp = Impact { slope: Bps(slope), max: Bps(max) };
            let v = Usd(value);
            let whole = imp.of_move(x0, x0 + a + b, v).unwrap().0;
            let split = imp.of_move(x0, x0 + a, v).unwrap().0 + imp.of_move(x0 + a, x0 + a + b, v).unwrap().0;
            prop_assert!(split >= whole && split <= whole + 2, "split {split} whole {whole}");
            let there = imp.of_move(x0, x0 + a, v).unwrap().0;
            let back = imp.of_move(x0 + a, x0, v).unwrap().0;
            prop_assert!(there + back >= 0, "round trip gained {}", -(there + back));
            // The marginal rate never passes its maximum: no move costs more than max · |a|.
            prop_assert!(there.unsigned_abs() as u128 <= (max as u128 * a.unsigned_abs()).div_ceil(10_000) + 1);
        }

        /// The gap cap's hedge never loses more than its budget on the stress gap.
        #[test]
        fn the_gap_cap_holds_the_stress_loss_in_budget(
            value in 1_000_000u64..1_000_000_000_000_000,
            budget in 1u64..5_000,
            stress in 1u64..10_000,
            lev in 1_000_000i64..10_000_000,
        ) {
            if let Some(cap) = gap_cap(Usd(value), Bps(budget), Bps(stress), Lev(lev)).unwrap() {
                let loss = gap_loss(cap, Bps(stress), Lev(lev)).unwrap();
                prop_assert!(loss.0 as u128 <= (value as u128 * budget as u128).div_ceil(10_000) + 1, "loss {loss:?}");
            }
        }

        /// Locked never passes the cap nor the need, and more exposure never locks less.
        #[test]
        fn locking_is_bounded_and_monotone(owned in 0u64..u64::MAX / 2, util in 0u64..=10_000, net in -1_000_000_000_000_000i64..1_000_000_000_000_000, more in 0i64..1_000_000_000_000, dec in 0u8..=9) {
            let b = HedgeBook { owned: TokenAmount(owned), locked: TokenAmount(0), decimals: dec, max_util: Bps(util) };
            let l = b.locked_for(Exposure(net)).unwrap();
            prop_assert!(l.0 <= Bps(util).of_floor(owned).unwrap());
            if net > 0 { prop_assert!(l.0 <= units_ceil(net as u64, dec).unwrap().0); } else { prop_assert_eq!(l.0, 0); }
            prop_assert!(b.locked_for(Exposure(net + more)).unwrap().0 >= l.0);
        }

        /// The fee rate rises with utilization, and the charge with time.
        #[test]
        fn the_fee_rises_with_utilization_and_time(base in 0u64..2_000, slope in 0u64..10_000, u in 0u64..10_000, du in 0u64..1_000, dt in 0i64..31_536_000, more in 0i64..1_000_000) {
            let r0 = utilization_rate(Bps(base), Bps(slope), Bps(u)).unwrap();
            let r1 = utilization_rate(Bps(base), Bps(slope), Bps(u + du)).unwrap();
            prop_assert!(r1.0 >= r0.0);
            let c0 = utilization_charge(Usd(1_000_000_000_000), 7, 10, r0, dt).unwrap();
            let c1 = utilization_charge(Usd(1_000_000_000_000), 7, 10, r0, dt + more).unwrap();
            prop_assert!(c1.0 >= c0.0);
        }
    }
}
