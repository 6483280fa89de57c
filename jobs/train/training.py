"""Fit the Isolation Forest and measure rules-only, ML-only and blended alerting."""

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from jobs.train.dataset import Dataset
from jobs.train.metrics import quality
from libs.detection.config import RulesConfig
from libs.detection.features import FEATURES
from libs.ml.artifact import Manifest, write_artifact
from libs.ml.export import export_forest
from libs.ml.forest import ForestScorer


@dataclass(frozen=True)
class TrainingSettings:
    """Hyper-parameters; the seed makes the forest reproducible."""

    seed: int = 42
    trees: int = 100
    max_samples: int = 256
    train_share: float = 0.7
    ml_quantile: float = 0.98
    amount_quantile: float = 0.999


def evaluate_held_out(
    config: RulesConfig, scorer: ForestScorer, held_out: Dataset, ml_threshold: float
) -> dict[str, Any]:
    """Precision/recall of the three ways of alerting, on rows not used for training."""
    ml = scorer.score_batch(held_out.features)
    blended = config.alpha * ml + (1 - config.alpha) * held_out.rules_score
    labels = held_out.labels
    return {
        "rows": len(labels),
        "fraud_rows": int(labels.sum()),
        "rules_only": quality(held_out.rules_score >= config.alert_threshold, labels).as_dict(),
        "ml_only": quality(ml >= ml_threshold, labels).as_dict(),
        "blended": quality(blended >= config.alert_threshold, labels).as_dict(),
    }


def train(
    dataset: Dataset, config: RulesConfig, settings: TrainingSettings, output: Path
) -> Manifest:
    """Fit on the earlier share, evaluate on the later one, write the artifact."""
    from sklearn import __version__ as sklearn_version  # noqa: PLC0415
    from sklearn.ensemble import IsolationForest  # noqa: PLC0415

    fit_on, held_out = dataset.split(settings.train_share)
    if len(fit_on.labels) < settings.max_samples or not len(held_out.labels):
        raise ValueError(f"{len(dataset.labels)} rows are too few to train and evaluate")
    model = IsolationForest(
        n_estimators=settings.trees,
        max_samples=settings.max_samples,
        random_state=settings.seed,
    ).fit(fit_on.features)
    scorer = ForestScorer(export_forest(model, len(FEATURES)))
    ml_threshold = float(np.quantile(scorer.score_batch(fit_on.features), settings.ml_quantile))
    metrics = evaluate_held_out(config, scorer, held_out, ml_threshold)
    data_hash = fit_on.digest()
    manifest = Manifest(
        model_version=f"iforest-{data_hash[:12]}-s{settings.seed}",
        features=list(FEATURES),
        sklearn_version=sklearn_version,
        n_estimators=settings.trees,
        max_samples=settings.max_samples,
        seed=settings.seed,
        training_data_sha256=data_hash,
        training_rows=len(fit_on.labels),
        ml_alert_threshold=ml_threshold,
        metrics=metrics,
        amount_quantile_level=settings.amount_quantile,
        amount_quantiles=fit_on.amount_quantiles(settings.amount_quantile),
    )
    return write_artifact(output, scorer.forest, manifest)
