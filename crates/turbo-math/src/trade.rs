//! Mint and redeem quotes (docs/design.md §4). A quote is computed on a vault that has just been
//! settled at the mid price, so `P_s = mid`. The minter pays NAV at the price worse for them,
//! the redeemer is paid NAV at the price worse for them, shares out and payouts round down,
//! and fees round up.

use crate::error::{MathError, MathResult};
use crate::fixed::*;
use crate::oracle::OraclePrice;
use crate::position::{CrtParams, VaultBook};
use crate::units::*;

/// Initial price of a Turbo token: $100 per UI token of 6 decimals, i.e. 100 micro-USD per
/// raw unit (docs/design.md §5 defaults).
pub const INITIAL_MICRO_USD_PER_RAW_SHARE: u64 = 100;

/// Shares for the seed deposit of a new vault at the initial token price, rounded down.
pub fn initial_shares(value: Usd) -> Shares {
    Shares(value.0 / INITIAL_MICRO_USD_PER_RAW_SHARE)
}

/// The exposure that puts `equity` at leverage `target` at price `p`, rounded toward zero.
pub fn exposure_for_leverage(equity: Usd, target: Lev, p: Price) -> MathResult<Exposure> {
    Exposure::from_notional_toward_zero(target.notional_of(equity)?, p, target.0 < 0)
}

/// A fee split between the pool's LPs and the treasury.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FeeSplit {
    pub lp: u64,
    pub treasury: u64,
}

/// Split `fee` so that LPs get `lp_share` of it, rounded down; the treasury gets the rest.
pub fn split_fee(fee: u64, lp_share: Bps) -> MathResult<FeeSplit> {
    let lp = lp_share.of_floor(fee)?;
    Ok(FeeSplit { lp, treasury: fee.safe_sub(lp)? })
}

/// What a mint does, computed before any token moves.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MintQuote {
    pub fee_usdc: Usd,
    pub fee_crt: TokenAmount,
    /// USDC that stays in the vault.
    pub net_usdc: Usd,
    /// CRT that stays in the vault.
    pub net_crt: TokenAmount,
    /// What the net deposit is worth to the vault, CRT at its low price.
    pub deposit_value: Usd,
    /// NAV the minter pays against, at the price worse for them, rounded up.
    pub nav: Usd,
    pub shares_out: Shares,
    /// The exposure added so that leverage is unchanged.
    pub exposure_delta: Exposure,
}

/// What a redeem does, computed before any token moves.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RedeemQuote {
    pub gross_usdc: Usd,
    pub gross_crt: TokenAmount,
    pub fee_usdc: Usd,
    pub fee_crt: TokenAmount,
    pub usdc_out: Usd,
    pub crt_out: TokenAmount,
    /// NAV at mid, rounded down.
    pub nav: Usd,
    /// NAV at the price worse for the redeemer, rounded down.
    pub nav_redeem: Usd,
    /// The (opposite-signed) change of exposure; the remaining exposure shrinks pro rata.
    pub exposure_delta: Exposure,
}

/// The two prices every quote needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Prices {
    pub asset: OraclePrice,
    pub crt: OraclePrice,
}

