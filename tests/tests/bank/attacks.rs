//! The Sealevel attack catalogue against Turbo, plus oracle and economic attacks. Each test
//! asserts the specific error (the program's or Anchor's) and that nothing moved. Classes already
//! covered in `rejections.rs` (swapped token accounts, mints, token program, price accounts)
//! are listed with their tests in `docs/reliability.md`.

use anchor_lang::error::ErrorCode as Anchor;
use anchor_lang::prelude::AccountMeta;
use solana_sdk::account::Account;
use solana_sdk::instruction::InstructionError;
use solana_sdk::pubkey::Pubkey;
use solana_sdk::signature::{Keypair, Signer};
use solana_sdk::transaction::TransactionError;
use turbo::args::*;
use turbo::error::TurboError;
use turbo::events::RedeemEvent;
use turbo_sdk::{defaults, ix, pda};
use turbo_tests::*;

async fn setup() -> (Fixture, User) {
    let (mut fx, _lp) = Fixture::deployed().await;
    let user = fx.user(10_000 * USDC, 1_000 * CRT).await;
    (fx, user)
}

// --- missing signer ---

#[tokio::test]
async fn missing_signer_is_rejected() {
    let (mut fx, user) = setup().await;
    let victim = fx.user(10_000 * USDC, 0).await;
    assert_ok(&fx.mint(&victim, BTC_VAULT, 1_000 * USDC, 0, 0).await);
    // The attacker names the victim as the redeemer without the victim's signature.
    let v = fx.v(BTC_VAULT);
    let mut redeem = ix::redeem(&fx.d, &v, &victim.accounts(&v), RedeemArgs { amount: 1_000_000, min_usdc_out: 0, min_crt_out: 0 });
    redeem.accounts[0] = AccountMeta::new_readonly(victim.pubkey(), false);
    redeem.accounts[6].pubkey = user.usdc; // payout to the attacker
    let out = fx.send(&[redeem], &[]).await;
    assert_error(&out, Anchor::AccountNotSigner);
    assert_eq!(fx.tokens(&victim, BTC_VAULT).await, 9_950_000);
    // The guardian's pause without the guardian's signature (the fee payer signs, not the
    // guardian).
    let mut pause = ix::set_pause(fx.guardian.pubkey(), None, SetPauseArgs::new(turbo::state::Pause::all(), true));
    pause.accounts[0].is_signer = false;
    assert_error(&fx.send(&[pause], &[]).await, Anchor::AccountNotSigner);
    assert_eq!(fx.config().await.paused, 0);
}

// --- wrong owner and type cosplay ---

#[tokio::test]
async fn accounts_of_another_program_or_type_are_rejected() {
    let (mut fx, user) = setup().await;
    let btc = fx.v(BTC_VAULT).keys.vault;
    // A token account (owned by the token program) where the vault belongs.
    let mint = fx.mint_ix(&user, BTC_VAULT, 1_000 * USDC, 0, 0).await;
    let out = fx.send(&[swap_account(mint, btc, user.usdc)], &[&user.key]).await;
    assert_error(&out, Anchor::AccountOwnedByWrongProgram);
    // A forged vault: right size, program-owned data copied byte for byte, but at another
    // address and owned by the system program.
    let real = fx.account(btc).await.unwrap();
    let forged = Pubkey::new_unique();
    fx.bank.ctx.set_account(&forged, &Account { owner: anchor_lang::system_program::ID, ..real.clone() }.into());
    let mint = fx.mint_ix(&user, BTC_VAULT, 1_000 * USDC, 0, 0).await;
    let out = fx.send(&[swap_account(mint, btc, forged)], &[&user.key]).await;
    assert_error(&out, Anchor::AccountOwnedByWrongProgram);
    // Type cosplay: the pool where the config belongs, and a vault where the pool belongs.
    let out = fx.send(&[swap_account(ix::update_pool(fx.admin.pubkey(), defaults::pool_caps()), pda::config(), pda::pool())], &[]).await;
    assert_error(&out, Anchor::AccountDiscriminatorMismatch);
    let mint = fx.mint_ix(&user, BTC_VAULT, 1_000 * USDC, 0, 0).await;
    let out = fx.send(&[swap_account(mint, pda::pool(), fx.v(SOL_VAULT).keys.vault)], &[&user.key]).await;
    assert_error(&out, Anchor::AccountDiscriminatorMismatch);
    assert_eq!(fx.balance(user.usdc).await, 10_000 * USDC);
}

