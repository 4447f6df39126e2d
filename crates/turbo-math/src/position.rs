//! A vault's book: its collateral, its synthetic exposure, and the settlement that realizes
//! unrealized PnL against the counterparty pool (docs/design.md §1).

use crate::error::MathResult;
use crate::fixed::*;
use crate::units::*;

/// How CRT collateral counts: its decimals and its weight in risk equity (`w_crt`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CrtParams {
    pub decimals: u8,
    pub weight: Bps,
}

/// The accounting of one vault. The program keeps these numbers on the `Vault` account; the
/// vault's token accounts hold exactly `usdc` and `crt` (docs/design.md §7).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct VaultBook {
    /// USDC the vault owns.
    pub usdc: Usd,
    /// CRT the vault owns, raw units.
    pub crt: TokenAmount,
    /// Signed exposure `q`.
    pub exposure: Exposure,
    /// `P_s`, the price of the last settlement.
    pub settle_price: Price,
    /// What the pool still owes the vault: gains it could not pay when they were settled. Part
    /// of the vault's NAV, not of its risk equity; collected at the vault's next settlements.
    pub claim: Usd,
}

/// The free balances of the counterparty pool: its token balances minus the treasury's fees.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PoolBook {
    pub usdc: Usd,
    pub crt: TokenAmount,
}

/// What a settlement moved and recorded. Positive `*_to_vault` amounts flow from the pool to
/// the vault; negative ones from the vault to the pool.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Settlement {
    /// `q * (P - P_s)`, rounded toward negative infinity, less the charges.
    pub pnl: SignedUsd,
    /// The charges of this settlement (part of `pnl`): the skew funding, and the utilization fee
    /// of the hedge (docs/design.md §5.6), which the program splits out of it.
    pub funding: Usd,
    /// The utilization fee (part of the charges); zero until the caller splits it out.
    pub hedge_fee: Usd,
    pub usdc_to_vault: i64,
    pub crt_to_vault: i64,
    /// The part of a loss the vault could not pay. The pool absorbs it (docs/design.md §5.7).
    pub bad_debt: Usd,
    /// The part of this settlement's gain the pool could not pay: added to the vault's claim.
    pub unpaid_gain: Usd,
    /// The vault's claim on the pool before and after this settlement.
    pub claim_before: Usd,
    pub claim_after: Usd,
    /// True when risk equity was not positive after settlement, so the exposure was closed.
    pub closed_out: bool,
}

impl VaultBook {
    /// The debt that finances the exposure, `D = q * P_s` (docs/design.md §1).
    pub fn debt(&self) -> MathResult<SignedUsd> {
        self.exposure.notional_floor(self.settle_price)
    }

    /// `q * (P - P_s)`, rounded toward negative infinity.
    pub fn unrealized(&self, p: Price) -> MathResult<SignedUsd> {
        self.exposure.pnl_floor(self.settle_price, p)
    }

    /// What the vault holds, `U + C * P_crt`, rounded down.
    pub fn held_floor(&self, crt_price: Price, crt: CrtParams) -> MathResult<Usd> {
        self.usdc.checked_add(self.crt.value_floor(crt.decimals, crt_price)?)
    }

    /// What the vault holds, rounded up.
    pub fn held_ceil(&self, crt_price: Price, crt: CrtParams) -> MathResult<Usd> {
        self.usdc.checked_add(self.crt.value_ceil(crt.decimals, crt_price)?)
    }

    /// NAV `U + C * P_crt + q * (P - P_s) + claim`, rounded down (what a redeemer can count on).
    pub fn nav_floor(&self, p: Price, crt_price: Price, crt: CrtParams) -> MathResult<SignedUsd> {
        let held = self.held_floor(crt_price, crt)?.checked_add(self.claim)?;
        held.signed()?.checked_add(self.unrealized(p)?)
    }

    /// NAV rounded up (what a minter is charged against).
    pub fn nav_ceil(&self, p: Price, crt_price: Price, crt: CrtParams) -> MathResult<SignedUsd> {
        let held = self.held_ceil(crt_price, crt)?.checked_add(self.claim)?;
        let dp = (p.0 as i128).safe_sub(self.settle_price.0 as i128)?;
        let u = to_i64(mul_div_ceil_i(self.exposure.0 as i128, dp, NOTIONAL_DIVISOR)?)?;
        held.signed()?.checked_add(SignedUsd(u))
    }

