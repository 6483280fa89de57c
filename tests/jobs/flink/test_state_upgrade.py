"""A state-schema upgrade on the real mini-cluster, the way the operator runs one.

The FlinkDeployments upgrade with ``upgradeMode: savepoint``: stop with a
savepoint, start the new build from it. Here this release's detector is stopped
with a savepoint while events arrive, the next release (state v1.1,
``next_state_release``) restores it and upgrades every customer it touches,
and is stopped with a savepoint in turn, which this release restores again (a
rollback). Across both: no customer starts afresh, no event is lost, no alert
is produced twice.
"""

import zlib
from pathlib import Path

import pytest

from jobs.flink.fraud_detector import AFRESH
from libs.models.state import CustomerFraudState, StateDecodeError
from tests.jobs.flink.conftest import Job, Stack, events, expected_alerts, wait_for
from tests.jobs.flink.next_state_release import UPGRADING, decode_v1_1, encode_v1_1
from tests.jobs.flink.test_faults import DETECTOR, assert_exactly_once

NEXT_RELEASE = "tests.jobs.flink.next_state_release"


def test_the_next_release_reads_this_one_and_this_one_reads_the_next() -> None:
    state = CustomerFraudState(count=3, mean=12.5, m2=4.0, recent_event_ms=(1, 2, 3))
    newer = encode_v1_1(state)
    assert newer[3] == 1 and CustomerFraudState.from_bytes(newer) == state
    assert decode_v1_1(state.to_bytes()) == (state, 0)
    assert decode_v1_1(newer) == (state, 1)
    flipped = newer[:-5] + bytes([newer[-5] ^ 1]) + newer[-4:]
    with pytest.raises(StateDecodeError, match="CRC-32"):
        decode_v1_1(flipped)
    assert zlib.crc32(newer[8:-4]) == int.from_bytes(newer[-4:], "little")


@pytest.mark.integration
def test_a_savepoint_survives_an_upgrade_to_the_next_state_schema_and_a_rollback(
    stack: Stack, model_dir: Path, tmp_path: Path, jobs: list[Job]
) -> None:
    sent = events(9_000)
    first, second, third = sent[:3_000], sent[3_000:6_000], sent[6_000:]
    arguments = stack.args("--model-dir", str(model_dir))
    savepoints = tmp_path / "savepoints"

    stack.produce(first)
    jobs.append(Job(DETECTOR, arguments, tmp_path / "this-release.log"))
    wait_for(lambda: stack.consumed("flink-fraud", "transactions.raw"), timeout=180,
             what="the first events in a completed checkpoint")  # fmt: skip
    stack.produce(second[:1_500])  # in flight while the savepoint is taken
    upgrade_from = jobs[0].stop_with_savepoint(savepoints / "this-release")

    jobs.append(Job(NEXT_RELEASE, [*arguments, "--savepoint", str(upgrade_from)],
                    tmp_path / "next-release.log"))  # fmt: skip
    stack.produce(second[1_500:])
    wait_for(lambda: stack.consumed("flink-fraud", "transactions.raw"), timeout=180,
             what="the second events consumed by the next release")  # fmt: skip
    rollback_from = jobs[1].stop_with_savepoint(savepoints / "next-release")

    jobs.append(Job(DETECTOR, [*arguments, "--savepoint", str(rollback_from)],
                    tmp_path / "rollback.log"))  # fmt: skip
    stack.produce(third)
    wait_for(lambda: stack.consumed("flink-fraud", "transactions.raw"), timeout=180,
             what="everything consumed after the rollback")  # fmt: skip

    assert UPGRADING in jobs[1].flink_log(), "the next release restored no v1.0 state"
    for job in jobs:
        assert AFRESH not in job.flink_log(), "a customer's state could not be read"
    expected = expected_alerts(sent, stack, model_dir)
    assert len(expected) > 20
    assert_exactly_once(stack, expected)
