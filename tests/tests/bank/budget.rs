//! The cost budget holds: no instruction gains a CPI or an account, no account grows past its
//! recorded size, and no instruction's metered compute units (the SBF bytecode, `scripts/sbf`)
//! pass its budget, unless `tests/budget.toml` is updated on purpose.

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
    /// Compute units, as the runtime metered the SBF bytecode (CPIs included).
    cu: u64,
}

/// The runtime's default compute limit for one instruction, which every budget line must leave
/// room under; a transaction's limit is 1.4M, and each measured transaction holds one
/// instruction.
const MAX_CU_PER_INSTRUCTION: u64 = 200_000;
const MAX_CU_PER_TRANSACTION: u64 = 1_400_000;

#[tokio::test]
async fn every_instruction_stays_within_its_recorded_budget() {
    let (rows, sizes) = measure_all().await;
    assert!(turbo_sdk::heap::installed(), "the bank test binary counts the program's heap");
    println!("| instruction | CPIs | accounts | heap bytes | of 32 KiB |");
    for m in &rows {
        let share = 100.0 * m.heap as f64 / turbo_sdk::heap::SBF_HEAP_BYTES as f64;
        println!("| {} | {} | {} | {} | {share:.1}% |", m.name, m.cpis.len(), m.accounts, m.heap);
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
    for (name, b) in &budget.instructions {
        assert!(b.cu <= MAX_CU_PER_INSTRUCTION, "{name}: a budget of {} CU is over the default instruction limit", b.cu);
    }
    // The metered cost, when scripts/sbf has just run the bytecode (scripts/test runs it first
    // and names its results; a developer's plain `cargo test` has none to read).
    match std::env::var("TURBO_SBF_METERED") {
        Ok(path) => {
            let metered = turbo_tests::sbf::metered(&path);
            let names: Vec<&str> = metered.iter().map(|m| m.name.as_str()).collect();
            assert_eq!(names, rows.iter().map(|m| m.name).collect::<Vec<_>>(), "the bytecode ran every measured instruction");
            for m in &metered {
                assert_eq!(m.mismatch, None, "{}: the bytecode differs from the native run", m.name);
                let b = &budget.instructions[&m.name];
                assert!(m.cu <= b.cu, "{} metered {} CU, budget {}: update tests/budget.toml deliberately", m.name, m.cu, b.cu);
                assert!(m.cu <= MAX_CU_PER_TRANSACTION);
            }
            println!("metered CU checked for {} instructions ({path})", metered.len());
        }
        Err(_) => println!("metered CU not checked: TURBO_SBF_METERED is unset (scripts/sbf writes it)"),
    }
    for (name, len) in sizes {
        let b = budget.accounts.get(name).unwrap_or_else(|| panic!("no size budget for {name}"));
        assert!(len <= *b, "{name} is {len} bytes, budget {b}: update tests/budget.toml deliberately");
    }
    // The target (docs/performance.md, "Targets"): a vault account fits in 512 bytes.
    assert!(budget.accounts["Vault"] <= 512);
}
