"""dbt_quality: every dbt test and the bronze source freshness, every 15 minutes.

Tests are grouped per model (one task each) and cross-model or singular tests
get tasks of their own (``streamflow_dags.quality`` says why); the test list
comes from ``dbt ls`` at parse time, so a new test shows up without editing
this file. Source freshness runs beside them.
"""

from datetime import datetime

from airflow.sdk import DAG, TaskGroup
from cosmos.constants import LoadMode
from cosmos.dbt.graph import DbtGraph
from cosmos.operators.local import DbtSourceLocalOperator, DbtTestLocalOperator
from streamflow_dags.dbt import (
    default_args,
    execution_config,
    profile_config,
    project_config,
    render_config,
)
from streamflow_dags.quality import plan_test_tasks
from streamflow_dags.settings import Settings

settings = Settings.from_environment()
graph = DbtGraph(
    project=project_config(settings),
    render_config=render_config(settings, select=[]),
    execution_config=execution_config(settings),
    profile_config=profile_config(settings),
    cache_identifier="dbt_quality",
)
graph.load(method=LoadMode.DBT_LS)
operator_args = {
    "project_dir": settings.dbt_project_dir,
    "profile_config": profile_config(settings),
    "dbt_executable_path": settings.dbt_executable,
    "invocation_mode": execution_config(settings).invocation_mode,
    "install_deps": False,
}

with DAG(
    dag_id="dbt_quality",
    description="dbt tests per model and cross-model, plus bronze source freshness",
    schedule="*/15 * * * *",
    start_date=datetime(2026, 1, 1),
    catchup=False,
    max_active_runs=1,
    max_active_tasks=2,
    default_args=default_args(),
    tags=["dbt", "quality", "streamflow"],
):
    DbtSourceLocalOperator(task_id="source_freshness", select=["source:bronze"], **operator_args)
    with TaskGroup(group_id="tests"):
        for task in plan_test_tasks(graph.nodes.values()):
            DbtTestLocalOperator(task_id=task.task_id, select=list(task.tests), **operator_args)
