//! `turbo localnet`: the in-process bank behind the standard Solana JSON-RPC over HTTP.
//!
//! The bank is Agave's runtime from `solana-program-test`: SPL Token, Token-2022 and the ATA
//! program run as real SBF bytecode and Turbo runs natively (docs/toolchain.md). The node starts
//! it, applies `migrations/localnet.toml` through the SDK's deployer, and then serves the methods
//! the Solana Rust and TypeScript clients and wallets use, with the Solana crates' own request,
//! response and encoding types. Its clock follows the wall clock (or a price file replayed at a
//! chosen speed), and it republishes every Pyth price account each second so users' prices stay
//! fresh. State lives in memory only.
//!
//! One task owns the bank (an actor); HTTP requests and the clock's ticks reach it as messages,
//! so every request sees a consistent state and transactions land one at a time, each in its own
//! slot.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use anchor_lang::prelude::Pubkey;
use anchor_lang::Discriminator;
use axum::extract::State;
use axum::routing::post;
use axum::{Json, Router};
use base64::Engine;
use pyth_lazer_protocol::api::{Format, JsonBinaryData, JsonBinaryEncoding, JsonUpdate, LatestPriceRequestRepr};
use serde_json::{json, Value};
use solana_account_decoder::parse_account_data::{AccountAdditionalDataV3, SplTokenAdditionalDataV2};
use solana_account_decoder::parse_token::token_amount_to_ui_amount_v3;
use solana_account_decoder::{encode_ui_account, UiAccountEncoding};
use solana_rpc_client_api::config::{
    RpcAccountInfoConfig, RpcProgramAccountsConfig, RpcSendTransactionConfig, RpcSignaturesForAddressConfig, RpcSimulateTransactionConfig,
    RpcTokenAccountsFilter, RpcTransactionConfig,
};
use solana_rpc_client_api::filter::RpcFilterType;
use solana_rpc_client_api::response::{
    Response, RpcBlockhash, RpcConfirmedTransactionStatusWithSignature, RpcKeyedAccount, RpcPrioritizationFee, RpcResponseContext,
    RpcSimulateTransactionResult, RpcVersionInfo,
};
use solana_sdk::account::Account;
use solana_sdk::hash::Hash;
use solana_sdk::message::VersionedMessage;
use solana_sdk::signature::{Signature, Signer};
use solana_sdk::transaction::{TransactionError, VersionedTransaction};
use solana_transaction_status_client_types::{
    EncodedConfirmedTransactionWithStatusMeta, EncodedTransaction, EncodedTransactionWithStatusMeta, TransactionBinaryEncoding,
    TransactionConfirmationStatus, TransactionStatus, UiTransactionEncoding, UiTransactionReturnData, UiTransactionStatusMeta,
};
use tokio::sync::{mpsc, oneshot};
use turbo_sdk::bank::Bank;
use turbo_sdk::series::PricePoint;

/// How `turbo localnet` runs.
#[derive(Debug)]
pub struct Options {
    pub addr: SocketAddr,
    /// Price files to replay, by asset symbol (BTC, SOL, FET), and bank seconds per wall second.
    pub replay: Vec<(String, Vec<PricePoint>)>,
    pub speed: f64,
    /// Print one line per transaction.
    pub log: bool,
    /// The deployer (admin and upgrade authority); default the bank's own payer.
    pub deployer: Option<solana_sdk::signature::Keypair>,
    /// A built web app (`app/web/dist`) to serve beside the JSON-RPC: `GET /` and its files.
    pub web: Option<std::path::PathBuf>,
    /// How the sponsored price accounts move: every this many seconds, or on a 0.5% move (Pyth's
    /// push feeds on mainnet: 60); 1 republishes every feed each second.
    pub sponsored_every: i64,
    /// A `turbo-indexer` following the node, reported to clients in `turboLocalEnv`.
    pub indexer: Option<String>,
}

/// Pyth's sponsored feeds republish on a move of this much, whatever the heartbeat.
pub const SPONSORED_DEVIATION_BPS: u64 = 50;

/// A processed transaction, as `getTransaction` and the status methods report it.
struct Landed {
    slot: u64,
    time: i64,
    tx: VersionedTransaction,
    result: Result<(), TransactionError>,
    logs: Vec<String>,
    units: u64,
    fee: u64,
    pre_balances: Vec<u64>,
    post_balances: Vec<u64>,
    return_data: Option<UiTransactionReturnData>,
    priority_fee: u64,
    /// What a v0 transaction named through lookup tables: writable, then read-only.
    loaded: (Vec<Pubkey>, Vec<Pubkey>),
}

impl Landed {
    /// Every account the transaction named, as Agave orders them: its own keys, then those it
    /// loaded from tables, writable before read-only.
    fn keys(&self) -> Vec<Pubkey> {
        all_keys(&self.tx, &self.loaded)
    }
}

/// A transaction's own keys, then those it loaded from tables, writable before read-only.
fn all_keys(tx: &VersionedTransaction, loaded: &(Vec<Pubkey>, Vec<Pubkey>)) -> Vec<Pubkey> {
    let mut keys = tx.message.static_account_keys().to_vec();
    keys.extend(loaded.0.iter().chain(&loaded.1));
    keys
}

/// The node's state: the bank and what it has seen.
pub struct Node {
    bank: Bank,
    landed: HashMap<Signature, Landed>,
    /// Signatures touching each address, newest last.
    by_address: HashMap<Pubkey, Vec<Signature>>,
    /// Blockhashes handed out, with the slot they were current in.
    blockhashes: VecDeque<(Hash, u64)>,
    replay: Vec<(String, Vec<PricePoint>, usize)>,
    replay_start: i64,
    log: bool,
    sponsored_every: i64,
    /// Pyth Pro feed id → the deployment's feed id, from the manifest's signed feeds.
    signed_feeds: Vec<(u32, [u8; 32])>,
    /// A `turbo-indexer` following this node, if one was named.
    pub indexer: Option<String>,
}

