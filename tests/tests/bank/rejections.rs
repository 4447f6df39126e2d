//! Every way a caller can get a mint, redeem or admin call wrong is refused with its specific
//! error, and nothing moves (docs/design.md §3, §4, §7).

use anchor_lang::error::ErrorCode as Anchor;
use pyth_solana_receiver_sdk::price_update::VerificationLevel;
use solana_sdk::pubkey::Pubkey;
use solana_sdk::signature::{Keypair, Signer};
use turbo::args::*;
use turbo::error::TurboError;
use turbo::state::Pause;
use turbo_sdk::{defaults, ix, pda};
use turbo_tests::*;

/// A deployed fixture and a user holding 10,000 USDC and 1,000 CRT.
async fn setup() -> (Fixture, User) {
    let (mut fx, _lp) = Fixture::deployed().await;
    let user = fx.user(10_000 * USDC, 1_000 * CRT).await;
    (fx, user)
}

/// Assert the mint failed with `code` and moved nothing.
async fn assert_mint_refused(fx: &mut Fixture, user: &User, out: Outcome, code: impl Into<u32>) {
    assert_error(&out, code);
    assert_eq!(fx.balance(user.usdc).await, 10_000 * USDC, "no USDC moved");
    assert_eq!(fx.tokens(user, BTC_VAULT).await, 0, "no tokens minted");
    fx.assert_books_balance().await;
}

// --- oracle ---

#[tokio::test]
async fn stale_price_is_rejected() {
    let (mut fx, user) = setup().await;
    // Max age 30 s; the BTC price was published at genesis. At exactly 30 s a keeper may still
    // use it (a user needs a fresh one: `fresh_price_boundary_is_exact`).
    fx.advance(30);
    assert_ok(&fx.rebalance(BTC_VAULT).await);
    fx.advance(1);
    assert_error(&fx.rebalance(BTC_VAULT).await, TurboError::StalePrice);
    let out = fx.mint(&user, BTC_VAULT, 1_000 * USDC, 0, 0).await;
    assert_mint_refused(&mut fx, &user, out, TurboError::StalePrice).await;
}

#[tokio::test]
async fn fresh_price_boundary_is_exact() {
    let (mut fx, user) = setup().await;
    fx.tick(10);
    let p = fx.feed(Asset::Btc).quote.price;
    // Published 6 s before the clock: refused to a user; 5 s: accepted.
    let late = fx.post(Asset::Btc, p, 0, fx.now() - 6);
    fx.open_token_account(&user, &fx.v(BTC_VAULT)).await;
    let out = fx.send(&[fx.mint_ix_at(&user, BTC_VAULT, 1_000 * USDC, late)], &[&user.key]).await;
    assert_mint_refused(&mut fx, &user, out, TurboError::PriceNotFresh).await;
    let on_time = fx.post(Asset::Btc, p, 0, fx.now() - 5);
    assert_ok(&fx.send(&[fx.mint_ix_at(&user, BTC_VAULT, 1_000 * USDC, on_time)], &[&user.key]).await);
    assert_eq!(fx.tokens(&user, BTC_VAULT).await, 9_950_000);
}

#[tokio::test]
async fn price_from_another_feed_is_rejected() {
    let (mut fx, user) = setup().await;
    let mint = fx.mint_ix(&user, BTC_VAULT, 1_000 * USDC, 0, 0).await;
    let ix = swap_account(mint, fx.feed(Asset::Btc).account, fx.feed(Asset::Sol).account);
    let out = fx.send(&[ix], &[&user.key]).await;
    assert_mint_refused(&mut fx, &user, out, TurboError::PriceFeedMismatch).await;
}

#[tokio::test]
async fn price_account_owned_by_another_program_is_rejected() {
    let (mut fx, user) = setup().await;
    // Valid-looking bytes for the right feed, but not written by the Pyth receiver.
    let mut q = fx.feed(Asset::Btc).quote;
    q.price = 90_000 * PX;
    let (acc, owner) = (fx.feed(Asset::Btc).account, Pubkey::new_unique());
    fx.write_quote(acc, &q, owner);
    let out = fx.mint(&user, BTC_VAULT, 1_000 * USDC, 0, 0).await;
    assert_mint_refused(&mut fx, &user, out, Anchor::AccountOwnedByWrongProgram).await;
}

#[tokio::test]
async fn partially_verified_price_is_rejected() {
    let (mut fx, user) = setup().await;
    let mut q = fx.feed(Asset::Btc).quote;
    q.verification = VerificationLevel::Partial { num_signatures: 5 };
    let acc = fx.feed(Asset::Btc).account;
    fx.write_quote(acc, &q, pyth_solana_receiver_sdk::ID);
    let out = fx.mint(&user, BTC_VAULT, 1_000 * USDC, 0, 0).await;
    assert_mint_refused(&mut fx, &user, out, TurboError::PriceNotFullyVerified).await;
}

