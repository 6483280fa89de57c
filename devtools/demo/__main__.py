"""``python -m devtools.demo`` (``make demo``): run the platform's data path here and report on it.

Stages, each timed: services (Kafka, PostgreSQL bootstrapped as in the cluster,
the spec's topics), model (trained once into the cache, then loaded), Flink
(the three jobs, each on its own mini-cluster, logging in as the sinks' role),
produce (generated events with fraud and malformed records, at ``--rate``),
drain (until every delivered event is a bronze row or a DLQ record and every
job has checkpointed the end of its input), dbt (``dbt build`` as dbt's role),
then the report (``devtools.demo.report``). Exit 0 when every check holds, 1 when
a check or a stage fails, 130 on ^C, 143 on SIGTERM; nothing it started outlives it.
"""

import argparse
import contextlib
import functools
import itertools
import json
import signal
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from types import FrameType

from tqdm import tqdm

from devtools.demo.latency import AlertWatch, StampingKafkaSink
from devtools.demo.report import Report, collect
from devtools.demo.throughput import ConsumedOffsets
from devtools.testing.dbt import DbtProject
from devtools.testing.flink import FlinkProcess
from devtools.testing.kafka import KafkaBroker, node_pool_heap
from devtools.testing.postgres import PostgresServer
from devtools.testing.roles import role_with, sink_login
from devtools.testing.topics import consumed, platform_topics, read_topic
from generator.components import monitoring
from generator.pipeline.load import load
from jobs.events.sinks import Counters, KafkaSink, Progress, pump
from jobs.events.stream import Event, EventStream, GeneratorConfig
from jobs.events.world import build_world
from jobs.flink import fraud_detector, realtime_aggregator, topics, transaction_processor
from jobs.migrations.seed import seed
from jobs.train.__main__ import train_small
from libs.processes import HarnessError

CACHE = Path.home() / ".cache" / "streamflow"
SPECS = Path(__file__).resolve().parents[2] / "specs"
JOBS = (transaction_processor, fraud_detector, realtime_aggregator)


def detection_slo_seconds() -> float:
    """The detection-latency SLO's threshold, from the platform spec (where it lives)."""
    platform = load("dev", SPECS)
    (slo,) = (s for s in monitoring.COMPONENT.section(platform.spec).slos
              if s.sli == "detection-latency")  # fmt: skip
    assert slo.threshold_seconds is not None  # the spec requires it of a latency SLO
    return slo.threshold_seconds


class DemoError(RuntimeError):
    """A stage failed; the message names it and says why."""


class BarProgress(Progress):
    """The producer's status as a progress bar (``pump`` calls ``update``)."""

    def __init__(self, total: int) -> None:
        super().__init__(enabled=True)
        self.bar = tqdm(total=total, desc="produce", unit="ev", file=sys.stderr)

    def update(self, counters: Counters, *, final: bool = False) -> None:
        """Move the bar to the events sent so far."""
        self.bar.update(counters.sent - self.bar.n)
        self.bar.set_postfix(malformed=counters.malformed, fraud=counters.labelled, refresh=False)
        if final:
            self.bar.close()


@contextlib.contextmanager
def stage(name: str, times: dict[str, float]) -> Iterator[None]:
    """Time a stage; any failure inside becomes a ``DemoError`` naming it."""
    print(f"[demo] {name} …", file=sys.stderr, flush=True)
    started = time.monotonic()
    try:
        yield
    except DemoError:
        raise
    except (HarnessError, OSError, RuntimeError) as error:
        raise DemoError(f"stage {name} failed: {error}") from error
    finally:
        times[name] = time.monotonic() - started


def model_directory(requested: Path | None, world_seed: int) -> Path:
    """``requested``, or a small model trained once per seed into the cache."""
    if requested is not None:
        return requested
    directory = CACHE / f"demo-model-{world_seed}"
    if not (directory / "model.json").exists() and train_small(directory, world_seed) != 0:
        raise DemoError("stage model failed: training exited non-zero")
    return directory


