use anchor_lang::prelude::*;
use anchor_spl::token::{Mint, Token};

use anchor_lang::solana_program::bpf_loader_upgradeable;

use crate::constants::*;
use crate::engine::create::{self, NewConfig};
use crate::error::TurboError;
use crate::events::ConfigInitializedEvent;
use crate::state::{Config, ConfigParams};

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug)]
pub struct InitializeConfigArgs {
    pub guardian: Pubkey,
    pub treasury: Pubkey,
    pub crt_feed_id: [u8; 32],
    pub params: ConfigParams,
}

/// Create the deployment's config. Only the program's upgrade authority may, so nobody can take
/// the config PDA, and with it the program id, by calling first (the review's I-2); the first
/// admin is that authority.
#[derive(Accounts)]
pub struct InitializeConfig<'info> {
    #[account(mut)]
    pub admin: Signer<'info>,
    #[account(init, payer = admin, space = 8 + Config::INIT_SPACE, seeds = [CONFIG_SEED], bump)]
    pub config: Box<Account<'info, Config>>,
    /// The program's ProgramData account (upgradeable loader), whose upgrade authority signs.
    #[account(
        seeds = [crate::ID.as_ref()],
        bump,
        seeds::program = bpf_loader_upgradeable::ID,
        constraint = program_data.upgrade_authority_address == Some(admin.key()) @ TurboError::NotUpgradeAuthority,
    )]
    pub program_data: Box<Account<'info, ProgramData>>,
    #[account(mint::token_program = token_program)]
    pub usdc_mint: Box<Account<'info, Mint>>,
    #[account(mint::token_program = token_program)]
    pub crt_mint: Box<Account<'info, Mint>>,
    pub token_program: Program<'info, Token>,
    pub system_program: Program<'info, System>,
}

impl InitializeConfig<'_> {
    pub fn validate(&self, args: &InitializeConfigArgs) -> Result<()> {
        // USDC deposited as "CRT" would be valued at CRT's price (the review's I-3).
        require_keys_neq!(self.usdc_mint.key(), self.crt_mint.key(), TurboError::SameCollateralMints);
        args.params.validate()
    }
}

pub fn handler(ctx: Context<InitializeConfig>, args: InitializeConfigArgs) -> Result<()> {
    let a = &ctx.accounts;
    let new = NewConfig {
        admin: a.admin.key(),
        guardian: args.guardian,
        treasury: args.treasury,
        usdc_mint: a.usdc_mint.key(),
        crt_mint: a.crt_mint.key(),
        crt_feed_id: args.crt_feed_id,
        crt_decimals: a.crt_mint.decimals,
        params: args.params,
        bump: ctx.bumps.config,
    };
    **ctx.accounts.config = create::config(&new);
    let config = &ctx.accounts.config;
    crate::events::emit(ConfigInitializedEvent {
        admin: config.admin,
        guardian: config.guardian,
        treasury: config.treasury,
        usdc_mint: config.usdc_mint,
        crt_mint: config.crt_mint,
        crt_feed_id: config.crt_feed_id,
        params: args.params,
    });
    Ok(())
}
