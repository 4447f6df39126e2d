//! The LP study (issue 14, docs/economics.md "The counterparty pool"): a whole deployment — a
//! config, the pool and the localnet vaults of each asset given (Turbo +3x on every asset, Bear
//! −2x on BTC and SOL) — driven over real price history by seeded holder flows, with the
//! program's own code for every step: `engine::create` builds the accounts, `engine::trade`
//! mints and redeems (every refusal included), `engine::rebalance::plan` is the keeper, and
//! `engine::lp` values the pool. A call the program would refuse leaves the state untouched, as a
//! failed transaction does.
//!
//! The holders: arrivals at a seeded Poisson rate, each minting a log-uniform amount into a random
//! vault (Turbo three times as often as Bear), holding until a drawdown from their peak, a rally
//! over what they paid, or a maximum holding time, then redeeming everything. Demand is sized to
//! press on the caps: what arrives in a few days exceeds what the pool may back.

use anchor_lang::prelude::Pubkey;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::Serialize;
use turbo::engine::create::{self, NewVault, VaultAddresses};
use turbo::engine::hedge::{swap, SwapRequest};
use turbo::engine::lp;
use turbo::engine::rebalance::{plan, RebalanceCall};
use turbo::engine::trade::{self, MintRequest, RedeemRequest};
use turbo::error::TurboError;
use turbo::state::{Config, Custody, CustodyParams, Pool, PoolCaps, Vault, VaultParams};
use turbo_math::{Bias, OraclePrice, Price, Prices, Shares, TokenAmount};

use crate::strategies::Path;

/// One dollar of CRT (the model holds none).
const CRT_PRICE: Price = Price(100_000_000);
/// The LP's deposit at the start, micro-USD.
pub const LP_DEPOSIT: u64 = 1_000_000_000_000;
const SEED: u64 = 1_000_000_000;

/// An asset of the study and its price path.
#[derive(Clone, Debug)]
pub struct Asset {
    pub symbol: &'static str,
    pub path: Path,
    /// Whether the deployment has a Bear vault on it (BTC and SOL in localnet).
    pub bear: bool,
}

/// The holders' behaviour, seeded.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct Flows {
    pub seed: u64,
    /// Holders arriving per day, over all vaults.
    pub arrivals_per_day: f64,
    /// Mint sizes, log-uniform, micro-USD.
    pub size_lo: u64,
    pub size_hi: u64,
    /// Exit when value falls this far under the holder's peak (fraction).
    pub stop_loss: f64,
    /// Exit when value rises this far over what was paid (fraction).
    pub take_profit: f64,
    /// Exit after this many days whatever happens.
    pub max_hold_days: f64,
}

impl Default for Flows {
    fn default() -> Self {
        Flows {
            seed: 14,
            arrivals_per_day: 12.0,
            size_lo: 1_000_000_000,
            size_hi: 100_000_000_000,
            stop_loss: 0.35,
            take_profit: 1.0,
            max_hold_days: 60.0,
        }
    }
}

impl Flows {
    /// These flows with every mint `scale` times the size: the same holders against a pool
    /// `1 / scale` times as large.
    pub fn sized(self, scale: f64) -> Flows {
        let k = |x: u64| ((x as f64) * scale).round().max(1.0) as u64;
        Flows { size_lo: k(self.size_lo), size_hi: k(self.size_hi), ..self }
    }
}

/// A pool design under study: a name, its caps, and its custodies if it holds the assets.
#[derive(Clone, Copy, Debug)]
pub struct Design {
    pub name: &'static str,
    pub caps: PoolCaps,
    pub hedge: Option<HedgeSetup>,
}

/// The hedged pool's set-up (docs/design.md §5.6): a custody of BTC and of SOL (FET has no liquid
/// SPL token and stays synthetic), the share of the LPs' starting money that comes in those
/// tokens, and an arbitrageur that trades the custodies toward their targets.
#[derive(Clone, Copy, Debug)]
pub struct HedgeSetup {
    pub params: CustodyParams,
    /// The share of the LPs' starting money deposited in the custodies' tokens, split evenly, bps.
    pub basket_bps: u64,
    /// The arbitrageur looks this often, and trades when the custody's rebate beats its own cost
    /// (buying or selling the asset elsewhere), bps of the trade.
    pub arb_every_secs: i64,
    pub arb_cost_bps: u64,
}

impl HedgeSetup {
    /// The SDK's custody defaults, 30% of the starting money in the assets, an arbitrageur that
    /// looks every hour and pays 5 bps to trade elsewhere.
    pub fn defaults() -> HedgeSetup {
        HedgeSetup { params: turbo_sdk::defaults::custody_params(), basket_bps: 3_000, arb_every_secs: 3_600, arb_cost_bps: 5 }
    }
}

/// The decimals of each hedged asset's token: a BTC token 8, wrapped SOL 9.
fn custody_decimals(symbol: &str) -> Option<u8> {
    match symbol {
        "BTC" => Some(8),
        "SOL" => Some(9),
        _ => None,
    }
}

/// The three designs of the study around `caps`: today's hard caps alone, the risk cap, and the
/// risk cap with skew funding.
pub fn designs(caps: PoolCaps, funding: u16) -> [Design; 3] {
    [
        Design { name: "hard caps (before)", caps: PoolCaps { max_daily_loss_bps: 0, funding_max_bps_per_day: 0, ..caps }, hedge: None },
        Design { name: "risk cap", caps: PoolCaps { funding_max_bps_per_day: 0, ..caps }, hedge: None },
        Design { name: "risk cap + funding", caps: PoolCaps { funding_max_bps_per_day: funding, ..caps }, hedge: None },
    ]
}

/// The hedged study's two designs: today's "risk cap + funding", and the hedged pool with no
/// skew funding on the residual (the utilization fee pays for the hedge).
pub fn hedged_designs(caps: PoolCaps, funding: u16, hedge: HedgeSetup) -> [Design; 2] {
    [
        Design { name: "risk cap + funding", caps: PoolCaps { funding_max_bps_per_day: funding, ..caps }, hedge: None },
        Design { name: "hedged", caps: PoolCaps { funding_max_bps_per_day: 0, ..caps }, hedge: Some(hedge) },
    ]
}

struct ModelVault {
    key: Pubkey,
    vault: Vault,
    supply: u64,
    asset: usize,
    turbo: bool,
    /// Time-weighted |L| (micro-x · s) and the seconds it covers, overall and while no cap bound
    /// the vault's target.
    lev_time: (u128, u128),
    lev_time_free: (u128, u128),
    /// Seconds in its band (its own rules, within 0.001x), of seconds counted.
    band_time: (u128, u128),
    /// Whether its asset has a liquid SPL token (BTC, SOL): what a hedge can cover.
    hedgeable: bool,
}

struct Holder {
    vault: usize,
    shares: u64,
    paid: u64,
    peak: u64,
    since: i64,
}

