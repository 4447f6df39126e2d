//! The deployment's address lookup table (docs/decisions.md, "One lookup table per
//! deployment"): every address the deployment's instructions name that is not a user's, so that
//! a v0 transaction names each in one byte. An LP deposit with the post of its four signed
//! prices is over Solana's 1,232-byte packet without it, and well under with it.
//!
//! `turbo deploy` creates the table (the deployer is its authority) and extends it when a vault,
//! a custody or a signed feed adds addresses; tables only grow, so an index a client compiled
//! against never changes meaning. The table is not the program's: naming an account through it
//! or directly is the same to the program, so a wrong or missing table costs bytes, never money.

use anchor_lang::prelude::Pubkey;
use anchor_lang::solana_program::instruction::Instruction;
use solana_address_lookup_table_interface::{instruction as alt, state::AddressLookupTable};
use solana_sdk::account::Account;
use turbo::state::{Config, Custody, Pool};

use crate::accounts::{self, Feeds};
use crate::chain::{Chain, ChainError};
use crate::pda::{self, VaultKeys};

pub use solana_address_lookup_table_interface::program::ID as PROGRAM_ID;

/// Addresses per extend instruction: 20 keep the transaction near 900 bytes.
pub const EXTEND_CHUNK: usize = 20;

/// The SlotHashes sysvar: a table is derived from a slot it lists.
const SLOT_HASHES: Pubkey = solana_sdk::sysvar::slot_hashes::ID;

fn decode(why: impl ToString) -> ChainError {
    ChainError::Decode { what: "the address lookup table".into(), why: why.to_string() }
}

/// A table account, checked to be the lookup table program's.
fn table(acc: &Account) -> Result<AddressLookupTable<'_>, ChainError> {
    if acc.owner != PROGRAM_ID {
        return Err(decode(format!("owned by {}, not the lookup table program", acc.owner)));
    }
    AddressLookupTable::deserialize(&acc.data).map_err(decode)
}

/// The addresses a table account holds, in index order.
pub fn addresses(acc: &Account) -> Result<Vec<Pubkey>, ChainError> {
    Ok(table(acc)?.addresses.to_vec())
}

/// The table at `key` and its authority, or `None` when no table is there.
pub async fn read<C: Chain>(chain: &mut C, key: &Pubkey) -> Result<Option<(Option<Pubkey>, Vec<Pubkey>)>, ChainError> {
    let Some(acc) = chain.account(key).await? else { return Ok(None) };
    let t = table(&acc)?;
    Ok(Some((t.meta.authority, t.addresses.to_vec())))
}

/// The newest slot the SlotHashes sysvar lists: the slot a new table is derived from.
pub async fn recent_slot<C: Chain>(chain: &mut C) -> Result<u64, ChainError> {
    let acc = chain.account(&SLOT_HASHES).await?.ok_or_else(|| decode("the SlotHashes sysvar is missing"))?;
    // A bincode vector: its length (u64), then (slot, hash) pairs, newest first.
    let slot = acc.data.get(8..16).ok_or_else(|| decode("the SlotHashes sysvar is empty"))?;
    Ok(u64::from_le_bytes(slot.try_into().expect("8 bytes")))
}

/// Create a table that `authority` extends, derived from `recent_slot`.
pub fn create(authority: Pubkey, recent_slot: u64) -> (Instruction, Pubkey) {
    alt::create_lookup_table(authority, authority, recent_slot)
}

/// Extend `table` with `new`, `EXTEND_CHUNK` addresses per instruction (one per transaction).
pub fn extend(table: Pubkey, authority: Pubkey, new: &[Pubkey]) -> Vec<Instruction> {
    new.chunks(EXTEND_CHUNK).map(|c| alt::extend_lookup_table(table, authority, Some(authority), c.to_vec())).collect()
}

/// Every address the deployment's instructions name that is not a user's: its PDAs and mints,
/// each vault's accounts, each feed's price accounts (the one read now and its signed feed), each
/// custody's, the programs its instructions call by CPI, and the price post's verifier accounts.
pub async fn deployment_addresses<C: Chain>(chain: &mut C, config: &Config, pool: &Pool, feeds: &Feeds) -> Result<Vec<Pubkey>, ChainError> {
    let mut out = vec![
        pda::config(),
        pda::pool(),
        pda::lp_mint(),
        pda::pool_usdc(),
        pda::pool_crt(),
        config.usdc_mint,
        config.crt_mint,
        anchor_spl::token::ID,
        anchor_spl::token_2022::ID,
        anchor_spl::associated_token::ID,
        anchor_lang::solana_program::system_program::ID,
        turbo::constants::LAZER_PROGRAM_ID,
        turbo::constants::LAZER_STORAGE_ID,
        turbo::constants::INSTRUCTIONS_SYSVAR_ID,
    ];
    if let Some(storage) = chain.account(&turbo::constants::LAZER_STORAGE_ID).await? {
        use anchor_lang::AccountDeserialize;
        if let Ok(s) = pyth_lazer_solana_contract::Storage::try_deserialize(&mut storage.data.as_slice()) {
            out.push(s.treasury);
        }
    }
    let mut feed_ids = vec![config.crt_feed_id];
    for key in config.registered_vaults().to_vec() {
        let v = accounts::vault(chain, &key).await?;
        let k = VaultKeys::new(v.vault_id);
        out.extend([k.vault, k.mint, k.usdc_reserve, k.crt_reserve]);
        feed_ids.push(v.feed_id);
    }
    for i in 0..pool.asset_count {
        if pool.hedges[i as usize].enabled == 0 {
            continue;
        }
        let key = pda::custody(i);
        if let Some(acc) = chain.account(&key).await? {
            let c: Custody = accounts::decode("a custody", &acc)?;
            out.extend([key, pda::custody_reserve(i), c.mint]);
        }
    }
    for f in &feed_ids {
        out.extend([feeds.account(f), pda::signed_feed(f)]);
    }
    let mut seen = std::collections::HashSet::new();
    out.retain(|k| seen.insert(*k));
    Ok(out)
}
