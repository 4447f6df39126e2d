//! The cost budget holds: no instruction gains a CPI or an account, and no account grows past
//! its recorded size, unless `tests/budget.toml` is updated on purpose.

use std::collections::BTreeMap;

use serde::Deserialize;
use turbo_tests::cost::measure_all;

#[derive(Deserialize)]
struct Budget {
    instructions: BTreeMap<String, Limits>,
    accounts: BTreeMap<String, usize>,
}

#[derive(Deserialize)]
struct Limits {
    cpis: usize,
    accounts: usize,
    /// Heap bytes, as SBF's bump allocator would count them.
    heap: u64,
}

#[tokio::test]
async fn every_instruction_stays_within_its_recorded_budget() {
    let (rows, sizes) = measure_all().await;
    assert!(turbo_sdk::heap::installed(), "the bank test binary counts the program's heap");
    println!("| instruction | heap bytes | of 32 KiB |");
    for m in &rows {
        println!("| {} | {} | {:.1}% |", m.name, m.heap, 100.0 * m.heap as f64 / turbo_sdk::heap::SBF_HEAP_BYTES as f64);
    }
    let budget: Budget = toml::from_str(include_str!("../../budget.toml")).expect("tests/budget.toml parses");
    assert_eq!(rows.len(), budget.instructions.len(), "every measured instruction has a budget line, and no more");
    for m in &rows {
        let b = budget.instructions.get(m.name).unwrap_or_else(|| panic!("no budget for {}", m.name));
        assert!(m.cpis.len() <= b.cpis, "{} makes {} CPIs, budget {}: update tests/budget.toml deliberately", m.name, m.cpis.len(), b.cpis);
        assert!(
            m.accounts <= b.accounts,
            "{} takes {} accounts, budget {}: update tests/budget.toml deliberately",
            m.name,
            m.accounts,
            b.accounts
        );
        // SBF's heap is 32 KiB and its bump allocator never frees.
        assert!(m.heap > 0 && m.heap < turbo_sdk::heap::SBF_HEAP_BYTES, "{} allocates {} bytes of a 32 KiB heap", m.name, m.heap);
        assert!(m.heap <= b.heap, "{} allocates {} heap bytes, budget {}: update tests/budget.toml deliberately", m.name, m.heap, b.heap);
        // Every user-facing transaction fits one packet.
        assert!(m.tx_bytes <= 1_232, "{} is {} bytes", m.name, m.tx_bytes);
    }
    for (name, len) in sizes {
        let b = budget.accounts.get(name).unwrap_or_else(|| panic!("no size budget for {name}"));
        assert!(len <= *b, "{name} is {len} bytes, budget {b}: update tests/budget.toml deliberately");
    }
    // The target (docs/performance.md, "Targets"): a vault account fits in 512 bytes.
    assert!(budget.accounts["Vault"] <= 512);
}
