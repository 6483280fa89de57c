"""Every rule at and around its thresholds, and how rules combine and blend."""

import re
from pathlib import Path

import pytest

from libs.detection.config import RULES_FILE, RulesConfig, RulesFileError, load_rules
from libs.detection.rules import RuleScores, blend, evaluate, ramp
from libs.detection.signals import Signals
from libs.detection.transaction import Txn

CONFIG = load_rules()
TXN = Txn("t1", "C1", "S1", 100.0, "100.00", "EUR", 1_767_600_000_000, 52.5, 13.4)
QUIET = Signals(
    history=50,
    mean=100.0,
    amount_z=0.0,
    seconds_since_last=3600.0,
    km_from_last=1.0,
    events_in_velocity_window=0,
    events_last_10_min=0,
    hour_z=0.0,
    hour_rarity=1.0,
)
NOBODY: frozenset[str] = frozenset()


def score(signals: Signals, txn: Txn = TXN, config: RulesConfig = CONFIG) -> RuleScores:
    return evaluate(config, signals, txn, NOBODY, NOBODY)


def test_quiet_transaction_scores_zero() -> None:
    assert score(QUIET) == (0.0, 0.0, 0.0, 0.0, 0.0, 0.0)


def test_ramp() -> None:
    assert [ramp(v, 2.0, 4.0) for v in (1.0, 2.0, 3.0, 4.0, 9.0)] == [0.0, 0.0, 0.5, 1.0, 1.0]


# FR-001: z from 4 (0) to 8 (1), at least 10 transactions and 8x the mean.
@pytest.mark.parametrize(
    ("z", "amount", "history", "expected"),
    [
        (3.99, 900.0, 50, 0.0),
        (4.0, 900.0, 50, 0.0),
        (6.0, 900.0, 50, 0.5),
        (8.0, 900.0, 50, 1.0),
        (20.0, 900.0, 50, 1.0),
        (20.0, 799.0, 50, 0.0),  # below 8x the mean of 100
        (20.0, 800.0, 50, 1.0),
        (20.0, 900.0, 9, 0.0),  # not enough history
        (20.0, 900.0, 10, 1.0),
    ],
)
def test_fr001_high_value(z: float, amount: float, history: int, expected: float) -> None:
    signals = QUIET._replace(amount_z=z, history=history)
    assert score(signals, TXN._replace(amount=amount)).high_value == pytest.approx(expected)


# FR-002: counting this one, 2 (0) .. 4 (1) in 120 s.
@pytest.mark.parametrize(("before", "expected"), [(0, 0.0), (1, 0.0), (2, 0.5), (3, 1.0), (9, 1.0)])
def test_fr002_velocity(before: int, expected: float) -> None:
    assert score(QUIET._replace(events_in_velocity_window=before)).velocity == expected


# FR-003: at least 300 km, speed 500 (0) .. 1000 km/h (1).
@pytest.mark.parametrize(
    ("km", "seconds", "expected"),
    [
        (299.0, 60.0, 0.0),  # too close to count, however fast
        (1000.0, 7200.0, 0.0),  # 500 km/h
        (1500.0, 7200.0, 0.5),  # 750 km/h
        (1000.0, 3600.0, 1.0),  # 1000 km/h
        (2000.0, 600.0, 1.0),
        (1000.0, 0.0, 1.0),  # same instant: clamped to one second, not a division by zero
    ],
)
def test_fr003_impossible_travel(km: float, seconds: float, expected: float) -> None:
    signals = QUIET._replace(km_from_last=km, seconds_since_last=seconds)
    assert score(signals).impossible_travel == pytest.approx(expected)


def test_fr003_needs_a_previous_transaction() -> None:
    assert (
        score(QUIET._replace(km_from_last=5000.0, seconds_since_last=None)).impossible_travel == 0
    )