/// Quote a mint of `usdc_in` and `crt_in` into a settled vault with `supply` shares out.
pub fn quote_mint(
    book: &VaultBook,
    supply: Shares,
    px: &Prices,
    crt: CrtParams,
    usdc_in: Usd,
    crt_in: TokenAmount,
    fee: Bps,
) -> MathResult<MintQuote> {
    let fee_usdc = Usd(fee.of_ceil(usdc_in.0)?);
    let fee_crt = TokenAmount(fee.of_ceil(crt_in.0)?);
    let net_usdc = usdc_in.checked_sub(fee_usdc)?;
    let net_crt = crt_in.checked_sub(fee_crt)?;
    let deposit_value = net_usdc.checked_add(net_crt.value_floor(crt.decimals, px.crt.lo)?)?;

    // NAV at the worst price for the minter: the asset where the position is worth most,
    // the vault's CRT at its high price.
    let mut hi = *book;
    hi.settle_price = px.asset.mid;
    let nav = hi.nav_ceil(px.asset.high_for(book.exposure), px.crt.hi, crt)?;
    if nav.0 <= 0 {
        return Err(MathError::DivisionByZero);
    }
    let nav = Usd(nav.0 as u64);
    let shares_out = Shares(u128_to_u64(mul_div_floor(deposit_value.0 as u128, supply.0 as u128, nav.0 as u128)?)?);

    // Leverage unchanged: q grows in proportion to risk equity (docs/design.md §4, `mint`).
    let equity = book.risk_equity(px.asset.mid, px.crt.mid, crt)?;
    let exposure_delta = if equity.0 > 0 {
        let crt_value = net_crt.value_floor(crt.decimals, px.crt.mid)?;
        let added = net_usdc.checked_add(Usd(crt.weight.of_floor(crt_value.0)?))?;
        book.exposure.scale_toward_zero(added.0, equity.0 as u64)?
    } else {
        Exposure(0)
    };
    Ok(MintQuote { fee_usdc, fee_crt, net_usdc, net_crt, deposit_value, nav, shares_out, exposure_delta })
}

/// Quote burning `burn` of `supply` shares of a settled vault.
pub fn quote_redeem(book: &VaultBook, supply: Shares, burn: Shares, px: &Prices, crt: CrtParams, fee: Bps) -> MathResult<RedeemQuote> {
    if burn.0 > supply.0 || supply.0 == 0 {
        return Err(MathError::BurnExceedsSupply);
    }
    let mut mid = *book;
    mid.settle_price = px.asset.mid;
    let nav = mid.nav_floor(px.asset.mid, px.crt.mid, crt)?.0.max(0) as u64;
    let nav_redeem = mid.nav_floor(px.asset.low_for(book.exposure), px.crt.lo, crt)?.0.clamp(0, nav as i64) as u64;

    // The redeemer is due `nav_redeem · burn / supply`, paid as the same fraction of each token
    // the vault holds: pro rata, scaled by `NAV_redeem / held`, both rounded down. Without a claim
    // on the pool `held` is the NAV and this is the plain pro-rata share with its confidence
    // haircut; with one, the redeemer takes their share of the claim in tokens and the holders
    // who stay keep the claim. The fraction never exceeds everything the vault holds.
    let held = mid.held_floor(px.crt.mid, crt)?;
    let pay = |x: u64| -> MathResult<u64> {
        if held.is_zero() {
            return Ok(0);
        }
        let share = mul_div_floor(x as u128, burn.0 as u128, supply.0 as u128)?;
        u128_to_u64(mul_div_floor(share, nav_redeem as u128, held.0 as u128)?.min(x as u128))
    };
    let (gross_usdc, gross_crt) = (Usd(pay(book.usdc.0)?), TokenAmount(pay(book.crt.0)?));
    let fee_usdc = Usd(fee.of_ceil(gross_usdc.0)?);
    let fee_crt = TokenAmount(fee.of_ceil(gross_crt.0)?);
    let remaining = book.exposure.scale_toward_zero(supply.0.safe_sub(burn.0)?, supply.0)?;
    Ok(RedeemQuote {
        gross_usdc,
        gross_crt,
        fee_usdc,
        fee_crt,
        usdc_out: gross_usdc.checked_sub(fee_usdc)?,
        crt_out: gross_crt.checked_sub(fee_crt)?,
        nav: Usd(nav),
        nav_redeem: Usd(nav_redeem),
        exposure_delta: Exposure(remaining.0.safe_sub(book.exposure.0)?),
    })
}

