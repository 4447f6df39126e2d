//! `turbo`: the command line for wallets, LPs, keepers and admins. It reads the Solana CLI
//! config (`~/.config/solana/cli/config.yml`) for the RPC URL and keypair, like every Solana
//! tool; `--url` and `--keypair` override it. `turbo demo` needs no network at all.

use std::path::PathBuf;
use std::process::ExitCode;

use anchor_lang::prelude::Pubkey;
use clap::{Parser, Subcommand};
use solana_sdk::signature::Keypair;
use turbo::args::UpdateConfigArgs;
use turbo::state::PoolCaps;
use turbo_cli::manifest::{Env, Manifest, ParamOverrides};
use turbo_cli::{demo, Cli, CliError};
use turbo_sdk::chain::{Chain, RpcChain};

#[derive(Parser, Debug)]
#[command(name = "turbo", version, about = "Turbo leveraged tokens: mint, redeem, rebalance, provide liquidity, administer")]
struct Args {
    /// RPC URL (default: the Solana CLI config's).
    #[arg(long, short = 'u', global = true)]
    url: Option<String>,
    /// Keypair file (default: the Solana CLI config's).
    #[arg(long, short = 'k', global = true)]
    keypair: Option<PathBuf>,
    /// Simulate transactions instead of sending them.
    #[arg(long, global = true)]
    dry_run: bool,
    /// Price account for a feed, FEED_ID_HEX=PUBKEY (default: Pyth's sponsored feed).
    #[arg(long = "price-account", global = true)]
    price_accounts: Vec<String>,
    /// Pyth Pro price service to fetch signed prices from for mint, redeem and rebalance (its
    /// base URL; default: the `turbo localnet` node's own, else none: the price accounts as they
    /// are; `none`: never). docs/clients.md, "Signed prices".
    #[arg(long, global = true, env = "TURBO_PRICE_SERVICE")]
    price_service: Option<String>,
    /// The price service's access token.
    #[arg(long, global = true, env = "TURBO_PRICE_TOKEN", hide_env_values = true)]
    price_token: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Make a new wallet (a Solana CLI keypair file) at --keypair, or at the Solana CLI
    /// config's path (default ~/.config/solana/id.json); no Solana CLI needed.
    Keygen {
        /// Replace a keypair already there (its funds stay with its old address).
        #[arg(long)]
        force: bool,
    },
    /// Print the wallet's address (from --keypair, or the Solana CLI config's path).
    Address,
    /// What a wallet (default: yours) holds of each Turbo token and of the pool, and its worth now.
    Positions {
        wallet: Option<Pubkey>,
        /// A `turbo-indexer` to read each position's cost basis and profit or loss from.
        #[arg(long, env = "TURBO_INDEXER", value_name = "URL")]
        indexer: Option<String>,
    },
    /// Every vault: NAV, leverage, supply, caps and last rebalance.
    Vaults,
    /// One vault in detail (by symbol or id).
    Show { vault: String },
    /// Deposit USDC (and CRT) for tokens at NAV, after the mint fee; or pay in a hedged asset
    /// with `--pay SOL=2`, which sells it to the pool and mints with the USDC in one transaction.
    Mint {
        vault: String,
        #[arg(long, required_unless_present = "pay")]
        usdc: Option<String>,
        #[arg(long)]
        crt: Option<String>,
        /// Pay in a custody's asset instead of USDC, ASSET=AMOUNT.
        #[arg(long, value_name = "ASSET=AMOUNT", conflicts_with_all = ["usdc", "crt", "min_out"])]
        pay: Option<String>,
        #[arg(long, default_value_t = 50)]
        slippage_bps: u16,
        /// The fewest tokens to accept (UI amount), instead of a slippage.
        #[arg(long, conflicts_with = "slippage_bps")]
        min_out: Option<String>,
    },
    /// Burn tokens (a UI amount, or `all`) for the pro-rata collateral, after the redeem fee.
    Redeem {
        vault: String,
        amount: String,
        #[arg(long, default_value_t = 100)]
        slippage_bps: u16,
        /// The least USDC to accept, instead of a slippage.
        #[arg(long, conflicts_with_all = ["slippage_bps", "receive"])]
        min_usdc: Option<String>,
        /// Receive a hedged asset (SOL, BTC) instead of USDC: the redeem's USDC buys it from the
        /// pool's custody in the same transaction.
        #[arg(long)]
        receive: Option<String>,
    },
    /// Rebalance a vault now (permissionless).
    Rebalance { vault: String },
    /// Sell a hedged asset to the pool for USDC (`--sell 2`), or buy it with USDC (`--buy 300`),
    /// at the oracle price with the custody's fee and impact.
    Swap {
        asset: String,
        #[arg(long, required_unless_present = "buy", conflicts_with = "buy")]
        sell: Option<String>,
        #[arg(long)]
        buy: Option<String>,
        #[arg(long, default_value_t = 50)]
        slippage_bps: u16,
    },
    /// The pool's custodies: what it owns of each hedged asset, what is locked, what may leave.
    Custodies,
    /// The changes waiting in the timelock.
    Timelock,
    /// Provide or remove pool liquidity.
    Lp {
        #[command(subcommand)]
        action: LpAction,
    },
    /// Show the configuration, or update it (admin).
    Config {
        #[command(subcommand)]
        action: Option<ConfigAction>,
    },
    /// Pause (admin or guardian) or unpause (admin).
    Pause {
        /// One vault instead of the whole protocol.
        #[arg(long)]
        vault: Option<String>,
        /// Comma-separated: mint, redeem, rebalance, deposit, withdraw, swap, all.
        #[arg(long, default_value = "all")]
        flags: String,
        #[arg(long)]
        unpause: bool,
    },
    /// Create or update a vault (admin).
    Vault {
        #[command(subcommand)]
        action: VaultAction,
    },
    /// Change the pool's caps and skew funding (admin); flags left out keep their value.
    Pool {
        #[arg(long)]
        gross_cap_bps: Option<u32>,
        #[arg(long)]
        net_cap_bps: Option<u32>,
        /// The risk cap's loss budget for a z-sigma day, bps of pool value (0: off).
        #[arg(long)]
        max_daily_loss_bps: Option<u16>,
        /// The risk cap's z, hundredths (300 = 3σ).
        #[arg(long)]
        risk_z_centi: Option<u16>,
        /// The risk cap's σ floor, annualized bps.
        #[arg(long)]
        vol_floor_bps: Option<u32>,
        /// Skew funding at the cap, bps of notional a day.
        #[arg(long)]
        funding_max_bps_per_day: Option<u16>,
        /// The gap cap's loss budget on a hedged asset, bps of pool value (0: off).
        #[arg(long)]
        gap_budget_bps: Option<u16>,
        /// The stress gap the gap cap is sized for, bps.
        #[arg(long)]
        stress_gap_bps: Option<u16>,
    },
    /// Withdraw the treasury's fees (admin).
    Fees {
        #[command(subcommand)]
        action: FeesAction,
    },
    /// Apply a deployment manifest from migrations/, idempotently.
    Deploy { manifest: PathBuf },
    /// Run the whole protocol on the embedded in-process bank and print what happened.
    Demo {
        /// 3-minute candles to replay.
        #[arg(long, default_value_t = 240)]
        steps: usize,
    },
    /// A local validator: the in-process bank with the program and migrations/localnet.toml
    /// deployed, behind the standard Solana JSON-RPC. State lives in memory only and is gone
    /// when it stops (Ctrl-C). Point `turbo --url` and `turbo-keeper --url` at it.
    Localnet {
        /// Where to listen.
        #[arg(long, default_value = "127.0.0.1:8899")]
        bind: std::net::SocketAddr,
        /// Replay a price file into an asset's Pyth account, ASSET=FILE (BTC, SOL or FET).
        #[arg(long)]
        replay: Vec<String>,
        /// Seconds of price history (and of the bank's clock) per second of wall time.
        #[arg(long, default_value_t = 1.0)]
        speed: f64,
        /// Do not print a line per transaction.
        #[arg(long)]
        quiet: bool,
        /// The deployer's keypair file: admin and upgrade authority of the local deployment
        /// (default: a key the node keeps to itself).
        #[arg(long)]
        deployer: Option<PathBuf>,
        /// Serve the built web app from this folder beside the JSON-RPC (build it with
        /// `npm --prefix app/web run build`; scripts/web does both).
        #[arg(long, num_args = 0..=1, default_missing_value = "app/web/dist")]
        web: Option<PathBuf>,
        /// Republish the sponsored Pyth accounts every SECS seconds or on a 0.5% move, as Pyth's
        /// push feeds do on mainnet; 1 keeps them fresh every second (a demo). Signed prices from
        /// the node's price service are always current.
        #[arg(long, default_value_t = 60, value_name = "SECS")]
        sponsored_every: i64,
        /// A `turbo-indexer` following this node, which the web app reads history, positions and
        /// the pool's APR from (reported in `turboLocalEnv`).
        #[arg(long, value_name = "URL")]
        indexer: Option<String>,
        #[command(subcommand)]
        action: Option<LocalnetAction>,
    },
}

