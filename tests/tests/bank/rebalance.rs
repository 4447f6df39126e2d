//! The rebalance engine on the bank (docs/design.md §5): progressive deleveraging, wicks, the emergency
//! tier, gaps and bad debt, re-leverage, Bear vaults, dynamic leverage, imbalance caps, reverse
//! splits, the keeper bounty, and the oracle gate.

use anchor_lang::AccountDeserialize;
use turbo::error::TurboError;
use turbo::events::RebalanceAction;
use turbo::events::{FeesSweptEvent, RebalanceEvent, ReverseSplitEvent};
use turbo::state::{PoolCaps, VaultParams};
use turbo_sdk::{defaults, ix};
use turbo_tests::*;

const TRIM: RebalanceAction = RebalanceAction::Trim;
const RELEVER: RebalanceAction = RebalanceAction::Relever;
const EMERGENCY: RebalanceAction = RebalanceAction::Emergency;
const IN_BAND: RebalanceAction = RebalanceAction::InBand;
const WAITING: RebalanceAction = RebalanceAction::Waiting;

/// Rebalance `id`, check the event matches the SDK's preview of the same call exactly, and
/// return it.
pub(crate) async fn keeper_call(fx: &mut Fixture, id: u16) -> RebalanceEvent {
    let expected = fx.preview_rebalance(id).await;
    let out = fx.rebalance(id).await;
    assert_ok(&out);
    let e: RebalanceEvent = out.event();
    assert_eq!(e.action, expected.action.into(), "action");
    assert_eq!(e.exposure_after, expected.after.0, "exposure");
    assert_eq!(e.bounty, expected.bounty, "bounty");
    assert_eq!(e.effective_target, expected.target.0, "target");
    e
}

fn in_band(l: i64, lo: i64, hi: i64) -> bool {
    (lo..=hi).contains(&l.abs())
}

#[tokio::test]
async fn falling_path_trims_progressively_and_stays_in_band() {
    let (mut fx, _lp) = Fixture::deployed().await;
    let mut trims = 0;
    let mut trim_sizes = Vec::new();
    for step in 0..60 {
        fx.tick(30);
        fx.move_price(Asset::Btc, -100);
        let e = keeper_call(&mut fx, BTC_VAULT).await;
        // -1% at 3x takes |L| to about 3.06 > 3.0: each call trims back to the target in one
        // step (the gap is ~2% of exposure, under the 5% step).
        assert_eq!(e.action, TRIM, "step {step}");
        assert!(!e.capped, "step {step}");
        assert!(in_band(e.leverage_after, 2_900_000, 3_000_000), "step {step}: L = {}", e.leverage_after);
        assert!(e.nav > 0);
        trims += 1;
        trim_sizes.push(e.exposure_before - e.exposure_after);
    }
    assert_eq!(trims, 60);
    assert!(trim_sizes.iter().all(|&s| s > 0));
    // The token never reaches zero: 60 falls of 1% at 3x leave about 0.97^60 ≈ 16% of NAV.
    let vault = fx.vault(BTC_VAULT).await;
    let nav = vault.usdc_balance;
    assert!(nav > 150 * USDC && nav < 170 * USDC, "NAV {nav}");
    assert_eq!({ vault.rebalance_count }, 60);
    fx.assert_books_balance().await;
}

