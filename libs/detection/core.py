"""One step of fraud detection: ``(state, transaction) → (new state, decision)``.

Everything the Flink job does per event, minus Flink: measure the transaction
against the customer's history, score the rules, score the Isolation Forest
(when a model is loaded), blend, decide, and absorb the transaction into the
state. Training replays events through the same function.
"""

import hashlib
import uuid
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, NamedTuple

from libs.detection.config import RulesConfig
from libs.detection.features import feature_vector
from libs.detection.history import observe
from libs.detection.rules import RuleScores, blend, evaluate
from libs.detection.signals import measure
from libs.detection.transaction import Txn
from libs.models.events import FraudAlert, RuleHit
from libs.models.state import CustomerFraudState

if TYPE_CHECKING:  # the scorer needs NumPy; rules-only callers (the bronze backfill) do not
    from libs.ml.forest import ForestScorer

ALERT_NAMESPACE = uuid.UUID("5f1c1c9e-6f4b-4c55-9a39-2f6a8f0b7c11")
_NAMESPACE_BYTES = ALERT_NAMESPACE.bytes
_CLEAR_VERSION = ~((0xF000 << 64) | (0xC000 << 48)) & ((1 << 128) - 1)
_VERSION_5 = (0x5000 << 64) | (0x8000 << 48)  # version 5, RFC 4122 variant


@dataclass(frozen=True)
class DetectorContext:
    """What the detector needs besides the state: rules, blacklist, model."""

    config: RulesConfig
    blacklisted_customers: Collection[str]
    blacklisted_stores: Collection[str]
    scorer: "ForestScorer | None" = None
    model_version: str | None = None
    # Category → 99.9th percentile of legitimate amounts (the model artifact's);
    # FR-001's reference while a customer's history is short.
    population_amounts: Mapping[str, float] = field(default_factory=dict)


class Decision(NamedTuple):
    """Everything computed about one transaction.

    ``ml_score`` is None without a model, and also when even a perfect anomaly
    score could not lift the blend to the threshold: the forest is then not
    consulted (most events), which changes no decision and saves its cost.
    """

    rules: RuleScores
    features: tuple[float, ...]
    ml_score: float | None
    score: float
    alert: bool


def detect(
    state: CustomerFraudState, txn: Txn, context: DetectorContext
) -> tuple[CustomerFraudState, Decision]:
    """Score ``txn`` against ``state`` and return the state that follows it."""
    config = context.config
    signals = measure(
        state, txn, config.velocity.window_seconds * 1000, config.high_value.std_floor_ratio
    )
    rules = evaluate(
        config,
        signals,
        txn,
        context.blacklisted_customers,
        context.blacklisted_stores,
        population=context.population_amounts,
    )
    features = feature_vector(signals, txn.amount)
    ml_score = None
    # The forest is consulted only when it can change the decision: not when even
    # ml = 1 cannot reach the threshold (most events), nor when the rules reach it
    # with ml = 0 (a blacklist hit, an alert storm); then the score is that bound.
    could_alert = blend(config, rules.combined, 1.0) >= config.alert_threshold
    alerts_anyway = blend(config, rules.combined, 0.0) >= config.alert_threshold
    if context.scorer is not None and could_alert and not alerts_anyway:
        ml_score = context.scorer.score(features)
    if context.scorer is None:
        score = rules.combined
    else:
        # Without an ML score the blend takes ml = 0: a lower bound that cannot alert.
        score = blend(config, rules.combined, ml_score or 0.0)
    moves = rules.impossible_travel < config.impossible_travel.trust_below
    decision = Decision(rules, features, ml_score, score, score >= config.alert_threshold)
    return observe(state, txn, moves=moves, absorbs_amount=rules.high_value == 0.0), decision


def alert_id(transaction_id: str) -> str:
    """``str(uuid.uuid5(ALERT_NAMESPACE, transaction_id))`` without building UUID objects.

    RFC 4122 name-based, SHA-1: the first 16 bytes of the digest with the version
    (5) and variant bits set; a test holds it equal to ``uuid.uuid5``.
    """
    digest = hashlib.sha1(_NAMESPACE_BYTES + transaction_id.encode(), usedforsecurity=False)
    value = (int.from_bytes(digest.digest()[:16]) & _CLEAR_VERSION) | _VERSION_5
    text = f"{value:032x}"
    return f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}"


# What made each rule fire, in words; formatted only for the rules that did.
DETAILS: dict[str, Callable[[Decision], str]] = {
    "FR-001": lambda decision: f"amount z-score {decision.features[0]:.1f}",
    "FR-002": lambda decision: f"{decision.features[4]:.0f} transactions in the last 10 minutes",
    "FR-003": lambda decision: f"{decision.rules.impossible_travel:.2f} impossible-travel score",
    "FR-004": lambda decision: f"hour rarity {decision.features[5]:.2f}",
    "FR-005": lambda decision: "customer or store on the blacklist",
}


def to_alert(
    txn: Txn, decision: Decision, context: DetectorContext, detected_at: datetime | None = None
) -> FraudAlert:
    """The ``FraudAlert`` of an alerting decision; its id is derived from the transaction.

    A deterministic id (UUID v5 of the transaction id) makes every replay of the
    same transaction produce the same alert, which the sinks upsert on.
    """
    hits = tuple(
        RuleHit(rule_id=rule, score=round(score, 6), detail=DETAILS[rule](decision))
        for rule, score in decision.rules.hits()
    )
    event_time = datetime.fromtimestamp(txn.timestamp_ms / 1000, UTC)
    return FraudAlert(
        alert_id=alert_id(txn.transaction_id),
        transaction_id=txn.transaction_id,
        customer_id=txn.customer_id,
        store_id=txn.store_id,
        amount=Decimal(txn.amount_text),
        currency=txn.currency,
        category=txn.category,
        event_time=event_time,
        detected_at=detected_at or datetime.now(UTC),
        rule_hits=hits,
        rules_score=round(decision.rules.combined, 6),
        ml_score=None if decision.ml_score is None else round(decision.ml_score, 6),
        blended_score=round(decision.score, 6),
        alpha=context.config.alpha,
        threshold=context.config.alert_threshold,
        model_version=context.model_version,
    )
