"""The generator CLI writes JSON lines and stops at --count."""

import json
from pathlib import Path

import pytest

from jobs.events.__main__ import main
from jobs.events.sinks import Counters, Progress, pump
from jobs.events.stream import Event


def test_writes_jsonl(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    output = tmp_path / "events.jsonl"
    assert (
        main(
            [
                "--output",
                str(output),
                "--count",
                "500",
                "--seed",
                "3",
                "--customers",
                "200",
                "--stores",
                "50",
            ]
        )
        == 0
    )
    lines = output.read_bytes().splitlines()
    assert len(lines) == 500
    assert all(json.loads(line)["schema_version"] == "1.0" for line in lines)
    assert "sent 500" in capsys.readouterr().err


def test_start_needs_a_timezone(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["--output", str(tmp_path / "x"), "--start", "2026-01-01T00:00:00"])
    assert exit_.value.code == 2
    error = capsys.readouterr().err
    assert "argument --start: --start '2026-01-01T00:00:00' needs a timezone" in error


class _ListSink:
    def __init__(self) -> None:
        self.counters = Counters()
        self.events: list[Event] = []
        self.closed = False

    def send(self, event: Event) -> None:
        self.events.append(event)

    def close(self) -> None:
        self.closed = True


def test_pump_counts_and_closes_even_on_error() -> None:
    sink = _ListSink()

    def broken() -> object:
        yield Event(b"k", b"{}", 0)
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        pump(broken(), sink, progress=Progress(enabled=False))  # type: ignore[arg-type]
    assert sink.closed and sink.counters.sent == 1
