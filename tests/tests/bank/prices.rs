//! Signed prices (docs/decisions.md, "The mainnet price path"): Pyth Pro's (Lazer's) verifier runs
//! in the bank from its published crate, as the Turbo program does, with a local key as its
//! trusted signer. The bank verifies real signed messages and refuses tampered, untrusted,
//! revoked and misplaced ones, each with its error.

use solana_sdk::instruction::InstructionError;
use solana_sdk::pubkey::Pubkey;
use solana_sdk::signature::{Keypair, Signer};
use solana_sdk::transaction::TransactionError;
use turbo_sdk::lazer::{self, FeedPrice, Update};
use turbo_tests::*;

fn btc_at(now: i64) -> Update {
    Update {
        timestamp_us: now as u64 * 1_000_000,
        feeds: vec![FeedPrice { feed_id: 1, price: 6_000_000_000_000, confidence: 1_500_000_000, exponent: -8 }],
    }
}

async fn lamports(fx: &mut Fixture, key: Pubkey) -> u64 {
    fx.bank.ctx.banks_client.get_balance(key).await.unwrap()
}

#[tokio::test]
async fn a_price_signed_by_the_trusted_key_verifies_and_pays_the_fee() {
    let mut fx = Fixture::new().await;
    let update = btc_at(fx.bank.now);
    let m = lazer::sign(&fx.bank.lazer_signer, &update).unwrap();
    let treasury = fx.bank.lazer_treasury;
    let before = lamports(&mut fx, treasury).await;
    // A success is the verification: the verifier fails unless the ed25519 check of these very
    // bytes passed and their signer is one its storage trusts. (It also returns them as return
    // data, which `solana-cpi` drops off chain; a caller parses the bytes it passed, as here.)
    let out = fx.send(&lazer::verify_ixs(fx.payer(), treasury, m.clone()), &[]).await;
    assert_ok(&out);
    assert_eq!(lazer::parse(&m).unwrap(), (fx.bank.lazer_signer.pubkey(), update));
    assert_eq!(lamports(&mut fx, treasury).await, before + 1);
}

#[tokio::test]
async fn a_tampered_price_fails_the_signature_check() {
    let mut fx = Fixture::new().await;
    let mut m = lazer::sign(&fx.bank.lazer_signer, &btc_at(fx.bank.now)).unwrap();
    // The price's lowest byte, after signing: the ed25519 precompile (instruction 0) refuses it.
    let at = m.len() - 3 - 9 - 8;
    m[at] ^= 1;
    let out = fx.send(&lazer::verify_ixs(fx.payer(), fx.bank.lazer_treasury, m), &[]).await;
    assert_eq!(out.result, Err(TransactionError::InstructionError(0, InstructionError::Custom(2))), "{:?}", out.logs);
}

#[tokio::test]
async fn a_price_signed_by_another_key_is_refused() {
    let mut fx = Fixture::new().await;
    let m = lazer::sign(&Keypair::new(), &btc_at(fx.bank.now)).unwrap();
    let out = fx.send(&lazer::verify_ixs(fx.payer(), fx.bank.lazer_treasury, m), &[]).await;
    assert_eq!(out.result, Err(TransactionError::InstructionError(1, InstructionError::MissingRequiredSignature)));
}

#[tokio::test]
async fn a_signer_past_its_expiry_is_refused() {
    let mut fx = Fixture::new().await;
    let m = lazer::sign(&fx.bank.lazer_signer, &btc_at(fx.bank.now)).unwrap();
    // The storage trusts the key until a second ago.
    let (payer, signer) = (fx.payer(), fx.bank.lazer_signer.pubkey());
    assert_ok(&fx.send(&[lazer::trust_ix(payer, signer, fx.bank.now - 1)], &[]).await);
    let out = fx.send(&lazer::verify_ixs(payer, fx.bank.lazer_treasury, m), &[]).await;
    assert_eq!(out.result, Err(TransactionError::InstructionError(1, InstructionError::MissingRequiredSignature)));
}

