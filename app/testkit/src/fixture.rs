//! A deployment on the in-process bank, and the handles a test needs to drive it.

use anchor_lang::solana_program::instruction::Instruction;
use anchor_lang::AccountDeserialize;
use anchor_spl::associated_token::spl_associated_token_account::instruction::create_associated_token_account_idempotent;
use solana_sdk::account::Account;
use solana_sdk::program_pack::Pack;
use solana_sdk::pubkey::Pubkey;
use solana_sdk::signature::{Keypair, Signer};
use spl_token_interface::state::Account as TokenAccountState;
use turbo::args::*;
use turbo::state::{Config, Pool, Vault, VaultParams};
use turbo_sdk::bank::{Bank, LocalFeed};
use turbo_sdk::defaults;
use turbo_sdk::ix::{self, Deployment, PricedVault, UserAccounts};
use turbo_sdk::pda::{self, VaultKeys};

pub use turbo_sdk::bank::{CRT_DECIMALS, GENESIS_TIME, USDC_DECIMALS};
use turbo_sdk::outcome::Outcome;
use turbo_sdk::pyth::*;

use crate::assert_ok;

/// One whole USDC, raw.
pub const USDC: u64 = 1_000_000;
/// One whole CRT, raw.
pub const CRT: u64 = 1_000_000_000;
/// One USD at Pyth's exponent -8.
pub const PX: i64 = 100_000_000;

pub const BTC_VAULT: u16 = 1;
pub const SOL_VAULT: u16 = 2;
pub const FET_VAULT: u16 = 3;
pub const BEAR_BTC_VAULT: u16 = 4;
/// Not in `deployed()`: tests that need a short on SOL create it.
pub const BEAR_SOL_VAULT: u16 = 5;

/// A wallet with USDC and CRT accounts.
pub struct User {
    pub key: Keypair,
    pub usdc: Pubkey,
    pub crt: Pubkey,
}

impl User {
    pub fn pubkey(&self) -> Pubkey {
        self.key.pubkey()
    }
    /// The accounts for minting or redeeming `vault`'s token.
    pub fn accounts(&self, vault: &PricedVault) -> UserAccounts {
        UserAccounts {
            user: self.pubkey(),
            tokens: pda::token_2022_ata(&self.pubkey(), &vault.keys.mint),
            usdc: self.usdc,
            crt: Some(self.crt),
        }
    }
    /// The user's LP token account.
    pub fn lp(&self) -> Pubkey {
        pda::ata(&self.pubkey(), &pda::lp_mint())
    }
}

pub struct Fixture {
    pub bank: Bank,
    pub admin: Keypair,
    pub guardian: Keypair,
    pub treasury: Keypair,
    pub d: Deployment,
    /// Registered vaults, in registry order (what LP instructions value).
    pub vaults: Vec<PricedVault>,
    /// Vaults retired and removed from the registry; their holders still redeem.
    pub retired: Vec<PricedVault>,
    /// A keeper wallet with a USDC account for bounties.
    pub keeper: Option<User>,
}

impl Fixture {
    /// Config and pool ([`hard_caps_only`]), no liquidity and no vault. BTC $60,000, SOL $150,
    /// FET $1.50, CRT $1.
    pub async fn new() -> Fixture {
        let mut fx = Fixture::uninitialized().await;
        let (init, pool) = (fx.initialize_config_ix(), fx.initialize_pool_ix());
        assert_ok(&fx.send(&[init, pool], &[]).await);
        fx
    }

    /// The bank with the program, the mints and the feeds, before `initialize_config`.
    pub async fn uninitialized() -> Fixture {
        let bank = Bank::start(&[
            (feed_id(BTC_FEED), 60_000 * PX),
            (feed_id(SOL_FEED), 150 * PX),
            (feed_id(FET_FEED), 150_000_000),
            (feed_id(CRT_FEED), PX),
        ])
        .await;
        let admin = bank.ctx.payer.insecure_clone();
        let crt_price = bank.feed(&feed_id(CRT_FEED)).account;
        let d = Deployment { usdc_mint: bank.usdc_mint, crt_mint: bank.crt_mint, crt_price, custody_prices: Default::default() };
        Fixture {
            bank,
            admin,
            guardian: Keypair::new(),
            treasury: Keypair::new(),
            d,
            vaults: Vec::new(),
            retired: Vec::new(),
            keeper: None,
        }
    }

    /// The admin's `initialize_config`: this fixture's guardian and treasury, the default
    /// parameters.
    pub fn initialize_config_ix(&self) -> Instruction {
        let args = InitializeConfigArgs {
            guardian: self.guardian.pubkey(),
            treasury: self.treasury.pubkey(),
            crt_feed_id: feed_id(CRT_FEED),
            params: defaults::config_params(),
        };
        ix::initialize_config(&self.d, self.admin.pubkey(), args)
    }

