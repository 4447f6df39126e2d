//! The `turbo-keeper` binary itself (this test also makes `cargo test` build it for the CLI's
//! over-the-wire tests): with no node to reach, or a setting out of bounds, it says so in one
//! line and exits non-zero.

use std::process::{Command, Output};

/// A local URL where nothing listens: a port the OS handed out and this test closed again.
fn dead_url() -> String {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    format!("http://127.0.0.1:{port}")
}

/// `turbo-keeper --once` with a fresh keypair against `url`, plus `extra` flags.
fn keeper_once(name: &str, url: &str, extra: &[&str]) -> Output {
    let dir = std::env::temp_dir().join(format!("turbo-keeper-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let key = dir.join("keeper.json");
    solana_sdk::signature::write_keypair_file(&solana_sdk::signature::Keypair::new(), &key).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_turbo-keeper"))
        .args(["--url", url, "--keypair", key.to_str().unwrap(), "--once"])
        .args(extra)
        .env("RUST_LOG", "error")
        .output()
        .unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    out
}

#[test]
fn a_single_scan_against_a_dead_node_fails_in_one_clear_line() {
    let url = dead_url();
    let out = keeper_once("dead-node", &url, &[]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    let lines: Vec<&str> = err.trim().lines().collect();
    assert_eq!(lines.len(), 1, "{err}");
    assert!(lines[0].contains(&format!("cannot reach the RPC server at {url}")), "{err}");
}

#[test]
fn a_minimum_step_over_the_whole_position_is_refused_in_one_line() {
    let out = keeper_once("min-step", &dead_url(), &["--min-step-bps", "10001"]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.trim(), "turbo-keeper: --min-step-bps is a share of the position in bps, at most 10000; got 10001");
}
