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
}

#[tokio::test]
async fn every_instruction_stays_within_its_recorded_budget() {
    let budget: Budget = toml::from_str(include_str!("../../budget.toml")).expect("tests/budget.toml parses");
    let (rows, sizes) = measure_all().await;
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
