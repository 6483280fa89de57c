"""Where things are, read from the environment so the same files run in the image and in tests.

The image mirrors the repository (``/opt/streamflow/{dags,dbt,.venv-dbt}``),
so every default is relative to this file and a checkout works unchanged.
"""

import os
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OWNER = "data-platform"
RETRIES = 2
RETRY_DELAY = timedelta(minutes=2)


@dataclass(frozen=True)
class Settings:
    """Paths and names the DAGs need; connection details stay in the Airflow connection."""

    dbt_project_dir: Path
    dbt_executable: Path
    warehouse_conn_id: str
    maintenance_conn_id: str
    bronze_retention_days: int

    @classmethod
    def from_environment(cls) -> "Settings":
        """Defaults are the repository layout; ``STREAMFLOW_*`` variables override them."""
        return cls(
            dbt_project_dir=Path(os.environ.get("STREAMFLOW_DBT_PROJECT_DIR", ROOT / "dbt")),
            dbt_executable=Path(
                os.environ.get("STREAMFLOW_DBT_EXECUTABLE", ROOT / ".venv-dbt" / "bin" / "dbt")
            ),
            # dbt's login: reads bronze, builds silver and gold.
            warehouse_conn_id=os.environ.get(
                "STREAMFLOW_WAREHOUSE_CONN_ID", "streamflow_warehouse"
            ),
            # The owner's: pruning bronze and VACUUM need the tables' owner.
            maintenance_conn_id=os.environ.get(
                "STREAMFLOW_MAINTENANCE_CONN_ID", "streamflow_maintenance"
            ),
            bronze_retention_days=int(os.environ.get("STREAMFLOW_BRONZE_RETENTION_DAYS", "30")),
        )