    /// The admin's `initialize_pool` with [`hard_caps_only`].
    pub fn initialize_pool_ix(&self) -> Instruction {
        ix::initialize_pool(&self.d, self.admin.pubkey(), hard_caps_only())
    }

    /// A full deployment: the admin's 1,000,000 USDC in the pool, then Turbo BTC, SOL and FET
    /// and Bear BTC with $1,000 seeds each, and a keeper. The LP returned is the admin, so the
    /// deployment is not launched (nobody else's money is in) until a test's users mint or
    /// deposit; from then on changes that add risk go through the timelock.
    pub async fn deployed() -> (Fixture, User) {
        let mut fx = Fixture::new().await;
        let lp = fx.admin_as_user(1_000_000 * USDC).await;
        assert_ok(&fx.deposit_liquidity(&lp, 1_000_000 * USDC).await);
        fx.create_vault(BTC_VAULT, "Turbo BTC", "tBTC", Asset::Btc, defaults::turbo_params(), 1_000 * USDC).await;
        fx.create_vault(SOL_VAULT, "Turbo SOL", "tSOL", Asset::Sol, defaults::turbo_params(), 1_000 * USDC).await;
        fx.create_vault(FET_VAULT, "Turbo FET", "tFET", Asset::Fet, defaults::turbo_params(), 1_000 * USDC).await;
        fx.create_vault(BEAR_BTC_VAULT, "Bear BTC", "bBTC", Asset::Btc, defaults::bear_params(), 1_000 * USDC).await;
        let keeper = fx.user(0, 0).await;
        fx.keeper = Some(keeper);
        (fx, lp)
    }

    // --- the hedged pool (docs/design.md §5.6) ---

    /// The SPL token a custody of `asset` holds: the bank's BTC token, or wrapped SOL.
    pub fn custody_mint(&self, asset: Asset) -> Pubkey {
        match asset {
            Asset::Btc => self.bank.btc_mint,
            Asset::Sol => turbo_sdk::bank::NATIVE_MINT,
            other => panic!("no custody token for {other:?}"),
        }
    }

    /// The pool's asset slot of `asset`.
    pub async fn asset_index(&mut self, asset: Asset) -> u8 {
        let pool = self.pool().await;
        let id = asset.feed_id();
        (0..pool.asset_count).find(|&i| pool.assets[i as usize].feed_id == id).expect("the asset has a slot")
    }

    /// The addresses of `asset`'s custody, priced by its feed's account.
    pub async fn custody_keys(&mut self, asset: Asset) -> ix::CustodyKeys {
        let i = self.asset_index(asset).await;
        ix::CustodyKeys::new(i, self.custody_mint(asset), self.feed(asset).account)
    }

    /// `create_custody` for `asset`: at once before launch, else through the timelock. The
    /// deployment's custody prices follow the pool's custodies.
    pub async fn create_custody(&mut self, asset: Asset, params: turbo::state::CustodyParams) -> Outcome {
        let i = self.asset_index(asset).await;
        let args = CreateCustodyArgs { asset_index: i, params };
        let pending = if self.pool().await.is_launched() {
            let change = turbo::state::Change::CreateCustody { asset_index: i, args_hash: args.hash().expect("hash") };
            let id = self.queue(change, None).await;
            self.wait_timelock().await;
            Some(id)
        } else {
            None
        };
        let admin = self.admin.pubkey();
        let out = self.send(&[ix::create_custody(admin, self.custody_mint(asset), pending, args)], &[]).await;
        self.refresh_custody_prices().await;
        out
    }

    /// `open_signed_feed` of `asset`'s feed, read from Pyth Pro feed `lazer_feed_id`: at once
    /// before launch, else through the timelock.
    pub async fn open_signed_feed(&mut self, asset: Asset, lazer_feed_id: u32) -> Outcome {
        let args = turbo::args::OpenSignedFeedArgs { feed_id: asset.feed_id(), lazer_feed_id };
        let pending = if self.pool().await.is_launched() {
            let id = self.queue(turbo::state::Change::OpenSignedFeed { feed_id: args.feed_id, lazer_feed_id }, None).await;
            self.wait_timelock().await;
            Some(id)
        } else {
            None
        };
        let admin = self.admin.pubkey();
        self.send(&[ix::open_signed_feed(admin, pending, args)], &[]).await
    }

    /// A Pyth Pro message signed by the bank's trusted key at `timestamp_us`, carrying each
    /// `(lazer_feed_id, price, conf)` at exponent -8.
    pub fn signed_message(&self, timestamp_us: u64, feeds: &[(u32, i64, u64)]) -> Vec<u8> {
        let feeds = feeds
            .iter()
            .map(|&(feed_id, price, confidence)| turbo_sdk::lazer::FeedPrice { feed_id, price, confidence, exponent: -8 })
            .collect();
        turbo_sdk::lazer::sign(&self.bank.lazer_signer, &turbo_sdk::lazer::Update { timestamp_us, feeds }).expect("a signable update")
    }

