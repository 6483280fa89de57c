"""How a customer's state absorbs one transaction (always in event time)."""

from libs.detection.transaction import Txn
from libs.models.state import HOUR_CAP, MAX_RECENT, CustomerFraudState

MS_PER_HOUR = 3_600_000


def hour_of(timestamp_ms: int) -> int:
    """UTC hour of day of an event time."""
    return (timestamp_ms // MS_PER_HOUR) % 24


def observe(
    state: CustomerFraudState, txn: Txn, *, moves: bool = True, absorbs_amount: bool = True
) -> CustomerFraudState:
    """The state after ``txn``: Welford update, last position, hour histogram, recent times.

    ``moves=False`` keeps the last known position: a purchase that looked like
    impossible travel (a cloned card abroad) must not make the owner's next
    purchase at home look like impossible travel too. ``absorbs_amount=False``
    keeps the amount statistics: an amount FR-001 flagged must not inflate the
    baseline so that the same amount passes next time.
    The hour histogram halves when a bucket would overflow, keeping its shape.
    Recent event times stay sorted even when events arrive out of order.
    """
    count, mean, m2 = state.count, state.mean, state.m2
    if absorbs_amount:
        count = min(state.count + 1, 0xFFFFFFFF)
        delta = txn.amount - state.mean
        mean = state.mean + delta / count
        m2 = state.m2 + delta * (txn.amount - mean)
    hours = list(state.hour_counts)
    hour = hour_of(txn.timestamp_ms)
    if hours[hour] >= HOUR_CAP:
        hours = [h // 2 for h in hours]
    hours[hour] += 1
    recent = sorted((*state.recent_event_ms, txn.timestamp_ms))[-MAX_RECENT:]
    latest = moves and (state.last_event_ms is None or txn.timestamp_ms >= state.last_event_ms)
    return CustomerFraudState.trusted(
        count=count,
        mean=mean,
        m2=max(m2, 0.0),
        last_latitude=txn.latitude if latest else state.last_latitude,
        last_longitude=txn.longitude if latest else state.last_longitude,
        last_event_ms=txn.timestamp_ms if latest else state.last_event_ms,
        hour_counts=tuple(hours),
        recent_event_ms=tuple(recent),
    )
