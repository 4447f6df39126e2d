//! The net token movement between a vault and the pool that an instruction's settlement and
//! fees add up to: at most one transfer per token.

use anchor_lang::prelude::*;
use turbo_math::{Settlement, TokenAmount, Usd};

use crate::error::CheckedExt;

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
        let sub = |a: i64, b: u64| i64::try_from(b).ok().and_then(|b| a.checked_sub(b)).or_overflow();
        self.usdc_to_vault = sub(self.usdc_to_vault, usdc.0)?;
        self.crt_to_vault = sub(self.crt_to_vault, crt.0)?;
        Ok(())
    }
}
