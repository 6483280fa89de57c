"""What the demo measured, read back from the warehouse and the topics, and checked.

Conservation is checked, not assumed: every delivered event is a bronze row or
a DLQ record, every alert is of a bronze transaction, and gold's totals equal
bronze's. Alerts are scored against the generator's labels (bronze keeps them
in ``fraud_label``, for evaluation only).
"""

import json
import statistics
from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any

import psycopg

from jobs.events.sinks import Counters

RULES = """
    SELECT coalesce(hit ->> 'rule_id', 'ML only'), count(*),
           count(*) FILTER (WHERE t.fraud_label IS NOT NULL)
    FROM bronze.raw_fraud_alerts a
    JOIN bronze.raw_transactions t USING (transaction_id)
    LEFT JOIN LATERAL jsonb_array_elements(a.rule_hits) hit ON true
    GROUP BY 1 ORDER BY 1
"""
ALERTS = """
    SELECT count(*), count(*) FILTER (WHERE t.fraud_label IS NOT NULL),
           count(*) FILTER (WHERE t.transaction_id IS NULL)
    FROM bronze.raw_fraud_alerts a LEFT JOIN bronze.raw_transactions t USING (transaction_id)
"""
LABELLED = """
    SELECT count(*), count(*) FILTER (WHERE EXISTS (
        SELECT 1 FROM bronze.raw_fraud_alerts a WHERE a.transaction_id = t.transaction_id))
    FROM bronze.raw_transactions t WHERE t.fraud_label IS NOT NULL
"""
# (what, bronze side, gold side): each pair must be equal.
RECONCILED = (
    (
        "transactions",
        "SELECT count(*) FROM bronze.raw_transactions",
        "SELECT count(*) FROM gold.fct_transactions",
    ),
    (
        "amount",
        "SELECT coalesce(sum(amount), 0) FROM bronze.raw_transactions",
        "SELECT coalesce(sum(amount), 0) FROM gold.fct_transactions",
    ),
    (
        "daily transactions",
        "SELECT count(*) FROM bronze.raw_transactions",
        "SELECT coalesce(sum(transaction_count), 0) FROM gold.agg_daily_fraud",
    ),
    (
        "daily amount",
        "SELECT coalesce(sum(amount), 0) FROM bronze.raw_transactions",
        "SELECT coalesce(sum(total_amount), 0) FROM gold.agg_daily_fraud",
    ),
    (
        "alerts",
        "SELECT count(*) FROM bronze.raw_fraud_alerts",
        "SELECT count(*) FROM gold.fct_fraud_alerts",
    ),
    (
        "daily alerts",
        "SELECT count(*) FROM bronze.raw_fraud_alerts",
        "SELECT coalesce(sum(alert_count), 0) FROM gold.agg_daily_fraud",
    ),
)


@dataclass(frozen=True)
class RuleQuality:
    """Alerts a rule took part in, and how many of them were labelled fraud."""

    rule_id: str
    alerts: int
    labelled: int

    @property
    def precision(self) -> float:
        """Share of its alerts that were labelled fraud."""
        return self.labelled / self.alerts if self.alerts else 0.0