#[tokio::test]
async fn wick_trims_one_step_and_recovers_closer_than_a_full_deleverage() {
    let (mut fx, _lp) = Fixture::deployed().await;
    // A second BTC vault whose emergency level (3.05) makes the same wick a one-shot full
    // deleverage to target.
    let full = VaultParams { emergency_leverage: 3_050_000, ..defaults::turbo_params() };
    assert_ok(&fx.create_vault(9, "Turbo BTC full", "tBTCf", Asset::Btc, full, 1_000 * USDC).await);
    let e0 = 1_000 * USDC;

    // The wick: -5% in one step.
    fx.tick(30);
    fx.move_price(Asset::Btc, -500);
    let a = keeper_call(&mut fx, BTC_VAULT).await;
    assert_eq!(a.action, TRIM);
    assert!(a.capped);
    assert_eq!(a.exposure_after, a.exposure_before - a.exposure_before / 20); // exactly s·|X|
    let b = keeper_call(&mut fx, 9).await;
    assert_eq!(b.action, EMERGENCY);
    assert_eq!(b.leverage_after, 3_000_000);

    // Back up within one interval: the capped vault must wait.
    fx.tick(20);
    fx.set_price(Asset::Btc, 60_000 * PX, 0);
    assert_eq!(keeper_call(&mut fx, BTC_VAULT).await.action, WAITING);
    // After the interval it re-levers to target (4.5% of exposure, under the 5% step).
    fx.tick(10);
    let a = keeper_call(&mut fx, BTC_VAULT).await;
    assert_eq!(a.action, RELEVER);
    assert_eq!(a.leverage_after, 3_000_000);
    keeper_call(&mut fx, 9).await;

    // Closed form: the capped vault keeps 0.95 of its exposure through the bottom, so it
    // recovers 0.95 × 3 × 5% = 14.25% of E0 on the way back: 0.85 + 0.1425 = 0.9925 E0. The full
    // deleverage holds 3 × 0.85 / 0.95 E0 of notional at $57,000 and recovers 5/95 of it:
    // 0.85 + 0.134210 = 0.984210 E0.
    let nav_capped = fx.vault(BTC_VAULT).await.usdc_balance;
    let nav_full = fx.vault(9).await.usdc_balance;
    assert_eq!(nav_capped, 992_500_000);
    assert_eq!(nav_full, 984_210_526);
    assert_eq!(nav_full, (e0 as u128 * 85 / 100 + (3 * e0 as u128 * 85 / 100) * 5 / 95) as u64);
    assert!(nav_capped > nav_full);
    fx.assert_books_balance().await;
}

#[tokio::test]
async fn emergency_cuts_to_target_in_one_call() {
    let (mut fx, _lp) = Fixture::deployed().await;
    fx.tick(1); // well inside the interval: an emergency ignores it
    fx.move_price(Asset::Btc, -1_200); // |L| = 2.64 / 0.64 = 4.125 ≥ 4
    let e = keeper_call(&mut fx, BTC_VAULT).await;
    assert_eq!(e.action, EMERGENCY);
    assert_eq!(e.leverage_before, 4_125_000);
    assert_eq!(e.leverage_after, 3_000_000);
}

#[tokio::test]
async fn gap_past_one_over_leverage_records_bad_debt_and_the_protocol_keeps_working() {
    let (mut fx, lp) = Fixture::deployed().await;
    let user = fx.user(10_000 * USDC, 0).await;
    assert_ok(&fx.mint(&user, BTC_VAULT, 1_000 * USDC, 0, 0).await);
    let pool_before = fx.pool().await;
    // The vault holds $1,995 at 3x: 0.09975 BTC. -40% loses $2,394: $399 more than it has.
    fx.tick(30);
    fx.move_price(Asset::Btc, -4_000);
    let e = keeper_call(&mut fx, BTC_VAULT).await;
    assert!(e.closed_out);
    assert_eq!(e.bad_debt, 399 * USDC);
    assert_eq!(e.exposure_after, 0);
    assert_eq!(e.nav, 0);
    let vault = fx.vault(BTC_VAULT).await;
    assert_eq!((vault.bad_debt, vault.usdc_balance, vault.exposure), (399 * USDC, 0, 0));
    let pool = fx.pool().await;
    assert_eq!({ pool.bad_debt_absorbed }, 399 * USDC);
    // The pool absorbed it: it received the vault's $1,995, not the $2,394 of loss, plus the $5
    // mint fee the vault held for it, swept whole (never used to cover the vault's loss).
    assert_eq!({ pool.usdc_balance }, { pool_before.usdc_balance } + 1_995 * USDC + 5 * USDC);
    assert_eq!({ vault.fees_owed_usdc }, 0);
    fx.assert_books_balance().await;

    // Redeem still works: the worthless tokens burn for nothing.
    let held = fx.tokens(&user, BTC_VAULT).await;
    let out = fx.redeem(&user, BTC_VAULT, held).await;
    assert_ok(&out);
    assert_eq!(fx.tokens(&user, BTC_VAULT).await, 0);
    // A new mint into the wiped vault is refused with its reason; other vaults mint, and LPs
    // withdraw at a value that includes the absorbed loss.
    assert_error(&fx.mint(&user, BTC_VAULT, 100 * USDC, 0, 0).await, TurboError::VaultWipedOut);
    assert_ok(&fx.mint(&user, SOL_VAULT, 100 * USDC, 0, 0).await);
    assert_ok(&fx.mint(&user, BEAR_BTC_VAULT, 100 * USDC, 0, 0).await);
    assert_ok(&fx.withdraw_liquidity(&lp, 1_000 * USDC).await);
    fx.assert_books_balance().await;
}

