"""The mutation report: scores per package, equivalents excluded and kept true."""

import json
from pathlib import Path

import pytest

from scripts.mutation import Target, report, statuses

TARGET = Target("libs", ".venv-x", "libs", ("libs/detection", "libs/models"), ("tests/libs",))


def codes(package: str, killed: int, survived: int) -> dict[str, int | None]:
    dotted = package.replace("/", ".")
    made: dict[str, int | None] = {f"{dotted}.m.x_f__mutmut_{i}": 1 for i in range(killed)}
    made |= {f"{dotted}.m.x_g__mutmut_{i}": 0 for i in range(survived)}
    return made


def test_statuses_are_read_from_every_meta_file(tmp_path: Path) -> None:
    for name, exit_codes in [("libs/models/state.py", {"a": 1}), ("libs/detection/x.py", {"b": 0})]:
        meta = tmp_path / "mutants" / f"{name}.meta"
        meta.parent.mkdir(parents=True, exist_ok=True)
        meta.write_text(json.dumps({"exit_code_by_key": exit_codes}), encoding="utf-8")
    assert statuses(tmp_path) == {"a": 1, "b": 0}


def test_a_package_passes_at_ninety_percent_of_the_non_equivalent_mutants(
    capsys: pytest.CaptureFixture[str],
) -> None:
    found = codes("libs/detection", 9, 1) | codes("libs/models", 18, 2)
    assert report(TARGET, found, {})
    found = codes("libs/detection", 9, 1) | codes("libs/models", 17, 3)
    assert not report(TARGET, found, {})
    assert "not killed: libs.models.m.x_g__mutmut_2 (exit 0)" in capsys.readouterr().out


def test_equivalents_do_not_count_and_a_stale_one_fails(
    capsys: pytest.CaptureFixture[str],
) -> None:
    found = codes("libs/detection", 9, 2) | codes("libs/models", 10, 0)
    reason = {"libs.detection.m.x_g__mutmut_0": "reordering an addition"}
    assert not report(TARGET, found, {})  # 9 of 11
    assert report(TARGET, found, reason)  # 9 of 10
    assert "1 equivalent      9 killed  score  90.0%" in capsys.readouterr().out
    found["libs.detection.m.x_g__mutmut_0"] = 1  # now killed: the entry is no longer true
    assert not report(TARGET, found, reason)
    assert "listed as equivalent but killed" in capsys.readouterr().out