#[tokio::test]
async fn a_signature_check_must_come_before_the_verification() {
    let mut fx = Fixture::new().await;
    let m = lazer::sign(&fx.bank.lazer_signer, &btc_at(fx.bank.now)).unwrap();
    // The verification first, naming the check after it: refused as malformed.
    let verify = lazer::verify_ix(fx.payer(), fx.bank.lazer_treasury, m.clone(), 1);
    let check = lazer::ed25519_ix(&m, 0, lazer::MESSAGE_OFFSET_IN_VERIFY);
    let out = fx.send(&[verify, check], &[]).await;
    assert_eq!(out.result, Err(TransactionError::InstructionError(0, InstructionError::InvalidInstructionData)));
    // No check at all: the instruction it names is a transfer, not the ed25519 program's.
    let payer = fx.payer();
    let alone = lazer::verify_ix(payer, fx.bank.lazer_treasury, m, 0);
    let out = fx.send(&[solana_system_interface::instruction::transfer(&payer, &payer, 0), alone], &[]).await;
    assert_eq!(out.result, Err(TransactionError::InstructionError(1, InstructionError::InvalidInstructionData)));
}

/// The serialized size of a legacy transaction of `ixs` signed by the payer and `user`.
fn tx_bytes(fx: &Fixture, ixs: &[anchor_lang::solana_program::instruction::Instruction], user: &Keypair) -> usize {
    let payer = fx.bank.ctx.payer.insecure_clone();
    let tx = solana_sdk::transaction::Transaction::new_signed_with_payer(
        ixs,
        Some(&payer.pubkey()),
        &[&payer, user],
        fx.bank.ctx.last_blockhash,
    );
    bincode::serialize(&tx).unwrap().len()
}

/// The same as a v0 transaction with one address lookup table holding every account that is
/// neither a signer nor a program the transaction calls (those must stay in the message).
fn tx_bytes_with_table(fx: &Fixture, ixs: &[anchor_lang::solana_program::instruction::Instruction], user: &Keypair) -> usize {
    use solana_sdk::message::{v0, AddressLookupTableAccount, VersionedMessage};
    let payer = fx.bank.ctx.payer.insecure_clone();
    let programs: Vec<Pubkey> = ixs.iter().map(|i| i.program_id).collect();
    let mut addresses: Vec<Pubkey> = ixs.iter().flat_map(|i| i.accounts.iter()).filter(|a| !a.is_signer).map(|a| a.pubkey).collect();
    addresses.retain(|a| !programs.contains(a));
    addresses.sort();
    addresses.dedup();
    let table = AddressLookupTableAccount { key: Pubkey::new_unique(), addresses };
    let message = v0::Message::try_compile(&payer.pubkey(), ixs, &[table], fx.bank.ctx.last_blockhash).unwrap();
    let tx = solana_sdk::transaction::VersionedTransaction::try_new(VersionedMessage::V0(message), &[&payer, user]).unwrap();
    bincode::serialize(&tx).unwrap().len()
}