def wait(
    condition: Callable[[], bool], timeout: float, what: str, alive: Callable[[], None]
) -> None:
    """Poll until ``condition`` holds; ``alive`` raises when something it needs has died."""
    deadline = time.monotonic() + timeout
    while not condition():
        alive()
        if time.monotonic() > deadline:
            raise DemoError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(1.0)


def start_jobs(
    kafka: KafkaBroker,
    postgres: PostgresServer,
    model: Path,
    logs: Path,
    stack: contextlib.ExitStack,
) -> list[FlinkProcess]:
    """The three jobs, killed (with their JVMs) when the stack closes."""
    common = [
        "--bootstrap-servers",
        kafka.bootstrap_servers,
        "--jdbc-url",
        f"jdbc:postgresql://127.0.0.1:{postgres.port}/{postgres.database}",
        "--checkpoint-interval-ms",
        "1000",
    ]
    started = []
    for job in JOBS:
        extra = ["--model-dir", str(model)] if job is fraud_detector else []
        process = FlinkProcess(
            job.__name__, [*common, *extra], logs / f"{job.JOB_NAME}.log", env=sink_login()
        )
        stack.callback(process.kill)
        started.append(process)
    return started


def check_alive(jobs: list[FlinkProcess], patience: int | None = None) -> Callable[[], None]:
    """A check that raises, with the job's log tail, when a job exited (or keeps restarting).

    A job that fails on an event restarts (its restart strategy) instead of
    exiting: with ``patience``, reported not RUNNING at that many checks in a row
    (a second apart) is a failure too. A check REST does not answer (a loaded
    machine) neither counts nor resets.
    """
    not_running = dict.fromkeys((job.module for job in jobs), 0)

    def check() -> None:
        for job in jobs:
            statuses = job.statuses() if patience is not None and job.alive() else None
            if statuses is not None:
                restarting = "RUNNING" not in statuses
                not_running[job.module] = not_running[job.module] + 1 if restarting else 0
            if not job.alive() or not_running[job.module] > (patience or 0):
                state = f"exited ({job.process.returncode})" if not job.alive() else "restarting"
                tail = job.flink_log()[-3000:]
                raise DemoError(f"{job.module} {state}:\n{tail}")

    return check


def run(args: argparse.Namespace) -> Report:
    """Every stage, then the report; everything started is stopped on the way out."""
    times: dict[str, float] = {}
    with contextlib.ExitStack() as stack:
        logs = Path(
            tempfile.mkdtemp(prefix="streamflow-demo-logs-")  # kept: --keep prints where
            if args.keep
            else stack.enter_context(tempfile.TemporaryDirectory(prefix="streamflow-demo-"))
        )
        with stage("services", times):
            kafka = stack.enter_context(KafkaBroker(heap=node_pool_heap()))  # as the pod runs
            kafka.create_topics(platform_topics())
            postgres = stack.enter_context(PostgresServer())
            world = build_world(args.seed)
            seed(postgres.dsn(), world)
        with stage("model", times):
            model = model_directory(args.model_dir, args.seed)
        with stage("flink", times):
            jobs = start_jobs(kafka, postgres, model, logs, stack)
            alive = check_alive(jobs)
            for job in jobs:
                wait(job.running, 300, f"{job.module} RUNNING", alive)
        sent: dict[str, float] = {}
        watch = stack.enter_context(AlertWatch(kafka.bootstrap_servers, sent))
        groups = {job.JOB_NAME: job.CONSUMER_GROUP for job in JOBS}
        offsets = stack.enter_context(
            ConsumedOffsets(kafka.bootstrap_servers, list(groups.values()))
        )
        config = GeneratorConfig(
            seed=args.seed, fraud_rate=args.fraud_rate, malformed_rate=args.malformed_rate
        )
        stream = iter(EventStream(config, world))
        with stage("warm-up", times):
            warm_up = warm(kafka, stream, int(args.rate * args.warm_up_s), args.rate,
                           check_alive(jobs, patience=30))  # fmt: skip
        produce_started = time.time()
        with stage("produce", times):
            counters = pump(
                itertools.islice(stream, args.events),
                StampingKafkaSink(kafka.bootstrap_servers, sent),
                rate=args.rate,
                progress=BarProgress(args.events),
            )
        produce_ended = time.time()
        counters = combined(warm_up, counters)
        with stage("drain", times):
            dlq = drain(kafka, postgres, counters, watch, check_alive(jobs, patience=30))
        if not args.keep:
            for job in jobs:
                job.kill()
        with stage("dbt", times):
            project = DbtProject(
                "127.0.0.1", postgres.port, role_with("silver", "build"), logs / "dbt"
            )
            built = project.run("build", variables={"ingest_settle_seconds": 0})
            if built.returncode != 0:
                raise DemoError(
                    f"stage dbt failed: dbt build exited {built.returncode}:\n"
                    f"{built.output[-3000:]}"
                )
        report = collect(postgres.dsn(), counters, dlq, watch.delays)
        report.stages = times
        report.warm_up_events = warm_up.delivered
        report.detection_slo_seconds = detection_slo_seconds()
        report.produce_rate = (counters.delivered - warm_up.delivered) / max(
            produce_ended - produce_started, 1e-9
        )
        report.sustained_rates = {job: offsets.rate(group, produce_started, produce_ended)
                                  for job, group in groups.items()}  # fmt: skip
        print(report.text())
        if args.report_json:
            args.report_json.write_text(json.dumps(report.as_json(), indent=2, default=str))
        if args.keep:
            keep_running(kafka, postgres, jobs, logs)
    return report


