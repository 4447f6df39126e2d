//! The pool's value over every registered vault, for LP deposits and withdrawals
//! (docs/design.md §4; docs/decisions.md, "LP valuation"). Every vault of one asset must name the same update (one
//! price per asset); each price goes through the user gate (fresh, never older than one already
//! used for the asset) and is recorded in the asset's mark; the valuation uses the prices
//! widened to the window.

use anchor_lang::prelude::*;
use turbo_math::{
    exposure_cap, lp_shares_for_deposit, lp_value_for_shares, Bias, OraclePrice, PoolValuation, Price, Shares, TokenAmount, Usd,
};

use crate::constants::MAX_ASSETS;
use crate::error::{CheckedExt, MathResultExt, TurboError};
use crate::events::{LiquidityDepositedEvent, LiquidityWithdrawnEvent};
use crate::oracle::{use_price, Caller, PriceRules, PriceSource};
use crate::state::{Config, Pause, Pool, Vault};

pub struct Valued {
    pub valuation: PoolValuation,
    pub crt: OraclePrice,
    /// The price each asset was valued at in this instruction (none for an asset valued
    /// unpriced or not at all): what a payout in a custody's token and the caps read.
    pub asset_prices: [Option<OraclePrice>; MAX_ASSETS],
    /// The pool's value, checked: never negative, and zero only while no LP share exists
    /// (otherwise a deposit would be diluted into shares backed by nothing).
    pub value: Usd,
}

/// Which way a valuation leans (high for a deposit, low for a withdrawal), and whether a
/// withdrawal asked for feeds stale past their maximum age to be valued unpriced.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Lean {
    pub bias: Bias,
    pub allow_unpriced: bool,
}

impl Lean {
    pub const DEPOSIT: Lean = Lean { bias: Bias::High, allow_unpriced: false };

    pub fn withdrawal(allow_unpriced: bool) -> Lean {
        Lean { bias: Bias::Low, allow_unpriced }
    }
}

/// A valuation in progress: the program feeds it the accounts of its remaining accounts, and
/// clients feed it decoded copies, so a preview values the pool exactly as the program does.
pub struct Valuing {
    pub bias: Bias,
    pub valuation: PoolValuation,
    pub crt: OraclePrice,
    /// The update each asset was priced at in this instruction: one per asset.
    priced: [Option<Pubkey>; MAX_ASSETS],
    /// And the price it gave.
    prices: [Option<OraclePrice>; MAX_ASSETS],
    /// The withdrawer asked for feeds stale past their maximum age to be valued unpriced.
    allow_unpriced: bool,
}

/// CRT for a withdrawal while CRT's price is unusable: worth nothing (`lo` is zero) wherever the
/// pool holds it, is owed it or is owed a debt a vault covers with it, and never paid out (a
/// payout that would need CRT is refused with `CrtPriceRequired`). Any live price values the pool
/// higher, so the withdrawer gets no more than a live withdrawal would.
pub const UNPRICED_CRT: OraclePrice = OraclePrice { lo: Price(0), mid: Price(0), hi: Price(u64::MAX), publish_time: 0 };

impl Valuing {
    /// Read CRT through the user gate and value the pool's free balances. For a withdrawal that
    /// asked for it (`allow_unpriced`), a CRT feed stale past its maximum age values CRT at
    /// [`UNPRICED_CRT`], so a dead CRT feed does not lock every LP in.
    pub fn begin(config: &Config, pool: &mut Pool, crt_update: &PriceSource, lean: Lean, clock: &Clock) -> Result<Valuing> {
        let (bias, allow_unpriced) = (lean.bias, lean.allow_unpriced && lean.bias == Bias::Low);
        let span = config.price_window_span();
        let crt = match use_price(crt_update, PriceRules::crt(config, Caller::User), &mut pool.crt_mark, span, clock) {
            Ok(px) => px,
            Err(e) if allow_unpriced && dead(&e) => UNPRICED_CRT,
            Err(e) => return Err(e),
        };
        Ok(Valuing {
            bias,
            valuation: start(config, pool, bias, &crt)?,
            crt,
            priced: [None; MAX_ASSETS],
            prices: [None; MAX_ASSETS],
            allow_unpriced,
        })
    }

