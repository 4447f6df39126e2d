//! The `turbo` command functions driven against the in-process bank: deploy twice (the second
//! run changes nothing), mint and redeem with slippage guards (a guard that is too tight fails
//! with the program's error name), the `vaults` table, and admin commands.

use solana_sdk::signature::Signer;
use turbo_cli::manifest::Manifest;
use turbo_cli::CliError;
use turbo_sdk::chain::Chain;
use turbo_testkit::localnet::{localnet, wallet, LOCALNET};
use turbo_tests::*;

async fn deployed() -> (turbo_cli::Cli<turbo_sdk::bank::Bank>, solana_sdk::signature::Keypair, turbo_cli::manifest::Env) {
    let l = localnet([60_000 * PX, 150 * PX, 150_000_000]).await.expect("deploy");
    let (cli, admin, env, out) = (turbo_cli::Cli::new(l.bank, l.feeds), l.admin, l.env, l.report);
    assert!(out.contains("config: created") && out.contains("vault 5 bSOL: created"), "{out}");
    assert!(out.contains("custody SOL: created") && out.contains("custody BTC: created"), "{out}");
    for asset in ["BTC", "SOL", "FET", "CRT"] {
        assert!(out.contains(&format!("signed feed {asset}: opened")), "{out}");
    }
    assert!(out.contains("lookup table: created") && out.contains("15 change(s) applied."), "{out}");
    (cli, admin, env)
}

#[tokio::test]
async fn deploy_twice_changes_nothing_the_second_time() {
    let (mut cli, admin, env) = deployed().await;
    let m = Manifest::parse(LOCALNET).unwrap();
    let again = cli.deploy(&admin, &m, &env).await.unwrap();
    assert!(again.contains("Nothing to do: localnet already matches the manifest."), "{again}");
    // Config, pool, 5 vaults, 2 custodies, 4 signed feeds, the lookup table.
    assert_eq!(again.matches("unchanged").count(), 14, "{again}");
    // A changed parameter is applied, and only that one.
    let mut changed = m.clone();
    changed.vaults[1].overrides.mint_fee_bps = Some(30);
    let out = cli.deploy(&admin, &changed, &env).await.unwrap();
    assert!(out.contains("vault 2 tSOL: parameters updated") && out.contains("1 change(s) applied."), "{out}");
    // Immutable fields are never changed silently.
    let mut other = m.clone();
    other.vaults[0].feed_id = turbo_sdk::pyth::SOL_FEED.into();
    let err = cli.deploy(&admin, &other, &env).await.unwrap_err();
    assert!(err.to_string().contains("vault 1: it exists with another feed"), "{err}");
    // A manifest naming a lookup table that is not there, or one whose authority is another key
    // while it lacks the deployment's addresses, is refused with its reason.
    let mut missing = m.clone();
    let nowhere = solana_sdk::pubkey::Pubkey::new_unique();
    missing.lookup_table = Some(nowhere.to_string());
    let err = cli.deploy(&admin, &missing, &env).await.unwrap_err();
    assert_eq!(err.to_string(), format!("lookup_table: there is no lookup table at {nowhere}"));
    let other = wallet(&mut cli.chain, 0).await;
    let slot = turbo_sdk::lookup::recent_slot(&mut cli.chain).await.unwrap();
    let (create, foreign) = turbo_sdk::lookup::create(other.pubkey(), slot);
    assert_ok(&cli.chain.send_now(&[create], &[&other]).await);
    let mut theirs = m.clone();
    theirs.lookup_table = Some(foreign.to_string());
    let err = cli.deploy(&admin, &theirs, &env).await.unwrap_err().to_string();
    assert!(err.starts_with(&format!("lookup_table: {foreign} lacks ")), "{err}");
    assert!(err.ends_with(&format!("of the deployment's addresses, and only its authority ({}) may add them", other.pubkey())), "{err}");
    let mut relinked = m.clone();
    relinked.signed_feeds[0].lazer_feed_id = 2;
    let err = cli.deploy(&admin, &relinked, &env).await.unwrap_err();
    assert!(err.to_string().contains("signed feed BTC: it reads Pyth Pro feed 1, not 2; a signed feed's link never changes"), "{err}");
}