    /// The check and the post of `message` into the signed feeds of `assets`, as the first two
    /// instructions of a transaction.
    pub fn post_signed_ixs(&self, message: Vec<u8>, assets: &[Asset]) -> [Instruction; 2] {
        let feeds: Vec<[u8; 32]> = assets.iter().map(|a| a.feed_id()).collect();
        ix::signed_prices(self.payer(), self.bank.lazer_treasury, message, 0, &feeds)
    }

    /// Point the LP instructions' custody prices at the pool's custodies, in asset order.
    pub async fn refresh_custody_prices(&mut self) {
        let pool = self.pool().await;
        let keys: Vec<Pubkey> = (0..pool.asset_count as usize)
            .filter(|&i| pool.hedges[i].is_enabled())
            .map(|i| self.bank.feed(&pool.assets[i].feed_id).account)
            .collect();
        self.d.custody_prices = ix::CustodyPrices::new(&keys);
    }

    /// Give `user` `amount` raw units of `asset`'s custody token; its account.
    pub async fn fund_asset(&mut self, user: &User, asset: Asset, amount: u64) -> Pubkey {
        let mint = self.custody_mint(asset);
        let (account, out) = self.bank.fund_asset(&user.pubkey(), &mint, amount).await;
        assert_ok(&out);
        account
    }

    /// `user`'s account of `asset`'s custody token.
    pub fn asset_account(&self, user: &User, asset: Asset) -> Pubkey {
        pda::ata(&user.pubkey(), &self.custody_mint(asset))
    }

    pub async fn swap_ix(&mut self, user: &User, asset: Asset, asset_in: bool, amount: u64, min_out: u64) -> Instruction {
        let c = self.custody_keys(asset).await;
        let args = SwapArgs { asset_in, amount_in: amount, min_amount_out: min_out };
        ix::swap(&c, user.pubkey(), self.asset_account(user, asset), user.usdc, args)
    }

    /// Swap with `asset`'s custody: `amount` of the asset in (`asset_in`) or USDC in.
    pub async fn swap(&mut self, user: &User, asset: Asset, asset_in: bool, amount: u64, min_out: u64) -> Outcome {
        let ix = self.swap_ix(user, asset, asset_in, amount, min_out).await;
        self.send(&[ix], &[&user.key]).await
    }

    pub async fn deposit_custody_ix(&mut self, lp: &User, asset: Asset, amount: u64, min_shares: u64) -> Instruction {
        let c = self.custody_keys(asset).await;
        let args = DepositCustodyArgs { amount, min_shares_out: min_shares };
        ix::deposit_custody(&self.d, &c, lp.pubkey(), self.asset_account(lp, asset), lp.lp(), &self.vaults, args)
    }

    /// An LP deposit of `amount` raw units of `asset`'s custody token.
    pub async fn deposit_custody(&mut self, lp: &User, asset: Asset, amount: u64) -> Outcome {
        let ix = self.deposit_custody_ix(lp, asset, amount, 0).await;
        self.send(&[ix], &[&lp.key]).await
    }

    pub async fn withdraw_custody_ix(&mut self, lp: &User, asset: Asset, shares: u64, min_out: u64) -> Instruction {
        let c = self.custody_keys(asset).await;
        let args = WithdrawCustodyArgs { shares, min_amount_out: min_out };
        ix::withdraw_custody(&self.d, &c, lp.pubkey(), lp.lp(), self.asset_account(lp, asset), &self.vaults, args)
    }

    /// An LP withdrawal of `shares` in `asset`'s custody token (its account must exist).
    pub async fn withdraw_custody(&mut self, lp: &User, asset: Asset, shares: u64) -> Outcome {
        let ix = self.withdraw_custody_ix(lp, asset, shares, 0).await;
        self.send(&[ix], &[&lp.key]).await
    }

    /// Replace the pool's caps (at once: before launch, or for changes that lower risk).
    pub async fn update_pool_caps(&mut self, caps: turbo::state::PoolCaps) -> Outcome {
        let admin = self.admin.pubkey();
        self.send(&[ix::update_pool(admin, caps)], &[]).await
    }

    /// The read-only `quote` of vault `id`, simulated.
    pub async fn quote(&mut self, id: u16) -> turbo::events::VaultQuotedEvent {
        let ix = ix::quote(&self.d, &self.v(id));
        let out = self.simulate(&[ix], &[]).await;
        assert_ok(&out);
        out.event()
    }

    // --- transactions ---

    /// Send `ixs` in one transaction in a fresh slot, signed by the payer and `signers`.
    pub async fn send(&mut self, ixs: &[Instruction], signers: &[&Keypair]) -> Outcome {
        self.bank.send_now(ixs, signers).await
    }

