use anchor_lang::prelude::*;
use anchor_spl::token::TokenAccount;
use anchor_spl::token_2022;
use anchor_spl::token_interface::TokenAccount as T22Account;
use turbo_math::{quote_mint, Exposure, TokenAmount, Usd};

use crate::error::{MathResultExt, TurboError};
use crate::events::MintEvent;
use crate::instructions::vault_accounts::*;
use crate::oracle::Caller;
use crate::state::pause;
use crate::engine::caps::check_caps;
use crate::engine::fees::{charge_fee, sweep_fees};

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
    pub vault_accounts: VaultAccounts<'info>,
    /// Receives the minted tokens; any holder may be named.
    #[account(mut, token::mint = vault_accounts.mint, token::token_program = vault_accounts.token_2022_program)]
    pub user_tokens: Box<InterfaceAccount<'info, T22Account>>,
    #[account(mut, token::mint = vault_accounts.config.usdc_mint, token::authority = user)]
    pub user_usdc: Box<Account<'info, TokenAccount>>,
    #[account(mut, token::mint = vault_accounts.config.crt_mint, token::authority = user)]
    pub user_crt: Option<Box<Account<'info, TokenAccount>>>,
}

impl MintTokens<'_> {
    pub fn validate(&self, args: &MintArgs) -> Result<()> {
        require!(!self.vault_accounts.vault.is_retired(), TurboError::VaultRetired);
        require!(!self.vault_accounts.paused(pause::MINT)?, TurboError::MintPaused);
        require!(args.usdc_amount > 0 || args.crt_amount > 0, TurboError::ZeroAmount);
        require!(args.crt_amount == 0 || self.user_crt.is_some(), TurboError::CrtAccountMissing);
        Ok(())
    }
}

pub fn handler(ctx: Context<MintTokens>, args: MintArgs) -> Result<()> {
    let clock = Clock::get()?;
    let a = &mut *ctx.accounts;
    let t = &mut a.vault_accounts;
    let Opened { vault: vault_key, px, mut flow, supply, exposure_before, leverage_before } = t.open(&clock, Caller::User, true)?;
    let nav_before = crate::engine::settle::nav_of(&t.vault, &t.config, &px);
    require!(nav_before > 0, TurboError::VaultWipedOut);

    let crt = t.config.crt();
    let q = quote_mint(
        &t.vault.book(),
        supply,
        &px,
        crt,
        Usd(args.usdc_amount),
        TokenAmount(args.crt_amount),
        t.vault.params.mint_fee(),
    )
    .or_overflow()?;
    require!(q.shares_out.0 > 0, TurboError::MintTooSmall);
    require!(q.shares_out.0 >= args.min_tokens_out, TurboError::SlippageExceeded);
    let supply_after = supply.0.checked_add(q.shares_out.0).ok_or(TurboError::MathOverflow)?;
    require!(supply_after <= t.vault.params.supply_cap, TurboError::SupplyCapExceeded);

    // From the first money of anyone but the admin on, changes that add risk wait for the
    // timelock.
    if a.user.key() != t.config.admin {
        t.pool.launched = true;
    }

    // Book the deposit and the grown exposure, then check the pool can back it.
    let vault = &mut t.vault;
    let old_q = Exposure(vault.exposure);
    vault.usdc_balance = vault.usdc_balance.checked_add(q.net_usdc.0).ok_or(TurboError::MathOverflow)?;
    vault.crt_balance = vault.crt_balance.checked_add(q.net_crt.0).ok_or(TurboError::MathOverflow)?;
    vault.exposure = vault.exposure.checked_add(q.exposure_delta.0).ok_or(TurboError::MathOverflow)?;
    let p = px.asset.mid;
    t.pool.rebook(vault.asset_index, old_q, p, Exposure(vault.exposure), p)?;
    check_caps(&t.pool, vault, old_q, Some((&px, crt.decimals)))?;
    charge_fee(vault, q.fee_usdc, q.fee_crt)?;
    let swept = sweep_fees(&mut t.pool, vault, t.config.lp_fee_share(), &mut flow, false)?;
    crate::instructions::flow::emit_swept(vault_key, &swept);

    // Tokens: the deposit into the vault, then one net transfer per token to or from the pool.
    let user = a.user.to_account_info();
    crate::instructions::flow::transfer(&t.token_program, a.user_usdc.to_account_info(), t.vault_usdc.to_account_info(), user.clone(), &[], args.usdc_amount)?;
    if let Some(user_crt) = a.user_crt.as_ref() {
        crate::instructions::flow::transfer(&t.token_program, user_crt.to_account_info(), t.vault_crt.to_account_info(), user, &[], args.crt_amount)?;
    }
    t.execute(flow)?;
    let signer = t.vault.signer();
    token_2022::mint_to(
        CpiContext::new_with_signer(
            t.token_2022_program.key(),
            token_2022::MintTo { mint: t.mint.to_account_info(), to: a.user_tokens.to_account_info(), authority: t.vault.to_account_info() },
            &[&signer.seeds()],
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
        nav_after: crate::engine::settle::nav_of(&t.vault, &t.config, &px),
        tokens_out: q.shares_out.0,
        supply_after,
        exposure_before,
        exposure_after: t.vault.exposure,
        leverage_before,
        leverage_after: crate::engine::settle::leverage_of(&t.vault, &t.config, &px),
    });
    Ok(())
}
