"""Window aggregates of the realtime-aggregator, independent of Flink.

A ``Tick`` is one transaction or one alert reduced to what the aggregates need;
``Totals`` accumulate them; ``metric`` is the JSON written to ``metrics.realtime``.
"""

import json
from datetime import UTC, datetime
from decimal import Decimal
from typing import NamedTuple

from jobs.detection.transaction import Txn


class Tick(NamedTuple):
    """One transaction (``alert`` False) or one fraud alert (``alert`` True)."""

    store_id: str
    category: str
    amount: float
    event_ms: int
    alert: bool


class Totals(NamedTuple):
    """Running totals of one window."""

    transactions: int = 0
    amount: float = 0.0
    alerts: int = 0

    def add(self, tick: Tick) -> "Totals":
        """Totals with one more tick."""
        if tick.alert:
            return Totals(self.transactions, self.amount, self.alerts + 1)
        return Totals(self.transactions + 1, self.amount + tick.amount, self.alerts)

    def merge(self, other: "Totals") -> "Totals":
        """Totals of two partial windows."""
        return Totals(self.transactions + other.transactions, self.amount + other.amount,
                      self.alerts + other.alerts)  # fmt: skip


def transaction_tick(raw: bytes) -> Tick:
    """A tick from a ``transactions.raw`` payload (``ValueError`` when unusable)."""
    txn = Txn.from_json(raw)
    return Tick(txn.store_id, txn.category or "unknown", txn.amount, txn.timestamp_ms, False)


def alert_tick(raw: bytes) -> Tick:
    """A tick from a ``fraud.alerts`` payload, at the transaction's event time."""
    payload = json.loads(raw)
    moment = datetime.fromisoformat(payload["event_time"])
    return Tick(str(payload["store_id"]), str(payload.get("category") or "unknown"),
                float(payload["amount"]), int(moment.timestamp() * 1000), True)  # fmt: skip


def metric(dimension: str, key: str, start_ms: int, end_ms: int, totals: Totals) -> str:
    """The ``metrics.realtime`` record of one window (an upsert on dimension/key/window)."""
    average = totals.amount / totals.transactions if totals.transactions else 0.0
    rate = totals.alerts / totals.transactions if totals.transactions else 0.0
    return json.dumps(
        {
            "schema_version": "1.0",
            "dimension": dimension,
            "key": key,
            "window_start": datetime.fromtimestamp(start_ms / 1000, UTC).isoformat(),
            "window_end": datetime.fromtimestamp(end_ms / 1000, UTC).isoformat(),
            "transactions": totals.transactions,
            "amount_sum": f"{Decimal(totals.amount):.2f}",
            "amount_avg": f"{Decimal(average):.2f}",
            "alerts": totals.alerts,
            "alert_rate": round(rate, 6),
        },
        separators=(",", ":"),
    )
