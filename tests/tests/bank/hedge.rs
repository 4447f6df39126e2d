//! The hedged pool on the bank (docs/design.md §5.6): custodies of a BTC token and of wrapped
//! SOL, LP deposits and withdrawals in each, the lock that follows the vaults' net long through
//! every mint, redeem, trim, re-leverage and emergency, the caps on the residual and on the
//! hedge, the swap with its fees and every refusal, and the attacks a custody invites.

use solana_sdk::signature::Signer;
use turbo::error::TurboError;
use turbo::events::{
    CustodyCreatedEvent, CustodyDepositedEvent, CustodySwappedEvent, CustodyWithdrawnEvent, EmergencyCause, EmergencyDeleverageEvent,
    RebalanceEvent, VaultSettledEvent,
};
use turbo::state::{CustodyParams, Pause};
use turbo_math::{units_ceil, Exposure, TokenAmount};
use turbo_sdk::{defaults, ix};
use turbo_tests::*;

/// One whole BTC token (8 decimals) and one whole SOL (9).
const BTC: u64 = 100_000_000;
const SOL: u64 = 1_000_000_000;

/// The deployment with BTC and SOL custodies opened before launch, and an LP (not the admin)
/// holding 10 BTC and 1,000 SOL.
async fn hedged() -> (Fixture, User) {
    let (mut fx, _admin_lp) = Fixture::deployed().await;
    assert_ok(&fx.create_custody(Asset::Btc, defaults::custody_params()).await);
    assert_ok(&fx.create_custody(Asset::Sol, defaults::custody_params()).await);
    let lp = fx.user(0, 0).await;
    fx.fund_asset(&lp, Asset::Btc, 10 * BTC).await;
    fx.fund_asset(&lp, Asset::Sol, 1_000 * SOL).await;
    (fx, lp)
}

/// Σ exposure of every vault of `asset`, read from the vaults themselves (an independent count
/// of what the pool's hedge sums).
async fn net_of(fx: &mut Fixture, asset: Asset) -> i64 {
    let feed = asset.feed_id();
    let mut net = 0i64;
    for v in fx.all_vaults() {
        let vault = fx.vault(v.keys.id).await;
        if vault.feed_id == feed {
            net += vault.exposure;
        }
    }
    net
}

/// The custody's books equal its reserve, and its lock is exactly what the vaults' net long needs
/// (rounded up to the token's unit), within the utilization cap.
async fn assert_hedge_books(fx: &mut Fixture, asset: Asset) {
    let i = fx.asset_index(asset).await as usize;
    let keys = fx.custody_keys(asset).await;
    let h = fx.pool().await.hedges[i];
    assert_eq!(fx.balance(keys.reserve).await, { h.owned }, "{asset:?} custody reserve");
    let net = net_of(fx, asset).await;
    assert_eq!({ h.net_exposure }, net, "{asset:?} net exposure");
    let need = if net > 0 { units_ceil(net as u64, h.decimals).unwrap().0 } else { 0 };
    let room = turbo_math::Bps({ h.max_util_bps } as u64).of_floor(h.owned).unwrap();
    assert_eq!({ h.locked }, need.min(room), "{asset:?} locked");
}

#[tokio::test]
async fn a_custody_opens_for_an_asset_with_a_vault_with_bounded_parameters() {
    let (mut fx, _lp) = Fixture::deployed().await;
    let admin = fx.admin.pubkey();
    let p = defaults::custody_params();
    // An asset slot no vault opened.
    let ix = ix::create_custody(admin, fx.custody_mint(Asset::Btc), None, turbo::args::CreateCustodyArgs { asset_index: 5, params: p });
    assert_error(&fx.send(&[ix], &[]).await, TurboError::CustodyMismatch);
    // Parameters out of bounds: more than 99% locked, a target over the cap, a swap fee over 5%.
    for bad in [
        CustodyParams { max_util_bps: 9_901, ..p },
        CustodyParams { target_util_bps: 9_600, ..p },
        CustodyParams { swap_fee_bps: 501, ..p },
        CustodyParams { max_trade_per_slot: 0, ..p },
    ] {
        assert_error(&fx.create_custody(Asset::Btc, bad).await, TurboError::HedgeParamsOutOfBounds);
    }
    // Not the admin.
    let stranger = fx.user(0, 0).await;
    let ix = ix::create_custody(
        stranger.pubkey(),
        fx.custody_mint(Asset::Btc),
        None,
        turbo::args::CreateCustodyArgs { asset_index: 0, params: p },
    );
    assert_error(&fx.send(&[ix], &[&stranger.key]).await, TurboError::Unauthorized);

    let out = fx.create_custody(Asset::Btc, p).await;
    assert_ok(&out);
    let e = out.event::<CustodyCreatedEvent>();
    let keys = fx.custody_keys(Asset::Btc).await;
    assert_eq!((e.asset_index, e.mint, e.reserve, e.decimals), (0, fx.bank.btc_mint, keys.reserve, 8));
    let h = fx.pool().await.hedges[0];
    assert_eq!((h.enabled, h.decimals, { h.owned }, { h.locked }, { h.max_util_bps }), (1, 8, 0, 0, 9_500));
    // The asset's exposure was kept all along: Turbo BTC's seed long less Bear BTC's seed short.
    assert_eq!({ h.net_exposure }, net_of(&mut fx, Asset::Btc).await);
    assert!({ h.net_exposure } > 0);

    // Once anyone else's money is in, a custody waits for the timelock.
    let user = fx.user(10_000 * USDC, 0).await;
    assert_ok(&fx.mint(&user, SOL_VAULT, 1_000 * USDC, 0, 0).await);
    let ix = ix::create_custody(admin, fx.custody_mint(Asset::Sol), None, turbo::args::CreateCustodyArgs { asset_index: 1, params: p });
    assert_error(&fx.send(&[ix], &[]).await, TurboError::ChangeNeedsTimelock);
    assert_ok(&fx.create_custody(Asset::Sol, p).await);
    assert_eq!(fx.pool().await.hedges[1].decimals, 9);
}

