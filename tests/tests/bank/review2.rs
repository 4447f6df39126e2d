//! One test per finding of the second security review (2026-12-02), each named for its ID
//! (`docs/reliability.md` maps every ID to its test or its decision). Each reproduces the
//! review's attack on the bank and asserts the specific error, or the exact amounts that show
//! it no longer pays.

use anchor_lang::prelude::Pubkey;
use solana_sdk::signature::Signer;
use turbo::args::*;
use turbo::constants::{FEED_DEAD_GRACE_SECS, MAX_EXIT_PAUSE_SECS, MAX_EXIT_PAUSE_STRETCH_SECS};
use turbo::error::TurboError;
use turbo::events::*;
use turbo::state::{Change, Pause, VaultParams};
use turbo_sdk::{defaults, ix};
use turbo_tests::*;

const HOUR: i64 = 3_600;

/// Move the clock to the next time whose remainder mod 10 is `rem` (at least 10 s on), so two
/// updates `now − 5` and `now + 6` fall in cells k and k + 2 of the 10 s price window: the
/// alignment the review's attacker waits for.
fn align(fx: &mut Fixture, rem: i64) {
    fx.tick(10);
    let wait = (rem - fx.now()).rem_euclid(10);
    fx.tick(wait);
}

/// The atomic mint → redeem of $200k of Turbo FET in one transaction, with the clock `lag`
/// seconds behind Pyth: one fresh update at `now − 5` and one +1% at `now + lag`. Returns what
/// the best accepted round trip paid back.
async fn fet_round_trip_at_lag(lag: i64) -> (Fixture, u64, Pubkey) {
    let (mut fx, _lp) = Fixture::deployed().await;
    let attacker = fx.user(200_000 * USDC, 0).await;
    align(&mut fx, 4);
    let now = fx.now();
    let p = fx.feed(Asset::Fet).quote.price;
    let older = fx.post(Asset::Fet, p, 0, now - 5);
    let ahead = fx.post(Asset::Fet, p + p / 100, 0, now + lag);
    fx.open_token_account(&attacker, &fx.v(FET_VAULT)).await;
    let mut candidates = Vec::new();
    for m in [older, ahead] {
        let mint = fx.mint_ix_at(&attacker, FET_VAULT, 200_000 * USDC, m);
        let sim = fx.simulate(std::slice::from_ref(&mint), &[&attacker.key]).await;
        if sim.result.is_err() {
            continue;
        }
        let tokens = sim.event::<MintEvent>().tokens_out;
        for r in [older, ahead] {
            candidates.push(vec![mint.clone(), fx.redeem_ix_at(&attacker, FET_VAULT, tokens, r)]);
        }
    }
    let (i, _) =
        fx.best(&candidates, &attacker.key, |o| o.event::<RedeemEvent>().usdc_out as i128).await.expect("some round trip is accepted");
    assert_ok(&fx.send(&candidates[i], &[&attacker.key]).await);
    let back = fx.balance(attacker.usdc).await;
    (fx, back, ahead)
}

// --- N-1: an update published ahead of the chain's clock ---

/// The review's N-1: with the clock 6 s behind Pyth, an update at `now + 6` and a fresh one at
/// `now − 5` fell in cells k and k + 2 and escaped each other, so the atomic round trip paid
/// +$2,920.30 on $200k. An update more than the fresh-price delay (5 s) ahead of the clock is now
/// refused, so the round trip returns exactly the fees; at a 5 s lag (the most the design
/// accepts) it returns the same.
#[tokio::test]
async fn n1_an_update_ahead_of_the_clock_cannot_escape_the_price_window() {
    let (mut fx, back, ahead) = fet_round_trip_at_lag(6).await;
    assert_eq!(back, 197_010 * USDC, "0.5% in, 1% of the rest out, nothing more");
    let user = fx.user(1_000 * USDC, 0).await;
    fx.open_token_account(&user, &fx.v(FET_VAULT)).await;
    let mint = fx.mint_ix_at(&user, FET_VAULT, 1_000 * USDC, ahead);
    assert_error(&fx.send(&[mint], &[&user.key]).await, TurboError::PriceAheadOfClock);
    // Keepers too: one time base for every caller.
    let (rebalance, keeper) = fx.rebalance_ix_at(FET_VAULT, ahead);
    assert_error(&fx.send(&[rebalance], &[&keeper]).await, TurboError::PriceAheadOfClock);
    assert_eq!(fx.balance(user.usdc).await, 1_000 * USDC);
    fx.assert_books_balance().await;

    // At exactly the bound the update is usable, and the window still sees both prices.
    let (mut fx, back, _) = fet_round_trip_at_lag(5).await;
    assert_eq!(back, 197_010 * USDC);
    fx.assert_books_balance().await;
}

