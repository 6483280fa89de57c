"""The state after a transaction at its limits: the count's cap, the hour histogram's halving,
a purchase at the very moment of the last one."""

from datetime import UTC, datetime

from libs.detection.history import observe
from libs.detection.transaction import Txn
from libs.models.state import HOUR_CAP, CustomerFraudState

T0 = int(datetime(2026, 1, 5, 13, tzinfo=UTC).timestamp() * 1000)  # hour 13


def txn(ms: int, latitude: float = 52.5, amount: float = 50.0) -> Txn:
    return Txn(f"t{ms}", "C1", "S1", amount, f"{amount:.2f}", "EUR", ms, latitude, 13.4)


def test_the_count_stops_at_its_cap_and_the_mean_still_moves() -> None:
    full = CustomerFraudState(count=0xFFFFFFFF, mean=10.0, m2=0.0)
    after = observe(full, txn(T0, amount=10.0 + 0xFFFFFFFF))
    assert after.count == 0xFFFFFFFF
    assert after.mean == 11.0


def test_a_full_hour_halves_every_hour_keeping_integers() -> None:
    hours = [0] * 24
    hours[13], hours[2], hours[20] = HOUR_CAP, 3, 7
    after = observe(CustomerFraudState(hour_counts=tuple(hours)), txn(T0))
    expected = [0] * 24
    expected[13], expected[2], expected[20] = HOUR_CAP // 2 + 1, 1, 3
    assert after.hour_counts == tuple(expected)
    assert all(type(count) is int for count in after.hour_counts)


def test_an_hour_one_below_its_cap_fills_without_halving() -> None:
    hours = [5] * 24
    hours[13] = HOUR_CAP - 1
    after = observe(CustomerFraudState(hour_counts=tuple(hours)), txn(T0))
    assert after.hour_counts[13] == HOUR_CAP and after.hour_counts[0] == 5


def test_a_purchase_at_the_last_ones_moment_moves_the_customer() -> None:
    before = observe(CustomerFraudState(), txn(T0, latitude=52.5))
    same_moment = observe(before, txn(T0, latitude=48.1))
    assert (same_moment.last_latitude, same_moment.last_event_ms) == (48.1, T0)
    earlier = observe(before, txn(T0 - 1, latitude=48.1))
    assert earlier.last_latitude == 52.5


def test_what_observe_is_told_to_keep_it_keeps() -> None:
    before = observe(CustomerFraudState(), txn(T0, latitude=52.5))
    kept = observe(before, txn(T0 + 1_000, latitude=48.1, amount=9_999.0),
                   moves=False, absorbs_amount=False)  # fmt: skip
    assert (kept.count, kept.mean, kept.m2) == (before.count, before.mean, before.m2)
    assert (kept.last_latitude, kept.last_event_ms) == (52.5, T0)
    assert kept.recent_event_ms == (T0, T0 + 1_000) and kept.hour_counts[13] == 2