#[tokio::test]
async fn an_lp_deposits_and_withdraws_btc_and_sol_at_the_oracle_price() {
    let (mut fx, lp) = hedged().await;
    for (asset, amount, price) in [(Asset::Btc, 2 * BTC, 60_000u64), (Asset::Sol, 400 * SOL, 150)] {
        let before_shares = fx.balance(lp.lp()).await;
        let out = fx.deposit_custody(&lp, asset, amount).await;
        assert_ok(&out);
        let e = out.event::<CustodyDepositedEvent>();
        // Valued at the oracle price (no confidence interval here): $120,000 and $60,000.
        assert_eq!(e.value, amount / if asset == Asset::Btc { BTC } else { SOL } * price * USDC);
        // The fee is the base 10 bps plus the impact of moving the custody past its target.
        assert!(e.fee >= (e.value / 1_000) as i64, "{e:?}");
        assert_eq!(fx.balance(lp.lp()).await - before_shares, e.shares_out);
        assert_eq!(fx.balance(fx.asset_account(&lp, asset)).await, if asset == Asset::Btc { 8 * BTC } else { 600 * SOL });
        assert_hedge_books(&mut fx, asset).await;
    }
    fx.assert_books_balance().await;
    // Half the shares back in BTC: paid from what is not locked, at the oracle price, less the
    // base fee; the impact of moving toward the target is a rebate.
    let shares = fx.balance(lp.lp()).await / 4;
    let btc_before = fx.balance(fx.asset_account(&lp, Asset::Btc)).await;
    let out = fx.withdraw_custody(&lp, Asset::Btc, shares).await;
    assert_ok(&out);
    let w = out.event::<CustodyWithdrawnEvent>();
    assert_eq!(fx.balance(fx.asset_account(&lp, Asset::Btc)).await - btc_before, w.amount_out);
    let value_of_out = TokenAmount(w.amount_out).value_floor(8, turbo_math::Price(60_000 * PX as u64)).unwrap().0;
    // Less the fee, to one satoshi ($0.0006 at $60,000) of rounding down.
    assert!(value_of_out <= w.value_out && value_of_out as i128 >= w.value_out as i128 - w.fee as i128 - 600, "{w:?}");
    assert_hedge_books(&mut fx, Asset::Btc).await;
    fx.assert_books_balance().await;
}

