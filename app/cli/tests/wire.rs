//! The CLI and the keeper over the wire (issue 15): each test starts `turbo localnet` as a child
//! process on a free port, waits for `getHealth`, and drives the real `turbo` and `turbo-keeper`
//! binaries over JSON-RPC. Every process is killed when its handle drops, so a failing test
//! leaves nothing running.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use solana_rpc_client::rpc_client::RpcClient;
use solana_sdk::signature::{write_keypair_file, Keypair, Signer};
use turbo::events::{MintEvent, RebalanceEvent, RedeemEvent};
use turbo_sdk::outcome::Outcome;
use turbo_testkit::process::{Node, Proc};

fn turbo_bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_turbo"))
}

/// The keeper's binary, built beside `turbo` (its own package's test builds it).
fn keeper_bin() -> PathBuf {
    turbo_bin().with_file_name(format!("turbo-keeper{}", std::env::consts::EXE_SUFFIX))
}

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Start `turbo localnet` with `args` and wait until it answers `getHealth`.
fn start_node(name: &str, args: &[&str]) -> Node {
    turbo_testkit::process::start_node(&turbo_bin(), &repo(), Path::new(env!("CARGO_TARGET_TMPDIR")), name, args)
}

/// What the node's tests ask of it, beside `turbo_testkit::process::Node`.
trait NodeExt {
    fn turbo(&self, keypair: Option<&Path>, args: &[&str]) -> Output;
    fn wallet(&self, name: &str, usdc: u64) -> (Keypair, PathBuf);
    fn client(&self) -> RpcClient;
    fn token_balance(&self, account: &solana_sdk::pubkey::Pubkey) -> u64;
    fn last_outcome(&self, address: &solana_sdk::pubkey::Pubkey) -> Outcome;
}

impl NodeExt for Node {
    /// Run `turbo` against the node with `keypair`.
    fn turbo(&self, keypair: Option<&Path>, args: &[&str]) -> Output {
        let mut cmd = Command::new(turbo_bin());
        cmd.args(["--url", &self.url]).current_dir(repo());
        match keypair {
            Some(k) => cmd.args(["--keypair", k.to_str().unwrap()]),
            None => cmd.args(["--keypair", "/nonexistent/keypair.json"]),
        };
        cmd.args(args).output().expect("turbo runs")
    }

    /// A new wallet with SOL and `usdc` whole USDC, and its keypair file.
    fn wallet(&self, name: &str, usdc: u64) -> (Keypair, PathBuf) {
        let k = Keypair::new();
        let path = self.dir.0.join(format!("{name}.json"));
        write_keypair_file(&k, &path).unwrap();
        let out = self.turbo(None, &["localnet", "fund", &k.pubkey().to_string(), "--sol", "10", "--usdc", &usdc.to_string()]);
        assert!(out.status.success(), "fund: {}", String::from_utf8_lossy(&out.stderr));
        (k, path)
    }

    fn client(&self) -> RpcClient {
        RpcClient::new_with_commitment(self.url.clone(), solana_commitment_config::CommitmentConfig::confirmed())
    }

    fn token_balance(&self, account: &solana_sdk::pubkey::Pubkey) -> u64 {
        match self.client().get_account(account) {
            Ok(a) => turbo_sdk::accounts::token_account(&a).unwrap().amount,
            Err(_) => 0,
        }
    }

    /// The logs of the newest transaction touching `address`, as an [`Outcome`].
    fn last_outcome(&self, address: &solana_sdk::pubkey::Pubkey) -> Outcome {
        let client = self.client();
        let sigs = client.get_signatures_for_address(address).unwrap();
        let sig = sigs.first().expect("a transaction").signature.parse().unwrap();
        outcome(&client, &sig)
    }
}

fn outcome(client: &RpcClient, sig: &solana_sdk::signature::Signature) -> Outcome {
    let config = solana_rpc_client_api::config::RpcTransactionConfig {
        encoding: Some(solana_transaction_status_client_types::UiTransactionEncoding::Base64),
        commitment: None,
        max_supported_transaction_version: Some(0),
    };
    let t = client.get_transaction_with_config(sig, config).unwrap();
    let meta = t.transaction.meta.unwrap();
    let logs: Option<Vec<String>> = meta.log_messages.into();
    Outcome { result: meta.err.map_or(Ok(()), |e| Err(e.into())), logs: logs.unwrap_or_default(), compute_units: 0 }
}

