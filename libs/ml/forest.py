"""An Isolation Forest held as flat arrays, scored exactly without scikit-learn.

Every tree's nodes are concatenated; child indices are global; a leaf points to
itself and carries ``value`` = its path length contribution exactly as
scikit-learn computes it (``node depth + c(n_node_samples) - 1``). A row's
anomaly score is ``2 ** -(sum of leaf values / (n_trees * c(max_samples)))``,
which equals ``-IsolationForest.score_samples``. Inputs are rounded to float32
first, as scikit-learn does before comparing with the float64 thresholds, and
leaf values are summed in tree order, as scikit-learn does.

Two interchangeable backends, both exact (benchmarks/scorer.py measures them):
- ``numba`` (default): all trees step down one level at a time in lockstep with
  branch-free child selection, compiled once by Numba. Tree walks are bound by
  branch mispredictions, which lockstep removes: ~2 us per event.
- ``python``: the forest compiled into one Python function of nested ``if``
  statements with the thresholds as constants (~10 us per event). No native
  code: the fallback if Numba is unavailable in a runtime.
"""

import functools
import math
import struct
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int32]


class FeatureError(ValueError):
    """Features the model cannot score (NaN, infinite, or too many/few)."""


@dataclass(frozen=True)
class ForestArrays:
    """The forest's structure; ``validate`` makes sure it is a well-formed forest."""

    left: IntArray
    right: IntArray
    feature: IntArray
    threshold: FloatArray
    value: FloatArray
    n_node_samples: IntArray
    roots: IntArray
    denominator: float
    n_features: int

    def validate(self) -> None:
        """Raise ``ValueError`` unless every array agrees with every other."""
        nodes = len(self.left)
        arrays = (self.right, self.feature, self.threshold, self.value, self.n_node_samples)
        if any(len(a) != nodes for a in arrays):
            raise ValueError("forest arrays have different lengths")
        if not len(self.roots) or self.roots.min() < 0 or self.roots.max() >= nodes:
            raise ValueError("forest roots point outside the node arrays")
        if nodes and (
            min(self.left.min(), self.right.min()) < 0
            or max(self.left.max(), self.right.max()) >= nodes
        ):
            raise ValueError("forest children point outside the node arrays")
        internal = self.left != np.arange(nodes)
        if internal.any() and (
            self.feature[internal].min() < 0 or self.feature[internal].max() >= self.n_features
        ):
            raise ValueError("forest splits on a feature the model does not have")
        if not (self.denominator > 0 and math.isfinite(self.denominator)):
            raise ValueError(f"forest denominator {self.denominator} is not positive")

    @property
    def depth(self) -> int:
        """Longest root-to-leaf path (levels the batch scorer must step)."""
        deepest, frontier = 0, [(int(r), 0) for r in self.roots]
        while frontier:
            node, level = frontier.pop()
            deepest = max(deepest, level)
            if self.left[node] != node:
                frontier += [(int(self.left[node]), level + 1), (int(self.right[node]), level + 1)]
        return deepest


def _source(forest: ForestArrays) -> str:
    """Python source of ``path_sum(x0, ..., xk)`` for the whole forest."""
    names = ", ".join(f"x{i}" for i in range(forest.n_features))
    lines = [f"def path_sum({names}):", "    d = 0.0"]

    def emit(node: int, indent: str) -> None:
        if forest.left[node] == node:
            lines.append(f"{indent}d += {float(forest.value[node])!r}")
            return
        lines.append(
            f"{indent}if x{int(forest.feature[node])} <= {float(forest.threshold[node])!r}:"
        )
        emit(int(forest.left[node]), indent + "    ")
        lines.append(f"{indent}else:")
        emit(int(forest.right[node]), indent + "    ")

    for root in forest.roots:
        emit(int(root), "    ")
    lines.append("    return d")
    return "\n".join(lines) + "\n"


def _python_kernel(forest: ForestArrays) -> Callable[[tuple[float, ...]], float]:
    """The forest compiled into one Python function (a fraction of a second, once)."""
    namespace: dict[str, object] = {}
    exec(compile(_source(forest), "<isolation-forest>", "exec"), namespace)
    path_sum: Callable[..., float] = namespace["path_sum"]  # type: ignore[assignment]
    return lambda x: path_sum(*x)


