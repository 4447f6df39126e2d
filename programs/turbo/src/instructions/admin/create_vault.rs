use anchor_lang::prelude::*;
use anchor_lang::solana_program::program::invoke_signed;
use anchor_lang::system_program::{
    allocate, assign, create_account, transfer as transfer_lamports, Allocate, Assign, CreateAccount, Transfer as SystemTransfer,
};
use anchor_spl::associated_token::{self, AssociatedToken};
use anchor_spl::token::{Mint, Token, TokenAccount};
use anchor_spl::token_2022::spl_token_2022::extension::{metadata_pointer, scaled_ui_amount, ExtensionType};
use anchor_spl::token_2022::spl_token_2022::{instruction as t22_ix, state::Mint as T22Mint};
use anchor_spl::token_2022::{self, Token2022};
use anchor_spl::token_interface::spl_token_metadata_interface::state::TokenMetadata;
use anchor_spl::token_interface::{token_metadata_initialize, TokenMetadataInitialize};

use crate::constants::*;
use crate::engine::create::{self, NewVault, VaultAddresses};
use crate::error::TurboError;
use crate::events::ChangeExecutedEvent;
use crate::instructions::flow::transfer;
use crate::oracle::{use_price, Caller, PriceRules, PriceSource};
use crate::state::{Change, Config, PendingChange, Pool, Vault, VaultParams};

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug)]
pub struct CreateVaultArgs {
    pub vault_id: u16,
    /// Token metadata, e.g. "Turbo BTC", "tBTC".
    pub name: String,
    pub symbol: String,
    pub uri: String,
    /// Pyth feed id of the underlying.
    pub feed_id: [u8; 32],
    pub params: VaultParams,
    /// USDC seed deposit; its shares stay locked in the vault forever.
    pub seed_usdc: u64,
}

impl CreateVaultArgs {
    /// The SHA-256 of the arguments' Borsh encoding: what `Change::CreateVault` commits to.
    pub fn hash(&self) -> Result<[u8; 32]> {
        let mut data = Vec::new();
        self.serialize(&mut data)?;
        Ok(solana_sha256_hasher::hashv(&[&data]).to_bytes())
    }
}

#[derive(Accounts)]
#[instruction(args: CreateVaultArgs)]
pub struct CreateVault<'info> {
    #[account(mut)]
    pub admin: Signer<'info>,
    #[account(mut, has_one = admin @ TurboError::Unauthorized)]
    pub config: Box<Account<'info, Config>>,
    #[account(mut)]
    pub pool: Box<Account<'info, Pool>>,
    #[account(
        init,
        payer = admin,
        space = 8 + Vault::INIT_SPACE,
        seeds = [VAULT_SEED, &args.vault_id.to_le_bytes()],
        bump,
    )]
    pub vault: Box<Account<'info, Vault>>,
    /// CHECK: created in the handler as a Token-2022 mint with its extensions.
    #[account(mut, seeds = [VAULT_MINT_SEED, vault.key().as_ref()], bump)]
    pub vault_mint: UncheckedAccount<'info>,
    #[account(
        init,
        payer = admin,
        seeds = [VAULT_USDC_SEED, vault.key().as_ref()],
        bump,
        token::mint = usdc_mint,
        token::authority = vault,
        token::token_program = token_program,
    )]
    pub vault_usdc: Box<Account<'info, TokenAccount>>,
    #[account(
        init,
        payer = admin,
        seeds = [VAULT_CRT_SEED, vault.key().as_ref()],
        bump,
        token::mint = crt_mint,
        token::authority = vault,
        token::token_program = token_program,
    )]
    pub vault_crt: Box<Account<'info, TokenAccount>>,
    /// CHECK: the vault's own associated token account for its mint, created in the handler by
    /// the associated token program, which checks the address. It holds the locked seed shares.
    #[account(mut)]
    pub seed_shares: UncheckedAccount<'info>,
    #[account(mut, token::mint = usdc_mint, token::authority = admin)]
    pub admin_usdc: Box<Account<'info, TokenAccount>>,
    #[account(address = config.usdc_mint)]
    pub usdc_mint: Box<Account<'info, Mint>>,
    #[account(address = config.crt_mint)]
    pub crt_mint: Box<Account<'info, Mint>>,
    /// CHECK: a `PriceUpdateV2` or a `SignedFeed`, read through `oracle::PriceSource::load`.
    pub price_update: UncheckedAccount<'info>,
    /// Once the pool holds LP money, a new vault waits for the timelock: the queued
    /// `Change::CreateVault` with these exact arguments, due (closed here, rent to the admin).
    #[account(mut)]
    pub pending: Option<Box<Account<'info, PendingChange>>>,
    pub token_program: Program<'info, Token>,
    pub token_2022_program: Program<'info, Token2022>,
    pub associated_token_program: Program<'info, AssociatedToken>,
    pub system_program: Program<'info, System>,
}