#[tokio::test]
async fn the_lock_follows_the_net_long_through_mint_trim_relever_emergency_and_redeem() {
    let (mut fx, lp) = hedged().await;
    assert_ok(&fx.deposit_custody(&lp, Asset::Btc, 10 * BTC).await);
    let user = fx.user(200_000 * USDC, 0).await;
    // A $100,000 mint: $99,500 at 3x is 4.975 BTC long more, locked.
    assert_ok(&fx.mint(&user, BTC_VAULT, 100_000 * USDC, 0, 0).await);
    assert_hedge_books(&mut fx, Asset::Btc).await;
    let locked = { fx.pool().await.hedges[0].locked };
    assert!((4 * BTC..5 * BTC).contains(&locked), "{locked}");
    // A 3% fall: the vault trims a step, and the lock with it.
    fx.tick(30);
    fx.move_price(Asset::Btc, -300);
    let e = fx.rebalance(BTC_VAULT).await;
    assert_ok(&e);
    assert!(e.event::<RebalanceEvent>().exposure_after < e.event::<RebalanceEvent>().exposure_before);
    assert_hedge_books(&mut fx, Asset::Btc).await;
    assert!({ fx.pool().await.hedges[0].locked } < locked);
    // A rise: it re-levers, and locks more.
    let trimmed = { fx.pool().await.hedges[0].locked };
    fx.tick(30);
    fx.move_price(Asset::Btc, 800);
    assert_ok(&fx.rebalance(BTC_VAULT).await);
    assert_hedge_books(&mut fx, Asset::Btc).await;
    assert!({ fx.pool().await.hedges[0].locked } > trimmed);
    // A fall past the emergency level: straight to the target.
    fx.tick(1);
    fx.move_price(Asset::Btc, -1_500);
    assert_ok(&fx.rebalance(BTC_VAULT).await);
    assert_hedge_books(&mut fx, Asset::Btc).await;
    // Everything redeemed: the lock falls back to the seeds' net.
    fx.tick(30);
    let tokens = fx.tokens(&user, BTC_VAULT).await;
    assert_ok(&fx.redeem(&user, BTC_VAULT, tokens).await);
    assert_hedge_books(&mut fx, Asset::Btc).await;
    fx.assert_books_balance().await;
}

/// A re-leverage the caps refuse is undone in the custody's sums too, not only in the asset's
/// book: a refusal that left the hedge's net long behind would lock tokens no vault needs, and
/// an arbitrageur would steer the custody toward a target nobody holds.
#[tokio::test]
async fn a_relever_the_caps_refuse_leaves_the_hedge_as_it_was() {
    let (mut fx, lp) = hedged().await;
    assert_ok(&fx.update_pool_caps(defaults::pool_caps()).await);
    assert_ok(&fx.deposit_custody(&lp, Asset::Btc, BTC).await);
    let user = fx.user(1_000_000 * USDC, 0).await;
    let q = fx.quote(BTC_VAULT).await;
    assert_ok(&fx.mint(&user, BTC_VAULT, q.capacity / 3 * 99 / 100, 0, 0).await);
    let before = fx.pool().await.hedges[0];
    // A 20% rise, past what the mints' headroom holds: the residual still fits its cap (a residual over it would bring the heavy side
    // down), but the vault asks to re-lever past what the full hedge and the residual caps back.
    fx.tick(30);
    fx.move_price(Asset::Btc, 2_000);
    let q = fx.quote(BTC_VAULT).await;
    assert!(q.residual < q.net_cap && q.effective_target == 3_000_000, "{q:?}");
    let out = fx.rebalance(BTC_VAULT).await;
    assert_ok(&out);
    let e = out.event::<RebalanceEvent>();
    assert_eq!(e.exposure_after, e.exposure_before, "the re-leverage was refused");
    let after = fx.pool().await.hedges[0];
    assert_eq!({ after.net_exposure }, { before.net_exposure });
    assert_eq!({ after.long_exposure }, { before.long_exposure });
    assert_eq!({ after.locked }, { before.locked });
    assert_hedge_books(&mut fx, Asset::Btc).await;
}

#[tokio::test]
async fn a_mint_past_a_full_hedge_and_the_risk_cap_is_refused_and_the_quote_says_what_fits() {
    let (mut fx, lp) = hedged().await;
    assert_ok(&fx.update_pool_caps(defaults::pool_caps()).await);
    // A custody of 1 BTC: 0.95 may lock ($57,000 of hedge).
    assert_ok(&fx.deposit_custody(&lp, Asset::Btc, BTC).await);
    let q = fx.quote(BTC_VAULT).await;
    assert!(q.capacity > 0 && q.hedge_owned == BTC, "{q:?}");
    // A mint whose notional is the capacity fits (its fee aside: the mint's notional is 3x its
    // net deposit); one a fifth over it is refused, with HedgeFull: more custody would fit it.
    let user = fx.user(1_000_000 * USDC, 0).await;
    let too_much = q.capacity / 3 * 6 / 5 + 1_000 * USDC;
    assert_error(&fx.mint(&user, BTC_VAULT, too_much, 0, 0).await, TurboError::HedgeFull);
    let fits = q.capacity / 3 * 99 / 100;
    assert_ok(&fx.mint(&user, BTC_VAULT, fits, 0, 0).await);
    let after = fx.quote(BTC_VAULT).await;
    assert!(after.capacity < q.capacity / 20, "{after:?}");
    assert_eq!(after.hedge_locked, 95_000_000, "the whole 95% locked");
    assert_eq!(after.utilization_bps, 9_500, "the quote carries the book's utilization");
    assert_hedge_books(&mut fx, Asset::Btc).await;
}

