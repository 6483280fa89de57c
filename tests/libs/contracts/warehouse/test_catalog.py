"""Migration files: naming, ordering, and the bootstrap scripts CNPG runs."""

from pathlib import Path

import pytest

from libs.contracts.warehouse.catalog import MigrationError, bootstrap_scripts, migrations


def test_repository_migrations_are_contiguous() -> None:
    found = migrations()
    assert [m.version for m in found] == list(range(1, len(found) + 1))
    assert found[0].name == "schemas"


def test_bad_names_and_gaps_are_errors(tmp_path: Path) -> None:
    (tmp_path / "V001__ok.sql").write_text("SELECT 1;")
    (tmp_path / "V003__gap.sql").write_text("SELECT 1;")
    with pytest.raises(MigrationError, match="without gaps"):
        migrations(tmp_path)
    (tmp_path / "create_things.sql").write_text("SELECT 1;")
    with pytest.raises(MigrationError, match=r"create_things\.sql: name must look like"):
        migrations(tmp_path)


def test_bootstrap_scripts_run_as_owner_and_record_themselves() -> None:
    scripts = bootstrap_scripts("streamflow")
    assert next(iter(scripts)) == "V000__migrations_table.sql"
    for migration in migrations():
        script = scripts[migration.path.name]
        assert script.startswith("SET ROLE streamflow;\n")
        assert migration.sql in script
        assert migration.checksum in script
