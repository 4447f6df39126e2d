//! `turbo demo`: the whole protocol on the embedded in-process bank, with no network. It
//! deploys `migrations/localnet.toml`, funds LPs and users, mints, replays a real stretch of
//! 3-minute BTC/SOL/FET candles while the keeper decides and rebalances, redeems everything,
//! and prints what happened.

use std::fmt::Write;

use solana_sdk::signature::Signer;
use turbo::events::RebalanceEvent;
use turbo_sdk::accounts::{self, Snapshot};
use turbo_sdk::pda;
use turbo_sdk::pyth::{feed_id, BTC_FEED, FET_FEED, SOL_FEED};
use turbo_testkit::localnet::{bundled_series, localnet, wallet};

use crate::commands::{Cli, CliError};
use crate::text::{lev, price, table, usd, usd_signed};

struct Row {
    step: usize,
    symbol: String,
    e: RebalanceEvent,
}

/// Run the demo over `steps` candles and return the report.
pub async fn run(steps: usize) -> Result<String, CliError> {
    let series = bundled_series();
    let steps = steps.clamp(1, series[1].len() - 1);
    let l = localnet([series[0][0].price, series[1][0].price, series[2][0].price]).await?;
    let (mut cli, deployed) = (Cli::new(l.bank, l.feeds), l.report);
    let mut out = String::new();
    let _ = writeln!(out, "Turbo demo on the embedded bank: {steps} steps of 3-minute candles (Binance, from 2024-09-20 00:00 UTC)\n");
    out.push_str(&deployed);

    // Users mint; a keeper watches.
    let plan: [(&str, &str, u64); 4] =
        [("alice", "tSOL", 10_000), ("bob", "bSOL", 5_000), ("carol", "tBTC", 10_000), ("dave", "tFET", 2_000)];
    let mut users = Vec::new();
    let _ = writeln!(out, "\nMints");
    for (name, vault, usdc) in plan {
        let k = wallet(&mut cli.chain, usdc * 1_000_000).await;
        let line = cli.mint(&k, vault, &usdc.to_string(), None, 50).await?;
        let _ = write!(out, "  {name}: {line}");
        users.push((name, vault, usdc * 1_000_000, k));
    }
    let keeper = wallet(&mut cli.chain, 0).await;
    let settings = turbo_keeper::Settings {
        bounty_account: Some(pda::ata(&keeper.pubkey(), &cli.chain.usdc_mint)),
        feeds: cli.chain.feed_map(),
        ..Default::default()
    };
    let start = Snapshot::load(&mut cli.chain, &settings.feeds).await?;

    // Replay the candles.
    let mut rows = Vec::new();
    let feeds = [feed_id(BTC_FEED), feed_id(SOL_FEED), feed_id(FET_FEED)];
    for step in 1..=steps {
        cli.chain.advance(180);
        cli.chain.refresh_prices();
        for (f, s) in feeds.iter().zip(&series) {
            cli.chain.set_price(f, s[step].price, 0);
        }
        let report = turbo_keeper::tick(&mut cli.chain, &keeper, &settings).await.map_err(|e| CliError::Input(e.to_string()))?;
        for sent in report.sent {
            if let Some(f) = turbo_sdk::errors::failure(&sent.outcome) {
                return Err(CliError::Program(f));
            }
            rows.extend(sent.outcome.events::<RebalanceEvent>().into_iter().map(|e| Row { step, symbol: sent.symbol.clone(), e }));
        }
    }
    let end = Snapshot::load(&mut cli.chain, &settings.feeds).await?;

    // Everyone redeems.
    let _ = writeln!(out, "\nRedeems");
    let mut results = Vec::new();
    let usdc_mint = cli.chain.usdc_mint;
    for (name, vault, paid, k) in &users {
        let before = accounts::token_balance(&mut cli.chain, &pda::ata(&k.pubkey(), &usdc_mint)).await?;
        let line = cli.redeem(k, vault, "all", 100).await?;
        let after = accounts::token_balance(&mut cli.chain, &pda::ata(&k.pubkey(), &usdc_mint)).await?;
        let _ = write!(out, "  {name}: {line}");
        results.push((*name, *vault, *paid, after - before));
    }

    // What happened.
    let _ = writeln!(out, "\nRebalances sent by the keeper ({} in all)", rows.len());
    let mut t = table(&["Step", "Time", "Vault", "Action", "Price", "Leverage", "Exposure change", "Bounty"]);
    let shown: Vec<&Row> =
        if rows.len() > 24 { rows.iter().take(12).chain(rows.iter().skip(rows.len() - 12)).collect() } else { rows.iter().collect() };
    for r in &shown {
        let action = r.e.action.name();
        t.add_row(vec![
            r.step.to_string(),
            format!("+{}m", r.step * 3),
            r.symbol.clone(),
            format!("{action}{}", if r.e.capped { " (step-limited)" } else { "" }),
            price(r.e.price),
            format!("{} → {}", lev(Some(r.e.leverage_before)), lev(Some(r.e.leverage_after))),
            format!("{:+.2}%", (r.e.exposure_after - r.e.exposure_before) as f64 / r.e.exposure_before as f64 * 100.0),
            usd(r.e.bounty),
        ]);
    }
    let _ = writeln!(out, "{t}");
    if rows.len() > shown.len() {
        let _ = writeln!(out, "  ({} rows in the middle not shown)", rows.len() - shown.len());
    }

    let _ = writeln!(out, "\nVaults over the replay");
    let mut t = table(&["Vault", "Underlying", "Move", "Token start", "Token end", "Token return", "Target × move", "Rebalances"]);
    for (s, e) in start.vaults.iter().zip(&end.vaults) {
        let (Ok(ps), Ok(pe)) = (&s.prices, &e.prices) else { continue };
        // The program's own quote at each end, as the web app reads it.
        let (qs, qe) = (start.quote(s).map_err(CliError::Input)?, end.quote(e).map_err(CliError::Input)?);
        let mv = pe.asset.mid.0 as f64 / ps.asset.mid.0 as f64 - 1.0;
        let ret = qe.ui_price as f64 / qs.ui_price as f64 - 1.0;
        let target = s.vault.params.target_leverage as f64 / 1e6;
        t.add_row(vec![
            e.mint.symbol.clone(),
            format!("{} → {}", price(ps.asset.mid.0), price(pe.asset.mid.0)),
            format!("{:+.2}%", mv * 100.0),
            usd(qs.ui_price),
            usd(qe.ui_price),
            format!("{:+.2}%", ret * 100.0),
            format!("{:+.2}%", target * mv * 100.0),
            (e.vault.rebalance_count - s.vault.rebalance_count).to_string(),
        ]);
    }
    let _ = writeln!(out, "{t}");

    let _ = writeln!(out, "\nUsers");
    let mut t = table(&["User", "Vault", "Paid", "Received", "PnL"]);
    for (name, vault, paid, got) in &results {
        t.add_row(vec![
            name.to_string(),
            vault.to_string(),
            usd(*paid),
            usd(*got),
            format!("{} ({:+.2}%)", usd_signed(*got as i64 - *paid as i64), (*got as f64 / *paid as f64 - 1.0) * 100.0),
        ]);
    }
    let _ = writeln!(out, "{t}");

    // The books must balance, to the unit.
    let last = Snapshot::load(&mut cli.chain, &settings.feeds).await?;
    let mut balanced = accounts::token_balance(&mut cli.chain, &last.pool.usdc_reserve).await? == last.pool.usdc_balance;
    balanced &= accounts::token_balance(&mut cli.chain, &last.pool.crt_reserve).await? == last.pool.crt_balance;
    for v in &last.vaults {
        let (usdc, crt) = v.vault.reserves();
        balanced &= accounts::token_balance(&mut cli.chain, &v.vault.usdc_reserve).await? == usdc;
        balanced &= accounts::token_balance(&mut cli.chain, &v.vault.crt_reserve).await? == crt;
    }
    let keeper_usdc = accounts::token_balance(&mut cli.chain, &pda::ata(&keeper.pubkey(), &usdc_mint)).await?;
    let _ = writeln!(
        out,
        "\nKeeper earned {} in bounties. Pool: {} treasury fees, {} skew funding from the heavy sides, {} bad debt absorbed. Token balances {} the program's accounting.",
        usd(keeper_usdc),
        usd(last.pool.treasury_usdc),
        usd(last.pool.funding_earned),
        usd(last.pool.bad_debt_absorbed),
        if balanced { "equal" } else { "DO NOT equal" }
    );
    if !balanced {
        return Err(CliError::Input("token balances do not equal the accounting".into()));
    }
    Ok(out)
}
