"""dbt_marts: silver → gold, hourly, after the same hour's dbt_staging run succeeded.

An ``ExternalTaskSensor`` waits (rescheduling, so it holds no worker slot) for
the dbt_staging run with the same logical date; both DAGs are ``@hourly`` so
the dates line up. Then the intermediate and mart models run, one task each.
"""

from datetime import datetime, timedelta

from airflow.providers.standard.sensors.external_task import ExternalTaskSensor
from airflow.sdk import DAG
from airflow.utils.state import DagRunState
from streamflow_dags.dbt import default_args, model_task_group
from streamflow_dags.settings import Settings

with DAG(
    dag_id="dbt_marts",
    description="silver → gold: customer stats, dimensions, facts, aggregates",
    schedule="@hourly",
    start_date=datetime(2026, 1, 1),
    catchup=False,
    max_active_runs=1,
    default_args=default_args(),
    tags=["dbt", "gold", "streamflow"],
):
    staging_done = ExternalTaskSensor(
        task_id="wait_for_dbt_staging",
        external_dag_id="dbt_staging",
        external_task_id=None,
        allowed_states=[DagRunState.SUCCESS],
        failed_states=[DagRunState.FAILED],
        mode="reschedule",
        poke_interval=timedelta(seconds=30),
        timeout=timedelta(minutes=50),
    )
    marts = model_task_group(
        "marts", Settings.from_environment(), ["path:models/intermediate", "path:models/marts"]
    )
    staging_done >> marts