enum Msg {
    Rpc(Value, oneshot::Sender<Value>),
    /// `POST /v1/latest_price` of the local price service.
    LatestPrice(LatestPriceRequestRepr, oneshot::Sender<Result<JsonUpdate, String>>),
    /// The wall clock moved by this many seconds.
    Tick(i64),
}

/// A JSON-RPC error: code and message (the spec's error object).
struct RpcErr(i64, String, Option<Value>);

type RpcResult = Result<Value, RpcErr>;

fn invalid(msg: impl Into<String>) -> RpcErr {
    RpcErr(-32602, msg.into(), None)
}

fn to_value<T: serde::Serialize>(v: T) -> RpcResult {
    serde_json::to_value(v).map_err(|e| RpcErr(-32603, e.to_string(), None))
}

fn param<T: serde::de::DeserializeOwned + Default>(params: &[Value], i: usize) -> Result<T, RpcErr> {
    match params.get(i) {
        None | Some(Value::Null) => Ok(T::default()),
        Some(v) => serde_json::from_value(v.clone()).map_err(|e| invalid(format!("param {i}: {e}"))),
    }
}

fn required<T: serde::de::DeserializeOwned>(params: &[Value], i: usize) -> Result<T, RpcErr> {
    let v = params.get(i).ok_or_else(|| invalid(format!("missing param {i}")))?;
    serde_json::from_value(v.clone()).map_err(|e| invalid(format!("param {i}: {e}")))
}

fn pubkey(params: &[Value], i: usize) -> Result<Pubkey, RpcErr> {
    let s: String = required(params, i)?;
    s.parse().map_err(|_| invalid(format!("invalid pubkey {s}")))
}

/// The name of a Turbo instruction from its discriminator, for the node's log.
fn turbo_instruction(data: &[u8]) -> &'static str {
    use turbo::instruction as i;
    let table: &[(&[u8], &str)] = &[
        (i::InitializeConfig::DISCRIMINATOR, "initialize_config"),
        (i::UpdateConfig::DISCRIMINATOR, "update_config"),
        (i::ProposeAdmin::DISCRIMINATOR, "propose_admin"),
        (i::AcceptAdmin::DISCRIMINATOR, "accept_admin"),
        (i::SetPause::DISCRIMINATOR, "set_pause"),
        (i::InitializePool::DISCRIMINATOR, "initialize_pool"),
        (i::UpdatePool::DISCRIMINATOR, "update_pool"),
        (i::CreateVault::DISCRIMINATOR, "create_vault"),
        (i::UpdateVault::DISCRIMINATOR, "update_vault"),
        (i::QueueChange::DISCRIMINATOR, "queue_change"),
        (i::ExecuteChange::DISCRIMINATOR, "execute_change"),
        (i::CancelChange::DISCRIMINATOR, "cancel_change"),
        (i::WithdrawFees::DISCRIMINATOR, "withdraw_fees"),
        (i::DepositLiquidity::DISCRIMINATOR, "deposit_liquidity"),
        (i::WithdrawLiquidity::DISCRIMINATOR, "withdraw_liquidity"),
        (i::Mint::DISCRIMINATOR, "mint"),
        (i::Redeem::DISCRIMINATOR, "redeem"),
        (i::Rebalance::DISCRIMINATOR, "rebalance"),
        (i::RetireVault::DISCRIMINATOR, "retire_vault"),
        (i::Quote::DISCRIMINATOR, "quote"),
        (i::QuotePool::DISCRIMINATOR, "quote_pool"),
    ];
    table.iter().find(|(d, _)| data.starts_with(d)).map_or("unknown", |(_, n)| n)
}

/// What a transaction does, in a word or two: its Turbo instructions, else its programs.
fn describe(tx: &VersionedTransaction) -> String {
    let keys = tx.message.static_account_keys();
    let names: Vec<String> = tx
        .message
        .instructions()
        .iter()
        .filter_map(|ix| {
            let program = keys.get(ix.program_id_index as usize)?;
            Some(if *program == turbo::ID {
                turbo_instruction(&ix.data).to_string()
            } else if *program == anchor_spl::token::ID {
                "spl-token".into()
            } else if *program == anchor_spl::token_2022::ID {
                "token-2022".into()
            } else if *program == anchor_spl::associated_token::ID {
                "create-ata".into()
            } else if *program == solana_system_interface::program::ID {
                "system".into()
            } else if *program == solana_compute_budget_interface::ID {
                return None;
            } else {
                program.to_string()
            })
        })
        .collect();
    names.join("+")
}

/// The compute-unit price a transaction sets, micro-lamports (0 without one).
fn priority_fee(tx: &VersionedTransaction) -> u64 {
    let keys = tx.message.static_account_keys();
    tx.message
        .instructions()
        .iter()
        .filter(|ix| keys.get(ix.program_id_index as usize) == Some(&solana_compute_budget_interface::ID))
        // `SetComputeUnitPrice` is tag 3 and a little-endian u64.
        .filter_map(|ix| match ix.data.as_slice() {
            [3, rest @ ..] if rest.len() == 8 => rest.try_into().ok().map(u64::from_le_bytes),
            _ => None,
        })
        .next_back()
        .unwrap_or(0)
}

/// Solana's packet: no transaction is larger (`PACKET_DATA_SIZE`).
const PACKET_BYTES: usize = turbo_sdk::chain::PACKET_BYTES;

/// Decode a sent or simulated transaction, refusing one over the packet as Agave's RPC does
/// (first by its encoded length, then by its bytes), so a client that works here works there.
fn decode_tx(encoded: &str, encoding: Option<UiTransactionEncoding>) -> Result<VersionedTransaction, RpcErr> {
    const TYPE: &str = "solana_transaction::versioned::VersionedTransaction";
    let (name, max_encoded) = match encoding.unwrap_or(UiTransactionEncoding::Base58) {
        UiTransactionEncoding::Base58 => ("base58", 1683),
        UiTransactionEncoding::Base64 => ("base64", 1644),
        other => return Err(invalid(format!("unsupported encoding {other:?}"))),
    };
    if encoded.len() > max_encoded {
        return Err(invalid(format!(
            "{name} encoded {TYPE} too large: {} bytes (max: encoded/raw {max_encoded}/{PACKET_BYTES})",
            encoded.len()
        )));
    }
    let bytes = match name {
        "base58" => bs58::decode(encoded).into_vec().map_err(|e| invalid(e.to_string()))?,
        _ => base64::engine::general_purpose::STANDARD.decode(encoded).map_err(|e| invalid(e.to_string()))?,
    };
    if bytes.len() > PACKET_BYTES {
        return Err(invalid(format!("decoded {TYPE} too large: {} bytes (max: {PACKET_BYTES} bytes)", bytes.len())));
    }
    bincode::deserialize(&bytes).map_err(|e| invalid(format!("failed to deserialize the transaction: {e}")))
}

