//! Wallet, LP, keeper and admin commands. Each one that sends a transaction first prints its
//! preview (computed by the program's own code), then sends it, or only simulates it with
//! `dry_run`. A refusal prints the program's error name and a plain sentence.

use std::fmt::Write;

use anchor_lang::prelude::Pubkey;
use anchor_lang::solana_program::instruction::Instruction;
use anchor_spl::associated_token::spl_associated_token_account::instruction::create_associated_token_account_idempotent;
use solana_sdk::signature::{Keypair, Signer};
use turbo::args::*;
use turbo::engine::lp::{DepositRequest, Lean, WithdrawRequest};
use turbo::engine::trade::{MintRequest, RedeemRequest};
use turbo::state::{Pause, PoolCaps, VaultParams};
use turbo_sdk::accounts::{self, Feeds, Snapshot, VaultView};
use turbo_sdk::chain::{Chain, ChainError};
use turbo_sdk::errors::{failure, Failure};
use turbo_sdk::ix::{self, PricedVault, UserAccounts};
use turbo_sdk::outcome::Outcome;
use turbo_sdk::pda;
use turbo_sdk::preview;
use turbo_sdk::series::parse_decimal;
use turbo_sdk::PriceSource;

use crate::text::{self, amount, lev, price, table, usd};

#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// The program refused: its error name and a sentence.
    #[error("{0}")]
    Program(Failure),
    #[error(transparent)]
    Chain(#[from] ChainError),
    #[error("{0}")]
    Input(String),
}

impl CliError {
    /// The program's error name, when the program refused.
    pub fn program_error(&self) -> Option<&str> {
        match self {
            CliError::Program(f) => Some(&f.name),
            _ => None,
        }
    }
}

pub type CliResult = Result<String, CliError>;

fn input(s: impl Into<String>) -> CliError {
    CliError::Input(s.into())
}

/// A chain, where its price accounts are, whether to only simulate, and where user
/// instructions fetch their signed prices (docs/clients.md, "Signed prices"); without a price
/// service they name the price accounts as they are.
pub struct Cli<C: Chain> {
    pub chain: C,
    pub feeds: Feeds,
    pub dry_run: bool,
    pub prices: Option<turbo_sdk::price_service::PriceService>,
    /// The signed prices the last snapshot read, posted in front of the next transaction that
    /// names their feeds.
    posts: Option<turbo_sdk::price_service::Attached>,
}

/// A preview's refusal as the program would report it.
pub(crate) fn refused(e: anchor_lang::error::Error) -> CliError {
    CliError::Program(turbo_sdk::errors::refusal(&e))
}

/// One line for a queued change.
pub fn describe_change(c: &turbo::state::Change) -> String {
    use turbo::state::Change;
    match c {
        Change::Config(p) => format!("config parameters → {p:?}"),
        Change::Pool(c) => format!(
            "pool caps → gross {} bps, net {} bps, risk cap {} bps a {}.{:02}σ day (σ ≥ {} bps a year), funding ≤ {} bps a day, gap cap {} bps on a {} bps gap",
            { c.gross_cap_bps },
            { c.net_cap_bps },
            { c.max_daily_loss_bps },
            { c.risk_z_centi } / 100,
            { c.risk_z_centi } % 100,
            { c.vol_floor_bps },
            { c.funding_max_bps_per_day },
            { c.gap_budget_bps },
            { c.stress_gap_bps }
        ),
        Change::Vault { vault, params } => format!("vault {vault} parameters → {params:?}"),
        Change::CreateVault { vault_id, .. } => format!("create vault {vault_id}"),
        Change::RetireVault { vault } => format!("retire vault {vault}"),
        Change::CreateCustody { asset_index, .. } => format!("create the custody of asset slot {asset_index}"),
        Change::OpenSignedFeed { feed_id, lazer_feed_id } => {
            format!("read feed {} from Pyth Pro feed {lazer_feed_id}", turbo_sdk::pyth::feed_hex(feed_id))
        }
    }
}

/// Parse a decimal amount of a token with `decimals` into raw units.
pub fn parse_amount(s: &str, decimals: u32) -> Result<u64, CliError> {
    parse_decimal(s, decimals).and_then(|v| u64::try_from(v).ok()).ok_or_else(|| input(format!("{s:?} is not an amount")))
}

/// A redeem previewed for `owner`: their token account, the raw amount and what the program would
/// do with it.
pub(crate) struct RedeemPreview {
    pub owner: Pubkey,
    pub tokens: Pubkey,
    pub raw: u64,
    pub preview: preview::Preview<turbo::engine::trade::RedeemPlan>,
}

/// Leave `bps` of room under an expected amount (rounded down: the guard never asks for more).
pub fn with_slippage(expected: u64, bps: u16) -> u64 {
    turbo_math::Bps(10_000 - bps.min(10_000) as u64).of_floor(expected).unwrap_or(0)
}

impl<C: Chain> Cli<C> {
    pub fn new(chain: C, feeds: Feeds) -> Self {
        Cli { chain, feeds, dry_run: false, prices: None, posts: None }
    }

