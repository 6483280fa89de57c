"""Shared plumbing of the harness: free ports, log tails, waiting with a deadline."""

import socket
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import Self


class HarnessError(RuntimeError):
    """A server did not start; the message carries the tail of its log."""


def free_port() -> int:
    """A TCP port on loopback that is free right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def log_tail(path: Path, lines: int = 40) -> str:
    """The last lines of a log file (or a note that there is none)."""
    if not path.exists():
        return f"(no log at {path})"
    text = path.read_text(encoding="utf-8", errors="replace").splitlines()
    return "\n".join(text[-lines:])


def wait_until(ready: Callable[[], bool], timeout: float, alive: Callable[[], bool]) -> bool:
    """Poll ``ready`` until true, the deadline passes, or the process dies."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if ready():
            return True
        if not alive():
            return False
        time.sleep(0.2)
    return False


def dying_with_parent(command: list[str]) -> list[str]:
    """``command`` run so that the kernel kills it when the process starting it dies.

    util-linux's ``setpriv --pdeathsig`` sets the parent-death signal and execs
    the command (a ``preexec_fn`` would do the same, but is unsafe in a process
    with threads, as every test process with a Kafka client is), so however the
    owner dies — SIGKILL included — no child is left behind.
    """
    return ["setpriv", "--pdeathsig", "KILL", "--", *command]


def terminate(process: "subprocess.Popen[bytes] | None", timeout: float = 20.0) -> None:
    """Stop a child process: SIGTERM, then SIGKILL if it has not exited within ``timeout``."""
    if process is None or process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


class ManagedServer:
    """A server started on entering a ``with`` block and stopped on leaving it."""

    def start(self) -> Self:
        """Start the server and wait until it serves."""
        raise NotImplementedError

    def stop(self) -> None:
        """Stop the server and remove what it wrote."""
        raise NotImplementedError

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.stop()
