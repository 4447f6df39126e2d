//! Following the program over standard JSON-RPC: `getSignaturesForAddress` back from the newest
//! transaction to the cursor, then `getTransaction` of each, oldest first, each committed with
//! the cursor (docs/clients.md, "The indexer").

use anchor_lang::prelude::Pubkey;
use solana_commitment_config::CommitmentConfig;
use solana_rpc_client::nonblocking::rpc_client::RpcClient;
use solana_rpc_client::rpc_client::GetConfirmedSignaturesForAddress2Config;
use solana_rpc_client_api::config::RpcTransactionConfig;
use solana_sdk::signature::Signature;
use solana_transaction_status_client_types::UiTransactionEncoding;

use crate::decode::events_in;
use crate::store::{Gap, Landed, Store, StoreError};

#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    #[error("the node at {url}: {why}")]
    Node { url: String, why: String },
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The most signatures a node returns in one page.
const PAGE: usize = 1_000;

pub struct Follower {
    pub client: RpcClient,
    pub url: String,
    pub program: Pubkey,
    pub commitment: CommitmentConfig,
}

/// What one catch-up did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Caught {
    /// Transactions stored now.
    pub stored: usize,
    /// Transactions the node listed that were already stored.
    pub known: usize,
    /// A gap found: the node's history does not reach back to the cursor.
    pub gap: bool,
}

impl Follower {
    pub fn new(url: &str, program: Pubkey, commitment: CommitmentConfig) -> Follower {
        Follower { client: RpcClient::new_with_commitment(url.to_string(), commitment), url: url.to_string(), program, commitment }
    }

    fn node(&self, why: impl ToString) -> IngestError {
        IngestError::Node { url: self.url.clone(), why: why.to_string() }
    }

    async fn page(&self, before: Option<Signature>, until: Option<Signature>, limit: usize) -> Result<Vec<(Signature, u64)>, IngestError> {
        let config = GetConfirmedSignaturesForAddress2Config { before, until, limit: Some(limit), commitment: Some(self.commitment) };
        let page = self.client.get_signatures_for_address_with_config(&self.program, config).await.map_err(|e| self.node(e))?;
        page.iter().map(|s| Ok((s.signature.parse().map_err(|_| self.node(format!("bad signature {}", s.signature)))?, s.slot))).collect()
    }

    /// Store every program transaction newer than the cursor, oldest first. Each is committed
    /// with the cursor, so a crash at any point resumes where the last commit left it.
    pub async fn catch_up(&self, store: &Store) -> Result<Caught, IngestError> {
        let cursor = store.cursor().await?;
        let until: Option<Signature> = cursor.as_ref().and_then(|c| c.signature.parse().ok());
        // Newest first, back to the cursor.
        let mut pending: Vec<(Signature, u64)> = Vec::new();
        let mut before = None;
        loop {
            let page = self.page(before, until, PAGE).await?;
            let full = page.len() == PAGE;
            before = page.last().map(|(s, _)| *s);
            pending.extend(page);
            if !full {
                break;
            }
        }
        let mut caught = Caught::default();
        // The node's history must join the cursor: the transaction just older than the oldest
        // listed is the cursor's. When it is not, the node has forgotten what lies between.
        if let (Some(cursor), Some((oldest, _))) = (&cursor, pending.last()) {
            let older = self.page(Some(*oldest), None, 1).await?;
            if older.first().map(|(s, _)| s.to_string()) != Some(cursor.signature.clone()) {
                caught.gap = true;
                let found_at = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64);
                store
                    .record_gap(&Gap { found_at, after_signature: cursor.signature.clone(), before_signature: oldest.to_string() })
                    .await?;
                tracing::warn!(after = %cursor.signature, before = %oldest, "the node's history does not reach the cursor: gap recorded");
            }
        }
        for (sig, slot) in pending.into_iter().rev() {
            let landed = self.fetch(&sig, slot).await?;
            if store.ingest(&landed).await? {
                caught.stored += 1;
            } else {
                caught.known += 1;
            }
        }
        Ok(caught)
    }

    /// One transaction with its events (none for a failed one: it changed nothing).
    pub async fn fetch(&self, sig: &Signature, slot: u64) -> Result<Landed, IngestError> {
        let config = RpcTransactionConfig {
            encoding: Some(UiTransactionEncoding::Base64),
            commitment: Some(self.commitment),
            max_supported_transaction_version: Some(0),
        };
        let t = self.client.get_transaction_with_config(sig, config).await.map_err(|e| self.node(format!("getTransaction {sig}: {e}")))?;
        let meta = t.transaction.meta.ok_or_else(|| self.node(format!("getTransaction {sig}: no status")))?;
        let ok = meta.err.is_none();
        let logs: Option<Vec<String>> = meta.log_messages.into();
        let events = if ok { events_in(&logs.unwrap_or_default()) } else { Vec::new() };
        Ok(Landed { signature: sig.to_string(), slot: t.slot.max(slot), block_time: t.block_time.unwrap_or(0), ok, events })
    }
}