impl Node {
    pub fn new(bank: Bank, replay: Vec<(String, Vec<PricePoint>)>, log: bool, sponsored_every: i64) -> Node {
        let replay_start = bank.now;
        let mut node = Node {
            bank,
            landed: HashMap::new(),
            by_address: HashMap::new(),
            blockhashes: VecDeque::new(),
            replay: replay.into_iter().map(|(s, p)| (s, p, 0)).collect(),
            replay_start,
            log,
            sponsored_every,
            signed_feeds: Vec::new(),
            indexer: None,
        };
        // The deployment's transactions, landed before the node served: its history starts
        // with them, as a cluster's does.
        for j in node.bank.journal.take().unwrap_or_default() {
            let keys = j.tx.message.account_keys.len();
            let fee = 5_000 * j.tx.message.header.num_required_signatures as u64;
            let sig = j.tx.signatures[0];
            let landed = Landed {
                slot: j.slot,
                time: j.time,
                priority_fee: 0,
                tx: j.tx.into(),
                result: j.outcome.result,
                logs: standard_logs(j.outcome.logs),
                units: j.outcome.compute_units,
                fee,
                pre_balances: vec![0; keys],
                post_balances: vec![0; keys],
                return_data: None,
                loaded: (Vec::new(), Vec::new()),
            };
            node.record(sig, landed);
        }
        if let Ok(m) = turbo_sdk::manifest::Manifest::parse(turbo_testkit::localnet::LOCALNET) {
            for f in &m.signed_feeds {
                if let Some(id) = turbo_sdk::pyth::parse_feed_id(&f.feed_id) {
                    node.signed_feeds.push((f.lazer_feed_id, id));
                }
            }
        }
        node.new_slot();
        node
    }

    /// The local price service (docs/clients.md, "Signed prices"): Pyth Pro's `latest_price` in its
    /// wire format, the Solana format signed by the bank's trusted key at the bank's clock, with
    /// each feed's current price (what the replay moved it to, whether or not the sponsored
    /// account has been republished since).
    fn latest_price(&self, req: &LatestPriceRequestRepr) -> Result<JsonUpdate, String> {
        if !req.formats.contains(&Format::Solana) {
            return Err("this price service signs only the solana format".into());
        }
        let ids = req.price_feed_ids.as_ref().ok_or("priceFeedIds is required here")?;
        let mut feeds = Vec::with_capacity(ids.len());
        for id in ids {
            let feed =
                self.signed_feeds.iter().find(|(l, _)| *l == id.0).map(|(_, f)| f).ok_or(format!("unknown price feed id {}", id.0))?;
            let q = self.bank.feed(feed).quote;
            // Pyth Pro cannot carry a confidence of zero (it means "none").
            let exponent = i16::try_from(q.exponent).map_err(|e| e.to_string())?;
            feeds.push(turbo_sdk::lazer::FeedPrice { feed_id: id.0, price: q.price, confidence: q.conf.max(1), exponent });
        }
        let update = turbo_sdk::lazer::Update { timestamp_us: self.bank.now as u64 * turbo_math::signed::MICROS, feeds };
        let message = turbo_sdk::lazer::sign(&self.bank.lazer_signer, &update).map_err(|e| e.to_string())?;
        let data = match req.json_binary_encoding {
            JsonBinaryEncoding::Hex => hex::encode(&message),
            JsonBinaryEncoding::Base64 => base64::engine::general_purpose::STANDARD.encode(&message),
        };
        Ok(JsonUpdate {
            parsed: None,
            evm: None,
            solana: Some(JsonBinaryData { encoding: req.json_binary_encoding, data }),
            le_ecdsa: None,
            le_unsigned: None,
        })
    }

    fn slot(&self) -> u64 {
        self.bank.slot
    }

    fn context(&self) -> RpcResponseContext {
        RpcResponseContext::new(self.slot())
    }

    fn respond<T: serde::Serialize>(&self, value: T) -> RpcResult {
        to_value(Response { context: self.context(), value })
    }

    /// Move to a new slot, with a new blockhash, and remember it.
    fn new_slot(&mut self) {
        self.bank.next_slot();
        self.blockhashes.push_back((self.bank.ctx.last_blockhash, self.bank.slot));
        while self.blockhashes.len() > 300 {
            self.blockhashes.pop_front();
        }
    }

    /// The wall clock moved `secs`: advance the bank's clock (times the replay speed), move
    /// replayed prices, republish every feed, and start a new slot.
    fn tick(&mut self, secs: i64, speed: f64) {
        let dt = ((secs as f64) * speed).round().max(1.0) as i64;
        self.bank.advance(dt);
        let heartbeat = self.sponsored_every > 1;
        if !heartbeat {
            self.bank.refresh_prices();
        }
        let elapsed = self.bank.now - self.replay_start;
        for (symbol, points, at) in &mut self.replay {
            let t0 = points[0].time;
            while *at + 1 < points.len() && points[*at + 1].time - t0 <= elapsed {
                *at += 1;
            }
            let feed = crate::localnet::feed_of(symbol);
            if let Some(feed) = feed {
                let price = points[*at].price;
                if heartbeat {
                    self.bank.move_price(&feed, price, 0);
                } else {
                    self.bank.set_price(&feed, price, 0);
                }
            }
        }
        if heartbeat {
            self.bank.publish_due(self.sponsored_every, SPONSORED_DEVIATION_BPS);
        }
        self.new_slot();
    }

