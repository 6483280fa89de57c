"""dbt on real PostgreSQL over generated bronze: green builds, true increments, exact marts.

The tests share one warehouse and run in file order: first build, increment,
settle window, late row, freshness and docs, then the data-quality failure
(which leaves a bad row behind).
"""

import json

import psycopg
import pytest

from tests.dbt.conftest import NO_SETTLE, Warehouse

pytestmark = pytest.mark.integration

FIRST_LOAD = 100_000
SECOND_LOAD = 5_000


def scalar(warehouse: Warehouse, query: str) -> object:
    with psycopg.connect(warehouse.server.dsn()) as connection:
        row = connection.execute(query).fetchone()
    assert row is not None
    return row[0]


def rows(warehouse: Warehouse, query: str) -> list[tuple[object, ...]]:
    with psycopg.connect(warehouse.server.dsn()) as connection:
        return connection.execute(query).fetchall()


def insert_copy_of_first_transaction(connection: psycopg.Connection[object], amount: str) -> None:
    """A new transaction at the earliest event time (a late arrival) with ``amount``."""
    connection.execute(
        "INSERT INTO bronze.raw_transactions (transaction_id, customer_id, store_id, amount,"
        " currency, event_time, latitude, longitude, channel, category, schema_version,"
        " source_partition, source_offset)"
        " SELECT gen_random_uuid(), customer_id, store_id, %s, currency, event_time, latitude,"
        " longitude, channel, category, schema_version, 0, 999999999"
        " FROM bronze.raw_transactions ORDER BY event_time LIMIT 1",
        (amount,),
    )


def assert_green(result_code: int, output: str, statuses: dict[str, str]) -> None:
    failed = {
        node: status for node, status in statuses.items() if status not in {"pass", "success"}
    }
    assert result_code == 0 and not failed, f"{failed}\n{output[-3000:]}"


def assert_marts_reconcile(warehouse: Warehouse) -> None:
    """Gold agrees exactly with bronze: amounts, counts per day, alerts per day."""
    assert scalar(warehouse, "SELECT sum(amount) FROM gold.fct_transactions") == scalar(
        warehouse, "SELECT sum(amount) FROM bronze.raw_transactions"
    )
    bronze_days = rows(
        warehouse,
        "SELECT (event_time AT TIME ZONE 'UTC')::date, count(*), sum(amount)"
        " FROM bronze.raw_transactions GROUP BY 1 ORDER BY 1",
    )
    hourly_days = rows(
        warehouse,
        "SELECT sales_date, sum(transaction_count), sum(total_amount)"
        " FROM gold.agg_hourly_sales GROUP BY 1 ORDER BY 1",
    )
    daily = rows(
        warehouse,
        "SELECT activity_date, transaction_count, total_amount FROM gold.agg_daily_fraud"
        " WHERE transaction_count > 0 ORDER BY 1",
    )
    assert bronze_days == hourly_days == daily
    bronze_alerts = rows(
        warehouse,
        "SELECT (event_time AT TIME ZONE 'UTC')::date, count(*) FROM bronze.raw_fraud_alerts"
        " GROUP BY 1 ORDER BY 1",
    )
    gold_alerts = rows(
        warehouse,
        "SELECT activity_date, alert_count FROM gold.agg_daily_fraud WHERE alert_count > 0"
        " ORDER BY 1",
    )
    assert bronze_alerts == gold_alerts
    assert scalar(warehouse, "SELECT sum(transaction_count) FROM gold.dim_customer") == scalar(
        warehouse, "SELECT count(*) FROM bronze.raw_transactions"
    )


def test_first_build_over_generated_bronze_is_green(warehouse: Warehouse) -> None:
    loaded = warehouse.load_events(FIRST_LOAD)
    assert loaded["raw_transactions"] == FIRST_LOAD
    assert loaded["raw_fraud_alerts"] > 500

    result = warehouse.dbt.run("build", variables=NO_SETTLE)

    assert_green(result.returncode, result.output, result.statuses())
    assert result.rows_affected("stg_transactions") == FIRST_LOAD
    assert result.rows_affected("stg_fraud_alerts") == loaded["raw_fraud_alerts"]
    assert sum(node.startswith("test.") for node in result.statuses()) > 100
    assert_marts_reconcile(warehouse)


def test_second_load_processes_only_the_new_rows(warehouse: Warehouse) -> None:
    watermark = scalar(warehouse, "SELECT max(ingested_at) FROM silver.stg_transactions")
    loaded = warehouse.load_events(SECOND_LOAD)
    assert loaded["raw_transactions"] == SECOND_LOAD

    result = warehouse.dbt.run("build", variables=NO_SETTLE)

    assert_green(result.returncode, result.output, result.statuses())
    for model in ("stg_transactions", "fct_transactions"):
        assert result.rows_affected(model) == SECOND_LOAD
    for model in ("stg_fraud_alerts", "fct_fraud_alerts"):
        assert result.rows_affected(model) == loaded["raw_fraud_alerts"]
    assert (
        scalar(
            warehouse,
            f"SELECT count(*) FROM silver.stg_transactions WHERE ingested_at > '{watermark}'",
        )
        == SECOND_LOAD
    )
    assert scalar(warehouse, "SELECT max(ingested_at) FROM silver.stg_transactions") == scalar(
        warehouse, "SELECT max(ingested_at) FROM bronze.raw_transactions"
    )
    assert_marts_reconcile(warehouse)


