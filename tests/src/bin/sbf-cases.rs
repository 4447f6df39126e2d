//! `cargo run -p turbo-tests --bin sbf-cases -- <cases.json>`: run the cost scenario on the
//! native bank and write each instruction's before and after as the SBF runner's cases
//! (`turbo_tests::sbf`). `scripts/sbf` runs it.

#[global_allocator]
static ALLOC: turbo_sdk::heap::CountingAlloc = turbo_sdk::heap::CountingAlloc;

#[tokio::main]
async fn main() {
    let path = std::env::args().nth(1).expect("usage: sbf-cases <cases.json>");
    let (measured, _) = turbo_tests::cost::measure_all().await;
    let cases = turbo_tests::sbf::cases(&measured);
    std::fs::write(&path, serde_json::to_vec(&cases).expect("json")).unwrap_or_else(|e| panic!("{path}: {e}"));
    println!("{} cases written to {path}", cases.cases.len());
}
