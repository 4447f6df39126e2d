//! One attack test per finding of the security review of 2026-11-29, each named for its ID
//! (`docs/reliability.md` maps every ID to its test). The attacker holds several valid Pyth
//! updates of one feed at once, in separate accounts, and picks by simulation whichever the
//! program accepts and pays it most. Each test asserts the specific error, or the exact
//! amounts that show the attack loses.

use anchor_lang::prelude::Pubkey;
use anchor_lang::solana_program::instruction::Instruction;
use solana_sdk::signature::Signer;
use turbo::error::TurboError;
use turbo::events::*;
use turbo_tests::*;

/// Every way to value Turbo BTC and Bear BTC at one of `updates`, the other vaults at their own
/// feed accounts.
fn btc_choices(fx: &Fixture, updates: &[Pubkey]) -> Vec<Vec<ix_vault::PricedVault>> {
    let mut out = Vec::new();
    for &turbo in updates {
        for &bear in updates {
            out.push(fx.vaults_priced(|v| match v.keys.id {
                BTC_VAULT => turbo,
                BEAR_BTC_VAULT => bear,
                _ => v.price,
            }));
        }
    }
    out
}

mod ix_vault {
    pub use turbo_sdk::ix::PricedVault;
}

// --- C-1: the LP round trip on two updates ---

/// The review's book: $1M of LP money, Turbo BTC ≈ $300k at 3x, Bear BTC ≈ $200k at −2x. Two
/// genuine BTC updates 3 s apart, 0.2% apart, with 2.5 bps confidence; a flash-loaned $5M.
/// The attacker deposits with every vault valued at whichever update gives the most shares,
/// and withdraws at whichever pays the most, cycle after cycle.
#[tokio::test]
async fn c1_lp_round_trip_on_two_updates_does_not_pay() {
    let (mut fx, _lp) = Fixture::deployed().await;
    let whale = fx.user(500_000 * USDC, 0).await;
    assert_ok(&fx.mint(&whale, BTC_VAULT, 299_000 * USDC, 0, 0).await);
    assert_ok(&fx.mint(&whale, BEAR_BTC_VAULT, 199_000 * USDC, 0, 0).await);
    fx.tick(10);
    let now = fx.now();
    let p = fx.feed(Asset::Btc).quote.price;
    let conf = (p / 4_000) as u64;
    let a = fx.post(Asset::Btc, p, conf, now - 3);
    let b = fx.post(Asset::Btc, p + p / 500, conf, now);
    let attacker = fx.user(5_000_000 * USDC, 0).await;
    let start = fx.balance(attacker.usdc).await;

    let mut profits = Vec::new();
    for cycle in 0..5 {
        let before = fx.balance(attacker.usdc).await;
        let deposits: Vec<Vec<Instruction>> =
            btc_choices(&fx, &[a, b]).iter().map(|vs| vec![fx.deposit_liquidity_ix(&attacker, before, vs)]).collect();
        let (i, _) = fx
            .best(&deposits, &attacker.key, |o| o.event::<LiquidityDepositedEvent>().shares_out as i128)
            .await
            .expect("some deposit is accepted");
        assert_ok(&fx.send(&deposits[i], &[&attacker.key]).await);
        let shares = fx.balance(attacker.lp()).await;
        let withdrawals: Vec<Vec<Instruction>> =
            btc_choices(&fx, &[a, b]).iter().map(|vs| vec![fx.withdraw_liquidity_ix(&attacker, shares, vs)]).collect();
        let (i, _) = fx
            .best(&withdrawals, &attacker.key, |o| o.event::<LiquidityWithdrawnEvent>().value_out as i128)
            .await
            .expect("some withdrawal is accepted");
        assert_ok(&fx.send(&withdrawals[i], &[&attacker.key]).await);
        let profit = fx.balance(attacker.usdc).await as i128 - before as i128;
        println!("c1 cycle {cycle}: profit {profit} micro-USD");
        profits.push(profit);
    }
    let total = fx.balance(attacker.usdc).await as i128 - start as i128;
    println!("c1 total after 5 cycles: {total} micro-USD");
    assert!(profits.iter().all(|p| *p < 0), "a round trip paid: {profits:?}");
    // Each cycle loses the two confidence biases and the window (before the fix it gained
    // $1,617): exactly, on this book.
    assert_eq!(profits[0], -538_827_811);
    assert_eq!(total, -2_693_558_447);
    // Turbo BTC and Bear BTC valued at two different BTC updates in one instruction: refused.
    let mixed = fx.vaults_priced(|v| match v.keys.id {
        BTC_VAULT => a,
        BEAR_BTC_VAULT => b,
        _ => v.price,
    });
    let out = fx.send(&[fx.deposit_liquidity_ix(&attacker, USDC, &mixed)], &[&attacker.key]).await;
    assert_error(&out, TurboError::AssetPriceMismatch);
    fx.assert_books_balance().await;
}

