//! The pool's risk limits on the bank (issue 14, docs/design.md §5.5): the risk cap tightens as
//! the asset's volatility rises, lowering the heavy side's target and refusing its mints; the
//! skew funding accrues over time and reaches the pool at settlement.

use solana_sdk::signature::Signer;
use turbo::error::TurboError;
use turbo::events::{RebalanceEvent, VaultSettledEvent};
use turbo::state::PoolCaps;
use turbo_sdk::{defaults, ix};
use turbo_tests::*;

/// The deployment with `caps` applied before anyone else's money is in.
async fn deployed_with(caps: PoolCaps) -> (Fixture, User) {
    let (mut fx, lp) = Fixture::deployed().await;
    assert_ok(&fx.send(&[ix::update_pool(fx.admin.pubkey(), caps)], &[]).await);
    (fx, lp)
}

#[tokio::test]
async fn a_cap_that_tightens_as_sigma_rises_lowers_the_target_and_refuses_a_mint() {
    // A 10% loss budget for a 3σ day, σ read no lower than 10% a year: with the $1M pool and
    // calm SOL the risk cap is millions of dollars, far above Turbo SOL's $450k.
    let caps = PoolCaps { max_daily_loss_bps: 1_000, risk_z_centi: 300, vol_floor_bps: 1_000, ..defaults::pool_caps() };
    let (mut fx, _lp) = deployed_with(caps).await;
    let whale = fx.user(400_000 * USDC, 0).await;
    assert_ok(&fx.mint(&whale, SOL_VAULT, 150_000 * USDC, 0, 0).await);
    let calm = fx.vault(SOL_VAULT).await;
    assert_eq!({ calm.variance_rate }, 0);

    // SOL swings ±5% a minute for 16 minutes: every rebalance settles and takes a sample, so
    // σ rises and the cap falls with it. Nobody mints.
    let mut events = Vec::new();
    for i in 0..16 {
        fx.tick(61);
        fx.move_price(Asset::Sol, if i % 2 == 0 { 500 } else { -476 });
        let out = fx.rebalance(SOL_VAULT).await;
        assert_ok(&out);
        events.push(out.event::<RebalanceEvent>());
    }
    // Calm at first: the full 3x target. Then the cap binds and the target comes down.
    assert_eq!(events[0].effective_target, 3_000_000);
    let first = events.iter().position(|e| e.effective_target < 3_000_000).expect("the risk cap lowers the target");
    assert!(events[first].vol_bps > events[0].vol_bps, "{:?} then {:?}", events[0], events[first]);
    let trims = events[first..].iter().filter(|e| e.exposure_after < e.exposure_before && e.effective_target < 3_000_000).count();
    assert!(trims > 0, "a lowered target trims the heavy side without any mint: {events:?}");

    let v = fx.vault(SOL_VAULT).await;
    let vol_daily = turbo_math::daily_vol_bps(v.variance_rate).unwrap();
    assert!(vol_daily > 1_500, "16 samples of 5% a minute read as more than 15% a day, got {vol_daily} bps");

    // The cap is now 10% of the pool over a 3σ day, under the net; the hard cap (3x) is not.
    let pool = fx.pool().await;
    let book = pool.assets[v.asset_index as usize];
    let net = book.long_notional - book.short_notional;
    let value = pool.usdc_balance - pool.treasury_usdc - pool.claims_owed;
    let risk_cap = value as u128 * 1_000 * 100 / (300 * vol_daily as u128);
    assert!((net as u128) > risk_cap, "net {net} over the risk cap {risk_cap}");
    assert!((net as u128) < value as u128 * 3, "the hard net cap (3x) does not bind");

    // The next rebalance aims at min(3x, L) × cap / net (every vault on the heavy side cut by
    // the same share from where it is), and the vault sits well under the 2.9x it would hold
    // with no risk cap. (The event's leverage is rounded down, the test's cap too: 2 units.)
    fx.tick(31);
    let out = fx.rebalance(SOL_VAULT).await;
    assert_ok(&out);
    let e = out.event::<RebalanceEvent>();
    let expected_target = (e.leverage_before.unsigned_abs() as u128).min(3_000_000) * risk_cap / net as u128;
    assert!(
        (e.effective_target as i128 - expected_target as i128).abs() <= 2,
        "effective target {} ≈ min(3x, L) × cap / net = {expected_target}",
        e.effective_target
    );
    assert!(e.leverage_after < 2_900_000, "delevered by the risk cap alone: {e:?}");
    // The cut is declared: over the residual cap (no custody on this deployment), with the room
    // the risk cap leaves and the net it carries, aiming where the rebalance aims.
    let cut = out.event::<turbo::events::EmergencyDeleverageEvent>();
    assert_eq!((cut.cause, cut.target, cut.effective_target), (turbo::events::EmergencyCause::ResidualCap, 3_000_000, e.effective_target));
    assert_eq!(cut.net, net);
    // (The test's cap reads σ in whole bps a day: within 0.001%.)
    assert!((cut.room as u128).abs_diff(risk_cap) <= risk_cap / 100_000 && cut.room < cut.net, "{cut:?} vs cap {risk_cap}");

    // A mint on the heavy side is refused by the risk cap, and moves nothing.
    let minnow = fx.user(1_000 * USDC, 0).await;
    let out = fx.mint(&minnow, SOL_VAULT, 1_000 * USDC, 0, 0).await;
    assert_error(&out, TurboError::RiskCapExceeded);
    assert_eq!(fx.balance(minnow.usdc).await, 1_000 * USDC);
    fx.assert_books_balance().await;
}

