"""The demo's liveness check: a job REST reports restarting fails it; silence does not."""

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

import pytest

from devtools.demo.__main__ import DemoError, check_alive
from devtools.testing.flink import FlinkProcess


@dataclass
class FakeJob:
    """Answers REST with the statuses given, one per check (None: REST did not answer)."""

    answers: Iterator[list[str] | None]
    module: str = "jobs.flink.fraud_detector"
    process: Any = field(default=None)

    def alive(self) -> bool:
        return True

    def statuses(self) -> list[str] | None:
        return next(self.answers)

    def flink_log(self) -> str:
        return "the job's log"


def checks(answers: Sequence[list[str] | None], patience: int) -> int:
    """How many checks passed before one raised (all of them if none did)."""
    job = FakeJob(iter(answers))
    check = check_alive([cast(FlinkProcess, job)], patience=patience)
    for passed in range(len(answers)):
        try:
            check()
        except DemoError as error:
            assert "restarting" in str(error) and "the job's log" in str(error)
            return passed
    return len(answers)


def test_restarting_beyond_patience_fails() -> None:
    assert checks([["RESTARTING"]] * 5, patience=2) == 2


def test_rest_silence_neither_counts_nor_resets() -> None:
    assert checks([None] * 50, patience=2) == 50
    assert checks([["RESTARTING"], None, None, ["RESTARTING"], ["RESTARTING"]], patience=2) == 4


def test_running_resets_the_count() -> None:
    answers = [["RESTARTING"], ["RESTARTING"], ["RUNNING"], ["RESTARTING"], ["RESTARTING"]]
    assert checks(answers, patience=2) == 5


@pytest.mark.parametrize("answers", [[None], [["RUNNING"]]])
def test_without_patience_only_an_exit_fails(answers: list[list[str] | None]) -> None:
    job = FakeJob(iter(answers))
    check_alive([cast(FlinkProcess, job)])()
