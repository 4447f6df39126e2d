//! The pool's value over every registered vault (DESIGN §4, LP instructions). The caller passes
//! each registered vault followed by its price update as remaining accounts, in registry order;
//! a missing, extra or reordered vault is refused, so nobody can leave out a vault the pool owes.

use anchor_lang::prelude::*;
use pyth_solana_receiver_sdk::price_update::PriceUpdateV2;
use turbo_math::{Bias, Exposure, OraclePrice, PoolValuation, Price, TokenAmount, Usd};

use crate::error::{MathResultExt, TurboError};
use crate::oracle::read_price;
use crate::state::{Config, Pool, Vault};
use crate::touch::crt_rules;

pub struct Valued {
    pub valuation: PoolValuation,
    pub crt: OraclePrice,
    /// The pool's value, checked: never negative, and zero only while no LP share exists
    /// (otherwise a deposit would be diluted into shares backed by nothing).
    pub value: Usd,
}

pub fn value_pool<'info>(
    config: &Config,
    pool: &Pool,
    remaining: &'info [AccountInfo<'info>],
    crt_update: &PriceUpdateV2,
    bias: Bias,
    lp_supply: u64,
    clock: &Clock,
) -> Result<Valued> {
    let vaults = config.registered_vaults();
    require!(remaining.len() == 2 * vaults.len(), TurboError::VaultListMismatch);
    let crt = read_price(crt_update, crt_rules(config, pool.crt_last_publish_time), clock)?;
    let mut valuation = start(config, pool, bias, &crt)?;
    for (expected, pair) in vaults.iter().zip(remaining.chunks_exact(2)) {
        require_keys_eq!(pair[0].key(), *expected, TurboError::VaultListMismatch);
        let vault: Account<Vault> = Account::try_from(&pair[0])?;
        let update: Account<PriceUpdateV2> = Account::try_from(&pair[1])?;
        let px = read_price(&update, vault.price_rules(), clock)?;
        add(&mut valuation, config, &vault, &px)?;
    }
    let value = valuation.value().map_err(|_| error!(TurboError::PoolInsolvent))?;
    require!(value.0 > 0 || lp_supply == 0, TurboError::PoolInsolvent);
    Ok(Valued { valuation, crt, value })
}

/// A valuation of the pool's free balances, before any vault (clients preview with this).
pub fn start(config: &Config, pool: &Pool, bias: Bias, crt: &OraclePrice) -> Result<PoolValuation> {
    let free = pool.free_book()?;
    PoolValuation::new(bias, free.usdc, free.crt, config.crt_decimals, crt).or_overflow()
}

/// Add what the pool owes `vault` at `px`, and the LPs' share of the fees `vault` still holds
/// for the pool (clients preview with this).
pub fn add(valuation: &mut PoolValuation, config: &Config, vault: &Vault, px: &OraclePrice) -> Result<()> {
    valuation.add_vault(Exposure(vault.exposure), Price(vault.settle_price), px).or_overflow()?;
    valuation
        .add_fees_owed(Usd(vault.fees_owed_usdc), TokenAmount(vault.fees_owed_crt), config.lp_fee_share())
        .or_overflow()
}

/// Split a withdrawal's value into USDC first, then CRT at its high price (fewer CRT for the
/// withdrawer). Fails if the pool's free CRT cannot cover the rest.
pub fn withdrawal_payout(pool: &Pool, config: &Config, value_out: Usd, crt: &OraclePrice) -> Result<(Usd, TokenAmount)> {
    let free = pool.free_book()?;
    let usdc_out = value_out.min(free.usdc);
    let rest = value_out.checked_sub(usdc_out).or_overflow()?;
    let crt_out = TokenAmount::for_value_floor(rest, config.crt_decimals, crt.hi).or_overflow()?;
    require!(crt_out <= free.crt, TurboError::PoolLiquidityInsufficient);
    Ok((usdc_out, crt_out))
}
