"""realtime-aggregator: windows reconcile exactly with what was sent, malformed events included."""

import collections
import json
from decimal import Decimal, InvalidOperation

import pytest

from jobs.events.stream import Event
from jobs.flink.realtime_aggregator import main
from libs.models.events import Transaction
from tests.jobs.flink.conftest import Stack, events

pytestmark = pytest.mark.integration


def _latest(records: list[bytes]) -> dict[tuple[str, str, str], dict[str, object]]:
    """An upsert topic's final value per key (later records replace earlier ones)."""
    latest: dict[tuple[str, str, str], dict[str, object]] = {}
    for raw in records:
        if raw:
            row = json.loads(raw)
            latest[(str(row["dimension"]), str(row["key"]), str(row["window_start"]))] = row
    return latest


def counted(event: Event) -> tuple[str, Decimal] | None:
    """(category, amount) when the job's rule counts the event: a store and a positive amount.

    Malformed events never stop the job (amounts that are not numbers are
    skipped, not cast); the windows are a real-time view over the raw stream,
    the validated figures are gold's.
    """
    try:
        payload = json.loads(event.value)
        amount = Decimal(str(payload["amount"]))
    except (ValueError, KeyError, InvalidOperation):
        return None
    if payload.get("store_id") is None or not Decimal(0) < amount < Decimal("1e10"):
        return None
    return str(payload.get("category") or "unknown"), amount


def test_windows_reconcile_with_transactions_and_alerts(stack: Stack) -> None:
    produced = events(8_000, events_per_second=5.0, malformed_rate=0.03)
    assert {e.malformed for e in produced} >= {"invalid_json", "wrong_type", "missing_field"}
    stack.produce(produced)
    sent = [e for e in produced if not e.malformed]
    windowed = [found for e in produced if (found := counted(e)) is not None]
    alerted = sent[::50]
    alert_payloads = []
    for event in alerted:
        txn = Transaction.parse(event.value)
        alert_payloads.append(
            json.dumps(
                {
                    "store_id": txn.store_id,
                    "category": txn.category.value,
                    "amount": str(txn.amount),
                    "event_time": txn.timestamp.isoformat(),
                }
            ).encode()
        )
    stack.produce(
        [
            Event(b"a", payload, e.timestamp_ms)
            for payload, e in zip(alert_payloads, alerted, strict=True)
        ],
        topic="fraud.alerts",
    )
    main(stack.args("--bounded", "--window-s", "60"))

    windows = _latest(stack.read("metrics.realtime"))
    for dimension in ("store", "category"):
        rows = [row for (d, _, _), row in windows.items() if d == dimension]
        assert sum(int(r["transactions"]) for r in rows) == len(windowed)  # type: ignore[call-overload]
        assert sum(int(r["alerts"]) for r in rows) == len(alerted)  # type: ignore[call-overload]
        total = sum((Decimal(str(r["amount_sum"])) for r in rows), Decimal(0))
        expected = sum((amount for _, amount in windowed), Decimal(0))
        assert abs(total - expected) <= Decimal("0.01") * len(rows)
    per_category = collections.Counter(category for category, _ in windowed)
    by_category = collections.Counter()  # type: ignore[var-annotated]
    for (dimension, key, _), row in windows.items():
        if dimension == "category":
            by_category[key] += int(row["transactions"])  # type: ignore[call-overload]
    assert by_category == per_category
