"""Bulk-load generated events into bronze without Kafka or Flink.

For dbt tests, benchmarks and a developer's local warehouse: the event
generator's stream goes through the same routing (``jobs.flink.routing``) and
the same scoring core (``libs.detection.core``, rules only) as the streaming
jobs, and lands in ``bronze.raw_transactions`` / ``bronze.raw_fraud_alerts``
with the jobs' idempotence (a re-run inserts nothing twice).
"""