fn text(o: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}

/// `--web` names a folder without a built app: refused in one line before anything starts.
#[test]
fn localnet_web_without_a_built_app_is_refused() {
    let dir = std::env::temp_dir().join(format!("turbo-no-web-{}", std::process::id()));
    let out = Command::new(turbo_bin())
        .current_dir(repo())
        .args(["localnet", "--bind", "127.0.0.1:0", "--web"])
        .arg(&dir)
        .output()
        .expect("run turbo");
    assert!(!out.status.success());
    assert!(text(&out).contains(&format!("no built web app in {}", dir.display())), "{}", text(&out));
}

#[test]
fn deploy_is_idempotent_and_vaults_reads_without_a_keypair() {
    let node = start_node("deploy", &[]);
    // The node deployed migrations/localnet.toml itself; the deployer's second run changes nothing.
    let out = node.turbo(Some(&node.deployer), &["deploy", "migrations/localnet.toml"]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("Nothing to do: localnet already matches the manifest."), "{}", text(&out));
    // Reading needs no keypair file.
    let out = node.turbo(None, &["vaults"]);
    assert!(out.status.success(), "{}", text(&out));
    let t = text(&out);
    for sym in ["tBTC", "tSOL", "tFET", "bBTC", "bSOL"] {
        assert!(t.contains(sym), "{t}");
    }
    assert!(t.contains("$1,000,000.00 free USDC"), "{t}");

    // A transaction over Solana's 1,232-byte packet is refused before it runs, as Agave's RPC
    // refuses it, whether sent or simulated.
    let payer = Keypair::new();
    let client = node.client();
    let blockhash = client.get_latest_blockhash().unwrap();
    let sized = |data: usize| {
        let big = solana_sdk::instruction::Instruction::new_with_bytes(
            solana_sdk::pubkey::Pubkey::new_from_array([9; 32]),
            &vec![7; data],
            vec![solana_sdk::instruction::AccountMeta::new(payer.pubkey(), true)],
        );
        solana_sdk::transaction::Transaction::new_signed_with_payer(&[big], Some(&payer.pubkey()), &[&payer], blockhash)
    };
    // One byte over: its base64 (1,644 characters) passes the encoded check, its bytes do not.
    let tx = sized(1_100 + 1_233 - bincode::serialize(&sized(1_100)).unwrap().len());
    let size = bincode::serialize(&tx).unwrap().len();
    assert_eq!(size, 1_233);
    let refusal = format!("decoded solana_transaction::versioned::VersionedTransaction too large: {size} bytes (max: 1232 bytes)");
    let sent = client.send_transaction(&tx).unwrap_err().to_string();
    assert!(sent.contains(&refusal), "{sent}");
    let simulated = client.simulate_transaction(&tx).unwrap_err().to_string();
    assert!(simulated.contains(&refusal), "{simulated}");
    // Larger still, its base64 alone is over the limit: refused by its encoded length.
    let tx = sized(1_200);
    let encoded = base64::Engine::encode(&base64::engine::general_purpose::STANDARD, bincode::serialize(&tx).unwrap()).len();
    assert!(encoded > 1_644, "{encoded}");
    let refusal = format!(
        "base64 encoded solana_transaction::versioned::VersionedTransaction too large: {encoded} bytes (max: encoded/raw 1644/1232)"
    );
    let sent = client.send_transaction(&tx).unwrap_err().to_string();
    assert!(sent.contains(&refusal), "{sent}");
}