#[derive(Subcommand, Debug)]
enum LocalnetAction {
    /// Set an asset's price on a running node: `turbo localnet price SOL 150`.
    Price { asset: String, price: f64 },
    /// Give a wallet SOL and USDC on a running node.
    Fund {
        wallet: Pubkey,
        #[arg(long, default_value = "10")]
        sol: String,
        #[arg(long, default_value = "0")]
        usdc: String,
    },
}

#[derive(Subcommand, Debug)]
enum LpAction {
    /// Deposit USDC, or a custody's asset with `--asset`.
    Deposit {
        amount: String,
        /// Deposit this hedged asset (SOL, BTC) instead of USDC.
        #[arg(long)]
        asset: Option<String>,
        #[arg(long, default_value_t = 50)]
        slippage_bps: u16,
    },
    /// Withdraw shares (or `all`) in USDC and CRT, or in a custody's asset with `--asset`.
    Withdraw {
        shares: String,
        /// Receive this hedged asset (SOL, BTC) instead of USDC; never its locked part.
        #[arg(long, conflicts_with = "unpriced")]
        asset: Option<String>,
        #[arg(long, default_value_t = 50)]
        slippage_bps: u16,
        /// Value a vault whose feed is stale past its maximum age at the most the pool could owe
        /// it (and CRT at zero if its feed is), rather than wait for the feed: the way out while
        /// a feed is dead. You receive no more than a live withdrawal would pay.
        #[arg(long)]
        unpriced: bool,
    },
}

