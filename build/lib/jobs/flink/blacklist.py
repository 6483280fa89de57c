"""The FR-005 blacklist, read from ``bronze.blacklist`` and refreshed without a restart."""

import logging
import time
from collections.abc import Callable
from urllib.parse import urlsplit

import psycopg

LOGGER = logging.getLogger("streamflow.blacklist")
Lists = tuple[frozenset[str], frozenset[str]]


def libpq_dsn(jdbc_url: str, user: str, password: str) -> str:
    """``jdbc:postgresql://host:port/db`` → a libpq connection string."""
    parts = urlsplit(jdbc_url.removeprefix("jdbc:"))
    return psycopg.conninfo.make_conninfo(
        host=parts.hostname or "localhost",
        port=str(parts.port or 5432),
        dbname=parts.path.lstrip("/"),
        user=user,
        password=password,
        connect_timeout="5",
    )


def read_blacklist(dsn: str) -> Lists:
    """(customers, stores) on the blacklist."""
    with psycopg.connect(dsn) as connection:
        rows = connection.execute("SELECT entity_type, entity_id FROM bronze.blacklist").fetchall()
    customers = frozenset(entity for kind, entity in rows if kind == "customer")
    stores = frozenset(entity for kind, entity in rows if kind == "store")
    return customers, stores


class RefreshingBlacklist:
    """The lists, reloaded every ``interval_s`` of processing time.

    Refresh timing is operational, not a rule input, so processing time is
    right here. A failed reload keeps the previous lists and logs a warning:
    a database hiccup must not stop fraud detection.
    """

    def __init__(
        self,
        load: Callable[[], Lists],
        interval_s: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._load, self._interval, self._clock = load, interval_s, clock
        self.customers: frozenset[str] = frozenset()
        self.stores: frozenset[str] = frozenset()
        self._due = 0.0
        self.refresh()

    def refresh(self) -> None:
        """Reload now (keeping the old lists if the database is unreachable)."""
        self._due = self._clock() + self._interval
        try:
            self.customers, self.stores = self._load()
        except psycopg.Error as error:
            LOGGER.warning(
                "blacklist reload failed, keeping %d+%d entries: %s",
                len(self.customers),
                len(self.stores),
                error,
            )

    def maybe_refresh(self) -> bool:
        """Reload when the interval has passed (True then); cheap otherwise."""
        if self._clock() < self._due:
            return False
        self.refresh()
        return True
