//! Preview equals chain, as a property (issue 13). Random deployments (pool size, caps, vault
//! parameters, supply caps, fees) are driven into random states (price moves small and
//! wiping-out, wide confidence, stale feeds, pauses, other users' trades); then a random mint,
//! redeem, rebalance, LP deposit or LP withdrawal (amounts from zero to everything held, CRT
//! accounts left out, slippage guards that cannot be met) is previewed by the SDK on the decoded
//! accounts and sent to the bank. The two must agree exactly: the same error code when the bank
//! refuses; otherwise the same events and the same pool and vault accounts, byte for byte.
//!
//! CI runs 520 cases (8 deployments of 65); `TURBO_PREVIEW_CASES=<n>` and `TURBO_PREVIEW_SEED=<n>`
//! run more or others.

use std::collections::BTreeMap;

use anchor_lang::prelude::Pubkey;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use solana_sdk::signature::Signer;
use turbo::args::*;
use turbo::engine::lp::{DepositRequest, WithdrawRequest};
use turbo::engine::rebalance::RebalanceCall;
use turbo::engine::trade::{MintRequest, RedeemRequest};
use turbo::events::*;
use turbo::state::{Pause, PoolCaps, VaultParams};
use turbo_sdk::preview::{self, PriceAccounts, VaultState};
use turbo_sdk::{defaults, ix, pda, PriceSource};
use turbo_tests::*;

const PER_DEPLOYMENT: usize = 65;
const VAULTS: [(u16, Asset); 4] = [(BTC_VAULT, Asset::Btc), (SOL_VAULT, Asset::Sol), (FET_VAULT, Asset::Fet), (BEAR_BTC_VAULT, Asset::Btc)];

