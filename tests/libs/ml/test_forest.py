"""The exported forest scores exactly like scikit-learn, one event or many."""

import math

import numpy as np
import numpy.typing as npt
import pytest
from sklearn.ensemble import IsolationForest

from libs.ml.export import export_forest
from libs.ml.forest import FeatureError, ForestScorer

FEATURES = 6


def _data(rows: int, seed: int) -> npt.NDArray[np.float64]:
    rng = np.random.default_rng(seed)
    normal = rng.normal(size=(rows, FEATURES)) * [1.0, 0.5, 2.0, 3.0, 1.0, 0.7]
    normal[:, 4] = rng.poisson(1.0, size=rows)  # a count-like feature with ties
    return normal


def _fitted(backend: str = "numba", **options: object) -> tuple[IsolationForest, ForestScorer]:
    model = IsolationForest(random_state=7, **options).fit(_data(5_000, 1))
    return model, ForestScorer(export_forest(model, FEATURES), backend)


@pytest.fixture(scope="module", params=["numba", "python"])
def fitted(request: pytest.FixtureRequest) -> tuple[IsolationForest, ForestScorer]:
    return _fitted(request.param, n_estimators=100, max_samples=256)


def _probe(model: IsolationForest, rows: int) -> npt.NDArray[np.float64]:
    """Ordinary rows, far outliers, and rows sitting exactly on split thresholds."""
    probe = _data(rows, 2)
    probe[: rows // 10] *= 25.0
    tree = model.estimators_[0].tree_
    split = np.flatnonzero(tree.children_left != -1)
    for i, node in enumerate(split[: rows // 10]):
        row = rows // 10 + i
        probe[row, tree.feature[node]] = np.float32(tree.threshold[node])
    return probe


def test_batch_matches_score_samples_on_50k_rows(
    fitted: tuple[IsolationForest, ForestScorer],
) -> None:
    model, scorer = fitted
    rows = _probe(model, 50_000)
    expected = -model.score_samples(rows)
    np.testing.assert_allclose(scorer.score_batch(rows), expected, rtol=0, atol=1e-9)


def test_single_event_matches_score_samples_on_50k_rows(
    fitted: tuple[IsolationForest, ForestScorer],
) -> None:
    model, scorer = fitted
    rows = _probe(model, 50_000)
    expected = -model.score_samples(rows)
    single = np.array([scorer.score(row.tolist()) for row in rows])
    assert np.max(np.abs(single - expected)) <= 1e-9


def test_values_on_thresholds_go_left_like_scikit_learn(
    fitted: tuple[IsolationForest, ForestScorer],
) -> None:
    model, scorer = fitted
    tree = model.estimators_[0].tree_
    node = int(np.flatnonzero(tree.children_left != -1)[0])
    row = np.zeros((1, FEATURES))
    for nudge in (0.0, 1e-6, -1e-6):
        row[0, tree.feature[node]] = float(np.float32(tree.threshold[node])) + nudge
        assert scorer.score(row[0].tolist()) == pytest.approx(
            -model.score_samples(row)[0], abs=1e-12
        )


@pytest.mark.parametrize("backend", ["numba", "python"])
def test_single_tree_forest(backend: str) -> None:
    model, scorer = _fitted(backend, n_estimators=1, max_samples=64)
    rows = _data(2_000, 3)
    np.testing.assert_allclose(scorer.score_batch(rows), -model.score_samples(rows), atol=1e-9)
    assert scorer.score(rows[0].tolist()) == pytest.approx(
        -model.score_samples(rows[:1])[0], abs=1e-9
    )


@pytest.mark.parametrize("backend", ["numba", "python"])
def test_feature_subsampling_maps_columns(backend: str) -> None:
    model, scorer = _fitted(backend, n_estimators=20, max_samples=128, max_features=3)
    rows = _data(3_000, 4)
    np.testing.assert_allclose(scorer.score_batch(rows), -model.score_samples(rows), atol=1e-9)


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf, 1e39])
def test_non_finite_or_overflowing_features_are_rejected(
    fitted: tuple[IsolationForest, ForestScorer], bad: float
) -> None:
    _, scorer = fitted
    row = [0.0] * FEATURES
    row[2] = bad
    with pytest.raises(FeatureError):
        scorer.score(row)
    with pytest.raises(FeatureError):
        scorer.score_batch([row])


def test_unknown_backend_is_refused() -> None:
    model = IsolationForest(n_estimators=2, random_state=0).fit(_data(100, 5))
    with pytest.raises(ValueError, match="unknown scoring backend 'gpu'"):
        ForestScorer(export_forest(model, FEATURES), "gpu")


def test_wrong_number_of_features_is_rejected(fitted: tuple[IsolationForest, ForestScorer]) -> None:
    _, scorer = fitted
    with pytest.raises(FeatureError, match="expected 6 features, got 5"):
        scorer.score([0.0] * 5)
    with pytest.raises(FeatureError, match="expected rows of 6 features"):
        scorer.score_batch(np.zeros((3, 5)))
