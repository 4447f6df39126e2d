//! The hedged pool's commands (docs/design.md §5.6): swaps with a custody, LP deposits and
//! withdrawals in a custody's token, a mint paid in the asset itself, and the custodies' state.
//! Each previews with the program's own engine before it sends, like every other command.

use std::fmt::Write;

use anchor_lang::prelude::Pubkey;
use anchor_spl::associated_token::spl_associated_token_account::instruction::create_associated_token_account_idempotent;
use solana_sdk::signature::{Keypair, Signer};
use turbo::args::*;
use turbo::engine::hedge::{CustodyLpRequest, SwapRequest};
use turbo::engine::trade::MintRequest;
use turbo::state::Custody;
use turbo_sdk::accounts::{self, Snapshot};
use turbo_sdk::chain::Chain;
use turbo_sdk::ix::{self, CustodyKeys, PricedVault, UserAccounts};
use turbo_sdk::preview;
use turbo_sdk::{pda, PriceSource};

use crate::commands::{parse_amount, refused, with_slippage, Cli, CliError, CliResult};
use crate::text::{self, amount, table, usd};

fn input(s: impl Into<String>) -> CliError {
    CliError::Input(s.into())
}

/// A custody trade's fee: what it pays, or the rebate it earns for moving the custody toward its
/// target.
fn fee_text(fee: i64) -> String {
    if fee < 0 {
        format!("a rebate of {} for moving the custody toward its target", usd(fee.unsigned_abs()))
    } else {
        format!("fee {}", usd(fee as u64))
    }
}

/// A custody as the commands need it: its account, its keys, the price update that values it
/// and its token.
struct Held {
    custody: Custody,
    keys: CustodyKeys,
    update: PriceSource,
    decimals: u32,
    symbol: String,
}

impl<C: Chain> Cli<C> {
    /// The custody of asset `symbol` ("SOL", "BTC"), loaded with its price.
    async fn held(&mut self, snap: &Snapshot, symbol: &str) -> Result<Held, CliError> {
        let feed = crate::localnet::feed_of(symbol).ok_or_else(|| input(format!("unknown asset {symbol}; use BTC or SOL")))?;
        let pool = &snap.pool;
        let index = (0..pool.asset_count as usize)
            .find(|&i| pool.assets[i].feed_id == feed && pool.hedges[i].is_enabled())
            .ok_or_else(|| input(format!("{symbol} has no custody: it stays synthetic, under the pool's risk cap")))?;
        let key = pda::custody(index as u8);
        let account = self.chain.account(&key).await?.ok_or_else(|| input(format!("custody account {key} is missing")))?;
        let custody = <Custody as anchor_lang::AccountDeserialize>::try_deserialize(&mut account.data.as_slice())
            .map_err(|e| input(format!("custody {key}: {e}")))?;
        // Where the snapshot read it: a signed feed about to be posted, or the price account.
        let price = snap.feeds.account(&feed);
        let update =
            snap.feeds.source(&mut self.chain, &feed).await.ok_or_else(|| input(format!("{symbol} price: no account at {price}")))?;
        let keys = CustodyKeys::new(index as u8, custody.mint, price);
        Ok(Held { custody, keys, update, decimals: pool.hedges[index].decimals as u32, symbol: symbol.to_ascii_uppercase() })
    }

    /// Every enabled custody's slot, price account and price update, in slot order: the prices
    /// an LP instruction is given after the vaults' (docs/design.md §5.6).
    pub(crate) async fn custody_prices(&mut self, snap: &Snapshot) -> Result<Vec<(usize, Pubkey, PriceSource)>, CliError> {
        let pool = &snap.pool;
        let mut out = Vec::new();
        for i in (0..pool.asset_count as usize).filter(|&i| pool.hedges[i].is_enabled()) {
            let feed = pool.assets[i].feed_id;
            let key = snap.feeds.account(&feed);
            let update =
                snap.feeds.source(&mut self.chain, &feed).await.ok_or_else(|| input(format!("custody {i} price: no account at {key}")))?;
            out.push((i, key, update));
        }
        Ok(out)
    }

