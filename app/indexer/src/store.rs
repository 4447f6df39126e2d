//! The index's database: SQLite by default (one file), PostgreSQL for a deployment that outgrows
//! it. One set of migrations (`migrations/`) and one set of queries serve both through sqlx's
//! `Any` driver: portable SQL, `$n` parameters (SQLite reads them as named parameters), integers
//! and text only.
//!
//! Every write of one transaction (its row, its events, the rows derived from them, and the
//! cursor) commits at once, and every row has a key: a crash between two transactions loses
//! nothing, and a transaction ingested again counts once.

use sqlx::any::{AnyPoolOptions, AnyRow};
use sqlx::{AnyPool, Row};

use crate::decode::Decoded;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("the index database: {0}")]
    Db(#[from] sqlx::Error),
    #[error("the index database's migrations: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

pub type Result<T> = std::result::Result<T, StoreError>;

/// Where ingestion stands.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Cursor {
    pub signature: String,
    pub slot: u64,
    pub seq: u64,
}

/// A program transaction as the node returned it, with its events.
#[derive(Clone, Debug)]
pub struct Landed {
    pub signature: String,
    pub slot: u64,
    pub block_time: i64,
    pub ok: bool,
    pub events: Vec<Decoded>,
}

/// A vault's numbers at a moment, as the API serves them.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Point {
    pub time: i64,
    pub slot: u64,
    pub source: String,
    pub price: u64,
    pub nav: u64,
    pub ui_price: u64,
    pub leverage: i64,
    pub supply: u64,
}

/// One stored event.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredEvent {
    pub signature: String,
    pub idx: u64,
    pub slot: u64,
    pub time: i64,
    pub name: String,
    pub data: Vec<u8>,
}

/// One row of `flows`.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct FlowRow {
    pub time: i64,
    pub signature: String,
    pub kind: String,
    pub vault: Option<String>,
    pub usdc: u64,
    pub crt: u64,
    pub value: u64,
    pub units: u64,
    pub fee: u64,
}

/// The pool at a moment.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct PoolRow {
    pub time: i64,
    pub slot: u64,
    pub value: u64,
    pub lp_supply: u64,
}

/// A stretch the node's history did not cover.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Gap {
    pub found_at: i64,
    pub after_signature: String,
    pub before_signature: String,
}

