"""dbt_staging: bronze → silver, hourly, one Airflow task per staging model.

Each model is its own task (with its tests after it), so a failure retries
only that model: 2 retries, 2 minutes apart. Rows arrive incrementally (see
dbt/models/staging).
"""

from datetime import datetime

from airflow.sdk import DAG
from streamflow_dags.dbt import default_args, model_task_group
from streamflow_dags.settings import Settings

with DAG(
    dag_id="dbt_staging",
    description="bronze → silver: incremental staging models",
    schedule="@hourly",
    start_date=datetime(2026, 1, 1),
    catchup=False,
    max_active_runs=1,
    default_args=default_args(),
    tags=["dbt", "silver", "streamflow"],
):
    model_task_group("staging", Settings.from_environment(), ["path:models/staging"])
