//! The accounts every instruction that settles a vault needs (mint, redeem, rebalance), as one
//! Anchor composite: the deployment, the vault and its mint, the four reserves, both prices and
//! both token programs. Each instruction adds only its own accounts around it.

use anchor_lang::prelude::*;
use anchor_spl::token::Token;
use anchor_spl::token_2022::Token2022;
use anchor_spl::token_interface::Mint as T22Mint;
use turbo_math::Prices;

use crate::engine::flow::NetFlow;
use crate::error::TurboError;
use crate::instructions::flow::FlowAccounts;
use crate::oracle::{Caller, PriceSource};
use crate::state::{Config, Pool, Vault};

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
    /// CHECK: a `PriceUpdateV2` or a `SignedFeed`, read through `oracle::PriceSource::load`.
    pub price_update: Option<UncheckedAccount<'info>>,
    /// CRT's price; a redeem of a vault that holds no CRT never reads it.
    /// CHECK: a `PriceUpdateV2` or a `SignedFeed`, read through `oracle::PriceSource::load`.
    pub crt_price_update: Option<UncheckedAccount<'info>>,
    pub token_program: Program<'info, Token>,
    pub token_2022_program: Program<'info, Token2022>,
}

impl<'info> VaultAccounts<'info> {
    /// The prices an instruction reads for `caller`: none for a retired vault (it is flat, and
    /// its settlement only collects what the pool owes it), CRT's only when `need_crt` or the
    /// vault holds CRT.
    pub fn read_prices(&mut self, clock: &Clock, caller: Caller, need_crt: bool) -> Result<Prices> {
        let asset = PriceSource::load_opt(self.price_update.as_deref())?;
        let crt = PriceSource::load_opt(self.crt_price_update.as_deref())?;
        crate::engine::settle::read_prices(&self.vault, &mut self.pool, &self.config, asset.as_ref(), crt.as_ref(), need_crt, clock, caller)
    }

    /// Refuse a payout account that is one of this instruction's protocol reserves: the
    /// transfer would land in the protocol's books as an untracked excess (the review's I-5).
    pub fn check_payout(&self, account: &Pubkey) -> Result<()> {
        let reserves = [self.vault_usdc.key(), self.vault_crt.key(), self.pool_usdc.key(), self.pool_crt.key()];
        require!(!reserves.contains(account), TurboError::PayoutToReserve);
        Ok(())
    }

    /// Move a net flow between the vault and the pool: at most one transfer per token.
    pub fn execute(&self, flow: NetFlow) -> Result<()> {
        let signer = self.vault.signer();
        let vault_seeds = signer.seeds();
        let pool_signer = self.pool.signer();
        FlowAccounts {
            token_program: &self.token_program,
            vault: self.vault.to_account_info(),
            vault_seeds: &vault_seeds,
            vault_usdc: self.vault_usdc.to_account_info(),
            vault_crt: self.vault_crt.to_account_info(),
            pool: self.pool.to_account_info(),
            pool_seeds: &pool_signer.seeds(),
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
