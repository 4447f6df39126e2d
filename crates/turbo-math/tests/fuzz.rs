//! Math fuzzing: every public function over its full input range. No input may panic; an
//! overflow must come back as an error, never as a wrong value; and the rounding properties
//! hold wherever a result exists. Results are checked against exact big-integer arithmetic.
//!
//! CI runs proptest's default case count. The long run is
//!
//!     PROPTEST_CASES=1000000 cargo test --release --locked -p turbo-math --test fuzz
//!
//! and its duration and executions are recorded in `docs/reliability.md`.

#![allow(clippy::arithmetic_side_effects)] // tests compute expectations directly

use num_bigint::BigInt;
use proptest::prelude::*;
use turbo_math::*;

fn big(x: impl Into<BigInt>) -> BigInt {
    x.into()
}

/// Floor division for big integers (toward −∞).
fn div_floor(n: &BigInt, d: &BigInt) -> BigInt {
    let (q, r) = (n / d, n % d);
    if r != BigInt::from(0) && ((r < BigInt::from(0)) != (*d < BigInt::from(0))) {
        q - 1
    } else {
        q
    }
}

const CRT: CrtParams = CrtParams { decimals: 9, weight: Bps(8_000) };

proptest! {
    #[test]
    fn mul_div_is_exact_or_an_error(a in any::<u128>(), b in any::<u128>(), c in any::<u128>()) {
        let exact = if c == 0 { None } else { Some(big(a) * big(b) / big(c)) };
        match (mul_div_floor(a, b, c), &exact) {
            (Ok(v), Some(e)) => prop_assert_eq!(big(v), e.clone()),
            (Err(_), Some(_)) => prop_assert!(a.checked_mul(b).is_none()),
            (Err(MathError::DivisionByZero), None) => {}
            (other, _) => prop_assert!(false, "{other:?}"),
        }
        if let (Ok(v), Some(e)) = (mul_div_ceil(a, b, c), &exact) {
            let ceil = if big(a) * big(b) % big(c) == BigInt::from(0) { e.clone() } else { e + 1 };
            prop_assert_eq!(big(v), ceil);
        }
    }

    #[test]
    fn signed_mul_div_is_exact_or_an_error(a in any::<i128>(), b in any::<i128>(), c in any::<i128>()) {
        match mul_div_floor_i(a, b, c) {
            Ok(v) => prop_assert_eq!(big(v), div_floor(&(big(a) * big(b)), &big(c))),
            Err(MathError::DivisionByZero) => prop_assert!(c <= 0),
            Err(_) => prop_assert!(a.checked_mul(b).is_none()),
        }
        if let Ok(v) = mul_div_ceil_i(a, b, c) {
            let n = big(a) * big(b);
            prop_assert_eq!(-big(v), div_floor(&(-n), &big(c)));
        }
    }

    #[test]
    fn pyth_normalization_never_panics_and_orders(price in any::<i64>(), conf in any::<u64>(), expo in -30i32..30, t in any::<i64>()) {
        if let Ok(o) = OraclePrice::from_pyth(price, conf, expo, t) {
            prop_assert!(o.lo.0 > 0 && o.lo <= o.mid && o.mid <= o.hi);
            prop_assert!(price > 0);
        }
        let _ = OraclePrice::conf_within(price, conf, Bps(conf % 20_000));
    }

    #[test]
    fn notional_and_pnl_are_exact_or_an_error(q in any::<i64>(), p0 in any::<u64>(), p1 in any::<u64>()) {
        if let Ok(n) = Exposure(q).notional_floor(Price(p0)) {
            prop_assert_eq!(big(n.0), div_floor(&(big(q) * big(p0)), &big(NOTIONAL_DIVISOR)));
        }
        if let Ok(pnl) = Exposure(q).pnl_floor(Price(p0), Price(p1)) {
            let exact = div_floor(&(big(q) * (big(p1) - big(p0))), &big(NOTIONAL_DIVISOR));
            prop_assert_eq!(big(pnl.0), exact);
        }
        let _ = Exposure(q).abs_notional_ceil(Price(p0));
        let _ = Lev::of(Exposure(q), Price(p0), SignedUsd(p1 as i64));
    }

    #[test]
    fn price_marks_never_panic_and_widen_to_cover(
        steps in proptest::collection::vec((0i64..1_000, 1u64.., 0u64..1_000_000, 1u32..=600), 1..20), start in 0i64..i64::MAX / 2,
    ) {
        let mut m = PriceMark::default();
        let mut t = start;
        for (dt, mid, conf, span) in steps {
            t = t.saturating_add(dt);
            let px = OraclePrice { lo: Price(mid.saturating_sub(conf).max(1)), mid: Price(mid), hi: Price(mid.saturating_add(conf)), publish_time: t };
            prop_assert!(m.accepts(t));
            m.record(&px, span);
            let w = m.widen(&px);
            prop_assert!(w.lo <= px.lo && w.hi >= px.hi && w.mid == px.mid && w.lo.0 > 0);
        }
    }

    #[test]
    fn lp_shares_never_gain_on_a_round_trip(amount in any::<u64>(), supply in any::<u64>(), value in any::<u64>()) {
        if let Ok(s) = lp_shares_for_deposit(Usd(amount), Shares(supply), Usd(value)) {
            if let (Some(sup), Some(val)) = (supply.checked_add(s.0), value.checked_add(amount)) {
                if let Ok(back) = lp_value_for_shares(s, Shares(sup), Usd(val)) {
                    prop_assert!(back.0 <= amount);
                }
            }
        }
    }

    #[test]
    fn splits_are_bounded(nav in any::<u64>(), supply in any::<u64>(), splits in 0u8..=64, threshold in any::<u64>()) {
        if let Ok(n) = splits_needed(Usd(nav), Shares(supply), splits, Usd(threshold)) {
            // Never past the most splits a vault may have (from under it; already at it: none).
            prop_assert!(splits as u32 + n as u32 <= (MAX_SPLITS as u32).max(splits as u32));
            prop_assert!(splits < MAX_SPLITS || n == 0);
            // Exactly enough: the price reaches the threshold, or the splits ran out; one fewer
            // would not have been enough.
            if n > 0 {
                prop_assert!(ui_token_price(Usd(nav), Shares(supply), splits + n - 1).unwrap() < Usd(threshold));
                prop_assert!(splits + n == MAX_SPLITS || ui_token_price(Usd(nav), Shares(supply), splits + n).unwrap() >= Usd(threshold));
            }
        }
    }
}

