"""The jobs' own metrics, registered in each operator's ``open()``.

Their names, buckets and the reporter's naming rule are the contract in
``libs.contracts.metrics``; the Flink component's catalogue
(``generator/components/flink/observability.py``) lists the exact names its rules
and dashboards use, and a live test checks them against a real scrape.

Counts are kept in Python (``LocalCounter``) and read by the reporter as gauges
at each scrape: PyFlink's own ``Counter.inc`` crosses into the JVM on every call
(thread mode, through pemja), several times per event; a gauge crosses once per
scrape and is exact at that moment. Flink's Prometheus reporter exports counters
and gauges alike (a Prometheus gauge of the same name), so the series and the
rules over them do not change.

Latency is counted, not sampled: PyFlink distributions export as 0 through the
Prometheus reporter, which also turns histograms into summaries (no buckets).
Each timed event increments ``measure_latency_events`` and exactly one
``measure_le_latency_bucket`` counter — the smallest threshold its latency is
within, or ``+Inf`` — so "within N seconds" is the sum of the buckets up to N,
at two counter increments per event. The clock: the event's own timestamp
(which the producers also set as the Kafka record timestamp) to the moment the
operator has its result; the sinks add the time until the next checkpoint
commits their transaction (docs/adr/0014-observability.md).
"""

import time
from collections.abc import Iterable
from typing import Any

from libs.contracts.metrics import GROUP, LATENCY_BOUNDS_S, OVERFLOW, bound_label


class LocalCounter:
    """A count kept in Python, exported as a gauge of the same name (read at each scrape)."""

    __slots__ = ("count",)

    def __init__(self, group: Any, name: str) -> None:
        self.count = 0
        group.gauge(name, self.value)

    def inc(self, n: int = 1) -> None:
        """Add ``n``."""
        self.count += n

    def value(self) -> int:
        """The count now."""
        return self.count


class LatencyCounters:
    """Counts of events by latency bucket, for one kind of latency."""

    def __init__(self, group: Any, measure: str) -> None:
        measured = group.add_group("measure", measure)
        self.events = LocalCounter(measured, "latency_events")
        self.bounds_ms = [b * 1000 for b in LATENCY_BOUNDS_S]
        labels = [*map(bound_label, LATENCY_BOUNDS_S), OVERFLOW]
        self.buckets = [
            LocalCounter(measured.add_group("le", label), "latency_bucket") for label in labels
        ]

    def observe(self, event_ms: int) -> None:
        """Count one event whose own time is ``event_ms`` (epoch milliseconds)."""
        latency = time.time() * 1000 - event_ms
        self.events.inc()
        for index, bound in enumerate(self.bounds_ms):
            if latency <= bound:
                self.buckets[index].inc()
                return
        self.buckets[-1].inc()


class EventTime:
    """A gauge of the newest event time an operator has seen (epoch milliseconds)."""

    def __init__(self, group: Any) -> None:
        self.newest_ms = 0
        group.gauge("last_event_time_ms", lambda: self.newest_ms)

    def saw(self, event_ms: int) -> None:
        """Remember ``event_ms`` if it is the newest so far."""
        self.newest_ms = max(self.newest_ms, event_ms)


class ByLabel:
    """One counter per value of a label, created on first use (rule ids, error types)."""

    def __init__(self, group: Any, key: str, name: str, known: Iterable[str] = ()) -> None:
        self.group, self.key, self.name = group, key, name
        self.counters: dict[str, LocalCounter] = {}
        for value in known:
            self.inc(value, 0)

    def inc(self, value: str, count: int = 1) -> None:
        """Add ``count`` to the counter of ``value``."""
        counter = self.counters.get(value)
        if counter is None:
            counter = self.counters[value] = LocalCounter(
                self.group.add_group(self.key, value), self.name
            )
        if count:
            counter.inc(count)


def streamflow_group(runtime_context: Any) -> Any:
    """The operator's ``streamflow`` metric group."""
    return runtime_context.get_metrics_group().add_group(GROUP)