#[tokio::test]
async fn confidence_too_wide_is_rejected() {
    let (mut fx, user) = setup().await;
    // 2.01% of $60,000 against a 2% bound.
    fx.set_price(Asset::Btc, 60_000 * PX, 1_206 * PX as u64);
    let out = fx.mint(&user, BTC_VAULT, 1_000 * USDC, 0, 0).await;
    assert_mint_refused(&mut fx, &user, out, TurboError::ConfidenceTooWide).await;
    // Exactly 2.00% is inside the bound.
    fx.set_price(Asset::Btc, 60_000 * PX, 1_200 * PX as u64);
    assert_ok(&fx.mint(&user, BTC_VAULT, 1_000 * USDC, 0, 0).await);
    assert!(fx.tokens(&user, BTC_VAULT).await > 0);
}

#[tokio::test]
async fn price_older_than_the_last_used_is_rejected() {
    let (mut fx, user) = setup().await;
    fx.tick(10);
    let newer = fx.feed(Asset::Btc).quote;
    assert_ok(&fx.mint(&user, BTC_VAULT, 1_000 * USDC, 0, 0).await);
    // Replay an update 5 s older than the one the vault used: still inside the age window,
    // and favourable (a lower price for a minter), but refused.
    let mut older = newer;
    older.publish_time -= 5;
    older.price = 59_000 * PX;
    let acc = fx.feed(Asset::Btc).account;
    fx.write_quote(acc, &older, pyth_solana_receiver_sdk::ID);
    let tokens = fx.tokens(&user, BTC_VAULT).await;
    let out = fx.mint(&user, BTC_VAULT, 1_000 * USDC, 0, 0).await;
    assert_error(&out, TurboError::PriceUpdateOutOfOrder);
    assert_eq!(fx.tokens(&user, BTC_VAULT).await, tokens);
}

#[tokio::test]
async fn zero_and_negative_prices_are_rejected() {
    let (mut fx, user) = setup().await;
    for price in [0, -60_000 * PX] {
        fx.set_price(Asset::Btc, price, 0);
        let out = fx.mint(&user, BTC_VAULT, 1_000 * USDC, 0, 0).await;
        assert_mint_refused(&mut fx, &user, out, TurboError::NonPositivePrice).await;
    }
}

#[tokio::test]
async fn stale_crt_price_is_rejected() {
    let (mut fx, user) = setup().await;
    fx.advance(61); // CRT max age is 60 s
    fx.set_price(Asset::Btc, 60_000 * PX, 0);
    let out = fx.mint(&user, BTC_VAULT, 1_000 * USDC, 0, 0).await;
    assert_mint_refused(&mut fx, &user, out, TurboError::StalePrice).await;
}

// --- guards ---

#[tokio::test]
async fn slippage_guard_refuses_fewer_tokens_than_asked() {
    let (mut fx, user) = setup().await;
    // 1,000 USDC buys 9.95 tokens at $100; ask for one raw unit more.
    let out = fx.mint(&user, BTC_VAULT, 1_000 * USDC, 0, 9_950_001).await;
    assert_mint_refused(&mut fx, &user, out, TurboError::SlippageExceeded).await;
    assert_ok(&fx.mint(&user, BTC_VAULT, 1_000 * USDC, 0, 9_950_000).await);
    assert_eq!(fx.tokens(&user, BTC_VAULT).await, 9_950_000);

    // Redeem: 9.95 tokens of 19.95 pay floor(1,995 x 9.95/19.95) = 995 USDC gross, 985.05 net.
    let v = fx.v(BTC_VAULT);
    let d = fx.d;
    let guard = |min| ix::redeem(&d, &v, &user.accounts(&v), RedeemArgs { amount: 9_950_000, min_usdc_out: min, min_crt_out: 0 });
    let out = fx.send(&[guard(985_050_001)], &[&user.key]).await;
    assert_error(&out, TurboError::SlippageExceeded);
    assert_ok(&fx.send(&[guard(985_050_000)], &[&user.key]).await);
}

#[tokio::test]
async fn mint_while_paused_fails_and_redeem_still_works() {
    let (mut fx, user) = setup().await;
    assert_ok(&fx.mint(&user, BTC_VAULT, 1_000 * USDC, 0, 0).await);
    let pause = ix::set_pause(fx.guardian.pubkey(), None, SetPauseArgs::new(Pause::MINT, true));
    let guardian = fx.guardian.insecure_clone();
    assert_ok(&fx.send(&[pause], &[&guardian]).await);

    let out = fx.mint(&user, BTC_VAULT, 1_000 * USDC, 0, 0).await;
    assert_error(&out, TurboError::MintPaused);
    // Redeem stays open while minting is paused.
    let out = fx.redeem(&user, BTC_VAULT, 9_950_000).await;
    assert_ok(&out);
    assert_eq!(fx.tokens(&user, BTC_VAULT).await, 0);
    assert_eq!(fx.balance(user.usdc).await, 9_000 * USDC + 985_050_000);
}

