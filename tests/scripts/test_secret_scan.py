"""The secret gate passes on the committed tree and fails on a planted credential."""

import shutil
import subprocess
from pathlib import Path

import pytest

from scripts.secret_scan import main
from tests.conftest import REPO

# Assembled at run time so that this file itself holds no credential-shaped literal.
FAKE_KEY = "wJalrXUtnFEMI/K7MDENG/" + "bPxRfiCYEXAMPLEKEY"


def copy_of_the_repository(target: Path) -> Path:
    """The tracked files as they are in the working tree, in a fresh git repository."""
    tracked = subprocess.run(["git", "ls-files", "-z"], cwd=REPO, capture_output=True,
                             check=True).stdout.decode().split("\0")  # fmt: skip
    for relative in filter(None, tracked):
        source = REPO / relative
        if source.is_file():
            (target / relative).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / relative)
    subprocess.run(["git", "init", "-q"], cwd=target, check=True)
    subprocess.run(["git", "add", "-A"], cwd=target, check=True)
    return target


def test_the_committed_baseline_passes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--repo", str(copy_of_the_repository(tmp_path))]) == 0
    assert "no new findings" in capsys.readouterr().out


def test_a_planted_credential_fails_the_gate(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = copy_of_the_repository(tmp_path)
    planted = repo / "jobs" / "settings_local.py"
    planted.write_text(f'aws_secret_access_key = "{FAKE_KEY}"\n', encoding="utf-8")
    subprocess.run(["git", "add", str(planted)], cwd=repo, check=True)
    assert main(["--repo", str(repo)]) == 1
    assert "jobs/settings_local.py:1" in capsys.readouterr().out
