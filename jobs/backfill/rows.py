"""Events → bronze rows: what the transaction-processor and fraud-detector would write."""

import itertools
import zlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from jobs.events.stream import Event
from jobs.events.world import World
from jobs.flink.routing import alert_bronze_row, bronze_row, classify
from libs.detection.config import load_rules
from libs.detection.core import DetectorContext, detect, to_alert
from libs.detection.transaction import Txn
from libs.models.events import DLQRecord
from libs.models.state import CustomerFraudState

PARTITIONS = 3  # transactions.raw's partition count in the platform spec
Row = tuple[str | None, ...]


@dataclass
class BronzeBatch:
    """Rows for both bronze tables, plus what was routed to the DLQ instead."""

    transactions: list[Row] = field(default_factory=list)
    alerts: list[Row] = field(default_factory=list)
    dead_letters: int = 0


@dataclass
class Replayer:
    """Routes and scores events as the jobs do, keeping per-customer state across batches.

    Partition and offset are what the producer's key hashing would give (a
    stable CRC of the customer id; offsets count per partition), so rows look
    like the streaming path's and later batches continue the offsets.
    """

    context: DetectorContext
    states: dict[str, CustomerFraudState] = field(default_factory=dict)
    offsets: list[int] = field(default_factory=lambda: [0] * PARTITIONS)

    @classmethod
    def for_world(cls, world: World) -> "Replayer":
        """Rules-only scoring with the world's blacklist (what ``bronze.blacklist`` seeds)."""
        context = DetectorContext(
            load_rules(),
            frozenset(world.blacklisted_customers),
            frozenset(world.blacklisted_stores),
        )
        return cls(context)

    def replay(self, events: Iterable[Event], detected_at: datetime) -> BronzeBatch:
        """Bronze rows for ``events``; alerts carry ``detected_at``."""
        batch = BronzeBatch()
        empty = CustomerFraudState()
        for event in events:
            partition = zlib.crc32(event.key) % PARTITIONS
            offset = self.offsets[partition]
            self.offsets[partition] += 1
            parsed = classify(event.value, event.key, partition, offset)
            if isinstance(parsed, DLQRecord):
                batch.dead_letters += 1
                continue
            batch.transactions.append(bronze_row(parsed, partition, offset))
            txn = Txn.of(parsed)
            state = self.states.get(txn.customer_id, empty)
            self.states[txn.customer_id], decision = detect(state, txn, self.context)
            if decision.alert:
                alert = to_alert(txn, decision, self.context, detected_at)
                batch.alerts.append(alert_bronze_row(alert))
        return batch


def take(events: Iterable[Event], count: int) -> list[Event]:
    """The next ``count`` events."""
    return list(itertools.islice(events, count))
