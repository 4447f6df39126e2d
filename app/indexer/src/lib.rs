//! `turbo-indexer`: Turbo's history beside the chain (docs/clients.md, "The indexer"). It follows
//! the program over standard JSON-RPC, decodes every event, takes each vault's quote on an
//! interval so price and leverage history exists between rebalances, stores all of it in SQLite
//! (or PostgreSQL) with keys that make ingestion idempotent, and serves it over HTTP: per-vault
//! series, rebalances, a wallet's positions with cost basis and PnL, and the pool's value and APR.

pub mod api;
pub mod decode;
pub mod ingest;
pub mod store;

use std::time::Duration;

use solana_sdk::signature::Keypair;
use turbo_sdk::accounts::{Feeds, Snapshot};
use turbo_sdk::chain::RpcChain;

use crate::decode::VaultPoint;
use crate::store::Store;

/// Take every vault's quote at the chain's clock (the program's own `quote`, run on the accounts
/// as `turbo vaults` runs it) and store it. A vault whose price the gate refuses now is skipped.
/// Returns how many were stored.
pub async fn quote_vaults(url: &str, store: &Store) -> anyhow::Result<usize> {
    let mut chain = RpcChain::new(url, Keypair::new());
    let snap = Snapshot::load(&mut chain, &Feeds::default()).await?;
    let mut n = 0;
    for v in &snap.vaults {
        if let Ok(q) = snap.quote(v) {
            let p = VaultPoint {
                vault: v.keys.vault,
                price: q.price,
                nav: q.nav,
                ui_price: q.ui_price,
                leverage: q.leverage,
                supply: q.supply,
            };
            store.add_quote(&p, snap.at.slot, snap.at.unix_timestamp).await?;
            n += 1;
        }
    }
    Ok(n)
}

/// How the service runs.
#[derive(Clone, Debug)]
pub struct Options {
    pub url: String,
    pub commitment: solana_commitment_config::CommitmentConfig,
    /// How long to wait between catch-ups.
    pub poll: Duration,
    /// How often to take the vaults' quotes (`None`: never).
    pub quote_every: Option<Duration>,
}

/// Follow the chain until the process ends: catch up, take the quotes when due, wait, repeat. A
/// node that fails is retried at the next poll; nothing is skipped.
pub async fn follow(opts: Options, store: std::sync::Arc<Store>) {
    let follower = ingest::Follower::new(&opts.url, turbo_sdk::turbo::ID, opts.commitment);
    let mut last_quote: Option<std::time::Instant> = None;
    loop {
        match follower.catch_up(&store).await {
            Ok(c) if c.stored > 0 => tracing::info!(stored = c.stored, gap = c.gap, "caught up"),
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "catch-up failed; retrying"),
        }
        if let Some(every) = opts.quote_every {
            if last_quote.is_none_or(|t| t.elapsed() >= every) {
                match quote_vaults(&opts.url, &store).await {
                    Ok(n) => tracing::debug!(quoted = n, "vault quotes taken"),
                    Err(e) => tracing::warn!(error = %e, "quotes failed; retrying"),
                }
                last_quote = Some(std::time::Instant::now());
            }
        }
        tokio::time::sleep(opts.poll).await;
    }
}
