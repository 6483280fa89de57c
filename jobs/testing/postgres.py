"""A real PostgreSQL server from Debian's packages, in a temporary directory.

``initdb`` into a fresh directory, ``pg_ctl start`` on a free loopback port
with durability off (tests, not production), and a ``streamflow`` database
with the migrations applied. PostgreSQL refuses to run as root, so when the
harness runs as root (CI, sessions) the server runs as the ``postgres`` user.

Run by hand: ``python -m jobs.testing.postgres`` starts one and prints its DSN.
"""

import argparse
import contextlib
import os
import pwd
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Self

from jobs.testing.processes import (
    HarnessError,
    ManagedServer,
    free_port,
    log_tail,
    stops_on_failure,
)

DATABASE = "streamflow"


def server_binaries() -> Path:
    """The newest ``/usr/lib/postgresql/<major>/bin`` with ``initdb``."""
    candidates = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parent.parent.name)
    )
    if not candidates:
        raise HarnessError("no PostgreSQL server found; install Debian's 'postgresql' package")
    return candidates[-1].parent


class PostgresServer(ManagedServer):
    """A throwaway PostgreSQL server; use as a context manager."""

    def __init__(self, database: str = DATABASE, port: int = 0) -> None:
        self.database = database
        self.port = port  # 0: a free port is chosen at start
        self.directory = Path()
        self._user: str | None = None
        self._options = ""

    def dsn(self, database: str | None = None) -> str:
        """Libpq connection string for the superuser ``postgres``."""
        return f"host=127.0.0.1 port={self.port} user=postgres dbname={database or self.database}"

    @property
    def log(self) -> Path:
        """The server's log file."""
        return self.directory / "server.log"

    def _run(self, *command: str) -> subprocess.CompletedProcess[str]:
        prefix = ["runuser", "-u", self._user, "--"] if self._user else []
        return subprocess.run(
            [*prefix, *command], capture_output=True, text=True, check=False, cwd=self.directory
        )

    def _checked(self, what: str, *command: str) -> None:
        result = self._run(*command)
        if result.returncode != 0:
            raise HarnessError(
                f"{what} failed:\n{result.stdout}{result.stderr}\nlog tail:\n{log_tail(self.log)}"
            )

    @stops_on_failure
    def start(self, *, migrate: bool = True) -> Self:
        """initdb, start, create the database and (by default) apply migrations."""
        binaries = server_binaries()
        self.directory = Path(tempfile.mkdtemp(prefix="streamflow-pg-"))
        if os.geteuid() == 0:
            self._user = "postgres"
            entry = pwd.getpwnam(self._user)
            os.chown(self.directory, entry.pw_uid, entry.pw_gid)
        self.port = self.port or free_port()
        data = self.directory / "data"
        self._checked(
            "initdb",
            str(binaries / "initdb"),
            "-D",
            str(data),
            "-U",
            "postgres",
            "-A",
            "trust",
            "-E",
            "UTF8",
            "--locale=C.UTF-8",
            "--no-sync",
        )
        self._options = (
            f"-p {self.port} -k {self.directory} -c listen_addresses=127.0.0.1 "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off "
            "-c max_connections=60 -c shared_buffers=64MB"
        )
        self.start_server()
        self.create_database(self.database)
        if migrate:
            from jobs.migrations.runner import migrate as apply  # noqa: PLC0415

            apply(self.dsn())
        return self

    def create_database(self, name: str) -> None:
        """Create another (empty) database on this server."""
        self._checked(
            "createdb",
            str(server_binaries() / "createdb"),
            "-h",
            "127.0.0.1",
            "-p",
            str(self.port),
            "-U",
            "postgres",
            name,
        )

    def stop_keeping_data(self) -> None:
        """Shut the server down but keep its data (outage tests)."""
        self._checked(
            "pg_ctl stop",
            str(server_binaries() / "pg_ctl"),
            "-D",
            str(self.directory / "data"),
            "-m",
            "fast",
            "-w",
            "stop",
        )

    def start_server(self) -> None:
        """Start the server on its port: the first time, or again after ``stop_keeping_data``."""
        self._checked(
            "pg_ctl start",
            str(server_binaries() / "pg_ctl"),
            "-D",
            str(self.directory / "data"),
            "-o",
            self._options,
            "-l",
            str(self.log),
            "-w",
            "-t",
            "60",
            "start",
        )

    def stop(self) -> None:
        """Stop the server (fast shutdown) and delete its directory."""
        if self.directory.name and (self.directory / "data" / "postmaster.pid").exists():
            self._run(
                str(server_binaries() / "pg_ctl"),
                "-D",
                str(self.directory / "data"),
                "-m",
                "immediate",
                "-w",
                "stop",
            )
        if self.directory.name:
            shutil.rmtree(self.directory, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    """Run a migrated server until interrupted."""
    argparse.ArgumentParser(prog="python -m jobs.testing.postgres", description=__doc__).parse_args(
        argv
    )
    with PostgresServer() as server:
        print(f"PostgreSQL at '{server.dsn()}' (log {server.log}); ^C stops")
        with contextlib.suppress(KeyboardInterrupt, EOFError):
            input()
    return 0


if __name__ == "__main__":
    sys.exit(main())
