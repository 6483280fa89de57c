"""Options and execution environment shared by the three jobs.

The same module and arguments run locally (a mini-cluster inside this Python
process) and on Kubernetes (the operator's ``PythonDriver`` runs them in the
JobManager): locally the connector jars are added from the Maven cache, in the
job image they are already in Flink's ``lib/`` (``STREAMFLOW_CONNECTORS_IN_LIB``).
"""

import argparse
import os
import site
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from pyflink.common import Configuration
from pyflink.datastream import CheckpointingMode, StreamExecutionEnvironment
from pyflink.datastream.state_backend import EmbeddedRocksDBStateBackend
from pyflink.table import StreamTableEnvironment

from jobs.flink.jars import connector_jars
from libs.contracts.metrics import reporter_settings

REPO_ROOT = Path(__file__).resolve().parents[2]
LOCAL_CHECKPOINT_MS = 10_000
IN_CLUSTER_JDBC_URL = "jdbc:postgresql://streamflow-pg-rw.streamflow-data.svc:5432/streamflow"


@dataclass(frozen=True)
class JobOptions:
    """Arguments every job takes (credentials only from the environment)."""

    bootstrap_servers: str
    jdbc_url: str
    jdbc_user: str
    jdbc_password: str
    parallelism: int
    checkpoint_interval_ms: int | None
    checkpoint_dir: str | None
    savepoint: str | None
    bounded: bool
    group_suffix: str
    metrics_port: int | None = None


DEFAULT_PYTHON_MEMORY_MB = 16


def common_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the shared options to a job's argument parser."""
    parser.add_argument("--bootstrap-servers", required=True)
    parser.add_argument(
        "--jdbc-url", default=os.environ.get("STREAMFLOW_JDBC_URL", IN_CLUSTER_JDBC_URL)
    )
    parser.add_argument("--parallelism", type=int, default=1)
    parser.add_argument("--checkpoint-interval-ms", type=int,
                        help="default: the cluster's configuration (FlinkDeployment), "
                             f"or {LOCAL_CHECKPOINT_MS} ms on a local mini-cluster")  # fmt: skip
    parser.add_argument("--checkpoint-dir", help="file:// or other Flink filesystem URI")
    parser.add_argument("--savepoint", help="restore from this savepoint or checkpoint")
    parser.add_argument(
        "--bounded",
        action="store_true",
        help="stop at the offsets latest at start (tests, backfills)",
    )
    parser.add_argument("--group-suffix", default="", help="appended to consumer group ids")
    parser.add_argument(
        "--python-memory-mb",
        type=int,
        default=DEFAULT_PYTHON_MEMORY_MB,
        help="memory this subtask's Python objects may hold (caches); in the cluster the "
        "TaskManager's task off-heap size per slot, from the spec",
    )
    parser.add_argument(
        "--metrics-port",
        type=int,
        help="serve Flink's Prometheus reporter here (local runs; in the cluster the "
        "FlinkDeployment's configuration does)",
    )


def job_options(args: argparse.Namespace) -> JobOptions:
    """Options from parsed arguments plus ``STREAMFLOW_DB_USER``/``STREAMFLOW_DB_PASSWORD``."""
    return JobOptions(
        bootstrap_servers=args.bootstrap_servers,
        jdbc_url=args.jdbc_url,
        jdbc_user=os.environ.get("STREAMFLOW_DB_USER", "streamflow"),
        jdbc_password=os.environ.get("STREAMFLOW_DB_PASSWORD", ""),
        parallelism=args.parallelism,
        checkpoint_interval_ms=args.checkpoint_interval_ms,
        checkpoint_dir=args.checkpoint_dir,
        savepoint=args.savepoint,
        bounded=args.bounded,
        group_suffix=args.group_suffix,
        metrics_port=args.metrics_port,
    )


def _prepend(variable: str, entries: list[str]) -> None:
    """Put entries first on a path-like environment variable, each once."""
    existing = [e for e in os.environ.get(variable, "").split(os.pathsep) if e and e not in entries]
    os.environ[variable] = os.pathsep.join([*entries, *existing])