// --- H-1: the look-back option on mint and redeem ---

/// Turbo FET; two updates 4 s apart with a +1% move between them. In one transaction the
/// attacker mints $200k at one update and redeems everything at another, choosing the pair
/// that pays most.
#[tokio::test]
async fn h1_atomic_mint_then_redeem_around_a_one_percent_update_does_not_pay() {
    let (mut fx, _lp) = Fixture::deployed().await;
    let attacker = fx.user(200_000 * USDC, 0).await;
    fx.tick(10);
    let now = fx.now();
    let p = fx.feed(Asset::Fet).quote.price;
    let a = fx.post(Asset::Fet, p, 0, now - 4);
    let b = fx.post(Asset::Fet, p + p / 100, 0, now);
    let v = fx.v(FET_VAULT);
    fx.open_token_account(&attacker, &v).await;
    let mut candidates = Vec::new();
    for m in [a, b] {
        let mint = fx.mint_ix_at(&attacker, FET_VAULT, 200_000 * USDC, m);
        let sim = fx.simulate(std::slice::from_ref(&mint), &[&attacker.key]).await;
        if sim.result.is_err() {
            continue;
        }
        let tokens = sim.event::<MintEvent>().tokens_out;
        for r in [a, b] {
            candidates.push(vec![mint.clone(), fx.redeem_ix_at(&attacker, FET_VAULT, tokens, r)]);
        }
    }
    let (i, score) =
        fx.best(&candidates, &attacker.key, |o| o.event::<RedeemEvent>().usdc_out as i128).await.expect("some round trip is accepted");
    println!("h1 best round trip returns {score} on 200,000,000,000");
    assert_ok(&fx.send(&candidates[i], &[&attacker.key]).await);
    let back = fx.balance(attacker.usdc).await;
    assert!(back < 200_000 * USDC, "the round trip paid: {back}");
    // The redeem is priced at the mint's update (the window), so the round trip loses exactly
    // the fees: 0.5% in, 1% of the rest out (before the fix it returned $202,920.30).
    assert_eq!(back, 197_010 * USDC);
    fx.assert_books_balance().await;
}

/// A user instruction must use a price published within the fresh-price delay (5 s); a
/// keeper may still use one up to the vault's maximum age (30 s).
#[tokio::test]
async fn h1_user_instructions_need_a_fresh_price_keepers_may_use_an_older_one() {
    let (mut fx, _lp) = Fixture::deployed().await;
    let user = fx.user(20_000 * USDC, 0).await;
    assert_ok(&fx.mint(&user, FET_VAULT, 10_000 * USDC, 0, 0).await);
    fx.tick(15);
    let old = fx.post(Asset::Fet, fx.feed(Asset::Fet).quote.price, 0, fx.now() - 13);
    let tokens = fx.tokens(&user, FET_VAULT).await;

    let mint = fx.mint_ix_at(&user, FET_VAULT, 1_000 * USDC, old);
    assert_error(&fx.send(&[mint], &[&user.key]).await, TurboError::PriceNotFresh);
    let redeem = fx.redeem_ix_at(&user, FET_VAULT, tokens, old);
    assert_error(&fx.send(&[redeem], &[&user.key]).await, TurboError::PriceNotFresh);
    let vaults = fx.vaults_priced(|v| if v.keys.id == FET_VAULT { old } else { v.price });
    let deposit = fx.deposit_liquidity_ix(&user, 1_000 * USDC, &vaults);
    assert_error(&fx.send(&[deposit], &[&user.key]).await, TurboError::PriceNotFresh);
    // (An LP withdrawal never uses an unusable price: it values that vault at the most the pool
    // could owe it instead: `governance::m3_an_lp_withdraws_while_one_feed_is_stale_*`.)
    // CRT too: a 13 s old CRT update is refused to users.
    let old_crt = fx.post(Asset::Crt, PX, 0, fx.now() - 13);
    let mint = swap_account(fx.mint_ix_at(&user, FET_VAULT, 1_000 * USDC, fx.v(FET_VAULT).price), fx.d.crt_price, old_crt);
    assert_error(&fx.send(&[mint], &[&user.key]).await, TurboError::PriceNotFresh);
    assert_eq!(fx.tokens(&user, FET_VAULT).await, tokens);
    assert_eq!(fx.balance(user.usdc).await, 10_000 * USDC);

    // The keeper's rule is the vault's maximum age: the same update settles a rebalance.
    let (rebalance, keeper) = fx.rebalance_ix_at(FET_VAULT, old);
    assert_ok(&fx.send(&[rebalance], &[&keeper]).await);
}

