"""Rules FR-001..FR-005 over the signals of one transaction, and the blend with ML."""

from collections.abc import Collection, Mapping
from types import MappingProxyType
from typing import NamedTuple

from libs.detection.config import RulesConfig
from libs.detection.signals import Signals
from libs.detection.transaction import Txn

RULE_IDS = ("FR-001", "FR-002", "FR-003", "FR-004", "FR-005")


def ramp(value: float, start: float, full: float) -> float:
    """0 at or below ``start``, 1 at or above ``full``, linear between."""
    if value <= start:
        return 0.0
    if value >= full:
        return 1.0
    return (value - start) / (full - start)


class RuleScores(NamedTuple):
    """Each rule's score in [0, 1] (FR-001..FR-005) and their combination."""

    high_value: float
    velocity: float
    impossible_travel: float
    unusual_hour: float
    blacklist: float
    combined: float

    def hits(self) -> list[tuple[str, float]]:
        """(rule id, score) of every rule that fired."""
        return [(rule, score) for rule, score in zip(RULE_IDS, self[:5], strict=True) if score > 0]


def high_value_score(
    config: RulesConfig, signals: Signals, txn: Txn, population: Mapping[str, float]
) -> float:
    """FR-001 against the customer's history, or against the population while it is short.

    A customer with fewer than ``min_history`` purchases has no baseline yet:
    their amount is compared with the 99.9th percentile of legitimate amounts in
    its category (``population``, from the model artifact), so a first purchase
    of 9 999 999.99 alerts instead of waiting ten purchases.
    """
    high = config.high_value
    if signals.history >= high.min_history:
        if txn.amount < high.min_ratio * signals.mean:
            return 0.0
        return ramp(signals.amount_z, high.z_start, high.z_full)
    reference = population.get(txn.category or "", high.cold_start_amount)
    return ramp(txn.amount / reference, high.population_start, high.population_full)


def evaluate(
    config: RulesConfig,
    signals: Signals,
    txn: Txn,
    blacklisted_customers: Collection[str],
    blacklisted_stores: Collection[str],
    *,
    population: Mapping[str, float] = MappingProxyType({}),
) -> RuleScores:
    """Score every rule and combine them as a weighted noisy-OR."""
    high = config.high_value
    high_value = high_value_score(config, signals, txn, population)
    velocity = ramp(signals.events_in_velocity_window + 1, *config.velocity.ramp())
    travel = config.impossible_travel
    impossible = 0.0
    if signals.seconds_since_last is not None and signals.km_from_last >= travel.min_km:
        hours = max(signals.seconds_since_last, 1.0) / 3600
        impossible = ramp(signals.km_from_last / hours, *travel.ramp())
    hour = config.unusual_hour
    unusual = ramp(signals.hour_z, *hour.ramp()) if signals.history >= hour.min_history else 0.0
    listed = (
        1.0
        if (txn.customer_id in blacklisted_customers or txn.store_id in blacklisted_stores)
        else 0.0
    )
    keep = 1.0
    for weight, score in (
        (high.weight, high_value),
        (config.velocity.weight, velocity),
        (travel.weight, impossible),
        (hour.weight, unusual),
        (config.blacklist.weight, listed),
    ):
        keep *= 1.0 - weight * score
    return RuleScores(high_value, velocity, impossible, unusual, listed, 1.0 - keep)


def blend(config: RulesConfig, rules_score: float, ml_score: float | None) -> float:
    """``alpha * ml + (1 - alpha) * rules``; the rules alone when there is no model."""
    if ml_score is None:
        return rules_score
    return config.alpha * ml_score + (1.0 - config.alpha) * rules_score
