"""dbt: a full build over 1 000 000 bronze transactions, then an incremental build.

Loads the generator's events into bronze (``jobs.backfill``) on a throwaway
PostgreSQL, times ``dbt build`` (all models and tests) from empty, loads
10 000 new events and times ``dbt build`` again, in one run, and prints both
and their ratio. Targets (issue #6): full <= 60 s, incremental <= 5 % of full.
``--rounds`` repeats the increment to show its spread.
Run: `.venv-jobs/bin/python benchmarks/dbt_build.py`.
"""

import argparse
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from jobs.backfill.load import load
from jobs.backfill.rows import Replayer, take
from jobs.events.stream import EventStream, GeneratorConfig
from jobs.migrations.seed import seed
from jobs.testing.dbt import DbtProject, DbtResult
from jobs.testing.postgres import PostgresServer
from jobs.testing.roles import role_with

NO_SETTLE = {"ingest_settle_seconds": 0}


def timed_build(project: DbtProject, *selectors: str) -> tuple[float, DbtResult]:
    started = time.perf_counter()
    result = project.run("build", *selectors, variables=NO_SETTLE)
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(f"dbt build failed:\n{result.output[-3000:]}")
    return elapsed, result


def main() -> None:
    arguments = argparse.ArgumentParser(description=__doc__)
    arguments.add_argument("--rows", type=int, default=1_000_000)
    arguments.add_argument("--increment", type=int, default=10_000)
    arguments.add_argument("--rounds", type=int, default=3)
    args = arguments.parse_args()
    with PostgresServer() as server, tempfile.TemporaryDirectory() as target:
        stream = EventStream(GeneratorConfig(seed=5))
        seed(server.dsn(), stream.world)
        replayer, events = Replayer.for_world(stream.world), iter(stream)
        started = time.perf_counter()
        for _ in range(0, args.rows, 100_000):
            load(server.dsn(), replayer.replay(take(events, 100_000), datetime.now(UTC)))
        print(f"loaded {args.rows:,} bronze rows in {time.perf_counter() - started:.1f} s")
        project = DbtProject("127.0.0.1", server.port, role_with("silver", "build"), Path(target))
        project.run("parse")
        floor, _ = timed_build(project, "--select", "tag:nothing-has-this-tag")
        full, _ = timed_build(project)
        increments = []
        for _ in range(args.rounds):
            load(server.dsn(), replayer.replay(take(events, args.increment), datetime.now(UTC)))
            elapsed, result = timed_build(project)
            assert result.rows_affected("stg_transactions") == args.increment
            increments.append(elapsed)
        incremental = statistics.median(increments)
        print(f"full build ({args.rows:,} rows, all models and tests): {full:.2f} s")
        print(
            f"incremental build (+{args.increment:,} rows), median of {args.rounds}: "
            f"{incremental:.2f} s (min {min(increments):.2f}, max {max(increments):.2f})"
        )
        print(f"ratio incremental / full: {incremental / full:.3f} (target <= 0.05)")
        print(
            f"fixed cost of one dbt build that selects nothing: {floor:.2f} s "
            f"({floor / full:.3f} of the full build); incremental above it: "
            f"{(incremental - floor) / full:.3f} of the full build"
        )
        slowest = sorted(result.results, key=lambda r: -float(r["execution_time"]))[:8]
        print("slowest nodes of the last incremental build:")
        for node in slowest:
            print(f"  {float(node['execution_time']):6.2f} s  {node['unique_id']}")


if __name__ == "__main__":
    main()