/// Prices are monotonic per asset: once any instruction used an update for BTC (here a
/// rebalance of Bear BTC), nothing can use an older one, on any vault of BTC or in the pool.
#[tokio::test]
async fn h1_no_instruction_can_use_an_update_older_than_the_newest_used_for_its_asset() {
    let (mut fx, _lp) = Fixture::deployed().await;
    let user = fx.user(20_000 * USDC, 0).await;
    fx.tick(10);
    let now = fx.now();
    let p = fx.feed(Asset::Btc).quote.price;
    let older = fx.post(Asset::Btc, p - p / 100, 0, now - 2);
    let newer = fx.post(Asset::Btc, p, 0, now - 1);
    let (rebalance, keeper) = fx.rebalance_ix_at(BEAR_BTC_VAULT, newer);
    assert_ok(&fx.send(&[rebalance], &[&keeper]).await);
    fx.open_token_account(&user, &fx.v(BTC_VAULT)).await;
    let mint = fx.mint_ix_at(&user, BTC_VAULT, 1_000 * USDC, older);
    assert_error(&fx.send(&[mint], &[&user.key]).await, TurboError::PriceUpdateOutOfOrder);
    let vaults = fx.vaults_priced(|v| if v.keys.id == BTC_VAULT || v.keys.id == BEAR_BTC_VAULT { older } else { v.price });
    let out = fx.send(&[fx.deposit_liquidity_ix(&user, 1_000 * USDC, &vaults)], &[&user.key]).await;
    assert_error(&out, TurboError::PriceUpdateOutOfOrder);
    // The same for CRT: a mint of Turbo SOL uses a CRT update; Turbo FET may not use an older one,
    // nor may the pool.
    let crt_older = fx.post(Asset::Crt, PX, 0, now + 1);
    let crt_newer = fx.post(Asset::Crt, PX, 0, now + 2);
    fx.open_token_account(&user, &fx.v(SOL_VAULT)).await;
    let sol = swap_account(fx.mint_ix_at(&user, SOL_VAULT, 1_000 * USDC, fx.v(SOL_VAULT).price), fx.d.crt_price, crt_newer);
    assert_ok(&fx.send(&[sol], &[&user.key]).await);
    fx.open_token_account(&user, &fx.v(FET_VAULT)).await;
    let fet = swap_account(fx.mint_ix_at(&user, FET_VAULT, 1_000 * USDC, fx.v(FET_VAULT).price), fx.d.crt_price, crt_older);
    assert_error(&fx.send(&[fet], &[&user.key]).await, TurboError::PriceUpdateOutOfOrder);
    let vaults = fx.vaults_priced(|v| v.price);
    let deposit = swap_account(fx.deposit_liquidity_ix(&user, 1_000 * USDC, &vaults), fx.d.crt_price, crt_older);
    assert_error(&fx.send(&[deposit], &[&user.key]).await, TurboError::PriceUpdateOutOfOrder);
    assert_eq!(fx.balance(user.usdc).await, 19_000 * USDC);
}

// --- L-3: griefing with the monotonic rule ---