#[tokio::test]
async fn vault_level_pause_stops_only_that_vault() {
    let (mut fx, user) = setup().await;
    let btc = fx.v(BTC_VAULT).keys.vault;
    let pause = ix::set_pause(fx.admin.pubkey(), Some(btc), SetPauseArgs::new(Pause::MINT, true));
    assert_ok(&fx.send(&[pause], &[]).await);
    let out = fx.mint(&user, BTC_VAULT, 1_000 * USDC, 0, 0).await;
    assert_error(&out, TurboError::MintPaused);
    assert_ok(&fx.mint(&user, SOL_VAULT, 1_000 * USDC, 0, 0).await);
}

#[tokio::test]
async fn redeem_pause_is_its_own_flag() {
    let (mut fx, user) = setup().await;
    assert_ok(&fx.mint(&user, BTC_VAULT, 1_000 * USDC, 0, 0).await);
    let pause = ix::set_pause(fx.admin.pubkey(), None, SetPauseArgs::new(Pause::REDEEM, true));
    assert_ok(&fx.send(&[pause], &[]).await);
    assert_error(&fx.redeem(&user, BTC_VAULT, 1).await, TurboError::RedeemPaused);
}

#[tokio::test]
async fn guardian_can_pause_but_not_unpause() {
    let (mut fx, _user) = setup().await;
    let guardian = fx.guardian.insecure_clone();
    let args = |paused| SetPauseArgs::new(Pause::all(), paused);
    assert_ok(&fx.send(&[ix::set_pause(guardian.pubkey(), None, args(true))], &[&guardian]).await);
    let out = fx.send(&[ix::set_pause(guardian.pubkey(), None, args(false))], &[&guardian]).await;
    assert_error(&out, TurboError::GuardianCannotUnpause);
    assert_ok(&fx.send(&[ix::set_pause(fx.admin.pubkey(), None, args(false))], &[]).await);
    assert_eq!(fx.config().await.paused, 0);
    let stranger = Keypair::new();
    let out = fx.send(&[ix::set_pause(stranger.pubkey(), None, args(true))], &[&stranger]).await;
    assert_error(&out, TurboError::Unauthorized);
}

#[tokio::test]
async fn supply_cap_is_enforced() {
    let (mut fx, user) = setup().await;
    // Cap the supply at the 10 seed tokens plus 5 more.
    let params = turbo::state::VaultParams { supply_cap: 15_000_000, ..defaults::turbo_params() };
    let btc = fx.v(BTC_VAULT).keys.vault;
    assert_ok(&fx.send(&[ix::update_vault(fx.admin.pubkey(), btc, params)], &[]).await);
    let out = fx.mint(&user, BTC_VAULT, 1_000 * USDC, 0, 0).await; // 9.95 tokens
    assert_mint_refused(&mut fx, &user, out, TurboError::SupplyCapExceeded).await;
    assert_ok(&fx.mint(&user, BTC_VAULT, 500 * USDC, 0, 0).await); // 4.975 tokens
}

#[tokio::test]
async fn pool_capacity_is_enforced() {
    let (mut fx, _lp) = Fixture::deployed().await;
    // Gross cap 2x the pool (about $2,000,000 of notional), net cap high.
    let caps = turbo::state::PoolCaps { gross_cap_bps: 20_000, net_cap_bps: 100_000, ..hard_caps_only() };
    assert_ok(&fx.send(&[ix::update_pool(fx.admin.pubkey(), caps)], &[]).await);
    let whale = fx.user(700_000 * USDC, 0).await;
    // $696,500 net at 3x is about $2.09M of notional: over the cap.
    let out = fx.mint(&whale, BTC_VAULT, 700_000 * USDC, 0, 0).await;
    assert_error(&out, TurboError::PoolCapacityExceeded);
    assert_eq!(fx.balance(whale.usdc).await, 700_000 * USDC);
    // $600,000 fits: about $1.8M of notional.
    assert_ok(&fx.mint(&whale, BTC_VAULT, 600_000 * USDC, 0, 0).await);
    fx.assert_books_balance().await;
}

