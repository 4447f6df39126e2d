//! Fetching Pyth Pro signed prices (docs/clients.md, "Signed prices"): the price service's
//! `POST /v1/latest_price` in its own wire format (`pyth-lazer-protocol`'s request and response
//! types), with a bearer token, timeouts and retries. On a cluster the service is Pyth's; `turbo
//! localnet` serves the same endpoint from the prices it replays, signed with the bank's trusted
//! key.

use std::time::Duration;

use pyth_lazer_protocol::api::{Channel, Format, JsonBinaryEncoding, JsonUpdate, LatestPriceRequestRepr};
use pyth_lazer_protocol::time::FixedRate;
use pyth_lazer_protocol::{PriceFeedId, PriceFeedProperty};
use turbo_math::signed;

/// Where a signed price comes from: a price service's base URL and its access token.
#[derive(Clone, Debug)]
pub struct PriceService {
    url: String,
    token: Option<String>,
    http: reqwest::Client,
    attempts: u32,
}

#[derive(Debug, thiserror::Error)]
pub enum PriceServiceError {
    #[error("the price service at {url} is unreachable: {why}")]
    Unreachable { url: String, why: String },
    #[error("the price service refused the request ({status}): {body}")]
    Refused { status: u16, body: String },
    #[error("the price service's answer is not a signed Solana-format update: {0}")]
    Malformed(String),
    #[error("the signed update carries no price of Pyth Pro feed {0}")]
    MissingFeed(u32),
}

impl From<signed::SignedPriceError> for PriceServiceError {
    fn from(e: signed::SignedPriceError) -> Self {
        PriceServiceError::Malformed(format!("{e:?}"))
    }
}

/// The request for a signed Solana-format update of `feeds`: price, confidence and exponent on
/// the 200 ms channel, the message hex-encoded.
pub fn request(feeds: &[u32]) -> LatestPriceRequestRepr {
    LatestPriceRequestRepr {
        price_feed_ids: Some(feeds.iter().map(|&f| PriceFeedId(f)).collect()),
        symbols: None,
        properties: vec![PriceFeedProperty::Price, PriceFeedProperty::Confidence, PriceFeedProperty::Exponent],
        formats: vec![Format::Solana],
        json_binary_encoding: JsonBinaryEncoding::Hex,
        parsed: false,
        channel: Channel::FixedRate(FixedRate::RATE_200_MS),
    }
}

/// The signed message of a response, checked to parse and to carry a complete price of every
/// feed of `feeds`.
pub fn message(update: &JsonUpdate, feeds: &[u32]) -> Result<Vec<u8>, PriceServiceError> {
    let data = update.solana.as_ref().ok_or_else(|| PriceServiceError::Malformed("no Solana-format payload".into()))?;
    let bytes = match data.encoding {
        JsonBinaryEncoding::Hex => hex::decode(data.data.strip_prefix("0x").unwrap_or(&data.data)).map_err(|e| e.to_string()),
        JsonBinaryEncoding::Base64 => {
            use base64::Engine;
            base64::engine::general_purpose::STANDARD.decode(&data.data).map_err(|e| e.to_string())
        }
    }
    .map_err(PriceServiceError::Malformed)?;
    let (_, payload) = signed::open(&bytes)?;
    let payload = signed::read_payload(payload)?;
    for &f in feeds {
        payload.feed(f)?.ok_or(PriceServiceError::MissingFeed(f))?;
    }
    Ok(bytes)
}

