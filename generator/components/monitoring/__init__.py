"""Monitoring: kube-prometheus-stack, and what makes the platform observable through it.

The component owns the chart release (its retention and storage come from the
section, not from chart values) and Prometheus' connections to every scrape
target. It collects from the registry what every component declares about
itself (``generator.components.observability``): a PodMonitor or
ServiceMonitor per metrics endpoint, every alert and recording rule, every
dashboard. Of its own it keeps only what spans components: the pipeline SLOs
and their alerts, the pipeline's two alerts and the overview dashboard. Its
objects sync in wave 2, after the chart (wave 1) has installed their CRDs.
"""

import copy
from typing import Any

from generator.components import flink
from generator.components.base import (
    CUSTOM_RESOURCE_OPTIONS,
    Component,
    Connection,
    Platform,
)
from generator.components.monitoring import dashboards, scrape
from generator.components.monitoring.alerts import pipeline_alerts
from generator.components.monitoring.slos import SloContext, slo_groups
from generator.components.monitoring.spec import MonitoringSpec
from generator.components.observability import Alert, Dashboard, Metric, Source
from generator.manifests.objects import Manifest, metadata, resource
from generator.spec.helm import HelmRelease
from generator.spec.platform import PlatformSpec
from generator.spec.values_path import set_path

PROMETHEUS_PODS = {"app.kubernetes.io/name": "prometheus"}
RULES_API = "monitoring.coreos.com/v1"


class Monitoring(Component[MonitoringSpec]):
    """Metrics, rules, SLOs and dashboards for every other component."""

    name = "monitoring"
    key = "monitoring"
    model = MonitoringSpec
    wave = 2
    sync_options = CUSTOM_RESOURCE_OPTIONS
    inert_kinds = frozenset({"PodMonitor", "PrometheusRule", "ServiceMonitor"})

    def namespaces_used(self, spec: PlatformSpec) -> dict[tuple[str | int, ...], str]:
        """The stack's namespace (where the rules, monitors and dashboards go too)."""
        return {("monitoring", "stack", "namespace"): self.section(spec).namespace}

    def chart_field(self, release: HelmRelease) -> tuple[str | int, ...]:
        """The stack is ``monitoring.stack`` in the spec."""
        return (self.key or self.name, "stack")

    def charts(self, platform: Platform) -> list[HelmRelease]:
        """The stack, with retention and storage from the section."""
        section = self.section(platform.spec)
        values: dict[str, Any] = copy.deepcopy(section.stack.values)
        spec_path = "prometheus.prometheusSpec"
        claim: dict[str, Any] = {
            "accessModes": ["ReadWriteOnce"],
            "resources": {"requests": {"storage": section.storage.size}},
        }
        if section.storage.storage_class:
            claim["storageClassName"] = section.storage.storage_class
        set_path(values, f"{spec_path}.retention", section.retention)
        set_path(values, f"{spec_path}.storageSpec", {"volumeClaimTemplate": {"spec": claim}})
        return [section.stack.model_copy(update={"values": values})]

    def connections(self, platform: Platform) -> list[Connection]:
        """Prometheus reaches every scrape target on its metrics port."""
        source = self.section(platform.spec).namespace
        return [
            Connection(
                f"scrape-{endpoint.component}-{endpoint.name}",
                source,
                endpoint.as_endpoint(),
                f"Prometheus scrapes {endpoint.component}'s {endpoint.name} metrics",
                PROMETHEUS_PODS,
            )
            for endpoint in platform.metrics_endpoints()
        ]

    def metric_catalogue(self) -> tuple[Metric, ...]:
        """Prometheus' own health series of every target."""
        return (Metric("up", Source.PROMETHEUS, "1 when the last scrape of a target succeeded"),)

    def alerts(self, platform: Platform) -> list[Alert]:
        """The pipeline's own: fraud rate out of band, nothing reaching the warehouse."""
        return pipeline_alerts(self.section(platform.spec).thresholds)

    def dashboards(self, platform: Platform) -> list[Dashboard]:
        """The pipeline overview: the SLOs, then the flow through every component."""
        section = self.section(platform.spec)
        slos = [(slo.name, slo.description) for slo in section.slos]
        return [dashboards.pipeline(slos, section.slo_period)]

    def manifests(self, platform: Platform) -> list[Manifest]:
        """Monitors for every endpoint, the rule groups and every component's dashboards."""
        namespace = self.section(platform.spec).namespace
        monitors = [scrape.monitor(e, namespace) for e in platform.metrics_endpoints()]
        rules = [
            resource(
                RULES_API,
                "PrometheusRule",
                metadata(f"streamflow-{group['name']}", namespace),
                spec={"groups": [group]},
            )
            for group in rule_groups(platform)
        ]
        boards = dashboards.config_maps(namespace, platform.dashboards())
        return [*monitors, *rules, *boards]


def rule_groups(platform: Platform) -> list[dict[str, Any]]:
    """Every rule group: every component's alerts, their recording rules, then the SLOs.

    One source for both forms: the PrometheusRule objects carry these groups,
    and promtool reads them as a plain rule file.
    """
    section = COMPONENT.section(platform.spec)
    runbooks = section.runbook_base_url.rstrip("/")
    groups = [{"name": "platform-alerts",
               "rules": [alert.rule(runbooks) for alert in platform.alerts()]}]  # fmt: skip
    recorded = platform.recording_rules()
    if recorded:
        groups.append({"name": "platform-recording", "rules": recorded})
    context = SloContext(
        flink_jobs=flink.COMPONENT.reported_jobs(platform),
        slo_period=section.slo_period,
        policy=section.error_budget_policy,
        runbooks=runbooks,
    )
    return [*groups, *slo_groups(list(section.slos), context)]


COMPONENT = Monitoring()
