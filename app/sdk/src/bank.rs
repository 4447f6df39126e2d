//! The in-process bank backend: `solana-program-test` with the Turbo program running natively,
//! and SPL Token, Token-2022 and the associated-token program running as real SBF bytecode.
//! The bank owns its clock, a USDC and a CRT mint it can mint from, and Pyth price accounts it
//! can move. Tests, the CLI demo and keeper tests all drive it through [`Chain`].

use anchor_lang::prelude::Pubkey;
use anchor_lang::solana_program::instruction::Instruction;
use anchor_spl::associated_token::spl_associated_token_account::instruction::create_associated_token_account_idempotent;
use base64::Engine;
use solana_program_test::{processor, ProgramTest, ProgramTestContext};
use solana_sdk::account::{Account, AccountSharedData};
use solana_sdk::account_info::AccountInfo;
use solana_sdk::clock::Clock;
use solana_sdk::entrypoint::ProgramResult;
use solana_sdk::program_pack::Pack;
use solana_sdk::signature::{Keypair, Signer};
use solana_sdk::transaction::Transaction;
use spl_token_interface::state::Mint as MintState;

use crate::accounts::Feeds;
use crate::chain::{signer_set, Chain, ChainError};
use crate::outcome::{Outcome, NATIVE_EVENT_PREFIX};
use crate::pda;
use crate::pyth::{price_account, Quote};

/// Decimals of the bank's USDC.
pub const USDC_DECIMALS: u8 = 6;
/// Decimals of the bank's CRT: 9, so nothing assumes it shares USDC's.
pub const CRT_DECIMALS: u8 = 9;
/// The bank's clock starts here (2023-11-14).
pub const GENESIS_TIME: i64 = 1_700_000_000;

/// Anchor 1.x ties the program id, accounts and data to one lifetime; leak them so a plain
/// function fits `processor!`. Leaking is fine in a test or demo process (docs/toolchain.md).
fn entry(program_id: &Pubkey, accounts: &[AccountInfo], data: &[u8]) -> ProgramResult {
    let program_id: &'static Pubkey = Box::leak(Box::new(*program_id));
    let data: &'static [u8] = Box::leak(data.to_vec().into_boxed_slice());
    let accounts: &'static [AccountInfo<'static>] =
        unsafe { std::mem::transmute(Box::leak(accounts.to_vec().into_boxed_slice()) as &[AccountInfo]) };
    crate::heap::enter(accounts.len());
    let result = turbo::entry(program_id, accounts, data);
    crate::heap::exit(accounts.iter().map(|a| a.key), data);
    result
}

/// The Lazer verifier (docs/decisions.md, "The mainnet price path"), from its published crate,
/// run natively as the Turbo program is, with the same lifetime leak.
fn lazer_entry(program_id: &Pubkey, accounts: &[AccountInfo], data: &[u8]) -> ProgramResult {
    let program_id: &'static Pubkey = Box::leak(Box::new(*program_id));
    let data: &'static [u8] = Box::leak(data.to_vec().into_boxed_slice());
    let accounts: &'static [AccountInfo<'static>] =
        unsafe { std::mem::transmute(Box::leak(accounts.to_vec().into_boxed_slice()) as &[AccountInfo]) };
    pyth_lazer_solana_contract::entry(program_id, accounts, data)
}

/// A Pyth price account the bank controls. `quote` is the feed's price now; `published` is what
/// its sponsored account holds (the same, unless the feed moves on a heartbeat:
/// [`Bank::publish_due`]).
#[derive(Clone, Copy, Debug)]
pub struct LocalFeed {
    pub feed_id: [u8; 32],
    pub account: Pubkey,
    pub quote: Quote,
    pub published: Quote,
}

pub struct Bank {
    pub ctx: ProgramTestContext,
    pub now: i64,
    pub slot: u64,
    /// Mint authority of the bank's USDC and CRT.
    pub mint_authority: Keypair,
    pub usdc_mint: Pubkey,
    pub crt_mint: Pubkey,
    /// A BTC token (8 decimals, standing for cbBTC or wBTC) for a BTC custody; SOL's custody
    /// holds wrapped SOL (the native mint).
    pub btc_mint: Pubkey,
    pub feeds: Vec<LocalFeed>,
    /// The key the bank's Lazer storage trusts (Pyth's signer on a cluster), and the treasury its
    /// verification fee goes to.
    pub lazer_signer: Keypair,
    pub lazer_treasury: Pubkey,
    /// Every address the bank has seen: its own accounts and every account of every transaction
    /// it processed. `solana-program-test` has no account scan, so this is what a local RPC
    /// server answers `getProgramAccounts` and `getTokenAccountsByOwner` from.
    pub known: std::collections::BTreeSet<Pubkey>,
    /// The deployment's address lookup table, once a deployment made one.
    pub lookup_table: Option<Pubkey>,
    /// When `Some`, every transaction [`Bank::send_now`] lands is kept here, so a local node
    /// serving this bank lists its deployment in its history as a cluster would.
    pub journal: Option<Vec<Journaled>>,
}

