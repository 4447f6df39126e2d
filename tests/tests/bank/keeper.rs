//! The keeper end to end on the bank: 2,000 consecutive 3-minute SOL closes (real Binance
//! data) against Turbo SOL and Bear SOL, with users minting and redeeming at random points.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use solana_sdk::signature::Signer;
use turbo::events::{RebalanceEvent, ReverseSplitEvent};
use turbo_cli::Cli;
use turbo_sdk::accounts::{self, Snapshot};
use turbo_sdk::pyth::{feed_id, SOL_FEED};
use turbo_testkit::localnet::{bundled_series, localnet, wallet};
use turbo_tests::*;

const STEPS: usize = 2_000;
const WATCHED: [&str; 2] = ["tSOL", "bSOL"];

#[tokio::test]
async fn keeper_replays_2000_sol_closes_keeps_leverage_in_band_and_never_sends_a_no_op() {
    let [btc, sol, fet] = bundled_series();
    assert!(sol.len() > STEPS);
    let l = localnet([btc[0].price, sol[0].price, fet[0].price]).await.unwrap();
    let mut cli = Cli::new(l.bank, l.feeds);
    let keeper = wallet(&mut cli.chain, 0).await;
    let settings = turbo_keeper::Settings {
        bounty_account: Some(turbo_sdk::pda::ata(&keeper.pubkey(), &cli.chain.usdc_mint)),
        feeds: cli.chain.feed_map(),
        ..Default::default()
    };
    let mut rng = ChaCha8Rng::seed_from_u64(20_241_122);
    let mut users = Vec::new();
    for _ in 0..4 {
        users.push(wallet(&mut cli.chain, 50_000 * USDC).await);
    }

    let (mut sent, mut mints, mut refused, mut redeems, mut capped_steps, mut small_steps) = (0, 0, 0, 0, 0, 0);
    let mut out_of_band_run = [0usize; 2];
    for (step, close) in sol.iter().enumerate().take(STEPS + 1).skip(1) {
        cli.chain.advance(180);
        cli.chain.refresh_prices();
        cli.chain.set_price(&feed_id(SOL_FEED), close.price, 0);

        // Users act at random points: about one step in eight.
        if rng.random_range(0..8) == 0 {
            let user = &users[rng.random_range(0..users.len())];
            let vault = WATCHED[rng.random_range(0..2)];
            if rng.random_bool(0.6) {
                let usdc = rng.random_range(100..5_000).to_string();
                match cli.mint(user, vault, &usdc, None, 50).await {
                    Ok(_) => mints += 1,
                    // The pool's risk cap on SOL's net exposure (docs/design.md §5.5) binds: with
                    // SOL's custody open and empty, the refusal says a hedge would cover it.
                    Err(e) if e.program_error() == Some("HedgeFull") => refused += 1,
                    Err(e) => panic!("step {step}: mint: {e}"),
                }
            } else {
                match cli.redeem(user, vault, "all", 100).await {
                    Ok(_) => redeems += 1,
                    // A user who holds none of the vault's tokens has nothing to redeem.
                    Err(e) if e.program_error().is_none() && e.to_string().contains("you hold 0.00") => {}
                    Err(e) => panic!("step {step}: redeem: {e}"),
                }
            }
        }

        let report = turbo_keeper::tick(&mut cli.chain, &keeper, &settings).await.expect("tick");
        assert!(report.skipped.is_empty(), "step {step}: {:?}", report.skipped);
        let mut capped = [false; 2];
        for s in &report.sent {
            assert_ok(&s.outcome);
            // The keeper sent no transaction that did nothing.
            let e: RebalanceEvent = s.outcome.event();
            let split = !s.outcome.events::<ReverseSplitEvent>().is_empty();
            assert!(e.exposure_after != e.exposure_before || split, "step {step}: {} no-op {e:?}", s.symbol);
            assert_eq!(e.exposure_after, s.plan.after.0, "step {step}: the chain did what the keeper predicted");
            // Nor one under its minimum step, unless an emergency or a split sent it.
            let small = turbo_math::is_small_step(s.plan.before, s.plan.after, settings.min_step).unwrap();
            assert!(!small || split || s.plan.action == turbo_math::Action::Emergency, "step {step}: {} sent a small step", s.symbol);
            if let Some(i) = WATCHED.iter().position(|w| *w == s.symbol) {
                capped[i] = e.capped;
            }
            sent += 1;
        }

        // Every watched vault is in its band (scaled with its effective target when the pool's
        // caps lower it), or this step was rate-limited and the next ones converge, or the step
        // back was under the keeper's minimum (10 bps of the position).
        let snap = Snapshot::load(&mut cli.chain, &settings.feeds).await.unwrap();
        for (i, name) in WATCHED.iter().enumerate() {
            let v = snap.find(name).unwrap();
            let q = snap.quote(v).unwrap();
            assert_ne!(q.leverage, i64::MAX, "positive equity");
            let l = q.leverage.unsigned_abs();
            let call = turbo::engine::rebalance::RebalanceCall {
                vault: v.keys.vault,
                keeper: keeper.pubkey(),
                now: snap.at.unix_timestamp,
                bounty_eligible: true,
            };
            let plan =
                turbo_sdk::preview::rebalance(snap.state(v), snap.price_accounts(v), snap.next(), &call).expect("a keeper preview").plan;
            let d = plan.decision;
            // A re-leverage the pool's caps refuse leaves the vault under its band, by design.
            let held_by_caps = d.action == turbo_math::Action::Relever && plan.action != turbo_math::Action::Relever;
            if (d.lo..=d.hi).contains(&l) || held_by_caps {
                out_of_band_run[i] = 0;
            } else if report.small.iter().any(|s| s == name) {
                assert!(turbo_math::is_small_step(plan.before, plan.after, settings.min_step).unwrap(), "step {step}: {name}");
                // A step under 10 bps of the position leaves |L| within 0.1% of the target.
                let t = d.target.abs() as i128;
                assert!((l as i128 - t).abs() * 10_000 <= 11 * t, "step {step}: {name} at {l}, target {t}");
                small_steps += 1;
                out_of_band_run[i] = 0;
            } else {
                // Rate-limited: a step sent now, or the interval since the last step not yet over
                // (a trim that brought the heavy side down to what the pool may carry ends under
                // the band of the full target; the re-leverage waits its interval).
                let waiting = d.action == turbo_math::Action::Waiting;
                assert!(capped[i] || waiting, "step {step}: {name} at {l} is out of [{}, {}] without a rate-limited step", d.lo, d.hi);
                capped_steps += 1;
                out_of_band_run[i] += 1;
                assert!(out_of_band_run[i] <= 5, "step {step}: {name} has not converged in 5 steps");
            }
        }
    }

    // Token balances equal the accounting at the end.
    let snap = Snapshot::load(&mut cli.chain, &settings.feeds).await.unwrap();
    assert_eq!(accounts::token_balance(&mut cli.chain, &{ snap.pool.usdc_reserve }).await.unwrap(), { snap.pool.usdc_balance });
    assert_eq!(accounts::token_balance(&mut cli.chain, &{ snap.pool.crt_reserve }).await.unwrap(), { snap.pool.crt_balance });
    for v in &snap.vaults {
        let (usdc, crt) = v.vault.reserves();
        assert_eq!(accounts::token_balance(&mut cli.chain, &v.vault.usdc_reserve).await.unwrap(), usdc, "{}", v.mint.symbol);
        assert_eq!(accounts::token_balance(&mut cli.chain, &v.vault.crt_reserve).await.unwrap(), crt, "{}", v.mint.symbol);
    }
    // The run did real work: the counts are printed for the record.
    println!(
        "keeper e2e: {STEPS} steps, {sent} rebalances, {mints} mints ({refused} refused by the caps), {redeems} redeems, {capped_steps} rate-limited vault-steps, {small_steps} steps under the minimum left to grow"
    );
    assert!(
        sent > 150 && mints > 100 && redeems > 20 && small_steps > 20,
        "sent {sent}, mints {mints}, redeems {redeems}, small {small_steps}"
    );
}

