"""Apply pending migrations with psycopg, each in its own transaction.

Re-running is a no-op: applied versions are recorded in
``public.schema_migrations`` with the file's checksum, and a changed applied
file is an error rather than silently skipped. A session-level advisory lock
keeps two runners (two pods of a Job) from racing.
"""

import psycopg

from libs.contracts.warehouse.catalog import (
    CREATE_TABLE,
    TABLE,
    Migration,
    MigrationError,
    migrations,
)

LOCK_KEY = 0x5F_5354_524D  # "_STRM"


def _applied(connection: psycopg.Connection) -> dict[int, str]:
    rows = connection.execute(f"SELECT version, checksum FROM {TABLE}").fetchall()
    return {int(version): str(checksum) for version, checksum in rows}


def migrate(
    dsn: str, available: list[Migration] | None = None, grants: str | None = None
) -> list[Migration]:
    """Apply what is pending, then ``grants`` (the roles' access); return what was applied.

    The grants run every time, in one transaction (revoke and re-grant, see
    ``libs.contracts.warehouse.grants``), so a narrowed access in the spec takes effect.
    """
    available = migrations() if available is None else available
    applied_now = []
    with psycopg.connect(dsn, autocommit=True) as connection:
        connection.execute("SELECT pg_advisory_lock(%s)", (LOCK_KEY,))
        try:
            connection.execute(CREATE_TABLE)
            applied = _applied(connection)
            for migration in available:
                recorded = applied.get(migration.version)
                if recorded is not None:
                    if recorded != migration.checksum:
                        raise MigrationError(
                            f"{migration.path.name} was changed after it was applied "
                            f"(checksum {recorded[:12]} in the database, "
                            f"{migration.checksum[:12]} on disk); add a new migration instead"
                        )
                    continue
                with connection.transaction():
                    connection.execute(migration.sql.encode())
                    connection.execute(migration.record_sql().encode())
                applied_now.append(migration)
            if grants:
                with connection.transaction():
                    connection.execute(grants.encode())
        finally:
            connection.execute("SELECT pg_advisory_unlock(%s)", (LOCK_KEY,))
    return applied_now