    async fn account(&mut self, key: &Pubkey) -> Option<Account> {
        self.bank.ctx.banks_client.get_account(*key).await.ok().flatten()
    }

    /// What a validator adds to parse a token amount: the mint's decimals and, for Token-2022,
    /// its interest-bearing and ScaledUiAmount configs at the bank's clock (as Agave's RPC does),
    /// so UI amounts show the multiplier after a reverse split.
    async fn token_data(&mut self, account: &Account) -> Option<SplTokenAdditionalDataV2> {
        use anchor_spl::token_2022::spl_token_2022::extension::interest_bearing_mint::InterestBearingConfig;
        use anchor_spl::token_2022::spl_token_2022::extension::scaled_ui_amount::ScaledUiAmountConfig;
        use anchor_spl::token_2022::spl_token_2022::extension::{BaseStateWithExtensions, StateWithExtensions};
        let is_token = account.owner == anchor_spl::token::ID || account.owner == anchor_spl::token_2022::ID;
        if !is_token {
            return None;
        }
        let mint =
            if account.data.len() >= 165 { solana_account_decoder::parse_token::get_token_account_mint(&account.data) } else { None };
        let mint_account = match mint {
            Some(m) => self.account(&m).await?,
            None => account.clone(),
        };
        let state = StateWithExtensions::<anchor_spl::token_2022::spl_token_2022::state::Mint>::unpack(&mint_account.data).ok()?;
        let now = self.bank.now;
        Some(SplTokenAdditionalDataV2 {
            decimals: state.base.decimals,
            interest_bearing_config: state.get_extension::<InterestBearingConfig>().ok().map(|c| (*c, now)),
            scaled_ui_amount_config: state.get_extension::<ScaledUiAmountConfig>().ok().map(|c| (*c, now)),
        })
    }

    async fn encode(&mut self, key: &Pubkey, account: &Account, config: &RpcAccountInfoConfig) -> solana_account_decoder::UiAccount {
        let encoding = config.encoding.unwrap_or(UiAccountEncoding::Binary);
        let additional = if encoding == UiAccountEncoding::JsonParsed {
            self.token_data(account).await.map(|d| AccountAdditionalDataV3 { spl_token_additional_data: Some(d) })
        } else {
            None
        };
        encode_ui_account(key, account, encoding, additional, config.data_slice)
    }

    /// Accounts the node knows of that satisfy `keep`.
    async fn scan(&mut self, keep: impl Fn(&Pubkey, &Account) -> bool) -> Vec<(Pubkey, Account)> {
        let keys: Vec<Pubkey> = self.bank.known.iter().copied().collect();
        let mut out = Vec::new();
        for k in keys {
            if let Some(a) = self.account(&k).await {
                if keep(&k, &a) {
                    out.push((k, a));
                }
            }
        }
        out
    }

    fn record(&mut self, sig: Signature, l: Landed) {
        let keys = l.keys();
        for k in &keys {
            self.by_address.entry(*k).or_default().push(sig);
        }
        self.bank.known.extend(keys);
        if self.log {
            let result = match &l.result {
                Ok(()) => "ok".to_string(),
                Err(e) => match turbo_sdk::errors::failure(&turbo_sdk::outcome::Outcome {
                    result: Err(e.clone()),
                    logs: Vec::new(),
                    compute_units: 0,
                }) {
                    Some(f) => f.name,
                    None => e.to_string(),
                },
            };
            println!("{sig}  slot {}  {}  {result}", l.slot, describe(&l.tx));
        }
        self.landed.insert(sig, l);
    }

    /// Land `tx` in a new slot; with `preflight`, a failing transaction is not landed and its
    /// simulation comes back as the JSON-RPC preflight error.
    async fn land(&mut self, tx: VersionedTransaction, preflight: bool) -> RpcResult {
        let sig = *tx.signatures.first().ok_or_else(|| invalid("the transaction has no signature"))?;
        if self.landed.contains_key(&sig) {
            return Err(RpcErr(-32002, "Transaction simulation failed: This transaction has already been processed".into(), None));
        }
        if preflight {
            let sim = self.simulate(tx.clone()).await?;
            if sim.err.is_some() {
                let err = sim.err.clone().map(|e| format!("{e:?}")).unwrap_or_default();
                return Err(RpcErr(-32002, format!("Transaction simulation failed: {err}"), Some(to_value(sim)?)));
            }
        }
        self.new_slot();
        let loaded = self.loaded(&tx).await?;
        let keys = all_keys(&tx, &loaded);
        let mut pre = Vec::with_capacity(keys.len());
        for k in &keys {
            pre.push(self.account(k).await.map_or(0, |a| a.lamports));
        }
        let fee = 5_000 * tx.message.header().num_required_signatures as u64;
        let r = self
            .bank
            .ctx
            .banks_client
            .process_transaction_with_metadata(tx.clone())
            .await
            .map_err(|e| RpcErr(-32603, format!("the bank failed: {e}"), None))?;
        let mut post = Vec::with_capacity(keys.len());
        for k in &keys {
            post.push(self.account(k).await.map_or(0, |a| a.lamports));
        }
        let (logs, units, return_data) = r
            .metadata
            .map(|m| (m.log_messages, m.compute_units_consumed, m.return_data.map(UiTransactionReturnData::from)))
            .unwrap_or_default();
        let landed = Landed {
            slot: self.slot(),
            time: self.bank.now,
            priority_fee: priority_fee(&tx),
            tx,
            result: r.result,
            logs: standard_logs(logs),
            units,
            fee,
            pre_balances: pre,
            post_balances: post,
            return_data,
            loaded,
        };
        self.record(sig, landed);
        to_value(sig.to_string())
    }

