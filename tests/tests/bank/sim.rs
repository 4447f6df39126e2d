//! The simulator runs the program's math: the same vault in `turbo-sim`'s model and on the bank
//! driven through the real program ends at the same NAV, to the last unit, on a 200-step path.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use turbo::events::RebalanceEvent;
use turbo_sdk::defaults;
use turbo_sim::TurboModel;
use turbo_tests::*;

#[tokio::test]
async fn sim_and_bank_end_at_the_same_nav_to_the_last_unit() {
    let mut fx = Fixture::new().await;
    let lp = fx.user(1_000_000 * USDC, 0).await;
    assert_ok(&fx.deposit_liquidity(&lp, 1_000_000 * USDC).await);
    assert_ok(&fx.create_vault(BTC_VAULT, "Turbo BTC", "tBTC", Asset::Btc, defaults::turbo_params(), 1_000 * USDC).await);
    fx.keeper = Some(fx.user(0, 0).await);
    let mint = fx.v(BTC_VAULT).keys.mint;
    let supply = fx.supply(mint).await;
    let mut model = TurboModel::from_state(fx.config().await, fx.pool().await, fx.vault(BTC_VAULT).await, supply);

    // A rough path: 1.5% noise per minute, with a −6% wick and a −12% crash.
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    let mut price = 60_000 * PX;
    let (mut trims, mut relevers, mut emergencies) = (0, 0, 0);
    for step in 0..200 {
        let bps: i64 = match step {
            50 => -600,
            120 => -1_200,
            _ => rng.random_range(-150..=150),
        };
        price = price * (10_000 + bps) / 10_000;
        fx.tick(60);
        fx.set_price(Asset::Btc, price, 0);
        let out = fx.rebalance(BTC_VAULT).await;
        assert_ok(&out);
        let e: RebalanceEvent = out.event();
        let s = model.keeper_call(price as u64, fx.now());
        assert_eq!(e.action, s.plan.action.into(), "step {step}");
        assert_eq!(e.exposure_after, { model.vault.exposure }, "step {step}");
        assert_eq!(e.nav, s.nav, "step {step}");
        match e.action {
            turbo::events::RebalanceAction::Trim => trims += 1,
            turbo::events::RebalanceAction::Relever => relevers += 1,
            turbo::events::RebalanceAction::Emergency => emergencies += 1,
            _ => {}
        }
    }
    let vault = fx.vault(BTC_VAULT).await;
    assert_eq!({ vault.usdc_balance }, { model.vault.usdc_balance });
    assert_eq!({ vault.exposure }, { model.vault.exposure });
    assert_eq!({ vault.settle_price }, { model.vault.settle_price });
    assert_eq!({ vault.variance_rate }, { model.vault.variance_rate });
    assert!(trims > 50 && relevers > 10 && emergencies >= 1, "{trims} trims, {relevers} re-levers, {emergencies} emergencies");
}
