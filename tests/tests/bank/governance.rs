//! Exits that nothing can trap (the security review's M-3, M-4, M-5, L-4, I-2, I-3): a vault's
//! direction is immutable, changes that add risk wait for the timelock, pauses of exits
//! expire, a vault can be retired and redeemed without a feed, redeem survives a stale CRT
//! feed and a wide asset confidence, an LP can leave while one feed is stale, and setup cannot
//! be hijacked or blocked. Each test asserts the specific error or the exact amounts.

use solana_sdk::signature::{Keypair, Signer};
use turbo::error::TurboError;
use turbo::events::*;
use turbo::instructions::*;
use turbo::state::{pause, ConfigParams, PoolCaps, VaultParams};
use turbo_sdk::{defaults, ix, pda};
use turbo_tests::*;

const HOUR: i64 = 3_600;

async fn setup() -> (Fixture, User) {
    let (mut fx, _lp) = Fixture::deployed().await;
    let user = fx.user(20_000 * USDC, 1_000 * CRT).await;
    (fx, user)
}

fn update_vault(fx: &Fixture, id: u16, params: VaultParams) -> anchor_lang::solana_program::instruction::Instruction {
    ix::update_vault(fx.admin.pubkey(), fx.v(id).keys.vault, params)
}

// --- M-5: what the admin can do at once ---

#[tokio::test]
async fn m5_a_vaults_direction_cannot_be_flipped() {
    let (mut fx, _user) = setup().await;
    // Turbo BTC turned into a −2x short: refused, whatever the timelock.
    let short = VaultParams { target_leverage: -2_000_000, band_lo: 2_000_000, band_hi: 2_500_000, emergency_leverage: 3_000_000, ..defaults::turbo_params() };
    assert_error(&fx.send(&[update_vault(&fx, BTC_VAULT, short)], &[]).await, TurboError::DirectionImmutable);
    assert_eq!(fx.vault(BTC_VAULT).await.params.target_leverage, 3_000_000);
}

#[tokio::test]
async fn m5_changes_that_add_risk_are_refused_at_once() {
    let (mut fx, _user) = setup().await;
    let base = defaults::turbo_params();
    let risky = [
        VaultParams { mint_fee_bps: 500, ..base },
        VaultParams { redeem_fee_bps: 500, ..base },
        VaultParams { max_price_age_secs: 300, ..base },
        VaultParams { max_conf_bps: 1_000, ..base },
        VaultParams { emergency_leverage: 10_000_000, ..base },
        VaultParams { jitter_secs: 86_400, ..base },
        VaultParams { supply_cap: u64::MAX, ..base },
    ];
    for p in risky {
        assert_error(&fx.send(&[update_vault(&fx, SOL_VAULT, p)], &[]).await, TurboError::ChangeNeedsTimelock);
    }
    let c = defaults::config_params();
    for p in [
        ConfigParams { crt_weight_bps: 5_000, ..c },
        ConfigParams { crt_max_age_secs: 300, ..c },
        ConfigParams { crt_max_conf_bps: 1_000, ..c },
        ConfigParams { fresh_price_secs: 30, ..c },
    ] {
        let ix = ix::update_config(fx.admin.pubkey(), UpdateConfigArgs { params: Some(p), ..Default::default() });
        assert_error(&fx.send(&[ix], &[]).await, TurboError::ChangeNeedsTimelock);
    }
    let caps = PoolCaps { gross_cap_bps: 200_000, net_cap_bps: 100_000 };
    assert_error(&fx.send(&[ix::update_pool(fx.admin.pubkey(), caps)], &[]).await, TurboError::ChangeNeedsTimelock);
    // A new vault once the pool holds LP money.
    let out = fx.create_vault_now(9, "Turbo SOL 2", "tSOL2", Asset::Sol, base, 1_000 * USDC).await;
    assert_error(&out, TurboError::ChangeNeedsTimelock);
    assert_eq!(fx.vault(SOL_VAULT).await.params, base);
}

#[tokio::test]
async fn m5_changes_that_lower_risk_apply_at_once() {
    let (mut fx, _user) = setup().await;
    let base = defaults::turbo_params();
    let safer = VaultParams { mint_fee_bps: 10, redeem_fee_bps: 20, max_price_age_secs: 10, max_conf_bps: 100, emergency_leverage: 3_500_000, supply_cap: 1_000_000_000, ..base };
    assert_ok(&fx.send(&[update_vault(&fx, SOL_VAULT, safer)], &[]).await);
    assert_eq!(fx.vault(SOL_VAULT).await.params, safer);
    let caps = PoolCaps { gross_cap_bps: 40_000, net_cap_bps: 20_000 };
    assert_ok(&fx.send(&[ix::update_pool(fx.admin.pubkey(), caps)], &[]).await);
    let p = ConfigParams { crt_max_age_secs: 30, crt_max_conf_bps: 100, fresh_price_secs: 3, ..defaults::config_params() };
    assert_ok(&fx.send(&[ix::update_config(fx.admin.pubkey(), UpdateConfigArgs { params: Some(p), ..Default::default() })], &[]).await);
    assert_eq!(fx.config().await.params, p);
}

