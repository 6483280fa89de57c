-- Valid transactions written by the transaction-processor (JDBC sink, upsert on
-- transaction_id so a replay never duplicates a row).
CREATE TABLE bronze.raw_transactions (
    transaction_id   uuid PRIMARY KEY,
    customer_id      text NOT NULL,
    store_id         text NOT NULL,
    amount           numeric(12, 2) NOT NULL CONSTRAINT raw_transactions_amount_positive CHECK (amount > 0),
    currency         char(3) NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    event_time       timestamptz NOT NULL,
    latitude         double precision NOT NULL CHECK (latitude BETWEEN -90 AND 90),
    longitude        double precision NOT NULL CHECK (longitude BETWEEN -180 AND 180),
    channel          text NOT NULL CHECK (channel IN ('pos', 'online', 'mobile', 'atm')),
    category         text NOT NULL,
    schema_version   text NOT NULL,
    fraud_label      text,
    source_partition integer NOT NULL CHECK (source_partition >= 0),
    source_offset    bigint NOT NULL CHECK (source_offset >= 0),
    ingested_at      timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX raw_transactions_event_time_idx ON bronze.raw_transactions (event_time);
CREATE INDEX raw_transactions_customer_time_idx ON bronze.raw_transactions (customer_id, event_time);
-- dbt's incremental models read rows loaded after their watermark.
CREATE INDEX raw_transactions_ingested_at_idx ON bronze.raw_transactions (ingested_at);

COMMENT ON TABLE bronze.raw_transactions IS 'transactions.raw after validation; one row per transaction_id';
COMMENT ON COLUMN bronze.raw_transactions.fraud_label IS 'pattern injected by the event generator (evaluation only)';