#[tokio::test]
async fn rise_relevers_back_to_target_over_steps() {
    let (mut fx, _lp) = Fixture::deployed().await;
    fx.tick(30);
    fx.move_price(Asset::Btc, 1_500); // |L| = 3.45 / 1.45 = 2.379
    let mut calls = 0;
    loop {
        let e = keeper_call(&mut fx, BTC_VAULT).await;
        calls += 1;
        assert_eq!(e.action, RELEVER);
        if !e.capped {
            assert_eq!(e.leverage_after, 3_000_000);
            break;
        }
        assert_eq!(e.exposure_after, e.exposure_before + e.exposure_before / 20);
        fx.tick(30);
    }
    // 1.05^4 = 1.2155 < 1.2609 needed < 1.05^5: four capped steps and a final partial one.
    assert_eq!(calls, 5);
    fx.tick(30);
    assert_eq!(keeper_call(&mut fx, BTC_VAULT).await.action, IN_BAND);
}

#[tokio::test]
async fn bear_relevers_under_a_falling_price_and_trims_at_its_safety_level() {
    let (mut fx, _lp) = Fixture::deployed().await;
    // Falling 5%: the short gains; |L| = 1.9/1.1 = 1.727 < 2.0. Re-levers to -2x in steps.
    fx.tick(30);
    fx.move_price(Asset::Btc, -500);
    let mut last = keeper_call(&mut fx, BEAR_BTC_VAULT).await;
    assert_eq!(last.action, RELEVER);
    while last.capped {
        fx.tick(30);
        last = keeper_call(&mut fx, BEAR_BTC_VAULT).await;
    }
    assert_eq!(last.leverage_after, -2_000_000);
    // Rising 10%: |L| = 2.2/0.8 = 2.75 > 2.5, the safety level: trim toward -2x.
    fx.tick(30);
    fx.move_price(Asset::Btc, 1_000);
    let e = keeper_call(&mut fx, BEAR_BTC_VAULT).await;
    assert_eq!(e.action, TRIM);
    assert!(e.leverage_after.abs() < e.leverage_before.abs());
    assert!(e.exposure_after > e.exposure_before); // less short
                                                   // A rise under the safety level does nothing: +5% from -2x gives |L| = 2.1/0.9 = 2.33.
    let (mut fx, _lp) = Fixture::deployed().await;
    fx.tick(30);
    fx.move_price(Asset::Btc, 500);
    assert_eq!(keeper_call(&mut fx, BEAR_BTC_VAULT).await.action, IN_BAND);
}

#[tokio::test]
async fn high_volatility_lowers_the_effective_target_by_the_formula() {
    let (mut fx, _lp) = Fixture::deployed().await;
    // A volatility budget of 150%/yr on SOL.
    let params = VaultParams { vol_budget_bps: 15_000, ..defaults::turbo_params() };
    let sol = fx.v(SOL_VAULT).keys.vault;
    assert_ok(&fx.send(&[ix::update_vault(fx.admin.pubkey(), sol, params)], &[]).await);
    // ±4% every 60 s, each followed by a keeper call. Track the formula in floating point.
    let (tau, spy) = (86_400.0_f64, 31_536_000.0_f64);
    let mut var = 0.0_f64;
    let mut last = None;
    for i in 0..40 {
        fx.tick(60);
        let p0 = fx.feed(Asset::Sol).quote.price as f64;
        fx.move_price(Asset::Sol, if i % 2 == 0 { 400 } else { -400 });
        let p1 = fx.feed(Asset::Sol).quote.price as f64;
        let r = 2.0 * (p1 - p0) / (p1 + p0);
        var = var * (1.0 - 60.0 / tau) + r * r / tau;
        last = Some(keeper_call(&mut fx, SOL_VAULT).await);
    }
    let e = last.unwrap();
    let sigma_bps = (var * spy).sqrt() * 10_000.0;
    let expected_target = 15_000.0 / sigma_bps * 1_000_000.0;
    assert!((e.vol_bps as f64 - sigma_bps).abs() / sigma_bps < 1e-3, "σ {} vs {sigma_bps}", e.vol_bps);
    assert!((e.effective_target as f64 - expected_target).abs() / expected_target < 2e-3, "{} vs {expected_target}", e.effective_target);
    assert!(e.effective_target < 3_000_000);
    // The vault is being trimmed toward the lowered target in capped steps (480% volatility
    // asks for about 0.31x), never past it.
    assert_eq!(e.action, TRIM, "{e:?}");
    assert!(e.capped);
    assert!(e.leverage_after < e.leverage_before && e.leverage_after >= e.effective_target, "{e:?}");
}

