-- Alerts written by the fraud-detector. alert_id is derived from transaction_id,
-- and a transaction has at most one alert, so replays upsert instead of duplicating.
CREATE TABLE bronze.raw_fraud_alerts (
    alert_id        uuid PRIMARY KEY,
    transaction_id  uuid NOT NULL UNIQUE,
    customer_id     text NOT NULL,
    store_id        text NOT NULL,
    amount          numeric(12, 2) NOT NULL CHECK (amount > 0),
    currency        char(3) NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    event_time      timestamptz NOT NULL,
    detected_at     timestamptz NOT NULL,
    rules_score     double precision NOT NULL CHECK (rules_score BETWEEN 0 AND 1),
    ml_score        double precision CHECK (ml_score BETWEEN 0 AND 1),
    blended_score   double precision NOT NULL CHECK (blended_score BETWEEN 0 AND 1),
    alpha           double precision NOT NULL CHECK (alpha BETWEEN 0 AND 1),
    threshold       double precision NOT NULL CHECK (threshold BETWEEN 0 AND 1),
    model_version   text,
    rule_hits       jsonb NOT NULL CHECK (jsonb_typeof(rule_hits) = 'array'),
    schema_version  text NOT NULL,
    ingested_at     timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX raw_fraud_alerts_event_time_idx ON bronze.raw_fraud_alerts (event_time);
CREATE INDEX raw_fraud_alerts_customer_idx ON bronze.raw_fraud_alerts (customer_id);
CREATE INDEX raw_fraud_alerts_ingested_at_idx ON bronze.raw_fraud_alerts (ingested_at);
