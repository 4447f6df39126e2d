//! What every Turbo binary does before its first request: find the cluster and the wallet (the
//! flags first, then the Solana CLI's own config file), and read `FEED=PUBKEY` price-account
//! overrides. The CLI and the keeper share it.

use std::path::PathBuf;

use anchor_lang::prelude::Pubkey;
use solana_sdk::signature::{read_keypair_file, Keypair};

use crate::accounts::Feeds;

/// Why set-up failed, in the user's terms.
#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    #[error("keypair {path}: {why} (make one with `turbo keygen`, or name one with --keypair)")]
    Keypair { path: String, why: String },
    #[error("{0} already holds a keypair; pass --force to replace it (its funds stay with its address)")]
    KeypairExists(String),
    #[error("expected FEED=PUBKEY, got {0}")]
    NotAPair(String),
    #[error("bad feed id {0}: expected 64 hex digits")]
    FeedId(String),
    #[error("bad address {0}")]
    Address(String),
}

fn solana_config() -> solana_cli_config::Config {
    solana_cli_config::CONFIG_FILE.as_ref().and_then(|p| solana_cli_config::Config::load(p).ok()).unwrap_or_default()
}

/// The RPC URL: `url` when given, else the Solana CLI's config
/// (`~/.config/solana/cli/config.yml`), else its default.
pub fn url(url: Option<String>) -> String {
    url.unwrap_or_else(|| solana_config().json_rpc_url)
}

/// The wallet: `keypair` when given, else the Solana CLI's config's, else its default path.
pub fn wallet(keypair: Option<PathBuf>) -> Result<Keypair, SetupError> {
    let path = wallet_path(keypair);
    read_keypair_file(&path).map_err(|e| SetupError::Keypair { path: path.display().to_string(), why: e.to_string() })
}

/// Where the wallet is read from: `keypair` when given, else the Solana CLI config's path, else
/// its default (`~/.config/solana/id.json`).
pub fn wallet_path(keypair: Option<PathBuf>) -> PathBuf {
    keypair.unwrap_or_else(|| solana_config().keypair_path.into())
}

/// Make a new wallet at `path` (a Solana CLI keypair file, its parent folders created), unless
/// one is there and `force` is not set; its address.
pub fn keygen(path: &std::path::Path, force: bool) -> Result<Pubkey, SetupError> {
    if path.exists() && !force {
        return Err(SetupError::KeypairExists(path.display().to_string()));
    }
    let io = |e: &dyn std::fmt::Display| SetupError::Keypair { path: path.display().to_string(), why: e.to_string() };
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| io(&e))?;
    }
    let key = Keypair::new();
    solana_sdk::signature::write_keypair_file(&key, path).map_err(|e| io(&e))?;
    Ok(solana_sdk::signature::Signer::pubkey(&key))
}

/// The RPC URL and the wallet, as [`url`] and [`wallet`] find them.
pub fn connection(url: Option<String>, keypair: Option<PathBuf>) -> Result<(String, Keypair), SetupError> {
    Ok((self::url(url), wallet(keypair)?))
}

/// One price-account override: a feed id (hex) and the account that carries it.
pub fn feed_override(feed: &str, account: &str) -> Result<([u8; 32], Pubkey), SetupError> {
    let id = crate::pyth::parse_feed_id(feed).ok_or_else(|| SetupError::FeedId(feed.into()))?;
    let key = account.parse().map_err(|_| SetupError::Address(account.into()))?;
    Ok((id, key))
}

/// `FEED=PUBKEY` pairs as [`Feeds`].
pub fn feeds<S: AsRef<str>>(pairs: &[S]) -> Result<Feeds, SetupError> {
    let overrides = pairs
        .iter()
        .map(|p| {
            let p = p.as_ref();
            let (f, k) = p.split_once('=').ok_or_else(|| SetupError::NotAPair(p.into()))?;
            feed_override(f, k)
        })
        .collect::<Result<_, _>>()?;
    Ok(Feeds { overrides, signed: Vec::new() })
}

