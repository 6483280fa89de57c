"""Isolation Forest scoring: scikit-learn vs the exported scorer, same events, one run.

(a) scikit-learn ``score_samples`` one event at a time, (b) scikit-learn in
batches of 1000, (c) ``ForestScorer.score`` one event at a time and (d)
``ForestScorer.score_batch`` in batches of 1000 with the Numba backend
(lockstep walks), and (e) the pure-Python backend (generated nested ifs) for
comparison. The forest is trained on generator features (100 trees,
256 samples, 6 features). Targets (issue #4): (c) <= 20 us/event and (a)/(c) >= 500.
Run: `.venv-jobs/bin/python benchmarks/scorer.py`.
"""

import statistics
import time
from collections.abc import Callable

import numpy as np
from sklearn.ensemble import IsolationForest

from jobs.events.world import build_world
from jobs.train.dataset import generated, replay
from libs.detection.config import load_rules
from libs.ml.export import export_forest
from libs.ml.forest import ForestScorer

SKLEARN_SINGLE = 1_000
SINGLE = 20_000
BATCH = 1_000


def _per_event(action: Callable[[], object], events: int, repeats: int = 3) -> float:
    """Median over ``repeats`` runs of microseconds per event."""
    timings = []
    for _ in range(repeats):
        started = time.perf_counter()
        action()
        timings.append((time.perf_counter() - started) / events * 1e6)
    return statistics.median(timings)


def main() -> None:
    """Train once, then time the four ways of scoring the same events."""
    world = build_world(42)
    data = replay(
        generated(42, 60_000, world),
        load_rules(),
        frozenset(world.blacklisted_customers),
        frozenset(world.blacklisted_stores),
    )
    features = data.features
    model = IsolationForest(n_estimators=100, max_samples=256, random_state=42).fit(features)
    started = time.perf_counter()
    scorer = ForestScorer(export_forest(model, features.shape[1]))
    compile_ms = (time.perf_counter() - started) * 1e3
    python = ForestScorer(scorer.forest, backend="python")
    rows = features[-SINGLE:]
    as_lists = rows.tolist()
    batches = [rows[i : i + BATCH] for i in range(0, SINGLE, BATCH)]
    assert np.max(np.abs(scorer.score_batch(rows) + model.score_samples(rows))) <= 1e-9

    a = _per_event(
        lambda: [model.score_samples(r[None, :]) for r in rows[:SKLEARN_SINGLE]],
        SKLEARN_SINGLE,
        repeats=1,
    )
    b = _per_event(lambda: [model.score_samples(batch) for batch in batches[:5]], 5 * BATCH)
    c = _per_event(lambda: [scorer.score(row) for row in as_lists], SINGLE)
    d = _per_event(lambda: [scorer.score_batch(batch) for batch in batches], SINGLE)
    e = _per_event(lambda: [python.score(row) for row in as_lists], SINGLE)
    print(
        f"forest: 100 trees, {len(scorer.forest.left):,} nodes, depth {scorer.forest.depth}; "
        f"compiled in {compile_ms:.0f} ms; scores equal to scikit-learn within 1e-9"
    )
    print(f"(a) scikit-learn, single event   : {a:>10.1f} us/event")
    print(f"(b) scikit-learn, batch of 1000  : {b:>10.2f} us/event")
    print(f"(c) ForestScorer.score (single)  : {c:>10.2f} us/event")
    print(f"(d) ForestScorer.score_batch 1000: {d:>10.2f} us/event")
    print(f"(e) python backend, single event : {e:>10.2f} us/event ((a)/(e) = {a / e:,.0f}x)")
    print(
        f"ratios: (a)/(c) = {a / c:,.0f}x (target >= 500), (b)/(d) = {b / d:.1f}x, "
        f"(c) target <= 20 us: {'met' if c <= 20 else 'missed'}"
    )


if __name__ == "__main__":
    main()