    /// Add a registered vault valued at `update` (the account at `update_key`). Every vault of
    /// one asset must name the same update. A retired vault is flat and reads no price. For a
    /// withdrawal that asked for it, a vault whose feed is stale past its maximum age is valued
    /// as owed the most it could be (`PoolValuation::add_vault_unpriced`), so one dead feed does
    /// not lock every LP in, and the withdrawer only gets less (the review's M-3). Any other
    /// refusal of the gate (out of order, not fresh, too uncertain) refuses the withdrawal, so
    /// nobody can push another's withdrawal into that valuation (the second review's N-5).
    pub fn add(
        &mut self,
        config: &Config,
        pool: &mut Pool,
        vault: &Vault,
        update_key: Pubkey,
        update: &PriceSource,
        clock: &Clock,
    ) -> Result<()> {
        if vault.is_retired() {
            return add(&mut self.valuation, config, vault, &crate::engine::settle::retired_prices(vault).asset);
        }
        let i = vault.asset_index as usize;
        match self.priced[i] {
            Some(key) => require_keys_eq!(update_key, key, TurboError::AssetPriceMismatch),
            None => self.priced[i] = Some(update_key),
        }
        let span = config.price_window_span();
        match use_price(update, vault.price_rules(config, Caller::User), &mut pool.assets[i].mark, span, clock) {
            Ok(px) => {
                self.prices[i] = Some(px);
                add(&mut self.valuation, config, vault, &px)
            }
            Err(e) if self.allow_unpriced && dead(&e) => {
                self.valuation.add_vault_unpriced(&vault.book()).or_math()?;
                self.valuation.add_fees_owed(Usd(vault.fees_owed_usdc), TokenAmount(vault.fees_owed_crt), config.lp_fee_share()).or_math()
            }
            Err(e) => Err(e),
        }
    }

    /// Add the custody of asset slot `i` (docs/design.md §5.6): its owned tokens at the asset's
    /// price. An asset a vault already priced in this instruction must name the same update and
    /// keeps that price; one no vault priced (none registered) is read through the user gate with
    /// the config's collateral bounds. For a withdrawal that asked for it, a custody whose feed is
    /// stale past its maximum age is worth nothing (the withdrawer only gets less) and its tokens
    /// are not paid out.
    pub fn add_custody(
        &mut self,
        config: &Config,
        pool: &mut Pool,
        i: usize,
        update_key: Pubkey,
        update: &PriceSource,
        clock: &Clock,
    ) -> Result<()> {
        let hedge = pool.hedges[i];
        let px = match (self.priced[i], self.prices[i]) {
            (Some(key), price) => {
                require_keys_eq!(update_key, key, TurboError::AssetPriceMismatch);
                price
            }
            (None, _) => {
                self.priced[i] = Some(update_key);
                let feed_id = pool.assets[i].feed_id;
                let rules = PriceRules {
                    feed_id: &feed_id,
                    max_age_secs: config.params.crt_max_age_secs,
                    max_conf_bps: config.params.crt_max_conf_bps,
                    fresh_secs: Some(config.params.fresh_price_secs),
                    ahead_secs: config.params.fresh_price_secs,
                };
                match use_price(update, rules, &mut pool.assets[i].mark, config.price_window_span(), clock) {
                    Ok(px) => Some(px),
                    Err(e) if self.allow_unpriced && dead(&e) => None,
                    Err(e) => return Err(e),
                }
            }
        };
        self.prices[i] = px;
        match px {
            Some(px) => self.valuation.add_custody(TokenAmount(hedge.owned), hedge.decimals, &px).or_math(),
            None => Ok(()),
        }
    }

    /// The pool's value, checked: never negative, and, while LP shares exist, positive both at
    /// the biased prices and at the mid prices (so no deposit buys into a pool insolvent now).
    pub fn finish(self, lp_supply: u64) -> Result<Valued> {
        let value = self.valuation.value().map_err(|_| error!(TurboError::PoolInsolvent))?;
        let solvent = value.0 > 0 && self.valuation.solvent_at_mid().or_math()?;
        require!(solvent || lp_supply == 0, TurboError::PoolInsolvent);
        Ok(Valued { valuation: self.valuation, crt: self.crt, asset_prices: self.prices, value })
    }
}

/// Whether a price update failed the gate because its feed is stale past the maximum age: the
/// only refusal that may value a vault (or CRT) unpriced, and only when the withdrawer asked.
fn dead(e: &Error) -> bool {
    matches!(e, Error::AnchorError(a) if a.error_code_number == u32::from(TurboError::StalePrice))
}

/// A valuation of the pool's free balances, before any vault (clients preview with this).
pub fn start(config: &Config, pool: &Pool, bias: Bias, crt: &OraclePrice) -> Result<PoolValuation> {
    let free = pool.free_book()?;
    PoolValuation::new(bias, free.usdc, free.crt, config.crt_decimals, crt).or_math()
}

/// Add what the pool owes `vault` at `px` (its unrealized PnL and its claim; a debt capped at
/// what the vault holds), and the LPs' share of the fees `vault` still holds for the pool
/// (clients preview with this).
pub fn add(valuation: &mut PoolValuation, config: &Config, vault: &Vault, px: &OraclePrice) -> Result<()> {
    valuation.add_vault(&vault.book(), px).or_math()?;
    valuation.add_fees_owed(Usd(vault.fees_owed_usdc), TokenAmount(vault.fees_owed_crt), config.lp_fee_share()).or_math()
}