fn env(name: &str, default: u64) -> u64 {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// The numeric code of an error the engine returned, as the bank reports it.
fn code(e: &anchor_lang::error::Error) -> u32 {
    match e {
        anchor_lang::error::Error::AnchorError(a) => a.error_code_number,
        anchor_lang::error::Error::ProgramError(p) => panic!("a preview returned a program error: {p:?}"),
    }
}

fn bytes<T: anchor_lang::AccountSerialize>(t: &T) -> Vec<u8> {
    let mut out = Vec::new();
    t.try_serialize(&mut out).expect("serialize");
    out
}

/// Random but valid parameters for a vault of direction `sign`.
fn params(rng: &mut ChaCha8Rng, sign: i64) -> VaultParams {
    let base = if sign > 0 { defaults::turbo_params() } else { defaults::bear_params() };
    let t = rng.random_range(15u64..=40) * 100_000;
    let supply_cap = if rng.random_bool(0.25) { rng.random_range(12u64..60) * 1_000_000 } else { base.supply_cap };
    VaultParams {
        target_leverage: sign * t as i64,
        band_lo: t - 100_000,
        band_hi: t + rng.random_range(0u64..=5) * 100_000,
        emergency_leverage: t + 1_000_000 + rng.random_range(0u64..=10) * 100_000,
        step_bps: rng.random_range(1u16..=20) * 100,
        min_interval_secs: rng.random_range(0..=60),
        jitter_secs: if rng.random_bool(0.3) { rng.random_range(1..=20) } else { 0 },
        max_conf_bps: rng.random_range(50u16..=400),
        mint_fee_bps: rng.random_range(0u16..=100),
        redeem_fee_bps: rng.random_range(0u16..=100),
        supply_cap,
        vol_budget_bps: if rng.random_bool(0.3) { rng.random_range(4_000..=20_000) } else { 0 },
        ..base
    }
}

struct World {
    fx: Fixture,
    lp: User,
    users: Vec<User>,
}

/// A random deployment: the admin's liquidity, caps and four vaults with random parameters,
/// three users who hold tokens of some vaults.
async fn deployment(rng: &mut ChaCha8Rng) -> World {
    let mut fx = Fixture::new().await;
    let liquidity = rng.random_range(5_000u64..=2_000_000) * USDC;
    let lp = fx.admin_as_user(liquidity + 1_000_000 * USDC).await;
    assert_ok(&fx.deposit_liquidity(&lp, liquidity).await);
    let caps = PoolCaps {
        gross_cap_bps: rng.random_range(2_000..=50_000),
        net_cap_bps: rng.random_range(1_000..=30_000),
        ..turbo_sdk::defaults::pool_caps()
    };
    assert_ok(&fx.send(&[ix::update_pool(fx.admin.pubkey(), caps)], &[]).await);
    for (id, asset) in VAULTS {
        let sign = if id == BEAR_BTC_VAULT { -1 } else { 1 };
        let p = params(rng, sign);
        // A vault the caps cannot hold is simply not created; the others still are.
        let o = fx.create_vault(id, &format!("Vault {id}"), &format!("V{id}"), asset, p, 1_000 * USDC).await;
        if o.result.is_err() {
            assert!(o.error_code().is_some(), "create_vault failed outside the program: {:?}", o.result);
        }
    }
    fx.keeper = Some(fx.user(0, 0).await);
    let mut users = Vec::new();
    for _ in 0..3 {
        users.push(fx.user(rng.random_range(1_000u64..=100_000) * USDC, rng.random_range(0u64..=20_000) * CRT).await);
    }
    for u in &users {
        for v in fx.vaults.clone() {
            fx.open_token_account(u, &v).await;
        }
    }
    for _ in 0..4 {
        let (u, id) = (rng.random_range(0..users.len()), pick_vault(rng, &fx));
        let usdc = rng.random_range(100u64..=5_000) * USDC;
        let _ = fx.mint(&users[u], id, usdc, 0, 0).await;
    }
    World { fx, lp, users }
}

fn pick_vault(rng: &mut ChaCha8Rng, fx: &Fixture) -> u16 {
    fx.vaults[rng.random_range(0..fx.vaults.len())].keys.id
}

/// Move the world somewhere: prices (small, large, wiping out), confidence, the clock,
/// pauses, and other users' trades. Outcomes are not checked: this is set-up.
async fn perturb(rng: &mut ChaCha8Rng, w: &mut World) {
    for _ in 0..rng.random_range(1..=3) {
        let fx = &mut w.fx;
        match rng.random_range(0..100) {
            0..=39 => {
                let asset = [Asset::Btc, Asset::Sol, Asset::Fet, Asset::Crt][rng.random_range(0..4)];
                let bps = match rng.random_range(0..10) {
                    0..=6 => rng.random_range(-300..=300),
                    7..=8 => rng.random_range(-1_500..=1_500),
                    _ => rng.random_range(2_500..=6_000) * if rng.random_bool(0.5) { -1 } else { 1 },
                };
                let price = fx.price_after(asset, bps).max(1);
                let conf = if rng.random_bool(0.15) { price as u64 / 10_000 * rng.random_range(50..=800) } else { price as u64 / 10_000 };
                fx.set_price(asset, price, conf);
            }
            40..=54 => fx.tick(rng.random_range(1..=120)),
            55..=64 => fx.advance(rng.random_range(1..=60)),
            65..=74 => {
                let flags = [Pause::MINT, Pause::REDEEM, Pause::REBALANCE, Pause::DEPOSIT, Pause::WITHDRAW][rng.random_range(0..5)];
                let vault = rng.random_bool(0.5).then(|| fx.v(pick_vault(rng, fx)).keys.vault);
                let _ = fx.send(&[ix::set_pause(fx.admin.pubkey(), vault, SetPauseArgs::new(flags, true))], &[]).await;
            }
            75..=86 => {
                let mut ixs = vec![ix::set_pause(fx.admin.pubkey(), None, SetPauseArgs::new(Pause::all(), false))];
                for v in &fx.vaults {
                    ixs.push(ix::set_pause(fx.admin.pubkey(), Some(v.keys.vault), SetPauseArgs::new(Pause::all(), false)));
                }
                let _ = fx.send(&ixs, &[]).await;
            }
            _ => {
                fx.tick(1);
                let (u, id) = (rng.random_range(0..w.users.len()), pick_vault(rng, fx));
                let _ = fx.mint(&w.users[u], id, rng.random_range(10u64..=3_000) * USDC, 0, 0).await;
            }
        }
    }
}

/// A random amount out of `held`: nothing, one unit, a little, some, or all of it.
fn amount(rng: &mut ChaCha8Rng, held: u64) -> u64 {
    match rng.random_range(0..10) {
        0 => 0,
        1 => held.min(1),
        2 => rng.random_range(0..=held.min(1_000)),
        3 => held,
        _ => rng.random_range(0..=held),
    }
}

async fn update(fx: &mut Fixture, key: Pubkey) -> PriceSource {
    turbo_sdk::accounts::price_update(&mut fx.bank, &key).await.expect("a posted update")
}

/// The decoded accounts an instruction on vault `id` reads.
struct Accounts {
    config: turbo::state::Config,
    pool: turbo::state::Pool,
    vault: turbo::state::Vault,
    supply: u64,
    asset: PriceSource,
    crt: PriceSource,
}

impl Accounts {
    fn state(&self, key: Pubkey) -> VaultState<'_> {
        VaultState { config: &self.config, pool: &self.pool, vault: &self.vault, key, supply: self.supply }
    }
}