    /// Fetch signed prices of `feed_ids` (with a price service, for a deployment that opened
    /// their signed feeds) and load the deployment at them; the next transaction that names them
    /// posts them first. Else `base`. A trade asks for its asset's and CRT's alone: their post
    /// fits in the trade's own transaction.
    pub(crate) async fn signed_snapshot(&mut self, base: Snapshot, feed_ids: &[[u8; 32]]) -> Result<Snapshot, CliError> {
        self.posts = None;
        let Some(service) = self.prices.clone() else { return Ok(base) };
        let attached = turbo_sdk::price_service::attach(&mut self.chain, &service, feed_ids, &self.feeds)
            .await
            .map_err(|e| input(format!("signed prices from {}: {e}", service.url())))?;
        let Some(a) = attached else { return Ok(base) };
        let snap = Snapshot::load(&mut self.chain, &a.feeds).await?;
        self.posts = Some(a);
        Ok(snap)
    }

    /// The deployment now: with a price service, at the signed prices it serves (what the next
    /// transaction posts), else at the price accounts as they are.
    pub async fn snapshot(&mut self) -> Result<Snapshot, CliError> {
        let base = Snapshot::load(&mut self.chain, &self.feeds).await?;
        if self.prices.is_none() {
            return Ok(base);
        }
        let all = accounts::deployment_feeds(&mut self.chain).await?;
        self.signed_snapshot(base, &all).await
    }

