"""Every DAG imports cleanly and has the schedule, retries, dependencies and tags it promises."""

import re
from datetime import timedelta
from typing import Any

import pytest

from tests.dags.conftest import DAGS, AirflowWarehouse

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def dagbag(airflow_stack: AirflowWarehouse) -> Any:
    from airflow.dag_processing.dagbag import DagBag  # noqa: PLC0415 - after the fixture's setup

    return DagBag(dag_folder=str(DAGS))


def cron(dag: Any) -> str:
    return str(dag.timetable.expression)


def test_all_dags_import_without_errors(dagbag: Any) -> None:
    assert dagbag.import_errors == {}
    assert set(dagbag.dag_ids) == {"dbt_staging", "dbt_marts", "dbt_quality", "maintenance"}


@pytest.mark.parametrize(
    ("dag_id", "schedule", "tag"),
    [
        ("dbt_staging", "0 * * * *", "silver"),
        ("dbt_marts", "0 * * * *", "gold"),
        ("dbt_quality", "*/15 * * * *", "quality"),
        ("maintenance", "0 0 * * *", "maintenance"),
    ],
)
def test_schedules_tags_and_retries(dagbag: Any, dag_id: str, schedule: str, tag: str) -> None:
    dag = dagbag.get_dag(dag_id)
    assert cron(dag) == schedule
    assert {tag, "streamflow"} <= set(dag.tags)
    assert dag.catchup is False
    assert dag.max_active_runs == 1
    for task in dag.tasks:
        assert task.retries == 2, task.task_id
        assert task.retry_delay == timedelta(minutes=2), task.task_id
        assert task.on_failure_callback, task.task_id


def test_staging_has_one_run_task_per_staging_model(dagbag: Any) -> None:
    dag = dagbag.get_dag("dbt_staging")
    runs = sorted(t for t in dag.task_ids if t.endswith(".run"))
    assert runs == ["staging.stg_fraud_alerts.run", "staging.stg_transactions.run"]


def test_marts_wait_for_staging_before_every_model(dagbag: Any) -> None:
    dag = dagbag.get_dag("dbt_marts")
    sensor = dag.get_task("wait_for_dbt_staging")
    assert type(sensor).__module__ == "airflow.providers.standard.sensors.external_task"
    assert sensor.external_dag_id == "dbt_staging"
    assert sensor.mode == "reschedule"
    models = {t.split(".")[1] for t in dag.task_ids if t.endswith(".run")}
    assert models == {
        "int_customer_stats",
        "dim_customer",
        "dim_store",
        "fct_transactions",
        "fct_fraud_alerts",
        "agg_hourly_sales",
        "agg_daily_fraud",
    }
    for task in dag.tasks:
        if task is not sensor:
            assert sensor.task_id in task.get_flat_relative_ids(upstream=True), task.task_id
    stats = dag.get_task("marts.int_customer_stats.test")
    assert "marts.dim_customer.run" in stats.get_flat_relative_ids(upstream=False)


def test_quality_runs_every_test_of_the_project_once(dagbag: Any) -> None:
    from cosmos.operators.local import DbtTestLocalOperator  # noqa: PLC0415

    dag = dagbag.get_dag("dbt_quality")
    selected = [
        name for task in dag.tasks if isinstance(task, DbtTestLocalOperator) for name in task.select
    ]
    project_tests = {
        *(path.stem for path in (DAGS.parent / "dbt" / "tests").glob("*.sql")),
    }
    assert len(selected) == len(set(selected)) > 150
    assert project_tests <= set(selected)
    assert "source_freshness" in dag.task_ids
    assert dag.max_active_tasks == 2


def test_hourly_builds_test_the_last_load_and_quality_tests_whole_tables(dagbag: Any) -> None:
    # dbt/macros/test_scope.sql: the hourly cost follows the new rows.
    for dag_id in ("dbt_staging", "dbt_marts"):
        for task in dagbag.get_dag(dag_id).tasks:
            if task.task_id != "wait_for_dbt_staging":
                assert task.vars == {"test_scope": "last_load"}, task.task_id
    for task in dagbag.get_dag("dbt_quality").tasks:
        assert not task.vars, task.task_id


def test_dbt_runs_from_its_own_virtualenv_as_a_subprocess(dagbag: Any) -> None:
    from cosmos.constants import InvocationMode  # noqa: PLC0415

    for dag_id in ("dbt_staging", "dbt_marts", "dbt_quality"):
        for task in dagbag.get_dag(dag_id).tasks:
            if task.task_id == "wait_for_dbt_staging":
                continue
            assert str(task.dbt_executable_path).endswith(".venv-dbt/bin/dbt"), task.task_id
            assert task.invocation_mode == InvocationMode.SUBPROCESS


def test_dag_files_hold_no_connection_literals() -> None:
    for path in DAGS.rglob("*.py"):
        text = path.read_text()
        assert not re.search(r"postgres(ql)?(\+\w+)?://", text), path
        assert "password=" not in text, path
