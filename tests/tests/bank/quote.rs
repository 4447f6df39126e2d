//! The read-only quotes clients simulate instead of copying the protocol's math
//! (docs/design.md §5.7): `quote` for a vault, `quote_pool` for the LP valuation.

use anchor_lang::error::ErrorCode as Anchor;
use turbo::error::TurboError;
use turbo::events::{LiquidityDepositedEvent, LiquidityWithdrawnEvent, PoolQuotedEvent, RebalanceAction, VaultQuotedEvent};
use turbo_sdk::ix;
use turbo_tests::*;

use crate::rebalance::keeper_call;

const TRIM: RebalanceAction = RebalanceAction::Trim;
const IN_BAND: RebalanceAction = RebalanceAction::InBand;

/// Simulate the read-only `quote` of vault `id` and return its event.
async fn quote(fx: &mut Fixture, id: u16) -> VaultQuotedEvent {
    let ix = ix::quote(&fx.d, &fx.v(id));
    let out = fx.simulate(&[ix], &[]).await;
    assert_ok(&out);
    out.event()
}

/// The quote agrees with the rebalance plan at the same prices (NAV, token price, leverage,
/// band, what a call would do), and its trim price is where trimming starts: a little above it
/// a rebalance stays in band, a little below it a rebalance trims.
#[tokio::test]
async fn quote_names_the_price_of_the_next_trim() {
    let (mut fx, _lp) = Fixture::deployed().await;
    fx.tick(30);
    let q = quote(&mut fx, BTC_VAULT).await;
    let plan = fx.preview_rebalance(BTC_VAULT).await;
    assert_eq!(q.nav, plan.nav.0);
    assert_eq!(q.leverage, plan.decision.leverage.expect("equity").0);
    assert_eq!((q.band_lo, q.band_hi, q.effective_target), (plan.decision.lo, plan.decision.hi, plan.target.0));
    assert_eq!(q.action, IN_BAND);
    assert_eq!(q.supply, fx.supply(fx.v(BTC_VAULT).keys.mint).await);
    assert_eq!(q.price as i64, fx.feed(Asset::Btc).quote.price);
    let pool = fx.pool().await;
    assert_eq!(q.gross_notional, pool.gross_notional().unwrap().0);
    assert_eq!(q.asset_net, pool.assets[0].book().net().0);
    assert!(q.asset_net <= q.net_cap && q.gross_notional <= q.gross_cap && q.gross_cap < q.pool_book_value * 10, "{q:?}");
    // A 3x long at the top of its band: the trim is at or below the price, the re-leverage above
    // it, the emergency lower still.
    assert!(q.emergency_price < q.trim_price && q.trim_price <= q.price && q.price < q.relever_price, "{q:?}");

    let conf = fx.feed(Asset::Btc).quote.conf;
    fx.tick(30);
    fx.set_price(Asset::Btc, (q.trim_price + q.trim_price / 1_000) as i64, conf);
    let e = keeper_call(&mut fx, BTC_VAULT).await;
    assert_eq!(e.action, IN_BAND, "0.1% above the trim price");
    assert_eq!((e.band_lo, e.band_hi), (q.band_lo, q.band_hi));
    assert_eq!(e.leverage_before, quote(&mut fx, BTC_VAULT).await.leverage);

    let q = quote(&mut fx, BTC_VAULT).await;
    fx.tick(30);
    fx.set_price(Asset::Btc, (q.trim_price - q.trim_price / 1_000) as i64, conf);
    let e = keeper_call(&mut fx, BTC_VAULT).await;
    assert_eq!(e.action, TRIM, "0.1% below the trim price");
    assert!(e.leverage_before > q.band_hi as i64 && e.leverage_before < q.band_hi as i64 + 20_000, "{}", e.leverage_before);
}

/// Simulate `quote_pool` and return its event.
async fn quote_pool(fx: &mut Fixture) -> PoolQuotedEvent {
    let vaults = fx.vaults_priced(|v| v.price);
    let ix = ix::quote_pool(&fx.d, &vaults);
    let out = fx.simulate(&[ix], &[]).await;
    assert_ok(&out);
    out.event()
}

/// The pool quote is the valuation a deposit and a withdrawal use: a deposit is priced at the
/// high value and a withdrawal at the low one, at the same prices, to the micro-dollar.
#[tokio::test]
async fn quote_pool_is_the_value_deposits_and_withdrawals_use() {
    let (mut fx, _) = Fixture::deployed().await;
    let lp = fx.user(10_000 * USDC, 0).await;
    fx.tick(30);
    fx.move_price(Asset::Btc, -300);
    let q = quote_pool(&mut fx).await;
    assert!(q.value_low <= q.value_high && q.value_low > 0, "{q:?}");
    assert_eq!(q.lp_supply, fx.supply(turbo_sdk::pda::lp_mint()).await);
    assert_eq!(q.share_price_low, (q.value_low as u128 * 1_000_000 / q.lp_supply as u128) as u64);

    let out = fx.deposit_liquidity(&lp, 1_000 * USDC).await;
    assert_ok(&out);
    assert_eq!(out.event::<LiquidityDepositedEvent>().pool_value, q.value_high);

    let q = quote_pool(&mut fx).await;
    let out = fx.withdraw_liquidity(&lp, 1_000_000).await;
    assert_ok(&out);
    assert_eq!(out.event::<LiquidityWithdrawnEvent>().pool_value, q.value_low);
}

/// A quote reads only what it is given and refuses what does not belong together: another
/// vault's mint, a stale price, a vault list that leaves one out.
#[tokio::test]
async fn quotes_refuse_swapped_accounts_and_stale_prices() {
    let (mut fx, _) = Fixture::deployed().await;
    let mut ix = ix::quote(&fx.d, &fx.v(BTC_VAULT));
    ix.accounts[3].pubkey = fx.v(SOL_VAULT).keys.mint;
    assert_error(&fx.simulate(&[ix], &[]).await, Anchor::ConstraintHasOne);

    let mut ix = ix::quote(&fx.d, &fx.v(BTC_VAULT));
    ix.accounts[4].pubkey = fx.v(SOL_VAULT).price;
    assert_error(&fx.simulate(&[ix], &[]).await, TurboError::PriceFeedMismatch);

    let vaults = fx.vaults_priced(|v| v.price);
    let ix = ix::quote_pool(&fx.d, &vaults[1..]);
    assert_error(&fx.simulate(&[ix], &[]).await, TurboError::VaultListMismatch);

    // A price older than the vault's limit: the keeper's age rule applies to a quote too.
    let max_age = fx.vault(BTC_VAULT).await.params.max_price_age_secs as i64;
    fx.advance(max_age + 1);
    let ix = ix::quote(&fx.d, &fx.v(BTC_VAULT));
    assert_error(&fx.simulate(&[ix], &[]).await, TurboError::StalePrice);
}
