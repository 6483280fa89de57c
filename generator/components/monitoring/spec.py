"""The monitoring section: the kube-prometheus-stack release, retention, thresholds, SLOs."""

from typing import Annotated, Literal

from pydantic import Field, model_validator

from generator.spec.common import (
    Duration,
    FieldError,
    MemoryQuantity,
    Name,
    StrictModel,
    duration_ms,
)
from generator.spec.helm import HelmRelease
from libs.contracts.metrics import LATENCY_BOUNDS_S

Fraction = Annotated[float, Field(gt=0.0, lt=1.0)]


class PrometheusStorage(StrictModel):
    """Prometheus' volume: the TSDB must survive a pod restart to hold an SLO period."""

    size: MemoryQuantity
    storage_class: str | None = None


class Thresholds(StrictModel):
    """Numbers the pipeline's alerts compare with (each component's are in its own section)."""

    fraud_rate_low: Fraction
    fraud_rate_high: Fraction
    min_decisions_per_second: Annotated[float, Field(gt=0.0)]

    @model_validator(mode="after")
    def _band(self) -> "Thresholds":
        if self.fraud_rate_low >= self.fraud_rate_high:
            raise FieldError(
                "the fraud-rate band is empty", ("fraud_rate_low",), ("fraud_rate_high",)
            )
        return self


class SLO(StrictModel):
    """A service-level objective over the SLO period.

    ``kind``: ``ratio`` SLIs count bad events against all events; ``threshold``
    SLIs count the time a gauge spends above ``threshold`` (freshness).
    ``latency`` SLOs use the jobs' good/slow counters at ``threshold`` seconds.
    """

    name: Name
    objective: Annotated[float, Field(gt=0.0, lt=1.0)]
    sli: Literal["availability", "processing-latency", "freshness", "detection-latency"]
    threshold_seconds: Annotated[float, Field(gt=0.0)] | None = None
    description: str = Field(min_length=1)


class ErrorBudgetPolicy(StrictModel):
    """What the team does when an SLO's budget is spent (stated in every budget alert)."""

    freeze_below: Annotated[float, Field(ge=0.0, lt=1.0)]
    action: str = Field(min_length=1)


class MonitoringSpec(StrictModel):
    """kube-prometheus-stack plus everything rendered for it: monitors, rules, dashboards."""

    stack: HelmRelease
    retention: Duration
    storage: PrometheusStorage
    slo_period: Duration
    thresholds: Thresholds
    slos: list[SLO] = Field(min_length=1)
    error_budget_policy: ErrorBudgetPolicy
    runbook_base_url: str = Field(pattern=r"^https://")

    @property
    def namespace(self) -> str:
        """Where the stack and its rules, monitors and dashboards live."""
        return self.stack.namespace

    @model_validator(mode="after")
    def _retention_covers_the_slo_period(self) -> "MonitoringSpec":
        # A 7-day error budget computed over 7 days of data needs a little more
        # than 7 days kept: the oldest block is cut at a block boundary.
        if duration_ms(self.retention) <= duration_ms(self.slo_period):
            raise FieldError(
                f"retention {self.retention} must exceed slo_period {self.slo_period}: an error "
                "budget over more days than Prometheus keeps is computed from missing data",
                ("retention",),
                ("slo_period",),
            )
        return self

    @model_validator(mode="after")
    def _thresholds_where_needed(self) -> "MonitoringSpec":
        for slo in self.slos:
            where = ("slos", slo.name, "threshold_seconds")
            needs = slo.sli != "availability"
            if needs != (slo.threshold_seconds is not None):
                verb = "needs" if needs else "takes no"
                raise FieldError(f"a {slo.sli} SLO {verb} threshold_seconds", where)
            latency = slo.sli.endswith("-latency")
            if latency and slo.threshold_seconds not in LATENCY_BOUNDS_S:
                raise FieldError(
                    f"the jobs count latency in buckets up to {list(LATENCY_BOUNDS_S)} s "
                    "(jobs/flink/metrics.py); a latency threshold must be one of them",
                    where,
                )
        return self