// --- M-5 / M-3: pauses of exits expire ---

#[tokio::test]
async fn m5_a_redeem_pause_expires_without_renewal() {
    let (mut fx, user) = setup().await;
    assert_ok(&fx.mint(&user, SOL_VAULT, 1_000 * USDC, 0, 0).await);
    let pause = ix::set_pause(fx.admin.pubkey(), None, SetPauseArgs { flags: pause::REDEEM | pause::WITHDRAW, paused: true });
    assert_ok(&fx.send(&[pause], &[]).await);
    let tokens = fx.tokens(&user, SOL_VAULT).await;
    fx.tick(72 * HOUR - 1);
    assert_error(&fx.redeem(&user, SOL_VAULT, tokens).await, TurboError::RedeemPaused);
    fx.tick(1);
    assert_ok(&fx.redeem(&user, SOL_VAULT, tokens).await);
    // Minting stays paused for as long as the admin wants.
    let mint = ix::set_pause(fx.admin.pubkey(), None, SetPauseArgs { flags: pause::MINT, paused: true });
    assert_ok(&fx.send(&[mint], &[]).await);
    fx.tick(30 * 24 * HOUR);
    assert_error(&fx.mint(&user, SOL_VAULT, 1_000 * USDC, 0, 0).await, TurboError::MintPaused);
}

#[tokio::test]
async fn m5_the_guardian_cannot_renew_an_exit_pause() {
    let (mut fx, user) = setup().await;
    assert_ok(&fx.mint(&user, SOL_VAULT, 1_000 * USDC, 0, 0).await);
    let guardian = fx.guardian.insecure_clone();
    let pause = ix::set_pause(guardian.pubkey(), None, SetPauseArgs { flags: pause::REDEEM, paused: true });
    assert_ok(&fx.send(&[pause.clone()], &[&guardian]).await);
    fx.tick(72 * HOUR);
    // The pause has run out; the guardian may not start another right away.
    assert_error(&fx.send(&[pause.clone()], &[&guardian]).await, TurboError::GuardianCannotRenewExitPause);
    let tokens = fx.tokens(&user, SOL_VAULT).await;
    assert_ok(&fx.redeem(&user, SOL_VAULT, tokens / 2).await);
    // The admin can renew.
    let admin_pause = ix::set_pause(fx.admin.pubkey(), None, SetPauseArgs { flags: pause::REDEEM, paused: true });
    assert_ok(&fx.send(&[admin_pause], &[]).await);
    assert_error(&fx.redeem(&user, SOL_VAULT, 1).await, TurboError::RedeemPaused);
}

// --- M-4: redeem through oracle trouble ---

#[tokio::test]
async fn m4_a_redeem_succeeds_with_the_crt_feed_stale() {
    let (mut fx, user) = setup().await;
    assert_ok(&fx.mint(&user, SOL_VAULT, 1_000 * USDC, 0, 0).await);
    let tokens = fx.tokens(&user, SOL_VAULT).await;
    // CRT's feed stops; SOL's stays fresh. The vault holds no CRT, so redeem never reads it.
    fx.advance(120);
    fx.set_price(Asset::Sol, fx.feed(Asset::Sol).quote.price, 0);
    let before = fx.balance(user.usdc).await;
    let out = fx.redeem(&user, SOL_VAULT, tokens).await;
    assert_ok(&out);
    assert_eq!(fx.balance(user.usdc).await - before, out.event::<RedeemEvent>().usdc_out);
    assert_eq!(out.event::<RedeemEvent>().usdc_out, 985_050_000);
}

#[tokio::test]
async fn m4_a_redeem_succeeds_with_the_assets_confidence_at_five_percent() {
    let (mut fx, user) = setup().await;
    assert_ok(&fx.mint(&user, SOL_VAULT, 1_000 * USDC, 0, 0).await);
    let tokens = fx.tokens(&user, SOL_VAULT).await;
    fx.tick(60);
    let p = fx.feed(Asset::Sol).quote.price;
    fx.set_price(Asset::Sol, p, (p / 20) as u64);
    // A mint is still refused at 5% (the 2% bound protects the vault's holders).
    assert_error(&fx.mint(&user, SOL_VAULT, 1_000 * USDC, 0, 0).await, TurboError::ConfidenceTooWide);
    // The redeem is paid at the low price: the wide interval costs only the redeemer.
    let out = fx.redeem(&user, SOL_VAULT, tokens).await;
    assert_ok(&out);
    let r = out.event::<RedeemEvent>();
    assert_eq!(r.conf_price, (p - p / 20) as u64);
    // At 3x, 5% lower is 15% less NAV.
    assert!((r.nav_redeem as i128 * 100 - r.nav_before as i128 * 85).abs() <= 300, "{r:?}");
}