#[tokio::test]
async fn the_gap_cap_refuses_a_hedge_past_what_a_stress_gap_may_cost() {
    let (mut fx, lp) = hedged().await;
    // A tight gap cap: 1% of the pool on a 50% gap: a 3x hedge of at most 6% of the pool.
    assert_ok(&fx.update_pool_caps(turbo::state::PoolCaps { gap_budget_bps: 100, ..defaults::pool_caps() }).await);
    assert_ok(&fx.deposit_custody(&lp, Asset::Btc, 10 * BTC).await);
    let q = fx.quote(BTC_VAULT).await;
    assert!(q.gap_cap > 0 && q.capacity <= q.gap_cap - q.hedged, "{q:?}");
    let user = fx.user(1_000_000 * USDC, 0).await;
    assert_error(&fx.mint(&user, BTC_VAULT, q.gap_cap / 2, 0, 0).await, TurboError::GapCapExceeded);
    assert_ok(&fx.mint(&user, BTC_VAULT, q.capacity / 3 * 99 / 100, 0, 0).await);
}

/// The hedged deployment with a tight gap cap (1% of the pool on a 50% gap, so that it binds
/// before the custody's tokens do), 10 BTC in the BTC custody, and a user holding $1,000,000.
async fn tight_gap() -> (Fixture, User) {
    let (mut fx, lp) = hedged().await;
    assert_ok(&fx.update_pool_caps(turbo::state::PoolCaps { gap_budget_bps: 100, ..defaults::pool_caps() }).await);
    assert_ok(&fx.deposit_custody(&lp, Asset::Btc, 10 * BTC).await);
    let user = fx.user(1_000_000 * USDC, 0).await;
    (fx, user)
}

/// New mints leave headroom under the caps for the holders already in: a mint may fill the gap
/// cap only to `MINT_CAP_SHARE_BPS` of it, and the re-leverage a rally asks of those holders may
/// use the rest, so the pool's caps do not push existing holders out of their band
/// (docs/decisions.md, "Headroom for the holders already in").
#[tokio::test]
async fn a_mint_leaves_headroom_under_the_gap_cap_that_a_relever_may_use() {
    let (mut fx, user) = tight_gap().await;
    let q = fx.quote(BTC_VAULT).await;
    let mint_line = (q.gap_cap as u128 * turbo::constants::MINT_CAP_SHARE_BPS as u128 / 10_000) as u64;
    assert!(q.capacity <= mint_line - q.hedged, "the quote's capacity is a mint's: {q:?}");
    assert_ok(&fx.mint(&user, BTC_VAULT, q.capacity / 3 * 99 / 100, 0, 0).await);
    let q = fx.quote(BTC_VAULT).await;
    assert!(q.hedged <= mint_line && q.hedged > mint_line * 95 / 100, "{q:?}");
    // The next mint would pass the mint line: refused, though the gap cap itself has room.
    assert_error(&fx.mint(&user, BTC_VAULT, q.gap_cap / 20, 0, 0).await, TurboError::GapCapExceeded);
    // A 3% rise takes the vault under its band; its re-leverage may use the headroom.
    fx.tick(30);
    fx.move_price(Asset::Btc, 300);
    let out = fx.rebalance(BTC_VAULT).await;
    assert_ok(&out);
    let e = out.event::<RebalanceEvent>();
    assert!(e.exposure_after > e.exposure_before && e.leverage_after >= 2_900_000, "the re-leverage landed: {e:?}");
    let q = fx.quote(BTC_VAULT).await;
    assert!(q.hedged > mint_line && q.hedged <= q.gap_cap, "{q:?}");
    assert_hedge_books(&mut fx, Asset::Btc).await;
    fx.assert_books_balance().await;
}

/// A rally is not an emergency: it books the hedged long at a higher price, past the gap cap
/// sized at the target, but it lowers the vault's leverage faster, so its loss on the stress gap
/// (`N · g − E`) falls. The gap cap is read at the vault's own leverage when that is under its
/// target: the vault is not trimmed (its re-leverage waits for room), where it was cut further
/// below its band before (docs/decisions.md, "A rally is not an emergency").
#[tokio::test]
async fn a_rally_past_the_gap_cap_at_the_target_does_not_trim_the_hedged_long() {
    let (mut fx, user) = tight_gap().await;
    let q = fx.quote(BTC_VAULT).await;
    assert_ok(&fx.mint(&user, BTC_VAULT, q.capacity / 3 * 99 / 100, 0, 0).await);
    fx.tick(30);
    fx.move_price(Asset::Btc, 6_000);
    let out = fx.rebalance(BTC_VAULT).await;
    assert_ok(&out);
    let e = out.event::<RebalanceEvent>();
    assert_eq!((e.exposure_after, e.effective_target), (e.exposure_before, 3_000_000), "{e:?}");
    assert!(out.events::<EmergencyDeleverageEvent>().is_empty(), "a rally declares no emergency");
    let q = fx.quote(BTC_VAULT).await;
    // At the target's reading the hedge is over its cap; at the vault's own leverage it is not.
    assert!(q.hedged > q.gap_cap, "{q:?}");
    assert_eq!((e.exposure_after, e.effective_target), (e.exposure_before, 3_000_000), "{e:?}");
    assert!(e.leverage_after < 2_000_000, "{e:?}");
    assert_hedge_books(&mut fx, Asset::Btc).await;
    fx.assert_books_balance().await;
}

