//! The cost of every instruction, measured on the bank: the CPIs it makes and the compute
//! units each consumed (from the bank's logs), its accounts, and its transaction size; plus the
//! size and rent of every account type. `cost-report` prints this; `budget.rs` holds it to the
//! recorded budget in `tests/budget.toml`.

use anchor_lang::solana_program::instruction::Instruction;
use anchor_lang::Space;
use serde::{Deserialize, Serialize};
use solana_sdk::signature::{Keypair, Signer};
use solana_sdk::transaction::Transaction;
use turbo::args::*;
use turbo::state::{Change, Pause, VaultParams};
use turbo::state::{Config, Pool, Vault};
use turbo_sdk::chain::signer_set;
use turbo_sdk::{defaults, ix, pda};

use turbo_testkit::*;

/// One whole BTC token (8 decimals).
const BTC_UNIT: u64 = 100_000_000;

/// One instruction's cost.
#[derive(Clone, Debug)]
pub struct Measured {
    pub name: &'static str,
    pub cpis: Vec<(String, Option<u64>)>,
    pub accounts: usize,
    pub tx_bytes: usize,
    /// The accounts and data right before the call, for the callgrind harness.
    pub snapshot: Snapshot,
    /// Accounts the instruction declares as `UncheckedAccount` pinned by address (Anchor does
    /// not deserialize them), for the overhead estimate.
    pub unchecked: Vec<[u8; 32]>,
    /// Bytes the program allocated on the heap, as SBF's bump allocator would count them
    /// (`turbo_sdk::heap`); 0 unless the binary installs `CountingAlloc`.
    pub heap: u64,
    /// Every writable account right after the call, for the SBF bytecode's comparison; the fee
    /// payer's lamports are given back the transaction fee, which the bytecode runner (one
    /// instruction, no transaction) does not charge.
    pub after: Vec<SnapAccount>,
    /// The events the call emitted, base64 as a `Program data:` line carries them.
    pub events: Vec<String>,
}

impl Measured {
    /// Σ measured CPI compute units.
    pub fn cpi_cu(&self) -> u64 {
        self.cpis.iter().filter_map(|(_, cu)| *cu).sum()
    }
}

/// The accounts an instruction sees, as the runtime would pass them.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Snapshot {
    pub data: Vec<u8>,
    pub accounts: Vec<SnapAccount>,
    pub unix_timestamp: i64,
    pub slot: u64,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct SnapAccount {
    pub key: [u8; 32],
    pub signer: bool,
    pub writable: bool,
    pub lamports: u64,
    pub data: Vec<u8>,
    pub owner: [u8; 32],
    pub executable: bool,
}

