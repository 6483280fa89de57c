"""The compiled scoring core (``libs/detection/native``, Rust), built from a ``DetectorContext``.

``core.detect`` and ``core.to_alert`` stay the readable reference: the tests, the
backfill and training use them, and the Flink job falls back to them. The
compiled core does the same per-event work in one call — parse, decode the
state, signals, rules, forest, blend, next state, alert JSON and bronze row — and returns
``None`` for any event it is not sure of (an unusual but valid JSON form, a
corrupt state, a value outside its exactness envelope), which then takes the
Python path: the compiled path only ever adds speed, never a decision of its own
(tests/libs/detection/test_compiled.py holds the two equal; ADR 0021).

The rules' thresholds and weights are read from ``rules.toml`` at start-up and
passed in, so changing a rule needs no rebuild.
"""

import importlib
import logging
from types import ModuleType
from typing import Any

from libs.detection.core import ALERT_NAMESPACE, DetectorContext
from libs.detection.signals import HOUR_COS, HOUR_SIN

LOGGER = logging.getLogger("streamflow.scoring")
MODULE = "streamflow_scoring"


def load_native(module: str = MODULE) -> ModuleType | None:
    """The compiled module, or None (logged once, here) when it cannot be imported."""
    try:
        return importlib.import_module(module)
    except ImportError as error:
        LOGGER.warning("compiled scoring core unavailable (%s): scoring in Python", error)
        return None


def compiled_detector(native: ModuleType, context: DetectorContext) -> Any:
    """A ``streamflow_scoring.Detector`` scoring exactly as ``core.detect`` with ``context``."""
    forest = None
    if context.scorer is not None:
        arrays = context.scorer.forest
        forest = (
            arrays.left.tolist(),
            arrays.right.tolist(),
            arrays.feature.tolist(),
            arrays.threshold.tolist(),
            arrays.value.tolist(),
            arrays.roots.tolist(),
            float(arrays.denominator),
        )
    detector = native.Detector(
        context.config.model_dump(),
        HOUR_COS,
        HOUR_SIN,
        ALERT_NAMESPACE.bytes,
        dict(context.population_amounts),
        forest,
        context.model_version,
    )
    detector.set_blacklist(set(context.blacklisted_customers), set(context.blacklisted_stores))
    return detector