/// A transaction the bank landed, as a node's history keeps it.
#[derive(Clone, Debug)]
pub struct Journaled {
    pub tx: Transaction,
    pub slot: u64,
    pub time: i64,
    pub outcome: Outcome,
}

impl Bank {
    /// Start a bank with a USDC and a CRT mint and one Pyth account per `(feed id, price)`
    /// (price at exponent −8, published at genesis).
    pub async fn start(feeds: &[([u8; 32], i64)]) -> Bank {
        let mut pt = ProgramTest::new("turbo", turbo::ID, processor!(entry));
        pt.prefer_bpf(false);
        pt.add_program("pyth_lazer_solana_contract", crate::lazer::PROGRAM_ID, processor!(lazer_entry));
        let (lazer_signer, lazer_treasury) = (Keypair::new(), Pubkey::new_unique());
        pt.add_account(
            lazer_treasury,
            Account { lamports: 1_000_000_000, data: vec![], owner: anchor_lang::system_program::ID, executable: false, rent_epoch: 0 },
        );
        let mint_authority = Keypair::new();
        let (usdc_mint, crt_mint, btc_mint) = (Pubkey::new_unique(), Pubkey::new_unique(), Pubkey::new_unique());
        pt.add_account(usdc_mint, mint_account(&mint_authority.pubkey(), USDC_DECIMALS));
        pt.add_account(crt_mint, mint_account(&mint_authority.pubkey(), CRT_DECIMALS));
        pt.add_account(btc_mint, mint_account(&mint_authority.pubkey(), BTC_DECIMALS));
        // The native mint, as every cluster has it: wrapped SOL.
        pt.add_account(NATIVE_MINT, native_mint_account());
        let feeds: Vec<LocalFeed> = feeds
            .iter()
            // At Pyth's sponsored-feed addresses, as on a cluster, so clients find them without
            // being told.
            .map(|(id, price)| LocalFeed {
                feed_id: *id,
                account: crate::pyth::sponsored_feed_address(0, id),
                quote: Quote::new(*id, *price, GENESIS_TIME),
                published: Quote::new(*id, *price, GENESIS_TIME),
            })
            .collect();
        for f in &feeds {
            pt.add_account(f.account, price_account(&f.quote, pyth_solana_receiver_sdk::ID));
        }
        let ctx = pt.start_with_context().await;
        install_event_log();
        let mut known: std::collections::BTreeSet<Pubkey> = feeds.iter().map(|f| f.account).collect();
        known.extend([usdc_mint, crt_mint, btc_mint, NATIVE_MINT, ctx.payer.pubkey(), mint_authority.pubkey(), pda::program_data()]);
        known.extend([crate::lazer::PROGRAM_ID, crate::lazer::STORAGE_ID, lazer_treasury]);
        let mut bank = Bank {
            ctx,
            now: GENESIS_TIME,
            slot: 1,
            mint_authority,
            usdc_mint,
            crt_mint,
            btc_mint,
            feeds,
            lazer_signer,
            lazer_treasury,
            known,
            lookup_table: None,
            journal: None,
        };
        bank.write_clock();
        // The Lazer storage, trusting the bank's signer for a year, managed by the payer.
        let payer = bank.ctx.payer.pubkey();
        let ixs = [
            crate::lazer::initialize_ix(payer, payer, lazer_treasury),
            crate::lazer::trust_ix(payer, bank.lazer_signer.pubkey(), GENESIS_TIME + 365 * 86_400),
        ];
        bank.send_now(&ixs, &[]).await.result.expect("the Lazer storage is set up");
        // The program runs natively, so the bank has no upgradeable-loader accounts for it. Write
        // its ProgramData account, as `solana program deploy` leaves it, with the payer as the
        // upgrade authority: the only key `initialize_config` accepts.
        let authority = bank.ctx.payer.pubkey();
        bank.set_upgrade_authority(authority);
        bank
    }

