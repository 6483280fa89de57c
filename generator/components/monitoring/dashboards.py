"""The Grafana dashboards as ConfigMaps, and the one that spans components.

kube-prometheus-stack's Grafana sidecar loads every ConfigMap labelled
``grafana_dashboard: "1"``. Every component's dashboards (its ``dashboards``
hook) are shipped that way; the pipeline overview is monitoring's own: the SLOs
first, then the flow from Kafka through Flink into the warehouse.
"""

import json
from collections.abc import Sequence
from typing import Any

from generator.components.observability import COMPONENT_LABEL, Dashboard, series, stat
from generator.manifests.objects import Manifest, metadata, resource
from libs.contracts.metrics import JOB_PREFIX as JOB

SIDECAR_LABEL = {"grafana_dashboard": "1"}


def pipeline(slos: Sequence[tuple[str, str]], period: str) -> Dashboard:
    """Pipeline overview: the SLOs first, then what flows through the pipeline."""
    slo_panels: list[Any] = [
        stat(f"SLO {name} over {period}", "percentunit",
             (f'1 - slo:sli_error:ratio_rate{period}{{slo="{name}"}}', description))
        for name, description in slos
    ]  # fmt: skip
    slo_panels += [
        series("Error budget remaining", "percentunit",
               ("slo:error_budget:remaining", "{{slo}}")),
        series("Error ratio (1h)", "percentunit", ("slo:sli_error:ratio_rate1h", "{{slo}}")),
    ]  # fmt: skip
    flow = [
        series(
            "Events per second",
            "ops",
            (f"sum(rate({JOB}events_received[5m]))", "received"),
            (f"sum(rate({JOB}events_processed[5m]))", "to bronze"),
            (f"sum by (error) (rate({JOB}error_dead_lettered[5m]))", "DLQ: {{error}}"),
        ),
        series(
            "Warehouse freshness",
            "s",
            ("time() - max(cnpg_streamflow_bronze_newest_ingested_seconds)", "bronze"),
            ("time() - max(cnpg_streamflow_gold_newest_ingested_seconds)", "gold (dbt)"),
        ),
        stat(
            "Bronze rows, last hour",
            "short",
            ("max(cnpg_streamflow_bronze_rows_last_hour)", "rows"),
        ),
        stat(
            "Targets up",
            "short",
            (f"sum by ({COMPONENT_LABEL}) (up)", f"{{{{{COMPONENT_LABEL}}}}}"),
        ),
    ]
    warehouse = [
        series("Database size", "bytes",
               ("max by (datname) (cnpg_pg_database_size_bytes)", "{{datname}}")),
        series("PostgreSQL connections", "short",
               ("sum by (datname, state) (cnpg_backends_total)", "{{datname}} {{state}}")),
        stat("Instances answering", "short", ("sum(cnpg_collector_up)", "up")),
    ]  # fmt: skip
    return Dashboard(
        "streamflow-pipeline",
        "StreamFlow / Pipeline overview",
        "SLOs and the flow from Kafka through Flink into the warehouse.",
        [("Service-level objectives", slo_panels), ("Pipeline", flow), ("Warehouse", warehouse)],
    )


def config_maps(namespace: str, boards: Sequence[Dashboard]) -> list[Manifest]:
    """One ConfigMap per dashboard, labelled for the Grafana sidecar."""
    models = [board.model() for board in boards]
    return [
        resource(
            "v1",
            "ConfigMap",
            metadata(f"dashboard-{model['uid']}", namespace, labels=SIDECAR_LABEL),
            data={f"{model['uid']}.json": json.dumps(model, sort_keys=True, indent=2) + "\n"},
        )
        for model in models
    ]
