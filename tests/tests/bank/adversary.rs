//! The invariant fuzzer's adversary. It holds several valid Pyth updates per feed at once (each in
//! its own account, as anyone can post through the receiver), and for every instruction it sends
//! picks the updates that pay it most, scored with the SDK's previews (the program's own code).
//! When the chain accepts the chosen instruction, its event must equal the preview to the unit.
//! It also tries round trips (mint then redeem, LP deposit then withdraw, in one transaction) at
//! every pair of updates the rules allow, and asserts that none returns more than was put in.

use anchor_lang::prelude::Pubkey;
use anchor_lang::solana_program::instruction::Instruction;
use solana_sdk::signature::Keypair;
use turbo::args::*;
use turbo::engine::lp::{DepositRequest, WithdrawRequest};
use turbo::engine::trade::{MintRequest, RedeemRequest};
use turbo::events::*;
use turbo_math::{Bias, Usd};
use turbo_sdk::ix::{self, Deployment, PricedVault};
use turbo_sdk::preview::{self, At, PriceAccounts, VaultState};
use turbo_sdk::PriceSource;
use turbo_tests::*;

/// The feeds the adversary holds updates for, in this order: the three assets, then CRT.
pub const FEEDS: [Asset; 4] = [Asset::Btc, Asset::Sol, Asset::Fet, Asset::Crt];

/// Updates posted per feed (the feed's own account is always a candidate too).
#[derive(Default)]
pub struct Updates {
    posted: [Vec<(Pubkey, i64)>; 4],
}

fn slot_of(asset: Asset) -> usize {
    FEEDS.iter().position(|a| *a == asset).expect("a known feed")
}

impl Updates {
    /// Remember an update posted for `asset`; keep the newest few.
    pub fn add(&mut self, asset: Asset, account: Pubkey, publish_time: i64) {
        let v = &mut self.posted[slot_of(asset)];
        v.push((account, publish_time));
        v.sort_by_key(|(_, t)| *t);
        if v.len() > 4 {
            v.remove(0);
        }
    }

    /// Every update of `asset` the adversary could name: its own posts within the maximum age,
    /// and the feed's account.
    pub fn candidates(&self, fx: &Fixture, asset: Asset) -> Vec<Pubkey> {
        let now = fx.now();
        let mut c: Vec<Pubkey> = self.posted[slot_of(asset)].iter().filter(|(_, t)| now - t <= 30).map(|(k, _)| *k).collect();
        c.push(fx.feed(asset).account);
        c
    }
}

pub fn asset_of(id: u16) -> Asset {
    match id {
        BTC_VAULT | BEAR_BTC_VAULT => Asset::Btc,
        SOL_VAULT => Asset::Sol,
        _ => Asset::Fet,
    }
}

async fn update(fx: &mut Fixture, key: Pubkey) -> PriceSource {
    turbo_sdk::accounts::price_update(&mut fx.bank, &key).await.expect("a posted update")
}

fn at(fx: &Fixture) -> At {
    At { unix_timestamp: fx.now(), slot: fx.bank.slot + 1 }
}

/// The deployment with another CRT price account.
fn with_crt(fx: &Fixture, crt: Pubkey) -> Deployment {
    Deployment { crt_price: crt, ..fx.d }
}

/// Each custody's slot and the update `choice` prices its asset at, in asset order: an LP
/// instruction values a custody at the same update as its asset's vaults.
async fn custody_choice(fx: &mut Fixture, choice: &[Pubkey; 4]) -> Vec<(usize, Pubkey)> {
    let pool = fx.pool().await;
    (0..pool.asset_count as usize)
        .filter(|&i| pool.hedges[i].is_enabled())
        .map(|i| {
            let asset = FEEDS.iter().find(|a| a.feed_id() == pool.assets[i].feed_id).expect("a known feed");
            (i, choice[slot_of(*asset)])
        })
        .collect()
}

/// The deployment an LP instruction priced at `choice` names: its CRT update and its custodies'.
async fn lp_deployment(fx: &mut Fixture, choice: &[Pubkey; 4]) -> Deployment {
    let keys: Vec<Pubkey> = custody_choice(fx, choice).await.into_iter().map(|(_, k)| k).collect();
    Deployment { crt_price: choice[3], custody_prices: ix::CustodyPrices::new(&keys), ..fx.d }
}

/// A user's choice: the instruction to send and what the preview says it pays.
pub struct Choice {
    pub ix: Instruction,
    pub expected: u64,
}

