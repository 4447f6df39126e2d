//! Keeper decision time for 100 vaults: `turbo_keeper::decide` over the localnet deployment's five
//! vaults after a price move (`turbo_testkit::localnet::after_a_move`), replicated to 100. The
//! verdicts themselves are asserted by `tests/decide.rs`. Run: `cargo bench -p turbo-keeper
//! --bench decide`.

use criterion::{criterion_group, criterion_main, Criterion};

fn decide_100(c: &mut Criterion) {
    let (snap, at) = tokio::runtime::Runtime::new().unwrap().block_on(turbo_testkit::localnet::after_a_move());
    let mut big = snap.clone();
    big.vaults = (0..100).map(|i| snap.vaults[i % snap.vaults.len()].clone()).collect();
    // The keeper binary's policy: bounties asked, the default minimum step.
    let policy = turbo_keeper::Settings { bounty_account: Some(Default::default()), ..Default::default() }.policy();
    c.bench_function("keeper decide, 100 vaults", |b| {
        b.iter(|| turbo_keeper::decide(std::hint::black_box(&big), Default::default(), at, policy))
    });
}

criterion_group!(benches, decide_100);
criterion_main!(benches);
