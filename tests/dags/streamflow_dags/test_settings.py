from pathlib import Path

import pytest
from streamflow_dags.settings import ROOT, Settings


def test_defaults_are_the_repository_layout(monkeypatch: pytest.MonkeyPatch) -> None:
    variables = ("DBT_PROJECT_DIR", "DBT_EXECUTABLE", "WAREHOUSE_CONN_ID", "MAINTENANCE_CONN_ID",
                 "BRONZE_RETENTION_DAYS")  # fmt: skip
    for name in variables:
        monkeypatch.delenv(f"STREAMFLOW_{name}", raising=False)
    settings = Settings.from_environment()
    assert settings.dbt_project_dir == ROOT / "dbt"
    assert (settings.dbt_project_dir / "dbt_project.yml").exists()
    assert settings.dbt_executable == ROOT / ".venv-dbt" / "bin" / "dbt"
    assert settings.warehouse_conn_id == "streamflow_warehouse"
    assert settings.maintenance_conn_id == "streamflow_maintenance"
    assert settings.bronze_retention_days == 30


def test_the_environment_overrides(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STREAMFLOW_DBT_EXECUTABLE", "/opt/dbt/bin/dbt")
    monkeypatch.setenv("STREAMFLOW_BRONZE_RETENTION_DAYS", "7")
    settings = Settings.from_environment()
    assert settings.dbt_executable == Path("/opt/dbt/bin/dbt")
    assert settings.bronze_retention_days == 7
