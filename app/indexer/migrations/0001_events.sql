-- Turbo's event index (docs/clients.md, "The indexer"). Portable SQL: the same migration runs on
-- SQLite (the embedded default) and PostgreSQL. Every key makes ingestion idempotent: a
-- transaction ingested twice, after a crash between its rows and the cursor, is one row.

-- Every program transaction the node returned, in the order ingested (`seq`), failed ones too.
CREATE TABLE txs (
    signature TEXT PRIMARY KEY,
    seq BIGINT NOT NULL UNIQUE,
    slot BIGINT NOT NULL,
    block_time BIGINT NOT NULL,
    ok BIGINT NOT NULL
);

-- Every Turbo event of a landed transaction, in log order (`idx`), as the program wrote it
-- (base64 of the discriminator and the Borsh body), with the vault and the wallet it concerns.
CREATE TABLE events (
    signature TEXT NOT NULL,
    idx BIGINT NOT NULL,
    slot BIGINT NOT NULL,
    block_time BIGINT NOT NULL,
    name TEXT NOT NULL,
    vault TEXT,
    wallet TEXT,
    data TEXT NOT NULL,
    PRIMARY KEY (signature, idx)
);
CREATE INDEX events_vault ON events (vault, slot);
CREATE INDEX events_wallet ON events (wallet, slot);
CREATE INDEX events_name ON events (name, slot);

-- A vault's numbers at a moment: from its events (mint, redeem, rebalance) and from the quotes
-- the indexer takes on its interval, so history exists between rebalances. Prices have 8
-- decimals, NAV and the UI token price are micro-USD, leverage has 6 decimals.
CREATE TABLE vault_points (
    vault TEXT NOT NULL,
    slot BIGINT NOT NULL,
    source TEXT NOT NULL,
    block_time BIGINT NOT NULL,
    price BIGINT NOT NULL,
    nav BIGINT NOT NULL,
    ui_price BIGINT NOT NULL,
    leverage BIGINT NOT NULL,
    supply BIGINT NOT NULL,
    PRIMARY KEY (vault, slot, source)
);
CREATE INDEX vault_points_time ON vault_points (vault, block_time);

-- Money in and out, per wallet: mints and redeems of a vault's token, LP deposits and
-- withdrawals (vault NULL). `usdc` and `crt` are raw units paid in (mint, deposit) or out
-- (redeem, withdraw); `units` the tokens or LP shares received or given back.
CREATE TABLE flows (
    signature TEXT NOT NULL,
    idx BIGINT NOT NULL,
    block_time BIGINT NOT NULL,
    slot BIGINT NOT NULL,
    kind TEXT NOT NULL,
    vault TEXT,
    wallet TEXT NOT NULL,
    usdc BIGINT NOT NULL,
    crt BIGINT NOT NULL,
    value BIGINT NOT NULL,
    units BIGINT NOT NULL,
    fee BIGINT NOT NULL,
    PRIMARY KEY (signature, idx)
);
CREATE INDEX flows_wallet ON flows (wallet, slot);
CREATE INDEX flows_vault ON flows (vault, slot);

-- The pool's value and LP supply at a moment: from LP events and the indexer's interval.
CREATE TABLE pool_points (
    slot BIGINT NOT NULL,
    source TEXT NOT NULL,
    block_time BIGINT NOT NULL,
    value BIGINT NOT NULL,
    lp_supply BIGINT NOT NULL,
    PRIMARY KEY (slot, source)
);
CREATE INDEX pool_points_time ON pool_points (block_time);

-- Where ingestion stands: the newest transaction committed, one row.
CREATE TABLE cursor (
    id BIGINT PRIMARY KEY,
    signature TEXT NOT NULL,
    slot BIGINT NOT NULL,
    seq BIGINT NOT NULL
);

-- A stretch of history the node could not give (its history no longer reaches the cursor):
-- reported, never skipped silently.
CREATE TABLE gaps (
    found_at BIGINT NOT NULL,
    after_signature TEXT NOT NULL,
    before_signature TEXT NOT NULL,
    PRIMARY KEY (after_signature, before_signature)
);
