"""Turn a fitted scikit-learn ``IsolationForest`` into ``ForestArrays`` (training only)."""

from typing import Any

import numpy as np

from libs.ml.forest import ForestArrays


def export_forest(model: Any, n_features: int) -> ForestArrays:
    """Flatten every tree, mapping each split to the original feature column.

    Leaf values are scikit-learn's own per-node ``decision path length +
    average path length - 1`` arrays, so the exported forest reproduces its
    arithmetic exactly rather than re-deriving it.
    """
    from sklearn.ensemble._iforest import _average_path_length  # noqa: PLC0415

    subsampled = model._max_features != n_features
    lefts, rights, features, thresholds, values, samples, roots = [], [], [], [], [], [], []
    offset = 0
    for index, estimator in enumerate(model.estimators_):
        tree = estimator.tree_
        count = tree.node_count
        own = np.arange(count)
        leaf = tree.children_left == -1
        columns = (
            np.asarray(model.estimators_features_[index]) if subsampled else np.arange(n_features)
        )
        path = (
            model._decision_path_lengths[index] + model._average_path_length_per_tree[index] - 1.0
        )
        lefts.append(np.where(leaf, own, tree.children_left) + offset)
        rights.append(np.where(leaf, own, tree.children_right) + offset)
        features.append(np.where(leaf, 0, columns[np.maximum(tree.feature, 0)]))
        thresholds.append(np.where(leaf, 0.0, tree.threshold))
        values.append(np.where(leaf, path, 0.0))
        samples.append(tree.n_node_samples)
        roots.append(offset)
        offset += count
    denominator = len(model.estimators_) * float(_average_path_length([model.max_samples_])[0])
    return ForestArrays(
        left=np.concatenate(lefts).astype(np.int32),
        right=np.concatenate(rights).astype(np.int32),
        feature=np.concatenate(features).astype(np.int32),
        threshold=np.concatenate(thresholds).astype(np.float64),
        value=np.concatenate(values).astype(np.float64),
        n_node_samples=np.concatenate(samples).astype(np.int32),
        roots=np.asarray(roots, dtype=np.int32),
        denominator=denominator,
        n_features=n_features,
    )