// --- reinitialisation ---

#[tokio::test]
async fn initialized_accounts_cannot_be_initialized_again() {
    let (mut fx, _user) = setup().await;
    let attacker = Keypair::new();
    fx.bank.fund(&attacker.pubkey(), 0, 0).await;
    // Re-running initialize_config would make the attacker admin. Anchor's `init` asks the
    // system program to create an account that already exists, and it refuses.
    let init = ix::initialize_config(
        &fx.d,
        attacker.pubkey(),
        InitializeConfigArgs {
            guardian: attacker.pubkey(),
            treasury: attacker.pubkey(),
            crt_feed_id: [9; 32],
            params: defaults::config_params(),
        },
    );
    let refused = |o: &Outcome| {
        assert_eq!(o.result, Err(TransactionError::InstructionError(0, InstructionError::InvalidInstructionData)), "{}", o.logs.join("\n"));
        assert!(o.logs.iter().any(|l| l == "Program 11111111111111111111111111111111 failed: invalid instruction data"));
    };
    refused(&fx.send(&[init], &[&attacker]).await);
    assert_eq!(fx.config().await.admin, fx.admin.pubkey());
    // Re-creating an existing vault id, even by the admin, and the pool, fail the same way.
    let before = fx.vault(BTC_VAULT).await;
    refused(&fx.create_vault(BTC_VAULT, "Turbo BTC 2", "tBTC2", Asset::Btc, defaults::turbo_params(), 1_000 * USDC).await);
    assert_eq!({ fx.vault(BTC_VAULT).await.usdc_balance }, { before.usdc_balance });
    let pool = ix::initialize_pool(&fx.d, fx.admin.pubkey(), defaults::pool_caps());
    refused(&fx.send(&[pool], &[]).await);
}

// --- arbitrary CPI target ---

#[tokio::test]
async fn a_fake_token_program_is_rejected() {
    let (mut fx, user) = setup().await;
    // An executable account pretending to be a token program.
    let fake = Pubkey::new_unique();
    fx.bank.ctx.set_account(
        &fake,
        &Account { lamports: 1_000_000_000, data: vec![], owner: solana_sdk::bpf_loader::ID, executable: true, rent_epoch: 0 }.into(),
    );
    for real in [anchor_spl::token::ID, anchor_spl::token_2022::ID] {
        let mint = fx.mint_ix(&user, BTC_VAULT, 1_000 * USDC, 0, 0).await;
        let mut ix = mint;
        let i = ix.accounts.iter().rposition(|m| m.pubkey == real).unwrap();
        ix.accounts[i].pubkey = fake;
        let out = fx.send(&[ix], &[&user.key]).await;
        assert_error(&out, Anchor::InvalidProgramId);
    }
    assert_eq!(fx.balance(user.usdc).await, 10_000 * USDC);
}

// --- duplicate mutable accounts ---

#[tokio::test]
async fn duplicate_mutable_accounts_are_rejected() {
    let (mut fx, user) = setup().await;
    // The user's USDC account also named as their CRT account: Anchor refuses one account in
    // two mutable places before any other check.
    let mint = fx.mint_ix(&user, BTC_VAULT, 1_000 * USDC, 1, 0).await;
    let out = fx.send(&[swap_account(mint, user.crt, user.usdc)], &[&user.key]).await;
    assert_error(&out, Anchor::ConstraintDuplicateMutableAccount);
    // The vault's USDC reserve named as the pool's, so that a settlement would transfer from an
    // account to itself: every reserve is pinned to its own stored address.
    let reserve = fx.v(BTC_VAULT).keys.usdc_reserve;
    let mint = fx.mint_ix(&user, BTC_VAULT, 1_000 * USDC, 0, 0).await;
    let out = fx.send(&[swap_account(mint, pda::pool_usdc(), reserve)], &[&user.key]).await;
    assert_error(&out, Anchor::ConstraintAddress);
    // The vault's reserve as the user's source of USDC: not the user's account.
    let mint = fx.mint_ix(&user, BTC_VAULT, 1_000 * USDC, 0, 0).await;
    let out = fx.send(&[swap_account(mint, user.usdc, reserve)], &[&user.key]).await;
    assert_error(&out, Anchor::ConstraintTokenOwner);
    fx.assert_books_balance().await;
}

// --- non-canonical bump ---

