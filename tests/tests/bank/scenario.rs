//! The foundation scenario, to the last unit: an LP funds the pool, a user mints Turbo BTC at
//! $60,000, BTC rises 10%, the vault settles its gain from the pool, and the user redeems.
//! Every expected number is derived here by hand from docs/design.md §1–4, not by calling turbo-math.

use turbo::events::{FeesSweptEvent, MintEvent, RedeemEvent, VaultSettledEvent};
use turbo_sdk::defaults;
use turbo_tests::*;

#[tokio::test]
async fn fixture_deploys_four_vaults_with_books_in_balance() {
    let (mut fx, _lp) = Fixture::deployed().await;
    assert_eq!(fx.config().await.vault_count, 4);
    let bear = fx.vault(BEAR_BTC_VAULT).await;
    assert_eq!({ bear.exposure }, -(2 * 1_000 * 1_000_000_000 / 60_000)); // -2 x $1,000 / $60,000
    fx.assert_books_balance().await;
}

#[tokio::test]
async fn lp_mint_rise_redeem_to_the_last_unit() {
    let mut fx = Fixture::new().await;

    // 1. The LP deposits 1,000,000 USDC into an empty pool: shares 1:1 (virtual offset 1:1).
    let lp = fx.user(1_000_000 * USDC, 0).await;
    assert_ok(&fx.deposit_liquidity(&lp, 1_000_000 * USDC).await);
    assert_eq!(fx.balance(lp.lp()).await, 1_000_000 * USDC);
    fx.assert_books_balance().await;

    // The admin opens Turbo BTC with a $1,000 seed at $60,000: 10 tokens at $100, locked in
    // the vault; exposure 3 x $1,000 / $60,000 = 0.05 BTC.
    assert_ok(&fx.create_vault(BTC_VAULT, "Turbo BTC", "tBTC", Asset::Btc, defaults::turbo_params(), 1_000 * USDC).await);
    let v = fx.v(BTC_VAULT);
    assert_eq!(fx.balance(v.keys.seed_shares).await, 10_000_000);
    let vault = fx.vault(BTC_VAULT).await;
    assert_eq!({ vault.exposure }, 50_000_000); // 0.05 BTC at 9 decimals
    assert_eq!({ vault.settle_price }, 60_000 * PX as u64);

    // 2. A user mints with 10,000 USDC. Fee 0.5% = 50 USDC; 9,950 USDC buys tokens at NAV
    //    $1,000 / 10 tokens = $100: 99.5 tokens. Exposure grows by 9,950/1,000 of itself.
    let user = fx.user(10_000 * USDC, 0).await;
    let out = fx.mint(&user, BTC_VAULT, 10_000 * USDC, 0, 99_500_000).await;
    assert_ok(&out);
    let m: MintEvent = out.event();
    assert_eq!(m.fee_usdc, 50 * USDC);
    assert_eq!(m.tokens_out, 99_500_000);
    assert_eq!(m.nav_before, 1_000 * USDC);
    assert_eq!(m.nav_priced, 1_000 * USDC);
    assert_eq!(m.nav_after, 10_950 * USDC);
    assert_eq!(m.exposure_after, 50_000_000 + 497_500_000);
    assert_eq!(m.leverage_before, 3_000_000);
    assert_eq!(m.leverage_after, 3_000_000);
    assert_eq!(fx.tokens(&user, BTC_VAULT).await, 99_500_000);
    assert_eq!(fx.balance(user.usdc).await, 0);
    // No price moved, so no transfer ran between vault and pool: the fee waits in the vault's
    // reserve, owed to the pool, and the mint took two CPIs (deposit, mint_to).
    assert!(out.events::<FeesSweptEvent>().is_empty());
    let pool = fx.pool().await;
    assert_eq!((pool.usdc_balance, pool.treasury_usdc, pool.lp_fees_usdc), (1_000_000 * USDC, 0, 0));
    let vault = fx.vault(BTC_VAULT).await;
    assert_eq!((vault.usdc_balance, vault.fees_owed_usdc), (10_950 * USDC, 50 * USDC));
    assert_eq!(fx.balance(vault.usdc_reserve).await, 11_000 * USDC);
    fx.assert_books_balance().await;

    // 3. BTC +10% to $66,000. The vault's gain is 0.5475 BTC x $6,000 = $3,285, paid by the
    //    pool in USDC when the vault is next touched (here, by the redeem). A minute later, so
    //    the mint's price has left the window that biases user prices (docs/decisions.md).
    fx.tick(60);
    fx.set_price(Asset::Btc, 66_000 * PX, 0);

    // 4. The user redeems all 99.5 tokens of 109.5: floor(14,235 USDC x 99.5 / 109.5) gross,
    //    minus the 1% fee rounded up.
    let out = fx.redeem(&user, BTC_VAULT, 99_500_000).await;
    assert_ok(&out);
    let s: VaultSettledEvent = out.event();
    assert_eq!(s.pnl, 3_285_000_000);
    assert_eq!(s.usdc_to_vault, 3_285_000_000);
    assert_eq!(s.bad_debt, 0);
    let vault_usdc: u64 = 10_950_000_000 + 3_285_000_000;
    let gross = (vault_usdc as u128 * 99_500_000 / 109_500_000) as u64;
    assert_eq!(gross, 12_935_000_000); // 14,235 / 109.5 = 130 per token, exactly
    let fee = gross.div_ceil(100);
    assert_eq!(fee, 129_350_000);
    let r: RedeemEvent = out.event();
    assert_eq!(r.usdc_out, gross - fee);
    assert_eq!(r.fee_usdc, fee);
    assert_eq!(fx.balance(user.usdc).await, 12_805_650_000);
    assert_eq!(fx.tokens(&user, BTC_VAULT).await, 0);
    // +30% on the 9,950 of equity the user bought: 12,935 / 9,950 = 1.3.
    assert_eq!(r.exposure_after, 50_000_000);

    // 5. Books balance: the settlement's transfer netted the gain against both fees, which the
    //    pool split half and half when they arrived.
    let swept: FeesSweptEvent = out.event();
    assert_eq!((swept.usdc, swept.treasury_usdc), (50 * USDC + fee, (50 * USDC + fee) / 2));
    let pool = fx.pool().await;
    assert_eq!({ pool.usdc_balance }, 1_000_000_000_000 - 3_285_000_000 + 50_000_000 + fee);
    assert_eq!({ pool.treasury_usdc }, 25_000_000 + fee / 2);
    assert_eq!({ pool.lp_fees_usdc }, 25_000_000 + fee / 2);
    let vault = fx.vault(BTC_VAULT).await;
    assert_eq!((vault.usdc_balance, vault.fees_owed_usdc), (vault_usdc - gross, 0));
    assert_eq!({ vault.settle_price }, 66_000 * PX as u64);
    fx.assert_books_balance().await;
}