/// The compared values a cap's refusal of a mint of `usdc` into `id` carries, from the SDK's
/// preview (the program's own code): `(what the side would carry, what a mint may fill)`.
async fn cap_values(fx: &mut Fixture, user: &User, id: u16, usdc: u64) -> (u64, u64) {
    let feeds = fx.bank.feed_map();
    let snap = turbo_sdk::accounts::Snapshot::load(&mut fx.bank, &feeds).await.unwrap();
    let v = snap.vaults.iter().find(|v| v.keys.id == id).unwrap();
    let req = turbo::engine::trade::MintRequest { user: user.pubkey(), usdc, crt: 0, min_tokens_out: 0, has_crt_account: false };
    let Err(anchor_lang::error::Error::AnchorError(e)) = turbo_sdk::preview::mint(snap.state(v), snap.price_accounts(v), snap.next(), &req)
    else {
        panic!("a refusal")
    };
    match e.compared_values {
        Some(anchor_lang::error::ComparedValues::Values((a, b))) => (a.parse().unwrap(), b.parse().unwrap()),
        other => panic!("no numbers: {other:?}"),
    }
}

#[tokio::test]
async fn net_imbalance_cap_refuses_the_heavy_side() {
    let (mut fx, _lp) = Fixture::deployed().await;
    // Net cap 1x the pool: about $1,000,000 of one-sided BTC notional.
    let caps = turbo::state::PoolCaps { gross_cap_bps: 50_000, net_cap_bps: 10_000, ..hard_caps_only() };
    assert_ok(&fx.send(&[ix::update_pool(fx.admin.pubkey(), caps)], &[]).await);
    let whale = fx.user(400_000 * USDC, 0).await;
    let out = fx.mint(&whale, BTC_VAULT, 400_000 * USDC, 0, 0).await; // ~$1.19M long
    assert_error(&out, TurboError::ImbalanceCapExceeded);
    // The refusal carries its numbers (micro-USD): what the side would carry, and what a mint
    // may fill, 80% of the cap (MINT_CAP_SHARE_BPS); a preview reads them, Anchor logs them on chain.
    let (after, limit) = cap_values(&mut fx, &whale, BTC_VAULT, 400_000 * USDC).await;
    let share = fx.quote(BTC_VAULT).await.net_cap as u128 * turbo::constants::MINT_CAP_SHARE_BPS as u128 / 10_000;
    assert!((limit as u128).abs_diff(share) <= share / 1_000 && after > limit, "{after} over {limit}");
    // Another asset: ~$746,000 long fits a mint's 80% of the cap (MINT_CAP_SHARE_BPS); $300,000
    // (~$895,000 long) is past it though under the cap itself: the rest is the holders' headroom.
    assert_error(&fx.mint(&whale, SOL_VAULT, 300_000 * USDC, 0, 0).await, TurboError::ImbalanceCapExceeded);
    assert_ok(&fx.mint(&whale, SOL_VAULT, 250_000 * USDC, 0, 0).await);
}

// --- authority and parameters ---

#[tokio::test]
async fn non_admin_cannot_call_admin_instructions() {
    let (mut fx, user) = setup().await;
    let stranger = Keypair::new();
    let s = stranger.pubkey();
    let btc = fx.v(BTC_VAULT).keys.vault;
    let calls = [
        ix::update_config(s, UpdateConfigArgs { guardian: Some(s), ..Default::default() }),
        ix::propose_admin(s, s),
        ix::update_vault(s, btc, defaults::turbo_params()),
        ix::update_pool(s, defaults::pool_caps()),
        ix::withdraw_fees(s, user.usdc, user.crt, WithdrawFeesArgs { usdc: 0, crt: 0 }),
    ];
    for call in calls {
        let out = fx.send(&[call], &[&stranger]).await;
        assert_error(&out, TurboError::Unauthorized);
    }
    assert_eq!(fx.config().await.admin, fx.admin.pubkey());
}