    /// Risk equity `U + C * P_crt * w_crt + q * (P - P_s)`, rounded down (docs/design.md §1). A claim on
    /// the pool is not risk equity: it is collected only when the pool can pay.
    pub fn risk_equity(&self, p: Price, crt_price: Price, crt: CrtParams) -> MathResult<SignedUsd> {
        let crt_value = self.crt.value_floor(crt.decimals, crt_price)?;
        let weighted = Usd(crt.weight.of_floor(crt_value.0)?);
        let held = self.usdc.checked_add(weighted)?;
        held.signed()?.checked_add(self.unrealized(p)?)
    }

    /// Signed leverage `q * P / E_risk`; `None` when risk equity is not positive.
    pub fn leverage(&self, p: Price, crt_price: Price, crt: CrtParams) -> MathResult<Option<Lev>> {
        Lev::of(self.exposure, p, self.risk_equity(p, crt_price, crt)?)
    }

    /// Realize `q * (P - P_s)` against the pool at the mid prices and set `P_s = P`.
    ///
    /// A loss first cancels the vault's claim on the pool; the rest is paid by the vault in
    /// USDC and, only when its USDC is exhausted, in CRT at the oracle price (docs/design.md §1). A loss
    /// larger than everything the vault holds is bad debt. A gain joins the claim, and the pool
    /// pays the claim in USDC, then in CRT: what the vault was already owed from all of the
    /// pool's free tokens, a new gain only from what is left beyond `reserved` (the other vaults'
    /// claims, which are paid first). What the pool cannot pay stays the vault's claim. If risk
    /// equity is not positive afterwards the exposure is closed at `P` (docs/design.md §5.7).
    pub fn settle(&mut self, pool: &mut PoolBook, reserved: Usd, p: Price, crt_price: Price, crt: CrtParams) -> MathResult<Settlement> {
        self.settle_with_funding(pool, reserved, Usd(0), p, crt_price, crt)
    }

    /// [`VaultBook::settle`] with `funding` owed to the pool on top of the PnL (the skew funding
    /// of docs/design.md §5.5): it is paid like a loss, from the claim, then USDC, then CRT, and
    /// what the vault cannot pay is bad debt.
    pub fn settle_with_funding(
        &mut self,
        pool: &mut PoolBook,
        reserved: Usd,
        funding: Usd,
        p: Price,
        crt_price: Price,
        crt: CrtParams,
    ) -> MathResult<Settlement> {
        let pnl = SignedUsd(self.unrealized(p)?.0.safe_sub(to_i64(funding.0 as i128)?)?);
        let claim_before = self.claim;
        let mut s = Settlement { pnl, funding, claim_before, ..Settlement::default() };
        let mut gain = Usd(0);
        if pnl.0 > 0 {
            gain = pnl.positive_part();
        } else if pnl.0 < 0 {
            let loss = pnl.negative_part();
            let offset = loss.min(self.claim);
            self.claim = self.claim.checked_sub(offset)?;
            let loss = loss.checked_sub(offset)?;
            let usdc = loss.min(self.usdc);
            let rest = loss.checked_sub(usdc)?;
            let mut crt_paid = TokenAmount(0);
            if !rest.is_zero() {
                // Rounded up: the vault pays its whole loss.
                let want = TokenAmount::for_value_ceil(rest, crt.decimals, crt_price)?;
                crt_paid = want.min(self.crt);
                if want > self.crt {
                    let covered = crt_paid.value_floor(crt.decimals, crt_price)?;
                    s.bad_debt = Usd(rest.0.saturating_sub(covered.0));
                }
            }
            self.usdc = self.usdc.checked_sub(usdc)?;
            self.crt = self.crt.checked_sub(crt_paid)?;
            pool.usdc = pool.usdc.checked_add(usdc)?;
            pool.crt = pool.crt.checked_add(crt_paid)?;
            s.usdc_to_vault = to_i64(usdc.0 as i128)?.safe_neg()?;
            s.crt_to_vault = to_i64(crt_paid.0 as i128)?.safe_neg()?;
        }
        if !self.claim.is_zero() || !gain.is_zero() {
            // The old claim from every free token; the new gain only beyond the other claims.
            let free = pool.usdc.checked_add(pool.crt.value_floor(crt.decimals, crt_price)?)?;
            let old = self.claim.min(free);
            let beyond = Usd(free.0.saturating_sub(old.0).saturating_sub(reserved.0));
            let due = old.checked_add(gain.min(beyond))?;
            let usdc = due.min(pool.usdc);
            let rest = due.checked_sub(usdc)?;
            // Rounded down: the pool never pays more than it owes.
            let crt_paid = TokenAmount::for_value_floor(rest, crt.decimals, crt_price)?.min(pool.crt);
            // What was not due now stays owed. Paying `due` in CRT rounds down by under one CRT
            // unit; that dust is the pool's, as on every settlement.
            self.claim = self.claim.checked_add(gain)?.checked_sub(due)?;
            s.unpaid_gain = Usd(self.claim.0.saturating_sub(claim_before.0));
            pool.usdc = pool.usdc.checked_sub(usdc)?;
            pool.crt = pool.crt.checked_sub(crt_paid)?;
            self.usdc = self.usdc.checked_add(usdc)?;
            self.crt = self.crt.checked_add(crt_paid)?;
            s.usdc_to_vault = to_i64(usdc.0 as i128)?;
            s.crt_to_vault = to_i64(crt_paid.0 as i128)?;
        }
        s.claim_after = self.claim;
        self.settle_price = p;
        if self.exposure.0 != 0 && self.risk_equity(p, crt_price, crt)?.0 <= 0 {
            self.exposure = Exposure(0);
            s.closed_out = true;
        }
        Ok(s)
    }
}

