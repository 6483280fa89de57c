"""``python -m jobs.migrations {migrate,seed,status} --dsn DSN | --dsn-file PATH``.

The DSN may also come from ``STREAMFLOW_DSN``. In the cluster it is read from a
file: the ``uri`` key of CloudNativePG's ``streamflow-pg-app`` Secret mounted as
a volume, so the password is in no environment variable (``/proc/*/environ``,
crash dumps, child processes).
"""

import argparse
import os
import sys
from pathlib import Path

import psycopg

from jobs.migrations.runner import migrate
from jobs.migrations.seed import seed
from libs.contracts.warehouse.catalog import TABLE, MigrationError, migrations


def _read(cli: argparse.ArgumentParser, option: str, path: Path) -> str:
    """A file named on the command line; unreadable is a usage error naming it."""
    try:
        return path.read_text(encoding="utf-8")
    except OSError as error:
        cli.error(f"{option} {path}: {error.strerror}")


def main(argv: list[str] | None = None) -> int:
    """Run one command; a migration error is one clear line and exit code 1."""
    cli = argparse.ArgumentParser(prog="python -m jobs.migrations", description=__doc__)
    cli.add_argument("command", choices=["migrate", "seed", "status"])
    source = cli.add_mutually_exclusive_group()
    source.add_argument("--dsn", default=os.environ.get("STREAMFLOW_DSN"))
    source.add_argument("--dsn-file", type=Path, help="file holding the DSN (a mounted Secret)")
    cli.add_argument("--seed", type=int, default=42, help="world seed (match the generator's)")
    cli.add_argument(
        "--grants-file", type=Path, help="migrate: then apply the roles' access from this SQL file"
    )
    args = cli.parse_args(argv)
    if args.dsn_file is not None:
        args.dsn = _read(cli, "--dsn-file", args.dsn_file).strip()
    grants = None if args.grants_file is None else _read(cli, "--grants-file", args.grants_file)
    if not args.dsn:
        cli.error("--dsn, --dsn-file or STREAMFLOW_DSN is required")
    try:
        if args.command == "migrate":
            applied = migrate(args.dsn, grants=grants)
            print(f"applied {len(applied)} migration(s): {[m.path.name for m in applied]}")
        elif args.command == "seed":
            print(f"inserted {seed(args.dsn, seed_value=args.seed)}")
        else:
            with psycopg.connect(args.dsn) as connection:
                done = {r[0] for r in connection.execute(f"SELECT version FROM {TABLE}")}
            for migration in migrations():
                state = "applied" if migration.version in done else "pending"
                print(f"{state:8} {migration.path.name}")
    except (MigrationError, psycopg.Error) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
