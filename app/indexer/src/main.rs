//! `turbo-indexer`: follow a node into a database and serve the history (docs/clients.md, "The
//! indexer").
//!
//! ```sh
//! turbo-indexer --url http://127.0.0.1:8899 --db sqlite://turbo-index.db --bind 127.0.0.1:8900
//! turbo-indexer --db postgres://turbo@127.0.0.1/turbo    # a deployment that outgrows one file
//! turbo-indexer --once                                    # catch up, quote, print, exit
//! ```

use std::sync::Arc;
use std::time::Duration;

use clap::Parser;
use solana_commitment_config::CommitmentConfig;
use turbo_indexer::{api, follow, ingest, quote_vaults, store::Store, Options};

#[derive(Parser)]
#[command(name = "turbo-indexer", about = "Follow Turbo's program into SQLite or PostgreSQL and serve its history over HTTP")]
struct Args {
    /// The node's JSON-RPC.
    #[arg(long, env = "TURBO_RPC_URL", default_value = "http://127.0.0.1:8899")]
    url: String,
    /// The database: `sqlite://FILE` (created if missing) or `postgres://…`.
    #[arg(long, env = "TURBO_INDEX_DB", default_value = "sqlite://turbo-index.db")]
    db: String,
    /// Where to serve the HTTP API (port 0: any free port, printed).
    #[arg(long, default_value = "127.0.0.1:8900")]
    bind: String,
    /// `finalized` (nothing ingested is ever rolled back) or `confirmed` (sooner; a fork that
    /// drops a confirmed transaction is rare and not undone).
    #[arg(long, default_value = "finalized", value_parser = ["finalized", "confirmed"])]
    commitment: String,
    /// Milliseconds between catch-ups.
    #[arg(long, default_value_t = 1_000)]
    poll_ms: u64,
    /// Seconds between the vaults' quotes (0: none).
    #[arg(long, default_value_t = 10)]
    quote_every: u64,
    /// Catch up once, take the quotes once, print what the index holds, and exit.
    #[arg(long)]
    once: bool,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "turbo_indexer=info".into()))
        .init();
    let commitment = if args.commitment == "confirmed" { CommitmentConfig::confirmed() } else { CommitmentConfig::finalized() };
    let store = Arc::new(Store::open(&args.db).await?);
    if args.once {
        let c = ingest::Follower::new(&args.url, turbo_sdk::turbo::ID, commitment).catch_up(&store).await?;
        let quoted = if args.quote_every > 0 { quote_vaults(&args.url, &store).await? } else { 0 };
        println!(
            "stored {} transaction(s) ({} already held), {} quote(s); the index holds {} transactions, {} events{}",
            c.stored,
            c.known,
            quoted,
            store.count("txs").await?,
            store.count("events").await?,
            if c.gap { "; a gap in the node's history was recorded" } else { "" }
        );
        return Ok(());
    }
    let listener = tokio::net::TcpListener::bind(&args.bind).await?;
    println!("turbo-indexer: HTTP on http://{} following {}", listener.local_addr()?, args.url);
    let opts = Options {
        url: args.url,
        commitment,
        poll: Duration::from_millis(args.poll_ms),
        quote_every: (args.quote_every > 0).then(|| Duration::from_secs(args.quote_every)),
    };
    tokio::spawn(follow(opts, store.clone()));
    axum::serve(listener, api::router(store)).await?;
    Ok(())
}
