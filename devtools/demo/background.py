"""A watcher that runs in a daemon thread for the length of a ``with`` block."""

import threading
from types import TracebackType
from typing import Self


class Background:
    """Starts ``run`` in a daemon thread on entry; on exit, sets ``stopping`` and joins it."""

    def __init__(self, name: str) -> None:
        self.stopping = threading.Event()
        self._thread = threading.Thread(target=self.run, name=name, daemon=True)

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stopping.set()
        self._thread.join(timeout=60)

    def run(self) -> None:
        """The watcher's loop, until ``stopping`` is set."""
        raise NotImplementedError
