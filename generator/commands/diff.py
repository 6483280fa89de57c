"""``generator diff``: what a change does to each environment, object by object, and its budget.

The base side is rendered by the generator code *of the base ref* (its tree
exported with ``git archive`` into a temporary directory, ``python -m
generator snapshot`` run there), the head side by this working tree, so a
change to the generator that leaves the output alone shows no difference. Both
sides are snapshots (``generator.commands.snapshot``); comparing them needs no cluster
and no network. Lists of named items (containers, ports, env) are matched by
name, so one changed container is one changed path, not a shifted list.
"""

import io
import json
import os
import subprocess
import sys
import tarfile
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from generator.commands.snapshot import Snapshot
from generator.spec.quantity import format_memory

MISSING: Any = type("Missing", (), {"__repr__": lambda _: "(none)"})()
VALUE_WIDTH = 80


class DiffError(Exception):
    """A side that cannot be rendered, or a ref that cannot be resolved."""


@dataclass(frozen=True)
class Change:
    """One field that differs: its path and the value on each side (``MISSING`` if absent)."""

    path: str
    old: Any
    new: Any


@dataclass(frozen=True)
class ResourceDiff:
    """One object of an Application: added, removed, or changed in these fields."""

    key: str
    status: str
    changes: list[Change] = field(default_factory=list)


@dataclass(frozen=True)
class ApplicationDiff:
    """One ArgoCD Application: its wave, source, Helm values, sync settings and objects."""

    name: str
    status: str
    wave: tuple[int | None, int | None]
    source: list[Change]
    values: list[Change]
    sync: list[Change]
    resources: list[ResourceDiff]

    @property
    def current_wave(self) -> int | None:
        """The wave it syncs in after the change (before it, if removed)."""
        return self.wave[1] if self.wave[1] is not None else self.wave[0]


@dataclass(frozen=True)
class BudgetDelta:
    """Peak memory requests before and after, and each namespace whose share moved."""

    before: int
    after: int
    budget: int
    namespaces: list[tuple[str, dict[str, int], dict[str, int]]]

    @property
    def changed(self) -> bool:
        """Whether the peak or any namespace's requests moved."""
        return self.before != self.after or bool(self.namespaces)


@dataclass(frozen=True)
class EnvironmentDiff:
    """Everything that differs in one environment."""

    name: str
    status: str
    applications: list[ApplicationDiff]
    budget: BudgetDelta

    @property
    def changed(self) -> bool:
        """Whether anything in the environment differs."""
        return self.status != "unchanged" or bool(self.applications) or self.budget.changed


def _segment(key: str) -> str:
    return f'["{key}"]' if any(c in key for c in "./[] ") else f".{key}"


def _named(items: list[Any]) -> dict[str, Any] | None:
    names = [item.get("name") for item in items if isinstance(item, dict)]
    unique = len(set(names)) == len(names) == len(items)
    if unique and all(isinstance(n, str) for n in names):
        return {str(item["name"]): item for item in items}
    return None


def field_changes(old: Any, new: Any, path: str = "") -> Iterator[Change]:
    """Every leaf that differs between ``old`` and ``new``, with its path."""
    if old == new:
        return
    if isinstance(old, dict) and isinstance(new, dict):
        for key in sorted(set(old) | set(new)):
            yield from field_changes(old.get(key, MISSING), new.get(key, MISSING),
                                     path + _segment(key))  # fmt: skip
        return
    if isinstance(old, list) and isinstance(new, list):
        named_old, named_new = _named(old), _named(new)
        if named_old is not None and named_new is not None:
            for name in sorted(set(named_old) | set(named_new)):
                yield from field_changes(named_old.get(name, MISSING),
                                         named_new.get(name, MISSING),
                                         f"{path}[name={name}]")  # fmt: skip
            return
        if len(old) == len(new):
            for index, (a, b) in enumerate(zip(old, new, strict=True)):
                yield from field_changes(a, b, f"{path}[{index}]")
            return
    yield Change(path.removeprefix(".") or "(root)", old, new)


def _status(old: Any, new: Any) -> str:
    if old is MISSING:
        return "added"
    if new is MISSING:
        return "removed"
    return "changed"


