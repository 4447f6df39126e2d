//! Turbo: leveraged tokens on Solana that are never liquidated. When the price moves against a
//! vault, `rebalance` trims exposure progressively, so a token approaches zero only
//! asymptotically. See `docs/design.md` for the protocol and `docs/decisions.md` for its decisions.
//!
//! This module only routes: each instruction lives in `instructions/`, grouped by who may call
//! it, and all arithmetic lives in the shared `turbo-math` crate.

use anchor_lang::prelude::*;
// The i128 libcalls and mem* routines for the SBF build (see Cargo.toml).
#[cfg(target_arch = "bpf")]
use solana_compiler_builtins as _;

// First, so its macro reaches every module below.
#[macro_use]
pub mod probe;
pub mod constants;
pub mod engine;
pub mod error;
pub mod events;
pub mod instructions;
pub mod oracle;
pub mod state;

/// The instructions' argument types: with `accounts` and `instruction` (Anchor's client
/// structs) the whole interface a client needs, so no client reaches into `instructions/`.
pub mod args {
    /// The client struct of the `VaultAccounts` group every vault instruction starts with.
    pub use crate::instructions::vault_accounts::__client_accounts_vault_accounts::VaultAccounts;
    pub use crate::instructions::{
        CreateCustodyArgs, CreateVaultArgs, DepositCustodyArgs, DepositLiquidityArgs, InitializeConfigArgs, MintArgs, OpenSignedFeedArgs,
        RedeemArgs, SetPauseArgs, SwapArgs, UpdateConfigArgs, WithdrawCustodyArgs, WithdrawFeesArgs, WithdrawLiquidityArgs,
    };
}

use instructions::*;
use state::{Change, PoolCaps, VaultParams};

declare_id!("TurboUm8iSrMA6XvxT8PDZSDB6V8kbL5P5M8rF8v2gX");

#[program]
pub mod turbo {
    use super::*;

    // --- admin ---

    #[access_control(ctx.accounts.validate(&args))]
    pub fn initialize_config(ctx: Context<InitializeConfig>, args: InitializeConfigArgs) -> Result<()> {
        initialize_config::handler(ctx, args)
    }

    #[access_control(ctx.accounts.validate(&args))]
    pub fn update_config(ctx: Context<UpdateConfig>, args: UpdateConfigArgs) -> Result<()> {
        update_config::handler(ctx, args)
    }

    pub fn propose_admin(ctx: Context<ProposeAdmin>, proposed: Pubkey) -> Result<()> {
        propose_admin::handler(ctx, proposed)
    }

    pub fn accept_admin(ctx: Context<AcceptAdmin>) -> Result<()> {
        accept_admin::handler(ctx)
    }

    #[access_control(ctx.accounts.validate(&args))]
    pub fn set_pause(ctx: Context<SetPause>, args: SetPauseArgs) -> Result<()> {
        set_pause::handler(ctx, args)
    }

    pub fn initialize_pool(ctx: Context<InitializePool>, caps: PoolCaps) -> Result<()> {
        initialize_pool::handler(ctx, caps)
    }

    #[access_control(ctx.accounts.validate(&caps))]
    pub fn update_pool(ctx: Context<UpdatePool>, caps: PoolCaps) -> Result<()> {
        update_pool::handler(ctx, caps)
    }

    #[access_control(ctx.accounts.validate(&args))]
    pub fn create_vault(ctx: Context<CreateVault>, args: CreateVaultArgs) -> Result<()> {
        create_vault::handler(ctx, args)
    }

    #[access_control(ctx.accounts.validate(&params))]
    pub fn update_vault(ctx: Context<UpdateVault>, params: VaultParams) -> Result<()> {
        update_vault::handler(ctx, params)
    }

    #[access_control(ctx.accounts.validate(&change))]
    pub fn queue_change(ctx: Context<QueueChange>, change: Change) -> Result<()> {
        queue_change::handler(ctx, change)
    }