#[derive(Subcommand, Debug)]
enum ConfigAction {
    Show,
    Update {
        #[arg(long)]
        guardian: Option<Pubkey>,
        #[arg(long)]
        treasury: Option<Pubkey>,
        #[arg(long)]
        crt_weight_bps: Option<u16>,
        #[arg(long)]
        lp_fee_share_bps: Option<u16>,
        #[arg(long)]
        keeper_bounty: Option<u64>,
        #[arg(long)]
        bounty_notional: Option<u64>,
        #[arg(long)]
        fresh_price_secs: Option<u32>,
    },
}

#[derive(Subcommand, Debug)]
enum VaultAction {
    /// Create the vaults of a manifest that do not exist yet (same as deploy).
    Create { manifest: PathBuf },
    /// Change one vault's parameters; unspecified ones keep their value.
    Update {
        vault: String,
        #[command(flatten)]
        change: ParamOverrides,
    },
}

#[derive(Subcommand, Debug)]
enum FeesAction {
    Withdraw {
        #[arg(long, default_value = "0")]
        usdc: String,
        #[arg(long, default_value = "0")]
        crt: String,
    },
}

async fn dispatch(args: Args) -> Result<String, CliError> {
    if let Command::Demo { steps } = args.command {
        // The embedded bank logs every instruction at debug level; keep the demo's output clean
        // unless the caller asked for logs.
        if std::env::var_os("RUST_LOG").is_none() {
            std::env::set_var("RUST_LOG", "error");
        }
        return demo::run(steps).await;
    }
    let setup = |e: turbo_sdk::setup::SetupError| CliError::Input(e.to_string());
    match args.command {
        Command::Keygen { force } => {
            let path = turbo_sdk::setup::wallet_path(args.keypair);
            let key = turbo_sdk::setup::keygen(&path, force).map_err(setup)?;
            return Ok(format!("Wrote a new keypair to {}\nAddress: {key}\n", path.display()));
        }
        Command::Address => {
            let me = turbo_sdk::setup::wallet(args.keypair).map_err(setup)?;
            return Ok(format!("{}\n", solana_sdk::signature::Signer::pubkey(&me)));
        }
        _ => {}
    }
    if let Command::Localnet { bind, replay, speed, quiet, deployer, web, sponsored_every, indexer, action } = args.command {
        return localnet(args.url, bind, replay, speed, quiet, deployer, web, sponsored_every, indexer, action).await;
    }
    let url = turbo_sdk::setup::url(args.url.clone());
    // Reading needs no wallet: without a keypair file, reads run with a throwaway one.
    let read_only = matches!(
        args.command,
        Command::Vaults | Command::Show { .. } | Command::Timelock | Command::Custodies | Command::Positions { wallet: Some(_), .. }
    );
    let me = match turbo_sdk::setup::wallet(args.keypair.clone()) {
        Ok(k) => k,
        Err(_) if read_only => Keypair::new(),
        Err(e) => return Err(setup(e)),
    };
    let mut cli = Cli::new(RpcChain::new(&url, me.insecure_clone()), turbo_sdk::setup::feeds(&args.price_accounts).map_err(setup)?);
    cli.dry_run = args.dry_run;
    // A `turbo localnet` node serves its own price service beside JSON-RPC.
    cli.prices =
        turbo_sdk::setup::price_service(args.price_service, args.price_token, &url).await.map_err(|e| CliError::Input(e.to_string()))?;
    run(&mut cli, &me, args.command).await
}

