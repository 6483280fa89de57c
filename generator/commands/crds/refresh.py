"""Re-pin the locked CRDs from upstream (needs github.com; ``make test`` never does).

After bumping a chart, set the source's ``chart_version`` and ``tag`` in
``crds/lock.yaml``; this resolves each tag to a commit, downloads every listed
path at that commit, rewrites the lock with the new commits and checksums and
fills the new lock's cache. No CRD file is written into the repository: review
the lock's diff.
"""

import urllib.request
from pathlib import Path

import yaml

from generator.commands.crds.cache import CACHE_ROOT, Download, cache_directory, download, install
from generator.commands.crds.lock import LOCK_FILE, Lock, Source, digest, load_lock

HEADER = """\
# The operators' CustomResourceDefinitions, locked: where each file comes from
# (repository, tag, commit, path) and the sha256 it must have. No CRD file is
# committed: `python -m generator crds --sync` (run by `make setup`) obtains them
# into .cache/crds/<digest of this file>/ from $STREAMFLOW_CRD_MIRROR (a directory
# laid out <source>/<basename>) or else from GitHub at the commit, and checks every
# byte against this lock before use. `python -m generator crds --refresh` (needs
# github.com) re-pins after you change a source's `chart_version` and `tag` here
# together with the spec's chart pin; a test fails when they differ. ADR 0016.
"""


def resolve_commit(repository: str, tag: str) -> str:
    """The commit a tag points at, from GitHub's API."""
    request = urllib.request.Request(
        f"https://api.github.com/repos/{repository}/commits/{tag}",
        headers={"Accept": "application/vnd.github.sha"},
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        return bytes(response.read()).decode().strip()


def refreshed(source: Source, contents: dict[str, bytes], fetch: Download) -> Source:
    """One source at its tag's commit with new checksums; its files land in ``contents``."""
    pinned = source.model_copy(update={"commit": resolve_commit(source.repository, source.tag)})
    files = []
    for locked in source.files:
        data = fetch(pinned.url(locked))
        contents[pinned.relative(locked)] = data
        files.append(locked.model_copy(update={"sha256": digest(data)}))
    return pinned.model_copy(update={"files": files})


def refresh(
    lock_file: Path = LOCK_FILE, root: Path = CACHE_ROOT, fetch: Download = download
) -> Lock:
    """Re-pin every source, rewrite the lock file and fill its cache."""
    contents: dict[str, bytes] = {}
    lock = Lock(sources=[refreshed(s, contents, fetch) for s in load_lock(lock_file).sources])
    body = yaml.safe_dump(lock.model_dump(exclude_defaults=True), sort_keys=False, width=100)
    lock_file.write_text(HEADER + body, encoding="utf-8")
    install(contents, cache_directory(lock_file, root))
    return lock
