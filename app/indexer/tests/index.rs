//! The indexer against `turbo localnet` over the wire: a real node, the real `turbo` CLI making
//! the history, and the `turbo-indexer` binary killed mid-ingest and restarted. The index must
//! hold every program transaction once, reconcile with the chain, and keep a vault's history
//! through a flood of no-op rebalances.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use solana_rpc_client::rpc_client::{GetConfirmedSignaturesForAddress2Config, RpcClient};
use solana_sdk::signature::{write_keypair_file, Keypair, Signer};
use turbo_testkit::process::{start_node, Node, Proc};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The `turbo` binary, which `cargo test --workspace` builds beside this package's (turbo-cli's
/// own integration tests need it). No nested `cargo build` here: run inside `cargo test`, it would
/// rebuild shared artifacts (the program's rlib has no hash in its name) under the outer build.
fn turbo_bin() -> PathBuf {
    let bin = PathBuf::from(env!("CARGO_BIN_EXE_turbo-indexer")).with_file_name(format!("turbo{}", std::env::consts::EXE_SUFFIX));
    assert!(bin.is_file(), "no {}: run `cargo build -p turbo-cli --bin turbo` first, or the whole `cargo test --workspace`", bin.display());
    bin
}

fn turbo(bin: &Path, node: &Node, keypair: Option<&Path>, args: &[&str]) -> Output {
    let mut cmd = Command::new(bin);
    cmd.args(["--url", &node.url]).current_dir(repo());
    if let Some(k) = keypair {
        cmd.args(["--keypair", k.to_str().unwrap()]);
    }
    let out = cmd.args(args).output().expect("turbo runs");
    assert!(out.status.success(), "turbo {args:?}: {}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    out
}

/// A funded wallet's keypair file.
fn wallet(bin: &Path, node: &Node, name: &str, usdc: u64) -> (Keypair, PathBuf) {
    let k = Keypair::new();
    let path = node.dir.0.join(format!("{name}.json"));
    write_keypair_file(&k, &path).unwrap();
    turbo(bin, node, None, &["localnet", "fund", &k.pubkey().to_string(), "--sol", "10", "--usdc", &usdc.to_string()]);
    (k, path)
}

fn start_indexer(node: &Node, db: &str, name: &str) -> (Proc, String) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_turbo-indexer"));
    cmd.args(["--url", &node.url, "--db", db, "--bind", "127.0.0.1:0", "--poll-ms", "100", "--quote-every", "1"]).env("RUST_LOG", "warn");
    let proc = Proc::spawn(cmd, node.dir.0.join(format!("indexer-{name}.log")));
    let api = format!("http://{}", proc.bound_address("HTTP on http://"));
    (proc, api)
}

fn get(url: &str) -> serde_json::Value {
    let r = reqwest::blocking::get(url).unwrap_or_else(|e| panic!("GET {url}: {e}"));
    assert!(r.status().is_success(), "GET {url}: {}", r.status());
    r.json().unwrap()
}

/// Every program transaction the node holds, newest first.
fn chain_signatures(client: &RpcClient) -> Vec<String> {
    let mut out = Vec::new();
    let mut before = None;
    loop {
        let config = GetConfirmedSignaturesForAddress2Config { before, until: None, limit: Some(1_000), commitment: None };
        let page = client.get_signatures_for_address_with_config(&turbo_sdk::turbo::ID, config).unwrap();
        before = page.last().map(|s| s.signature.parse().unwrap());
        let n = page.len();
        out.extend(page.into_iter().map(|s| s.signature));
        if n < 1_000 {
            return out;
        }
    }
}