/// The residual of asset slot `i` (docs/design.md §5.6) at the price it was valued at: its net
/// less what its custody's lock hedges, for a net long; the whole net without a price or a lock.
pub fn residual_at(pool: &Pool, i: usize, px: Option<OraclePrice>) -> Result<Usd> {
    let book = pool.assets[i].book();
    let (net, hedge) = (book.net(), &pool.hedges[i]);
    let hedged = match px {
        Some(px) if hedge.is_enabled() && book.long_heavy() => hedge.book().hedged_value(px.mid).or_math()?.min(net),
        _ => Usd(0),
    };
    Ok(turbo_math::residual(net.signed().or_math()?, hedged))
}

/// Split a withdrawal's value into USDC first, then CRT at its high price (fewer CRT for the
/// withdrawer). Fails if the value is more than the pool may pay out (its free tokens beyond
/// what it owes the vaults; receivables are not money), if its free CRT cannot cover the rest,
/// or if the rest needs CRT and CRT has no price ([`UNPRICED_CRT`]).
pub fn withdrawal_payout(
    pool: &Pool,
    config: &Config,
    valuation: &PoolValuation,
    value_out: Usd,
    crt: &OraclePrice,
) -> Result<(Usd, TokenAmount)> {
    require!(value_out <= valuation.payable().or_math()?, TurboError::PoolLiquidityInsufficient);
    let free = pool.free_book()?;
    let usdc_out = value_out.min(free.usdc);
    let rest = value_out.checked_sub(usdc_out).or_math()?;
    require!(rest.0 == 0 || crt.lo.0 > 0, TurboError::CrtPriceRequired);
    let crt_out = TokenAmount::for_value_floor(rest, config.crt_decimals, crt.hi).or_math()?;
    require!(crt_out <= free.crt, TurboError::PoolLiquidityInsufficient);
    Ok((usdc_out, crt_out))
}

/// What an LP deposit asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DepositRequest {
    pub provider: Pubkey,
    pub usdc: u64,
    pub min_shares_out: u64,
}

/// What an LP withdrawal asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WithdrawRequest {
    pub provider: Pubkey,
    pub shares: u64,
    pub min_usdc_out: u64,
    pub min_crt_out: u64,
    /// Whether the provider named a CRT account.
    pub has_crt_account: bool,
    /// Whether the provider asked for dead feeds to be valued unpriced.
    pub allow_unpriced: bool,
}

/// An LP deposit, decided and booked.
#[derive(Clone, Debug)]
pub struct DepositPlan {
    pub shares_out: Shares,
    pub event: LiquidityDepositedEvent,
}

/// An LP withdrawal, decided and booked.
#[derive(Clone, Debug)]
pub struct WithdrawPlan {
    pub usdc_out: Usd,
    pub crt_out: TokenAmount,
    pub event: LiquidityWithdrawnEvent,
}

/// The refusals of a deposit that need no price.
pub fn check_deposit(config: &Config, req: &DepositRequest) -> Result<()> {
    require!(!config.is_paused(Pause::DEPOSIT, 0), TurboError::DepositPaused);
    require!(req.usdc > 0, TurboError::ZeroAmount);
    Ok(())
}

/// The refusals of a withdrawal that need no price.
pub fn check_withdraw(config: &Config, req: &WithdrawRequest, now: i64) -> Result<()> {
    require!(!config.is_paused(Pause::WITHDRAW, now), TurboError::WithdrawPaused);
    require!(req.shares > 0, TurboError::ZeroAmount);
    Ok(())
}

/// Deposit `req.usdc` into a pool valued (high) at `valued`, with `lp_supply` shares out: shares
/// at that value, rounded down; refuse none and the slippage guard; book the USDC.
pub fn deposit(config: &Config, pool: &mut Pool, valued: &Valued, lp_supply: u64, req: &DepositRequest) -> Result<DepositPlan> {
    let shares = lp_shares_for_deposit(Usd(req.usdc), Shares(lp_supply), valued.value).or_math()?;
    require!(shares.0 > 0, TurboError::MintTooSmall);
    require!(shares.0 >= req.min_shares_out, TurboError::SlippageExceeded);
    pool.usdc_balance = pool.usdc_balance.checked_add(req.usdc).or_overflow()?;
    // From the first money of anyone but the admin on, changes that add risk wait for the
    // timelock (the admin's own seeding of the pool does not count).
    if req.provider != config.admin {
        pool.launch();
    }
    let event = LiquidityDepositedEvent {
        provider: req.provider,
        usdc_in: req.usdc,
        shares_out: shares.0,
        pool_value: valued.value.0,
        lp_supply_after: lp_supply.checked_add(shares.0).or_overflow()?,
    };
    Ok(DepositPlan { shares_out: shares, event })
}

