-- What the pool earned, per event (docs/clients.md, "The indexer"): `fees` is the LPs' part of a
-- vault's swept fees (raw USDC and CRT), `funding` the skew funding and `hedge_fee` the
-- utilization fee a settlement charged (micro-USD, in `usdc`).
CREATE TABLE pool_income (
    signature TEXT NOT NULL,
    idx BIGINT NOT NULL,
    slot BIGINT NOT NULL,
    block_time BIGINT NOT NULL,
    kind TEXT NOT NULL,
    usdc BIGINT NOT NULL,
    crt BIGINT NOT NULL,
    PRIMARY KEY (signature, idx, kind)
);
CREATE INDEX pool_income_time ON pool_income (block_time);
