"""SLOs compiled into multi-window recording rules and multi-burn-rate alerts.

Per the SRE workbook (chapter 5, "Alerting on SLOs"): error ratios are recorded
for 5m, 30m, 1h, 2h, 6h, 1d, 3d and the SLO period under the common names
``slo:sli_error:ratio_rate<window>{slo="..."}`` (so off-the-shelf SLO dashboards
work), and each pair of a long and a short window alerts when both burn the
budget faster than its factor: 14.4 (1h/5m) and 6 (6h/30m) page, 3 (1d/2h) and
1 (3d/6h) open a ticket. One alert per pair, labelled ``window``.

Ratio SLIs divide by traffic guarded with ``> 0``: no traffic gives no sample
(no alert), never NaN or Inf. Time-based SLIs (freshness, availability) record
the fraction of time in a bad state over each window.
"""

from dataclasses import dataclass
from typing import Any

from generator.components.flink.observability import UPTIME
from generator.components.monitoring.spec import SLO, ErrorBudgetPolicy
from generator.components.postgres.observability import BRONZE_NEWEST
from libs.contracts.metrics import DETECTION, JOB_PREFIX, PROCESSING, bounds_within

Rule = dict[str, Any]
SHORT_WINDOWS = ("5m", "30m", "1h", "2h", "6h", "1d", "3d")
BURN_RATES = (  # (long, short, factor, severity)
    ("1h", "5m", 14.4, "page"),
    ("6h", "30m", 6.0, "page"),
    ("1d", "2h", 3.0, "ticket"),
    ("3d", "6h", 1.0, "ticket"),
)
JOB = JOB_PREFIX
# Which latency the jobs measure for each latency SLI (label ``measure`` of
# jobs/flink/metrics.py): Kafka record timestamp to the moment the operator has
# its result (bronze row or DLQ record; fraud decision).
MEASURES = {"processing-latency": PROCESSING, "detection-latency": DETECTION}


@dataclass(frozen=True)
class SloContext:
    """What the SLO rules are written with: the monitoring section's terms and the jobs.

    ``flink_jobs`` come from the Flink component (``reported_jobs``), as its
    reporter labels them; everything else is the monitoring section's own.
    """

    flink_jobs: tuple[str, ...]
    slo_period: str
    policy: ErrorBudgetPolicy
    runbooks: str


def _record(window: str) -> str:
    return f"slo:sli_error:ratio_rate{window}"


def _ratio_error(slo: SLO, window: str) -> str:
    if slo.sli == "availability":
        raise ValueError("availability is time-based")
    assert slo.threshold_seconds is not None  # the spec requires it for latency SLIs
    selector = f'measure="{MEASURES[slo.sli]}"'
    buckets = "|".join(bounds_within(slo.threshold_seconds))
    within = f'{JOB}measure_le_latency_bucket{{{selector},le=~"{buckets}"}}'
    total = f"{JOB}measure_latency_events{{{selector}}}"
    return f"1 - sum(rate({within}[{window}])) / (sum(rate({total}[{window}])) > 0)"


def _bad_now(slo: SLO, context: SloContext) -> str:
    """1 while the SLI is in a bad state, 0 otherwise (time-based SLIs)."""
    if slo.sli == "freshness":
        newest = f"max({BRONZE_NEWEST})"
        return f"(time() - {newest}) > bool {slo.threshold_seconds:g}"
    jobs = "|".join(context.flink_jobs)
    running = f'count(max_over_time({UPTIME}{{job_name=~"{jobs}"}}[1m]) > 0) or vector(0)'
    return f"1 - (({running}) / {len(context.flink_jobs)})"


def _time_based(slo: SLO) -> bool:
    return slo.sli in {"availability", "freshness"}


def recording_rules(slo: SLO, context: SloContext) -> list[Rule]:
    """The error ratio of one SLO over every window."""
    labels = {"slo": slo.name}
    rules: list[Rule] = []
    for window in (*SHORT_WINDOWS, context.slo_period):
        if _time_based(slo):
            expr = (
                f"avg_over_time(({_bad_now(slo, context)})[5m:30s])"
                if window == "5m"
                else f'avg_over_time({_record("5m")}{{slo="{slo.name}"}}[{window}])'
            )
        else:
            expr = _ratio_error(slo, window)
        rule = {"record": _record(window), "expr": expr, "labels": labels}
        if rule not in rules:  # the period may equal a short window
            rules.append(rule)
    return rules


def burn_rate_alerts(slo: SLO, context: SloContext) -> list[Rule]:
    """One alert per window pair; both windows must burn faster than the factor."""
    budget = 1 - slo.objective
    alerts = []
    for long, short, factor, severity in BURN_RATES:
        threshold = f"{factor * budget:.6g}"
        expr = (
            f'{_record(long)}{{slo="{slo.name}"}} > {threshold} and '
            f'{_record(short)}{{slo="{slo.name}"}} > {threshold}'
        )
        alerts.append(
            {
                "alert": "SLOErrorBudgetBurn",
                "expr": expr,
                "for": "2m" if severity == "page" else "15m",
                "labels": {"severity": severity, "slo": slo.name, "window": f"{long}/{short}"},
                "annotations": {
                    "summary": f"SLO {slo.name} is burning its error budget {factor:g}× too fast",
                    "description": (
                        f"{slo.description}: over {long} and {short} the error ratio exceeds "
                        f"{threshold} ({factor:g} × the {budget:.3%} budget of a "
                        f"{slo.objective:.2%} objective over {context.slo_period})."
                    ),
                    "runbook_url": f"{context.runbooks}/SLOErrorBudgetBurn.md",
                },
            }
        )
    return alerts


def error_budget_rules(slos: list[SLO], context: SloContext) -> list[Rule]:
    """Remaining budget per SLO over the period, and the policy's alert when it runs out."""
    period = _record(context.slo_period)
    rules: list[Rule] = []
    for slo in slos:
        budget = 1 - slo.objective
        rules.append({
            "record": "slo:error_budget:remaining",
            "expr": f'1 - ({period}{{slo="{slo.name}"}} / {budget:.6g})',
            "labels": {"slo": slo.name},
        })  # fmt: skip
    policy = context.policy
    rules.append(
        {
            "alert": "ErrorBudgetExhausted",
            "expr": f"slo:error_budget:remaining < {policy.freeze_below:g}",
            "for": "1h",
            "labels": {"severity": "ticket"},
            "annotations": {
                "summary": "SLO {{ $labels.slo }} has spent its error budget",
                "description": (
                    f"Less than {policy.freeze_below:.0%} of the {context.slo_period} error "
                    f"budget is left. Policy: {policy.action}"
                ),
                "runbook_url": f"{context.runbooks}/ErrorBudgetExhausted.md",
            },
        }
    )
    return rules


def slo_groups(slos: list[SLO], context: SloContext) -> list[dict[str, Any]]:
    """One rule group per SLO plus the error-budget group."""
    groups = [
        {
            "name": f"slo-{slo.name}",
            "interval": "1m",
            "rules": [*recording_rules(slo, context), *burn_rate_alerts(slo, context)],
        }
        for slo in slos
    ]
    groups.append({"name": "slo-error-budget", "rules": error_budget_rules(slos, context)})
    return groups