/// Measuring on the shared fixture.
#[allow(async_fn_in_trait)]
pub trait Measure {
    /// Send `ix` and measure it. Only the last instruction of `setup + [ix]` is measured.
    async fn measure(&mut self, name: &'static str, setup: &[Instruction], ix: Instruction, signers: &[&Keypair]) -> Measured;
}

impl Measure for Fixture {
    async fn measure(&mut self, name: &'static str, setup: &[Instruction], ix: Instruction, signers: &[&Keypair]) -> Measured {
        if !setup.is_empty() {
            assert_ok(&self.send(setup, signers).await);
        }
        let mut accounts = Vec::new();
        for m in &ix.accounts {
            let a = self.account(m.pubkey).await.unwrap_or_default();
            accounts.push(SnapAccount {
                key: m.pubkey.to_bytes(),
                signer: m.is_signer,
                writable: m.is_writable,
                lamports: a.lamports,
                data: a.data,
                owner: a.owner.to_bytes(),
                executable: a.executable,
            });
        }
        // The clock the transaction will see (send moves to the next slot).
        let snapshot = Snapshot { data: ix.data.clone(), accounts, unix_timestamp: self.bank.now, slot: self.bank.slot + 1 };
        let payer = self.bank.ctx.payer.insecure_clone();
        let tx = Transaction::new_signed_with_payer(
            std::slice::from_ref(&ix),
            Some(&payer.pubkey()),
            &signer_set(&payer, signers),
            self.bank.ctx.last_blockhash,
        );
        let tx_bytes = bincode::serialize(&tx).expect("serialize").len();
        let n = ix.accounts.len();
        let sent = ix.clone();
        let fee = self.bank.ctx.banks_client.get_fee_for_message(tx.message.clone()).await.expect("bank").expect("a fee");
        let out: Outcome = self.send(&[ix], signers).await;
        assert_ok(&out);
        let heap = turbo_sdk::heap::instruction_bytes(&sent).expect("the program ran under the counting allocator");
        let mut after = Vec::new();
        for m in sent.accounts.iter().filter(|m| m.is_writable) {
            let a = self.account(m.pubkey).await.unwrap_or_default();
            let refund = if m.pubkey == payer.pubkey() { fee } else { 0 };
            after.push(SnapAccount {
                key: m.pubkey.to_bytes(),
                signer: m.is_signer,
                writable: true,
                lamports: a.lamports + refund,
                data: a.data,
                owner: a.owner.to_bytes(),
                executable: a.executable,
            });
        }
        let events = out.logs.iter().filter_map(|l| l.strip_prefix(turbo_sdk::outcome::NATIVE_EVENT_PREFIX)).map(str::to_string).collect();
        // Mint, redeem and rebalance take the four reserves as address-pinned unchecked accounts.
        let unchecked = if ["mint", "redeem", "rebalance"].iter().any(|p| name.starts_with(p)) {
            let mut keys = vec![pda::pool_usdc().to_bytes(), pda::pool_crt().to_bytes()];
            for v in &self.vaults {
                keys.extend([v.keys.usdc_reserve.to_bytes(), v.keys.crt_reserve.to_bytes()]);
            }
            keys
        } else {
            Vec::new()
        };
        Measured { name, cpis: out.direct_cpis(), accounts: n, tx_bytes, snapshot, unchecked, heap, after, events }
    }
}

/// Measure every instruction a deployment uses, in a realistic state: five vaults, liquidity,
/// users holding tokens, a treasury with fees.
pub async fn measure_all() -> (Vec<Measured>, Vec<(&'static str, usize)>) {
    let mut out = Vec::new();
    let mut fx = Fixture::uninitialized().await;
    let init = fx.initialize_config_ix();
    out.push(fx.measure("initialize_config", &[], init, &[]).await);
    let pool = fx.initialize_pool_ix();
    out.push(fx.measure("initialize_pool", &[], pool, &[]).await);
    // The admin seeds the pool and creates the vaults before anyone else's money is in (no
    // timelock yet); a user's mint below launches the deployment.
    let lp = fx.admin_as_user(1_000_000 * USDC).await;
    let first = fx.deposit_liquidity_ix(&lp, 500_000 * USDC, &[]);
    out.push(fx.measure("deposit_liquidity (first, no vault)", &[], first, &[&lp.key]).await);
    let admin = fx.admin.pubkey();
    fx.bank.fund(&admin, 1_000 * USDC, 0).await;
    let args = CreateVaultArgs {
        vault_id: BTC_VAULT,
        name: "Turbo BTC".into(),
        symbol: "tBTC".into(),
        uri: "https://turbo.example/tBTC.json".into(),
        feed_id: fx.feed(Asset::Btc).feed_id,
        params: defaults::turbo_params(),
        seed_usdc: 1_000 * USDC,
    };
    let create = ix::create_vault(&fx.d, admin, pda::ata(&admin, &fx.d.usdc_mint), fx.feed(Asset::Btc).account, None, args);
    out.push(fx.measure("create_vault", &[], create, &[]).await);
    fx.vaults.push(ix::PricedVault { keys: pda::VaultKeys::new(BTC_VAULT), price: fx.feed(Asset::Btc).account });
    fx.create_vault(SOL_VAULT, "Turbo SOL", "tSOL", Asset::Sol, defaults::turbo_params(), 1_000 * USDC).await;
    fx.create_vault(FET_VAULT, "Turbo FET", "tFET", Asset::Fet, defaults::turbo_params(), 1_000 * USDC).await;
    fx.create_vault(BEAR_BTC_VAULT, "Bear BTC", "bBTC", Asset::Btc, defaults::bear_params(), 1_000 * USDC).await;
    let deposit = fx.deposit_liquidity_ix(&lp, 100_000 * USDC, &fx.vaults);
    out.push(fx.measure("deposit_liquidity (4 vaults)", &[], deposit, &[&lp.key]).await);

    // The hedged pool: a BTC custody, an LP deposit of 2 BTC in it (the LP instructions now also
    // read the custody's price). From here the BTC vaults lock custody tokens as they move.
    let args = CreateCustodyArgs { asset_index: fx.asset_index(Asset::Btc).await, params: defaults::custody_params() };
    let custody = ix::create_custody(admin, fx.custody_mint(Asset::Btc), None, args);
    out.push(fx.measure("create_custody", &[], custody, &[]).await);
    fx.refresh_custody_prices().await;
    fx.fund_asset(&lp, Asset::Btc, 3 * BTC_UNIT).await;
    let deposit = fx.deposit_custody_ix(&lp, Asset::Btc, 2 * BTC_UNIT, 0).await;
    out.push(fx.measure("deposit_custody (4 vaults, 1 custody)", &[], deposit, &[&lp.key]).await);

    // A user mints with USDC, then with USDC and CRT, then redeems.
    let user = fx.user(100_000 * USDC, 1_000 * CRT).await;
    let v = fx.v(BTC_VAULT);
    fx.open_token_account(&user, &v).await;
    let mut usdc_only = user.accounts(&v);
    usdc_only.crt = None;
    out.push(
        fx.measure(
            "mint (USDC)",
            &[],
            ix::mint(&fx.d, &v, &usdc_only, MintArgs { usdc_amount: 10_000 * USDC, crt_amount: 0, min_tokens_out: 0 }),
            &[&user.key],
        )
        .await,
    );
    fx.tick(10);
    out.push(
        fx.measure(
            "redeem (USDC, no price move)",
            &[],
            ix::redeem(&fx.d, &v, &usdc_only, RedeemArgs { amount: 1_000_000, min_usdc_out: 0, min_crt_out: 0 }),
            &[&user.key],
        )
        .await,
    );
    fx.tick(10);
    fx.move_price(Asset::Btc, -50);
    out.push(
        fx.measure(
            "mint (USDC + CRT, settles a loss)",
            &[],
            ix::mint(&fx.d, &v, &user.accounts(&v), MintArgs { usdc_amount: 5_000 * USDC, crt_amount: 500 * CRT, min_tokens_out: 0 }),
            &[&user.key],
        )
        .await,
    );
    fx.tick(10);
    fx.move_price(Asset::Btc, 30);
    out.push(
        fx.measure(
            "redeem (USDC + CRT, settles a gain)",
            &[],
            ix::redeem(&fx.d, &v, &user.accounts(&v), RedeemArgs { amount: 10_000_000, min_usdc_out: 0, min_crt_out: 0 }),
            &[&user.key],
        )
        .await,
    );

    // An arbitrageur sells the custody a tenth of a BTC for USDC.
    fx.fund_asset(&user, Asset::Btc, BTC_UNIT).await;
    fx.tick(1);
    let swap = fx.swap_ix(&user, Asset::Btc, true, BTC_UNIT / 10, 0).await;
    out.push(fx.measure("swap (asset in)", &[], swap, &[&user.key]).await);

    // A keeper: a no-op, then a trim that settles and earns the bounty.
    let keeper = fx.user(0, 0).await;
    fx.tick(30);
    out.push(
        fx.measure(
            "rebalance (no-op, nothing to settle)",
            &[],
            ix::rebalance(&fx.d, &fx.v(SOL_VAULT), keeper.pubkey(), Some(keeper.usdc)),
            &[&keeper.key],
        )
        .await,
    );
    // The read-only quotes a page simulates (they land here only to be measured).
    out.push(fx.measure("quote", &[], ix::quote(&fx.d, &fx.v(SOL_VAULT)), &[]).await);
    let priced = fx.vaults.clone();
    out.push(fx.measure("quote_pool (4 vaults)", &[], ix::quote_pool(&fx.d, &priced), &[]).await);
    fx.tick(30);
    fx.move_price(Asset::Btc, -200);
    out.push(
        fx.measure("rebalance (trim, settles, bounty)", &[], ix::rebalance(&fx.d, &v, keeper.pubkey(), Some(keeper.usdc)), &[&keeper.key])
            .await,
    );

    let shares = fx.balance(lp.lp()).await / 10;
    out.push(
        fx.measure(
            "withdraw_liquidity (4 vaults)",
            &[],
            ix::withdraw_liquidity(
                &fx.d,
                lp.pubkey(),
                lp.lp(),
                lp.usdc,
                Some(lp.crt),
                &fx.vaults,
                WithdrawLiquidityArgs { shares, min_usdc_out: 0, min_crt_out: 0, allow_unpriced: false },
            ),
            &[&lp.key],
        )
        .await,
    );
    let withdraw = fx.withdraw_custody_ix(&lp, Asset::Btc, shares / 100, 0).await;
    out.push(fx.measure("withdraw_custody (4 vaults, 1 custody)", &[], withdraw, &[&lp.key]).await);
    let treasury = fx.user(0, 0).await;
    let update = ix::update_config(admin, UpdateConfigArgs { treasury: Some(treasury.pubkey()), ..Default::default() });
    out.push(
        fx.measure(
            "withdraw_fees",
            &[update],
            ix::withdraw_fees(admin, treasury.usdc, treasury.crt, WithdrawFeesArgs { usdc: 1, crt: 0 }),
            &[],
        )
        .await,
    );
    out.push(fx.measure("update_vault", &[], ix::update_vault(admin, v.keys.vault, defaults::turbo_params()), &[]).await);
    out.push(fx.measure("set_pause", &[], ix::set_pause(admin, None, SetPauseArgs::new(Pause::MINT, true)), &[]).await);

    // The timelock: queue a change that adds risk, execute it after the delay; retire a vault.
    let riskier = VaultParams { mint_fee_bps: 60, ..defaults::turbo_params() };
    let change = Change::Vault { vault: v.keys.vault, params: riskier };
    let id = fx.config().await.next_change_id;
    out.push(fx.measure("queue_change", &[], ix::queue_change(admin, id, change, Some(v.keys.vault)), &[]).await);
    let retire = Change::RetireVault { vault: fx.v(FET_VAULT).keys.vault };
    let retire_id = fx.queue(retire, Some(fx.v(FET_VAULT).keys.vault)).await;
    fx.wait_timelock().await;
    out.push(fx.measure("execute_change", &[], ix::execute_change(admin, admin, id, &change), &[]).await);
    let fet = fx.v(FET_VAULT);
    out.push(
        fx.measure("retire_vault (admin, after the timelock)", &[], ix::retire_vault(&fx.d, admin, admin, &fet, Some(retire_id)), &[])
            .await,
    );

    // A rise re-levers Turbo SOL a capped step, then a fall past its emergency level cuts it
    // straight to the target.
    fx.tick(30);
    fx.move_price(Asset::Sol, 1_500);
    let sol = fx.v(SOL_VAULT);
    out.push(
        fx.measure(
            "rebalance (re-leverage, settles a gain)",
            &[],
            ix::rebalance(&fx.d, &sol, keeper.pubkey(), Some(keeper.usdc)),
            &[&keeper.key],
        )
        .await,
    );
    fx.tick(30);
    fx.move_price(Asset::Sol, -1_500);
    out.push(
        fx.measure(
            "rebalance (emergency, settles a loss)",
            &[],
            ix::rebalance(&fx.d, &sol, keeper.pubkey(), Some(keeper.usdc)),
            &[&keeper.key],
        )
        .await,
    );

    let sizes = vec![
        ("Config", 8 + Config::INIT_SPACE),
        ("Pool", 8 + Pool::INIT_SPACE),
        ("Vault", 8 + Vault::INIT_SPACE),
        ("PendingChange (a change in the timelock)", 8 + turbo::state::PendingChange::INIT_SPACE),
        ("Custody", 8 + turbo::state::Custody::INIT_SPACE),
        ("Turbo mint (Token-2022, metadata + ScaledUiAmount)", fx.account(v.keys.mint).await.unwrap().data.len()),
        ("Token-2022 holder account", fx.account(pda::token_2022_ata(&user.pubkey(), &v.keys.mint)).await.unwrap().data.len()),
        ("SPL token account (reserves)", fx.account(v.keys.usdc_reserve).await.unwrap().data.len()),
        ("LP mint", fx.account(pda::lp_mint()).await.unwrap().data.len()),
    ];
    (out, sizes)
}