// --- Properties on realistic books with their edges, counting the cases that reach a result ---
//
// Full-range integers almost never draw a zero supply, a zero balance, a claim or an exact
// division, and most full-range books overflow, so a property behind `if let Ok` could hold
// vacuously. These draw realistic magnitudes with the edges mixed in, and each asserts that most
// cases produced a result the property checked.

/// Micro-USD and token amounts: the edges, everyday sizes and very large ones.
fn amount() -> impl Strategy<Value = u64> {
    prop_oneof![1 => Just(0u64), 1 => Just(1u64), 1 => Just(u64::MAX), 6 => 0u64..1_000_000_000_000, 2 => 0u64..1_000_000_000_000_000]
}

/// Exposure in units of 9 decimals: zero, one unit either way, and positions up to 10,000 units.
fn exposure() -> impl Strategy<Value = i64> {
    prop_oneof![1 => Just(0i64), 1 => Just(1i64), 1 => Just(-1i64), 8 => -10_000_000_000_000i64..10_000_000_000_000]
}

/// Prices of 8 decimals from a hundred-millionth of a dollar to $1M.
fn price() -> impl Strategy<Value = u64> {
    prop_oneof![1 => Just(1u64), 9 => 1u64..100_000_000_000_000]
}

/// Run `property` over `cases` draws of `strategy`; it returns whether the case reached a result
/// it checked. At least `min_share` of the cases must.
fn run_counted<S: Strategy>(name: &str, strategy: S, min_share: f64, property: impl Fn(S::Value) -> Result<bool, TestCaseError>)
where
    S::Value: std::fmt::Debug,
{
    use proptest::test_runner::{Config, TestRunner};
    use std::cell::Cell;
    let mut runner = TestRunner::new(Config::default());
    let (checked, total) = (Cell::new(0u32), Cell::new(0u32));
    runner
        .run(&strategy, |v| {
            total.set(total.get() + 1);
            if property(v)? {
                checked.set(checked.get() + 1);
            }
            Ok(())
        })
        .unwrap_or_else(|e| panic!("{name}: {e}"));
    let share = checked.get() as f64 / total.get().max(1) as f64;
    assert!(share >= min_share, "{name}: only {} of {} cases reached a result", checked.get(), total.get());
}