/// The deployment's lookup table (docs/decisions.md, "One lookup table per deployment"): the
/// deploy made it with the admin as its authority, and an LP deposit with the post of its four
/// signed prices, within 4 bytes of Solana's 1,232-byte packet as a legacy transaction (one more
/// vault, two more accounts, passes it), lands as a v0 one of about half the size that names
/// through the table every account but the provider's own and the programs it calls.
#[tokio::test]
async fn an_lp_deposit_with_four_signed_prices_fits_through_the_deployments_lookup_table() {
    use solana_sdk::message::Message;
    use turbo_sdk::{ix, lookup, pda};
    let (mut cli, admin, _env) = deployed().await;
    let table = cli.chain.lookup_table.expect("the deploy made a table");
    let (authority, addresses) = lookup::read(&mut cli.chain, &table).await.unwrap().expect("a table");
    assert_eq!(authority, Some(admin.pubkey()));
    let lp = wallet(&mut cli.chain, 1_000 * USDC).await;
    let owner = lp.pubkey();
    // The price update of every feed the deposit reads, signed by the bank's trusted key.
    let feeds = turbo_sdk::accounts::deployment_feeds(&mut cli.chain).await.unwrap();
    let mut prices = Vec::new();
    for f in &feeds {
        let linked = turbo_sdk::accounts::signed_feed(&mut cli.chain, f).await.unwrap().expect("a signed feed");
        prices.push(turbo_sdk::lazer::FeedPrice {
            feed_id: linked.lazer_feed_id,
            price: cli.chain.feed(f).quote.price,
            confidence: 1,
            exponent: -8,
        });
    }
    let update = turbo_sdk::lazer::Update { timestamp_us: cli.chain.now as u64 * 1_000_000, feeds: prices };
    let message = turbo_sdk::lazer::sign(&cli.chain.lazer_signer, &update).unwrap();
    let mut snap = cli.snapshot().await.unwrap();
    snap.feeds.overrides = feeds.iter().map(|f| (*f, pda::signed_feed(f))).collect();
    let vaults: Vec<_> = snap.vaults.iter().map(|v| ix::PricedVault { keys: v.keys, price: pda::signed_feed(&v.vault.feed_id) }).collect();
    let d = snap.deployment();
    let [check, post] = ix::signed_prices(owner, cli.chain.lazer_treasury, message, 0, &feeds);
    let ixs = [
        check,
        post,
        anchor_spl::associated_token::spl_associated_token_account::instruction::create_associated_token_account_idempotent(
            &owner,
            &owner,
            &pda::lp_mint(),
            &anchor_spl::token::ID,
        ),
        ix::deposit_liquidity(
            &d,
            owner,
            pda::ata(&owner, &d.usdc_mint),
            pda::ata(&owner, &pda::lp_mint()),
            &vaults,
            turbo::args::DepositLiquidityArgs { usdc_amount: 100 * USDC, min_shares_out: 0 },
        ),
    ];
    let programs: Vec<_> = ixs.iter().map(|i| i.program_id).collect();
    let unnamed: Vec<_> = ixs
        .iter()
        .flat_map(|i| i.accounts.iter().map(|a| a.pubkey))
        .filter(|k| ![owner, pda::ata(&owner, &d.usdc_mint), pda::ata(&owner, &pda::lp_mint())].contains(k))
        .filter(|k| !programs.contains(k) && !addresses.contains(k))
        .collect();
    assert_eq!(unnamed, vec![], "every account but the provider's is in the table");
    let legacy = bincode::serialize(&solana_sdk::transaction::Transaction::new_unsigned(Message::new(&ixs, Some(&owner)))).unwrap().len();
    let (size, o) = cli.chain.send_v0(&ixs, &lp, &[], table).await;
    assert_ok(&o);
    println!("| ed25519 check + `post_signed_prices` of 4 feeds + LP token account + LP deposit | {legacy} | {size} |");
    assert!(legacy > 1_232 - 2 * 32 && size < 700, "{legacy} {size}");
    let deposited = o.event::<turbo::events::LiquidityDepositedEvent>();
    assert_eq!(deposited.usdc_in, 100 * USDC);
    assert_eq!(turbo_sdk::accounts::token_balance(&mut cli.chain, &pda::ata(&owner, &pda::lp_mint())).await.unwrap(), deposited.shares_out);
}

