"""Every metric a rule references is catalogued (or recorded by another rule)."""

from generator.components.monitoring import rule_groups
from generator.pipeline.load import load
from tests.conftest import REPO
from tests.generator.components.monitoring.promql import (
    metric_names,
    recorded_names,
    rule_expressions,
)

BY_NAME = load("dev", REPO / "specs").metric_catalogue()


def test_names_come_from_the_parse_not_from_text() -> None:
    expression = 'sum by (le) (rate(a_total{le="5"}[5m])) / (b > bool 0) or absent_over_time(c[2m])'
    assert metric_names(expression) == {"a_total", "b", "c"}


def test_every_rule_references_only_catalogued_or_recorded_metrics() -> None:
    for env in ("dev", "prod"):
        groups = rule_groups(load(env, REPO / "specs"))
        known = BY_NAME.keys() | recorded_names(groups)
        for rule, expression in rule_expressions(groups).items():
            unknown = metric_names(expression) - known
            assert not unknown, f"{env} {rule}: {sorted(unknown)} in {expression}"
