//! Reading a Pyth Pro (Lazer) signed price message (docs/decisions.md, "The mainnet price
//! path"): the Solana format's envelope and the payload inside it, as the program reads one after
//! the Lazer program has verified its signature, and as clients read one before they attach it.
//!
//! The format is `pyth-lazer-protocol`'s, little-endian. The program cannot link that crate (it
//! brings protobuf, chrono and serde into the bytecode), so this reader is the program's; the
//! SDK's tests hold it equal to the protocol crate's own reader on random messages. It borrows
//! the bytes and allocates nothing.

/// The Solana format's first four bytes (`SOLANA_FORMAT_MAGIC`, little-endian).
pub const SOLANA_MAGIC: u32 = 2_182_742_457;
/// The payload's first four bytes (`PAYLOAD_FORMAT_MAGIC`).
pub const PAYLOAD_MAGIC: u32 = 2_479_346_549;
/// Envelope: magic 4, ed25519 signature 64, signer's public key 32, payload length 2.
pub const ENVELOPE_LEN: usize = 4 + 64 + 32 + 2;
/// Where the signer's key starts in a message.
pub const SIGNER_OFFSET: usize = 4 + 64;

/// Property ids of a feed in the payload (`PriceFeedProperty`'s order).
mod property {
    pub const PRICE: u8 = 0;
    pub const BEST_BID: u8 = 1;
    pub const BEST_ASK: u8 = 2;
    pub const PUBLISHER_COUNT: u8 = 3;
    pub const EXPONENT: u8 = 4;
    pub const CONFIDENCE: u8 = 5;
    pub const FUNDING_RATE: u8 = 6;
    pub const FUNDING_TIMESTAMP: u8 = 7;
    pub const FUNDING_RATE_INTERVAL: u8 = 8;
    pub const MARKET_SESSION: u8 = 9;
    pub const EMA_PRICE: u8 = 10;
    pub const EMA_CONFIDENCE: u8 = 11;
    pub const FEED_UPDATE_TIMESTAMP: u8 = 12;
}

/// Microseconds per second: Pyth Pro signs times in microseconds.
pub const MICROS: u64 = 1_000_000;

/// A signing time in whole seconds, rounded down: a price is never read as newer than it is.
pub fn publish_time(timestamp_us: u64) -> i64 {
    (timestamp_us / MICROS) as i64
}

/// Why a message cannot be read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SignedPriceError {
    /// Not the format: a wrong magic, a length that disagrees with the bytes, a property this
    /// reader does not know (it cannot skip one whose size it does not know), bytes left over.
    Malformed,
    /// The feed is in the message but carries no price, confidence or exponent.
    Incomplete,
}

/// One feed's price as signed: mantissa and confidence at `exponent`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SignedFeedPrice {
    pub feed_id: u32,
    pub price: i64,
    pub confidence: u64,
    pub exponent: i16,
}

/// A verified message's payload: when it was signed, and its feeds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SignedPayload<'a> {
    /// Microseconds since the Unix epoch.
    pub timestamp_us: u64,
    pub channel: u8,
    feed_count: u8,
    feeds: &'a [u8],
}

struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], SignedPriceError> {
        if self.0.len() < n {
            return Err(SignedPriceError::Malformed);
        }
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        Ok(head)
    }
    fn array<const N: usize>(&mut self) -> Result<[u8; N], SignedPriceError> {
        let mut out = [0; N];
        out.copy_from_slice(self.take(N)?);
        Ok(out)
    }
    fn u8(&mut self) -> Result<u8, SignedPriceError> {
        Ok(self.array::<1>()?[0])
    }
    fn u16(&mut self) -> Result<u16, SignedPriceError> {
        Ok(u16::from_le_bytes(self.array()?))
    }
    fn u32(&mut self) -> Result<u32, SignedPriceError> {
        Ok(u32::from_le_bytes(self.array()?))
    }
    fn u64(&mut self) -> Result<u64, SignedPriceError> {
        Ok(u64::from_le_bytes(self.array()?))
    }
    fn i64(&mut self) -> Result<i64, SignedPriceError> {
        Ok(i64::from_le_bytes(self.array()?))
    }
    /// An optional value written as a presence byte and, when present, 8 bytes.
    fn skip_flagged(&mut self) -> Result<(), SignedPriceError> {
        if self.u8()? != 0 {
            self.take(8)?;
        }
        Ok(())
    }
}