/// What a signed price adds to a user's transaction (docs/decisions.md, "The mainnet price
/// path"): a mint priced by signed feeds, with the ed25519 check and Turbo's post in front of it,
/// for the two feeds a mint reads (the asset and CRT) and the four an LP instruction reads.
#[tokio::test]
async fn a_signed_price_fits_in_a_mint_transaction() {
    let (mut fx, _lp) = Fixture::deployed().await;
    let user = fx.user(10_000 * USDC, 0).await;
    let mint = fx.mint_ix(&user, BTC_VAULT, 1_000 * USDC, 0, 0).await;
    let plain = tx_bytes(&fx, std::slice::from_ref(&mint), &user.key);
    let plain_table = tx_bytes_with_table(&fx, std::slice::from_ref(&mint), &user.key);
    let signed_mint = signed_mint(&fx, &user, 1_000 * USDC);
    let assets = [Asset::Btc, Asset::Crt, Asset::Sol, Asset::Fet];
    let mut sizes = Vec::new();
    for n in [2, 4] {
        let feeds: Vec<(u32, i64, u64)> = (1..=n as u32).map(|id| (id, 6_000_000_000_000, 1_500_000_000)).collect();
        let m = fx.signed_message(now_us(&fx), &feeds);
        let [check, post] = fx.post_signed_ixs(m.clone(), &assets[..n]);
        let ixs = [check, post, signed_mint.clone()];
        let (with, with_table) = (tx_bytes(&fx, &ixs, &user.key), tx_bytes_with_table(&fx, &ixs, &user.key));
        // The message: 102 bytes of envelope and 14 of payload header, and 26 a feed.
        assert_eq!(m.len(), 102 + 14 + 26 * n);
        sizes.push((n, m.len(), with, with_table));
    }
    println!("| transaction | bytes (of 1,232) | with a lookup table |\n|---|---:|---:|\n| mint, the sponsored price accounts | {plain} | {plain_table} |");
    for (n, msg, with, table) in &sizes {
        println!("| ed25519 check + `post_signed_prices` of {n} feeds ({msg}-byte message) + mint | {with} | {table} |");
    }
    // An LP deposit names every vault and its price: with the post of its four feeds it needs the
    // table, or the post in a transaction of its own (what `Cli::execute` does).
    let lp = fx.user(1_000 * USDC, 0).await;
    let feed_of = |id: u16| match id {
        1 | 4 => Asset::Btc,
        2 => Asset::Sol,
        _ => Asset::Fet,
    };
    let vaults = fx.vaults_priced(|v| turbo_sdk::pda::signed_feed(&feed_of(v.keys.id).feed_id()));
    let deposit =
        swap_account(fx.deposit_liquidity_ix(&lp, 100 * USDC, &vaults), fx.d.crt_price, turbo_sdk::pda::signed_feed(&Asset::Crt.feed_id()));
    let m = fx.signed_message(now_us(&fx), &[(1, 1, 1), (2, 1, 1), (3, 1, 1), (4, 1, 1)]);
    let [check, post] = fx.post_signed_ixs(m, &assets);
    let alone = tx_bytes(&fx, std::slice::from_ref(&deposit), &lp.key);
    let ixs = [check, post, deposit];
    let (lp_with, lp_table) = (tx_bytes(&fx, &ixs, &lp.key), tx_bytes_with_table(&fx, &ixs, &lp.key));
    println!("| LP deposit (4 vaults), signed feeds as its prices | {alone} | — |");
    println!("| ed25519 check + `post_signed_prices` of 4 feeds + LP deposit | {lp_with} | {lp_table} |");
    assert!(alone <= 1_232 && lp_with > 1_232 && lp_table <= 1_232, "{alone} {lp_with} {lp_table}");
    // The mint's two feeds fit a legacy transaction; four need the lookup table.
    assert!(sizes[0].2 <= 1_232 && sizes[1].2 > 1_232, "{sizes:?}");
    assert!(sizes.iter().all(|s| s.3 <= 1_232), "{sizes:?}");
    // The addition is the message (once, inside the post), the check's 16 bytes of offsets, and
    // the verifier's and the signed feeds' accounts.
    let added = sizes[0].2 - plain;
    assert!(added > sizes[0].1 && added < sizes[0].1 + 330, "{added}");
}

// --- signed feeds: the Turbo program reads a verified Pyth Pro price -------------------------

use turbo::error::TurboError;
use turbo::events::{MintEvent, SignedFeedOpenedEvent, SignedPricePostedEvent};

const BTC_LAZER: u32 = 1;
const SOL_LAZER: u32 = 6;
const CRT_LAZER: u32 = 77;

/// A deployed fixture whose BTC, SOL and CRT feeds have signed feeds, with a user holding USDC
/// and a BTC token account.
async fn signed() -> (Fixture, User) {
    let (mut fx, _lp) = Fixture::deployed().await;
    for (asset, id) in [(Asset::Btc, BTC_LAZER), (Asset::Sol, SOL_LAZER), (Asset::Crt, CRT_LAZER)] {
        assert_ok(&fx.open_signed_feed(asset, id).await);
    }
    let user = fx.user(10_000 * USDC, 0).await;
    let v = fx.v(BTC_VAULT);
    fx.open_token_account(&user, &v).await;
    (fx, user)
}

