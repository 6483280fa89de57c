"""Harness failures say why, with the server's own words."""

from pathlib import Path

import pytest

from jobs.testing.kafka import KafkaBroker, kafka_version
from jobs.testing.processes import HarnessError, log_tail


def test_log_tail(tmp_path: Path) -> None:
    log = tmp_path / "server.log"
    log.write_text("\n".join(f"line {i}" for i in range(100)))
    assert log_tail(log, 2) == "line 98\nline 99"
    assert "no log" in log_tail(tmp_path / "missing.log")


def test_kafka_version_is_pinned() -> None:
    assert kafka_version() == "4.1.1"


@pytest.mark.integration
def test_broken_broker_config_reports_the_tool_output() -> None:
    with pytest.raises(HarnessError, match="not-a-number") as caught:
        KafkaBroker({"node.id": "not-a-number"}).start(timeout=30)
    assert "format failed" in str(caught.value)