impl PriceService {
    /// A client of the service at `url` (its base, without `/v1/...`), with `token` as its bearer
    /// token: 3 s to connect, 5 s a request, 3 attempts.
    pub fn new(url: &str, token: Option<String>) -> Result<PriceService, PriceServiceError> {
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(3))
            .timeout(Duration::from_secs(5))
            .build()
            .map_err(|e| PriceServiceError::Unreachable { url: url.into(), why: e.to_string() })?;
        Ok(PriceService { url: url.trim_end_matches('/').to_string(), token, http, attempts: 3 })
    }

    pub fn url(&self) -> &str {
        &self.url
    }

    /// The newest signed update of `feeds`, in the Solana format the program posts. A transport
    /// failure or a server error is retried (200 ms, then 400 ms); a refusal is not.
    pub async fn latest(&self, feeds: &[u32]) -> Result<Vec<u8>, PriceServiceError> {
        let endpoint = format!("{}/v1/latest_price", self.url);
        let body = request(feeds);
        let mut wait = Duration::from_millis(200);
        let mut attempt = 1;
        loop {
            let mut req = self.http.post(&endpoint).json(&body);
            if let Some(t) = &self.token {
                req = req.bearer_auth(t);
            }
            let retry = match req.send().await {
                Ok(resp) if resp.status().is_success() => {
                    let update: JsonUpdate = resp.json().await.map_err(|e| PriceServiceError::Malformed(e.to_string()))?;
                    return message(&update, feeds);
                }
                Ok(resp) if resp.status().is_server_error() => {
                    PriceServiceError::Refused { status: resp.status().as_u16(), body: resp.text().await.unwrap_or_default() }
                }
                Ok(resp) => {
                    return Err(PriceServiceError::Refused { status: resp.status().as_u16(), body: resp.text().await.unwrap_or_default() })
                }
                Err(e) => PriceServiceError::Unreachable { url: endpoint.clone(), why: e.to_string() },
            };
            if attempt >= self.attempts {
                return Err(retry);
            }
            attempt += 1;
            tokio::time::sleep(wait).await;
            wait *= 2;
        }
    }
}