#[tokio::test]
async fn imbalance_refuses_the_heavy_side_and_lowers_its_target() {
    let (mut fx, _lp) = Fixture::deployed().await;
    let whale = fx.user(300_000 * USDC, 0).await;
    assert_ok(&fx.mint(&whale, BTC_VAULT, 100_000 * USDC, 0, 0).await); // ~$300k long
                                                                        // Tighten the net cap to 0.2x the pool: ~$200k. BTC longs are now over it.
    let caps = PoolCaps { gross_cap_bps: 50_000, net_cap_bps: 2_000, ..hard_caps_only() };
    assert_ok(&fx.send(&[ix::update_pool(fx.admin.pubkey(), caps)], &[]).await);
    assert_error(&fx.mint(&whale, BTC_VAULT, 1_000 * USDC, 0, 0).await, TurboError::ImbalanceCapExceeded);
    // The other side is welcome: a Bear mint reduces the imbalance.
    assert_ok(&fx.mint(&whale, BEAR_BTC_VAULT, 10_000 * USDC, 0, 0).await);
    // The heavy side's rebalance lowers its target by cap / net and trims toward it.
    fx.tick(30);
    let e = keeper_call(&mut fx, BTC_VAULT).await;
    assert!(e.effective_target < 3_000_000, "{}", e.effective_target);
    assert_eq!(e.action, TRIM);
    // The light side keeps its target.
    let b = keeper_call(&mut fx, BEAR_BTC_VAULT).await;
    assert_eq!(b.effective_target, -2_000_000);
}

#[tokio::test]
async fn reverse_split_halves_the_multiplier_when_the_token_falls_under_ten_dollars() {
    let (mut fx, _lp) = Fixture::deployed().await;
    let user = fx.user(1_000 * USDC, 0).await;
    assert_ok(&fx.mint(&user, FET_VAULT, 1_000 * USDC, 0, 0).await);
    let tokens = fx.tokens(&user, FET_VAULT).await;
    assert_eq!(tokens, 9_950_000);
    // -20% three times, each an emergency cut to 3x: NAV × 0.4 per step, $100 → $6.40.
    let mut split = None;
    for _ in 0..3 {
        fx.tick(30);
        fx.move_price(Asset::Fet, -2_000);
        let out = fx.rebalance(FET_VAULT).await;
        assert_ok(&out);
        assert_eq!(out.event::<RebalanceEvent>().action, EMERGENCY);
        if let Some(s) = out.events::<ReverseSplitEvent>().pop() {
            split = Some(s);
        }
    }
    let s = split.expect("a reverse split happened");
    assert_eq!((s.splits_before, s.splits_after), (0, 1));
    assert!(s.ui_price_before < 10 * USDC && s.ui_price_after >= 10 * USDC);
    assert_eq!(s.ui_price_after, s.ui_price_before * 2 + s.ui_price_after % 2);
    // The multiplier read back from the Token-2022 mint is 0.5; raw balances did not change.
    let mint = fx.account(fx.v(FET_VAULT).keys.mint).await.unwrap();
    let multiplier = scaled_ui_multiplier(&mint.data);
    assert_eq!(multiplier, 0.5);
    assert_eq!(fx.tokens(&user, FET_VAULT).await, tokens);
    // The UI amount a wallet shows halves: 9.95 tokens display as 4.975.
    assert_eq!(tokens as f64 * multiplier / 1e6, 4.975);
    assert_eq!(fx.vault(FET_VAULT).await.split_count, 1);
}

/// The ScaledUiAmount multiplier in effect on a Token-2022 mint.
fn scaled_ui_multiplier(data: &[u8]) -> f64 {
    use anchor_spl::token_2022::spl_token_2022::extension::{
        scaled_ui_amount::ScaledUiAmountConfig, BaseStateWithExtensions, StateWithExtensions,
    };
    use anchor_spl::token_2022::spl_token_2022::state::Mint;
    let state = StateWithExtensions::<Mint>::unpack(data).unwrap();
    let ext = state.get_extension::<ScaledUiAmountConfig>().unwrap();
    let new = f64::from(ext.new_multiplier);
    if new != 0.0 {
        new
    } else {
        f64::from(ext.multiplier)
    }
}