/// What one run measured.
#[derive(Clone, Debug, Default, Serialize)]
pub struct LpMetrics {
    pub design: String,
    pub days: f64,
    /// LP value at the end over the deposit, minus one.
    pub lp_return: f64,
    /// The largest fall of LP value from its running peak (fraction).
    pub lp_max_drawdown: f64,
    /// The lowest LP value relative to its running peak (1 − max drawdown).
    pub days_at_cap: u32,
    pub mints: u32,
    pub mints_refused: u32,
    /// Refused mint volume, micro-USD.
    pub refused_usd: u64,
    pub redeems: u32,
    /// Lifetime gains the pool could not pay when due, micro-USD, and the largest claim owed.
    pub unpaid_gains: u64,
    pub max_claims_owed: u64,
    pub bad_debt: u64,
    /// Holders' time-weighted |leverage| of the Turbo vaults (x), overall and while no cap bound.
    pub twl: Vec<(String, f64, f64)>,
    /// The LPs' share of fees and the skew funding the pool earned, micro-USD.
    pub lp_fees: u64,
    pub funding: u64,
    pub treasury_fees: u64,
    /// Paid in and out by holders, and bounties to keepers, micro-USD (for the conservation check).
    pub holders_in: u64,
    pub holders_out: u64,
    pub bounties: u64,
    /// Mint volume asked, micro-USD (refused included).
    pub asked_usd: u64,
    /// Every vault's share of time in its band (its own rules), by name ("BTC+3", "SOL-2").
    pub in_band: Vec<(String, f64)>,
    /// The hedged design: the utilization fees the long vaults paid, micro-USD, and the long
    /// notional they held, micro-USD·years, so `fees / exposure` is the hedge's cost a year.
    pub hedge_fees: u64,
    pub long_notional_years: f64,
    /// The skew funding the hedgeable assets' long vaults paid, micro-USD.
    pub long_funding: u64,
    /// The arbitrageur's swaps: how many, and the USDC it took from and gave the pool.
    pub arb_swaps: u32,
    pub arb_usdc_out: u64,
    pub arb_usdc_in: u64,
    /// Per hedged asset: tokens the arbitrageur sold to and bought from the custody.
    pub arb_tokens_in: Vec<u64>,
    pub arb_tokens_out: Vec<u64>,
    /// The largest net long notional per dollar of LP value any hedged asset reached, and the
    /// gap cap's allowance per dollar at the end.
    pub peak_net_per_lp: f64,
    pub gap_cap_per_lp: f64,
    /// What holding the starting basket (its USDC and tokens) is worth at the end, over the
    /// deposit, minus one.
    pub basket_return: f64,
}

/// The full result of a run: its metrics and the LP value over time (days, value / deposit).
#[derive(Clone, Debug, Serialize)]
pub struct LpRun {
    pub metrics: LpMetrics,
    pub lp_value: Vec<(f64, f64)>,
}

/// The deployment being driven.
pub struct PoolModel {
    pub config: Config,
    pub pool: Pool,
    vaults: Vec<ModelVault>,
    holders: Vec<Holder>,
    metrics: LpMetrics,
    /// The hedged design's custodies: the asset (index into the study's assets) and its account.
    custodies: Vec<(usize, Custody)>,
    hedge: Option<HedgeSetup>,
    /// The asset slot of each study asset.
    slots: Vec<u8>,
    /// The starting basket: USDC and each hedged asset's tokens.
    basket: (u64, Vec<u64>),
    last_arb: i64,
    slot: u64,
}

fn price_at(p: u64, t: i64) -> Prices {
    Prices { asset: OraclePrice::exact(Price(p), t), crt: OraclePrice::exact(CRT_PRICE, t) }
}

fn code(e: &anchor_lang::error::Error) -> Option<u32> {
    match e {
        anchor_lang::error::Error::AnchorError(a) => Some(a.error_code_number),
        _ => None,
    }
}

fn is_cap(e: &anchor_lang::error::Error) -> bool {
    let caps = [
        TurboError::PoolCapacityExceeded,
        TurboError::ImbalanceCapExceeded,
        TurboError::RiskCapExceeded,
        TurboError::HedgeFull,
        TurboError::GapCapExceeded,
    ];
    code(e).is_some_and(|c| caps.iter().any(|x| u32::from(*x) == c))
}

impl PoolModel {
    /// The deployment at `t0`: the LP's deposit in the pool, then the vaults of each asset
    /// opened with their seeds at the first prices, through the program's own constructors.
    pub fn new(design: &Design, assets: &[Asset], t0: i64, turbo: VaultParams, bear: VaultParams) -> PoolModel {
        let mut config = crate::model::model_config();
        let mut pool = create::pool(Pubkey::default(), Pubkey::default(), Pubkey::default(), design.caps, 0);
        pool.usdc_balance = LP_DEPOSIT;
        pool.launch();
        let mut vaults = Vec::new();
        let mut slots = Vec::new();
        for (a, asset) in assets.iter().enumerate() {
            let feed = [a as u8 + 1; 32];
            let index = pool.asset_index_for(&feed).expect("an asset slot");
            slots.push(index);
            let sides: &[(bool, VaultParams)] = if asset.bear { &[(true, turbo), (false, bear)] } else { &[(true, turbo)] };
            for &(is_turbo, params) in sides {
                let id = vaults.len() as u16 + 1;
                let key = Pubkey::new_unique();
                let at = VaultAddresses {
                    vault: key,
                    mint: Pubkey::default(),
                    usdc_reserve: Pubkey::default(),
                    crt_reserve: Pubkey::default(),
                    bump: 0,
                };
                let new = NewVault { vault_id: id, feed_id: feed, params, seed_usdc: SEED };
                let px = OraclePrice::exact(Price(asset.path.price[0]), t0);
                let (vault, seed_shares, _) = create::vault(&mut config, &mut pool, &at, &new, index, &px, t0).expect("a seed vault fits");
                vaults.push(ModelVault {
                    key,
                    vault,
                    supply: seed_shares.0,
                    asset: a,
                    turbo: is_turbo,
                    lev_time: (0, 0),
                    lev_time_free: (0, 0),
                    band_time: (0, 0),
                    hedgeable: custody_decimals(asset.symbol).is_some(),
                });
            }
        }
        // The hedged design: a custody of each hedged asset, opened as `create_custody` opens it,
        // holding its share of the starting basket (the rest of the LPs' money is USDC).
        let mut custodies = Vec::new();
        let mut basket = (LP_DEPOSIT, vec![0u64; assets.len()]);
        if let Some(h) = design.hedge {
            let hedged: Vec<usize> = (0..assets.len()).filter(|&a| custody_decimals(assets[a].symbol).is_some()).collect();
            let each =
                if hedged.is_empty() { 0 } else { (LP_DEPOSIT as u128 * h.basket_bps as u128 / 10_000) as u64 / hedged.len() as u64 };
            for a in hedged {
                let decimals = custody_decimals(assets[a].symbol).expect("hedged");
                let slot = &mut pool.hedges[slots[a] as usize];
                let p = h.params;
                (slot.decimals, slot.enabled, slot.max_util_bps, slot.target_util_bps) = (decimals, 1, p.max_util_bps, p.target_util_bps);
                (slot.util_base_bps, slot.util_slope_bps) = (p.util_base_bps, p.util_slope_bps);
                let tokens = TokenAmount::for_value_floor(turbo_math::Usd(each), decimals, Price(assets[a].path.price[0])).expect("tokens");
                slot.owned = tokens.0;
                slot.relock().expect("relock");
                pool.usdc_balance -= each;
                basket.0 -= each;
                basket.1[a] = tokens.0;
                let mut custody: Custody = anchor_lang::__private::bytemuck::Zeroable::zeroed();
                (custody.asset_index, custody.params, custody.feed_id) = (slots[a], p, pool.assets[slots[a] as usize].feed_id);
                custodies.push((a, custody));
            }
        }
        let n = assets.len();
        let metrics = LpMetrics { arb_tokens_in: vec![0; n], arb_tokens_out: vec![0; n], ..LpMetrics::default() };
        PoolModel {
            config,
            pool,
            vaults,
            holders: Vec::new(),
            metrics,
            custodies,
            hedge: design.hedge,
            slots,
            basket,
            last_arb: t0,
            slot: 0,
        }
    }