#[cfg(test)]
#[allow(clippy::arithmetic_side_effects)] // tests compute expectations directly
mod tests {
    use super::*;
    use proptest::prelude::*;

    const CRT: CrtParams = CrtParams { decimals: 6, weight: Bps(8_000) };
    const USD100: Price = Price(100 * 100_000_000);

    fn book(usdc: u64, crt: u64, q: i64, ps: Price) -> VaultBook {
        VaultBook { usdc: Usd(usdc), crt: TokenAmount(crt), exposure: Exposure(q), settle_price: ps, claim: Usd(0) }
    }

    #[test]
    fn gain_is_paid_by_the_pool_in_usdc() {
        // $100 equity, 3 units at $100 (3x), price +10%: gain $30.
        let mut v = book(100_000_000, 0, 3_000_000_000, USD100);
        let mut pool = PoolBook { usdc: Usd(1_000_000_000), crt: TokenAmount(0) };
        let s = v.settle(&mut pool, Usd(0), Price(110 * 100_000_000), USD100, CRT).unwrap();
        assert_eq!(s.pnl, SignedUsd(30_000_000));
        assert_eq!(s.usdc_to_vault, 30_000_000);
        assert_eq!(v.usdc, Usd(130_000_000));
        assert_eq!(pool.usdc, Usd(970_000_000));
        assert_eq!(v.settle_price, Price(110 * 100_000_000));
        assert!(!s.closed_out);
    }

    #[test]
    fn loss_is_paid_in_usdc_then_crt() {
        // $10 USDC and 100 CRT at $1; loss of $30 takes all USDC and 20 CRT.
        let mut v = book(10_000_000, 100_000_000, 3_000_000_000, USD100);
        let mut pool = PoolBook::default();
        let s = v.settle(&mut pool, Usd(0), Price(90 * 100_000_000), Price(100_000_000), CRT).unwrap();
        assert_eq!(s.pnl, SignedUsd(-30_000_000));
        assert_eq!(s.usdc_to_vault, -10_000_000);
        assert_eq!(s.crt_to_vault, -20_000_000);
        assert_eq!(v.usdc, Usd(0));
        assert_eq!(v.crt, TokenAmount(80_000_000));
        assert_eq!(pool.crt, TokenAmount(20_000_000));
        assert_eq!(s.bad_debt, Usd(0));
    }