    /// Make `authority` the program's upgrade authority (the key `initialize_config` accepts).
    pub fn set_upgrade_authority(&mut self, authority: Pubkey) {
        self.ctx.set_account(&pda::program_data(), &AccountSharedData::from(program_data_account(authority)));
    }

    /// Where each feed's price account is, for snapshots and keepers.
    pub fn feed_map(&self) -> Feeds {
        Feeds { overrides: self.feeds.iter().map(|f| (f.feed_id, f.account)).collect(), signed: Vec::new() }
    }

    pub fn feed(&self, feed_id: &[u8; 32]) -> &LocalFeed {
        self.feeds.iter().find(|f| &f.feed_id == feed_id).expect("the bank has this feed")
    }

    fn write_clock(&mut self) {
        self.ctx.set_sysvar(&Clock {
            slot: self.slot,
            epoch_start_timestamp: GENESIS_TIME,
            epoch: 0,
            leader_schedule_epoch: 1,
            unix_timestamp: self.now,
        });
    }

    /// Move the clock forward by `secs`.
    pub fn advance(&mut self, secs: i64) {
        self.now += secs;
        self.write_clock();
    }

    /// Publish `price` (exponent −8) with confidence `conf` for `feed_id` at the current time.
    pub fn set_price(&mut self, feed_id: &[u8; 32], price: i64, conf: u64) {
        let now = self.now;
        let f = self.feeds.iter_mut().find(|f| &f.feed_id == feed_id).expect("the bank has this feed");
        f.quote.price = price;
        f.quote.conf = conf;
        f.quote.publish_time = now;
        f.published = f.quote;
        let (acc, q) = (f.account, f.quote);
        self.write_quote(acc, &q, pyth_solana_receiver_sdk::ID);
    }

    /// Move `feed_id`'s price now without republishing its sponsored account (a feed on a
    /// heartbeat; a signed price service reads `quote`).
    pub fn move_price(&mut self, feed_id: &[u8; 32], price: i64, conf: u64) {
        let now = self.now;
        let f = self.feeds.iter_mut().find(|f| &f.feed_id == feed_id).expect("the bank has this feed");
        f.quote.price = price;
        f.quote.conf = conf;
        f.quote.publish_time = now;
    }

    /// Republish the sponsored accounts as Pyth's sponsored push feeds do: a feed whose account
    /// is `every` seconds old, or whose price moved `deviation_bps` or more from the account's.
    pub fn publish_due(&mut self, every: i64, deviation_bps: u64) {
        let now = self.now;
        for f in self.feeds.clone() {
            let (p, q) = (f.published.price as i128, f.quote.price as i128);
            let moved = (q - p).unsigned_abs() * 10_000 >= deviation_bps as u128 * p.unsigned_abs();
            if now - f.published.publish_time >= every || moved {
                self.set_price(&f.feed_id, f.quote.price, f.quote.conf);
            }
        }
    }

    /// Republish every feed at its current price (Pyth's push feeds stay fresh).
    pub fn refresh_prices(&mut self) {
        for f in self.feeds.clone() {
            self.set_price(&f.feed_id, f.quote.price, f.quote.conf);
        }
    }

    /// Post a new `PriceUpdateV2` account for `feed_id` holding `price` and `conf` published at
    /// `publish_time`, as anyone can through the Pyth receiver (each posted update is its own
    /// account). The bank's own feed account does not change.
    pub fn post_update(&mut self, feed_id: &[u8; 32], price: i64, conf: u64, publish_time: i64) -> Pubkey {
        let account = Pubkey::new_unique();
        let q = Quote { price, conf, publish_time, ..Quote::new(*feed_id, price, publish_time) };
        self.write_quote(account, &q, pyth_solana_receiver_sdk::ID);
        account
    }

    /// Overwrite any price account with any quote and owner (attacks and edge cases).
    pub fn write_quote(&mut self, account: Pubkey, q: &Quote, owner: Pubkey) {
        self.known.insert(account);
        self.ctx.set_account(&account, &AccountSharedData::from(price_account(q, owner)));
    }

