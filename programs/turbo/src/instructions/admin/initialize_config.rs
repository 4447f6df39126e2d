use anchor_lang::prelude::*;
use anchor_spl::token::{Mint, Token};

use crate::constants::*;
use crate::events::ConfigInitializedEvent;
use crate::state::{Config, ConfigParams};

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug)]
pub struct InitializeConfigArgs {
    pub guardian: Pubkey,
    pub treasury: Pubkey,
    pub crt_feed_id: [u8; 32],
    pub params: ConfigParams,
}

#[derive(Accounts)]
pub struct InitializeConfig<'info> {
    #[account(mut)]
    pub admin: Signer<'info>,
    #[account(init, payer = admin, space = 8 + Config::INIT_SPACE, seeds = [CONFIG_SEED], bump)]
    pub config: Box<Account<'info, Config>>,
    #[account(mint::token_program = token_program)]
    pub usdc_mint: Box<Account<'info, Mint>>,
    #[account(mint::token_program = token_program)]
    pub crt_mint: Box<Account<'info, Mint>>,
    pub token_program: Program<'info, Token>,
    pub system_program: Program<'info, System>,
}

impl InitializeConfig<'_> {
    pub fn validate(&self, args: &InitializeConfigArgs) -> Result<()> {
        args.params.validate()
    }
}

pub fn handler(ctx: Context<InitializeConfig>, args: InitializeConfigArgs) -> Result<()> {
    let config = &mut ctx.accounts.config;
    config.admin = ctx.accounts.admin.key();
    config.pending_admin = Pubkey::default();
    config.guardian = args.guardian;
    config.treasury = args.treasury;
    config.usdc_mint = ctx.accounts.usdc_mint.key();
    config.crt_mint = ctx.accounts.crt_mint.key();
    config.crt_feed_id = args.crt_feed_id;
    config.crt_decimals = ctx.accounts.crt_mint.decimals;
    config.params = args.params;
    config.paused = 0;
    config.bump = ctx.bumps.config;
    config.vault_count = 0;
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
