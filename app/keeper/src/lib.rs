//! The keeper: for every registered vault it previews `rebalance` with the program's own code
//! (`turbo_sdk::preview`, which runs `rebalance::plan`) and sends one only when the call would
//! change exposure or apply a reverse split. A keeper following this never pays fees for a
//! transaction that does nothing, and never asks for a bounty it will not get. It also leaves a
//! trim or re-leverage that moves less than its minimum share of the position
//! (`Settings::min_step`) until the move has grown.

pub mod metrics;

use std::time::Duration;

use anchor_lang::prelude::Pubkey;
use anchor_lang::solana_program::instruction::Instruction;
use solana_sdk::signature::{Keypair, Signer};
use tracing::{debug, info, warn};
use turbo::engine::rebalance::{RebalanceCall, RebalancePlan};
use turbo_math::{is_small_step, Action, Bps};
use turbo_sdk::accounts::{Feeds, Snapshot, VaultView};
use turbo_sdk::chain::{Chain, ChainError};
use turbo_sdk::errors::failure;
use turbo_sdk::ix::{self, Deployment, PricedVault};
use turbo_sdk::pda::VaultKeys;
use turbo_sdk::preview::{self, At};
use turbo_sdk::price_service::PriceService;

/// A rebalance the keeper will send.
#[derive(Clone, Debug)]
pub struct Intent {
    pub keys: VaultKeys,
    pub symbol: String,
    pub price_account: Pubkey,
    pub plan: RebalancePlan,
}

/// What the keeper decided about one vault.
#[derive(Clone, Debug)]
pub enum Verdict {
    /// A rebalance now would act: send it.
    Act(Box<Intent>),
    /// A rebalance now would do nothing; the reason (`InBand`, `Waiting`, …).
    Idle { symbol: String, action: Action },
    /// A rebalance now would trim or re-leverage by less than the keeper's minimum step: left
    /// until the move has grown.
    Small { symbol: String, action: Action },
    /// The vault cannot be decided (its price fails the oracle gate, …).
    Skip { symbol: String, why: String },
    /// The vault is retired: nothing to rebalance, ever.
    Retired { symbol: String },
}

/// When a call that the program would take is worth sending.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Policy {
    /// Whether the call names a bounty account.
    pub bounty: bool,
    /// Seconds without a price after which a vault gets a settling call anyway (`None`: never).
    pub heartbeat: Option<i64>,
    /// The smallest trim or re-leverage worth a transaction, a share of the position
    /// (`Bps(0)`: any step). An emergency cut, a reverse split, a step the step limit capped
    /// and a heartbeat always go.
    pub min_step: Bps,
}

/// Decide one vault. Pure: works on copies of the snapshot's accounts. With a `heartbeat`, a
/// vault whose asset no instruction has priced for that many seconds gets a rebalance even if
/// it would only settle: it records a fresh price, so nobody can call a live feed dead and
/// retire the vault (`retire_vault` lets anyone arm that after a day without a price). A vault
/// with an armed feed-dead retirement gets one too, which cancels it when the feed is live.
pub fn decide_vault(snap: &Snapshot, v: &VaultView, keeper: Pubkey, at: At, policy: Policy) -> Verdict {
    let symbol = v.mint.symbol.clone();
    if v.vault.is_retired() {
        return Verdict::Retired { symbol };
    }
    let last_priced = snap.pool.assets[v.vault.asset_index as usize].mark.last_publish_time;
    // An armed feed-dead retirement is cancelled by any settlement at a live price: a keeper that
    // can price the asset always sends one, heartbeat or not.
    let armed = v.vault.retire_armed_at != 0 && v.vault.retire_armed_at.saturating_sub(last_priced) >= turbo::constants::FEED_DEAD_SECS;
    let beat = armed || policy.heartbeat.is_some_and(|h| at.unix_timestamp.saturating_sub(last_priced) >= h);
    let call = RebalanceCall { vault: v.keys.vault, keeper, now: at.unix_timestamp, bounty_eligible: policy.bounty };
    let plan = match preview::rebalance(snap.state(v), snap.price_accounts(v), at, &call) {
        Ok(p) => p.plan,
        Err(e) => return Verdict::Skip { symbol, why: e.to_string() },
    };
    // A step the step limit capped is as large as one may be: never small.
    let small = || {
        matches!(plan.action, Action::Trim | Action::Relever)
            && plan.splits == 0
            && !plan.decision.capped
            && is_small_step(plan.before, plan.after, policy.min_step).unwrap_or(false)
    };
    if beat || (plan.acts() && !small()) {
        Verdict::Act(Box::new(Intent { keys: v.keys, symbol, price_account: v.price_account, plan }))
    } else if plan.acts() {
        Verdict::Small { symbol, action: plan.action }
    } else {
        Verdict::Idle { symbol, action: plan.action }
    }
}

