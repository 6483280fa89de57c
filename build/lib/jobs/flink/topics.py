"""The Kafka topics the jobs read and write (created by the spec's KafkaTopic CRs)."""

TRANSACTIONS = "transactions.raw"
ALERTS = "fraud.alerts"
DLQ = "streamflow.dlq"
METRICS = "metrics.realtime"
