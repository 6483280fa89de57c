"""Shared plumbing of the harness: free ports, log tails, waiting with a deadline."""

import functools
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from types import FrameType, TracebackType
from typing import Concatenate, ParamSpec, Self, TypeVar


class HarnessError(RuntimeError):
    """A server did not start; the message carries the tail of its log."""


LOWEST_PORT = 10_000
_HANDED_OUT: set[int] = set()
_RANDOM = random.SystemRandom()


def _ephemeral_low() -> int:
    """The lowest port the kernel picks for outgoing connections (Linux; 32768 elsewhere)."""
    try:
        return int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 32_768


def free_port() -> int:
    """A TCP port on loopback that is free right now, for a server about to bind it.

    Chosen at random below the kernel's ephemeral range, never twice in one process:
    a port from the ephemeral range (``bind(0)``) is also what every outgoing
    connection of every process gets, so under ``make test``'s parallel suites one
    was taken by a client between the choice and the server's bind.
    """
    high = max(LOWEST_PORT + 1_000, _ephemeral_low())
    while True:
        port = _RANDOM.randrange(LOWEST_PORT, high)
        if port in _HANDED_OUT:
            continue
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
        _HANDED_OUT.add(port)
        return port


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


def dying_with_parent(command: list[str], setpriv_options: Sequence[str] = ()) -> list[str]:
    """``command`` run so that the kernel kills it when the process starting it dies.

    util-linux's ``setpriv --pdeathsig`` sets the parent-death signal and execs
    the command (a ``preexec_fn`` would do the same, but is unsafe in a process
    with threads, as every test process with a Kafka client is), so however the
    owner dies — SIGKILL included — no child is left behind. ``setpriv_options``
    may switch user in the same exec (``--reuid``/``--regid``), which keeps the
    server a direct child (``runuser`` would stay in between).
    """
    return ["setpriv", *setpriv_options, "--pdeathsig", "KILL", "--", *command]


OWNER_FILE = ".owner-pid"


def claim_directory(directory: Path) -> Path:
    """Record this process as the owner of a server's directory (see ``sweep_orphans``)."""
    (directory / OWNER_FILE).write_text(str(os.getpid()), encoding="utf-8")
    return directory


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def sweep_orphans(prefix: str) -> list[Path]:
    """Remove temp directories of servers whose owner was killed before it could clean up.

    A SIGKILLed owner takes its servers with it (``dying_with_parent``) but cannot
    remove their directories; the next start of the same kind of server does.
    """
    removed = []
    for directory in Path(tempfile.gettempdir()).glob(f"{prefix}*"):
        owner = directory / OWNER_FILE
        try:
            pid = int(owner.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if not _alive(pid):
            shutil.rmtree(directory, ignore_errors=True)
            removed.append(directory)
    return removed


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


P = ParamSpec("P")
R = TypeVar("R")
S = TypeVar("S", bound="ManagedServer")


def stops_on_failure(start: Callable[Concatenate[S, P], R]) -> Callable[Concatenate[S, P], R]:
    """Decorate a ``start``: if it fails half-way, stop what it started and remove its files."""

    def guarded(self: S, /, *args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return start(self, *args, **kwargs)
        except BaseException:
            self.stop()
            raise

    functools.update_wrapper(guarded, start)
    return guarded


def _exit(signum: int, _frame: FrameType | None) -> None:
    sys.exit(128 + signum)


def exit_on_sigterm() -> None:
    """Make SIGTERM unwind the stack (``SystemExit``), so every ``with`` server stops.

    Python's default for SIGTERM is to die at once, skipping ``finally`` and
    ``__exit__``: a benchmark stopped with ``kill`` would orphan its servers and
    leave their directories. Only a default handler in the main thread is replaced.
    """
    if threading.current_thread() is threading.main_thread() and (
        signal.getsignal(signal.SIGTERM) is signal.SIG_DFL
    ):
        signal.signal(signal.SIGTERM, _exit)


class ManagedServer:
    """A server started on entering a ``with`` block and stopped on leaving it.

    Leaving includes a SIGTERM to the owner (``exit_on_sigterm``); a start that
    fails half-way stops itself (``stops_on_failure``).
    """

    def start(self) -> Self:
        """Start the server and wait until it serves."""
        raise NotImplementedError

    def stop(self) -> None:
        """Stop the server and remove what it wrote."""
        raise NotImplementedError

    def __enter__(self) -> Self:
        exit_on_sigterm()
        return self.start()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.stop()
