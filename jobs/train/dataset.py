"""Replay transactions through the scoring core to get features, rule scores and labels.

Training sees exactly what the job will see: the same ``measure`` → features /
rules → ``observe`` sequence per customer, in event order.
"""

import hashlib
import itertools
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from jobs.events.stream import EventStream, GeneratorConfig
from jobs.events.world import World
from libs.detection.config import RulesConfig
from libs.detection.core import DetectorContext, detect
from libs.detection.features import FEATURES
from libs.detection.transaction import Txn
from libs.models.events import EventParseError, Transaction
from libs.models.state import CustomerFraudState


@dataclass(frozen=True)
class Dataset:
    """One row per transaction, in event order."""

    features: npt.NDArray[np.float64]
    rules_score: npt.NDArray[np.float64]
    labels: npt.NDArray[np.bool_]
    payload_sha256: list[str]
    amounts: npt.NDArray[np.float64]
    categories: list[str]

    def split(self, share: float) -> tuple["Dataset", "Dataset"]:
        """The first ``share`` of rows (earlier in time) and the rest."""
        cut = int(len(self.labels) * share)
        head, tail = slice(None, cut), slice(cut, None)
        return self._rows(head), self._rows(tail)

    def _rows(self, rows: slice) -> "Dataset":
        return Dataset(
            self.features[rows],
            self.rules_score[rows],
            self.labels[rows],
            self.payload_sha256[rows],
            self.amounts[rows],
            self.categories[rows],
        )

    def amount_quantiles(self, level: float) -> dict[str, float]:
        """Per category, the ``level`` quantile of the amounts of legitimate rows."""
        legitimate = ~self.labels
        found = {}
        for category in sorted(set(self.categories)):
            mask = legitimate & (np.asarray(self.categories) == category)
            if mask.any():
                found[category] = round(float(np.quantile(self.amounts[mask], level)), 2)
        return found

    def digest(self) -> str:
        """SHA-256 over the rows' payload hashes: identifies the training data."""
        return hashlib.sha256("".join(self.payload_sha256).encode()).hexdigest()


def generated(seed: int, count: int, world: World | None = None) -> Iterator[bytes]:
    """Raw payloads from the event generator."""
    stream = EventStream(GeneratorConfig(seed=seed), world)
    return (event.value for event in itertools.islice(iter(stream), count))


def from_jsonl(path: Path) -> Iterator[bytes]:
    """Raw payloads from a JSON-lines file (e.g. written by ``python -m jobs.events``)."""
    with path.open("rb") as lines:
        yield from (line.rstrip(b"\n") for line in lines if line.strip())


def replay(
    payloads: Iterable[bytes],
    config: RulesConfig,
    blacklisted_customers: frozenset[str],
    blacklisted_stores: frozenset[str],
) -> Dataset:
    """Features before each transaction, its rules score and label; invalid payloads skipped."""
    context = DetectorContext(config, blacklisted_customers, blacklisted_stores)
    states: dict[str, CustomerFraudState] = {}
    rows: list[tuple[float, ...]] = []
    rules: list[float] = []
    labels: list[bool] = []
    digests: list[str] = []
    amounts: list[float] = []
    categories: list[str] = []
    empty = CustomerFraudState()
    for raw in payloads:
        try:
            txn = Txn.of(Transaction.parse(raw))
        except EventParseError:
            continue
        states[txn.customer_id], decision = detect(states.get(txn.customer_id, empty), txn, context)
        rows.append(decision.features)
        rules.append(decision.rules.combined)
        labels.append(txn.fraud_label is not None)
        digests.append(hashlib.sha256(raw).hexdigest())
        amounts.append(txn.amount)
        categories.append(txn.category or "")
    return Dataset(
        np.asarray(rows, dtype=np.float64).reshape(-1, len(FEATURES)),
        np.asarray(rules, dtype=np.float64),
        np.asarray(labels, dtype=np.bool_),
        digests,
        np.asarray(amounts, dtype=np.float64),
        categories,
    )