def warm(
    kafka: KafkaBroker,
    stream: Iterator[Event],
    count: int,
    rate: float,
    alive: Callable[[], None],
) -> Counters:
    """Produce ``count`` events at ``rate`` and wait until every job has checkpointed them.

    A job's first seconds (JIT, imports, the first checkpoints and transactions)
    are slower than its steady state; the measured events come after them, so the
    report's latency and rates are the steady state's. These events are real: they
    reach bronze and the DLQ and count in the checks, but not in the latency.
    """
    if not count:  # --rate 0: as fast as possible, nothing to measure a steady state of
        return Counters()
    counters = pump(itertools.islice(stream, count),
                    KafkaSink(kafka.bootstrap_servers, topics.TRANSACTIONS), rate=rate,
                    progress=Progress(False))  # fmt: skip
    for job in JOBS:
        wait(functools.partial(consumed, kafka.bootstrap_servers, job.CONSUMER_GROUP,
                               topics.TRANSACTIONS),
             300, f"{job.JOB_NAME} to checkpoint the warm-up events", alive)  # fmt: skip
    return counters


def combined(first: Counters, second: Counters) -> Counters:
    """Two producer runs' counts as one."""
    errors = dict(first.errors)
    for error, count in second.errors.items():
        errors[error] = errors.get(error, 0) + count
    return Counters(
        sent=first.sent + second.sent,
        delivered=first.delivered + second.delivered,
        failed=first.failed + second.failed,
        labelled=first.labelled + second.labelled,
        malformed=first.malformed + second.malformed,
        errors=errors,
    )


def drain(
    kafka: KafkaBroker,
    postgres: PostgresServer,
    counters: Counters,
    watch: AlertWatch,
    alive: Callable[[], None],
) -> list[bytes]:
    """Wait until every event is accounted for; return the DLQ's records."""
    import psycopg  # noqa: PLC0415

    servers = kafka.bootstrap_servers
    dlq: list[bytes] = []
    bar = tqdm(total=counters.delivered, desc="drain", unit="ev", file=sys.stderr)

    def accounted() -> bool:
        with psycopg.connect(postgres.dsn()) as connection:
            row = connection.execute("SELECT count(*) FROM bronze.raw_transactions").fetchone()
        dlq[:] = read_topic(servers, topics.DLQ)
        done = (row[0] if row else 0) + len(dlq)
        bar.update(done - bar.n)
        return done >= counters.delivered

    try:
        wait(accounted, 600, "every event in bronze or the DLQ", alive)
        for job in JOBS:
            wait(
                functools.partial(consumed, servers, job.CONSUMER_GROUP, topics.TRANSACTIONS),
                300,
                f"{job.JOB_NAME} to checkpoint the end of {topics.TRANSACTIONS}",
                alive,
            )
        committed = len(read_topic(servers, topics.ALERTS))
        wait(lambda: watch.seen >= committed, 120, "the alert watch to see every alert", alive)
    finally:
        bar.close()
    return dlq


