//! A client of `turbo-indexer`'s HTTP API (docs/clients.md, "The indexer"), and the positions it
//! answers with: the indexer serializes these same types.

use serde::{Deserialize, Serialize};

/// One vault position: what the wallet minted less what it redeemed, valued at the vault's
/// newest NAV. Tokens moved between wallets outside the program are not seen.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct VaultPosition {
    pub vault: String,
    pub tokens: u64,
    /// Σ what each mint paid: the value credited plus its fee, micro-USD.
    pub cost: u64,
    /// Σ what each redeem paid out: the tokens' value less its fee, micro-USD.
    pub proceeds: u64,
    pub value: u64,
    /// `value + proceeds − cost`.
    pub pnl: i64,
    /// When the value was read (the newest point with a supply).
    pub valued_at: Option<i64>,
}

/// The wallet's LP position, valued at the pool's newest point.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct LpPosition {
    pub shares: u64,
    pub deposited: u64,
    pub withdrawn: u64,
    pub value: u64,
    pub pnl: i64,
}

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct Positions {
    pub wallet: String,
    pub vaults: Vec<VaultPosition>,
    pub lp: Option<LpPosition>,
}

/// `GET /v1/wallets/{wallet}/positions` of the indexer at `base`.
pub async fn positions(base: &str, wallet: &anchor_lang::prelude::Pubkey) -> Result<Positions, String> {
    let url = format!("{}/v1/wallets/{wallet}/positions", base.trim_end_matches('/'));
    let client = reqwest::Client::builder().timeout(std::time::Duration::from_secs(5)).build().map_err(|e| e.to_string())?;
    let res = client.get(&url).send().await.map_err(|e| format!("the indexer at {base}: {e}"))?;
    if !res.status().is_success() {
        return Err(format!("the indexer at {base} answered {}", res.status()));
    }
    res.json().await.map_err(|e| format!("the indexer at {base}: {e}"))
}
