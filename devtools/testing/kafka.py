"""A real Apache Kafka broker in KRaft mode, run from Apache Kafka's jars.

The jars come from Maven Central at the version pinned in ``kafka-pom.xml``,
resolved once by Maven into ``~/.cache/streamflow/kafka-<version>-<pom hash>``
(``STREAMFLOW_CACHE`` moves it) and reused. Each broker formats a fresh
storage directory with a new cluster id, listens on free loopback ports and is
waited on until it answers a metadata request.

Run by hand: ``python -m devtools.testing.kafka`` starts one and prints its
bootstrap address; ``--fetch`` only resolves the jars.
"""

import argparse
import base64
import contextlib
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path
from typing import Self

import yaml

from devtools.testing.topics import SPEC
from libs.maven import MavenError, resolve
from libs.processes import (
    HarnessError,
    ManagedServer,
    dying_with_parent,
    free_port,
    log_tail,
    stops_on_failure,
    terminate,
    wait_until,
)

POM = Path(__file__).with_name("kafka-pom.xml")
JAVA_HEAP = "512m"


def kafka_version() -> str:
    """The Kafka version pinned in the pom."""
    match = re.search(r"<kafka.version>([^<]+)</kafka.version>", POM.read_text())
    if match is None:  # pragma: no cover - the pom is part of the repo
        raise HarnessError(f"{POM} does not pin kafka.version")
    return match.group(1)


def fetch_jars() -> Path:
    """Resolve the broker's jars with Maven (once) and return their directory."""
    try:
        return resolve(POM, f"kafka-{kafka_version()}")
    except MavenError as error:
        raise HarnessError(str(error)) from error


_LOG4J = """\
Configuration:
  status: warn
  Appenders:
    File:
      name: file
      fileName: "{log}"
      PatternLayout: {{pattern: "%d %p %c{{1}} - %m%n"}}
  Loggers:
    Root: {{level: info, AppenderRef: [{{ref: file}}]}}
"""


def strimzi_metrics_reporter(port: int, allow_list: list[str]) -> dict[str, str]:
    """Broker settings for Strimzi's metrics reporter, as Strimzi 0.50 writes them.

    Strimzi's ``KafkaBrokerConfigurationBuilder`` adds the two reporter classes and
    the listener/allow-list settings when the Kafka CR says
    ``metricsConfig: {type: strimziMetricsReporter}``; a local broker with these
    exports what a cluster broker exports.
    """
    return {
        "metric.reporters": "io.strimzi.kafka.metrics.KafkaPrometheusMetricsReporter",
        "kafka.metrics.reporters": "io.strimzi.kafka.metrics.YammerPrometheusMetricsReporter",
        "prometheus.metrics.reporter.listener.enable": "true",
        "prometheus.metrics.reporter.listener": f"http://127.0.0.1:{port}",
        "prometheus.metrics.reporter.allowlist": ",".join(allow_list),
    }


def new_cluster_id() -> str:
    """A random KRaft cluster id: a UUID in unpadded URL-safe base64, as Kafka's tools make."""
    return base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")