    /// `turbo swap <ASSET> --sell <amount> | --buy <usdc>`: sell the asset to the pool for USDC,
    /// or buy it with USDC, at the oracle price with the custody's fee and impact.
    pub async fn swap(&mut self, user: &Keypair, symbol: &str, sell: Option<&str>, buy: Option<&str>, slippage_bps: u16) -> CliResult {
        let snap = self.snapshot().await?;
        let h = self.held(&snap, symbol).await?;
        let (asset_in, amount_in) = match (sell, buy) {
            (Some(a), None) => (true, parse_amount(a, h.decimals)?),
            (None, Some(u)) => (false, parse_amount(u, text::USDC)?),
            _ => return Err(input("name one side: --sell <amount of the asset> or --buy <USDC>")),
        };
        let req = SwapRequest { user: user.pubkey(), asset_in, amount_in, min_amount_out: 0 };
        let (plan, _, _) =
            preview::swap(&snap.config, &snap.pool, &h.custody, h.keys.custody, &h.update, snap.next(), &req).map_err(refused)?;
        let min = with_slippage(plan.amount_out, slippage_bps);
        let (out_dec, out_sym) = if asset_in { (6, "USDC".to_string()) } else { (h.decimals, h.symbol.clone()) };
        let mut out = String::new();
        let fee = plan.event.fee;
        let _ = writeln!(
            out,
            "Swap {} {}: receive ≈ {} {out_sym} (minimum {}); {}",
            if asset_in { amount(amount_in, h.decimals, 2) } else { amount(amount_in, text::USDC, 2) },
            if asset_in { h.symbol.as_str() } else { "USDC" },
            amount(plan.amount_out, out_dec, 2),
            amount(min, out_dec, 2),
            fee_text(fee),
        );
        let owner = user.pubkey();
        let (asset_account, usdc) = (pda::ata(&owner, &h.custody.mint), pda::ata(&owner, &snap.config.usdc_mint));
        let ixs = [
            create_associated_token_account_idempotent(&owner, &owner, &h.custody.mint, &anchor_spl::token::ID),
            ix::swap(&h.keys, owner, asset_account, usdc, SwapArgs { asset_in, amount_in, min_amount_out: min }),
        ];
        self.execute(&ixs, &[user], &mut out).await?;
        Ok(out)
    }

    /// `turbo mint <vault> --sol <amount>` (or `--btc`): sell the asset to the pool and mint with
    /// the USDC it pays, in one transaction. If the swap pays less than previewed, the mint's
    /// transfer fails and nothing happens.
    pub async fn mint_with_asset(&mut self, user: &Keypair, name: &str, symbol: &str, asset_amount: &str, slippage_bps: u16) -> CliResult {
        let snap = self.snapshot().await?;
        let h = self.held(&snap, symbol).await?;
        let amount_in = parse_amount(asset_amount, h.decimals)?;
        let req = SwapRequest { user: user.pubkey(), asset_in: true, amount_in, min_amount_out: 0 };
        let (plan, pool_after, _) =
            preview::swap(&snap.config, &snap.pool, &h.custody, h.keys.custody, &h.update, snap.next(), &req).map_err(refused)?;
        let usdc = plan.amount_out;
        let v = snap.find(name).ok_or_else(|| input(format!("no vault {name:?}")))?;
        let mreq = MintRequest { user: user.pubkey(), usdc, crt: 0, min_tokens_out: 0, has_crt_account: false };
        let mut state = snap.state(v);
        state.pool = &pool_after;
        let q = preview::mint(state, snap.price_accounts(v), snap.next(), &mreq).map_err(refused)?.plan.quote;
        let min_tokens = with_slippage(q.shares_out.0, slippage_bps);
        let mut out = String::new();
        let sym = &v.mint.symbol;
        let _ = writeln!(
            out,
            "Mint {sym} with {} {}: the pool pays {} USDC for it ({}), which mints ≈ {} {sym} (minimum {})",
            amount(amount_in, h.decimals, 2),
            h.symbol,
            amount(usdc, text::USDC, 2),
            fee_text(plan.event.fee),
            amount(v.mint.ui_amount_raw(q.shares_out.0), text::SHARES, 2),
            amount(v.mint.ui_amount_raw(min_tokens), text::SHARES, 2),
        );
        let d = snap.deployment();
        let owner = user.pubkey();
        let u = UserAccounts {
            user: owner,
            tokens: pda::token_2022_ata(&owner, &v.keys.mint),
            usdc: pda::ata(&owner, &d.usdc_mint),
            crt: None,
        };
        let pv = PricedVault { keys: v.keys, price: v.price_account };
        let ixs = [
            create_associated_token_account_idempotent(&owner, &owner, &d.usdc_mint, &anchor_spl::token::ID),
            create_associated_token_account_idempotent(&owner, &owner, &v.keys.mint, &anchor_spl::token_2022::ID),
            ix::swap(
                &h.keys,
                owner,
                pda::ata(&owner, &h.custody.mint),
                u.usdc,
                SwapArgs { asset_in: true, amount_in, min_amount_out: usdc },
            ),
            ix::mint(&d, &pv, &u, MintArgs { usdc_amount: usdc, crt_amount: 0, min_tokens_out: min_tokens }),
        ];
        self.execute(&ixs, &[user], &mut out).await?;
        Ok(out)
    }

