"""What the alert and SLO rules need from the spec, gathered once by ``rule_groups``."""

from dataclasses import dataclass

from generator.components.monitoring.spec import ErrorBudgetPolicy, Thresholds


@dataclass(frozen=True)
class RuleContext:
    """Numbers and names the rules are written with (from every component's section)."""

    brokers: int
    flink_jobs: tuple[str, ...]  # as Flink's reporter labels them (``job_name``)
    postgres_instances: int
    postgres_storage_bytes: int
    thresholds: Thresholds
    slo_period: str
    policy: ErrorBudgetPolicy
    runbooks: str
