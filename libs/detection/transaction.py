"""``Txn``: the few fields of a transaction the detector computes with, as plain values."""

from typing import NamedTuple

from libs.models.events import Transaction


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
        """The fraud-detector's parse: exactly the transaction-processor's validation.

        One validation path (``Transaction.parse``) means the detector scores
        exactly the events that reach bronze, and every value it scores is one
        ``FraudAlert`` accepts: an event the processor sends to the DLQ raises
        ``EventParseError`` here and the detector skips it.
        """
        # A lone surrogate passes on as bytes that are not UTF-8, which validation refuses.
        encoded = raw.encode("utf-8", "surrogatepass") if isinstance(raw, str) else raw
        return cls.of(Transaction.parse(encoded))
