//! The pool's valuation from an LP instruction's remaining accounts: each registered vault
//! followed by its price update, in registry order, then one price update for each custody, in
//! asset order. A missing, extra or reordered vault or custody price is refused, so nobody can
//! leave out a vault the pool owes or a custody it owns.

use anchor_lang::prelude::*;

use crate::engine::lp::{Lean, Valued, Valuing};
use crate::error::TurboError;
use crate::oracle::PriceSource;
use crate::state::{Config, Pool, Vault};

pub fn value_pool<'info>(
    config: &Config,
    pool: &mut Pool,
    remaining: &'info [AccountInfo<'info>],
    crt_update: &AccountInfo,
    lean: Lean,
    lp_supply: u64,
    clock: &Clock,
) -> Result<Valued> {
    let vaults = config.registered_vaults();
    let custodies: Vec<usize> = (0..pool.asset_count as usize).filter(|&i| pool.hedges[i].is_enabled()).collect();
    require!(remaining.len() >= 2 * vaults.len(), TurboError::VaultListMismatch);
    let (pairs, prices) = remaining.split_at(2 * vaults.len());
    require!(prices.len() == custodies.len(), TurboError::CustodyListMismatch);
    let mut v = Valuing::begin(config, pool, &PriceSource::load(crt_update)?, lean, clock)?;
    for (expected, pair) in vaults.iter().zip(pairs.chunks_exact(2)) {
        require_keys_eq!(pair[0].key(), *expected, TurboError::VaultListMismatch);
        let vault: Account<Vault> = Account::try_from(&pair[0])?;
        let update = PriceSource::load(&pair[1])?;
        v.add(config, pool, &vault, pair[1].key(), &update, clock)?;
    }
    for (&i, info) in custodies.iter().zip(prices) {
        let update = PriceSource::load(info)?;
        v.add_custody(config, pool, i, info.key(), &update, clock)?;
    }
    v.finish(lp_supply)
}
