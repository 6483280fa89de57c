"""What a transaction looks like against the customer's history.

Both the rules and the ML features are computed from these signals, with the
state as it was *before* the transaction (``history.observe`` comes after).
"""

import bisect
import math
import operator
from typing import NamedTuple

from libs.detection.geo import haversine_km
from libs.detection.history import hour_of
from libs.detection.transaction import Txn
from libs.models.state import CustomerFraudState

_ANGLE = [2 * math.pi * h / 24 for h in range(24)]
# Public: the compiled core takes these tables from here, computed by the same libm.
HOUR_COS = [math.cos(a) for a in _ANGLE]
HOUR_SIN = [math.sin(a) for a in _ANGLE]
HOURS_PER_RADIAN = 24 / (2 * math.pi)


class Signals(NamedTuple):
    """Measurements of one transaction relative to its customer's history."""

    history: int
    mean: float
    amount_z: float
    seconds_since_last: float | None
    km_from_last: float
    events_in_velocity_window: int
    events_last_10_min: int
    hour_z: float
    hour_rarity: float


def densest_window(recent: tuple[int, ...], now_ms: int, window_ms: int) -> int:
    """Most earlier events in one window of ``window_ms`` that also holds ``now_ms``.

    Independent of arrival order: four purchases at 30, 0, 10 and 20 s count
    the same as in time order. ``recent`` is sorted (``history.observe``).
    """
    first = bisect.bisect_left(recent, now_ms - window_ms)
    last = bisect.bisect_right(recent, now_ms + window_ms)
    best = 0
    for start in range(first, last):  # windows beginning at an earlier event...
        if recent[start] > now_ms:
            break
        best = max(
            best, bisect.bisect_right(recent, recent[start] + window_ms, start, last) - start
        )
    # ... or at this event itself (later events only)
    after = bisect.bisect_right(recent, now_ms + window_ms, first, last)
    return max(best, after - bisect.bisect_left(recent, now_ms, first, last))


def _hour_statistics(hours: tuple[int, ...], hour: int) -> tuple[float, float]:
    """(circular z-score of ``hour`` against the histogram, rarity = -log share)."""
    total = sum(hours)
    rarity = -math.log((hours[hour] + 1) / (total + 24))
    if total == 0:
        return 0.0, rarity
    x = sum(map(operator.mul, hours, HOUR_COS)) / total  # both 24 long (the state's invariant)
    y = sum(map(operator.mul, hours, HOUR_SIN)) / total
    resultant = math.hypot(x, y)
    if resultant < 1e-9:
        return 0.0, rarity
    spread_hours = math.sqrt(-2 * math.log(min(resultant, 1.0))) * HOURS_PER_RADIAN
    mean_hour = math.atan2(y, x) * HOURS_PER_RADIAN
    distance = abs(hour - mean_hour) % 24
    distance = min(distance, 24 - distance)
    return distance / max(spread_hours, 1.0), rarity


def measure(
    state: CustomerFraudState, txn: Txn, velocity_window_ms: int, std_floor_ratio: float = 0.0
) -> Signals:
    """Signals of ``txn`` against ``state``.

    The amount's z-score uses ``max(std, std_floor_ratio × mean)``: a customer
    whose purchases never vary still has a scale an extreme amount exceeds.
    """
    std = math.sqrt(state.m2 / (state.count - 1)) if state.count > 1 else 0.0
    std = max(std, std_floor_ratio * abs(state.mean)) if state.count > 1 else std
    amount_z = (txn.amount - state.mean) / std if std > 0 else 0.0
    if state.last_event_ms is None or state.last_latitude is None or state.last_longitude is None:
        since, km = None, 0.0
    else:
        since = abs(txn.timestamp_ms - state.last_event_ms) / 1000
        km = haversine_km(state.last_latitude, state.last_longitude, txn.latitude, txn.longitude)
    recent = state.recent_event_ms
    hour_z, rarity = _hour_statistics(state.hour_counts, hour_of(txn.timestamp_ms))
    return Signals(
        history=state.count,
        mean=state.mean,
        amount_z=amount_z,
        seconds_since_last=since,
        km_from_last=km,
        events_in_velocity_window=densest_window(recent, txn.timestamp_ms, velocity_window_ms),
        events_last_10_min=densest_window(recent, txn.timestamp_ms, 600_000),
        hour_z=hour_z,
        hour_rarity=rarity,
    )
