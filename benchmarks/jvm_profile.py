"""Where the Flink JVM's time goes in the fraud-detector: Java Flight Recorder, ordinary vs storm.

``alert_path.py`` says that an alert costs most in the Flink JVM; this says where
inside it. One bounded run of the detector over DETECTOR_LARGE events of the
ordinary world, and one in an alert storm (every store blacklisted), each in
its own process so that PyFlink's gateway JVM (the mini-cluster, the Python
operator in thread mode) starts with a flight recording (JFR's ``profile``
settings, which ship with the JDK). Printed per run: the samples of each busy
thread (a task is one thread: the slowest sets the pipeline's rate), then, for
the storm's busiest thread, the share of its samples by part of the path. A
sample counts when the thread runs Java code, or native code under PEMJA (the
Python operator); threads blocked in native I/O or waiting do not.
Run: `.venv-jobs/bin/python benchmarks/jvm_profile.py` (JDK's ``jfr`` on PATH).
"""

import collections
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import nullcontext
from pathlib import Path

from streaming import alert_storm, bounded_seconds, detector_bench, empty_alerts

from jobs.flink import fraud_detector
from libs.processes import dying_with_parent, exit_on_sigterm

WORLDS = ("ordinary", "storm")
TOP_THREADS = 8
# Parts of the path by package, in order: a sample belongs to the first part that any frame of
# its stack is in (the driver before the sink calling it, the sink before the table runtime).
PARTS = (
    ("pgjdbc (PostgreSQL driver)", ("org.postgresql.",)),
    ("JDBC sink (upsert buffer, statements)", ("org.apache.flink.connector.jdbc.",)),
    ("Kafka producer", ("org.apache.kafka.clients.producer", "org.apache.kafka.common")),
    ("Kafka sink", ("org.apache.flink.connector.kafka.sink",)),
    ("Kafka source", ("org.apache.flink.connector.kafka.source",
                      "org.apache.kafka.clients.consumer")),
    ("Python, through PEMJA", ("pemja.",)),
    ("PyFlink's operator and conversions", ("org.apache.flink.streaming.api.operators.python",
                                            "org.apache.flink.streaming.api.utils",
                                            "org.apache.flink.python.")),
    ("table runtime (row conversion, copies)", ("org.apache.flink.table.",)),
    ("record (de)serialization", ("org.apache.flink.api.common.typeutils",
                                  "org.apache.flink.api.java.typeutils",
                                  "org.apache.flink.types.", "org.apache.flink.core.memory",
                                  "org.apache.flink.runtime.io.")),
    ("state backend", ("org.rocksdb.", "org.apache.flink.runtime.state",
                       "org.apache.flink.contrib.streaming.state")),
)  # fmt: skip


def record(world: str, recording: Path) -> None:
    """One bounded detector run in ``world`` with this process's JVM recording to a file."""
    # Read when PyFlink starts its gateway JVM: nothing before this has started it.
    os.environ["JVM_ARGS"] = f"-XX:StartFlightRecording=filename={recording},settings=profile"
    with detector_bench() as bench:
        empty_alerts(bench.postgres)
        storm = alert_storm(bench.postgres, bench.stores) if world == "storm" else nullcontext()
        with storm:
            seconds = bounded_seconds(fraud_detector.main, bench.detector, bench.jdbc, bench.events)
    print(f"{world}: {len(bench.events):,} events in {seconds:.1f} s", flush=True)


def working_samples(recording: Path) -> Iterator[tuple[str, list[str]]]:
    """(thread, frames from the top) of each sample in which the thread was working."""
    printed = subprocess.run(
        ["jfr", "print", "--json", "--stack-depth", "64",
         "--events", "jdk.ExecutionSample,jdk.NativeMethodSample", str(recording)],
        check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip
    for event in json.loads(printed)["recording"]["events"]:
        values = event["values"]
        frames = [
            f"{frame['method']['type']['name']}.{frame['method']['name']}".replace("/", ".")
            for frame in (values.get("stackTrace") or {}).get("frames", [])
        ]
        native = event["type"] == "jdk.NativeMethodSample"
        if native and not any(frame.startswith("pemja.") for frame in frames):
            continue  # blocked in a socket read, a poll or a wait
        thread = (values.get("sampledThread") or {}).get("javaName") or "?"
        yield thread, frames


def part_of(frames: list[str]) -> str:
    """The part of the path a sample's stack belongs to."""
    for part, prefixes in PARTS:
        if any(frame.startswith(prefixes) for frame in frames):
            return part
    return "other (JDK, Flink runtime)"


def report(world: str, recording: Path) -> None:
    """Busy threads of one run; the parts of its busiest thread's samples."""
    by_thread: dict[str, list[list[str]]] = collections.defaultdict(list)
    for thread, frames in working_samples(recording):
        by_thread[thread].append(frames)
    busiest = sorted(by_thread, key=lambda thread: -len(by_thread[thread]))
    print(f"{world}: working samples per thread")
    for thread in busiest[:TOP_THREADS]:
        print(f"  {len(by_thread[thread]):6}  {thread[:90]}")
    top = busiest[0]
    parts = collections.Counter(part_of(frames) for frames in by_thread[top])
    total = sum(parts.values())
    print(f"{world}: the busiest thread ({top[:60]}) by part")
    for part, count in parts.most_common():
        print(f"  {count / total:6.1%}  {part}")


def main() -> None:
    """Record each world in a child process of its own, then report both."""
    exit_on_sigterm()
    if len(sys.argv) == 4 and sys.argv[1] == "--record":
        record(sys.argv[2], Path(sys.argv[3]))
        return
    with tempfile.TemporaryDirectory() as scratch:
        for world in WORLDS:
            recording = Path(scratch) / f"{world}.jfr"
            command = [sys.executable, __file__, "--record", world, str(recording)]
            subprocess.run(dying_with_parent(command), check=True)
            report(world, recording)


if __name__ == "__main__":
    main()