    /// Give `owner` SOL for fees, USDC, CRT and LP token accounts, and mint it `usdc` and `crt`.
    pub async fn fund(&mut self, owner: &Pubkey, usdc: u64, crt: u64) -> Outcome {
        let payer = self.ctx.payer.pubkey();
        let mut ixs = vec![solana_system_interface::instruction::transfer(&payer, owner, 1_000_000_000)];
        for (mint, amount) in [(self.usdc_mint, usdc), (self.crt_mint, crt)] {
            ixs.push(create_associated_token_account_idempotent(&payer, owner, &mint, &anchor_spl::token::ID));
            if amount > 0 {
                ixs.push(
                    spl_token_interface::instruction::mint_to(
                        &anchor_spl::token::ID,
                        &mint,
                        &pda::ata(owner, &mint),
                        &self.mint_authority.pubkey(),
                        &[],
                        amount,
                    )
                    .expect("mint_to"),
                );
            }
        }
        let auth = self.mint_authority.insecure_clone();
        let signers: &[&Keypair] = if usdc > 0 || crt > 0 { &[&auth] } else { &[] };
        self.send_now(&ixs, signers).await
    }

    /// Give `owner` `amount` raw units of a custody's token in its associated account: the BTC
    /// token minted, or SOL wrapped (transferred in and synced). Returns the account.
    pub async fn fund_asset(&mut self, owner: &Pubkey, mint: &Pubkey, amount: u64) -> (Pubkey, Outcome) {
        let payer = self.ctx.payer.pubkey();
        let account = pda::ata(owner, mint);
        let mut ixs = vec![
            solana_system_interface::instruction::transfer(&payer, owner, 1_000_000_000),
            create_associated_token_account_idempotent(&payer, owner, mint, &anchor_spl::token::ID),
        ];
        let auth = self.mint_authority.insecure_clone();
        let signers: &[&Keypair] = if *mint == NATIVE_MINT {
            ixs.push(solana_system_interface::instruction::transfer(&payer, &account, amount));
            ixs.push(spl_token_interface::instruction::sync_native(&anchor_spl::token::ID, &account).expect("sync_native"));
            &[]
        } else {
            ixs.push(
                spl_token_interface::instruction::mint_to(&anchor_spl::token::ID, mint, &account, &auth.pubkey(), &[], amount)
                    .expect("mint_to"),
            );
            &[&auth]
        };
        let out = self.send_now(&ixs, signers).await;
        (account, out)
    }

    /// Move to the next slot without sending anything (the clock's time does not move).
    pub fn next_slot(&mut self) {
        self.slot += 1;
        self.ctx.warp_to_slot(self.slot).expect("warp forward");
        self.write_clock();
    }

    /// Send in a fresh slot a v0 transaction paid by `payer` (and signed by `signers`) that names
    /// what it can through the lookup table `table`. Returns its size in bytes and what it did.
    pub async fn send_v0(&mut self, ixs: &[Instruction], payer: &Keypair, signers: &[&Keypair], table: Pubkey) -> (usize, Outcome) {
        use solana_sdk::message::{v0, AddressLookupTableAccount, VersionedMessage};
        let acc = self.ctx.banks_client.get_account(table).await.expect("bank reachable").expect("the lookup table exists");
        let addresses = crate::lookup::addresses(&acc).expect("a lookup table");
        self.next_slot();
        let tables = [AddressLookupTableAccount { key: table, addresses }];
        let message = v0::Message::try_compile(&payer.pubkey(), ixs, &tables, self.ctx.last_blockhash).expect("the message compiles");
        let tx = solana_sdk::transaction::VersionedTransaction::try_new(VersionedMessage::V0(message), &signer_set(payer, signers))
            .expect("every signer signs");
        let size = bincode::serialize(&tx).expect("serializes").len();
        self.known.extend(ixs.iter().flat_map(|ix| ix.accounts.iter().map(|a| a.pubkey)));
        let r = self.ctx.banks_client.process_transaction_with_metadata(tx).await.expect("bank reachable");
        let (logs, compute_units) = r.metadata.map(|m| (m.log_messages, m.compute_units_consumed)).unwrap_or_default();
        (size, Outcome { result: r.result, logs, compute_units })
    }

    /// Send in a fresh slot, signed by the payer and `signers`.
    pub async fn send_now(&mut self, ixs: &[Instruction], signers: &[&Keypair]) -> Outcome {
        self.next_slot();
        let payer = self.ctx.payer.insecure_clone();
        let tx = Transaction::new_signed_with_payer(ixs, Some(&payer.pubkey()), &signer_set(&payer, signers), self.ctx.last_blockhash);
        self.known.extend(tx.message.account_keys.iter().copied());
        let r = self.ctx.banks_client.process_transaction_with_metadata(tx.clone()).await.expect("bank reachable");
        let (logs, compute_units) = r.metadata.map(|m| (m.log_messages, m.compute_units_consumed)).unwrap_or_default();
        let outcome = Outcome { result: r.result, logs, compute_units };
        if let Some(j) = &mut self.journal {
            j.push(Journaled { tx, slot: self.slot, time: self.now, outcome: outcome.clone() });
        }
        outcome
    }
}

