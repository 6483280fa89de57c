"""``python -m devtools.demo`` end to end, small: every event accounted for, nothing left running.

Each run is tagged with a variable every process it starts inherits (the
servers, the Flink jobs and their JVMs, dbt), so "nothing outlives it" is
checked by looking for the tag in every process's environment afterwards.
"""

import json
import os
import signal
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from devtools.demo.__main__ import JOBS
from libs.processes import dying_with_parent, wait_until

pytestmark = pytest.mark.integration

TAG = "STREAMFLOW_DEMO_RUN"
SMALL = ["--events", "3000", "--rate", "0"]  # as fast as it goes: no warm-up at rate 0


def tagged(tag: str) -> list[int]:
    """Processes whose environment carries this run's tag."""
    marker = f"{TAG}={tag}".encode()
    found = []
    for environ in Path("/proc").glob("[0-9]*/environ"):
        try:
            if marker in environ.read_bytes().split(b"\0"):
                found.append(int(environ.parent.name))
        except OSError:  # gone meanwhile, or not ours to read
            continue
    return found


def start(tmp_path: Path, *arguments: str, **env: str) -> tuple[subprocess.Popen[str], str]:
    tag = uuid.uuid4().hex
    command = [sys.executable, "-m", "devtools.demo", *SMALL,
               "--report-json", str(tmp_path / "report.json"), *arguments]  # fmt: skip
    process = subprocess.Popen(
        dying_with_parent(command),  # a killed test run leaves no demo behind either
        env={**os.environ, TAG: tag, **env}, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    return process, tag


def assert_nothing_left(tag: str) -> None:
    # Killed processes are reaped by their parents as these exit: give that a moment.
    assert wait_until(lambda: not tagged(tag), 60, lambda: True), f"left running: {tagged(tag)}"


def test_every_event_is_accounted_for_and_nothing_outlives_the_demo(tmp_path: Path) -> None:
    process, tag = start(tmp_path)
    stdout, stderr = process.communicate(timeout=1200)
    assert process.returncode == 0, stderr[-4000:]
    report = json.loads((tmp_path / "report.json").read_text())
    assert all(report["checks"].values()), report["checks"]
    dlq = sum(report["dlq_by_error"].values())
    assert report["delivered"] == report["produced"] == 3000
    assert report["bronze_rows"] + dlq == report["delivered"]
    assert dlq >= report["malformed_produced"] > 0  # malformed events land in the DLQ
    assert report["alerts"] > 0 and report["alerts_outside_bronze"] == 0
    assert report["alerts_labelled"] > 0 and 0 < report["recall"] <= 1
    assert all(bronze == gold for bronze, gold in report["reconciled"].values())
    assert report["latency_p99_seconds"] is not None and report["warm_up_events"] == 0
    assert set(report["sustained_rates"]) == {job.JOB_NAME for job in JOBS}
    assert report["produce_rate"] > 0 and report["detection_slo_seconds"] == 2
    assert list(report["stages"]) == ["services", "model", "flink", "warm-up", "produce", "drain",
                                      "dbt"]  # fmt: skip
    assert "StreamFlow demo report" in stdout
    assert_nothing_left(tag)


def test_a_failed_stage_stops_everything_it_started(tmp_path: Path) -> None:
    process, tag = start(tmp_path, STREAMFLOW_DBT="/bin/false")  # dbt fails, after all else
    _, stderr = process.communicate(timeout=1200)
    assert process.returncode == 1
    assert "demo failed: stage dbt failed: dbt build exited 1" in stderr
    assert_nothing_left(tag)


def test_sigterm_mid_stream_stops_everything(tmp_path: Path) -> None:
    # Slow, so still producing when stopped; no warm-up stage before it.
    process, tag = start(tmp_path, "--rate", "50", "--warm-up-s", "0")
    assert process.stderr is not None
    before = []
    for line in process.stderr:
        before.append(line)
        if line.startswith("[demo] produce"):
            break
    else:
        pytest.fail(f"the demo ended before producing:\n{''.join(before)[-4000:]}")
    process.send_signal(signal.SIGTERM)
    _, stderr = process.communicate(timeout=300)
    assert process.returncode == 128 + signal.SIGTERM, stderr[-4000:]
    assert_nothing_left(tag)
