"""The lock files are consistent with pyproject.toml: a changed pin without a re-lock fails.

Each lock's header records the extras it was compiled from (``make lock``); every
exact pin of those extras must be in the lock at the same version, and every
locked package must carry hashes (``pip install --require-hashes`` needs them).
"""

import re
import tomllib
from pathlib import Path

import pytest

from tests.conftest import REPO

LOCKS = sorted((REPO / "locks").glob("*.txt"))
PIN = re.compile(r"^(?P<name>[A-Za-z0-9._-]+)(\[[^\]]*\])?==(?P<version>[^\s;\\]+)")


def normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def extras_of(lock: Path) -> list[str]:
    header = lock.read_text(encoding="utf-8").splitlines()[1]
    return re.findall(r"--extra (\S+)", header)


def locked(lock: Path) -> dict[str, str]:
    pins = {}
    for line in lock.read_text(encoding="utf-8").splitlines():
        match = PIN.match(line)
        if match:
            pins[normalise(match["name"])] = match["version"]
    return pins


def test_there_is_a_lock_per_environment() -> None:
    assert {p.stem for p in LOCKS} == {"bootstrap", "generator", "generator-dev", "streaming",
                                       "dbt", "airflow", "checkov", "audit",
                                       "mutation-generator", "mutation-jobs"}  # fmt: skip


def stale_pins(pyproject: str, lock: Path) -> list[str]:
    """Pins of the lock's extras that the lock does not hold at the same version."""
    optional = tomllib.loads(pyproject)["project"]["optional-dependencies"]
    pins = locked(lock)
    problems = []
    for extra in extras_of(lock):
        for requirement in optional[extra]:
            match = PIN.match(requirement)
            if match is None:
                problems.append(f"[{extra}] {requirement!r} is not an exact pin")
                continue
            name = normalise(match["name"])
            if pins.get(name) != match["version"]:
                problems.append(f"{name}: locked {pins.get(name)}, pinned {match['version']}")
    return problems


@pytest.mark.parametrize("lock", LOCKS, ids=[p.stem for p in LOCKS])
def test_every_pin_of_the_extras_is_locked_at_its_version(lock: Path) -> None:
    assert extras_of(lock), f"{lock.name}: no --extra in its header; run `make lock`"
    problems = stale_pins((REPO / "pyproject.toml").read_text(encoding="utf-8"), lock)
    assert not problems, f"{lock.name} is stale, run `make lock`: {problems}"


def test_a_changed_pin_without_a_re_lock_is_caught() -> None:
    pyproject = (REPO / "pyproject.toml").read_text(encoding="utf-8")
    changed = pyproject.replace('"pydantic==2.14.4"', '"pydantic==2.14.5"', 1)
    added = pyproject.replace('"pyyaml==6.0.3",', '"pyyaml==6.0.3",\n    "rich==14.0.0",', 1)
    lock = REPO / "locks" / "generator.txt"
    assert stale_pins(changed, lock) == ["pydantic: locked 2.14.4, pinned 2.14.5"]
    assert stale_pins(added, lock) == ["rich: locked None, pinned 14.0.0"]


@pytest.mark.parametrize("lock", LOCKS, ids=[p.stem for p in LOCKS])
def test_every_locked_package_has_hashes(lock: Path) -> None:
    text = lock.read_text(encoding="utf-8")
    entries = re.split(r"\n(?=[A-Za-z0-9])", text.split("\n", 2)[2])
    for entry in entries:
        if PIN.match(entry):
            assert "--hash=sha256:" in entry, entry.splitlines()[0]
