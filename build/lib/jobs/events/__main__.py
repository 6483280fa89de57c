"""``python -m jobs.events``: generate labelled transactions to a file or to Kafka.

Examples::

    python -m jobs.events --count 100000 --output events.jsonl
    python -m jobs.events --bootstrap-servers localhost:9092 --rate 2000 --count 0
"""

import argparse
import itertools
import signal
import sys
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType

from jobs.events.sinks import JsonlSink, KafkaSink, Progress, Sink, pump
from jobs.events.stream import DEFAULT_START, EventStream, GeneratorConfig


def _start(text: str) -> datetime:
    if text == "now":
        return datetime.now(UTC).replace(microsecond=0)
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        raise argparse.ArgumentTypeError(f"--start {text!r} needs a timezone, e.g. +00:00")
    return moment


def _fraction(text: str) -> float:
    value = float(text)
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"{text} is not a share between 0 and 1")
    return value


def parser() -> argparse.ArgumentParser:
    """Arguments of the generator CLI."""
    cli = argparse.ArgumentParser(
        prog="python -m jobs.events",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    target = cli.add_mutually_exclusive_group(required=True)
    target.add_argument("--output", type=Path, help="write JSON lines to this file")
    target.add_argument("--bootstrap-servers", help="produce to Kafka at these brokers")
    cli.add_argument("--topic", default="transactions.raw")
    cli.add_argument("--count", type=int, default=10_000, help="events to send (0: until ^C)")
    cli.add_argument("--rate", type=float, default=0.0, help="events per second (0: max)")
    cli.add_argument("--seed", type=int, default=42)
    cli.add_argument("--customers", type=int, default=10_000)
    cli.add_argument("--stores", type=int, default=1_000)
    cli.add_argument("--fraud-rate", type=_fraction, default=0.02)
    cli.add_argument("--malformed-rate", type=_fraction, default=0.0)
    cli.add_argument(
        "--start",
        type=_start,
        default=DEFAULT_START,
        help="event time of the first event (ISO 8601 with zone, or 'now')",
    )
    cli.add_argument(
        "--sim-rate",
        type=float,
        default=None,
        help="events per event-time second at average seasonality "
        "(default: 2.5 purchases per customer per day)",
    )
    cli.add_argument("--quiet", action="store_true", help="no progress line")
    return cli


def main(argv: list[str] | None = None) -> int:
    """Run the generator; exit 1 when Kafka reported failed deliveries."""
    args = parser().parse_args(argv)
    live = abs((args.start - datetime.now(UTC)).total_seconds()) < 60
    if args.sim_rate is None and args.rate > 0 and live:
        # Live: event time keeps pace with the wall clock. Kafka 4 brokers reject
        # records timestamped more than an hour ahead, which a faster clock reaches.
        args.sim_rate = args.rate
    config = GeneratorConfig(
        seed=args.seed,
        customers=args.customers,
        stores=args.stores,
        fraud_rate=args.fraud_rate,
        malformed_rate=args.malformed_rate,
        start=args.start,
        events_per_second=args.sim_rate,
    )
    events = iter(EventStream(config))
    stopping = False

    def stop(_signal: int, _frame: FrameType | None) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    bounded = itertools.islice(events, args.count) if args.count else events
    until_stopped = itertools.takewhile(lambda _: not stopping, bounded)
    sink: Sink = (
        JsonlSink(args.output) if args.output else KafkaSink(args.bootstrap_servers, args.topic)
    )
    counters = pump(until_stopped, sink, rate=args.rate, progress=Progress(not args.quiet))
    if counters.failed:
        print(f"delivery failures: {counters.errors}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
