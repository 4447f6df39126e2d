//! `turbo-keeper`: a long-running rebalancing bot. Settings come from flags or a TOML file;
//! the RPC URL and keypair default to the Solana CLI config.

use std::path::PathBuf;
use std::time::Duration;

use anchor_lang::prelude::Pubkey;
use clap::Parser;
use serde::Deserialize;
use turbo_keeper::{run, tick, Settings};
use turbo_sdk::accounts::Feeds;
use turbo_sdk::chain::{FeePolicy, RpcChain};
use turbo_sdk::setup;

#[derive(Parser, Debug)]
#[command(version, about = "Watch every Turbo vault and rebalance when it would act")]
struct Args {
    /// RPC URL (default: the Solana CLI config's).
    #[arg(long, short = 'u')]
    url: Option<String>,
    /// Keeper keypair (default: the Solana CLI config's).
    #[arg(long, short = 'k')]
    keypair: Option<PathBuf>,
    /// TOML settings file; flags override it.
    #[arg(long)]
    config: Option<PathBuf>,
    /// Seconds between scans.
    #[arg(long)]
    interval_secs: Option<u64>,
    /// USDC token account for bounties (default: none, bounties waived).
    #[arg(long)]
    bounty_account: Option<Pubkey>,
    /// Price account for a feed, as FEED_ID_HEX=PUBKEY; repeatable. Default: Pyth's
    /// sponsored feed (shard 0).
    #[arg(long = "price-account")]
    price_accounts: Vec<String>,
    /// Pyth Pro price service to fetch signed prices from (its base URL; default: the `turbo
    /// localnet` node's own, else none; `none`: never). docs/clients.md, "Signed prices".
    #[arg(long, env = "TURBO_PRICE_SERVICE")]
    price_service: Option<String>,
    /// The price service's access token.
    #[arg(long, env = "TURBO_PRICE_TOKEN", hide_env_values = true)]
    price_token: Option<String>,
    /// Send a settling rebalance for a vault whose asset has not been priced for this many
    /// seconds, so a live feed is never taken for a dead one (0 turns it off).
    #[arg(long)]
    heartbeat_secs: Option<u64>,
    /// Leave a trim or re-leverage that moves less than this share of the position, in bps,
    /// until it grows (default 10; 0 sends every step).
    #[arg(long)]
    min_step_bps: Option<u64>,
    /// Margin over the simulated compute units of each rebalance, percent.
    #[arg(long, default_value_t = 20)]
    cu_margin_pct: u32,
    /// Which percentile of the recent prioritization fees to pay.
    #[arg(long, default_value_t = 75)]
    priority_fee_percentile: u8,
    /// The most to pay per compute unit, micro-lamports.
    #[arg(long, default_value_t = 100_000)]
    max_priority_fee: u64,
    /// Serve `/metrics` (Prometheus) and `/health` here, e.g. 127.0.0.1:9464.
    #[arg(long)]
    metrics_bind: Option<std::net::SocketAddr>,
    /// Scan once and exit.
    #[arg(long)]
    once: bool,
    /// Log JSON lines instead of text.
    #[arg(long)]
    json: bool,
}

