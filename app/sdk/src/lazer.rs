//! Pyth Pro (Lazer) signed prices (docs/decisions.md, "The mainnet price path"): the wire format
//! a price service sends (`pyth-lazer-protocol`'s Solana format), the two instructions that verify
//! one inside a transaction (the ed25519 precompile's check, then the Lazer program's
//! `verify_message`, which accepts only a signer its storage trusts), and the storage's set-up.
//!
//! On a cluster the signer is Pyth's; in the bank and `turbo localnet` it is a local key the
//! bank's Lazer storage trusts, and the Lazer program runs natively from its published crate, as
//! the Turbo program does.

use anchor_lang::prelude::Pubkey;
use anchor_lang::solana_program::instruction::Instruction;
use anchor_lang::{InstructionData, ToAccountMetas};
use pyth_lazer_protocol::message::SolanaMessage;
use pyth_lazer_protocol::payload::{PayloadData, PayloadFeedData, PayloadPropertyValue};
use pyth_lazer_protocol::time::TimestampUs;
use pyth_lazer_protocol::Price;
use pyth_lazer_protocol::{ChannelId, PriceFeedId};
use pyth_lazer_solana_contract::{ed25519_program_args, Ed25519SignatureOffsets};
use solana_sdk::signature::{Keypair, Signer};

pub use pyth_lazer_solana_contract::{ID as PROGRAM_ID, STORAGE_ID};

/// One feed's price as a signed update carries it: mantissa and confidence at `exponent`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FeedPrice {
    pub feed_id: u32,
    pub price: i64,
    pub confidence: u64,
    pub exponent: i16,
}

/// A signed update: the feeds' prices at one time, microseconds since the epoch.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Update {
    pub timestamp_us: u64,
    pub feeds: Vec<FeedPrice>,
}

#[derive(Debug, thiserror::Error)]
pub enum LazerError {
    #[error("a Lazer message that does not parse: {0}")]
    Malformed(String),
    #[error("Lazer feed {0} carries no price, confidence or exponent")]
    Incomplete(u32),
    #[error("a price that Lazer's format cannot carry: {0}")]
    Unrepresentable(String),
}

fn malformed(e: impl std::fmt::Display) -> LazerError {
    LazerError::Malformed(e.to_string())
}

/// The payload of `update` in the Solana format's byte order (little-endian), on the 200 ms
/// channel, each feed with its price, confidence and exponent.
pub fn payload(update: &Update) -> Result<Vec<u8>, LazerError> {
    let price = |v: i64| Price::from_mantissa(v).map_err(|e| LazerError::Unrepresentable(format!("{e:?}")));
    let mut feeds = Vec::with_capacity(update.feeds.len());
    for f in &update.feeds {
        let conf = i64::try_from(f.confidence).map_err(|e| LazerError::Unrepresentable(e.to_string()))?;
        feeds.push(PayloadFeedData {
            feed_id: PriceFeedId(f.feed_id),
            properties: vec![
                PayloadPropertyValue::Price(Some(price(f.price)?)),
                PayloadPropertyValue::Confidence(Some(price(conf)?)),
                PayloadPropertyValue::Exponent(f.exponent),
            ],
        });
    }
    let data = PayloadData { timestamp_us: TimestampUs::from_micros(update.timestamp_us), channel_id: ChannelId::FIXED_RATE_200, feeds };
    let mut out = Vec::new();
    data.serialize::<byteorder::LE>(&mut out).map_err(malformed)?;
    Ok(out)
}

/// `update` signed by `signer`, as a price service sends it: the Solana format's magic, the
/// ed25519 signature of the payload, the signer's public key, the payload's length and the payload.
pub fn sign(signer: &Keypair, update: &Update) -> Result<Vec<u8>, LazerError> {
    let payload = payload(update)?;
    let signature = signer.sign_message(&payload);
    let message = SolanaMessage { payload, signature: signature.into(), public_key: signer.pubkey().to_bytes() };
    let mut out = Vec::new();
    message.serialize(&mut out).map_err(malformed)?;
    Ok(out)
}