/// Every pair of asset and CRT updates the adversary holds for vault `id`.
async fn pairs(fx: &mut Fixture, ups: &Updates, id: u16) -> Vec<(Pubkey, Pubkey, PriceSource, PriceSource)> {
    let mut out = Vec::new();
    for a in ups.candidates(fx, asset_of(id)) {
        let au = update(fx, a).await;
        for c in ups.candidates(fx, Asset::Crt) {
            let cu = update(fx, c).await;
            out.push((a, c, au.clone(), cu));
        }
    }
    out
}

/// The mint of `usdc` and `crt` into vault `id` at the asset and CRT updates that give the most
/// tokens; `None` when the preview refuses every pair.
pub async fn best_mint(fx: &mut Fixture, ups: &Updates, user: &User, id: u16, usdc: u64, crt: u64) -> Option<Choice> {
    let (config, pool, vault) = (fx.config().await, fx.pool().await, fx.vault(id).await);
    let v = fx.v(id);
    let supply = fx.supply(v.keys.mint).await;
    let req = MintRequest { user: user.pubkey(), usdc, crt, min_tokens_out: 0, has_crt_account: true };
    let mut best: Option<(u64, Pubkey, Pubkey)> = None;
    for (a, c, au, cu) in pairs(fx, ups, id).await {
        let p = PriceAccounts { asset: Some(&au), crt: Some(&cu) };
        let Ok(q) = preview::mint(VaultState { config: &config, pool: &pool, vault: &vault, key: v.keys.vault, supply }, p, at(fx), &req)
        else {
            continue;
        };
        if best.is_none_or(|(s, _, _)| q.plan.event.tokens_out > s) {
            best = Some((q.plan.event.tokens_out, a, c));
        }
    }
    let (expected, a, c) = best?;
    let pv = PricedVault { price: a, ..v };
    let args = MintArgs { usdc_amount: usdc, crt_amount: crt, min_tokens_out: 0 };
    Some(Choice { ix: ix::mint(&with_crt(fx, c), &pv, &user.accounts(&pv), args), expected })
}

/// The redeem of `amount` tokens of vault `id` that pays the most (USDC, and CRT at $1).
pub async fn best_redeem(fx: &mut Fixture, ups: &Updates, user: &User, id: u16, amount: u64) -> Option<Choice> {
    let (config, pool, vault) = (fx.config().await, fx.pool().await, fx.vault(id).await);
    let v = fx.v(id);
    let supply = fx.supply(v.keys.mint).await;
    let req = RedeemRequest { user: user.pubkey(), amount, min_usdc_out: 0, min_crt_out: 0, has_crt_account: true };
    let mut best: Option<(u64, u64, Pubkey, Pubkey)> = None;
    for (a, c, au, cu) in pairs(fx, ups, id).await {
        let p = PriceAccounts { asset: Some(&au), crt: Some(&cu) };
        let Ok(q) = preview::redeem(VaultState { config: &config, pool: &pool, vault: &vault, key: v.keys.vault, supply }, p, at(fx), &req)
        else {
            continue;
        };
        let score = q.plan.event.usdc_out + q.plan.event.crt_out / 1_000;
        if best.is_none_or(|(s, _, _, _)| score > s) {
            best = Some((score, q.plan.event.usdc_out, a, c));
        }
    }
    let (_, usdc_out, a, c) = best?;
    let pv = PricedVault { price: a, ..v };
    let args = RedeemArgs { amount, min_usdc_out: 0, min_crt_out: 0 };
    Some(Choice { ix: ix::redeem(&with_crt(fx, c), &pv, &user.accounts(&pv), args), expected: usdc_out })
}

/// The registered vaults, each asset priced at `choice[asset]`, and the CRT account.
fn priced(fx: &Fixture, choice: &[Pubkey; 4]) -> Vec<PricedVault> {
    fx.vaults_priced(|v| choice[slot_of(asset_of(v.keys.id))])
}

/// The pool value an LP instruction would compute with `choice`, or `None` if it would refuse.
async fn value_with(fx: &mut Fixture, choice: &[Pubkey; 4], bias: Bias) -> Option<turbo::engine::lp::Valued> {
    let (config, pool) = (fx.config().await, fx.pool().await);
    let supply = fx.supply(turbo_sdk::pda::lp_mint()).await;
    let mut vaults = Vec::new();
    for v in priced(fx, choice) {
        vaults.push((fx.vault(v.keys.id).await, v.price, update(fx, v.price).await));
    }
    let crt = update(fx, choice[3]).await;
    let mut custodies = Vec::new();
    for (i, key) in custody_choice(fx, choice).await {
        custodies.push((i, key, update(fx, key).await));
    }
    let items: Vec<_> = vaults.iter().map(|(v, k, u)| (v, *k, u)).collect();
    preview::value_pool(
        &config,
        &mut pool.clone(),
        &preview::PoolPrices { vaults: &items, custodies: &preview::custodied(&custodies), crt: &crt },
        turbo::engine::lp::Lean { bias, allow_unpriced: false },
        supply,
        at(fx),
    )
    .ok()
}

