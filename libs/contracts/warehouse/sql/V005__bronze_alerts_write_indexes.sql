-- bronze.raw_fraud_alerts is written once per alert and read by one reader: dbt's
-- stg_fraud_alerts, incrementally by ingested_at (and the demo's report, by
-- transaction_id). Its indexes on event_time and customer_id served no query and cost
-- every alert two more B-tree inserts, about a tenth of PostgreSQL's CPU per upserted
-- row (benchmarks/bronze_upsert.py; an alert storm pays it per event, issue #29).
-- Queries by customer or time read silver.stg_fraud_alerts and the gold marts.
DROP INDEX bronze.raw_fraud_alerts_event_time_idx;
DROP INDEX bronze.raw_fraud_alerts_customer_idx;
