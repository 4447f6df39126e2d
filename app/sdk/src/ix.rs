//! Instruction builders. Each takes the keys a caller knows and derives the rest.

use anchor_lang::prelude::{AccountMeta, Pubkey};
use anchor_lang::solana_program::instruction::Instruction;
use anchor_lang::{system_program, InstructionData, ToAccountMetas};
use turbo::args::*;
use turbo::state::{Change, PoolCaps, VaultParams};
use turbo::{accounts, instruction};

use crate::pda::{self, VaultKeys};

fn build(accounts: impl ToAccountMetas, data: impl InstructionData) -> Instruction {
    Instruction { program_id: turbo::ID, accounts: accounts.to_account_metas(None), data: data.data() }
}

/// The mints and the CRT price account a deployment was set up with, and the price accounts of
/// its custodies.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Deployment {
    pub usdc_mint: Pubkey,
    pub crt_mint: Pubkey,
    /// The Pyth `PriceUpdateV2` account of CRT/USD.
    pub crt_price: Pubkey,
    /// The price account of each custody's asset, in asset order: the LP instructions' valuation
    /// ends with them (docs/design.md §5.6).
    pub custody_prices: CustodyPrices,
}

/// The price accounts of a deployment's custodies, in asset order (at most one per asset slot).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CustodyPrices {
    len: u8,
    keys: [Pubkey; turbo::constants::MAX_ASSETS],
}

impl CustodyPrices {
    pub fn new(keys: &[Pubkey]) -> CustodyPrices {
        let mut c = CustodyPrices::default();
        for k in keys.iter().take(turbo::constants::MAX_ASSETS) {
            c.keys[c.len as usize] = *k;
            c.len += 1;
        }
        c
    }
    pub fn as_slice(&self) -> &[Pubkey] {
        &self.keys[..self.len as usize]
    }
}

/// A registered vault with the price account that values it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PricedVault {
    pub keys: VaultKeys,
    /// The Pyth `PriceUpdateV2` account of the vault's asset.
    pub price: Pubkey,
}

/// Remaining accounts for the pool valuation: each vault, then its price update; then each
/// custody's price update, in asset order.
pub fn valuation_accounts(d: &Deployment, vaults: &[PricedVault]) -> Vec<AccountMeta> {
    vaults
        .iter()
        .flat_map(|v| [AccountMeta::new_readonly(v.keys.vault, false), AccountMeta::new_readonly(v.price, false)])
        .chain(d.custody_prices.as_slice().iter().map(|k| AccountMeta::new_readonly(*k, false)))
        .collect()
}

pub fn initialize_config(d: &Deployment, admin: Pubkey, args: InitializeConfigArgs) -> Instruction {
    build(
        accounts::InitializeConfig {
            admin,
            config: pda::config(),
            program_data: pda::program_data(),
            usdc_mint: d.usdc_mint,
            crt_mint: d.crt_mint,
            token_program: anchor_spl::token::ID,
            system_program: system_program::ID,
        },
        instruction::InitializeConfig { args },
    )
}

pub fn update_config(admin: Pubkey, args: UpdateConfigArgs) -> Instruction {
    build(accounts::UpdateConfig { admin, config: pda::config(), pool: pda::pool() }, instruction::UpdateConfig { args })
}

pub fn propose_admin(admin: Pubkey, proposed: Pubkey) -> Instruction {
    build(accounts::ProposeAdmin { admin, config: pda::config() }, instruction::ProposeAdmin { proposed })
}

pub fn accept_admin(new_admin: Pubkey) -> Instruction {
    build(accounts::AcceptAdmin { new_admin, config: pda::config() }, instruction::AcceptAdmin {})
}

/// Pause or unpause; `vault` selects one vault's flags instead of the protocol's.
pub fn set_pause(authority: Pubkey, vault: Option<Pubkey>, args: SetPauseArgs) -> Instruction {
    build(accounts::SetPause { authority, config: pda::config(), vault }, instruction::SetPause { args })
}

