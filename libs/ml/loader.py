"""Load the model for scoring, degrading to rules-only instead of failing.

A missing, corrupt (checksum mismatch, unreadable) or incompatible (format or
feature list) artifact never stops the job: ``load_model`` logs one warning
and returns a ``LoadedModel`` without a scorer, whose ``status`` the job
exports as a metric (``streamflow_model_available``).
"""

import logging
from dataclasses import dataclass
from pathlib import Path

from libs.detection.features import FEATURES
from libs.ml.artifact import ArtifactError, Manifest, read_artifact
from libs.ml.forest import ForestScorer

LOGGER = logging.getLogger("streamflow.model")


@dataclass(frozen=True)
class LoadedModel:
    """The scorer when there is one, and why not when there is not."""

    scorer: ForestScorer | None
    manifest: Manifest | None
    status: str
    reason: str = ""

    @property
    def available(self) -> bool:
        """True when ML scores blend into alerts."""
        return self.scorer is not None

    @property
    def population_amounts(self) -> dict[str, float]:
        """FR-001's per-category reference amounts (empty without a model)."""
        return dict(self.manifest.amount_quantiles) if self.manifest else {}

    @property
    def version(self) -> str | None:
        """The model version alerts carry (None when rules-only)."""
        return self.manifest.model_version if self.manifest else None


def load_model(
    directory: Path | None, features: tuple[str, ...] = FEATURES, backend: str = "numba"
) -> LoadedModel:
    """The model at ``directory``, or rules-only with one logged warning."""
    if directory is None:
        LOGGER.warning("no model configured: scoring with rules only")
        return LoadedModel(None, None, "missing", "no model configured")
    try:
        manifest, forest = read_artifact(directory, features)
        scorer = ForestScorer(forest, backend)
    except ArtifactError as error:
        LOGGER.warning("model %s: %s; scoring with rules only", error.kind, error)
        return LoadedModel(None, None, error.kind, str(error))
    except ValueError as error:
        LOGGER.warning("model corrupt: %s; scoring with rules only", error)
        return LoadedModel(None, None, "corrupt", str(error))
    LOGGER.info("model %s loaded (%d trees)", manifest.model_version, len(forest.roots))
    return LoadedModel(scorer, manifest, "ok")