#[tokio::test]
async fn confidence_interval_prices_against_minter_and_redeemer() {
    let (mut fx, _lp) = Fixture::deployed().await;
    // Confidence $60 (0.1%) on BTC at $60,000.
    fx.set_price(Asset::Btc, 60_000 * PX, 60 * PX as u64);
    let user = fx.user(10_000 * USDC, 0).await;
    let out = fx.mint(&user, BTC_VAULT, 10_000 * USDC, 0, 0).await;
    assert_ok(&out);
    // The minter pays NAV at $60,060: $1,000 + 0.05 BTC x $60 = $1,003.
    let m: MintEvent = out.event();
    assert_eq!(m.nav_before, 1_000 * USDC);
    assert_eq!(m.nav_priced, 1_003 * USDC);
    let tokens = (9_950 * USDC as u128 * 10_000_000 / (1_003 * USDC as u128)) as u64;
    assert_eq!(m.tokens_out, tokens);
    assert_eq!(tokens, 99_202_392);

    // Redeeming at once is paid at $59,940. Vault: $10,950, 0.05 + 0.05 x 9,950/1,000 BTC.
    let out = fx.redeem(&user, BTC_VAULT, tokens).await;
    assert_ok(&out);
    let r: RedeemEvent = out.event();
    let q: i64 = 50_000_000 + 497_500_000;
    assert_eq!(r.exposure_before, q);
    let nav = 10_950 * USDC;
    let nav_redeem = nav - (q as u64 * 60 / 1_000); // q x $60, q at 9 decimals -> micro-USD
    assert_eq!(r.nav_redeem, nav_redeem);
    let supply = 10_000_000 + tokens;
    let pro_rata = (nav as u128 * tokens as u128 / supply as u128) as u64;
    let gross = (pro_rata as u128 * nav_redeem as u128 / nav as u128) as u64;
    assert_eq!(r.usdc_out, gross - gross.div_ceil(100));
    // The round trip lost the fees and twice the confidence bias.
    assert!(r.usdc_out < 10_000 * USDC - 50 * USDC - 99 * USDC);
    fx.assert_books_balance().await;
}

