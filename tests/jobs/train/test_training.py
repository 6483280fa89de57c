"""Training is deterministic and is judged on data it did not see."""

from pathlib import Path

import pytest

from jobs.events.world import build_world
from jobs.train.__main__ import main
from jobs.train.dataset import Dataset, generated, replay
from jobs.train.training import TrainingSettings, train
from libs.detection.config import load_rules
from libs.detection.features import FEATURES
from libs.ml.artifact import read_artifact

EVENTS = 20_000


@pytest.fixture(scope="module")
def dataset() -> Dataset:
    world = build_world(5)
    return replay(
        generated(5, EVENTS, world),
        load_rules(),
        frozenset(world.blacklisted_customers),
        frozenset(world.blacklisted_stores),
    )


def test_same_seed_same_model(dataset: Dataset, tmp_path: Path) -> None:
    settings = TrainingSettings(seed=3, trees=20, max_samples=128)
    first = train(dataset, load_rules(), settings, tmp_path / "a")
    second = train(dataset, load_rules(), settings, tmp_path / "b")
    assert first == second
    assert (tmp_path / "a" / "forest.npz").read_bytes() == (
        tmp_path / "b" / "forest.npz"
    ).read_bytes()
    other = train(
        dataset, load_rules(), TrainingSettings(seed=4, trees=20, max_samples=128), tmp_path / "c"
    )
    assert other.arrays_sha256 != first.arrays_sha256


def test_metrics_come_from_the_held_out_share(dataset: Dataset, tmp_path: Path) -> None:
    manifest = train(dataset, load_rules(), TrainingSettings(trees=20, train_share=0.7), tmp_path)
    fit_on, held_out = dataset.split(0.7)
    assert manifest.training_rows == len(fit_on.labels) == int(0.7 * len(dataset.labels))
    assert manifest.metrics["rows"] == len(held_out.labels)
    assert manifest.training_data_sha256 == fit_on.digest() != held_out.digest()
    assert set(fit_on.payload_sha256).isdisjoint(held_out.payload_sha256)
    for method in ("rules_only", "ml_only", "blended"):
        counts = manifest.metrics[method]
        assert (
            counts["true_positives"] + counts["false_negatives"] == manifest.metrics["fraud_rows"]
        )


def test_artifact_records_provenance(dataset: Dataset, tmp_path: Path) -> None:
    manifest = train(dataset, load_rules(), TrainingSettings(trees=20), tmp_path)
    loaded, forest = read_artifact(tmp_path, FEATURES)
    assert loaded == manifest
    assert manifest.features == list(FEATURES) and manifest.sklearn_version.startswith("1.")
    assert len(forest.roots) == 20


def test_cli_trains_from_the_generator(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--output", str(tmp_path), "--events", "5000", "--trees", "10"]) == 0
    assert '"model_version": "iforest-' in capsys.readouterr().out
    assert (tmp_path / "model.json").exists()