#[test]
fn settlement_never_panics_and_conserves() {
    let strategy = (
        (amount(), amount(), exposure(), price(), price()),
        (amount(), amount(), price(), prop_oneof![Just(0u64), amount()], prop_oneof![Just(0u64), amount()]),
    );
    run_counted("settlement", strategy, 0.5, |((usdc, crt, q, ps, p), (pool_usdc, pool_crt, crt_price, claim, reserved))| {
        let mut v = VaultBook { usdc: Usd(usdc), crt: TokenAmount(crt), exposure: Exposure(q), settle_price: Price(ps), claim: Usd(claim) };
        let mut pool = PoolBook { usdc: Usd(pool_usdc), crt: TokenAmount(pool_crt) };
        let before = (v, pool);
        let Ok(s) = v.settle(&mut pool, Usd(reserved), Price(p), Price(crt_price), CRT) else { return Ok(false) };
        prop_assert_eq!(big(v.usdc.0) + big(pool.usdc.0), big(before.0.usdc.0) + big(before.1.usdc.0));
        prop_assert_eq!(big(v.crt.0) + big(pool.crt.0), big(before.0.crt.0) + big(before.1.crt.0));
        prop_assert_eq!(s.claim_after, v.claim);
        // Tokens move one way: to the vault only while it is owed, from it only for a loss.
        prop_assert!(s.usdc_to_vault <= 0 || s.pnl.0 > 0 || before.0.claim.0 > 0);
        Ok(true)
    });
}

#[test]
fn quotes_never_panic_and_round_against_the_caller() {
    let strategy = (
        (amount(), amount(), exposure(), price(), prop_oneof![Just(0u64), Just(1u64), amount()]),
        (amount(), amount(), amount(), 0u64..1_000_000, 0u64..=500),
    );
    run_counted("quotes", strategy, 0.3, |((usdc, crt, q, p, supply), (usdc_in, crt_in, burn, conf, fee))| {
        let book = VaultBook { usdc: Usd(usdc), crt: TokenAmount(crt), exposure: Exposure(q), settle_price: Price(p), claim: Usd(0) };
        let asset =
            OraclePrice { lo: Price(p.saturating_sub(conf).max(1)), mid: Price(p), hi: Price(p.saturating_add(conf)), publish_time: 0 };
        let px = Prices { asset, crt: OraclePrice::exact(Price(100_000_000), 0) };
        let mut reached = false;
        if let Ok(m) = quote_mint(&book, Shares(supply), &px, CRT, Usd(usdc_in), TokenAmount(crt_in), Bps(fee)) {
            prop_assert!(big(m.shares_out.0) * big(m.nav.0) <= big(m.deposit_value.0) * big(supply));
            prop_assert!(big(m.fee_usdc.0) * 10_000 >= big(usdc_in) * big(fee));
            reached = true;
        }
        if let Ok(r) = quote_redeem(&book, Shares(supply), Shares(burn.min(supply)), &px, CRT, Bps(fee)) {
            prop_assert!(big(r.gross_usdc.0) * big(supply) <= big(usdc) * big(burn.min(supply)));
            prop_assert!(r.usdc_out.0 + r.fee_usdc.0 == r.gross_usdc.0);
            prop_assert!(r.nav_redeem <= r.nav);
            reached = true;
        }
        Ok(reached)
    });
}

#[test]
fn rebalances_with_the_real_band_move_by_at_most_the_step() {
    let strategy = (amount(), exposure(), price(), prop_oneof![Just(3_000_000i64), Just(-2_000_000i64)], any::<u64>(), 0i64..1_000_000);
    run_counted("rebalance", strategy, 0.3, |(usdc, q, p, target, seed, now)| {
        // A vault's exposure is always on its target's side (the program never flips it).
        let q = q.unsigned_abs().min(i64::MAX as u64) as i64 * target.signum();
        let book = VaultBook { usdc: Usd(usdc), crt: TokenAmount(0), exposure: Exposure(q), settle_price: Price(p), claim: Usd(0) };
        let (lo, hi, emergency) = if target > 0 { (2_900_000, 3_000_000, 4_000_000) } else { (2_000_000, 2_500_000, 3_000_000) };
        let band = Band { target: Lev(target), lo, hi, emergency, step: Bps(500), min_interval: 30, jitter: 10 };
        let Ok(d) = decide(&book, Price(p), Price(100_000_000), CRT, &band, Lev(target), now, seed, 0) else { return Ok(false) };
        if d.action != Action::Emergency && d.action.moves() && q != 0 {
            prop_assert!(d.exposure.0.abs_diff(q) <= q.unsigned_abs() / 20 + 1, "{d:?}");
        }
        // Only an emergency moves by more, and never across zero.
        prop_assert!(d.exposure.0 == 0 || q == 0 || d.exposure.0.signum() == q.signum());
        Ok(d.action != Action::Emergency)
    });
}

