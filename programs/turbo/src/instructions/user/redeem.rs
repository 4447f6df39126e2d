use anchor_lang::prelude::*;
use anchor_spl::token::{Token, TokenAccount};
use anchor_spl::token_2022::{self, Token2022};
use anchor_spl::token_interface::{Mint as T22Mint, TokenAccount as T22Account};
use pyth_solana_receiver_sdk::price_update::PriceUpdateV2;
use turbo_math::{quote_redeem, Exposure, Shares};

use crate::error::{MathResultExt, TurboError};
use crate::events::RedeemEvent;
use crate::state::{pause, Config, Pool, Vault};
use crate::touch::{self, credit_fee, FlowAccounts, NetFlow};

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug)]
pub struct RedeemArgs {
    /// Raw tokens to burn.
    pub amount: u64,
    /// Slippage guards on what is received, after fees.
    pub min_usdc_out: u64,
    pub min_crt_out: u64,
}

/// Burn tokens for the pro-rata USDC and CRT, minus the redeem fee. Redeem settles but never
/// rebalances, so it can never depend on a rebalance succeeding (DESIGN §4), and it ignores the
/// mint pause.
#[derive(Accounts)]
pub struct RedeemTokens<'info> {
    pub user: Signer<'info>,
    pub config: Box<Account<'info, Config>>,
    #[account(mut)]
    pub pool: Box<Account<'info, Pool>>,
    #[account(
        mut,
        has_one = mint,
    )]
    pub vault: Box<Account<'info, Vault>>,
    #[account(mut, mint::token_program = token_2022_program)]
    pub mint: Box<InterfaceAccount<'info, T22Mint>>,
    #[account(mut, token::mint = mint, token::authority = user, token::token_program = token_2022_program)]
    pub user_tokens: Box<InterfaceAccount<'info, T22Account>>,
    #[account(mut, token::mint = config.usdc_mint)]
    pub user_usdc: Box<Account<'info, TokenAccount>>,
    #[account(mut, token::mint = config.crt_mint)]
    pub user_crt: Option<Box<Account<'info, TokenAccount>>>,
    /// CHECK: the reserve's address is pinned to the one stored at creation; its contents are
    /// never read (the books are the program's accounting) and the token program checks every
    /// transfer.
    #[account(mut, address = vault.usdc_reserve)]
    pub vault_usdc: UncheckedAccount<'info>,
    /// CHECK: the reserve's address is pinned to the one stored at creation; its contents are
    /// never read (the books are the program's accounting) and the token program checks every
    /// transfer.
    #[account(mut, address = vault.crt_reserve)]
    pub vault_crt: UncheckedAccount<'info>,
    /// CHECK: the reserve's address is pinned to the one stored at creation; its contents are
    /// never read (the books are the program's accounting) and the token program checks every
    /// transfer.
    #[account(mut, address = pool.usdc_reserve)]
    pub pool_usdc: UncheckedAccount<'info>,
    /// CHECK: the reserve's address is pinned to the one stored at creation; its contents are
    /// never read (the books are the program's accounting) and the token program checks every
    /// transfer.
    #[account(mut, address = pool.crt_reserve)]
    pub pool_crt: UncheckedAccount<'info>,
    pub price_update: Box<Account<'info, PriceUpdateV2>>,
    pub crt_price_update: Box<Account<'info, PriceUpdateV2>>,
    pub token_program: Program<'info, Token>,
    pub token_2022_program: Program<'info, Token2022>,
}

impl RedeemTokens<'_> {
    pub fn validate(&self, args: &RedeemArgs) -> Result<()> {
        require!(
            !self.config.is_paused(pause::REDEEM) && !self.vault.is_paused(pause::REDEEM),
            TurboError::RedeemPaused
        );
        require!(args.amount > 0, TurboError::ZeroAmount);
        Ok(())
    }
}