#[allow(clippy::too_many_arguments)]
async fn localnet(
    url: Option<String>,
    bind: std::net::SocketAddr,
    replay: Vec<String>,
    speed: f64,
    quiet: bool,
    deployer: Option<PathBuf>,
    web: Option<PathBuf>,
    sponsored_every: i64,
    indexer: Option<String>,
    action: Option<LocalnetAction>,
) -> Result<String, CliError> {
    let node_url = url.unwrap_or_else(|| format!("http://{bind}"));
    let client = solana_rpc_client::nonblocking::rpc_client::RpcClient::new(node_url.clone());
    let unreachable = |e| CliError::Chain(turbo_sdk::chain::rpc_error(&node_url, e));
    match action {
        Some(LocalnetAction::Price { asset, price }) => {
            let request = solana_rpc_client_api::request::RpcRequest::Custom { method: "turboSetPrice" };
            let raw: i64 = client.send(request, serde_json::json!([asset, price])).await.map_err(unreachable)?;
            return Ok(format!("{asset} price set to {} on {node_url}\n", turbo_cli::text::price(raw as u64)));
        }
        Some(LocalnetAction::Fund { wallet, sol, usdc }) => {
            let lamports = turbo_cli::parse_amount(&sol, 9)?;
            let usdc = turbo_cli::parse_amount(&usdc, turbo_cli::text::USDC)?;
            if lamports > 0 {
                client.request_airdrop(&wallet, lamports).await.map_err(unreachable)?;
            }
            if usdc > 0 {
                let request = solana_rpc_client_api::request::RpcRequest::Custom { method: "turboAirdropUsdc" };
                let _: u64 = client.send(request, serde_json::json!([wallet.to_string(), usdc])).await.map_err(unreachable)?;
            }
            // Where the USDC is: the wallet's associated account of the node's USDC mint (what
            // `turbo-keeper --bounty-account` wants, for example).
            let usdc_account = match turbo_sdk::setup::local_env(&node_url).await {
                Some(env) => format!("\nUSDC account: {}", turbo_sdk::pda::ata(&wallet, &env.usdc_mint)),
                None => String::new(),
            };
            return Ok(format!(
                "{wallet}: +{} SOL, +{} USDC on {node_url}{usdc_account}\n",
                turbo_cli::text::amount(lamports, 9, 2),
                turbo_cli::text::amount(usdc, turbo_cli::text::USDC, 2)
            ));
        }
        None => {}
    }
    let deployer = match deployer {
        Some(p) => Some(turbo_sdk::setup::wallet(Some(p)).map_err(|e| CliError::Input(e.to_string()))?),
        None => None,
    };
    let mut files = Vec::new();
    for r in replay {
        let (asset, file) = r.split_once('=').ok_or_else(|| CliError::Input(format!("expected ASSET=FILE, got {r}")))?;
        if turbo_cli::localnet::feed_of(asset).is_none() {
            return Err(CliError::Input(format!("unknown asset {asset}; use BTC, SOL or FET")));
        }
        let points = turbo_sdk::series::load_csv(std::path::Path::new(file)).map_err(CliError::Input)?;
        files.push((asset.to_ascii_uppercase(), points));
    }
    if std::env::var_os("RUST_LOG").is_none() {
        std::env::set_var("RUST_LOG", "error");
    }
    if let Some(dir) = &web {
        if !dir.join("index.html").is_file() {
            return Err(CliError::Input(format!(
                "no built web app in {} (run `npm --prefix app/web ci && npm --prefix app/web run build`, or scripts/web)",
                dir.display()
            )));
        }
    }
    let opts = turbo_cli::localnet::Options {
        addr: bind,
        replay: files,
        speed,
        log: !quiet,
        deployer,
        web,
        sponsored_every: sponsored_every.max(1),
        indexer,
    };
    let shutdown = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    turbo_cli::localnet::serve(opts, shutdown).await.map_err(|e| CliError::Input(e.to_string()))?;
    Ok(String::new())
}

