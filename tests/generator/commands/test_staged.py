"""Cache directories appear whole or not at all, whoever builds them first."""

from pathlib import Path

import pytest

from generator.commands.staged import build_once


def test_a_directory_is_built_once_and_then_only_read(tmp_path: Path) -> None:
    calls: list[Path] = []

    def build(staging: Path) -> None:
        calls.append(staging)
        (staging / "schema.json").write_text("{}")

    target = tmp_path / "cache" / "v1"
    assert build_once(target, build) == target
    assert build_once(target, build) == target
    assert len(calls) == 1 and (target / "schema.json").read_text() == "{}"
    assert sorted(p.name for p in target.parent.iterdir()) == ["v1"]  # no staging left


def test_a_failed_build_leaves_nothing(tmp_path: Path) -> None:
    def build(staging: Path) -> None:
        (staging / "half.json").write_text("{")
        raise RuntimeError("interrupted")

    with pytest.raises(RuntimeError):
        build_once(tmp_path / "v1", build)
    assert list(tmp_path.iterdir()) == []


def test_the_first_rename_wins_when_two_build_at_once(tmp_path: Path) -> None:
    target = tmp_path / "v1"

    def racing(staging: Path) -> None:  # another process finishes while this one builds
        (staging / "mine").write_text("late")
        if not target.exists():
            target.mkdir()
            (target / "theirs").write_text("first")

    assert build_once(target, racing) == target
    assert [p.name for p in target.iterdir()] == ["theirs"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["v1"]
