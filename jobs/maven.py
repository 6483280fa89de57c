"""Resolve jars from Maven Central once, into a cache outside the repository.

A pom in the repository pins the artifacts; its content hash names the cache
directory, so editing the pom fetches again and nothing stale is reused.
"""

import hashlib
import os
import shutil
import subprocess
import tempfile
from pathlib import Path


class MavenError(RuntimeError):
    """Maven could not resolve the pinned artifacts."""


def cache_root() -> Path:
    """Where downloaded artifacts live (``STREAMFLOW_CACHE``, default ``~/.cache/streamflow``)."""
    return Path(os.environ.get("STREAMFLOW_CACHE", "~/.cache/streamflow")).expanduser()


def resolve(pom: Path, name: str) -> Path:
    """Directory holding the pom's runtime dependencies (resolved on first use)."""
    digest = hashlib.sha256(pom.read_bytes()).hexdigest()[:12]
    libs = cache_root() / f"{name}-{digest}"
    marker = libs / ".complete"
    if marker.exists():
        return libs
    cache_root().mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f"{name}-", dir=cache_root()))
    command = [
        "mvn",
        "-q",
        "-B",
        "-f",
        str(pom),
        "dependency:copy-dependencies",
        f"-DoutputDirectory={staging}",
        "-DincludeScope=runtime",
    ]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        shutil.rmtree(staging, ignore_errors=True)
        raise MavenError(f"Maven could not resolve {pom}:\n{result.stdout}{result.stderr}")
    shutil.rmtree(libs, ignore_errors=True)
    staging.rename(libs)
    marker.write_text(digest)
    return libs
