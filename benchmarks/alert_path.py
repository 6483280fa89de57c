"""Where an alert's cost goes in the fraud-detector: one job, variants, the same alert storm.

Every variant runs bounded over the same LARGE events with every store
on the blacklist (a rule misconfiguration: every event alerts), and the runs
alternate for ROUNDS rounds in one run (sustained rates, as in
``streaming.py``). Medians, as microseconds per event:

- storm: the job as deployed;
- blackhole sinks: both INSERTs go to Flink's ``blackhole`` connector, so the
  difference is what the JDBC upsert and the transactional Kafka sink cost;
- dropped in Python: the operator builds every alert and its row and yields
  nothing, so the difference to the blackhole is the hand-off of an alert to
  the JVM and the SQL that reads its bronze columns;
- ordinary: the job as deployed over the ordinary world (~1.5 % alerting), the
  reference of issue #16's ratio (storm throughput / ordinary throughput).

Then the CPU each part of the machine spends, ordinary world against the storm
(``cpu_split``: the Flink JVM with the Python operator in it, PostgreSQL, the
Kafka broker, the rest), as CPU-µs per event and per extra alert: on two shared
cores a busier PostgreSQL slows the job as surely as work in the job. Last, one
storm run with cProfile inside the Python operator: the functions that take the
most of its time, per event (cProfile's own overhead inflates every figure alike;
read them as shares).
Run: `.venv-jobs/bin/python benchmarks/alert_path.py`.
"""

import collections
import contextlib
import os
import pstats
import statistics
import tempfile
from collections.abc import Callable, Iterator
from cProfile import Profile
from pathlib import Path
from typing import Any
from unittest import mock

from cpu_split import PARTS, measured
from streaming import (
    SMALL,
    DetectorBench,
    alert_share,
    alert_storm,
    bounded_rate,
    bounded_seconds,
    detector_bench,
    empty_alerts,
    with_detector,
)

from jobs.flink import fraud_detector
from jobs.flink.environment import JobOptions

ROUNDS = int(os.environ.get("THROUGHPUT_ROUNDS", "3"))
TOP = 15


class DroppedInPython(fraud_detector.DetectFraud):
    """The deployed operator, except that the alerts it builds never leave Python."""

    def process_element(self, value: str, ctx: Any) -> Iterator[Any]:
        for _ in super().process_element(value, ctx):
            pass
        return iter(())


class Profiled(fraud_detector.DetectFraud):
    """The deployed operator under cProfile; the stats are written to ``output`` on close."""

    output = ""  # set before the job is built: the class travels to the task by value

    def open(self, runtime_context: Any) -> None:
        super().open(runtime_context)
        self.profile = Profile()

    def process_element(self, value: str, ctx: Any) -> Iterator[Any]:
        self.profile.enable()
        try:
            return iter(list(super().process_element(value, ctx)))
        finally:
            self.profile.disable()

    def close(self) -> None:
        self.profile.dump_stats(self.output)


def blackhole_jdbc_sink(name: str, table: str, columns: list[str], key: str,
                        options: JobOptions) -> str:  # fmt: skip
    """``tables.jdbc_sink``'s table, discarding every row."""
    fields = ", ".join(f"`{column}` STRING" for column in columns)
    return f"CREATE TABLE {name} ({fields}) WITH ('connector' = 'blackhole')"


def blackhole_kafka_sink(name: str, topic: str, options: JobOptions) -> str:
    """``tables.kafka_event_time_sink``'s table, discarding every record."""
    return (
        f"CREATE TABLE {name} (`value` STRING, `record_time` TIMESTAMP_LTZ(3)) "
        "WITH ('connector' = 'blackhole')"
    )


@contextlib.contextmanager
def blackhole_sinks() -> Iterator[None]:
    """Both of the job's sinks replaced by blackholes while it is built."""
    with (
        mock.patch.object(fraud_detector, "jdbc_sink", blackhole_jdbc_sink),
        mock.patch.object(fraud_detector, "kafka_event_time_sink", blackhole_kafka_sink),
    ):
        yield


def cpu_per_event(job: Callable[[list[str]], int], bench: DetectorBench) -> dict[str, float]:
    """CPU-µs per event of each part: a run over the events less one over their head."""
    events, runs = bench.events, []
    empty_alerts(bench.postgres)
    for batch in (events[:SMALL], events):
        used: collections.defaultdict[str, float] = collections.defaultdict(float)

        def sampled(argv: list[str], used: collections.defaultdict[str, float] = used) -> int:
            outcome, spent = measured(lambda: job(argv))
            for part, seconds in spent.items():
                used[part] += seconds
            return outcome

        bounded_seconds(sampled, bench.detector, bench.jdbc, batch)
        runs.append(used)
    return {part: 1e6 * (runs[1][part] - runs[0][part]) / (len(events) - SMALL) for part in PARTS}