/// The signer's public key and the payload of a Solana-format message. The signature is the
/// chain's to check; this only reads.
pub fn open(message: &[u8]) -> Result<([u8; 32], &[u8]), SignedPriceError> {
    let mut r = Reader(message);
    if r.u32()? != SOLANA_MAGIC {
        return Err(SignedPriceError::Malformed);
    }
    r.take(64)?;
    let signer = r.array::<32>()?;
    let len = r.u16()? as usize;
    let payload = r.take(len)?;
    if !r.0.is_empty() {
        return Err(SignedPriceError::Malformed);
    }
    Ok((signer, payload))
}

/// Read a payload's header, and check that its feeds parse to the last byte.
pub fn read_payload(payload: &[u8]) -> Result<SignedPayload<'_>, SignedPriceError> {
    let mut r = Reader(payload);
    if r.u32()? != PAYLOAD_MAGIC {
        return Err(SignedPriceError::Malformed);
    }
    let timestamp_us = r.u64()?;
    let channel = r.u8()?;
    let feed_count = r.u8()?;
    let p = SignedPayload { timestamp_us, channel, feed_count, feeds: r.0 };
    let mut feeds = Reader(p.feeds);
    for _ in 0..feed_count {
        read_feed(&mut feeds)?;
    }
    if !feeds.0.is_empty() {
        return Err(SignedPriceError::Malformed);
    }
    Ok(p)
}

/// A feed as read: its id and whatever of price, confidence and exponent it carries (a price or
/// confidence of zero is "none" in the format).
type RawFeed = (u32, Option<i64>, Option<i64>, Option<i16>);

fn read_feed(r: &mut Reader<'_>) -> Result<RawFeed, SignedPriceError> {
    use property::*;
    let id = r.u32()?;
    let (mut price, mut conf, mut exponent) = (None, None, None);
    for _ in 0..r.u8()? {
        match r.u8()? {
            PRICE => price = Some(r.i64()?).filter(|&v| v != 0),
            CONFIDENCE => conf = Some(r.i64()?).filter(|&v| v != 0),
            EXPONENT => exponent = Some(r.u16()? as i16),
            BEST_BID | BEST_ASK | EMA_PRICE | EMA_CONFIDENCE => {
                r.take(8)?;
            }
            PUBLISHER_COUNT | MARKET_SESSION => {
                r.take(2)?;
            }
            FUNDING_RATE | FUNDING_TIMESTAMP | FUNDING_RATE_INTERVAL | FEED_UPDATE_TIMESTAMP => r.skip_flagged()?,
            _ => return Err(SignedPriceError::Malformed),
        }
    }
    Ok((id, price, conf, exponent))
}

impl<'a> SignedPayload<'a> {
    /// The number of feeds the payload carries.
    pub fn feed_count(&self) -> u8 {
        self.feed_count
    }

    /// The price of feed `feed_id`, if the payload carries that feed: `Incomplete` when it lacks
    /// a price, a non-negative confidence or an exponent.
    pub fn feed(&self, feed_id: u32) -> Result<Option<SignedFeedPrice>, SignedPriceError> {
        let mut r = Reader(self.feeds);
        for _ in 0..self.feed_count {
            let (id, price, conf, exponent) = read_feed(&mut r)?;
            if id != feed_id {
                continue;
            }
            return match (price, conf.and_then(|c| u64::try_from(c).ok()), exponent) {
                (Some(price), Some(confidence), Some(exponent)) => Ok(Some(SignedFeedPrice { feed_id, price, confidence, exponent })),
                _ => Err(SignedPriceError::Incomplete),
            };
        }
        Ok(None)
    }