    #[access_control(ctx.accounts.validate())]
    pub fn execute_change(ctx: Context<ExecuteChange>) -> Result<()> {
        execute_change::handler(ctx)
    }

    pub fn cancel_change(ctx: Context<CancelChange>) -> Result<()> {
        cancel_change::handler(ctx)
    }

    pub fn withdraw_fees(ctx: Context<WithdrawFees>, args: WithdrawFeesArgs) -> Result<()> {
        withdraw_fees::handler(ctx, args)
    }

    #[access_control(ctx.accounts.validate(&args))]
    pub fn open_signed_feed(ctx: Context<OpenSignedFeed>, args: OpenSignedFeedArgs) -> Result<()> {
        open_signed_feed::handler(ctx, args)
    }

    #[access_control(ctx.accounts.validate(&args))]
    pub fn create_custody(ctx: Context<CreateCustody>, args: CreateCustodyArgs) -> Result<()> {
        create_custody::handler(ctx, args)
    }

    // --- LPs ---

    #[access_control(ctx.accounts.validate(&args))]
    pub fn deposit_liquidity<'info>(ctx: Context<'info, DepositLiquidity<'info>>, args: DepositLiquidityArgs) -> Result<()> {
        deposit_liquidity::handler(ctx, args)
    }

    #[access_control(ctx.accounts.validate(&args))]
    pub fn withdraw_liquidity<'info>(ctx: Context<'info, WithdrawLiquidity<'info>>, args: WithdrawLiquidityArgs) -> Result<()> {
        withdraw_liquidity::handler(ctx, args)
    }

    #[access_control(ctx.accounts.validate(&args))]
    pub fn deposit_custody<'info>(ctx: Context<'info, DepositCustody<'info>>, args: DepositCustodyArgs) -> Result<()> {
        deposit_custody::handler(ctx, args)
    }

    #[access_control(ctx.accounts.validate(&args))]
    pub fn withdraw_custody<'info>(ctx: Context<'info, WithdrawCustody<'info>>, args: WithdrawCustodyArgs) -> Result<()> {
        withdraw_custody::handler(ctx, args)
    }

    // --- users ---

    #[access_control(ctx.accounts.validate(&args))]
    pub fn mint(ctx: Context<MintTokens>, args: MintArgs) -> Result<()> {
        user::mint::handler(ctx, args)
    }

    #[access_control(ctx.accounts.validate(&args))]
    pub fn redeem(ctx: Context<RedeemTokens>, args: RedeemArgs) -> Result<()> {
        user::redeem::handler(ctx, args)
    }

    #[access_control(ctx.accounts.validate(&args))]
    pub fn swap(ctx: Context<Swap>, args: SwapArgs) -> Result<()> {
        user::swap::handler(ctx, args)
    }

    // --- keepers ---

    #[access_control(ctx.accounts.validate())]
    pub fn rebalance(ctx: Context<Rebalance>) -> Result<()> {
        keeper::rebalance::handler(ctx)
    }

    /// Anyone: post a Pyth Pro signed price into signed feeds (the remaining accounts), verified
    /// by the Lazer program against the ed25519 instruction `ed25519_index`.
    pub fn post_signed_prices<'info>(ctx: Context<'info, PostSignedPrices<'info>>, message: Vec<u8>, ed25519_index: u16) -> Result<()> {
        keeper::post_signed_prices::handler(ctx, message, ed25519_index)
    }

    pub fn retire_vault(ctx: Context<RetireVault>) -> Result<()> {
        keeper::retire_vault::handler(ctx)
    }

    /// Read-only: simulate to get a `PoolQuotedEvent` (LP valuation and share price).
    pub fn quote_pool<'info>(ctx: Context<'info, QuotePool<'info>>) -> Result<()> {
        lp::quote_pool::handler(ctx)
    }

    /// Read-only: simulate to get a `VaultQuotedEvent` (NAV, leverage, band, next trim price).
    pub fn quote(ctx: Context<Quote>) -> Result<()> {
        keeper::quote::handler(ctx)
    }
}
