"""The jobs' counts live in Python and reach the reporter as gauges, exact at each read."""

from collections.abc import Callable
from typing import Any

from jobs.flink.metrics import ByLabel, LatencyCounters, LocalCounter


class FakeGroup:
    """A metric group that records gauges by their scoped name (unit tests may use fakes)."""

    def __init__(self, scope: str = "", registry: dict[str, Callable[[], Any]] | None = None):
        self.scope, self.registry = scope, {} if registry is None else registry

    def add_group(self, name: str, extra: str | None = None) -> "FakeGroup":
        return FakeGroup(f"{self.scope}{name}{f'={extra}' if extra else ''}.", self.registry)

    def gauge(self, name: str, read: Callable[[], Any]) -> None:
        assert self.scope + name not in self.registry, "one metric per name"
        self.registry[self.scope + name] = read

    def counter(self, name: str) -> Any:
        raise AssertionError("a JVM counter: one crossing per increment")


def test_a_local_counter_is_read_exactly_at_each_scrape() -> None:
    group = FakeGroup()
    counter = LocalCounter(group, "decisions")
    assert group.registry["decisions"]() == 0
    counter.inc()
    counter.inc(4)
    assert group.registry["decisions"]() == 5


def test_labelled_and_latency_counts_are_local_gauges() -> None:
    group = FakeGroup()
    rules = ByLabel(group, "rule_id", "alerts", ["FR-001", "FR-002"])
    rules.inc("FR-002")
    rules.inc("FR-009", 2)  # created on first use
    latency = LatencyCounters(group, "detection")
    latency.observe(0)  # the epoch: beyond every bound
    values = {name: read() for name, read in group.registry.items()}
    assert values["rule_id=FR-001.alerts"] == 0 and values["rule_id=FR-002.alerts"] == 1
    assert values["rule_id=FR-009.alerts"] == 2
    assert values["measure=detection.latency_events"] == 1
    assert values["measure=detection.le=+Inf.latency_bucket"] == 1
    assert sum(v for n, v in values.items() if n.endswith("latency_bucket")) == 1
