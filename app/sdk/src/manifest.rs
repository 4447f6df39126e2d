//! Deployment manifests (`migrations/*.toml`): the config, the pool and the vaults of one
//! network. `deploy` makes the chain match a manifest and changes nothing when it already does.

use std::path::Path;

use crate::defaults;
use anchor_lang::prelude::Pubkey;
use serde::Deserialize;
use turbo::state::{ConfigParams, CustodyParams, PoolCaps, VaultParams};

#[derive(Debug, Deserialize, Clone)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    pub network: String,
    pub config: ConfigSpec,
    pub pool: PoolSpec,
    #[serde(rename = "vault", default)]
    pub vaults: Vec<VaultSpec>,
    /// The hedged pool's custodies (docs/design.md §5.6), each opened once a vault of its asset
    /// exists.
    #[serde(rename = "custody", default)]
    pub custodies: Vec<CustodySpec>,
    /// Signed feeds (docs/decisions.md, "The mainnet price path"): which Pyth Pro feed each of
    /// the deployment's feeds reads, opened once the feed is the CRT's or a vault's.
    #[serde(rename = "signed_feed", default)]
    pub signed_feeds: Vec<SignedFeedSpec>,
    /// The deployment's address lookup table (docs/decisions.md, "One lookup table per
    /// deployment"): an address, or `"local"` for a `turbo localnet` node's. Absent, `turbo
    /// deploy` creates one and says to record it here.
    #[serde(default)]
    pub lookup_table: Option<String>,
}

/// A signed feed: the deployment's Pyth feed and Pyth Pro's id of the same price. The link never
/// changes once it is open.
#[derive(Debug, Deserialize, Clone)]
#[serde(deny_unknown_fields)]
pub struct SignedFeedSpec {
    /// What reports call it ("BTC").
    pub asset: String,
    pub feed_id: String,
    pub lazer_feed_id: u32,
}

/// Addresses are base58 keys, `"deployer"` (the deploying wallet), or `"local"` (the embedded
/// bank's own mint or price account).
#[derive(Debug, Deserialize, Clone)]
#[serde(deny_unknown_fields)]
pub struct ConfigSpec {
    pub usdc_mint: String,
    pub crt_mint: String,
    pub crt_feed_id: String,
    /// CRT's price account; default Pyth's sponsored feed.
    pub crt_price_account: Option<String>,
    pub guardian: String,
    pub treasury: String,
    /// The bounded parameters, as fields of the same table.
    #[serde(flatten)]
    pub params: ConfigParams,
}

#[derive(Debug, Deserialize, Clone)]
#[serde(deny_unknown_fields)]
pub struct PoolSpec {
    #[serde(flatten)]
    pub caps: PoolCaps,
    /// USDC (raw) the deployer deposits when the pool has no LP yet.
    #[serde(default)]
    pub initial_liquidity: u64,
}

/// A custody of an asset's SPL token: the asset by its feed (a vault of it must exist), the token,
/// and its parameters, all of them, as fields of the same table. A custody's token and
/// parameters never change once it is open.
#[derive(Debug, Deserialize, Clone)]
#[serde(deny_unknown_fields)]
pub struct CustodySpec {
    /// What reports call it ("SOL").
    pub asset: String,
    pub feed_id: String,
    /// The token's mint: an address, or `"local"` for the embedded bank's BTC token.
    pub mint: String,
    #[serde(flatten)]
    pub params: CustodyParams,
}

#[derive(Debug, Deserialize, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Preset {
    Turbo,
    Bear,
}

#[derive(Debug, Deserialize, Clone)]
#[serde(deny_unknown_fields)]
pub struct VaultSpec {
    pub id: u16,
    pub name: String,
    pub symbol: String,
    pub uri: String,
    pub feed_id: String,
    pub price_account: Option<String>,
    pub preset: Preset,
    /// USDC (raw) seed deposit, locked forever.
    pub seed_usdc: u64,
    #[serde(flatten)]
    pub overrides: ParamOverrides,
}

/// Any `VaultParams` field, to override the preset (in a manifest) or the current value
/// (`turbo vault update`).
#[derive(Debug, Deserialize, Clone, Default, clap::Args)]
#[serde(deny_unknown_fields)]
pub struct ParamOverrides {
    #[arg(long)]
    pub target_leverage: Option<i64>,
    #[arg(long)]
    pub band_lo: Option<u64>,
    #[arg(long)]
    pub band_hi: Option<u64>,
    #[arg(long)]
    pub emergency_leverage: Option<u64>,
    #[arg(long)]
    pub step_bps: Option<u16>,
    #[arg(long)]
    pub min_interval_secs: Option<u32>,
    #[arg(long)]
    pub jitter_secs: Option<u32>,
    #[arg(long)]
    pub max_price_age_secs: Option<u32>,
    #[arg(long)]
    pub max_conf_bps: Option<u16>,
    #[arg(long)]
    pub mint_fee_bps: Option<u16>,
    #[arg(long)]
    pub redeem_fee_bps: Option<u16>,
    #[arg(long)]
    pub supply_cap: Option<u64>,
    #[arg(long)]
    pub vol_budget_bps: Option<u32>,
    #[arg(long)]
    pub split_threshold: Option<u64>,
}

