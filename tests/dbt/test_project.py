"""The dbt project agrees with the Python models (no database needed)."""

from pathlib import Path

import yaml

from devtools.testing.dbt import PROJECT
from libs.models.events import Category, Channel, FraudPattern


def accepted_values(model: str, column: str) -> list[str]:
    documents = [yaml.safe_load(path.read_text()) for path in PROJECT.glob("models/**/*.yml")]
    for document in documents:
        for entry in document.get("models", []):
            if entry["name"] != model:
                continue
            for described in entry["columns"]:
                if described["name"] != column:
                    continue
                for test in described.get("data_tests", []):
                    if isinstance(test, dict) and "accepted_values" in test:
                        values: list[str] = test["accepted_values"]["arguments"]["values"]
                        return values
    raise AssertionError(f"{model}.{column} has no accepted_values test")


def test_accepted_values_are_the_event_enums() -> None:
    assert set(accepted_values("stg_transactions", "channel")) == {c.value for c in Channel}
    assert set(accepted_values("stg_transactions", "category")) == {c.value for c in Category}
    assert set(accepted_values("stg_transactions", "fraud_label")) == {
        p.value for p in FraudPattern
    }


def test_every_model_file_has_a_schema_entry() -> None:
    sql = {path.stem for path in PROJECT.glob("models/**/*.sql")}
    documented = {
        entry["name"]
        for path in PROJECT.glob("models/**/*.yml")
        for entry in yaml.safe_load(path.read_text()).get("models", [])
    }
    assert sql == documented
    assert Path(PROJECT / "macros" / "generate_schema_name.sql").exists()
