//! The keeper's health and Prometheus metrics, served on a local port: rebalances sent, failed
//! and skipped, steps left under the minimum, the bounty earned, and the age of the newest price it saw. `/health` answers
//! 200 while the last scan succeeded within three intervals, 503 otherwise.

use std::sync::atomic::{AtomicI64, AtomicU64};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use axum::Router;
use prometheus_client::encoding::text::encode;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::registry::Registry;

use crate::TickReport;

/// What the keeper has done, for `/metrics`.
pub struct Metrics {
    registry: Registry,
    pub sent: Counter,
    pub failed: Counter,
    pub skipped: Counter,
    /// Steps the program would take, left because they were under the keeper's minimum.
    pub small: Counter,
    pub scans_failed: Counter,
    /// Bounty earned, micro-USD.
    pub bounty: Counter<u64, AtomicU64>,
    /// Seconds between the clock and the newest price the keeper saw.
    pub price_age: Gauge<i64, AtomicI64>,
    last_ok: Mutex<Option<Instant>>,
    interval: Duration,
}

impl Metrics {
    pub fn new(interval: Duration) -> Arc<Metrics> {
        let mut registry = Registry::with_prefix("turbo_keeper");
        let [sent, failed, skipped, small, scans_failed]: [Counter; 5] = Default::default();
        let bounty = Counter::<u64, AtomicU64>::default();
        let price_age = Gauge::<i64, AtomicI64>::default();
        registry.register("rebalances_sent", "Rebalances that landed", sent.clone());
        registry.register("rebalances_failed", "Rebalances the program refused", failed.clone());
        registry.register("vaults_skipped", "Vaults that could not be decided (a price failed the gate, ...)", skipped.clone());
        registry.register("steps_under_minimum", "Steps left to grow: under the keeper's minimum share of the position", small.clone());
        registry.register("scans_failed", "Scans that could not reach the cluster", scans_failed.clone());
        registry.register("bounty_earned_micro_usd", "Bounty earned, micro-USD", bounty.clone());
        registry.register("price_age_seconds", "Seconds between the clock and the newest price seen", price_age.clone());
        Arc::new(Metrics { registry, sent, failed, skipped, small, scans_failed, bounty, price_age, last_ok: Mutex::new(None), interval })
    }

    /// Count one scan.
    pub fn observe(&self, report: &TickReport) {
        for s in &report.sent {
            if s.outcome.result.is_ok() {
                self.sent.inc();
                let bounty: u64 = s.outcome.events::<turbo::events::RebalanceEvent>().iter().map(|e| e.bounty).sum();
                self.bounty.inc_by(bounty);
            } else {
                self.failed.inc();
            }
        }
        self.skipped.inc_by(report.skipped.len() as u64);
        self.small.inc_by(report.small.len() as u64);
        if let Some(age) = report.price_age {
            self.price_age.set(age);
        }
        *self.last_ok.lock().expect("metrics lock") = Some(Instant::now());
    }

    /// Count a scan that failed to reach the cluster.
    pub fn scan_failed(&self) {
        self.scans_failed.inc();
    }

    /// The metrics in Prometheus' text format.
    pub fn text(&self) -> String {
        let mut out = String::new();
        encode(&mut out, &self.registry).expect("encoding to a String");
        out
    }

    /// Whether the last good scan is recent (within three intervals).
    pub fn healthy(&self) -> bool {
        self.last_ok.lock().expect("metrics lock").is_some_and(|t| t.elapsed() <= self.interval * 3)
    }
}

async fn metrics(State(m): State<Arc<Metrics>>) -> String {
    m.text()
}

async fn health(State(m): State<Arc<Metrics>>) -> (StatusCode, &'static str) {
    if m.healthy() {
        (StatusCode::OK, "ok\n")
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "no recent successful scan\n")
    }
}

/// Serve `/metrics` and `/health` on `addr` until the process ends.
pub async fn serve(listener: tokio::net::TcpListener, m: Arc<Metrics>) -> std::io::Result<()> {
    let app = Router::new().route("/metrics", get(metrics)).route("/health", get(health)).with_state(m);
    axum::serve(listener, app).await
}