/// Decide every vault of a snapshot for a transaction landing at `at`.
pub fn decide(snap: &Snapshot, keeper: Pubkey, at: At, policy: Policy) -> Vec<Verdict> {
    snap.vaults.iter().map(|v| decide_vault(snap, v, keeper, at, policy)).collect()
}

#[derive(Clone, Debug)]
pub struct Settings {
    /// Where bounties go; `None` waives them.
    pub bounty_account: Option<Pubkey>,
    /// Where each asset's price account is.
    pub feeds: Feeds,
    /// Attempts per transaction on transport errors.
    pub max_attempts: u32,
    /// First retry delay; doubles on each attempt.
    pub backoff: Duration,
    /// Seconds between scans.
    pub interval: Duration,
    /// Send a settling rebalance for a vault whose asset has not been priced for this long
    /// (`None`: only when a rebalance would act).
    pub heartbeat: Option<Duration>,
    /// Leave a trim or re-leverage smaller than this share of the position until it grows.
    pub min_step: Bps,
    /// Where to fetch signed prices (docs/clients.md, "Signed prices"): each scan reads them,
    /// and each rebalance posts its vault's and CRT's in front of it. `None`: the price accounts
    /// as they are.
    pub prices: Option<PriceService>,
}

impl Settings {
    /// The decision policy these settings give.
    pub fn policy(&self) -> Policy {
        Policy { bounty: self.bounty_account.is_some(), heartbeat: self.heartbeat.map(|h| h.as_secs() as i64), min_step: self.min_step }
    }
}

/// The keeper binary's heartbeat unless configured: an hour, well inside the day after which
/// anyone may retire a vault whose feed looks dead.
pub const DEFAULT_HEARTBEAT: Duration = Duration::from_secs(3_600);

