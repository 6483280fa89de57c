"""``airflow dags test`` runs the DAGs for real: dbt from its virtualenv, on the warehouse.

In file order: staging fills silver, marts (whose sensor sees the staging run
of the same logical date) fill gold, maintenance prunes the bronze rows that
silver now holds (the generated events are older than the retention).
"""

import pytest

from tests.dags.conftest import TRANSACTIONS, AirflowWarehouse

pytestmark = pytest.mark.integration
LOGICAL_DATE = "2026-11-01T10:00:00+00:00"


def run_dag(airflow_stack: AirflowWarehouse, dag_id: str) -> None:
    finished = airflow_stack.airflow("dags", "test", dag_id, LOGICAL_DATE)
    output = finished.stdout + finished.stderr
    assert finished.returncode == 0, output[-4000:]
    state = airflow_stack.airflow("dags", "state", dag_id, LOGICAL_DATE)
    assert state.stdout.strip().splitlines()[-1] == "success", output[-4000:]


def test_dbt_staging_loads_silver(airflow_stack: AirflowWarehouse) -> None:
    run_dag(airflow_stack, "dbt_staging")

    assert airflow_stack.count("silver.stg_transactions") == TRANSACTIONS
    assert (
        airflow_stack.count("silver.stg_fraud_alerts")
        == airflow_stack.count("bronze.raw_fraud_alerts")
        > 0
    )


def test_dbt_marts_waits_for_staging_then_loads_gold(airflow_stack: AirflowWarehouse) -> None:
    run_dag(airflow_stack, "dbt_marts")

    assert airflow_stack.count("gold.fct_transactions") == TRANSACTIONS
    assert airflow_stack.count("gold.dim_customer") == airflow_stack.count("bronze.customers")
    assert airflow_stack.count("gold.agg_hourly_sales") > 0
    assert airflow_stack.count("gold.agg_daily_fraud") > 0


def test_maintenance_prunes_only_what_silver_holds(airflow_stack: AirflowWarehouse) -> None:
    run_dag(airflow_stack, "maintenance")

    assert airflow_stack.count("bronze.raw_transactions") == 0
    assert airflow_stack.count("bronze.raw_fraud_alerts") == 0
    assert airflow_stack.count("silver.stg_transactions") == TRANSACTIONS