    /// What the custodies hold, at `prices`, micro-USD (zero without custodies).
    pub fn custody_value(&self, prices: &[u64]) -> u64 {
        self.custodies
            .iter()
            .map(|(a, _)| {
                let h = &self.pool.hedges[self.slots[*a] as usize];
                TokenAmount(h.owned).value_floor(h.decimals, Price(prices[*a])).map(|u| u.0).unwrap_or(0)
            })
            .sum()
    }

    /// The starting basket's value at `prices`, micro-USD.
    pub fn basket_value(&self, prices: &[u64]) -> u64 {
        let tokens: u64 = self
            .custodies
            .iter()
            .map(|(a, _)| {
                let d = self.pool.hedges[self.slots[*a] as usize].decimals;
                TokenAmount(self.basket.1[*a]).value_floor(d, Price(prices[*a])).map(|u| u.0).unwrap_or(0)
            })
            .sum();
        self.basket.0 + tokens
    }

    /// The arbitrageur (the hedged design): every `arb_every_secs`, for each custody, the trade
    /// toward its target whose rebate beats the arbitrageur's own cost of trading elsewhere,
    /// through the program's own swap, as large as that stays true (halving from the whole
    /// distance), within the per-slot bound.
    fn arbitrage(&mut self, prices: &[u64], t: i64) {
        let Some(h) = self.hedge else { return };
        if t < self.last_arb + h.arb_every_secs {
            return;
        }
        self.last_arb = t;
        for k in 0..self.custodies.len() {
            let (a, _) = self.custodies[k];
            let p = Price(prices[a]);
            let px = OraclePrice::exact(p, t);
            let hedge = self.pool.hedges[self.slots[a] as usize];
            let target = turbo_math::target_owned(
                turbo_math::Exposure(hedge.net_exposure),
                hedge.decimals,
                turbo_math::Bps(hedge.target_util_bps as u64),
            )
            .unwrap_or(TokenAmount(0));
            let (owned, decimals) = (TokenAmount(hedge.owned), hedge.decimals);
            let gap = owned.0 as i128 - target.0 as i128;
            if gap == 0 {
                continue;
            }
            // Under target: sell the pool tokens; over it: buy them (with USDC worth the gap).
            let asset_in = gap < 0;
            let whole = gap.unsigned_abs() as u64;
            let mut size = if asset_in { whole } else { TokenAmount(whole).value_floor(decimals, p).map(|u| u.0).unwrap_or(0) };
            let bound = h.params.max_trade_per_slot;
            size = if asset_in {
                size.min(TokenAmount::for_value_floor(turbo_math::Usd(bound), decimals, p).map(|x| x.0).unwrap_or(0))
            } else {
                size.min(bound)
            };
            for _ in 0..12 {
                if size == 0 {
                    break;
                }
                self.slot += 1;
                let req = SwapRequest { user: Pubkey::default(), asset_in, amount_in: size, min_amount_out: 0 };
                let (mut pool, mut custody) = (self.pool, self.custodies[k].1);
                if let Ok(plan) = swap(&mut pool, &mut custody, Pubkey::default(), &px, &req, self.slot) {
                    let worth = |tokens: u64| TokenAmount(tokens).value_floor(decimals, p).map(|u| u.0 as i128).unwrap_or(0);
                    // The arbitrageur's edge: what it gets less what it gives, at the market price.
                    let edge = if asset_in { plan.amount_out as i128 - worth(size) } else { worth(plan.amount_out) - size as i128 };
                    let cost = (plan.event.value as i128 * h.arb_cost_bps as i128) / 10_000;
                    if edge > cost {
                        self.pool = pool;
                        self.custodies[k].1 = custody;
                        let m = &mut self.metrics;
                        m.arb_swaps += 1;
                        if asset_in {
                            m.arb_tokens_in[a] += size;
                            m.arb_usdc_out += plan.amount_out;
                        } else {
                            m.arb_tokens_out[a] += plan.amount_out;
                            m.arb_usdc_in += size;
                        }
                        break;
                    }
                }
                size /= 2;
            }
        }
    }

    /// The LPs' value at mid prices, through the program's own valuation, micro-USD.
    pub fn lp_value(&self, prices: &[u64], t: i64) -> u64 {
        let crt = OraclePrice::exact(CRT_PRICE, t);
        let mut v = lp::start(&self.config, &self.pool, Bias::Low, &crt).expect("valuation");
        for m in &self.vaults {
            lp::add(&mut v, &self.config, &m.vault, &OraclePrice::exact(Price(prices[m.asset]), t)).expect("valuation");
        }
        for (a, _) in &self.custodies {
            let h = &self.pool.hedges[self.slots[*a] as usize];
            v.add_custody(TokenAmount(h.owned), h.decimals, &OraclePrice::exact(Price(prices[*a]), t)).expect("valuation");
        }
        v.value().map(|u| u.0).unwrap_or(0)
    }

    /// The vaults' NAV at mid (every holder's and every seed's tokens), micro-USD.
    pub fn vaults_nav(&self, prices: &[u64]) -> u64 {
        (0..self.vaults.len()).map(|i| self.nav(i, prices[self.vaults[i].asset])).sum()
    }

    /// The treasury's fees: in the pool, and its share of what vaults still hold for the pool.
    pub fn treasury(&self) -> u64 {
        let share = self.config.lp_fee_share();
        let owed: u64 = self.vaults.iter().map(|m| m.vault.fees_owed_usdc - share.of_floor(m.vault.fees_owed_usdc).unwrap_or(0)).sum();
        self.pool.treasury_usdc + owed
    }

    /// The seeds' deposits, micro-USD.
    pub fn seeds(&self) -> u64 {
        SEED * self.vaults.len() as u64
    }

    /// What was measured so far.
    pub fn metrics(&self) -> &LpMetrics {
        &self.metrics
    }