#[tokio::test]
async fn a_pda_with_a_non_canonical_bump_is_rejected() {
    let (mut fx, _user) = setup().await;
    // No instruction takes a bump: Anchor derives the canonical one and the program stores it.
    let vault = pda::vault(9);
    let (canonical, bump) = Pubkey::find_program_address(&[b"mint", vault.as_ref()], &turbo::ID);
    let other = (0..bump)
        .rev()
        .find_map(|b| Pubkey::create_program_address(&[b"mint", vault.as_ref(), &[b]], &turbo::ID).ok())
        .expect("a non-canonical bump exists");
    assert_ne!(other, canonical);
    let admin_usdc = pda::ata(&fx.admin.pubkey(), &fx.d.usdc_mint);
    let admin = fx.admin.pubkey();
    fx.bank.fund(&admin, 1_000 * USDC, 0).await;
    let args = CreateVaultArgs {
        vault_id: 9,
        name: "x".into(),
        symbol: "x".into(),
        uri: String::new(),
        feed_id: fx.feed(Asset::Btc).feed_id,
        params: defaults::turbo_params(),
        seed_usdc: 100 * USDC,
    };
    let create = ix::create_vault(&fx.d, admin, admin_usdc, fx.feed(Asset::Btc).account, None, args);
    let out = fx.send(&[swap_account(create, canonical, other)], &[]).await;
    assert_error(&out, Anchor::ConstraintSeeds);
    // Every stored bump is the canonical one.
    assert_eq!(fx.config().await.bump, Pubkey::find_program_address(&[b"config"], &turbo::ID).1);
    assert_eq!(fx.pool().await.bump, Pubkey::find_program_address(&[b"pool"], &turbo::ID).1);
    let v = fx.vault(BTC_VAULT).await;
    assert_eq!(v.bump, Pubkey::find_program_address(&[b"vault", &BTC_VAULT.to_le_bytes()], &turbo::ID).1);
}

// --- closed accounts ---

#[tokio::test]
async fn a_closed_or_missing_account_is_rejected() {
    let (mut fx, user) = setup().await;
    // No instruction closes a Turbo account, so none can be revived. A price account that was
    // closed (a real, valid update whose lamports were drained and data zeroed, owner reset) is
    // refused, and so is one that never existed.
    let closed = fx.post(Asset::Btc, fx.feed(Asset::Btc).quote.price, 0, fx.now());
    let mint = fx.mint_ix(&user, BTC_VAULT, 1_000 * USDC, 0, 0).await;
    let at_closed = swap_account(mint.clone(), fx.feed(Asset::Btc).account, closed);
    assert!(fx.simulate(std::slice::from_ref(&at_closed), &[&user.key]).await.result.is_ok(), "the update is valid while open");
    fx.bank.ctx.set_account(&closed, &solana_sdk::account::AccountSharedData::default());
    assert_error(&fx.send(&[at_closed], &[&user.key]).await, Anchor::AccountNotInitialized);
    let missing = swap_account(mint, fx.feed(Asset::Btc).account, Pubkey::new_unique());
    assert_error(&fx.send(&[missing], &[&user.key]).await, Anchor::AccountNotInitialized);
    assert_eq!(fx.balance(user.usdc).await, 10_000 * USDC);
}

// --- fake sysvar or clock ---

#[tokio::test]
async fn a_fake_clock_cannot_make_a_stale_price_fresh() {
    let (mut fx, _user) = setup().await;
    // The program reads time through the Clock syscall, never from an account. Appending a
    // forged "clock" account that claims an earlier time changes nothing: the price is stale.
    fx.advance(31);
    let v = fx.v(BTC_VAULT);
    let keeper = fx.keeper.as_ref().unwrap().key.insecure_clone();
    let mut ix = ix::rebalance(&fx.d, &v, keeper.pubkey(), None);
    let fake = Pubkey::new_unique();
    let clock = solana_sdk::clock::Clock { unix_timestamp: GENESIS_TIME, ..Default::default() };
    fx.bank.ctx.set_account(
        &fake,
        &Account { lamports: 1_000_000_000, data: bincode_clock(&clock), owner: solana_sdk::sysvar::ID, executable: false, rent_epoch: 0 }
            .into(),
    );
    ix.accounts.push(AccountMeta::new_readonly(fake, false));
    assert_error(&fx.send(&[ix], &[&keeper]).await, TurboError::StalePrice);
}

