//! The timelock's queue: one account per queued change (docs/decisions.md, "Admin powers").
//! The admin queues a change that adds risk; an event announces it; after the delay anyone may
//! execute it, and until then the admin or the guardian may cancel it.

use anchor_lang::prelude::*;

use crate::constants::CHANGE_RESERVED;
use crate::error::TurboError;
use crate::state::{ConfigParams, PoolCaps, VaultParams};

/// A change that adds risk, waiting for its time.
#[derive(AnchorSerialize, AnchorDeserialize, InitSpace, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Change {
    /// Replace every config parameter (including the delay itself).
    Config(ConfigParams),
    /// Replace the pool's caps.
    Pool(PoolCaps),
    /// Replace a vault's parameters (its direction still may not change).
    Vault { vault: Pubkey, params: VaultParams },
    /// Create a vault: `create_vault` with exactly the arguments whose SHA-256 (of their Borsh
    /// encoding) is `args_hash`.
    CreateVault { vault_id: u16, args_hash: [u8; 32] },
    /// Retire a vault (`retire_vault`).
    RetireVault { vault: Pubkey },
    /// Open a custody: `create_custody` with exactly the arguments whose SHA-256 (of their
    /// Borsh encoding) is `args_hash`.
    CreateCustody { asset_index: u8, args_hash: [u8; 32] },
    /// Open a signed feed: `open_signed_feed` reading Pyth Pro feed `lazer_feed_id` for the
    /// deployment's Pyth feed `feed_id`.
    OpenSignedFeed { feed_id: [u8; 32], lazer_feed_id: u32 },
}

/// A queued change, at `["change", id]`.
#[account]
#[derive(InitSpace, Debug)]
pub struct PendingChange {
    /// The layout version (`LAYOUT_VERSION`).
    pub version: u8,
    pub id: u32,
    pub change: Change,
    /// Unix time it was queued, and the first time it may be executed.
    pub queued_at: i64,
    pub eta: i64,
    pub bump: u8,
    /// Zero; room for what the coming work adds (docs/design.md §2, "Layout").
    pub reserved: [u8; CHANGE_RESERVED],
}

impl PendingChange {
    /// The timelock's gate on an instruction that carries out a queued change itself (a new vault,
    /// a custody, a signed feed): before launch nothing waits; after it, `pending` must hold
    /// exactly the change `expected` builds (only then: a hash of the arguments costs heap and
    /// compute), be due and not expired.
    pub fn require_due(launched: bool, pending: Option<&PendingChange>, expected: impl FnOnce() -> Result<Change>) -> Result<()> {
        if !launched {
            return Ok(());
        }
        let pending = pending.ok_or(TurboError::ChangeNeedsTimelock)?;
        require!(pending.change == expected()?, TurboError::ChangeMismatch);
        let now = Clock::get()?.unix_timestamp;
        require!(pending.is_due(now), TurboError::TimelockNotElapsed);
        require!(!pending.is_expired(now), TurboError::ChangeExpired);
        Ok(())
    }

    pub fn is_due(&self, now: i64) -> bool {
        now >= self.eta
    }

    /// Whether it may no longer be executed: `CHANGE_EXPIRY_SECS` after it became due (N-9). It
    /// can still be cancelled, which closes its entry.
    pub fn is_expired(&self, now: i64) -> bool {
        now >= self.eta.saturating_add(crate::constants::CHANGE_EXPIRY_SECS)
    }
}