    pub fn payer(&self) -> Pubkey {
        self.bank.ctx.payer.pubkey()
    }

    pub fn now(&self) -> i64 {
        self.bank.now
    }

    // --- time and prices ---

    /// Move the clock forward by `secs`.
    pub fn advance(&mut self, secs: i64) {
        self.bank.advance(secs);
    }

    /// Move the clock forward by `secs` and republish every feed at its current price, as
    /// Pyth's push feeds do.
    pub fn tick(&mut self, secs: i64) {
        self.bank.advance(secs);
        self.bank.refresh_prices();
    }

    /// `asset`'s price moved by `bps` basis points (negative for a fall), rounded down.
    pub fn price_after(&self, asset: Asset, bps: i64) -> i64 {
        (self.feed(asset).quote.price as i128 * (10_000 + bps) as i128 / 10_000) as i64
    }

    /// Move `asset`'s price by `bps` basis points (negative for a fall), rounding down.
    pub fn move_price(&mut self, asset: Asset, bps: i64) {
        let (price, conf) = (self.price_after(asset, bps), self.feed(asset).quote.conf);
        self.set_price(asset, price, conf);
    }

    /// Publish `price` (exponent -8) with confidence `conf` at the current time.
    pub fn set_price(&mut self, asset: Asset, price: i64, conf: u64) {
        self.bank.set_price(&asset.feed_id(), price, conf);
    }

    /// Overwrite a price account with any quote and owner (for attacks and edge cases).
    pub fn write_quote(&mut self, account: Pubkey, q: &Quote, owner: Pubkey) {
        self.bank.write_quote(account, q, owner);
    }

    /// Post a new, separate price account for `asset` (as anyone can through the Pyth receiver)
    /// holding `price` and `conf` published at `publish_time`. The feed's own account keeps its
    /// quote, so a test can hold several valid updates of one feed at once.
    pub fn post(&mut self, asset: Asset, price: i64, conf: u64, publish_time: i64) -> Pubkey {
        self.bank.post_update(&asset.feed_id(), price, conf, publish_time)
    }

    pub fn feed(&self, asset: Asset) -> LocalFeed {
        *self.bank.feed(&asset.feed_id())
    }

    // --- users and tokens ---

    /// The admin's wallet as a user, funded with `usdc`, with its LP token account.
    pub async fn admin_as_user(&mut self, usdc: u64) -> User {
        let owner = self.admin.pubkey();
        assert_ok(&self.bank.fund(&owner, usdc, 0).await);
        let payer = self.payer();
        let lp = create_associated_token_account_idempotent(&payer, &owner, &pda::lp_mint(), &anchor_spl::token::ID);
        assert_ok(&self.send(&[lp], &[]).await);
        User { usdc: pda::ata(&owner, &self.d.usdc_mint), crt: pda::ata(&owner, &self.d.crt_mint), key: self.admin.insecure_clone() }
    }

    /// A new wallet with SOL for fees and `usdc` / `crt` raw units in its token accounts.
    pub async fn user(&mut self, usdc: u64, crt: u64) -> User {
        let key = Keypair::new();
        let owner = key.pubkey();
        assert_ok(&self.bank.fund(&owner, usdc, crt).await);
        let payer = self.payer();
        let lp = create_associated_token_account_idempotent(&payer, &owner, &pda::lp_mint(), &anchor_spl::token::ID);
        assert_ok(&self.send(&[lp], &[]).await);
        User { usdc: pda::ata(&owner, &self.d.usdc_mint), crt: pda::ata(&owner, &self.d.crt_mint), key }
    }

    /// Create `user`'s Token-2022 account for `vault`'s token.
    pub async fn open_token_account(&mut self, user: &User, vault: &PricedVault) -> Pubkey {
        let payer = self.payer();
        let ix = create_associated_token_account_idempotent(&payer, &user.pubkey(), &vault.keys.mint, &anchor_spl::token_2022::ID);
        assert_ok(&self.send(&[ix], &[]).await);
        pda::token_2022_ata(&user.pubkey(), &vault.keys.mint)
    }

    /// Token balance of any SPL Token or Token-2022 account (0 if it does not exist).
    pub async fn balance(&mut self, account: Pubkey) -> u64 {
        turbo_sdk::accounts::token_balance(&mut self.bank, &account).await.expect("a token account")
    }

    /// Supply of any SPL Token or Token-2022 mint.
    pub async fn supply(&mut self, mint: Pubkey) -> u64 {
        turbo_sdk::accounts::mint_supply(&mut self.bank, &mint).await.expect("a mint").expect("mint exists")
    }

    pub async fn account(&mut self, key: Pubkey) -> Option<Account> {
        self.bank.ctx.banks_client.get_account(key).await.expect("bank")
    }