async fn accounts(fx: &mut Fixture, id: u16) -> Accounts {
    let v = fx.v(id);
    Accounts {
        config: fx.config().await,
        pool: fx.pool().await,
        vault: fx.vault(id).await,
        supply: fx.supply(v.keys.mint).await,
        asset: update(fx, v.price).await,
        crt: update(fx, fx.d.crt_price).await,
    }
}

/// What one case compared.
#[derive(Default)]
struct Tally {
    agreed: BTreeMap<String, u32>,
}

impl Tally {
    fn count(&mut self, op: &str, o: &Outcome) {
        let key = match o.error_code() {
            None => format!("{op}: ok"),
            Some(c) => format!("{op}: {}", turbo_sdk::errors::turbo_error(c).map_or(c.to_string(), |e| format!("{e:?}"))),
        };
        *self.agreed.entry(key).or_default() += 1;
    }
}

/// The chain refused exactly as the preview did, or landed exactly what it planned.
#[track_caller]
fn agree<P>(op: &str, preview: &anchor_lang::Result<P>, o: &Outcome, landed: impl FnOnce(&P)) {
    match preview {
        Err(e) => assert_eq!(
            o.error_code(),
            Some(code(e)),
            "{op}: the preview refused with {e}, the chain said {:?}\n{}",
            o.result,
            o.logs.join("\n")
        ),
        Ok(p) => {
            assert!(o.result.is_ok(), "{op}: the preview accepted, the chain refused: {:?}\n{}", o.result, o.logs.join("\n"));
            landed(p);
        }
    }
}

async fn assert_state(fx: &mut Fixture, op: &str, id: u16, pool: &turbo::state::Pool, vault: Option<&turbo::state::Vault>) {
    assert_eq!(bytes(&fx.pool().await), bytes(pool), "{op}: the pool differs from the preview's");
    if let Some(vault) = vault {
        assert_eq!(bytes(&fx.vault(id).await), bytes(vault), "{op}: vault {id} differs from the preview's");
    }
}

fn settled<E>(op: &str, o: &Outcome, planned: Option<E>) -> Vec<E>
where
    E: Clone + PartialEq + std::fmt::Debug + anchor_lang::AnchorDeserialize + anchor_lang::Discriminator,
{
    let got = o.events::<E>();
    assert_eq!(got, planned.into_iter().collect::<Vec<_>>(), "{op}: events differ");
    got
}

async fn mint_case(rng: &mut ChaCha8Rng, w: &mut World, t: &mut Tally) {
    let (ui, id) = (rng.random_range(0..w.users.len()), pick_vault(rng, &w.fx));
    let fx = &mut w.fx;
    let user = &w.users[ui];
    let (usdc_held, crt_held) = (fx.balance(user.usdc).await, fx.balance(user.crt).await);
    let has_crt_account = rng.random_bool(0.8);
    let usdc = amount(rng, usdc_held);
    let crt = if rng.random_bool(0.3) { amount(rng, crt_held) } else { 0 };
    let min_tokens_out = if rng.random_bool(0.1) { u64::MAX / 2 } else { 0 };
    let a = accounts(fx, id).await;
    let req = MintRequest { user: user.pubkey(), usdc, crt, min_tokens_out, has_crt_account };
    let v = fx.v(id);
    let p = PriceAccounts { asset: Some(&a.asset), crt: Some(&a.crt) };
    let preview = preview::mint(a.state(v.keys.vault), p, fx.next_at(), &req);
    let mut accts = user.accounts(&v);
    if !has_crt_account {
        accts.crt = None;
    }
    let o = fx.send(&[ix::mint(&fx.d, &v, &accts, MintArgs { usdc_amount: usdc, crt_amount: crt, min_tokens_out })], &[&user.key]).await;
    agree("mint", &preview, &o, |p| {
        assert_eq!(o.event::<MintEvent>(), p.plan.event, "mint: event differs");
        settled("mint", &o, p.plan.settled.event.clone());
        settled("mint", &o, p.plan.swept.clone());
    });
    if let Ok(p) = &preview {
        assert_state(fx, "mint", id, &p.pool, Some(&p.vault)).await;
    }
    t.count("mint", &o);
}