#[tokio::test]
async fn parameters_out_of_bounds_are_rejected() {
    let (mut fx, _user) = setup().await;
    let btc = fx.v(BTC_VAULT).keys.vault;
    let base = defaults::turbo_params();
    let cases: Vec<(turbo::state::VaultParams, TurboError)> = vec![
        (turbo::state::VaultParams { mint_fee_bps: 501, ..base }, TurboError::FeeTooHigh),
        (turbo::state::VaultParams { redeem_fee_bps: 501, ..base }, TurboError::FeeTooHigh),
        (
            turbo::state::VaultParams { target_leverage: 5_000_001, band_hi: 5_500_000, emergency_leverage: 6_000_000, ..base },
            TurboError::TargetLeverageOutOfBounds,
        ),
        (turbo::state::VaultParams { target_leverage: 0, ..base }, TurboError::TargetLeverageOutOfBounds),
        (turbo::state::VaultParams { band_lo: 3_100_000, ..base }, TurboError::BandOutOfBounds),
        (turbo::state::VaultParams { emergency_leverage: 3_000_000, ..base }, TurboError::BandOutOfBounds),
        (turbo::state::VaultParams { step_bps: 0, ..base }, TurboError::StepOutOfBounds),
        (turbo::state::VaultParams { min_interval_secs: 86_401, ..base }, TurboError::IntervalOutOfBounds),
        (turbo::state::VaultParams { max_price_age_secs: 0, ..base }, TurboError::PriceAgeOutOfBounds),
        (turbo::state::VaultParams { max_conf_bps: 1_001, ..base }, TurboError::ConfidenceBoundOutOfBounds),
        (turbo::state::VaultParams { split_threshold: 0, ..base }, TurboError::SplitThresholdOutOfBounds),
    ];
    for (params, code) in cases {
        let out = fx.send(&[ix::update_vault(fx.admin.pubkey(), btc, params)], &[]).await;
        assert_error(&out, code);
    }
    let mut p = defaults::config_params();
    p.crt_weight_bps = 9_501;
    let out = fx.send(&[ix::update_config(fx.admin.pubkey(), UpdateConfigArgs { params: Some(p), ..Default::default() })], &[]).await;
    assert_error(&out, TurboError::CrtWeightOutOfBounds);
    let caps = turbo::state::PoolCaps { gross_cap_bps: 0, net_cap_bps: 1, ..hard_caps_only() };
    assert_error(&fx.send(&[ix::update_pool(fx.admin.pubkey(), caps)], &[]).await, TurboError::ExposureCapOutOfBounds);
    let ok = hard_caps_only();
    let pool_cases = [
        (turbo::state::PoolCaps { max_daily_loss_bps: 5_001, ..ok }, TurboError::RiskCapOutOfBounds),
        (turbo::state::PoolCaps { risk_z_centi: 99, ..ok }, TurboError::RiskCapOutOfBounds),
        (turbo::state::PoolCaps { risk_z_centi: 1_001, ..ok }, TurboError::RiskCapOutOfBounds),
        (turbo::state::PoolCaps { vol_floor_bps: 999, ..ok }, TurboError::RiskCapOutOfBounds),
        (turbo::state::PoolCaps { vol_floor_bps: 100_001, ..ok }, TurboError::RiskCapOutOfBounds),
        (turbo::state::PoolCaps { funding_max_bps_per_day: 101, ..ok }, TurboError::FundingOutOfBounds),
    ];
    for (caps, code) in pool_cases {
        assert_error(&fx.send(&[ix::update_pool(fx.admin.pubkey(), caps)], &[]).await, code);
    }
    assert_eq!(fx.pool().await.caps, ok);
    assert_eq!(fx.vault(BTC_VAULT).await.params, base);
}

#[tokio::test]
async fn admin_transfer_takes_two_steps_by_the_right_keys() {
    let (mut fx, _user) = setup().await;
    let next = Keypair::new();
    let wrong = Keypair::new();
    assert_ok(&fx.send(&[ix::propose_admin(fx.admin.pubkey(), next.pubkey())], &[]).await);
    let out = fx.send(&[ix::accept_admin(wrong.pubkey())], &[&wrong]).await;
    assert_error(&out, TurboError::NotPendingAdmin);
    assert_eq!(fx.config().await.admin, fx.admin.pubkey());
    assert_ok(&fx.send(&[ix::accept_admin(next.pubkey())], &[&next]).await);
    let config = fx.config().await;
    assert_eq!(config.admin, next.pubkey());
    assert_eq!(config.pending_admin, Pubkey::default());
    // The old admin is now a stranger.
    let out = fx.send(&[ix::update_pool(fx.admin.pubkey(), defaults::pool_caps())], &[]).await;
    assert_error(&out, TurboError::Unauthorized);
}

// --- swapped accounts ---

#[tokio::test]
async fn swapped_vault_token_account_is_rejected() {
    let (mut fx, user) = setup().await;
    let mint = fx.mint_ix(&user, BTC_VAULT, 1_000 * USDC, 0, 0).await;
    let (ours, theirs) = (fx.v(BTC_VAULT).keys.usdc_reserve, fx.v(SOL_VAULT).keys.usdc_reserve);
    let out = fx.send(&[swap_account(mint, ours, theirs)], &[&user.key]).await;
    assert_mint_refused(&mut fx, &user, out, Anchor::ConstraintAddress).await;
}

#[tokio::test]
async fn swapped_pool_token_account_is_rejected() {
    let (mut fx, user) = setup().await;
    let mint = fx.mint_ix(&user, BTC_VAULT, 1_000 * USDC, 0, 0).await;
    let attacker = fx.user(0, 0).await;
    let out = fx.send(&[swap_account(mint, pda::pool_usdc(), attacker.usdc)], &[&user.key]).await;
    assert_mint_refused(&mut fx, &user, out, Anchor::ConstraintAddress).await;
}