impl Chain for Bank {
    fn payer(&self) -> Pubkey {
        self.ctx.payer.pubkey()
    }

    async fn account(&mut self, key: &Pubkey) -> Result<Option<Account>, ChainError> {
        self.ctx.banks_client.get_account(*key).await.map_err(|e| ChainError::Bank(e.to_string()))
    }

    async fn clock(&mut self) -> Result<Clock, ChainError> {
        Ok(Clock { slot: self.slot, unix_timestamp: self.now, epoch_start_timestamp: GENESIS_TIME, epoch: 0, leader_schedule_epoch: 1 })
    }

    async fn send(&mut self, ixs: &[Instruction], signers: &[&Keypair]) -> Result<Outcome, ChainError> {
        Ok(self.send_now(ixs, signers).await)
    }

    /// Simulate in a fresh slot with its own blockhash, as [`Bank::send_now`] sends: a simulation
    /// of the message that just landed is then a new transaction, never `AlreadyProcessed`. A
    /// simulation that returns no result is an error, not a success.
    async fn simulate(&mut self, ixs: &[Instruction], signers: &[&Keypair]) -> Result<Outcome, ChainError> {
        self.next_slot();
        let payer = self.ctx.payer.insecure_clone();
        let tx = Transaction::new_signed_with_payer(ixs, Some(&payer.pubkey()), &signer_set(&payer, signers), self.ctx.last_blockhash);
        let r = self.ctx.banks_client.simulate_transaction(tx).await.map_err(|e| ChainError::Bank(e.to_string()))?;
        let (logs, compute_units) = r.simulation_details.map(|d| (d.logs, d.units_consumed)).unwrap_or_default();
        let result = r.result.ok_or_else(|| ChainError::Bank("the simulation returned no result".into()))?;
        Ok(Outcome { result, logs, compute_units })
    }
}

/// The upgradeable loader's ProgramData header for a program whose upgrade authority is
/// `authority` (the bytecode that follows it on a cluster is not needed here).
fn program_data_account(authority: Pubkey) -> Account {
    use anchor_lang::solana_program::bpf_loader_upgradeable::{UpgradeableLoaderState, ID};
    let state = UpgradeableLoaderState::ProgramData { slot: 0, upgrade_authority_address: Some(authority) };
    let data = bincode::serialize(&state).expect("serialize ProgramData");
    Account { lamports: 1_000_000_000, data, owner: ID, executable: false, rent_epoch: 0 }
}

/// The native mint's address (wrapped SOL, 9 decimals).
pub const NATIVE_MINT: Pubkey = anchor_lang::prelude::pubkey!("So11111111111111111111111111111111111111112");
/// The bank's BTC token's decimals (cbBTC and wBTC have 8).
pub const BTC_DECIMALS: u8 = 8;

fn native_mint_account() -> Account {
    let mut data = vec![0u8; MintState::LEN];
    MintState { mint_authority: None.into(), supply: 0, decimals: 9, is_initialized: true, freeze_authority: None.into() }
        .pack_into_slice(&mut data);
    Account { lamports: 1_000_000_000, data, owner: anchor_spl::token::ID, executable: false, rent_epoch: 0 }
}

fn mint_account(authority: &Pubkey, decimals: u8) -> Account {
    let mut data = vec![0u8; MintState::LEN];
    MintState { mint_authority: Some(*authority).into(), supply: 0, decimals, is_initialized: true, freeze_authority: None.into() }
        .pack_into_slice(&mut data);
    Account { lamports: 1_000_000_000, data, owner: anchor_spl::token::ID, executable: false, rent_epoch: 0 }
}

