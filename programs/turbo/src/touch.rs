//! What every instruction that touches a vault does first: read both prices through the
//! oracle gate, settle the vault against the pool (DESIGN §1), and later move the net flow
//! between them in at most one transfer per token.

use anchor_lang::prelude::*;
use anchor_spl::token::{self, Token, Transfer};
use pyth_solana_receiver_sdk::price_update::PriceUpdateV2;
use turbo_math::{Bps, Exposure, Lev, OraclePrice, Price, Prices, Settlement, SignedUsd, TokenAmount, Usd};

use crate::constants::POOL_SEED;
use crate::error::{MathResultExt, TurboError};
use crate::events::{emit, FeesSweptEvent, VaultSettledEvent};
use crate::oracle::{crt_rules, use_price, Caller};
use crate::state::{Config, Pool, Vault};

/// Read the asset and CRT prices for `vault` through the oracle gate, for `caller`, and record
/// them in the pool's price marks (one price per asset: the mark is shared by every vault of the
/// asset and by the pool). The prices come back widened to the window's range; settlement uses
/// only their mid. Without a CRT update the CRT price is [`UNREAD_CRT`], which only a vault that
/// holds no CRT may settle with.
pub fn read_vault_prices(
    vault: &Vault,
    pool: &mut Pool,
    config: &Config,
    asset: &PriceUpdateV2,
    crt: Option<&PriceUpdateV2>,
    clock: &Clock,
    caller: Caller,
) -> Result<Prices> {
    let span = config.price_window_span();
    let mark = &mut pool.assets[vault.asset_index as usize].mark;
    let asset = use_price(asset, vault.price_rules(config, caller), mark, span, clock)?;
    let crt = match crt {
        Some(crt) => use_price(crt, crt_rules(config, caller), &mut pool.crt_mark, span, clock)?,
        None => UNREAD_CRT,
    };
    Ok(Prices { asset, crt })
}

/// The CRT price of an instruction that did not read one (a redeem of a vault that holds no
/// CRT: the review's M-4; a retired vault, which is flat). Settlement then keeps the pool's CRT
/// out of reach, and the vault either holds none or has no exposure to lose on, so no CRT moves
/// and this value never counts; it is the largest price, so any CRT amount it would buy rounds
/// to nothing.
pub const UNREAD_CRT: OraclePrice = OraclePrice { lo: Price(u64::MAX), mid: Price(u64::MAX), hi: Price(u64::MAX), publish_time: 0 };

/// The prices a retired vault settles at: its last settlement price (it is flat, so the price
/// moves nothing) and no CRT price.
pub fn retired_prices(vault: &Vault) -> Prices {
    Prices { asset: OraclePrice::exact(Price(vault.settle_price), vault.vol_sample_time), crt: UNREAD_CRT }
}

/// Settle `vault` at the mid price: realize its PnL against the pool's free balances (a gain the
/// pool cannot pay stays the vault's claim, paid ahead of new gains), record bad debt, move its
/// notional in the pool's asset book, take a volatility sample when one is due, and count.
/// Pure state: tokens move later through [`NetFlow`], and [`settle`] emits the event. Clients
/// call this on decoded copies to preview a touch exactly.
pub fn settle_state(vault: &mut Vault, pool: &mut Pool, config: &Config, px: &Prices) -> Result<Settlement> {
    let before = vault.book();
    let mut book = before;
    let mut free = pool.free_book()?;
    // Without a CRT price nothing may move in CRT: the vault must hold none, and the pool's is
    // kept out of reach (a gain it cannot pay in USDC stays a claim).
    let crt_read = px.crt != UNREAD_CRT;
    require!(crt_read || vault.crt_balance == 0 || vault.exposure == 0, TurboError::CrtPriceRequired);
    let hidden_crt = if crt_read { TokenAmount(0) } else { std::mem::take(&mut free.crt) };
    // Other vaults' claims are paid before this vault's new gain.
    let reserved = Usd(pool.claims_owed.saturating_sub(vault.gain_claim));
    let s = book.settle(&mut free, reserved, px.asset.mid, px.crt.mid, config.crt()).or_overflow()?;
    free.crt = free.crt.checked_add(hidden_crt).or_overflow()?;
    pool.set_free_book(free)?;
    pool.rebook(vault.asset_index, before.exposure, before.settle_price, book.exposure, book.settle_price)?;
    vault.set_book(&book);
    let sample = turbo_math::sample_variance(
        vault.volatility,
        Price(vault.vol_sample_price),
        vault.vol_sample_time,
        px.asset.mid,
        px.asset.publish_time,
    )
    .or_overflow()?;
    if let Some(v) = sample {
        vault.volatility = v;
        vault.vol_sample_price = px.asset.mid.0;
        vault.vol_sample_time = px.asset.publish_time;
    }
    let add = |a: u64, b: u64| a.checked_add(b).ok_or_else(|| error!(TurboError::MathOverflow));
    vault.bad_debt = add(vault.bad_debt, s.bad_debt.0)?;
    vault.unpaid_gains = add(vault.unpaid_gains, s.unpaid_gain.0)?;
    pool.bad_debt_absorbed = add(pool.bad_debt_absorbed, s.bad_debt.0)?;
    pool.unpaid_gains = add(pool.unpaid_gains, s.unpaid_gain.0)?;
    pool.claims_owed = add(pool.claims_owed.saturating_sub(s.claim_before.0), s.claim_after.0)?;
    Ok(s)
}

