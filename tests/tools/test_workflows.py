"""The GitHub Actions workflows: actionlint-clean, and the same entry point as ``.ci/run``."""

import subprocess
from pathlib import Path

import pytest
import yaml

from tests.conftest import REPO

ACTIONLINT = REPO / ".tools" / "bin" / "actionlint"
WORKFLOW = REPO / ".github" / "workflows" / "ci.yml"


def _actionlint(*workflows: Path) -> subprocess.CompletedProcess[str]:
    assert ACTIONLINT.exists(), "run `make tools`"
    return subprocess.run([str(ACTIONLINT), "-pyflakes=", *map(str, workflows)], cwd=REPO,
                          capture_output=True, text=True, check=False)  # fmt: skip


def test_the_workflows_pass_actionlint() -> None:
    result = _actionlint()  # every workflow of the repository
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    ("step", "finding"),
    [
        ('run: echo "${{ github.event.pull_request.title }}"', "potentially untrusted"),
        ("run: cat $GITHUB_STEP_SUMMARY", "SC2086"),  # shellcheck, through actionlint
        ("uses: actions/checkout@v4\n        with: {fetch-dpeth: 0}", '"fetch-dpeth" is not'),
    ],
)
def test_actionlint_refuses_a_broken_step(tmp_path: Path, step: str, finding: str) -> None:
    text = WORKFLOW.read_text(encoding="utf-8")
    broken = tmp_path / "ci.yml"  # the diff job gains one more step
    broken.write_text(text.replace("\n  audit:\n", f"\n      - {step}\n  audit:\n"))
    result = _actionlint(broken)
    assert result.returncode == 1 and finding in result.stdout, result.stdout


def test_ci_on_github_and_ci_run_call_the_readmes_test_command() -> None:
    workflow = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    runs = [step.get("run", "") for step in workflow["jobs"]["test"]["steps"]]
    assert any(run.endswith("bash .ci/run") for run in runs)
    command = (REPO / ".ci" / "run").read_text(encoding="utf-8").strip().splitlines()[-1]
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert command == "make test" and f"\n{command}" in readme