    /// The time it was signed, in whole seconds ([`publish_time`]).
    pub fn publish_time(&self) -> i64 {
        publish_time(self.timestamp_us)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A payload built by hand from the format's description: one feed with a price, a
    /// confidence, an exponent and a publisher count, then a feed with only a price.
    fn payload() -> Vec<u8> {
        let mut p = Vec::new();
        p.extend_from_slice(&PAYLOAD_MAGIC.to_le_bytes());
        p.extend_from_slice(&1_700_000_000_999_999u64.to_le_bytes());
        p.push(3);
        p.push(2);
        p.extend_from_slice(&1u32.to_le_bytes());
        p.push(4);
        p.push(property::PRICE);
        p.extend_from_slice(&6_000_000_000_000i64.to_le_bytes());
        p.push(property::PUBLISHER_COUNT);
        p.extend_from_slice(&9u16.to_le_bytes());
        p.push(property::CONFIDENCE);
        p.extend_from_slice(&1_500_000_000i64.to_le_bytes());
        p.push(property::EXPONENT);
        p.extend_from_slice(&(-8i16).to_le_bytes());
        p.extend_from_slice(&6u32.to_le_bytes());
        p.push(2);
        p.push(property::PRICE);
        p.extend_from_slice(&15_000_000_000i64.to_le_bytes());
        p.push(property::FUNDING_RATE);
        p.push(0);
        p
    }

    fn message(payload: &[u8]) -> Vec<u8> {
        let mut m = SOLANA_MAGIC.to_le_bytes().to_vec();
        m.extend_from_slice(&[7; 64]);
        m.extend_from_slice(&[9; 32]);
        m.extend_from_slice(&(payload.len() as u16).to_le_bytes());
        m.extend_from_slice(payload);
        m
    }

    #[test]
    fn a_message_reads_to_its_signer_time_and_feeds() {
        let p = payload();
        let m = message(&p);
        let (signer, inner) = open(&m).unwrap();
        assert_eq!((signer, inner), ([9; 32], &p[..]));
        let read = read_payload(inner).unwrap();
        assert_eq!((read.timestamp_us, read.channel, read.feed_count()), (1_700_000_000_999_999, 3, 2));
        assert_eq!(read.publish_time(), 1_700_000_000);
        assert_eq!(
            read.feed(1).unwrap(),
            Some(SignedFeedPrice { feed_id: 1, price: 6_000_000_000_000, confidence: 1_500_000_000, exponent: -8 })
        );
        assert_eq!(read.feed(6), Err(SignedPriceError::Incomplete));
        assert_eq!(read.feed(2), Ok(None));
    }

    #[test]
    fn anything_not_the_format_is_malformed() {
        let p = payload();
        let mut m = message(&p);
        m.push(0);
        assert_eq!(open(&m), Err(SignedPriceError::Malformed), "a byte after the payload");
        let m = message(&p[..p.len() - 1]);
        let (_, inner) = open(&m).unwrap();
        assert_eq!(read_payload(inner), Err(SignedPriceError::Malformed), "a payload cut short");
        let mut bad = p.clone();
        bad[0] ^= 1;
        assert_eq!(read_payload(&bad), Err(SignedPriceError::Malformed), "the payload's magic");
        let mut unknown = p.clone();
        let at = 4 + 8 + 1 + 1 + 4 + 1;
        assert_eq!(unknown[at], property::PRICE);
        unknown[at] = 13;
        assert_eq!(read_payload(&unknown), Err(SignedPriceError::Malformed), "a property of unknown size");
        let mut m = message(&p);
        m[0] ^= 1;
        assert_eq!(open(&m), Err(SignedPriceError::Malformed), "the envelope's magic");
    }
}