    /// Every holder's value at mid, micro-USD.
    pub fn holders_value(&self, prices: &[u64]) -> u64 {
        self.holders.iter().map(|h| self.value_of(h.vault, h.shares, prices[self.vaults[h.vault].asset])).sum()
    }

    fn nav(&self, i: usize, p: u64) -> u64 {
        let v = &self.vaults[i].vault;
        v.book().nav_floor(Price(p), CRT_PRICE, self.config.crt()).map(|n| n.0.max(0) as u64).unwrap_or(0)
    }

    fn value_of(&self, i: usize, shares: u64, p: u64) -> u64 {
        let supply = self.vaults[i].supply.max(1);
        (self.nav(i, p) as u128 * shares as u128 / supply as u128) as u64
    }

    /// What the model's accounts hold in tokens: the pool's USDC and every vault's.
    pub fn tokens(&self) -> u64 {
        self.pool.usdc_balance + self.vaults.iter().map(|m| m.vault.usdc_balance + m.vault.fees_owed_usdc).sum::<u64>()
    }

    /// The keeper between `t` and the next row at `until`: a pass over every vault at the row's
    /// price (the same update, published at `t`), repeated every interval while a vault still
    /// moves, as a keeper that runs continuously would. Then each Turbo vault's leverage, as the
    /// holders carry it until the next row, is weighted by the row's length `dt`.
    fn keepers(&mut self, prices: &[u64], t: i64, until: i64, dt: i64) {
        let step =
            self.vaults.iter().map(|m| m.vault.params.min_interval_secs as i64 + m.vault.params.jitter_secs as i64).max().unwrap_or(0) + 1;
        let mut targets = vec![None; self.vaults.len()];
        let mut now = t;
        loop {
            let moved = self.keeper_pass(prices, t, now, &mut targets);
            now += step;
            if !moved || now >= until {
                break;
            }
        }
        let w = dt.max(0) as u128;
        let mut long_notional = 0u128;
        for (m, target) in self.vaults.iter_mut().zip(targets) {
            let px = Price(prices[m.asset]);
            let lev = m.vault.book().leverage(px, CRT_PRICE, self.config.crt()).ok().flatten();
            if m.vault.exposure > 0 && m.hedgeable {
                long_notional += turbo_math::Exposure(m.vault.exposure).abs_notional_floor(px).map(|u| u.0 as u128).unwrap_or(0);
            }
            if let Some(l) = lev {
                // In its band by its own rules, to 0.001x.
                let (lo, hi, tol) = (m.vault.params.band_lo, m.vault.params.band_hi, 1_000);
                let inside = l.abs() + tol >= lo && l.abs() <= hi + tol;
                m.band_time.0 += if inside { w } else { 0 };
                m.band_time.1 += w;
            }
            if let (true, Some(l), Some(target)) = (m.turbo && m.vault.exposure != 0, lev, target) {
                m.lev_time.0 += l.abs() as u128 * w;
                m.lev_time.1 += w;
                if target >= m.vault.params.target_leverage.unsigned_abs() {
                    m.lev_time_free.0 += l.abs() as u128 * w;
                    m.lev_time_free.1 += w;
                }
            }
        }
        // The long side of the hedgeable assets: what pays for a hedge, or the funding.
        self.metrics.long_notional_years += long_notional as f64 * w as f64 / 31_536_000.0;
    }

    /// One keeper pass at clock `now` with prices published at `t`, recording each vault's
    /// effective |target| (0 when a cap refused its re-leverage); whether any vault moved.
    fn keeper_pass(&mut self, prices: &[u64], t: i64, now: i64, targets: &mut [Option<u64>]) -> bool {
        let mut moved = false;
        for (m, target) in self.vaults.iter_mut().zip(targets.iter_mut()) {
            let px = price_at(prices[m.asset], t);
            let call = RebalanceCall { vault: m.key, keeper: Pubkey::default(), now, bounty_eligible: true };
            let (mut pool, mut vault) = (self.pool, m.vault);
            if let Ok(p) = plan(&self.config, &mut pool, &mut vault, Shares(m.supply), &px, &call) {
                self.pool = pool;
                m.vault = vault;
                moved |= p.moved();
                self.metrics.bounties += p.bounty;
                // A cap binds when it lowered the target, or refused a re-leverage.
                let refused = p.decision.action == turbo_math::Action::Relever && p.action != turbo_math::Action::Relever;
                *target = Some(if refused { 0 } else { p.target.abs() });
            }
        }
        moved
    }

    /// Try a mint of `usdc` into vault `i`; returns whether a cap refused it.
    fn mint(&mut self, i: usize, usdc: u64, price: u64, t: i64) -> Result<u64, bool> {
        self.metrics.asked_usd += usdc;
        let m = &self.vaults[i];
        let req = MintRequest { user: Pubkey::default(), usdc, crt: 0, min_tokens_out: 0, has_crt_account: true };
        if trade::check_mint(&self.config, &m.vault, &req, t).is_err() {
            return Err(false);
        }
        let (mut pool, mut vault) = (self.pool, m.vault);
        match trade::mint(&self.config, &mut pool, &mut vault, m.key, Shares(m.supply), &price_at(price, t), &req) {
            Ok(p) => {
                self.pool = pool;
                let m = &mut self.vaults[i];
                m.vault = vault;
                m.supply += p.quote.shares_out.0;
                Ok(p.quote.shares_out.0)
            }
            Err(e) => Err(is_cap(&e)),
        }
    }

    /// Redeem `shares` of vault `i`; returns the USDC paid.
    fn redeem(&mut self, i: usize, shares: u64, price: u64, t: i64) -> Option<u64> {
        let m = &self.vaults[i];
        let req = RedeemRequest { user: Pubkey::default(), amount: shares, min_usdc_out: 0, min_crt_out: 0, has_crt_account: true };
        trade::check_redeem(&self.config, &m.vault, &req, t).ok()?;
        let (mut pool, mut vault) = (self.pool, m.vault);
        let p = trade::redeem(&self.config, &mut pool, &mut vault, m.key, Shares(m.supply), &price_at(price, t), &req).ok()?;
        self.pool = pool;
        let m = &mut self.vaults[i];
        m.vault = vault;
        m.supply -= shares;
        Some(p.quote.usdc_out.0)
    }
}

/// Run `design` over `assets` (aligned paths) with `flows`.
pub fn run(design: &Design, assets: &[Asset], flows: &Flows, turbo: VaultParams, bear: VaultParams) -> LpRun {
    run_model(design, assets, flows, turbo, bear).0
}

