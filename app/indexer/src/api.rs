//! The index over HTTP (docs/clients.md, "The indexer"): JSON, every list bounded, pagination by
//! slot. Amounts are raw units or micro-USD as the events carry them, as integers.

use std::sync::Arc;

use anchor_lang::AnchorDeserialize;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use serde_json::json;
use turbo_sdk::turbo::events::RebalanceEvent;

use crate::store::{Point, PoolRow, Store};

/// The most points a series returns; the newest are kept.
pub const MAX_POINTS: u32 = 2_000;
/// The most rebalances a page returns.
pub const MAX_PAGE: u32 = 200;

pub fn router(store: Arc<Store>) -> Router {
    Router::new()
        .route("/v1/status", get(status))
        .route("/v1/vaults/{vault}/series", get(series))
        .route("/v1/vaults/{vault}/rebalances", get(rebalances))
        .route("/v1/wallets/{wallet}/positions", get(positions))
        .route("/v1/pool/history", get(pool_history))
        .with_state(store)
        // Read-only and public: a web page on any origin may read it.
        .layer(tower_http::cors::CorsLayer::new().allow_origin(tower_http::cors::Any).allow_methods([axum::http::Method::GET]))
}

/// A refusal or a failure, as JSON with its status.
pub struct ApiError(StatusCode, String);

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.0, Json(json!({ "error": self.1 }))).into_response()
    }
}

impl From<crate::store::StoreError> for ApiError {
    fn from(e: crate::store::StoreError) -> Self {
        ApiError(StatusCode::INTERNAL_SERVER_ERROR, e.to_string())
    }
}

type ApiResult<T> = Result<Json<T>, ApiError>;

fn bad(why: impl Into<String>) -> ApiError {
    ApiError(StatusCode::BAD_REQUEST, why.into())
}

fn address(s: &str) -> Result<String, ApiError> {
    s.parse::<anchor_lang::prelude::Pubkey>().map(|k| k.to_string()).map_err(|_| bad(format!("{s:?} is not an address")))
}

/// `1D`, `1W`, `1M` or `All` in seconds (`None` for all).
pub fn window_secs(w: Option<&str>) -> Result<Option<i64>, ApiError> {
    match w.unwrap_or("All") {
        "1D" => Ok(Some(86_400)),
        "1W" => Ok(Some(7 * 86_400)),
        "1M" => Ok(Some(30 * 86_400)),
        "All" => Ok(None),
        other => Err(bad(format!("window {other:?}: use 1D, 1W, 1M or All"))),
    }
}

fn bounded(limit: Option<u32>, default: u32, max: u32) -> Result<u32, ApiError> {
    match limit.unwrap_or(default) {
        0 => Err(bad("limit must be at least 1")),
        n if n > max => Err(bad(format!("limit {n} is over the most a page holds ({max})"))),
        n => Ok(n),
    }
}

#[derive(Serialize)]
struct Status {
    cursor: Option<crate::store::Cursor>,
    txs: u64,
    events: u64,
    vault_points: u64,
    pool_points: u64,
    gaps: Vec<crate::store::Gap>,
}

async fn status(State(store): State<Arc<Store>>) -> ApiResult<Status> {
    Ok(Json(Status {
        cursor: store.cursor().await?,
        txs: store.count("txs").await?,
        events: store.count("events").await?,
        vault_points: store.count("vault_points").await?,
        pool_points: store.count("pool_points").await?,
        gaps: store.gaps().await?,
    }))
}

#[derive(Deserialize)]
struct SeriesQuery {
    window: Option<String>,
    limit: Option<u32>,
}

#[derive(Serialize)]
struct Series {
    vault: String,
    window: String,
    points: Vec<Point>,
}

/// A vault's points over the window, measured back from its newest point (a node's clock, not
/// the server's).
async fn series(State(store): State<Arc<Store>>, Path(vault): Path<String>, Query(q): Query<SeriesQuery>) -> ApiResult<Series> {
    let vault = address(&vault)?;
    let window = window_secs(q.window.as_deref())?;
    let limit = bounded(q.limit, 500, MAX_POINTS)?;
    let since = match (window, store.series(&vault, 0, 1).await?.first()) {
        (Some(w), Some(newest)) => newest.time - w,
        _ => 0,
    };
    let points = store.series(&vault, since, limit).await?;
    Ok(Json(Series { vault, window: q.window.unwrap_or_else(|| "All".into()), points }))
}