pub fn initialize_pool(d: &Deployment, admin: Pubkey, caps: PoolCaps) -> Instruction {
    build(
        accounts::InitializePool {
            admin,
            config: pda::config(),
            pool: pda::pool(),
            lp_mint: pda::lp_mint(),
            pool_usdc: pda::pool_usdc(),
            pool_crt: pda::pool_crt(),
            usdc_mint: d.usdc_mint,
            crt_mint: d.crt_mint,
            token_program: anchor_spl::token::ID,
            system_program: system_program::ID,
        },
        instruction::InitializePool { caps },
    )
}

pub fn update_pool(admin: Pubkey, caps: PoolCaps) -> Instruction {
    build(accounts::UpdatePool { admin, config: pda::config(), pool: pda::pool() }, instruction::UpdatePool { caps })
}

/// Create a vault; `pending` is the id of its queued `Change::CreateVault` once the pool holds
/// LP money (the timelock).
pub fn create_vault(
    d: &Deployment,
    admin: Pubkey,
    admin_usdc: Pubkey,
    price: Pubkey,
    pending: Option<u32>,
    args: CreateVaultArgs,
) -> Instruction {
    let k = VaultKeys::new(args.vault_id);
    build(
        accounts::CreateVault {
            admin,
            config: pda::config(),
            pool: pda::pool(),
            vault: k.vault,
            vault_mint: k.mint,
            vault_usdc: k.usdc_reserve,
            vault_crt: k.crt_reserve,
            seed_shares: k.seed_shares,
            admin_usdc,
            usdc_mint: d.usdc_mint,
            crt_mint: d.crt_mint,
            price_update: price,
            pending: pending.map(pda::pending_change),
            token_program: anchor_spl::token::ID,
            token_2022_program: anchor_spl::token_2022::ID,
            associated_token_program: anchor_spl::associated_token::ID,
            system_program: system_program::ID,
        },
        instruction::CreateVault { args },
    )
}

pub fn update_vault(admin: Pubkey, vault: Pubkey, params: VaultParams) -> Instruction {
    build(accounts::UpdateVault { admin, config: pda::config(), pool: pda::pool(), vault }, instruction::UpdateVault { params })
}

/// Queue a change that adds risk as id `id` (the config's `next_change_id`); `vault` is the vault
/// a vault change or retirement is for.
pub fn queue_change(admin: Pubkey, id: u32, change: Change, vault: Option<Pubkey>) -> Instruction {
    build(
        accounts::QueueChange { admin, config: pda::config(), pending: pda::pending_change(id), vault, system_program: system_program::ID },
        instruction::QueueChange { change },
    )
}

/// Execute queued change `id` (a parameter change) once due; `admin` receives the entry's rent.
pub fn execute_change(executor: Pubkey, admin: Pubkey, id: u32, change: &Change) -> Instruction {
    let (pool, vault) = match change {
        Change::Pool(_) => (Some(pda::pool()), None),
        Change::Vault { vault, .. } => (None, Some(*vault)),
        _ => (None, None),
    };
    build(
        accounts::ExecuteChange { executor, config: pda::config(), pending: pda::pending_change(id), admin, pool, vault },
        instruction::ExecuteChange {},
    )
}

/// Cancel queued change `id` (the admin or the guardian).
pub fn cancel_change(authority: Pubkey, admin: Pubkey, id: u32) -> Instruction {
    build(
        accounts::CancelChange { authority, config: pda::config(), pending: pda::pending_change(id), admin },
        instruction::CancelChange {},
    )
}

/// Retire vault `v`: with `pending`, the admin's due `Change::RetireVault` and the prices to
/// settle at; without, the feed-dead path, which reads no price.
pub fn retire_vault(d: &Deployment, caller: Pubkey, admin: Pubkey, v: &PricedVault, pending: Option<u32>) -> Instruction {
    build(
        accounts::RetireVault {
            caller,
            config: pda::config(),
            pool: pda::pool(),
            vault: v.keys.vault,
            vault_usdc: v.keys.usdc_reserve,
            vault_crt: v.keys.crt_reserve,
            pool_usdc: pda::pool_usdc(),
            pool_crt: pda::pool_crt(),
            price_update: pending.map(|_| v.price),
            crt_price_update: pending.map(|_| d.crt_price),
            pending: pending.map(pda::pending_change),
            admin,
            token_program: anchor_spl::token::ID,
        },
        instruction::RetireVault {},
    )
}