def test_the_hourly_build_tests_the_last_load_and_quality_tests_everything(
    warehouse: Warehouse,
) -> None:
    hourly = {**NO_SETTLE, "test_scope": "last_load"}
    oldest = "(SELECT transaction_id FROM silver.stg_transactions ORDER BY loaded_at LIMIT 1)"
    corrupt = "UPDATE silver.stg_transactions SET channel = 'teleport' WHERE transaction_id = {}"
    with psycopg.connect(warehouse.server.dsn(), autocommit=True) as connection:
        connection.execute(corrupt.format(oldest).encode())  # a bad row from an earlier load
    warehouse.load_events(200)

    built = warehouse.dbt.run("build", variables=hourly)
    assert_green(built.returncode, built.output, built.statuses())  # it is not in the last load
    compiled = list(warehouse.dbt.target_dir.glob("compiled/**/_staging.yml/*.sql"))
    assert len(compiled) > 20
    for test in compiled:  # every generic test of staging read the last load only
        assert "where loaded_at = (select max(loaded_at) from" in test.read_text(), test.name
    newest = scalar(warehouse, "SELECT max(loaded_at) FROM silver.stg_transactions")
    assert (
        scalar(
            warehouse, f"SELECT count(*) FROM silver.stg_transactions WHERE loaded_at = '{newest}'"
        )
        == 200
    )

    quality = warehouse.dbt.run("test")  # dbt_quality: whole tables
    assert quality.returncode == 1
    failed = {node for node, status in quality.statuses().items() if status == "fail"}
    assert any("accepted_values_stg_transactions_channel" in node for node in failed), failed

    last = "(SELECT transaction_id FROM silver.stg_transactions ORDER BY loaded_at DESC LIMIT 1)"
    with psycopg.connect(warehouse.server.dsn(), autocommit=True) as connection:
        connection.execute(corrupt.format(last).encode())  # now one in the last load
    assert warehouse.dbt.run("test", variables=hourly).returncode == 1
    with psycopg.connect(warehouse.server.dsn(), autocommit=True) as connection:
        connection.execute(
            "UPDATE silver.stg_transactions SET channel = 'pos' WHERE channel = 'teleport'"
        )
    tested = warehouse.dbt.run("test")
    assert_green(tested.returncode, tested.output, tested.statuses())


def test_rows_inside_the_settle_window_wait_for_the_next_run(warehouse: Warehouse) -> None:
    warehouse.load_events(100)

    waiting = warehouse.dbt.run("run", "--select", "stg_transactions")
    loaded = warehouse.dbt.run("run", "--select", "stg_transactions", variables=NO_SETTLE)

    assert waiting.returncode == loaded.returncode == 0
    assert waiting.rows_affected("stg_transactions") == 0
    assert loaded.rows_affected("stg_transactions") == 100


def test_a_late_row_updates_its_old_hour(warehouse: Warehouse) -> None:
    late_hour = scalar(warehouse, "SELECT min(sales_hour) FROM gold.agg_hourly_sales")
    with psycopg.connect(warehouse.server.dsn()) as connection:
        insert_copy_of_first_transaction(connection, amount="12.34")

    result = warehouse.dbt.run("build", variables=NO_SETTLE)

    assert_green(result.returncode, result.output, result.statuses())
    assert result.rows_affected("stg_transactions") == 1
    touched = rows(
        warehouse,
        f"SELECT sum(total_amount) FROM gold.agg_hourly_sales WHERE sales_hour = '{late_hour}'",
    )
    assert touched == rows(
        warehouse,
        "SELECT sum(amount) FROM bronze.raw_transactions"
        f" WHERE date_trunc('hour', event_time AT TIME ZONE 'UTC') = '{late_hour}'",
    )
    assert_marts_reconcile(warehouse)


def test_source_freshness_and_docs(warehouse: Warehouse) -> None:
    freshness = warehouse.dbt.run("source", "freshness")
    sources = json.loads((warehouse.dbt.target_dir / "sources.json").read_text())
    docs = warehouse.dbt.run("docs", "generate")

    assert freshness.returncode == 0, freshness.output[-2000:]
    checked = {result["unique_id"]: result["status"] for result in sources["results"]}
    assert checked == {
        "source.streamflow.bronze.raw_transactions": "pass",
        "source.streamflow.bronze.raw_fraud_alerts": "pass",
    }
    assert docs.returncode == 0, docs.output[-2000:]
    catalog = json.loads((warehouse.dbt.target_dir / "catalog.json").read_text())["nodes"]
    manifest = json.loads((warehouse.dbt.target_dir / "manifest.json").read_text())["nodes"]
    models = {key: node for key, node in manifest.items() if node["resource_type"] == "model"}
    assert len(models) == 9
    for key, model in models.items():
        assert model["description"], f"{key} has no description"
        in_database = set(catalog[key]["columns"])
        documented = {name for name, column in model["columns"].items() if column["description"]}
        assert in_database == documented, f"{key}: undocumented {in_database - documented}, "
        f"documented but absent {documented - in_database}"


def test_a_negative_amount_fails_the_singular_test(warehouse: Warehouse) -> None:
    with psycopg.connect(warehouse.server.dsn()) as connection:
        # Bronze refuses it; a restored or hand-edited table might not.
        connection.execute(
            "ALTER TABLE bronze.raw_transactions DROP CONSTRAINT raw_transactions_amount_positive"
        )
        insert_copy_of_first_transaction(connection, amount="-5.00")

    result = warehouse.dbt.run("build", variables=NO_SETTLE)

    assert result.returncode == 1
    statuses = result.statuses()
    assert statuses["test.streamflow.assert_positive_amounts"] == "fail"
    assert "Failure in test assert_positive_amounts" in result.output
    assert "Got 1 result, configured to fail if != 0" in result.output
