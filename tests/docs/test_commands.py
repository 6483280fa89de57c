"""Every shell command in README.md and docs/operations.md still works, or says it needs a cluster.

Commands are read from ```bash blocks and from the command tables' first column.
- ``python -m generator …``: run for real against a copy of the specs;
- ``python -m jobs…`` (long-running workloads that need a broker or a database):
  their ``--help`` runs in the environment they need, and every flag the
  document uses must be one the command accepts — a renamed flag fails here;
- ``make <target>``: the target must exist (``make -n``);
- ``docker build -f F``: F must exist (there is no Docker engine here; hadolint
  checks the files in ``make lint``);
- a line ending in ``# cluster`` needs a cluster and is only listed.
Any other command fails the test: a document gains no untested command.
"""

import re
import shlex
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import REPO, Workspace

DOCUMENTS = (REPO / "README.md", REPO / "docs" / "operations.md")
CLUSTER = "# cluster"
JOBS_PYTHON = REPO / ".venv-jobs" / "bin" / "python"
PLACEHOLDERS = {
    "HOST:9092": "127.0.0.1:9092",
    "--dsn DSN": "--dsn postgresql://localhost/db",
    "--repo-url URL": "--repo-url https://git.example.org/you/streamflow.git",
    "--registry REGISTRY": "--registry registry.example.org/you",
}


@dataclass(frozen=True)
class Command:
    """One documented command and where it is."""

    document: str
    line: int
    text: str

    @property
    def cluster_only(self) -> bool:
        return self.text.rstrip().endswith(CLUSTER)

    def words(self) -> list[str]:
        text = self.text.split(" #", 1)[0] if not self.cluster_only else self.text
        return shlex.split(text.replace("\\|", "|"))


def _fenced(path: Path) -> list[Command]:
    commands, inside = [], False
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.startswith("```"):
            inside = line.strip() == "```bash" and not inside
            continue
        if inside and line.strip() and not line.lstrip().startswith("#"):
            commands.append(Command(path.name, number, line.strip()))
    return commands


def _tabled(path: Path) -> list[Command]:
    commands = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        match = re.match(r"^\| `([^`]+)` \|", line)
        if match:
            commands.append(Command(path.name, number, match[1]))
    return commands


def documented() -> list[Command]:
    """Every command of every document, in reading order."""
    return [c for path in DOCUMENTS for c in (*_fenced(path), *_tabled(path))]


def _flags(words: list[str]) -> list[str]:
    return [w.split("=", 1)[0] for w in words if w.startswith("--")]


def _python_module(words: list[str]) -> tuple[str, list[str]] | None:
    for index, word in enumerate(words[:-1]):
        if word.endswith("python") and words[index + 1] == "-m" and index + 2 < len(words):
            return words[index + 2], words[index + 3 :]
    return None


def _check_generator(arguments: list[str], text: str, workspace: Workspace) -> str:
    if "[" not in text:
        assert workspace.run(*arguments) == 0, arguments
        return "run"
    # A synopsis with optional parts: every option it shows must be accepted.
    help_text = subprocess.run(
        [str(REPO / ".venv" / "bin" / "python"), "-m", "generator", arguments[0], "--help"],
        capture_output=True, text=True, check=True, cwd=REPO,
    ).stdout  # fmt: skip
    for flag in re.findall(r"--[a-z-]+", text):
        assert flag in help_text, f"generator {arguments[0]} has no {flag}"
    return "flags"


def _check_job(module: str, arguments: list[str]) -> None:
    assert JOBS_PYTHON.exists(), "run `make setup` (the jobs' environment)"
    subcommand = arguments[:1] if arguments and not arguments[0].startswith("-") else []
    result = subprocess.run([str(JOBS_PYTHON), "-m", module, *subcommand, "--help"],
                            capture_output=True, text=True, check=False, cwd=REPO)  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    for flag in _flags(arguments):
        assert flag in result.stdout, f"{module} has no {flag}"


def check(command: Command, workspace: Workspace) -> str:
    """Run or check one command; return how it was covered."""
    if command.cluster_only:
        return "cluster"
    words = command.words()
    module = _python_module(words)
    if module is not None and module[0] == "generator":
        return _check_generator(module[1], command.text, workspace)
    if module is not None and module[0].split(".")[0] in {"jobs", "libs", "devtools"}:
        _check_job(*module)
        return "flags"
    if words[0] == "make":
        subprocess.run(["make", "-n", *words[1:]], cwd=REPO, check=True, capture_output=True)
        return "target"
    dbt = next((w for w in words if w.endswith("bin/dbt")), None)
    if dbt is not None:
        version = subprocess.run([str(REPO / ".venv-dbt" / "bin" / "dbt"), "--version"],
                                 capture_output=True, text=True, check=True)  # fmt: skip
        assert "dbt" in version.stdout.lower() + version.stderr.lower()
        return "dbt"
    if words[:2] == ["docker", "build"]:
        assert (REPO / words[words.index("-f") + 1]).is_file()
        return "dockerfile"
    raise AssertionError(f"no way to test `{command.text}`; mark it `{CLUSTER}` or cover it")


def test_documents_hold_commands() -> None:
    commands = documented()
    assert sum(c.document == "operations.md" for c in commands) >= 20
    assert any(c.text.startswith("make test") for c in commands)


@pytest.mark.parametrize("command", documented(), ids=lambda c: f"{c.document}:{c.line}")
def test_documented_command(command: Command, rendered: Workspace) -> None:
    for placeholder, value in PLACEHOLDERS.items():
        command = Command(command.document, command.line, command.text.replace(placeholder, value))
    assert check(command, rendered) in {"cluster", "run", "flags", "target", "dockerfile", "dbt"}
