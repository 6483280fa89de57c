"""Monitoring: kube-prometheus-stack, and what makes the platform observable through it.

The component owns the chart release (its retention and storage come from the
section, not from chart values), a PodMonitor or ServiceMonitor for every
metrics endpoint another component declares, the alert and SLO rules, the
Grafana dashboards, and Prometheus' connections to every scrape target. Its
objects sync in wave 2, after the chart (wave 1) has installed their CRDs.
"""

import copy
from typing import Any

from generator.components import flink, kafka, postgres
from generator.components.base import (
    CUSTOM_RESOURCE_OPTIONS,
    Component,
    Connection,
    Platform,
)
from generator.components.monitoring import dashboards, scrape
from generator.components.monitoring.alerts import alert_rules
from generator.components.monitoring.context import RuleContext
from generator.components.monitoring.slos import slo_groups
from generator.components.monitoring.spec import MonitoringSpec
from generator.manifests.objects import Manifest, metadata, resource
from generator.spec.helm import HelmRelease
from generator.spec.platform import PlatformSpec
from generator.spec.quantity import memory_bytes
from generator.spec.values_path import set_path
from libs.contracts.metrics import reported_job_name

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

    def manifests(self, platform: Platform) -> list[Manifest]:
        """Monitors for every endpoint, the rule groups and the dashboards."""
        section = self.section(platform.spec)
        namespace = section.namespace
        monitors = [scrape.monitor(e, namespace) for e in platform.metrics_endpoints()]
        rules = [
            resource(
                RULES_API,
                "PrometheusRule",
                metadata(f"streamflow-{group['name']}", namespace),
                spec={"groups": [group]},
            )
            for group in rule_groups(platform.spec)
        ]
        slos = [(slo.name, slo.description) for slo in section.slos]
        boards = dashboards.config_maps(namespace, slos, section.slo_period)
        return [*monitors, *rules, *boards]


def rule_groups(spec: PlatformSpec) -> list[dict[str, Any]]:
    """Every rule group: the nine alerts, then each SLO's rules and the error budget.

    One source for both forms: the PrometheusRule objects carry these groups,
    and promtool reads them as a plain rule file.
    """
    section = COMPONENT.section(spec)
    kafka_spec = kafka.COMPONENT.section(spec)
    pg = postgres.COMPONENT.section(spec)
    jobs = tuple(reported_job_name(job.name) for job in flink.COMPONENT.section(spec).jobs)
    context = RuleContext(
        brokers=kafka_spec.count("broker"),
        flink_jobs=jobs,
        postgres_instances=pg.instances,
        postgres_storage_bytes=memory_bytes(pg.storage_size),
        thresholds=section.thresholds,
        slo_period=section.slo_period,
        policy=section.error_budget_policy,
        runbooks=section.runbook_base_url.rstrip("/"),
    )
    return [
        {"name": "platform-alerts", "rules": alert_rules(context)},
        *slo_groups(list(section.slos), context),
    ]


COMPONENT = Monitoring()
