"""The fraud-detector's read-through cache of customer states, bounded by memory.

A ``ValueState`` read crosses from Python into the JVM (~20 µs); a decoded
state kept in a dict does not. But the dict lives in the TaskManager process
outside everything Flink budgets, so it is bounded in bytes — the memory the
spec reserves for Python per slot (``--python-memory-mb``, from the
TaskManager's task off-heap size) — not in entries. Each entry is charged
``BYTES_PER_STATE``, the measured size of a *full* state (32 recent events,
Python ints) with its key and dict slot (``tests/jobs/flink/test_state_cache.py``
holds it to the measurement). Least recently used entries go first.

The compiled scoring core (``libs.detection.compiled``) reads and writes a
state's encoded bytes, so with it the cache holds those (``BYTES_PER_ENCODED_STATE``,
measured the same way): about five times as many customers in the same memory.
"""

from collections import OrderedDict
from typing import Generic, TypeVar

BYTES_PER_STATE = 3_072
BYTES_PER_ENCODED_STATE = 640
MIB = 1 << 20
State = TypeVar("State")  # a decoded CustomerFraudState, or its encoded bytes


class StateCache(Generic[State]):
    """Least-recently-used customer states within ``capacity_bytes``."""

    def __init__(self, capacity_bytes: int, bytes_per_state: int = BYTES_PER_STATE) -> None:
        self.capacity = max(capacity_bytes // bytes_per_state, 0)
        self._states: OrderedDict[str, State] = OrderedDict()

    def __len__(self) -> int:
        return len(self._states)

    def get(self, customer: str) -> State | None:
        """The cached state, now the most recently used; None on a miss."""
        state = self._states.get(customer)
        if state is not None:
            self._states.move_to_end(customer)
        return state

    def put(self, customer: str, state: State) -> None:
        """Remember ``state``; evict the least recently used beyond the capacity."""
        if not self.capacity:
            return
        self._states[customer] = state
        self._states.move_to_end(customer)
        while len(self._states) > self.capacity:
            self._states.popitem(last=False)