fn int(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

fn uint(row: &AnyRow, col: &str) -> Result<u64> {
    Ok(u64::try_from(row.try_get::<i64, _>(col)?).unwrap_or(0))
}

/// A `vault_points` row.
fn point(r: &AnyRow) -> Result<Point> {
    Ok(Point {
        time: r.try_get("block_time")?,
        slot: uint(r, "slot")?,
        source: r.try_get("source")?,
        price: uint(r, "price")?,
        nav: uint(r, "nav")?,
        ui_price: uint(r, "ui_price")?,
        leverage: r.try_get("leverage")?,
        supply: uint(r, "supply")?,
    })
}

pub struct Store {
    pool: AnyPool,
}

impl Store {
    /// Open (creating it if missing) the database at `url` (`sqlite://path`, `sqlite::memory:`,
    /// `postgres://…`) and bring its schema up to date.
    pub async fn open(url: &str) -> Result<Store> {
        sqlx::any::install_default_drivers();
        let url = match url.strip_prefix("sqlite://") {
            Some(path) if !path.contains('?') && !path.is_empty() => format!("sqlite://{path}?mode=rwc"),
            _ => url.to_string(),
        };
        let sqlite = url.starts_with("sqlite:");
        // SQLite: one writer; readers see the last commit (WAL), waiting out a write.
        let pool = AnyPoolOptions::new().max_connections(if sqlite { 1 } else { 8 }).connect(&url).await?;
        if sqlite {
            sqlx::query("PRAGMA journal_mode=WAL").execute(&pool).await?;
            sqlx::query("PRAGMA busy_timeout=5000").execute(&pool).await?;
        }
        sqlx::migrate!("./migrations").run(&pool).await?;
        Ok(Store { pool })
    }

    pub async fn cursor(&self) -> Result<Option<Cursor>> {
        let row = sqlx::query("SELECT signature, slot, seq FROM cursor WHERE id = 1").fetch_optional(&self.pool).await?;
        row.map(|r| Ok(Cursor { signature: r.try_get("signature")?, slot: uint(&r, "slot")?, seq: uint(&r, "seq")? })).transpose()
    }

    /// Store one transaction, its events and what they imply, and move the cursor to it, all in
    /// one database transaction. `false` when it was already stored (nothing changes).
    pub async fn ingest(&self, l: &Landed) -> Result<bool> {
        let mut t = self.pool.begin().await?;
        let seq: i64 = sqlx::query("SELECT COALESCE(MAX(seq), 0) + 1 AS next FROM txs").fetch_one(&mut *t).await?.try_get("next")?;
        let inserted = sqlx::query(
            "INSERT INTO txs (signature, seq, slot, block_time, ok) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (signature) DO NOTHING",
        )
        .bind(&l.signature)
        .bind(seq)
        .bind(int(l.slot))
        .bind(l.block_time)
        .bind(l.ok as i64)
        .execute(&mut *t)
        .await?
        .rows_affected();
        if inserted == 0 {
            t.rollback().await?;
            return Ok(false);
        }
        for (idx, e) in l.events.iter().enumerate() {
            let idx = idx as i64;
            sqlx::query(
                "INSERT INTO events (signature, idx, slot, block_time, name, vault, wallet, data) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (signature, idx) DO NOTHING",
            )
            .bind(&l.signature)
            .bind(idx)
            .bind(int(l.slot))
            .bind(l.block_time)
            .bind(e.name)
            .bind(e.vault.map(|k| k.to_string()))
            .bind(e.wallet.map(|k| k.to_string()))
            .bind(base64::Engine::encode(&base64::engine::general_purpose::STANDARD, &e.data))
            .execute(&mut *t)
            .await?;
            let source = format!("{}:{idx}", l.signature);
            if let Some(p) = &e.point {
                sqlx::query(
                    "INSERT INTO vault_points (vault, slot, source, block_time, price, nav, ui_price, leverage, supply) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (vault, slot, source) DO NOTHING",
                )
                .bind(p.vault.to_string())
                .bind(int(l.slot))
                .bind(&source)
                .bind(l.block_time)
                .bind(int(p.price))
                .bind(int(p.nav))
                .bind(int(p.ui_price))
                .bind(p.leverage)
                .bind(int(p.supply))
                .execute(&mut *t)
                .await?;
            }
            if let Some(f) = &e.flow {
                sqlx::query(
                    "INSERT INTO flows (signature, idx, block_time, slot, kind, vault, wallet, usdc, crt, value, units, fee) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) ON CONFLICT (signature, idx) DO NOTHING",
                )
                .bind(&l.signature)
                .bind(idx)
                .bind(l.block_time)
                .bind(int(l.slot))
                .bind(f.kind)
                .bind(f.vault.map(|k| k.to_string()))
                .bind(f.wallet.to_string())
                .bind(int(f.usdc))
                .bind(int(f.crt))
                .bind(int(f.value))
                .bind(int(f.units))
                .bind(int(f.fee))
                .execute(&mut *t)
                .await?;
            }
            for inc in &e.income {
                sqlx::query(
                    "INSERT INTO pool_income (signature, idx, slot, block_time, kind, usdc, crt) VALUES ($1, $2, $3, $4, $5, $6, $7) \
                     ON CONFLICT (signature, idx, kind) DO NOTHING",
                )
                .bind(&l.signature)
                .bind(idx)
                .bind(int(l.slot))
                .bind(l.block_time)
                .bind(inc.kind)
                .bind(int(inc.usdc))
                .bind(int(inc.crt))
                .execute(&mut *t)
                .await?;
            }
            if let Some(p) = &e.pool {
                sqlx::query(
                    "INSERT INTO pool_points (slot, source, block_time, value, lp_supply) VALUES ($1, $2, $3, $4, $5) \
                     ON CONFLICT (slot, source) DO NOTHING",
                )
                .bind(int(l.slot))
                .bind(&source)
                .bind(l.block_time)
                .bind(int(p.value))
                .bind(int(p.lp_supply))
                .execute(&mut *t)
                .await?;
            }
        }
        sqlx::query(
            "INSERT INTO cursor (id, signature, slot, seq) VALUES (1, $1, $2, $3) \
             ON CONFLICT (id) DO UPDATE SET signature = excluded.signature, slot = excluded.slot, seq = excluded.seq",
        )
        .bind(&l.signature)
        .bind(int(l.slot))
        .bind(seq)
        .execute(&mut *t)
        .await?;
        t.commit().await?;
        Ok(true)
    }

    /// A quote the indexer took of a vault (source `quote`); a second one in the same slot is
    /// ignored.
    pub async fn add_quote(&self, p: &crate::decode::VaultPoint, slot: u64, time: i64) -> Result<()> {
        sqlx::query(
            "INSERT INTO vault_points (vault, slot, source, block_time, price, nav, ui_price, leverage, supply) \
             VALUES ($1, $2, 'quote', $3, $4, $5, $6, $7, $8) ON CONFLICT (vault, slot, source) DO NOTHING",
        )
        .bind(p.vault.to_string())
        .bind(int(slot))
        .bind(time)
        .bind(int(p.price))
        .bind(int(p.nav))
        .bind(int(p.ui_price))
        .bind(p.leverage)
        .bind(int(p.supply))
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The pool's value the indexer read (source `quote`).
    pub async fn add_pool_quote(&self, p: &crate::decode::PoolPoint, slot: u64, time: i64) -> Result<()> {
        sqlx::query(
            "INSERT INTO pool_points (slot, source, block_time, value, lp_supply) VALUES ($1, 'quote', $2, $3, $4) \
             ON CONFLICT (slot, source) DO NOTHING",
        )
        .bind(int(slot))
        .bind(time)
        .bind(int(p.value))
        .bind(int(p.lp_supply))
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    pub async fn record_gap(&self, g: &Gap) -> Result<()> {
        sqlx::query("INSERT INTO gaps (found_at, after_signature, before_signature) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING")
            .bind(g.found_at)
            .bind(&g.after_signature)
            .bind(&g.before_signature)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    pub async fn gaps(&self) -> Result<Vec<Gap>> {
        let rows =
            sqlx::query("SELECT found_at, after_signature, before_signature FROM gaps ORDER BY found_at").fetch_all(&self.pool).await?;
        rows.iter()
            .map(|r| {
                Ok(Gap {
                    found_at: r.try_get("found_at")?,
                    after_signature: r.try_get("after_signature")?,
                    before_signature: r.try_get("before_signature")?,
                })
            })
            .collect()
    }

    /// How many rows a table holds (`txs`, `events`, `flows`, `vault_points`, `pool_points`).
    pub async fn count(&self, table: &str) -> Result<u64> {
        let table = match table {
            "txs" | "events" | "flows" | "vault_points" | "pool_points" => table,
            _ => return Ok(0),
        };
        let row = sqlx::query(&format!("SELECT COUNT(*) AS n FROM {table}")).fetch_one(&self.pool).await?;
        uint(&row, "n")
    }

    /// A vault's points at or after `since` (unix seconds), oldest first, at most `limit`, the
    /// newest kept when there are more.
    pub async fn series(&self, vault: &str, since: i64, limit: u32) -> Result<Vec<Point>> {
        let rows = sqlx::query(
            "SELECT block_time, slot, source, price, nav, ui_price, leverage, supply FROM vault_points \
             WHERE vault = $1 AND block_time >= $2 ORDER BY slot DESC, source DESC LIMIT $3",
        )
        .bind(vault)
        .bind(since)
        .bind(limit as i64)
        .fetch_all(&self.pool)
        .await?;
        let mut out = rows.iter().map(point).collect::<Result<Vec<_>>>()?;
        out.reverse();
        Ok(out)
    }

    /// The newest point of a vault that knows its supply (an event of a mint or redeem, or a
    /// quote): what a position is valued at.
    pub async fn latest_valued(&self, vault: &str) -> Result<Option<Point>> {
        let rows = sqlx::query(
            "SELECT block_time, slot, source, price, nav, ui_price, leverage, supply FROM vault_points \
             WHERE vault = $1 AND supply > 0 ORDER BY slot DESC, source DESC LIMIT 1",
        )
        .bind(vault)
        .fetch_all(&self.pool)
        .await?;
        rows.first().map(point).transpose()
    }

    /// Events named `name` of `vault` (any vault when `None`) in slots before `before`, newest
    /// first, at most `limit`.
    pub async fn events(&self, name: &str, vault: Option<&str>, before: u64, limit: u32) -> Result<Vec<StoredEvent>> {
        let rows = sqlx::query(
            "SELECT signature, idx, slot, block_time, name, data FROM events \
             WHERE name = $1 AND ($2 = '' OR vault = $2) AND slot < $3 ORDER BY slot DESC, idx DESC LIMIT $4",
        )
        .bind(name)
        .bind(vault.unwrap_or(""))
        .bind(int(before))
        .bind(limit as i64)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                let data: String = r.try_get("data")?;
                Ok(StoredEvent {
                    signature: r.try_get("signature")?,
                    idx: uint(r, "idx")?,
                    slot: uint(r, "slot")?,
                    time: r.try_get("block_time")?,
                    name: r.try_get("name")?,
                    data: base64::Engine::decode(&base64::engine::general_purpose::STANDARD, data).unwrap_or_default(),
                })
            })
            .collect()
    }

    /// A wallet's flows, oldest first.
    pub async fn flows(&self, wallet: &str) -> Result<Vec<FlowRow>> {
        let rows = sqlx::query(
            "SELECT block_time, signature, kind, vault, usdc, crt, value, units, fee FROM flows WHERE wallet = $1 ORDER BY slot, idx",
        )
        .bind(wallet)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(FlowRow {
                    time: r.try_get("block_time")?,
                    signature: r.try_get("signature")?,
                    kind: r.try_get("kind")?,
                    vault: r.try_get("vault")?,
                    usdc: uint(r, "usdc")?,
                    crt: uint(r, "crt")?,
                    value: uint(r, "value")?,
                    units: uint(r, "units")?,
                    fee: uint(r, "fee")?,
                })
            })
            .collect()
    }

    /// Σ units of `kind` flows of `vault`: the index's side of a reconciliation.
    pub async fn units(&self, vault: &str, kind: &str) -> Result<u64> {
        let row = sqlx::query("SELECT CAST(COALESCE(SUM(units), 0) AS BIGINT) AS n FROM flows WHERE vault = $1 AND kind = $2")
            .bind(vault)
            .bind(kind)
            .fetch_one(&self.pool)
            .await?;
        uint(&row, "n")
    }

    /// Σ the pool's income of `kind` at or after `since`: (usdc, crt).
    pub async fn income(&self, kind: &str, since: i64) -> Result<(u64, u64)> {
        let row = sqlx::query(
            "SELECT CAST(COALESCE(SUM(usdc), 0) AS BIGINT) AS usdc, CAST(COALESCE(SUM(crt), 0) AS BIGINT) AS crt \
             FROM pool_income WHERE kind = $1 AND block_time >= $2",
        )
        .bind(kind)
        .bind(since)
        .fetch_one(&self.pool)
        .await?;
        Ok((uint(&row, "usdc")?, uint(&row, "crt")?))
    }

    /// The pool's points at or after `since`, oldest first, at most `limit` (the newest kept).
    pub async fn pool_series(&self, since: i64, limit: u32) -> Result<Vec<PoolRow>> {
        let rows = sqlx::query(
            "SELECT block_time, slot, value, lp_supply FROM pool_points WHERE block_time >= $1 ORDER BY slot DESC, source DESC LIMIT $2",
        )
        .bind(since)
        .bind(limit as i64)
        .fetch_all(&self.pool)
        .await?;
        let mut out = rows
            .iter()
            .map(|r| {
                Ok(PoolRow {
                    time: r.try_get("block_time")?,
                    slot: uint(r, "slot")?,
                    value: uint(r, "value")?,
                    lp_supply: uint(r, "lp_supply")?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        out.reverse();
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode::{Decoded, Flow};
    use anchor_lang::prelude::Pubkey;

    fn landed(signature: &str, slot: u64, wallet: Pubkey) -> Landed {
        let flow = Flow { kind: "deposit", vault: None, wallet, usdc: 5, crt: 0, value: 5, units: 4, fee: 0 };
        let event = Decoded {
            name: "LiquidityDepositedEvent",
            vault: None,
            wallet: Some(wallet),
            data: vec![1, 2, 3],
            point: None,
            flow: Some(flow),
            pool: None,
            income: Vec::new(),
        };
        Landed { signature: signature.into(), slot, block_time: 100 + slot as i64, ok: true, events: vec![event] }
    }

    /// A transaction stored again (a restart after a crash between its commit and the next
    /// listing) counts once, and the cursor names the newest one committed.
    #[tokio::test]
    async fn a_transaction_stored_twice_counts_once_and_the_cursor_follows_the_commits() {
        let store = Store::open("sqlite::memory:").await.unwrap();
        assert_eq!(store.cursor().await.unwrap(), None);
        let w = Pubkey::new_unique();
        assert!(store.ingest(&landed("a", 5, w)).await.unwrap());
        assert!(store.ingest(&landed("b", 6, w)).await.unwrap());
        assert!(!store.ingest(&landed("a", 5, w)).await.unwrap());
        assert_eq!(
            (store.count("txs").await.unwrap(), store.count("events").await.unwrap(), store.count("flows").await.unwrap()),
            (2, 2, 2)
        );
        assert_eq!(store.cursor().await.unwrap(), Some(Cursor { signature: "b".into(), slot: 6, seq: 2 }));
        let flows = store.flows(&w.to_string()).await.unwrap();
        assert_eq!(flows.iter().map(|f| f.signature.as_str()).collect::<Vec<_>>(), ["a", "b"]);
        assert_eq!(store.count("no_such_table").await.unwrap(), 0);
    }
}