/// Wrap solana-program-test's syscall stubs so that `sol_log_data` from the natively running
/// program lands in the transaction's log (as `Program log: data: <base64>`), like the
/// `Program data:` line the SBF runtime writes. Everything else is delegated unchanged.
pub fn install_event_log() {
    use anchor_lang::compat::solana_sysvar::program_stubs::{set_syscall_stubs, SyscallStubs};
    use std::sync::Once;
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        struct EventLog(std::sync::RwLock<Option<Box<dyn SyscallStubs>>>);
        macro_rules! inner {
            ($s:expr) => {
                $s.0.read().unwrap().as_ref().expect("inner stubs")
            };
        }
        use anchor_lang::solana_program::account_info::AccountInfo;
        use anchor_lang::solana_program::instruction::Instruction;
        use anchor_lang::solana_program::pubkey::Pubkey;
        impl SyscallStubs for EventLog {
            fn sol_log(&self, m: &str) {
                crate::heap::paused(|| inner!(self).sol_log(m))
            }
            fn sol_log_compute_units(&self) {
                crate::heap::paused(|| inner!(self).sol_log_compute_units())
            }
            fn sol_remaining_compute_units(&self) -> u64 {
                inner!(self).sol_remaining_compute_units()
            }
            fn sol_invoke_signed(
                &self,
                i: &Instruction,
                a: &[AccountInfo],
                s: &[&[&[u8]]],
            ) -> Result<(), anchor_lang::solana_program::program_error::ProgramError> {
                crate::heap::cpi_copy(i);
                crate::heap::paused(|| inner!(self).sol_invoke_signed(i, a, s))
            }
            fn sol_get_sysvar(&self, id: *const u8, v: *mut u8, o: u64, l: u64) -> u64 {
                crate::heap::paused(|| inner!(self).sol_get_sysvar(id, v, o, l))
            }
            fn sol_get_clock_sysvar(&self, v: *mut u8) -> u64 {
                crate::heap::paused(|| inner!(self).sol_get_clock_sysvar(v))
            }
            fn sol_get_epoch_schedule_sysvar(&self, v: *mut u8) -> u64 {
                inner!(self).sol_get_epoch_schedule_sysvar(v)
            }
            fn sol_get_fees_sysvar(&self, v: *mut u8) -> u64 {
                inner!(self).sol_get_fees_sysvar(v)
            }
            fn sol_get_rent_sysvar(&self, v: *mut u8) -> u64 {
                crate::heap::paused(|| inner!(self).sol_get_rent_sysvar(v))
            }
            fn sol_get_epoch_rewards_sysvar(&self, v: *mut u8) -> u64 {
                inner!(self).sol_get_epoch_rewards_sysvar(v)
            }
            fn sol_get_last_restart_slot(&self, v: *mut u8) -> u64 {
                inner!(self).sol_get_last_restart_slot(v)
            }
            fn sol_get_epoch_stake(&self, v: *const u8) -> u64 {
                inner!(self).sol_get_epoch_stake(v)
            }
            unsafe fn sol_memcpy(&self, d: *mut u8, s: *const u8, n: usize) {
                unsafe { inner!(self).sol_memcpy(d, s, n) }
            }
            unsafe fn sol_memmove(&self, d: *mut u8, s: *const u8, n: usize) {
                unsafe { inner!(self).sol_memmove(d, s, n) }
            }
            unsafe fn sol_memcmp(&self, a: *const u8, b: *const u8, n: usize, r: *mut i32) {
                unsafe { inner!(self).sol_memcmp(a, b, n, r) }
            }
            unsafe fn sol_memset(&self, s: *mut u8, c: u8, n: usize) {
                unsafe { inner!(self).sol_memset(s, c, n) }
            }
            fn sol_get_return_data(&self) -> Option<(Pubkey, Vec<u8>)> {
                inner!(self).sol_get_return_data()
            }
            fn sol_set_return_data(&self, d: &[u8]) {
                inner!(self).sol_set_return_data(d)
            }
            fn sol_log_data(&self, fields: &[&[u8]]) {
                crate::heap::paused(|| {
                    let b64: Vec<String> = fields.iter().map(|f| base64::engine::general_purpose::STANDARD.encode(f)).collect();
                    debug_assert!(NATIVE_EVENT_PREFIX.ends_with("data: "));
                    inner!(self).sol_log(&format!("data: {}", b64.join(" ")))
                })
            }
            fn sol_get_processed_sibling_instruction(&self, i: usize) -> Option<Instruction> {
                inner!(self).sol_get_processed_sibling_instruction(i)
            }
            fn sol_get_stack_height(&self) -> u64 {
                inner!(self).sol_get_stack_height()
            }
        }
        let wrapper = Box::new(EventLog(std::sync::RwLock::new(None)));
        // Install a placeholder, take program-test's stubs out, then put the wrapper around them.
        let ptr: *const EventLog = &*wrapper;
        let inner = set_syscall_stubs(wrapper);
        // SAFETY: the wrapper now lives in the global stubs slot for the rest of the process.
        unsafe { *(*ptr).0.write().unwrap() = Some(inner) };
    });
}