/// A mint of Turbo BTC priced by the signed feeds of BTC and CRT.
fn signed_mint(fx: &Fixture, user: &User, usdc: u64) -> anchor_lang::solana_program::instruction::Instruction {
    let ix = fx.mint_ix_at(user, BTC_VAULT, usdc, turbo_sdk::pda::signed_feed(&Asset::Btc.feed_id()));
    swap_account(ix, fx.d.crt_price, turbo_sdk::pda::signed_feed(&Asset::Crt.feed_id()))
}

fn now_us(fx: &Fixture) -> u64 {
    fx.now() as u64 * 1_000_000
}

#[tokio::test]
async fn a_mint_reads_the_signed_price_its_own_transaction_posts() {
    let (mut fx, user) = signed().await;
    // Twenty seconds with no move: Pyth's sponsored accounts keep their price (a 1-minute
    // heartbeat), so a user naming them alone is refused, as on mainnet.
    fx.advance(20);
    let plain = fx.mint_ix(&user, BTC_VAULT, 1_000 * USDC, 0, 0).await;
    assert_error(&fx.send(&[plain], &[&user.key]).await, TurboError::PriceNotFresh);
    // The same mint with a price signed now, posted in the same transaction: 10 bps above the
    // sponsored one, to show which price it read.
    let (btc, crt) = (fx.price_after(Asset::Btc, 10), fx.feed(Asset::Crt).quote.price);
    // (Pyth Pro cannot carry a confidence of zero: it means "none".)
    let (btc_conf, crt_conf) = (fx.feed(Asset::Btc).quote.conf.max(1), fx.feed(Asset::Crt).quote.conf.max(1));
    let m = fx.signed_message(now_us(&fx) + 250_000, &[(BTC_LAZER, btc, btc_conf), (CRT_LAZER, crt, crt_conf)]);
    let [check, post] = fx.post_signed_ixs(m, &[Asset::Btc, Asset::Crt]);
    let treasury = fx.bank.lazer_treasury;
    let before = lamports(&mut fx, treasury).await;
    let out = fx.send(&[check, post, signed_mint(&fx, &user, 1_000 * USDC)], &[&user.key]).await;
    assert_ok(&out);
    assert_eq!(out.event::<MintEvent>().price, btc as u64);
    let posted = out.events::<SignedPricePostedEvent>();
    assert_eq!(posted.len(), 2);
    assert_eq!((posted[0].lazer_feed_id, posted[0].price, posted[0].stored), (BTC_LAZER, btc, true));
    assert_eq!((posted[1].lazer_feed_id, posted[1].price, posted[1].stored), (CRT_LAZER, crt, true));
    // The verifier's fee, once per message.
    assert_eq!(lamports(&mut fx, treasury).await, before + 1);
    let feed: turbo::state::SignedFeed = fx.anchor_account(turbo_sdk::pda::signed_feed(&Asset::Btc.feed_id())).await;
    assert_eq!((feed.price, feed.confidence, feed.exponent, feed.timestamp_us), (btc, btc_conf, -8, now_us(&fx) + 250_000));
    // Five seconds on, the stored price is no longer fresh for a user.
    fx.advance(6);
    assert_error(&fx.send(&[signed_mint(&fx, &user, 1_000 * USDC)], &[&user.key]).await, TurboError::PriceNotFresh);
}