/// The gap cap is a ceiling the heavy side is held to, not only a check on mints: when the hedged
/// part passes it with no mint (here the admin halves the gap budget; a fall in the pool's value
/// does the same), the next rebalance brings the heavy side's target down pro rata to
/// `L · gap cap / net`, and the vault trims by steps until the hedge fits the cap read at its
/// own leverage.
#[tokio::test]
async fn a_hedge_past_a_tightened_gap_cap_is_brought_down_at_the_next_rebalance() {
    let (mut fx, lp) = hedged().await;
    assert_ok(&fx.update_pool_caps(defaults::pool_caps()).await);
    assert_ok(&fx.deposit_custody(&lp, Asset::Btc, 10 * BTC).await);
    let user = fx.user(1_000_000 * USDC, 0).await;
    let q = fx.quote(BTC_VAULT).await;
    assert_ok(&fx.mint(&user, BTC_VAULT, q.capacity / 3 * 99 / 100, 0, 0).await);
    let q = fx.quote(BTC_VAULT).await;
    assert!(q.hedged <= q.gap_cap && q.effective_target == 3_000_000, "{q:?}");
    // The budget halved (a tightening applies at once): the hedge is now over its gap cap.
    let caps = defaults::pool_caps();
    assert_ok(&fx.update_pool_caps(turbo::state::PoolCaps { gap_budget_bps: caps.gap_budget_bps / 2, ..caps }).await);
    fx.tick(30);
    let q = fx.quote(BTC_VAULT).await;
    assert!(q.hedged > q.gap_cap, "{q:?}");
    // The vault is the asset's only long: each step aims at `L · cap(L) / net`, the leverage at
    // which the net fits the gap cap read at the vault's own leverage L (under its target, a
    // lower L covers more of the stress gap: docs/decisions.md, "A rally is not an emergency").
    let (budget, stress) = (turbo_math::Bps(caps.gap_budget_bps as u64 / 2), turbo_math::Bps(caps.stress_gap_bps as u64));
    let cap_at =
        |value: u64, lev: i64| turbo_math::gap_cap(turbo_math::Usd(value), budget, stress, turbo_math::Lev(lev)).unwrap().unwrap().0;
    // (The quote's leverage is rounded down; the program scales the exact one: two units apart.)
    let expected = (q.leverage as u128 * cap_at(q.pool_book_value, q.leverage) as u128 / q.asset_net as u128) as i64;
    assert!((q.effective_target - expected).abs() <= 2, "{} vs {expected}", q.effective_target);
    let mut steps = 0;
    loop {
        let out = fx.rebalance(BTC_VAULT).await;
        assert_ok(&out);
        let e = out.event::<RebalanceEvent>();
        if e.exposure_after == e.exposure_before {
            assert!(out.events::<EmergencyDeleverageEvent>().is_empty(), "the emergency is over");
            break;
        }
        assert!(e.exposure_after < e.exposure_before && e.effective_target < 3_000_000, "{e:?}");
        // Every step of the cut declares the emergency: the cap it is over, the room and the net,
        // and the target it cuts to, the same for every vault on the heavy side.
        let cut = out.event::<EmergencyDeleverageEvent>();
        assert_eq!((cut.cause, cut.target, cut.effective_target), (EmergencyCause::GapCap, 3_000_000, e.effective_target), "{cut:?}");
        assert!(cut.room < cut.net && cut.asset_index == 0, "{cut:?}");
        if steps == 0 {
            assert_eq!(cut.net, q.asset_net, "{cut:?}");
        }
        steps += 1;
        fx.tick(30);
    }
    // Two steps of 5% of the leverage (from 2.85x) leave the hedge within its cap at the
    // vault's leverage, and the target back at 3x: the re-leverage toward it is what the caps
    // now refuse. (The custody's 9 lockable BTC are the hedge; the rest of the net is residual.)
    let after = fx.quote(BTC_VAULT).await;
    let cap = cap_at(after.pool_book_value, after.leverage);
    assert!(after.hedged <= cap && after.hedged > after.gap_cap, "{after:?} {cap}");
    assert_eq!((steps, after.effective_target, after.action), (2, 3_000_000, turbo::events::RebalanceAction::InBand));
    assert_hedge_books(&mut fx, Asset::Btc).await;
    fx.assert_books_balance().await;
}

