"""Mutation testing (issue #28): how many deliberate bugs the unit tests catch, per package.

    make mutation                      # every target, report, exit 1 below the threshold
    python scripts/mutation.py libs    # one target

mutmut (docs/adr/0002-dependencies.md says why it; locks/mutation-*.txt pin it) changes one
operator, constant or call at a time in the packages below and runs the unit tests that reach
the changed function; a mutant the tests do not fail on *survived*. A package passes when the
tests kill at least ``THRESHOLD`` of its mutants that are not *equivalent* — a mutant that
cannot change behaviour, listed with the reason in ``tests/equivalent_mutants.toml`` by review.

mutmut reads its configuration from the working directory and writes the mutated tree under
``mutants/`` there, so each target runs in its own scratch copy of the tracked files
(``.cache/mutation/<target>/``), never in the checkout. ``mutmut show NAME`` in that directory
prints a survivor's diff.
"""

import argparse
import configparser
import json
import os
import shutil
import subprocess
import sys
import time
import tomllib
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
WORK = REPO / ".cache" / "mutation"
EQUIVALENTS = REPO / "tests" / "equivalent_mutants.toml"
THRESHOLD = 0.90
COMPILED_CORE_TESTS = "tests/libs/detection/test_compiled.py"
# mutmut's exit codes that mean the tests noticed the mutant (mutmut.stats.status_by_exit_code).
# Killed (1, 3), timed out (24, -24, 36, 152, 255), caught by the type check (37).
KILLED = frozenset({1, 3, 24, -24, 36, 152, 255, 37})
# The scoring core's 10 000-example property test (~35 s) runs this many examples per
# mutant (tests/libs/detection/test_properties.py says why; the score is a lower bound).
PROPERTY_EXAMPLES_VARIABLE = "STREAMFLOW_PROPERTY_EXAMPLES"
PROPERTY_EXAMPLES = 300


@dataclass(frozen=True)
class Target:
    """Packages mutated together because one virtualenv runs the tests that cover them."""

    name: str
    venv: str
    source: str
    packages: tuple[str, ...]
    tests: tuple[str, ...]
    # Modules left unmutated, each with the reason (printed with the report).
    unmutated: tuple[tuple[str, str], ...] = ()
    # Untracked inputs the tests read, copied from the checkout (`make setup` made them).
    untracked: tuple[str, ...] = ()


TARGETS = (
    Target("libs", ".venv-mutation-jobs", "libs", ("libs/detection", "libs/models"),
           ("tests/libs/detection", "tests/libs/models"),
           (("libs/detection/compiled.py",
             "glue handing the context to the Rust core; only the compiled core's equality "
             f"tests reach it, left out below ({COMPILED_CORE_TESTS})"),)),
    Target("generator", ".venv-mutation-generator", "generator",
           ("generator/spec", "generator/pipeline/connectivity"),
           ("tests/generator/spec", "tests/generator/pipeline", "tests/generator/components",
            "tests/generator/manifests"),
           untracked=(".cache/crds",)),  # the locked CRDs the manifests are checked against
)  # fmt: skip


def prepare(target: Target) -> Path:
    """A fresh copy of the tracked tree with the target's mutmut configuration."""
    work = WORK / target.name
    shutil.rmtree(work, ignore_errors=True)
    tracked = subprocess.run(["git", "ls-files", "-z"], cwd=REPO, check=True,
                             capture_output=True, text=True).stdout.split("\0")  # fmt: skip
    tracked = [name for name in tracked if name]
    for name in tracked:
        source = REPO / name
        if source.is_file():
            (work / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, work / name)
    for name in target.untracked:
        shutil.copytree(REPO / name, work / name)
    top_level = sorted({name.split("/", 1)[0] for name in tracked} - {target.source})
    config = configparser.ConfigParser()
    config["mutmut"] = {
        "source_paths": target.source,
        "only_mutate": "\n".join(f"{package}/*" for package in target.packages),
        # The tests read the rendered tree, the specs and the locks beside the code.
        "also_copy": "\n".join([*top_level, *target.untracked]),
        "pytest_add_cli_args_test_selection": "\n".join(target.tests),
        # One argument a line: mutmut splits this value at newlines only. The compiled core's
        # equality tests are left out: they train a model and replay a million events for
        # each mutant they reach, and what they hold is the Rust core, not these packages.
        "pytest_add_cli_args": "\n".join(
            [
                "-p",
                "no:cacheprovider",
                "--hypothesis-profile=mutation",
                f"--ignore={COMPILED_CORE_TESTS}",
            ]
        ),
    }
    if target.unmutated:
        config["mutmut"]["do_not_mutate"] = "\n".join(module for module, _ in target.unmutated)
    with (work / "setup.cfg").open("w", encoding="utf-8") as handle:
        config.write(handle)
    return work


