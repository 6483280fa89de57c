"""Download the vendored CRDs again from upstream (needs github.com; ``make test`` never does).

After bumping a chart, set the source's ``chart_version`` and ``tag`` in
``crds/lock.yaml``; this resolves the tag to a commit, fetches every listed
path at that commit and rewrites the files and checksums. Review the diff.
"""

import hashlib
import urllib.request
from pathlib import Path

import yaml

from generator.crds.lock import CRD_DIR, LOCK_FILE, Lock, Source, load_lock

HEADER = """\
# Vendored CustomResourceDefinitions: every file in this folder, byte for byte as
# upstream publishes it, at the version of the chart that installs it.
# Local file: crds/<source name>/<basename of path>. Verified offline by
# `python -m generator crds --check` (run by `make test`); refreshed by
# `python -m generator crds --refresh` (needs github.com) after you change a
# source's `chart_version` and `tag` here together with the spec's chart pin.
# A test fails when a chart pin in specs/ or terragrunt/ and `chart_version` differ.
"""


def _get(url: str, accept: str | None = None) -> bytes:
    request = urllib.request.Request(url, headers={"Accept": accept} if accept else {})
    with urllib.request.urlopen(request, timeout=60) as response:
        return bytes(response.read())


def _commit(repository: str, tag: str) -> str:
    url = f"https://api.github.com/repos/{repository}/commits/{tag}"
    return _get(url, accept="application/vnd.github.sha").decode().strip()


def refreshed(source: Source, root: Path) -> Source:
    """Fetch one source's files at its tag; returns the source with new commit and checksums."""
    pinned = source.model_copy(update={"commit": _commit(source.repository, source.tag)})
    files = []
    for vendored in source.files:
        content = _get(pinned.url(vendored))
        local = pinned.local(vendored, root)
        local.parent.mkdir(parents=True, exist_ok=True)
        local.write_bytes(content)
        files.append(vendored.model_copy(update={"sha256": hashlib.sha256(content).hexdigest()}))
    return pinned.model_copy(update={"files": files})


def refresh(lock_file: Path = LOCK_FILE, root: Path = CRD_DIR) -> Lock:
    """Refresh every source and rewrite the lock file."""
    lock = Lock(sources=[refreshed(source, root) for source in load_lock(lock_file).sources])
    body = yaml.safe_dump(lock.model_dump(exclude_defaults=True), sort_keys=False, width=100)
    lock_file.write_text(HEADER + body, encoding="utf-8")
    return lock