    /// `turbo redeem <vault> <amount> --receive <ASSET>`: redeem, and buy the asset from the
    /// pool's custody with the USDC the redeem pays, in one transaction. The swap spends the
    /// redeem's minimum (the preview less the slippage), so a redeem that pays a little less still
    /// lands and what it pays over that stays in USDC; the custody never sells locked tokens.
    pub async fn redeem_for_asset(&mut self, user: &Keypair, name: &str, symbol: &str, amount_ui: &str, slippage_bps: u16) -> CliResult {
        let snap = self.snapshot().await?;
        let h = self.held(&snap, symbol).await?;
        let v = snap.find(name).ok_or_else(|| input(format!("no vault {name:?}")))?;
        let r = self.redeem_preview(&snap, v, user.pubkey(), amount_ui).await?;
        let q = r.preview.plan.quote;
        let min_usdc = with_slippage(q.usdc_out.0, slippage_bps);
        let req = SwapRequest { user: user.pubkey(), asset_in: false, amount_in: min_usdc, min_amount_out: 0 };
        let (plan, _, _) =
            preview::swap(&snap.config, &r.preview.pool, &h.custody, h.keys.custody, &h.update, snap.next(), &req).map_err(refused)?;
        let min_asset = with_slippage(plan.amount_out, slippage_bps);
        let mut out = String::new();
        let _ = writeln!(
            out,
            "Redeem {} {} for {}: the redeem pays ≈ {} USDC{} after a {} USDC fee; {} USDC of it buys ≈ {} {} from the pool ({}; minimum {}), the rest stays in USDC",
            amount(v.mint.ui_amount_raw(r.raw), text::SHARES, 2),
            v.mint.symbol,
            h.symbol,
            amount(q.usdc_out.0, text::USDC, 2),
            if q.crt_out.0 > 0 { format!(" + {} CRT", amount(q.crt_out.0, snap.config.crt_decimals as u32, 2)) } else { String::new() },
            amount(q.fee_usdc.0, text::USDC, 2),
            amount(min_usdc, text::USDC, 2),
            amount(plan.amount_out, h.decimals, 2),
            h.symbol,
            fee_text(plan.event.fee),
            amount(min_asset, h.decimals, 2),
        );
        let owner = user.pubkey();
        let mut ixs = self.redeem_ixs(&snap, v, &r, min_usdc, with_slippage(q.crt_out.0, slippage_bps));
        ixs.push(create_associated_token_account_idempotent(&owner, &owner, &h.custody.mint, &anchor_spl::token::ID));
        ixs.push(ix::swap(
            &h.keys,
            owner,
            pda::ata(&owner, &h.custody.mint),
            pda::ata(&owner, &snap.config.usdc_mint),
            SwapArgs { asset_in: false, amount_in: min_usdc, min_amount_out: min_asset },
        ));
        self.execute(&ixs, &[user], &mut out).await?;
        Ok(out)
    }

    /// `turbo lp deposit <amount> --asset <ASSET>`: LP shares for a custody's token.
    pub async fn lp_deposit_asset(&mut self, lp: &Keypair, symbol: &str, asset_amount: &str, slippage_bps: u16) -> CliResult {
        let snap = self.snapshot().await?;
        let h = self.held(&snap, symbol).await?;
        let amount_in = parse_amount(asset_amount, h.decimals)?;
        let supply = self.lp_supply().await?;
        let crt = snap.crt_update.as_ref().ok_or_else(|| input("the CRT price account is missing"))?;
        let vaults = Self::priced_items(&snap)?;
        let prices = self.custody_prices(&snap).await?;
        let custodies = preview::custodied(&prices);
        let req = CustodyLpRequest { provider: lp.pubkey(), amount: amount_in, min_out: 0 };
        let plan = preview::custody_deposit(
            &snap.config,
            &snap.pool,
            &h.custody,
            h.keys.custody,
            &preview::PoolPrices { vaults: &vaults, custodies: &custodies, crt },
            supply,
            snap.next(),
            &req,
        )
        .map_err(refused)?
        .plan;
        let min = with_slippage(plan.shares_out.0, slippage_bps);
        let mut out = String::new();
        let e = &plan.event;
        let _ = writeln!(
            out,
            "Deposit {} {} (worth {}, {}): receive ≈ {} LP shares at pool value {} (minimum {})",
            amount(amount_in, h.decimals, 2),
            h.symbol,
            usd(e.value),
            fee_text(e.fee),
            amount(plan.shares_out.0, text::SHARES, 2),
            usd(e.pool_value),
            amount(min, text::SHARES, 2)
        );
        let d = snap.deployment();
        let owner = lp.pubkey();
        let priced = snap.priced();
        let ixs = [
            create_associated_token_account_idempotent(&owner, &owner, &pda::lp_mint(), &anchor_spl::token::ID),
            ix::deposit_custody(
                &d,
                &h.keys,
                owner,
                pda::ata(&owner, &h.custody.mint),
                pda::ata(&owner, &pda::lp_mint()),
                &priced,
                DepositCustodyArgs { amount: amount_in, min_shares_out: min },
            ),
        ];
        self.execute(&ixs, &[lp], &mut out).await?;
        Ok(out)
    }

