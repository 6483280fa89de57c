"""The forest's feature vector: where each feature comes from, and its clamps."""

import math

import pytest

from libs.detection.features import FEATURES, NO_PREVIOUS_SECONDS, feature_vector
from libs.detection.signals import Signals


def signals(amount_z: float = 1.5, seconds: float | None = 90.0) -> Signals:
    return Signals(history=7, mean=40.0, amount_z=amount_z, seconds_since_last=seconds,
                   km_from_last=12.0, events_in_velocity_window=2, events_last_10_min=3,
                   hour_z=0.5, hour_rarity=2.25)  # fmt: skip


def test_each_feature_from_its_signal() -> None:
    vector = feature_vector(signals(), 99.0)
    assert dict(zip(FEATURES, vector, strict=True)) == {
        "amount_zscore": 1.5,
        "log_amount": math.log(100.0),
        "log_seconds_since_last": math.log(91.0),
        "log_km_from_last": math.log(13.0),
        "events_last_10_min": 3.0,
        "hour_rarity": 2.25,
    }


def test_no_previous_purchase_counts_as_thirty_days() -> None:
    assert feature_vector(signals(seconds=None), 99.0)[2] == math.log1p(30 * 86_400.0)
    assert NO_PREVIOUS_SECONDS == 30 * 86_400.0


@pytest.mark.parametrize(
    ("z", "clamped"), [(-50.0, -10.0), (-10.0, -10.0), (-9.5, -9.5), (99.5, 99.5), (500.0, 100.0)]
)
def test_the_amount_z_is_clamped_to_minus_ten_and_a_hundred(z: float, clamped: float) -> None:
    assert feature_vector(signals(amount_z=z), 99.0)[0] == clamped