/// Quote burning `burn` of `supply` shares of a retired vault: it is flat, so it pays the burnt
/// fraction of each token it holds, in kind, with no price; both round down, and the fee rounds
/// up. What the pool still owes the vault stays with the holders who remain.
pub fn quote_redeem_in_kind(book: &VaultBook, supply: Shares, burn: Shares, fee: Bps) -> MathResult<RedeemQuote> {
    if burn.0 > supply.0 || supply.0 == 0 {
        return Err(MathError::BurnExceedsSupply);
    }
    let share = |x: u64| u128_to_u64(mul_div_floor(x as u128, burn.0 as u128, supply.0 as u128)?);
    let (gross_usdc, gross_crt) = (Usd(share(book.usdc.0)?), TokenAmount(share(book.crt.0)?));
    let fee_usdc = Usd(fee.of_ceil(gross_usdc.0)?);
    let fee_crt = TokenAmount(fee.of_ceil(gross_crt.0)?);
    Ok(RedeemQuote {
        gross_usdc,
        gross_crt,
        fee_usdc,
        fee_crt,
        usdc_out: gross_usdc.checked_sub(fee_usdc)?,
        crt_out: gross_crt.checked_sub(fee_crt)?,
        nav: Usd(0),
        nav_redeem: Usd(0),
        exposure_delta: Exposure(0),
    })
}

#[cfg(test)]
#[allow(clippy::arithmetic_side_effects)] // tests compute expectations directly
mod tests {
    use super::*;
    use proptest::prelude::*;

    const CRT: CrtParams = CrtParams { decimals: 6, weight: Bps(8_000) };

    fn px(asset: u64, conf: u64, crt: u64, crt_conf: u64) -> Prices {
        Prices {
            asset: OraclePrice { lo: Price(asset - conf), mid: Price(asset), hi: Price(asset + conf), publish_time: 0 },
            crt: OraclePrice { lo: Price(crt - crt_conf), mid: Price(crt), hi: Price(crt + crt_conf), publish_time: 0 },
        }
    }

    #[test]
    fn mint_at_nav_after_fee() {
        // A vault with $1,000 of USDC, 3x at $60,000, 10 UI tokens ($100 each) out.
        let p = Price(60_000 * 100_000_000);
        let q = exposure_for_leverage(Usd(1_000_000_000), Lev(3_000_000), p).unwrap();
        assert_eq!(q, Exposure(50_000_000));
        let book = VaultBook { usdc: Usd(1_000_000_000), crt: TokenAmount(0), exposure: q, settle_price: p, claim: Usd(0) };
        let prices = px(p.0, 0, 100_000_000, 0);
        let m = quote_mint(&book, Shares(10_000_000), &prices, CRT, Usd(10_000_000_000), TokenAmount(0), Bps(50)).unwrap();
        assert_eq!(m.fee_usdc, Usd(50_000_000));
        assert_eq!(m.net_usdc, Usd(9_950_000_000));
        assert_eq!(m.shares_out, Shares(99_500_000)); // 99.5 tokens at $100
        assert_eq!(m.exposure_delta, Exposure(497_500_000)); // leverage unchanged
    }

    #[test]
    fn redeem_pays_pro_rata_minus_fee() {
        let p = Price(100 * 100_000_000);
        let book =
            VaultBook { usdc: Usd(1_000_000_000), crt: TokenAmount(0), exposure: Exposure(30_000_000_000), settle_price: p, claim: Usd(0) };
        let r = quote_redeem(&book, Shares(10_000_000), Shares(1_000_000), &px(p.0, 0, 100_000_000, 0), CRT, Bps(100)).unwrap();
        assert_eq!(r.gross_usdc, Usd(100_000_000));
        assert_eq!(r.fee_usdc, Usd(1_000_000));
        assert_eq!(r.usdc_out, Usd(99_000_000));
        assert_eq!(r.exposure_delta, Exposure(-3_000_000_000));
    }