/// [`settle_state`], then the `VaultSettledEvent`.
pub fn settle(vault_key: Pubkey, vault: &mut Vault, pool: &mut Pool, config: &Config, px: &Prices) -> Result<Settlement> {
    let previous_price = vault.settle_price;
    let s = settle_state(vault, pool, config, px)?;
    emit_settled(vault_key, previous_price, px, &s, vault.exposure);
    Ok(s)
}

/// Emit `VaultSettledEvent` when a settlement realized PnL, moved a claim or closed the exposure.
pub fn emit_settled(vault: Pubkey, previous_price: u64, px: &Prices, s: &Settlement, exposure: i64) {
    if s.pnl.0 != 0 || s.closed_out || s.claim_before != s.claim_after {
        emit(VaultSettledEvent {
            vault,
            price: px.asset.mid.0,
            previous_price,
            pnl: s.pnl.0,
            usdc_to_vault: s.usdc_to_vault,
            crt_to_vault: s.crt_to_vault,
            bad_debt: s.bad_debt.0,
            unpaid_gain: s.unpaid_gain.0,
            claim: s.claim_after.0,
            closed_out: s.closed_out,
            exposure,
        });
    }
}

/// The vault's leverage at mid prices, for events: `i64::MAX` when equity is not positive, and
/// saturated there when equity is so small that leverage does not fit (the review's I-6: an
/// event must never make an instruction fail).
pub fn leverage_of(vault: &Vault, config: &Config, px: &Prices) -> i64 {
    let l: Option<Lev> = vault.book().leverage(px.asset.mid, px.crt.mid, config.crt()).unwrap_or(None);
    l.map_or(i64::MAX, |l| l.0)
}

/// NAV at mid prices, floored at zero, micro-USD, for events: zero when it cannot be valued (a
/// retired vault that holds CRT, redeemed with no CRT price), so an event never fails a call.
pub fn nav_of(vault: &Vault, config: &Config, px: &Prices) -> u64 {
    let n: SignedUsd = vault.book().nav_floor(px.asset.mid, px.crt.mid, config.crt()).unwrap_or(SignedUsd(0));
    n.0.max(0) as u64
}

/// Charge a fee. It stays in the vault's reserve, owed to the pool, until [`sweep_fees`] moves
/// it with a transfer that happens anyway: a mint or redeem then needs no fee transfer.
pub fn charge_fee(vault: &mut Vault, usdc: Usd, crt: TokenAmount) -> Result<()> {
    let add = |a: u64, b: u64| a.checked_add(b).ok_or_else(|| error!(TurboError::MathOverflow));
    vault.fees_owed_usdc = add(vault.fees_owed_usdc, usdc.0)?;
    vault.fees_owed_crt = add(vault.fees_owed_crt, crt.0)?;
    vault.fees_usdc = add(vault.fees_usdc, usdc.0)?;
    vault.fees_crt = add(vault.fees_crt, crt.0)?;
    Ok(())
}

/// Fees moved from a vault into the pool by [`sweep_fees`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Swept {
    pub usdc: u64,
    pub crt: u64,
    pub treasury_usdc: u64,
    pub treasury_crt: u64,
}