# FR-004: circular z from 3 (0) to 4.5 (1), at least 10 transactions.
@pytest.mark.parametrize(
    ("z", "history", "expected"),
    [
        (2.9, 50, 0.0),
        (3.0, 50, 0.0),
        (3.75, 50, 0.5),
        (4.5, 50, 1.0),
        (6.0, 9, 0.0),
        (6.0, 10, 1.0),
    ],
)
def test_fr004_unusual_hour(z: float, history: int, expected: float) -> None:
    assert score(QUIET._replace(hour_z=z, history=history)).unusual_hour == pytest.approx(expected)


def test_fr005_blacklist() -> None:
    assert evaluate(CONFIG, QUIET, TXN, frozenset({"C1"}), NOBODY).blacklist == 1.0
    assert evaluate(CONFIG, QUIET, TXN, NOBODY, frozenset({"S1"})).blacklist == 1.0
    assert evaluate(CONFIG, QUIET, TXN, frozenset({"C2"}), frozenset({"S2"})).blacklist == 0.0


def test_noisy_or_combination_and_weights() -> None:
    both = score(QUIET._replace(events_in_velocity_window=2, hour_z=3.75))
    # velocity 0.5 (weight 1), unusual hour 0.5 (weight 0.8): 1 - 0.5 * 0.6
    assert both.combined == pytest.approx(0.7)
    assert score(QUIET._replace(hour_z=10.0)).combined == pytest.approx(0.8)
    assert [rule for rule, _ in both.hits()] == ["FR-002", "FR-004"]


def test_blend() -> None:
    assert blend(CONFIG, 1.0, None) == 1.0
    assert blend(CONFIG, 1.0, 0.0) == pytest.approx(0.7)
    assert blend(CONFIG, 0.0, 1.0) == pytest.approx(0.3)
    assert blend(CONFIG, 0.5, 0.5) == pytest.approx(0.5)


def test_rules_file_errors_name_file_and_field(tmp_path: Path) -> None:
    bad = tmp_path / "rules.toml"
    text = RULES_FILE.read_text(encoding="utf-8")
    bad.write_text(text.replace("full_count = 4", "full_count = 2"))
    with pytest.raises(RulesFileError, match=r"rules\.toml: velocity = .*ramp end 2"):
        load_rules(bad)
    bad.write_text(text.replace("alpha = 0.3", "alpha = 1.3"))
    with pytest.raises(RulesFileError, match=r"alpha = 1\.3"):
        load_rules(bad)
    bad.write_text(
        text.replace("alpha = 0.3", "alpha = 1.3").replace("weight = 1.0", "weight = -1.0", 1)
    )
    with pytest.raises(RulesFileError, match=r": alpha = 1\.3: .*; high_value\.weight = -1\.0: "):
        load_rules(bad)
    bad.write_text("alpha = ")
    with pytest.raises(RulesFileError, match=rf"^{re.escape(str(bad))}: Invalid value"):
        load_rules(bad)


def test_fr003_min_km_is_inclusive() -> None:
    at_min = QUIET._replace(km_from_last=CONFIG.impossible_travel.min_km, seconds_since_last=60.0)
    below = at_min._replace(km_from_last=CONFIG.impossible_travel.min_km - 1e-9)
    assert (score(at_min).impossible_travel, score(below).impossible_travel) == (1.0, 0.0)


def test_fr003_counts_less_than_a_second_as_one_second() -> None:
    travel = CONFIG.impossible_travel.model_copy(update={"min_km": 0.0})
    config = CONFIG.model_copy(update={"impossible_travel": travel})
    # 0.3 km in 1.5 s is 720 km/h (0.44 of the ramp); in 0.5 s, counted as 1 s, 1 080 km/h.
    quick = QUIET._replace(km_from_last=0.3, seconds_since_last=1.5)
    assert score(quick, config=config).impossible_travel == pytest.approx(220 / 500)
    instant = quick._replace(seconds_since_last=0.5)
    assert score(instant, config=config).impossible_travel == 1.0
    slower = quick._replace(km_from_last=0.2, seconds_since_last=0.5)  # 720 km/h at 1 s
    assert score(slower, config=config).impossible_travel == pytest.approx(220 / 500)