/// N-1 on the pool: the LP flash round trip with the clock 6 s behind, BTC −1% on the update
/// ahead. Deposit and withdraw in one transaction, every vault of BTC at either update.
#[tokio::test]
async fn n1_the_lp_round_trip_ahead_of_the_clock_does_not_pay() {
    let (mut fx, _lp) = Fixture::deployed().await;
    let whale = fx.user(500_000 * USDC, 0).await;
    assert_ok(&fx.mint(&whale, BTC_VAULT, 299_000 * USDC, 0, 0).await);
    assert_ok(&fx.mint(&whale, BEAR_BTC_VAULT, 199_000 * USDC, 0, 0).await);
    align(&mut fx, 4);
    let now = fx.now();
    let p = fx.feed(Asset::Btc).quote.price;
    let older = fx.post(Asset::Btc, p, 0, now - 5);
    let ahead = fx.post(Asset::Btc, p - p / 100, 0, now + 6);
    let attacker = fx.user(5_000_000 * USDC, 0).await;
    let start = fx.balance(attacker.usdc).await;
    let lp_mint = turbo_sdk::pda::lp_mint();
    let supply = fx.supply(lp_mint).await;
    let mut candidates = Vec::new();
    for d in [older, ahead] {
        let dv = fx.vaults_priced(|v| if v.keys.id == BTC_VAULT || v.keys.id == BEAR_BTC_VAULT { d } else { v.price });
        let deposit = fx.deposit_liquidity_ix(&attacker, start, &dv);
        let sim = fx.simulate(std::slice::from_ref(&deposit), &[&attacker.key]).await;
        if sim.result.is_err() {
            continue;
        }
        let shares = sim.event::<LiquidityDepositedEvent>().shares_out;
        for w in [older, ahead] {
            let wv = fx.vaults_priced(|v| if v.keys.id == BTC_VAULT || v.keys.id == BEAR_BTC_VAULT { w } else { v.price });
            candidates.push(vec![deposit.clone(), fx.withdraw_liquidity_ix(&attacker, shares, &wv)]);
        }
    }
    let (i, _) = fx
        .best(&candidates, &attacker.key, |o| o.event::<LiquidityWithdrawnEvent>().value_out as i128)
        .await
        .expect("some round trip is accepted");
    assert_ok(&fx.send(&candidates[i], &[&attacker.key]).await);
    let profit = fx.balance(attacker.usdc).await as i128 - start as i128;
    println!("n1 LP round trip at a 6 s lag: {profit} micro-USD");
    assert!(profit <= 0, "the round trip paid {profit}");
    // Both legs at the update the rules leave usable: rounding, against the attacker (before the
    // fix, +$3,612.17 on the review's book).
    assert_eq!(profit, -1);
    assert_eq!(fx.supply(lp_mint).await, supply);
    fx.assert_books_balance().await;
}

// --- N-2: a quiet feed is not a dead one ---

