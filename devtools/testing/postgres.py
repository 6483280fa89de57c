"""A real PostgreSQL server from Debian's packages, in a temporary directory.

``initdb`` into a fresh directory, the postmaster on a free loopback port
with durability off (tests, not production), and a ``streamflow`` database
prepared as CloudNativePG prepares it: owned by the ``streamflow`` role, the
bootstrap scripts run as at ``initdb`` (migrations as the owner, then the
workload roles and their grants), the roles given ``LOGIN`` as the managed
roles do. Loopback connections are trusted, so any role logs in by name.
PostgreSQL refuses to run as root, so when the harness runs as root (CI,
sessions) the server runs as the ``postgres`` user.

The postmaster is this process's own child, not daemonised by ``pg_ctl``: it
runs under ``setpriv --pdeathsig KILL`` (switching to ``postgres`` in the same
exec), so it dies with its owner even on SIGKILL, and its backends follow it
(they exit when the postmaster is gone). A directory left by an owner that was
killed is removed by the next start (``sweep_orphans``).

Run by hand: ``python -m devtools.testing.postgres`` starts one and prints its DSN.
"""

import argparse
import contextlib
import os
import pwd
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Self

import psycopg
import yaml

from devtools.testing.roles import platform_roles
from devtools.testing.topics import SPEC
from libs.contracts.warehouse.catalog import bootstrap_scripts
from libs.contracts.warehouse.grants import RoleAccess
from libs.processes import (
    HarnessError,
    ManagedServer,
    claim_directory,
    dying_with_parent,
    free_port,
    log_tail,
    stops_on_failure,
    sweep_orphans,
    wait_until,
)

DATABASE = "streamflow"
OWNER = "streamflow"
PREFIX = "streamflow-pg-"


def spec_parameters(spec: Path = SPEC) -> dict[str, str]:
    """``postgres.parameters`` of ``specs/platform.yaml`` (the dev Cluster's settings)."""
    data = yaml.safe_load(spec.read_text(encoding="utf-8"))
    return {str(k): str(v) for k, v in data["postgres"].get("parameters", {}).items()}


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

    def __init__(
        self, database: str = DATABASE, port: int = 0, roles: Sequence[RoleAccess] | None = None
    ) -> None:
        self.database = database
        self.port = port  # 0: a free port is chosen at start
        self.roles = tuple(platform_roles() if roles is None else roles)
        self.directory = Path()
        self._user: str | None = None
        self._options: list[str] = []
        self._postmaster: subprocess.Popen[bytes] | None = None

    def dsn(self, database: str | None = None, user: str = "postgres") -> str:
        """Libpq connection string, by default for the superuser ``postgres``."""
        return f"host=127.0.0.1 port={self.port} user={user} dbname={database or self.database}"

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
        """initdb, start, create the database and (by default) bootstrap it as CNPG does."""
        binaries = server_binaries()
        sweep_orphans(PREFIX)
        self.directory = claim_directory(Path(tempfile.mkdtemp(prefix=PREFIX)))
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
        # The spec's parameters (as the Cluster runs), durability off (tests, not production).
        settings = {**spec_parameters(), "fsync": "off", "synchronous_commit": "off",
                    "full_page_writes": "off", "listen_addresses": "127.0.0.1"}  # fmt: skip
        self._options = ["-p", str(self.port), "-k", str(self.directory)]
        for name, value in sorted(settings.items()):
            self._options += ["-c", f"{name}={value}"]
        self.start_server()
        if migrate:
            self.bootstrap()
        else:
            self.create_database(self.database)
        return self

    def bootstrap(self) -> None:
        """The database as CloudNativePG's ``initdb`` leaves it, with the managed roles' logins."""
        with psycopg.connect(self.dsn("postgres"), autocommit=True) as admin:
            admin.execute(f"CREATE ROLE {OWNER} LOGIN".encode())
        self.create_database(self.database, owner=OWNER)
        with psycopg.connect(self.dsn(), autocommit=True) as connection:
            for script in bootstrap_scripts(OWNER, self.roles).values():
                connection.execute(script.encode())
                connection.execute("RESET ROLE")
            for role in self.roles:
                connection.execute(f"ALTER ROLE {role.name} LOGIN".encode())

    def create_database(self, name: str, owner: str = "postgres") -> None:
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
            "-O",
            owner,
            name,
        )

    def stop_keeping_data(self) -> None:
        """Shut the server down but keep its data (outage tests): a fast shutdown."""
        self._shut_down(signal.SIGINT)

    def _shut_down(self, how: signal.Signals) -> None:
        """SIGINT is PostgreSQL's fast shutdown, SIGQUIT its immediate one."""
        postmaster, self._postmaster = self._postmaster, None
        if postmaster is None or postmaster.poll() is not None:
            return
        postmaster.send_signal(how)
        try:
            postmaster.wait(timeout=60)
        except subprocess.TimeoutExpired:
            postmaster.kill()
            postmaster.wait()

    def _ready(self) -> bool:
        probe = subprocess.run(
            [str(server_binaries() / "pg_isready"), "-q", "-h", "127.0.0.1", "-p", str(self.port)],
            check=False,
        )
        return probe.returncode == 0

    def start_server(self) -> None:
        """Start the server on its port: the first time, or again after ``stop_keeping_data``."""
        identity = []
        if self._user:
            entry = pwd.getpwnam(self._user)
            identity = [f"--reuid={entry.pw_uid}", f"--regid={entry.pw_gid}", "--init-groups"]
        command = dying_with_parent(
            [str(server_binaries() / "postgres"), "-D", str(self.directory / "data"),
             *self._options],
            identity,
        )  # fmt: skip
        with self.log.open("ab") as log:
            self._postmaster = subprocess.Popen(
                command, stdout=log, stderr=subprocess.STDOUT, cwd=self.directory
            )
        postmaster = self._postmaster
        if not wait_until(self._ready, 60, lambda: postmaster.poll() is None):
            raise HarnessError(f"PostgreSQL did not start:\n{log_tail(self.log)}")

    def stop(self) -> None:
        """Stop the server (immediate shutdown) and delete its directory."""
        self._shut_down(signal.SIGQUIT)
        if self.directory.name:
            shutil.rmtree(self.directory, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    """Run a migrated server until interrupted."""
    argparse.ArgumentParser(
        prog="python -m devtools.testing.postgres", description=__doc__
    ).parse_args(argv)
    with PostgresServer() as server:
        print(f"PostgreSQL at '{server.dsn()}' (log {server.log}); ^C stops")
        with contextlib.suppress(KeyboardInterrupt, EOFError):
            input()
    return 0


if __name__ == "__main__":
    sys.exit(main())
