"""The probes that found defects in the scoring core, each with the decision it must make.

Every event here is raw JSON through the one validation path the jobs use
(``classify`` in the transaction-processor, ``Txn.from_json`` in the detector).
"""

import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from jobs.flink.routing import classify
from libs.detection.config import load_rules
from libs.detection.core import DetectorContext, detect, to_alert
from libs.detection.transaction import Txn
from libs.models.events import DLQRecord, EventParseError, Transaction
from libs.models.state import CustomerFraudState

CONFIG = load_rules()
BLACKLISTED = "C-black"
CONTEXT = DetectorContext(CONFIG, frozenset({BLACKLISTED}), frozenset())
START = datetime(2026, 3, 2, 13, 0, tzinfo=UTC)


def event(customer: str = "C1", seconds: float = 0, **changes: Any) -> bytes:
    payload = {
        "transaction_id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"{customer}/{seconds}/{changes}")),
        "customer_id": customer,
        "store_id": "S1",
        "amount": "100.00",
        "currency": "EUR",
        "timestamp": (START + timedelta(seconds=seconds)).isoformat(),
        "latitude": 52.52,
        "longitude": 13.405,
        "channel": "pos",
        "category": "grocery",
    }
    payload.update(changes)
    return json.dumps(payload).encode()


def run(events: list[bytes]) -> list[bool]:
    """Alert decisions of a sequence of events of one customer, building the alert each time."""
    state, alerts = CustomerFraudState(), []
    for raw in events:
        txn = Txn.from_json(raw)
        state, decision = detect(state, txn, CONTEXT)
        if decision.alert:
            to_alert(txn, decision, CONTEXT)
        alerts.append(decision.alert)
    return alerts


POISON = {
    "sub-cent amount": {"amount": "0.004"},
    "amount beyond 12 digits": {"amount": "99999999999.99"},
    "exponent amount": {"amount": "1e-9"},
    "lower-case currency": {"currency": "brl"},
    "unknown category": {"category": "toys"},
    "65-character transaction id": {"transaction_id": "t" * 65},
    "latitude NaN": {"latitude": float("nan")},
    "longitude Infinity": {"longitude": float("inf")},
    "latitude off the globe": {"latitude": 90.5},
    "longitude off the globe": {"longitude": -180.01},
    "timestamp in year 1 with an offset": {"timestamp": "0001-01-01T00:00:00+14:00"},
    "transaction id that is not a UUID": {"transaction_id": "fuzz-00076"},
    "NUL in the customer id": {"customer_id": "C\u0000"},
}


@pytest.mark.parametrize("changes", POISON.values(), ids=POISON.keys())
def test_what_an_alert_could_not_hold_goes_to_the_dlq_in_both_jobs(changes: dict[str, Any]) -> None:
    raw = event(BLACKLISTED, **changes)  # blacklisted: would alert if accepted
    routed = classify(raw, None, 0, 7)
    assert isinstance(routed, DLQRecord) and routed.error_type == "invalid_field"
    with pytest.raises(EventParseError):
        Txn.from_json(raw)


def test_the_largest_valid_amount_of_a_blacklisted_customer_alerts() -> None:
    raw = event(BLACKLISTED, amount="9999999999.99")
    assert isinstance(classify(raw, None, 0, 0), Transaction)
    assert run([raw]) == [True]


def test_fr001_fires_on_an_extreme_amount_after_a_history_without_variance() -> None:
    history = [event(seconds=86_400 * day) for day in range(10)]  # ten purchases of 100.00
    extreme = event(seconds=86_400 * 10, amount="1000000000.00")
    assert run([*history, extreme]) == [False] * 10 + [True]


def test_a_new_customers_first_huge_purchase_alerts_and_does_not_blind_the_baseline() -> None:
    huge = [event(seconds=3_600 * n, amount="9999999.99") for n in range(2)]
    assert run(huge) == [True, True]


def test_the_same_huge_amount_after_a_normal_history_still_alerts() -> None:
    normal = [event(seconds=86_400 * day, amount=f"{90 + day}.00") for day in range(10)]
    huge = event(seconds=86_400 * 10, amount="9999999.99")
    again = event(seconds=86_400 * 11, amount="9999999.99")
    assert run([huge, *normal, again])[0] is True
    assert run([huge, *normal, again])[-1] is True


def test_an_ordinary_first_purchase_does_not_alert() -> None:
    assert run([event(amount="80.00", category="electronics")]) == [False]


@pytest.mark.parametrize("order", [(0, 10, 20, 30), (30, 0, 10, 20), (20, 30, 10, 0)])
def test_velocity_counts_the_same_burst_in_any_arrival_order(order: tuple[int, ...]) -> None:
    burst = [event(seconds=s) for s in order]
    assert run(burst)[-1] is True