impl Default for Settings {
    fn default() -> Self {
        Settings {
            bounty_account: None,
            feeds: Feeds::default(),
            max_attempts: 5,
            backoff: Duration::from_millis(500),
            interval: Duration::from_secs(10),
            heartbeat: None,
            min_step: Bps(turbo_sdk::defaults::KEEPER_MIN_STEP_BPS),
            prices: None,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum KeeperError {
    #[error(transparent)]
    Chain(#[from] ChainError),
    #[error("--bounty-account {given} is a token account of mint {mint}, not of the deployment's USDC ({usdc})")]
    BountyNotUsdc { given: Pubkey, mint: Pubkey, usdc: Pubkey },
    #[error("--bounty-account {given} is a wallet with no USDC account yet: create its associated account {ata} (for example by receiving USDC), or name a USDC token account")]
    BountyWalletWithoutUsdc { given: Pubkey, ata: Pubkey },
}

/// The USDC account the bounty goes to, from what `--bounty-account` names: a USDC token account
/// as it is, or a wallet's associated USDC account; anything else refused in one line before the
/// first scan (a wallet named as it is would make every rebalance fail on the transfer).
pub async fn bounty_account<C: Chain>(chain: &mut C, given: Pubkey) -> Result<Pubkey, KeeperError> {
    let usdc = turbo_sdk::accounts::config(chain).await?.usdc_mint;
    let is_token_program = |owner: &Pubkey| *owner == anchor_spl::token::ID || *owner == anchor_spl::token_2022::ID;
    if let Some(acc) = chain.account(&given).await?.filter(|a| is_token_program(&a.owner)) {
        let t = turbo_sdk::accounts::token_account(&acc)?;
        return if t.mint == usdc { Ok(given) } else { Err(KeeperError::BountyNotUsdc { given, mint: t.mint, usdc }) };
    }
    let ata = turbo_sdk::pda::ata(&given, &usdc);
    match chain.account(&ata).await? {
        Some(_) => Ok(ata),
        None => Err(KeeperError::BountyWalletWithoutUsdc { given, ata }),
    }
}

/// One transaction the keeper sent, and how it went.
#[derive(Clone, Debug)]
pub struct Sent {
    pub symbol: String,
    pub plan: RebalancePlan,
    pub outcome: turbo_sdk::outcome::Outcome,
    pub attempts: u32,
}

/// The result of one scan.
#[derive(Clone, Debug, Default)]
pub struct TickReport {
    pub scanned: usize,
    pub sent: Vec<Sent>,
    pub idle: usize,
    /// Vaults whose step was under the minimum, by symbol.
    pub small: Vec<String>,
    /// Seconds between the clock and the newest price the scan saw.
    pub price_age: Option<i64>,
    pub skipped: Vec<(String, String)>,
}

impl TickReport {
    /// How many of the transactions sent were refused by the program.
    pub fn refused(&self) -> usize {
        self.sent.iter().filter(|s| failure(&s.outcome).is_some()).count()
    }
}

/// Scan every vault once and send the rebalances that would act.
/// `base` with signed prices of `feed_ids` fetched now, and their check and post; `base` and
/// nothing to post without a price service, for feeds without a signed feed, or when the
/// service fails (logged: the price accounts as they are may still do for a keeper).
async fn signed<C: Chain>(chain: &mut C, s: &Settings, payer: Pubkey, feed_ids: &[[u8; 32]]) -> (Feeds, Vec<Instruction>) {
    let Some(service) = &s.prices else { return (s.feeds.clone(), Vec::new()) };
    match turbo_sdk::price_service::attach(chain, service, feed_ids, &s.feeds).await {
        Ok(Some(a)) => {
            let ixs = a.ixs(payer).to_vec();
            (a.feeds, ixs)
        }
        Ok(None) => (s.feeds.clone(), Vec::new()),
        Err(e) => {
            warn!(service = %service.url(), error = %e, "no signed prices; using the price accounts as they are");
            (s.feeds.clone(), Vec::new())
        }
    }
}

pub async fn tick<C: Chain>(chain: &mut C, keeper: &Keypair, s: &Settings) -> Result<TickReport, KeeperError> {
    let scan_feeds = if s.prices.is_some() {
        let all = turbo_sdk::accounts::deployment_feeds(chain).await?;
        signed(chain, s, keeper.pubkey(), &all).await.0
    } else {
        s.feeds.clone()
    };
    let snap = Snapshot::load(chain, &scan_feeds).await?;
    // The transaction lands in a later slot; the clock's time is what the program will see.
    let at = At { unix_timestamp: snap.at.unix_timestamp, slot: snap.at.slot + 1 };
    let crt_feed = snap.config.crt_feed_id;
    let newest = snap.vaults.iter().filter_map(|v| v.price_update.as_ref()).map(|p| p.publish_time()).max();
    let mut report =
        TickReport { scanned: snap.vaults.len(), price_age: newest.map(|t| snap.at.unix_timestamp - t), ..TickReport::default() };
    let policy = s.policy();
    // Every vault settles against the one pool, so once a rebalance lands the others are decided
    // again on fresh accounts: their caps, funding and targets may have moved with it.
    let mut stale = false;
    for verdict in decide(&snap, keeper.pubkey(), at, policy) {
        let verdict = match verdict {
            Verdict::Act(intent) if stale => {
                let fresh = Snapshot::load(chain, &scan_feeds).await?;
                let at = fresh.next();
                match fresh.vaults.iter().find(|v| v.keys.vault == intent.keys.vault) {
                    Some(v) => decide_vault(&fresh, v, keeper.pubkey(), at, policy),
                    None => Verdict::Retired { symbol: intent.symbol },
                }
            }
            v => v,
        };
        match verdict {
            Verdict::Idle { .. } | Verdict::Retired { .. } => report.idle += 1,
            Verdict::Small { symbol, action } => {
                debug!(vault = %symbol, ?action, "step under the minimum; left to grow");
                report.small.push(symbol);
            }
            Verdict::Skip { symbol, why } => {
                warn!(vault = %symbol, reason = %why, "skipped");
                report.skipped.push((symbol, why));
            }
            Verdict::Act(intent) => {
                let asset_feed =
                    snap.vaults.iter().find(|v| v.keys.vault == intent.keys.vault).map(|v| v.vault.feed_id).unwrap_or_default();
                let (feeds, pre) = signed(chain, s, keeper.pubkey(), &[asset_feed, crt_feed]).await;
                let d = Deployment {
                    usdc_mint: snap.config.usdc_mint,
                    crt_mint: snap.config.crt_mint,
                    crt_price: feeds.account(&crt_feed),
                    custody_prices: Default::default(),
                };
                let v = PricedVault {
                    keys: intent.keys,
                    price: if pre.is_empty() { intent.price_account } else { feeds.account(&asset_feed) },
                };
                let mut ixs = pre.clone();
                ixs.push(ix::rebalance(&d, &v, keeper.pubkey(), s.bounty_account));
                // The post rides in front of the rebalance, or alone first when together they
                // would pass Solana's packet.
                if !pre.is_empty() && !turbo_sdk::chain::fits(&ixs, &keeper.pubkey(), 1) {
                    chain.send(&pre, &[keeper]).await?;
                    ixs.drain(..pre.len());
                }
                let mut attempts = 0;
                let outcome = loop {
                    attempts += 1;
                    match chain.send(&ixs, &[keeper]).await {
                        Ok(o) => break o,
                        Err(e) if attempts < s.max_attempts => {
                            let wait = s.backoff * 2u32.pow(attempts - 1);
                            warn!(vault = %intent.symbol, attempt = attempts, error = %e, wait_ms = wait.as_millis() as u64, "send failed; retrying");
                            tokio::time::sleep(wait).await;
                        }
                        Err(e) => return Err(e.into()),
                    }
                };
                match failure(&outcome) {
                    None => {
                        let e = &intent.plan.event;
                        let moved = turbo_math::Exposure(e.exposure_after.saturating_sub(e.exposure_before))
                            .abs_notional_floor(turbo_math::Price(e.price))
                            .unwrap_or_default();
                        info!(
                            vault = %intent.symbol,
                            action = ?intent.plan.action,
                            leverage_before = %turbo_sdk::text::lev(Some(e.leverage_before)),
                            leverage_after = %turbo_sdk::text::lev(Some(e.leverage_after)),
                            target = %turbo_sdk::text::lev(Some(intent.plan.target.0)),
                            moved = %turbo_sdk::text::usd(moved.0),
                            splits = intent.plan.splits,
                            bounty = %turbo_sdk::text::usd(intent.plan.bounty),
                            "rebalanced"
                        )
                    }
                    Some(f) => warn!(vault = %intent.symbol, error = %f, "rebalance refused"),
                }
                stale = true;
                report.sent.push(Sent { symbol: intent.symbol, plan: intent.plan, outcome, attempts });
            }
        }
    }
    Ok(report)
}

/// Scan every `settings.interval` until `shutdown` resolves. Transport errors are logged in one
/// line and the loop goes on, waiting twice as long after each failure in a row (up to a
/// minute): a keeper must outlive a flaky or restarting RPC endpoint.
pub async fn run<C: Chain>(
    chain: &mut C,
    keeper: &Keypair,
    s: &Settings,
    metrics: Option<std::sync::Arc<metrics::Metrics>>,
    shutdown: impl std::future::Future<Output = ()>,
) {
    tokio::pin!(shutdown);
    let mut failures = 0u32;
    loop {
        let wait = match tick(chain, keeper, s).await {
            Ok(r) => {
                failures = 0;
                let refused = r.refused();
                if refused > 0 && refused == r.sent.len() {
                    warn!(sent = r.sent.len(), "every rebalance this scan sent was refused");
                }
                info!(
                    scanned = r.scanned,
                    sent = r.sent.len(),
                    refused,
                    idle = r.idle,
                    small = r.small.len(),
                    skipped = r.skipped.len(),
                    price_age = r.price_age,
                    "scan done"
                );
                if let Some(m) = &metrics {
                    m.observe(&r);
                }
                s.interval
            }
            Err(e) => {
                failures += 1;
                let wait = (s.interval * 2u32.saturating_pow(failures.min(8))).min(Duration::from_secs(60));
                warn!(error = %e, retry_in_ms = wait.as_millis() as u64, "scan failed");
                if let Some(m) = &metrics {
                    m.scan_failed();
                }
                wait
            }
        };
        tokio::select! {
            _ = &mut shutdown => {
                info!("shutting down");
                return;
            }
            _ = tokio::time::sleep(wait) => {}
        }
    }
}