@functools.cache
def _numba_kernels() -> tuple[Callable[..., float], Callable[..., None]]:
    """Lockstep tree walks compiled by Numba (imported only when this backend is used)."""
    import numba  # noqa: PLC0415

    @numba.njit(nogil=True, cache=False)
    def path_sum(x, children, feature, threshold, value, roots, levels):  # type: ignore[no-untyped-def]  # noqa: PLR0917
        nodes = roots.copy()
        for _ in range(levels):
            for tree in range(nodes.shape[0]):
                node = nodes[tree]
                nodes[tree] = children[2 * node + (x[feature[node]] > threshold[node])]
        total = 0.0
        for tree in range(nodes.shape[0]):
            total += value[nodes[tree]]
        return total

    @numba.njit(nogil=True, cache=False)
    def path_sums(rows, children, feature, threshold, value, roots, levels, out):  # type: ignore[no-untyped-def]  # noqa: PLR0917
        for row in range(rows.shape[0]):
            out[row] = path_sum(rows[row], children, feature, threshold, value, roots, levels)

    return path_sum, path_sums


class ForestScorer:
    """Exact Isolation Forest anomaly scores (``-score_samples``) without scikit-learn."""

    def __init__(self, forest: ForestArrays, backend: str = "numba") -> None:
        forest.validate()
        self.forest = forest
        self.backend = backend
        self._float32 = struct.Struct(f"<{forest.n_features}f")
        self._buffer = np.zeros(forest.n_features)
        # children[2 * node + 1] is the right child: a comparison result picks the child.
        self._children = np.stack([forest.left, forest.right], axis=1).ravel().astype(np.int32)
        self._levels = forest.depth
        if backend == "numba":
            self._path_sum, self._path_sums = _numba_kernels()
            self.score(np.zeros(forest.n_features).tolist())  # compile now, not on event one
        elif backend == "python":
            self._python = _python_kernel(forest)
        else:
            raise ValueError(f"unknown scoring backend {backend!r} (numba or python)")

    def _as_float32(self, features: Sequence[float]) -> tuple[float, ...]:
        if len(features) != self.forest.n_features:
            raise FeatureError(f"expected {self.forest.n_features} features, got {len(features)}")
        for value in features:
            if not math.isfinite(value):
                raise FeatureError(f"feature value {value!r} is not finite")
        try:
            return self._float32.unpack(self._float32.pack(*features))
        except OverflowError as error:
            raise FeatureError(f"a feature of {features!r} overflows float32") from error

    def _kernel_args(self) -> tuple[object, ...]:
        f = self.forest
        return self._children, f.feature, f.threshold, f.value, f.roots, self._levels

    def score(self, features: Sequence[float]) -> float:
        """Anomaly score in (0, 1] of one event (higher is more anomalous)."""
        rounded = self._as_float32(features)
        if self.backend == "python":
            total = self._python(rounded)
        else:
            self._buffer[:] = rounded
            total = self._path_sum(self._buffer, *self._kernel_args())
        return float(2.0 ** -(total / self.forest.denominator))

    def score_batch(self, rows: npt.ArrayLike) -> FloatArray:
        """Anomaly scores of many events (rows × features)."""
        matrix = np.asarray(rows, dtype=np.float64)
        if matrix.ndim != 2 or matrix.shape[1] != self.forest.n_features:
            raise FeatureError(
                f"expected rows of {self.forest.n_features} features, got shape {matrix.shape}"
            )
        if not np.isfinite(matrix).all():
            raise FeatureError("batch contains NaN or infinite feature values")
        with np.errstate(over="ignore"):
            rounded = matrix.astype(np.float32)
        if not np.isfinite(rounded).all():
            raise FeatureError("batch contains values that overflow float32")
        values = np.ascontiguousarray(rounded, dtype=np.float64)
        if self.backend == "python":
            totals = np.array([self._python(tuple(row)) for row in values.tolist()])
        else:
            totals = np.empty(len(values))
            self._path_sums(values, *self._kernel_args(), totals)
        return np.power(2.0, -(totals / self.forest.denominator))
