//! The index's costs (docs/performance.md, "The indexer"): ingest throughput in events per
//! second into a fresh SQLite file, the vault page's queries on an index of 20,000 transactions,
//! and the database's size per million events. Each transaction is a keeper's: a settlement and
//! a rebalance of one of five vaults, the events as the program writes them.
//! Run: `cargo bench -p turbo-indexer --bench index`.

use anchor_lang::prelude::Pubkey;
use anchor_lang::Event;
use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use turbo_indexer::decode::decode;
use turbo_indexer::store::{Landed, Store};
use turbo_sdk::turbo::events::{RebalanceAction, RebalanceEvent, VaultSettledEvent};

fn keeper_tx(i: u64, vaults: &[Pubkey], keeper: Pubkey) -> Landed {
    let vault = vaults[(i % vaults.len() as u64) as usize];
    let price = 15_000_000_000 + (i % 1_000) * 1_000_000;
    let settle = VaultSettledEvent {
        vault,
        price,
        previous_price: price - 1_000_000,
        pnl: 12_345,
        funding: 10,
        hedge_fee: 5,
        usdc_to_vault: 12_330,
        crt_to_vault: 0,
        bad_debt: 0,
        unpaid_gain: 0,
        claim: 0,
        closed_out: false,
        exposure: 3_000_000_000,
    };
    let rebalance = RebalanceEvent {
        vault,
        keeper,
        price,
        action: RebalanceAction::Trim,
        capped: false,
        vol_bps: 6_000,
        effective_target: 3_000_000,
        leverage_before: 3_150_000,
        leverage_after: 3_000_000,
        exposure_before: 3_150_000_000,
        exposure_after: 3_000_000_000,
        pnl: 12_345,
        bad_debt: 0,
        closed_out: false,
        nav: 1_000_000_000 + i,
        bounty: 1_000_000,
        ui_price: 100_000_000,
        band_lo: 2_900_000,
        band_hi: 3_100_000,
    };
    let events = [settle.data(), rebalance.data()].iter().map(|d| decode(d).expect("a Turbo event")).collect();
    Landed { signature: format!("sig{i:012}"), slot: 1_000 + i, block_time: 1_700_000_000 + i as i64 * 60, ok: true, events }
}

fn fresh(dir: &std::path::Path, name: &str) -> String {
    let path = dir.join(name);
    for ext in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{ext}", path.display()));
    }
    format!("sqlite://{}", path.display())
}

fn index(c: &mut Criterion) {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let dir = std::env::temp_dir().join(format!("turbo-index-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let vaults: Vec<Pubkey> = (0..5).map(|_| Pubkey::new_unique()).collect();
    let keeper = Pubkey::new_unique();

    // Ingest: 500 transactions (1,000 events), one commit each, as the follower commits.
    const TXS: u64 = 500;
    let batch: Vec<Landed> = (0..TXS).map(|i| keeper_tx(i, &vaults, keeper)).collect();
    let mut g = c.benchmark_group("indexer");
    g.sample_size(10).throughput(Throughput::Elements(2 * TXS));
    let mut run = 0;
    g.bench_function("ingest 500 keeper transactions (1,000 events), SQLite", |b| {
        b.iter_batched(
            || {
                run += 1;
                rt.block_on(Store::open(&fresh(&dir, &format!("ingest{run}.db")))).unwrap()
            },
            |store| {
                rt.block_on(async {
                    for l in &batch {
                        store.ingest(l).await.unwrap();
                    }
                })
            },
            BatchSize::PerIteration,
        )
    });
    g.finish();

    // The vault page's queries on an index of 20,000 transactions (40,000 events).
    let url = fresh(&dir, "page.db");
    let store = rt.block_on(Store::open(&url)).unwrap();
    rt.block_on(async {
        for i in 0..20_000 {
            store.ingest(&keeper_tx(i, &vaults, keeper)).await.unwrap();
        }
    });
    let bytes: u64 =
        ["", "-wal"].iter().map(|e| std::fs::metadata(format!("{}{e}", dir.join("page.db").display())).map_or(0, |m| m.len())).sum();
    eprintln!("database: {bytes} bytes for 40,000 events: {:.0} MB per million events", bytes as f64 / 40_000.0);
    let v = vaults[0].to_string();
    let mut g = c.benchmark_group("indexer page");
    g.bench_function("series, 1D, up to 500 points", |b| {
        b.iter(|| rt.block_on(store.series(&v, 1_700_000_000 + 20_000 * 60 - 86_400, 500)).unwrap())
    });
    g.bench_function("rebalances, newest page of 50", |b| {
        b.iter(|| rt.block_on(store.events("RebalanceEvent", Some(&v), u64::MAX >> 1, 50)).unwrap())
    });
    g.bench_function("positions of a wallet with no flows", |b| {
        b.iter(|| rt.block_on(turbo_indexer::api::wallet_positions(&store, &keeper.to_string())).unwrap())
    });
    g.finish();
    let _ = std::fs::remove_dir_all(&dir);
}

criterion_group!(benches, index);
criterion_main!(benches);
