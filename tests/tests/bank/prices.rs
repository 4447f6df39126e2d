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
/// path"): a mint with the ed25519 check and the verification of one feed, and of the four feeds
/// an LP instruction prices, all under Solana's 1,232-byte packet without a lookup table.
#[tokio::test]
async fn a_signed_price_fits_in_a_mint_transaction() {
    let (mut fx, _lp) = Fixture::deployed().await;
    let user = fx.user(10_000 * USDC, 0).await;
    let mint = fx.mint_ix(&user, BTC_VAULT, 1_000 * USDC, 0, 0).await;
    let plain = tx_bytes(&fx, std::slice::from_ref(&mint), &user.key);
    let plain_table = tx_bytes_with_table(&fx, std::slice::from_ref(&mint), &user.key);
    let feeds = |n: u32| Update {
        timestamp_us: fx.bank.now as u64 * 1_000_000,
        feeds: (1..=n).map(|id| FeedPrice { feed_id: id, price: 6_000_000_000_000, confidence: 1_500_000_000, exponent: -8 }).collect(),
    };
    let mut sizes = Vec::new();
    for n in [1, 4] {
        let m = lazer::sign(&fx.bank.lazer_signer, &feeds(n)).unwrap();
        let [check, verify] = lazer::verify_ixs(fx.payer(), fx.bank.lazer_treasury, m.clone());
        let ixs = [check, verify, mint.clone()];
        let (with, with_table) = (tx_bytes(&fx, &ixs, &user.key), tx_bytes_with_table(&fx, &ixs, &user.key));
        // The message: 102 bytes of envelope and 14 of payload header, and 26 a feed.
        assert_eq!(m.len(), 102 + 14 + 26 * n as usize);
        sizes.push((n, m.len(), with, with_table));
    }
    println!("| transaction | bytes (of 1,232) | with a lookup table |\n|---|---:|---:|\n| mint, the price account only | {plain} | {plain_table} |");
    for (n, msg, with, table) in &sizes {
        println!("| mint + ed25519 check + Lazer verify, {n} feed(s) ({msg}-byte message) | {with} | {table} |");
    }
    // One feed fits a legacy transaction; four need the lookup table (1,248 bytes without it).
    assert!(sizes[0].2 <= 1_232 && sizes[1].2 > 1_232, "{sizes:?}");
    assert!(sizes.iter().all(|s| s.3 <= 1_232), "{sizes:?}");
    // The addition is the message (once, inside the verification), the check's 16 bytes of
    // offsets, and the verifier's accounts; about 420 bytes for one feed.
    let added = sizes[0].2 - plain;
    assert!(added > sizes[0].1 && added < sizes[0].1 + 330, "{added}");
}