/// Add the fees `vault` owes the pool to `flow`, token by token: a token's fees go when that
/// token moves between them anyway, or always when `all` (a rebalance). The pool credits them
/// then, split between LPs and the treasury (DESIGN §4).
pub fn sweep_fees(pool: &mut Pool, vault: &mut Vault, lp_share: Bps, flow: &mut NetFlow, all: bool) -> Result<Swept> {
    let usdc = if all || flow.usdc_to_vault != 0 { std::mem::take(&mut vault.fees_owed_usdc) } else { 0 };
    let crt = if all || flow.crt_to_vault != 0 { std::mem::take(&mut vault.fees_owed_crt) } else { 0 };
    if usdc == 0 && crt == 0 {
        return Ok(Swept::default());
    }
    flow.vault_pays(Usd(usdc), TokenAmount(crt))?;
    let su = turbo_math::split_fee(usdc, lp_share).or_overflow()?;
    let sc = turbo_math::split_fee(crt, lp_share).or_overflow()?;
    let add = |a: u64, b: u64| a.checked_add(b).ok_or_else(|| error!(TurboError::MathOverflow));
    pool.usdc_balance = add(pool.usdc_balance, usdc)?;
    pool.crt_balance = add(pool.crt_balance, crt)?;
    pool.treasury_usdc = add(pool.treasury_usdc, su.treasury)?;
    pool.treasury_crt = add(pool.treasury_crt, sc.treasury)?;
    pool.lp_fees_usdc = add(pool.lp_fees_usdc, su.lp)?;
    pool.lp_fees_crt = add(pool.lp_fees_crt, sc.lp)?;
    Ok(Swept { usdc, crt, treasury_usdc: su.treasury, treasury_crt: sc.treasury })
}

/// Emit `FeesSweptEvent` when a sweep moved anything.
pub fn emit_swept(vault: Pubkey, s: &Swept) {
    if s.usdc != 0 || s.crt != 0 {
        emit(FeesSweptEvent { vault, usdc: s.usdc, crt: s.crt, treasury_usdc: s.treasury_usdc, treasury_crt: s.treasury_crt });
    }
}

/// The pool's settled book value that caps are measured against: free USDC plus free CRT at
/// the mid price (zero when no CRT price is at hand), less what the pool owes vaults' claims.
pub fn pool_book_value(pool: &Pool, crt: Option<(&Prices, u8)>) -> Result<Usd> {
    let free = pool.free_book()?;
    let crt_value = match crt {
        Some((px, decimals)) => free.crt.value_floor(decimals, px.crt.mid).or_overflow()?,
        None => Usd(0),
    };
    Ok(Usd(free.usdc.checked_add(crt_value).or_overflow()?.0.saturating_sub(pool.claims_owed)))
}

/// Which cap, if any, `vault`'s move from `old` to its current exposure breaks (DESIGN §2,
/// §5.5): a move that grows |q| must keep the gross notional under its cap, and a move that
/// grows its asset's heavy side must leave the net imbalance under the net cap. Moves that
/// shrink risk are always allowed.
pub fn cap_breach(pool: &Pool, vault: &Vault, old: Exposure, value: Usd) -> Result<Option<TurboError>> {
    let (gross_cap, net_cap) = pool.caps();
    let new = Exposure(vault.exposure);
    if new.0.unsigned_abs() > old.0.unsigned_abs() {
        let cap = turbo_math::exposure_cap(value, gross_cap).or_overflow()?;
        if pool.gross_notional()? > cap {
            return Ok(Some(TurboError::PoolCapacityExceeded));
        }
    }
    let book = pool.assets[vault.asset_index as usize].book();
    let grows_heavy_side = (new.0 > old.0 && book.long_heavy()) || (new.0 < old.0 && book.short > book.long);
    if grows_heavy_side && book.net() > turbo_math::exposure_cap(value, net_cap).or_overflow()? {
        return Ok(Some(TurboError::ImbalanceCapExceeded));
    }
    Ok(None)
}

/// Fail with the cap `vault`'s move breaks, if any.
pub fn check_caps(pool: &Pool, vault: &Vault, old: Exposure, crt: Option<(&Prices, u8)>) -> Result<()> {
    let value = pool_book_value(pool, crt)?;
    match cap_breach(pool, vault, old, value)? {
        Some(e) => Err(error!(e)),
        None => Ok(()),
    }
}