class KafkaBroker(ManagedServer):
    """One broker+controller node on loopback; use as a context manager."""

    def __init__(self, extra_config: dict[str, str] | None = None, heap: str = JAVA_HEAP) -> None:
        self.extra_config = extra_config or {}
        self.heap = heap  # -Xmx, e.g. the node pool's (node_pool_heap) to run as the pod does
        self.port = 0
        self.directory = Path()
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def bootstrap_servers(self) -> str:
        """``host:port`` for clients."""
        return f"127.0.0.1:{self.port}"

    @property
    def log(self) -> Path:
        """The broker's log file."""
        return self.directory / "server.log"

    def _properties(self, controller_port: int) -> str:
        settings = {
            "process.roles": "broker,controller",
            "node.id": "1",
            "controller.quorum.voters": f"1@127.0.0.1:{controller_port}",
            "listeners": f"PLAINTEXT://127.0.0.1:{self.port},CONTROLLER://127.0.0.1:{controller_port}",
            "advertised.listeners": f"PLAINTEXT://127.0.0.1:{self.port}",
            "controller.listener.names": "CONTROLLER",
            "listener.security.protocol.map": "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
            "log.dirs": str(self.directory / "data"),
            "auto.create.topics.enable": "false",
            "num.partitions": "1",
            "offsets.topic.replication.factor": "1",
            "offsets.topic.num.partitions": "3",
            "transaction.state.log.replication.factor": "1",
            "transaction.state.log.min.isr": "1",
            "transaction.state.log.num.partitions": "3",
            "group.initial.rebalance.delay.ms": "0",
            "log.flush.interval.messages": "1000000",
            # Tests replay a fixed historic world whose record timestamps are event
            # times months old: time retention would delete them at the first check
            # (30 s after start), from under a job that has not read them yet.
            "log.retention.ms": "-1",
            **self.extra_config,
        }
        return "".join(f"{key}={value}\n" for key, value in settings.items())

    def _java(self, libs: Path, *arguments: str) -> list[str]:
        return [
            "java",
            f"-Xmx{self.heap}",
            "-XX:+UseSerialGC",
            # A local broker lives for seconds to minutes: the optimising compiler (C2)
            # cost about half of its CPU in a transaction-processor test and never paid
            # back; the quick compiler alone serves it better (issue #25).
            "-XX:TieredStopAtLevel=1",
            f"-Dlog4j2.configurationFile={self.directory / 'log4j2.yaml'}",
            "-cp",
            f"{libs}/*",
            *arguments,
        ]

    def format_storage(self, libs: Path, config: Path, cluster_id: str) -> None:
        """Format the log directories named in ``config`` for ``cluster_id``.

        The id goes in ``--cluster-id=`` form: a base64 id starts with ``-`` one
        time in 64, and argparse would read a separate argument as an option.
        """
        formatted = subprocess.run(
            self._java(
                libs,
                "kafka.tools.StorageTool",
                "format",
                f"--cluster-id={cluster_id}",
                f"--config={config}",
            ),
            capture_output=True,
            text=True,
            check=False,
        )
        if formatted.returncode != 0:
            raise HarnessError(
                f"kafka-storage format failed:\n{formatted.stdout}{formatted.stderr}"
            )

    @stops_on_failure
    def start(self, timeout: float = 90.0) -> Self:
        """Format storage, start the JVM and wait until it serves metadata."""
        libs = fetch_jars()
        self.directory = Path(tempfile.mkdtemp(prefix="streamflow-kafka-"))
        self.port, controller = free_port(), free_port()
        config = self.directory / "server.properties"
        config.write_text(self._properties(controller))
        (self.directory / "log4j2.yaml").write_text(_LOG4J.format(log=self.log))
        self.format_storage(libs, config, new_cluster_id())
        self._launch(libs, config, timeout)
        return self

    def _launch(self, libs: Path, config: Path, timeout: float) -> None:
        with (self.directory / "stdout.log").open("ab") as output:
            self._process = subprocess.Popen(
                dying_with_parent(self._java(libs, "kafka.Kafka", str(config))),
                stdout=output,
                stderr=subprocess.STDOUT,
            )
        if not wait_until(self._answers, timeout, self._alive):
            tail = log_tail(self.log)
            self.stop()
            raise HarnessError(f"Kafka did not start within {timeout:.0f}s; log tail:\n{tail}")

    def restart(self, timeout: float = 90.0) -> None:
        """Stop the broker (a clean shutdown) and start it again on its ports and data (faults)."""
        terminate(self._process)
        self._launch(fetch_jars(), self.directory / "server.properties", timeout)

    def _alive(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def _answers(self) -> bool:
        # A TCP accept first, so the client below does not log refused connections.
        try:
            socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
        except OSError:
            return False
        from confluent_kafka.admin import AdminClient  # noqa: PLC0415

        try:
            AdminClient({"bootstrap.servers": self.bootstrap_servers}).list_topics(timeout=5)
        except Exception:
            return False
        return True

    def create_topics(self, partitions: dict[str, int]) -> None:
        """Create topics (name → partitions) and wait until they exist."""
        from confluent_kafka.admin import AdminClient  # noqa: PLC0415
        from confluent_kafka.cimpl import NewTopic  # noqa: PLC0415

        admin = AdminClient({"bootstrap.servers": self.bootstrap_servers})
        futures = admin.create_topics(
            [
                NewTopic(name, num_partitions=count, replication_factor=1)
                for name, count in partitions.items()
            ]
        )
        for future in futures.values():
            future.result(timeout=30)

    def wait(self) -> None:
        """Block until the broker process exits."""
        if self._process is not None:
            self._process.wait()

    def stop(self) -> None:
        """Stop the JVM and delete its storage."""
        terminate(self._process)
        self._process = None
        if self.directory.name:
            shutil.rmtree(self.directory, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    """Fetch the jars, or run a broker until interrupted."""
    cli = argparse.ArgumentParser(
        prog="python -m devtools.testing.kafka",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    cli.add_argument("--fetch", action="store_true", help="only resolve the jars")
    args = cli.parse_args(argv)
    if args.fetch:
        print(f"Kafka {kafka_version()} jars in {fetch_jars()}")
        return 0
    from devtools.testing.topics import platform_topics  # noqa: PLC0415

    with KafkaBroker() as broker:
        broker.create_topics(platform_topics())
        print(f"Kafka {kafka_version()} at {broker.bootstrap_servers} (log {broker.log}); ^C stops")
        with contextlib.suppress(KeyboardInterrupt):
            broker.wait()
    return 0


if __name__ == "__main__":
    sys.exit(main())


def node_pool_heap(spec: Path = SPEC) -> str:
    """The spec's first node pool's JVM heap as ``-Xmx`` takes it (``256Mi`` → ``256m``)."""
    data = yaml.safe_load(spec.read_text(encoding="utf-8"))
    heap = str(data["kafka"]["node_pools"][0]["heap"])
    units = {"Mi": "m", "Gi": "g"}
    return next((heap.removesuffix(u) + m for u, m in units.items() if heap.endswith(u)), heap)