/// The review's N-2: FET falls 20% during a day in which no instruction used FET's feed, which
/// Pyth kept publishing. The holder of $100k of Turbo FET used to retire the vault on the
/// feed-dead path at the day-old settlement price and redeem in kind for $98,505 (a live redeem
/// pays $39,402). Now the feed-dead path first arms a grace period, and any settlement at a live
/// price in it cancels the retirement.
#[tokio::test]
async fn n2_a_quiet_live_feed_cannot_be_retired_as_dead() {
    let (mut fx, _lp) = Fixture::deployed().await;
    let holder = fx.user(100_000 * USDC, 0).await;
    assert_ok(&fx.mint(&holder, FET_VAULT, 100_000 * USDC, 0, 0).await);
    let tokens = fx.tokens(&holder, FET_VAULT).await;
    fx.tick(24 * HOUR);
    fx.move_price(Asset::Fet, -2_000);
    let retire = ix::retire_vault(&fx.d, holder.pubkey(), fx.admin.pubkey(), &fx.v(FET_VAULT), None);
    let out = fx.send(std::slice::from_ref(&retire), &[&holder.key]).await;
    assert_ok(&out);
    assert_eq!({ fx.vault(FET_VAULT).await.retired_at }, 0, "the feed-dead path only arms a retirement");
    let armed = out.event::<RetirementArmedEvent>();
    assert_eq!(armed.executable_at, fx.now() + FEED_DEAD_GRACE_SECS);
    // Arming twice is refused while it waits.
    fx.tick(1);
    assert_error(&fx.send(std::slice::from_ref(&retire), &[&holder.key]).await, TurboError::RetirementPending);
    // Anyone who sees it settles the vault at a live price; the retirement is cancelled.
    assert_ok(&fx.rebalance(FET_VAULT).await);
    fx.tick(FEED_DEAD_GRACE_SECS - 1);
    assert_error(&fx.send(std::slice::from_ref(&retire), &[&holder.key]).await, TurboError::RetireNotAllowed);
    assert_eq!({ fx.vault(FET_VAULT).await.retired_at }, 0);
    // The holder's exit is a live redeem at FET's price.
    let out = fx.redeem(&holder, FET_VAULT, tokens).await;
    assert_ok(&out);
    let paid = out.event::<RedeemEvent>().usdc_out;
    // Exactly the review's live redeem: the day's loss is the holder's (before the fix the
    // retirement at the day-old price paid $98,505.00).
    assert_eq!(paid, 39_402 * USDC);
    fx.assert_books_balance().await;
}

/// A feed that is really dead: nothing can price FET for a day, the retirement is armed, and
/// after the grace period in which nobody could settle it, anyone carries it out at the last
/// settlement price. No volatility sample is taken at that stale price (N-12).
#[tokio::test]
async fn n2_a_dead_feed_is_retired_after_the_grace_period_and_n12_takes_no_sample() {
    let (mut fx, _lp) = Fixture::deployed().await;
    let holder = fx.user(10_000 * USDC, 0).await;
    assert_ok(&fx.mint(&holder, FET_VAULT, 5_000 * USDC, 0, 0).await);
    let tokens = fx.tokens(&holder, FET_VAULT).await;
    let settle = fx.vault(FET_VAULT).await.settle_price;
    fx.advance(24 * HOUR);
    let stranger = fx.user(0, 0).await;
    let retire = ix::retire_vault(&fx.d, stranger.pubkey(), fx.admin.pubkey(), &fx.v(FET_VAULT), None);
    assert_ok(&fx.send(std::slice::from_ref(&retire), &[&stranger.key]).await);
    fx.advance(FEED_DEAD_GRACE_SECS - 1);
    assert_error(&fx.send(std::slice::from_ref(&retire), &[&stranger.key]).await, TurboError::RetirementPending);
    fx.advance(1);
    let slot_before = fx.pool().await.assets[fx.vault(FET_VAULT).await.asset_index as usize];
    let vault_before = fx.vault(FET_VAULT).await;
    let out = fx.send(&[retire], &[&stranger.key]).await;
    assert_ok(&out);
    let r = out.event::<VaultRetiredEvent>();
    assert!(r.feed_dead && r.deregistered);
    assert_eq!(r.price, settle);
    let slot = fx.pool().await.assets[vault_before.asset_index as usize];
    let v = fx.vault(FET_VAULT).await;
    assert_eq!(
        (slot.variance_rate, slot.vol_sample_price, slot.vol_sample_time),
        (slot_before.variance_rate, slot_before.vol_sample_price, slot_before.vol_sample_time)
    );
    assert_eq!((v.variance_rate, v.vol_sample_time), (vault_before.variance_rate, vault_before.vol_sample_time));
    let before = fx.balance(holder.usdc).await;
    assert_ok(&fx.redeem(&holder, FET_VAULT, tokens).await);
    assert!(fx.balance(holder.usdc).await - before > 4_900 * USDC);
    fx.assert_books_balance().await;
}

