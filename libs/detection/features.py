"""The six-feature vector of the Isolation Forest; one function for training and scoring.

- ``amount_zscore``: amount against the customer's Welford mean/std (0 without
  history), clipped to [-10, 100];
- ``log_amount``: log(1 + amount);
- ``log_seconds_since_last``: log(1 + seconds since the previous transaction),
  30 days when there is none;
- ``log_km_from_last``: log(1 + km from the previous transaction's location);
- ``events_last_10_min``: the customer's transactions in the 10 minutes before;
- ``hour_rarity``: -log of the share of the customer's transactions in this
  hour of day (add-one smoothed).
"""

import math

from libs.detection.signals import Signals

FEATURES = (
    "amount_zscore",
    "log_amount",
    "log_seconds_since_last",
    "log_km_from_last",
    "events_last_10_min",
    "hour_rarity",
)
NO_PREVIOUS_SECONDS = 30 * 86_400.0


def feature_vector(signals: Signals, amount: float) -> tuple[float, ...]:
    """The features, in ``FEATURES`` order."""
    since = (
        NO_PREVIOUS_SECONDS if signals.seconds_since_last is None else signals.seconds_since_last
    )
    return (
        min(max(signals.amount_z, -10.0), 100.0),
        math.log1p(amount),
        math.log1p(since),
        math.log1p(signals.km_from_last),
        float(signals.events_last_10_min),
        signals.hour_rarity,
    )