impl ParamOverrides {
    pub fn apply(&self, mut p: VaultParams) -> VaultParams {
        macro_rules! set {
            ($($f:ident),*) => {$( if let Some(v) = self.$f { p.$f = v; } )*};
        }
        set!(
            target_leverage,
            band_lo,
            band_hi,
            emergency_leverage,
            step_bps,
            min_interval_secs,
            jitter_secs,
            max_price_age_secs,
            max_conf_bps,
            mint_fee_bps,
            redeem_fee_bps,
            supply_cap,
            vol_budget_bps,
            split_threshold
        );
        p
    }
}

impl VaultSpec {
    pub fn params(&self) -> VaultParams {
        let base = match self.preset {
            Preset::Turbo => defaults::turbo_params(),
            Preset::Bear => defaults::bear_params(),
        };
        self.overrides.apply(base)
    }
}

impl Manifest {
    pub fn load(path: &Path) -> Result<Manifest, String> {
        let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
        Manifest::parse(&text).map_err(|e| format!("{}: {e}", path.display()))
    }

    pub fn parse(text: &str) -> Result<Manifest, String> {
        toml::from_str(text).map_err(|e| e.to_string())
    }
}

/// What the environment supplies to resolve `"deployer"` and `"local"`.
#[derive(Clone, Debug)]
pub struct Env {
    pub deployer: Pubkey,
    /// The embedded bank's mints and price accounts; `None` on a real cluster.
    pub local: Option<LocalEnv>,
}

#[derive(Clone, Debug)]
pub struct LocalEnv {
    pub usdc_mint: Pubkey,
    pub crt_mint: Pubkey,
    /// The bank's BTC token (standing for cbBTC or wBTC), when it has one.
    pub btc_mint: Option<Pubkey>,
    pub feeds: crate::accounts::Feeds,
    /// The node's lookup table, once its deployment made one.
    pub lookup_table: Option<Pubkey>,
}

impl Env {
    /// Resolve an address field.
    pub fn key(&self, field: &str, value: &str, local: impl Fn(&LocalEnv) -> Option<Pubkey>) -> Result<Pubkey, String> {
        match value {
            "deployer" => Ok(self.deployer),
            "local" => {
                self.local.as_ref().and_then(local).ok_or_else(|| {
                    format!("{field} = \"local\" needs the embedded bank (`turbo demo`); give an address for a real cluster")
                })
            }
            s => s.parse().map_err(|_| format!("{field}: {s:?} is not an address, \"deployer\" or \"local\"")),
        }
    }

    /// The price account for a feed: the manifest's, the bank's, or Pyth's sponsored feed.
    pub fn price_account(&self, field: &str, explicit: Option<&str>, feed: &[u8; 32]) -> Result<Pubkey, String> {
        match explicit {
            Some(v) => self.key(field, v, |l| Some(l.feeds.account(feed))),
            None => Ok(match &self.local {
                Some(l) => l.feeds.account(feed),
                None => crate::pyth::sponsored_feed_address(0, feed),
            }),
        }
    }
}

pub fn feed(field: &str, hex: &str) -> Result<[u8; 32], String> {
    crate::pyth::parse_feed_id(hex).ok_or_else(|| format!("{field}: {hex:?} is not a 32-byte hex feed id"))
}

#[cfg(test)]
mod tests {
    use super::*;

    const LOCALNET: &str = include_str!("../../../migrations/localnet.toml");
    const DEVNET: &str = include_str!("../../../migrations/devnet.toml");
    const MAINNET: &str = include_str!("../../../migrations/mainnet.toml");

    /// Every shipped manifest parses and opens the hedged pool's custodies (SOL everywhere, BTC on
    /// the localnet's bank token and on mainnet's cbBTC) at the defaults the study chose, each for
    /// an asset with a vault.
    #[test]
    fn the_shipped_manifests_parse_with_their_custodies() {
        for (text, assets) in [(LOCALNET, vec!["SOL", "BTC"]), (DEVNET, vec!["SOL"]), (MAINNET, vec!["SOL", "BTC"])] {
            let m = Manifest::parse(text).unwrap();
            assert_eq!(m.custodies.iter().map(|c| c.asset.as_str()).collect::<Vec<_>>(), assets, "{}", m.network);
            for c in &m.custodies {
                assert_eq!(c.params, defaults::custody_params(), "{} {}", m.network, c.asset);
                assert!(m.vaults.iter().any(|v| v.feed_id == c.feed_id), "{} {}: a vault of its asset", m.network, c.asset);
            }
        }
    }

    #[test]
    fn a_misspelt_or_extra_field_is_refused_not_ignored() {
        assert!(Manifest::parse(LOCALNET).is_ok());
        // A misspelt required parameter: the error names the field the table lacks.
        for (good, typo, named) in [
            ("crt_weight_bps = 8000", "crt_weight_bp = 8000", "crt_weight_bps"),
            ("net_cap_bps = 30000", "net_cap_bp = 30000", "net_cap_bps"),
        ] {
            let err = Manifest::parse(&LOCALNET.replacen(good, typo, 1)).unwrap_err();
            assert!(err.contains(&format!("missing field `{named}`")), "{err}");
        }
        // An extra field, in the config, the pool, or a vault (whose parameter overrides are
        // flattened into its table), is named as unknown.
        for (table, extra) in [("[config]\n", "crt_weight = 1"), ("[pool]\n", "gross_cap = 1"), ("[[vault]]\n", "step_bp = 10")] {
            let err = Manifest::parse(&LOCALNET.replacen(table, &format!("{table}{extra}\n"), 1)).unwrap_err();
            let name = extra.split(' ').next().unwrap();
            assert!(err.contains(&format!("unknown field `{name}`")), "{err}");
        }
    }
}
