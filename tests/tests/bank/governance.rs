//! Exits that nothing can trap (the security review's M-3, M-4, M-5, L-4, I-2, I-3): a vault's
//! direction is immutable, changes that add risk wait for the timelock, pauses of exits
//! expire, a vault can be retired and redeemed without a feed, redeem survives a stale CRT
//! feed and a wide asset confidence, an LP can leave while one feed is stale, and setup cannot
//! be hijacked or blocked. Each test asserts the specific error or the exact amounts.

use anchor_lang::error::ErrorCode as Anchor;
use solana_sdk::signature::{Keypair, Signer};
use turbo::args::*;
use turbo::error::TurboError;
use turbo::events::*;
use turbo::state::{Change, ConfigParams, Pause, PoolCaps, VaultParams};
use turbo_sdk::{defaults, ix, pda};
use turbo_tests::*;

const HOUR: i64 = 3_600;

/// A deployment where a user's money is in (a mint), so the timelock binds.
async fn setup() -> (Fixture, User) {
    let (mut fx, _lp) = Fixture::deployed().await;
    let user = fx.user(20_000 * USDC, 1_000 * CRT).await;
    assert!(!fx.pool().await.is_launched(), "the admin's own liquidity does not launch the deployment");
    assert_ok(&fx.mint(&user, BTC_VAULT, 100 * USDC, 0, 0).await);
    assert!(fx.pool().await.is_launched());
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
    let short = VaultParams {
        target_leverage: -2_000_000,
        band_lo: 2_000_000,
        band_hi: 2_500_000,
        emergency_leverage: 3_000_000,
        ..defaults::turbo_params()
    };
    assert_error(&fx.send(&[update_vault(&fx, BTC_VAULT, short)], &[]).await, TurboError::DirectionImmutable);
    assert_eq!({ fx.vault(BTC_VAULT).await.params.target_leverage }, 3_000_000);
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
    let caps = PoolCaps { gross_cap_bps: 200_000, net_cap_bps: 100_000, ..hard_caps_only() };
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
    let safer = VaultParams {
        mint_fee_bps: 10,
        redeem_fee_bps: 20,
        max_price_age_secs: 15,
        max_conf_bps: 100,
        emergency_leverage: 3_500_000,
        supply_cap: 1_000_000_000,
        ..base
    };
    assert_ok(&fx.send(&[update_vault(&fx, SOL_VAULT, safer)], &[]).await);
    assert_eq!(fx.vault(SOL_VAULT).await.params, safer);
    let caps = PoolCaps { gross_cap_bps: 40_000, net_cap_bps: 20_000, ..hard_caps_only() };
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
    let pause = ix::set_pause(fx.admin.pubkey(), None, SetPauseArgs::new(Pause::REDEEM | Pause::WITHDRAW, true));
    assert_ok(&fx.send(&[pause], &[]).await);
    let tokens = fx.tokens(&user, SOL_VAULT).await;
    fx.tick(72 * HOUR - 1);
    assert_error(&fx.redeem(&user, SOL_VAULT, tokens).await, TurboError::RedeemPaused);
    fx.tick(1);
    assert_ok(&fx.redeem(&user, SOL_VAULT, tokens).await);
    // Minting stays paused for as long as the admin wants.
    let mint = ix::set_pause(fx.admin.pubkey(), None, SetPauseArgs::new(Pause::MINT, true));
    assert_ok(&fx.send(&[mint], &[]).await);
    fx.tick(30 * 24 * HOUR);
    assert_error(&fx.mint(&user, SOL_VAULT, 1_000 * USDC, 0, 0).await, TurboError::MintPaused);
}

