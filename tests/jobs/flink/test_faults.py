"""The fraud-detector through faults on the real mini-cluster: nothing lost, nothing twice.

After each fault the alerts in ``fraud.alerts`` (read_committed) and in bronze
are exactly the scoring core's over everything produced, each once. (The
JDBC sink through a PostgreSQL outage is in ``test_transaction_processor``.)
"""

import collections
import json
from pathlib import Path

import pytest

from tests.jobs.flink.conftest import Job, Stack, events, expected_alerts, wait_for

pytestmark = pytest.mark.integration
DETECTOR = "jobs.flink.fraud_detector"


def latest_checkpoint(root: Path) -> Path | None:
    """The newest completed checkpoint (``chk-N`` holding ``_metadata``) under ``root``."""
    done = [p.parent for p in root.glob("*/chk-*/_metadata")]
    return max(done, key=lambda p: int(p.name.removeprefix("chk-")), default=None)


def _alerts(stack: Stack) -> collections.Counter[str]:
    return collections.Counter(json.loads(raw)["transaction_id"]
                               for raw in stack.read("fraud.alerts"))  # fmt: skip


def assert_exactly_once(stack: Stack, expected: set[str]) -> None:
    """Every expected alert once in fraud.alerts and in bronze, and nothing else."""
    # Records deleted by the broker under a job read as "lost" below: say so first.
    assert not any(stack.log_start_offsets("transactions.raw")), "input deleted by retention"
    wait_for(lambda: set(_alerts(stack)) == expected, timeout=180,
             what="every expected alert committed to fraud.alerts")  # fmt: skip
    counts = _alerts(stack)
    assert set(counts) == expected and max(counts.values()) == 1, "an alert was produced twice"
    rows = stack.query(
        "SELECT count(*), count(DISTINCT transaction_id) FROM bronze.raw_fraud_alerts"
    )
    assert rows[0] == (len(expected), len(expected))


def test_a_detector_killed_hard_resumes_from_its_latest_checkpoint(
    stack: Stack, model_dir: Path, tmp_path: Path, jobs: list[Job]
) -> None:
    sent = events(9_000)
    first, second, third = sent[:3_000], sent[3_000:6_000], sent[6_000:]
    checkpoints = tmp_path / "checkpoints"
    arguments = stack.args("--model-dir", str(model_dir), "--checkpoint-dir", checkpoints.as_uri())
    stack.produce(first)
    jobs.append(Job(DETECTOR, arguments, tmp_path / "first.log"))
    wait_for(lambda: stack.consumed("flink-fraud", "transactions.raw"), timeout=180,
             what="the first events in a completed checkpoint")  # fmt: skip
    stack.produce(second)
    jobs[0].kill()  # SIGKILL to its process group, the mini-cluster's JVM included
    restored = latest_checkpoint(checkpoints)
    assert restored is not None

    jobs.append(Job(DETECTOR, [*arguments, "--savepoint", str(restored)], tmp_path / "second.log"))
    stack.produce(third)
    wait_for(lambda: stack.consumed("flink-fraud", "transactions.raw"), timeout=120,
             what="everything consumed after the restart")  # fmt: skip
    expected = expected_alerts(sent, stack, model_dir)
    assert len(expected) > 20
    assert_exactly_once(stack, expected)


def test_a_broker_restart_mid_stream_loses_and_duplicates_nothing(
    stack: Stack, model_dir: Path, tmp_path: Path, jobs: list[Job]
) -> None:
    sent = events(6_000)
    first, second = sent[:3_000], sent[3_000:]
    arguments = stack.args("--model-dir", str(model_dir))
    stack.produce(first)
    jobs.append(Job(DETECTOR, arguments, tmp_path / "detector.log"))
    wait_for(lambda: stack.consumed("flink-fraud", "transactions.raw"), timeout=180,
             what="the first events in a completed checkpoint")  # fmt: skip
    stack.produce(second[:1_500])
    stack.kafka.restart()  # while the detector reads and writes: source and sink lose it
    stack.produce(second[1_500:])
    wait_for(lambda: stack.consumed("flink-fraud", "transactions.raw"), timeout=180,
             what="everything consumed after the broker came back")  # fmt: skip
    expected = expected_alerts(sent, stack, model_dir)
    assert len(expected) > 20
    assert_exactly_once(stack, expected)
