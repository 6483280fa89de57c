"""The fraud-detector's state cache at 1 000 000 distinct customers: bytes, not entries, bound it.

One run, two child processes side by side, each scoring one event for each of
1 000 000 distinct customers through the detector's own path (``detect`` +
the cache): (a) the earlier cache, a dict of up to 200 000 states cleared when
full; (b) ``StateCache`` with dev's budget, the TaskManager's task off-heap per
slot (16 MiB, ``--python-memory-mb`` from the spec). Each prints the growth of
its resident memory over the run. Target (issue #12): (b) grows by no more than
its budget; the ratio (a)/(b) shows what the count bound cost.
Run: `.venv-jobs/bin/python benchmarks/state_cache.py`.
"""

import json
import subprocess
import sys
from datetime import UTC, datetime

from jobs.flink.state_cache import BYTES_PER_STATE, MIB, StateCache
from libs.detection.config import load_rules
from libs.detection.core import DetectorContext, detect
from libs.detection.transaction import Txn
from libs.models.state import CustomerFraudState

CUSTOMERS = 1_000_000
OLD_LIMIT = 200_000
DEV_BUDGET_MB = 16
T0 = int(datetime(2026, 3, 2, tzinfo=UTC).timestamp() * 1000)


def rss_bytes() -> int:
    """Resident set size of this process, from /proc."""
    for line in open("/proc/self/status", encoding="ascii"):  # noqa: SIM115 - tiny file
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError("no VmRSS")


def run(kind: str) -> dict[str, float]:
    """Score every customer once; return RSS growth and what the cache holds."""
    context = DetectorContext(load_rules(), frozenset(), frozenset())
    empty = CustomerFraudState()
    old: dict[str, CustomerFraudState] = {}
    new: StateCache[CustomerFraudState] = StateCache(DEV_BUDGET_MB * MIB)
    txn = Txn("t", "c", "S1", 42.5, "42.50", "EUR", T0, 52.5, 13.4, "grocery")
    before = rss_bytes()
    peak = before
    for i in range(CUSTOMERS):
        customer = f"C{i:08d}"
        event = txn._replace(transaction_id=f"t{i}", customer_id=customer, timestamp_ms=T0 + i)
        if kind == "count":
            state, _ = detect(old.get(customer, empty), event, context)
            if len(old) >= OLD_LIMIT:
                old.clear()
            old[customer] = state
        else:
            state, _ = detect(new.get(customer) or empty, event, context)
            new.put(customer, state)
        if i % 50_000 == 0:
            peak = max(peak, rss_bytes())
    peak = max(peak, rss_bytes())
    held = len(old) if kind == "count" else len(new)
    return {"growth_mb": (peak - before) / MIB, "held": held}


def main() -> None:
    if len(sys.argv) == 2:  # a child: one kind of cache
        print(json.dumps(run(sys.argv[1])))
        return
    results = {}
    for kind in ("count", "bytes"):
        child = subprocess.run([sys.executable, __file__, kind], capture_output=True, text=True,
                               check=True)  # fmt: skip
        results[kind] = json.loads(child.stdout)
    count, by_bytes = results["count"], results["bytes"]
    print(f"{CUSTOMERS:,} distinct customers, one event each; {BYTES_PER_STATE} bytes charged "
          "per cached state")  # fmt: skip
    print(f"(a) dict of up to {OLD_LIMIT:,} states: peak RSS growth {count['growth_mb']:.0f} MiB, "
          f"{count['held']:,.0f} held at the end")  # fmt: skip
    print(f"(b) StateCache({DEV_BUDGET_MB} MiB):       peak RSS growth "
          f"{by_bytes['growth_mb']:.0f} MiB, {by_bytes['held']:,.0f} held "
          f"(capacity {DEV_BUDGET_MB * MIB // BYTES_PER_STATE:,})")  # fmt: skip
    verdict = "within" if by_bytes["growth_mb"] <= DEV_BUDGET_MB else "OVER"
    print(f"(b) growth / budget: {by_bytes['growth_mb'] / DEV_BUDGET_MB:.2f} ({verdict} budget); "
          f"(a)/(b): {count['growth_mb'] / max(by_bytes['growth_mb'], 1e-9):.1f}x")  # fmt: skip


if __name__ == "__main__":
    main()