/// Why signed prices could not be attached.
#[derive(Debug, thiserror::Error)]
pub enum AttachError {
    #[error(transparent)]
    Chain(#[from] crate::chain::ChainError),
    #[error(transparent)]
    Service(#[from] PriceServiceError),
    #[error("the Lazer storage account cannot be read: {0}")]
    Storage(String),
}

/// Signed prices ready to ride in front of an instruction: the message and the deployment feeds
/// it carries, the Lazer treasury its post pays, and the feeds as instructions read them after
/// the post (`Feeds::signed`).
#[derive(Clone, Debug)]
pub struct Attached {
    pub message: Vec<u8>,
    pub feed_ids: Vec<[u8; 32]>,
    pub treasury: anchor_lang::prelude::Pubkey,
    pub feeds: crate::accounts::Feeds,
}

impl Attached {
    /// The check and the post paid by `payer`, to sit first in a transaction.
    pub fn ixs(&self, payer: anchor_lang::prelude::Pubkey) -> [anchor_lang::solana_program::instruction::Instruction; 2] {
        crate::ix::signed_prices(payer, self.treasury, self.message.clone(), 0, &self.feed_ids)
    }

    /// Whether any of `ixs` reads one of the signed feeds this posts.
    pub fn read_by(&self, ixs: &[anchor_lang::solana_program::instruction::Instruction]) -> bool {
        let keys: Vec<_> = self.feed_ids.iter().map(crate::pda::signed_feed).collect();
        ixs.iter().any(|ix| ix.accounts.iter().any(|m| keys.contains(&m.pubkey)))
    }
}

/// Fetch a signed update of `feed_ids` (deployment feed ids) from `service`, ready to post. `None`
/// when the deployment has not opened a signed feed for one of them: the caller uses the price
/// accounts of `base` as they are.
pub async fn attach<C: crate::chain::Chain>(
    chain: &mut C,
    service: &PriceService,
    feed_ids: &[[u8; 32]],
    base: &crate::accounts::Feeds,
) -> Result<Option<Attached>, AttachError> {
    use anchor_lang::AccountDeserialize;
    let mut ids: Vec<[u8; 32]> = Vec::with_capacity(feed_ids.len());
    for f in feed_ids {
        if !ids.contains(f) {
            ids.push(*f);
        }
    }
    let mut linked = Vec::with_capacity(ids.len());
    for f in &ids {
        match crate::accounts::signed_feed(chain, f).await? {
            Some(s) => linked.push(s),
            None => return Ok(None),
        }
    }
    let lazer: Vec<u32> = linked.iter().map(|s| s.lazer_feed_id).collect();
    let message = service.latest(&lazer).await?;
    let (_, payload) = signed::open(&message).map_err(PriceServiceError::from)?;
    let payload = signed::read_payload(payload).map_err(PriceServiceError::from)?;
    let mut feeds = base.clone();
    for (f, mut s) in ids.iter().zip(linked) {
        let p = payload.feed(s.lazer_feed_id).map_err(PriceServiceError::from)?.ok_or(PriceServiceError::MissingFeed(s.lazer_feed_id))?;
        // The post keeps the newer of what the feed holds and the message.
        if payload.timestamp_us > s.timestamp_us {
            (s.price, s.confidence, s.exponent, s.timestamp_us) = (p.price, p.confidence, p.exponent as i32, payload.timestamp_us);
        }
        feeds.signed.push((*f, turbo::oracle::PriceSource::Signed(s)));
    }
    let storage = chain
        .account(&turbo::constants::LAZER_STORAGE_ID)
        .await?
        .ok_or_else(|| AttachError::Storage("no account at the Lazer storage's address".into()))?;
    let storage = pyth_lazer_solana_contract::Storage::try_deserialize(&mut storage.data.as_slice())
        .map_err(|e| AttachError::Storage(e.to_string()))?;
    Ok(Some(Attached { message, feed_ids: ids, treasury: storage.treasury, feeds }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use pyth_lazer_protocol::api::JsonBinaryData;

    fn update(encoding: JsonBinaryEncoding, data: String) -> JsonUpdate {
        JsonUpdate { parsed: None, evm: None, solana: Some(JsonBinaryData { encoding, data }), le_ecdsa: None, le_unsigned: None }
    }

    #[test]
    fn an_answer_is_read_in_either_encoding_and_must_carry_every_feed_asked() {
        use base64::Engine;
        let k = solana_sdk::signature::Keypair::new();
        let feed = |feed_id| crate::lazer::FeedPrice { feed_id, price: 15_000_000_000, confidence: 1_000_000, exponent: -8 };
        let m = crate::lazer::sign(&k, &crate::lazer::Update { timestamp_us: 1, feeds: vec![feed(6)] }).unwrap();
        assert_eq!(message(&update(JsonBinaryEncoding::Hex, hex::encode(&m)), &[6]).unwrap(), m);
        let b64 = base64::engine::general_purpose::STANDARD.encode(&m);
        assert_eq!(message(&update(JsonBinaryEncoding::Base64, b64), &[6]).unwrap(), m);
        assert!(matches!(message(&update(JsonBinaryEncoding::Hex, hex::encode(&m)), &[6, 1]), Err(PriceServiceError::MissingFeed(1))));
        assert!(matches!(message(&update(JsonBinaryEncoding::Hex, "zz".into()), &[6]), Err(PriceServiceError::Malformed(_))));
        assert!(matches!(
            message(&update(JsonBinaryEncoding::Hex, hex::encode(&m[..m.len() - 1])), &[6]),
            Err(PriceServiceError::Malformed(_))
        ));
        let none = JsonUpdate { solana: None, ..update(JsonBinaryEncoding::Hex, String::new()) };
        assert!(matches!(message(&none, &[6]), Err(PriceServiceError::Malformed(_))));
    }

    #[test]
    fn the_request_is_the_services_wire_format() {
        let json = serde_json::to_value(request(&[1, 6])).unwrap();
        assert_eq!(
            json,
            serde_json::json!({
                "priceFeedIds": [1, 6],
                "symbols": null,
                "properties": ["price", "confidence", "exponent"],
                "formats": ["solana"],
                "jsonBinaryEncoding": "hex",
                "parsed": false,
                "channel": "fixed_rate@200ms",
            })
        );
    }
}