    #[test]
    fn burning_more_than_the_supply_is_the_callers_error_not_an_overflow() {
        let p = Price(100 * 100_000_000);
        let book = VaultBook { usdc: Usd(1_000_000_000), crt: TokenAmount(0), exposure: Exposure(0), settle_price: p, claim: Usd(0) };
        let prices = px(p.0, 0, 100_000_000, 0);
        assert_eq!(quote_redeem(&book, Shares(10), Shares(11), &prices, CRT, Bps(0)), Err(MathError::BurnExceedsSupply));
        assert_eq!(quote_redeem(&book, Shares(0), Shares(0), &prices, CRT, Bps(0)), Err(MathError::BurnExceedsSupply));
        assert_eq!(quote_redeem_in_kind(&book, Shares(10), Shares(11), Bps(0)), Err(MathError::BurnExceedsSupply));
    }

    #[test]
    fn confidence_moves_prices_against_both_sides() {
        let p = Price(100 * 100_000_000);
        let book =
            VaultBook { usdc: Usd(1_000_000_000), crt: TokenAmount(0), exposure: Exposure(30_000_000_000), settle_price: p, claim: Usd(0) };
        // 1% confidence on a 3x long moves NAV by 3%.
        let prices = px(p.0, 100_000_000, 100_000_000, 0);
        let m = quote_mint(&book, Shares(10_000_000), &prices, CRT, Usd(1_000_000_000), TokenAmount(0), Bps(0)).unwrap();
        assert_eq!(m.nav, Usd(1_030_000_000));
        let r = quote_redeem(&book, Shares(10_000_000), Shares(10_000_000), &prices, CRT, Bps(0)).unwrap();
        assert_eq!(r.nav_redeem, Usd(970_000_000));
        assert_eq!(r.usdc_out, Usd(970_000_000));
        // A short pays on the other side.
        let short = VaultBook { exposure: Exposure(-30_000_000_000), ..book };
        let m = quote_mint(&short, Shares(10_000_000), &prices, CRT, Usd(1_000_000_000), TokenAmount(0), Bps(0)).unwrap();
        assert_eq!(m.nav, Usd(1_030_000_000));
    }

    #[test]
    fn a_redeemer_takes_their_share_of_a_claim_in_tokens() {
        // $100 held, a $20 claim on the pool: NAV $120 over 12 shares, flat.
        let p = Price(100 * 100_000_000);
        let book =
            VaultBook { usdc: Usd(100_000_000), crt: TokenAmount(0), exposure: Exposure(0), settle_price: p, claim: Usd(20_000_000) };
        let r = quote_redeem(&book, Shares(12), Shares(6), &px(p.0, 0, 100_000_000, 0), CRT, Bps(0)).unwrap();
        assert_eq!((r.nav, r.nav_redeem, r.gross_usdc), (Usd(120_000_000), Usd(120_000_000), Usd(60_000_000)));
        // The six shares that stay hold $40 and the $20 claim: still $10 a share.
        // When the claim is most of the NAV, nobody is paid more than the vault holds.
        let thin = VaultBook { usdc: Usd(10_000_000), claim: Usd(110_000_000), ..book };
        let r = quote_redeem(&thin, Shares(12), Shares(6), &px(p.0, 0, 100_000_000, 0), CRT, Bps(0)).unwrap();
        assert_eq!(r.gross_usdc, Usd(10_000_000));
    }

    #[test]
    fn a_retired_vault_pays_in_kind() {
        let book =
            VaultBook { usdc: Usd(1_000_000_000), crt: TokenAmount(3_000), exposure: Exposure(0), settle_price: Price(1), claim: Usd(0) };
        let r = quote_redeem_in_kind(&book, Shares(10), Shares(3), Bps(100)).unwrap();
        assert_eq!((r.gross_usdc, r.fee_usdc, r.usdc_out), (Usd(300_000_000), Usd(3_000_000), Usd(297_000_000)));
        assert_eq!((r.gross_crt, r.fee_crt, r.crt_out), (TokenAmount(900), TokenAmount(9), TokenAmount(891)));
    }

    #[test]
    fn fee_split_gives_remainder_to_treasury() {
        assert_eq!(split_fee(101, Bps(5_000)).unwrap(), FeeSplit { lp: 50, treasury: 51 });
        assert_eq!(split_fee(0, Bps(5_000)).unwrap(), FeeSplit { lp: 0, treasury: 0 });
    }