/// Per feed, the update that moves the pool's value the adversary's way (value is a sum over
/// assets, so choosing each feed in turn finds the best combination): the lowest value for a
/// deposit, the highest for a withdrawal.
async fn best_lp_prices(fx: &mut Fixture, ups: &Updates, bias: Bias) -> Option<([Pubkey; 4], turbo::engine::lp::Valued)> {
    let mut choice = [fx.feed(Asset::Btc).account, fx.feed(Asset::Sol).account, fx.feed(Asset::Fet).account, fx.d.crt_price];
    for (slot, asset) in FEEDS.iter().enumerate() {
        let mut best: Option<(u64, Pubkey)> = None;
        for c in ups.candidates(fx, *asset) {
            let mut trial = choice;
            trial[slot] = c;
            let Some(v) = value_with(fx, &trial, bias).await else { continue };
            let better = match (bias, best) {
                (_, None) => true,
                (Bias::High, Some((b, _))) => v.value.0 < b,
                (Bias::Low, Some((b, _))) => v.value.0 > b,
            };
            if better {
                best = Some((v.value.0, c));
            }
        }
        if let Some((_, c)) = best {
            choice[slot] = c;
        }
    }
    let v = value_with(fx, &choice, bias).await?;
    Some((choice, v))
}

/// The LP deposit of `usdc` at the updates that give the most shares.
pub async fn best_deposit(fx: &mut Fixture, ups: &Updates, lp: &User, usdc: u64) -> Option<Choice> {
    let (choice, valued) = best_lp_prices(fx, ups, Bias::High).await?;
    let supply = fx.supply(turbo_sdk::pda::lp_mint()).await;
    let (config, mut pool) = (fx.config().await, fx.pool().await);
    let req = DepositRequest { provider: lp.pubkey(), usdc, min_shares_out: 0 };
    let shares = turbo::engine::lp::deposit(&config, &mut pool, &valued, supply, &req).ok()?.shares_out;
    let args = DepositLiquidityArgs { usdc_amount: usdc, min_shares_out: 0 };
    let ix = ix::deposit_liquidity(&lp_deployment(fx, &choice).await, lp.pubkey(), lp.usdc, lp.lp(), &priced(fx, &choice), args);
    Some(Choice { ix, expected: shares.0 })
}

/// The LP withdrawal of `shares` at the updates that pay the most.
pub async fn best_withdraw(fx: &mut Fixture, ups: &Updates, lp: &User, shares: u64) -> Option<Choice> {
    let (choice, valued) = best_lp_prices(fx, ups, Bias::Low).await?;
    let supply = fx.supply(turbo_sdk::pda::lp_mint()).await;
    let (config, mut pool) = (fx.config().await, fx.pool().await);
    let req =
        WithdrawRequest { provider: lp.pubkey(), shares, min_usdc_out: 0, min_crt_out: 0, has_crt_account: true, allow_unpriced: false };
    let value_out = Usd(turbo::engine::lp::withdraw(&config, &mut pool, &valued, supply, &req).ok()?.event.value_out);
    let args = WithdrawLiquidityArgs { shares, min_usdc_out: 0, min_crt_out: 0, allow_unpriced: false };
    let ix =
        ix::withdraw_liquidity(&lp_deployment(fx, &choice).await, lp.pubkey(), lp.lp(), lp.usdc, Some(lp.crt), &priced(fx, &choice), args);
    Some(Choice { ix, expected: value_out.0 })
}

/// Send the adversary's choice, or, when the preview refused every update, `fallback` (the
/// program must then refuse it too, with a user-facing error the fuzzer allows). A landed choice
/// must pay exactly what its preview said.
pub async fn send(fx: &mut Fixture, choice: Option<Choice>, op: &str, signer: &Keypair, fallback: Instruction) -> Outcome {
    match choice {
        Some(c) => {
            let o = fx.send(&[c.ix], &[signer]).await;
            if o.result.is_ok() {
                check(&o, op, c.expected);
            }
            o
        }
        None => fx.send(&[fallback], &[signer]).await,
    }
}