#[tokio::test]
async fn mint_and_redeem_with_slippage_guards() {
    let (mut cli, _admin, _env) = deployed().await;
    let user = wallet(&mut cli.chain, 10_000 * USDC).await;
    // A guard one raw unit above the exact preview fails with the program's error name.
    let err = cli.mint_with_guard(&user, "tSOL", "1000", None, 0, Some("9.950001")).await.unwrap_err();
    assert_eq!(err.program_error(), Some("SlippageExceeded"));
    assert_eq!(err.to_string(), "SlippageExceeded: The received amount is below the slippage guard");
    // At zero slippage the preview is exact, so the mint goes through.
    let out = cli.mint(&user, "tSOL", "1000", None, 0).await.unwrap();
    assert!(out.contains("receive ≈ 9.95 tSOL at $100.00 per token (minimum 9.95 with 0% slippage)"), "{out}");
    assert!(out.contains("confirmed"), "{out}");

    // Redeem: the preview pays 985.05 USDC for all 9.95 tokens; ask for a cent more and fail.
    let err = cli.redeem_with_guard(&user, "tSOL", "all", 0, Some("985.06")).await.unwrap_err();
    assert_eq!(err.program_error(), Some("SlippageExceeded"));
    let out = cli.redeem(&user, "tSOL", "all", 0).await.unwrap();
    assert!(out.contains("receive ≈ 985.05 USDC after a 9.95 USDC fee"), "{out}");
    let usdc = usdc_of(&mut cli, &user).await;
    assert_eq!(usdc, 9_000 * USDC + 985_050_000);
    // Asking for more than is held is refused before anything is sent.
    let err = cli.redeem(&user, "tSOL", "1", 100).await.unwrap_err();
    assert!(matches!(err, CliError::Input(_)), "{err}");
}

#[tokio::test]
async fn dry_run_simulates_without_sending() {
    let (mut cli, _admin, _env) = deployed().await;
    let user = wallet(&mut cli.chain, 1_000 * USDC).await;
    cli.dry_run = true;
    let out = cli.mint(&user, "tBTC", "1000", None, 50).await.unwrap();
    assert!(out.contains("dry run: the transaction would succeed (nothing sent)"), "{out}");
    let usdc = usdc_of(&mut cli, &user).await;
    assert_eq!(usdc, 1_000 * USDC);
    // A dry run that the program would refuse reports the refusal.
    let err = cli.mint(&user, "tBTC", "5000", None, 50).await.unwrap_err();
    assert_eq!(err.program_error(), Some("InsufficientFunds"), "{err}");
}

#[tokio::test]
async fn vaults_lists_every_vault_with_nav_leverage_and_supply() {
    let (mut cli, _admin, _env) = deployed().await;
    let user = wallet(&mut cli.chain, 10_000 * USDC).await;
    cli.mint(&user, "tBTC", "10000", None, 50).await.unwrap();
    let out = cli.vaults().await.unwrap();
    let row = out.lines().find(|l| l.contains("tBTC")).expect("a tBTC row");
    for cell in ["$60,000.00", "$10,950.00", "$100.00", "3.000x", "2.900x to 3.000x", "109.50", "in band"] {
        assert!(row.contains(cell), "{cell} missing from {row}");
    }
    // What a mint could pay now: the program's quote, in dollars.
    let snap = cli.snapshot().await.unwrap();
    let v = snap.find("tBTC").unwrap();
    let q = snap.quote(v).unwrap();
    assert!(q.mint_capacity_usdc > 0 && row.contains(&turbo_sdk::text::usd(q.mint_capacity_usdc)), "{row}");
    let bear = out.lines().find(|l| l.contains("bSOL")).expect("a bSOL row");
    assert!(bear.contains("-2.000x to -2.500x") && bear.contains("$1,000.00") && bear.contains("10.00"), "{bear}");
    // The $50 fee waits in the vault until a transfer sweeps it.
    assert!(out.contains("Pool: $1,000,000.00 free USDC, $0.00 treasury fees, $50.00 fees awaiting sweep in vaults"), "{out}");
    let show = cli.show("tBTC").await.unwrap();
    assert!(show.contains("Turbo BTC (tBTC)") && show.contains("3.000x / 2.900x to 3.000x / 4.000x"), "{show}");
    assert!(show.contains("in band"), "{show}");
    let show = cli.show("bSOL").await.unwrap();
    assert!(show.contains("-2.000x / -2.000x to -2.500x / -3.000x"), "{show}");
}

