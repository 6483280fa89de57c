"""The compiled scoring core decides exactly as the Python reference (issue #29).

For every input, ``streamflow_scoring.Detector.process`` either declines (``None``:
the job then scores in Python) or returns what ``Txn.from_json`` + ``detect`` +
``to_alert`` give: the same next state's bytes, event time, alert JSON (to the
byte) and rule hits — and ``explain`` the same rule scores, features, ML score and
blended score, compared exactly, not to a tolerance. Held on 1 000 000 generated
events (fraud injected, malformed events, cold starts, blacklist hits, an alert
storm), on Hypothesis properties over states, transactions and near-transactions,
on the JSON corner cases of the routing properties, and on state bytes written by
the previous release. Events the generator writes must never be declined: the
speed is only real if the compiled path takes them.
"""

import itertools
import json
import math
import random
import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import streamflow_scoring as native  # make setup builds it: its absence fails here
from hypothesis import given
from hypothesis import strategies as st

from jobs.events.stream import EventStream, GeneratorConfig
from jobs.events.world import build_world
from jobs.flink.routing import ALERT_COLUMNS
from jobs.train.__main__ import train_small
from libs.detection.compiled import compiled_detector, load_native
from libs.detection.config import load_rules
from libs.detection.core import DetectorContext, detect, to_alert
from libs.detection.transaction import Txn
from libs.ml.loader import load_model
from libs.models.events import EventParseError
from libs.models.state import CustomerFraudState, StateDecodeError
from tests.libs.models.wire_strategies import (
    JSON_CORNER_CASES,
    TRANSACTION_LIKE,
    VALID,
    derandomized,
)

SEED = 42
DETECTED_AT = datetime(2026, 12, 5, 6, 0, 0, 123456, tzinfo=UTC)
DETECTED_AT_US = 1_796_450_400_123_456
GOLDEN_STATE = Path(__file__).parents[1] / "models" / "golden" / "customer_fraud_state_v1.hex"
EXAMPLES = derandomized(3_000)


@dataclass
class Tally:
    """What a comparison run saw."""

    events: int = 0
    declined: int = 0
    rejected: int = 0
    alerts: int = 0
    rules: set[str] = field(default_factory=set)


def reference(context: DetectorContext, raw: str, stored: bytes | None) -> Any:
    """What the Python path does with one event: (state bytes, ms, alert JSON, decision)."""
    try:
        txn = Txn.from_json(raw)
        state = CustomerFraudState() if stored is None else CustomerFraudState.from_bytes(stored)
    except (EventParseError, StateDecodeError):
        return None
    following, decision = detect(state, txn, context)
    alert = to_alert(txn, decision, context, DETECTED_AT).json_text() if decision.alert else None
    return following.to_bytes(), txn.timestamp_ms, alert, decision


def assert_same(
    detector: Any, context: DetectorContext, raw: str, stored: bytes | None, tally: Tally
) -> bytes | None:
    """Compare both paths on one event; the next state's bytes (None if rejected)."""
    tally.events += 1
    expected = reference(context, raw, stored)
    outcome = detector.process(raw, stored, DETECTED_AT_US)
    if expected is None:
        tally.rejected += 1
        assert outcome is None, raw
        return None
    encoded: bytes
    encoded, event_ms, alert, decision = expected
    if outcome is None:
        tally.declined += 1
        return encoded
    hits = {rule for rule, _ in decision.rules.hits()} if alert else set()
    bits = {f"FR-00{i + 1}" for i in range(5) if outcome[3] >> i & 1}
    row = outcome[2]
    assert outcome[:2] == (encoded, event_ms) and bits == hits, raw
    if alert is None:
        assert row is None, raw
    else:
        assert (row[0], row[-1]) == (alert, event_ms), raw
        assert_bronze_values_of(alert, row[1:-1])
    scores, features, ml_score, score, alerts, explained = detector.explain(raw, stored)
    assert (*scores[0], scores[1]) == tuple(decision.rules), raw
    assert (tuple(features), ml_score, score, alerts) == (
        decision.features, decision.ml_score, decision.score, decision.alert
    ), raw  # fmt: skip
    assert explained == encoded
    tally.alerts += alert is not None
    tally.rules |= hits
    return encoded