/// Under an imbalance, every heavy-side vault moved to its effective target brings the net within
/// the room (`goal · net / |L| ≤ room`), never past its own target, and a step of the trim (the
/// leverage and the net scaled alike by `k`) leaves the goal where it was, to rounding: a trim by
/// steps ends at the room.
#[test]
fn the_imbalance_target_brings_the_net_to_its_room_at_every_step() {
    // The vault at or under its target (a vault over it trims on its own), the room a share of
    // the net, and a step that leaves the net still over the room.
    let strategy = (1_000_000i64..10_000_000, 1u64..=10_000, 1_000u64..1u64 << 50, 1u64..10_000, 0u64..=10_000, any::<bool>());
    run_counted("imbalance", strategy, 0.9, |(target, lev_bps, net, room_bps, k_step, short)| {
        let lev = (target as u64 * lev_bps / 10_000).max(1);
        let room = net * room_bps / 10_000;
        let sign = if short { -1 } else { 1 };
        let (t, l) = (Lev(sign * target), Lev(sign * lev as i64));
        let goal = effective_target(t, Bps(0), 0, Some((Usd(room), Usd(net))), Some(l)).unwrap();
        prop_assert!(goal.0 == 0 || goal.0.signum() == t.0.signum());
        let g = goal.0.unsigned_abs();
        // Every vault at its goal: the net scales by g / |L|, and fits the room.
        prop_assert!(big(g) * big(net) <= big(room) * big(lev));
        // A step scales |L| and the net by k, between room/net and 1: the goal moves only by the
        // rounding of the two floored products.
        let k_bps = room_bps + 1 + k_step * (10_000 - room_bps - 1) / 10_000;
        let (lev_k, net_k) = (lev * k_bps / 10_000, net * k_bps / 10_000);
        if lev_k == 0 || net_k <= room {
            return Ok(false);
        }
        let after = effective_target(t, Bps(0), 0, Some((Usd(room), Usd(net_k))), Some(Lev(sign * lev_k as i64))).unwrap();
        // (|L|k − a)·room/(net·k − b) with a, b < 1: off from g by at most g/net_k + room/net_k + 1.
        let slack = g / net_k + room / net_k + 2;
        prop_assert!(after.0.unsigned_abs().abs_diff(g) <= slack, "{} vs {g}", after.0);
        Ok(true)
    });
}

#[test]
fn volatility_and_the_effective_target_stay_bounded() {
    let strategy = (any::<u64>(), price(), price(), 1i64..10_000_000, 1_000_000i64..5_000_000, 0u64..50_000, 0u64..100_000);
    run_counted("volatility", strategy, 0.9, |(var, p0, p1, dt, target, budget, vol)| {
        let var = var % (u64::MAX / 2);
        let Ok(v) = update_variance(var, Price(p0), Price(p1), dt) else { return Ok(false) };
        // The old estimate decays by at most dt/τ (one day) and a sample only adds.
        let tau = big(VOL_TAU_SECS);
        let kept = big(var) * (tau.clone() - big((dt as u64).min(VOL_TAU_SECS))) / tau;
        prop_assert!(big(v) >= kept);
        let Ok(sigma) = annualized_vol_bps(v) else { return Ok(false) };
        // σ in bps is the integer square root of v · seconds per year / 10^10, exactly.
        let x = big(v) * big(SECONDS_PER_YEAR) / big(10_000_000_000u64);
        prop_assert!(big(sigma) * big(sigma) <= x && (big(sigma) + 1) * (big(sigma) + 1) > x);
        let Ok(eff) = effective_target(Lev(target), Bps(budget), vol, None, None) else { return Ok(false) };
        prop_assert!(eff.0.unsigned_abs() <= target.unsigned_abs(), "{eff:?} over {target}");
        Ok(true)
    });
}
