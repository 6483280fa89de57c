"""The migrations on disk, and the bootstrap script CloudNativePG runs.

Standard library only: the manifest generator imports this module to put the
very same SQL into the ``Cluster``'s bootstrap, so there is one copy of it.
"""

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from libs.contracts.warehouse.grants import RoleAccess, owner_grants, superuser_setup

SQL_DIR = Path(__file__).with_name("sql")
_NAME = re.compile(r"^V(?P<version>[0-9]{3})__(?P<name>[a-z0-9_]+)\.sql$")
_SCHEMA = re.compile(r"^CREATE SCHEMA IF NOT EXISTS ([a-z_][a-z0-9_]*);", re.MULTILINE)
ROLES_SCRIPT = "roles.sql"
GRANTS_SCRIPT = "grants.sql"
TABLE = "public.schema_migrations"
CREATE_TABLE = f"""CREATE TABLE IF NOT EXISTS {TABLE} (
    version    integer PRIMARY KEY,
    name       text NOT NULL,
    checksum   text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
);
"""


class MigrationError(RuntimeError):
    """A migration file or the database's migration history is inconsistent."""


@dataclass(frozen=True)
class Migration:
    """One versioned SQL file."""

    version: int
    name: str
    path: Path
    sql: str

    @property
    def checksum(self) -> str:
        """SHA-256 of the file: an applied migration must never change."""
        return hashlib.sha256(self.sql.encode("utf-8")).hexdigest()

    def record_sql(self) -> str:
        """The statement that marks this migration applied."""
        return (
            f"INSERT INTO {TABLE} (version, name, checksum) "
            f"VALUES ({self.version}, '{self.name}', '{self.checksum}');\n"
        )


def migrations(directory: Path = SQL_DIR) -> list[Migration]:
    """All migrations in version order; gaps, duplicates and bad names are errors."""
    found = []
    for path in sorted(directory.glob("*.sql")):
        match = _NAME.match(path.name)
        if match is None:
            raise MigrationError(f"{path}: name must look like V001__create_things.sql")
        found.append(Migration(int(match["version"]), match["name"], path, path.read_text("utf-8")))
    versions = [m.version for m in found]
    if versions != list(range(1, len(found) + 1)):
        raise MigrationError(f"{directory}: versions must be 1..n without gaps, got {versions}")
    return found


def schemas(directory: Path = SQL_DIR) -> list[str]:
    """The schemas the migrations create, in order: what roles can be given access to."""
    return [name for m in migrations(directory) for name in _SCHEMA.findall(m.sql)]


def bootstrap_scripts(
    owner: str, roles: Sequence[RoleAccess] = (), directory: Path = SQL_DIR
) -> dict[str, str]:
    """Per migration, the script CNPG runs at ``initdb`` (as superuser, in the app DB), in order.

    Each runs as the application owner so that it owns what it creates, and
    records itself, so the runner later sees these versions as applied. The
    last one creates the roles and grants their access (``libs.contracts.warehouse.grants``).
    """
    scripts = {"V000__migrations_table.sql": f"SET ROLE {owner};\n{CREATE_TABLE}"}
    for migration in migrations(directory):
        scripts[migration.path.name] = (
            f"SET ROLE {owner};\n{migration.sql}\n{migration.record_sql()}"
        )
    if roles:
        scripts[ROLES_SCRIPT] = (
            f"{superuser_setup(owner, roles)}SET ROLE {owner};\n"
            f"{owner_grants(roles, schemas(directory))}"
        )
    return scripts
