"""Resolved jars must match the sha256 list committed beside their pom."""

import hashlib
from pathlib import Path

import pytest

from libs.maven import MavenError, checksums_file, jar_checksums, verify


def _pom_with_jar(tmp_path: Path, content: bytes) -> tuple[Path, Path]:
    pom = tmp_path / "thing-pom.xml"
    pom.write_text("<project/>")
    libs = tmp_path / "libs"
    libs.mkdir()
    (libs / "a-1.0.jar").write_bytes(content)
    return pom, libs


def test_matching_jars_pass(tmp_path: Path) -> None:
    pom, libs = _pom_with_jar(tmp_path, b"jar")
    checksums_file(pom).write_text(f"{hashlib.sha256(b'jar').hexdigest()}  a-1.0.jar\n")
    verify(pom, libs)
    assert jar_checksums(libs) == {"a-1.0.jar": hashlib.sha256(b"jar").hexdigest()}


def test_a_different_artifact_under_the_same_name_fails(tmp_path: Path) -> None:
    pom, libs = _pom_with_jar(tmp_path, b"tampered")
    checksums_file(pom).write_text(f"{hashlib.sha256(b'jar').hexdigest()}  a-1.0.jar\n")
    with pytest.raises(MavenError, match=r"do not match .*thing-pom.sha256: \['a-1.0.jar'\]"):
        verify(pom, libs)


def test_a_missing_list_says_how_to_record_it(tmp_path: Path) -> None:
    pom, libs = _pom_with_jar(tmp_path, b"jar")
    with pytest.raises(MavenError, match=r"python -m libs\.maven --record"):
        verify(pom, libs)


def test_the_committed_lists_match_the_poms_caches() -> None:
    from devtools.testing.kafka import POM, kafka_version  # noqa: PLC0415
    from jobs.flink.jars import CONNECTORS_POM  # noqa: PLC0415
    from libs.maven import resolve  # noqa: PLC0415

    for pom, name in ((CONNECTORS_POM, "flink-connectors"), (POM, f"kafka-{kafka_version()}")):
        verify(pom, resolve(pom, name))