async fn redeem_case(rng: &mut ChaCha8Rng, w: &mut World, t: &mut Tally) {
    let ui = rng.random_range(0..w.users.len());
    let fx = &mut w.fx;
    let user = &w.users[ui];
    // Mostly a vault the user holds tokens of.
    let mut held_ids = Vec::new();
    for v in fx.vaults.clone() {
        if fx.tokens(user, v.keys.id).await > 0 {
            held_ids.push(v.keys.id);
        }
    }
    let id = if held_ids.is_empty() || rng.random_bool(0.1) { pick_vault(rng, fx) } else { held_ids[rng.random_range(0..held_ids.len())] };
    let held = fx.tokens(user, id).await;
    let has_crt_account = rng.random_bool(0.75);
    let amount = amount(rng, held);
    let (min_usdc_out, min_crt_out) = match rng.random_range(0..10) {
        0 => (u64::MAX / 2, 0),
        1 => (0, u64::MAX / 2),
        _ => (0, 0),
    };
    let a = accounts(fx, id).await;
    let req = RedeemRequest { user: user.pubkey(), amount, min_usdc_out, min_crt_out, has_crt_account };
    let v = fx.v(id);
    let p = PriceAccounts { asset: Some(&a.asset), crt: Some(&a.crt) };
    let preview = preview::redeem(a.state(v.keys.vault), p, fx.next_at(), &req);
    let mut accts = user.accounts(&v);
    if !has_crt_account {
        accts.crt = None;
    }
    let o = fx.send(&[ix::redeem(&fx.d, &v, &accts, RedeemArgs { amount, min_usdc_out, min_crt_out })], &[&user.key]).await;
    agree("redeem", &preview, &o, |p| {
        assert_eq!(o.event::<RedeemEvent>(), p.plan.event, "redeem: event differs");
        settled("redeem", &o, p.plan.settled.event.clone());
        settled("redeem", &o, p.plan.swept.clone());
    });
    if let Ok(p) = &preview {
        assert_state(fx, "redeem", id, &p.pool, Some(&p.vault)).await;
    }
    t.count("redeem", &o);
}

async fn rebalance_case(rng: &mut ChaCha8Rng, w: &mut World, t: &mut Tally) {
    let id = pick_vault(rng, &w.fx);
    let fx = &mut w.fx;
    let keeper = fx.keeper.as_ref().expect("a keeper");
    let (kkey, kusdc) = (keeper.key.insecure_clone(), keeper.usdc);
    let bounty = rng.random_bool(0.7);
    let a = accounts(fx, id).await;
    let v = fx.v(id);
    let at = fx.next_at();
    let call = RebalanceCall { vault: v.keys.vault, keeper: kkey.pubkey(), now: at.unix_timestamp, bounty_eligible: bounty };
    let p = PriceAccounts { asset: Some(&a.asset), crt: Some(&a.crt) };
    let preview = preview::rebalance(a.state(v.keys.vault), p, at, &call);
    let o = fx.send(&[ix::rebalance(&fx.d, &v, kkey.pubkey(), bounty.then_some(kusdc))], &[&kkey]).await;
    agree("rebalance", &preview, &o, |p| {
        assert_eq!(o.event::<RebalanceEvent>(), p.plan.event, "rebalance: event differs");
        settled("rebalance", &o, p.plan.settled_event.clone());
        settled("rebalance", &o, p.plan.swept_event.clone());
        settled("rebalance", &o, p.plan.split_event.clone());
    });
    if let Ok(p) = &preview {
        assert_state(fx, "rebalance", id, &p.pool, Some(&p.vault)).await;
    }
    t.count("rebalance", &o);
}

/// The registered vaults with their price updates, as an LP instruction values them.
async fn lp_inputs(
    fx: &mut Fixture,
) -> (turbo::state::Config, turbo::state::Pool, Vec<(turbo::state::Vault, Pubkey, PriceSource)>, PriceSource, u64) {
    let (config, pool) = (fx.config().await, fx.pool().await);
    let mut vaults = Vec::new();
    for v in fx.vaults.clone() {
        vaults.push((fx.vault(v.keys.id).await, v.price, update(fx, v.price).await));
    }
    let crt = update(fx, fx.d.crt_price).await;
    let supply = fx.supply(pda::lp_mint()).await;
    (config, pool, vaults, crt, supply)
}

