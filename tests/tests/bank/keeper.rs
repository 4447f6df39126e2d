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

    let (mut sent, mut mints, mut refused, mut redeems, mut capped_steps) = (0, 0, 0, 0, 0);
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
                    // The pool's risk cap on SOL's net exposure (docs/design.md §5.5) binds.
                    Err(e) if e.program_error() == Some("RiskCapExceeded") => refused += 1,
                    Err(e) => panic!("step {step}: mint: {e}"),
                }
            } else if cli.redeem(user, vault, "all", 100).await.is_ok() {
                redeems += 1;
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
            if let Some(i) = WATCHED.iter().position(|w| *w == s.symbol) {
                capped[i] = e.capped;
            }
            sent += 1;
        }

        // Every watched vault is in its band (scaled with its effective target when the pool's
        // caps lower it), or this step was rate-limited and the next ones converge.
        let snap = Snapshot::load(&mut cli.chain, &settings.feeds).await.unwrap();
        for (i, name) in WATCHED.iter().enumerate() {
            let v = snap.find(name).unwrap();
            let m = turbo_sdk::preview::metrics(&snap.config, &snap.pool, &v.vault, v.mint.supply, v.prices.as_ref().unwrap()).unwrap();
            let l = m.leverage.expect("positive equity").abs();
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
            } else {
                assert!(capped[i], "step {step}: {name} at {l} is out of [{}, {}] without a rate-limited step", d.lo, d.hi);
                capped_steps += 1;
                out_of_band_run[i] += 1;
                assert!(out_of_band_run[i] <= 5, "step {step}: {name} has not converged in 5 steps");
            }
        }
    }

    // Token balances equal the accounting at the end.
    let snap = Snapshot::load(&mut cli.chain, &settings.feeds).await.unwrap();
    assert_eq!(accounts::token_balance(&mut cli.chain, &snap.pool.usdc_reserve).await.unwrap(), snap.pool.usdc_balance);
    assert_eq!(accounts::token_balance(&mut cli.chain, &snap.pool.crt_reserve).await.unwrap(), snap.pool.crt_balance);
    for v in &snap.vaults {
        let (usdc, crt) = v.vault.reserves();
        assert_eq!(accounts::token_balance(&mut cli.chain, &v.vault.usdc_reserve).await.unwrap(), usdc, "{}", v.mint.symbol);
        assert_eq!(accounts::token_balance(&mut cli.chain, &v.vault.crt_reserve).await.unwrap(), crt, "{}", v.mint.symbol);
    }
    // The run did real work: the counts are printed for the record.
    println!(
        "keeper e2e: {STEPS} steps, {sent} rebalances, {mints} mints ({refused} refused by the risk cap), {redeems} redeems, {capped_steps} rate-limited vault-steps"
    );
    assert!(sent > 200 && mints > 100 && redeems > 20, "sent {sent}, mints {mints}, redeems {redeems}");
}
