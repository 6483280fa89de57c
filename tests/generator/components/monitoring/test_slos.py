"""SLO rules: a fast burn pages, a slow burn opens a ticket, no traffic says nothing.

Seven hours of synthetic series at one-minute resolution: every short window
(up to 6h) is full, and the 1d and 3d windows hold the same steady error ratio
over the data they have (a ratio of two rates, or a mean, needs no full window).
Every case runs on a healthy background, so only the SLO under test can burn.
"""

from pathlib import Path
from typing import Any

import pytest

from generator.components.monitoring.slos import BURN_RATES
from tests.generator.components.monitoring.test_alerts import GROUPS, JOB, run_promtool

pytestmark = pytest.mark.tools
MINUTES = 7 * 60 + 30
EVAL = "7h"
JOBS = ("transaction_processor", "fraud_detector", "realtime_aggregator")
UPTIME = "flink_jobmanager_job_uptime"
NEWEST = "cnpg_streamflow_bronze_newest_ingested_seconds"


def burns(slo: str, severities: set[str]) -> list[dict[str, Any]]:
    """The SLOErrorBudgetBurn alerts expected for the pairs of these severities."""
    rule = next(r for g in GROUPS for r in g["rules"] if r.get("alert") == "SLOErrorBudgetBurn"
                and r["labels"]["slo"] == slo)  # fmt: skip
    expected = []
    for long, short, _, severity in BURN_RATES:
        if severity in severities:
            pair = next(r for g in GROUPS for r in g["rules"]
                        if r.get("alert") == "SLOErrorBudgetBurn"
                        and r["labels"] == {"severity": severity, "slo": slo,
                                            "window": f"{long}/{short}"})  # fmt: skip
            expected.append({"exp_labels": pair["labels"], "exp_annotations": pair["annotations"]})
    del rule
    return expected


def healthy() -> dict[str, str]:
    """Every SLI good: jobs running, bronze fresh, both latencies within their thresholds."""
    series = {f'{UPTIME}{{job_name="{job}"}}': f"0+60000x{MINUTES}" for job in JOBS}
    series[f'{NEWEST}{{pod="pg-1"}}'] = f"0+60x{MINUTES}"
    series.update(latency("processing", "5", 100))
    series.update(latency("detection", "2", 100))
    return series


def slo_case(series: dict[str, str], slo: str, severities: set[str],
             without: tuple[str, ...] = ()) -> dict[str, Any]:  # fmt: skip
    background = {k: v for k, v in healthy().items() if not k.startswith(without)}
    merged = {**background, **series}
    return {
        "interval": "1m",
        "input_series": [{"series": s, "values": v} for s, v in merged.items()],
        "alert_rule_test": [{"eval_time": EVAL, "alertname": "SLOErrorBudgetBurn",
                             "exp_alerts": burns(slo, severities)}],
    }  # fmt: skip


def latency(measure: str, le: str, within_per_100: int) -> dict[str, str]:
    """100 events a minute: ``within_per_100`` in the bucket ``le``, the rest in +Inf."""
    bucket = f"{JOB}measure_le_latency_bucket"
    return {
        f'{JOB}measure_latency_events{{measure="{measure}",job_name="j"}}': f"0+100x{MINUTES}",
        f'{bucket}{{measure="{measure}",le="{le}",job_name="j"}}': f"0+{within_per_100}x{MINUTES}",
        f'{bucket}{{measure="{measure}",le="+Inf",job_name="j"}}':
            f"0+{100 - within_per_100}x{MINUTES}",
    }  # fmt: skip


def idle(measure: str, le: str) -> dict[str, str]:
    return {key: f"0x{MINUTES}" for key in latency(measure, le, 100)}


@pytest.mark.parametrize(("slo", "measure", "le"),
                         [("processing-latency", "processing", "5"),
                          ("detection-latency", "detection", "2")])  # fmt: skip
def test_latency_slo_pages_tickets_and_keeps_quiet(
    slo: str, measure: str, le: str, tmp_path: Path
) -> None:
    budget = next(r for g in GROUPS if g["name"] == f"slo-{slo}" for r in g["rules"])
    assert budget["record"] == "slo:sli_error:ratio_rate5m"
    objective_errors = {"processing-latency": 1, "detection-latency": 5}[slo]  # per 100
    run_promtool(tmp_path, [
        # 20 × the budget: every pair burns, pages and tickets
        slo_case(latency(measure, le, 100 - 20 * objective_errors), slo, {"page", "ticket"}),
        # 4 × the budget: above the ticket factors (3, 1), below the page ones (14.4, 6)
        slo_case(latency(measure, le, 100 - 4 * objective_errors), slo, {"ticket"}),
        # within budget
        slo_case(latency(measure, le, 100 - objective_errors // 2), slo, set()),
        # no traffic: no ratio at all, so no alert (not NaN)
        slo_case(idle(measure, le), slo, set()),
    ], interval="1m")  # fmt: skip


def test_freshness_slo_pages_when_bronze_is_stale_and_not_when_fresh(tmp_path: Path) -> None:
    run_promtool(tmp_path, [
        # nothing newer than the epoch: stale all the time
        slo_case({f'{NEWEST}{{pod="pg-1"}}': f"0x{MINUTES}"}, "freshness", {"page", "ticket"}),
        # the newest row keeps up with the clock: fresh
        slo_case({}, "freshness", set()),
    ], interval="1m")  # fmt: skip


def test_availability_slo_pages_when_a_job_is_down_and_not_when_all_run(tmp_path: Path) -> None:
    run_promtool(tmp_path, [
        # one job of three never runs: a third of the time is lost
        slo_case({f'{UPTIME}{{job_name="fraud_detector"}}': f"-1x{MINUTES}"}, "availability",
                 {"page", "ticket"}),
        slo_case({}, "availability", set()),
    ], interval="1m")  # fmt: skip
