use anchor_lang::prelude::*;
use anchor_spl::token::{Token, TokenAccount};
use anchor_spl::token_2022::{self, Token2022};
use anchor_spl::token_interface::{Mint as T22Mint, TokenAccount as T22Account};
use pyth_solana_receiver_sdk::price_update::PriceUpdateV2;
use turbo_math::{quote_mint, Exposure, Shares, TokenAmount, Usd};

use crate::error::{MathResultExt, TurboError};
use crate::events::MintEvent;
use crate::state::{pause, Config, Pool, Vault};
use crate::touch::{self, check_caps, credit_fee, FlowAccounts, NetFlow};

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug)]
pub struct MintArgs {
    /// USDC to deposit, fee included.
    pub usdc_amount: u64,
    /// CRT to deposit, fee included (needs `user_crt`).
    pub crt_amount: u64,
    /// Slippage guard: the fewest tokens the caller accepts.
    pub min_tokens_out: u64,
}

#[derive(Accounts)]
pub struct MintTokens<'info> {
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
    /// Receives the minted tokens; any holder may be named.
    #[account(mut, token::mint = mint, token::token_program = token_2022_program)]
    pub user_tokens: Box<InterfaceAccount<'info, T22Account>>,
    #[account(mut, token::mint = config.usdc_mint, token::authority = user)]
    pub user_usdc: Box<Account<'info, TokenAccount>>,
    #[account(mut, token::mint = config.crt_mint, token::authority = user)]
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

impl MintTokens<'_> {
    pub fn validate(&self, args: &MintArgs) -> Result<()> {
        require!(
            !self.config.is_paused(pause::MINT) && !self.vault.is_paused(pause::MINT),
            TurboError::MintPaused
        );
        require!(args.usdc_amount > 0 || args.crt_amount > 0, TurboError::ZeroAmount);
        require!(args.crt_amount == 0 || self.user_crt.is_some(), TurboError::CrtAccountMissing);
        Ok(())
    }
}

pub fn handler(ctx: Context<MintTokens>, args: MintArgs) -> Result<()> {
    let clock = Clock::get()?;
    let a = &mut *ctx.accounts;
    let vault_key = a.vault.key();
    let px = touch::read_vault_prices(&a.vault, &a.config, &a.price_update, &a.crt_price_update, &clock)?;
    let settlement = touch::settle(vault_key, &mut a.vault, &mut a.pool, &a.config, &px)?;
    let mut flow = NetFlow::from_settlement(&settlement);

    let supply = Shares(a.mint.supply);
    let nav_before = touch::nav_of(&a.vault, &a.config, &px)?;
    require!(nav_before > 0, TurboError::VaultWipedOut);
    let exposure_before = a.vault.exposure;
    let leverage_before = touch::leverage_of(&a.vault, &a.config, &px)?;

    let crt = a.config.crt();
    let q = quote_mint(
        &a.vault.book(),
        supply,
        &px,
        crt,
        Usd(args.usdc_amount),
        TokenAmount(args.crt_amount),
        a.vault.params.mint_fee(),
    )
    .or_overflow()?;
    require!(q.shares_out.0 > 0, TurboError::MintTooSmall);
    require!(q.shares_out.0 >= args.min_tokens_out, TurboError::SlippageExceeded);
    let supply_after = supply.0.checked_add(q.shares_out.0).ok_or(TurboError::MathOverflow)?;
    require!(supply_after <= a.vault.params.supply_cap, TurboError::SupplyCapExceeded);

    // Book the deposit and the grown exposure, then check the pool can back it.
    let vault = &mut a.vault;
    let old_q = Exposure(vault.exposure);
    vault.usdc_balance = vault.usdc_balance.checked_add(q.net_usdc.0).ok_or(TurboError::MathOverflow)?;
    vault.crt_balance = vault.crt_balance.checked_add(q.net_crt.0).ok_or(TurboError::MathOverflow)?;
    vault.exposure = vault.exposure.checked_add(q.exposure_delta.0).ok_or(TurboError::MathOverflow)?;
    let p = px.asset.mid;
    a.pool.rebook(vault.asset_index, old_q, p, Exposure(vault.exposure), p)?;
    check_caps(&a.pool, vault, old_q, Some((&px, crt.decimals)))?;
    credit_fee(&mut a.pool, vault, a.config.lp_fee_share(), q.fee_usdc, q.fee_crt)?;
    flow.vault_pays(q.fee_usdc, q.fee_crt)?;

    // Tokens: the deposit into the vault, then one net transfer per token to or from the pool.
    touch::transfer(
        &a.token_program,
        a.user_usdc.to_account_info(),
        a.vault_usdc.to_account_info(),
        a.user.to_account_info(),
        &[],
        args.usdc_amount,
    )?;
    if let Some(user_crt) = a.user_crt.as_ref() {
        touch::transfer(
            &a.token_program,
            user_crt.to_account_info(),
            a.vault_crt.to_account_info(),
            a.user.to_account_info(),
            &[],
            args.crt_amount,
        )?;
    }
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
    token_2022::mint_to(
        CpiContext::new_with_signer(
            a.token_2022_program.key(),
            token_2022::MintTo {
                mint: a.mint.to_account_info(),
                to: a.user_tokens.to_account_info(),
                authority: a.vault.to_account_info(),
            },
            &[&vault_seeds],
        ),
        q.shares_out.0,
    )?;

    crate::events::emit(MintEvent {
        vault: vault_key,
        user: a.user.key(),
        price: px.asset.mid.0,
        conf_price: px.asset.high_for(old_q).0,
        usdc_in: args.usdc_amount,
        crt_in: args.crt_amount,
        fee_usdc: q.fee_usdc.0,
        fee_crt: q.fee_crt.0,
        deposit_value: q.deposit_value.0,
        nav_before,
        nav_priced: q.nav.0,
        nav_after: touch::nav_of(&a.vault, &a.config, &px)?,
        tokens_out: q.shares_out.0,
        supply_after,
        exposure_before,
        exposure_after: a.vault.exposure,
        leverage_before,
        leverage_after: touch::leverage_of(&a.vault, &a.config, &px)?,
    });
    Ok(())
}