#[tokio::test]
async fn bounty_is_paid_exactly_for_a_real_move_and_never_for_a_no_op() {
    let (mut fx, _lp) = Fixture::deployed().await;
    // Fees give the treasury something to pay from: 0.5% of 10,000, half to the treasury.
    let user = fx.user(10_000 * USDC, 0).await;
    assert_ok(&fx.mint(&user, BTC_VAULT, 10_000 * USDC, 0, 0).await);
    let keeper_usdc = fx.keeper.as_ref().unwrap().usdc;
    // The fee waits in the vault until a transfer carries it; a rebalance sweeps it.
    assert_eq!((fx.pool().await.treasury_usdc, fx.vault(BTC_VAULT).await.fees_owed_usdc), (0, 50 * USDC));
    fx.tick(30);
    let out = fx.rebalance(BTC_VAULT).await;
    assert_ok(&out);
    let swept: FeesSweptEvent = out.event();
    assert_eq!((swept.usdc, swept.crt, swept.treasury_usdc), (50 * USDC, 0, 25 * USDC));
    assert_eq!({ fx.vault(BTC_VAULT).await.fees_owed_usdc }, 0);
    let treasury = fx.pool().await.treasury_usdc;
    assert_eq!(treasury, 25 * USDC);

    // In band: a no-op pays nothing, however often it is called.
    for _ in 0..3 {
        fx.tick(30);
        let e = keeper_call(&mut fx, BTC_VAULT).await;
        assert_eq!((e.action, e.bounty), (IN_BAND, 0));
    }
    assert_eq!(fx.balance(keeper_usdc).await, 0);

    // A real trim pays the bounty in proportion to the notional it moved ($1 per $10,000), out
    // of the treasury's share.
    fx.tick(30);
    fx.move_price(Asset::Btc, -200);
    let e = keeper_call(&mut fx, BTC_VAULT).await;
    assert_eq!(e.action, TRIM);
    let moved = (e.exposure_before - e.exposure_after).unsigned_abs() as u128 * e.price as u128 / 100_000_000_000;
    let bounty = (1_000_000 * moved / 10_000_000_000) as u64;
    assert!(bounty > 0);
    assert_eq!(e.bounty, bounty);
    assert_eq!(fx.balance(keeper_usdc).await, bounty);
    assert_eq!({ fx.pool().await.treasury_usdc }, treasury - bounty);
    // Calling again at once: in band again, no bounty.
    let e = keeper_call(&mut fx, BTC_VAULT).await;
    assert_eq!((e.action, e.bounty), (IN_BAND, 0));
    assert_eq!(fx.balance(keeper_usdc).await, bounty);
    fx.assert_books_balance().await;
}

#[tokio::test]
async fn a_small_move_earns_a_bounty_in_proportion() {
    let (mut fx, _lp) = Fixture::deployed().await;
    // FET's vault holds $1,000: a -1% trim moves about $60 of notional, 0.6% of the $10,000
    // that earns the whole $1.
    let user = fx.user(10_000 * USDC, 0).await;
    assert_ok(&fx.mint(&user, SOL_VAULT, 10_000 * USDC, 0, 0).await);
    fx.tick(30);
    // A rebalance of SOL sweeps the mint's fee, so the treasury has something to pay from.
    assert_ok(&fx.rebalance(SOL_VAULT).await);
    fx.move_price(Asset::Fet, -100);
    let e = keeper_call(&mut fx, FET_VAULT).await;
    assert_eq!(e.action, TRIM);
    let moved = (e.exposure_before - e.exposure_after).unsigned_abs() as u128 * e.price as u128 / 100_000_000_000;
    assert_eq!(moved, 60_000_000);
    assert_eq!(e.bounty, 6_000);
}

#[tokio::test]
async fn rebalance_with_a_stale_or_mismatched_oracle_is_rejected() {
    let (mut fx, _lp) = Fixture::deployed().await;
    fx.advance(31);
    assert_error(&fx.rebalance(BTC_VAULT).await, TurboError::StalePrice);
    fx.tick(0);
    let v = fx.v(BTC_VAULT);
    let keeper = fx.keeper.as_ref().unwrap().key.insecure_clone();
    let bad = ix::rebalance(&fx.d, &turbo_sdk::ix::PricedVault { price: fx.feed(Asset::Sol).account, ..v }, keeper.pubkey(), None);
    assert_error(&fx.send(&[bad], &[&keeper]).await, TurboError::PriceFeedMismatch);
    let paused = ix::set_pause(fx.admin.pubkey(), None, turbo::args::SetPauseArgs::new(turbo::state::Pause::REBALANCE, true));
    assert_ok(&fx.send(&[paused], &[]).await);
    assert_error(&fx.rebalance(BTC_VAULT).await, TurboError::RebalancePaused);
}

#[allow(dead_code)]
fn decode<T: AccountDeserialize>(data: &[u8]) -> T {
    T::try_deserialize(&mut &data[..]).unwrap()
}

use solana_sdk::signature::Signer;