/// `(net cap, net)` when `vault` is on the heavy side of its asset and the pool's net exposure
/// is over its cap; the rebalance then lowers the vault's target (DESIGN §5.5).
pub fn imbalance_for(pool: &Pool, vault: &Vault, value: Usd) -> Result<Option<(Usd, Usd)>> {
    let book = pool.assets[vault.asset_index as usize].book();
    let heavy = if vault.exposure < 0 || vault.params.target_leverage < 0 { book.short > book.long } else { book.long_heavy() };
    let cap = turbo_math::exposure_cap(value, pool.caps().1).or_overflow()?;
    Ok((heavy && book.net() > cap).then_some((cap, book.net())))
}

/// Net token movement between a vault and the pool. Positive amounts flow to the vault.
#[derive(Clone, Copy, Debug, Default)]
pub struct NetFlow {
    pub usdc_to_vault: i64,
    pub crt_to_vault: i64,
}

impl NetFlow {
    pub fn from_settlement(s: &Settlement) -> Self {
        NetFlow { usdc_to_vault: s.usdc_to_vault, crt_to_vault: s.crt_to_vault }
    }

    /// The vault pays `usdc` and `crt` to the pool (swept fees).
    pub fn vault_pays(&mut self, usdc: Usd, crt: TokenAmount) -> Result<()> {
        let sub = |a: i64, b: u64| {
            i64::try_from(b).ok().and_then(|b| a.checked_sub(b)).ok_or_else(|| error!(TurboError::MathOverflow))
        };
        self.usdc_to_vault = sub(self.usdc_to_vault, usdc.0)?;
        self.crt_to_vault = sub(self.crt_to_vault, crt.0)?;
        Ok(())
    }
}

/// The token accounts and signers that a [`NetFlow`] moves between.
pub struct FlowAccounts<'a, 'info> {
    pub token_program: &'a Program<'info, Token>,
    pub vault: AccountInfo<'info>,
    pub vault_seeds: &'a [&'a [u8]],
    pub vault_usdc: AccountInfo<'info>,
    pub vault_crt: AccountInfo<'info>,
    pub pool: AccountInfo<'info>,
    pub pool_bump: u8,
    pub pool_usdc: AccountInfo<'info>,
    pub pool_crt: AccountInfo<'info>,
}

impl<'info> FlowAccounts<'_, 'info> {
    /// Move the flow: at most one transfer per token, skipped when zero.
    pub fn execute(&self, flow: NetFlow) -> Result<()> {
        self.one(flow.usdc_to_vault, &self.vault_usdc, &self.pool_usdc)?;
        self.one(flow.crt_to_vault, &self.vault_crt, &self.pool_crt)
    }

    fn one(&self, to_vault: i64, vault_acc: &AccountInfo<'info>, pool_acc: &AccountInfo<'info>) -> Result<()> {
        let pool_seeds: &[&[u8]] = &[POOL_SEED, &[self.pool_bump]];
        match to_vault.signum() {
            1 => transfer(
                self.token_program,
                pool_acc.clone(),
                vault_acc.clone(),
                self.pool.clone(),
                pool_seeds,
                to_vault as u64,
            ),
            -1 => transfer(
                self.token_program,
                vault_acc.clone(),
                pool_acc.clone(),
                self.vault.clone(),
                self.vault_seeds,
                to_vault.unsigned_abs(),
            ),
            _ => Ok(()),
        }
    }
}

/// An SPL Token transfer, signed by a PDA when `seeds` is not empty. Zero amounts are skipped.
pub fn transfer<'info>(
    token_program: &Program<'info, Token>,
    from: AccountInfo<'info>,
    to: AccountInfo<'info>,
    authority: AccountInfo<'info>,
    seeds: &[&[u8]],
    amount: u64,
) -> Result<()> {
    if amount == 0 {
        return Ok(());
    }
    let accounts = Transfer { from, to, authority };
    if seeds.is_empty() {
        token::transfer(CpiContext::new(token_program.key(), accounts), amount)
    } else {
        let signer: &[&[&[u8]]] = &[seeds];
        token::transfer(CpiContext::new_with_signer(token_program.key(), accounts, signer), amount)
    }
}