// --- N-3 and N-8: one clock for every exit pause ---

/// The review's N-3: the guardian paused redeem protocol-wide, and when it ran out paused the
/// vault's redeem, and so on, for 360 h. Now an exit pause in any scope starts the one
/// cool-down: the guardian's vault pause right after the config pause ended is refused, the
/// redeem lands, and only 72 h later may the guardian pause again.
#[tokio::test]
async fn n3_the_guardian_cannot_chain_exit_pauses_across_scopes() {
    let (mut fx, _lp) = Fixture::deployed().await;
    let user = fx.user(10_000 * USDC, 0).await;
    assert_ok(&fx.mint(&user, SOL_VAULT, 5_000 * USDC, 0, 0).await);
    let tokens = fx.tokens(&user, SOL_VAULT).await;
    let guardian = fx.guardian.insecure_clone();
    let sol = fx.v(SOL_VAULT).keys.vault;
    let config_pause = ix::set_pause(guardian.pubkey(), None, SetPauseArgs::new(Pause::REDEEM, true));
    let vault_pause = ix::set_pause(guardian.pubkey(), Some(sol), SetPauseArgs::new(Pause::REDEEM, true));
    assert_ok(&fx.send(std::slice::from_ref(&config_pause), &[&guardian]).await);
    fx.tick(MAX_EXIT_PAUSE_SECS - 1);
    assert_error(&fx.redeem(&user, SOL_VAULT, tokens / 4).await, TurboError::RedeemPaused);
    fx.tick(1);
    assert_error(&fx.send(std::slice::from_ref(&vault_pause), &[&guardian]).await, TurboError::GuardianCannotRenewExitPause);
    assert_ok(&fx.redeem(&user, SOL_VAULT, tokens / 4).await);
    fx.tick(MAX_EXIT_PAUSE_SECS - 1);
    assert_error(&fx.send(std::slice::from_ref(&vault_pause), &[&guardian]).await, TurboError::GuardianCannotRenewExitPause);
    fx.tick(1);
    assert_ok(&fx.send(std::slice::from_ref(&vault_pause), &[&guardian]).await);
    assert_error(&fx.redeem(&user, SOL_VAULT, tokens / 4).await, TurboError::RedeemPaused);
    // While that pause is in force the guardian may pause another exit, but only to the same end.
    let withdraw = ix::set_pause(guardian.pubkey(), None, SetPauseArgs::new(Pause::WITHDRAW, true));
    fx.tick(HOUR);
    let out = fx.send(&[withdraw], &[&guardian]).await;
    assert_ok(&out);
    let c = fx.config().await;
    assert_eq!({ c.withdraw_paused_until }, { fx.vault(SOL_VAULT).await.redeem_paused_until });
    assert_eq!({ c.exit_pause_until }, { c.withdraw_paused_until });
}