#[tokio::test]
async fn admin_commands_pause_and_explain_refusals() {
    let (mut cli, admin, _env) = deployed().await;
    let user = wallet(&mut cli.chain, 1_000 * USDC).await;
    cli.pause(&admin, Some("tSOL"), "mint", false).await.unwrap();
    let err = cli.mint(&user, "tSOL", "100", None, 50).await.unwrap_err();
    assert_eq!(err.to_string(), "MintPaused: Minting is paused");
    // A stranger's admin call is refused by name.
    let err = cli.pause(&user, None, "all", true).await.unwrap_err();
    assert_eq!(err.program_error(), Some("Unauthorized"));
    cli.pause(&admin, Some("tSOL"), "mint", true).await.unwrap();
    cli.mint(&user, "tSOL", "100", None, 50).await.unwrap();
    let err = cli.vault_update(&admin, "tSOL", |p| turbo::state::VaultParams { mint_fee_bps: 900, ..p }).await.unwrap_err();
    assert_eq!(err.program_error(), Some("FeeTooHigh"));
    let out = cli.config_show().await.unwrap();
    assert!(out.contains("paused") && out.contains("none"), "{out}");
    assert!(cli.pause(&admin, None, "everything", false).await.unwrap_err().to_string().contains("unknown pause flag"));
    // `turbo show` states the exit-pause clock (docs/decisions.md, "Pauses have one clock").
    let show = cli.show("tSOL").await.unwrap();
    assert!(show.contains("│ redeem ") && show.contains("open"), "{show}");
    cli.pause(&admin, Some("tSOL"), "redeem", false).await.unwrap();
    let show = cli.show("tSOL").await.unwrap();
    let line = |name: &str| show.lines().find(|l| l.contains(name)).unwrap_or_default().to_string();
    assert!(line("│ redeem ").contains("paused for 72 h more (at most 72 h at a time, 7 days in a row)"), "{show}");
    assert!(line("LP withdrawal").contains("open; an exit pause elsewhere ends in 72 h"), "{show}");
}

/// Turbo SOL's parameters as the chain holds them.
async fn tsol_params(cli: &mut turbo_cli::Cli<turbo_sdk::bank::Bank>) -> turbo::state::VaultParams {
    turbo_sdk::accounts::vault(&mut cli.chain, &turbo_sdk::pda::vault(2)).await.unwrap().params
}

async fn usdc_of(cli: &mut turbo_cli::Cli<turbo_sdk::bank::Bank>, user: &solana_sdk::signature::Keypair) -> u64 {
    let account = turbo_sdk::pda::ata(&user.pubkey(), &cli.chain.usdc_mint);
    turbo_sdk::accounts::token_balance(&mut cli.chain, &account).await.unwrap()
}