    fn arb_book() -> impl Strategy<Value = (VaultBook, u64)> {
        (
            1_000_000u64..1_000_000_000_000,  // usdc
            0u64..1_000_000_000_000,          // crt
            -5_000_000i64..5_000_000,         // leverage
            1_000_000u64..10_000_000_000_000, // price
            1u64..1_000_000_000_000,          // supply
        )
            .prop_map(|(usdc, crt, lev, p, supply)| {
                let q = exposure_for_leverage(Usd(usdc), Lev(lev), Price(p)).unwrap();
                (VaultBook { usdc: Usd(usdc), crt: TokenAmount(crt), exposure: q, settle_price: Price(p), claim: Usd(0) }, supply)
            })
    }

    proptest! {
        /// docs/design.md §7: a mint followed by a redeem of the shares received, at a fixed price,
        /// never returns more than was put in minus the fees.
        #[test]
        fn round_trip_never_gains(
            (book, supply) in arb_book(),
            usdc_in in 0u64..1_000_000_000_000,
            crt_in in 0u64..1_000_000_000_000,
            conf_bps in 0u64..200,
            crt_px in 10_000_000u64..1_000_000_000,
            mint_fee in 0u64..=500,
            redeem_fee in 0u64..=500,
        ) {
            let p = book.settle_price.0;
            let conf = p * conf_bps / 10_000;
            let prices = px(p, conf, crt_px, crt_px * conf_bps / 10_000);
            let Ok(m) = quote_mint(&book, Shares(supply), &prices, CRT, Usd(usdc_in), TokenAmount(crt_in), Bps(mint_fee)) else {
                return Ok(());
            };
            let after = VaultBook {
                usdc: book.usdc.checked_add(m.net_usdc).unwrap(),
                crt: book.crt.checked_add(m.net_crt).unwrap(),
                exposure: Exposure(book.exposure.0 + m.exposure_delta.0),
                ..book
            };
            let new_supply = Shares(supply + m.shares_out.0);
            let r = quote_redeem(&after, new_supply, m.shares_out, &prices, CRT, Bps(redeem_fee)).unwrap();
            // Value in and out, both at the mid CRT price.
            let value_in = usdc_in as u128 + TokenAmount(crt_in).value_floor(6, Price(crt_px)).unwrap().0 as u128;
            let value_out = r.usdc_out.0 as u128 + r.crt_out.value_ceil(6, Price(crt_px)).unwrap().0 as u128;
            let fees = m.fee_usdc.0 as u128 + m.fee_crt.value_floor(6, Price(crt_px)).unwrap().0 as u128
                + r.fee_usdc.0 as u128 + r.fee_crt.value_floor(6, Price(crt_px)).unwrap().0 as u128;
            // One raw unit of slack per token for the value rounding of CRT.
            prop_assert!(value_out + fees <= value_in + 2, "in {value_in} out {value_out} fees {fees}");
        }

        /// Shares out round down: the minter never gets a share the deposit did not pay for.
        #[test]
        fn shares_out_round_down((book, supply) in arb_book(), usdc_in in 0u64..1_000_000_000_000) {
            let prices = px(book.settle_price.0, 0, 100_000_000, 0);
            let Ok(m) = quote_mint(&book, Shares(supply), &prices, CRT, Usd(usdc_in), TokenAmount(0), Bps(50)) else {
                return Ok(());
            };
            prop_assert!((m.shares_out.0 as u128) * (m.nav.0 as u128) <= (m.deposit_value.0 as u128) * (supply as u128));
            prop_assert!(((m.shares_out.0 + 1) as u128) * (m.nav.0 as u128) > (m.deposit_value.0 as u128) * (supply as u128));
        }

        /// Amounts owed round up: a fee is never below its exact value.
        #[test]
        fn fees_round_up(amount in 0u64.., bps in 0u64..=10_000) {
            let fee = Bps(bps).of_ceil(amount).unwrap();
            prop_assert!((fee as u128) * 10_000 >= (amount as u128) * (bps as u128));
            prop_assert!((fee as u128) * 10_000 < (amount as u128) * (bps as u128) + 10_000);
        }

        /// The NAV of a long is monotonic in price; the NAV of a short is anti-monotonic.
        #[test]
        fn nav_monotonic_in_price((book, _) in arb_book(), a in 1u64..10_000_000_000_000, b in 1u64..10_000_000_000_000) {
            let (lo, hi) = (a.min(b), a.max(b));
            let nl = book.nav_floor(Price(lo), Price(100_000_000), CRT).unwrap();
            let nh = book.nav_floor(Price(hi), Price(100_000_000), CRT).unwrap();
            if book.exposure.0 > 0 {
                prop_assert!(nl <= nh);
            } else if book.exposure.0 < 0 {
                prop_assert!(nl >= nh);
            } else {
                prop_assert_eq!(nl, nh);
            }
        }

        /// Redeeming in two parts never pays more than redeeming at once.
        #[test]
        fn split_redeem_never_beats_whole((book, supply) in arb_book(), part in 0u64..1_000) {
            let prices = px(book.settle_price.0, 0, 100_000_000, 0);
            let first = Shares(supply * part / 1_000);
            let whole = quote_redeem(&book, Shares(supply), Shares(supply), &prices, CRT, Bps(100)).unwrap();
            let a = quote_redeem(&book, Shares(supply), first, &prices, CRT, Bps(100)).unwrap();
            let rest = VaultBook {
                usdc: book.usdc.checked_sub(a.gross_usdc).unwrap(),
                crt: book.crt.checked_sub(a.gross_crt).unwrap(),
                exposure: Exposure(book.exposure.0 + a.exposure_delta.0),
                ..book
            };
            let b = quote_redeem(&rest, Shares(supply - first.0), Shares(supply - first.0), &prices, CRT, Bps(100)).unwrap();
            prop_assert!(a.usdc_out.0 + b.usdc_out.0 <= whole.usdc_out.0 + 1);
            prop_assert!(a.crt_out.0 + b.crt_out.0 <= whole.crt_out.0 + 1);
        }
    }
}

