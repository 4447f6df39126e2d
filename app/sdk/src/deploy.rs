//! Make a chain match a deployment manifest (`migrations/*.toml`), idempotently: missing
//! accounts are created, differing parameters are updated, and a second run changes nothing and
//! says so. Fields fixed at creation (mints, feeds) are never silently changed: a mismatch is an
//! error. `turbo deploy` and the in-process localnet (`turbo_testkit::localnet`, the demo's world)
//! both run this.
//!
//! Once anyone but the admin has money in the protocol, a change that adds risk (and a new
//! vault) goes through the timelock: the first run queues it, a run after its delay executes
//! it, and a run in between says how long it still waits. Changes that lower risk apply at once.

use std::fmt::Write;

use anchor_lang::prelude::Pubkey;
use anchor_lang::solana_program::instruction::Instruction;
use anchor_lang::AccountDeserialize;
use solana_sdk::signature::{Keypair, Signer};
use turbo::args::*;
use turbo::state::{Change, Custody, PendingChange, Pool, Vault};

use crate::accounts::{self, Feeds};
use crate::chain::{Chain, ChainError};
use crate::errors::{failure, Failure};
use crate::ix::{self, Deployment, PricedVault};
use crate::lookup;
use crate::manifest::{feed, Env, Manifest};
use crate::pda::{self, VaultKeys};
use crate::text::usd;

/// Why a deployment stopped.
#[derive(Debug, thiserror::Error)]
pub enum DeployError {
    /// The program refused a transaction.
    #[error("{0}")]
    Program(Failure),
    #[error(transparent)]
    Chain(#[from] ChainError),
    /// The manifest does not fit this chain (a fixed field differs, an address is missing).
    #[error("{0}")]
    Manifest(String),
}

fn input(s: impl Into<String>) -> DeployError {
    DeployError::Manifest(s.into())
}

/// A deployment run: the chain, where its price accounts are (the manifest's are added), and
/// whether to only simulate.
pub struct Deployer<'a, C: Chain> {
    pub chain: &'a mut C,
    pub feeds: &'a mut Feeds,
    pub dry_run: bool,
    /// Set by [`Deployer::deploy`]: the deployment's lookup table, once it exists.
    pub table: Option<Pubkey>,
}

impl<C: Chain> Deployer<'_, C> {
    async fn execute(&mut self, ixs: &[Instruction], signers: &[&Keypair]) -> Result<(), DeployError> {
        let o = if self.dry_run { self.chain.simulate(ixs, signers).await? } else { self.chain.send(ixs, signers).await? };
        match failure(&o) {
            Some(f) => Err(DeployError::Program(f)),
            None => Ok(()),
        }
    }

    /// Whether anyone but the admin has money in the protocol (the timelock binds).
    async fn launched(&mut self) -> Result<bool, DeployError> {
        Ok(match self.chain.account(&pda::pool()).await? {
            Some(acc) => Pool::try_deserialize(&mut acc.data.as_slice()).map_err(|e| input(e.to_string()))?.is_launched(),
            None => false,
        })
    }
}

impl<C: Chain> Deployer<'_, C> {
    /// Make the deployment's lookup table hold every address its instructions name that is not a
    /// user's (docs/decisions.md, "One lookup table per deployment"): create it when the manifest
    /// names none, extend it with what it lacks. Returns the number of changes (0 or 1).
    async fn lookup_table(&mut self, admin: &Keypair, m: &Manifest, env: &Env, out: &mut String) -> Result<u32, DeployError> {
        if self.chain.account(&pda::config()).await?.is_none() {
            let _ = writeln!(out, "  lookup table: waits for the config");
            return Ok(0);
        }
        let named = match (m.lookup_table.as_deref(), &env.local) {
            (None, _) => None,
            (Some("local"), Some(l)) => l.lookup_table,
            (Some(v), _) => Some(env.key("lookup_table", v, |_| None).map_err(input)?),
        };
        let (config, pool) = (accounts::config(self.chain).await?, accounts::pool(self.chain).await?);
        let want = lookup::deployment_addresses(self.chain, &config, &pool, self.feeds).await?;
        let me = admin.pubkey();
        let Some(table) = named else {
            if self.dry_run {
                let _ = writeln!(out, "  lookup table: would be created with {} addresses", want.len());
                return Ok(1);
            }
            let (create, table) = lookup::create(me, lookup::recent_slot(self.chain).await?);
            self.execute(&[create], &[admin]).await?;
            for ix in lookup::extend(table, me, &want) {
                self.execute(&[ix], &[admin]).await?;
            }
            self.table = Some(table);
            let record =
                if m.lookup_table.is_some() { String::new() } else { format!("; record lookup_table = \"{table}\" in the manifest") };
            let _ = writeln!(out, "  lookup table: created {table} with {} addresses{record}", want.len());
            return Ok(1);
        };
        let (authority, have) =
            lookup::read(self.chain, &table).await?.ok_or_else(|| input(format!("lookup_table: there is no lookup table at {table}")))?;
        self.table = Some(table);
        let missing: Vec<Pubkey> = want.into_iter().filter(|k| !have.contains(k)).collect();
        if missing.is_empty() {
            let _ = writeln!(out, "  lookup table: unchanged");
            return Ok(0);
        }
        if authority != Some(me) {
            return Err(input(format!(
                "lookup_table: {table} lacks {} of the deployment's addresses, and only its authority ({}) may add them",
                missing.len(),
                authority.map_or("none: it is frozen".into(), |a| a.to_string())
            )));
        }
        for ix in lookup::extend(table, me, &missing) {
            self.execute(&[ix], &[admin]).await?;
        }
        let _ = writeln!(out, "  lookup table: extended with {} addresses", missing.len());
        Ok(1)
    }
}