def statuses(work: Path) -> dict[str, int | None]:
    """Each mutant's exit code, from the ``.meta`` files mutmut writes beside the mutants."""
    codes: dict[str, int | None] = {}
    for meta in sorted((work / "mutants").rglob("*.py.meta")):
        codes.update(json.loads(meta.read_text(encoding="utf-8"))["exit_code_by_key"])
    return codes


def in_package(mutant: str, package: str) -> bool:
    """Whether a mutant's dotted name (``libs.models.state.x_f__mutmut_3``) is in the package."""
    return mutant.startswith(package.replace("/", ".") + ".")


def report(target: Target, codes: dict[str, int | None], equivalent: dict[str, str]) -> bool:
    """Print the score per package and every surviving mutant; True when all pass."""
    stale = sorted(name for name in equivalent
                   if in_package(name, target.source) and codes.get(name) != 0)  # fmt: skip
    passed = not stale
    for name in stale:
        print(
            f"  {name}: listed as equivalent but {'killed' if name in codes else 'gone'};"
            f" remove it from {EQUIVALENTS.relative_to(REPO)}"
        )
    for module, reason in target.unmutated:
        print(f"  not mutated: {module} ({reason})")
    for package in target.packages:
        mine = {name: code for name, code in codes.items() if in_package(name, package)}
        killed = sum(code in KILLED for code in mine.values())
        equivalents = sum(name in equivalent for name in mine)
        counted = len(mine) - equivalents
        score = killed / counted if counted else 1.0
        passed &= score >= THRESHOLD
        tally = Counter("killed" if code in KILLED else "survived" if code == 0 else f"exit {code}"
                        for name, code in mine.items() if name not in equivalent)  # fmt: skip
        print(
            f"{package:34} {len(mine):5} mutants  {equivalents:3} equivalent  "
            f"{killed:5} killed  score {score:6.1%}  {dict(sorted(tally.items()))}"
        )
        for name in sorted(mine):
            if mine[name] not in KILLED and name not in equivalent:
                print(f"    not killed: {name} (exit {mine[name]})")
    return passed


def run(target: Target, equivalent: dict[str, str], children: int) -> bool:
    """Mutate, test and report one target."""
    started = time.monotonic()
    work = prepare(target)
    mutmut = REPO / target.venv / "bin" / "mutmut"
    # The checkout's pinned tools (kustomize for the overlay tests), found on PATH from the copy.
    env = {**os.environ, "PATH": f"{REPO / '.tools' / 'bin'}{os.pathsep}{os.environ['PATH']}",
           PROPERTY_EXAMPLES_VARIABLE: str(PROPERTY_EXAMPLES)}  # fmt: skip
    outcome = subprocess.run([str(mutmut), "run", "--max-children", str(children)], cwd=work,
                             env=env, check=False, capture_output=True, text=True)  # fmt: skip
    if outcome.returncode != 0:
        sys.stdout.write(outcome.stdout[-4000:] + outcome.stderr[-4000:])
        print(f"{target.name}: mutmut exited {outcome.returncode}")
        return False
    print(f"{target.name}: {time.monotonic() - started:.0f} s (mutmut in {work.relative_to(REPO)})")
    return report(target, statuses(work), equivalent)


def main(argv: list[str] | None = None) -> int:
    """Run the named targets (all by default); exit 1 if any package is below the threshold."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "targets",
        nargs="*",
        metavar="TARGET",
        help=f"any of {', '.join(t.name for t in TARGETS)} (default: all)",
    )
    parser.add_argument("--children", type=int, default=2, help="mutants tested at once")
    args = parser.parse_args(argv)
    equivalent: dict[str, str] = tomllib.loads(EQUIVALENTS.read_text(encoding="utf-8"))[
        "equivalent"
    ]
    unknown = set(args.targets) - {t.name for t in TARGETS}
    if unknown:
        parser.error(f"unknown target(s): {', '.join(sorted(unknown))}")
    chosen = [t for t in TARGETS if not args.targets or t.name in args.targets]
    results = [run(target, equivalent, args.children) for target in chosen]
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
