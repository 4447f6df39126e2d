//! One interface to a chain, with two backends: a JSON-RPC client ([`RpcChain`]) for real
//! clusters, and the in-process bank (`bank::Bank`, feature `bank`) for tests and the demo.
//! Commands, the keeper and the deployer are written once against [`Chain`].

use anchor_lang::prelude::Pubkey;
use anchor_lang::solana_program::instruction::Instruction;
use solana_commitment_config::CommitmentConfig;
use solana_rpc_client::nonblocking::rpc_client::RpcClient;
use solana_sdk::account::Account;
use solana_sdk::clock::Clock;
use solana_sdk::signature::{Keypair, Signer};
use solana_sdk::transaction::Transaction;

use crate::outcome::Outcome;

#[derive(Debug, thiserror::Error)]
pub enum ChainError {
    #[error("cannot reach the RPC server at {0}: is it running?")]
    Unreachable(String),
    #[error("RPC request failed: {0}")]
    Rpc(String),
    #[error("could not decode {what}: {why}")]
    Decode { what: String, why: String },
    #[error("the in-process bank failed: {0}")]
    Bank(String),
}

/// Reading accounts and the clock, sending and simulating transactions.
#[allow(async_fn_in_trait)]
pub trait Chain {
    /// The fee payer, which also signs every transaction.
    fn payer(&self) -> Pubkey;
    async fn account(&mut self, key: &Pubkey) -> Result<Option<Account>, ChainError>;
    async fn clock(&mut self) -> Result<Clock, ChainError>;
    /// Send and wait for confirmation. A program error is an `Err` in [`Outcome::result`], not
    /// a [`ChainError`].
    async fn send(&mut self, ixs: &[Instruction], signers: &[&Keypair]) -> Result<Outcome, ChainError>;
    /// Run without landing anything.
    async fn simulate(&mut self, ixs: &[Instruction], signers: &[&Keypair]) -> Result<Outcome, ChainError>;

    /// Several accounts; the default asks one at a time.
    async fn accounts(&mut self, keys: &[Pubkey]) -> Result<Vec<Option<Account>>, ChainError> {
        let mut out = Vec::with_capacity(keys.len());
        for k in keys {
            out.push(self.account(k).await?);
        }
        Ok(out)
    }
}

/// Signers for a transaction: the payer first, then the others without duplicates.
pub fn signer_set<'a>(payer: &'a Keypair, signers: &[&'a Keypair]) -> Vec<&'a Keypair> {
    let mut all = vec![payer];
    for s in signers {
        if !all.iter().any(|k| k.pubkey() == s.pubkey()) {
            all.push(s);
        }
    }
    all
}

/// How an [`RpcChain`] pays for compute: a compute-unit limit from a simulation plus a margin,
/// and a priority fee from the cluster's recent fees (a percentile, bounded).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FeePolicy {
    /// Margin over the simulated units, percent.
    pub cu_margin_pct: u32,
    /// Which percentile of the recent prioritization fees to pay (0–100).
    pub fee_percentile: u8,
    /// The most to pay per compute unit, micro-lamports.
    pub max_cu_price: u64,
}

impl Default for FeePolicy {
    fn default() -> Self {
        FeePolicy { cu_margin_pct: 20, fee_percentile: 75, max_cu_price: 100_000 }
    }
}

/// A JSON-RPC backend (any Solana cluster or a local validator).
pub struct RpcChain {
    pub client: RpcClient,
    payer: Keypair,
    url: String,
    /// `None`: send without compute-budget instructions.
    pub fees: Option<FeePolicy>,
}

/// Sends retried when the blockhash expired before the transaction landed.
const BLOCKHASH_RETRIES: u32 = 3;

impl RpcChain {
    pub fn new(url: &str, payer: Keypair) -> Self {
        RpcChain {
            client: RpcClient::new_with_commitment(url.to_string(), CommitmentConfig::confirmed()),
            payer,
            url: url.to_string(),
            fees: None,
        }
    }

    /// The server's URL.
    pub fn url(&self) -> &str {
        &self.url
    }

    fn sign(&self, ixs: &[Instruction], signers: &[&Keypair], blockhash: solana_sdk::hash::Hash) -> Transaction {
        Transaction::new_signed_with_payer(ixs, Some(&self.payer.pubkey()), &signer_set(&self.payer, signers), blockhash)
    }

