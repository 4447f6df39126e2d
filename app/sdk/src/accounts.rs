//! Decoding Turbo's accounts, Token-2022 mints and Pyth price updates, and loading a vault's
//! whole picture (state, mint, prices, NAV, leverage) through any [`Chain`].

use anchor_lang::prelude::Pubkey;
use anchor_lang::AccountDeserialize;
use anchor_spl::token_2022::spl_token_2022::extension::scaled_ui_amount::ScaledUiAmountConfig;
use anchor_spl::token_2022::spl_token_2022::extension::{BaseStateWithExtensions, StateWithExtensions};
use anchor_spl::token_2022::spl_token_2022::state::{Account as T22Account, Mint as T22Mint};
use anchor_spl::token_interface::spl_token_metadata_interface::state::TokenMetadata;
use solana_sdk::account::Account;
use turbo::state::{Config, PendingChange, Pool, SignedFeed, Vault};
use turbo_math::Prices;

use crate::chain::{Chain, ChainError};
use crate::pda::{self, VaultKeys};
use crate::preview::{self, At};
use turbo::oracle::{Caller, PriceSource};

pub fn decode<T: AccountDeserialize>(what: &str, acc: &Account) -> Result<T, ChainError> {
    T::try_deserialize(&mut acc.data.as_slice()).map_err(|e| ChainError::Decode { what: what.into(), why: e.to_string() })
}

async fn require<C: Chain>(chain: &mut C, key: &Pubkey, what: &str) -> Result<Account, ChainError> {
    chain.account(key).await?.ok_or_else(|| ChainError::Decode { what: what.into(), why: format!("no account at {key}") })
}

pub async fn config<C: Chain>(chain: &mut C) -> Result<Config, ChainError> {
    let a = require(chain, &pda::config(), "config").await?;
    decode("config", &a)
}

pub async fn pool<C: Chain>(chain: &mut C) -> Result<Pool, ChainError> {
    let a = require(chain, &pda::pool(), "pool").await?;
    decode("pool", &a)
}

pub async fn vault<C: Chain>(chain: &mut C, key: &Pubkey) -> Result<Vault, ChainError> {
    let a = require(chain, key, "vault").await?;
    decode("vault", &a)
}

/// A price account as the program reads it: Pyth's `PriceUpdateV2` or Turbo's `SignedFeed`.
pub async fn price_update<C: Chain>(chain: &mut C, key: &Pubkey) -> Result<PriceSource, ChainError> {
    let a = require(chain, key, "price update").await?;
    PriceSource::decode(&a.owner, &a.data).map_err(|e| ChainError::Decode { what: "price update".into(), why: e.to_string() })
}

/// Every feed the deployment reads: CRT's, then each asset slot's.
pub async fn deployment_feeds<C: Chain>(chain: &mut C) -> Result<Vec<[u8; 32]>, ChainError> {
    let (config, pool) = (config(chain).await?, pool(chain).await?);
    let mut feeds = vec![config.crt_feed_id];
    feeds.extend(pool.assets[..pool.asset_count as usize].iter().map(|a| a.feed_id));
    Ok(feeds)
}

/// The signed feed of `feed_id`, if the deployment opened one.
pub async fn signed_feed<C: Chain>(chain: &mut C, feed_id: &[u8; 32]) -> Result<Option<SignedFeed>, ChainError> {
    match chain.account(&crate::pda::signed_feed(feed_id)).await? {
        Some(a) => decode("signed feed", &a).map(Some),
        None => Ok(None),
    }
}

/// Every change waiting in the timelock, oldest first (queue entries are closed when executed or
/// cancelled, so the ones that exist are the queue).
pub async fn pending_changes<C: Chain>(chain: &mut C, config: &Config) -> Result<Vec<PendingChange>, ChainError> {
    let mut out = Vec::new();
    for id in 0..config.next_change_id {
        if let Some(acc) = chain.account(&crate::pda::pending_change(id)).await? {
            out.push(decode("pending change", &acc)?);
        }
    }
    Ok(out)
}

/// An SPL Token or Token-2022 token account, decoded by the token program's own unpacker (the
/// base layout both programs share, plus any Token-2022 extensions).
pub fn token_account(acc: &Account) -> Result<T22Account, ChainError> {
    let state = StateWithExtensions::<T22Account>::unpack(&acc.data)
        .map_err(|e| ChainError::Decode { what: "token account".into(), why: e.to_string() })?;
    Ok(state.base)
}

/// An SPL Token or Token-2022 mint's base state, decoded the same way.
pub fn mint_state(acc: &Account) -> Result<T22Mint, ChainError> {
    let state =
        StateWithExtensions::<T22Mint>::unpack(&acc.data).map_err(|e| ChainError::Decode { what: "mint".into(), why: e.to_string() })?;
    Ok(state.base)
}

/// The raw amount of an SPL Token or Token-2022 account; zero when it does not exist.
pub async fn token_balance<C: Chain>(chain: &mut C, key: &Pubkey) -> Result<u64, ChainError> {
    match chain.account(key).await? {
        Some(a) => Ok(token_account(&a)?.amount),
        None => Ok(0),
    }
}