/// Read a Solana-format message: who says it signed it, and the update. The signature is the
/// chain's to check (the ed25519 precompile and the Lazer program's trusted signers).
pub fn parse(message: &[u8]) -> Result<(Pubkey, Update), LazerError> {
    let m = SolanaMessage::deserialize_slice(message).map_err(malformed)?;
    let data = PayloadData::deserialize_slice_le(&m.payload).map_err(malformed)?;
    let mut feeds = Vec::with_capacity(data.feeds.len());
    for f in data.feeds {
        let (mut price, mut conf, mut exponent) = (None, None, None);
        for p in f.properties {
            match p {
                PayloadPropertyValue::Price(v) => price = v.map(|v| v.mantissa_i64()),
                PayloadPropertyValue::Confidence(v) => conf = v.map(|v| v.mantissa_i64()),
                PayloadPropertyValue::Exponent(e) => exponent = Some(e),
                _ => {}
            }
        }
        let (Some(price), Some(conf), Some(exponent)) = (price, conf.and_then(|c| u64::try_from(c).ok()), exponent) else {
            return Err(LazerError::Incomplete(f.feed_id.0));
        };
        feeds.push(FeedPrice { feed_id: f.feed_id.0, price, confidence: conf, exponent });
    }
    Ok((Pubkey::new_from_array(m.public_key), Update { timestamp_us: data.timestamp_us.as_micros(), feeds }))
}

/// Where the message starts in `verify_message`'s data, and in Turbo's `post_signed_prices`
/// (whose first argument it is too): after Anchor's 8-byte discriminator and the 4-byte length of
/// the byte vector.
pub const MESSAGE_OFFSET_IN_VERIFY: u16 = 12;

/// The ed25519 precompile's instruction that checks the signature of `message`, which sits at
/// `offset` in the data of instruction `ix_index` of the same transaction.
pub fn ed25519_ix(message: &[u8], ix_index: u16, offset: u16) -> Instruction {
    let offsets = Ed25519SignatureOffsets::new(message, ix_index, offset);
    Instruction { program_id: solana_sdk::ed25519_program::ID, accounts: vec![], data: ed25519_program_args(&[offsets]) }
}

/// The Lazer program's `verify_message` of `message`, whose signature instruction `ed25519_index`
/// of the transaction checked. It charges the payer the storage's fee (1 lamport) to `treasury`.
pub fn verify_ix(payer: Pubkey, treasury: Pubkey, message: Vec<u8>, ed25519_index: u16) -> Instruction {
    let accounts = pyth_lazer_solana_contract::accounts::VerifyMessage {
        payer,
        storage: STORAGE_ID,
        treasury,
        system_program: anchor_lang::system_program::ID,
        instructions_sysvar: solana_sdk::sysvar::instructions::ID,
    };
    let data = pyth_lazer_solana_contract::instruction::VerifyMessage {
        message_data: message,
        ed25519_instruction_index: ed25519_index,
        signature_index: 0,
    };
    Instruction { program_id: PROGRAM_ID, accounts: accounts.to_account_metas(None), data: data.data() }
}

/// The two instructions that verify `message` as the first two of a transaction: the ed25519
/// check (instruction 0) of the message inside `verify_message` (instruction 1).
pub fn verify_ixs(payer: Pubkey, treasury: Pubkey, message: Vec<u8>) -> [Instruction; 2] {
    [ed25519_ix(&message, 1, MESSAGE_OFFSET_IN_VERIFY), verify_ix(payer, treasury, message, 0)]
}

/// Create the Lazer program's storage (once per cluster): `top_authority` manages its signers,
/// `treasury` receives its fees.
pub fn initialize_ix(payer: Pubkey, top_authority: Pubkey, treasury: Pubkey) -> Instruction {
    let accounts =
        pyth_lazer_solana_contract::accounts::Initialize { payer, storage: STORAGE_ID, system_program: anchor_lang::system_program::ID };
    let data = pyth_lazer_solana_contract::instruction::Initialize { top_authority, treasury };
    Instruction { program_id: PROGRAM_ID, accounts: accounts.to_account_metas(None), data: data.data() }
}

