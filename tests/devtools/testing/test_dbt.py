from pathlib import Path

import pytest

from devtools.testing.dbt import PROJECT, DbtProject, DbtResult


def test_dbt_does_not_inherit_this_interpreters_module_path(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # The PyFlink jobs export PYTHONPATH; dbt must import its own packages.
    monkeypatch.setenv("PYTHONPATH", "/somewhere/site-packages")
    environment = DbtProject("127.0.0.1", 5432, "postgres", tmp_path).environment()
    assert "PYTHONPATH" not in environment
    assert environment["STREAMFLOW_PG_PORT"] == "5432"
    assert environment["DBT_PROFILES_DIR"] == str(PROJECT)


def test_rows_affected_names_the_model_that_did_not_run() -> None:
    result = DbtResult(0, "", [])
    with pytest.raises(KeyError, match="stg_transactions did not run"):
        result.rows_affected("stg_transactions")
