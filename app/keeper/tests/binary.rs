//! The `turbo-keeper` binary itself (this test also makes `cargo test` build it for the CLI's
//! over-the-wire tests): with no node to reach, or a setting out of bounds, it says so in one
//! line and exits non-zero.

use std::process::{Command, Output};

/// `turbo-keeper --once` with a fresh keypair against localhost port 9 (discard: nothing
/// listens there), plus `extra` flags.
fn keeper_once(name: &str, extra: &[&str]) -> Output {
    let dir = std::env::temp_dir().join(format!("turbo-keeper-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let key = dir.join("keeper.json");
    solana_sdk::signature::write_keypair_file(&solana_sdk::signature::Keypair::new(), &key).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_turbo-keeper"))
        .args(["--url", "http://127.0.0.1:9", "--keypair", key.to_str().unwrap(), "--once"])
        .args(extra)
        .env("RUST_LOG", "error")
        .output()
        .unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    out
}

#[test]
fn a_single_scan_against_a_dead_node_fails_in_one_clear_line() {
    let out = keeper_once("dead-node", &[]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    let lines: Vec<&str> = err.trim().lines().collect();
    assert_eq!(lines.len(), 1, "{err}");
    assert!(lines[0].contains("cannot reach the RPC server at http://127.0.0.1:9"), "{err}");
}

#[test]
fn a_minimum_step_over_the_whole_position_is_refused_in_one_line() {
    let out = keeper_once("min-step", &["--min-step-bps", "10001"]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.trim(), "turbo-keeper: --min-step-bps is a share of the position in bps, at most 10000; got 10001");
}
