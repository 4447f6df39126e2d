//! Program accounts: one `Config` per deployment, one counterparty `Pool`, a `Vault` per token,
//! and a `PendingChange` per change waiting in the timelock.
//!
//! The layout is frozen (docs/design.md §2, "Layout"): each account starts with its layout
//! version and ends with reserved bytes for the fields the coming work adds, and `Config`,
//! `Pool` and `Vault` are plain old data (`repr(C, packed)`, no padding, every byte meaningful),
//! so Anchor decodes and writes each with one copy instead of field by field (the largest cost
//! of an instruction on SBF before: docs/performance.md). Their bytes are the same as a Borsh
//! encoding of the same fields, so any Borsh client reads them.

/// A parameter set that lives in a plain-old-data account and also travels as an instruction
/// argument: `repr(C, packed)` in the account, Borsh on the wire, the same bytes either way.
/// Borsh's derive borrows each field, which a packed struct cannot lend, so the impls here copy
/// each field out instead; the field list is the struct's own, so they cannot drift apart. Field
/// types are plain integer names (`ident`, not `ty`: Anchor's IDL builder cannot read a type
/// that came through a `ty` fragment).
macro_rules! pod_params {
    ($(#[$m:meta])* pub struct $name:ident { $($(#[$fm:meta])* pub $f:ident : $ty:ident,)* }) => {
        $(#[$m])*
        #[zero_copy]
        #[repr(C, packed)]
        #[derive(InitSpace, Debug, PartialEq, Eq)]
        pub struct $name { $($(#[$fm])* pub $f: $ty,)* }

        impl anchor_lang::AnchorSerialize for $name {
            fn serialize<W: std::io::Write>(&self, writer: &mut W) -> std::io::Result<()> {
                $(anchor_lang::AnchorSerialize::serialize(&{ self.$f }, writer)?;)*
                Ok(())
            }
        }

        impl anchor_lang::AnchorDeserialize for $name {
            fn deserialize_reader<R: std::io::Read>(reader: &mut R) -> std::io::Result<Self> {
                Ok(Self { $($f: anchor_lang::AnchorDeserialize::deserialize_reader(reader)?,)* })
            }
        }
    };
}

pub mod change;
pub mod config;
pub mod custody;
mod layout;
pub mod pool;
pub mod signed_feed;
pub mod vault;

pub use change::*;
pub use config::*;
pub use custody::*;
pub use pool::*;
pub use signed_feed::*;
pub use vault::*;

/// The layout version every account is created with (the first byte after the discriminator).
/// A change that gives existing bytes a new meaning bumps it and ships with a migration.
pub const LAYOUT_VERSION: u8 = 1;

/// `AccountSerialize` for the plain-old-data accounts: the discriminator and the bytes, in one
/// write each (Anchor's zero-copy accounts come with the matching `AccountDeserialize`).
macro_rules! pod_account_serialize {
    ($($t:ty),*) => {$(
        impl anchor_lang::AccountSerialize for $t {
            fn try_serialize<W: std::io::Write>(&self, writer: &mut W) -> anchor_lang::Result<()> {
                writer
                    .write_all(<$t as anchor_lang::Discriminator>::DISCRIMINATOR)
                    .and_then(|_| writer.write_all(bytemuck::bytes_of(self)))
                    .map_err(|_| anchor_lang::error::ErrorCode::AccountDidNotSerialize.into())
            }
        }
    )*};
}
pod_account_serialize!(Config, Pool, Vault, Custody);
