"""The signals against independent derivations: a brute-force window count, circular
statistics through complex numbers, the sample standard deviation from ``statistics``."""

import cmath
import math
import statistics

import pytest
from hypothesis import given
from hypothesis import strategies as st

from libs.detection.signals import _hour_statistics, densest_window, measure
from libs.detection.transaction import Txn
from libs.models.state import CustomerFraudState

NOW = 1_700_000_000_000
MINUTE = 60_000
HOUR_MS = 3_600_000


def brute_force_window(recent: tuple[int, ...], now_ms: int, window_ms: int) -> int:
    """Most earlier events in any closed window [start, start + window] that holds now."""
    starts = [now_ms - window_ms + step for step in range(window_ms + 1)]
    return max(sum(start <= t <= start + window_ms for t in recent) for start in starts)


@given(
    st.lists(st.integers(min_value=-12, max_value=12), max_size=8).map(
        lambda offsets: tuple(sorted(NOW + offset for offset in offsets))
    ),
    st.integers(min_value=0, max_value=6),
)
def test_densest_window_counts_what_a_brute_force_over_every_window_counts(
    recent: tuple[int, ...], window_ms: int
) -> None:
    assert densest_window(recent, NOW, window_ms) == brute_force_window(recent, NOW, window_ms)


@pytest.mark.parametrize(
    ("recent", "expected"),
    [
        ((), 0),
        ((NOW - MINUTE,), 1),  # exactly a window earlier: the window [it, now] holds both
        ((NOW - MINUTE - 1,), 0),
        ((NOW + MINUTE,), 1),  # exactly a window later
        ((NOW + MINUTE + 1,), 0),
        ((NOW,), 1),
        ((NOW - MINUTE, NOW + MINUTE), 1),  # each fits with now, never both
        ((NOW - 50_000, NOW - 40_000, NOW + 5_000), 3),
        ((NOW - 59_000, NOW + 1_000, NOW + 2_000, NOW + 30_000), 3),
    ],
)
def test_densest_window_edges(recent: tuple[int, ...], expected: int) -> None:
    assert densest_window(recent, NOW, MINUTE) == expected


def circular(hours: tuple[int, ...], hour: int) -> tuple[float, float]:
    """The same statistics through complex numbers: mean direction, resultant, rarity."""
    total = sum(hours)
    rarity = math.log((total + 24) / (hours[hour] + 1))
    if total == 0:
        return 0.0, rarity
    mean = sum(count * cmath.exp(2j * math.pi * h / 24) for h, count in enumerate(hours)) / total
    if abs(mean) < 1e-9:
        return 0.0, rarity
    spread = math.sqrt(2 * math.log(1 / min(abs(mean), 1.0))) * 12 / math.pi
    mean_hour = cmath.phase(mean) * 12 / math.pi
    distance = min((hour - mean_hour) % 24, (mean_hour - hour) % 24)
    return distance / max(spread, 1.0), rarity


def histogram(**counts: int) -> tuple[int, ...]:
    """24 hour counts from ``h8=3``-style keywords."""
    return tuple(counts.get(f"h{hour}", 0) for hour in range(24))


@pytest.mark.parametrize(
    ("hours", "hour", "z"),
    [
        (histogram(), 5, 0.0),  # no history: no z, rarity of 1 in 24
        (histogram(h10=5), 10, 0.0),
        (histogram(h10=5), 22, 12.0),  # all at one hour: spread floored at 1 hour
        (histogram(h10=5), 2, 8.0),
        (histogram(h1=5), 23, 2.0),  # across midnight, not 22 hours
        (histogram(h23=5), 1, 2.0),
        (histogram(h13=5), 23, 10.0),  # mean hour 13 is -11 from atan2: 34 hours apart, i.e. 10
        (histogram(h8=3, h12=3), 16, None),  # spread ~2.05 hours
        (histogram(h8=3, h12=3), 10, 0.0),
        (histogram(h20=2, h2=1), 14, None),
        (tuple([4] * 24), 7, 0.0),  # uniform: no mean direction
    ],
)
def test_hour_statistics_match_circular_statistics_through_complex_numbers(
    hours: tuple[int, ...], hour: int, z: float | None
) -> None:
    got_z, got_rarity = _hour_statistics(hours, hour)
    want_z, want_rarity = circular(hours, hour)
    assert got_z == pytest.approx(want_z, rel=1e-12, abs=1e-9)
    assert got_rarity == pytest.approx(want_rarity, rel=1e-12)
    if z is not None:
        assert got_z == pytest.approx(z, abs=1e-9)


def test_hour_statistics_hand_counted_figures() -> None:
    # Hours 8 and 12 equally: mean 10, resultant cos(30°), spread sqrt(-2 ln cos 30°) rad.
    spread = math.sqrt(-2 * math.log(math.cos(math.pi / 6))) * 24 / (2 * math.pi)
    z, rarity = _hour_statistics(histogram(h8=3, h12=3), 16)
    assert spread == pytest.approx(2.0487, abs=1e-4)
    assert z == pytest.approx(6 / spread, rel=1e-12)
    assert rarity == pytest.approx(-math.log(1 / 30), rel=1e-12)
    assert _hour_statistics(histogram(), 5)[1] == pytest.approx(math.log(24), rel=1e-12)
    assert _hour_statistics(histogram(h10=5), 10)[1] == pytest.approx(-math.log(6 / 29), rel=1e-12)