/// A griefer uses a newer BTC update than the feed account shows (a free no-op rebalance of
/// Bear BTC). A user whose mint names the feed account is refused; the same mint with the
/// user's own update, posted after the griefer's, succeeds. The cost is one retry.
#[tokio::test]
async fn l3_a_griefer_ahead_of_the_feed_costs_a_user_one_retry() {
    let (mut fx, _lp) = Fixture::deployed().await;
    let user = fx.user(20_000 * USDC, 0).await;
    fx.tick(10);
    let now = fx.now();
    let p = fx.feed(Asset::Btc).quote.price;
    let ahead = fx.post(Asset::Btc, p, 0, now + 1);
    let (rebalance, keeper) = fx.rebalance_ix_at(BEAR_BTC_VAULT, ahead);
    assert_ok(&fx.send(&[rebalance], &[&keeper]).await);
    let out = fx.mint(&user, BTC_VAULT, 1_000 * USDC, 0, 0).await;
    assert_error(&out, TurboError::PriceUpdateOutOfOrder);
    let own = fx.post(Asset::Btc, p, 0, now + 1);
    let mint = fx.mint_ix_at(&user, BTC_VAULT, 1_000 * USDC, own);
    assert_ok(&fx.send(&[mint], &[&user.key]).await);
    assert_eq!(fx.tokens(&user, BTC_VAULT).await, 9_950_000);
}

// --- M-1: LPs front-running bad debt ---

/// Two LPs with $500k each; Turbo FET holds about $298k at 3x. FET gaps −40%: the vault's loss
/// (≈ $358k) is larger than what it holds. One LP withdraws before anyone settles the vault,
/// the other after. Both must carry the same share of the bad debt.
#[tokio::test]
async fn m1_an_lp_cannot_withdraw_ahead_of_bad_debt() {
    let mut fx = Fixture::new().await;
    let lp1 = fx.user(500_000 * USDC, 0).await;
    let lp2 = fx.user(500_000 * USDC, 0).await;
    assert_ok(&fx.deposit_liquidity(&lp1, 500_000 * USDC).await);
    assert_ok(&fx.deposit_liquidity(&lp2, 500_000 * USDC).await);
    assert_eq!(fx.balance(lp1.lp()).await, fx.balance(lp2.lp()).await);
    assert_ok(&fx.create_vault(FET_VAULT, "Turbo FET", "tFET", Asset::Fet, turbo_sdk::defaults::turbo_params(), 1_000 * USDC).await);
    fx.keeper = Some(fx.user(0, 0).await);
    let whale = fx.user(300_000 * USDC, 0).await;
    assert_ok(&fx.mint(&whale, FET_VAULT, 298_500 * USDC, 0, 0).await);

    fx.tick(60);
    fx.move_price(Asset::Fet, -4_000);
    let shares = fx.balance(lp1.lp()).await;
    assert_ok(&fx.withdraw_liquidity(&lp1, shares).await);
    let first = fx.balance(lp1.usdc).await;
    // The keeper settles the vault: the loss beyond its holdings is bad debt.
    let settled = fx.rebalance(FET_VAULT).await;
    assert_ok(&settled);
    assert!(settled.event::<VaultSettledEvent>().bad_debt > 0);
    let shares = fx.balance(lp2.lp()).await;
    assert_ok(&fx.withdraw_liquidity(&lp2, shares).await);
    let second = fx.balance(lp2.usdc).await;
    println!("m1: first LP out {first}, second LP out {second}");
    assert!(first <= second + 1, "the first LP escaped the bad debt: {first} against {second}");
    // Before the fix: $679,177.45 for the first, $619,576.07 for the second.
    assert_eq!((first, second), (649_376_725_623, 649_376_725_623));
    fx.assert_books_balance().await;
}

// --- M-2: gains the pool cannot pay ---