/// With the band's top at the target, every downtick (and every hour of skew funding) is a trim,
/// most of them dust. A keeper sends no step under its minimum share of the position (10 bps by
/// default), so it pays no fee for a step that hardly moves; it sends the step once the move
/// has grown, and a keeper with no minimum sends it at once.
#[tokio::test]
async fn a_keeper_skips_a_step_under_its_minimum_and_sends_it_once_it_grows() {
    let (mut fx, _lp) = Fixture::deployed().await;
    let user = fx.user(20_000 * USDC, 0).await;
    assert_ok(&fx.mint(&user, SOL_VAULT, 1_000 * USDC, 0, 0).await);
    let keeper = fx.keeper.as_ref().unwrap().key.insecure_clone();
    let settings = turbo_keeper::Settings { feeds: fx.bank.feed_map(), ..Default::default() };
    assert_eq!(settings.min_step, turbo_math::Bps(turbo_sdk::defaults::KEEPER_MIN_STEP_BPS));
    assert_eq!(settings.min_step, turbo_math::Bps(10));

    // SOL down 1 bp: Turbo SOL is at 3.0006x and a trim to 3x moves 2 bps of its exposure.
    fx.tick(60);
    fx.move_price(Asset::Sol, -1);
    let plan = fx.preview_rebalance(SOL_VAULT).await;
    assert_eq!(plan.action, turbo_math::Action::Trim);
    assert!(plan.after != plan.before);
    let report = turbo_keeper::tick(&mut fx.bank, &keeper, &settings).await.unwrap();
    assert!(report.sent.is_empty(), "{:?}", report.sent.iter().map(|s| &s.symbol).collect::<Vec<_>>());
    assert!(report.small.iter().any(|s| s == "tSOL"), "{:?}", report.small);
    assert_eq!(report.idle + report.small.len(), report.scanned);

    // A keeper with no minimum sends exactly that trim.
    let eager = turbo_keeper::Settings { min_step: turbo_math::Bps(0), ..settings.clone() };
    let report = turbo_keeper::tick(&mut fx.bank, &keeper, &eager).await.unwrap();
    let sol = report.sent.iter().find(|s| s.symbol == "tSOL").expect("the eager keeper trims Turbo SOL");
    assert_ok(&sol.outcome);
    assert_eq!(sol.plan.action, turbo_math::Action::Trim);
    assert_eq!(sol.plan.after, plan.after);
    assert!(report.small.is_empty());

    // SOL down another 1%: the trim is now about 2% of the position, and the default keeper
    // sends it.
    fx.tick(60);
    fx.move_price(Asset::Sol, -100);
    let report = turbo_keeper::tick(&mut fx.bank, &keeper, &settings).await.unwrap();
    let sol = report.sent.iter().find(|s| s.symbol == "tSOL").expect("the keeper trims Turbo SOL");
    assert_ok(&sol.outcome);
    assert_eq!(sol.plan.action, turbo_math::Action::Trim);
    assert!(!turbo_math::is_small_step(sol.plan.before, sol.plan.after, settings.min_step).unwrap());
    assert!(!report.small.iter().any(|s| s == "tSOL"));
}