#[tokio::test]
async fn locked_custody_cannot_leave_by_withdrawal_or_swap() {
    let (mut fx, lp) = hedged().await;
    assert_ok(&fx.deposit_custody(&lp, Asset::Btc, 2 * BTC).await);
    let user = fx.user(200_000 * USDC, 0).await;
    fx.fund_asset(&user, Asset::Btc, 0).await;
    assert_ok(&fx.mint(&user, BTC_VAULT, 30_000 * USDC, 0, 0).await);
    let h = fx.pool().await.hedges[0];
    assert!({ h.locked } > BTC, "{h:?}");
    // All the LP's shares, in BTC: more than may leave.
    let shares = fx.balance(lp.lp()).await;
    assert_error(&fx.withdraw_custody(&lp, Asset::Btc, shares).await, TurboError::CustodyLocked);
    // A swap for 2 BTC worth of USDC: more than may leave.
    assert_error(&fx.swap(&user, Asset::Btc, false, 120_000 * USDC, 0).await, TurboError::CustodyLocked);
    assert_hedge_books(&mut fx, Asset::Btc).await;
    fx.assert_books_balance().await;
}

#[tokio::test]
async fn a_swap_earns_a_rebate_toward_the_target_and_pays_away_from_it() {
    let (mut fx, lp) = hedged().await;
    let user = fx.user(2_000_000 * USDC, 0).await;
    fx.fund_asset(&user, Asset::Btc, 10 * BTC).await;
    // The vaults' net long grows (2.5 BTC), so the empty custody is under its target (3.1 BTC):
    // selling BTC to the pool earns a rebate on top of the value, net of the base fee.
    assert_ok(&fx.mint(&user, BTC_VAULT, 50_000 * USDC, 0, 0).await);
    let usdc_before = fx.balance(user.usdc).await;
    let out = fx.swap(&user, Asset::Btc, true, BTC, 0).await;
    assert_ok(&out);
    let e = out.event::<CustodySwappedEvent>();
    assert_eq!(e.value, 60_000 * USDC);
    assert!(e.fee < 0, "toward the target: a rebate net of the base fee: {e:?}");
    assert_eq!(fx.balance(user.usdc).await - usdc_before, (e.value as i64 - e.fee) as u64);
    assert_eq!(e.amount_out, (e.value as i64 - e.fee) as u64);
    assert_hedge_books(&mut fx, Asset::Btc).await;
    // Far past the target (11 BTC against 3.1): selling it more BTC pays, buying the pool's BTC
    // back is a rebate.
    assert_ok(&fx.deposit_custody(&lp, Asset::Btc, 10 * BTC).await);
    let out = fx.swap(&user, Asset::Btc, true, BTC / 10, 0).await;
    assert_ok(&out);
    assert!(out.event::<CustodySwappedEvent>().fee > 600 * USDC as i64 / 100, "{:?}", out.event::<CustodySwappedEvent>());
    let out = fx.swap(&user, Asset::Btc, false, 6_000 * USDC, 0).await;
    assert_ok(&out);
    let back = out.event::<CustodySwappedEvent>();
    assert!(back.fee < 0, "{back:?}");
    assert_hedge_books(&mut fx, Asset::Btc).await;
    fx.assert_books_balance().await;
}