/// A thin pool ($20k, caps at their bounds) backs Turbo SOL and Bear SOL with about $50k each.
/// SOL +20%: Turbo SOL's gain ($30k) is more than the pool holds. Bear SOL's loss ($20k)
/// arrives later. The unpaid part must stay Turbo SOL's claim and be paid from that inflow.
#[tokio::test]
async fn m2_an_unpaid_gain_stays_a_claim_and_is_paid_from_later_inflows() {
    let mut fx = Fixture::new().await;
    let lp = fx.user(20_000 * USDC, 0).await;
    assert_ok(&fx.deposit_liquidity(&lp, 20_000 * USDC).await);
    let caps = turbo::state::PoolCaps { gross_cap_bps: 200_000, net_cap_bps: 100_000, ..hard_caps_only() };
    assert_ok(&fx.through_timelock(turbo::state::Change::Pool(caps), None).await);
    let turbo_params = turbo_sdk::defaults::turbo_params();
    let bear_params = turbo_sdk::defaults::bear_params();
    assert_ok(&fx.create_vault(SOL_VAULT, "Turbo SOL", "tSOL", Asset::Sol, turbo_params, 1_000 * USDC).await);
    assert_ok(&fx.create_vault(BEAR_SOL_VAULT, "Bear SOL", "bSOL", Asset::Sol, bear_params, 1_000 * USDC).await);
    fx.keeper = Some(fx.user(0, 0).await);
    let whale = fx.user(100_000 * USDC, 0).await;
    assert_ok(&fx.mint(&whale, SOL_VAULT, 49_000 * USDC, 0, 0).await);
    assert_ok(&fx.mint(&whale, BEAR_SOL_VAULT, 49_000 * USDC, 0, 0).await);

    fx.tick(60);
    fx.move_price(Asset::Sol, 2_000);
    let first = fx.rebalance(SOL_VAULT).await;
    assert_ok(&first);
    let s = first.event::<VaultSettledEvent>();
    assert!(s.unpaid_gain > 0, "the pool could pay the whole gain: {s:?}");
    let unpaid = s.unpaid_gain;
    // It stays the vault's claim, counted in its NAV and owed by the pool.
    let vault = fx.vault(SOL_VAULT).await;
    assert_eq!((vault.gain_claim, s.claim, fx.pool().await.claims_owed), (unpaid, unpaid, unpaid));
    assert_eq!(
        vault.book().nav_floor(turbo_math::Price(vault.settle_price), turbo_math::Price(100_000_000), fx.config().await.crt()).unwrap().0
            as u64,
        vault.usdc_balance + unpaid
    );
    // Bear SOL's loss flows into the pool.
    assert_ok(&fx.rebalance(BEAR_SOL_VAULT).await);
    // An LP cannot be paid out of what the pool owes Turbo SOL: the pool's value for a
    // withdrawal, and what a withdrawal may take, are its free tokens less the claim (both vaults
    // are settled and their fees swept, so nothing else is owed either way). Previewed with the
    // program's own valuation: the caps keep this thin pool's LP from withdrawing at all.
    let (config, pool) = (fx.config().await, fx.pool().await);
    let free = pool.usdc_balance - pool.treasury_usdc;
    let mut vaults = Vec::new();
    for v in fx.vaults.clone() {
        let update = turbo_sdk::accounts::price_update(&mut fx.bank, &v.price).await.unwrap();
        vaults.push((fx.vault(v.keys.id).await, v.price, update));
    }
    let crt = turbo_sdk::accounts::price_update(&mut fx.bank, &fx.d.crt_price).await.unwrap();
    let items: Vec<_> = vaults.iter().map(|(v, k, u)| (v, *k, u)).collect();
    let at = turbo_sdk::preview::At { unix_timestamp: fx.now(), slot: fx.bank.slot + 1 };
    let supply = fx.supply(turbo_sdk::pda::lp_mint()).await;
    let valued = turbo_sdk::preview::value_pool(
        &config,
        &mut pool.clone(),
        &turbo_sdk::preview::PoolPrices { vaults: &items, custodies: &[], crt: &crt },
        turbo::engine::lp::Lean::withdrawal(false),
        supply,
        at,
    )
    .unwrap();
    assert_eq!(valued.value.0, free - unpaid);
    assert_eq!(valued.valuation.payable().unwrap().0, free - unpaid);
    // Turbo SOL's next settlement collects what it is still owed, at an unchanged price.
    fx.tick(1);
    let second = fx.rebalance(SOL_VAULT).await;
    assert_ok(&second);
    let collected = second.events::<VaultSettledEvent>().iter().map(|e| e.usdc_to_vault).sum::<i64>();
    println!("m2: unpaid {unpaid}, collected later {collected}");
    assert_eq!(collected, unpaid as i64, "the unpaid gain was not paid from the later inflow");
    assert_eq!((fx.vault(SOL_VAULT).await.gain_claim, fx.pool().await.claims_owed), (0, 0));
    fx.assert_books_balance().await;
}

// --- L-1: caps checked before the move ---