#[tokio::test]
async fn funding_accrues_exactly_over_a_clock_jump_and_is_paid_to_the_pool_at_settlement() {
    // 50 bps a day at the cap, the risk cap off: the cap is the hard net cap, 3x the pool.
    let caps = PoolCaps { max_daily_loss_bps: 0, funding_max_bps_per_day: 50, ..defaults::pool_caps() };
    let (mut fx, _lp) = deployed_with(caps).await;
    let whale = fx.user(300_000 * USDC, 0).await;
    assert_ok(&fx.mint(&whale, BTC_VAULT, 300_000 * USDC, 0, 0).await);
    // Settle Bear BTC too, so only Turbo BTC's charge is in play below.
    assert_ok(&fx.rebalance(BEAR_BTC_VAULT).await);

    let (pool, vault) = (fx.pool().await, fx.vault(BTC_VAULT).await);
    let book = pool.assets[vault.asset_index as usize];
    assert!(book.long_notional > book.short_notional, "Turbo BTC is on the heavy side");
    let net = (book.long_notional - book.short_notional) as u128;
    let value = (pool.usdc_balance - pool.treasury_usdc - pool.claims_owed) as u128;
    let cap = value * 30_000 / 10_000;
    // The notional times the utilization rounds up, then the charge rounds up: against the payer.
    assert!(net < cap);
    let price = fx.feed(Asset::Btc).quote.price as u128;
    let notional = (vault.exposure.unsigned_abs() as u128 * price).div_ceil(100_000_000_000);
    let used = (notional * net).div_ceil(cap);
    let day = 86_400u128;
    let expected = (used * 50 * day).div_ceil(10_000 * day) as u64;
    assert!(expected > 0);

    // A day passes at an unchanged price: the settlement realizes the funding and nothing else.
    fx.tick(86_400);
    let out = fx.rebalance(BTC_VAULT).await;
    assert_ok(&out);
    let s = out.events::<VaultSettledEvent>().into_iter().find(|s| s.vault == fx.v(BTC_VAULT).keys.vault).expect("Turbo BTC settled");
    assert_eq!(s.funding, expected);
    assert_eq!(s.pnl, -(expected as i64));
    assert_eq!(s.usdc_to_vault, -(expected as i64));

    let (pool_after, vault_after) = (fx.pool().await, fx.vault(BTC_VAULT).await);
    assert_eq!({ vault_after.funding_paid }, expected);
    assert_eq!({ pool_after.funding_earned }, expected);
    // Paid to the pool: its USDC grew by exactly the funding, besides the mint fee this
    // rebalance swept in and the keeper's bounty.
    let bounty = out.event::<RebalanceEvent>().bounty;
    let swept: u64 = out.events::<turbo::events::FeesSweptEvent>().iter().map(|f| f.usdc).sum();
    assert_eq!({ pool_after.usdc_balance }, { pool.usdc_balance } + expected + swept - bounty);
    // The light side pays nothing.
    assert_eq!({ fx.vault(BEAR_BTC_VAULT).await.funding_paid }, 0);
    fx.assert_books_balance().await;
}

/// The risk cap reads the asset's σ, sampled at every settlement of any of its vaults, not the
/// acting vault's own. Before, a second long SOL vault that had not settled through SOL's swings
/// read σ at the floor and minted past the cap that Turbo SOL's history had set.
#[tokio::test]
async fn the_risk_cap_reads_the_assets_sigma_not_the_acting_vaults() {
    let caps = PoolCaps { max_daily_loss_bps: 1_000, risk_z_centi: 300, vol_floor_bps: 1_000, ..defaults::pool_caps() };
    let (mut fx, _lp) = deployed_with(caps).await;
    const SOL_2: u16 = 6;
    assert_ok(&fx.create_vault_now(SOL_2, "Turbo SOL 2", "tSOL2", Asset::Sol, defaults::turbo_params(), 1_000 * USDC).await);
    let whale = fx.user(400_000 * USDC, 0).await;
    assert_ok(&fx.mint(&whale, SOL_VAULT, 150_000 * USDC, 0, 0).await);
    // SOL swings ±5% a minute; only Turbo SOL settles through it.
    for i in 0..16 {
        fx.tick(61);
        fx.move_price(Asset::Sol, if i % 2 == 0 { 500 } else { -476 });
        assert_ok(&fx.rebalance(SOL_VAULT).await);
    }
    let (turbo_sol, second) = (fx.vault(SOL_VAULT).await, fx.vault(SOL_2).await);
    assert_eq!({ second.variance_rate }, 0, "tSOL2 has not settled since it opened");
    let asset = fx.pool().await.assets[second.asset_index as usize];
    assert_eq!({ asset.variance_rate }, { turbo_sol.variance_rate }, "the asset sampled at Turbo SOL's settlements");
    assert!(turbo_math::daily_vol_bps(asset.variance_rate).unwrap() > 1_500);

    // Growing the long side through tSOL2 is refused by the cap at the asset's σ, and moves
    // nothing.
    let minnow = fx.user(1_000 * USDC, 0).await;
    let out = fx.mint(&minnow, SOL_2, 1_000 * USDC, 0, 0).await;
    assert_error(&out, TurboError::RiskCapExceeded);
    assert_eq!(fx.balance(minnow.usdc).await, 1_000 * USDC);
    fx.assert_books_balance().await;
}