#[test]
fn mint_and_redeem_over_the_wire_pay_exactly_what_the_events_say() {
    let node = start_node("trade", &[]);
    let (user, path) = node.wallet("user", 5_000);
    let usdc = turbo_sdk::pda::ata(&user.pubkey(), &usdc_mint(&node));
    assert_eq!(node.token_balance(&usdc), 5_000_000_000);

    let out = node.turbo(Some(&path), &["mint", "tSOL", "--usdc", "1000"]);
    assert!(out.status.success(), "{}", text(&out));
    let mint: MintEvent = node.last_outcome(&user.pubkey()).event();
    assert_eq!(mint.usdc_in, 1_000_000_000);
    assert_eq!(node.token_balance(&usdc), 4_000_000_000);
    let tokens = turbo_sdk::pda::token_2022_ata(&user.pubkey(), &turbo_sdk::pda::VaultKeys::new(2).mint);
    assert_eq!(node.token_balance(&tokens), mint.tokens_out);

    let out = node.turbo(Some(&path), &["redeem", "tSOL", "all"]);
    assert!(out.status.success(), "{}", text(&out));
    let redeem: RedeemEvent = node.last_outcome(&user.pubkey()).event();
    assert_eq!(redeem.tokens_burned, mint.tokens_out);
    assert_eq!(node.token_balance(&tokens), 0);
    assert_eq!(node.token_balance(&usdc), 4_000_000_000 + redeem.usdc_out);

    // A slippage guard no mint can meet: the program's error name, and nothing moves.
    let out = node.turbo(Some(&path), &["mint", "tSOL", "--usdc", "100", "--min-out", "1000000"]);
    assert!(!out.status.success());
    assert!(text(&out).contains("SlippageExceeded"), "{}", text(&out));
    assert_eq!(node.token_balance(&usdc), 4_000_000_000 + redeem.usdc_out);
}

/// On a node whose sponsored accounts move on a mainnet-like heartbeat, a client naming them
/// alone is refused `PriceNotFresh`, and the CLI's default path fetches a signed price from the
/// node's price service and posts it in the same transaction (docs/clients.md, "Signed prices").
#[test]
fn the_cli_brings_its_own_signed_price_when_the_sponsored_feed_sleeps() {
    use turbo::events::SignedPricePostedEvent;
    let node = start_node("signed", &["--sponsored-every", "3600"]);
    let (user, path) = node.wallet("user", 1_000);
    // Past the fresh-price delay with no move: the sponsored account is 6 s old.
    std::thread::sleep(Duration::from_secs(7));
    let out = node.turbo(Some(&path), &["mint", "tSOL", "--usdc", "100", "--price-service", "none"]);
    assert!(!out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("PriceNotFresh"), "{}", text(&out));

    let out = node.turbo(Some(&path), &["mint", "tSOL", "--usdc", "100"]);
    assert!(out.status.success(), "{}", text(&out));
    let o = node.last_outcome(&user.pubkey());
    let posted: Vec<SignedPricePostedEvent> = o.events();
    assert_eq!(posted.iter().map(|p| (p.lazer_feed_id, p.stored)).collect::<Vec<_>>(), vec![(6, true), (1002, true)]);
    let mint: MintEvent = o.event();
    assert_eq!((mint.usdc_in, mint.price), (100_000_000, posted[0].price as u64));

    let out = node.turbo(Some(&path), &["redeem", "tSOL", "all"]);
    assert!(out.status.success(), "{}", text(&out));
    let redeem: RedeemEvent = node.last_outcome(&user.pubkey()).event();
    assert_eq!(redeem.tokens_burned, mint.tokens_out);

    // The price service refuses a feed it does not know, by name.
    let rt = tokio::runtime::Runtime::new().unwrap();
    let service = turbo_sdk::price_service::PriceService::new(&node.url, None).unwrap();
    let err = rt.block_on(service.latest(&[424_242])).unwrap_err();
    assert!(err.to_string().contains("unknown price feed id 424242"), "{err}");
    // It signs with the key the node's Lazer storage trusts, at the node's clock.
    let m = rt.block_on(service.latest(&[1, 6])).unwrap();
    let (signer, payload) = turbo_math::signed::open(&m).unwrap();
    let signer = solana_sdk::pubkey::Pubkey::new_from_array(signer).to_string();
    assert!(node.proc.output().contains(&format!("signed by {signer}")), "{}", node.proc.output());
    assert_eq!(turbo_math::signed::read_payload(payload).unwrap().feed_count(), 2);

    // The keeper binary does the same: a settling rebalance with its signed prices in front.
    std::thread::sleep(Duration::from_secs(2));
    let out = Command::new(keeper_bin())
        .args(["--url", &node.url, "--keypair", path.to_str().unwrap(), "--once", "--heartbeat-secs", "1"])
        .env("RUST_LOG", "info")
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("signed prices from the price service"), "{}", text(&out));
    let sol_vault = turbo_sdk::pda::VaultKeys::new(2).vault;
    let o = node.last_outcome(&sol_vault);
    let posted: Vec<SignedPricePostedEvent> = o.events();
    assert_eq!(posted.iter().map(|p| p.lazer_feed_id).collect::<Vec<_>>(), vec![6, 1002], "{:?}", o.logs);
    let _: RebalanceEvent = o.event();
}