pub fn withdraw_fees(admin: Pubkey, treasury_usdc: Pubkey, treasury_crt: Pubkey, args: WithdrawFeesArgs) -> Instruction {
    build(
        accounts::WithdrawFees {
            admin,
            config: pda::config(),
            pool: pda::pool(),
            pool_usdc: pda::pool_usdc(),
            pool_crt: pda::pool_crt(),
            treasury_usdc,
            treasury_crt,
            token_program: anchor_spl::token::ID,
        },
        instruction::WithdrawFees { args },
    )
}

pub fn deposit_liquidity(
    d: &Deployment,
    provider: Pubkey,
    provider_usdc: Pubkey,
    provider_lp: Pubkey,
    vaults: &[PricedVault],
    args: DepositLiquidityArgs,
) -> Instruction {
    let mut ix = build(
        accounts::DepositLiquidity {
            provider,
            config: pda::config(),
            pool: pda::pool(),
            lp_mint: pda::lp_mint(),
            pool_usdc: pda::pool_usdc(),
            provider_usdc,
            provider_lp,
            crt_price_update: d.crt_price,
            token_program: anchor_spl::token::ID,
        },
        instruction::DepositLiquidity { args },
    );
    ix.accounts.extend(valuation_accounts(d, vaults));
    ix
}

#[allow(clippy::too_many_arguments)]
pub fn withdraw_liquidity(
    d: &Deployment,
    provider: Pubkey,
    provider_lp: Pubkey,
    provider_usdc: Pubkey,
    provider_crt: Option<Pubkey>,
    vaults: &[PricedVault],
    args: WithdrawLiquidityArgs,
) -> Instruction {
    let mut ix = build(
        accounts::WithdrawLiquidity {
            provider,
            config: pda::config(),
            pool: pda::pool(),
            lp_mint: pda::lp_mint(),
            pool_usdc: pda::pool_usdc(),
            pool_crt: pda::pool_crt(),
            provider_lp,
            provider_usdc,
            provider_crt,
            crt_price_update: d.crt_price,
            token_program: anchor_spl::token::ID,
        },
        instruction::WithdrawLiquidity { args },
    );
    ix.accounts.extend(valuation_accounts(d, vaults));
    ix
}

/// The accounts a user names for a mint or a redeem.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct UserAccounts {
    pub user: Pubkey,
    /// The user's Token-2022 account for the vault's mint.
    pub tokens: Pubkey,
    pub usdc: Pubkey,
    pub crt: Option<Pubkey>,
}

/// The accounts of the composite every vault-settling instruction takes (mint, redeem,
/// rebalance).
fn vault_accounts(d: &Deployment, v: &PricedVault) -> VaultAccounts {
    vault_accounts_priced(v, Some(v.price), Some(d.crt_price))
}

/// The composite with the price accounts a caller chooses to name: a redeem of a retired vault
/// names none, one of a vault without CRT may leave CRT's out.
fn vault_accounts_priced(v: &PricedVault, asset: Option<Pubkey>, crt: Option<Pubkey>) -> VaultAccounts {
    VaultAccounts {
        config: pda::config(),
        pool: pda::pool(),
        vault: v.keys.vault,
        mint: v.keys.mint,
        vault_usdc: v.keys.usdc_reserve,
        vault_crt: v.keys.crt_reserve,
        pool_usdc: pda::pool_usdc(),
        pool_crt: pda::pool_crt(),
        price_update: asset,
        crt_price_update: crt,
        token_program: anchor_spl::token::ID,
        token_2022_program: anchor_spl::token_2022::ID,
    }
}

pub fn mint(d: &Deployment, v: &PricedVault, u: &UserAccounts, args: MintArgs) -> Instruction {
    build(
        accounts::MintTokens {
            user: u.user,
            vault_accounts: vault_accounts(d, v),
            user_tokens: u.tokens,
            user_usdc: u.usdc,
            user_crt: u.crt,
        },
        instruction::Mint { args },
    )
}