/// The node's `turboLocalEnv` answer: what `"local"` means on a `turbo localnet` node (`None`
/// from any other node).
pub async fn local_env_json(url: &str) -> Option<serde_json::Value> {
    let client = solana_rpc_client::nonblocking::rpc_client::RpcClient::new(url.to_string());
    let request = solana_rpc_client_api::request::RpcRequest::Custom { method: "turboLocalEnv" };
    client.send(request, serde_json::Value::Null).await.ok()
}

/// What `"local"` means in a manifest on a `turbo localnet` node: its mints, its price accounts
/// and its lookup table (`None` on any other node).
pub async fn local_env(url: &str) -> Option<crate::manifest::LocalEnv> {
    use anchor_lang::prelude::Pubkey;
    let v = local_env_json(url).await?;
    let key = |k: &serde_json::Value| k.as_str()?.parse::<Pubkey>().ok();
    let mut overrides = Vec::new();
    for (feed, account) in v["feeds"].as_object()? {
        overrides.push((crate::pyth::parse_feed_id(feed)?, key(account)?));
    }
    Some(crate::manifest::LocalEnv {
        usdc_mint: key(&v["usdcMint"])?,
        crt_mint: key(&v["crtMint"])?,
        btc_mint: key(&v["btcMint"]),
        feeds: crate::accounts::Feeds { overrides, signed: Vec::new() },
        lookup_table: key(&v["lookupTable"]),
    })
}

/// The price service a client uses (docs/clients.md, "Signed prices"): the one named (`"none"`
/// for none), else a `turbo localnet` node's own beside its JSON-RPC at `url`, else none.
pub async fn price_service(
    named: Option<String>,
    token: Option<String>,
    url: &str,
) -> Result<Option<crate::price_service::PriceService>, crate::price_service::PriceServiceError> {
    let base = match named {
        Some(s) if s == "none" => None,
        Some(s) => Some(s),
        None => local_env_json(url).await.filter(|v| v.get("priceService").is_some()).map(|_| url.to_string()),
    };
    base.map(|b| crate::price_service::PriceService::new(&b, token)).transpose()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keygen_makes_a_wallet_the_tools_read_and_never_overwrites_one_unasked() {
        let dir = std::env::temp_dir().join(format!("turbo-keygen-{}", std::process::id()));
        let path = dir.join("nested/id.json");
        let made = keygen(&path, false).unwrap();
        assert_eq!(solana_sdk::signature::Signer::pubkey(&wallet(Some(path.clone())).unwrap()), made);
        assert!(matches!(keygen(&path, false), Err(SetupError::KeypairExists(_))));
        assert_eq!(solana_sdk::signature::Signer::pubkey(&wallet(Some(path.clone())).unwrap()), made, "untouched");
        let again = keygen(&path, true).unwrap();
        assert_ne!(again, made);
        // A missing wallet says how to make one.
        let e = wallet(Some(dir.join("none.json"))).unwrap_err().to_string();
        assert!(e.contains("turbo keygen"), "{e}");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn feed_pairs_parse_or_say_why_not() {
        let id = "ef0d8b6fda2ceba41da15d4095d1da392a0d2f8ed0c6c7bc0f4cfac8c280b56d";
        let key = Pubkey::new_unique();
        let f = feeds(&[format!("{id}={key}")]).unwrap();
        assert_eq!(f.overrides, vec![(crate::pyth::parse_feed_id(id).unwrap(), key)]);
        assert!(matches!(feeds(&["nope"]), Err(SetupError::NotAPair(_))));
        assert!(matches!(feeds(&[format!("zz={key}")]), Err(SetupError::FeedId(_))));
        assert!(matches!(feeds(&[format!("{id}=notakey")]), Err(SetupError::Address(_))));
    }
}
