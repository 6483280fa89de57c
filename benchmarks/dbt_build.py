"""dbt: does the hourly build's cost follow the new rows or the warehouse's size?

Two throwaway PostgreSQL servers side by side, one with 1 000 000 bronze
transactions, one with 5 000 000 (the generator's events, loaded by the sinks'
role through ``jobs.backfill``; both built once in full). Then, alternating
between them for ``--rounds`` rounds: load 10 000 new events and run the
hourly build (every model, ``test_scope: last_load``, as the hourly DAGs run
it; the source tests run in dbt_quality only). Printed side by side from the
same run: a build that selects nothing (dbt's fixed cost), the incremental
build at 1 M and at 5 M (medians), and the full build at 1 M and at 5 M.
Targets (issue #15): incremental at 5 M <= 1.25 x incremental at 1 M, and
incremental <= 2 x the no-op build.
Run: `.venv-jobs/bin/python benchmarks/dbt_build.py` (about 15 minutes here).
"""

import argparse
import contextlib
import statistics
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from devtools.testing.dbt import DbtProject, DbtResult
from devtools.testing.postgres import PostgresServer
from devtools.testing.roles import role_with
from jobs.backfill.load import load
from jobs.backfill.rows import Replayer, take
from jobs.events.stream import Event, EventStream, GeneratorConfig
from jobs.migrations.seed import seed

NO_SETTLE: dict[str, object] = {"ingest_settle_seconds": 0}
# What the hourly DAGs build (dags/dbt_staging.py, dags/dbt_marts.py) and how they test
# (dags/streamflow_dags/dbt.py HOURLY_VARS); source tests run in dbt_quality only.
HOURLY_SELECT = ("--select", "path:models/staging", "path:models/intermediate", "path:models/marts")
HOURLY = {**NO_SETTLE, "test_scope": "last_load"}
CHUNK = 100_000


@dataclass
class Warehouse:
    """One server, its dbt project, and the generator continuing where it stopped."""

    server: PostgresServer
    project: DbtProject
    events: Iterator[Event]
    replayer: Replayer
    increments: list[float] = field(default_factory=list)
    last: DbtResult | None = None
    last_increment: DbtResult | None = None

    def load(self, count: int) -> None:
        """The next ``count`` events into bronze, as the sinks' role writes them."""
        sinks = self.server.dsn(user=role_with("bronze", "write"))
        for start in range(0, count, CHUNK):
            batch = take(self.events, min(CHUNK, count - start))
            load(sinks, self.replayer.replay(batch, datetime.now(UTC)))

    def build(self, *selectors: str, variables: dict[str, object] = NO_SETTLE) -> float:
        """Seconds of one ``dbt build``; a failed build stops the benchmark."""
        started = time.perf_counter()
        result = self.project.run("build", *selectors, variables=variables)
        elapsed = time.perf_counter() - started
        if result.returncode != 0:
            raise SystemExit(f"dbt build failed:\n{result.output[-3000:]}")
        self.last = result
        return elapsed


@contextlib.contextmanager
def warehouse(rows: int, target: Path) -> Iterator[Warehouse]:
    """A server with ``rows`` bronze transactions, not yet built."""
    with PostgresServer() as server:
        stream = EventStream(GeneratorConfig(seed=5))
        seed(server.dsn(), stream.world)
        project = DbtProject("127.0.0.1", server.port, role_with("silver", "build"), target)
        built = Warehouse(server, project, iter(stream), Replayer.for_world(stream.world))
        started = time.perf_counter()
        built.load(rows)
        print(f"loaded {rows:,} bronze rows in {time.perf_counter() - started:.0f} s", flush=True)
        project.run("parse")
        yield built


def spread(values: list[float]) -> str:
    """Median, min and max of timings."""
    return f"{statistics.median(values):.2f} s (min {min(values):.2f}, max {max(values):.2f})"


def main() -> None:
    arguments = argparse.ArgumentParser(description=__doc__)
    arguments.add_argument("--small", type=int, default=1_000_000)
    arguments.add_argument("--large", type=int, default=5_000_000)
    arguments.add_argument("--increment", type=int, default=10_000)
    arguments.add_argument("--rounds", type=int, default=3)
    args = arguments.parse_args()
    with (
        tempfile.TemporaryDirectory() as scratch,
        warehouse(args.small, Path(scratch, "small")) as small,
        warehouse(args.large, Path(scratch, "large")) as large,
    ):
        fulls = {name: w.build() for name, w in (("small", small), ("large", large))}
        floors = []
        for _ in range(args.rounds):
            for side in (small, large):
                side.load(args.increment)
                side.increments.append(side.build(*HOURLY_SELECT, variables=HOURLY))
                assert side.last is not None
                side.last_increment = side.last
                assert side.last.rows_affected("stg_transactions") == args.increment
            floors.append(small.build("--select", "tag:nothing-has-this-tag"))
        floor = statistics.median(floors)
        at_small, at_large = (statistics.median(w.increments) for w in (small, large))

        print(f"\nmedians of {args.rounds} alternating rounds, +{args.increment:,} rows each:")
        print(f"  no-op build (dbt's fixed cost):        {spread(floors)}")
        print(f"  incremental build at {args.small:>9,} rows: {spread(small.increments)}")
        print(f"  incremental build at {args.large:>9,} rows: {spread(large.increments)}")
        print(f"  full build at {args.small:>9,} rows:        {fulls['small']:.2f} s")
        print(f"  full build at {args.large:>9,} rows:        {fulls['large']:.2f} s")
        print(f"ratio incremental {args.large:,} / {args.small:,}: {at_large / at_small:.2f} "
              "(target <= 1.25)")  # fmt: skip
        for name, value in ((f"{args.small:,}", at_small), (f"{args.large:,}", at_large)):
            print(f"ratio incremental at {name} / no-op: {value / floor:.2f} (target <= 2)")
        for rows, side in ((args.small, small), (args.large, large)):
            assert side.last_increment is not None
            slowest = sorted(
                side.last_increment.results, key=lambda r: -float(r["execution_time"])
            )[:6]
            print(f"slowest nodes of the last incremental build at {rows:,}:")
            for node in slowest:
                print(f"  {float(node['execution_time']):6.2f} s  {node['unique_id']}")


if __name__ == "__main__":
    main()