def assert_bronze_values_of(alert: str, values: tuple[str | None, ...]) -> None:
    """The bronze row's values are the alert JSON's own: strings as they decode, numbers
    and the hits array as their very text in the JSON, an omitted field as None."""
    fields = json.loads(alert)
    assert len(values) == len(ALERT_COLUMNS)
    for column, value in zip(ALERT_COLUMNS, values, strict=True):
        if column not in fields:
            assert value is None, (column, alert)
        elif isinstance(fields[column], str):
            assert value == fields[column], (column, alert)
        else:
            assert value is not None, (column, alert)
            assert re.search(f'"{column}":{re.escape(value)}[,}}]', alert), (column, alert)


def replay(detector: Any, context: DetectorContext, raws: Iterable[tuple[str, str]]) -> Tally:
    """Both paths over (customer, raw) pairs, each customer's state carried forward."""
    tally, states = Tally(), dict[str, bytes]()
    for customer, raw in raws:
        encoded = assert_same(detector, context, raw, states.get(customer), tally)
        if encoded is not None:
            states[customer] = encoded
    return tally


@pytest.fixture(scope="module")
def contexts(tmp_path_factory: pytest.TempPathFactory) -> dict[str, DetectorContext]:
    """Rules only, with a model, and with a model in an alert storm (every store listed)."""
    directory = tmp_path_factory.mktemp("model")
    assert train_small(directory, SEED) == 0
    model = load_model(directory, backend="python")
    world = build_world(SEED)
    rules_only = DetectorContext(load_rules(), frozenset(world.blacklisted_customers),
                                 frozenset(world.blacklisted_stores))  # fmt: skip
    with_model = replace(rules_only, scorer=model.scorer, model_version=model.version,
                         population_amounts=model.population_amounts)  # fmt: skip
    storm = replace(with_model, blacklisted_stores=frozenset(s.store_id for s in world.stores))
    return {"rules only": rules_only, "model": with_model, "storm": storm}


def generated(count: int, **config: Any) -> Iterable[tuple[str, str]]:
    stream = EventStream(GeneratorConfig(seed=SEED, **config), build_world(SEED))
    for event in itertools.islice(iter(stream), count):
        yield event.key.decode(), event.value.decode()


def test_a_million_generated_events_decide_alike_and_none_is_declined(
    contexts: dict[str, DetectorContext],
) -> None:
    # 200 000 customers: many cold starts; 5 % fraud of every pattern; 1 % malformed.
    runs = {
        "model": generated(700_000, customers=200_000, fraud_rate=0.05, malformed_rate=0.01),
        "rules only": generated(200_000, fraud_rate=0.05, malformed_rate=0.01),
        "storm": generated(100_000, fraud_rate=0.02),
    }
    for name, raws in runs.items():
        context = contexts[name]
        tally = replay(compiled_detector(native, context), context, raws)
        assert tally.declined == 0, (name, tally)
        assert tally.alerts > 0 and tally.rules == {"FR-001", "FR-002", "FR-003", "FR-004",
                                                     "FR-005"}, (name, tally)  # fmt: skip
        assert (tally.rejected > 0) == (name != "storm"), (name, tally)


@pytest.mark.parametrize("raw", JSON_CORNER_CASES)
def test_json_corner_cases_are_declined_or_decided_alike(
    raw: bytes, contexts: dict[str, DetectorContext]
) -> None:
    context = contexts["model"]
    text = raw.decode("utf-8", errors="replace")  # as Flink casts bytes to STRING
    replay(compiled_detector(native, context), context, [("C1", text)])


def test_a_string_that_is_not_utf8_is_rejected_by_both(
    contexts: dict[str, DetectorContext],
) -> None:
    """A lone surrogate: the core declines it, the reference rejects it as invalid JSON."""
    context = contexts["rules only"]
    tally = replay(compiled_detector(native, context), context, [("C1", '{"x": "\ud800"}')])
    assert tally.rejected == 1


@EXAMPLES
@given(TRANSACTION_LIKE)
def test_near_transactions_are_declined_or_decided_alike(payload: dict[str, Any]) -> None:
    context = DetectorContext(load_rules(), frozenset({"C1"}), frozenset())
    replay(compiled_detector(native, context), context, [("C1", json.dumps(payload))])