    /// The accounts a v0 transaction names through lookup tables (writable, read-only), read
    /// from the tables as they stand.
    async fn loaded(&mut self, tx: &VersionedTransaction) -> Result<(Vec<Pubkey>, Vec<Pubkey>), RpcErr> {
        let (mut writable, mut readonly) = (Vec::new(), Vec::new());
        for lookup in tx.message.address_table_lookups().unwrap_or_default() {
            let table = match self.account(&lookup.account_key).await {
                Some(acc) => turbo_sdk::lookup::addresses(&acc).map_err(|e| invalid(e.to_string()))?,
                None => return Err(invalid(format!("no address lookup table at {}", lookup.account_key))),
            };
            let pick = |indexes: &[u8], out: &mut Vec<Pubkey>| -> Result<(), RpcErr> {
                for i in indexes {
                    out.push(
                        *table.get(*i as usize).ok_or_else(|| invalid(format!("lookup table {} has no index {i}", lookup.account_key)))?,
                    );
                }
                Ok(())
            };
            pick(&lookup.writable_indexes, &mut writable)?;
            pick(&lookup.readonly_indexes, &mut readonly)?;
        }
        Ok((writable, readonly))
    }

    async fn simulate(&mut self, tx: VersionedTransaction) -> Result<RpcSimulateTransactionResult, RpcErr> {
        let r =
            self.bank.ctx.banks_client.simulate_transaction(tx).await.map_err(|e| RpcErr(-32603, format!("the bank failed: {e}"), None))?;
        let details = r.simulation_details;
        // A simulation with no result is the node's failure, never a success.
        let result = r.result.ok_or_else(|| RpcErr(-32603, "the bank returned no simulation result".into(), None))?;
        Ok(RpcSimulateTransactionResult {
            err: result.err().map(Into::into),
            logs: details.as_ref().map(|d| standard_logs(d.logs.clone())),
            accounts: None,
            units_consumed: details.as_ref().map(|d| d.units_consumed),
            loaded_accounts_data_size: details.as_ref().map(|d| d.loaded_accounts_data_size),
            return_data: details.as_ref().and_then(|d| d.return_data.clone()).map(Into::into),
            inner_instructions: None,
            replacement_blockhash: None,
            fee: None,
            pre_balances: None,
            post_balances: None,
            pre_token_balances: None,
            post_token_balances: None,
            loaded_addresses: None,
        })
    }

    fn status(&self, l: &Landed) -> TransactionStatus {
        TransactionStatus {
            slot: l.slot,
            confirmations: None,
            status: l.result.clone(),
            err: l.result.clone().err(),
            confirmation_status: Some(TransactionConfirmationStatus::Finalized),
        }
    }