/// The TOML file's shape: every field optional.
#[derive(Deserialize, Default, Debug)]
#[serde(deny_unknown_fields)]
struct FileSettings {
    url: Option<String>,
    keypair: Option<PathBuf>,
    interval_secs: Option<u64>,
    heartbeat_secs: Option<u64>,
    min_step_bps: Option<u64>,
    bounty_account: Option<String>,
    max_attempts: Option<u32>,
    backoff_ms: Option<u64>,
    #[serde(default)]
    price_accounts: std::collections::BTreeMap<String, String>,
    price_service: Option<String>,
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    // One clear line on failure, whatever RUST_BACKTRACE says.
    match keeper(Args::parse()).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("turbo-keeper: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn keeper(args: Args) -> anyhow::Result<()> {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into());
    if args.json {
        tracing_subscriber::fmt().with_env_filter(filter).json().init();
    } else {
        use std::io::IsTerminal;
        tracing_subscriber::fmt().with_env_filter(filter).with_ansi(std::io::stdout().is_terminal()).init();
    }
    let file: FileSettings = match &args.config {
        Some(p) => toml::from_str(&std::fs::read_to_string(p)?)?,
        None => FileSettings::default(),
    };
    let (url, keeper) = setup::connection(args.url.or(file.url), args.keypair.or(file.keypair))?;
    let mut overrides = Vec::new();
    for (feed, account) in &file.price_accounts {
        overrides.push(setup::feed_override(feed, account)?);
    }
    overrides.extend(setup::feeds(&args.price_accounts)?.overrides);
    let defaults = Settings::default();
    let settings = Settings {
        bounty_account: match (args.bounty_account, file.bounty_account) {
            (Some(k), _) => Some(k),
            (None, Some(s)) => Some(s.parse()?),
            (None, None) => None,
        },
        feeds: Feeds { overrides, signed: Vec::new() },
        max_attempts: file.max_attempts.unwrap_or(defaults.max_attempts),
        backoff: file.backoff_ms.map(Duration::from_millis).unwrap_or(defaults.backoff),
        interval: args.interval_secs.or(file.interval_secs).map(Duration::from_secs).unwrap_or(defaults.interval),
        heartbeat: match args.heartbeat_secs.or(file.heartbeat_secs) {
            Some(0) => None,
            Some(secs) => Some(Duration::from_secs(secs)),
            None => Some(turbo_keeper::DEFAULT_HEARTBEAT),
        },
        min_step: args.min_step_bps.or(file.min_step_bps).map(turbo_math::Bps).unwrap_or(defaults.min_step),
        prices: turbo_sdk::setup::price_service(args.price_service.or(file.price_service), args.price_token, &url).await?,
    };
    anyhow::ensure!(
        settings.min_step.0 <= turbo_math::BPS_ONE,
        "--min-step-bps is a share of the position in bps, at most {}; got {}",
        turbo_math::BPS_ONE,
        settings.min_step.0
    );
    let kp = keeper.insecure_clone();
    let mut chain = RpcChain::new(&url, keeper);
    // A wallet named for the bounty becomes its USDC account; a wrong account stops here.
    let mut settings = settings;
    if let Some(p) = &settings.prices {
        tracing::info!(service = %p.url(), "signed prices from the price service");
    }
    if let Some(given) = settings.bounty_account {
        let account = turbo_keeper::bounty_account(&mut chain, given).await?;
        if account != given {
            tracing::info!(wallet = %given, usdc_account = %account, "bounty to the wallet's USDC account");
        }
        settings.bounty_account = Some(account);
    }
    chain.fees = Some(FeePolicy {
        cu_margin_pct: args.cu_margin_pct,
        fee_percentile: args.priority_fee_percentile,
        max_cu_price: args.max_priority_fee,
    });
    tracing::info!(url = %url, "keeper starting");
    if args.once {
        let r = tick(&mut chain, &kp, &settings).await?;
        tracing::info!(scanned = r.scanned, sent = r.sent.len(), idle = r.idle, small = r.small.len(), "scan done");
        return Ok(());
    }
    // Bound here, so the address logged is the one in use (port 0 picks a free one).
    let metrics = match args.metrics_bind {
        Some(bind) => {
            let listener = tokio::net::TcpListener::bind(bind).await?;
            let addr = listener.local_addr()?;
            let m = turbo_keeper::metrics::Metrics::new(settings.interval);
            let served = m.clone();
            tokio::spawn(async move {
                if let Err(e) = turbo_keeper::metrics::serve(listener, served).await {
                    tracing::error!(error = %e, %addr, "metrics server stopped");
                }
            });
            tracing::info!(%addr, "serving /metrics and /health");
            Some(m)
        }
        None => None,
    };
    run(&mut chain, &kp, &settings, metrics, async {
        let _ = tokio::signal::ctrl_c().await;
    })
    .await;
    Ok(())
}