async fn deposit_case(rng: &mut ChaCha8Rng, w: &mut World, t: &mut Tally) {
    let fx = &mut w.fx;
    let lp = &w.lp;
    let usdc = amount(rng, fx.balance(lp.usdc).await);
    let min_shares_out = if rng.random_bool(0.1) { u64::MAX / 2 } else { 0 };
    let (config, pool, vaults, crt, supply) = lp_inputs(fx).await;
    let items: Vec<_> = vaults.iter().map(|(v, k, u)| (v, *k, u)).collect();
    let req = DepositRequest { provider: lp.pubkey(), usdc, min_shares_out };
    let preview =
        preview::lp_deposit(&config, &pool, &preview::PoolPrices { vaults: &items, custodies: &[], crt: &crt }, supply, fx.next_at(), &req);
    let ix =
        ix::deposit_liquidity(&fx.d, lp.pubkey(), lp.usdc, lp.lp(), &fx.vaults, DepositLiquidityArgs { usdc_amount: usdc, min_shares_out });
    let o = fx.send(&[ix], &[&lp.key]).await;
    agree("lp deposit", &preview, &o, |p| assert_eq!(o.event::<LiquidityDepositedEvent>(), p.plan.event, "lp deposit: event differs"));
    if let Ok(p) = &preview {
        assert_state(fx, "lp deposit", 0, &p.pool, None).await;
    }
    t.count("lp deposit", &o);
}

async fn withdraw_case(rng: &mut ChaCha8Rng, w: &mut World, t: &mut Tally) {
    let fx = &mut w.fx;
    let lp = &w.lp;
    let shares = amount(rng, fx.balance(lp.lp()).await);
    let has_crt_account = rng.random_bool(0.75);
    let (min_usdc_out, min_crt_out) = if rng.random_bool(0.1) { (u64::MAX / 2, 0) } else { (0, 0) };
    let (config, pool, vaults, crt, supply) = lp_inputs(fx).await;
    let items: Vec<_> = vaults.iter().map(|(v, k, u)| (v, *k, u)).collect();
    let req = WithdrawRequest { provider: lp.pubkey(), shares, min_usdc_out, min_crt_out, has_crt_account, allow_unpriced: false };
    let preview = preview::lp_withdraw(
        &config,
        &pool,
        &preview::PoolPrices { vaults: &items, custodies: &[], crt: &crt },
        supply,
        fx.next_at(),
        &req,
    );
    let args = WithdrawLiquidityArgs { shares, min_usdc_out, min_crt_out, allow_unpriced: false };
    let ix = ix::withdraw_liquidity(&fx.d, lp.pubkey(), lp.lp(), lp.usdc, has_crt_account.then_some(lp.crt), &fx.vaults, args);
    let o = fx.send(&[ix], &[&lp.key]).await;
    agree("lp withdraw", &preview, &o, |p| assert_eq!(o.event::<LiquidityWithdrawnEvent>(), p.plan.event, "lp withdraw: event differs"));
    if let Ok(p) = &preview {
        assert_state(fx, "lp withdraw", 0, &p.pool, None).await;
    }
    t.count("lp withdraw", &o);
}

#[tokio::test]
async fn preview_equals_chain() {
    let cases = env("TURBO_PREVIEW_CASES", 520) as usize;
    let seed = env("TURBO_PREVIEW_SEED", 1_313);
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut tally = Tally::default();
    let mut done = 0;
    while done < cases {
        let mut w = deployment(&mut rng).await;
        for _ in 0..PER_DEPLOYMENT.min(cases - done) {
            perturb(&mut rng, &mut w).await;
            match rng.random_range(0..100) {
                0..=34 => mint_case(&mut rng, &mut w, &mut tally).await,
                35..=59 => redeem_case(&mut rng, &mut w, &mut tally).await,
                60..=79 => rebalance_case(&mut rng, &mut w, &mut tally).await,
                80..=89 => deposit_case(&mut rng, &mut w, &mut tally).await,
                _ => withdraw_case(&mut rng, &mut w, &mut tally).await,
            }
            done += 1;
        }
    }
    println!("preview = chain: seed {seed}, {cases} cases: {:?}", tally.agreed);
    // The property is only as good as its spread: each instruction must have landed and been
    // refused, and refusals must span several causes.
    for op in ["mint", "redeem", "rebalance", "lp deposit", "lp withdraw"] {
        let ok = tally.agreed.get(&format!("{op}: ok")).copied().unwrap_or(0);
        let refused: u32 =
            tally.agreed.iter().filter(|(k, _)| k.starts_with(&format!("{op}: ")) && !k.ends_with(": ok")).map(|(_, n)| n).sum();
        assert!(ok > 0 && refused > 0, "{op}: {ok} landed, {refused} refused");
    }
    let causes = tally
        .agreed
        .keys()
        .filter(|k| !k.ends_with(": ok"))
        .filter_map(|k| k.split(": ").nth(1))
        .collect::<std::collections::BTreeSet<_>>();
    assert!(causes.len() >= 10, "refusals span only {causes:?}");
}