/// [`run`], returning the deployment as it ends too.
pub fn run_model(design: &Design, assets: &[Asset], flows: &Flows, turbo: VaultParams, bear: VaultParams) -> (LpRun, PoolModel) {
    let n = assets[0].path.len();
    let time = &assets[0].path.time;
    let t0 = time[0];
    let mut m = PoolModel::new(design, assets, t0, turbo, bear);
    m.metrics.design = design.name.to_string();
    let mut rng = ChaCha8Rng::seed_from_u64(flows.seed);
    let prices_at = |i: usize| -> Vec<u64> { assets.iter().map(|a| a.path.price[i]).collect() };
    let mut series = vec![(0.0, 1.0)];
    let (mut peak, mut max_dd) = (LP_DEPOSIT, 0.0f64);
    let mut cap_days = std::collections::BTreeSet::new();
    let weights: Vec<f64> = m.vaults.iter().map(|v| if v.turbo { 3.0 } else { 1.0 }).collect();
    let total_w: f64 = weights.iter().sum();
    let (ln_lo, ln_hi) = ((flows.size_lo as f64).ln(), (flows.size_hi as f64).ln());
    for step in 1..n {
        let t = time[step];
        let dt = t - time[step - 1];
        let prices = prices_at(step);
        let until = time.get(step + 1).copied().unwrap_or(t + dt);
        m.keepers(&prices, t, until, dt);
        m.arbitrage(&prices, t);

        // Exits first: drawdown, rally or time.
        let mut k = 0;
        while k < m.holders.len() {
            let h = &m.holders[k];
            let value = m.value_of(h.vault, h.shares, prices[m.vaults[h.vault].asset]);
            let peak_value = h.peak.max(value);
            let exit = (value as f64) <= peak_value as f64 * (1.0 - flows.stop_loss)
                || (value as f64) >= h.paid as f64 * (1.0 + flows.take_profit)
                || (t - h.since) as f64 >= flows.max_hold_days * 86_400.0;
            if exit {
                let h = m.holders.swap_remove(k);
                if let Some(out) = m.redeem(h.vault, h.shares, prices[m.vaults[h.vault].asset], t) {
                    m.metrics.holders_out += out;
                    m.metrics.redeems += 1;
                }
            } else {
                m.holders[k].peak = peak_value;
                k += 1;
            }
        }

        // Arrivals: a Poisson number for this step's length.
        let lambda = flows.arrivals_per_day * dt.max(0) as f64 / 86_400.0;
        let (mut arrivals, mut u, limit) = (0u32, rng.random::<f64>(), (-lambda).exp());
        while u > limit && arrivals < 1_000 {
            arrivals += 1;
            u *= rng.random::<f64>();
        }
        for _ in 0..arrivals {
            let mut pick = rng.random::<f64>() * total_w;
            let mut i = 0;
            while pick >= weights[i] && i + 1 < weights.len() {
                pick -= weights[i];
                i += 1;
            }
            let usdc = (ln_lo + rng.random::<f64>() * (ln_hi - ln_lo)).exp() as u64;
            match m.mint(i, usdc, prices[m.vaults[i].asset], t) {
                Ok(shares) => {
                    let value = m.value_of(i, shares, prices[m.vaults[i].asset]);
                    m.holders.push(Holder { vault: i, shares, paid: usdc, peak: value, since: t });
                    m.metrics.holders_in += usdc;
                    m.metrics.mints += 1;
                }
                Err(at_cap) => {
                    if at_cap {
                        m.metrics.mints_refused += 1;
                        m.metrics.refused_usd += usdc;
                        cap_days.insert((t - t0) / 86_400);
                    }
                }
            }
        }

        let v = m.lp_value(&prices, t);
        for (a, _) in &m.custodies {
            let book = m.pool.assets[m.slots[*a] as usize].book();
            if book.long_heavy() && v > 0 {
                m.metrics.peak_net_per_lp = m.metrics.peak_net_per_lp.max(book.net().0 as f64 / v as f64);
            }
        }
        peak = peak.max(v);
        max_dd = max_dd.max(1.0 - v as f64 / peak as f64);
        m.metrics.max_claims_owed = m.metrics.max_claims_owed.max(m.pool.claims_owed);
        series.push(((t - t0) as f64 / 86_400.0, v as f64 / LP_DEPOSIT as f64));
    }
    let end = prices_at(n - 1);
    let value = m.lp_value(&end, time[n - 1]);
    let basket_return = m.basket_value(&end) as f64 / LP_DEPOSIT as f64 - 1.0;
    let mt = &mut m.metrics;
    mt.days = (time[n - 1] - t0) as f64 / 86_400.0;
    mt.lp_return = value as f64 / LP_DEPOSIT as f64 - 1.0;
    mt.lp_max_drawdown = max_dd;
    mt.days_at_cap = cap_days.len() as u32;
    mt.unpaid_gains = m.pool.unpaid_gains;
    mt.bad_debt = m.pool.bad_debt_absorbed;
    mt.lp_fees = m.pool.lp_fees_usdc;
    mt.funding = m.pool.funding_earned;
    mt.treasury_fees = m.pool.treasury_usdc;
    let twl = |(num, den): (u128, u128)| if den == 0 { 0.0 } else { num as f64 / den as f64 / 1e6 };
    mt.twl =
        m.vaults.iter().filter(|v| v.turbo).map(|v| (assets[v.asset].symbol.to_string(), twl(v.lev_time), twl(v.lev_time_free))).collect();
    mt.in_band = m
        .vaults
        .iter()
        .map(|v| {
            let side = if v.turbo { "+3" } else { "-2" };
            let share = if v.band_time.1 == 0 { 1.0 } else { v.band_time.0 as f64 / v.band_time.1 as f64 };
            (format!("{}{side}", assets[v.asset].symbol), share)
        })
        .collect();
    mt.hedge_fees = m.pool.hedges.iter().map(|h| h.fees_earned).sum();
    mt.long_funding = m.vaults.iter().filter(|v| v.hedgeable && v.turbo).map(|v| v.vault.funding_paid).sum();
    mt.basket_return = basket_return;
    if let (Some(h), Some(v)) = (design.hedge, m.vaults.iter().find(|v| v.turbo && custody_decimals(assets[v.asset].symbol).is_some())) {
        let _ = h;
        let target = turbo_math::Lev(v.vault.params.target_leverage);
        let c = &m.pool.caps;
        let cap = turbo_math::gap_cap(
            turbo_math::Usd(value),
            turbo_math::Bps(c.gap_budget_bps as u64),
            turbo_math::Bps(c.stress_gap_bps as u64),
            target,
        );
        mt.gap_cap_per_lp = cap.ok().flatten().map_or(0.0, |g| g.0 as f64 / value.max(1) as f64);
    }
    (LpRun { metrics: m.metrics.clone(), lp_value: series }, m)
}

/// Run every design and return the runs with the model of the last (for checks).
pub fn study(designs: &[Design], assets: &[Asset], flows: &Flows, turbo: VaultParams, bear: VaultParams) -> Vec<LpRun> {
    designs.iter().map(|d| run(d, assets, flows, turbo, bear)).collect()
}

/// Align several price paths on their common times (an inner join), in time order.
pub fn align(paths: &[Path]) -> Vec<Path> {
    use std::collections::BTreeMap;
    let mut count: BTreeMap<i64, usize> = BTreeMap::new();
    for p in paths {
        for t in &p.time {
            *count.entry(*t).or_default() += 1;
        }
    }
    let common: Vec<i64> = count.into_iter().filter(|(_, c)| *c == paths.len()).map(|(t, _)| t).collect();
    paths
        .iter()
        .map(|p| {
            let at: BTreeMap<i64, u64> = p.time.iter().copied().zip(p.price.iter().copied()).collect();
            Path { time: common.clone(), price: common.iter().map(|t| at[t]).collect() }
        })
        .collect()
}

