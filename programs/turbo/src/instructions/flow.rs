//! Moving tokens and announcing what the engine decided: the CPI half of every instruction that
//! touches a vault, and the events of settlement and fee sweeps.

use anchor_lang::prelude::*;
use anchor_spl::token::{self, Token, Transfer};

use crate::engine::flow::NetFlow;
use crate::events::emit;

/// Emit an event the engine decided on, if it did.
pub fn emit_some<E: anchor_lang::Event>(event: Option<E>) {
    if let Some(e) = event {
        emit(e);
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
    pub pool_seeds: &'a [&'a [u8]],
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
        match to_vault.signum() {
            1 => transfer(self.token_program, pool_acc.clone(), vault_acc.clone(), self.pool.clone(), self.pool_seeds, to_vault as u64),
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
