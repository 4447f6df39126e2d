//! Previews of what an instruction will do, computed by the program's own engine on decoded
//! copies of the accounts: the same refusals in the same order (the instruction's checks, the
//! oracle gate, then the engine), the same new state, the same events. A preview can only
//! disagree with the chain if the accounts or the clock change before the transaction lands;
//! `tests/tests/bank/preview.rs` checks that on random deployments.

use anchor_lang::prelude::{Pubkey, Result};
use turbo::engine::lp::{self, DepositPlan, DepositRequest, Lean, Valued, Valuing, WithdrawPlan, WithdrawRequest};
use turbo::engine::rebalance::{check_rebalance, plan, RebalanceCall, RebalancePlan};
use turbo::engine::settle;
use turbo::engine::trade::{self, MintPlan, MintRequest, RedeemPlan, RedeemRequest};
use turbo::oracle::{Caller, PriceSource};
use turbo::state::{Config, Pool, Vault};
use turbo_math::{Prices, Shares};

/// The clock a preview assumes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct At {
    pub unix_timestamp: i64,
    pub slot: u64,
}

fn clock(at: At) -> anchor_lang::prelude::Clock {
    anchor_lang::prelude::Clock { slot: at.slot, unix_timestamp: at.unix_timestamp, ..Default::default() }
}

/// The price accounts an instruction is given (`None`: the account is left out).
#[derive(Clone, Copy, Default)]
pub struct PriceAccounts<'a> {
    pub asset: Option<&'a PriceSource>,
    pub crt: Option<&'a PriceSource>,
}

/// A previewed instruction on one vault: the plan, and the pool and vault as the program would
/// leave them.
#[derive(Clone, Debug)]
pub struct Preview<P> {
    pub plan: P,
    pub pool: Pool,
    pub vault: Vault,
}

/// A previewed LP instruction: the plan and the pool as the program would leave it.
#[derive(Clone, Debug)]
pub struct PoolPreview<P> {
    pub plan: P,
    pub pool: Pool,
}

/// Read both prices for `vault` through the program's oracle gate for `caller`, recording them
/// in `pool`'s price marks as the program would (pass a copy).
pub fn prices(
    config: &Config,
    pool: &mut Pool,
    vault: &Vault,
    asset: &PriceSource,
    crt: &PriceSource,
    at: At,
    caller: Caller,
) -> Result<Prices> {
    settle::read_prices(vault, pool, config, Some(asset), Some(crt), true, &clock(at), caller)
}

/// The prices a redeem of `vault` reads: the hard confidence bound, CRT only when the vault holds
/// some, none at all for a retired vault.
pub fn redeem_prices(config: &Config, pool: &mut Pool, vault: &Vault, asset: &PriceSource, crt: &PriceSource, at: At) -> Result<Prices> {
    settle::read_prices(vault, pool, config, Some(asset), Some(crt), false, &clock(at), Caller::Redeemer)
}

/// The decoded accounts an instruction on one vault reads.
#[derive(Clone, Copy)]
pub struct VaultState<'a> {
    pub config: &'a Config,
    pub pool: &'a Pool,
    pub vault: &'a Vault,
    /// The vault's address.
    pub key: Pubkey,
    /// Its token's raw supply.
    pub supply: u64,
}

impl VaultState<'_> {
    /// Copies of the pool and the vault, with the prices read through the gate for `caller` at
    /// `at` recorded in the pool's marks as the program records them.
    fn priced(&self, p: PriceAccounts, at: At, need_crt: bool, caller: Caller) -> Result<(Pool, Vault, Prices)> {
        let (mut pool, vault) = (*self.pool, *self.vault);
        let px = settle::read_prices(&vault, &mut pool, self.config, p.asset, p.crt, need_crt, &clock(at), caller)?;
        Ok((pool, vault, px))
    }
}

