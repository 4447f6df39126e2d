use anchor_lang::prelude::*;
use anchor_spl::token::{Mint, Token, TokenAccount};

use crate::constants::*;
use crate::error::TurboError;
use crate::events::{emit, ChangeExecutedEvent, CustodyCreatedEvent};
use crate::state::{Change, Config, Custody, CustodyParams, PendingChange, Pool, LAYOUT_VERSION};

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub struct CreateCustodyArgs {
    /// The pool's asset slot to hedge (it has at least one vault: its feed prices the token).
    pub asset_index: u8,
    pub params: CustodyParams,
}

impl CreateCustodyArgs {
    /// The SHA-256 of the arguments' Borsh encoding: what `Change::CreateCustody` commits to.
    pub fn hash(&self) -> Result<[u8; 32]> {
        let mut data = Vec::new();
        self.serialize(&mut data)?;
        Ok(solana_sha256_hasher::hashv(&[&data]).to_bytes())
    }
}

/// Open a custody for an asset: the pool's token account of the asset's SPL token (owned by the
/// pool) and its parameters (docs/design.md §5.6). From then on the asset's net long locks
/// custody tokens, and LPs and arbitrageurs trade the token with the pool. Once the pool holds
/// anyone else's money it waits for the timelock, as a new vault does.
#[derive(Accounts)]
#[instruction(args: CreateCustodyArgs)]
pub struct CreateCustody<'info> {
    #[account(mut)]
    pub admin: Signer<'info>,
    #[account(has_one = admin @ TurboError::Unauthorized)]
    pub config: Box<Account<'info, Config>>,
    #[account(mut)]
    pub pool: Box<Account<'info, Pool>>,
    #[account(init, payer = admin, space = 8 + Custody::INIT_SPACE, seeds = [CUSTODY_SEED, &[args.asset_index]], bump)]
    pub custody: Box<Account<'info, Custody>>,
    #[account(
        init,
        payer = admin,
        seeds = [CUSTODY_RESERVE_SEED, &[args.asset_index]],
        bump,
        token::mint = mint,
        token::authority = pool,
        token::token_program = token_program,
    )]
    pub reserve: Box<Account<'info, TokenAccount>>,
    /// The asset's SPL token (SPL Token program: wrapped SOL, a BTC token).
    pub mint: Box<Account<'info, Mint>>,
    /// Once the pool holds LP money: the queued `Change::CreateCustody` with these exact
    /// arguments, due (closed here, rent to the admin).
    #[account(mut)]
    pub pending: Option<Box<Account<'info, PendingChange>>>,
    pub token_program: Program<'info, Token>,
    pub system_program: Program<'info, System>,
}

impl CreateCustody<'_> {
    pub fn validate(&self, args: &CreateCustodyArgs) -> Result<()> {
        let expected = || Ok(Change::CreateCustody { asset_index: args.asset_index, args_hash: args.hash()? });
        PendingChange::require_due(self.pool.is_launched(), self.pending.as_deref().map(|p| &**p), expected)?;
        args.params.validate()?;
        require!(args.asset_index < self.pool.asset_count, TurboError::CustodyMismatch);
        require!(!self.pool.hedges[args.asset_index as usize].is_enabled(), TurboError::CustodyExists);
        require!(self.mint.decimals <= MAX_CUSTODY_DECIMALS, TurboError::HedgeParamsOutOfBounds);
        Ok(())
    }
}

pub fn handler(ctx: Context<CreateCustody>, args: CreateCustodyArgs) -> Result<()> {
    let a = &mut *ctx.accounts;
    let i = args.asset_index as usize;
    let (custody_key, reserve_key, mint_key, decimals) = (a.custody.key(), a.reserve.key(), a.mint.key(), a.mint.decimals);
    let p = args.params;
    **a.custody = Custody {
        version: LAYOUT_VERSION,
        asset_index: args.asset_index,
        bump: ctx.bumps.custody,
        reserve_bump: ctx.bumps.reserve,
        mint: mint_key,
        reserve: reserve_key,
        feed_id: a.pool.assets[i].feed_id,
        params: p,
        trade_slot: 0,
        slot_traded: 0,
        swapped_in: 0,
        swapped_out: 0,
        trade_fees: 0,
        reserved: [0; CUSTODY_RESERVED],
    };
    // The asset's exposure sums were kept all along; the custody starts empty, so nothing locks.
    let h = &mut a.pool.hedges[i];
    h.decimals = decimals;
    h.enabled = 1;
    h.max_util_bps = p.max_util_bps;
    h.target_util_bps = p.target_util_bps;
    h.util_base_bps = p.util_base_bps;
    h.util_slope_bps = p.util_slope_bps;
    h.relock()?;
    if let Some(pending) = a.pending.as_ref() {
        emit(ChangeExecutedEvent { id: pending.id, change: pending.change, by: a.admin.key() });
        pending.close(a.admin.to_account_info())?;
    }
    emit(CustodyCreatedEvent {
        custody: custody_key,
        asset_index: args.asset_index,
        mint: mint_key,
        reserve: reserve_key,
        decimals,
        params: p,
    });
    Ok(())
}