/// The pool's gross notional sits just under its cap; a re-leverage step would take it over.
#[tokio::test]
async fn l1_a_relever_that_would_cross_the_gross_cap_is_skipped() {
    let (mut fx, _lp) = Fixture::deployed().await;
    let whale = fx.user(200_000 * USDC, 0).await;
    assert_ok(&fx.mint(&whale, SOL_VAULT, 100_000 * USDC, 0, 0).await);
    fx.tick(1);
    fx.move_price(Asset::Sol, 1_500);
    // Settle at the new price without moving (inside the interval), then tighten the gross cap
    // to the smallest that still holds the book.
    let waiting = fx.rebalance(SOL_VAULT).await;
    assert_ok(&waiting);
    assert_eq!(waiting.event::<RebalanceEvent>().action, turbo::events::RebalanceAction::Waiting);
    let pool = fx.pool().await;
    let gross: u64 = pool.assets[..pool.asset_count as usize].iter().map(|a| a.long_notional + a.short_notional).sum();
    let free = pool.usdc_balance - pool.treasury_usdc;
    let bps = (gross as u128 * 10_000).div_ceil(free as u128) as u32;
    let cap = (free as u128 * bps as u128 / 10_000) as u64;
    let sol = fx.vault(SOL_VAULT).await;
    let step = (sol.exposure as u128 * 500 / 10_000 * sol.settle_price as u128 / 100_000_000_000) as u64;
    assert!(gross <= cap && cap < gross + step, "gross {gross}, cap {cap}, step {step}");
    let caps = turbo::state::PoolCaps { gross_cap_bps: bps, net_cap_bps: pool.caps.net_cap_bps, ..hard_caps_only() };
    assert_ok(&fx.send(&[turbo_sdk::ix::update_pool(fx.admin.pubkey(), caps)], &[]).await);

    fx.tick(30);
    let out = fx.rebalance(SOL_VAULT).await;
    assert_ok(&out);
    let pool = fx.pool().await;
    let gross_after: u64 = pool.assets[..pool.asset_count as usize].iter().map(|a| a.long_notional + a.short_notional).sum();
    assert!(gross_after <= cap, "the re-leverage took gross notional to {gross_after} over the cap {cap}");
    assert_eq!(out.event::<RebalanceEvent>().action, turbo::events::RebalanceAction::InBand);
}

// --- L-2: inflating the volatility estimate ---

/// Settling every 5 s at alternating ±0.5% prices must not feed the volatility estimate more
/// than one sample per minute.
#[tokio::test]
async fn l2_settling_often_does_not_inflate_the_volatility_estimate() {
    let (mut fx, _lp) = Fixture::deployed().await;
    let start = fx.feed(Asset::Sol).quote.price;
    for i in 0..10 {
        fx.tick(5);
        let bps = if i % 2 == 0 { 50 } else { -50 };
        fx.set_price(Asset::Sol, start + start * bps / 10_000, 0);
        assert_ok(&fx.rebalance(SOL_VAULT).await);
    }
    let v = fx.vault(SOL_VAULT).await;
    assert_eq!({ v.variance_rate }, 0, "ten settlements inside one minute fed the estimate");
}

// --- L-5: bounty farming ---

/// A small trim earns a bounty in proportion to the notional it moved, not the whole bounty.
#[tokio::test]
async fn l5_a_small_trim_earns_a_proportional_bounty() {
    let (mut fx, _lp) = Fixture::deployed().await;
    let whale = fx.user(200_000 * USDC, 0).await;
    assert_ok(&fx.mint(&whale, SOL_VAULT, 200_000 * USDC, 0, 0).await);
    // Fees for the treasury to pay bounties from.
    fx.tick(31);
    assert_ok(&fx.rebalance(SOL_VAULT).await);
    fx.tick(31);
    fx.move_price(Asset::Sol, -20);
    let out = fx.rebalance(SOL_VAULT).await;
    assert_ok(&out);
    let e = out.event::<RebalanceEvent>();
    assert_eq!(e.action, turbo::events::RebalanceAction::Trim);
    let moved = (e.exposure_before - e.exposure_after).unsigned_abs() as u128 * e.price as u128 / 100_000_000_000;
    let config = fx.config().await;
    println!("l5: moved {moved} micro-USD of notional, bounty {}", e.bounty);
    assert!(
        (e.bounty as u128) * 10_000_000_000 <= moved * config.params.keeper_bounty as u128,
        "a trim of {moved} micro-USD earned {}",
        e.bounty
    );
}

// --- I-4: grinding the jitter ---