fn bincode_clock(c: &solana_sdk::clock::Clock) -> Vec<u8> {
    let mut v = Vec::with_capacity(40);
    v.extend_from_slice(&c.slot.to_le_bytes());
    v.extend_from_slice(&c.epoch_start_timestamp.to_le_bytes());
    v.extend_from_slice(&c.epoch.to_le_bytes());
    v.extend_from_slice(&c.leader_schedule_epoch.to_le_bytes());
    v.extend_from_slice(&c.unix_timestamp.to_le_bytes());
    v
}

// --- PDA sharing ---

#[tokio::test]
async fn one_vault_cannot_spend_another_vaults_reserves() {
    let (mut fx, user) = setup().await;
    assert_ok(&fx.mint(&user, SOL_VAULT, 5_000 * USDC, 0, 0).await);
    // Each vault's reserves are PDAs of that vault and only that vault signs for them. A
    // redeem of BTC tokens that points the payout reserve at SOL's is refused.
    assert_ok(&fx.mint(&user, BTC_VAULT, 1_000 * USDC, 0, 0).await);
    let redeem = fx.redeem_ix(&user, BTC_VAULT, 1_000_000);
    let out = fx.send(&[swap_account(redeem, fx.v(BTC_VAULT).keys.usdc_reserve, fx.v(SOL_VAULT).keys.usdc_reserve)], &[&user.key]).await;
    assert_error(&out, Anchor::ConstraintAddress);
    fx.assert_books_balance().await;
}

// --- economic attacks ---

#[tokio::test]
async fn first_depositor_inflation_of_the_pool_fails() {
    let mut fx = Fixture::new().await;
    let attacker = fx.user(1_000_001 * USDC, 0).await;
    let victim = fx.user(10_000 * USDC, 0).await;
    // 1 raw unit for 1 share, then a 1,000,000 USDC "donation" straight into the reserve.
    assert_ok(&fx.deposit_liquidity(&attacker, 1).await);
    let donate = spl_token_interface::instruction::transfer(
        &anchor_spl::token::ID,
        &attacker.usdc,
        &pda::pool_usdc(),
        &attacker.pubkey(),
        &[],
        1_000_000 * USDC,
    )
    .unwrap();
    assert_ok(&fx.send(&[donate], &[&attacker.key]).await);
    // The donation is not pool value (value comes from the accounting): the victim's 10,000
    // USDC buys 10,000 shares, at the virtual-offset price of one share per unit.
    assert_ok(&fx.deposit_liquidity(&victim, 10_000 * USDC).await);
    assert_eq!(fx.balance(victim.lp()).await, 10_000 * USDC);
    // The attacker redeems its share and gets back its 1 unit, not the victim's money.
    let dust = fx.balance(attacker.usdc).await;
    assert_ok(&fx.withdraw_liquidity(&attacker, 1).await);
    assert_eq!(fx.balance(attacker.usdc).await, dust + 1);
    assert_ok(&fx.withdraw_liquidity(&victim, 10_000 * USDC).await);
    assert_eq!(fx.balance(victim.usdc).await, 10_000 * USDC);
}

#[tokio::test]
async fn a_donation_to_a_vault_changes_nobodys_nav() {
    let (mut fx, user) = setup().await;
    let donor = fx.user(100_000 * USDC, 0).await;
    let reserve = fx.v(BTC_VAULT).keys.usdc_reserve;
    let donate =
        spl_token_interface::instruction::transfer(&anchor_spl::token::ID, &donor.usdc, &reserve, &donor.pubkey(), &[], 100_000 * USDC)
            .unwrap();
    assert_ok(&fx.send(&[donate], &[&donor.key]).await);
    // A mint after the donation gets exactly what it would have got before: NAV is the
    // accounting ($1,000 for 10 tokens), not the token balance ($101,000).
    assert_ok(&fx.mint(&user, BTC_VAULT, 1_000 * USDC, 0, 9_950_000).await);
    assert_eq!(fx.tokens(&user, BTC_VAULT).await, 9_950_000);
    let out = fx.redeem(&user, BTC_VAULT, 9_950_000).await;
    assert_eq!(out.event::<RedeemEvent>().usdc_out, 985_050_000);
    // The donation stays in the reserve as an excess over the accounting (the vault's balance
    // plus the $5 + $9.95 of fees it holds for the pool), bounded by its size.
    let vault = fx.vault(BTC_VAULT).await;
    assert_eq!({ vault.fees_owed_usdc }, 14_950_000);
    assert_eq!(fx.balance(reserve).await, vault.usdc_balance + vault.fees_owed_usdc + 100_000 * USDC);
}