#[tokio::test]
async fn a_post_is_refused_what_the_verifier_refuses() {
    let (mut fx, _user) = signed().await;
    let px = fx.feed(Asset::Btc).quote.price;
    // Tampered after signing: the ed25519 precompile refuses it.
    let mut m = fx.signed_message(now_us(&fx), &[(BTC_LAZER, px, 1_000)]);
    let at = m.len() - 3 - 9 - 8;
    m[at] ^= 1;
    let out = fx.send(&fx.post_signed_ixs(m, &[Asset::Btc]), &[]).await;
    assert_eq!(out.result, Err(TransactionError::InstructionError(0, InstructionError::Custom(2))), "{:?}", out.logs);
    // Signed by a key the Lazer storage does not trust: the verifier refuses it inside the post.
    let other = lazer::sign(
        &Keypair::new(),
        &Update { timestamp_us: now_us(&fx), feeds: vec![FeedPrice { feed_id: BTC_LAZER, price: px, confidence: 1_000, exponent: -8 }] },
    )
    .unwrap();
    let out = fx.send(&fx.post_signed_ixs(other, &[Asset::Btc]), &[]).await;
    assert_eq!(out.result, Err(TransactionError::InstructionError(1, InstructionError::MissingRequiredSignature)));
    // The post without its check: the instruction it names is not the ed25519 program's.
    let m = fx.signed_message(now_us(&fx), &[(BTC_LAZER, px, 1_000)]);
    let [_, post] = fx.post_signed_ixs(m, &[Asset::Btc]);
    let payer = fx.payer();
    let out = fx.send(&[solana_system_interface::instruction::transfer(&payer, &payer, 0), post], &[]).await;
    assert_eq!(out.result, Err(TransactionError::InstructionError(1, InstructionError::InvalidInstructionData)));
    // Nothing was stored.
    let feed: turbo::state::SignedFeed = fx.anchor_account(turbo_sdk::pda::signed_feed(&Asset::Btc.feed_id())).await;
    assert_eq!(feed.timestamp_us, 0);
}

#[tokio::test]
async fn a_post_refuses_swapped_accounts_and_a_payload_it_cannot_read() {
    use anchor_lang::error::ErrorCode as Anchor;
    let (mut fx, _user) = signed().await;
    let px = fx.feed(Asset::Btc).quote.price;
    let t = now_us(&fx);
    let post = |fx: &Fixture| fx.post_signed_ixs(fx.signed_message(t, &[(BTC_LAZER, px, 1_000)]), &[Asset::Btc]);
    // The Lazer storage swapped for another account: refused by its address.
    let [check, mut ix] = post(&fx);
    ix.accounts[2].pubkey = Pubkey::new_unique();
    assert_error(&fx.send(&[check, ix], &[]).await, Anchor::ConstraintAddress);
    // Another treasury: the verifier refuses it (its storage's `has_one`), inside the post.
    let [check, mut ix] = post(&fx);
    ix.accounts[3].pubkey = Pubkey::new_unique();
    let out = fx.send(&[check, ix], &[]).await;
    assert_eq!(out.result, Err(TransactionError::InstructionError(1, InstructionError::Custom(Anchor::ConstraintHasOne as u32))));
    // A signed feed passed read-only.
    let [check, mut ix] = post(&fx);
    ix.accounts.last_mut().unwrap().is_writable = false;
    assert_error(&fx.send(&[check, ix], &[]).await, Anchor::ConstraintMut);
    // A payload the trusted key signed but that is not the format (a property of unknown size):
    // the verifier checks the signature only; the program refuses to read it.
    let payload = {
        let mut p = turbo_math::signed::PAYLOAD_MAGIC.to_le_bytes().to_vec();
        p.extend_from_slice(&t.to_le_bytes());
        p.extend_from_slice(&[3, 1]);
        p.extend_from_slice(&BTC_LAZER.to_le_bytes());
        p.extend_from_slice(&[1, 13, 0, 0]);
        p
    };
    let signature = fx.bank.lazer_signer.sign_message(&payload);
    let mut m = Vec::new();
    pyth_lazer_protocol::message::SolanaMessage {
        payload,
        signature: signature.into(),
        public_key: fx.bank.lazer_signer.pubkey().to_bytes(),
    }
    .serialize(&mut m)
    .unwrap();
    assert_error(&fx.send(&fx.post_signed_ixs(m, &[Asset::Btc]), &[]).await, TurboError::SignedPriceMalformed);
    let feed: turbo::state::SignedFeed = fx.anchor_account(turbo_sdk::pda::signed_feed(&Asset::Btc.feed_id())).await;
    assert_eq!(feed.timestamp_us, 0, "nothing stored");
}