/// The supply of an SPL Token or Token-2022 mint; `None` when it does not exist.
pub async fn mint_supply<C: Chain>(chain: &mut C, key: &Pubkey) -> Result<Option<u64>, ChainError> {
    match chain.account(key).await? {
        Some(a) => Ok(Some(mint_state(&a)?.supply)),
        None => Ok(None),
    }
}

/// What a wallet needs to know about a Turbo mint.
#[derive(Clone, Debug, PartialEq)]
pub struct MintInfo {
    pub supply: u64,
    pub decimals: u8,
    /// The ScaledUiAmount multiplier in effect (`2^-splits`).
    pub multiplier: f64,
    pub name: String,
    pub symbol: String,
    pub uri: String,
}

impl MintInfo {
    /// The UI amount a wallet shows for `raw` units.
    pub fn ui_amount(&self, raw: u64) -> f64 {
        raw as f64 * self.multiplier / 10f64.powi(self.decimals as i32)
    }

    /// Reverse splits applied: the multiplier is `2^-splits`.
    pub fn splits(&self) -> u32 {
        if self.multiplier > 0.0 && self.multiplier <= 1.0 {
            (-self.multiplier.log2()).round() as u32
        } else {
            0
        }
    }

    /// The UI amount in raw decimal units (exact: the multiplier is a power of two).
    pub fn ui_amount_raw(&self, raw: u64) -> u64 {
        raw >> self.splits().min(63)
    }

    /// Raw units for a UI amount given in raw decimal units.
    pub fn raw_from_ui_raw(&self, ui_raw: u64) -> u64 {
        ui_raw.checked_shl(self.splits()).unwrap_or(u64::MAX)
    }
}

pub fn mint_info(acc: &Account) -> Result<MintInfo, ChainError> {
    let bad = |why: String| ChainError::Decode { what: "Token-2022 mint".into(), why };
    let state = StateWithExtensions::<T22Mint>::unpack(&acc.data).map_err(|e| bad(e.to_string()))?;
    let multiplier = state
        .get_extension::<ScaledUiAmountConfig>()
        .map(|c| {
            let new = f64::from(c.new_multiplier);
            if new != 0.0 {
                new
            } else {
                f64::from(c.multiplier)
            }
        })
        .unwrap_or(1.0);
    let meta = state.get_variable_len_extension::<TokenMetadata>().ok();
    Ok(MintInfo {
        supply: state.base.supply,
        decimals: state.base.decimals,
        multiplier,
        name: meta.as_ref().map(|m| m.name.clone()).unwrap_or_default(),
        symbol: meta.as_ref().map(|m| m.symbol.clone()).unwrap_or_default(),
        uri: meta.map(|m| m.uri).unwrap_or_default(),
    })
}

/// Where to find each asset's price account. Defaults to Pyth's sponsored feeds; a local bank
/// or a manifest overrides them; a signed price about to be posted (`crate::price_service`)
/// overrides both with its signed feed, priced as it will be after the post.
#[derive(Clone, Debug, Default)]
pub struct Feeds {
    pub overrides: Vec<([u8; 32], Pubkey)>,
    pub signed: Vec<([u8; 32], PriceSource)>,
}

impl Feeds {
    pub fn account(&self, feed_id: &[u8; 32]) -> Pubkey {
        if self.signed.iter().any(|(f, _)| f == feed_id) {
            return crate::pda::signed_feed(feed_id);
        }
        self.overrides
            .iter()
            .find(|(f, _)| f == feed_id)
            .map(|(_, k)| *k)
            .unwrap_or_else(|| crate::pyth::sponsored_feed_address(0, feed_id))
    }

    /// The price a signed feed of `feed_id` will hold once the attached message is posted.
    pub fn signed_source(&self, feed_id: &[u8; 32]) -> Option<&PriceSource> {
        self.signed.iter().find(|(f, _)| f == feed_id).map(|(_, s)| s)
    }

    /// The price source of `feed_id`: the signed one about to be posted, or the account's.
    pub async fn source<C: Chain>(&self, chain: &mut C, feed_id: &[u8; 32]) -> Option<PriceSource> {
        match self.signed_source(feed_id) {
            Some(s) => Some(s.clone()),
            None => price_update(chain, &self.account(feed_id)).await.ok(),
        }
    }
}

/// A vault with everything needed to show it, preview a trade or decide a rebalance.
#[derive(Clone, Debug)]
pub struct VaultView {
    pub keys: VaultKeys,
    pub vault: Vault,
    pub mint: MintInfo,
    pub price_account: Pubkey,
    /// The price update in `price_account`, if it exists.
    pub price_update: Option<PriceSource>,
    /// The prices as the program would read them now for a keeper (within the maximum age);
    /// `Err` says why the gate would refuse.
    pub prices: Result<Prices, String>,
    /// The prices as a user instruction would read them now (fresh, widened to the window).
    pub user_prices: Result<Prices, String>,
    /// The prices a redeem would read now (the hard confidence bound; CRT only if held).
    pub redeem_prices: Result<Prices, String>,
}