def keep_running(
    kafka: KafkaBroker, postgres: PostgresServer, jobs: list[FlinkProcess], logs: Path
) -> None:
    """Print how to reach everything, then wait for ^C."""
    print("\nServices are up (^C stops them all):")
    print(f'  psql "{postgres.dsn()}"')
    print(f"  {sys.executable} -m devtools.demo.consume {kafka.bootstrap_servers} {topics.ALERTS}")
    for job in jobs:
        print(f"  Flink web UI of {job.module}: {job.rest_url()}")
    print(f"  logs: {logs}")
    while True:
        time.sleep(3600)


class Termination:
    """SIGTERM unwinds the demo like ^C, and is remembered while it does.

    The handler raises ``SystemExit`` so every ``with`` stops what it started. It is
    remembered because the signal can land inside a C extension's call (confluent-kafka's
    ``Producer()`` turned it into a ``TypeError`` in CI): whatever the exception becomes,
    the demo still exits ``128 + signum`` after unwinding.
    """

    def __init__(self) -> None:
        self.signum: int | None = None

    def __call__(self, signum: int, _frame: FrameType | None) -> None:
        """The SIGTERM handler: remember, then unwind."""
        self.signum = signum
        raise SystemExit(128 + signum)


def exit_code(error: BaseException, termination: Termination) -> int:
    """The exit code of a run that raised ``error``; the signal wins over what it became."""
    if termination.signum is not None:
        print(f"demo terminated by signal {termination.signum}; everything it started is "
              "stopped", file=sys.stderr)  # fmt: skip
        return 128 + termination.signum
    if isinstance(error, DemoError):
        print(f"demo failed: {error}", file=sys.stderr)
        return 1
    if isinstance(error, KeyboardInterrupt):
        print("demo interrupted; everything it started is stopped", file=sys.stderr)
        return 130
    raise error


def main(argv: list[str] | None = None) -> int:
    """Parse, run, and turn failures into one message and an exit code."""
    cli = argparse.ArgumentParser(
        prog="python -m devtools.demo",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    cli.add_argument("--events", type=int, default=20_000, help="events to produce")
    cli.add_argument("--rate", type=float, default=1_000, help="events/s (0: as fast as possible)")
    cli.add_argument("--fraud-rate", type=float, default=0.02)
    cli.add_argument("--malformed-rate", type=float, default=0.01)
    cli.add_argument("--seed", type=int, default=42, help="world and generator seed")
    cli.add_argument("--warm-up-s", type=float, default=5.0,
                     help="seconds of events at --rate produced and drained before the "
                          "measured ones (JIT, first checkpoints): the report is the steady "
                          "state's")  # fmt: skip
    cli.add_argument("--model-dir", type=Path, help="a trained model (default: trained once)")
    cli.add_argument("--report-json", type=Path, help="also write the report here")
    cli.add_argument("--keep", action="store_true", help="leave the services up until ^C")
    args = cli.parse_args(argv)
    termination = Termination()
    signal.signal(signal.SIGTERM, termination)
    try:
        report = run(args)
    except BaseException as error:  # exit_code re-raises what it does not map
        return exit_code(error, termination)
    failed = [what for what, ok in report.checks().items() if not ok]
    if failed:
        print(f"demo failed: checks did not hold: {failed}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