def print_cpu_split(ordinary: dict[str, float], storm: dict[str, float], extra: float) -> None:
    """Each part's CPU-µs per event in both worlds, and per extra alert of the storm."""
    print("CPU by part, µs per event (ordinary / storm) and per extra alert of the storm:")
    for part in PARTS:
        print(f"  {part:13} {ordinary[part]:6.1f} / {storm[part]:6.1f}   "
              f"{(storm[part] - ordinary[part]) / extra:+6.1f} per alert")  # fmt: skip
    total = sum(ordinary.values()), sum(storm.values())
    print(f"  {'all':13} {total[0]:6.1f} / {total[1]:6.1f}   "
          f"{(total[1] - total[0]) / extra:+6.1f} per alert")  # fmt: skip


def print_profile(path: Path, events: int) -> None:
    """The operator's top functions by own time, in µs per event and calls per event."""
    stats = pstats.Stats(str(path))
    total = stats.total_tt  # type: ignore[attr-defined]
    print(f"cProfile of the Python operator, storm ({events:,} events): "
          f"{1e6 * total / events:.0f} µs per event in Python")  # fmt: skip
    rows = sorted(stats.stats.items(), key=lambda item: item[1][2], reverse=True)  # type: ignore[attr-defined]
    for (file, line, function), (_, calls, own, cumulative, _) in rows[:TOP]:
        where = f"{Path(file).name}:{line}({function})" if line else function
        print(f"  {1e6 * own / events:6.1f} µs own  {1e6 * cumulative / events:6.1f} µs cum  "
              f"{calls / events:5.2f} calls/event  {where}")  # fmt: skip


def main() -> None:
    """Run the variants alternately, print the medians, the differences and the profile."""
    with detector_bench() as bench, tempfile.TemporaryDirectory() as scratch:
        events, stores, postgres, jdbc = bench.events, bench.stores, bench.postgres, bench.jdbc
        detector = bench.detector
        micros: dict[str, list[float]] = collections.defaultdict(list)
        shares: dict[str, list[float]] = collections.defaultdict(list)

        def micros_per_event(name: str, job: Callable[[list[str]], int]) -> None:
            """µs per event of a bounded run over the events, the alert table emptied first."""
            rate, share = alert_share(
                postgres, lambda: bounded_rate(job, detector, jdbc, events), len(events)
            )
            print(f"  {100 * share:.1f} % of events alerting in bronze")
            micros[name].append(1e6 / rate)
            shares[name].append(share)

        deployed, dropped = fraud_detector.main, with_detector(DroppedInPython)
        bounded_seconds(deployed, detector, jdbc, events[:SMALL])  # warm-up: JVM, Python, caches
        for _ in range(ROUNDS):  # alternating, so drift on the machine hits all alike
            micros_per_event("ordinary", deployed)
            with alert_storm(postgres, stores):
                micros_per_event("storm", deployed)
                with blackhole_sinks():
                    micros_per_event("blackhole sinks", deployed)
                micros_per_event("dropped in Python", dropped)
            print(
                "  " + ", ".join(f"{name} {values[-1]:.0f} µs" for name, values in micros.items())
            )
        median = {name: statistics.median(values) for name, values in micros.items()}
        print(f"median of {ROUNDS} rounds, µs per event:")
        for name, value in median.items():
            print(f"  {name:20} {value:6.1f}  ({1e6 / value:,.0f} events/s)")
        differences = {
            "the sinks (storm - blackhole sinks)": median["storm"] - median["blackhole sinks"],
            "hand-off to the JVM (blackhole sinks - dropped in Python)": (
                median["blackhole sinks"] - median["dropped in Python"]
            ),
        }
        for name, value in differences.items():
            print(f"  {name}: {value:.1f} µs")
        ratios = [o / s for o, s in zip(micros["ordinary"], micros["storm"], strict=True)]
        print(f"  storm / ordinary throughput: {statistics.median(ratios):.2f} "
              f"(min {min(ratios):.2f}, max {max(ratios):.2f}; target >= 0.50)")  # fmt: skip
        ordinary_cpu = cpu_per_event(deployed, bench)
        with alert_storm(postgres, stores):
            storm_cpu = cpu_per_event(deployed, bench)
        extra_alerts = statistics.median(shares["storm"]) - statistics.median(shares["ordinary"])
        print_cpu_split(ordinary_cpu, storm_cpu, extra_alerts)
        Profiled.output = str(Path(scratch) / "operator.prof")
        with alert_storm(postgres, stores):
            bounded_seconds(with_detector(Profiled), detector, jdbc, events)
        print_profile(Path(Profiled.output), len(events))


if __name__ == "__main__":
    main()