fn usdc_mint(node: &Node) -> solana_sdk::pubkey::Pubkey {
    let client = node.client();
    let config: turbo::state::Config = {
        let a = client.get_account(&turbo_sdk::pda::config()).unwrap();
        anchor_lang::AccountDeserialize::try_deserialize(&mut a.data.as_slice()).unwrap()
    };
    config.usdc_mint
}

/// Start `turbo-keeper` against the node.
/// Start `turbo-keeper` (its log named `name`), and return it with the address its metrics
/// server bound.
fn start_keeper(node: &Node, keypair: &Path, bounty: &solana_sdk::pubkey::Pubkey, name: &str) -> (Proc, String) {
    let mut cmd = Command::new(keeper_bin());
    cmd.args(["--url", &node.url, "--keypair", keypair.to_str().unwrap(), "--interval-secs", "1", "--bounty-account", &bounty.to_string()])
        .args(["--metrics-bind", "127.0.0.1:0", "--heartbeat-secs", "0"])
        .env("RUST_LOG", "info")
        .env("NO_COLOR", "1")
        .stderr(Stdio::null());
    let proc = Proc::spawn(cmd, node.dir.0.join(format!("keeper-{name}.log")));
    let metrics = proc.bound_address("addr=");
    (proc, metrics)
}

fn get(url: &str) -> Option<String> {
    use std::io::{Read, Write};
    let rest = url.strip_prefix("http://")?;
    let (host, path) = rest.split_once('/').unwrap_or((rest, ""));
    let mut s = std::net::TcpStream::connect(host).ok()?;
    write!(s, "GET /{path} HTTP/1.0\r\nHost: {host}\r\n\r\n").ok()?;
    let mut out = String::new();
    s.read_to_string(&mut out).ok()?;
    Some(out)
}

