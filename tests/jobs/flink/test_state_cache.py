"""The detector's state cache is bounded in bytes, and its per-entry charge is honest."""

import gc
import tracemalloc
from collections.abc import Callable

import pytest

from jobs.flink.state_cache import BYTES_PER_ENCODED_STATE, BYTES_PER_STATE, StateCache
from libs.models.state import MAX_RECENT, CustomerFraudState


def full_state(i: int) -> CustomerFraudState:
    """The largest a state gets: every field set, all recent slots used, distinct ints."""
    return CustomerFraudState(
        count=1_000 + i, mean=52.5 + i, m2=1_234.5 + i, last_latitude=52.5, last_longitude=13.4,
        last_event_ms=1_700_000_000_000 + i,
        hour_counts=tuple(range(100 + i % 7, 124 + i % 7)),
        recent_event_ms=tuple(1_700_000_000_000 + i * 1_000 + j for j in range(MAX_RECENT)),
    )  # fmt: skip


def measured_entry(value: Callable[[int], object]) -> float:
    """Bytes one cache entry holding ``value(i)`` takes, with its key and dict slot."""
    cache: StateCache[object] = StateCache(capacity_bytes=10**9)
    count = 5_000
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        for i in range(count):
            cache.put(f"C{i:08d}", value(i))
        return (tracemalloc.get_traced_memory()[0] - before) / count
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize(
    ("value", "charge"),
    [(full_state, BYTES_PER_STATE), (lambda i: full_state(i).to_bytes(), BYTES_PER_ENCODED_STATE)],
    ids=["decoded", "encoded"],
)
def test_the_charge_per_state_covers_a_measured_full_entry(
    value: Callable[[int], object], charge: int
) -> None:
    measured = measured_entry(value)
    assert measured <= charge, measured
    assert measured >= charge * 0.75, measured  # and not wildly generous either


def test_capacity_is_bytes_over_the_charge_and_the_least_recently_used_go_first() -> None:
    cache: StateCache[CustomerFraudState] = StateCache(capacity_bytes=3 * BYTES_PER_STATE)
    for name in "abc":
        cache.put(name, CustomerFraudState())
    assert cache.get("a") is not None  # a is now the most recent
    cache.put("d", CustomerFraudState())
    assert len(cache) == 3
    assert cache.get("b") is None and cache.get("a") is not None and cache.get("d") is not None


def test_no_memory_means_no_cache() -> None:
    cache: StateCache[CustomerFraudState] = StateCache(capacity_bytes=BYTES_PER_STATE - 1)
    cache.put("a", CustomerFraudState())
    assert len(cache) == 0 and cache.get("a") is None
