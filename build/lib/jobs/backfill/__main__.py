"""``python -m jobs.backfill``: generate events and load them into bronze.

Example: ``python -m jobs.backfill --dsn postgresql://... --count 100000 --seed 7``
seeds the reference data (customers, stores, blacklist) of the same world,
then loads transactions and the alerts the rules raise.
"""

import argparse
import sys
from datetime import UTC, datetime

from jobs.backfill.load import load
from jobs.backfill.rows import Replayer, take
from jobs.events.stream import DEFAULT_START, EventStream, GeneratorConfig
from jobs.migrations.seed import seed


def parser() -> argparse.ArgumentParser:
    """Command-line arguments."""
    arguments = argparse.ArgumentParser(prog="python -m jobs.backfill", description=__doc__)
    arguments.add_argument("--dsn", required=True, help="libpq connection string")
    arguments.add_argument("--count", type=int, default=100_000, help="events to generate")
    arguments.add_argument("--seed", type=int, default=42, help="generator and world seed")
    arguments.add_argument("--malformed-rate", type=float, default=0.0)
    arguments.add_argument(
        "--start",
        type=datetime.fromisoformat,
        default=DEFAULT_START,
        help="event time of the first event (ISO 8601 with offset)",
    )
    return arguments


def main(argv: list[str] | None = None) -> int:
    """Seed, generate, load; print what landed where."""
    args = parser().parse_args(argv)
    config = GeneratorConfig(seed=args.seed, malformed_rate=args.malformed_rate, start=args.start)
    stream = EventStream(config)
    seed(args.dsn, stream.world)
    batch = Replayer.for_world(stream.world).replay(
        take(iter(stream), args.count), datetime.now(UTC)
    )
    inserted = load(args.dsn, batch)
    print(
        f"raw_transactions +{inserted['raw_transactions']}, "
        f"raw_fraud_alerts +{inserted['raw_fraud_alerts']}, dead letters {batch.dead_letters}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