/// Withdraw `req.shares` of `lp_supply` from a pool valued (low) at `valued`: the value in USDC,
/// then CRT, from tokens the pool may pay out; refuse CRT without a CRT account, the slippage
/// guards, and a withdrawal that leaves the pool unable to back the vaults under its caps; book
/// the payout.
pub fn withdraw(config: &Config, pool: &mut Pool, valued: &Valued, lp_supply: u64, req: &WithdrawRequest) -> Result<WithdrawPlan> {
    let value = valued.value;
    let value_out = lp_value_for_shares(Shares(req.shares), Shares(lp_supply), value).or_math()?;
    let (usdc_out, crt_out) = withdrawal_payout(pool, config, &valued.valuation, value_out, &valued.crt)?;
    require!(crt_out.0 == 0 || req.has_crt_account, TurboError::CrtAccountMissing);
    require!(usdc_out.0 >= req.min_usdc_out && crt_out.0 >= req.min_crt_out, TurboError::SlippageExceeded);

    // What is left must still back every vault under the caps, measured both on the pool's
    // settled books and at current prices.
    let value_after = Usd(value.0.saturating_sub(value_out.0));
    let (gross_cap, net_cap) = pool.hard_caps();
    let gross = pool.gross_notional()?.0.max(valued.valuation.gross_notional as u64);
    require!(gross <= exposure_cap(value_after, gross_cap).or_math()?.0, TurboError::WithdrawalBreaksCaps);
    let net_limit = exposure_cap(value_after, net_cap).or_math()?;
    for i in 0..pool.asset_count as usize {
        require!(residual_at(pool, i, valued.asset_prices[i])? <= net_limit, TurboError::WithdrawalBreaksCaps);
    }

    pool.usdc_balance = pool.usdc_balance.checked_sub(usdc_out.0).or_overflow()?;
    pool.crt_balance = pool.crt_balance.checked_sub(crt_out.0).or_overflow()?;
    let event = LiquidityWithdrawnEvent {
        provider: req.provider,
        shares_burned: req.shares,
        value_out: value_out.0,
        usdc_out: usdc_out.0,
        crt_out: crt_out.0,
        pool_value: value.0,
        // The burn refuses shares beyond the supply.
        lp_supply_after: lp_supply.saturating_sub(req.shares),
        gross_notional: gross,
    };
    Ok(WithdrawPlan { usdc_out, crt_out, event })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::create;
    use crate::state::{ConfigParams, PoolCaps};

    /// A config and pool holding `usdc` and `crt`; the payout reads only CRT's decimals.
    fn world(usdc: u64, crt: u64) -> (Config, Pool) {
        let k = Pubkey::default();
        let n = create::NewConfig {
            admin: k,
            guardian: k,
            treasury: k,
            usdc_mint: k,
            crt_mint: k,
            crt_feed_id: [0; 32],
            crt_decimals: 6,
            params: ConfigParams::default(),
            bump: 255,
        };
        let mut pool = create::pool(k, k, k, PoolCaps::default(), 255);
        (pool.usdc_balance, pool.crt_balance) = (usdc, crt);
        (create::config(&n), pool)
    }

    /// Without CRT's price, CRT is worth nothing to a withdrawal: the pool's payable value is its
    /// USDC, so a payout never needs CRT, and one that would is refused rather than paid short.
    #[test]
    fn without_crt_s_price_a_withdrawal_is_paid_in_usdc_or_refused() {
        let (config, pool) = world(100_000_000, 50_000_000);
        let unpriced = start(&config, &pool, Bias::Low, &UNPRICED_CRT).unwrap();
        assert_eq!(unpriced.value().unwrap(), Usd(100_000_000));
        assert_eq!(
            withdrawal_payout(&pool, &config, &unpriced, Usd(100_000_000), &UNPRICED_CRT).unwrap(),
            (Usd(100_000_000), TokenAmount(0))
        );
        assert_eq!(
            withdrawal_payout(&pool, &config, &unpriced, Usd(100_000_001), &UNPRICED_CRT).unwrap_err(),
            error!(TurboError::PoolLiquidityInsufficient)
        );
        // A valuation that counted CRT at a price cannot pay its CRT share without that price.
        let priced = start(&config, &pool, Bias::Low, &OraclePrice::exact(Price(100_000_000), 0)).unwrap();
        assert_eq!(priced.value().unwrap(), Usd(150_000_000));
        assert_eq!(
            withdrawal_payout(&pool, &config, &priced, Usd(120_000_000), &UNPRICED_CRT).unwrap_err(),
            error!(TurboError::CrtPriceRequired)
        );
    }
}
