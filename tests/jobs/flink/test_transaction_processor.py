"""transaction-processor on real Kafka, PostgreSQL and PyFlink: nothing lost, nothing twice."""

import json
import re
from pathlib import Path

import pytest

from jobs.flink.transaction_processor import main
from tests.jobs.flink.conftest import Job, Stack, events, wait_for

pytestmark = pytest.mark.integration
N = 10_000


def test_every_event_lands_in_bronze_or_the_dlq_exactly_once(stack: Stack) -> None:
    sent = events(N, malformed_rate=0.05)
    assert stack.produce(sent).delivered == N
    main(stack.args("--bounded"))

    bronze = stack.query(
        "SELECT count(*), count(DISTINCT transaction_id) FROM bronze.raw_transactions"
    )
    dlq = [json.loads(raw) for raw in stack.read("streamflow.dlq")]
    malformed = sum(1 for e in sent if e.malformed)
    assert bronze[0][0] == bronze[0][1] == N - malformed
    assert len(dlq) == malformed
    assert bronze[0][0] + len(dlq) == N
    for record in dlq:
        assert record["error_type"] and record["error_message"]
        assert record["source_topic"] == "transactions.raw" and record["payload_bytes"] > 0
    positions = stack.query("SELECT source_partition, source_offset FROM bronze.raw_transactions")
    dlq_positions = {(r["source_partition"], r["source_offset"]) for r in dlq}
    assert len(dlq_positions) == len(dlq) and dlq_positions.isdisjoint(positions)

    # A replay of the whole topic (a new consumer group) rewrites, never duplicates.
    main(stack.args("--bounded", "--group-suffix=-replay"))
    again = stack.query("SELECT count(*) FROM bronze.raw_transactions")
    assert again[0][0] == N - malformed


def test_postgres_outage_loses_nothing(stack: Stack, tmp_path: Path, jobs: list[Job]) -> None:
    first, second = events(6_000)[:3_000], events(6_000)[3_000:]
    stack.produce(first)
    jobs.append(Job("jobs.flink.transaction_processor", stack.args(), tmp_path / "job.log"))
    wait_for(
        lambda: stack.query("SELECT count(*) FROM bronze.raw_transactions")[0][0] > 0,
        what="the first rows",
    )
    stack.postgres.stop_keeping_data()
    stack.produce(second)
    # The outage is only tested once the sink has met it: a write refused by the
    # stopped server, in the job's own log (PostgreSQL's JDBC driver's words).
    refused = re.compile(rf"Connection to 127\.0\.0\.1:{stack.postgres.port} refused")
    wait_for(lambda: bool(refused.search(jobs[0].flink_log())), timeout=180,
             what="a bronze write refused during the outage")  # fmt: skip
    stack.postgres.start_server()
    wait_for(
        lambda: stack.query("SELECT count(*) FROM bronze.raw_transactions")[0][0] == 6_000,
        timeout=240, what="all 6000 rows after the outage",
    )  # fmt: skip
    assert jobs[0].alive(), "the job gave up instead of recovering"
    rows = stack.query(
        "SELECT count(*), count(DISTINCT transaction_id) FROM bronze.raw_transactions"
    )
    assert rows[0] == (6_000, 6_000)
