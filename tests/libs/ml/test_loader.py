"""Missing, corrupt or incompatible models degrade to rules-only with one warning."""

import json
import logging
import shutil
from pathlib import Path

import numpy as np
import pytest
from sklearn.ensemble import IsolationForest

from libs.detection.features import FEATURES
from libs.ml.artifact import Manifest, read_artifact, write_artifact
from libs.ml.export import export_forest
from libs.ml.loader import load_model


@pytest.fixture(scope="module")
def artifact(tmp_path_factory: pytest.TempPathFactory) -> Path:
    rows = np.random.default_rng(0).normal(size=(2_000, len(FEATURES)))
    model = IsolationForest(n_estimators=10, max_samples=128, random_state=0).fit(rows)
    directory = tmp_path_factory.mktemp("model")
    manifest = Manifest("iforest-test", list(FEATURES), "1.9.1", 10, 128, 0, "ab" * 32, 2_000, 0.6)
    write_artifact(directory, export_forest(model, len(FEATURES)), manifest)
    return directory


def _copy(artifact: Path, tmp_path: Path) -> Path:
    target = tmp_path / "model"
    shutil.copytree(artifact, target)
    return target


def test_valid_model_loads(artifact: Path) -> None:
    loaded = load_model(artifact)
    assert loaded.available and loaded.status == "ok" and loaded.version == "iforest-test"
    assert loaded.scorer is not None
    assert 0.0 < loaded.scorer.score([0.0] * len(FEATURES)) <= 1.0


def _assert_rules_only(
    directory: Path | None, status: str, fragment: str, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="streamflow.model"):
        loaded = load_model(directory)
    assert not loaded.available and loaded.scorer is None and loaded.version is None
    assert loaded.status == status
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1 and fragment in warnings[0].getMessage()
    assert "rules only" in warnings[0].getMessage()


def test_missing_model(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    _assert_rules_only(tmp_path / "nowhere", "missing", "no model at", caplog)


def test_no_model_configured(caplog: pytest.LogCaptureFixture) -> None:
    _assert_rules_only(None, "missing", "no model configured", caplog)


def test_checksum_mismatch(
    artifact: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    model = _copy(artifact, tmp_path)
    data = bytearray((model / "forest.npz").read_bytes())
    data[len(data) // 2] ^= 0xFF
    (model / "forest.npz").write_bytes(bytes(data))
    _assert_rules_only(model, "corrupt", "does not match the manifest", caplog)


def test_unreadable_manifest(
    artifact: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    model = _copy(artifact, tmp_path)
    (model / "model.json").write_text("{not json")
    _assert_rules_only(model, "corrupt", "unreadable manifest", caplog)


def test_feature_list_mismatch(
    artifact: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    model = _copy(artifact, tmp_path)
    manifest = json.loads((model / "model.json").read_text())
    manifest["features"] = [*manifest["features"][:-1], "device_age"]
    (model / "model.json").write_text(json.dumps(manifest))
    _assert_rules_only(model, "incompatible", "differ from the job's", caplog)


def test_format_version_mismatch(
    artifact: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    model = _copy(artifact, tmp_path)
    manifest = json.loads((model / "model.json").read_text())
    manifest["format"] = "streamflow-iforest/2"
    (model / "model.json").write_text(json.dumps(manifest))
    _assert_rules_only(model, "incompatible", "streamflow-iforest/2", caplog)


def test_artifact_bytes_are_reproducible(artifact: Path, tmp_path: Path) -> None:
    manifest, forest = read_artifact(artifact, FEATURES)
    again = write_artifact(tmp_path / "again", forest, manifest)
    assert again.arrays_sha256 == manifest.arrays_sha256