def test_a_resultant_that_rounds_past_one_counts_as_one() -> None:
    # 71 purchases at 1 o'clock: hypot(x, y) is 1.0000000000000002; unclamped, log > 0 and the
    # square root of a negative number raises.
    hours = histogram(h1=71)
    assert _hour_statistics(hours, 1)[0] == pytest.approx(0.0, abs=1e-9)
    assert _hour_statistics(hours, 13)[0] == pytest.approx(12.0)


def txn(timestamp_ms: int, amount: float = 100.0, latitude: float = 0.0) -> Txn:
    return Txn("t", "C1", "S1", amount, f"{amount:.2f}", "EUR", timestamp_ms, latitude, 0.0)


def state_of(amounts: list[float], **fields: object) -> CustomerFraudState:
    """A state whose Welford figures are those of ``amounts``."""
    mean = statistics.fmean(amounts) if amounts else 0.0
    m2 = sum((amount - mean) ** 2 for amount in amounts)
    return CustomerFraudState(count=len(amounts), mean=mean, m2=m2, **fields)


def test_measure_the_amount_against_the_sample_standard_deviation() -> None:
    amounts = [90.0, 100.0, 110.0, 140.0]
    signals = measure(state_of(amounts), txn(NOW, amount=200.0), MINUTE)
    assert signals.history == 4 and signals.mean == pytest.approx(110.0)
    want = (200.0 - 110.0) / statistics.stdev(amounts)
    assert signals.amount_z == pytest.approx(want, rel=1e-12)
    # Below the mean: a negative z, not its absolute value.
    assert measure(state_of(amounts), txn(NOW, amount=20.0), MINUTE).amount_z == pytest.approx(
        -want, rel=1e-12
    )


def test_measure_floors_the_deviation_of_a_customer_who_never_varies() -> None:
    steady = state_of([100.0, 100.0, 100.0])
    assert measure(steady, txn(NOW, amount=300.0), MINUTE).amount_z == 0.0  # no scale: no z
    floored = measure(steady, txn(NOW, amount=300.0), MINUTE, std_floor_ratio=0.5)
    assert floored.amount_z == pytest.approx((300.0 - 100.0) / 50.0, rel=1e-12)
    two = measure(state_of([100.0, 100.0]), txn(NOW, amount=300.0), MINUTE, std_floor_ratio=0.5)
    assert two.amount_z == pytest.approx(4.0, rel=1e-12)  # the floor from the second purchase
    small = state_of([100.0, 100.5])  # a deviation below 1 is still a deviation
    assert measure(small, txn(NOW, amount=101.0), MINUTE).amount_z == pytest.approx(
        (101.0 - 100.25) / statistics.stdev([100.0, 100.5]), rel=1e-12
    )
    varied = state_of([90.0, 110.0])  # its own deviation (14.1) beats the floor (10)
    assert measure(varied, txn(NOW, amount=200.0), MINUTE, 0.1).amount_z == pytest.approx(
        (200.0 - 100.0) / statistics.stdev([90.0, 110.0]), rel=1e-12
    )


@pytest.mark.parametrize("amounts", [[], [100.0]])
def test_measure_has_no_amount_z_before_two_purchases(amounts: list[float]) -> None:
    assert measure(state_of(amounts), txn(NOW, amount=1e6), MINUTE, 0.5).amount_z == 0.0


def test_measure_the_last_place_and_time() -> None:
    first = measure(state_of([]), txn(NOW), MINUTE)
    assert first.seconds_since_last is None and first.km_from_last == 0.0
    last = state_of([100.0], last_latitude=0.0, last_longitude=0.0, last_event_ms=NOW)
    later = measure(last, txn(NOW + 90_500, latitude=1.0), MINUTE)
    assert later.seconds_since_last == 90.5
    assert later.km_from_last == pytest.approx(111.19, abs=0.01)  # one degree of a meridian
    earlier = measure(last, txn(NOW - 2_000), MINUTE)  # out of order: still a distance in time
    assert earlier.seconds_since_last == 2.0 and earlier.km_from_last == 0.0


def test_measure_counts_the_velocity_window_and_the_last_ten_minutes_apart() -> None:
    recent = (NOW - 10 * MINUTE - 1, NOW - 10 * MINUTE, NOW - 5 * MINUTE, NOW - 30_000)
    signals = measure(state_of([100.0] * 4, recent_event_ms=recent), txn(NOW), MINUTE)
    assert signals.events_in_velocity_window == 1
    assert signals.events_last_10_min == 3  # ten minutes exactly, not a millisecond more


def test_measure_the_hour_against_the_histogram() -> None:
    hours = histogram(h10=5)
    at_22 = NOW - NOW % (24 * HOUR_MS) + 22 * HOUR_MS
    signals = measure(state_of([100.0] * 5, hour_counts=hours), txn(at_22), MINUTE)
    assert (signals.hour_z, signals.hour_rarity) == _hour_statistics(hours, 22)
    assert signals.hour_z == pytest.approx(12.0)
