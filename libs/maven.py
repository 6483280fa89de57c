"""Resolve jars from Maven Central once, into a cache outside the repository.

A pom in the repository pins the artifacts; its content hash names the cache
directory, so editing the pom fetches again and nothing stale is reused. Maven
checks each download against the repository's checksums (``--strict-checksums``),
and every resolved jar must then match the sha256 committed beside the pom
(``<pom>.sha256``), so a different artifact under the same coordinates fails.
Refresh that list after editing a pom: ``python -m libs.maven --record POM NAME``.
"""

import argparse
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path


class MavenError(RuntimeError):
    """Maven could not resolve the pinned artifacts."""


def cache_root() -> Path:
    """Where downloaded artifacts live (``STREAMFLOW_CACHE``, default ``~/.cache/streamflow``)."""
    return Path(os.environ.get("STREAMFLOW_CACHE", "~/.cache/streamflow")).expanduser()


def checksums_file(pom: Path) -> Path:
    """The committed sha256 list of a pom's resolved jars."""
    return pom.with_suffix(".sha256")


def jar_checksums(directory: Path) -> dict[str, str]:
    """Jar name → sha256 of every jar in a directory."""
    return {
        jar.name: hashlib.sha256(jar.read_bytes()).hexdigest()
        for jar in sorted(directory.glob("*.jar"))
    }


def _expected(pom: Path) -> dict[str, str]:
    path = checksums_file(pom)
    if not path.exists():
        raise MavenError(f"{path} is missing: run `python -m libs.maven --record {pom} NAME`")
    entries = (line.split() for line in path.read_text(encoding="utf-8").splitlines() if line)
    return {name: digest for digest, name in entries}


def verify(pom: Path, directory: Path) -> None:
    """Raise ``MavenError`` unless the jars in ``directory`` are exactly the committed ones."""
    expected, actual = _expected(pom), jar_checksums(directory)
    if expected != actual:
        differing = sorted(n for n in expected.keys() | actual.keys()
                           if expected.get(n) != actual.get(n))  # fmt: skip
        raise MavenError(f"jars resolved for {pom} do not match {checksums_file(pom)}: {differing}")


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
        "--strict-checksums",
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
    try:
        verify(pom, staging)
    except MavenError:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    shutil.rmtree(libs, ignore_errors=True)
    staging.rename(libs)
    marker.write_text(digest)
    return libs


def main(argv: list[str] | None = None) -> int:
    """``--record POM NAME``: resolve the pom and write its jars' sha256 list."""
    parser = argparse.ArgumentParser(prog="python -m libs.maven", description=__doc__)
    parser.add_argument("--record", nargs=2, metavar=("POM", "NAME"), required=True)
    pom_name, name = parser.parse_args(argv).record
    pom = Path(pom_name)
    checksums_file(pom).write_text("", encoding="utf-8")
    staging = Path(tempfile.mkdtemp(prefix=f"{name}-record-"))
    try:
        subprocess.run(["mvn", "-q", "-B", "--strict-checksums", "-f", str(pom),
                        "dependency:copy-dependencies", f"-DoutputDirectory={staging}",
                        "-DincludeScope=runtime"], check=True)  # fmt: skip
        lines = [f"{digest}  {jar}" for jar, digest in jar_checksums(staging).items()]
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    checksums_file(pom).write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"{checksums_file(pom)}: {len(lines)} jars")
    return 0


if __name__ == "__main__":
    sys.exit(main())