    async fn call(&mut self, method: &str, params: &[Value]) -> RpcResult {
        match method {
            "getHealth" => to_value("ok"),
            "getVersion" => to_value(RpcVersionInfo { solana_core: "3.1.12".into(), feature_set: Some(0) }),
            "getSlot" | "getBlockHeight" => to_value(self.slot()),
            "getEpochInfo" => to_value(json!({
                "absoluteSlot": self.slot(), "blockHeight": self.slot(), "epoch": 0, "slotIndex": self.slot(),
                "slotsInEpoch": 432_000, "transactionCount": self.landed.len()
            })),
            "getGenesisHash" => to_value(self.blockhashes.front().map(|h| h.0.to_string()).unwrap_or_default()),
            "getLatestBlockhash" => {
                let (hash, slot) = *self.blockhashes.back().expect("a current blockhash");
                self.respond(RpcBlockhash { blockhash: hash.to_string(), last_valid_block_height: slot + 150 })
            }
            "isBlockhashValid" => {
                let hash: String = required(params, 0)?;
                let slot = self.slot();
                let valid = self.blockhashes.iter().any(|(h, s)| h.to_string() == hash && slot <= s + 150);
                self.respond(valid)
            }
            "getAccountInfo" => {
                let key = pubkey(params, 0)?;
                let config: RpcAccountInfoConfig = param(params, 1)?;
                let value = match self.account(&key).await {
                    Some(a) => Some(self.encode(&key, &a, &config).await),
                    None => None,
                };
                self.respond(value)
            }
            "getMultipleAccounts" => {
                let keys: Vec<String> = required(params, 0)?;
                let config: RpcAccountInfoConfig = param(params, 1)?;
                let mut out = Vec::with_capacity(keys.len());
                for k in keys {
                    let key: Pubkey = k.parse().map_err(|_| invalid(format!("invalid pubkey {k}")))?;
                    out.push(match self.account(&key).await {
                        Some(a) => Some(self.encode(&key, &a, &config).await),
                        None => None,
                    });
                }
                self.respond(out)
            }
            "getBalance" => {
                let key = pubkey(params, 0)?;
                let lamports = self.account(&key).await.map_or(0, |a| a.lamports);
                self.respond(lamports)
            }
            "getTokenAccountBalance" => {
                let key = pubkey(params, 0)?;
                let a = self.account(&key).await.ok_or_else(|| invalid("Invalid param: could not find account"))?;
                let state = turbo_sdk::accounts::token_account(&a).map_err(|_| invalid("Invalid param: not a Token account"))?;
                let data = self.token_data(&a).await.ok_or_else(|| invalid("Invalid param: not a Token account"))?;
                self.respond(token_amount_to_ui_amount_v3(state.amount, &data))
            }
            "getTokenAccountsByOwner" => {
                let owner = pubkey(params, 0)?;
                let filter: RpcTokenAccountsFilter = required(params, 1)?;
                let config: RpcAccountInfoConfig = param(params, 2)?;
                let (mint, program) = match &filter {
                    RpcTokenAccountsFilter::Mint(m) => (Some(m.parse::<Pubkey>().map_err(|_| invalid("invalid mint"))?), None),
                    RpcTokenAccountsFilter::ProgramId(p) => (None, Some(p.parse::<Pubkey>().map_err(|_| invalid("invalid program id"))?)),
                };
                let found = self
                    .scan(|_, a| {
                        let token = a.owner == anchor_spl::token::ID || a.owner == anchor_spl::token_2022::ID;
                        let Ok(state) = turbo_sdk::accounts::token_account(a) else { return false };
                        token
                            && a.data.len() >= 165
                            && state.owner == owner
                            && mint.is_none_or(|m| state.mint == m)
                            && program.is_none_or(|p| a.owner == p)
                    })
                    .await;
                let mut out = Vec::new();
                for (k, a) in found {
                    out.push(RpcKeyedAccount { pubkey: k.to_string(), account: self.encode(&k, &a, &config).await });
                }
                self.respond(out)
            }
            "getProgramAccounts" => {
                let program = pubkey(params, 0)?;
                let config: RpcProgramAccountsConfig = param(params, 1)?;
                let filters = config.filters.clone().unwrap_or_default();
                let found = self
                    .scan(|_, a| {
                        a.owner == program
                            && filters.iter().all(|f| match f {
                                RpcFilterType::DataSize(n) => a.data.len() as u64 == *n,
                                RpcFilterType::Memcmp(m) => m.bytes_match(&a.data),
                                RpcFilterType::TokenAccountState => turbo_sdk::accounts::token_account(a).is_ok(),
                            })
                    })
                    .await;
                let mut out = Vec::new();
                for (k, a) in found {
                    out.push(RpcKeyedAccount { pubkey: k.to_string(), account: self.encode(&k, &a, &config.account_config).await });
                }
                if config.with_context.unwrap_or(false) {
                    self.respond(out)
                } else {
                    to_value(out)
                }
            }
            "getMinimumBalanceForRentExemption" => {
                let len: usize = required(params, 0)?;
                to_value(solana_sdk::rent::Rent::default().minimum_balance(len))
            }
            "getFeeForMessage" => {
                let encoded: String = required(params, 0)?;
                let bytes = base64::engine::general_purpose::STANDARD.decode(encoded).map_err(|e| invalid(e.to_string()))?;
                let message: VersionedMessage = bincode::deserialize(&bytes).map_err(|e| invalid(e.to_string()))?;
                self.respond(Some(5_000 * message.header().num_required_signatures as u64))
            }
            "getRecentPrioritizationFees" => {
                let keys: Vec<String> = param(params, 0)?;
                let wanted: Vec<Pubkey> = keys.iter().filter_map(|k| k.parse().ok()).collect();
                let mut by_slot: BTreeMap<u64, u64> = BTreeMap::new();
                let oldest = self.slot().saturating_sub(150);
                for l in self.landed.values().filter(|l| l.slot >= oldest) {
                    let touches = wanted.is_empty() || l.tx.message.static_account_keys().iter().any(|k| wanted.contains(k));
                    let fee = if touches { l.priority_fee } else { 0 };
                    let e = by_slot.entry(l.slot).or_default();
                    *e = (*e).max(fee);
                }
                to_value(
                    by_slot
                        .into_iter()
                        .map(|(slot, prioritization_fee)| RpcPrioritizationFee { slot, prioritization_fee })
                        .collect::<Vec<_>>(),
                )
            }
            "sendTransaction" => {
                let encoded: String = required(params, 0)?;
                let config: RpcSendTransactionConfig = param(params, 1)?;
                let tx = decode_tx(&encoded, config.encoding)?;
                self.land(tx, !config.skip_preflight).await
            }
            "simulateTransaction" => {
                let encoded: String = required(params, 0)?;
                let config: RpcSimulateTransactionConfig = param(params, 1)?;
                let mut tx = decode_tx(&encoded, config.encoding)?;
                let replacement = if config.replace_recent_blockhash {
                    let (hash, slot) = *self.blockhashes.back().expect("a current blockhash");
                    tx.message.set_recent_blockhash(hash);
                    Some(RpcBlockhash { blockhash: hash.to_string(), last_valid_block_height: slot + 150 })
                } else {
                    None
                };
                let mut sim = self.simulate(tx).await?;
                sim.replacement_blockhash = replacement;
                self.respond(sim)
            }
            "getSignatureStatuses" => {
                let sigs: Vec<String> = required(params, 0)?;
                let out: Vec<Option<TransactionStatus>> = sigs
                    .iter()
                    .map(|s| s.parse::<Signature>().ok().and_then(|sig| self.landed.get(&sig)).map(|l| self.status(l)))
                    .collect();
                self.respond(out)
            }
            "getSignaturesForAddress" => {
                let key = pubkey(params, 0)?;
                let config: RpcSignaturesForAddressConfig = param(params, 1)?;
                let limit = config.limit.unwrap_or(1_000).min(1_000);
                let mut sigs: Vec<Signature> = self.by_address.get(&key).cloned().unwrap_or_default();
                sigs.reverse();
                if let Some(before) = config.before.as_ref().and_then(|b| b.parse::<Signature>().ok()) {
                    if let Some(i) = sigs.iter().position(|s| *s == before) {
                        sigs.drain(..=i);
                    }
                }
                if let Some(until) = config.until.as_ref().and_then(|u| u.parse::<Signature>().ok()) {
                    if let Some(i) = sigs.iter().position(|s| *s == until) {
                        sigs.truncate(i);
                    }
                }
                let out: Vec<RpcConfirmedTransactionStatusWithSignature> = sigs
                    .iter()
                    .take(limit)
                    .filter_map(|s| self.landed.get(s).map(|l| (s, l)))
                    .map(|(s, l)| RpcConfirmedTransactionStatusWithSignature {
                        signature: s.to_string(),
                        slot: l.slot,
                        err: l.result.clone().err().map(Into::into),
                        memo: None,
                        block_time: Some(l.time),
                        confirmation_status: Some(TransactionConfirmationStatus::Finalized),
                    })
                    .collect();
                to_value(out)
            }
            "getTransaction" => {
                let sig: String = required(params, 0)?;
                let sig: Signature = sig.parse().map_err(|_| invalid("invalid signature"))?;
                let config: RpcTransactionConfig = match params.get(1) {
                    Some(Value::String(enc)) => RpcTransactionConfig {
                        encoding: serde_json::from_value(Value::String(enc.clone())).ok(),
                        ..RpcTransactionConfig::default()
                    },
                    _ => param(params, 1)?,
                };
                let Some(l) = self.landed.get(&sig) else { return to_value(Value::Null) };
                let bytes = bincode::serialize(&l.tx).map_err(|e| RpcErr(-32603, e.to_string(), None))?;
                let transaction = match config.encoding.unwrap_or(UiTransactionEncoding::Json) {
                    UiTransactionEncoding::Base58 | UiTransactionEncoding::Binary => {
                        EncodedTransaction::Binary(bs58::encode(bytes).into_string(), TransactionBinaryEncoding::Base58)
                    }
                    _ => EncodedTransaction::Binary(
                        base64::engine::general_purpose::STANDARD.encode(bytes),
                        TransactionBinaryEncoding::Base64,
                    ),
                };
                let meta = UiTransactionStatusMeta {
                    err: l.result.clone().err().map(Into::into),
                    status: l.result.clone().map_err(Into::into),
                    fee: l.fee,
                    pre_balances: l.pre_balances.clone(),
                    post_balances: l.post_balances.clone(),
                    inner_instructions: None.into(),
                    log_messages: Some(l.logs.clone()).into(),
                    pre_token_balances: None.into(),
                    post_token_balances: None.into(),
                    rewards: None.into(),
                    loaded_addresses: Some(solana_transaction_status_client_types::UiLoadedAddresses {
                        writable: l.loaded.0.iter().map(ToString::to_string).collect(),
                        readonly: l.loaded.1.iter().map(ToString::to_string).collect(),
                    })
                    .into(),
                    return_data: l.return_data.clone().into(),
                    compute_units_consumed: Some(l.units).into(),
                    cost_units: None.into(),
                };
                let version = match &l.tx.message {
                    VersionedMessage::Legacy(_) => solana_sdk::transaction::TransactionVersion::LEGACY,
                    VersionedMessage::V0(_) => solana_sdk::transaction::TransactionVersion::Number(0),
                };
                to_value(EncodedConfirmedTransactionWithStatusMeta {
                    slot: l.slot,
                    transaction: EncodedTransactionWithStatusMeta { transaction, meta: Some(meta), version: Some(version) },
                    block_time: Some(l.time),
                })
            }
            "requestAirdrop" => {
                let to = pubkey(params, 0)?;
                let lamports: u64 = required(params, 1)?;
                let payer = self.bank.ctx.payer.insecure_clone();
                self.new_slot();
                let ix = solana_system_interface::instruction::transfer(&payer.pubkey(), &to, lamports);
                let tx = solana_sdk::transaction::Transaction::new_signed_with_payer(
                    &[ix],
                    Some(&payer.pubkey()),
                    &[&payer],
                    self.bank.ctx.last_blockhash,
                );
                self.land(tx.into(), true).await
            }
            // Turbo's own: set a price now (`turbo localnet price SOL 150`).
            "turboSetPrice" => {
                let symbol: String = required(params, 0)?;
                let price: f64 = required(params, 1)?;
                let feed = feed_of(&symbol).ok_or_else(|| invalid(format!("unknown asset {symbol}; use BTC, SOL, FET or CRT")))?;
                let raw = (price * 1e8).round() as i64;
                if raw <= 0 {
                    return Err(invalid("the price must be positive"));
                }
                self.bank.set_price(&feed, raw, 0);
                self.replay.retain(|(s, _, _)| !s.eq_ignore_ascii_case(&symbol));
                if self.log {
                    println!("price {symbol} = {price}");
                }
                to_value(raw)
            }
            // What `"local"` means in a manifest, for `turbo deploy` over the wire.
            "turboLocalEnv" => to_value(json!({
                "usdcMint": self.bank.usdc_mint.to_string(),
                "crtMint": self.bank.crt_mint.to_string(),
                "btcMint": self.bank.btc_mint.to_string(),
                "priceService": "/v1/latest_price",
                "lookupTable": self.bank.lookup_table.map(|t| t.to_string()),
                "indexer": self.indexer,
                "feeds": self.bank.feeds.iter().map(|f| (turbo_sdk::pyth::feed_hex(&f.feed_id), f.account.to_string())).collect::<BTreeMap<_, _>>(),
            })),
            "turboAirdropUsdc" => {
                let to = pubkey(params, 0)?;
                let usdc: u64 = required(params, 1)?;
                let o = self.bank.fund(&to, usdc, 0).await;
                o.result.map_err(|e| RpcErr(-32603, e.to_string(), None))?;
                to_value(usdc)
            }
            // A hedged asset's token for a test wallet: "SOL" (wrapped SOL) or "BTC" (the
            // bank's BTC token), raw units.
            "turboAirdropAsset" => {
                let to = pubkey(params, 0)?;
                let symbol: String = required(params, 1)?;
                let amount: u64 = required(params, 2)?;
                let mint = match symbol.as_str() {
                    "SOL" => turbo_sdk::bank::NATIVE_MINT,
                    "BTC" => self.bank.btc_mint,
                    other => return Err(RpcErr(-32602, format!("no custody token {other:?}: use SOL or BTC"), None)),
                };
                let (_, o) = self.bank.fund_asset(&to, &mint, amount).await;
                o.result.map_err(|e| RpcErr(-32603, e.to_string(), None))?;
                to_value(amount)
            }
            _ => Err(RpcErr(-32601, format!("Method not found: {method}"), None)),
        }
    }

