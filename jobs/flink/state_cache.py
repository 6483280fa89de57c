"""The fraud-detector's read-through cache of decoded customer states, bounded by memory.

A ``ValueState`` read crosses from Python into the JVM (~20 µs); a decoded
state kept in a dict does not. But the dict lives in the TaskManager process
outside everything Flink budgets, so it is bounded in bytes — the memory the
spec reserves for Python per slot (``--python-memory-mb``, from the
TaskManager's task off-heap size) — not in entries. Each entry is charged
``BYTES_PER_STATE``, the measured size of a *full* state (32 recent events,
Python ints) with its key and dict slot (``tests/jobs/flink/test_state_cache.py``
holds it to the measurement). Least recently used entries go first.
"""

from collections import OrderedDict

from libs.models.state import CustomerFraudState

BYTES_PER_STATE = 3_072
MIB = 1 << 20


class StateCache:
    """Least-recently-used customer states within ``capacity_bytes``."""

    def __init__(self, capacity_bytes: int, bytes_per_state: int = BYTES_PER_STATE) -> None:
        self.capacity = max(capacity_bytes // bytes_per_state, 0)
        self._states: OrderedDict[str, CustomerFraudState] = OrderedDict()

    def __len__(self) -> int:
        return len(self._states)

    def get(self, customer: str) -> CustomerFraudState | None:
        """The cached state, now the most recently used; None on a miss."""
        state = self._states.get(customer)
        if state is not None:
            self._states.move_to_end(customer)
        return state

    def put(self, customer: str, state: CustomerFraudState) -> None:
        """Remember ``state``; evict the least recently used beyond the capacity."""
        if not self.capacity:
            return
        self._states[customer] = state
        self._states.move_to_end(customer)
        while len(self._states) > self.capacity:
            self._states.popitem(last=False)