    /// `ixs` with the compute-budget instructions of the fee policy after them (the runtime reads
    /// them anywhere; after, the instruction indices a signature check names stay as built): a
    /// limit of the simulated units plus the margin, and the chosen percentile of the recent fees
    /// paid on the accounts it writes, capped.
    async fn budgeted(
        &self,
        ixs: &[Instruction],
        signers: &[&Keypair],
        blockhash: solana_sdk::hash::Hash,
    ) -> Result<Vec<Instruction>, ChainError> {
        use solana_compute_budget_interface::ComputeBudgetInstruction;
        let Some(p) = self.fees else { return Ok(ixs.to_vec()) };
        let sim = self.client.simulate_transaction(&self.sign(ixs, signers, blockhash)).await.map_err(|e| rpc_error(&self.url, e))?.value;
        let units = sim.units_consumed.unwrap_or(200_000);
        let limit = (units.saturating_mul(100 + p.cu_margin_pct as u64) / 100).clamp(1_000, 1_400_000) as u32;
        let writable: Vec<Pubkey> = ixs.iter().flat_map(|ix| ix.accounts.iter().filter(|m| m.is_writable).map(|m| m.pubkey)).collect();
        let mut recent: Vec<u64> = self
            .client
            .get_recent_prioritization_fees(&writable)
            .await
            .map_err(|e| rpc_error(&self.url, e))?
            .iter()
            .map(|f| f.prioritization_fee)
            .collect();
        recent.sort_unstable();
        let price = if recent.is_empty() { 0 } else { recent[(recent.len() - 1) * p.fee_percentile.min(100) as usize / 100] };
        let mut out = ixs.to_vec();
        out.push(ComputeBudgetInstruction::set_compute_unit_limit(limit));
        out.push(ComputeBudgetInstruction::set_compute_unit_price(price.min(p.max_cu_price)));
        Ok(out)
    }

    /// A landed transaction's logs and units, read back from the cluster.
    async fn landed(&self, sig: &solana_sdk::signature::Signature) -> Result<Outcome, ChainError> {
        use solana_rpc_client_api::config::RpcTransactionConfig;
        use solana_transaction_status_client_types::UiTransactionEncoding;
        let config = RpcTransactionConfig {
            encoding: Some(UiTransactionEncoding::Base64),
            commitment: Some(CommitmentConfig::confirmed()),
            max_supported_transaction_version: Some(0),
        };
        // A cluster may take a moment to serve a transaction it has just confirmed.
        let mut wait = std::time::Duration::from_millis(200);
        for _ in 0..5 {
            match self.client.get_transaction_with_config(sig, config).await {
                Ok(t) => {
                    let meta = t.transaction.meta;
                    let logs: Option<Vec<String>> = meta.as_ref().and_then(|m| m.log_messages.clone().into());
                    let units: Option<u64> = meta.as_ref().and_then(|m| m.compute_units_consumed.clone().into());
                    let result = match meta.and_then(|m| m.err) {
                        Some(e) => Err(e.into()),
                        None => Ok(()),
                    };
                    return Ok(Outcome { result, logs: logs.unwrap_or_default(), compute_units: units.unwrap_or(0) });
                }
                Err(_) => {
                    tokio::time::sleep(wait).await;
                    wait *= 2;
                }
            }
        }
        Err(ChainError::Rpc(format!("transaction {sig} confirmed but not served by getTransaction")))
    }
}

/// A client error as one clear line: a server that cannot be reached says so and where.
pub fn rpc_error(url: &str, e: solana_rpc_client_api::client_error::Error) -> ChainError {
    use solana_rpc_client_api::client_error::ErrorKind;
    let text = e.to_string();
    match e.kind() {
        ErrorKind::Reqwest(r) if r.is_connect() || r.is_timeout() => ChainError::Unreachable(url.to_string()),
        // Some client calls wrap the transport error in their own (`get_account` reports it as
        // a missing account); reqwest's message says what happened.
        _ if text.contains("error sending request") => ChainError::Unreachable(url.to_string()),
        _ => ChainError::Rpc(text.lines().next().unwrap_or_default().to_string()),
    }
}

