"""The event stream: deterministic, seasonal, labelled, and valid on the wire."""

import collections
import itertools
import json
from datetime import UTC, datetime

import pytest

from jobs.events.stream import MALFORMED_KINDS, Event, EventStream, GeneratorConfig
from jobs.events.world import build_world, distance_km
from libs.models.events import EventParseError, FraudPattern, Transaction
from tests.determinism import digest, digests_across_hash_seeds

WORLD = build_world(7, customers=2_000, stores=300)


def take(count: int, **config: object) -> list[Event]:
    stream = EventStream(GeneratorConfig(seed=7, customers=2_000, stores=300, **config), WORLD)  # type: ignore[arg-type]
    return list(itertools.islice(iter(stream), count))


@pytest.fixture(scope="module")
def events() -> list[Event]:
    return take(30_000)


STREAM = """
import itertools
from jobs.events.stream import EventStream, GeneratorConfig
stream = EventStream(GeneratorConfig(seed=7, customers=2_000, stores=300, malformed_rate=0.02))
result = [tuple(event) for event in itertools.islice(iter(stream), 2_000)]
"""


def test_same_seed_same_stream_in_any_process() -> None:
    namespace: dict[str, object] = {}
    exec(STREAM, namespace)
    assert set(digests_across_hash_seeds(STREAM).values()) == {digest(namespace["result"])}


def test_different_seed_different_stream() -> None:
    other = EventStream(GeneratorConfig(seed=8, customers=2_000, stores=300))
    first = next(iter(other))
    assert first.value != take(1)[0].value


def test_every_event_is_a_valid_transaction_keyed_by_customer(events: list[Event]) -> None:
    for event in events:
        transaction = Transaction.parse(event.value)
        assert event.key == transaction.customer_id.encode()
        assert transaction.fraud_label == event.label
        assert int(transaction.timestamp.timestamp() * 1000) == event.timestamp_ms


def test_event_time_never_goes_backwards(events: list[Event]) -> None:
    times = [e.timestamp_ms for e in events]
    assert times == sorted(times)


def test_fraud_share_and_every_pattern(events: list[Event]) -> None:
    labels = collections.Counter(e.label for e in events if e.label)
    assert sum(labels.values()) / len(events) == pytest.approx(0.02, abs=0.002)
    assert set(labels) == set(FraudPattern)
    assert min(labels.values()) > 0.1 * sum(labels.values())


def test_configurable_fraud_rate() -> None:
    sample = take(10_000, fraud_rate=0.1)
    assert sum(e.label is not None for e in sample) / len(sample) == pytest.approx(0.1, abs=0.01)


def test_blacklisted_entities_appear_only_labelled(events: list[Event]) -> None:
    customers, stores = set(WORLD.blacklisted_customers), set(WORLD.blacklisted_stores)
    for event in events:
        payload = json.loads(event.value)
        if payload["customer_id"] in customers or payload["store_id"] in stores:
            assert event.label is FraudPattern.BLACKLISTED


def test_injected_patterns_look_like_their_rule(events: list[Event]) -> None:
    by_customer: dict[str, list[Transaction]] = collections.defaultdict(list)
    for event in events:
        transaction = Transaction.parse(event.value)
        by_customer[transaction.customer_id].append(transaction)
    for history in by_customer.values():
        for previous, current in itertools.pairwise(history):
            if current.fraud_label is FraudPattern.IMPOSSIBLE_TRAVEL:
                minutes = (current.timestamp - previous.timestamp).total_seconds() / 60
                assert minutes <= 40
                assert _km(previous, current) > 900
            if current.fraud_label is FraudPattern.VELOCITY_BURST and (
                previous.fraud_label is FraudPattern.VELOCITY_BURST
            ):
                assert (current.timestamp - previous.timestamp).total_seconds() <= 15


def _km(a: Transaction, b: Transaction) -> float:
    import math  # noqa: PLC0415

    phi1, phi2 = math.radians(a.latitude), math.radians(b.latitude)
    dphi, dlmb = phi2 - phi1, math.radians(b.longitude - a.longitude)
    h = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlmb / 2) ** 2
    return 2 * 6371 * math.asin(math.sqrt(h))


def test_daily_and_weekly_seasonality() -> None:
    # 0.1 events per simulated second: 40 000 events span about five days.
    moments = [
        datetime.fromtimestamp(e.timestamp_ms / 1000, UTC)
        for e in take(40_000, events_per_second=0.1)
    ]
    hours = collections.Counter(m.hour for m in moments)
    assert hours[12] > 5 * hours[3]
    days = collections.Counter(m.date() for m in moments)
    assert len(days) >= 4


def test_far_city_is_far() -> None:
    for city in range(5):
        assert distance_km(city, WORLD.far_city(city, __import__("random").Random(1))) >= 1000


def test_malformed_events_are_rejected_with_their_kind() -> None:
    sample = take(20_000, malformed_rate=0.05)
    malformed = [e for e in sample if e.malformed]
    assert len(malformed) / len(sample) == pytest.approx(0.05, abs=0.01)
    assert {e.malformed for e in malformed} == set(MALFORMED_KINDS)
    expected = {
        "invalid_json": "invalid_json",
        "missing_field": "missing_field",
        "wrong_type": "invalid_field",
        "oversize": "oversize",
        "future_major": "unsupported_version",
    }
    for event in malformed:
        with pytest.raises(EventParseError) as caught:
            Transaction.parse(event.value)
        assert caught.value.error_type == expected[event.malformed or ""]
        assert event.label is None