def prepare_gateway() -> None:
    """Give the Java gateway this process starts what every job in it needs.

    PyFlink starts one gateway JVM per Python process, with the environment of the
    moment, and every later job in the process runs in it. So whatever starts it
    first — a job, or a test that only calls Flink's Java classes — must have set:
    the PYTHONPATH the embedded interpreter of thread mode needs (it does not see
    the virtualenv on its own: the site-packages and the repository, ``jobs.*``),
    and the Prometheus reporter on the class path (PyFlink's local mini-cluster does
    not load Flink's ``plugins/`` folder, where the pip distribution ships it; the
    gateway JVM does append HADOOP_CLASSPATH to its class path). Idempotent.
    """
    import pyflink  # noqa: PLC0415 - only to locate the distribution

    _prepend("PYTHONPATH", [*site.getsitepackages(), str(REPO_ROOT)])
    plugins = Path(pyflink.__file__).parent / "plugins" / "metrics-prometheus"
    _prepend("HADOOP_CLASSPATH", [str(jar) for jar in sorted(plugins.glob("*.jar"))])


def create_environment(
    options: JobOptions, execution_mode: str = "thread", drop_unclaimed_state: bool = False
) -> tuple[StreamExecutionEnvironment, StreamTableEnvironment]:
    """A streaming environment: RocksDB, EXACTLY_ONCE checkpoints, Python in ``execution_mode``.

    ``drop_unclaimed_state``: a restore skips savepoint state no operator of this
    pipeline claims (Flink's ``--allowNonRestoredState``, which the operator's
    ``allowNonRestoredState`` also sets), instead of failing. Only for a job whose
    state that matters is pinned to operator uids (the fraud-detector's).
    """
    prepare_gateway()  # before the first Java object starts the gateway
    config = Configuration()
    config.set_string("python.execution-mode", execution_mode)
    config.set_string("python.executable", sys.executable)
    config.set_string("python.client.executable", sys.executable)
    if options.savepoint:
        config.set_string("execution.savepoint.path", options.savepoint)
    if drop_unclaimed_state:
        config.set_string("execution.state-recovery.ignore-unclaimed-state", "true")
    if options.metrics_port:
        for key, value in reporter_settings(options.metrics_port).items():
            config.set_string(key, value)
    environment = StreamExecutionEnvironment.get_execution_environment(config)
    environment.set_parallelism(options.parallelism)
    in_image = bool(os.environ.get("STREAMFLOW_CONNECTORS_IN_LIB"))
    interval = options.checkpoint_interval_ms
    if interval is not None or not in_image:
        # Locally nothing else configures checkpoints (and exactly-once sinks commit
        # only on checkpoints); in the cluster the FlinkDeployment's configuration
        # (RocksDB, EXACTLY_ONCE, interval, storage) applies unless overridden here.
        interval = interval or LOCAL_CHECKPOINT_MS
        environment.set_state_backend(
            EmbeddedRocksDBStateBackend(enable_incremental_checkpointing=True)
        )
        environment.enable_checkpointing(interval, CheckpointingMode.EXACTLY_ONCE)
        checkpoints = environment.get_checkpoint_config()
        checkpoints.set_min_pause_between_checkpoints(min(5_000, interval // 2))
    if options.checkpoint_dir:
        environment.get_checkpoint_config().set_checkpoint_storage_dir(options.checkpoint_dir)
    if not in_image:
        environment.add_jars(*connector_jars())
    tables = StreamTableEnvironment.create(environment)
    tables.get_config().set("table.local-time-zone", "UTC")  # windows start on UTC minutes
    return environment, tables


def run(build: Callable[[list[str] | None], StreamExecutionEnvironment], name: str,
        argv: list[str] | None) -> int:  # fmt: skip
    """Build a job's pipeline and execute it until it ends or is cancelled."""
    build(argv).execute(name)
    return 0
