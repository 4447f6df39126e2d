//! Fees: charged into the vault's reserve as the pool's receivable, swept into the pool with a
//! transfer that happens anyway, and split between LPs and the treasury then (docs/design.md
//! §1; docs/decisions.md, "Fees and where they go").

use anchor_lang::prelude::*;
use turbo_math::{Bps, TokenAmount, Usd};

use crate::engine::flow::NetFlow;
use crate::error::{CheckedExt, MathResultExt};
use crate::events::FeesSweptEvent;
use crate::state::{Pool, Vault};

/// Charge a fee. It stays in the vault's reserve, owed to the pool, until [`sweep_fees`] moves
/// it with a transfer that happens anyway: a mint or redeem then needs no fee transfer.
pub fn charge_fee(vault: &mut Vault, usdc: Usd, crt: TokenAmount) -> Result<()> {
    let add = |a: u64, b: u64| a.checked_add(b).or_overflow();
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

impl Swept {
    /// The event announcing the sweep, when it moved anything.
    pub fn event(&self, vault: Pubkey) -> Option<FeesSweptEvent> {
        (self.usdc != 0 || self.crt != 0).then_some(FeesSweptEvent {
            vault,
            usdc: self.usdc,
            crt: self.crt,
            treasury_usdc: self.treasury_usdc,
            treasury_crt: self.treasury_crt,
        })
    }
}

/// Add the fees `vault` owes the pool to `flow`, token by token: a token's fees go when that
/// token moves between them anyway, or always when `all` (a rebalance). The pool credits them
/// then, split between LPs and the treasury (docs/design.md §4).
pub fn sweep_fees(pool: &mut Pool, vault: &mut Vault, lp_share: Bps, flow: &mut NetFlow, all: bool) -> Result<Swept> {
    let usdc = if all || flow.usdc_to_vault != 0 { vault.fees_owed_usdc } else { 0 };
    let crt = if all || flow.crt_to_vault != 0 { vault.fees_owed_crt } else { 0 };
    vault.fees_owed_usdc -= usdc;
    vault.fees_owed_crt -= crt;
    if usdc == 0 && crt == 0 {
        return Ok(Swept::default());
    }
    flow.vault_pays(Usd(usdc), TokenAmount(crt))?;
    let su = turbo_math::split_fee(usdc, lp_share).or_math()?;
    let sc = turbo_math::split_fee(crt, lp_share).or_math()?;
    let add = |a: u64, b: u64| a.checked_add(b).or_overflow();
    pool.usdc_balance = add(pool.usdc_balance, usdc)?;
    pool.crt_balance = add(pool.crt_balance, crt)?;
    pool.treasury_usdc = add(pool.treasury_usdc, su.treasury)?;
    pool.treasury_crt = add(pool.treasury_crt, sc.treasury)?;
    pool.lp_fees_usdc = add(pool.lp_fees_usdc, su.lp)?;
    pool.lp_fees_crt = add(pool.lp_fees_crt, sc.lp)?;
    Ok(Swept { usdc, crt, treasury_usdc: su.treasury, treasury_crt: sc.treasury })
}