/// Everything about a deployment at one moment.
#[derive(Clone, Debug)]
pub struct Snapshot {
    pub config: Config,
    pub pool: Pool,
    pub vaults: Vec<VaultView>,
    /// The CRT price update, if its account exists.
    pub crt_update: Option<PriceSource>,
    pub at: At,
    /// Where it read each price: the instructions built from it name the same accounts.
    pub feeds: Feeds,
}

impl Snapshot {
    /// The program's own `quote` of `v` at this snapshot's keeper prices and clock
    /// (docs/design.md §5.7), run on the decoded copies: what `turbo vaults`, `show`, `positions`
    /// and the demo print, as the web app reads it by simulating the instruction. `Err` is the
    /// price gate's reason, or the program's refusal.
    pub fn quote(&self, v: &VaultView) -> Result<turbo::events::VaultQuotedEvent, String> {
        let px = v.prices.as_ref().map_err(|e| e.clone())?;
        preview::quote(&self.config, &self.pool, &v.vault, v.keys.vault, v.mint.supply, px, self.at.unix_timestamp)
            .map_err(|e| e.to_string())
    }

    /// Load the config, the pool and every registered vault with its mint and prices.
    pub async fn load<C: Chain>(chain: &mut C, feeds: &Feeds) -> Result<Snapshot, ChainError> {
        let config = config(chain).await?;
        let pool = pool(chain).await?;
        let clock = chain.clock().await?;
        let at = At { unix_timestamp: clock.unix_timestamp, slot: clock.slot };
        let crt = feeds.source(chain, &config.crt_feed_id).await;
        let mut vaults = Vec::new();
        for key in config.registered_vaults().to_vec() {
            let vault = vault(chain, &key).await?;
            let keys = VaultKeys::new(vault.vault_id);
            let mint_acc = require(chain, &keys.mint, "mint").await?;
            let price_account = feeds.account(&vault.feed_id);
            let asset = feeds.source(chain, &vault.feed_id).await;
            let read = |caller| match (&asset, &crt) {
                (Some(a), Some(c)) => preview::prices(&config, &mut pool.clone(), &vault, a, c, at, caller).map_err(|e| e.to_string()),
                _ => Err("price account missing".to_string()),
            };
            let (prices, user_prices) = (read(Caller::Keeper), read(Caller::User));
            let redeem_prices = match (&asset, &crt) {
                (Some(a), Some(c)) => preview::redeem_prices(&config, &mut pool.clone(), &vault, a, c, at).map_err(|e| e.to_string()),
                _ if vault.is_retired() => Ok(turbo::engine::settle::retired_prices(&vault)),
                _ => Err("price account missing".to_string()),
            };
            vaults.push(VaultView {
                keys,
                vault,
                mint: mint_info(&mint_acc)?,
                price_account,
                price_update: asset,
                prices,
                user_prices,
                redeem_prices,
            });
        }
        Ok(Snapshot { config, pool, vaults, crt_update: crt, at, feeds: feeds.clone() })
    }

    /// The price accounts an instruction on `v` is given, as they are now.
    pub fn price_accounts<'a>(&'a self, v: &'a VaultView) -> preview::PriceAccounts<'a> {
        preview::PriceAccounts { asset: v.price_update.as_ref(), crt: self.crt_update.as_ref() }
    }

    /// The accounts an instruction on `v` reads, as they are now.
    pub fn state<'a>(&'a self, v: &'a VaultView) -> preview::VaultState<'a> {
        preview::VaultState { config: &self.config, pool: &self.pool, vault: &v.vault, key: v.keys.vault, supply: v.mint.supply }
    }

    /// The clock of the next transaction: the snapshot's time, one slot on.
    /// The deployment's mints and price accounts, as this snapshot read them.
    pub fn deployment(&self) -> crate::ix::Deployment {
        let pool = &self.pool;
        let custodies: Vec<_> = (0..pool.asset_count as usize)
            .filter(|&i| pool.hedges[i].is_enabled())
            .map(|i| self.feeds.account(&pool.assets[i].feed_id))
            .collect();
        crate::ix::Deployment {
            usdc_mint: self.config.usdc_mint,
            crt_mint: self.config.crt_mint,
            crt_price: self.feeds.account(&self.config.crt_feed_id),
            custody_prices: crate::ix::CustodyPrices::new(&custodies),
        }
    }

    /// Every registered vault with the price account this snapshot read it at.
    pub fn priced(&self) -> Vec<crate::ix::PricedVault> {
        self.vaults.iter().map(|v| crate::ix::PricedVault { keys: v.keys, price: v.price_account }).collect()
    }

    pub fn next(&self) -> At {
        At { unix_timestamp: self.at.unix_timestamp, slot: self.at.slot + 1 }
    }

    /// The vault with this id or token symbol (case-insensitive).
    pub fn find(&self, name: &str) -> Option<&VaultView> {
        self.vaults.iter().find(|v| v.mint.symbol.eq_ignore_ascii_case(name) || v.keys.id.to_string() == name)
    }
}
