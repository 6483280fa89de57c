"""Precision, recall and F1 of alert decisions against the generator's labels."""

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt


@dataclass(frozen=True)
class Quality:
    """Confusion counts and the usual ratios."""

    true_positives: int
    false_positives: int
    false_negatives: int

    @property
    def precision(self) -> float:
        """Share of alerts that were fraud."""
        flagged = self.true_positives + self.false_positives
        return self.true_positives / flagged if flagged else 0.0

    @property
    def recall(self) -> float:
        """Share of fraud that raised an alert."""
        actual = self.true_positives + self.false_negatives
        return self.true_positives / actual if actual else 0.0

    @property
    def f1(self) -> float:
        """Harmonic mean of precision and recall."""
        total = self.precision + self.recall
        return 2 * self.precision * self.recall / total if total else 0.0

    def as_dict(self) -> dict[str, float | int]:
        """For the manifest and the report."""
        return {
            "true_positives": self.true_positives,
            "false_positives": self.false_positives,
            "false_negatives": self.false_negatives,
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "f1": round(self.f1, 4),
        }


def quality(alerts: npt.NDArray[np.bool_], labels: npt.NDArray[np.bool_]) -> Quality:
    """Compare alert decisions with ground truth."""
    return Quality(
        int(np.sum(alerts & labels)),
        int(np.sum(alerts & ~labels)),
        int(np.sum(~alerts & labels)),
    )