#[derive(Deserialize)]
struct PageQuery {
    before: Option<u64>,
    limit: Option<u32>,
}

#[derive(Serialize)]
struct Rebalance {
    signature: String,
    slot: u64,
    time: i64,
    price: u64,
    action: &'static str,
    capped: bool,
    leverage_before: i64,
    leverage_after: i64,
    nav: u64,
    bounty: u64,
    /// The whole event as the program logged it (base64 of its discriminator and Borsh body),
    /// for a client that decodes it with the IDL's types.
    data: String,
}

#[derive(Serialize)]
struct Rebalances {
    rebalances: Vec<Rebalance>,
    /// Pass as `before` for the next (older) page; absent on the last.
    next_before: Option<u64>,
}

async fn rebalances(State(store): State<Arc<Store>>, Path(vault): Path<String>, Query(q): Query<PageQuery>) -> ApiResult<Rebalances> {
    let vault = address(&vault)?;
    let limit = bounded(q.limit, 50, MAX_PAGE)?;
    let rows = store.events("RebalanceEvent", Some(&vault), q.before.unwrap_or(u64::MAX >> 1), limit).await?;
    let next_before = (rows.len() == limit as usize).then(|| rows.last().map(|r| r.slot)).flatten();
    let rebalances = rows
        .iter()
        .filter_map(|r| {
            let e = RebalanceEvent::try_from_slice(r.data.get(8..)?).ok()?;
            Some(Rebalance {
                signature: r.signature.clone(),
                slot: r.slot,
                time: r.time,
                price: e.price,
                action: e.action.name(),
                capped: e.capped,
                leverage_before: e.leverage_before,
                leverage_after: e.leverage_after,
                nav: e.nav,
                bounty: e.bounty,
                data: base64::Engine::encode(&base64::engine::general_purpose::STANDARD, &r.data),
            })
        })
        .collect();
    Ok(Json(Rebalances { rebalances, next_before }))
}

pub use turbo_sdk::indexer::{LpPosition, Positions, VaultPosition};

use crate::decode::share;

fn pnl(value: u64, out: u64, cost: u64) -> i64 {
    i64::try_from(value as i128 + out as i128 - cost as i128).unwrap_or(i64::MAX)
}

/// A wallet's positions from its flows.
pub async fn wallet_positions(store: &Store, wallet: &str) -> Result<Positions, crate::store::StoreError> {
    let flows = store.flows(wallet).await?;
    let mut vaults: Vec<VaultPosition> = Vec::new();
    let mut lp = LpPosition { shares: 0, deposited: 0, withdrawn: 0, value: 0, pnl: 0 };
    let mut has_lp = false;
    for f in &flows {
        match (f.kind.as_str(), &f.vault) {
            ("mint" | "redeem", Some(v)) => {
                let i = match vaults.iter().position(|p| &p.vault == v) {
                    Some(i) => i,
                    None => {
                        vaults.push(VaultPosition { vault: v.clone(), tokens: 0, cost: 0, proceeds: 0, value: 0, pnl: 0, valued_at: None });
                        vaults.len() - 1
                    }
                };
                let p = &mut vaults[i];
                if f.kind == "mint" {
                    p.tokens = p.tokens.saturating_add(f.units);
                    p.cost = p.cost.saturating_add(f.value).saturating_add(f.fee);
                } else {
                    p.tokens = p.tokens.saturating_sub(f.units);
                    p.proceeds = p.proceeds.saturating_add(f.value.saturating_sub(f.fee));
                }
            }
            ("deposit", _) => {
                has_lp = true;
                lp.shares = lp.shares.saturating_add(f.units);
                lp.deposited = lp.deposited.saturating_add(f.value);
            }
            ("withdraw", _) => {
                has_lp = true;
                lp.shares = lp.shares.saturating_sub(f.units);
                lp.withdrawn = lp.withdrawn.saturating_add(f.value);
            }
            _ => {}
        }
    }
    for p in &mut vaults {
        if let Some(at) = store.latest_valued(&p.vault).await? {
            p.value = share(at.nav, p.tokens, at.supply);
            p.valued_at = Some(at.time);
        }
        p.pnl = pnl(p.value, p.proceeds, p.cost);
    }
    if has_lp {
        if let Some(at) = store.pool_series(0, 1).await?.pop() {
            lp.value = share(at.value, lp.shares, at.lp_supply);
        }
        lp.pnl = pnl(lp.value, lp.withdrawn, lp.deposited);
    }
    Ok(Positions { wallet: wallet.to_string(), vaults, lp: has_lp.then_some(lp) })
}