async fn run(cli: &mut Cli<RpcChain>, me: &Keypair, command: Command) -> Result<String, CliError> {
    match command {
        Command::Vaults => cli.vaults().await,
        Command::Positions { wallet, indexer } => {
            cli.positions(&wallet.unwrap_or_else(|| solana_sdk::signature::Signer::pubkey(me)), indexer.as_deref()).await
        }
        Command::Show { vault } => cli.show(&vault).await,
        Command::Mint { vault, pay: Some(pay), slippage_bps, .. } => {
            let (asset, amount) = pay.split_once('=').ok_or_else(|| CliError::Input(format!("expected ASSET=AMOUNT, got {pay}")))?;
            cli.mint_with_asset(me, &vault, asset, amount, slippage_bps).await
        }
        Command::Mint { vault, usdc, crt, slippage_bps, min_out, pay: None } => {
            let usdc = usdc.ok_or_else(|| CliError::Input("name --usdc or --pay".into()))?;
            cli.mint_with_guard(me, &vault, &usdc, crt.as_deref(), slippage_bps, min_out.as_deref()).await
        }
        Command::Redeem { vault, amount, slippage_bps, receive: Some(asset), .. } => {
            cli.redeem_for_asset(me, &vault, &asset, &amount, slippage_bps).await
        }
        Command::Redeem { vault, amount, slippage_bps, min_usdc, receive: None } => {
            cli.redeem_with_guard(me, &vault, &amount, slippage_bps, min_usdc.as_deref()).await
        }
        Command::Rebalance { vault } => cli.rebalance(me, &vault).await,
        Command::Swap { asset, sell, buy, slippage_bps } => cli.swap(me, &asset, sell.as_deref(), buy.as_deref(), slippage_bps).await,
        Command::Custodies => cli.custodies().await,
        Command::Timelock => cli.timelock().await,
        Command::Lp { action: LpAction::Deposit { amount, asset: Some(asset), slippage_bps } } => {
            cli.lp_deposit_asset(me, &asset, &amount, slippage_bps).await
        }
        Command::Lp { action: LpAction::Deposit { amount, asset: None, slippage_bps } } => cli.lp_deposit(me, &amount, slippage_bps).await,
        Command::Lp { action: LpAction::Withdraw { shares, asset: Some(asset), slippage_bps, .. } } => {
            cli.lp_withdraw_asset(me, &asset, &shares, slippage_bps).await
        }
        Command::Lp { action: LpAction::Withdraw { shares, asset: None, slippage_bps, unpriced } } => {
            cli.lp_withdraw(me, &shares, slippage_bps, unpriced).await
        }
        Command::Config { action: None | Some(ConfigAction::Show) } => cli.config_show().await,
        Command::Config {
            action:
                Some(ConfigAction::Update {
                    guardian,
                    treasury,
                    crt_weight_bps,
                    lp_fee_share_bps,
                    keeper_bounty,
                    bounty_notional,
                    fresh_price_secs,
                }),
        } => {
            let cur = turbo_sdk::accounts::config(&mut cli.chain).await?;
            let mut p = cur.params;
            let touched = crt_weight_bps.is_some()
                || lp_fee_share_bps.is_some()
                || keeper_bounty.is_some()
                || bounty_notional.is_some()
                || fresh_price_secs.is_some();
            p.crt_weight_bps = crt_weight_bps.unwrap_or(p.crt_weight_bps);
            p.lp_fee_share_bps = lp_fee_share_bps.unwrap_or(p.lp_fee_share_bps);
            p.keeper_bounty = keeper_bounty.unwrap_or(p.keeper_bounty);
            p.bounty_notional = bounty_notional.unwrap_or(p.bounty_notional);
            p.fresh_price_secs = fresh_price_secs.unwrap_or(p.fresh_price_secs);
            cli.config_update(me, UpdateConfigArgs { guardian, treasury, params: touched.then_some(p) }).await
        }
        Command::Pause { vault, flags, unpause } => cli.pause(me, vault.as_deref(), &flags, unpause).await,
        Command::Vault { action: VaultAction::Create { manifest } } | Command::Deploy { manifest } => {
            let m = Manifest::load(&manifest).map_err(CliError::Input)?;
            let env = Env { deployer: cli.chain.payer(), local: turbo_sdk::setup::local_env(cli.chain.url()).await };
            cli.deploy(me, &m, &env).await
        }
        Command::Vault { action: VaultAction::Update { vault, change } } => cli.vault_update(me, &vault, |p| change.apply(p)).await,
        Command::Pool {
            gross_cap_bps,
            net_cap_bps,
            max_daily_loss_bps,
            risk_z_centi,
            vol_floor_bps,
            funding_max_bps_per_day,
            gap_budget_bps,
            stress_gap_bps,
        } => {
            cli.pool_update(me, |c: &mut PoolCaps| {
                c.gross_cap_bps = gross_cap_bps.unwrap_or(c.gross_cap_bps);
                c.net_cap_bps = net_cap_bps.unwrap_or(c.net_cap_bps);
                c.max_daily_loss_bps = max_daily_loss_bps.unwrap_or(c.max_daily_loss_bps);
                c.risk_z_centi = risk_z_centi.unwrap_or(c.risk_z_centi);
                c.vol_floor_bps = vol_floor_bps.unwrap_or(c.vol_floor_bps);
                c.funding_max_bps_per_day = funding_max_bps_per_day.unwrap_or(c.funding_max_bps_per_day);
                c.gap_budget_bps = gap_budget_bps.unwrap_or(c.gap_budget_bps);
                c.stress_gap_bps = stress_gap_bps.unwrap_or(c.stress_gap_bps);
            })
            .await
        }
        Command::Fees { action: FeesAction::Withdraw { usdc, crt } } => cli.fees_withdraw(me, &usdc, &crt).await,
        Command::Demo { .. } | Command::Localnet { .. } | Command::Keygen { .. } | Command::Address => {
            unreachable!("handled before connecting")
        }
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    match dispatch(Args::parse()).await {
        Ok(out) => {
            print!("{out}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