    fn find<'a>(snap: &'a Snapshot, name: &str) -> Result<&'a VaultView, CliError> {
        snap.find(name).ok_or_else(|| {
            let known: Vec<_> = snap.vaults.iter().map(|v| v.mint.symbol.clone()).collect();
            input(format!("no vault {name:?}; registered: {}", known.join(", ")))
        })
    }

    /// Send (or simulate) `ixs`, with the signed prices the last snapshot read posted first when
    /// they name their feeds: in the same transaction when it fits Solana's packet, else in one of
    /// its own just before (the instruction then reads the posted feeds within the fresh-price
    /// delay). A refusal becomes [`CliError::Program`].
    pub async fn execute(&mut self, ixs: &[Instruction], signers: &[&Keypair], out: &mut String) -> Result<Outcome, CliError> {
        let Some(posts) = self.posts.take().filter(|p| p.read_by(ixs)) else { return self.send_now(ixs, signers, out).await };
        let pre = posts.ixs(signers[0].pubkey());
        let all: Vec<Instruction> = pre.iter().chain(ixs).cloned().collect();
        if turbo_sdk::chain::fits(&all, &signers[0].pubkey(), signers.len()) {
            return self.send_now(&all, signers, out).await;
        }
        self.send_now(&pre, &[signers[0]], &mut String::new()).await?;
        let _ = writeln!(out, "signed prices posted first (with them the transaction would pass 1,232 bytes)");
        self.send_now(ixs, signers, out).await
    }

    async fn send_now(&mut self, ixs: &[Instruction], signers: &[&Keypair], out: &mut String) -> Result<Outcome, CliError> {
        let o = if self.dry_run { self.chain.simulate(ixs, signers).await? } else { self.chain.send(ixs, signers).await? };
        if let Some(f) = failure(&o) {
            return Err(CliError::Program(f));
        }
        let _ = writeln!(out, "{}", if self.dry_run { "dry run: the transaction would succeed (nothing sent)" } else { "confirmed" });
        Ok(o)
    }

    // --- reading ---

    /// `turbo vaults`: NAV, leverage, supply, caps and last rebalance of every vault.
    pub async fn vaults(&mut self) -> CliResult {
        let snap = self.snapshot().await?;
        let mut t = table(&["Vault", "Id", "Price", "NAV", "Token", "Leverage", "Band", "Supply", "Can mint", "Last rebalance", "Status"]);
        let now = snap.at.unix_timestamp;
        for v in &snap.vaults {
            let p = &v.vault.params;
            // The program's own quote, as the web app reads it (docs/design.md §5.7).
            let quote = v.prices.is_ok().then(|| snap.quote(v));
            let (px, nav, token, leverage, band, can_mint) = match &quote {
                Some(Ok(q)) => (
                    price(q.price),
                    usd(q.nav),
                    usd(q.ui_price),
                    lev(Some(q.leverage)),
                    text::band(q.band_lo, q.band_hi, p.target_leverage < 0),
                    usd(q.mint_capacity_usdc),
                ),
                Some(Err(e)) => ("-".into(), e.to_string(), "-".into(), "-".into(), "-".into(), "-".into()),
                None => ("-".into(), "-".into(), "-".into(), "-".into(), "-".into(), "-".into()),
            };
            let ago = now - v.vault.last_rebalance_ts;
            let exits = [
                (snap.config.redeem_paused_until.max(v.vault.redeem_paused_until), "redeem"),
                (snap.config.withdraw_paused_until, "withdraw"),
            ];
            let exit_pauses: Vec<String> = exits
                .iter()
                .filter(|(until, _)| now < *until)
                .map(|(until, what)| format!("{what} for {}h", (until - now + 3_599) / 3_600))
                .collect();
            let status = if v.vault.is_retired() {
                "retired (redeem in kind)".into()
            } else {
                match (&v.prices, v.vault.paused | snap.config.paused, exit_pauses.is_empty()) {
                    (Err(e), _, _) => format!("price: {e}"),
                    (Ok(_), 0, true) => match &quote {
                        Some(Ok(q)) => text::vault_state(q, now),
                        _ => "-".into(),
                    },
                    (Ok(_), flags, _) => {
                        let mut parts = Vec::new();
                        if flags != 0 {
                            parts.push(pause_names(flags));
                        }
                        parts.extend(exit_pauses);
                        format!("paused {}", parts.join(", "))
                    }
                }
            };
            t.add_row(vec![
                v.mint.symbol.clone(),
                v.keys.id.to_string(),
                px,
                nav,
                token,
                leverage,
                band,
                amount(v.mint.ui_amount_raw(v.mint.supply), text::SHARES, 2),
                can_mint,
                format!("{ago}s ago ({} total)", { v.vault.rebalance_count }),
                status,
            ]);
        }
        let pool = &snap.pool;
        let free = pool.free_book().map_err(|e| input(e.to_string()))?;
        let gross = pool.gross_notional().map_err(|e| input(e.to_string()))?;
        let owed: u64 = snap.vaults.iter().map(|v| v.vault.fees_owed_usdc).sum();
        Ok(format!(
            "{t}\nPool: {} free USDC, {} treasury fees, {} fees awaiting sweep in vaults, {} gross notional backed (cap {}x), bad debt absorbed {}, skew funding earned {}\n",
            usd(free.usdc.0),
            usd(pool.treasury_usdc),
            usd(owed),
            usd(gross.0),
            amount(pool.caps.gross_cap_bps as u64, 4, 1),
            usd(pool.bad_debt_absorbed),
            usd(pool.funding_earned),
        ))
    }

    /// `turbo show <vault>`: everything about one vault.
    pub async fn show(&mut self, name: &str) -> CliResult {
        let snap = self.snapshot().await?;
        let v = Self::find(&snap, name)?;
        let s = &v.vault;
        let p = &s.params;
        let mut t = table(&["Field", "Value"]);
        let mut row = |k: &str, v: String| {
            t.add_row(vec![k.to_string(), v]);
        };
        row("name", format!("{} ({})", v.mint.name, v.mint.symbol));
        row("vault", v.keys.vault.to_string());
        row("mint", format!("{} (Token-2022, UI multiplier {})", v.keys.mint, v.mint.multiplier));
        row("feed", turbo_sdk::pyth::feed_hex(&s.feed_id));
        row("price account", v.price_account.to_string());
        let now = snap.at.unix_timestamp;
        let short = p.target_leverage < 0;
        if let Ok(px) = &v.prices {
            row("price", format!("{} (conf ±{})", price(px.asset.mid.0), price(px.asset.hi.0 - px.asset.mid.0)));
            // The program's own quote, as the web app reads it (docs/design.md §5.7).
            if let Ok(q) = snap.quote(v) {
                row("NAV", usd(q.nav));
                row("token price", format!("{} per UI token", usd(q.ui_price)));
                row("leverage", lev(Some(q.leverage)));
                row("effective target / band", format!("{} / {}", lev(Some(q.effective_target)), text::band(q.band_lo, q.band_hi, short)));
                row("rebalance", text::vault_state(&q, now));
                row("volatility (annualized)", text::bps(q.vol_bps));
            }
        }
        row(
            "target / band / emergency",
            format!(
                "{} / {} / {}",
                lev(Some(p.target_leverage)),
                text::band(p.band_lo, p.band_hi, short),
                text::side_lev(p.emergency_leverage, short)
            ),
        );
        row(
            "step / interval",
            format!("{} of exposure / {}s (+≤{}s jitter)", text::bps({ p.step_bps } as u64), { p.min_interval_secs }, { p.jitter_secs }),
        );
        row("fees", format!("mint {}, redeem {}", text::bps(p.mint_fee_bps as u64), text::bps(p.redeem_fee_bps as u64)));
        let c = &snap.config;
        row("redeem", text::exit_pause(c.redeem_paused_until.max(s.redeem_paused_until), c.exit_pause_until, now));
        row("LP withdrawal", text::exit_pause(c.withdraw_paused_until, c.exit_pause_until, now));
        row("collateral", format!("{} USDC, {} CRT", usd(s.usdc_balance), amount(s.crt_balance, snap.config.crt_decimals as u32, 2)));
        row(
            "fees owed to the pool",
            format!(
                "{} USDC, {} CRT (swept with the next transfer)",
                usd(s.fees_owed_usdc),
                amount(s.fees_owed_crt, snap.config.crt_decimals as u32, 2)
            ),
        );
        row("exposure", format!("{} units at {}", amount(s.exposure.unsigned_abs(), 9, 4), price(s.settle_price)));
        row("supply", format!("{} UI tokens ({} raw)", amount(v.mint.ui_amount_raw(v.mint.supply), text::SHARES, 2), v.mint.supply));
        row(
            "lifetime",
            format!("{} rebalances, {} fees, {} bad debt, {} reverse splits", { s.rebalance_count }, usd(s.fees_usdc), usd(s.bad_debt), {
                s.split_count
            }),
        );
        Ok(format!("{t}\n"))
    }

    // --- wallets ---

    /// `turbo positions [WALLET]`: what a wallet holds of each Turbo token and of the pool, and
    /// what it is worth now: tokens at NAV (the program's quote), LP shares at the value a
    /// withdrawal would be paid on (the pool valued low, as `withdraw_liquidity` values it).
    /// Cost basis and PnL need the wallet's history, which the indexer will keep (issue 26).
    /// With `indexer`, each position's cost basis and profit or loss from `turbo-indexer`.
    pub async fn positions(&mut self, owner: &Pubkey, indexer: Option<&str>) -> CliResult {
        let snap = self.snapshot().await?;
        let mut t = table(&["Position", "Balance", "Value", "Of the whole"]);
        let mut total = 0u64;
        for v in &snap.vaults {
            let held = accounts::token_balance(&mut self.chain, &pda::token_2022_ata(owner, &v.keys.mint)).await?;
            if held == 0 {
                continue;
            }
            // A vault whose price cannot be read now is shown at no value rather than guessed.
            let value = match (&v.prices, snap.quote(v)) {
                (Err(_), _) => 0,
                (Ok(_), Ok(q)) => turbo_math::Usd(q.nav).mul_div_floor(held, v.mint.supply.max(1)).map_err(|e| input(e.to_string()))?.0,
                (Ok(_), Err(e)) => return Err(input(e)),
            };
            total = total.saturating_add(value);
            t.add_row(vec![
                v.mint.symbol.clone(),
                format!("{} {}", amount(v.mint.ui_amount_raw(held), text::SHARES, 2), v.mint.symbol),
                usd(value),
                format!("{:.4}% of the supply", held as f64 * 100.0 / v.mint.supply.max(1) as f64),
            ]);
        }
        let shares = accounts::token_balance(&mut self.chain, &pda::ata(owner, &pda::lp_mint())).await?;
        if shares > 0 {
            let supply = self.lp_supply().await?;
            let prices = self.custody_prices(&snap).await?;
            let crt = snap.crt_update.as_ref().ok_or_else(|| input("the CRT price account is missing"))?;
            let mut pool = snap.pool;
            let pp = preview::PoolPrices { vaults: &Self::priced_items(&snap)?, custodies: &preview::custodied(&prices), crt };
            let valued =
                preview::value_pool(&snap.config, &mut pool, &pp, Lean::withdrawal(false), supply, snap.next()).map_err(refused)?;
            let value = valued.value.mul_div_floor(shares, supply.max(1)).map_err(|e| input(e.to_string()))?.0;
            total = total.saturating_add(value);
            t.add_row(vec![
                "LP".into(),
                format!("{} shares", amount(shares, text::SHARES, 2)),
                usd(value),
                format!("{:.4}% of the pool", shares as f64 * 100.0 / supply.max(1) as f64),
            ]);
        }
        let Some(base) = indexer else {
            return Ok(format!(
                "{owner}\n{t}\nTotal {} (tokens at NAV, LP shares at the pool's withdrawal value; cost basis and PnL need the indexer: --indexer URL)\n",
                usd(total)
            ));
        };
        let mine = turbo_sdk::indexer::positions(base, owner).await.map_err(input)?;
        let mut h = table(&["Position", "Cost", "Redeemed for", "Value (indexer)", "Profit and loss"]);
        let signed = |v: i64| if v < 0 { format!("-{}", usd(v.unsigned_abs())) } else { usd(v as u64) };
        for p in &mine.vaults {
            let symbol =
                snap.vaults.iter().find(|v| v.keys.vault.to_string() == p.vault).map_or(p.vault.clone(), |v| v.mint.symbol.clone());
            h.add_row(vec![symbol, usd(p.cost), usd(p.proceeds), usd(p.value), signed(p.pnl)]);
        }
        if let Some(lp) = &mine.lp {
            h.add_row(vec!["LP".into(), usd(lp.deposited), usd(lp.withdrawn), usd(lp.value), signed(lp.pnl)]);
        }
        Ok(format!(
            "{owner}\n{t}\nTotal {} (tokens at NAV, LP shares at the pool's withdrawal value)\n\nFrom the indexer at {base} (each mint and redeem as the program priced it):\n{h}\n",
            usd(total)
        ))
    }

    /// `turbo mint <vault> --usdc N [--crt N] [--slippage-bps B | --min-out T]`.
    pub async fn mint(&mut self, user: &Keypair, name: &str, usdc: &str, crt: Option<&str>, slippage_bps: u16) -> CliResult {
        self.mint_with_guard(user, name, usdc, crt, slippage_bps, None).await
    }

    /// [`Cli::mint`] with an explicit minimum of UI tokens out instead of a slippage.
    pub async fn mint_with_guard(
        &mut self,
        user: &Keypair,
        name: &str,
        usdc: &str,
        crt: Option<&str>,
        slippage_bps: u16,
        min_out_ui: Option<&str>,
    ) -> CliResult {
        let base = Snapshot::load(&mut self.chain, &self.feeds).await?;
        let feeds = [Self::find(&base, name)?.vault.feed_id, base.config.crt_feed_id];
        let snap = self.signed_snapshot(base, &feeds).await?;
        let v = Self::find(&snap, name)?;
        let usdc = parse_amount(usdc, text::USDC)?;
        let crt = crt.map(|c| parse_amount(c, snap.config.crt_decimals as u32)).transpose()?.unwrap_or(0);
        let req = MintRequest { user: user.pubkey(), usdc, crt, min_tokens_out: 0, has_crt_account: crt > 0 };
        let q =
            preview::mint(snap.state(v), snap.price_accounts(v), snap.next(), &req).map_err(|e| Self::cap_refusal(&snap, v, e))?.plan.quote;
        let min_out = match min_out_ui {
            Some(m) => v.mint.raw_from_ui_raw(parse_amount(m, text::SHARES)?),
            None => with_slippage(q.shares_out.0, slippage_bps),
        };
        let sym = &v.mint.symbol;
        let mut out = String::new();
        let _ = writeln!(
            out,
            "Mint {sym}: pay {} USDC{} (fee {} USDC), receive ≈ {} {sym} at {} per token (minimum {} with {} slippage)",
            amount(usdc, text::USDC, 2),
            if crt > 0 { format!(" + {} CRT", amount(crt, snap.config.crt_decimals as u32, 2)) } else { String::new() },
            amount(q.fee_usdc.0, text::USDC, 2),
            amount(v.mint.ui_amount_raw(q.shares_out.0), text::SHARES, 2),
            usd(turbo_math::ui_token_price(q.nav, turbo_math::Shares(v.mint.supply), v.vault.split_count)
                .map_err(|e| input(e.to_string()))?
                .0),
            amount(v.mint.ui_amount_raw(min_out), text::SHARES, 2),
            text::bps(slippage_bps as u64),
        );
        let d = snap.deployment();
        let owner = user.pubkey();
        let u = UserAccounts {
            user: owner,
            tokens: pda::token_2022_ata(&owner, &v.keys.mint),
            usdc: pda::ata(&owner, &d.usdc_mint),
            crt: (crt > 0).then(|| pda::ata(&owner, &d.crt_mint)),
        };
        let pv = PricedVault { keys: v.keys, price: v.price_account };
        let ixs = [
            create_associated_token_account_idempotent(&owner, &owner, &v.keys.mint, &anchor_spl::token_2022::ID),
            ix::mint(&d, &pv, &u, MintArgs { usdc_amount: usdc, crt_amount: crt, min_tokens_out: min_out }),
        ];
        self.execute(&ixs, &[user], &mut out).await?;
        Ok(out)
    }

    /// A preview's refusal of a mint into `v`; a cap's says how far over it was (the compared
    /// values the program attaches: what the side would carry, what a mint may fill) and what
    /// would fit now (the quote's `mint_capacity_usdc`).
    fn cap_refusal(snap: &Snapshot, v: &VaultView, e: anchor_lang::error::Error) -> CliError {
        let values = match &e {
            anchor_lang::error::Error::AnchorError(a) => match &a.compared_values {
                Some(anchor_lang::error::ComparedValues::Values((l, r))) => l.parse::<u64>().ok().zip(r.parse::<u64>().ok()),
                _ => None,
            },
            _ => None,
        };
        let mut f = turbo_sdk::errors::refusal(&e);
        let Some((after, limit)) = values else { return CliError::Program(f) };
        f.message = format!("{}: the side would carry {} where a mint may fill {}", f.message, usd(after), usd(limit));
        if let Ok(q) = snap.quote(v) {
            f.message =
                format!("{}; at most about {} of USDC can be minted into {} now", f.message, usd(q.mint_capacity_usdc), v.mint.symbol);
        }
        CliError::Program(f)
    }

    /// `turbo redeem <vault> <amount|all> [--slippage-bps B | --min-usdc N]`; the amount is in
    /// UI tokens.
    pub async fn redeem(&mut self, user: &Keypair, name: &str, amount_ui: &str, slippage_bps: u16) -> CliResult {
        self.redeem_with_guard(user, name, amount_ui, slippage_bps, None).await
    }

    /// [`Cli::redeem`] with an explicit minimum of USDC out instead of a slippage.
    pub async fn redeem_with_guard(
        &mut self,
        user: &Keypair,
        name: &str,
        amount_ui: &str,
        slippage_bps: u16,
        min_usdc: Option<&str>,
    ) -> CliResult {
        let base = Snapshot::load(&mut self.chain, &self.feeds).await?;
        let feeds = [Self::find(&base, name)?.vault.feed_id, base.config.crt_feed_id];
        let snap = self.signed_snapshot(base, &feeds).await?;
        let v = Self::find(&snap, name)?;
        let r = self.redeem_preview(&snap, v, user.pubkey(), amount_ui).await?;
        let q = r.preview.plan.quote;
        let min_usdc = match min_usdc {
            Some(m) => parse_amount(m, text::USDC)?,
            None => with_slippage(q.usdc_out.0, slippage_bps),
        };
        let mut out = String::new();
        let _ = writeln!(
            out,
            "Redeem {} {}: receive ≈ {} USDC{} after a {} USDC fee (minimum {} USDC with {} slippage)",
            amount(v.mint.ui_amount_raw(r.raw), text::SHARES, 2),
            v.mint.symbol,
            amount(q.usdc_out.0, text::USDC, 2),
            if q.crt_out.0 > 0 { format!(" + {} CRT", amount(q.crt_out.0, snap.config.crt_decimals as u32, 2)) } else { String::new() },
            amount(q.fee_usdc.0, text::USDC, 2),
            amount(min_usdc, text::USDC, 2),
            text::bps(slippage_bps as u64),
        );
        let ixs = self.redeem_ixs(&snap, v, &r, min_usdc, with_slippage(q.crt_out.0, slippage_bps));
        self.execute(&ixs, &[user], &mut out).await?;
        Ok(out)
    }

    /// The raw tokens `amount_ui` ("all" or UI tokens) of vault `v` that `owner` holds, and what
    /// redeeming them would do now.
    pub(crate) async fn redeem_preview(
        &mut self,
        snap: &Snapshot,
        v: &VaultView,
        owner: Pubkey,
        amount_ui: &str,
    ) -> Result<RedeemPreview, CliError> {
        let tokens = pda::token_2022_ata(&owner, &v.keys.mint);
        let held = accounts::token_balance(&mut self.chain, &tokens).await?;
        let raw = if amount_ui == "all" { held } else { v.mint.raw_from_ui_raw(parse_amount(amount_ui, text::SHARES)?) };
        if raw == 0 || raw > held {
            return Err(input(format!("you hold {} {}", amount(v.mint.ui_amount_raw(held), text::SHARES, 2), v.mint.symbol)));
        }
        let req = RedeemRequest { user: owner, amount: raw, min_usdc_out: 0, min_crt_out: 0, has_crt_account: true };
        let preview = preview::redeem(snap.state(v), snap.price_accounts(v), snap.next(), &req).map_err(refused)?;
        Ok(RedeemPreview { owner, tokens, raw, preview })
    }

    /// The instructions of a redeem previewed by [`Cli::redeem_preview`], with its guards: the
    /// CRT account's creation when CRT comes out, then the redeem with the price accounts it reads.
    pub(crate) fn redeem_ixs(&self, snap: &Snapshot, v: &VaultView, r: &RedeemPreview, min_usdc: u64, min_crt: u64) -> Vec<Instruction> {
        let (owner, crt_out) = (r.owner, r.preview.plan.quote.crt_out.0);
        let d = snap.deployment();
        let crt_account = pda::ata(&owner, &d.crt_mint);
        let mut ixs = Vec::new();
        if crt_out > 0 {
            ixs.push(create_associated_token_account_idempotent(&owner, &owner, &d.crt_mint, &anchor_spl::token::ID));
        }
        let u =
            UserAccounts { user: owner, tokens: r.tokens, usdc: pda::ata(&owner, &d.usdc_mint), crt: (crt_out > 0).then_some(crt_account) };
        let pv = PricedVault { keys: v.keys, price: v.price_account };
        let args = RedeemArgs { amount: r.raw, min_usdc_out: min_usdc, min_crt_out: min_crt };
        // A retired vault reads no price; one without CRT never reads CRT's.
        let (asset, crt) =
            if v.vault.is_retired() { (None, None) } else { (Some(v.price_account), (v.vault.crt_balance > 0).then_some(d.crt_price)) };
        ixs.push(ix::redeem_priced(&pv, &u, args, asset, crt));
        ixs
    }

    // --- keepers ---

    /// `turbo rebalance <vault>`: preview the keeper decision, then send.
    pub async fn rebalance(&mut self, keeper: &Keypair, name: &str) -> CliResult {
        let base = Snapshot::load(&mut self.chain, &self.feeds).await?;
        let feeds = [Self::find(&base, name)?.vault.feed_id, base.config.crt_feed_id];
        let snap = self.signed_snapshot(base, &feeds).await?;
        let v = Self::find(&snap, name)?;
        let at = snap.next();
        let mut out = String::new();
        // Asked by hand, any step that acts is sent: no minimum, no heartbeat.
        match turbo_keeper::decide_vault(&snap, v, keeper.pubkey(), at, turbo_keeper::Policy::default()) {
            turbo_keeper::Verdict::Act(i) => {
                let _ = writeln!(
                    out,
                    "Rebalance {}: {:?}, exposure {} → {}, target {}{}",
                    v.mint.symbol,
                    i.plan.action,
                    i.plan.before.0,
                    i.plan.after.0,
                    lev(Some(i.plan.target.0)),
                    if i.plan.splits > 0 { format!(", {} reverse split(s)", i.plan.splits) } else { String::new() }
                );
            }
            turbo_keeper::Verdict::Idle { action, .. } | turbo_keeper::Verdict::Small { action, .. } => {
                let _ = writeln!(out, "Rebalance {}: nothing to do ({action:?}); it will only settle", v.mint.symbol);
            }
            turbo_keeper::Verdict::Skip { why, .. } => return Err(input(why)),
            turbo_keeper::Verdict::Retired { .. } => return Err(input(format!("{} is retired: nothing to rebalance", v.mint.symbol))),
        }
        let d = snap.deployment();
        let pv = PricedVault { keys: v.keys, price: v.price_account };
        let usdc = pda::ata(&keeper.pubkey(), &d.usdc_mint);
        let has_usdc = self.chain.account(&usdc).await?.is_some();
        self.execute(&[ix::rebalance(&d, &pv, keeper.pubkey(), has_usdc.then_some(usdc))], &[keeper], &mut out).await?;
        Ok(out)
    }

    // --- LPs ---

    /// The registered vaults with the price update each names, as LP instructions take them.
    pub(crate) fn priced_items(snap: &Snapshot) -> Result<Vec<(&turbo::state::Vault, Pubkey, &PriceSource)>, CliError> {
        snap.vaults
            .iter()
            .map(|v| {
                let update = v.price_update.as_ref().ok_or_else(|| input(format!("{}: price account missing", v.mint.symbol)))?;
                Ok((&v.vault, v.price_account, update))
            })
            .collect()
    }

    /// `turbo lp deposit <usdc> [--slippage-bps B]`.
    pub async fn lp_deposit(&mut self, lp: &Keypair, usdc: &str, slippage_bps: u16) -> CliResult {
        let snap = self.snapshot().await?;
        let usdc = parse_amount(usdc, text::USDC)?;
        let supply = self.lp_supply().await?;
        let prices = self.custody_prices(&snap).await?;
        let crt = snap.crt_update.as_ref().ok_or_else(|| input("the CRT price account is missing"))?;
        let at = snap.next();
        let req = DepositRequest { provider: lp.pubkey(), usdc, min_shares_out: 0 };
        let plan = preview::lp_deposit(
            &snap.config,
            &snap.pool,
            &preview::PoolPrices { vaults: &Self::priced_items(&snap)?, custodies: &preview::custodied(&prices), crt },
            supply,
            at,
            &req,
        )
        .map_err(refused)?
        .plan;
        let (shares, value) = (plan.shares_out, turbo_math::Usd(plan.event.pool_value));
        let min = with_slippage(shares.0, slippage_bps);
        let mut out = String::new();
        let _ = writeln!(
            out,
            "Deposit {} USDC: receive ≈ {} LP shares at pool value {} (minimum {})",
            amount(usdc, text::USDC, 2),
            amount(shares.0, text::SHARES, 2),
            usd(value.0),
            amount(min, text::SHARES, 2)
        );
        let d = snap.deployment();
        let owner = lp.pubkey();
        let ixs = [
            create_associated_token_account_idempotent(&owner, &owner, &pda::lp_mint(), &anchor_spl::token::ID),
            ix::deposit_liquidity(
                &d,
                owner,
                pda::ata(&owner, &d.usdc_mint),
                pda::ata(&owner, &pda::lp_mint()),
                &snap.priced(),
                DepositLiquidityArgs { usdc_amount: usdc, min_shares_out: min },
            ),
        ];
        self.execute(&ixs, &[lp], &mut out).await?;
        Ok(out)
    }

    pub(crate) async fn lp_supply(&mut self) -> Result<u64, CliError> {
        accounts::mint_supply(&mut self.chain, &pda::lp_mint()).await?.ok_or_else(|| input("the pool is not initialized"))
    }

    /// `turbo lp withdraw <shares|all> [--slippage-bps B] [--unpriced]`.
    pub async fn lp_withdraw(&mut self, lp: &Keypair, shares: &str, slippage_bps: u16, unpriced: bool) -> CliResult {
        let snap = self.snapshot().await?;
        let owner = lp.pubkey();
        let lp_account = pda::ata(&owner, &pda::lp_mint());
        let held = accounts::token_balance(&mut self.chain, &lp_account).await?;
        let shares = if shares == "all" { held } else { parse_amount(shares, text::SHARES)? };
        let supply = self.lp_supply().await?;
        let prices = self.custody_prices(&snap).await?;
        let crt = snap.crt_update.as_ref().ok_or_else(|| input("the CRT price account is missing"))?;
        let at = snap.next();
        let req =
            WithdrawRequest { provider: owner, shares, min_usdc_out: 0, min_crt_out: 0, has_crt_account: true, allow_unpriced: unpriced };
        let plan = preview::lp_withdraw(
            &snap.config,
            &snap.pool,
            &preview::PoolPrices { vaults: &Self::priced_items(&snap)?, custodies: &preview::custodied(&prices), crt },
            supply,
            at,
            &req,
        )
        .map_err(refused)?
        .plan;
        let (usdc_out, crt_out, value) = (plan.usdc_out, plan.crt_out, turbo_math::Usd(plan.event.pool_value));
        let mut out = String::new();
        let _ = writeln!(
            out,
            "Withdraw {} LP shares: receive ≈ {} USDC + {} CRT at pool value {}",
            amount(shares, text::SHARES, 2),
            amount(usdc_out.0, text::USDC, 2),
            amount(crt_out.0, snap.config.crt_decimals as u32, 2),
            usd(value.0)
        );
        let d = snap.deployment();
        let crt_account = pda::ata(&owner, &d.crt_mint);
        let mut ixs = vec![create_associated_token_account_idempotent(&owner, &owner, &d.usdc_mint, &anchor_spl::token::ID)];
        if crt_out.0 > 0 {
            ixs.push(create_associated_token_account_idempotent(&owner, &owner, &d.crt_mint, &anchor_spl::token::ID));
        }
        let args = WithdrawLiquidityArgs {
            shares,
            min_usdc_out: with_slippage(usdc_out.0, slippage_bps),
            min_crt_out: with_slippage(crt_out.0, slippage_bps),
            allow_unpriced: unpriced,
        };
        ixs.push(ix::withdraw_liquidity(
            &d,
            owner,
            lp_account,
            pda::ata(&owner, &d.usdc_mint),
            (crt_out.0 > 0).then_some(crt_account),
            &snap.priced(),
            args,
        ));
        self.execute(&ixs, &[lp], &mut out).await?;
        Ok(out)
    }

    // --- admin ---

    /// `turbo config`: the deployment's configuration.
    pub async fn config_show(&mut self) -> CliResult {
        let c = accounts::config(&mut self.chain).await?;
        let mut t = table(&["Field", "Value"]);
        for (k, v) in [
            ("admin", c.admin.to_string()),
            ("pending admin", if c.pending_admin == Pubkey::default() { "-".into() } else { c.pending_admin.to_string() }),
            ("guardian", c.guardian.to_string()),
            ("treasury", c.treasury.to_string()),
            ("USDC mint", c.usdc_mint.to_string()),
            ("CRT mint", format!("{} ({} decimals, weight {})", c.crt_mint, c.crt_decimals, text::bps(c.params.crt_weight_bps as u64))),
            ("CRT feed", turbo_sdk::pyth::feed_hex(&c.crt_feed_id)),
            ("LP share of fees", text::bps(c.params.lp_fee_share_bps as u64)),
            (
                "keeper bounty",
                format!("{} for a move of {} (less in proportion)", usd(c.params.keeper_bounty), usd(c.params.bounty_notional)),
            ),
            ("fresh price for users", format!("{} s", { c.params.fresh_price_secs })),
            ("paused", pause_names(c.paused)),
            ("vaults", c.vault_count.to_string()),
        ] {
            t.add_row(vec![k.to_string(), v]);
        }
        Ok(format!("{t}\n"))
    }

    /// `turbo timelock`: the changes waiting in the timelock, and when each comes due.
    pub async fn timelock(&mut self) -> CliResult {
        let cfg = accounts::config(&mut self.chain).await?;
        let now = self.chain.clock().await?.unix_timestamp;
        let queue = accounts::pending_changes(&mut self.chain, &cfg).await?;
        if queue.is_empty() {
            return Ok(format!("The timelock is empty (delay {}h).\n", cfg.params.timelock_secs / 3_600));
        }
        let mut t = table(&["Id", "Change", "Queued", "Due"]);
        for p in &queue {
            let due = if p.is_due(now) {
                "due now (anyone may execute)".to_string()
            } else {
                format!("in {}h{:02}m", (p.eta - now) / 3_600, (p.eta - now) % 3_600 / 60)
            };
            t.add_row(vec![p.id.to_string(), describe_change(&p.change), format!("{}s ago", now - p.queued_at), due]);
        }
        Ok(format!(
            "{t}\nDelay {}h. Changes that add risk wait here; the admin or the guardian may cancel them.\n",
            cfg.params.timelock_secs / 3_600
        ))
    }

    /// `turbo config update …`.
    pub async fn config_update(&mut self, admin: &Keypair, args: UpdateConfigArgs) -> CliResult {
        let mut out = format!("Update config: {args:?}\n");
        self.execute(&[ix::update_config(admin.pubkey(), args)], &[admin], &mut out).await?;
        Ok(out)
    }

    /// `turbo pause [--vault V] --flags mint,redeem,… [--unpause]`.
    pub async fn pause(&mut self, authority: &Keypair, vault: Option<&str>, flags: &str, unpause: bool) -> CliResult {
        let flags = parse_pause(flags)?;
        let vault_key = match vault {
            Some(name) => Some(Self::find(&self.snapshot().await?, name)?.keys.vault),
            None => None,
        };
        let mut out = format!("{} {} on {}\n", if unpause { "Unpause" } else { "Pause" }, flags.names(), vault.unwrap_or("every vault"));
        let ix = ix::set_pause(authority.pubkey(), vault_key, SetPauseArgs::new(flags, !unpause));
        self.execute(&[ix], &[authority], &mut out).await?;
        Ok(out)
    }

    /// `turbo vault update <vault> …`: change parameters (bounded by the program).
    pub async fn vault_update(&mut self, admin: &Keypair, name: &str, change: impl FnOnce(VaultParams) -> VaultParams) -> CliResult {
        let snap = self.snapshot().await?;
        let v = Self::find(&snap, name)?;
        let params = change(v.vault.params);
        let mut out = format!("Update {}: {params:?}\n", v.mint.symbol);
        self.execute(&[ix::update_vault(admin.pubkey(), v.keys.vault, params)], &[admin], &mut out).await?;
        Ok(out)
    }

    /// `turbo pool caps …`.
    pub async fn pool_update(&mut self, admin: &Keypair, change: impl FnOnce(&mut PoolCaps)) -> CliResult {
        let mut caps = accounts::pool(&mut self.chain).await?.caps;
        change(&mut caps);
        let mut out = format!("Update {}\n", describe_change(&turbo::state::Change::Pool(caps)));
        self.execute(&[ix::update_pool(admin.pubkey(), caps)], &[admin], &mut out).await?;
        Ok(out)
    }

    /// `turbo fees withdraw --usdc N --crt N`: to the treasury's token accounts.
    pub async fn fees_withdraw(&mut self, admin: &Keypair, usdc: &str, crt: &str) -> CliResult {
        let c = accounts::config(&mut self.chain).await?;
        let usdc = parse_amount(usdc, text::USDC)?;
        let crt = parse_amount(crt, c.crt_decimals as u32)?;
        let (t_usdc, t_crt) = (pda::ata(&c.treasury, &c.usdc_mint), pda::ata(&c.treasury, &c.crt_mint));
        let payer = self.chain.payer();
        let ixs = [
            create_associated_token_account_idempotent(&payer, &c.treasury, &c.usdc_mint, &anchor_spl::token::ID),
            create_associated_token_account_idempotent(&payer, &c.treasury, &c.crt_mint, &anchor_spl::token::ID),
            ix::withdraw_fees(admin.pubkey(), t_usdc, t_crt, WithdrawFeesArgs { usdc, crt }),
        ];
        let mut out = format!(
            "Withdraw treasury fees: {} USDC, {} CRT to {}\n",
            amount(usdc, text::USDC, 2),
            amount(crt, c.crt_decimals as u32, 2),
            c.treasury
        );
        self.execute(&ixs, &[admin], &mut out).await?;
        Ok(out)
    }
}

/// Pause flag names, comma-separated.
pub fn pause_names(flags: u8) -> String {
    Pause::from_bits_truncate(flags).names()
}

/// Parse `mint,redeem,…` or `all`.
pub fn parse_pause(s: &str) -> Result<Pause, CliError> {
    Pause::parse(s)
        .filter(|f| !f.is_empty())
        .ok_or_else(|| input(format!("unknown pause flag in {s:?}; use mint, redeem, rebalance, deposit, withdraw, swap or all")))
}
