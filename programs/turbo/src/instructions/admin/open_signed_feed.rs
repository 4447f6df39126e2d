use anchor_lang::prelude::*;

use crate::constants::{SIGNED_FEED_RESERVED, SIGNED_FEED_SEED};
use crate::error::TurboError;
use crate::events::{emit, ChangeExecutedEvent, SignedFeedOpenedEvent};
use crate::state::{Change, Config, PendingChange, Pool, SignedFeed, LAYOUT_VERSION};

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub struct OpenSignedFeedArgs {
    /// The Pyth feed id the deployment names: CRT's, or an asset slot's.
    pub feed_id: [u8; 32],
    /// Pyth Pro's (Lazer's) id of the same price; not zero.
    pub lazer_feed_id: u32,
}

/// Open the signed feed of one of the deployment's Pyth feeds (docs/decisions.md, "The mainnet
/// price path"): from then on anyone may post Pyth Pro prices of `lazer_feed_id` into it, and
/// every instruction accepts it in place of the sponsored price account. The link decides which
/// price an asset is read at, so once the pool holds LP money it waits for the timelock, as a
/// new vault does; once opened it never changes.
#[derive(Accounts)]
#[instruction(args: OpenSignedFeedArgs)]
pub struct OpenSignedFeed<'info> {
    #[account(mut)]
    pub admin: Signer<'info>,
    #[account(has_one = admin @ TurboError::Unauthorized)]
    pub config: Box<Account<'info, Config>>,
    pub pool: Box<Account<'info, Pool>>,
    #[account(init, payer = admin, space = 8 + SignedFeed::INIT_SPACE, seeds = [SIGNED_FEED_SEED, &args.feed_id], bump)]
    pub signed_feed: Box<Account<'info, SignedFeed>>,
    /// Once the pool holds LP money: the queued `Change::OpenSignedFeed` with these exact
    /// arguments, due (closed here, rent to the admin).
    #[account(mut)]
    pub pending: Option<Box<Account<'info, PendingChange>>>,
    pub system_program: Program<'info, System>,
}

impl OpenSignedFeed<'_> {
    pub fn validate(&self, args: &OpenSignedFeedArgs) -> Result<()> {
        let expected = || Ok(Change::OpenSignedFeed { feed_id: args.feed_id, lazer_feed_id: args.lazer_feed_id });
        PendingChange::require_due(self.pool.is_launched(), self.pending.as_deref().map(|p| &**p), expected)?;
        let assets = &self.pool.assets[..self.pool.asset_count as usize];
        let known = args.feed_id == self.config.crt_feed_id || assets.iter().any(|a| a.feed_id == args.feed_id);
        require!(known && args.lazer_feed_id != 0, TurboError::SignedFeedUnknown);
        Ok(())
    }
}

pub fn handler(ctx: Context<OpenSignedFeed>, args: OpenSignedFeedArgs) -> Result<()> {
    let a = &mut *ctx.accounts;
    **a.signed_feed = SignedFeed {
        version: LAYOUT_VERSION,
        bump: ctx.bumps.signed_feed,
        feed_id: args.feed_id,
        lazer_feed_id: args.lazer_feed_id,
        price: 0,
        confidence: 0,
        exponent: 0,
        timestamp_us: 0,
        posted_slot: 0,
        reserved: [0; SIGNED_FEED_RESERVED],
    };
    if let Some(pending) = a.pending.as_ref() {
        emit(ChangeExecutedEvent { id: pending.id, change: pending.change, by: a.admin.key() });
        pending.close(a.admin.to_account_info())?;
    }
    emit(SignedFeedOpenedEvent { signed_feed: a.signed_feed.key(), feed_id: args.feed_id, lazer_feed_id: args.lazer_feed_id });
    Ok(())
}