states = st.builds(
    CustomerFraudState,
    count=st.integers(0, 0xFFFFFFFF),
    mean=st.floats(-1e12, 1e12),
    m2=st.floats(0, 1e18),
    hour_counts=st.lists(st.integers(0, 0xFFFF), min_size=24, max_size=24).map(tuple),
    recent_event_ms=st.lists(st.integers(0, 7_258_118_400_000), max_size=32).map(
        lambda r: tuple(sorted(r))),
).flatmap(lambda s: st.one_of(st.just(s), st.builds(
    lambda lat, lon, ms: s.model_copy(update={"last_latitude": lat, "last_longitude": lon,
                                              "last_event_ms": ms}),
    st.floats(-90, 90), st.floats(-180, 180), st.integers(-(2**52), 2**52))))  # fmt: skip


AMOUNTS = st.sampled_from(["0.01", "12.50", "999.99", "9999999999.99"])
PURCHASES = st.tuples(st.integers(0, 7_258_118_399_999), st.floats(-90, 90), st.floats(-180, 180),
                      AMOUNTS, st.sampled_from(["S1", "S9"]))  # fmt: skip


def flipped_byte(encoded: bytes) -> st.SearchStrategy[bytes]:
    """``encoded`` with one byte inverted."""
    return st.integers(0, len(encoded) - 1).map(
        lambda i: encoded[:i] + bytes([encoded[i] ^ 0xFF]) + encoded[i + 1 :]
    )


@EXAMPLES
@given(states, st.lists(PURCHASES, min_size=1, max_size=8))
def test_any_state_and_history_decide_alike(
    state: CustomerFraudState, history: list[tuple[int, float, float, str, str]]
) -> None:
    context = DetectorContext(load_rules(), frozenset(), frozenset({"S9"}),
                              population_amounts={"grocery": 180.0})  # fmt: skip
    detector, tally = compiled_detector(native, context), Tally()
    stored: bytes | None = state.to_bytes()
    for ms, latitude, longitude, amount, store in history:
        stamp = datetime.fromtimestamp(ms / 1000, UTC).isoformat(timespec="milliseconds")
        raw = {**VALID, "timestamp": stamp, "latitude": latitude, "longitude": longitude,
               "amount": amount, "store_id": store}  # fmt: skip
        stored = assert_same(detector, context, json.dumps(raw), stored, tally) or stored
    assert tally.rejected == 0 and tally.declined == 0


@EXAMPLES
@given(st.binary(max_size=400) | states.map(CustomerFraudState.to_bytes).flatmap(flipped_byte))
def test_any_stored_bytes_decode_alike(stored: bytes) -> None:
    context = DetectorContext(load_rules(), frozenset(), frozenset())
    following = assert_same(
        compiled_detector(native, context), context, json.dumps(VALID), stored, Tally()
    )
    try:
        CustomerFraudState.from_bytes(stored)
    except StateDecodeError:
        assert following is None


def test_state_bytes_of_the_previous_release_decode_alike(
    contexts: dict[str, DetectorContext],
) -> None:
    golden = bytes.fromhex(GOLDEN_STATE.read_text().strip())
    body = golden[8:] + b"CRC!"  # what a later minor version may append
    later_minor = golden[:3] + b"\x07" + len(body).to_bytes(4, "little") + body
    context = contexts["model"]
    for stored in (golden, later_minor):
        tally = Tally()
        assert_same(compiled_detector(native, context), context, json.dumps(VALID), stored, tally)
        assert tally.declined == 0 and tally.rejected == 0


def test_an_odd_model_version_is_escaped_as_pydantic_does(
    contexts: dict[str, DetectorContext],
) -> None:
    context = replace(contexts["storm"], model_version='v1 "q" \\ \n\t\x01\x7f é \u2028 😀')
    tally = replay(compiled_detector(native, context), context, generated(50))
    assert tally.alerts and not tally.declined


def test_hypot_is_cpythons() -> None:
    rng = random.Random(SEED)
    pairs = [(rng.uniform(-1, 1) * 10 ** rng.randint(-12, 3), rng.uniform(-1, 1))
             for _ in range(200_000)]  # fmt: skip
    assert [native.hypot(x, y) for x, y in pairs] == [math.hypot(x, y) for x, y in pairs]


def test_an_unimportable_core_is_reported_once_and_none(caplog: pytest.LogCaptureFixture) -> None:
    assert load_native("streamflow_scoring_not_built") is None
    assert [r.getMessage() for r in caplog.records] == [
        "compiled scoring core unavailable (No module named 'streamflow_scoring_not_built'):"
        " scoring in Python"
    ]