/// The admin's own exit-pause power (N-8), as a bound: exits are paused at most 7 days in a row,
/// in every scope together, and then stay open 72 h before anyone may pause one again.
#[tokio::test]
async fn n8_the_admin_pauses_exits_at_most_seven_days_in_a_row() {
    let (mut fx, _lp) = Fixture::deployed().await;
    let user = fx.user(10_000 * USDC, 0).await;
    assert_ok(&fx.mint(&user, SOL_VAULT, 5_000 * USDC, 0, 0).await);
    let tokens = fx.tokens(&user, SOL_VAULT).await;
    let sol = fx.v(SOL_VAULT).keys.vault;
    let admin = fx.admin.pubkey();
    let start = fx.now();
    // Renewed every 48 h, alternating scopes: the stretch ends 7 days after it started.
    for i in 0..4 {
        let vault = (i % 2 == 1).then_some(sol);
        assert_ok(&fx.send(&[ix::set_pause(admin, vault, SetPauseArgs::new(Pause::REDEEM, true))], &[]).await);
        fx.tick(48 * HOUR);
    }
    let c = fx.config().await;
    assert_eq!((c.exit_pause_from, c.exit_pause_until), (start, start + MAX_EXIT_PAUSE_STRETCH_SECS));
    fx.tick(start + MAX_EXIT_PAUSE_STRETCH_SECS - fx.now() - 1);
    assert_error(&fx.redeem(&user, SOL_VAULT, tokens / 2).await, TurboError::RedeemPaused);
    // At its end a renewal extends nothing.
    let renew = ix::set_pause(admin, None, SetPauseArgs::new(Pause::REDEEM, true));
    assert_ok(&fx.send(std::slice::from_ref(&renew), &[]).await);
    assert_eq!({ fx.config().await.redeem_paused_until }, start + MAX_EXIT_PAUSE_STRETCH_SECS);
    fx.tick(1);
    assert_ok(&fx.redeem(&user, SOL_VAULT, tokens / 2).await);
    assert_error(&fx.send(std::slice::from_ref(&renew), &[]).await, TurboError::ExitPauseLimit);
    fx.tick(MAX_EXIT_PAUSE_SECS);
    assert_ok(&fx.send(&[renew], &[]).await);
    assert_error(&fx.redeem(&user, SOL_VAULT, 1).await, TurboError::RedeemPaused);
}

/// N-8's other half: a target cut to almost nothing applied at once (3x → 0.000001x, one
/// rebalance took the exposure to 182). A change the admin makes at once moves the target, the
/// emergency level and the price age by at most half; a larger cut waits for the timelock.
#[tokio::test]
async fn n8_an_immediate_change_moves_a_parameter_by_at_most_half() {
    let (mut fx, _lp) = Fixture::deployed().await;
    let user = fx.user(10_000 * USDC, 0).await;
    assert_ok(&fx.mint(&user, BTC_VAULT, 5_000 * USDC, 0, 0).await);
    let base = defaults::turbo_params();
    let btc = fx.v(BTC_VAULT).keys.vault;
    let admin = fx.admin.pubkey();
    let tiny = VaultParams { target_leverage: 1, band_lo: 1, band_hi: 1, emergency_leverage: 2, ..base };
    assert_error(&fx.send(&[ix::update_vault(admin, btc, tiny)], &[]).await, TurboError::ChangeNeedsTimelock);
    for p in [
        VaultParams { max_price_age_secs: 1, ..base },
        VaultParams { target_leverage: 1_400_000, band_lo: 1_000_000, band_hi: 1_400_000, ..base },
    ] {
        assert_error(&fx.send(&[ix::update_vault(admin, btc, p)], &[]).await, TurboError::ChangeNeedsTimelock);
    }
    assert_eq!(fx.vault(BTC_VAULT).await.params, base);
    // Half the target at once is allowed.
    let half = VaultParams { target_leverage: 1_500_000, band_lo: 1_000_000, band_hi: 1_500_000, ..base };
    assert_ok(&fx.send(&[ix::update_vault(admin, btc, half)], &[]).await);
    assert_eq!(fx.vault(BTC_VAULT).await.params, half);
    // The cut to almost nothing goes through the timelock, in public.
    assert_ok(&fx.through_timelock(Change::Vault { vault: btc, params: tiny }, Some(btc)).await);
    assert_eq!({ fx.vault(BTC_VAULT).await.params.target_leverage }, 1);
}