#[tokio::test]
async fn lp_withdraws_at_pool_value_and_treasury_withdraws_its_fees() {
    let (mut fx, lp) = Fixture::deployed().await;
    let user = fx.user(10_000 * USDC, 0).await;
    assert_ok(&fx.mint(&user, SOL_VAULT, 10_000 * USDC, 0, 0).await);
    // Fee 50 USDC: 25 to LPs, 25 to the treasury. It is still in the vault (nothing swept it),
    // but the valuation counts the LPs' 25. Prices unchanged: pool value is 1,000,025 USDC for
    // 1,000,000 shares; withdrawing 100,000 shares pays
    // floor(100,000e6 x (1,000,025e6 + 1e6) / (1,000,000e6 + 1e6)).
    let shares = 100_000 * USDC;
    let expected = (shares as u128 * (1_000_025 * USDC as u128 + 1_000_000) / (1_000_000 * USDC as u128 + 1_000_000)) as u64;
    let out = fx.withdraw_liquidity(&lp, shares).await;
    assert_ok(&out);
    assert_eq!(fx.balance(lp.usdc).await, expected);
    assert_eq!(expected, 100_002_499_997);

    // The treasury's half is still in the vault: it cannot be withdrawn until swept.
    let payer = fx.payer();
    let treasury = fx.treasury.pubkey();
    let (t_usdc, t_crt) = (turbo_sdk::pda::ata(&treasury, &fx.d.usdc_mint), turbo_sdk::pda::ata(&treasury, &fx.d.crt_mint));
    let create = |mint| {
        anchor_spl::associated_token::spl_associated_token_account::instruction::create_associated_token_account_idempotent(
            &payer,
            &treasury,
            &mint,
            &anchor_spl::token::ID,
        )
    };
    let ixs = [
        create(fx.d.usdc_mint),
        create(fx.d.crt_mint),
        turbo_sdk::ix::withdraw_fees(fx.admin.pubkey(), t_usdc, t_crt, turbo::args::WithdrawFeesArgs { usdc: 25 * USDC, crt: 0 }),
    ];
    assert_error(&fx.send(&ixs, &[]).await, turbo::error::TurboError::InsufficientTreasuryFees);
    // A rebalance sweeps it into the pool; then the treasury takes exactly its 25 USDC out.
    assert_ok(&fx.rebalance(SOL_VAULT).await);
    assert_eq!({ fx.pool().await.treasury_usdc }, 25 * USDC);
    assert_ok(&fx.send(&ixs, &[]).await);
    assert_eq!(fx.balance(t_usdc).await, 25 * USDC);
    assert_eq!({ fx.pool().await.treasury_usdc }, 0);
    // Asking for more than the treasury holds fails.
    let again = turbo_sdk::ix::withdraw_fees(fx.admin.pubkey(), t_usdc, t_crt, turbo::args::WithdrawFeesArgs { usdc: 1, crt: 0 });
    assert_error(&fx.send(&[again], &[]).await, turbo::error::TurboError::InsufficientTreasuryFees);
    fx.assert_books_balance().await;
}

use solana_sdk::signature::Signer;