/// With a jitter, a keeper that retries in every slot must not find an earlier time to act.
#[tokio::test]
async fn i4_retrying_in_other_slots_does_not_shorten_the_jittered_interval() {
    let (mut fx, _lp) = Fixture::deployed().await;
    let params = turbo::state::VaultParams { min_interval_secs: 0, jitter_secs: 60, ..turbo_sdk::defaults::turbo_params() };
    let sol = fx.v(SOL_VAULT).keys.vault;
    assert_ok(&fx.send(&[turbo_sdk::ix::update_vault(fx.admin.pubkey(), sol, params)], &[]).await);
    fx.tick(1);
    fx.move_price(Asset::Sol, -800);
    // A first capped trim: the next step waits for the jittered interval.
    let first = loop {
        let out = fx.rebalance(SOL_VAULT).await;
        assert_ok(&out);
        let e = out.event::<RebalanceEvent>();
        if e.action == turbo::events::RebalanceAction::Trim {
            break e;
        }
        fx.tick(1);
    };
    assert!(first.capped);
    // Half the jitter's range later, the same call simulated in 100 different slots: where it
    // lands must not decide whether it acts.
    fx.tick(30);
    let (ix, keeper) = fx.rebalance_ix_at(SOL_VAULT, fx.v(SOL_VAULT).price);
    let mut actions = std::collections::BTreeSet::new();
    for _ in 0..100 {
        fx.bank.next_slot();
        let out = fx.simulate(std::slice::from_ref(&ix), &[&keeper]).await;
        assert_ok(&out);
        actions.insert(out.event::<RebalanceEvent>().action);
    }
    assert_eq!(actions.len(), 1, "the slot decided whether the call acts: {actions:?}");
}

// --- I-5: the bounty routed into a reserve ---

/// A keeper that names the pool's own USDC reserve as its bounty account must not leave an
/// untracked excess in the reserve.
#[tokio::test]
async fn i5_a_bounty_cannot_be_paid_into_a_protocol_reserve() {
    let (mut fx, _lp) = Fixture::deployed().await;
    let whale = fx.user(200_000 * USDC, 0).await;
    assert_ok(&fx.mint(&whale, SOL_VAULT, 200_000 * USDC, 0, 0).await);
    fx.tick(31);
    assert_ok(&fx.rebalance(SOL_VAULT).await);
    fx.tick(31);
    fx.move_price(Asset::Sol, -300);
    let v = fx.v(SOL_VAULT);
    let keeper = fx.keeper.as_ref().unwrap().key.insecure_clone();
    let ix = turbo_sdk::ix::rebalance(&fx.d, &v, keeper.pubkey(), Some(turbo_sdk::pda::pool_usdc()));
    assert_error(&fx.send(&[ix], &[&keeper]).await, TurboError::PayoutToReserve);
    let ix = turbo_sdk::ix::rebalance(&fx.d, &v, keeper.pubkey(), Some(v.keys.usdc_reserve));
    assert_error(&fx.send(&[ix], &[&keeper]).await, TurboError::PayoutToReserve);
    // A redeem paid into the vault's own reserve is refused the same way.
    let tokens = fx.tokens(&whale, SOL_VAULT).await;
    let redeem = swap_account(fx.redeem_ix(&whale, SOL_VAULT, tokens), whale.usdc, v.keys.usdc_reserve);
    assert_error(&fx.send(&[redeem], &[&whale.key]).await, TurboError::PayoutToReserve);
    fx.assert_books_balance().await;
}

// --- I-6: an event's leverage that does not fit ---

/// Leverage in an event saturates at `i64::MAX` instead of failing the instruction when risk
/// equity is below notional / 9.2·10¹².
#[tokio::test]
async fn i6_an_event_leverage_that_does_not_fit_saturates() {
    let (mut fx, _lp) = Fixture::deployed().await;
    let (config, mut vault) = (fx.config().await, fx.vault(BTC_VAULT).await);
    let px = turbo_math::Prices {
        asset: turbo_math::OraclePrice::exact(turbo_math::Price(vault.settle_price), 0),
        crt: turbo_math::OraclePrice::exact(turbo_math::Price(100_000_000), 0),
    };
    vault.usdc_balance = 1;
    vault.exposure = i64::MAX / 2;
    assert!(vault.book().leverage(px.asset.mid, px.crt.mid, config.crt()).is_err());
    assert_eq!(turbo::engine::settle::leverage_of(&vault, &config, &px), i64::MAX);
}