// --- N-4: the admin's due retirement at a look-back price ---

/// The review's N-4: anyone carried out the admin's due retirement of Turbo BTC on a 25 s-old
/// update 0.5% above the current price, and holders gained $4,492.50 from the pool. The
/// retirement is now priced like a user's instruction: published within the fresh-price delay.
#[tokio::test]
async fn n4_a_due_retirement_needs_a_fresh_price() {
    let (mut fx, _lp) = Fixture::deployed().await;
    let whale = fx.user(300_000 * USDC, 0).await;
    assert_ok(&fx.mint(&whale, BTC_VAULT, 299_000 * USDC, 0, 0).await);
    let btc = fx.v(BTC_VAULT).keys.vault;
    let id = fx.queue(Change::RetireVault { vault: btc }, Some(btc)).await;
    fx.wait_timelock().await;
    let p = fx.feed(Asset::Btc).quote.price;
    let old = fx.post(Asset::Btc, p + p / 200, 0, fx.now() - 25);
    let stranger = fx.user(0, 0).await;
    let at_old = turbo_sdk::ix::PricedVault { price: old, ..fx.v(BTC_VAULT) };
    let retire = ix::retire_vault(&fx.d, stranger.pubkey(), fx.admin.pubkey(), &at_old, Some(id));
    assert_error(&fx.send(&[retire], &[&stranger.key]).await, TurboError::PriceNotFresh);
    assert_eq!({ fx.vault(BTC_VAULT).await.retired_at }, 0);
    let retire = ix::retire_vault(&fx.d, stranger.pubkey(), fx.admin.pubkey(), &fx.v(BTC_VAULT), Some(id));
    let out = fx.send(&[retire], &[&stranger.key]).await;
    assert_ok(&out);
    assert_eq!(out.event::<VaultRetiredEvent>().price, p as u64);
}

// --- N-5: an unusable price never reprices a withdrawal ---

/// The review's N-5: a $1M withdrawal previewed at $1,000,374.99; another LP front-ran it with a
/// no-op rebalance on a FET update 1 s newer, and the withdrawal landed valued as if FET's feed
/// were dead: $551,125.22. It is now refused with the gate's own error and nothing moves; a
/// withdrawal values a vault unpriced only when its feed is stale past the maximum age and the
/// withdrawer asked for it.
#[tokio::test]
async fn n5_a_front_run_withdrawal_is_refused_not_repriced() {
    let (mut fx, _admin_lp) = Fixture::deployed().await;
    let victim = fx.user(1_000_000 * USDC, 0).await;
    assert_ok(&fx.deposit_liquidity(&victim, 1_000_000 * USDC).await);
    let whale = fx.user(300_000 * USDC, 0).await;
    assert_ok(&fx.mint(&whale, FET_VAULT, 299_000 * USDC, 0, 0).await);
    fx.tick(10);
    let shares = fx.balance(victim.lp()).await;
    let withdraw = fx.withdraw_liquidity_ix(&victim, shares, &fx.vaults.clone());
    let preview = fx.simulate(std::slice::from_ref(&withdraw), &[&victim.key]).await;
    assert_ok(&preview);
    // The front-runner: a no-op rebalance of Turbo FET on an update 1 s newer.
    let newer = fx.post(Asset::Fet, fx.feed(Asset::Fet).quote.price, 0, fx.now() + 1);
    let (rebalance, keeper) = fx.rebalance_ix_at(FET_VAULT, newer);
    assert_ok(&fx.send(&[rebalance], &[&keeper]).await);
    let before = fx.balance(victim.usdc).await;
    assert_error(&fx.send(std::slice::from_ref(&withdraw), &[&victim.key]).await, TurboError::PriceUpdateOutOfOrder);
    assert_eq!((fx.balance(victim.usdc).await, fx.balance(victim.lp()).await), (before, shares));
    // Asking for the unpriced valuation does not help: the update is out of order, not dead.
    let unpriced = fx.withdraw_liquidity_unpriced_ix(&victim, shares, &fx.vaults.clone());
    assert_error(&fx.send(&[unpriced], &[&victim.key]).await, TurboError::PriceUpdateOutOfOrder);
    // Landing 6 s late is refused too, as not fresh.
    fx.advance(6);
    let late = fx.withdraw_liquidity_ix(&victim, shares, &fx.vaults_priced(|v| if v.keys.id == FET_VAULT { newer } else { v.price }));
    assert_error(&fx.send(&[late], &[&victim.key]).await, TurboError::PriceNotFresh);
    // With the current feed the withdrawal pays what its preview said, to the unit.
    fx.tick(1);
    let out = fx.send(&[fx.withdraw_liquidity_ix(&victim, shares, &fx.vaults.clone())], &[&victim.key]).await;
    assert_ok(&out);
    let paid = out.event::<LiquidityWithdrawnEvent>().usdc_out;
    // Its preview, to the unit: $1,000,373.75 (before the fix the front-run withdrawal paid
    // $551,125.22).
    assert_eq!(paid, preview.event::<LiquidityWithdrawnEvent>().usdc_out);
    assert_eq!(paid, 1_000_373_749_813);
    assert_eq!(fx.balance(victim.usdc).await, before + paid);
    fx.assert_books_balance().await;
}

