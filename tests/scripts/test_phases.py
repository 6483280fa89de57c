"""The phase record of ``make test``: every step timed, failures included, one table."""

import sys
from pathlib import Path

from scripts.phases import Phase, read, run, table


def test_a_phase_is_recorded_with_its_status_even_when_it_fails(tmp_path: Path) -> None:
    record = tmp_path / "phases.tsv"
    assert run("ok", [sys.executable, "-c", "pass"], record) == 0
    assert run("broken", [sys.executable, "-c", "raise SystemExit(3)"], record) == 3
    assert run("missing", ["/nonexistent/command"], record) == 127
    phases = read(record)
    assert [(p.name, p.status) for p in phases] == [("ok", 0), ("broken", 3), ("missing", 127)]
    assert all(p.end >= p.start for p in phases)


def test_the_table_shows_offsets_durations_and_the_wall_clock() -> None:
    phases = [Phase("venv:jobs", 100.0, 160.0, 0), Phase("go:kubernetes", 110.0, 530.0, 0),
              Phase("pytest:jobs", 170.0, 900.0, 1)]  # fmt: skip
    lines = table(phases).splitlines()
    assert lines[1].split() == ["venv:jobs", "0:00", "1:00", "ok"]
    assert lines[2].split() == ["go:kubernetes", "0:10", "7:00", "ok"]
    assert lines[3].split() == ["pytest:jobs", "1:10", "12:10", "exit", "1"]
    assert lines[4].split()[:3] == ["wall", "clock", "13:20"]
    assert "sum of phases 20:10" in lines[4]