/// Check a landed choice against its preview: the chain paid exactly what the preview said.
pub fn check(o: &Outcome, op: &str, expected: u64) {
    let got = match op {
        "mint" => o.event::<MintEvent>().tokens_out,
        "redeem" => o.event::<RedeemEvent>().usdc_out,
        "lp deposit" => o.event::<LiquidityDepositedEvent>().shares_out,
        "lp withdraw" => o.event::<LiquidityWithdrawnEvent>().value_out,
        _ => return,
    };
    assert_eq!(got, expected, "{op}: the chain paid {got}, the preview said {expected}");
}

/// Mint `usdc` into vault `id` and redeem every token received, in one transaction, at every
/// pair of asset updates the adversary holds; land the pair that returns the most. Returns
/// `(paid in, paid out, the landed transaction)`, or `None` when the program refuses every pair.
pub async fn mint_round_trip(fx: &mut Fixture, ups: &Updates, user: &User, id: u16, usdc: u64) -> Option<(u64, u64, Outcome)> {
    let v = fx.v(id);
    fx.open_token_account(user, &v).await;
    let cands = ups.candidates(fx, asset_of(id));
    let mut txs = Vec::new();
    for &m in &cands {
        let mint = fx.mint_ix_at(user, id, usdc, m);
        let sim = fx.simulate(std::slice::from_ref(&mint), &[&user.key]).await;
        if sim.result.is_err() {
            continue;
        }
        let tokens = sim.event::<MintEvent>().tokens_out;
        for &r in &cands {
            txs.push(vec![mint.clone(), fx.redeem_ix_at(user, id, tokens, r)]);
        }
    }
    let (o, out) = land_best(fx, &txs, &user.key, |o| o.event::<RedeemEvent>().usdc_out).await?;
    Some((usdc, out, o))
}

/// Deposit `usdc` into the pool and withdraw every share received, in one transaction, pricing
/// every asset at its k-th held update for the deposit and the j-th for the withdrawal; land the
/// pair that returns the most. Returns `(paid in, paid out, the landed transaction)`.
pub async fn lp_round_trip(fx: &mut Fixture, ups: &Updates, lp: &User, usdc: u64) -> Option<(u64, u64, Outcome)> {
    let lists: Vec<Vec<Pubkey>> = FEEDS.iter().map(|a| ups.candidates(fx, *a)).collect();
    let depth = lists.iter().map(|l| l.len()).max().unwrap_or(1);
    let pick = |k: usize| -> [Pubkey; 4] { std::array::from_fn(|i| lists[i][k.min(lists[i].len() - 1)]) };
    let mut txs = Vec::new();
    for k in 0..depth {
        let dep_choice = pick(k);
        let args = DepositLiquidityArgs { usdc_amount: usdc, min_shares_out: 0 };
        let dep =
            ix::deposit_liquidity(&lp_deployment(fx, &dep_choice).await, lp.pubkey(), lp.usdc, lp.lp(), &priced(fx, &dep_choice), args);
        let sim = fx.simulate(std::slice::from_ref(&dep), &[&lp.key]).await;
        if sim.result.is_err() {
            continue;
        }
        let shares = sim.event::<LiquidityDepositedEvent>().shares_out;
        for j in 0..depth {
            let w = pick(j);
            let args = WithdrawLiquidityArgs { shares, min_usdc_out: 0, min_crt_out: 0, allow_unpriced: false };
            txs.push(vec![
                dep.clone(),
                ix::withdraw_liquidity(&lp_deployment(fx, &w).await, lp.pubkey(), lp.lp(), lp.usdc, Some(lp.crt), &priced(fx, &w), args),
            ]);
        }
    }
    let score = |o: &Outcome| {
        let w = o.event::<LiquidityWithdrawnEvent>();
        w.usdc_out + w.crt_out / 1_000
    };
    let (o, out) = land_best(fx, &txs, &lp.key, score).await?;
    Some((usdc, out, o))
}

/// Simulate every candidate, send the best one the program accepts, and return it as landed with
/// its score.
async fn land_best(
    fx: &mut Fixture,
    txs: &[Vec<Instruction>],
    signer: &Keypair,
    score: impl Fn(&Outcome) -> u64,
) -> Option<(Outcome, u64)> {
    let mut best: Option<(usize, u64)> = None;
    for (i, t) in txs.iter().enumerate() {
        let o = fx.simulate(t, &[signer]).await;
        if o.result.is_ok() && best.is_none_or(|(_, s)| score(&o) > s) {
            best = Some((i, score(&o)));
        }
    }
    let (i, _) = best?;
    let o = fx.send(&txs[i], &[signer]).await;
    assert_ok(&o);
    let s = score(&o);
    Some((o, s))
}