#[tokio::test]
async fn swapped_mint_is_rejected() {
    let (mut fx, user) = setup().await;
    let mint = fx.mint_ix(&user, BTC_VAULT, 1_000 * USDC, 0, 0).await;
    let (ours, theirs) = (fx.v(BTC_VAULT).keys.mint, fx.v(SOL_VAULT).keys.mint);
    let out = fx.send(&[swap_account(mint, ours, theirs)], &[&user.key]).await;
    assert_mint_refused(&mut fx, &user, out, Anchor::ConstraintHasOne).await;
}

#[tokio::test]
async fn swapped_token_program_is_rejected() {
    let (mut fx, user) = setup().await;
    let mint = fx.mint_ix(&user, BTC_VAULT, 1_000 * USDC, 0, 0).await;
    // The Token-2022 program where the SPL Token program belongs.
    let mut ix = mint;
    let i = ix.accounts.iter().position(|m| m.pubkey == anchor_spl::token::ID).unwrap();
    ix.accounts[i].pubkey = anchor_spl::token_2022::ID;
    let out = fx.send(&[ix], &[&user.key]).await;
    assert_mint_refused(&mut fx, &user, out, Anchor::InvalidProgramId).await;
}

#[tokio::test]
async fn wrong_vault_account_is_rejected() {
    let (mut fx, user) = setup().await;
    let btc = fx.v(BTC_VAULT).keys.vault;
    // Another vault with this vault's mint and reserves.
    let mint = fx.mint_ix(&user, BTC_VAULT, 1_000 * USDC, 0, 0).await;
    let out = fx.send(&[swap_account(mint, btc, fx.v(SOL_VAULT).keys.vault)], &[&user.key]).await;
    assert_mint_refused(&mut fx, &user, out, Anchor::ConstraintHasOne).await;
    // An account of another type in the vault's place.
    let mint = fx.mint_ix(&user, BTC_VAULT, 1_000 * USDC, 0, 0).await;
    let out = fx.send(&[swap_account(mint, btc, pda::config())], &[&user.key]).await;
    assert_mint_refused(&mut fx, &user, out, Anchor::AccountDiscriminatorMismatch).await;
}

#[tokio::test]
async fn redeeming_someone_elses_tokens_is_rejected() {
    let (mut fx, user) = setup().await;
    assert_ok(&fx.mint(&user, BTC_VAULT, 1_000 * USDC, 0, 0).await);
    let thief = fx.user(0, 0).await;
    let v = fx.v(BTC_VAULT);
    let mut accounts = thief.accounts(&v);
    accounts.tokens = user.accounts(&v).tokens;
    let ix = ix::redeem(&fx.d, &v, &accounts, RedeemArgs { amount: 1_000_000, min_usdc_out: 0, min_crt_out: 0 });
    let out = fx.send(&[ix], &[&thief.key]).await;
    assert_error(&out, Anchor::ConstraintTokenOwner);
    assert_eq!(fx.tokens(&user, BTC_VAULT).await, 9_950_000);
}

#[tokio::test]
async fn zero_amounts_are_rejected() {
    let (mut fx, user) = setup().await;
    assert_error(&fx.mint(&user, BTC_VAULT, 0, 0, 0).await, TurboError::ZeroAmount);
    assert_error(&fx.redeem(&user, BTC_VAULT, 0).await, TurboError::ZeroAmount);
}

// --- config and vault creation bounds ---

#[tokio::test]
async fn config_parameters_out_of_bounds_are_rejected() {
    let (mut fx, _user) = setup().await;
    let base = defaults::config_params();
    let cases = [
        (turbo::state::ConfigParams { lp_fee_share_bps: 10_001, ..base }, TurboError::FeeShareOutOfBounds),
        (
            turbo::state::ConfigParams { keeper_bounty: 100_000_001, bounty_notional: 1_000_000_000_000, ..base },
            TurboError::KeeperBountyTooHigh,
        ),
        // A bounty above 10 bps of the notional it pays for would make farming pay.
        (turbo::state::ConfigParams { keeper_bounty: 2_000_000, bounty_notional: 1_999_999_999, ..base }, TurboError::KeeperBountyTooHigh),
        (turbo::state::ConfigParams { fresh_price_secs: 0, ..base }, TurboError::FreshPriceDelayOutOfBounds),
        (turbo::state::ConfigParams { fresh_price_secs: 31, ..base }, TurboError::FreshPriceDelayOutOfBounds),
    ];
    for (params, code) in cases {
        let ix = ix::update_config(fx.admin.pubkey(), UpdateConfigArgs { params: Some(params), ..Default::default() });
        assert_error(&fx.send(&[ix], &[]).await, code);
    }
    assert_eq!(fx.config().await.params, base);
}

