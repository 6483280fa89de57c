"""Cosmos configuration shared by the dbt DAGs.

dbt runs from its own virtualenv (``ExecutionConfig.dbt_executable_path``)
as a subprocess: it is not importable here, by design (Airflow, dbt and
PyFlink do not resolve in one environment). The profile comes from the
warehouse Airflow connection, never from literals.
"""

from typing import Any

from cosmos import (
    DbtTaskGroup,
    ExecutionConfig,
    InvocationMode,
    LoadMode,
    ProfileConfig,
    ProjectConfig,
    RenderConfig,
    TestBehavior,
)
from cosmos.profiles import PostgresUserPasswordProfileMapping

from streamflow_dags.callbacks import log_failure
from streamflow_dags.settings import OWNER, RETRIES, RETRY_DELAY, Settings


def project_config(settings: Settings) -> ProjectConfig:
    """The repository's dbt project."""
    return ProjectConfig(
        dbt_project_path=settings.dbt_project_dir, project_name="streamflow", install_dbt_deps=False
    )


def profile_config(settings: Settings) -> ProfileConfig:
    """A dbt profile made from the warehouse connection (its ``schema`` is the database)."""
    return ProfileConfig(
        profile_name="streamflow",
        target_name="warehouse",
        profile_mapping=PostgresUserPasswordProfileMapping(
            conn_id=settings.warehouse_conn_id, profile_args={"schema": "public"}
        ),
    )


def execution_config(settings: Settings) -> ExecutionConfig:
    """Run dbt as a subprocess of the task, from the dbt virtualenv."""
    return ExecutionConfig(
        dbt_executable_path=settings.dbt_executable, invocation_mode=InvocationMode.SUBPROCESS
    )


def render_config(settings: Settings, select: list[str]) -> RenderConfig:
    """One task per model (its tests after it), listed with ``dbt ls`` at parse time."""
    return RenderConfig(
        select=select,
        load_method=LoadMode.DBT_LS,
        invocation_mode=InvocationMode.SUBPROCESS,
        dbt_executable_path=settings.dbt_executable,
        test_behavior=TestBehavior.AFTER_EACH,
        # A test spanning models (relationships, singular tests over two models) gets its
        # own task after all of its parents; run with a single parent it would read a
        # model this run has not built yet.
        should_detach_multiple_parents_tests=True,
    )


def default_args() -> dict[str, Any]:
    """Retries, ownership and the structured failure log for every task."""
    return {
        "owner": OWNER,
        "retries": RETRIES,
        "retry_delay": RETRY_DELAY,
        "on_failure_callback": log_failure,
    }


# The hourly builds test the rows each model's last run wrote (dbt/macros/test_scope.sql);
# dbt_quality tests whole tables.
HOURLY_VARS = {"test_scope": "last_load"}


def model_task_group(group_id: str, settings: Settings, select: list[str]) -> DbtTaskGroup:
    """A task group with one run task (and one test task) per selected model.

    Its tests read only what changed (``HOURLY_VARS``), so the hourly cost follows
    the new rows, not the tables.
    """
    return DbtTaskGroup(
        group_id=group_id,
        operator_args={"vars": HOURLY_VARS},
        project_config=project_config(settings),
        profile_config=profile_config(settings),
        execution_config=execution_config(settings),
        render_config=render_config(settings, select),
        default_args=default_args(),
    )