def _resources(old: dict[str, Any], new: dict[str, Any]) -> list[ResourceDiff]:
    found = []
    for key in sorted(set(old) | set(new)):
        before, after = old.get(key, MISSING), new.get(key, MISSING)
        if before != after:
            changes = [] if MISSING in (before, after) else list(field_changes(before, after))
            found.append(ResourceDiff(key, _status(before, after), changes))
    return found


def _application(name: str, old: Any, new: Any) -> ApplicationDiff:
    empty: dict[str, Any] = {"wave": None, "source": {}, "values": {}, "sync": {},
                             "resources": {}}  # fmt: skip
    before, after = (empty if old is MISSING else old), (empty if new is MISSING else new)
    return ApplicationDiff(
        name,
        _status(old, new),
        (before["wave"], after["wave"]),
        list(field_changes(before["source"], after["source"])),
        list(field_changes(before["values"], after["values"])),
        list(field_changes(before["sync"], after["sync"])),
        _resources(before["resources"], after["resources"]),
    )


def _budget(old: dict[str, Any] | None, new: dict[str, Any] | None) -> BudgetDelta:
    nothing: dict[str, Any] = {"peak": 0, "budget": 0, "namespaces": {}}
    before, after = old or nothing, new or nothing
    zero: dict[str, int] = {"steady": 0, "transient": 0}
    moved = [
        (namespace, before["namespaces"].get(namespace, zero),
         after["namespaces"].get(namespace, zero))
        for namespace in sorted(set(before["namespaces"]) | set(after["namespaces"]))
        if before["namespaces"].get(namespace) != after["namespaces"].get(namespace)
    ]  # fmt: skip
    return BudgetDelta(before["peak"], after["peak"], after["budget"] or before["budget"], moved)


def compare(base: Snapshot, head: Snapshot, only: str | None = None) -> list[EnvironmentDiff]:
    """Per environment (``only`` one, if given): what differs from ``base`` to ``head``."""
    diffs = []
    for env in sorted(set(base) | set(head)):
        if only and env != only:
            continue
        old, new = base.get(env, MISSING), head.get(env, MISSING)
        old_apps = {} if old is MISSING else old["applications"]
        new_apps = {} if new is MISSING else new["applications"]
        applications = [
            _application(name, old_apps.get(name, MISSING), new_apps.get(name, MISSING))
            for name in sorted(set(old_apps) | set(new_apps))
            if old_apps.get(name) != new_apps.get(name)
        ]
        status = "unchanged" if MISSING not in (old, new) else _status(old, new)
        delta = _budget(None if old is MISSING else old["budget"],
                        None if new is MISSING else new["budget"])  # fmt: skip
        diffs.append(EnvironmentDiff(env, status, applications, delta))
    return diffs


# -- the two sides ------------------------------------------------------------------


def _git(root: Path, *arguments: str) -> str:
    result = subprocess.run(["git", "-C", str(root), *arguments], capture_output=True,
                            text=True, check=False)  # fmt: skip
    if result.returncode != 0:
        raise DiffError(f"git {' '.join(arguments)}: {result.stderr.strip()}")
    return result.stdout.strip()


def default_base(root: Path) -> str:
    """The merge base of HEAD with ``main`` (or ``origin/main``)."""
    for branch in ("main", "origin/main"):
        try:
            return _git(root, "merge-base", "HEAD", branch)
        except DiffError:
            continue
    raise DiffError("no merge base with main or origin/main; pass --base REF")


def base_snapshot(root: Path, ref: str) -> Snapshot:
    """The snapshot of ``ref``, made by that ref's own generator in a temporary copy of it."""
    commit = _git(root, "rev-parse", "--verify", f"{ref}^{{commit}}")
    archive = subprocess.run(["git", "-C", str(root), "archive", "--format=tar", commit],
                             capture_output=True, check=True).stdout  # fmt: skip
    with tempfile.TemporaryDirectory(prefix="generator-diff-") as scratch:
        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            tar.extractall(scratch, filter="data")
        environment = {**os.environ, "PYTHONPATH": scratch}
        result = subprocess.run([sys.executable, "-m", "generator", "snapshot"], cwd=scratch,
                                env=environment, capture_output=True, text=True,
                                check=False)  # fmt: skip
    if result.returncode != 0:
        problem = result.stderr.strip().splitlines() or ["(no output)"]
        if "invalid choice: 'snapshot'" in result.stderr:
            problem = ["its generator has no `snapshot` command (it predates `generator diff`)"]
        raise DiffError(f"base {ref} ({commit[:12]}) does not render:\n  " + "\n  ".join(problem))
    snapshot: Snapshot = json.loads(result.stdout)
    return snapshot


