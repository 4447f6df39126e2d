//! The committed IDL (`idl/turbo.json`, Anchor's layout) is the program's: this test builds it
//! from the program with the `idl-build` feature, as `anchor idl build` does, and fails when the
//! two differ, naming what changed. Regenerate with
//!
//!     TURBO_WRITE_IDL=1 cargo test --locked -p turbo-tests --test idl
//!
//! The build runs `cargo test --features idl-build` on the program in its own target dir
//! (`<target>/tmp/idl-build`), so it never invalidates the test build.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::Value;

fn named(v: &Value, key: &str) -> BTreeMap<String, Value> {
    v[key]
        .as_array()
        .map(|a| a.iter().map(|x| (x["name"].as_str().unwrap_or_default().to_string(), x.clone())).collect())
        .unwrap_or_default()
}

/// What differs between two IDLs, section by section, by name.
fn changes(old: &Value, new: &Value) -> Vec<String> {
    let mut out = Vec::new();
    for key in ["instructions", "accounts", "events", "errors", "types", "constants"] {
        let (a, b) = (named(old, key), named(new, key));
        for name in a.keys().filter(|n| !b.contains_key(*n)) {
            out.push(format!("{key}: {name} removed"));
        }
        for (name, v) in &b {
            match a.get(name) {
                None => out.push(format!("{key}: {name} added")),
                Some(o) if o != v => out.push(format!("{key}: {name} changed")),
                _ => {}
            }
        }
    }
    for key in ["address", "metadata"] {
        if old[key] != new[key] {
            out.push(format!("{key} changed"));
        }
    }
    out
}

#[test]
fn the_committed_idl_is_the_programs() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    // anchor-lang-idl would call `cargo +<toolchain>` when rustup's variable is set; the pinned
    // toolchain (rust-toolchain.toml) is found without it.
    std::env::remove_var("RUSTUP_TOOLCHAIN");
    std::env::set_var("CARGO_TARGET_DIR", Path::new(env!("CARGO_TARGET_TMPDIR")).join("idl-build"));
    let idl = anchor_lang_idl::build::IdlBuilder::new()
        .program_path(root.join("programs/turbo"))
        .cargo_args(vec!["--locked".into()])
        .build()
        .expect("the program's IDL builds");
    let built = serde_json::to_value(&idl).unwrap();
    let path = root.join("idl/turbo.json");
    if std::env::var_os("TURBO_WRITE_IDL").is_some() {
        // Regenerating is for a developer; under CI the check must run.
        assert!(std::env::var_os("CI").is_none(), "TURBO_WRITE_IDL is set under CI: the IDL check would not run");
        std::fs::write(&path, serde_json::to_string_pretty(&built).unwrap() + "\n").unwrap();
        return;
    }
    let committed: Value = serde_json::from_str(&std::fs::read_to_string(&path).expect("idl/turbo.json is committed")).unwrap();
    let diff = changes(&committed, &built);
    assert!(diff.is_empty(), "idl/turbo.json is not the program's IDL; regenerate it (TURBO_WRITE_IDL=1):\n  {}", diff.join("\n  "));
    // Events and errors are in it.
    assert!(named(&built, "events").contains_key("MintEvent") && named(&built, "events").contains_key("RebalanceEvent"));
    assert!(named(&built, "errors").contains_key("RiskCapExceeded"));
    assert!(named(&built, "instructions").contains_key("retire_vault"));
}