#[tokio::test]
async fn deploy_applies_changes_that_add_risk_through_the_timelock() {
    let (mut cli, admin, env) = deployed().await;
    let user = wallet(&mut cli.chain, 1_000 * USDC).await;
    // A user's money is in: from now on the timelock binds.
    cli.mint(&user, "tSOL", "100", None, 50).await.unwrap();
    let m = Manifest::parse(LOCALNET).unwrap();
    // A lower fee applies at once.
    let mut lower = m.clone();
    lower.vaults[1].overrides.mint_fee_bps = Some(30);
    let out = cli.deploy(&admin, &lower, &env).await.unwrap();
    assert!(out.contains("vault 2 tSOL: parameters updated") && out.contains("1 change(s) applied."), "{out}");
    // What the chain holds, not only what the CLI says.
    let redeem_fee = tsol_params(&mut cli).await.redeem_fee_bps;
    assert_eq!({ tsol_params(&mut cli).await.mint_fee_bps }, 30);
    // A higher fee, and a new vault, are queued; a second run says they wait; after a day they
    // apply; a third run has nothing to do.
    let mut higher = lower.clone();
    higher.vaults[1].overrides.redeem_fee_bps = Some(200);
    let mut extra = higher.vaults[0].clone();
    (extra.id, extra.symbol, extra.name) = (6, "tBTC2".into(), "Turbo BTC 2".into());
    higher.vaults.push(extra);
    cli.chain.fund(&admin.pubkey(), 1_000 * USDC, 0).await;
    let out = cli.deploy(&admin, &higher, &env).await.unwrap();
    assert!(out.contains("vault 2 tSOL: parameters queued as change #0, due in 24h"), "{out}");
    assert!(out.contains("vault 6 tBTC2: creation queued as change #1, due in 24h"), "{out}");
    assert_eq!({ tsol_params(&mut cli).await.redeem_fee_bps }, redeem_fee, "queued, not applied");
    let vault6 = turbo_sdk::pda::vault(6);
    assert!(cli.chain.account(&vault6).await.unwrap().is_none(), "vault 6 waits for the timelock");
    let out = cli.deploy(&admin, &higher, &env).await.unwrap();
    assert!(out.contains("vault 2 tSOL: parameters waiting for change #0 in the timelock (24h00m left)"), "{out}");
    assert!(!out.contains("Nothing to do"), "{out}");
    let queue = cli.timelock().await.unwrap();
    assert!(queue.contains("create vault 6") && queue.contains("in 24h00m"), "{queue}");
    cli.chain.advance(24 * 3_600);
    cli.chain.refresh_prices();
    let out = cli.deploy(&admin, &higher, &env).await.unwrap();
    assert!(out.contains("vault 2 tSOL: parameters updated (after the timelock)"), "{out}");
    assert!(out.contains("vault 6 tBTC2: created with a $1,000.00 seed"), "{out}");
    // The new vault's four accounts join the lookup table (its feed, BTC's, is in already).
    assert!(out.contains("lookup table: extended with 4 addresses"), "{out}");
    assert_eq!({ tsol_params(&mut cli).await.redeem_fee_bps }, 200);
    assert!(cli.chain.account(&vault6).await.unwrap().is_some());
    let out = cli.deploy(&admin, &higher, &env).await.unwrap();
    assert!(out.contains("Nothing to do: localnet already matches the manifest."), "{out}");
    assert!(cli.timelock().await.unwrap().starts_with("The timelock is empty"));
}

/// A manifest's custodies: opened before launch at once, a second run changes nothing, a custody
/// whose asset has no vault waits for one, one whose token or parameters differ is refused, and
/// after launch a new one goes through the timelock.
#[tokio::test]
async fn deploy_opens_the_manifests_custodies_and_after_launch_through_the_timelock() {
    use turbo_cli::manifest::CustodySpec;
    // The localnet's manifest opened SOL's and BTC's custodies (deployed() checks it).
    let (mut cli, admin, env) = deployed().await;
    let custody = |asset: &str, feed: &str, mint: &str| CustodySpec {
        asset: asset.into(),
        feed_id: feed.into(),
        mint: mint.into(),
        params: turbo_sdk::defaults::custody_params(),
    };
    let mut m = Manifest::parse(LOCALNET).unwrap();
    let pool = cli.snapshot().await.unwrap().pool;
    let btc = pool.hedges.iter().zip(pool.assets.iter()).find(|(_, a)| a.feed_id == turbo_sdk::pyth::feed_id(turbo_sdk::pyth::BTC_FEED));
    assert!(btc.is_some_and(|(h, _)| h.is_enabled() && h.decimals == turbo_sdk::bank::BTC_DECIMALS), "the bank's BTC token");
    m.custodies.push(custody("ETH", "ff61491a931112ddf1bd8147cd1b641375f79f5825126d665480874634fd0ace", "local"));
    let out = cli.deploy(&admin, &m, &env).await.unwrap();
    assert!(out.contains("custody SOL: unchanged") && out.contains("custody BTC: unchanged"), "{out}");
    assert!(out.contains("custody ETH: waits for a vault of its asset") && out.contains("Nothing to do"), "{out}");
    // A custody's parameters never change: a manifest that differs is refused, not ignored.
    let mut other = m.clone();
    other.custodies[0].params.swap_fee_bps = 20;
    let err = cli.deploy(&admin, &other, &env).await.unwrap_err();
    assert_eq!(err.to_string(), "custody SOL: it exists with another token or other parameters; a custody's never change");
    // After launch, FET's custody (here of the CRT token, a mint the bank has) waits out the
    // timelock.
    let user = wallet(&mut cli.chain, 1_000 * USDC).await;
    cli.mint(&user, "tSOL", "100", None, 50).await.unwrap();
    let mut more = m.clone();
    more.custodies.push(custody("FET", turbo_sdk::pyth::FET_FEED, &cli.chain.crt_mint.to_string()));
    let out = cli.deploy(&admin, &more, &env).await.unwrap();
    assert!(out.contains("custody FET: creation queued as change #0, due in 24h"), "{out}");
    assert!(cli.timelock().await.unwrap().contains("create the custody of asset slot 2"));
    cli.chain.advance(24 * 3_600);
    cli.chain.refresh_prices();
    let out = cli.deploy(&admin, &more, &env).await.unwrap();
    assert!(out.contains("custody FET: created (after the timelock)"), "{out}");
    let out = cli.deploy(&admin, &more, &env).await.unwrap();
    assert!(out.contains("Nothing to do: localnet already matches the manifest."), "{out}");
}