pub fn redeem(d: &Deployment, v: &PricedVault, u: &UserAccounts, args: RedeemArgs) -> Instruction {
    build(
        accounts::RedeemTokens {
            user: u.user,
            vault_accounts: vault_accounts(d, v),
            user_tokens: u.tokens,
            user_usdc: u.usdc,
            user_crt: u.crt,
        },
        instruction::Redeem { args },
    )
}

/// Redeem naming only the price accounts given: `None, None` for a retired vault, which reads
/// no price.
pub fn redeem_priced(v: &PricedVault, u: &UserAccounts, args: RedeemArgs, asset: Option<Pubkey>, crt: Option<Pubkey>) -> Instruction {
    build(
        accounts::RedeemTokens {
            user: u.user,
            vault_accounts: vault_accounts_priced(v, asset, crt),
            user_tokens: u.tokens,
            user_usdc: u.usdc,
            user_crt: u.crt,
        },
        instruction::Redeem { args },
    )
}

/// The read-only quote of the pool (simulate it and read its `PoolQuotedEvent`): `vaults` are
/// every registered vault with its price account, in registry order.
pub fn quote_pool(d: &Deployment, vaults: &[PricedVault]) -> Instruction {
    let mut ix = build(
        accounts::QuotePool { config: pda::config(), pool: pda::pool(), lp_mint: pda::lp_mint(), crt_price_update: d.crt_price },
        instruction::QuotePool {},
    );
    ix.accounts.extend(valuation_accounts(d, vaults));
    ix
}

/// The read-only quote of a vault (simulate it and read its `VaultQuotedEvent`).
pub fn quote(d: &Deployment, v: &PricedVault) -> Instruction {
    build(
        accounts::Quote {
            config: pda::config(),
            pool: pda::pool(),
            vault: v.keys.vault,
            mint: v.keys.mint,
            price_update: Some(v.price),
            crt_price_update: Some(d.crt_price),
        },
        instruction::Quote {},
    )
}

/// Rebalance `v`; the bounty, if earned, goes to `keeper_usdc`.
pub fn rebalance(d: &Deployment, v: &PricedVault, keeper: Pubkey, keeper_usdc: Option<Pubkey>) -> Instruction {
    build(accounts::Rebalance { keeper, vault_accounts: vault_accounts(d, v), keeper_usdc }, instruction::Rebalance {})
}

/// The addresses of the custody of asset slot `asset_index`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CustodyKeys {
    pub asset_index: u8,
    pub custody: Pubkey,
    pub reserve: Pubkey,
    /// The asset's SPL token.
    pub mint: Pubkey,
    /// The asset's price account.
    pub price: Pubkey,
}

impl CustodyKeys {
    pub fn new(asset_index: u8, mint: Pubkey, price: Pubkey) -> CustodyKeys {
        CustodyKeys { asset_index, custody: pda::custody(asset_index), reserve: pda::custody_reserve(asset_index), mint, price }
    }
}

/// Open a custody (docs/design.md §5.6); `pending` is its queued `Change::CreateCustody` once
/// the pool holds LP money.
pub fn create_custody(admin: Pubkey, mint: Pubkey, pending: Option<u32>, args: CreateCustodyArgs) -> Instruction {
    build(
        accounts::CreateCustody {
            admin,
            config: pda::config(),
            pool: pda::pool(),
            custody: pda::custody(args.asset_index),
            reserve: pda::custody_reserve(args.asset_index),
            mint,
            pending: pending.map(pda::pending_change),
            token_program: anchor_spl::token::ID,
            system_program: system_program::ID,
        },
        instruction::CreateCustody { args },
    )
}

/// Open the signed feed of the deployment's Pyth feed `args.feed_id` (docs/decisions.md, "The
/// mainnet price path"); `pending` is its queued `Change::OpenSignedFeed` once the pool holds LP
/// money.
pub fn open_signed_feed(admin: Pubkey, pending: Option<u32>, args: OpenSignedFeedArgs) -> Instruction {
    build(
        accounts::OpenSignedFeed {
            admin,
            config: pda::config(),
            pool: pda::pool(),
            signed_feed: pda::signed_feed(&args.feed_id),
            pending: pending.map(pda::pending_change),
            system_program: system_program::ID,
        },
        instruction::OpenSignedFeed { args },
    )
}