#[tokio::test]
async fn m5_the_guardian_cannot_renew_an_exit_pause() {
    let (mut fx, user) = setup().await;
    assert_ok(&fx.mint(&user, SOL_VAULT, 1_000 * USDC, 0, 0).await);
    let guardian = fx.guardian.insecure_clone();
    let pause = ix::set_pause(guardian.pubkey(), None, SetPauseArgs::new(Pause::REDEEM, true));
    assert_ok(&fx.send(std::slice::from_ref(&pause), &[&guardian]).await);
    fx.tick(72 * HOUR);
    // The pause has run out; the guardian may not start another right away.
    assert_error(&fx.send(std::slice::from_ref(&pause), &[&guardian]).await, TurboError::GuardianCannotRenewExitPause);
    let tokens = fx.tokens(&user, SOL_VAULT).await;
    assert_ok(&fx.redeem(&user, SOL_VAULT, tokens / 2).await);
    // The admin may renew only within a stretch (`review2::n8_*`); this one has ended, so exits
    // stay open for 72 h for everyone.
    let admin_pause = ix::set_pause(fx.admin.pubkey(), None, SetPauseArgs::new(Pause::REDEEM, true));
    assert_error(&fx.send(&[admin_pause], &[]).await, TurboError::ExitPauseLimit);
    assert_ok(&fx.redeem(&user, SOL_VAULT, 1).await);
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
    // At 3x, 5% lower is 15% less NAV: the $1,995 book (the $1,000 seed and the $995 minted)
    // is worth exactly 85% of itself at the interval's low side.
    assert_eq!((r.nav_before, r.nav_redeem), (1_995_000_000, 1_695_750_000), "{r:?}");
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
    let out = fx.send(&[fx.withdraw_liquidity_unpriced_ix(&lp, shares, &fx.vaults.clone())], &[&lp.key]).await;
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

/// With CRT's feed stale, an LP still withdraws: CRT is valued at zero (the pool's own, the
/// vaults' holdings, the fees they owe) and the payout is USDC only, so the withdrawer gets no more
/// than a live withdrawal would at any CRT price. Before, every withdrawal failed `StalePrice`
/// until CRT's price came back (left alone at issue 12).
#[tokio::test]
async fn an_lp_withdraws_in_usdc_while_the_crt_feed_is_stale_and_extracts_nothing() {
    let (mut fx, lp) = Fixture::deployed().await;
    let whale = fx.user(200_000 * USDC, 50_000 * CRT).await;
    // CRT comes into the books: a vault holds it, fees are owed in it, and a sweep brings some
    // into the pool.
    assert_ok(&fx.mint(&whale, BTC_VAULT, 100_000 * USDC, 20_000 * CRT, 0).await);
    assert_ok(&fx.mint(&whale, SOL_VAULT, 50_000 * USDC, 10_000 * CRT, 0).await);
    fx.tick(60);
    assert_ok(&fx.rebalance(BTC_VAULT).await);
    assert!(fx.pool().await.crt_balance > 0, "the pool holds CRT");
    assert!(fx.vault(SOL_VAULT).await.crt_balance > 0, "a vault holds CRT");
    // CRT's feed stops; the assets' stay fresh.
    fx.advance(120);
    for a in [Asset::Btc, Asset::Sol, Asset::Fet] {
        fx.set_price(a, fx.feed(a).quote.price, 0);
    }
    let shares = fx.balance(lp.lp()).await / 10;
    let usdc_before = fx.balance(lp.usdc).await;
    let out = fx.send(&[fx.withdraw_liquidity_unpriced_ix(&lp, shares, &fx.vaults.clone())], &[&lp.key]).await;
    assert_ok(&out);
    let e = out.event::<LiquidityWithdrawnEvent>();
    assert_eq!(e.crt_out, 0);
    assert_eq!(e.usdc_out, e.value_out);
    assert_eq!(fx.balance(lp.usdc).await, usdc_before + e.usdc_out);
    assert_eq!(e.shares_burned, shares);
    // With CRT's feed back at any price from near zero to double, the same shares are worth
    // more: the stale valuation never pays more than a live one.
    let p0 = fx.feed(Asset::Crt).quote.price;
    for pct in [1, 50, 100, 200] {
        fx.set_price(Asset::Crt, p0 * pct / 100, 0);
        let sim = fx.simulate(&[fx.withdraw_liquidity_ix(&lp, shares, &fx.vaults.clone())], &[&lp.key]).await;
        assert_ok(&sim);
        let live = sim.event::<LiquidityWithdrawnEvent>().value_out;
        assert!(e.value_out < live, "with CRT at {pct}% a live withdrawal paid {live}, the stale one {}", e.value_out);
    }
    fx.assert_books_balance().await;
    // A deposit still needs CRT's price: it is priced high, and CRT's value is unknown.
    fx.advance(120);
    for a in [Asset::Btc, Asset::Sol, Asset::Fet] {
        fx.set_price(a, fx.feed(a).quote.price, 0);
    }
    assert_error(&fx.deposit_liquidity(&lp, 1_000 * USDC).await, TurboError::StalePrice);
}

// --- I-2, I-3, L-4: setup ---

#[tokio::test]
async fn i2_only_the_upgrade_authority_can_initialize_the_config() {
    let bank = turbo_sdk::bank::Bank::start(&[(feed_id(CRT_FEED), PX)]).await;
    let mut bank = bank;
    let attacker = Keypair::new();
    bank.fund(&attacker.pubkey(), 0, 0).await;
    let d = ix::Deployment {
        usdc_mint: bank.usdc_mint,
        crt_mint: bank.crt_mint,
        crt_price: bank.feed(&feed_id(CRT_FEED)).account,
        custody_prices: Default::default(),
    };
    let args = InitializeConfigArgs {
        guardian: attacker.pubkey(),
        treasury: attacker.pubkey(),
        crt_feed_id: feed_id(CRT_FEED),
        params: defaults::config_params(),
    };
    let out = bank.send_now(&[ix::initialize_config(&d, attacker.pubkey(), args)], &[&attacker]).await;
    assert_error(&out, TurboError::NotUpgradeAuthority);
}

#[tokio::test]
async fn i3_the_usdc_and_crt_mints_must_differ() {
    let mut bank = turbo_sdk::bank::Bank::start(&[(feed_id(CRT_FEED), PX)]).await;
    let admin = bank.ctx.payer.pubkey();
    let d = ix::Deployment {
        usdc_mint: bank.usdc_mint,
        crt_mint: bank.usdc_mint,
        crt_price: bank.feed(&feed_id(CRT_FEED)).account,
        custody_prices: Default::default(),
    };
    let args = InitializeConfigArgs { guardian: admin, treasury: admin, crt_feed_id: feed_id(CRT_FEED), params: defaults::config_params() };
    let out = bank.send_now(&[ix::initialize_config(&d, admin, args)], &[]).await;
    assert_error(&out, TurboError::SameCollateralMints);
}

#[tokio::test]
async fn l4_create_vault_succeeds_on_a_pre_funded_mint_address() {
    let mut fx = Fixture::new().await;
    let admin = fx.admin_as_user(100_000 * USDC).await;
    assert_ok(&fx.deposit_liquidity(&admin, 100_000 * USDC).await);
    // Someone sends the rent minimum to the mint's predictable address first.
    let mint = pda::VaultKeys::new(BTC_VAULT).mint;
    let payer = fx.payer();
    let grief = solana_system_interface::instruction::transfer(&payer, &mint, 1_000_000);
    assert_ok(&fx.send(&[grief], &[]).await);
    assert_ok(&fx.create_vault(BTC_VAULT, "Turbo BTC", "tBTC", Asset::Btc, defaults::turbo_params(), 1_000 * USDC).await);
    assert_eq!(fx.supply(mint).await, 10_000_000);
}

// --- M-5: the timelock ---

/// Each kind of change that adds risk is refused before its delay and applied after it.
#[tokio::test]
async fn m5_each_risky_change_waits_for_the_timelock_then_applies() {
    let (mut fx, _user) = setup().await;
    let admin = fx.admin.pubkey();
    let sol = fx.v(SOL_VAULT).keys.vault;
    let c = defaults::config_params();
    let changes = [
        Change::Vault { vault: sol, params: VaultParams { mint_fee_bps: 500, ..defaults::turbo_params() } },
        Change::Vault { vault: sol, params: VaultParams { max_price_age_secs: 300, max_conf_bps: 1_000, ..defaults::turbo_params() } },
        Change::Vault {
            vault: sol,
            params: VaultParams { emergency_leverage: 10_000_000, jitter_secs: 600, supply_cap: u64::MAX, ..defaults::turbo_params() },
        },
        Change::Config(ConfigParams { crt_weight_bps: 5_000, fresh_price_secs: 30, crt_max_age_secs: 300, ..c }),
        Change::Pool(PoolCaps { gross_cap_bps: 200_000, net_cap_bps: 100_000, ..hard_caps_only() }),
    ];
    for change in changes {
        let vault = matches!(change, Change::Vault { .. }).then_some(sol);
        let id = fx.queue(change, vault).await;
        let out = fx.send(&[ix::execute_change(admin, admin, id, &change)], &[]).await;
        assert_error(&out, TurboError::TimelockNotElapsed);
        fx.tick(24 * HOUR - 1);
        assert_error(&fx.send(&[ix::execute_change(admin, admin, id, &change)], &[]).await, TurboError::TimelockNotElapsed);
        fx.tick(1);
        let out = fx.send(&[ix::execute_change(admin, admin, id, &change)], &[]).await;
        assert_ok(&out);
        assert_eq!(out.event::<ChangeExecutedEvent>().change, change);
        // The queue entry is gone: it cannot run twice.
        assert!(fx.account(pda::pending_change(id)).await.is_none());
        match change {
            Change::Vault { params, .. } => assert_eq!(fx.vault(SOL_VAULT).await.params, params),
            Change::Config(p) => assert_eq!(fx.config().await.params, p),
            Change::Pool(caps) => assert_eq!(fx.pool().await.caps, caps),
            _ => unreachable!(),
        }
    }
}

/// The queue announces every change; the guardian can cancel one, and a vault's direction is
/// refused at queueing as well as at execution.
#[tokio::test]
async fn m5_queued_changes_are_announced_and_the_guardian_can_cancel_them() {
    let (mut fx, _user) = setup().await;
    let admin = fx.admin.pubkey();
    let sol = fx.v(SOL_VAULT).keys.vault;
    let change = Change::Vault { vault: sol, params: VaultParams { redeem_fee_bps: 500, ..defaults::turbo_params() } };
    let id = fx.config().await.next_change_id;
    let out = fx.send(&[ix::queue_change(admin, id, change, Some(sol))], &[]).await;
    assert_ok(&out);
    let e = out.event::<ChangeQueuedEvent>();
    assert_eq!((e.id, e.change, e.eta), (id, change, fx.now() + 24 * HOUR));
    let guardian = fx.guardian.insecure_clone();
    let out = fx.send(&[ix::cancel_change(guardian.pubkey(), admin, id)], &[&guardian]).await;
    assert_ok(&out);
    assert_eq!(out.event::<ChangeCancelledEvent>().id, id);
    fx.tick(24 * HOUR);
    assert_error(&fx.send(&[ix::execute_change(admin, admin, id, &change)], &[]).await, Anchor::AccountNotInitialized);
    assert_eq!({ fx.vault(SOL_VAULT).await.params.redeem_fee_bps }, 100);
    // Flipping a vault's direction cannot even be queued.
    let flip = Change::Vault {
        vault: sol,
        params: VaultParams {
            target_leverage: -2_000_000,
            band_lo: 2_000_000,
            band_hi: 2_500_000,
            emergency_leverage: 3_000_000,
            ..defaults::turbo_params()
        },
    };
    let id = fx.config().await.next_change_id;
    assert_error(&fx.send(&[ix::queue_change(admin, id, flip, Some(sol))], &[]).await, TurboError::DirectionImmutable);
    // Only the admin queues.
    fx.bank.fund(&guardian.pubkey(), 0, 0).await;
    let out = fx.send(&[ix::queue_change(guardian.pubkey(), id, change, Some(sol))], &[&guardian]).await;
    assert_error(&out, TurboError::Unauthorized);
}

/// The delay itself is timelocked, whichever way it moves, and bounded.
#[tokio::test]
async fn m5_the_delay_itself_is_timelocked_and_bounded() {
    let (mut fx, _user) = setup().await;
    let c = defaults::config_params();
    let shorter = ConfigParams { timelock_secs: 3_600, ..c };
    let ix = ix::update_config(fx.admin.pubkey(), UpdateConfigArgs { params: Some(shorter), ..Default::default() });
    assert_error(&fx.send(&[ix], &[]).await, TurboError::ChangeNeedsTimelock);
    for secs in [3_599, 30 * 86_400 + 1] {
        let id = fx.config().await.next_change_id;
        let ix = ix::queue_change(fx.admin.pubkey(), id, Change::Config(ConfigParams { timelock_secs: secs, ..c }), None);
        assert_error(&fx.send(&[ix], &[]).await, TurboError::TimelockOutOfBounds);
    }
    assert_ok(&fx.through_timelock(Change::Config(shorter), None).await);
    assert_eq!({ fx.config().await.params.timelock_secs }, 3_600);
}

/// A new vault, once other people's money is in, waits for the timelock, and only with exactly
/// the arguments that were queued.
#[tokio::test]
async fn m5_a_new_vault_waits_for_the_timelock() {
    let (mut fx, _user) = setup().await;
    let feed_id = fx.feed(Asset::Sol).feed_id;
    let args = |symbol: &str| CreateVaultArgs {
        vault_id: 7,
        name: "Turbo SOL 2".into(),
        symbol: symbol.into(),
        uri: format!("https://turbo.example/{symbol}.json"),
        feed_id,
        params: defaults::turbo_params(),
        seed_usdc: 1_000 * USDC,
    };
    let queued = args("tSOL2");
    let id = fx.queue(Change::CreateVault { vault_id: 7, args_hash: queued.hash().unwrap() }, None).await;
    let admin = fx.admin.pubkey();
    fx.bank.fund(&admin, 2_000 * USDC, 0).await;
    let create = |a: CreateVaultArgs, fx: &Fixture| {
        ix::create_vault(&fx.d, admin, pda::ata(&admin, &fx.d.usdc_mint), fx.feed(Asset::Sol).account, Some(id), a)
    };
    assert_error(&fx.send(&[create(queued.clone(), &fx)], &[]).await, TurboError::TimelockNotElapsed);
    fx.wait_timelock().await;
    // Other arguments than the queued ones: refused.
    assert_error(&fx.send(&[create(args("tSOLX"), &fx)], &[]).await, TurboError::ChangeMismatch);
    let out = fx.send(&[create(queued, &fx)], &[]).await;
    assert_ok(&out);
    assert_eq!(out.event::<VaultCreatedEvent>().vault_id, 7);
    assert_eq!(fx.config().await.vault_count, 5);
}

// --- M-3: retiring a vault ---

/// The admin retires Turbo SOL after the timelock: it is settled and flat, leaves the registry,
/// and its holders redeem at the frozen NAV, in kind, with no price feed at all.
#[tokio::test]
async fn m3_a_vault_retired_by_the_admin_redeems_at_its_frozen_nav_without_a_feed() {
    let (mut fx, user) = setup().await;
    assert_ok(&fx.mint(&user, SOL_VAULT, 10_000 * USDC, 0, 0).await);
    let tokens = fx.tokens(&user, SOL_VAULT).await;
    let sol = fx.v(SOL_VAULT).keys.vault;
    let id = fx.queue(Change::RetireVault { vault: sol }, Some(sol)).await;
    assert_error(&fx.retire_vault(SOL_VAULT, Some(id)).await, TurboError::TimelockNotElapsed);
    fx.wait_timelock().await;
    fx.move_price(Asset::Sol, 1_000);
    let out = fx.retire_vault(SOL_VAULT, Some(id)).await;
    assert_ok(&out);
    let r = out.event::<VaultRetiredEvent>();
    assert!(!r.feed_dead && r.deregistered);
    let v = fx.vault(SOL_VAULT).await;
    assert_eq!((v.exposure, v.fees_owed_usdc, v.gain_claim), (0, 0, 0));
    assert_eq!(r.usdc, { v.usdc_balance });
    assert!(!fx.config().await.registered_vaults().contains(&sol));
    // No mint, rebalance or change any more.
    assert_error(&fx.mint(&user, SOL_VAULT, 1_000 * USDC, 0, 0).await, TurboError::VaultRetired);
    assert_error(&fx.rebalance(SOL_VAULT).await, TurboError::VaultRetired);
    // SOL's feed goes away for good; a week later the holders redeem in kind, without it.
    fx.advance(7 * 24 * HOUR);
    let supply = fx.supply(fx.v(SOL_VAULT).keys.mint).await;
    let expected = (v.usdc_balance as u128 * tokens as u128 / supply as u128) as u64;
    let fee = expected.div_ceil(100);
    let v = fx.v(SOL_VAULT);
    let mut accounts = user.accounts(&v);
    accounts.crt = None;
    let redeem = ix::redeem_priced(&v, &accounts, RedeemArgs { amount: tokens, min_usdc_out: 0, min_crt_out: 0 }, None, None);
    let before = fx.balance(user.usdc).await;
    let out = fx.send(&[redeem], &[&user.key]).await;
    assert_ok(&out);
    assert_eq!(fx.balance(user.usdc).await - before, expected - fee);
    // The pool values the rest of the deployment without it.
    fx.tick(1);
    let lp_shares = fx.balance(user.lp()).await;
    assert_eq!(lp_shares, 0);
    fx.assert_books_balance().await;
}

/// Anyone retires a vault whose asset no instruction could price for a day, at its last
/// settlement price; not a minute earlier.
#[tokio::test]
async fn m3_anyone_retires_a_vault_whose_feed_has_been_dead_for_a_day() {
    let (mut fx, user) = setup().await;
    assert_ok(&fx.mint(&user, FET_VAULT, 5_000 * USDC, 0, 0).await);
    let tokens = fx.tokens(&user, FET_VAULT).await;
    let settle = fx.vault(FET_VAULT).await.settle_price;
    // FET's feed stops. The other feeds stay fresh, so nothing else is held up.
    fx.advance(24 * HOUR - 1);
    let v = fx.v(FET_VAULT);
    let stranger = fx.user(0, 0).await;
    let retire = ix::retire_vault(&fx.d, stranger.pubkey(), fx.admin.pubkey(), &v, None);
    assert_error(&fx.send(std::slice::from_ref(&retire), &[&stranger.key]).await, TurboError::RetireNotAllowed);
    fx.advance(1);
    // The first call arms it; nobody can price FET through the grace period, so it is carried out.
    assert_ok(&fx.send(std::slice::from_ref(&retire), &[&stranger.key]).await);
    fx.advance(turbo::constants::FEED_DEAD_GRACE_SECS);
    let out = fx.send(&[retire], &[&stranger.key]).await;
    assert_ok(&out);
    let r = out.event::<VaultRetiredEvent>();
    assert!(r.feed_dead && r.deregistered);
    assert_eq!(r.price, settle);
    // The holder redeems, in kind, with no FET price.
    let before = fx.balance(user.usdc).await;
    let out = fx.redeem(&user, FET_VAULT, tokens).await;
    assert_ok(&out);
    assert!(fx.balance(user.usdc).await - before > 4_900 * USDC);
    fx.assert_books_balance().await;
}

/// A keeper with a heartbeat prices an idle asset before a day passes, so nobody can retire a
/// vault whose feed still works; without one, an idle vault gets no transaction.
#[tokio::test]
async fn m3_a_keepers_heartbeat_keeps_a_live_feed_from_being_called_dead() {
    let (mut fx, _user) = setup().await;
    let keeper = fx.keeper.as_ref().unwrap().key.insecure_clone();
    let mut settings = turbo_keeper::Settings { feeds: fx.bank.feed_map(), ..Default::default() };
    fx.tick(2 * HOUR);
    let report = turbo_keeper::tick(&mut fx.bank, &keeper, &settings).await.unwrap();
    assert!(report.sent.is_empty(), "an in-band vault needs nothing without a heartbeat");
    settings.heartbeat = Some(std::time::Duration::from_secs(HOUR as u64));
    let report = turbo_keeper::tick(&mut fx.bank, &keeper, &settings).await.unwrap();
    // One settling rebalance per asset: once Turbo BTC's lands, BTC is freshly priced and Bear BTC
    // is decided again, and needs nothing.
    assert_eq!(report.sent.len(), 3, "one settling rebalance per asset");
    assert_eq!(report.idle, 1);
    fx.tick(23 * HOUR);
    let stranger = fx.user(0, 0).await;
    let retire = ix::retire_vault(&fx.d, stranger.pubkey(), fx.admin.pubkey(), &fx.v(SOL_VAULT), None);
    assert_error(&fx.send(&[retire], &[&stranger.key]).await, TurboError::RetireNotAllowed);
}