#[tokio::test]
async fn a_post_must_carry_each_feed_it_writes_and_never_goes_back() {
    let (mut fx, _user) = signed().await;
    let px = fx.feed(Asset::Btc).quote.price;
    let t = now_us(&fx);
    // SOL's price posted into BTC's signed feed: BTC's Pyth Pro feed is not in the message.
    let m = fx.signed_message(t, &[(SOL_LAZER, px, 1_000)]);
    assert_error(&fx.send(&fx.post_signed_ixs(m, &[Asset::Btc]), &[]).await, TurboError::SignedFeedNotInMessage);
    // A post into no signed feed.
    let m = fx.signed_message(t, &[(BTC_LAZER, px, 1_000)]);
    assert_error(&fx.send(&fx.post_signed_ixs(m, &[]), &[]).await, TurboError::SignedFeedMissing);
    // A price signed further ahead of the clock than the fresh-price delay.
    let m = fx.signed_message(t + 60_000_000, &[(BTC_LAZER, px, 1_000)]);
    assert_error(&fx.send(&fx.post_signed_ixs(m, &[Asset::Btc]), &[]).await, TurboError::PriceAheadOfClock);
    // A feed without a confidence.
    let incomplete = {
        use pyth_lazer_protocol::payload::{PayloadData, PayloadFeedData, PayloadPropertyValue};
        let data = PayloadData {
            timestamp_us: pyth_lazer_protocol::time::TimestampUs::from_micros(t),
            channel_id: pyth_lazer_protocol::ChannelId::FIXED_RATE_200,
            feeds: vec![PayloadFeedData {
                feed_id: pyth_lazer_protocol::PriceFeedId(BTC_LAZER),
                properties: vec![
                    PayloadPropertyValue::Price(pyth_lazer_protocol::Price::from_mantissa(px).ok()),
                    PayloadPropertyValue::Exponent(-8),
                ],
            }],
        };
        let mut payload = Vec::new();
        data.serialize::<byteorder::LE>(&mut payload).unwrap();
        let signature = fx.bank.lazer_signer.sign_message(&payload);
        let mut m = Vec::new();
        pyth_lazer_protocol::message::SolanaMessage {
            payload,
            signature: signature.into(),
            public_key: fx.bank.lazer_signer.pubkey().to_bytes(),
        }
        .serialize(&mut m)
        .unwrap();
        m
    };
    assert_error(&fx.send(&fx.post_signed_ixs(incomplete, &[Asset::Btc]), &[]).await, TurboError::SignedPriceIncomplete);
    // A price, then an older one: the older is verified but not stored.
    let m = fx.signed_message(t, &[(BTC_LAZER, px, 1_000)]);
    assert_ok(&fx.send(&fx.post_signed_ixs(m, &[Asset::Btc]), &[]).await);
    let m = fx.signed_message(t - 1, &[(BTC_LAZER, px / 2, 1_000)]);
    let out = fx.send(&fx.post_signed_ixs(m, &[Asset::Btc]), &[]).await;
    assert_ok(&out);
    assert!(!out.event::<SignedPricePostedEvent>().stored);
    let feed: turbo::state::SignedFeed = fx.anchor_account(turbo_sdk::pda::signed_feed(&Asset::Btc.feed_id())).await;
    assert_eq!((feed.price, feed.timestamp_us), (px, t));
}