#[test]
fn the_keeper_rides_a_replayed_crash_survives_a_restart_and_reports_a_dead_node() {
    // BTC's 2020-03-12: −39.5% over the day, replayed at 30 minutes a second.
    let node = start_node("keeper", &["--replay", "BTC=data/btc_usd_1h_2020-03-12.csv", "--speed", "1800"]);
    let (_holder, holder_path) = node.wallet("holder", 20_000);
    let out = node.turbo(Some(&holder_path), &["mint", "tBTC", "--usdc", "10000"]);
    assert!(out.status.success(), "{}", text(&out));
    let (keeper, keeper_path) = node.wallet("keeper", 0);
    // The bounty account: the keeper's USDC account (opened by funding it a unit).
    let usdc = usdc_mint(&node);
    let bounty = turbo_sdk::pda::ata(&keeper.pubkey(), &usdc);
    let out = node.turbo(None, &["localnet", "fund", &keeper.pubkey().to_string(), "--sol", "0", "--usdc", "0.000001"]);
    assert!(out.status.success(), "{}", text(&out));

    let client = node.client();
    let tbtc = turbo_sdk::pda::VaultKeys::new(1).vault;
    // What landed on the vault before the keeper: its deployment and the holder's mint.
    let before = client.get_signatures_for_address(&tbtc).unwrap().iter().filter(|s| s.err.is_none()).count();
    let (mut k, _) = start_keeper(&node, &keeper_path, &bounty, "first");
    let mut metrics = String::new();
    let deadline = Instant::now() + Duration::from_secs(90);
    // Let it work until it has trimmed several times, then kill it mid-run and restart it.
    let mut killed = false;
    loop {
        let sigs = client.get_signatures_for_address(&tbtc).unwrap();
        let rebalances = sigs.iter().filter(|s| s.err.is_none()).count() - before;
        if rebalances >= 4 && !killed {
            let _ = k.child.kill();
            let _ = k.child.wait();
            (k, metrics) = start_keeper(&node, &keeper_path, &bounty, "restarted");
            killed = true;
        }
        if killed && rebalances >= 8 {
            break;
        }
        assert!(Instant::now() < deadline, "the keeper did not rebalance in time:\n{}\n{}", k.output(), node.proc.output());
        std::thread::sleep(Duration::from_millis(500));
    }
    // The metrics endpoint answers, with the keeper's counters.
    let m = get(&format!("http://{metrics}/metrics")).expect("metrics");
    assert!(m.contains("turbo_keeper_rebalances_sent_total"), "{m}");
    assert!(m.contains("turbo_keeper_steps_under_minimum_total"), "{m}");
    assert!(get(&format!("http://{metrics}/health")).expect("health").contains("200"), "healthy");

    // Nothing was done twice: every rebalance that landed moved the vault.
    let sigs = client.get_signatures_for_address(&tbtc).unwrap();
    let mut events = Vec::new();
    for s in sigs.iter().filter(|s| s.err.is_none()) {
        let o = outcome(&client, &s.signature.parse().unwrap());
        for e in o.events::<RebalanceEvent>() {
            assert_ne!(e.exposure_after, e.exposure_before, "a rebalance that did nothing: {e:?}");
            events.push(e);
        }
    }
    assert!(events.len() >= 8, "{}", events.len());
    // Leverage returned to the band: the newest rebalance left it inside the band (scaled with
    // the effective target), or it was one step of a step-limited trim.
    let last = &events[0];
    let p = turbo_sdk::defaults::turbo_params();
    let scale = |x: u64| x as i128 * last.effective_target as i128 / p.target_leverage as i128;
    let (lo, hi) = (scale(p.band_lo), scale(p.band_hi));
    let l = last.leverage_after as i128;
    assert!(last.capped || (lo..=hi).contains(&l), "leverage {l} outside [{lo}, {hi}]: {last:?}");
    assert!(l < p.emergency_leverage as i128, "{last:?}");
    // The bounty arrived.
    assert!(node.token_balance(&bounty) > 1, "the keeper earned a bounty");
    // Leverage is back in its band.
    let out = node.turbo(None, &["show", "tBTC"]);
    assert!(out.status.success(), "{}", text(&out));
    // Token balances equal the accounting.
    let snap_ok = books_balance(&node);
    assert!(snap_ok, "token balances equal the accounting");

    // The node goes away: the CLI says so in one line; the keeper retries with backoff.
    let url = node.url.clone();
    let dir_keep = node.dir.0.clone();
    let Node { proc, .. } = node;
    drop(proc);
    let out = Command::new(turbo_bin()).args(["--url", &url, "--keypair", "/nonexistent", "vaults"]).output().unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert!(err.contains(&format!("cannot reach the RPC server at {url}")), "{err}");
    // The keeper logs each failed scan in one line and waits longer each time.
    let deadline = Instant::now() + Duration::from_secs(60);
    let retries = loop {
        let log = k.output();
        let retries: Vec<u64> = log
            .lines()
            .filter(|l| l.contains("scan failed"))
            .inspect(|l| assert!(l.contains("cannot reach the RPC server"), "{l}"))
            .filter_map(|l| l.split("retry_in_ms=").nth(1)?.split_whitespace().next()?.parse().ok())
            .collect();
        if retries.len() >= 3 {
            break retries;
        }
        assert!(Instant::now() < deadline, "the keeper did not keep retrying:\n{log}");
        std::thread::sleep(Duration::from_millis(500));
    };
    assert!(retries.windows(2).all(|w| w[1] >= w[0]) && retries[2] > retries[0], "backoff grows: {retries:?}");
    let _ = std::fs::remove_dir_all(dir_keep);
}

