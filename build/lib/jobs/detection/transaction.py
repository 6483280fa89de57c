"""``Txn``: the few fields of a transaction the detector computes with, as plain values."""

import json
import math
from datetime import datetime
from decimal import Decimal
from typing import NamedTuple

from jobs.models.events import Transaction


class Txn(NamedTuple):
    """A transaction reduced to what scoring needs (floats and epoch milliseconds)."""

    transaction_id: str
    customer_id: str
    store_id: str
    amount: float
    amount_text: str
    currency: str
    timestamp_ms: int
    latitude: float
    longitude: float
    category: str | None = None
    fraud_label: str | None = None

    @classmethod
    def of(cls, transaction: Transaction) -> "Txn":
        """From a validated wire ``Transaction``."""
        return cls(
            transaction.transaction_id,
            transaction.customer_id,
            transaction.store_id,
            float(transaction.amount),
            f"{transaction.amount:.2f}",
            transaction.currency,
            int(transaction.timestamp.timestamp() * 1000),
            transaction.latitude,
            transaction.longitude,
            transaction.category.value,
            transaction.fraud_label.value if transaction.fraud_label else None,
        )

    @classmethod
    def from_json(cls, raw: bytes | str) -> "Txn":
        """The fraud-detector's fast path: plain ``json`` and the fields scoring needs.

        The transaction-processor validates every event in full and routes the
        invalid ones to the DLQ; here anything unusable raises ``ValueError``
        (or ``KeyError``/``TypeError``) and the detector skips it.
        """
        payload = json.loads(raw)
        version = payload.get("schema_version", "1.0")
        if not isinstance(version, str) or not version.startswith("1."):
            raise ValueError(f"schema_version {version!r} is not 1.x")
        amount_text = payload["amount"]
        amount = float(amount_text)
        moment = datetime.fromisoformat(payload["timestamp"])
        if moment.tzinfo is None or not math.isfinite(amount) or amount <= 0:
            raise ValueError("transaction without timezone or with a non-positive amount")
        return cls(
            str(payload["transaction_id"]),
            str(payload["customer_id"]),
            str(payload["store_id"]),
            amount,
            f"{Decimal(amount_text):.2f}",
            str(payload["currency"]),
            int(moment.timestamp() * 1000),
            float(payload["latitude"]),
            float(payload["longitude"]),
            payload.get("category"),
            payload.get("fraud_label"),
        )
