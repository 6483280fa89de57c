"""Where a raw ``transactions.raw`` record goes: a bronze row or a DLQ record.

Pure functions, so the conservation rule ("every input event ends up in exactly
one of the two") is tested without Flink as well as with it.
"""

from pydantic import TypeAdapter

from jobs.flink.topics import TRANSACTIONS
from libs.models.events import DLQRecord, EventParseError, FraudAlert, RuleHit, Transaction

BRONZE_COLUMNS = [
    "transaction_id",
    "customer_id",
    "store_id",
    "amount",
    "currency",
    "event_time",
    "latitude",
    "longitude",
    "channel",
    "category",
    "schema_version",
    "fraud_label",
    "source_partition",
    "source_offset",
]


RULE_HITS = TypeAdapter(tuple[RuleHit, ...])
ALERT_COLUMNS = [
    "alert_id",
    "transaction_id",
    "customer_id",
    "store_id",
    "amount",
    "currency",
    "event_time",
    "detected_at",
    "rules_score",
    "ml_score",
    "blended_score",
    "alpha",
    "threshold",
    "model_version",
    "rule_hits",
    "schema_version",
]


def bronze_row(transaction: Transaction, partition: int, offset: int) -> tuple[str | None, ...]:
    """The ``bronze.raw_transactions`` row of a valid transaction, as text."""
    return (
        transaction.transaction_id,
        transaction.customer_id,
        transaction.store_id,
        f"{transaction.amount:.2f}",
        transaction.currency,
        transaction.timestamp.isoformat(),
        repr(transaction.latitude),
        repr(transaction.longitude),
        transaction.channel.value,
        transaction.category.value,
        transaction.schema_version,
        transaction.fraud_label.value if transaction.fraud_label else None,
        str(partition),
        str(offset),
    )


def classify(
    value: bytes | None, key: bytes | None, partition: int, offset: int
) -> Transaction | DLQRecord:
    """The parsed transaction, or the DLQ record saying why the event is invalid."""
    raw = value or b""
    try:
        return Transaction.parse(raw)
    except EventParseError as error:
        return DLQRecord.for_payload(
            raw, error, topic=TRANSACTIONS, partition=partition, offset=offset, key=key
        )


def alert_bronze_row(alert: FraudAlert) -> tuple[str | None, ...]:
    """The ``bronze.raw_fraud_alerts`` row of an alert, as text (``ALERT_COLUMNS`` order)."""
    hits = RULE_HITS.dump_json(alert.rule_hits).decode()  # jsonb: compact, in pydantic-core
    return (
        alert.alert_id,
        alert.transaction_id,
        alert.customer_id,
        alert.store_id,
        f"{alert.amount:.2f}",
        alert.currency,
        alert.event_time.isoformat(),
        alert.detected_at.isoformat(),
        repr(alert.rules_score),
        None if alert.ml_score is None else repr(alert.ml_score),
        repr(alert.blended_score),
        repr(alert.alpha),
        repr(alert.threshold),
        alert.model_version,
        hits,
        alert.schema_version,
    )