/// Trust `signer` until `expires_at` (unix seconds; a time in the past revokes it).
pub fn trust_ix(top_authority: Pubkey, signer: Pubkey, expires_at: i64) -> Instruction {
    let accounts = pyth_lazer_solana_contract::accounts::Update { top_authority, storage: STORAGE_ID };
    let data = pyth_lazer_solana_contract::instruction::Update { trusted_signer: signer, expires_at };
    Instruction { program_id: PROGRAM_ID, accounts: accounts.to_account_metas(None), data: data.data() }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use turbo_math::signed;

    #[test]
    fn the_programs_copies_of_the_verifiers_addresses_are_the_crates() {
        assert_eq!(turbo::constants::LAZER_PROGRAM_ID, PROGRAM_ID);
        assert_eq!(turbo::constants::LAZER_STORAGE_ID, STORAGE_ID);
        use anchor_lang::Discriminator;
        assert_eq!(&turbo::constants::LAZER_VERIFY_MESSAGE[..], pyth_lazer_solana_contract::instruction::VerifyMessage::DISCRIMINATOR);
        // Turbo's post carries the message where the verifier's own instruction does.
        let ix = crate::ix::post_signed_prices(Pubkey::new_unique(), Pubkey::new_unique(), vec![5; 20], 0, &[[1; 32]]);
        assert_eq!(&ix.data[MESSAGE_OFFSET_IN_VERIFY as usize..][..20], &[5; 20]);
    }

    proptest! {
        /// The program's reader (`turbo_math::signed`) reads every message the protocol crate
        /// writes as the protocol crate reads it.
        #[test]
        fn the_programs_reader_agrees_with_the_protocol_crate(
            ts in 0u64..4_000_000_000_000_000,
            feeds in proptest::collection::vec((1u32..5000, 1i64..i64::MAX, 1i64..i64::MAX, -12i16..4), 1..6),
        ) {
            let feeds: Vec<FeedPrice> = feeds.into_iter().map(|(feed_id, price, c, exponent)| FeedPrice { feed_id, price, confidence: c as u64, exponent }).collect();
            let update = Update { timestamp_us: ts, feeds };
            let m = sign(&Keypair::new(), &update).unwrap();
            let (signer, payload) = signed::open(&m).unwrap();
            let (their_signer, theirs) = parse(&m).unwrap();
            prop_assert_eq!(signer, their_signer.to_bytes());
            let ours = signed::read_payload(payload).unwrap();
            prop_assert_eq!(ours.timestamp_us, theirs.timestamp_us);
            prop_assert_eq!(ours.feed_count() as usize, theirs.feeds.len());
            for f in &theirs.feeds {
                // The first feed with the id is the one both read.
                let first = theirs.feeds.iter().find(|g| g.feed_id == f.feed_id).unwrap();
                let got = ours.feed(f.feed_id).unwrap().unwrap();
                prop_assert_eq!((got.price, got.confidence, got.exponent), (first.price, first.confidence, first.exponent));
            }
        }
    }

    fn btc() -> Update {
        Update {
            timestamp_us: 1_700_000_000_250_000,
            feeds: vec![FeedPrice { feed_id: 1, price: 6_000_000_000_000, confidence: 1_500_000_000, exponent: -8 }],
        }
    }

    #[test]
    fn a_signed_update_reads_back_with_its_signer() {
        let k = Keypair::new();
        let m = sign(&k, &btc()).unwrap();
        // magic 4 + signature 64 + key 32 + length 2 + payload: magic 4, time 8, channel 1,
        // count 1, feed id 4, properties 1, price 1+8, confidence 1+8, exponent 1+2.
        assert_eq!(m.len(), 4 + 64 + 32 + 2 + (4 + 8 + 1 + 1 + 4 + 1 + 9 + 9 + 3));
        assert_eq!(parse(&m).unwrap(), (k.pubkey(), btc()));
        // The signature is the ed25519 one of the payload.
        let sig = solana_sdk::signature::Signature::from(<[u8; 64]>::try_from(&m[4..68]).unwrap());
        assert!(sig.verify(k.pubkey().as_ref(), &m[102..]));
    }

    #[test]
    fn a_message_that_is_not_lazers_is_refused_by_name() {
        let mut m = sign(&Keypair::new(), &btc()).unwrap();
        m[0] ^= 1;
        assert!(matches!(parse(&m), Err(LazerError::Malformed(_))));
        let bad = Update { feeds: vec![FeedPrice { price: 0, ..btc().feeds[0] }], ..btc() };
        assert!(matches!(payload(&bad), Err(LazerError::Unrepresentable(_))));
        // A feed that carries a price but no confidence or exponent is refused by its id.
        let data = PayloadData {
            timestamp_us: TimestampUs::from_micros(1),
            channel_id: ChannelId::FIXED_RATE_200,
            feeds: vec![PayloadFeedData {
                feed_id: PriceFeedId(7),
                properties: vec![PayloadPropertyValue::Price(Price::from_mantissa(5).ok())],
            }],
        };
        let mut bytes = Vec::new();
        data.serialize::<byteorder::LE>(&mut bytes).unwrap();
        let mut m = Vec::new();
        SolanaMessage { payload: bytes, signature: [0; 64], public_key: [0; 32] }.serialize(&mut m).unwrap();
        assert!(matches!(parse(&m), Err(LazerError::Incomplete(7))));
    }
}