@dataclass
class Report:
    """One demo run: counts, quality, latency, reconciliation and stage times."""

    produced: int
    delivered: int
    labelled_produced: int
    malformed_produced: int
    bronze_rows: int
    dlq_by_error: dict[str, int]
    alerts: int
    alerts_labelled: int
    alerts_outside_bronze: int
    labelled_in_bronze: int
    labelled_alerted: int
    rules: list[RuleQuality]
    latency_seconds: list[float]
    reconciled: dict[str, tuple[str, str]]
    stages: dict[str, float] = field(default_factory=dict)
    # Events produced and drained before the measured ones (JIT, first checkpoints):
    # counted in the checks, not in the latency, which is the steady state's.
    warm_up_events: int = 0
    # Events/s each job consumed in the steady state, from its committed offsets
    # (None: too few samples), and the rate the producer sent at.
    sustained_rates: dict[str, float | None] = field(default_factory=dict)
    produce_rate: float | None = None
    detection_slo_seconds: float | None = None  # the spec's detection-latency threshold

    @property
    def precision(self) -> float:
        """Share of alerts that were labelled fraud."""
        return self.alerts_labelled / self.alerts if self.alerts else 0.0

    @property
    def recall(self) -> float:
        """Share of labelled fraud in bronze that alerted."""
        return self.labelled_alerted / self.labelled_in_bronze if self.labelled_in_bronze else 0.0

    def latency(self, quantile: float) -> float | None:
        """Produce → committed alert, seconds, at ``quantile`` (None without samples)."""
        if not self.latency_seconds:
            return None
        ordered = sorted(self.latency_seconds)
        if quantile == 0.5:
            return statistics.median(ordered)
        return ordered[min(len(ordered) - 1, int(quantile * len(ordered)))]

    def checks(self) -> dict[str, bool]:
        """The conservation checks; the demo fails when one does not hold."""
        found = {
            "every delivered event is in bronze or the DLQ": (
                self.delivered == self.bronze_rows + sum(self.dlq_by_error.values())
            ),
            "every produced event was delivered": self.delivered == self.produced,
            "every alert is of a bronze transaction": self.alerts_outside_bronze == 0,
        }
        for what, (bronze, gold) in self.reconciled.items():
            found[f"gold {what} equal bronze"] = bronze == gold
        return found

    def as_json(self) -> dict[str, Any]:
        """Everything, plus the derived figures and the checks (``--report-json``)."""
        return {
            **asdict(self),
            "precision": self.precision,
            "recall": self.recall,
            "latency_p50_seconds": self.latency(0.5),
            "latency_p99_seconds": self.latency(0.99),
            "checks": self.checks(),
        }

    def text(self) -> str:
        """The report as a newcomer reads it."""
        dlq = sum(self.dlq_by_error.values())
        lines = [
            "StreamFlow demo report",
            f"  events produced      {self.produced:>9,}  (delivered {self.delivered:,}, "
            f"labelled fraud {self.labelled_produced:,}, malformed {self.malformed_produced:,})",
            f"  bronze rows          {self.bronze_rows:>9,}",
            f"  DLQ records          {dlq:>9,}"
            + "".join(f"\n    {kind:<28} {n:>7,}" for kind, n in sorted(self.dlq_by_error.items())),
            f"  alerts               {self.alerts:>9,}  precision {self.precision:.1%}, "
            f"recall {self.recall:.1%} (labelled fraud in bronze: {self.labelled_in_bronze:,})",
        ]
        lines += [
            f"    {rule.rule_id:<10} alerts {rule.alerts:>6,}  precision {rule.precision:.1%}"
            for rule in self.rules
        ]
        p50, p99 = self.latency(0.5), self.latency(0.99)
        if p50 is not None and p99 is not None:
            slo = ""
            if self.detection_slo_seconds is not None:
                met = "met" if p99 < self.detection_slo_seconds else "NOT met"
                slo = f"; p99 < {self.detection_slo_seconds:g} s {met}"
            lines.append(
                f"  produce → alert      p50 {p50:.2f} s, p99 {p99:.2f} s in the steady state "
                f"({len(self.latency_seconds):,} alerts; includes the 1 s checkpoint interval"
                f"{slo})"
            )
        if self.warm_up_events:
            lines.append(
                f"    after a warm-up of {self.warm_up_events:,} events, produced and drained "
                "first (JIT, first checkpoints); they count in the checks, not here"
            )
        if self.sustained_rates:
            sent = f"{self.produce_rate:,.0f}" if self.produce_rate else "?"
            lines.append(f"  steady-state rates   (events/s consumed; produced at {sent})")
            lines += [
                f"    {job:<20} {'?' if rate is None else f'{rate:,.0f}':>9}"
                for job, rate in self.sustained_rates.items()
            ]
        lines.append("  gold reconciled with bronze")
        lines += [
            f"    {what:<20} bronze {bronze:>14}  gold {gold:>14}"
            for what, (bronze, gold) in self.reconciled.items()
        ]
        lines.append("  stages")
        lines += [f"    {name:<20} {seconds:7.1f} s" for name, seconds in self.stages.items()]
        lines.append("  checks")
        lines += [f"    {'ok ' if ok else 'FAIL'} {what}" for what, ok in self.checks().items()]
        return "\n".join(lines)


def dlq_errors(records: list[bytes]) -> dict[str, int]:
    """DLQ records counted by ``error_type``."""
    return dict(Counter(json.loads(record)["error_type"] for record in records))


def collect(
    dsn: str, counters: Counters, dlq_records: list[bytes], latency_seconds: list[float]
) -> Report:
    """Read what reached bronze and gold, and put it beside what was produced."""
    with psycopg.connect(dsn) as connection:

        def one(sql: str) -> tuple[Any, ...]:
            row = connection.execute(sql.encode()).fetchone()
            assert row is not None
            return tuple(row)

        alerts, alerts_labelled, outside = one(ALERTS)
        labelled, labelled_alerted = one(LABELLED)
        rules = [
            RuleQuality(str(r), int(a), int(t))
            for r, a, t in connection.execute(RULES.encode()).fetchall()
        ]
        reconciled = {what: (str(one(b)[0]), str(one(g)[0])) for what, b, g in RECONCILED}
        (bronze_rows,) = one("SELECT count(*) FROM bronze.raw_transactions")
    return Report(
        produced=counters.sent,
        delivered=counters.delivered,
        labelled_produced=counters.labelled,
        malformed_produced=counters.malformed,
        bronze_rows=int(bronze_rows),
        dlq_by_error=dlq_errors(dlq_records),
        alerts=int(alerts),
        alerts_labelled=int(alerts_labelled),
        alerts_outside_bronze=int(outside),
        labelled_in_bronze=int(labelled),
        labelled_alerted=int(labelled_alerted),
        rules=rules,
        latency_seconds=latency_seconds,
        reconciled=reconciled,
    )