#[tokio::test]
async fn vault_creation_bounds_are_enforced() {
    let (mut fx, _user) = setup().await;
    let long_name = "Turbo BTC with a name far longer than thirty-two bytes";
    let out = fx.create_vault(20, long_name, "tX", Asset::Btc, defaults::turbo_params(), 1_000 * USDC).await;
    assert_error(&out, TurboError::MetadataTooLong);
    let out = fx.create_vault(20, "Turbo X", "tX", Asset::Btc, defaults::turbo_params(), 10 * USDC - 1).await;
    assert_error(&out, TurboError::SeedTooSmall);
    let out = fx.create_vault(20, "Turbo X", "tX", Asset::Btc, defaults::turbo_params(), 10 * USDC).await;
    assert_ok(&out);
}

#[tokio::test]
async fn the_vault_registry_is_bounded() {
    let (mut fx, _user) = setup().await;
    // Four vaults exist; four more fill the registry of eight.
    for id in 5..9u16 {
        assert_ok(&fx.create_vault(id, "Turbo X", "tX", Asset::Sol, defaults::turbo_params(), 10 * USDC).await);
    }
    assert_eq!(fx.config().await.vault_count, 8);
    let out = fx.create_vault(9, "Turbo X", "tX", Asset::Sol, defaults::turbo_params(), 10 * USDC).await;
    assert_error(&out, TurboError::VaultRegistryFull);
}

// --- mints too small, CRT accounts ---

#[tokio::test]
async fn a_mint_that_buys_nothing_is_rejected() {
    let (mut fx, user) = setup().await;
    // One raw unit: the fee rounds up to that unit and nothing is left to buy tokens with.
    let out = fx.mint(&user, BTC_VAULT, 1, 0, 0).await;
    assert_error(&out, TurboError::MintTooSmall);
    assert_eq!(fx.balance(user.usdc).await, 10_000 * USDC);
}

#[tokio::test]
async fn crt_without_a_crt_account_is_rejected() {
    let (mut fx, user) = setup().await;
    let v = fx.v(BTC_VAULT);
    fx.open_token_account(&user, &v).await;
    let mut no_crt = user.accounts(&v);
    no_crt.crt = None;
    // Depositing CRT without naming the account it comes from.
    let mint = ix::mint(&fx.d, &v, &no_crt, MintArgs { usdc_amount: 1_000 * USDC, crt_amount: 10 * CRT, min_tokens_out: 0 });
    assert_error(&fx.send(&[mint], &[&user.key]).await, TurboError::CrtAccountMissing);
    // A redeem from a vault that holds CRT pays CRT, so it needs somewhere to put it.
    assert_ok(&fx.mint(&user, BTC_VAULT, 1_000 * USDC, 10 * CRT, 0).await);
    let redeem = ix::redeem(&fx.d, &v, &no_crt, RedeemArgs { amount: 1_000_000, min_usdc_out: 0, min_crt_out: 0 });
    assert_error(&fx.send(&[redeem], &[&user.key]).await, TurboError::CrtAccountMissing);
}

// --- liquidity providers ---

#[tokio::test]
async fn lp_pauses_and_slippage_are_enforced() {
    let (mut fx, lp) = Fixture::deployed().await;
    let more = fx.user(10_000 * USDC, 0).await;
    // The pool's value equals its 1,000,000 USDC, so 1,000 USDC buys 1,000 shares exactly.
    let deposit = |min| {
        ix::deposit_liquidity(
            &fx.d,
            more.pubkey(),
            more.usdc,
            more.lp(),
            &fx.vaults,
            DepositLiquidityArgs { usdc_amount: 1_000 * USDC, min_shares_out: min },
        )
    };
    let (tight, fair) = (deposit(1_000 * USDC + 1), deposit(1_000 * USDC));
    assert_error(&fx.send(&[tight], &[&more.key]).await, TurboError::SlippageExceeded);
    assert_ok(&fx.send(&[fair], &[&more.key]).await);
    let withdraw = ix::withdraw_liquidity(
        &fx.d,
        more.pubkey(),
        more.lp(),
        more.usdc,
        None,
        &fx.vaults,
        WithdrawLiquidityArgs { shares: 1_000 * USDC, min_usdc_out: 1_000 * USDC + 1, min_crt_out: 0, allow_unpriced: false },
    );
    assert_error(&fx.send(&[withdraw], &[&more.key]).await, TurboError::SlippageExceeded);

    for (flag, code) in [(Pause::DEPOSIT, TurboError::DepositPaused), (Pause::WITHDRAW, TurboError::WithdrawPaused)] {
        let p = ix::set_pause(fx.admin.pubkey(), None, SetPauseArgs::new(flag, true));
        assert_ok(&fx.send(&[p], &[]).await);
        let out = if flag == Pause::DEPOSIT { fx.deposit_liquidity(&lp, 1).await } else { fx.withdraw_liquidity(&lp, 1).await };
        assert_error(&out, code);
    }
}