/// Token price per UI token (micro-USD) of a vault with `nav` over `supply` raw shares of 6
/// decimals, after `splits` reverse splits (multiplier `2^-splits`), rounded down.
pub fn ui_token_price(nav: Usd, supply: Shares, splits: u8) -> MathResult<Usd> {
    if supply.0 == 0 {
        return Err(MathError::DivisionByZero);
    }
    // `checked_shl` only refuses shifts of 128 or more; a checked multiply also catches bits
    // shifted out of the top.
    let scale = 1u128.checked_shl(splits as u32).ok_or(MathError::Overflow)?;
    let num = (nav.0 as u128).safe_mul(1_000_000)?.safe_mul(scale)?;
    u128_to_u64(num.safe_div(supply.0 as u128)?).map(Usd)
}

/// Most reverse splits a vault may accumulate (the multiplier stays ≥ 2^-64).
pub const MAX_SPLITS: u8 = 64;

/// How many more halvings of the UI multiplier bring the UI token price back to at least
/// `threshold` (docs/design.md §5.6). Zero when the price is at or above it, or the NAV is zero (a
/// wiped-out vault is not split).
pub fn splits_needed(nav: Usd, supply: Shares, splits: u8, threshold: Usd) -> MathResult<u8> {
    if nav.0 == 0 || supply.0 == 0 {
        return Ok(0);
    }
    let mut n = 0u8;
    while splits.saturating_add(n) < MAX_SPLITS && ui_token_price(nav, supply, splits.saturating_add(n))? < threshold {
        n = n.safe_add(1)?;
    }
    Ok(n)
}

#[cfg(test)]
mod split_tests {
    use super::*;

