"""The demo's report: its checks fail exactly when conservation does not hold."""

import json

from devtools.demo.report import Report, RuleQuality, dlq_errors


def report(**changes: object) -> Report:
    base: dict[str, object] = {
        "produced": 100, "delivered": 100, "labelled_produced": 4, "malformed_produced": 2,
        "bronze_rows": 97, "dlq_by_error": {"invalid_json": 2, "schema_violation": 1},
        "alerts": 5, "alerts_labelled": 4, "alerts_outside_bronze": 0,
        "labelled_in_bronze": 4, "labelled_alerted": 4,
        "rules": [RuleQuality("FR-001", 3, 2), RuleQuality("FR-005", 2, 2)],
        "latency_seconds": [0.5, 1.0, 1.5, 2.0], "reconciled": {"amount": ("10.00", "10.00")},
    }  # fmt: skip
    return Report(**{**base, **changes})  # type: ignore[arg-type]


def test_a_conserving_run_passes_every_check() -> None:
    checked = report()
    assert all(checked.checks().values())
    assert checked.precision == 0.8 and checked.recall == 1.0
    assert checked.latency(0.5) == 1.25 and checked.latency(0.99) == 2.0
    assert "precision 80.0%" in checked.text() and "FAIL" not in checked.text()


def test_each_broken_invariant_fails_its_check() -> None:
    broken = {
        "every delivered event is in bronze or the DLQ": report(bronze_rows=96),
        "every produced event was delivered": report(delivered=99, bronze_rows=96),
        "every alert is of a bronze transaction": report(alerts_outside_bronze=1),
        "gold amount equal bronze": report(reconciled={"amount": ("10.00", "9.99")}),
    }
    for what, run in broken.items():
        failed = [name for name, ok in run.checks().items() if not ok]
        assert what in failed, (what, failed)
        assert f"FAIL {what}" in run.text()


def test_dlq_records_are_counted_by_error_type() -> None:
    records = [json.dumps({"error_type": kind}).encode() for kind in ("a", "b", "a")]
    assert dlq_errors(records) == {"a": 2, "b": 1}


def test_without_alerts_the_rates_are_zero_and_latency_absent() -> None:
    quiet = report(alerts=0, alerts_labelled=0, latency_seconds=[], labelled_alerted=0)
    assert quiet.precision == 0.0 and quiet.recall == 0.0 and quiet.latency(0.99) is None
    assert json.loads(json.dumps(quiet.as_json(), default=str))["latency_p50_seconds"] is None