    /// `turbo lp withdraw <shares|all> --asset <ASSET>`: shares for a custody's token (never locked
    /// tokens).
    pub async fn lp_withdraw_asset(&mut self, lp: &Keypair, symbol: &str, shares: &str, slippage_bps: u16) -> CliResult {
        let snap = self.snapshot().await?;
        let h = self.held(&snap, symbol).await?;
        let owner = lp.pubkey();
        let held = accounts::token_balance(&mut self.chain, &pda::ata(&owner, &pda::lp_mint())).await.unwrap_or(0);
        let shares = if shares == "all" { held } else { parse_amount(shares, text::SHARES)? };
        let supply = self.lp_supply().await?;
        let crt = snap.crt_update.as_ref().ok_or_else(|| input("the CRT price account is missing"))?;
        let vaults = Self::priced_items(&snap)?;
        let prices = self.custody_prices(&snap).await?;
        let custodies = preview::custodied(&prices);
        let req = CustodyLpRequest { provider: owner, amount: shares, min_out: 0 };
        let plan = preview::custody_withdraw(
            &snap.config,
            &snap.pool,
            &h.custody,
            h.keys.custody,
            &preview::PoolPrices { vaults: &vaults, custodies: &custodies, crt },
            supply,
            snap.next(),
            &req,
        )
        .map_err(refused)?
        .plan;
        let min = with_slippage(plan.amount_out.0, slippage_bps);
        let mut out = String::new();
        let e = &plan.event;
        let _ = writeln!(
            out,
            "Withdraw {} LP shares (worth {}) in {}: receive ≈ {} {} (minimum {}; {})",
            amount(shares, text::SHARES, 2),
            usd(e.value_out),
            h.symbol,
            amount(plan.amount_out.0, h.decimals, 2),
            h.symbol,
            amount(min, h.decimals, 2),
            fee_text(e.fee),
        );
        let d = snap.deployment();
        let priced = snap.priced();
        let ixs = [
            create_associated_token_account_idempotent(&owner, &owner, &h.custody.mint, &anchor_spl::token::ID),
            ix::withdraw_custody(
                &d,
                &h.keys,
                owner,
                pda::ata(&owner, &pda::lp_mint()),
                pda::ata(&owner, &h.custody.mint),
                &priced,
                WithdrawCustodyArgs { shares, min_amount_out: min },
            ),
        ];
        self.execute(&ixs, &[lp], &mut out).await?;
        Ok(out)
    }

    /// `turbo custodies`: each custody's holding, lock, utilization and what may still leave.
    pub async fn custodies(&mut self) -> CliResult {
        let snap = self.snapshot().await?;
        let pool = &snap.pool;
        let mut t = table(&["Asset", "Owned", "Locked", "Utilization", "May leave", "Net exposure", "Fees earned"]);
        let mut any = false;
        for i in 0..pool.asset_count as usize {
            let h = pool.hedges[i];
            if !h.is_enabled() {
                continue;
            }
            any = true;
            let b = h.book();
            let d = h.decimals as u32;
            let feed = pool.assets[i].feed_id;
            let name = ["BTC", "SOL", "FET"].into_iter().find(|s| crate::localnet::feed_of(s) == Some(feed));
            t.add_row(vec![
                name.map_or_else(|| format!("slot {i}"), str::to_string),
                amount(h.owned, d, 2),
                amount(h.locked, d, 2),
                format!("{:.2}%", b.utilization().map(|u| u.0).unwrap_or(0) as f64 / 100.0),
                amount(b.withdrawable().map(|x| x.0).unwrap_or(0), d, 2),
                amount(h.net_exposure.max(0) as u64, 9, 2),
                usd(h.fees_earned),
            ]);
        }
        Ok(if any { format!("{t}\n") } else { "no custody: every asset is synthetic, under the pool's risk cap\n".into() })
    }
}
