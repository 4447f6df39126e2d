//! Keeper decision time for 100 vaults: `turbo_keeper::decide` over a snapshot of 100 vaults
//! (the localnet deployment's five vaults, after a price move that makes some of them act,
//! replicated to 100). Run: `cargo bench -p turbo-keeper --bench decide`.

use criterion::{criterion_group, criterion_main, Criterion};
use turbo_sdk::accounts::Snapshot;
use turbo_sdk::preview::At;
use turbo_sdk::pyth::{feed_id, BTC_FEED, SOL_FEED};

fn snapshot_of_100() -> (Snapshot, At) {
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let mut bank = turbo_testkit::localnet::localnet([6_000_000_000_000, 15_000_000_000, 150_000_000]).await.unwrap().bank;
        bank.advance(60);
        bank.refresh_prices();
        bank.set_price(&feed_id(BTC_FEED), 5_900_000_000_000, 0); // BTC -1.7%: Turbo trims, Bear re-levers
        bank.set_price(&feed_id(SOL_FEED), 15_600_000_000, 0); // SOL +4%: Turbo re-levers, Bear holds
        let feeds = bank.feed_map();
        let snap = Snapshot::load(&mut bank, &feeds).await.unwrap();
        let mut big = snap.clone();
        big.vaults = (0..100).map(|i| snap.vaults[i % snap.vaults.len()].clone()).collect();
        let at = snap.next();
        (big, at)
    })
}

fn decide_100(c: &mut Criterion) {
    let (snap, at) = snapshot_of_100();
    // The keeper binary's policy: bounties asked, the default minimum step.
    let policy = turbo_keeper::Settings { bounty_account: Some(Default::default()), ..Default::default() }.policy();
    let acting =
        turbo_keeper::decide(&snap, Default::default(), at, policy).iter().filter(|v| matches!(v, turbo_keeper::Verdict::Act(_))).count();
    assert_eq!(acting, 60, "tBTC, bBTC and tSOL act after the move; tFET and bSOL stay in band");
    c.bench_function("keeper decide, 100 vaults", |b| {
        b.iter(|| turbo_keeper::decide(std::hint::black_box(&snap), Default::default(), at, policy))
    });
}

criterion_group!(benches, decide_100);
criterion_main!(benches);