fn wait_for(what: &str, timeout: Duration, mut done: impl FnMut() -> bool) {
    let started = Instant::now();
    while !done() {
        assert!(started.elapsed() < timeout, "{what}: not within {timeout:?}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn the_index_survives_a_kill_reconciles_with_the_chain_and_keeps_history_through_a_flood() {
    let bin = turbo_bin();
    // Sponsored prices republished each second: a no-op rebalance is never refused for age.
    let node = start_node(&bin, &repo(), Path::new(env!("CARGO_TARGET_TMPDIR")), "index", &["--sponsored-every", "1", "--quiet"]);
    let client = RpcClient::new(node.url.clone());
    let (holder, holder_key) = wallet(&bin, &node, "holder", 5_000);
    let (lp, lp_key) = wallet(&bin, &node, "lp", 5_000);
    turbo(&bin, &node, Some(&holder_key), &["mint", "tSOL", "--usdc", "1000"]);
    turbo(&bin, &node, Some(&holder_key), &["redeem", "tSOL", "4"]);
    turbo(&bin, &node, Some(&lp_key), &["lp", "deposit", "2000"]);

    // A flood of rebalances of Turbo SOL, almost all of them no-ops (in band, or waiting out the
    // interval): each a transaction and an event.
    let (keeper, _) = wallet(&bin, &node, "keeper", 0);
    let tsol = turbo_sdk::pda::VaultKeys::new(2);
    let mut chain = turbo_sdk::chain::RpcChain::new(&node.url, keeper.insecure_clone());
    let rt = tokio::runtime::Runtime::new().unwrap();
    let snap = rt.block_on(turbo_sdk::accounts::Snapshot::load(&mut chain, &Default::default())).unwrap();
    let v = snap.vaults.iter().find(|v| v.keys.vault == tsol.vault).unwrap();
    let ix = turbo_sdk::ix::rebalance(
        &snap.deployment(),
        &turbo_sdk::ix::PricedVault { keys: v.keys, price: v.price_account },
        keeper.pubkey(),
        None,
    );
    const FLOOD: usize = 1_000;
    for _ in 0..FLOOD {
        let tx = solana_sdk::transaction::Transaction::new_signed_with_payer(
            std::slice::from_ref(&ix),
            Some(&keeper.pubkey()),
            &[&keeper],
            client.get_latest_blockhash().unwrap(),
        );
        client.send_transaction(&tx).unwrap();
    }
    let on_chain = chain_signatures(&client);
    assert!(on_chain.len() > FLOOD, "{}", on_chain.len());

    // The same on each database: the embedded SQLite file and a PostgreSQL server on loopback.
    // (Under the system's temporary directory: the server's own user must reach it.)
    let pg_dir = turbo_testkit::process::Dir::new(&std::env::temp_dir(), "turbo-index-pg");
    let pg = Postgres::start(&pg_dir.0);
    for db in [format!("sqlite://{}", node.dir.0.join("index.db").display()), pg.database("turbo_index")] {
        let c = Chain {
            client: &client,
            on_chain: &on_chain,
            snap: &snap,
            holder: holder.pubkey(),
            lp: lp.pubkey(),
            flood: FLOOD,
            bin: bin.clone(),
        };
        index_and_check(&node, &rt, &db, &c);
    }
}

/// What the chain holds, for the checks.
struct Chain<'a> {
    client: &'a RpcClient,
    on_chain: &'a [String],
    snap: &'a turbo_sdk::accounts::Snapshot,
    holder: solana_sdk::pubkey::Pubkey,
    lp: solana_sdk::pubkey::Pubkey,
    flood: usize,
    bin: PathBuf,
}

/// Index the node into `db` with a kill mid-way, and check the index against the chain.
fn index_and_check(node: &Node, rt: &tokio::runtime::Runtime, db: &str, c: &Chain) {
    let (client, on_chain, snap) = (c.client, c.on_chain, c.snap);
    let tsol = turbo_sdk::pda::VaultKeys::new(2);
    let backend = db.split(':').next().unwrap();
    // Start, let it ingest part of the history, kill it (SIGKILL) mid-way, start it again.
    let (mut first, api) = start_indexer(node, db, &format!("{backend}-first"));
    wait_for("a first part ingested", Duration::from_secs(120), || get(&format!("{api}/v1/status"))["txs"].as_u64().unwrap_or(0) >= 100);
    first.child.kill().unwrap();
    first.child.wait().unwrap();
    let (_second, api) = start_indexer(node, db, &format!("{backend}-second"));
    wait_for("the whole history ingested", Duration::from_secs(300), || {
        get(&format!("{api}/v1/status"))["txs"].as_u64() == Some(on_chain.len() as u64)
    });
    let status = get(&format!("{api}/v1/status"));
    assert_eq!(status["cursor"]["signature"].as_str(), Some(on_chain[0].as_str()), "{status}");
    assert_eq!(status["gaps"], serde_json::json!([]), "{status}");

    // Every rebalance once, newest first, through bounded pages.
    let mut seen = std::collections::HashSet::new();
    let mut before: Option<u64> = None;
    loop {
        let page = get(&format!(
            "{api}/v1/vaults/{}/rebalances?limit=200{}",
            tsol.vault,
            before.map_or(String::new(), |b| format!("&before={b}"))
        ));
        for r in page["rebalances"].as_array().unwrap() {
            // Each is what a keeper's call does at once in a vault that has just been set.
            assert!(["in band", "waiting", "trim", "re-leverage"].contains(&r["action"].as_str().unwrap()), "{r}");
            assert!(seen.insert(r["signature"].as_str().unwrap().to_string()), "twice: {r}");
        }
        match page["next_before"].as_u64() {
            Some(b) => before = Some(b),
            None => break,
        }
    }
    assert_eq!(seen.len(), c.flood);

    // The vault's history survives the flood: the mint's point is still in its series.
    let series = get(&format!("{api}/v1/vaults/{}/series?window=All&limit=2000", tsol.vault));
    let points = series["points"].as_array().unwrap();
    assert!(
        points.iter().any(|p| p["source"].as_str().is_some_and(|s| !s.starts_with("quote")) && p["supply"].as_u64() > Some(0)),
        "{series}"
    );

    // Reconcile: each vault's supply on chain is its seed plus what was minted less redeemed.
    let store = rt.block_on(turbo_indexer::store::Store::open(db)).unwrap();
    for v in &snap.vaults {
        let key = v.keys.vault.to_string();
        let units = |kind: &str| rt.block_on(store.units(&key, kind)).unwrap();
        let supply = turbo_sdk::accounts::mint_info(&client.get_account(&v.keys.mint).unwrap()).unwrap().supply;
        assert_eq!(units("seed") + units("mint") - units("redeem"), supply, "{} on {backend}", v.mint.symbol);
    }

    // The LPs' fees reconcile with the pool's own lifetime count, to the unit.
    let pool: turbo_sdk::turbo::state::Pool =
        turbo_sdk::accounts::decode("the pool", &client.get_account(&turbo_sdk::pda::pool()).unwrap()).unwrap();
    let history = get(&format!("{api}/v1/pool/history?window=All"));
    assert!({ pool.lp_fees_usdc } > 0);
    assert_eq!(history["fees_usdc"].as_u64(), Some(pool.lp_fees_usdc), "{backend}");
    assert_eq!(history["fees_crt"].as_u64(), Some(pool.lp_fees_crt), "{backend}");

    // The holder's position: what the chain holds, at its cost.
    let pos = get(&format!("{api}/v1/wallets/{}/positions", c.holder));
    let held = client.get_token_account_balance(&turbo_sdk::pda::token_2022_ata(&c.holder, &tsol.mint)).unwrap();
    assert_eq!(pos["vaults"][0]["tokens"].as_u64(), Some(held.amount.parse().unwrap()), "{pos}");
    assert_eq!(pos["vaults"][0]["cost"].as_u64(), Some(1_000_000_000), "{pos}");
    // `turbo positions --indexer` prints the same cost basis.
    let out = turbo(&c.bin, node, None, &["positions", &c.holder.to_string(), "--indexer", &api]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("From the indexer at"), "{text}");
    assert!(text.lines().any(|l| l.contains("tSOL") && l.contains("$1,000.00")), "{text}");
    let lp_pos = get(&format!("{api}/v1/wallets/{}/positions", c.lp));
    assert_eq!(lp_pos["lp"]["deposited"].as_u64(), Some(2_000_000_000), "{lp_pos}");
    // Bad input is refused with a reason, not a guess.
    let r = reqwest::blocking::get(format!("{api}/v1/vaults/nope/series")).unwrap();
    assert_eq!(r.status(), 400);
    let r = reqwest::blocking::get(format!("{api}/v1/vaults/{}/rebalances?limit=5000", tsol.vault)).unwrap();
    assert_eq!(r.status(), 400);
}

/// A PostgreSQL server on loopback (scripts/pg-setup), stopped on drop.
struct Postgres {
    dir: PathBuf,
    url: String,
}

impl Postgres {
    fn start(dir: &Path) -> Postgres {
        let out = Command::new(repo().join("scripts/pg-setup")).arg(dir).output().expect("scripts/pg-setup runs");
        assert!(out.status.success(), "scripts/pg-setup: {}", String::from_utf8_lossy(&out.stderr));
        let url = String::from_utf8(out.stdout).unwrap().lines().last().unwrap().to_string();
        Postgres { dir: dir.to_path_buf(), url }
    }

    /// A new, empty database's URL.
    fn database(&self, name: &str) -> String {
        let out = Command::new("psql").args([&self.url, "-q", "-c", &format!("CREATE DATABASE {name}")]).output().expect("psql runs");
        assert!(out.status.success(), "CREATE DATABASE: {}", String::from_utf8_lossy(&out.stderr));
        format!("{}/{name}", self.url.rsplit_once('/').unwrap().0)
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        let _ = Command::new(repo().join("scripts/pg-setup")).arg("--stop").arg(&self.dir).status();
    }
}
