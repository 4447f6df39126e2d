//! Simulator throughput: price steps per second through the Turbo model (the program's own
//! `plan` on every step) on one core, over the hourly BTC file (26,490 closes, 2020–2023).
//! Run: `cargo bench -p turbo-sim --bench throughput`. The file defaults to the shared price
//! history next to the repository; `TURBO_BTC_1H=<path>` points elsewhere.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use turbo_sim::strategies::{turbo, Options, Path};

fn btc_hourly() -> Path {
    let file = std::env::var("TURBO_BTC_1H")
        .unwrap_or_else(|_| concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data/btc_usd_1h_2020_2023.csv").into());
    let points = turbo_sdk::series::load_csv(std::path::Path::new(&file)).unwrap_or_else(|e| panic!("{e} (set TURBO_BTC_1H)"));
    Path::from_points(&points)
}

fn throughput(c: &mut Criterion) {
    let path = btc_hourly();
    let o = Options::default();
    let mut g = c.benchmark_group("turbo model");
    g.throughput(Throughput::Elements(path.len() as u64));
    g.sample_size(20);
    g.bench_function("hourly BTC 2020-2023, keeper every step", |b| b.iter(|| turbo(std::hint::black_box(&path), "Turbo", o.turbo, &o)));
    g.finish();
}

criterion_group!(benches, throughput);
criterion_main!(benches);
