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

/// A JSON-RPC backend (any Solana cluster or a local validator).
pub struct RpcChain {
    pub client: RpcClient,
    payer: Keypair,
}

impl RpcChain {
    pub fn new(url: &str, payer: Keypair) -> Self {
        RpcChain { client: RpcClient::new_with_commitment(url.to_string(), CommitmentConfig::confirmed()), payer }
    }

    fn sign(&self, ixs: &[Instruction], signers: &[&Keypair], blockhash: solana_sdk::hash::Hash) -> Transaction {
        Transaction::new_signed_with_payer(ixs, Some(&self.payer.pubkey()), &signer_set(&self.payer, signers), blockhash)
    }
}

fn rpc<E: std::fmt::Display>(e: E) -> ChainError {
    ChainError::Rpc(e.to_string())
}

impl Chain for RpcChain {
    fn payer(&self) -> Pubkey {
        self.payer.pubkey()
    }

    async fn account(&mut self, key: &Pubkey) -> Result<Option<Account>, ChainError> {
        let r = self.client.get_account_with_commitment(key, self.client.commitment()).await.map_err(rpc)?;
        Ok(r.value)
    }

    async fn accounts(&mut self, keys: &[Pubkey]) -> Result<Vec<Option<Account>>, ChainError> {
        let mut out = Vec::with_capacity(keys.len());
        for chunk in keys.chunks(100) {
            out.extend(self.client.get_multiple_accounts(chunk).await.map_err(rpc)?);
        }
        Ok(out)
    }

    async fn clock(&mut self) -> Result<Clock, ChainError> {
        let acc =
            self.account(&solana_sdk::sysvar::clock::ID).await?.ok_or_else(|| ChainError::Rpc("the clock sysvar is missing".into()))?;
        bincode::deserialize(&acc.data).map_err(|e| ChainError::Decode { what: "clock".into(), why: e.to_string() })
    }

    async fn send(&mut self, ixs: &[Instruction], signers: &[&Keypair]) -> Result<Outcome, ChainError> {
        let blockhash = self.client.get_latest_blockhash().await.map_err(rpc)?;
        let tx = self.sign(ixs, signers, blockhash);
        match self.client.send_and_confirm_transaction(&tx).await {
            Ok(_) => Ok(Outcome { result: Ok(()), logs: Vec::new(), compute_units: 0 }),
            Err(e) => match e.get_transaction_error() {
                Some(te) => Ok(Outcome { result: Err(te), logs: Vec::new(), compute_units: 0 }),
                None => Err(rpc(e)),
            },
        }
    }

    async fn simulate(&mut self, ixs: &[Instruction], signers: &[&Keypair]) -> Result<Outcome, ChainError> {
        let blockhash = self.client.get_latest_blockhash().await.map_err(rpc)?;
        let tx = self.sign(ixs, signers, blockhash);
        let r = self.client.simulate_transaction(&tx).await.map_err(rpc)?.value;
        Ok(Outcome {
            result: r.err.map_or(Ok(()), |e| Err(e.into())),
            logs: r.logs.unwrap_or_default(),
            compute_units: r.units_consumed.unwrap_or(0),
        })
    }
}