pub fn handler(ctx: Context<RedeemTokens>, args: RedeemArgs) -> Result<()> {
    let clock = Clock::get()?;
    let a = &mut *ctx.accounts;
    let vault_key = a.vault.key();
    let px = touch::read_vault_prices(&a.vault, &a.config, &a.price_update, &a.crt_price_update, &clock)?;
    let settlement = touch::settle(vault_key, &mut a.vault, &mut a.pool, &a.config, &px)?;
    let mut flow = NetFlow::from_settlement(&settlement);

    let supply = Shares(a.mint.supply);
    let exposure_before = a.vault.exposure;
    let leverage_before = touch::leverage_of(&a.vault, &a.config, &px)?;
    let q = quote_redeem(
        &a.vault.book(),
        supply,
        Shares(args.amount),
        &px,
        a.config.crt(),
        a.vault.params.redeem_fee(),
    )
    .or_overflow()?;
    require!(
        q.usdc_out.0 >= args.min_usdc_out && q.crt_out.0 >= args.min_crt_out,
        TurboError::SlippageExceeded
    );
    require!(q.crt_out.0 == 0 || a.user_crt.is_some(), TurboError::CrtAccountMissing);

    let vault = &mut a.vault;
    let old_q = Exposure(vault.exposure);
    vault.usdc_balance = vault.usdc_balance.checked_sub(q.gross_usdc.0).ok_or(TurboError::MathOverflow)?;
    vault.crt_balance = vault.crt_balance.checked_sub(q.gross_crt.0).ok_or(TurboError::MathOverflow)?;
    vault.exposure = vault.exposure.checked_add(q.exposure_delta.0).ok_or(TurboError::MathOverflow)?;
    let p = px.asset.mid;
    a.pool.rebook(vault.asset_index, old_q, p, Exposure(vault.exposure), p)?;
    credit_fee(&mut a.pool, vault, a.config.lp_fee_share(), q.fee_usdc, q.fee_crt)?;
    flow.vault_pays(q.fee_usdc, q.fee_crt)?;

    token_2022::burn(
        CpiContext::new(
            a.token_2022_program.key(),
            token_2022::Burn {
                mint: a.mint.to_account_info(),
                from: a.user_tokens.to_account_info(),
                authority: a.user.to_account_info(),
            },
        ),
        args.amount,
    )?;
    let signer = a.vault.signer();
    let vault_seeds = signer.seeds();
    FlowAccounts {
        token_program: &a.token_program,
        vault: a.vault.to_account_info(),
        vault_seeds: &vault_seeds,
        vault_usdc: a.vault_usdc.to_account_info(),
        vault_crt: a.vault_crt.to_account_info(),
        pool: a.pool.to_account_info(),
        pool_bump: a.pool.bump,
        pool_usdc: a.pool_usdc.to_account_info(),
        pool_crt: a.pool_crt.to_account_info(),
    }
    .execute(flow)?;
    touch::transfer(
        &a.token_program,
        a.vault_usdc.to_account_info(),
        a.user_usdc.to_account_info(),
        a.vault.to_account_info(),
        &vault_seeds,
        q.usdc_out.0,
    )?;
    if let Some(user_crt) = a.user_crt.as_ref() {
        touch::transfer(
            &a.token_program,
            a.vault_crt.to_account_info(),
            user_crt.to_account_info(),
            a.vault.to_account_info(),
            &vault_seeds,
            q.crt_out.0,
        )?;
    }

    crate::events::emit(RedeemEvent {
        vault: vault_key,
        user: a.user.key(),
        price: px.asset.mid.0,
        conf_price: px.asset.low_for(old_q).0,
        tokens_burned: args.amount,
        usdc_out: q.usdc_out.0,
        crt_out: q.crt_out.0,
        fee_usdc: q.fee_usdc.0,
        fee_crt: q.fee_crt.0,
        nav_before: q.nav.0,
        nav_redeem: q.nav_redeem.0,
        nav_after: touch::nav_of(&a.vault, &a.config, &px)?,
        supply_after: supply.0 - args.amount,
        exposure_before,
        exposure_after: a.vault.exposure,
        leverage_before,
        leverage_after: touch::leverage_of(&a.vault, &a.config, &px)?,
    });
    Ok(())
}