    #[test]
    fn a_gap_past_one_over_leverage_records_bad_debt_and_closes_out() {
        // 3x, price -40%: loss $120 on $100 of equity.
        let mut v = book(100_000_000, 0, 3_000_000_000, USD100);
        let mut pool = PoolBook::default();
        let s = v.settle(&mut pool, Usd(0), Price(60 * 100_000_000), USD100, CRT).unwrap();
        assert_eq!(s.bad_debt, Usd(20_000_000));
        assert!(s.closed_out);
        assert_eq!(v.exposure, Exposure(0));
        assert_eq!(v.usdc, Usd(0));
        assert_eq!(pool.usdc, Usd(100_000_000));
    }

    #[test]
    fn a_gain_the_pool_cannot_pay_stays_a_claim_counted_in_nav() {
        let mut v = book(100_000_000, 0, 3_000_000_000, USD100);
        let mut pool = PoolBook { usdc: Usd(10_000_000), crt: TokenAmount(0) };
        let p110 = Price(110 * 100_000_000);
        let s = v.settle(&mut pool, Usd(0), p110, USD100, CRT).unwrap();
        assert_eq!(s.usdc_to_vault, 10_000_000);
        assert_eq!(s.unpaid_gain, Usd(20_000_000));
        assert_eq!((s.claim_before, s.claim_after, v.claim), (Usd(0), Usd(20_000_000), Usd(20_000_000)));
        // NAV counts the claim; risk equity does not.
        assert_eq!(v.nav_floor(p110, USD100, CRT).unwrap(), SignedUsd(130_000_000));
        assert_eq!(v.risk_equity(p110, USD100, CRT).unwrap(), SignedUsd(110_000_000));
        // Later the pool has money again: the next settlement collects the claim first.
        pool.usdc = Usd(15_000_000);
        let s = v.settle(&mut pool, Usd(0), p110, USD100, CRT).unwrap();
        assert_eq!((s.usdc_to_vault, s.unpaid_gain, v.claim), (15_000_000, Usd(0), Usd(5_000_000)));
        // A loss cancels what is still owed before the vault pays anything.
        let s = v.settle(&mut pool, Usd(0), Price(109 * 100_000_000), USD100, CRT).unwrap();
        assert_eq!(s.pnl, SignedUsd(-3_000_000));
        assert_eq!((s.usdc_to_vault, v.claim, v.usdc), (0, Usd(2_000_000), Usd(125_000_000)));
    }

    #[test]
    fn a_new_gain_waits_behind_other_vaults_claims() {
        // The pool holds $10; other vaults are owed $8. A new $30 gain gets only the $2 beyond.
        let mut v = book(100_000_000, 0, 3_000_000_000, USD100);
        let mut pool = PoolBook { usdc: Usd(10_000_000), crt: TokenAmount(0) };
        let s = v.settle(&mut pool, Usd(8_000_000), Price(110 * 100_000_000), USD100, CRT).unwrap();
        assert_eq!((s.usdc_to_vault, v.claim, pool.usdc), (2_000_000, Usd(28_000_000), Usd(8_000_000)));
        // Its own claim is paid from every free token, ahead of nothing.
        let s = v.settle(&mut pool, Usd(8_000_000), Price(110 * 100_000_000), USD100, CRT).unwrap();
        assert_eq!((s.usdc_to_vault, v.claim, pool.usdc), (8_000_000, Usd(20_000_000), Usd(0)));
    }

    #[test]
    fn short_gains_when_price_falls() {
        let mut v = book(100_000_000, 0, -2_000_000_000, USD100);
        let mut pool = PoolBook { usdc: Usd(1_000_000_000), crt: TokenAmount(0) };
        let s = v.settle(&mut pool, Usd(0), Price(90 * 100_000_000), USD100, CRT).unwrap();
        assert_eq!(s.pnl, SignedUsd(20_000_000));
        assert_eq!(v.leverage(Price(90 * 100_000_000), USD100, CRT).unwrap(), Some(Lev(-1_500_000)));
    }