impl Chain for RpcChain {
    fn payer(&self) -> Pubkey {
        self.payer.pubkey()
    }

    async fn account(&mut self, key: &Pubkey) -> Result<Option<Account>, ChainError> {
        let r = self.client.get_account_with_commitment(key, self.client.commitment()).await.map_err(|e| rpc_error(&self.url, e))?;
        Ok(r.value)
    }

    async fn accounts(&mut self, keys: &[Pubkey]) -> Result<Vec<Option<Account>>, ChainError> {
        let mut out = Vec::with_capacity(keys.len());
        for chunk in keys.chunks(100) {
            out.extend(self.client.get_multiple_accounts(chunk).await.map_err(|e| rpc_error(&self.url, e))?);
        }
        Ok(out)
    }

    async fn clock(&mut self) -> Result<Clock, ChainError> {
        let acc =
            self.account(&solana_sdk::sysvar::clock::ID).await?.ok_or_else(|| ChainError::Rpc("the clock sysvar is missing".into()))?;
        bincode::deserialize(&acc.data).map_err(|e| ChainError::Decode { what: "clock".into(), why: e.to_string() })
    }

    async fn send(&mut self, ixs: &[Instruction], signers: &[&Keypair]) -> Result<Outcome, ChainError> {
        use solana_rpc_client_api::client_error::ErrorKind;
        use solana_rpc_client_api::request::{RpcError, RpcResponseErrorData};
        let mut attempt = 0;
        loop {
            attempt += 1;
            let blockhash = self.client.get_latest_blockhash().await.map_err(|e| rpc_error(&self.url, e))?;
            let ixs = self.budgeted(ixs, signers, blockhash).await?;
            let tx = self.sign(&ixs, signers, blockhash);
            match self.client.send_and_confirm_transaction(&tx).await {
                Ok(sig) => return self.landed(&sig).await,
                Err(e) => match e.get_transaction_error() {
                    Some(solana_sdk::transaction::TransactionError::BlockhashNotFound) if attempt < BLOCKHASH_RETRIES => continue,
                    Some(te) => {
                        // A refusal in preflight carries the simulation's logs.
                        let (logs, units) = match e.kind() {
                            ErrorKind::RpcError(RpcError::RpcResponseError {
                                data: RpcResponseErrorData::SendTransactionPreflightFailure(sim),
                                ..
                            }) => (sim.logs.clone().unwrap_or_default(), sim.units_consumed.unwrap_or(0)),
                            _ => (Vec::new(), 0),
                        };
                        return Ok(Outcome { result: Err(te), logs, compute_units: units });
                    }
                    None => return Err(rpc_error(&self.url, e)),
                },
            }
        }
    }

    async fn simulate(&mut self, ixs: &[Instruction], signers: &[&Keypair]) -> Result<Outcome, ChainError> {
        let blockhash = self.client.get_latest_blockhash().await.map_err(|e| rpc_error(&self.url, e))?;
        let tx = self.sign(ixs, signers, blockhash);
        let r = self.client.simulate_transaction(&tx).await.map_err(|e| rpc_error(&self.url, e))?.value;
        Ok(Outcome {
            result: r.err.map_or(Ok(()), |e| Err(e.into())),
            logs: r.logs.unwrap_or_default(),
            compute_units: r.units_consumed.unwrap_or(0),
        })
    }
}

/// Solana's largest transaction, in bytes.
pub const PACKET_BYTES: usize = 1_232;

/// Whether a legacy transaction of `ixs`, paid by `payer` and signed by `signers` keys in all,
/// fits Solana's packet with the fee policy's two compute-budget instructions added.
pub fn fits(ixs: &[Instruction], payer: &Pubkey, signers: usize) -> bool {
    use solana_compute_budget_interface::ComputeBudgetInstruction;
    let mut all = ixs.to_vec();
    all.push(ComputeBudgetInstruction::set_compute_unit_limit(1_400_000));
    all.push(ComputeBudgetInstruction::set_compute_unit_price(u64::MAX));
    let message = solana_sdk::message::Message::new(&all, Some(payer));
    let required = (message.header.num_required_signatures as usize).max(signers);
    // A short-vec length, the signatures, then the message.
    let len = 1 + 64 * required + message.serialize().len();
    len <= PACKET_BYTES
}
