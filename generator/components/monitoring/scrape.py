"""PodMonitors and ServiceMonitors for the metrics endpoints components declare.

A port that only exists on pods gets a PodMonitor; one the chart also puts on a
Service gets a ServiceMonitor. Every target is labelled ``streamflow_component``
(the rules' selector) and, where the endpoint says which names matter, every
other series is dropped at scrape time.
"""

import re

from generator.components.base import MetricsEndpoint
from generator.components.observability import COMPONENT_LABEL
from generator.manifests.objects import Manifest, metadata, resource

API = "monitoring.coreos.com/v1"


def keep_regex(names: tuple[str, ...]) -> str:
    """An anchored alternation of exact metric names (Prometheus anchors relabel regexes)."""
    return "|".join(re.escape(name) for name in sorted(set(names)))


def monitor(endpoint: MetricsEndpoint, namespace: str) -> Manifest:
    """The monitor object for one endpoint, in the monitoring namespace."""
    scrape: dict[str, object] = {
        "port": endpoint.port,
        "path": endpoint.path,
        "relabelings": [{"targetLabel": COMPONENT_LABEL, "replacement": endpoint.component}],
    }
    if endpoint.keep:
        scrape["metricRelabelings"] = [
            {"sourceLabels": ["__name__"], "regex": keep_regex(endpoint.keep), "action": "keep"}
        ]
    kind, endpoints_key = (
        ("ServiceMonitor", "endpoints")
        if endpoint.service
        else ("PodMonitor", "podMetricsEndpoints")
    )
    return resource(
        API,
        kind,
        metadata(f"{endpoint.component}-{endpoint.name}", namespace),
        spec={
            "selector": {"matchLabels": dict(endpoint.pods)},
            "namespaceSelector": {"matchNames": [endpoint.namespace]},
            endpoints_key: [scrape],
        },
    )