/// A feed stale past its maximum age values its vault unpriced only when the withdrawer asks.
#[tokio::test]
async fn n5_the_unpriced_valuation_is_only_for_a_dead_feed_and_only_when_asked() {
    let (mut fx, lp) = Fixture::deployed().await;
    let whale = fx.user(200_000 * USDC, 0).await;
    assert_ok(&fx.mint(&whale, FET_VAULT, 100_000 * USDC, 0, 0).await);
    fx.advance(120);
    for a in [Asset::Btc, Asset::Sol, Asset::Crt] {
        fx.set_price(a, fx.feed(a).quote.price, 0);
    }
    let shares = fx.balance(lp.lp()).await / 10;
    let plain = fx.withdraw_liquidity_ix(&lp, shares, &fx.vaults.clone());
    assert_error(&fx.send(&[plain], &[&lp.key]).await, TurboError::StalePrice);
    let asked = fx.withdraw_liquidity_unpriced_ix(&lp, shares, &fx.vaults.clone());
    let out = fx.send(&[asked], &[&lp.key]).await;
    assert_ok(&out);
    assert_eq!(out.event::<LiquidityWithdrawnEvent>().shares_burned, shares);
}

// --- N-9: queued changes expire ---

/// A change queued and never executed used to stay executable forever; it now expires 7 days
/// after it became due.
#[tokio::test]
async fn n9_a_queued_change_expires() {
    let (mut fx, _lp) = Fixture::deployed().await;
    let user = fx.user(10_000 * USDC, 0).await;
    assert_ok(&fx.mint(&user, BTC_VAULT, 1_000 * USDC, 0, 0).await);
    let btc = fx.v(BTC_VAULT).keys.vault;
    let params = VaultParams { mint_fee_bps: 100, ..defaults::turbo_params() };
    let change = Change::Vault { vault: btc, params };
    let id = fx.queue(change, Some(btc)).await;
    fx.wait_timelock().await;
    fx.tick(turbo::constants::CHANGE_EXPIRY_SECS);
    let admin = fx.admin.pubkey();
    assert_error(&fx.send(&[ix::execute_change(admin, admin, id, &change)], &[]).await, TurboError::ChangeExpired);
    assert_eq!({ fx.vault(BTC_VAULT).await.params.mint_fee_bps }, { defaults::turbo_params().mint_fee_bps });
}