async fn positions(State(store): State<Arc<Store>>, Path(wallet): Path<String>) -> ApiResult<Positions> {
    let wallet = address(&wallet)?;
    Ok(Json(wallet_positions(&store, &wallet).await?))
}

#[derive(Serialize)]
struct PoolHistory {
    window: String,
    points: Vec<PoolRow>,
    /// The LP share's value change over the window, annualized, bps (absent under two points or
    /// no time between them).
    apr_bps: Option<i64>,
    /// The seconds the APR is measured over.
    measured_secs: i64,
    /// What the pool earned in the window: the LPs' part of the swept fees (raw USDC and CRT),
    /// the skew funding and the hedge's utilization fee (micro-USD).
    fees_usdc: u64,
    fees_crt: u64,
    funding: u64,
    hedge_fees: u64,
}

/// The annualized change of the share value between the first and the last point, bps.
pub fn apr_bps(points: &[PoolRow]) -> (Option<i64>, i64) {
    let (Some(a), Some(b)) = (points.first(), points.last()) else { return (None, 0) };
    let dt = b.time - a.time;
    if dt <= 0 || a.lp_supply == 0 || b.lp_supply == 0 || a.value == 0 {
        return (None, dt.max(0));
    }
    // Share values at 12 decimals, so a small move is not lost.
    let pa = a.value as i128 * 1_000_000_000_000 / a.lp_supply as i128;
    let pb = b.value as i128 * 1_000_000_000_000 / b.lp_supply as i128;
    let apr = (pb - pa) * 10_000 * 365 * 86_400 / (pa * dt as i128);
    (i64::try_from(apr).ok(), dt)
}

async fn pool_history(State(store): State<Arc<Store>>, Query(q): Query<SeriesQuery>) -> ApiResult<PoolHistory> {
    let window = window_secs(q.window.as_deref())?;
    let limit = bounded(q.limit, 500, MAX_POINTS)?;
    let since = match (window, store.pool_series(0, 1).await?.first()) {
        (Some(w), Some(newest)) => newest.time - w,
        _ => 0,
    };
    let points = store.pool_series(since, limit).await?;
    let (apr_bps, measured_secs) = apr_bps(&points);
    let (fees_usdc, fees_crt) = store.income("fees", since).await?;
    let (funding, _) = store.income("funding", since).await?;
    let (hedge_fees, _) = store.income("hedge_fee", since).await?;
    Ok(Json(PoolHistory {
        window: q.window.unwrap_or_else(|| "All".into()),
        points,
        apr_bps,
        measured_secs,
        fees_usdc,
        fees_crt,
        funding,
        hedge_fees,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(time: i64, value: u64, lp_supply: u64) -> PoolRow {
        PoolRow { time, slot: time as u64, value, lp_supply }
    }

    #[test]
    fn the_apr_annualizes_the_share_value_change_and_needs_two_points_in_time() {
        // The share from $1.00 to $1.01 in 36.5 days: 1% × 10 = 10% a year.
        let days = 365 * 86_400 / 10;
        assert_eq!(apr_bps(&[at(0, 1_000_000, 1_000_000), at(days, 2_020_000, 2_000_000)]), (Some(1_000), days));
        // A deposit alone does not move the share value: no return.
        assert_eq!(apr_bps(&[at(0, 1_000_000, 1_000_000), at(86_400, 3_000_000, 3_000_000)]), (Some(0), 86_400));
        assert_eq!(apr_bps(&[at(5, 1, 1)]), (None, 0));
        assert_eq!(apr_bps(&[]), (None, 0));
        assert_eq!(apr_bps(&[at(5, 1, 1), at(5, 2, 1)]), (None, 0));
    }

    #[test]
    fn windows_and_limits_are_bounded() {
        assert_eq!(window_secs(Some("1W")).ok(), Some(Some(604_800)));
        assert_eq!(window_secs(None).ok(), Some(None));
        assert!(window_secs(Some("2D")).is_err());
        assert_eq!(bounded(None, 50, MAX_PAGE).ok(), Some(50));
        assert!(bounded(Some(0), 50, MAX_PAGE).is_err());
        assert!(bounded(Some(MAX_PAGE + 1), 50, MAX_PAGE).is_err());
    }
}