/// The hedged pool's commands against custodies of the bank's BTC token and of wrapped SOL,
/// opened by the localnet's manifest before launch: an LP deposit in SOL, a swap each way, a
/// mint paid in SOL (a swap and a mint in one transaction), the custodies table and a withdrawal
/// in SOL. Each
/// previews with the program's own engine at zero slippage, so an exact preview is what lands.
#[tokio::test]
async fn hedged_pool_commands_preview_exactly_and_send() {
    use turbo_sdk::bank::NATIVE_MINT;
    // The localnet's manifest opened the custodies of the bank's BTC token and of wrapped SOL.
    let (mut cli, admin, _env) = deployed().await;
    let lp = wallet(&mut cli.chain, 0).await;
    cli.chain.fund_asset(&lp.pubkey(), &NATIVE_MINT, 100 * 1_000_000_000).await;
    let out = cli.lp_deposit_asset(&lp, "SOL", "50", 0).await.unwrap();
    assert!(out.contains("Deposit 50.00 SOL (worth $7,500.00, fee $7.68): receive ≈ 7,492.3125 LP shares"), "{out}");
    assert!(out.contains("confirmed"), "{out}");
    let user = wallet(&mut cli.chain, 10_000 * USDC).await;
    cli.chain.fund_asset(&user.pubkey(), &NATIVE_MINT, 10 * 1_000_000_000).await;
    let out = cli.swap(&user, "SOL", Some("2"), None, 0).await.unwrap();
    assert!(out.contains("Swap 2.00 SOL: receive ≈ 299.680942 USDC (minimum 299.680942); fee $0.31"), "{out}");
    let out = cli.swap(&user, "SOL", None, Some("150"), 0).await.unwrap();
    assert!(out.contains("Swap 150.00 USDC: receive ≈ 0.999064266 SOL (minimum 0.999064266); fee $0.14"), "{out}");
    // 3 SOL sold at $150 less the swap's fee, then 0.5% to mint at tSOL's $100.
    let out = cli.mint_with_asset(&user, "tSOL", "SOL", "3", 0).await.unwrap();
    assert!(out.contains("the pool pays 449.520408 USDC for it (fee $0.47), which mints ≈ 4.472728 tSOL (minimum 4.472728)"), "{out}");
    assert!(out.contains("confirmed"), "{out}");
    let tsol = cli.snapshot().await.unwrap().find("tSOL").unwrap().keys.mint;
    let held = turbo_sdk::accounts::token_balance(&mut cli.chain, &turbo_sdk::pda::token_2022_ata(&user.pubkey(), &tsol)).await.unwrap();
    assert_eq!(held, 4_472_728);
    // The lock follows tSOL's net long; 95% of what is owned may lock.
    let out = cli.custodies().await.unwrap();
    assert!(out.contains("│ SOL   ┆ 54.000935734 ┆ 15.612122767 ┆ 28.92%      ┆ 37.567122295 ┆ 15.612122767 ┆ $0.00       │"), "{out}");
    let out = cli.lp_withdraw_asset(&lp, "SOL", "1000", 0).await.unwrap();
    assert!(
        out.contains("Withdraw 1,000.00 LP shares (worth $1,000.00) in SOL: receive ≈ 6.660373653 SOL (minimum 6.660373653; fee $0.95)"),
        "{out}"
    );
    // Redeem 2 tSOL for SOL: the redeem's USDC less 1% buys SOL from the custody, the 1% stays.
    let usdc_account = turbo_sdk::pda::ata(&user.pubkey(), &cli.chain.usdc_mint);
    let sol_account = turbo_sdk::pda::ata(&user.pubkey(), &NATIVE_MINT);
    let (usdc_before, sol_before) = (
        turbo_sdk::accounts::token_balance(&mut cli.chain, &usdc_account).await.unwrap(),
        turbo_sdk::accounts::token_balance(&mut cli.chain, &sol_account).await.unwrap(),
    );
    let out = cli.redeem_for_asset(&user, "tSOL", "SOL", "2", 100).await.unwrap();
    // 2 tSOL at $100 less the 1% redeem fee; 99% of it at $150 less the swap's fee.
    assert!(
        out.contains("Redeem 2.00 tSOL for SOL: the redeem pays ≈ 198.00 USDC after a 2.00 USDC fee; 196.02 USDC of it buys ≈ 1.305555853 SOL from the pool (fee $0.18; minimum 1.292500294), the rest stays in USDC"),
        "{out}"
    );
    assert!(out.contains("confirmed"), "{out}");
    let usdc_after = turbo_sdk::accounts::token_balance(&mut cli.chain, &usdc_account).await.unwrap();
    let sol_after = turbo_sdk::accounts::token_balance(&mut cli.chain, &sol_account).await.unwrap();
    assert_eq!((usdc_after - usdc_before, sol_after - sol_before), (1_980_000, 1_305_555_853), "what the preview said, to the unit");
    // FET has no custody, and a swap names one side: both are said before anything is sent.
    let err = cli.swap(&user, "FET", Some("1"), None, 0).await.unwrap_err();
    assert_eq!(err.to_string(), "FET has no custody: it stays synthetic, under the pool's risk cap");
    let err = cli.swap(&user, "SOL", Some("1"), Some("1"), 0).await.unwrap_err();
    assert_eq!(err.to_string(), "name one side: --sell <amount of the asset> or --buy <USDC>");
    // Paused swaps: the refusal is the program's, with its name, and nothing moves.
    assert!(cli.pause(&admin, None, "swap", false).await.unwrap().contains("Pause swap on every vault"));
    let err = cli.swap(&user, "SOL", Some("1"), None, 0).await.unwrap_err();
    assert_eq!(err.program_error(), Some("SwapPaused"), "{err}");
    let err = cli.mint_with_asset(&user, "tSOL", "SOL", "1", 0).await.unwrap_err();
    assert_eq!(err.program_error(), Some("SwapPaused"), "{err}");
}