/// How a change the manifest asks for reaches the chain.
enum Route {
    /// Apply it at once: it lowers risk, or nobody else's money is in yet.
    Now,
    /// Queue it: it adds risk and is not queued yet.
    Queue,
    /// Its queued entry is due: carry it out.
    Execute(u32),
    /// Its queued entry is not due yet.
    Wait(u32, i64),
}

fn route(launched: bool, adds_risk: bool, change: &Change, queue: &[PendingChange], now: i64) -> Route {
    if !launched || !adds_risk {
        return Route::Now;
    }
    match queue.iter().find(|p| p.change == *change) {
        Some(p) if p.is_due(now) => Route::Execute(p.id),
        Some(p) => Route::Wait(p.id, p.eta),
        None => Route::Queue,
    }
}

fn wait_line(id: u32, eta: i64, now: i64) -> String {
    let left = (eta - now).max(0);
    format!("waiting for change #{id} in the timelock ({}h{:02}m left)", left / 3_600, left % 3_600 / 60)
}

impl<C: Chain> Deployer<'_, C> {
    /// Queue `change` as the next id; returns the line to print.
    async fn queue(&mut self, admin: &Keypair, change: Change, vault: Option<Pubkey>) -> Result<String, DeployError> {
        let cfg = accounts::config(self.chain).await?;
        let id = cfg.next_change_id;
        self.execute(&[ix::queue_change(admin.pubkey(), id, change, vault)], &[admin]).await?;
        let hours = cfg.params.timelock_secs as f64 / 3_600.0;
        Ok(format!("queued as change #{id}, due in {hours:.0}h (run deploy again then)"))
    }

    /// Apply `m` as `admin`; returns the report of what changed.
    pub async fn deploy(&mut self, admin: &Keypair, m: &Manifest, env: &Env) -> Result<String, DeployError> {
        let c = &m.config;
        let usdc_mint = env.key("config.usdc_mint", &c.usdc_mint, |l| Some(l.usdc_mint)).map_err(input)?;
        let crt_mint = env.key("config.crt_mint", &c.crt_mint, |l| Some(l.crt_mint)).map_err(input)?;
        let crt_feed = feed("config.crt_feed_id", &c.crt_feed_id).map_err(input)?;
        let crt_price = env.price_account("config.crt_price_account", c.crt_price_account.as_deref(), &crt_feed).map_err(input)?;
        let guardian = env.key("config.guardian", &c.guardian, |_| None).map_err(input)?;
        let treasury = env.key("config.treasury", &c.treasury, |_| None).map_err(input)?;
        let d = Deployment { usdc_mint, crt_mint, crt_price, custody_prices: Default::default() };
        let mut priced = Vec::new();
        for v in &m.vaults {
            let f = feed(&format!("vault {}.feed_id", v.id), &v.feed_id).map_err(input)?;
            let price = env.price_account(&format!("vault {}.price_account", v.id), v.price_account.as_deref(), &f).map_err(input)?;
            priced.push((v, f, PricedVault { keys: VaultKeys::new(v.id), price }));
            self.feeds.overrides.retain(|(id, _)| id != &f);
            self.feeds.overrides.push((f, price));
        }
        self.feeds.overrides.retain(|(id, _)| id != &crt_feed);
        self.feeds.overrides.push((crt_feed, crt_price));

        let me = admin.pubkey();
        let mut out = format!("Deploying {} as {me}\n", m.network);
        let mut changes = 0;
        let now = self.chain.clock().await?.unix_timestamp;
        let queue = match self.chain.account(&pda::config()).await? {
            Some(_) => {
                let cfg = accounts::config(self.chain).await?;
                accounts::pending_changes(self.chain, &cfg).await?
            }
            None => Vec::new(),
        };

        // Config.
        match self.chain.account(&pda::config()).await? {
            None => {
                let args = InitializeConfigArgs { guardian, treasury, crt_feed_id: crt_feed, params: c.params };
                self.execute(&[ix::initialize_config(&d, me, args)], &[admin]).await?;
                let _ = writeln!(out, "  config: created");
                changes += 1;
            }
            Some(_) => {
                let cur = accounts::config(self.chain).await?;
                if cur.usdc_mint != usdc_mint || cur.crt_mint != crt_mint || cur.crt_feed_id != crt_feed {
                    return Err(input("config: this deployment was initialized with other mints or another CRT feed; those never change (deploy a new program instead)"));
                }
                if cur.admin != me {
                    return Err(input(format!("config: the admin is {}, not the deploying wallet {me}", cur.admin)));
                }
                let mut args = UpdateConfigArgs::default();
                let mut what = Vec::new();
                if cur.guardian != guardian {
                    args.guardian = Some(guardian);
                    what.push("guardian");
                }
                if cur.treasury != treasury {
                    args.treasury = Some(treasury);
                    what.push("treasury");
                }
                let mut note = None;
                if cur.params != c.params {
                    let launched = self.launched().await?;
                    let change = Change::Config(c.params);
                    match route(launched, c.params.adds_risk_over(&cur.params), &change, &queue, now) {
                        Route::Now => {
                            args.params = Some(c.params);
                            what.push("parameters");
                        }
                        Route::Queue => {
                            note = Some(format!("  config: parameters {}", self.queue(admin, change, None).await?));
                            changes += 1;
                        }
                        Route::Execute(id) => {
                            self.execute(&[ix::execute_change(me, me, id, &change)], &[admin]).await?;
                            what.push("parameters (after the timelock)");
                        }
                        Route::Wait(id, eta) => note = Some(format!("  config: parameters {}", wait_line(id, eta, now))),
                    }
                }
                if what.is_empty() && note.is_none() {
                    let _ = writeln!(out, "  config: unchanged");
                }
                if !what.is_empty() {
                    if args.guardian.is_some() || args.treasury.is_some() || args.params.is_some() {
                        self.execute(&[ix::update_config(me, args)], &[admin]).await?;
                    }
                    let _ = writeln!(out, "  config: updated {}", what.join(", "));
                    changes += 1;
                }
                if let Some(n) = note {
                    let _ = writeln!(out, "{n}");
                }
            }
        }

        // Pool.
        let caps = m.pool.caps;
        match self.chain.account(&pda::pool()).await? {
            None => {
                self.execute(&[ix::initialize_pool(&d, me, caps)], &[admin]).await?;
                let _ = writeln!(out, "  pool: created (gross cap {} bps, net cap {} bps)", { caps.gross_cap_bps }, { caps.net_cap_bps });
                changes += 1;
            }
            Some(acc) => {
                let cur = Pool::try_deserialize(&mut acc.data.as_slice()).map_err(|e| input(e.to_string()))?;
                if cur.caps != caps {
                    let change = Change::Pool(caps);
                    match route(cur.is_launched(), caps.adds_risk_over(&cur.caps), &change, &queue, now) {
                        Route::Now => {
                            self.execute(&[ix::update_pool(me, caps)], &[admin]).await?;
                            let _ = writeln!(out, "  pool: caps updated");
                            changes += 1;
                        }
                        Route::Queue => {
                            let _ = writeln!(out, "  pool: caps {}", self.queue(admin, change, None).await?);
                            changes += 1;
                        }
                        Route::Execute(id) => {
                            self.execute(&[ix::execute_change(me, me, id, &change)], &[admin]).await?;
                            let _ = writeln!(out, "  pool: caps updated (after the timelock)");
                            changes += 1;
                        }
                        Route::Wait(id, eta) => {
                            let _ = writeln!(out, "  pool: caps {}", wait_line(id, eta, now));
                        }
                    }
                } else {
                    let _ = writeln!(out, "  pool: unchanged");
                }
            }
        }

        // The first LP deposit, so the pool can back the vaults' seed exposure.
        let lp_mint = accounts::mint_supply(self.chain, &pda::lp_mint()).await?;
        if m.pool.initial_liquidity > 0 && lp_mint == Some(0) {
            let cfg = accounts::config(self.chain).await?;
            let registered: Vec<PricedVault> = cfg
                .registered_vaults()
                .iter()
                .map(|k| {
                    let found = priced.iter().find(|(_, _, p)| &p.keys.vault == k).map(|(_, _, p)| *p);
                    found.ok_or_else(|| input(format!("vault {k} is registered but not in the manifest")))
                })
                .collect::<Result<_, _>>()?;
            let payer = self.chain.payer();
            let ixs = [
                anchor_spl::associated_token::spl_associated_token_account::instruction::create_associated_token_account_idempotent(
                    &payer,
                    &me,
                    &pda::lp_mint(),
                    &anchor_spl::token::ID,
                ),
                ix::deposit_liquidity(
                    &d,
                    me,
                    pda::ata(&me, &usdc_mint),
                    pda::ata(&me, &pda::lp_mint()),
                    &registered,
                    DepositLiquidityArgs { usdc_amount: m.pool.initial_liquidity, min_shares_out: 0 },
                ),
            ];
            self.execute(&ixs, &[admin]).await?;
            let _ = writeln!(out, "  pool: initial liquidity {} deposited", usd(m.pool.initial_liquidity));
            changes += 1;
        }

        // Vaults.
        for (spec, f, pv) in &priced {
            let params = spec.params();
            match self.chain.account(&pv.keys.vault).await? {
                None => {
                    let args = CreateVaultArgs {
                        vault_id: spec.id,
                        name: spec.name.clone(),
                        symbol: spec.symbol.clone(),
                        uri: spec.uri.clone(),
                        feed_id: *f,
                        params,
                        seed_usdc: spec.seed_usdc,
                    };
                    let change = Change::CreateVault { vault_id: spec.id, args_hash: args.hash().map_err(|e| input(e.to_string()))? };
                    let launched = self.launched().await?;
                    let create = |pending| ix::create_vault(&d, me, pda::ata(&me, &usdc_mint), pv.price, pending, args.clone());
                    match route(launched, true, &change, &queue, now) {
                        Route::Now | Route::Execute(_) => {
                            let pending = match route(launched, true, &change, &queue, now) {
                                Route::Execute(id) => Some(id),
                                _ => None,
                            };
                            self.execute(&[create(pending)], &[admin]).await?;
                            let _ = writeln!(out, "  vault {} {}: created with a {} seed", spec.id, spec.symbol, usd(spec.seed_usdc));
                            changes += 1;
                        }
                        Route::Queue => {
                            let _ =
                                writeln!(out, "  vault {} {}: creation {}", spec.id, spec.symbol, self.queue(admin, change, None).await?);
                            changes += 1;
                        }
                        Route::Wait(id, eta) => {
                            let _ = writeln!(out, "  vault {} {}: creation {}", spec.id, spec.symbol, wait_line(id, eta, now));
                        }
                    }
                }
                Some(acc) => {
                    let cur = Vault::try_deserialize(&mut acc.data.as_slice()).map_err(|e| input(e.to_string()))?;
                    if cur.feed_id != *f {
                        return Err(input(format!("vault {}: it exists with another feed; a vault's feed never changes", spec.id)));
                    }
                    if cur.params != params {
                        let change = Change::Vault { vault: pv.keys.vault, params };
                        let launched = self.launched().await?;
                        match route(launched, params.adds_risk_over(&cur.params), &change, &queue, now) {
                            Route::Now => {
                                self.execute(&[ix::update_vault(me, pv.keys.vault, params)], &[admin]).await?;
                                let _ = writeln!(out, "  vault {} {}: parameters updated", spec.id, spec.symbol);
                                changes += 1;
                            }
                            Route::Queue => {
                                let line = self.queue(admin, change, Some(pv.keys.vault)).await?;
                                let _ = writeln!(out, "  vault {} {}: parameters {line}", spec.id, spec.symbol);
                                changes += 1;
                            }
                            Route::Execute(id) => {
                                self.execute(&[ix::execute_change(me, me, id, &change)], &[admin]).await?;
                                let _ = writeln!(out, "  vault {} {}: parameters updated (after the timelock)", spec.id, spec.symbol);
                                changes += 1;
                            }
                            Route::Wait(id, eta) => {
                                let _ = writeln!(out, "  vault {} {}: parameters {}", spec.id, spec.symbol, wait_line(id, eta, now));
                            }
                        }
                    } else {
                        let _ = writeln!(out, "  vault {} {}: unchanged", spec.id, spec.symbol);
                    }
                }
            }
        }
        // Custodies: opened once a vault of their asset exists, through the timelock once the
        // pool is launched; a custody's token and parameters never change.
        for c in &m.custodies {
            let label = format!("custody {}", c.asset);
            let f = feed(&format!("{label}.feed_id"), &c.feed_id).map_err(input)?;
            let mint = env.key(&format!("{label}.mint"), &c.mint, |l| l.btc_mint).map_err(input)?;
            let pool = accounts::pool(self.chain).await?;
            let Some(index) = (0..pool.asset_count).find(|&i| pool.assets[i as usize].feed_id == f) else {
                let _ = writeln!(out, "  {label}: waits for a vault of its asset");
                continue;
            };
            match self.chain.account(&pda::custody(index)).await? {
                Some(acc) => {
                    let cur = Custody::try_deserialize(&mut acc.data.as_slice()).map_err(|e| input(e.to_string()))?;
                    if cur.mint != mint || cur.params != c.params {
                        return Err(input(format!("{label}: it exists with another token or other parameters; a custody's never change")));
                    }
                    let _ = writeln!(out, "  {label}: unchanged");
                }
                None => {
                    let args = CreateCustodyArgs { asset_index: index, params: c.params };
                    let change = Change::CreateCustody { asset_index: index, args_hash: args.hash().map_err(|e| input(e.to_string()))? };
                    match route(pool.is_launched(), true, &change, &queue, now) {
                        Route::Now => {
                            self.execute(&[ix::create_custody(me, mint, None, args)], &[admin]).await?;
                            let _ = writeln!(out, "  {label}: created");
                            changes += 1;
                        }
                        Route::Execute(id) => {
                            self.execute(&[ix::create_custody(me, mint, Some(id), args)], &[admin]).await?;
                            let _ = writeln!(out, "  {label}: created (after the timelock)");
                            changes += 1;
                        }
                        Route::Queue => {
                            let _ = writeln!(out, "  {label}: creation {}", self.queue(admin, change, None).await?);
                            changes += 1;
                        }
                        Route::Wait(id, eta) => {
                            let _ = writeln!(out, "  {label}: creation {}", wait_line(id, eta, now));
                        }
                    }
                }
            }
        }

        // Signed feeds: opened once the feed is CRT's or a vault's, through the timelock once the
        // pool is launched; the link never changes.
        for s in &m.signed_feeds {
            let label = format!("signed feed {}", s.asset);
            let f = feed(&format!("{label}.feed_id"), &s.feed_id).map_err(input)?;
            let (config, pool) = (accounts::config(self.chain).await?, accounts::pool(self.chain).await?);
            if f != config.crt_feed_id && !pool.assets[..pool.asset_count as usize].iter().any(|a| a.feed_id == f) {
                let _ = writeln!(out, "  {label}: waits for a vault of its asset");
                continue;
            }
            match accounts::signed_feed(self.chain, &f).await? {
                Some(cur) if cur.lazer_feed_id != s.lazer_feed_id => {
                    return Err(input(format!(
                        "{label}: it reads Pyth Pro feed {}, not {}; a signed feed's link never changes",
                        cur.lazer_feed_id, s.lazer_feed_id
                    )));
                }
                Some(_) => {
                    let _ = writeln!(out, "  {label}: unchanged");
                }
                None => {
                    let args = OpenSignedFeedArgs { feed_id: f, lazer_feed_id: s.lazer_feed_id };
                    let change = Change::OpenSignedFeed { feed_id: f, lazer_feed_id: s.lazer_feed_id };
                    match route(pool.is_launched(), true, &change, &queue, now) {
                        Route::Now => {
                            self.execute(&[ix::open_signed_feed(me, None, args)], &[admin]).await?;
                            let _ = writeln!(out, "  {label}: opened (Pyth Pro feed {})", s.lazer_feed_id);
                            changes += 1;
                        }
                        Route::Execute(id) => {
                            self.execute(&[ix::open_signed_feed(me, Some(id), args)], &[admin]).await?;
                            let _ = writeln!(out, "  {label}: opened (Pyth Pro feed {}, after the timelock)", s.lazer_feed_id);
                            changes += 1;
                        }
                        Route::Queue => {
                            let _ = writeln!(out, "  {label}: opening {}", self.queue(admin, change, None).await?);
                            changes += 1;
                        }
                        Route::Wait(id, eta) => {
                            let _ = writeln!(out, "  {label}: opening {}", wait_line(id, eta, now));
                        }
                    }
                }
            }
        }

        changes += self.lookup_table(admin, m, env, &mut out).await?;

        if changes == 0 && !out.contains("waiting for change") {
            let _ = writeln!(out, "Nothing to do: {} already matches the manifest.", m.network);
        } else {
            let _ = writeln!(out, "{changes} change(s) applied.");
        }
        Ok(out)
    }
}