#[tokio::test]
async fn a_swap_is_refused_past_its_bounds_with_each_reason_and_moves_nothing() {
    let (mut fx, lp) = hedged().await;
    assert_ok(&fx.deposit_custody(&lp, Asset::Btc, 5 * BTC).await);
    let user = fx.user(2_000_000 * USDC, 0).await;
    fx.fund_asset(&user, Asset::Btc, 40 * BTC).await;
    let usdc_before = fx.balance(user.usdc).await;
    // Slippage: asking for more than the trade pays.
    assert_error(&fx.swap(&user, Asset::Btc, true, BTC, 61_000 * USDC).await, TurboError::SlippageExceeded);
    // Nothing asked.
    assert_error(&fx.swap(&user, Asset::Btc, true, 0, 0).await, TurboError::ZeroAmount);
    // A slot's trades past the custody's bound ($1,000,000): 17 BTC is $1,020,000.
    assert_error(&fx.swap(&user, Asset::Btc, true, 17 * BTC, 0).await, TurboError::SwapSizeExceeded);
    // Two swaps in one slot add up.
    let one = fx.swap_ix(&user, Asset::Btc, true, 9 * BTC, 0).await;
    let two = fx.swap_ix(&user, Asset::Btc, true, 8 * BTC, 0).await;
    assert_error(&fx.send(&[one, two], &[&user.key]).await, TurboError::SwapSizeExceeded);
    // A stale price (a user's swap needs one published within 5 s).
    fx.advance(10);
    assert_error(&fx.swap(&user, Asset::Btc, true, BTC, 0).await, TurboError::PriceNotFresh);
    fx.tick(1);
    // Paused.
    assert_ok(&fx.send(&[ix::set_pause(fx.admin.pubkey(), None, turbo::args::SetPauseArgs::new(Pause::SWAP, true))], &[]).await);
    assert_error(&fx.swap(&user, Asset::Btc, true, BTC, 0).await, TurboError::SwapPaused);
    assert_ok(&fx.send(&[ix::set_pause(fx.admin.pubkey(), None, turbo::args::SetPauseArgs::new(Pause::SWAP, false))], &[]).await);
    // Another custody's reserve.
    let mut ix = fx.swap_ix(&user, Asset::Btc, true, BTC, 0).await;
    ix.accounts[4].pubkey = fx.custody_keys(Asset::Sol).await.reserve;
    assert_error(&fx.send(&[ix], &[&user.key]).await, TurboError::CustodyMismatch);
    // Another asset's price.
    let mut ix = fx.swap_ix(&user, Asset::Btc, true, BTC, 0).await;
    ix.accounts[8].pubkey = fx.feed(Asset::Sol).account;
    assert_error(&fx.send(&[ix], &[&user.key]).await, TurboError::PriceFeedMismatch);
    assert_eq!(fx.balance(user.usdc).await, usdc_before);
    assert_eq!(fx.balance(fx.asset_account(&user, Asset::Btc)).await, 40 * BTC);
    assert_hedge_books(&mut fx, Asset::Btc).await;
    fx.assert_books_balance().await;
}

/// The attacker's wealth at the oracle price: USDC plus BTC.
async fn wealth(fx: &mut Fixture, u: &User) -> i128 {
    let btc = fx.balance(fx.asset_account(u, Asset::Btc)).await;
    let p = fx.feed(Asset::Btc).quote.price as u64;
    fx.balance(u.usdc).await as i128 + TokenAmount(btc).value_floor(8, turbo_math::Price(p)).unwrap().0 as i128
}

#[tokio::test]
async fn a_sandwich_of_swaps_around_a_mint_does_not_pay() {
    let (mut fx, lp) = hedged().await;
    assert_ok(&fx.deposit_custody(&lp, Asset::Btc, 3 * BTC).await);
    let attacker = fx.user(1_000_000 * USDC, 0).await;
    fx.fund_asset(&attacker, Asset::Btc, 5 * BTC).await;
    let victim = fx.user(500_000 * USDC, 0).await;
    fx.open_token_account(&victim, &fx.v(BTC_VAULT)).await;
    let before = wealth(&mut fx, &attacker).await;
    // In one transaction: sell BTC to the pool (a rebate: the custody is under its target), the
    // victim's mint raises the target further, buy the BTC back.
    let front = fx.swap_ix(&attacker, Asset::Btc, true, 2 * BTC, 0).await;
    let mint = fx.mint_ix(&victim, BTC_VAULT, 20_000 * USDC, 0, 0).await;
    let back = fx.swap_ix(&attacker, Asset::Btc, false, 119_000 * USDC, 0).await;
    let out = fx.send(&[front.clone(), mint, back.clone()], &[&attacker.key, &victim.key]).await;
    assert_ok(&out);
    let after = wealth(&mut fx, &attacker).await;
    assert!(after < before, "the sandwich paid {}", after - before);
    // Around a mint large enough to lock the custody, the way back is refused outright.
    fx.tick(1);
    let big = fx.mint_ix(&victim, BTC_VAULT, 400_000 * USDC, 0, 0).await;
    let front = fx.swap_ix(&attacker, Asset::Btc, true, BTC, 0).await;
    let back = fx.swap_ix(&attacker, Asset::Btc, false, 59_000 * USDC, 0).await;
    assert_error(&fx.send(&[front, big, back], &[&attacker.key, &victim.key]).await, TurboError::CustodyLocked);
    assert_hedge_books(&mut fx, Asset::Btc).await;
    fx.assert_books_balance().await;
}