impl CreateVault<'_> {
    pub fn validate(&self, args: &CreateVaultArgs) -> Result<()> {
        let expected = || Ok(Change::CreateVault { vault_id: args.vault_id, args_hash: args.hash()? });
        PendingChange::require_due(self.pool.is_launched(), self.pending.as_deref().map(|p| &**p), expected)?;
        args.params.validate()?;
        require!(
            args.name.len() <= MAX_NAME_LEN && args.symbol.len() <= MAX_SYMBOL_LEN && args.uri.len() <= MAX_URI_LEN,
            TurboError::MetadataTooLong
        );
        require!(args.seed_usdc >= MIN_SEED_USDC, TurboError::SeedTooSmall);
        Ok(())
    }
}

pub fn handler(ctx: Context<CreateVault>, args: CreateVaultArgs) -> Result<()> {
    let clock = Clock::get()?;
    // The asset's slot first: its price goes through the gate like any keeper's, against the
    // asset's mark, and is recorded there.
    let asset_index = ctx.accounts.pool.asset_index_for(&args.feed_id)?;
    let config = &ctx.accounts.config;
    let rules = PriceRules::asset(&args.feed_id, &args.params, config, Caller::Keeper);
    let span = config.price_window_span();
    let price = use_price(
        &PriceSource::load(&ctx.accounts.price_update)?,
        rules,
        &mut ctx.accounts.pool.assets[asset_index as usize].mark,
        span,
        &clock,
    )?;

    let vault_key = ctx.accounts.vault.key();
    let vault_bump = ctx.bumps.vault;
    let id = args.vault_id.to_le_bytes();
    let vault_seeds: &[&[u8]] = &[VAULT_SEED, &id, &[vault_bump]];
    create_share_mint(&ctx, &args, vault_seeds)?;

    // The locked seed account: the vault's own ATA for its mint.
    let a = &ctx.accounts;
    associated_token::create(CpiContext::new(
        a.associated_token_program.key(),
        associated_token::Create {
            payer: a.admin.to_account_info(),
            associated_token: a.seed_shares.to_account_info(),
            authority: a.vault.to_account_info(),
            mint: a.vault_mint.to_account_info(),
            system_program: a.system_program.to_account_info(),
            token_program: a.token_2022_program.to_account_info(),
        },
    ))?;
    transfer(
        &a.token_program,
        a.admin_usdc.to_account_info(),
        a.vault_usdc.to_account_info(),
        a.admin.to_account_info(),
        &[],
        args.seed_usdc,
    )?;
    let addresses = VaultAddresses {
        vault: vault_key,
        mint: a.vault_mint.key(),
        usdc_reserve: a.vault_usdc.key(),
        crt_reserve: a.vault_crt.key(),
        bump: vault_bump,
    };
    let new = NewVault { vault_id: args.vault_id, feed_id: args.feed_id, params: args.params, seed_usdc: args.seed_usdc };
    let (state, seed_shares, event) =
        create::vault(&mut ctx.accounts.config, &mut ctx.accounts.pool, &addresses, &new, asset_index, &price, clock.unix_timestamp)?;
    **ctx.accounts.vault = state;
    let a = &ctx.accounts;
    token_2022::mint_to(
        CpiContext::new_with_signer(
            a.token_2022_program.key(),
            token_2022::MintTo {
                mint: a.vault_mint.to_account_info(),
                to: a.seed_shares.to_account_info(),
                authority: a.vault.to_account_info(),
            },
            &[vault_seeds],
        ),
        seed_shares.0,
    )?;

    // The queued change is carried out: close its entry (after every CPI), rent to the admin.
    if let Some(pending) = ctx.accounts.pending.as_ref() {
        crate::events::emit(ChangeExecutedEvent { id: pending.id, change: pending.change, by: ctx.accounts.admin.key() });
        pending.close(ctx.accounts.admin.to_account_info())?;
    }
    crate::events::emit(event);
    Ok(())
}