/// What a mint would do at `at`: the instruction's own refusals, the oracle gate, then the
/// engine, on copies of the accounts.
pub fn mint(s: VaultState, p: PriceAccounts, at: At, req: &MintRequest) -> Result<Preview<MintPlan>> {
    trade::check_mint(s.config, s.vault, req, at.unix_timestamp)?;
    let (mut pool, mut vault, px) = s.priced(p, at, true, Caller::User)?;
    let plan = trade::mint(s.config, &mut pool, &mut vault, s.key, Shares(s.supply), &px, req)?;
    Ok(Preview { plan, pool, vault })
}

/// What a redeem would do at `at`.
pub fn redeem(s: VaultState, p: PriceAccounts, at: At, req: &RedeemRequest) -> Result<Preview<RedeemPlan>> {
    trade::check_redeem(s.config, s.vault, req, at.unix_timestamp)?;
    let (mut pool, mut vault, px) = s.priced(p, at, false, Caller::Redeemer)?;
    let plan = trade::redeem(s.config, &mut pool, &mut vault, s.key, Shares(s.supply), &px, req)?;
    Ok(Preview { plan, pool, vault })
}

/// What `rebalance` would do at `at` (`call.now` is the clock the program will see).
pub fn rebalance(s: VaultState, p: PriceAccounts, at: At, call: &RebalanceCall) -> Result<Preview<RebalancePlan>> {
    check_rebalance(s.config, s.vault, at.unix_timestamp)?;
    let (mut pool, mut vault, px) = s.priced(p, at, true, Caller::Keeper)?;
    let plan = plan(s.config, &mut pool, &mut vault, Shares(s.supply), &px, call)?;
    Ok(Preview { plan, pool, vault })
}

/// The price updates an LP instruction is given: every registered vault with the key and contents
/// of the price update it names, then every custody's (in asset order), and CRT's.
#[derive(Clone, Copy)]
pub struct PoolPrices<'a> {
    pub vaults: &'a [(&'a Vault, Pubkey, &'a PriceSource)],
    pub custodies: &'a [Custodied<'a>],
    pub crt: &'a PriceSource,
}

/// The pool's valuation leaning `lean`, as an LP instruction computes it from `prices`, through
/// the user gate at `at`. `pool` is a copy and comes back with the prices recorded.
pub fn value_pool(config: &Config, pool: &mut Pool, prices: &PoolPrices, lean: Lean, lp_supply: u64, at: At) -> Result<Valued> {
    let clock = clock(at);
    let mut v = Valuing::begin(config, pool, prices.crt, lean, &clock)?;
    for (vault, key, update) in prices.vaults {
        v.add(config, pool, vault, *key, update, &clock)?;
    }
    for (i, key, update) in prices.custodies {
        v.add_custody(config, pool, *i, *key, update, &clock)?;
    }
    v.finish(lp_supply)
}

/// A custody's asset slot and the price account (and its decoded update) that values it.
pub type Custodied<'a> = (usize, Pubkey, &'a PriceSource);

/// Borrow owned custody prices as [`Custodied`] items.
pub fn custodied(prices: &[(usize, Pubkey, PriceSource)]) -> Vec<Custodied<'_>> {
    prices.iter().map(|(i, key, update)| (*i, *key, update)).collect()
}

/// What an LP deposit would do: its refusals, the valuation (high), then the engine.
pub fn lp_deposit(
    config: &Config,
    pool: &Pool,
    prices: &PoolPrices,
    lp_supply: u64,
    at: At,
    req: &DepositRequest,
) -> Result<PoolPreview<DepositPlan>> {
    lp::check_deposit(config, req)?;
    let mut pool = *pool;
    let valued = value_pool(config, &mut pool, prices, Lean::DEPOSIT, lp_supply, at)?;
    let plan = lp::deposit(config, &mut pool, &valued, lp_supply, req)?;
    Ok(PoolPreview { plan, pool })
}

/// What an LP withdrawal would do: its refusals, the valuation (low), then the engine.
pub fn lp_withdraw(
    config: &Config,
    pool: &Pool,
    prices: &PoolPrices,
    lp_supply: u64,
    at: At,
    req: &WithdrawRequest,
) -> Result<PoolPreview<WithdrawPlan>> {
    lp::check_withdraw(config, req, at.unix_timestamp)?;
    let mut pool = *pool;
    let valued = value_pool(config, &mut pool, prices, Lean::withdrawal(req.allow_unpriced), lp_supply, at)?;
    let plan = lp::withdraw(config, &mut pool, &valued, lp_supply, req)?;
    Ok(PoolPreview { plan, pool })
}

