"""Directories of derived files that appear whole or not at all.

The schema and CRD caches under ``.cache/`` are read by several processes at
once (``make test`` runs the gates and the test suites in parallel): a reader
must never see a half-written directory. Each is built in a temporary sibling
and renamed into place; when two builders race, the first rename wins and the
other's copy is discarded, which is harmless because both built the same thing.
"""

import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path


def build_once(target: Path, build: Callable[[Path], object]) -> Path:
    """``target``, built by ``build(staging)`` unless it already exists."""
    if target.is_dir():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=target.parent))
    try:
        staging.chmod(0o755)  # mkdtemp makes it private; the cache serves every user
        build(staging)
        try:
            staging.rename(target)
        except OSError:  # another process renamed its copy first
            if not target.is_dir():
                raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return target