    /// Answer one JSON-RPC request object.
    async fn handle(&mut self, req: &Value) -> Value {
        let id = req.get("id").cloned().unwrap_or(Value::Null);
        let Some(method) = req.get("method").and_then(Value::as_str) else {
            return json!({"jsonrpc": "2.0", "error": {"code": -32600, "message": "Invalid request"}, "id": id});
        };
        let params = match req.get("params") {
            Some(Value::Array(a)) => a.clone(),
            None | Some(Value::Null) => Vec::new(),
            Some(other) => vec![other.clone()],
        };
        match self.call(method, &params).await {
            Ok(result) => json!({"jsonrpc": "2.0", "result": result, "id": id}),
            Err(RpcErr(code, message, data)) => {
                let mut error = json!({"code": code, "message": message});
                if let Some(d) = data {
                    error["data"] = d;
                }
                json!({"jsonrpc": "2.0", "error": error, "id": id})
            }
        }
    }
}

/// Logs as a validator running the program as SBF writes them: the native build logs an event
/// as `Program log: data: …` (docs/toolchain.md), the `sol_log_data` syscall as `Program data: …`.
fn standard_logs(logs: Vec<String>) -> Vec<String> {
    let native = turbo_sdk::outcome::NATIVE_EVENT_PREFIX;
    logs.into_iter().map(|l| if let Some(data) = l.strip_prefix(native) { format!("Program data: {data}") } else { l }).collect()
}