#[tokio::test]
async fn lp_instructions_must_value_every_registered_vault_in_order() {
    let (mut fx, lp) = Fixture::deployed().await;
    // Leaving out a vault (one the pool might owe) is refused, and so is reordering them.
    let some = fx.vaults[..3].to_vec();
    let ix1 =
        ix::deposit_liquidity(&fx.d, lp.pubkey(), lp.usdc, lp.lp(), &some, DepositLiquidityArgs { usdc_amount: 1, min_shares_out: 0 });
    let mut reordered = fx.vaults.clone();
    reordered.swap(0, 1);
    let ix2 = ix::withdraw_liquidity(
        &fx.d,
        lp.pubkey(),
        lp.lp(),
        lp.usdc,
        None,
        &reordered,
        WithdrawLiquidityArgs { shares: 1, min_usdc_out: 0, min_crt_out: 0, allow_unpriced: false },
    );
    for ix in [ix1, ix2] {
        assert_error(&fx.send(&[ix], &[&lp.key]).await, TurboError::VaultListMismatch);
    }
}

#[tokio::test]
async fn a_withdrawal_that_breaks_the_caps_is_rejected() {
    let (mut fx, lp) = Fixture::deployed().await;
    let whale = fx.user(300_000 * USDC, 0).await;
    assert_ok(&fx.mint(&whale, BTC_VAULT, 300_000 * USDC, 0, 0).await); // ~$900k long BTC
                                                                        // Taking 900,000 of 1,000,000 shares would leave ~$100k backing $900k: over both caps.
    assert_error(&fx.withdraw_liquidity(&lp, 900_000 * USDC).await, TurboError::WithdrawalBreaksCaps);
    assert_ok(&fx.withdraw_liquidity(&lp, 500_000 * USDC).await); // ~$500k still backs it
    fx.assert_books_balance().await;
}

#[tokio::test]
async fn a_withdrawal_larger_than_the_pools_tokens_is_rejected() {
    let (mut fx, lp) = Fixture::deployed().await;
    let user = fx.user(300_000 * USDC, 0).await;
    assert_ok(&fx.mint(&user, BTC_VAULT, 300_000 * USDC, 0, 0).await);
    // BTC −20%, not yet settled: the vault owes the pool ~$180k, which counts in pool value but
    // is not in its reserve. All shares are worth more USDC than the pool holds, and it has no
    // CRT to make up the rest.
    let caps = turbo::state::PoolCaps { gross_cap_bps: 200_000, net_cap_bps: 100_000, ..hard_caps_only() };
    assert_ok(&fx.through_timelock(turbo::state::Change::Pool(caps), None).await);
    fx.tick(10);
    fx.move_price(Asset::Btc, -2_000);
    let all = fx.balance(lp.lp()).await;
    assert_error(&fx.withdraw_liquidity(&lp, all).await, TurboError::PoolLiquidityInsufficient);
    assert_eq!(fx.balance(lp.lp()).await, all);
}

#[tokio::test]
async fn an_insolvent_pool_takes_no_deposits_and_pays_no_withdrawals() {
    let (mut fx, lp) = Fixture::deployed().await;
    let caps = turbo::state::PoolCaps { gross_cap_bps: 200_000, net_cap_bps: 100_000, ..hard_caps_only() };
    assert_ok(&fx.send(&[ix::update_pool(fx.admin.pubkey(), caps)], &[]).await);
    let whale = fx.user(1_000_000 * USDC, 0).await;
    assert_ok(&fx.mint(&whale, BTC_VAULT, 1_000_000 * USDC, 0, 0).await); // ~$3M long BTC
                                                                          // BTC +40%, unsettled: the pool owes the vault ~$1.2M and holds ~$1.0M.
    fx.tick(10);
    fx.move_price(Asset::Btc, 4_000);
    let newcomer = fx.user(10_000 * USDC, 0).await;
    assert_error(&fx.deposit_liquidity(&newcomer, 10_000 * USDC).await, TurboError::PoolInsolvent);
    assert_error(&fx.withdraw_liquidity(&lp, 1_000 * USDC).await, TurboError::PoolInsolvent);
    assert_eq!(fx.balance(newcomer.usdc).await, 10_000 * USDC);
}

#[tokio::test]
async fn pause_flags_must_name_a_known_pause() {
    let (mut fx, _user) = setup().await;
    let before = fx.config().await.paused;
    for flags in [0u8, 1 << 6, 0x80 | Pause::MINT.bits()] {
        let out = fx.send(&[ix::set_pause(fx.admin.pubkey(), None, SetPauseArgs { flags, paused: true })], &[]).await;
        assert_error(&out, TurboError::PauseFlagsInvalid);
    }
    assert_eq!(fx.config().await.paused, before);
}
