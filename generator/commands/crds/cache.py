"""The locked CRD files, materialised outside git in ``.cache/crds/<lock digest>/``.

Sources, in order: the mirror directory named by ``STREAMFLOW_CRD_MIRROR`` (laid
out ``<source>/<basename>``, e.g. a CI machine's copy of the upstream files),
else each file's raw URL at the lock's commit. Every byte is checked against the
lock before the cache exists: the files are written to a temporary sibling and
renamed into place only when all of them match, so a failure leaves no partial
cache. A complete cache is read, never written again, and needs no network; a
changed lock is a new digest, hence a new directory.
"""

import os
import shutil
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from generator.commands.crds.lock import (
    LOCK_FILE,
    Lock,
    LockedFile,
    Source,
    digest,
    load_lock,
    sha256,
)
from generator.commands.staged import build_once
from generator.commands.tools import ToolError
from generator.paths import REPO_ROOT

MIRROR_VARIABLE = "STREAMFLOW_CRD_MIRROR"
CACHE_ROOT = REPO_ROOT / ".cache" / "crds"
COMPLETE = ".complete"  # written last: a directory without it was never finished
MIRROR_NOTES = frozenset({"README.md"})  # a mirror may explain itself

Download = Callable[[str], bytes]


class CrdError(ToolError):
    """The locked CRDs could not be obtained, or what was obtained is not what the lock says."""


@dataclass(frozen=True)
class Synced:
    """Where the verified files are and where they came from this time."""

    directory: Path
    origin: str  # "cache" (nothing fetched), "mirror DIR" or "upstream"
    files: int


def cache_directory(lock_file: Path = LOCK_FILE, root: Path = CACHE_ROOT) -> Path:
    """The cache of one lock: named after the lock file's digest."""
    return root / sha256(lock_file)[:16]


def directory_problems(lock: Lock, directory: Path) -> list[str]:
    """Missing, changed or extra files of a ``<source>/<basename>`` directory against the lock."""
    found: list[str] = []
    expected: set[str] = set()
    for source, locked in lock.entries():
        relative = source.relative(locked)
        expected.add(relative)
        path = directory / relative
        if not path.is_file():
            found.append(f"{relative}: missing ({_origin(source, locked)})")
        elif (actual := sha256(path)) != locked.sha256:
            found.append(_mismatch(relative, source, locked, actual))
    for path in sorted(directory.rglob("*")):
        relative = path.relative_to(directory).as_posix()
        if path.is_file() and relative not in expected | {COMPLETE} | MIRROR_NOTES:
            found.append(f"{relative}: not in {LOCK_FILE.name}")
    return found


def _origin(source: Source, locked: LockedFile) -> str:
    return f"source {source.name}: {source.repository}@{source.commit[:12]} {locked.path}"


def _mismatch(relative: str, source: Source, locked: LockedFile, actual: str) -> str:
    return (
        f"{relative}: sha256 {actual} differs from the lock's {locked.sha256} "
        f"({_origin(source, locked)})"
    )


def _shown(path: Path) -> str:
    return str(path.relative_to(REPO_ROOT)) if path.is_relative_to(REPO_ROOT) else str(path)


def mirror_from_environment() -> Path | None:
    """The mirror ``STREAMFLOW_CRD_MIRROR`` names, or None to read upstream."""
    value = os.environ.get(MIRROR_VARIABLE)
    if not value:
        return None
    mirror = Path(value)
    if not mirror.is_dir():
        raise CrdError(f"{MIRROR_VARIABLE}={value}: not a directory")
    return mirror


def download(url: str) -> bytes:
    """One file from upstream (raw.githubusercontent.com)."""
    with urllib.request.urlopen(url, timeout=60) as response:
        return bytes(response.read())


def _from_mirror(lock: Lock, mirror: Path) -> dict[str, bytes]:
    found = directory_problems(lock, mirror)
    if found:
        raise CrdError(
            f"the CRD mirror {mirror} ({MIRROR_VARIABLE}) does not match {LOCK_FILE.name}:\n  "
            + "\n  ".join(found)
        )
    contents = {}
    for source, locked in lock.entries():
        relative = source.relative(locked)
        data = (mirror / relative).read_bytes()
        if digest(data) != locked.sha256:  # changed since it was checked
            raise CrdError(_mismatch(relative, source, locked, digest(data)))
        contents[relative] = data
    return contents


def _from_upstream(lock: Lock, fetch: Download) -> dict[str, bytes]:
    contents, found = {}, []
    for source, locked in lock.entries():
        relative, url = source.relative(locked), source.url(locked)
        try:
            data = fetch(url)
        except (OSError, urllib.error.URLError) as error:
            found.append(f"{relative}: cannot download {url}: {error} ({_origin(source, locked)})")
            continue
        if digest(data) != locked.sha256:
            found.append(_mismatch(relative, source, locked, digest(data)) + f" from {url}")
            continue
        contents[relative] = data
    if found:
        raise CrdError(
            f"the locked CRDs could not be obtained from upstream (set {MIRROR_VARIABLE} to a "
            "mirror where GitHub is unreachable):\n  " + "\n  ".join(found)
        )
    return contents


def install(contents: dict[str, bytes], target: Path) -> None:
    """Write verified files as ``target`` in one rename; nothing is left behind on failure."""

    def write(staging: Path) -> None:
        for relative, data in sorted(contents.items()):
            path = staging / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        (staging / COMPLETE).write_text("verified against crds/lock.yaml\n", encoding="utf-8")

    if target.exists():  # an unfinished or damaged earlier attempt
        shutil.rmtree(target)
    build_once(target, write)


def sync(
    lock_file: Path = LOCK_FILE,
    mirror: Path | None = None,
    fetch: Download = download,
    root: Path = CACHE_ROOT,
) -> Synced:
    """Make the cache of ``lock_file`` complete and verified; a warm cache is only read."""
    lock = load_lock(lock_file)
    target = cache_directory(lock_file, root)
    if (target / COMPLETE).is_file() and not directory_problems(lock, target):
        return Synced(target, "cache", len(lock.entries()))
    if mirror is not None:
        contents, origin = _from_mirror(lock, mirror), f"mirror {mirror}"
    else:
        contents, origin = _from_upstream(lock, fetch), "upstream"
    install(contents, target)
    return Synced(target, origin, len(contents))


def verified(lock_file: Path = LOCK_FILE, root: Path = CACHE_ROOT) -> Path:
    """The cache of ``lock_file``, each file checked against its sha256; what the checks read."""
    found = problems(lock_file, root)
    if found:
        raise CrdError("\n  ".join(["the locked CRDs are not usable:", *found]))
    return cache_directory(lock_file, root)


def problems(lock_file: Path = LOCK_FILE, root: Path = CACHE_ROOT) -> list[str]:
    """Why the cache of ``lock_file`` cannot be used; empty when every file is as locked."""
    target = cache_directory(lock_file, root)
    if not (target / COMPLETE).is_file():
        return [
            f"{_shown(target)}: not synced; run `python -m generator crds --sync` (`make setup` "
            f"does; {MIRROR_VARIABLE}=DIR reads a mirror instead of GitHub)"
        ]
    return directory_problems(load_lock(lock_file), target)
