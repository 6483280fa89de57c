from streamflow_dags.warehouse import TableSize, prune_statement, vacuum_statement


def test_pruning_is_bounded_by_retention_and_by_what_silver_holds() -> None:
    statement = prune_statement("raw_transactions", "stg_transactions")
    assert statement.startswith("DELETE FROM bronze.raw_transactions WHERE event_time < now()")
    assert "%(retention_days)s" in statement
    assert "FROM silver.stg_transactions" in statement


def test_vacuum_analyses() -> None:
    assert vacuum_statement("bronze.raw_transactions") == "VACUUM (ANALYZE) bronze.raw_transactions"


def test_sizes_read_in_mebibytes_and_never_negative_rows() -> None:
    assert TableSize("gold.x", 3 * 2**20, -1).describe() == "gold.x: 3.0 MiB, ~0 rows"