    #[test]
    fn ui_price_doubles_per_split() {
        // $1,000 over 100 tokens is $10; $900 is $9: one split makes it $18.
        assert_eq!(ui_token_price(Usd(1_000_000_000), Shares(100_000_000), 0).unwrap(), Usd(10_000_000));
        assert_eq!(splits_needed(Usd(1_000_000_000), Shares(100_000_000), 0, Usd(10_000_000)).unwrap(), 0);
        assert_eq!(splits_needed(Usd(900_000_000), Shares(100_000_000), 0, Usd(10_000_000)).unwrap(), 1);
        assert_eq!(ui_token_price(Usd(900_000_000), Shares(100_000_000), 1).unwrap(), Usd(18_000_000));
        // $2 per token needs three halvings to pass $10.
        assert_eq!(splits_needed(Usd(200_000_000), Shares(100_000_000), 0, Usd(10_000_000)).unwrap(), 3);
        assert_eq!(splits_needed(Usd(0), Shares(100_000_000), 0, Usd(10_000_000)).unwrap(), 0);
        assert_eq!(splits_needed(Usd(1), Shares(u64::MAX), 60, Usd(10_000_000)).unwrap(), 4);
    }

    #[test]
    fn i1_a_ui_price_that_would_shift_bits_out_is_an_error() {
        // nav · 10^6 · 2^splits ≥ 2^128 must fail, not wrap: (2^64 − 1) · 10^6 · 2^45 > 2^128.
        assert_eq!(ui_token_price(Usd(u64::MAX), Shares(u64::MAX), 45), Err(MathError::Overflow));
        assert_eq!(ui_token_price(Usd(1), Shares(1 << 40), 40).unwrap(), Usd(1_000_000));
    }
}

/// The deposit (USDC, before the mint fee) whose mint adds at most `notional` of exposure to a
/// vault at leverage `lev` with a mint fee of `fee`: `notional / |lev| / (1 − fee)`, rounded down,
/// so what it names fits (docs/design.md §5.7, the quote's `mint_capacity_usdc`). Zero at zero
/// leverage or a fee of 100%.
pub fn deposit_for_notional(notional: Usd, lev: Lev, fee: Bps) -> MathResult<u64> {
    let l = lev.abs() as u128;
    let keep = (BPS_ONE as u128).saturating_sub(fee.0 as u128);
    if l == 0 || keep == 0 {
        return Ok(0);
    }
    let net = mul_div_floor(notional.0 as u128, LEV_ONE as u128, l)?;
    u128_to_u64(mul_div_floor(net, BPS_ONE as u128, keep)?)
}

#[cfg(test)]
#[allow(clippy::arithmetic_side_effects)] // tests compute expectations directly
mod capacity_tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn the_deposit_that_fits_a_notional_undoes_the_leverage_and_the_fee() {
        // $300,000 of notional at 3x with a 0.5% fee: $100,000 net, $100,502.51 before the fee.
        assert_eq!(deposit_for_notional(Usd(300_000_000_000), Lev(3_000_000), Bps(50)).unwrap(), 100_502_512_562);
        assert_eq!(deposit_for_notional(Usd(300_000_000_000), Lev(-2_000_000), Bps(0)).unwrap(), 150_000_000_000);
        assert_eq!(deposit_for_notional(Usd(300_000_000_000), Lev(0), Bps(50)).unwrap(), 0);
    }

    proptest! {
        /// The deposit named never adds more than the notional once its fee is taken and it is
        /// levered: `deposit · (1 − fee) · |L| ≤ notional`.
        #[test]
        fn the_deposit_named_fits(notional in 0u64..1_000_000_000_000_000, lev in 1i64..10_000_000, fee in 0u64..10_000) {
            let d = deposit_for_notional(Usd(notional), Lev(lev), Bps(fee)).unwrap() as u128;
            let added = d * (10_000 - fee as u128) / 10_000 * lev as u128 / 1_000_000;
            prop_assert!(added <= notional as u128, "{d} adds {added} > {notional}");
        }
    }
}