/// `turbo vaults` reads the program's quote: past the emergency level it says "emergency" (it
/// said "ok" at 4.919x), and after a step it names the wait before the next one.
#[tokio::test]
async fn the_status_column_says_where_each_rebalance_stands() {
    let (mut cli, _admin, _env) = deployed().await;
    let user = wallet(&mut cli.chain, 10_000 * USDC).await;
    cli.mint(&user, "tBTC", "10000", None, 50).await.unwrap();
    let status = |out: &str, sym: &str| {
        let row = out.lines().find(|l| l.contains(sym)).unwrap();
        row.rsplit('┆').next().unwrap().trim_end_matches('│').trim().to_string()
    };
    // BTC falls 12% (from $60,000): Turbo BTC is past its 4x emergency level.
    let btc = turbo_sdk::pyth::feed_id(turbo_sdk::pyth::BTC_FEED);
    cli.chain.advance(30);
    cli.chain.set_price(&btc, 5_280_000_000_000, 0);
    let out = cli.vaults().await.unwrap();
    assert_eq!(status(&out, "tBTC"), "emergency", "{out}");
    // The emergency step lands; a 3% rise then asks a re-leverage, which waits for the interval.
    cli.rebalance(&user, "tBTC").await.unwrap();
    cli.chain.set_price(&btc, 5_440_000_000_000, 0);
    let out = cli.vaults().await.unwrap();
    assert!(status(&out, "tBTC").starts_with("re-lever in "), "{out}");
    cli.chain.advance(60);
    cli.chain.refresh_prices();
    cli.chain.set_price(&btc, 5_440_000_000_000, 0);
    assert_eq!(status(&cli.vaults().await.unwrap(), "tBTC"), "re-lever due");
}