fn books_balance(node: &Node) -> bool {
    let client = node.client();
    let decode = |k: &solana_sdk::pubkey::Pubkey| client.get_account(k).ok();
    let pool: turbo::state::Pool =
        anchor_lang::AccountDeserialize::try_deserialize(&mut decode(&turbo_sdk::pda::pool()).unwrap().data.as_slice()).unwrap();
    let mut ok = node.token_balance(&pool.usdc_reserve) == pool.usdc_balance;
    for id in 1..=5u16 {
        let keys = turbo_sdk::pda::VaultKeys::new(id);
        let v: turbo::state::Vault =
            anchor_lang::AccountDeserialize::try_deserialize(&mut decode(&keys.vault).unwrap().data.as_slice()).unwrap();
        let (usdc, _) = v.reserves();
        ok &= node.token_balance(&keys.usdc_reserve) == usdc;
    }
    ok
}

#[allow(dead_code)]
fn lines(p: &Proc) -> Vec<String> {
    BufReader::new(std::fs::File::open(&p.log).unwrap()).lines().map_while(Result::ok).collect()
}

/// A newcomer with no Solana CLI (issue 25): `turbo keygen` makes the wallet, `turbo address`
/// reads it, a second keygen never overwrites it unasked, `localnet fund` says where the USDC
/// went, and the keeper takes the wallet as its bounty account (its USDC account is derived)
/// while a CRT account is refused in one line before any scan.
#[test]
fn a_wallet_without_the_solana_cli_from_keygen_to_a_keeper_bounty() {
    let node = start_node("newcomer", &[]);
    let path = node.dir.0.join("me/id.json");
    let keygen = |extra: &[&str]| {
        Command::new(turbo_bin()).args(["keygen", "--keypair", path.to_str().unwrap()]).args(extra).output().expect("turbo runs")
    };
    let out = keygen(&[]);
    assert!(out.status.success(), "{}", text(&out));
    let address = text(&out).lines().find_map(|l| l.strip_prefix("Address: ")).expect("the address").to_string();
    let out = Command::new(turbo_bin()).args(["address", "--keypair", path.to_str().unwrap()]).output().unwrap();
    assert_eq!(text(&out), format!("{address}\n"));
    let out = keygen(&[]);
    assert!(!out.status.success() && text(&out).contains("already holds a keypair; pass --force"), "{}", text(&out));
    // A missing keypair points to keygen.
    let out = node.turbo(None, &["mint", "tSOL", "--usdc", "1"]);
    assert!(!out.status.success() && text(&out).contains("make one with `turbo keygen`"), "{}", text(&out));

    let out = node.turbo(None, &["localnet", "fund", &address, "--sol", "1", "--usdc", "10"]);
    let me: solana_sdk::pubkey::Pubkey = address.parse().unwrap();
    let usdc = turbo_sdk::pda::ata(&me, &usdc_mint(&node));
    assert!(text(&out).contains(&format!("USDC account: {usdc}")), "{}", text(&out));
    assert_eq!(node.token_balance(&usdc), 10_000_000);

    // The wallet as the bounty account: accepted, its USDC account named in the log.
    let (keeper, _) = start_keeper(&node, &path, &me, "wallet");
    let started = Instant::now();
    while !keeper.output().contains("bounty to the wallet's USDC account") {
        assert!(started.elapsed() < Duration::from_secs(60), "{}", keeper.output());
        std::thread::sleep(Duration::from_millis(200));
    }
    assert!(keeper.output().contains(&format!("usdc_account={usdc}")), "{}", keeper.output());
    drop(keeper);
    // An account that is not a USDC one (the wallet's CRT address): refused in one line,
    // before any scan.
    let crt = turbo_sdk::pda::ata(&me, &crt_mint(&node));
    let out = Command::new(keeper_bin())
        .args(["--url", &node.url, "--keypair", path.to_str().unwrap(), "--once", "--bounty-account", &crt.to_string()])
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert!(!out.status.success(), "{}", text(&out));
    assert!(text(&out).contains(&format!("--bounty-account {crt}")), "{}", text(&out));
}

fn crt_mint(node: &Node) -> solana_sdk::pubkey::Pubkey {
    let a = node.client().get_account(&turbo_sdk::pda::config()).unwrap();
    let config: turbo::state::Config = anchor_lang::AccountDeserialize::try_deserialize(&mut a.data.as_slice()).unwrap();
    config.crt_mint
}