/// `--bounty-account` is checked before the first scan: a USDC token account is used as it is, a
/// wallet becomes its associated USDC account, and a wallet without one, or a token account of
/// another mint, is refused in one line (before, a wallet named as it is made every rebalance
/// fail with `AccountOwnedByWrongProgram` while the scan logged them as sent).
#[tokio::test]
async fn the_bounty_account_is_a_usdc_account_or_a_wallet_that_has_one() {
    let (mut fx, _lp) = Fixture::deployed().await;
    let user = fx.user(10 * USDC, 5 * CRT).await;
    let usdc_mint = fx.bank.usdc_mint;
    assert_eq!(turbo_keeper::bounty_account(&mut fx.bank, user.usdc).await.unwrap(), user.usdc);
    assert_eq!(turbo_keeper::bounty_account(&mut fx.bank, user.pubkey()).await.unwrap(), turbo_sdk::pda::ata(&user.pubkey(), &usdc_mint));
    let stranger = solana_sdk::pubkey::Pubkey::new_unique();
    let e = turbo_keeper::bounty_account(&mut fx.bank, stranger).await.unwrap_err();
    assert!(matches!(e, turbo_keeper::KeeperError::BountyWalletWithoutUsdc { given, .. } if given == stranger), "{e}");
    let e = turbo_keeper::bounty_account(&mut fx.bank, user.crt).await.unwrap_err();
    assert!(matches!(e, turbo_keeper::KeeperError::BountyNotUsdc { mint, .. } if mint == fx.bank.crt_mint), "{e}");
    assert!(e.to_string().starts_with(&format!("--bounty-account {} is a token account of mint", user.crt)), "{e}");
}
