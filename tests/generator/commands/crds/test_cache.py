"""The locked CRDs are obtained from a mirror or upstream, verified, and never committed."""

import hashlib
import shutil
import subprocess
from pathlib import Path

import pytest

from generator.commands.crds import refresh
from generator.commands.crds.cache import (
    COMPLETE,
    CrdError,
    cache_directory,
    problems,
    sync,
    verified,
)
from generator.commands.crds.lock import LOCK_FILE, load_lock
from tests.conftest import REPO


@pytest.fixture
def mirror(tmp_path: Path) -> Path:
    """A mirror laid out ``<source>/<basename>`` with exactly the locked files (from the cache)."""
    copy = Path(shutil.copytree(verified(), tmp_path / "mirror"))
    (copy / COMPLETE).unlink()
    (copy / "README.md").write_text("a mirror may explain itself\n")
    return copy


@pytest.fixture
def lock_file(tmp_path: Path) -> Path:
    """The real lock, in a place of its own (its cache is keyed by its digest)."""
    return Path(shutil.copy(LOCK_FILE, tmp_path / "lock.yaml"))


def _files(directory: Path) -> dict[str, bytes]:
    return {
        path.relative_to(directory).as_posix(): path.read_bytes()
        for path in sorted(directory.rglob("*"))
        if path.is_file()
    }


def _no_network(url: str) -> bytes:
    raise AssertionError(f"no download expected, asked for {url}")


def test_sync_fills_an_empty_cache_from_the_mirror(mirror: Path, lock_file: Path,
                                                   tmp_path: Path) -> None:  # fmt: skip
    root = tmp_path / "cache"
    synced = sync(lock_file, mirror=mirror, fetch=_no_network, root=root)
    assert synced.origin == f"mirror {mirror}"
    assert synced.directory == cache_directory(lock_file, root)
    assert synced.files == len(load_lock(lock_file).entries()) == 13
    assert problems(lock_file, root) == []
    expected = {name: data for name, data in _files(mirror).items() if name != "README.md"}
    assert {k: v for k, v in _files(synced.directory).items() if k != COMPLETE} == expected


def test_a_warm_cache_is_only_read(mirror: Path, lock_file: Path, tmp_path: Path) -> None:
    root = tmp_path / "cache"
    first = sync(lock_file, mirror=mirror, root=root)
    before = {path: path.stat().st_mtime_ns for path in root.rglob("*")}
    shutil.rmtree(mirror)  # neither the mirror nor the network is needed any more
    again = sync(lock_file, mirror=None, fetch=_no_network, root=root)
    assert (again.origin, again.directory) == ("cache", first.directory)
    assert {path: path.stat().st_mtime_ns for path in root.rglob("*")} == before


def test_a_changed_missing_or_extra_mirror_file_is_named(mirror: Path, lock_file: Path,
                                                         tmp_path: Path) -> None:  # fmt: skip
    kafka = mirror / "strimzi" / "040-Crd-kafka.yaml"
    kafka.write_bytes(kafka.read_bytes() + b"# local edit\n")
    (mirror / "strimzi" / "043-Crd-kafkatopic.yaml").unlink()
    (mirror / "strimzi" / "extra.yaml").write_text("{}\n")
    with pytest.raises(CrdError) as raised:
        sync(lock_file, mirror=mirror, root=tmp_path / "cache")
    message = str(raised.value)
    changed = hashlib.sha256(kafka.read_bytes()).hexdigest()
    locked = next(f for f in load_lock(lock_file).sources[-1].files if "kafka.yaml" in f.path)
    assert f"strimzi/040-Crd-kafka.yaml: sha256 {changed} differs from the lock's " \
           f"{locked.sha256}" in message  # fmt: skip
    assert "helm-charts/helm3/strimzi-kafka-operator/crds/040-Crd-kafka.yaml" in message
    assert "strimzi/043-Crd-kafkatopic.yaml: missing (source strimzi" in message
    assert "strimzi/extra.yaml: not in lock.yaml" in message
    assert not (tmp_path / "cache").exists()


def test_a_mismatching_download_writes_no_cache(mirror: Path, lock_file: Path,
                                                tmp_path: Path) -> None:  # fmt: skip
    served = {  # upstream, as a fake: every file right but one
        source.url(locked): (mirror / source.relative(locked)).read_bytes()
        for source, locked in load_lock(lock_file).entries()
    }
    tampered = next(url for url in served if url.endswith("crd-prometheusrules.yaml"))
    served[tampered] += b"\n"
    root = tmp_path / "cache"
    with pytest.raises(CrdError, match=r"prometheus-operator/crd-prometheusrules\.yaml: sha256 "):
        sync(lock_file, mirror=None, fetch=served.__getitem__, root=root)
    assert not root.exists() or not any(root.iterdir())

    served[tampered] = served[tampered][:-1]
    assert sync(lock_file, mirror=None, fetch=served.__getitem__, root=root).origin == "upstream"
    assert problems(lock_file, root) == []


def test_an_unfinished_or_edited_cache_is_not_used(mirror: Path, lock_file: Path,
                                                   tmp_path: Path) -> None:  # fmt: skip
    root = tmp_path / "cache"
    assert "not synced; run `python -m generator crds --sync`" in problems(lock_file, root)[0]
    directory = sync(lock_file, mirror=mirror, root=root).directory
    edited = directory / "argo-cd" / "application-crd.yaml"
    edited.write_text("kind: Edited\n")
    assert problems(lock_file, root)[0].startswith("argo-cd/application-crd.yaml: sha256 ")
    with pytest.raises(CrdError, match=r"argo-cd/application-crd\.yaml"):
        verified(lock_file, root)
    assert sync(lock_file, mirror=mirror, root=root).origin == f"mirror {mirror}"  # repaired
    assert problems(lock_file, root) == []


def test_no_tracked_file_is_a_copy_of_a_locked_crd() -> None:
    locked = {entry.sha256 for _, entry in load_lock().entries()}
    tracked = (
        subprocess.run(["git", "ls-files", "-z"], cwd=REPO, capture_output=True, check=True)
        .stdout.decode()
        .split("\0")
    )
    copies = [
        name
        for name in tracked
        if name
        and (REPO / name).is_file()
        and hashlib.sha256((REPO / name).read_bytes()).hexdigest() in locked
    ]
    assert copies == []


def test_refresh_re_pins_the_lock_and_fills_only_the_cache(
    mirror: Path, lock_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lock = load_lock(lock_file)
    commits = {source.repository: source.commit for source in lock.sources}
    monkeypatch.setattr(refresh, "resolve_commit", lambda repository, _tag: commits[repository])
    served = {source.url(f): (mirror / source.relative(f)).read_bytes() for source, f in
              lock.entries()}  # fmt: skip
    bumped = next(url for url in served if url.endswith("crd-servicemonitors.yaml"))
    served[bumped] += b"# a newer upstream file\n"
    root = tmp_path / "cache"

    new = refresh.refresh(lock_file, root, fetch=served.__getitem__)

    changed = {f.path: f.sha256 for _, f in new.entries()}.items() - {
        f.path: f.sha256 for _, f in lock.entries()
    }.items()
    assert changed == {(bumped.split(f"{commits['prometheus-community/helm-charts']}/")[1],
                        hashlib.sha256(served[bumped]).hexdigest())}  # fmt: skip
    assert load_lock(lock_file) == new
    assert lock_file.read_text().startswith(refresh.HEADER)
    assert problems(lock_file, root) == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cache", "lock.yaml", "mirror"]