/// Create the vault's Token-2022 mint: MetadataPointer (to itself) and ScaledUiAmount
/// (multiplier 1, authority the vault) are initialized before the mint, then TokenMetadata.
/// The mint authority and every extension authority is the vault PDA; there is no freeze
/// authority, so nobody can freeze a holder.
fn create_share_mint(ctx: &Context<CreateVault>, args: &CreateVaultArgs, vault_seeds: &[&[u8]]) -> Result<()> {
    let a = &ctx.accounts;
    let mint = a.vault_mint.key();
    let vault = a.vault.key();
    let t22 = a.token_2022_program.key();

    let space = ExtensionType::try_calculate_account_len::<T22Mint>(&[ExtensionType::MetadataPointer, ExtensionType::ScaledUiAmount])?;
    let metadata =
        TokenMetadata { name: args.name.clone(), symbol: args.symbol.clone(), uri: args.uri.clone(), ..TokenMetadata::default() };
    // Token-2022 reallocates for the metadata itself; the rent for it is paid up front.
    let lamports = Rent::get()?.minimum_balance(space + metadata.tlv_size_of()?);
    let vault_key = vault.key();
    let mint_seeds: &[&[u8]] = &[VAULT_MINT_SEED, vault_key.as_ref(), &[ctx.bumps.vault_mint]];
    // Anyone can send lamports to the mint's predictable address first; a plain
    // `create_account` would then fail. Top it up, allocate and assign instead, as Anchor's
    // `init` does (the review's L-4).
    let current = a.vault_mint.lamports();
    let system = a.system_program.key();
    if current == 0 {
        create_account(
            CpiContext::new_with_signer(
                system,
                CreateAccount { from: a.admin.to_account_info(), to: a.vault_mint.to_account_info() },
                &[mint_seeds],
            ),
            lamports,
            space as u64,
            &t22,
        )?;
    } else {
        if lamports > current {
            let to = a.vault_mint.to_account_info();
            transfer_lamports(CpiContext::new(system, SystemTransfer { from: a.admin.to_account_info(), to }), lamports - current)?;
        }
        allocate(
            CpiContext::new_with_signer(system, Allocate { account_to_allocate: a.vault_mint.to_account_info() }, &[mint_seeds]),
            space as u64,
        )?;
        assign(CpiContext::new_with_signer(system, Assign { account_to_assign: a.vault_mint.to_account_info() }, &[mint_seeds]), &t22)?;
    }
    let mint_info = [a.vault_mint.to_account_info()];
    invoke_signed(&metadata_pointer::instruction::initialize(&t22, &mint, Some(vault), Some(mint))?, &mint_info, &[])?;
    invoke_signed(&scaled_ui_amount::instruction::initialize(&t22, &mint, Some(vault), 1.0)?, &mint_info, &[])?;
    invoke_signed(&t22_ix::initialize_mint2(&t22, &mint, &vault, None, SHARE_DECIMALS)?, &mint_info, &[])?;
    token_metadata_initialize(
        CpiContext::new_with_signer(
            t22,
            TokenMetadataInitialize {
                program_id: a.token_2022_program.to_account_info(),
                metadata: a.vault_mint.to_account_info(),
                update_authority: a.vault.to_account_info(),
                mint_authority: a.vault.to_account_info(),
                mint: a.vault_mint.to_account_info(),
            },
            &[vault_seeds],
        ),
        args.name.clone(),
        args.symbol.clone(),
        args.uri.clone(),
    )
}