/// Post a Pyth Pro signed `message` into the signed feeds of `feed_ids`, checked by the ed25519
/// instruction at index `ed25519_index` of the same transaction (see [`signed_prices`]).
pub fn post_signed_prices(payer: Pubkey, treasury: Pubkey, message: Vec<u8>, ed25519_index: u16, feed_ids: &[[u8; 32]]) -> Instruction {
    let mut ix = build(
        accounts::PostSignedPrices {
            payer,
            config: pda::config(),
            lazer_storage: turbo::constants::LAZER_STORAGE_ID,
            lazer_treasury: treasury,
            lazer_program: turbo::constants::LAZER_PROGRAM_ID,
            system_program: system_program::ID,
            instructions: turbo::constants::INSTRUCTIONS_SYSVAR_ID,
        },
        instruction::PostSignedPrices { message, ed25519_index },
    );
    ix.accounts.extend(feed_ids.iter().map(|f| AccountMeta::new(pda::signed_feed(f), false)));
    ix
}

/// The two instructions that bring a signed price into a transaction, to sit at `at` and `at + 1`:
/// the ed25519 check of `message` inside the post, then the post into the signed feeds of
/// `feed_ids`. Instructions after them read those feeds' accounts as their prices.
pub fn signed_prices(payer: Pubkey, treasury: Pubkey, message: Vec<u8>, at: u16, feed_ids: &[[u8; 32]]) -> [Instruction; 2] {
    let check = crate::lazer::ed25519_ix(&message, at + 1, crate::lazer::MESSAGE_OFFSET_IN_VERIFY);
    [check, post_signed_prices(payer, treasury, message, at, feed_ids)]
}

/// Swap with a custody: the user's accounts of its token and of USDC.
pub fn swap(c: &CustodyKeys, user: Pubkey, user_asset: Pubkey, user_usdc: Pubkey, args: SwapArgs) -> Instruction {
    build(
        accounts::Swap {
            user,
            config: pda::config(),
            pool: pda::pool(),
            custody: c.custody,
            custody_reserve: c.reserve,
            pool_usdc: pda::pool_usdc(),
            user_asset,
            user_usdc,
            price_update: c.price,
            token_program: anchor_spl::token::ID,
        },
        instruction::Swap { args },
    )
}

/// An LP deposit in a custody's token.
pub fn deposit_custody(
    d: &Deployment,
    c: &CustodyKeys,
    provider: Pubkey,
    provider_asset: Pubkey,
    provider_lp: Pubkey,
    vaults: &[PricedVault],
    args: DepositCustodyArgs,
) -> Instruction {
    let mut ix = build(
        accounts::DepositCustody {
            provider,
            config: pda::config(),
            pool: pda::pool(),
            custody: c.custody,
            custody_reserve: c.reserve,
            lp_mint: pda::lp_mint(),
            provider_asset,
            provider_lp,
            crt_price_update: d.crt_price,
            token_program: anchor_spl::token::ID,
        },
        instruction::DepositCustody { args },
    );
    ix.accounts.extend(valuation_accounts(d, vaults));
    ix
}

/// An LP withdrawal in a custody's token.
pub fn withdraw_custody(
    d: &Deployment,
    c: &CustodyKeys,
    provider: Pubkey,
    provider_lp: Pubkey,
    provider_asset: Pubkey,
    vaults: &[PricedVault],
    args: WithdrawCustodyArgs,
) -> Instruction {
    let mut ix = build(
        accounts::WithdrawCustody {
            provider,
            config: pda::config(),
            pool: pda::pool(),
            custody: c.custody,
            custody_reserve: c.reserve,
            lp_mint: pda::lp_mint(),
            provider_lp,
            provider_asset,
            crt_price_update: d.crt_price,
            token_program: anchor_spl::token::ID,
        },
        instruction::WithdrawCustody { args },
    );
    ix.accounts.extend(valuation_accounts(d, vaults));
    ix
}
