//! The pool's value over every registered vault (DESIGN §4, LP instructions). The caller passes
//! each registered vault followed by its price update as remaining accounts, in registry order;
//! a missing, extra or reordered vault is refused, so nobody can leave out a vault the pool owes.

use anchor_lang::prelude::*;
use pyth_solana_receiver_sdk::price_update::PriceUpdateV2;
use turbo_math::{Bias, Exposure, OraclePrice, PoolValuation, Price};

use crate::error::{MathResultExt, TurboError};
use crate::oracle::{read_price, PriceRules};
use crate::state::{Config, Pool, Vault};
use crate::touch::crt_rules;

pub struct Valued {
    pub valuation: PoolValuation,
    pub crt: OraclePrice,
}

pub fn value_pool<'info>(
    config: &Config,
    pool: &Pool,
    remaining: &'info [AccountInfo<'info>],
    crt_update: &PriceUpdateV2,
    bias: Bias,
    clock: &Clock,
) -> Result<Valued> {
    let vaults = config.registered_vaults();
    require!(remaining.len() == 2 * vaults.len(), TurboError::VaultListMismatch);
    let crt = read_price(crt_update, crt_rules(config, pool.crt_last_publish_time), clock)?;
    let free = pool.free_book()?;
    let mut valuation = PoolValuation::new(bias, free.usdc, free.crt, config.crt_decimals, &crt).or_overflow()?;
    for (expected, pair) in vaults.iter().zip(remaining.chunks_exact(2)) {
        require_keys_eq!(pair[0].key(), *expected, TurboError::VaultListMismatch);
        let vault: Account<Vault> = Account::try_from(&pair[0])?;
        let update: Account<PriceUpdateV2> = Account::try_from(&pair[1])?;
        let px = read_price(
            &update,
            PriceRules {
                feed_id: &vault.feed_id,
                max_age_secs: vault.params.max_price_age_secs,
                max_conf_bps: vault.params.max_conf_bps,
                not_before: vault.last_publish_time,
            },
            clock,
        )?;
        valuation.add_vault(Exposure(vault.exposure), Price(vault.settle_price), &px).or_overflow()?;
    }
    Ok(Valued { valuation, crt })
}
