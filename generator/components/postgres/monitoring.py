"""Warehouse freshness as metrics: CloudNativePG custom queries over bronze and gold.

CloudNativePG's instance manager runs each query on every scrape and exports
each column as ``cnpg_<query>_<column>`` (``observability.CATALOGUE`` lists them).
Only index-backed aggregates: ``max(ingested_at)`` and a one-hour range count
use the ``ingested_at`` indexes, so a scrape stays cheap as the tables grow.
The gold query fails (and is skipped, logged by the operator) until dbt's first
build has created ``gold.fct_transactions``.
"""

from typing import Any

import yaml

from generator.components.postgres.spec import PostgresSpec
from generator.manifests.objects import Manifest, metadata, resource

KEY = "queries"


def _gauge(description: str) -> dict[str, str]:
    return {"usage": "GAUGE", "description": description}


def custom_queries(pg: PostgresSpec) -> dict[str, Any]:
    """The queries, in CloudNativePG's custom-queries format."""
    databases = [pg.database]
    return {
        "streamflow_bronze": {
            "query": (
                "SELECT COALESCE(EXTRACT(EPOCH FROM max(ingested_at)), 0) "
                "AS newest_ingested_seconds, "
                "(SELECT count(*) FROM bronze.raw_transactions "
                "WHERE ingested_at > now() - interval '1 hour') AS rows_last_hour "
                "FROM bronze.raw_transactions"
            ),
            "target_databases": databases,
            "metrics": [
                {"newest_ingested_seconds": _gauge("epoch seconds of the newest bronze row")},
                {"rows_last_hour": _gauge("bronze rows ingested in the last hour")},
            ],
        },
        "streamflow_gold": {
            "query": (
                "SELECT COALESCE(EXTRACT(EPOCH FROM max(ingested_at)), 0) "
                "AS newest_ingested_seconds FROM gold.fct_transactions"
            ),
            "target_databases": databases,
            "metrics": [
                {"newest_ingested_seconds": _gauge("epoch seconds of the newest gold row")},
            ],
        },
    }


def config_map_name(pg: PostgresSpec) -> str:
    """The ConfigMap the Cluster's ``monitoring.customQueriesConfigMap`` names."""
    return f"{pg.name}-monitoring"


def config_map(pg: PostgresSpec) -> Manifest:
    """The queries as the ConfigMap CloudNativePG reads."""
    text = yaml.safe_dump(custom_queries(pg), sort_keys=True, width=4096)
    return resource("v1", "ConfigMap", metadata(config_map_name(pg), pg.namespace),
                    data={KEY: text})  # fmt: skip