    pub async fn anchor_account<T: AccountDeserialize>(&mut self, key: Pubkey) -> T {
        let a = self.account(key).await.expect("account exists");
        T::try_deserialize(&mut a.data.as_slice()).expect("decode")
    }

    pub async fn config(&mut self) -> Config {
        self.anchor_account(pda::config()).await
    }
    pub async fn pool(&mut self) -> Pool {
        self.anchor_account(pda::pool()).await
    }
    pub async fn vault(&mut self, id: u16) -> Vault {
        self.anchor_account(pda::vault(id)).await
    }

    /// The priced vault with this id, registered or retired.
    pub fn v(&self, id: u16) -> PricedVault {
        *self.vaults.iter().chain(&self.retired).find(|v| v.keys.id == id).expect("vault exists")
    }

    /// Every vault ever created, registered or retired.
    pub fn all_vaults(&self) -> Vec<PricedVault> {
        self.vaults.iter().chain(&self.retired).copied().collect()
    }

    /// Retire vault `id`: with `pending`, the admin's due `Change::RetireVault`; without, the
    /// feed-dead path. A vault that leaves the registry moves to `retired`.
    pub async fn retire_vault(&mut self, id: u16, pending: Option<u32>) -> Outcome {
        let v = self.v(id);
        let admin = self.admin.pubkey();
        let out = self.send(&[ix::retire_vault(&self.d, admin, admin, &v, pending)], &[]).await;
        if out.result.is_ok() && !self.config().await.registered_vaults().contains(&v.keys.vault) {
            self.vaults.retain(|x| x.keys.id != id);
            if !self.retired.iter().any(|x| x.keys.id == id) {
                self.retired.push(v);
            }
        }
        out
    }

    /// Assert docs/design.md §7's first invariant: every token balance of the pool and of each vault
    /// equals the program's accounting (a vault's reserve also holds the fees it owes the pool).
    pub async fn assert_books_balance(&mut self) {
        let pool = self.pool().await;
        assert_eq!(self.balance(pool.usdc_reserve).await, { pool.usdc_balance }, "pool USDC");
        assert_eq!(self.balance(pool.crt_reserve).await, { pool.crt_balance }, "pool CRT");
        for v in self.all_vaults() {
            let vault = self.vault(v.keys.id).await;
            let (usdc, crt) = vault.reserves();
            assert_eq!(self.balance(vault.usdc_reserve).await, usdc, "vault {} USDC", v.keys.id);
            assert_eq!(self.balance(vault.crt_reserve).await, crt, "vault {} CRT", v.keys.id);
        }
        // Each asset's hedge sums are the vaults' own exposures, and its lock is what their net
        // long needs within the utilization cap; a custody's reserve is what it owns.
        let (mut net, mut long) = (vec![0i64; pool.asset_count as usize], vec![0u64; pool.asset_count as usize]);
        for v in self.all_vaults() {
            let vault = self.vault(v.keys.id).await;
            net[vault.asset_index as usize] += vault.exposure;
            long[vault.asset_index as usize] += vault.exposure.max(0) as u64;
        }
        for i in 0..pool.asset_count {
            let h = pool.hedges[i as usize];
            assert_eq!(({ h.net_exposure }, { h.long_exposure }), (net[i as usize], long[i as usize]), "asset {i}: hedge sums");
            if h.is_enabled() {
                assert_eq!(self.balance(pda::custody_reserve(i)).await, { h.owned }, "custody {i}");
                let lock = h.book().locked_for(turbo_math::Exposure(h.net_exposure)).expect("lock").0;
                assert_eq!({ h.locked }, lock, "custody {i}: lock");
            }
        }
        self.assert_every_unit_accounted_for().await;
    }

    /// Every USDC and CRT unit in existence (the mint's supply) sits in an account some
    /// transaction of this test named: nothing was created, destroyed, or sent somewhere no test
    /// can see. With the per-reserve check above it closes the gap where a leak moves the books
    /// and the tokens together (tests review, item 18).
    pub async fn assert_every_unit_accounted_for(&mut self) {
        let known: Vec<Pubkey> = self.bank.known.iter().copied().collect();
        for (mint, name) in [(self.d.usdc_mint, "USDC"), (self.d.crt_mint, "CRT")] {
            let supply = self.supply(mint).await;
            let mut held = 0u128;
            for key in &known {
                let Some(a) = self.account(*key).await else { continue };
                if a.owner != anchor_spl::token::ID || a.data.len() != TokenAccountState::LEN {
                    continue;
                }
                let state = TokenAccountState::unpack(&a.data).expect("token account");
                if state.mint == mint {
                    held += state.amount as u128;
                }
            }
            assert_eq!(held, supply as u128, "{name}: the accounts this test knows hold {held}, the supply is {supply}");
        }
    }