/// A markdown table of the study's runs on one file.
pub fn markdown(title: &str, runs: &[LpRun]) -> String {
    let mut s = format!("#### {title}\n\n| design | LP return | LP max drawdown | days at a cap | mints refused | unpaid gains | bad debt | Turbo time-weighted leverage (when no cap binds) | pool fees (LP share) + funding |\n|---|---:|---:|---:|---:|---:|---:|---|---:|\n");
    for r in runs {
        let m = &r.metrics;
        let twl: Vec<String> = m.twl.iter().map(|(s, all, free)| format!("{s} {all:.2}x ({free:.2}x)")).collect();
        s.push_str(&format!(
            "| {} | {:+.1}% | {:.1}% | {} of {:.0} | {} of {} (${:.0}k) | ${:.0} | ${:.0} | {} | ${:.0}k + ${:.0}k |\n",
            m.design,
            m.lp_return * 100.0,
            m.lp_max_drawdown * 100.0,
            m.days_at_cap,
            m.days,
            m.mints_refused,
            m.mints + m.mints_refused,
            m.refused_usd as f64 / 1e9,
            m.unpaid_gains as f64 / 1e6,
            m.bad_debt as f64 / 1e6,
            twl.join(", "),
            m.lp_fees as f64 / 1e9,
            m.funding as f64 / 1e9,
        ));
    }
    s
}

/// An SVG chart of LP value over time for every design.
pub fn chart(out: &std::path::Path, title: &str, runs: &[LpRun], font: Option<&std::path::Path>) -> Result<(), String> {
    use plotters::prelude::*;
    crate::report::register_font(font)?;
    let e = |e: &dyn std::fmt::Display| e.to_string();
    let days = runs.iter().flat_map(|r| r.lp_value.last().map(|p| p.0)).fold(1e-9f64, f64::max);
    let (lo, hi) = runs.iter().flat_map(|r| r.lp_value.iter().map(|p| p.1)).fold((f64::MAX, f64::MIN), |(a, b), v| (a.min(v), b.max(v)));
    let root = SVGBackend::new(out, (1200, 600)).into_drawing_area();
    root.fill(&WHITE).map_err(|x| e(&x))?;
    let mut c = crate::report::frame(&root, title).build_cartesian_2d(0.0..days, (lo * 0.95).max(0.0)..hi * 1.05).map_err(|x| e(&x))?;
    c.configure_mesh().x_desc("days").y_desc("LP value, deposit = 1").draw().map_err(|x| e(&x))?;
    let palette = [RGBColor(120, 120, 120), RGBColor(31, 119, 180), RGBColor(214, 39, 40)];
    for (k, r) in runs.iter().enumerate() {
        let color = palette[k % palette.len()];
        let stride = (r.lp_value.len() / 2_000).max(1);
        let pts: Vec<(f64, f64)> = r.lp_value.iter().step_by(stride).copied().chain(r.lp_value.last().copied()).collect();
        c.draw_series(LineSeries::new(pts, color.stroke_width(2)))
            .map_err(|x| e(&x))?
            .label(r.metrics.design.clone())
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], color.stroke_width(3)));
    }
    crate::report::finish(&mut c, &root)
}

/// A 3x perpetual's funding, a year of notional: the perpetual exchanges' default rate of 0.01%
/// every 8 hours (the interest leg longs pay in a calm market), 10.95% a year.
pub const PERP_FUNDING_A_YEAR: f64 = 0.1095;

impl LpMetrics {
    /// What the hedgeable long vaults paid for their exposure (the hedge's utilization fee and
    /// any skew funding) per year of notional.
    pub fn hedge_cost(&self) -> f64 {
        if self.long_notional_years <= 0.0 {
            return 0.0;
        }
        (self.hedge_fees + self.long_funding) as f64 / self.long_notional_years
    }

    /// The share of the time the hedgeable assets' vaults (Turbo and Bear on BTC and SOL) spent
    /// in their bands: the lowest of them.
    pub fn worst_in_band(&self) -> f64 {
        self.in_band.iter().filter(|(n, _)| n.starts_with("BTC") || n.starts_with("SOL")).map(|(_, s)| *s).fold(1.0, f64::min)
    }

    /// The share of the mint volume asked that was refused.
    pub fn refused_share(&self) -> f64 {
        if self.asked_usd == 0 {
            return 0.0;
        }
        self.refused_usd as f64 / self.asked_usd as f64
    }
}