/// What a swap with a custody would do: its refusals, the asset's price through the user gate,
/// then the engine, on copies.
pub fn swap(
    config: &Config,
    pool: &Pool,
    custody: &turbo::state::Custody,
    custody_key: Pubkey,
    update: &PriceSource,
    at: At,
    req: &turbo::engine::hedge::SwapRequest,
) -> Result<(turbo::engine::hedge::SwapPlan, Pool, turbo::state::Custody)> {
    let clock = clock(at);
    turbo::engine::hedge::check_swap(config, req, at.unix_timestamp)?;
    let (mut pool, mut custody) = (*pool, *custody);
    let i = custody.asset_index as usize;
    let feed_id = pool.assets[i].feed_id;
    let rules = turbo::oracle::PriceRules {
        feed_id: &feed_id,
        max_age_secs: config.params.crt_max_age_secs,
        max_conf_bps: config.params.crt_max_conf_bps,
        fresh_secs: Some(config.params.fresh_price_secs),
        ahead_secs: config.params.fresh_price_secs,
    };
    let px = turbo::oracle::use_price(update, rules, &mut pool.assets[i].mark, config.price_window_span(), &clock)?;
    let plan = turbo::engine::hedge::swap(&mut pool, &mut custody, custody_key, &px, req, at.slot)?;
    Ok((plan, pool, custody))
}

/// What an LP deposit in a custody's token would do: the valuation (high), then the engine.
#[allow(clippy::too_many_arguments)]
pub fn custody_deposit(
    config: &Config,
    pool: &Pool,
    custody: &turbo::state::Custody,
    custody_key: Pubkey,
    prices: &PoolPrices,
    lp_supply: u64,
    at: At,
    req: &turbo::engine::hedge::CustodyLpRequest,
) -> Result<PoolPreview<turbo::engine::hedge::CustodyDepositPlan>> {
    turbo::engine::hedge::check_custody_deposit(config, req)?;
    let (mut pool, mut custody) = (*pool, *custody);
    let valued = value_pool(config, &mut pool, prices, Lean::DEPOSIT, lp_supply, at)?;
    let plan = turbo::engine::hedge::deposit(config, &mut pool, &mut custody, custody_key, &valued, lp_supply, req, at.slot)?;
    Ok(PoolPreview { plan, pool })
}

/// What an LP withdrawal in a custody's token would do: the valuation (low), then the engine.
#[allow(clippy::too_many_arguments)]
pub fn custody_withdraw(
    config: &Config,
    pool: &Pool,
    custody: &turbo::state::Custody,
    custody_key: Pubkey,
    prices: &PoolPrices,
    lp_supply: u64,
    at: At,
    req: &turbo::engine::hedge::CustodyLpRequest,
) -> Result<PoolPreview<turbo::engine::hedge::CustodyWithdrawPlan>> {
    turbo::engine::hedge::check_custody_withdraw(config, req, at.unix_timestamp)?;
    let (mut pool, mut custody) = (*pool, *custody);
    let valued = value_pool(config, &mut pool, prices, Lean::withdrawal(false), lp_supply, at)?;
    let plan = turbo::engine::hedge::withdraw(&mut pool, &mut custody, custody_key, &valued, lp_supply, req, at.slot)?;
    Ok(PoolPreview { plan, pool })
}

/// The program's own `quote` of a vault at `px` and clock time `now` (docs/design.md §5.7), run on
/// decoded copies: the numbers the web app reads by simulating the instruction.
pub fn quote(
    config: &Config,
    pool: &Pool,
    vault: &Vault,
    key: Pubkey,
    supply: u64,
    px: &Prices,
    now: i64,
) -> Result<turbo::events::VaultQuotedEvent> {
    turbo::engine::rebalance::quote(config, pool, vault, key, Shares(supply), px, now)
}