    // --- protocol actions ---

    /// `create_vault` sent at once, without going through the timelock.
    pub async fn create_vault_now(&mut self, id: u16, name: &str, symbol: &str, asset: Asset, params: VaultParams, seed: u64) -> Outcome {
        self.send_create_vault(id, name, symbol, asset, params, seed, None).await
    }

    /// Create a vault as the admin: at once while nobody else has money in, or else through the
    /// timelock (queue, wait the delay with every feed kept fresh, then create).
    pub async fn create_vault(&mut self, id: u16, name: &str, symbol: &str, asset: Asset, params: VaultParams, seed: u64) -> Outcome {
        if !self.pool().await.is_launched() {
            return self.create_vault_now(id, name, symbol, asset, params, seed).await;
        }
        let args = self.create_vault_args(id, name, symbol, asset, params, seed);
        let change = turbo::state::Change::CreateVault { vault_id: id, args_hash: args.hash().expect("hash") };
        let pending = self.queue(change, None).await;
        self.wait_timelock().await;
        self.send_create_vault(id, name, symbol, asset, params, seed, Some(pending)).await
    }

    fn create_vault_args(&self, id: u16, name: &str, symbol: &str, asset: Asset, params: VaultParams, seed: u64) -> CreateVaultArgs {
        CreateVaultArgs {
            vault_id: id,
            name: name.into(),
            symbol: symbol.into(),
            uri: format!("https://turbo.example/{symbol}.json"),
            feed_id: self.feed(asset).quote.feed_id,
            params,
            seed_usdc: seed,
        }
    }

    #[allow(clippy::too_many_arguments)]
    async fn send_create_vault(
        &mut self,
        id: u16,
        name: &str,
        symbol: &str,
        asset: Asset,
        params: VaultParams,
        seed: u64,
        pending: Option<u32>,
    ) -> Outcome {
        let admin_usdc = pda::ata(&self.admin.pubkey(), &self.d.usdc_mint);
        let admin = self.admin.pubkey();
        assert_ok(&self.bank.fund(&admin, seed, 0).await);
        let price = self.feed(asset).account;
        let args = self.create_vault_args(id, name, symbol, asset, params, seed);
        let ix = ix::create_vault(&self.d, self.admin.pubkey(), admin_usdc, price, pending, args);
        let out = self.send(&[ix], &[]).await;
        if out.result.is_ok() {
            self.vaults.push(PricedVault { keys: VaultKeys::new(id), price });
        }
        out
    }

    // --- the timelock ---

    /// Queue `change` as the admin; returns its id.
    pub async fn queue(&mut self, change: turbo::state::Change, vault: Option<Pubkey>) -> u32 {
        let id = self.config().await.next_change_id;
        assert_ok(&self.send(&[ix::queue_change(self.admin.pubkey(), id, change, vault)], &[]).await);
        id
    }

    /// Let the timelock's delay pass, republishing every feed so prices stay fresh.
    pub async fn wait_timelock(&mut self) {
        let delay = self.config().await.params.timelock_secs as i64;
        self.tick(delay);
    }

    /// Queue `change`, wait the delay, and execute it (a parameter change).
    pub async fn through_timelock(&mut self, change: turbo::state::Change, vault: Option<Pubkey>) -> Outcome {
        let id = self.queue(change, vault).await;
        self.wait_timelock().await;
        let admin = self.admin.pubkey();
        self.send(&[ix::execute_change(admin, admin, id, &change)], &[]).await
    }

    /// Simulate `ixs` against the bank's current state without landing them.
    pub async fn simulate(&mut self, ixs: &[Instruction], signers: &[&Keypair]) -> Outcome {
        use turbo_sdk::chain::Chain;
        self.bank.simulate(ixs, signers).await.expect("bank reachable")
    }

    /// The registered vaults, each valued at the price account `price_for` picks for it.
    pub fn vaults_priced(&self, price_for: impl Fn(&PricedVault) -> Pubkey) -> Vec<PricedVault> {
        self.vaults.iter().map(|v| PricedVault { keys: v.keys, price: price_for(v) }).collect()
    }

    /// An LP deposit that values the vaults as `vaults` says (each with its price account).
    pub fn deposit_liquidity_ix(&self, lp: &User, amount: u64, vaults: &[PricedVault]) -> Instruction {
        ix::deposit_liquidity(
            &self.d,
            lp.pubkey(),
            lp.usdc,
            lp.lp(),
            vaults,
            DepositLiquidityArgs { usdc_amount: amount, min_shares_out: 0 },
        )
    }

    /// An LP withdrawal that values the vaults as `vaults` says.
    pub fn withdraw_liquidity_ix(&self, lp: &User, shares: u64, vaults: &[PricedVault]) -> Instruction {
        self.withdraw_ix(lp, shares, vaults, false)
    }