#[tokio::test]
async fn a_signed_feed_prices_only_its_own_asset() {
    let (mut fx, user) = signed().await;
    let t = now_us(&fx);
    let (sol, crt) = (fx.feed(Asset::Sol).quote, fx.feed(Asset::Crt).quote);
    let m = fx.signed_message(t, &[(SOL_LAZER, sol.price, sol.conf.max(1)), (CRT_LAZER, crt.price, crt.conf.max(1))]);
    assert_ok(&fx.send(&fx.post_signed_ixs(m, &[Asset::Sol, Asset::Crt]), &[]).await);
    // SOL's signed feed named as BTC's price.
    let ix = fx.mint_ix_at(&user, BTC_VAULT, 100 * USDC, turbo_sdk::pda::signed_feed(&Asset::Sol.feed_id()));
    assert_error(&fx.send(&[ix], &[&user.key]).await, TurboError::PriceFeedMismatch);
    // Another Turbo account (the vault itself) named as the price: not a signed feed.
    let vault = fx.v(BTC_VAULT).keys.vault;
    let ix = fx.mint_ix_at(&user, BTC_VAULT, 100 * USDC, vault);
    assert_error(&fx.send(&[ix], &[&user.key]).await, anchor_lang::error::ErrorCode::AccountDiscriminatorMismatch as u32);
    // A signed feed that was never posted to is stale, even for a keeper.
    let (ix, keeper) = fx.rebalance_ix_at(BTC_VAULT, turbo_sdk::pda::signed_feed(&Asset::Btc.feed_id()));
    assert_error(&fx.send(&[ix], &[&keeper]).await, TurboError::StalePrice);
}

#[tokio::test]
async fn opening_a_signed_feed_is_the_admins_through_the_timelock() {
    let (mut fx, _lp) = Fixture::deployed().await;
    let args = turbo::args::OpenSignedFeedArgs { feed_id: Asset::Btc.feed_id(), lazer_feed_id: BTC_LAZER };
    // Anyone else.
    let mallory = Keypair::new();
    fx.bank.fund(&mallory.pubkey(), 0, 0).await;
    let mut ix = turbo_sdk::ix::open_signed_feed(mallory.pubkey(), None, args);
    ix.accounts[0].pubkey = mallory.pubkey();
    assert_error(&fx.send(&[ix], &[&mallory]).await, TurboError::Unauthorized);
    // The admin, once the pool holds someone else's money (a mint), without the timelock.
    let user = fx.user(1_000 * USDC, 0).await;
    assert_ok(&fx.mint(&user, BTC_VAULT, 100 * USDC, 0, 0).await);
    let admin = fx.admin.pubkey();
    assert_error(&fx.send(&[turbo_sdk::ix::open_signed_feed(admin, None, args)], &[]).await, TurboError::ChangeNeedsTimelock);
    // A feed the deployment does not price, and a Pyth Pro id of zero.
    let unknown = turbo::args::OpenSignedFeedArgs { feed_id: [7; 32], ..args };
    let id = fx.queue(turbo::state::Change::OpenSignedFeed { feed_id: [7; 32], lazer_feed_id: BTC_LAZER }, None).await;
    let zero = fx.queue(turbo::state::Change::OpenSignedFeed { feed_id: args.feed_id, lazer_feed_id: 0 }, None).await;
    fx.wait_timelock().await;
    assert_error(&fx.send(&[turbo_sdk::ix::open_signed_feed(admin, Some(id), unknown)], &[]).await, TurboError::SignedFeedUnknown);
    let zero_args = turbo::args::OpenSignedFeedArgs { lazer_feed_id: 0, ..args };
    assert_error(&fx.send(&[turbo_sdk::ix::open_signed_feed(admin, Some(zero), zero_args)], &[]).await, TurboError::SignedFeedUnknown);
    // A queued change for other arguments.
    assert_error(&fx.send(&[turbo_sdk::ix::open_signed_feed(admin, Some(id), args)], &[]).await, TurboError::ChangeMismatch);
    // Through the timelock.
    let out = fx.open_signed_feed(Asset::Btc, BTC_LAZER).await;
    assert_ok(&out);
    let e = out.event::<SignedFeedOpenedEvent>();
    assert_eq!((e.feed_id, e.lazer_feed_id), (Asset::Btc.feed_id(), BTC_LAZER));
    // Once opened, the link never changes.
    assert!(fx.open_signed_feed(Asset::Btc, 2).await.result.is_err());
}
