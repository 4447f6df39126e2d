//! Program-derived addresses, from the same seeds the program declares.

use anchor_lang::prelude::Pubkey;
use turbo::constants::*;

fn find(seeds: &[&[u8]]) -> Pubkey {
    Pubkey::find_program_address(seeds, &turbo::ID).0
}

pub fn config() -> Pubkey {
    find(&[CONFIG_SEED])
}
pub fn pool() -> Pubkey {
    find(&[POOL_SEED])
}
pub fn pool_usdc() -> Pubkey {
    find(&[POOL_USDC_SEED])
}
pub fn pool_crt() -> Pubkey {
    find(&[POOL_CRT_SEED])
}
pub fn lp_mint() -> Pubkey {
    find(&[LP_MINT_SEED])
}
pub fn vault(vault_id: u16) -> Pubkey {
    find(&[VAULT_SEED, &vault_id.to_le_bytes()])
}
/// The custody of asset slot `asset_index`, and its token account.
/// The signed feed of the deployment's Pyth feed `feed_id` (docs/decisions.md, "The mainnet
/// price path").
pub fn signed_feed(feed_id: &[u8; 32]) -> Pubkey {
    find(&[SIGNED_FEED_SEED, feed_id])
}
pub fn custody(asset_index: u8) -> Pubkey {
    find(&[CUSTODY_SEED, &[asset_index]])
}
pub fn custody_reserve(asset_index: u8) -> Pubkey {
    find(&[CUSTODY_RESERVE_SEED, &[asset_index]])
}
/// A change queued in the timelock.
pub fn pending_change(id: u32) -> Pubkey {
    find(&[CHANGE_SEED, &id.to_le_bytes()])
}
/// The program's ProgramData account under the upgradeable loader: its upgrade authority is the
/// only key that may initialize the config.
pub fn program_data() -> Pubkey {
    use anchor_lang::solana_program::bpf_loader_upgradeable;
    Pubkey::find_program_address(&[turbo::ID.as_ref()], &bpf_loader_upgradeable::ID).0
}

/// Every address that belongs to one vault.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct VaultKeys {
    pub id: u16,
    pub vault: Pubkey,
    pub mint: Pubkey,
    pub usdc_reserve: Pubkey,
    pub crt_reserve: Pubkey,
    /// The vault's own token account holding the locked seed shares.
    pub seed_shares: Pubkey,
}

impl VaultKeys {
    pub fn new(vault_id: u16) -> Self {
        let vault = vault(vault_id);
        let mint = find(&[VAULT_MINT_SEED, vault.as_ref()]);
        VaultKeys {
            id: vault_id,
            vault,
            mint,
            usdc_reserve: find(&[VAULT_USDC_SEED, vault.as_ref()]),
            crt_reserve: find(&[VAULT_CRT_SEED, vault.as_ref()]),
            seed_shares: token_2022_ata(&vault, &mint),
        }
    }
}

/// The associated token account of `owner` for a classic SPL Token mint.
pub fn ata(owner: &Pubkey, mint: &Pubkey) -> Pubkey {
    anchor_spl::associated_token::get_associated_token_address_with_program_id(owner, mint, &anchor_spl::token::ID)
}

/// The associated token account of `owner` for a Token-2022 mint (Turbo tokens).
pub fn token_2022_ata(owner: &Pubkey, mint: &Pubkey) -> Pubkey {
    anchor_spl::associated_token::get_associated_token_address_with_program_id(owner, mint, &anchor_spl::token_2022::ID)
}