    fn withdraw_ix(&self, lp: &User, shares: u64, vaults: &[PricedVault], allow_unpriced: bool) -> Instruction {
        let args = WithdrawLiquidityArgs { shares, min_usdc_out: 0, min_crt_out: 0, allow_unpriced };
        ix::withdraw_liquidity(&self.d, lp.pubkey(), lp.lp(), lp.usdc, Some(lp.crt), vaults, args)
    }

    /// Simulate every candidate transaction signed by `signer` and return the index and score of
    /// the best one the program accepts, or `None` when it refuses them all: the attacker's
    /// choice among the updates it holds.
    pub async fn best(
        &mut self,
        candidates: &[Vec<Instruction>],
        signer: &Keypair,
        score: impl Fn(&Outcome) -> i128,
    ) -> Option<(usize, i128)> {
        let mut best: Option<(usize, i128)> = None;
        for (i, ixs) in candidates.iter().enumerate() {
            let o = self.simulate(ixs, &[signer]).await;
            if o.result.is_ok() {
                let s = score(&o);
                if best.is_none_or(|(_, b)| s > b) {
                    best = Some((i, s));
                }
            }
        }
        best
    }

    /// An LP withdrawal that asks for feeds stale past their maximum age to be valued unpriced.
    pub fn withdraw_liquidity_unpriced_ix(&self, lp: &User, shares: u64, vaults: &[PricedVault]) -> Instruction {
        self.withdraw_ix(lp, shares, vaults, true)
    }

    /// A mint of vault `id` priced by the asset price account `price` (the user's token account
    /// must exist).
    pub fn mint_ix_at(&self, user: &User, id: u16, usdc: u64, price: Pubkey) -> Instruction {
        let v = PricedVault { price, ..self.v(id) };
        ix::mint(&self.d, &v, &user.accounts(&v), MintArgs { usdc_amount: usdc, crt_amount: 0, min_tokens_out: 0 })
    }

    /// A redeem of vault `id` priced by the asset price account `price`.
    pub fn redeem_ix_at(&self, user: &User, id: u16, amount: u64, price: Pubkey) -> Instruction {
        let v = PricedVault { price, ..self.v(id) };
        ix::redeem(&self.d, &v, &user.accounts(&v), RedeemArgs { amount, min_usdc_out: 0, min_crt_out: 0 })
    }

    /// A rebalance of vault `id` by the fixture's keeper, priced by `price`.
    pub fn rebalance_ix_at(&self, id: u16, price: Pubkey) -> (Instruction, Keypair) {
        let v = PricedVault { price, ..self.v(id) };
        let keeper = self.keeper.as_ref().expect("deployed fixture has a keeper");
        (ix::rebalance(&self.d, &v, keeper.pubkey(), Some(keeper.usdc)), keeper.key.insecure_clone())
    }

    pub async fn deposit_liquidity(&mut self, lp: &User, amount: u64) -> Outcome {
        let ix = ix::deposit_liquidity(
            &self.d,
            lp.pubkey(),
            lp.usdc,
            lp.lp(),
            &self.vaults,
            DepositLiquidityArgs { usdc_amount: amount, min_shares_out: 0 },
        );
        self.send(&[ix], &[&lp.key]).await
    }

    pub async fn withdraw_liquidity(&mut self, lp: &User, shares: u64) -> Outcome {
        let ix = ix::withdraw_liquidity(
            &self.d,
            lp.pubkey(),
            lp.lp(),
            lp.usdc,
            Some(lp.crt),
            &self.vaults,
            WithdrawLiquidityArgs { shares, min_usdc_out: 0, min_crt_out: 0, allow_unpriced: false },
        );
        self.send(&[ix], &[&lp.key]).await
    }

    /// Mint `vault`'s token with `usdc` (and `crt`), opening the user's token account first.
    pub async fn mint(&mut self, user: &User, id: u16, usdc: u64, crt: u64, min_out: u64) -> Outcome {
        let v = self.v(id);
        self.open_token_account(user, &v).await;
        let ix = ix::mint(&self.d, &v, &user.accounts(&v), MintArgs { usdc_amount: usdc, crt_amount: crt, min_tokens_out: min_out });
        self.send(&[ix], &[&user.key]).await
    }

    /// The mint instruction, for tests that tamper with it before sending.
    pub async fn mint_ix(&mut self, user: &User, id: u16, usdc: u64, crt: u64, min_out: u64) -> Instruction {
        let v = self.v(id);
        self.open_token_account(user, &v).await;
        ix::mint(&self.d, &v, &user.accounts(&v), MintArgs { usdc_amount: usdc, crt_amount: crt, min_tokens_out: min_out })
    }