    #[test]
    fn leverage_counts_crt_at_its_weight() {
        // $50 USDC + 50 CRT at $1 weighted 0.8 = $90 risk equity; 2.7 units at $100 = $270.
        let v = book(50_000_000, 50_000_000, 2_700_000_000, USD100);
        assert_eq!(v.risk_equity(USD100, Price(100_000_000), CRT).unwrap(), SignedUsd(90_000_000));
        assert_eq!(v.leverage(USD100, Price(100_000_000), CRT).unwrap(), Some(Lev(3_000_000)));
        assert_eq!(v.nav_floor(USD100, Price(100_000_000), CRT).unwrap(), SignedUsd(100_000_000));
        assert_eq!(v.debt().unwrap(), SignedUsd(270_000_000));
    }

    proptest! {
        /// Settlement conserves tokens: what leaves one side arrives on the other, and the
        /// vault's NAV after settlement equals its NAV before plus what it was paid.
        #[test]
        fn settlement_conserves_tokens(
            usdc in 0u64..1_000_000_000_000,
            crt in 0u64..1_000_000_000_000,
            q in -10_000_000_000_000i64..10_000_000_000_000,
            ps in 1u64..10_000_000_000_000,
            p in 1u64..10_000_000_000_000,
            pool_usdc in 0u64..1_000_000_000_000_000,
            pool_crt in 0u64..1_000_000_000_000,
            crt_price in 1_000_000u64..1_000_000_000,
            claim in prop_oneof![Just(0u64), 0u64..1_000_000_000_000],
            reserved in prop_oneof![Just(0u64), 0u64..1_000_000_000_000_000],
        ) {
            let mut v = VaultBook { claim: Usd(claim), ..book(usdc, crt, q, Price(ps)) };
            let mut pool = PoolBook { usdc: Usd(pool_usdc), crt: TokenAmount(pool_crt) };
            let before = (v, pool);
            let nav_before = v.nav_floor(Price(p), Price(crt_price), CRT).unwrap().0 as i128;
            let s = v.settle(&mut pool, Usd(reserved), Price(p), Price(crt_price), CRT).unwrap();
            prop_assert_eq!(v.usdc.0 as i128 + pool.usdc.0 as i128, before.0.usdc.0 as i128 + before.1.usdc.0 as i128);
            prop_assert_eq!(v.crt.0 as i128 + pool.crt.0 as i128, before.0.crt.0 as i128 + before.1.crt.0 as i128);
            prop_assert_eq!(v.usdc.0 as i128 - before.0.usdc.0 as i128, s.usdc_to_vault as i128);
            prop_assert_eq!(v.crt.0 as i128 - before.0.crt.0 as i128, s.crt_to_vault as i128);
            // A vault never receives more than its gain, nor pays more than its loss plus one
            // CRT unit of rounding.
            let moved = s.usdc_to_vault as i128
                + if s.crt_to_vault >= 0 {
                    TokenAmount(s.crt_to_vault as u64).value_floor(6, Price(crt_price)).unwrap().0 as i128
                } else {
                    -(TokenAmount(s.crt_to_vault.unsigned_abs()).value_ceil(6, Price(crt_price)).unwrap().0 as i128)
                };
            // The claim moves by exactly what was owed and not paid: what moved plus the change of
            // the claim is the PnL (within CRT rounding), unless the loss went past everything.
            let claim_change = s.claim_after.0 as i128 - s.claim_before.0 as i128;
            let dust = crt_price as i128 / 100 + 1;
            if s.bad_debt.0 == 0 {
                prop_assert!((moved + claim_change - s.pnl.0 as i128).abs() <= dust, "moved {moved} claim {claim_change} pnl {:?}", s.pnl);
            } else {
                prop_assert!(v.usdc.0 == 0 && v.crt.0 == 0 && v.claim.0 == 0);
            }
            // Settlement never moves NAV, except for bad debt and the CRT rounding dust.
            let nav_after = v.nav_floor(Price(p), Price(crt_price), CRT).unwrap().0 as i128;
            if s.bad_debt.0 == 0 {
                prop_assert!((nav_after - nav_before).abs() <= dust + 1, "{nav_before} -> {nav_after}");
            }
            // A vault gains only as much as the pool can pay beyond the other vaults' claims, plus its own claim.
            if s.usdc_to_vault > 0 || s.crt_to_vault > 0 {
                prop_assert!(moved <= before.0.claim.0 as i128 + s.pnl.0.max(0) as i128);
            }
            prop_assert_eq!(v.settle_price, Price(p));
        }
    }
}
