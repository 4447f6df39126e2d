//! `migrations/localnet.toml` on the embedded bank: the demo's world, and the one the keeper's
//! and the CLI's tests and the keeper's bench start from.

use solana_sdk::signature::{Keypair, Signer};
use turbo_sdk::accounts::{Feeds, Snapshot};
use turbo_sdk::bank::Bank;
use turbo_sdk::deploy::{DeployError, Deployer};
use turbo_sdk::manifest::{Env, LocalEnv, Manifest};
use turbo_sdk::preview::At;
use turbo_sdk::pyth::{feed_id, BTC_FEED, CRT_FEED, FET_FEED, SOL_FEED};
use turbo_sdk::series::{parse_csv, PricePoint};

/// The localnet manifest, as committed.
pub const LOCALNET: &str = include_str!("../../../migrations/localnet.toml");
const BTC_CSV: &str = include_str!("../../../data/btc_usdt_3m_2024q4_head2400.csv");
const SOL_CSV: &str = include_str!("../../../data/sol_usdt_3m_2024q4_head2400.csv");
const FET_CSV: &str = include_str!("../../../data/fet_usdt_3m_2024q4_head2400.csv");

/// The bundled 3-minute series (BTC, SOL, FET), aligned by row.
pub fn bundled_series() -> [Vec<PricePoint>; 3] {
    [BTC_CSV, SOL_CSV, FET_CSV].map(|t| parse_csv(t).expect("bundled data parses"))
}

/// A bank with the localnet deployment applied and the deployer's liquidity in the pool.
pub struct Localnet {
    pub bank: Bank,
    /// The deployer: admin of the deployment and its first LP.
    pub admin: Keypair,
    /// What `"deployer"` and `"local"` resolved to.
    pub env: Env,
    /// Where every feed's price account is.
    pub feeds: Feeds,
    /// What the deployer printed.
    pub report: String,
}

/// Start a bank at `prices` (BTC, SOL, FET at Pyth's exponent -8; CRT $1) and deploy the
/// localnet manifest on it, with the bank's payer as the deployer.
pub async fn localnet(prices: [i64; 3]) -> Result<Localnet, DeployError> {
    localnet_as(prices, None, false).await
}

/// [`localnet`] with `deployer` (when given) as the admin and upgrade authority: a local node
/// whose operator keeps the admin key in a file. With `journal`, the bank keeps every transaction
/// of the deployment ([`turbo_sdk::bank::Bank::journal`]) for the node's history.
pub async fn localnet_as(prices: [i64; 3], deployer: Option<Keypair>, journal: bool) -> Result<Localnet, DeployError> {
    let mut bank = Bank::start(&[
        (feed_id(BTC_FEED), prices[0]),
        (feed_id(SOL_FEED), prices[1]),
        (feed_id(FET_FEED), prices[2]),
        (feed_id(CRT_FEED), 100_000_000),
    ])
    .await;
    if journal {
        bank.journal = Some(Vec::new());
    }
    let admin = match deployer {
        Some(k) => {
            bank.set_upgrade_authority(k.pubkey());
            k
        }
        None => bank.ctx.payer.insecure_clone(),
    };
    let env = Env {
        deployer: admin.pubkey(),
        local: Some(LocalEnv {
            usdc_mint: bank.usdc_mint,
            crt_mint: bank.crt_mint,
            btc_mint: Some(bank.btc_mint),
            feeds: bank.feed_map(),
            lookup_table: None,
        }),
    };
    let manifest = Manifest::parse(LOCALNET).map_err(DeployError::Manifest)?;
    let needed = manifest.pool.initial_liquidity + manifest.vaults.iter().map(|v| v.seed_usdc).sum::<u64>();
    bank.fund(&admin.pubkey(), needed, 0).await;
    let mut feeds = Feeds::default();
    let mut d = Deployer { chain: &mut bank, feeds: &mut feeds, dry_run: false, table: None };
    let report = d.deploy(&admin, &manifest, &env).await?;
    bank.lookup_table = d.table;
    let mut env = env;
    if let Some(l) = env.local.as_mut() {
        l.lookup_table = bank.lookup_table;
    }
    Ok(Localnet { bank, admin, env, feeds, report })
}

/// The localnet deployment a minute after it opened at BTC $60,000, SOL $150 and FET $1.50, with
/// BTC then down 1.7% and SOL up 4% (FET unchanged): Turbo BTC trims, Bear BTC and Turbo SOL
/// re-lever, Bear SOL stays in its band, and Turbo FET has only a minute of funding drift. The
/// keeper's decision test and its bench start here.
pub async fn after_a_move() -> (Snapshot, At) {
    let mut bank = localnet([6_000_000_000_000, 15_000_000_000, 150_000_000]).await.expect("the localnet deploys").bank;
    bank.advance(60);
    bank.refresh_prices();
    bank.set_price(&feed_id(BTC_FEED), 5_900_000_000_000, 0);
    bank.set_price(&feed_id(SOL_FEED), 15_600_000_000, 0);
    let feeds = bank.feed_map();
    let snap = Snapshot::load(&mut bank, &feeds).await.expect("a snapshot");
    let at = snap.next();
    (snap, at)
}

/// A new wallet on `bank` with SOL for fees and `usdc` raw units.
pub async fn wallet(bank: &mut Bank, usdc: u64) -> Keypair {
    let k = Keypair::new();
    bank.fund(&k.pubkey(), usdc, 0).await;
    k
}