    pub fn redeem_ix(&self, user: &User, id: u16, amount: u64) -> Instruction {
        let v = self.v(id);
        ix::redeem(&self.d, &v, &user.accounts(&v), RedeemArgs { amount, min_usdc_out: 0, min_crt_out: 0 })
    }

    pub async fn redeem(&mut self, user: &User, id: u16, amount: u64) -> Outcome {
        let v = self.v(id);
        let ix = ix::redeem(&self.d, &v, &user.accounts(&v), RedeemArgs { amount, min_usdc_out: 0, min_crt_out: 0 });
        self.send(&[ix], &[&user.key]).await
    }

    /// Rebalance vault `id` as the fixture's keeper, bounty to the keeper's USDC account.
    pub async fn rebalance(&mut self, id: u16) -> Outcome {
        let v = self.v(id);
        let keeper = self.keeper.as_ref().expect("deployed fixture has a keeper");
        let (key, usdc) = (keeper.key.insecure_clone(), keeper.usdc);
        let ix = ix::rebalance(&self.d, &v, key.pubkey(), Some(usdc));
        self.send(&[ix], &[&key]).await
    }

    /// What the next `rebalance` of vault `id` will do, previewed by the SDK on the bank's
    /// current accounts (the program's own `plan`), for the clock of the next transaction.
    pub async fn preview_rebalance(&mut self, id: u16) -> turbo::engine::rebalance::RebalancePlan {
        let v = self.v(id);
        let (config, pool, vault) = (self.config().await, self.pool().await, self.vault(id).await);
        let supply = self.supply(v.keys.mint).await;
        let asset = turbo_sdk::accounts::price_update(&mut self.bank, &v.price).await.expect("the asset's price");
        let crt = turbo_sdk::accounts::price_update(&mut self.bank, &self.d.crt_price).await.expect("CRT's price");
        let at = self.next_at();
        let keeper = self.keeper.as_ref().map(|k| k.pubkey()).unwrap_or_default();
        let call = turbo::engine::rebalance::RebalanceCall { vault: v.keys.vault, keeper, now: at.unix_timestamp, bounty_eligible: true };
        use turbo_sdk::preview::VaultState;
        let p = turbo_sdk::preview::PriceAccounts { asset: Some(&asset), crt: Some(&crt) };
        turbo_sdk::preview::rebalance(VaultState { config: &config, pool: &pool, vault: &vault, key: v.keys.vault, supply }, p, at, &call)
            .expect("plan")
            .plan
    }

    /// The clock the next transaction sees.
    pub fn next_at(&self) -> turbo_sdk::preview::At {
        turbo_sdk::preview::At { unix_timestamp: self.bank.now, slot: self.bank.slot + 1 }
    }

    /// The user's token balance in `vault`.
    pub async fn tokens(&mut self, user: &User, id: u16) -> u64 {
        let mint = self.v(id).keys.mint;
        self.balance(pda::token_2022_ata(&user.pubkey(), &mint)).await
    }
}

/// The default caps with the risk cap and the skew funding off: the fixture's pool, so tests of
/// other mechanisms (exact settlements, bounties, bad debt on large positions) are not moved by
/// them. `risk.rs`, the fuzzer and the preview property test turn them on.
pub fn hard_caps_only() -> turbo::state::PoolCaps {
    turbo::state::PoolCaps { max_daily_loss_bps: 0, funding_max_bps_per_day: 0, ..defaults::pool_caps() }
}

/// The assets of the test deployment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Asset {
    Btc,
    Sol,
    Fet,
    Crt,
}

impl Asset {
    pub fn feed_id(self) -> [u8; 32] {
        feed_id(match self {
            Asset::Btc => BTC_FEED,
            Asset::Sol => SOL_FEED,
            Asset::Fet => FET_FEED,
            Asset::Crt => CRT_FEED,
        })
    }
}

/// A classic SPL token account state, for tests that forge one.
pub fn token_account(mint: Pubkey, owner: Pubkey, amount: u64) -> Account {
    let mut data = vec![0u8; TokenAccountState::LEN];
    TokenAccountState {
        mint,
        owner,
        amount,
        delegate: None.into(),
        state: spl_token_interface::state::AccountState::Initialized,
        is_native: None.into(),
        delegated_amount: 0,
        close_authority: None.into(),
    }
    .pack_into_slice(&mut data);
    Account { lamports: 1_000_000_000, data, owner: anchor_spl::token::ID, executable: false, rent_epoch: 0 }
}

/// Replace every occurrence of `from` in `ix`'s accounts with `to` (an account swap attack).
pub fn swap_account(mut ix: Instruction, from: Pubkey, to: Pubkey) -> Instruction {
    let mut hit = false;
    for m in ix.accounts.iter_mut().filter(|m| m.pubkey == from) {
        m.pubkey = to;
        hit = true;
    }
    assert!(hit, "{from} is not an account of this instruction");
    ix
}