#[tokio::test]
async fn a_same_slot_deposit_and_withdrawal_in_btc_does_not_pay() {
    let (mut fx, lp) = hedged().await;
    assert_ok(&fx.deposit_custody(&lp, Asset::Btc, 5 * BTC).await);
    let user = fx.user(100_000 * USDC, 0).await;
    assert_ok(&fx.mint(&user, BTC_VAULT, 5_000 * USDC, 0, 0).await);
    fx.tick(1);
    // A new LP deposits 2 BTC and withdraws every share it got in BTC, in one transaction.
    let attacker = fx.user(0, 0).await;
    fx.fund_asset(&attacker, Asset::Btc, 2 * BTC).await;
    let before = wealth(&mut fx, &attacker).await;
    let dep = fx.deposit_custody_ix(&attacker, Asset::Btc, 2 * BTC, 0).await;
    let out = fx.simulate(std::slice::from_ref(&dep), &[&attacker.key]).await;
    let shares = out.event::<CustodyDepositedEvent>().shares_out;
    let wd = fx.withdraw_custody_ix(&attacker, Asset::Btc, shares, 0).await;
    assert_ok(&fx.send(&[dep, wd], &[&attacker.key]).await);
    assert_eq!(fx.balance(attacker.lp()).await, 0);
    let after = wealth(&mut fx, &attacker).await;
    assert!(after < before, "the round trip paid {}", after - before);
    assert_hedge_books(&mut fx, Asset::Btc).await;
    fx.assert_books_balance().await;
}

#[tokio::test]
async fn the_long_vaults_pay_the_utilization_fee_on_the_lock_with_time() {
    let (mut fx, lp) = hedged().await;
    assert_ok(&fx.deposit_custody(&lp, Asset::Btc, 10 * BTC).await);
    let user = fx.user(200_000 * USDC, 0).await;
    assert_ok(&fx.mint(&user, BTC_VAULT, 100_000 * USDC, 0, 0).await);
    let pool = fx.pool().await;
    let vault = fx.vault(BTC_VAULT).await;
    let h = pool.hedges[0];
    // A day later a rebalance settles the vault: it pays its share of the lock at 4% + 4%·u.
    fx.tick(86_400);
    let out = fx.rebalance(BTC_VAULT).await;
    assert_ok(&out);
    let s = out.event::<VaultSettledEvent>();
    let rate = turbo_math::utilization_rate(turbo_math::Bps(400), turbo_math::Bps(400), h.book().utilization().unwrap()).unwrap();
    let locked = h.book().hedged_value(turbo_math::Price(60_000 * PX as u64)).unwrap();
    let due = turbo_math::utilization_charge(locked, { vault.exposure } as u64, h.long_exposure, rate, 86_400).unwrap();
    assert_eq!(s.hedge_fee, due.0);
    assert!(due.0 > 0);
    assert_eq!({ fx.pool().await.hedges[0].fees_earned }, due.0);
    // Bear BTC is short: it pays none.
    fx.tick(30);
    let out = fx.rebalance(BEAR_BTC_VAULT).await;
    assert_ok(&out);
    assert!(out.events::<VaultSettledEvent>().iter().all(|e| e.hedge_fee == 0));
    fx.assert_books_balance().await;
}

#[tokio::test]
async fn lp_instructions_must_name_every_custody_price() {
    let (mut fx, lp) = hedged().await;
    let saved = fx.d.custody_prices;
    // Leaving out the custody prices.
    fx.d.custody_prices = ix::CustodyPrices::new(&[]);
    let admin_lp = fx.admin_as_user(10_000 * USDC).await;
    assert_error(&fx.deposit_liquidity(&admin_lp, 1_000 * USDC).await, TurboError::CustodyListMismatch);
    // A wrong asset's price for BTC's custody.
    fx.d.custody_prices = ix::CustodyPrices::new(&[fx.feed(Asset::Sol).account, fx.feed(Asset::Sol).account]);
    assert_error(&fx.deposit_liquidity(&admin_lp, 1_000 * USDC).await, TurboError::AssetPriceMismatch);
    fx.d.custody_prices = saved;
    assert_ok(&fx.deposit_liquidity(&admin_lp, 1_000 * USDC).await);
    // The custody's value counts in the pool's: a BTC deposit raises what a share is worth by
    // what it adds less its fee.
    let q0 = fx.simulate(&[ix::quote_pool(&fx.d, &fx.vaults)], &[]).await.event::<turbo::events::PoolQuotedEvent>();
    let out = fx.deposit_custody(&lp, Asset::Btc, BTC).await;
    let e = out.event::<CustodyDepositedEvent>();
    let q1 = fx.simulate(&[ix::quote_pool(&fx.d, &fx.vaults)], &[]).await.event::<turbo::events::PoolQuotedEvent>();
    assert!(q1.value_low >= q0.value_low + e.value - e.fee.max(0) as u64 - 2, "{q0:?} {q1:?} {e:?}");
    let _ = Exposure(0);
}
