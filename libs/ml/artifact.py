"""The model artifact: ``model.json`` (manifest) + ``forest.npz`` (arrays), checksummed.

No pickle: the job never executes anything from the artifact. The npz is
written with fixed zip timestamps, so the same training run produces the same
bytes and the same checksum.
"""

import hashlib
import io
import json
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from libs.ml.forest import ForestArrays

FORMAT = "streamflow-iforest/1"
MANIFEST = "model.json"
ARRAYS = "forest.npz"
_ARRAY_NAMES = ("left", "right", "feature", "threshold", "value", "n_node_samples", "roots")


@dataclass(frozen=True)
class Manifest:
    """What the arrays are and where they came from."""

    model_version: str
    features: list[str]
    sklearn_version: str
    n_estimators: int
    max_samples: int
    seed: int
    training_data_sha256: str
    training_rows: int
    ml_alert_threshold: float
    metrics: dict[str, Any] = field(default_factory=dict)
    # Category → this quantile of legitimate amounts: FR-001's reference for customers
    # with a short history (empty in artifacts written before it existed).
    amount_quantile_level: float = 0.999
    amount_quantiles: dict[str, float] = field(default_factory=dict)
    arrays_sha256: str = ""
    format: str = FORMAT


def _npz_bytes(forest: ForestArrays) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        arrays = {name: getattr(forest, name) for name in _ARRAY_NAMES}
        arrays["denominator"] = np.asarray([forest.denominator], dtype=np.float64)
        arrays["n_features"] = np.asarray([forest.n_features], dtype=np.int32)
        for name, array in arrays.items():
            entry = zipfile.ZipInfo(f"{name}.npy", date_time=(1980, 1, 1, 0, 0, 0))
            entry.compress_type = zipfile.ZIP_DEFLATED
            member = io.BytesIO()
            np.lib.format.write_array(  # type: ignore[no-untyped-call]
                member, np.ascontiguousarray(array), allow_pickle=False
            )
            archive.writestr(entry, member.getvalue())
    return buffer.getvalue()


def write_artifact(directory: Path, forest: ForestArrays, manifest: Manifest) -> Manifest:
    """Write both files; the manifest records the arrays' SHA-256."""
    directory.mkdir(parents=True, exist_ok=True)
    data = _npz_bytes(forest)
    (directory / ARRAYS).write_bytes(data)
    final = Manifest(**{**manifest.__dict__, "arrays_sha256": hashlib.sha256(data).hexdigest()})
    (directory / MANIFEST).write_text(json.dumps(final.__dict__, indent=2, sort_keys=True) + "\n")
    return final


class ArtifactError(ValueError):
    """The artifact is missing, corrupt or incompatible; ``kind`` says which."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


def read_artifact(
    directory: Path, expected_features: tuple[str, ...]
) -> tuple[Manifest, ForestArrays]:
    """Read and verify an artifact; every problem is an ``ArtifactError``."""
    manifest_path, arrays_path = directory / MANIFEST, directory / ARRAYS
    if not manifest_path.exists() or not arrays_path.exists():
        raise ArtifactError("missing", f"no model at {directory} ({MANIFEST} and {ARRAYS})")
    try:
        manifest = Manifest(**json.loads(manifest_path.read_text(encoding="utf-8")))
    except (ValueError, TypeError) as error:
        raise ArtifactError("corrupt", f"{manifest_path}: unreadable manifest: {error}") from error
    if manifest.format != FORMAT:
        raise ArtifactError(
            "incompatible",
            f"{manifest_path}: format {manifest.format!r}, this job reads {FORMAT!r}",
        )
    if tuple(manifest.features) != expected_features:
        raise ArtifactError(
            "incompatible",
            f"{manifest_path}: features {manifest.features} "
            f"differ from the job's {list(expected_features)}",
        )
    data = arrays_path.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    if digest != manifest.arrays_sha256:
        raise ArtifactError(
            "corrupt",
            f"{arrays_path}: checksum {digest[:12]} does not match "
            f"the manifest's {manifest.arrays_sha256[:12]}",
        )
    try:
        with np.load(io.BytesIO(data), allow_pickle=False) as arrays:
            forest = ForestArrays(
                **{name: arrays[name] for name in _ARRAY_NAMES},
                denominator=float(arrays["denominator"][0]),
                n_features=int(arrays["n_features"][0]),
            )
        forest.validate()
    except (ValueError, KeyError, OSError, zipfile.BadZipFile) as error:
        raise ArtifactError("corrupt", f"{arrays_path}: {error}") from error
    if forest.n_features != len(expected_features):
        raise ArtifactError("incompatible", f"{arrays_path}: {forest.n_features} features")
    return manifest, forest