// --- M-3: an LP leaves while one feed is stale ---

#[tokio::test]
async fn m3_an_lp_withdraws_while_one_feed_is_stale_and_extracts_nothing() {
    let (mut fx, lp) = Fixture::deployed().await;
    let whale = fx.user(200_000 * USDC, 0).await;
    assert_ok(&fx.mint(&whale, FET_VAULT, 100_000 * USDC, 0, 0).await);
    assert_ok(&fx.mint(&whale, BTC_VAULT, 100_000 * USDC, 0, 0).await);
    // FET's feed stops; the others stay fresh.
    fx.advance(120);
    for a in [Asset::Btc, Asset::Sol, Asset::Crt] {
        fx.set_price(a, fx.feed(a).quote.price, 0);
    }
    let shares = fx.balance(lp.lp()).await / 10;
    let out = fx.withdraw_liquidity(&lp, shares).await;
    assert_ok(&out);
    let stale = out.event::<LiquidityWithdrawnEvent>().value_out;
    // With FET's feed back at any price from near zero to double, the same shares are worth at
    // least as much: the stale valuation never pays more than a live one.
    let p0 = fx.feed(Asset::Fet).quote.price;
    for pct in [1, 50, 100, 150, 200] {
        fx.set_price(Asset::Fet, p0 * pct / 100, 0);
        let sim = fx.simulate(&[fx.withdraw_liquidity_ix(&lp, shares, &fx.vaults.clone())], &[&lp.key]).await;
        assert_ok(&sim);
        let live = sim.event::<LiquidityWithdrawnEvent>().value_out;
        assert!(stale <= live, "with FET at {pct}% a live withdrawal paid {live}, the stale one {stale}");
    }
}

// --- I-2, I-3, L-4: setup ---

#[tokio::test]
async fn i2_only_the_upgrade_authority_can_initialize_the_config() {
    let bank = turbo_sdk::bank::Bank::start(&[(feed_id(CRT_FEED), PX)]).await;
    let mut bank = bank;
    let attacker = Keypair::new();
    bank.fund(&attacker.pubkey(), 0, 0).await;
    let d = ix::Deployment { usdc_mint: bank.usdc_mint, crt_mint: bank.crt_mint, crt_price: bank.feed(&feed_id(CRT_FEED)).account };
    let args = InitializeConfigArgs { guardian: attacker.pubkey(), treasury: attacker.pubkey(), crt_feed_id: feed_id(CRT_FEED), params: defaults::config_params() };
    let out = bank.send_now(&[ix::initialize_config(&d, attacker.pubkey(), args)], &[&attacker]).await;
    assert_error(&out, TurboError::NotUpgradeAuthority);
}

#[tokio::test]
async fn i3_the_usdc_and_crt_mints_must_differ() {
    let mut bank = turbo_sdk::bank::Bank::start(&[(feed_id(CRT_FEED), PX)]).await;
    let admin = bank.ctx.payer.pubkey();
    let d = ix::Deployment { usdc_mint: bank.usdc_mint, crt_mint: bank.usdc_mint, crt_price: bank.feed(&feed_id(CRT_FEED)).account };
    let args = InitializeConfigArgs { guardian: admin, treasury: admin, crt_feed_id: feed_id(CRT_FEED), params: defaults::config_params() };
    let out = bank.send_now(&[ix::initialize_config(&d, admin, args)], &[]).await;
    assert_error(&out, TurboError::SameCollateralMints);
}

#[tokio::test]
async fn l4_create_vault_succeeds_on_a_pre_funded_mint_address() {
    let mut fx = Fixture::new().await;
    // Someone sends the rent minimum to the mint's predictable address first.
    let mint = pda::VaultKeys::new(BTC_VAULT).mint;
    let payer = fx.payer();
    let grief = solana_system_interface::instruction::transfer(&payer, &mint, 1_000_000);
    assert_ok(&fx.send(&[grief], &[]).await);
    assert_ok(&fx.create_vault(BTC_VAULT, "Turbo BTC", "tBTC", Asset::Btc, defaults::turbo_params(), 1_000 * USDC).await);
    assert_eq!(fx.supply(mint).await, 10_000_000);
}
