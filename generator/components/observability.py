"""How a component is watched: its metrics, alerts, recording rules and dashboards.

Every component declares these beside its manifests, through hooks of
``Component`` that are empty by default (``metric_catalogue``, ``alerts``,
``recording_rules``, ``dashboards``). The monitoring component collects them
from the registry into the PrometheusRule objects, the Grafana ConfigMaps and
the scrape keep-lists, and adds only what spans components: the pipeline SLOs,
their alerts and the overview dashboard. A component's rules and panels select
its targets by ``streamflow_component`` (the label every monitor sets), never
by the scrape ``job``, whose value depends on how a target was discovered.

The catalogue is the contract between the platform and its observability: a
metric name a rule or panel uses must be catalogued by some component (a test
parses every query), and where a source only exists in a cluster, the entry
says which upstream document defines it.
"""

import json
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from grafana_foundation_sdk.builders.dashboard import Dashboard as Board
from grafana_foundation_sdk.builders.dashboard import DatasourceVariable, Row
from grafana_foundation_sdk.builders.prometheus import Dataquery
from grafana_foundation_sdk.builders.stat import Panel as Stat
from grafana_foundation_sdk.builders.timeseries import Panel as TimeSeries
from grafana_foundation_sdk.cog.encoder import JSONEncoder
from grafana_foundation_sdk.models.common import DataSourceRef

# The target label every monitor sets to the component's name (and the local stack too).
COMPONENT_LABEL = "streamflow_component"
Rule = dict[str, Any]
Query = tuple[str, str]  # (expression, legend)
DATASOURCE = DataSourceRef(type_val="prometheus", uid="${datasource}")


class Source(StrEnum):
    """Who exports a metric; the first five are proven by the local live stack."""

    PROMETHEUS = "prometheus"
    KAFKA = "kafka"
    FLINK = "flink"
    JOB = "job"
    CNPG_CUSTOM = "cnpg-custom"
    CNPG = "cnpg"


LIVE_SOURCES = frozenset(
    {Source.PROMETHEUS, Source.KAFKA, Source.FLINK, Source.JOB, Source.CNPG_CUSTOM}
)
UPSTREAM = {
    Source.PROMETHEUS: (
        "https://prometheus.io/docs/concepts/jobs_instances/"
        "#automatically-generated-labels-and-time-series"
    ),
    Source.KAFKA: "https://github.com/strimzi/metrics-reporter (0.2.0, shipped by Strimzi 0.50.0)",
    Source.FLINK: (
        "https://nightlies.apache.org/flink/flink-docs-release-1.20/docs/ops/metrics/"
        "#system-metrics"
    ),
    Source.JOB: "libs/contracts/metrics.py (this repository)",
    Source.CNPG_CUSTOM: "generator/components/postgres/monitoring.py (this repository)",
    Source.CNPG: (
        "https://cloudnative-pg.io/documentation/current/monitoring/ "
        "(the operator's default-monitoring.yaml)"
    ),
}


@dataclass(frozen=True)
class Metric:
    """One metric name a component's targets export, and its source."""

    name: str
    source: Source
    meaning: str


def up(component: str) -> str:
    """The scrape-health series of a component's targets."""
    return f'up{{{COMPONENT_LABEL}="{component}"}}'


@dataclass(frozen=True)
class Alert:
    """One alert rule; its runbook is ``docs/runbooks/<runbook>.md`` (the alert's name)."""

    name: str
    expr: str
    duration: str
    severity: str
    summary: str
    description: str

    def rule(self, runbooks: str) -> Rule:
        """The Prometheus rule, linking the runbook under the ``runbooks`` base URL."""
        return {
            "alert": self.name,
            "expr": self.expr,
            "for": self.duration,
            "labels": {"severity": self.severity},
            "annotations": {
                "summary": self.summary,
                "description": self.description,
                "runbook_url": f"{runbooks}/{self.name}.md",
            },
        }


def _targets(panel: Any, queries: Sequence[Query]) -> Any:
    for expression, legend in queries:
        panel = panel.with_target(Dataquery().expr(expression).legend_format(legend))
    return panel


def series(title: str, unit: str, *queries: Query) -> TimeSeries:
    """A time-series panel."""
    panel = TimeSeries().title(title).datasource(DATASOURCE).unit(unit).span(12).height(8)
    return _targets(panel, queries)  # type: ignore[no-any-return]


def stat(title: str, unit: str, *queries: Query) -> Stat:
    """A single-value panel."""
    panel = Stat().title(title).datasource(DATASOURCE).unit(unit).span(6).height(4)
    return _targets(panel, queries)  # type: ignore[no-any-return]


@dataclass(frozen=True)
class Dashboard:
    """A Grafana dashboard: rows of panels under a stable uid.

    Each has a data-source variable, so it works against any Prometheus.
    """

    uid: str
    title: str
    description: str
    rows: Sequence[tuple[str, Sequence[Any]]]

    def model(self) -> dict[str, Any]:
        """The Grafana JSON model, keys sorted (Grafana's foundation SDK builds it)."""
        board = (
            Board(self.title)
            .uid(self.uid)
            .description(self.description)
            .tags(["streamflow"])
            .refresh("30s")
            .time("now-6h", "now")
            .with_variable(DatasourceVariable("datasource").label("Data source").type("prometheus"))
        )
        for row, panels in self.rows:
            board = board.with_row(Row(row))
            for panel in panels:
                board = board.with_panel(panel)
        model: dict[str, Any] = json.loads(JSONEncoder(sort_keys=True).encode(board.build()))
        return model