# -- output ---------------------------------------------------------------------------


def _value(value: Any) -> str:
    text = repr(value) if value is MISSING else json.dumps(value, sort_keys=True)
    return text if len(text) <= VALUE_WIDTH else text[: VALUE_WIDTH - 1] + "…"


def _signed(delta: int) -> str:
    return ("+" if delta >= 0 else "-") + format_memory(abs(delta))


def budget_line(env: EnvironmentDiff) -> str:
    """``dev: +192Mi (3816Mi → 4008Mi of 4Gi)``."""
    b = env.budget
    return (f"{env.name}: {_signed(b.after - b.before)} ({format_memory(b.before)} → "
            f"{format_memory(b.after)} of {format_memory(b.budget)})")  # fmt: skip


def _namespace_lines(env: EnvironmentDiff) -> Iterator[str]:
    for namespace, old, new in env.budget.namespaces:
        parts = [f"{kind} {_signed(new[kind] - old[kind])} ({format_memory(old[kind])} → "
                 f"{format_memory(new[kind])})"
                 for kind in ("steady", "transient") if old[kind] != new[kind]]  # fmt: skip
        yield f"{namespace}: {', '.join(parts)}"


def _change_line(change: Change, code: str) -> str:
    return (f"{code}{change.path}{code}: {code}{_value(change.old)}{code} → "
            f"{code}{_value(change.new)}{code}")  # fmt: skip


def _application_lines(app: ApplicationDiff, code: str) -> Iterator[tuple[int, str]]:
    """(depth, text) lines of one Application; ``code`` wraps literals (markdown: a backtick)."""
    if app.status == "changed":  # an added or removed Application is its objects
        if app.wave[0] != app.wave[1]:
            yield 1, f"sync-wave: {app.wave[0]} → {app.wave[1]}"
        for title, changes in (("source", app.source), ("Helm values", app.values),
                               ("sync settings", app.sync)):  # fmt: skip
            if changes:
                yield 1, f"{title}:"
                yield from ((2, _change_line(change, code)) for change in changes)
    for resource in app.resources:
        yield 1, f"{resource.status} {code}{resource.key}{code}"
        yield from ((2, _change_line(change, code)) for change in resource.changes)


def text(diffs: list[EnvironmentDiff], base: str) -> str:
    """A terminal report."""
    lines = [f"platform diff against {base}"]
    for env in diffs:
        if not env.changed:
            lines.append(f"== {env.name}: no difference ==")
            continue
        lines.append(f"== {env.name} ({env.status}) ==" if env.status != "unchanged"
                     else f"== {env.name} ==")  # fmt: skip
        lines.append(f"  budget {budget_line(env)}")
        lines += [f"    {line}" for line in _namespace_lines(env)]
        for app in env.applications:
            lines.append(f"  Application {app.name} ({app.status}, wave {app.current_wave})")
            lines += [f"{'  ' * (depth + 1)}{line}" for depth, line in _application_lines(app, "")]
    return "\n".join(lines)


def markdown(diffs: list[EnvironmentDiff], base: str) -> str:
    """A pull-request comment."""
    lines = [f"## Platform diff against `{base}`", ""]
    for env in diffs:
        if not env.changed:
            lines += [f"**{env.name}**: no difference", ""]
            continue
        lines += [f"### {env.name}" + (f" ({env.status})" if env.status != "unchanged" else ""),
                  "", f"**Budget** {budget_line(env)}", ""]  # fmt: skip
        lines += [f"- {line}" for line in _namespace_lines(env)]
        for app in env.applications:
            lines += ["", f"#### Application `{app.name}` ({app.status}, wave {app.current_wave})",
                      ""]  # fmt: skip
            lines += [
                f"{'  ' * (depth - 1)}- {line}" for depth, line in _application_lines(app, "`")
            ]
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"