/// The feed id of an asset symbol of the local deployment.
pub fn feed_of(symbol: &str) -> Option<[u8; 32]> {
    use turbo_sdk::pyth::*;
    let hex = match symbol.to_ascii_uppercase().as_str() {
        "BTC" => BTC_FEED,
        "SOL" => SOL_FEED,
        "FET" => FET_FEED,
        "CRT" => CRT_FEED,
        _ => return None,
    };
    Some(feed_id(hex))
}

async fn actor(mut node: Node, mut rx: mpsc::Receiver<Msg>, speed: f64) {
    while let Some(msg) = rx.recv().await {
        match msg {
            Msg::Rpc(req, reply) => {
                let out = match &req {
                    Value::Array(batch) => {
                        let mut out = Vec::with_capacity(batch.len());
                        for r in batch {
                            out.push(node.handle(r).await);
                        }
                        Value::Array(out)
                    }
                    single => node.handle(single).await,
                };
                let _ = reply.send(out);
            }
            Msg::LatestPrice(req, reply) => {
                let _ = reply.send(node.latest_price(&req));
            }
            Msg::Tick(secs) => node.tick(secs, speed),
        }
    }
}

async fn latest_price(
    State(tx): State<mpsc::Sender<Msg>>,
    Json(req): Json<LatestPriceRequestRepr>,
) -> Result<Json<JsonUpdate>, (axum::http::StatusCode, String)> {
    let (reply, rx) = oneshot::channel();
    let stopped = || (axum::http::StatusCode::SERVICE_UNAVAILABLE, "the node stopped".to_string());
    tx.send(Msg::LatestPrice(req, reply)).await.map_err(|_| stopped())?;
    let out = rx.await.map_err(|_| stopped())?;
    out.map(Json).map_err(|e| (axum::http::StatusCode::BAD_REQUEST, e))
}

async fn rpc(State(tx): State<mpsc::Sender<Msg>>, Json(req): Json<Value>) -> Json<Value> {
    let (reply, rx) = oneshot::channel();
    if tx.send(Msg::Rpc(req, reply)).await.is_err() {
        return Json(json!({"jsonrpc": "2.0", "error": {"code": -32603, "message": "the node stopped"}, "id": null}));
    }
    Json(rx.await.unwrap_or(Value::Null))
}

/// Start the bank, deploy `migrations/localnet.toml`, fund the deployer, and serve until
/// `shutdown` resolves. Prints where it listens and what it deployed.
pub async fn serve(opts: Options, shutdown: impl std::future::Future<Output = ()> + Send + 'static) -> anyhow::Result<()> {
    let series = turbo_testkit::localnet::bundled_series();
    let start =
        |sym: &str, i: usize| opts.replay.iter().find(|(s, _)| s.eq_ignore_ascii_case(sym)).map_or(series[i][0].price, |(_, p)| p[0].price);
    let l = turbo_testkit::localnet::localnet_as(
        [start("BTC", 0), start("SOL", 1), start("FET", 2)],
        opts.deployer.as_ref().map(|k| k.insecure_clone()),
        true,
    )
    .await
    .map_err(|e| anyhow::anyhow!("deploying migrations/localnet.toml: {e}"))?;
    let deployer = l.admin.pubkey();
    let mut node = Node::new(l.bank, opts.replay.clone(), opts.log, opts.sponsored_every);
    node.indexer = opts.indexer.clone();
    // The bank's payer is the deployer; keep it funded for airdrops.
    node.bank.known.extend(l.feeds.overrides.iter().map(|(_, k)| *k));
    let listener = tokio::net::TcpListener::bind(opts.addr).await?;
    let addr = listener.local_addr()?;
    println!("{}", l.report.trim_end());
    println!("turbo localnet: JSON-RPC on http://{addr} (state in memory only); deployer {deployer}");
    println!("  Pyth Pro price service on http://{addr}/v1/latest_price (signed by {})", node.bank.lazer_signer.pubkey());
    println!("  USDC mint {}  CRT mint {}", node.bank.usdc_mint, node.bank.crt_mint);
    for f in &node.bank.feeds {
        println!("  price account {} for feed {}", f.account, turbo_sdk::pyth::feed_hex(&f.feed_id));
    }
    let (tx, rx) = mpsc::channel(256);
    let speed = opts.speed;
    tokio::spawn(actor(node, rx, speed));
    let ticker = tx.clone();
    tokio::spawn(async move {
        let mut last = Instant::now();
        let mut every = tokio::time::interval(Duration::from_secs(1));
        loop {
            every.tick().await;
            let secs = last.elapsed().as_secs() as i64;
            if secs >= 1 {
                last += Duration::from_secs(secs as u64);
                if ticker.send(Msg::Tick(secs)).await.is_err() {
                    return;
                }
            }
        }
    });
    // JSON-RPC is `POST /`; with a web app, `GET /` is its page and every other path its files.
    // Any origin may call the node (a page served elsewhere, such as Vite's dev server).
    let root = match &opts.web {
        Some(dir) => post(rpc).get_service(tower_http::services::ServeFile::new(dir.join("index.html"))),
        None => post(rpc),
    };
    let mut app = Router::new().route("/", root).route("/v1/latest_price", post(latest_price)).with_state(tx);
    if let Some(dir) = &opts.web {
        app = app.fallback_service(tower_http::services::ServeDir::new(dir));
        println!("  web app on http://{addr}/ (from {})", dir.display());
    }
    let app = app.layer(tower_http::cors::CorsLayer::permissive());
    axum::serve(listener, app).with_graceful_shutdown(shutdown).await?;
    println!("turbo localnet: stopped");
    Ok(())
}