/// The hedged pool's goals (issue 21), each with its verdict: the vaults in band 99% of the time,
/// at least 0.5 of net 3x notional per LP dollar, under 10% of mints refused, no unpaid gains, a
/// drawdown under 30%, and a hedge cheaper than a perpetual's funding.
pub fn hedge_goals(m: &LpMetrics) -> [(&'static str, bool); 6] {
    [
        ("in band ≥ 99%", m.worst_in_band() >= 0.99),
        ("capacity ≥ 0.5", m.gap_cap_per_lp >= 0.5),
        ("refused < 10%", m.refused_share() < 0.10),
        ("no unpaid gains", m.unpaid_gains == 0),
        ("drawdown < 30%", m.lp_max_drawdown < 0.30),
        ("cheaper than a perp", m.hedge_cost() < PERP_FUNDING_A_YEAR),
    ]
}

/// A markdown table of the hedged study's runs on one file: each design at each demand.
pub fn hedge_markdown(title: &str, runs: &[(f64, LpRun)]) -> String {
    let mut s = format!(
        "#### {title}\n\n| design | demand | LP return | holding the starting basket | LP max drawdown | mints refused (of volume) | unpaid gains | bad debt | time in band | Turbo time-weighted leverage | the holders' cost a year of notional (a perp: 10.95%) | net 3x notional per LP $: gap cap (peak used) | arbitrage swaps |\n|---|---:|---:|---:|---:|---:|---:|---:|---|---|---:|---:|---:|\n"
    );
    for (demand, r) in runs {
        let m = &r.metrics;
        let band: Vec<String> = m.in_band.iter().map(|(n, v)| format!("{n} {:.1}%", v * 100.0)).collect();
        let twl: Vec<String> = m.twl.iter().map(|(n, all, _)| format!("{n} {all:.2}x")).collect();
        let cap = if m.gap_cap_per_lp > 0.0 {
            format!("{:.2} ({:.2})", m.gap_cap_per_lp, m.peak_net_per_lp)
        } else {
            format!("— ({:.2})", m.peak_net_per_lp)
        };
        s.push_str(&format!(
            "| {} | {demand:.0}x | {:+.1}% | {:+.1}% | {:.1}% | {} of {} ({:.0}%) | ${:.0} | ${:.0} | {} | {} | {:.2}% | {cap} | {} |\n",
            m.design,
            m.lp_return * 100.0,
            m.basket_return * 100.0,
            m.lp_max_drawdown * 100.0,
            m.mints_refused,
            m.mints + m.mints_refused,
            m.refused_share() * 100.0,
            m.unpaid_gains as f64 / 1e6,
            m.bad_debt as f64 / 1e6,
            band.join(", "),
            twl.join(", "),
            m.hedge_cost() * 100.0,
            m.arb_swaps,
        ));
    }
    s
}

/// One point of the hedged sweep.
#[derive(Clone, Debug, Serialize)]
pub struct HedgePoint {
    pub max_util_bps: u16,
    pub util_slope_bps: u16,
    pub gap_budget_bps: u16,
    pub worst_in_band: f64,
    pub worst_drawdown: f64,
    pub unpaid: u64,
    pub refused_share: f64,
    pub mean_cost: f64,
    pub capacity: f64,
    pub goals_met: u32,
}

/// Sweep the utilization cap, the fee's slope and the gap budget over every scenario at today's
/// demand: the trade-off the hedged defaults are chosen from.
pub fn hedge_sweep(
    scenarios: &[(String, Vec<Asset>)],
    flows: &Flows,
    caps: PoolCaps,
    hedge: HedgeSetup,
    turbo: VaultParams,
    bear: VaultParams,
) -> (String, Vec<HedgePoint>) {
    let mut points = Vec::new();
    for max_util in [8_000u16, 9_000, 9_500] {
        for slope in [0u16, 400, 1_000] {
            for gap in [500u16, 1_000, 2_000] {
                let params = CustodyParams {
                    max_util_bps: max_util,
                    util_slope_bps: slope,
                    target_util_bps: hedge.params.target_util_bps.min(max_util),
                    ..hedge.params
                };
                let design = Design {
                    name: "sweep",
                    caps: PoolCaps { gap_budget_bps: gap, funding_max_bps_per_day: 0, ..caps },
                    hedge: Some(HedgeSetup { params, ..hedge }),
                };
                let runs: Vec<LpMetrics> = scenarios
                    .iter()
                    .filter(|(_, a)| a.iter().any(|x| custody_decimals(x.symbol).is_some()))
                    .map(|(_, a)| run(&design, a, flows, turbo, bear).metrics)
                    .collect();
                let n = runs.len().max(1) as f64;
                points.push(HedgePoint {
                    max_util_bps: max_util,
                    util_slope_bps: slope,
                    gap_budget_bps: gap,
                    worst_in_band: runs.iter().map(|m| m.worst_in_band()).fold(1.0, f64::min),
                    worst_drawdown: runs.iter().map(|m| m.lp_max_drawdown).fold(0.0, f64::max),
                    unpaid: runs.iter().map(|m| m.unpaid_gains).sum(),
                    refused_share: runs.iter().map(|m| m.refused_share()).sum::<f64>() / n,
                    mean_cost: runs.iter().map(|m| m.hedge_cost()).sum::<f64>() / n,
                    capacity: runs.iter().map(|m| m.gap_cap_per_lp).fold(f64::MAX, f64::min),
                    goals_met: runs.iter().map(|m| hedge_goals(m).iter().filter(|(_, ok)| *ok).count() as u32).sum(),
                });
            }
        }
    }
    let mut s = String::from(
        "| utilization cap | fee slope | gap budget | lowest time in band | worst LP drawdown | unpaid gains | mints refused (mean share of volume) | the holders' cost a year (mean) | capacity per LP $ (lowest) | goals met (of 6 per file) |\n|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n",
    );
    for p in &points {
        s.push_str(&format!(
            "| {}% | {}% | {}% | {:.1}% | {:.1}% | ${:.0} | {:.0}% | {:.2}% | {:.2} | {} |\n",
            p.max_util_bps / 100,
            p.util_slope_bps as f64 / 100.0,
            p.gap_budget_bps as f64 / 100.0,
            p.worst_in_band * 100.0,
            p.worst_drawdown * 100.0,
            p.unpaid as f64 / 1e6,
            p.refused_share * 100.0,
            p.mean_cost * 100.0,
            p.capacity,
            p.goals_met
        ));
    }
    (s, points)
}

/// One point of the sweep: a risk-cap budget and a funding rate, and how every scenario fared.
#[derive(Clone, Debug, Serialize)]
pub struct SweepPoint {
    pub max_daily_loss_bps: u16,
    pub funding_bps_per_day: u16,
    /// Scenarios with unpaid gains, and the sum.
    pub unpaid_files: u32,
    pub unpaid: u64,
    pub worst_drawdown: f64,
    /// The lowest time-weighted leverage of Turbo BTC and Turbo SOL while no cap bound them.
    pub lowest_free_twl: f64,
    pub mean_lp_return: f64,
    pub refused: u32,
    pub bad_debt: u64,
    pub meets_goals: bool,
}

/// The goals for the defaults (issue 14): no unpaid gains, LP value never under half its
/// running peak, and Turbo BTC and SOL at 2.5x or more, time-weighted, whenever no cap binds.
pub fn meets_goals(runs: &[LpMetrics]) -> bool {
    runs.iter().all(|m| {
        m.unpaid_gains == 0
            && m.lp_max_drawdown <= 0.5
            && m.twl.iter().filter(|(s, _, _)| s == "BTC" || s == "SOL").all(|(_, _, free)| *free >= 2.5 || *free == 0.0)
    })
}

/// Sweep the risk cap's loss budget and the funding rate over every scenario, as a markdown
/// table: the trade-off the defaults are chosen from.
pub fn sweep(scenarios: &[(String, Vec<Asset>)], flows: &Flows, base: PoolCaps, turbo: VaultParams, bear: VaultParams) -> String {
    let mut points = Vec::new();
    for loss in [0u16, 100, 250, 500, 1_000, 2_000] {
        for funding in [0u16, 10, 25, 50, 100] {
            let caps = PoolCaps { max_daily_loss_bps: loss, funding_max_bps_per_day: funding, ..base };
            let design = Design { name: "sweep", caps, hedge: None };
            let runs: Vec<LpMetrics> = scenarios.iter().map(|(_, a)| run(&design, a, flows, turbo, bear).metrics).collect();
            let free: Vec<f64> = runs
                .iter()
                .flat_map(|m| m.twl.iter().filter(|(s, _, _)| s == "BTC" || s == "SOL").map(|(_, _, f)| *f))
                .filter(|f| *f > 0.0)
                .collect();
            points.push(SweepPoint {
                max_daily_loss_bps: loss,
                funding_bps_per_day: funding,
                unpaid_files: runs.iter().filter(|m| m.unpaid_gains > 0).count() as u32,
                unpaid: runs.iter().map(|m| m.unpaid_gains).sum(),
                worst_drawdown: runs.iter().map(|m| m.lp_max_drawdown).fold(0.0, f64::max),
                lowest_free_twl: free.iter().copied().fold(f64::MAX, f64::min),
                mean_lp_return: runs.iter().map(|m| m.lp_return).sum::<f64>() / runs.len() as f64,
                refused: runs.iter().map(|m| m.mints_refused).sum(),
                bad_debt: runs.iter().map(|m| m.bad_debt).sum(),
                meets_goals: meets_goals(&runs),
            });
        }
    }
    let mut s = String::from(
        "| risk cap: loss budget for a 3σ day | funding at the cap | files with unpaid gains (sum) | worst LP drawdown | lowest Turbo BTC/SOL leverage when no cap binds | mean LP return | mints refused | bad debt | all three goals |\n|---:|---:|---:|---:|---:|---:|---:|---:|---|\n",
    );
    for p in &points {
        s.push_str(&format!(
            "| {} | {} bps/day | {} (${:.0}) | {:.1}% | {:.2}x | {:+.1}% | {} | ${:.0} | {} |\n",
            if p.max_daily_loss_bps == 0 { "off".to_string() } else { format!("{:.0}% of the pool", p.max_daily_loss_bps as f64 / 100.0) },
            p.funding_bps_per_day,
            p.unpaid_files,
            p.unpaid as f64 / 1e6,
            p.worst_drawdown * 100.0,
            p.lowest_free_twl,
            p.mean_lp_return * 100.0,
            p.refused,
            p.bad_debt as f64 / 1e6,
            if p.meets_goals { "yes" } else { "no" },
        ));
    }
    s
}

/// The worst gap in each scenario and what it costs at the defaults (docs/economics.md, "Worst
/// case"): the largest move between two rows each way, a Turbo (3x) and a Bear (−2x) holder's
/// loss if it lands before the keeper can act, and the most an LP can lose on it when the asset's
/// net exposure sits at the risk cap with σ at its floor (the loosest the cap gets).
pub fn worst_case(scenarios: &[(String, Vec<Asset>)], caps: PoolCaps) -> String {
    let floor_daily = turbo_math::daily_from_annual_vol_bps(caps.vol_floor_bps as u64) as f64 / 10_000.0;
    let z = caps.risk_z_centi as f64 / 100.0;
    let loose = (caps.max_daily_loss_bps as f64 / 10_000.0 / (z * floor_daily)).min(caps.net_cap_bps as f64 / 10_000.0);
    let mut s = format!(
        "At the defaults the net exposure on one asset is at most {:.1}% of the pool's value (the risk cap with σ at its {:.0}%-a-year floor; a more volatile asset gets less), so a gap of g costs the LPs at most {:.1}% × g. A Turbo vault at the top of its band (3.0x) is wiped out by a 33% fall that lands between two keeper calls, and one at the emergency level (4x) by 25%; Bear (−2x, emergency 3x) by a 50% (33%) rise. The pool is wiped out by a gap of {:.0}% on one asset at its cap, or of {:.0}% on all three localnet assets at their caps at once.\n\n| file | rows | worst fall between rows | worst rise | a Turbo 3x holder loses on the worst fall | a Bear −2x holder loses on the worst rise | the most the LPs lose on the worst gap |\n|---|---:|---:|---:|---:|---:|---:|\n",
        loose * 100.0,
        caps.vol_floor_bps as f64 / 100.0,
        loose * 100.0,
        100.0 / loose,
        100.0 / loose / 3.0,
    );
    for (name, assets) in scenarios {
        for a in assets {
            let (mut fall, mut rise) = (0.0f64, 0.0f64);
            for w in a.path.price.windows(2) {
                let r = w[1] as f64 / w[0] as f64 - 1.0;
                fall = fall.min(r);
                rise = rise.max(r);
            }
            let lp = loose * fall.abs().max(rise);
            s.push_str(&format!(
                "| {name} ({}) | {} | {:.1}% | {:+.1}% | {:.1}% | {:.1}% | {:.1}% |\n",
                a.symbol,
                a.path.len(),
                fall * 100.0,
                rise * 100.0,
                (3.0 * -fall).min(1.0) * 100.0,
                (2.0 * rise).min(1.0) * 100.0,
                lp * 100.0
            ));
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bundled(file: &str) -> Path {
        let text =
            std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data").join(file)).expect("bundled data");
        Path::from_points(&turbo_sdk::series::parse_csv(&text).expect("parses"))
    }

    /// The study's pool conserves value over a seeded run with the whole localnet pool: every
    /// token is where the books say (deposits less withdrawals and bounties, to the unit), and the
    /// LPs' value, the vaults' NAV and the treasury's fees add up to those tokens (to the unit):
    /// what holders gain, the LPs lose, and nothing else moves value.
    #[test]
    fn the_studys_pool_conserves_value_to_the_unit() {
        let paths = align(&[
            bundled("btc_usdt_3m_2024q4_head2400.csv"),
            bundled("sol_usdt_3m_2024q4_head2400.csv"),
            bundled("fet_usdt_3m_2024q4_head2400.csv"),
        ]);
        let assets: Vec<Asset> =
            ["BTC", "SOL", "FET"].into_iter().zip(paths).map(|(s, path)| Asset { symbol: s, path, bear: s != "FET" }).collect();
        let caps = turbo_sdk::defaults::pool_caps();
        let (turbo, bear) = (turbo_sdk::defaults::turbo_params(), turbo_sdk::defaults::bear_params());
        let hedged = hedged_designs(caps, 25, HedgeSetup::defaults())[1];
        for design in designs(PoolCaps { funding_max_bps_per_day: 25, ..caps }, 25).into_iter().chain([hedged]) {
            let flows =
                Flows { seed: 7, arrivals_per_day: 200.0, stop_loss: 0.05, take_profit: 0.1, max_hold_days: 1.0, ..Flows::default() };
            let (run, m) = run_model(&design, &assets, &flows, turbo, bear);
            let mt = m.metrics();
            assert!(mt.mints > 50 && mt.redeems > 10, "{}: the flows did something: {mt:?}", design.name);
            // USDC: the LPs' (less what came as the basket's tokens), the seeds, what holders paid
            // in less what they took out, bounties, and the arbitrageur's swaps.
            let usdc_in = m.basket.0 + m.seeds() + mt.holders_in + mt.arb_usdc_in;
            assert_eq!(m.tokens(), usdc_in - mt.holders_out - mt.bounties - mt.arb_usdc_out, "{}: tokens", design.name);
            // Each custody: the basket's tokens and the arbitrageur's, to the unit.
            for (a, _) in &m.custodies {
                let owned = m.pool.hedges[m.slots[*a] as usize].owned;
                assert_eq!(owned, m.basket.1[*a] + mt.arb_tokens_in[*a] - mt.arb_tokens_out[*a], "{}: custody {a}", design.name);
            }
            let last = assets[0].path.len() - 1;
            let prices: Vec<u64> = assets.iter().map(|a| a.path.price[last]).collect();
            let t = assets[0].path.time[last];
            let held = m.tokens() + m.custody_value(&prices);
            assert_eq!(m.lp_value(&prices, t) + m.vaults_nav(&prices) + m.treasury(), held, "{}: value", design.name);
            if design.hedge.is_some() {
                assert!(mt.arb_swaps > 0 && !m.custodies.is_empty(), "the arbitrageur traded: {mt:?}");
            }
            assert_eq!(run.lp_value.len(), last + 1);
        }
    }
}
