//! The accounts every instruction that settles a vault needs (mint, redeem, rebalance), as one
//! Anchor composite: the deployment, the vault and its mint, the four reserves, both prices and
//! both token programs. Each instruction adds only its own accounts around it.

use anchor_lang::prelude::*;
use anchor_spl::token::Token;
use anchor_spl::token_2022::Token2022;
use anchor_spl::token_interface::Mint as T22Mint;
use pyth_solana_receiver_sdk::price_update::PriceUpdateV2;
use turbo_math::{Prices, Shares};

use crate::error::TurboError;
use crate::oracle::Caller;
use crate::state::{Config, Pool, Vault};
use crate::instructions::flow::FlowAccounts;
use crate::engine::flow::NetFlow;

#[derive(Accounts)]
pub struct VaultAccounts<'info> {
    pub config: Box<Account<'info, Config>>,
    #[account(mut)]
    pub pool: Box<Account<'info, Pool>>,
    #[account(mut, has_one = mint)]
    pub vault: Box<Account<'info, Vault>>,
    #[account(mut, mint::token_program = token_2022_program)]
    pub mint: Box<InterfaceAccount<'info, T22Mint>>,
    /// CHECK: pinned to the address stored at creation. Reserves are never read (the books are
    /// the program's accounting), so they are not deserialized; the token program checks every
    /// transfer.
    #[account(mut, address = vault.usdc_reserve)]
    pub vault_usdc: UncheckedAccount<'info>,
    /// CHECK: as `vault_usdc`.
    #[account(mut, address = vault.crt_reserve)]
    pub vault_crt: UncheckedAccount<'info>,
    /// CHECK: as `vault_usdc`.
    #[account(mut, address = pool.usdc_reserve)]
    pub pool_usdc: UncheckedAccount<'info>,
    /// CHECK: as `vault_usdc`.
    #[account(mut, address = pool.crt_reserve)]
    pub pool_crt: UncheckedAccount<'info>,
    /// The asset's price; a redeem of a retired vault needs none.
    pub price_update: Option<Box<Account<'info, PriceUpdateV2>>>,
    /// CRT's price; a redeem of a vault that holds no CRT never reads it.
    pub crt_price_update: Option<Box<Account<'info, PriceUpdateV2>>>,
    pub token_program: Program<'info, Token>,
    pub token_2022_program: Program<'info, Token2022>,
}

/// The state of a vault once a user instruction has settled it, before it changes anything.
pub struct Opened {
    pub vault: Pubkey,
    pub px: Prices,
    /// The settlement's token movement, to which fees are added.
    pub flow: NetFlow,
    pub supply: Shares,
    pub exposure_before: i64,
    pub leverage_before: i64,
}

impl<'info> VaultAccounts<'info> {
    /// Read both prices for `caller` and settle the vault at them, for mint and redeem.
    /// `need_crt: false` reads no CRT price when the vault holds no CRT. A retired vault reads
    /// no price at all: it is flat, and its settlement only collects what the pool owes it.
    pub fn open(&mut self, clock: &Clock, caller: Caller, need_crt: bool) -> Result<Opened> {
        let vault = self.vault.key();
        let px = if self.vault.is_retired() {
            crate::engine::settle::retired_prices(&self.vault)
        } else {
            self.read_prices(clock, caller, need_crt || self.vault.crt_balance > 0)?
        };
        let settlement = crate::instructions::flow::settle(vault, &mut self.vault, &mut self.pool, &self.config, &px)?;
        Ok(Opened {
            vault,
            px,
            flow: NetFlow::from_settlement(&settlement),
            supply: Shares(self.mint.supply),
            exposure_before: self.vault.exposure,
            leverage_before: crate::engine::settle::leverage_of(&self.vault, &self.config, &px),
        })
    }

    /// Both prices, through the oracle gate for `caller`, recorded in the pool's price marks.
    pub fn prices(&mut self, clock: &Clock, caller: Caller) -> Result<Prices> {
        self.read_prices(clock, caller, true)
    }

    /// The asset's price, and CRT's only if `crt` (otherwise [`crate::engine::settle::UNREAD_CRT`]).
    fn read_prices(&mut self, clock: &Clock, caller: Caller, crt: bool) -> Result<Prices> {
        let asset = self.price_update.as_ref().ok_or(TurboError::PriceAccountMissing)?;
        let crt = match (crt, self.crt_price_update.as_ref()) {
            (false, _) => None,
            (true, Some(c)) => Some(c),
            (true, None) => return err!(TurboError::PriceAccountMissing),
        };
        crate::engine::settle::read_vault_prices(&self.vault, &mut self.pool, &self.config, asset, crt.map(|c| &***c), clock, caller)
    }

    /// Refuse a payout account that is one of this instruction's protocol reserves: the
    /// transfer would land in the protocol's books as an untracked excess (the review's I-5).
    pub fn check_payout(&self, account: &Pubkey) -> Result<()> {
        let reserves = [self.vault_usdc.key(), self.vault_crt.key(), self.pool_usdc.key(), self.pool_crt.key()];
        require!(!reserves.contains(account), TurboError::PayoutToReserve);
        Ok(())
    }

    /// Whether the protocol or this vault has paused `flag` now.
    pub fn paused(&self, flag: u8) -> Result<bool> {
        let now = Clock::get()?.unix_timestamp;
        Ok(self.config.is_paused(flag, now) || self.vault.is_paused(flag, now))
    }

    /// Move a net flow between the vault and the pool: at most one transfer per token.
    pub fn execute(&self, flow: NetFlow) -> Result<()> {
        let signer = self.vault.signer();
        let vault_seeds = signer.seeds();
        FlowAccounts {
            token_program: &self.token_program,
            vault: self.vault.to_account_info(),
            vault_seeds: &vault_seeds,
            vault_usdc: self.vault_usdc.to_account_info(),
            vault_crt: self.vault_crt.to_account_info(),
            pool: self.pool.to_account_info(),
            pool_bump: self.pool.bump,
            pool_usdc: self.pool_usdc.to_account_info(),
            pool_crt: self.pool_crt.to_account_info(),
        }
        .execute(flow)
    }

    /// A transfer out of one of the vault's reserves, signed by the vault.
    pub fn pay_from_vault(&self, reserve: AccountInfo<'info>, to: AccountInfo<'info>, amount: u64) -> Result<()> {
        let signer = self.vault.signer();
        crate::instructions::flow::transfer(&self.token_program, reserve, to, self.vault.to_account_info(), &signer.seeds(), amount)
    }
}
