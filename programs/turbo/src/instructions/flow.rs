//! Moving tokens and announcing what the engine decided: the CPI half of every instruction that
//! touches a vault, and the events of settlement and fee sweeps.

use anchor_lang::prelude::*;
use anchor_spl::token::{self, Token, Transfer};
use turbo_math::{Prices, Settlement};

use crate::constants::POOL_SEED;
use crate::engine::fees::Swept;
use crate::engine::flow::NetFlow;
use crate::engine::settle::settle_state;
use crate::events::{emit, FeesSweptEvent, VaultSettledEvent};
use crate::state::{Config, Pool, Vault};

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

/// Emit `FeesSweptEvent` when a sweep moved anything.
pub fn emit_swept(vault: Pubkey, s: &Swept) {
    if s.usdc != 0 || s.crt != 0 {
        emit(FeesSweptEvent { vault, usdc: s.usdc, crt: s.crt, treasury_usdc: s.treasury_usdc, treasury_crt: s.treasury_crt });
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