/// A cap's refusal says how much would fit, from the program's quote, and that amount mints.
#[tokio::test]
async fn a_cap_refusal_says_how_much_fits_and_that_much_mints() {
    let (mut cli, _admin, _env) = deployed().await;
    let whale = wallet(&mut cli.chain, 2_000_000 * USDC).await;
    let err = cli.mint(&whale, "tSOL", "1000000", None, 50).await.unwrap_err();
    let text = err.to_string();
    assert!(["RiskCapExceeded", "ImbalanceCapExceeded", "HedgeFull", "GapCapExceeded"].contains(&err.program_error().unwrap()), "{text}");
    assert!(text.contains(": the side would carry $") && text.contains(" where a mint may fill $"), "{text}");
    let fits =
        text.split("at most about $").nth(1).and_then(|t| t.split(" of USDC").next()).expect("the amount that fits").replace(',', "");
    let fits: f64 = fits.parse().unwrap();
    assert!(fits > 1_000.0 && fits < 1_000_000.0, "{text}");
    // 99% of it mints: the estimate is the quote's capacity at the vault's leverage.
    cli.mint(&whale, "tSOL", &format!("{:.2}", fits * 0.99), None, 50).await.unwrap();
}

/// `turbo positions`: each token held at NAV (the program's quote) and LP shares at the pool's
/// withdrawal value, to the unit; a wallet that holds nothing shows a total of $0.00.
#[tokio::test]
async fn positions_value_tokens_at_nav_and_shares_at_the_withdrawal_value() {
    let (mut cli, _admin, _env) = deployed().await;
    let user = wallet(&mut cli.chain, 10_000 * USDC).await;
    cli.mint(&user, "tSOL", "1000", None, 50).await.unwrap();
    cli.lp_deposit(&user, "2000", 50).await.unwrap();
    let out = cli.positions(&user.pubkey(), None).await.unwrap();
    let snap = cli.snapshot().await.unwrap();
    let v = snap.find("tSOL").unwrap();
    let held =
        turbo_sdk::accounts::token_balance(&mut cli.chain, &turbo_sdk::pda::token_2022_ata(&user.pubkey(), &v.keys.mint)).await.unwrap();
    let q = snap.quote(v).unwrap();
    let value = (q.nav as u128 * held as u128 / v.mint.supply as u128) as u64;
    let row = out.lines().find(|l| l.contains("tSOL")).expect("a tSOL row");
    assert!(
        row.contains(&turbo_sdk::text::usd(value))
            && row.contains(&format!("{} tSOL", turbo_sdk::text::amount(v.mint.ui_amount_raw(held), 6, 2))),
        "{out}"
    );
    // $2,000 of LP money: 1,999.995 shares (the deposit is valued high), worth $1,999.99 as a
    // withdrawal would value them (low), 0.1996% of the pool's shares.
    let lp = out.lines().find(|l| l.contains("shares")).expect("an LP row");
    assert!(lp.contains("1,999.995 shares") && lp.contains("$1,999.99") && lp.contains("0.1996% of the pool"), "{out}");
    assert!(out.contains(&format!("Total {}", turbo_sdk::text::usd(value + 1_999_990_000))), "{out}");
    let nobody = cli.positions(&solana_sdk::pubkey::Pubkey::new_unique(), None).await.unwrap();
    assert!(nobody.contains("Total $0.00"), "{nobody}");
}
