use anchor_lang::prelude::*;
use anchor_lang::solana_program::instruction::{AccountMeta, Instruction};
use anchor_lang::solana_program::program::invoke;
use turbo_math::signed::{self, SignedPriceError};

use crate::constants::{INSTRUCTIONS_SYSVAR_ID, LAZER_PROGRAM_ID, LAZER_STORAGE_ID, LAZER_VERIFY_MESSAGE};
use crate::error::TurboError;
use crate::events::{emit, SignedPricePostedEvent};
use crate::state::{Config, SignedFeed};

/// Post a Pyth Pro (Lazer) signed price into signed feeds (docs/decisions.md, "The mainnet price
/// path"). Anyone may: the Lazer program verifies the message (its signer must be one the Lazer
/// storage trusts, checked by the ed25519 instruction `ed25519_index` of the same transaction,
/// which points at `message` inside this instruction's data, at byte 12), and the price only
/// moves forward. Each remaining account is a signed feed to write, whose Pyth Pro feed the
/// message must carry. An instruction later in the transaction, or in a later one, reads it
/// through the oracle gate like any price.
#[derive(Accounts)]
pub struct PostSignedPrices<'info> {
    /// Pays the verifier's fee.
    #[account(mut)]
    pub payer: Signer<'info>,
    pub config: Box<Account<'info, Config>>,
    /// CHECK: the Lazer storage, at its address; the Lazer program reads it.
    #[account(address = LAZER_STORAGE_ID)]
    pub lazer_storage: UncheckedAccount<'info>,
    /// CHECK: the storage's treasury, which the Lazer program checks (`has_one`).
    #[account(mut)]
    pub lazer_treasury: UncheckedAccount<'info>,
    /// CHECK: the Lazer program, at its address.
    #[account(address = LAZER_PROGRAM_ID)]
    pub lazer_program: UncheckedAccount<'info>,
    pub system_program: Program<'info, System>,
    /// CHECK: the instructions sysvar, at its address.
    #[account(address = INSTRUCTIONS_SYSVAR_ID)]
    pub instructions: UncheckedAccount<'info>,
}

fn signed_error(e: SignedPriceError) -> Error {
    match e {
        SignedPriceError::Malformed => error!(TurboError::SignedPriceMalformed),
        SignedPriceError::Incomplete => error!(TurboError::SignedPriceIncomplete),
    }
}

pub fn handler<'info>(ctx: Context<'info, PostSignedPrices<'info>>, message: Vec<u8>, ed25519_index: u16) -> Result<()> {
    require!(!ctx.remaining_accounts.is_empty(), TurboError::SignedFeedMissing);
    let a = &ctx.accounts;
    // The verifier fails unless these very bytes are the ones the ed25519 instruction checked,
    // signed by a key its storage trusts now.
    let mut data = Vec::with_capacity(8 + 4 + message.len() + 3);
    data.extend_from_slice(&LAZER_VERIFY_MESSAGE);
    (&message, ed25519_index, 0u8).serialize(&mut data)?;
    let verify = Instruction {
        program_id: LAZER_PROGRAM_ID,
        accounts: vec![
            AccountMeta::new(a.payer.key(), true),
            AccountMeta::new_readonly(a.lazer_storage.key(), false),
            AccountMeta::new(a.lazer_treasury.key(), false),
            AccountMeta::new_readonly(a.system_program.key(), false),
            AccountMeta::new_readonly(a.instructions.key(), false),
        ],
        data,
    };
    invoke(
        &verify,
        &[
            a.payer.to_account_info(),
            a.lazer_storage.to_account_info(),
            a.lazer_treasury.to_account_info(),
            a.system_program.to_account_info(),
            a.instructions.to_account_info(),
            a.lazer_program.to_account_info(),
        ],
    )?;

    let (_, payload) = signed::open(&message).map_err(signed_error)?;
    let payload = signed::read_payload(payload).map_err(signed_error)?;
    let clock = Clock::get()?;
    // A price from the future would hold the feed until the clock caught up (N-1's bound).
    let ahead = a.config.params.fresh_price_secs;
    require!(turbo_math::on_time(payload.publish_time(), clock.unix_timestamp, None, ahead), TurboError::PriceAheadOfClock);

    for info in ctx.remaining_accounts {
        let mut feed: Account<SignedFeed> = Account::try_from(info)?;
        require!(info.is_writable, ErrorCode::ConstraintMut);
        let price = payload.feed(feed.lazer_feed_id).map_err(signed_error)?.ok_or(TurboError::SignedFeedNotInMessage)?;
        let stored = payload.timestamp_us > feed.timestamp_us;
        if stored {
            feed.price = price.price;
            feed.confidence = price.confidence;
            feed.exponent = price.exponent as i32;
            feed.timestamp_us = payload.timestamp_us;
            feed.posted_slot = clock.slot;
            feed.exit(&crate::ID)?;
        }
        emit(SignedPricePostedEvent {
            signed_feed: info.key(),
            lazer_feed_id: feed.lazer_feed_id,
            price: price.price,
            confidence: price.confidence,
            exponent: price.exponent as i32,
            timestamp_us: payload.timestamp_us,
            stored,
            by: a.payer.key(),
        });
    }
    Ok(())
}
