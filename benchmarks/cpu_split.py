"""CPU seconds by part of the data path while a job runs: where an alert's cost lands.

A wall-clock difference between two variants says how much slower one is, not
which process pays: on this 2-core machine the Flink JVM (with the Python
operator inside it, thread mode), PostgreSQL and the Kafka broker share the
cores, so a sink that makes PostgreSQL busier slows the job as surely as work
in the job itself. This reads ``/proc`` before and after a run and charges each
process's CPU time to its part:

- ``postgres``: every ``postgres`` process, plus what the postmaster's reaped
  children (backends that exited during the run) used;
- ``kafka broker``: Java processes running ``kafka.Kafka``;
- ``flink``: the other Java processes under this benchmark (PyFlink's gateway
  JVM, which hosts the mini-cluster and the Python operator);
- ``rest``: the machine's busy time not charged above (this process, the
  kernel's own threads, anything else running).

Linux only (``/proc``); figures are CPU seconds, so two busy cores give up to
two seconds per second.
"""

import os
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

TICK = os.sysconf("SC_CLK_TCK")
PARTS = ("flink", "postgres", "kafka broker", "rest")
Result = TypeVar("Result")


@dataclass(frozen=True)
class Process:
    """One process's identity and CPU seconds (its own, and its reaped children's)."""

    pid: int
    parent: int
    command: str
    own: float
    reaped: float


def _process(pid: int) -> Process | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii", errors="replace")
        command = (
            Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        )
    except OSError:  # it ended between the listing and the read
        return None
    fields = stat.rsplit(")", 1)[1].split()  # after "pid (comm)": state, ppid, ...
    utime, stime, cutime, cstime = (int(value) for value in fields[11:15])
    return Process(pid, int(fields[1]), command, (utime + stime) / TICK, (cutime + cstime) / TICK)


def _machine_busy() -> float:
    """CPU seconds the machine spent busy since boot (all but idle and iowait)."""
    values = [int(value) for value in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return (sum(values) - values[3] - values[4]) / TICK


def _descends(process: Process, ancestor: int, table: dict[int, Process]) -> bool:
    while process.parent in table:
        if process.parent == ancestor:
            return True
        process = table[process.parent]
    return process.parent == ancestor


def sample() -> dict[str, float]:
    """CPU seconds used so far by each part (a running total: subtract two samples)."""
    table = {p.pid: p for p in map(_process, _pids()) if p is not None}
    parts: defaultdict[str, float] = defaultdict(float)
    me = os.getpid()
    for process in table.values():
        if process.command.startswith("postgres") or "/postgres " in process.command:
            postmaster = table.get(process.parent) is None or not table[
                process.parent
            ].command.startswith("postgres")
            parts["postgres"] += process.own + (process.reaped if postmaster else 0.0)
        elif "java" in process.command and "kafka.Kafka" in process.command:
            parts["kafka broker"] += process.own
        elif "java" in process.command and _descends(process, me, table):
            parts["flink"] += process.own
    parts["rest"] = _machine_busy() - sum(parts.values())
    return parts


def _pids() -> list[int]:
    return [int(name) for name in os.listdir("/proc") if name.isdigit()]


def measured(action: Callable[[], Result]) -> tuple[Result, dict[str, float]]:
    """``action``'s result and the CPU seconds each part used while it ran."""
    before = sample()
    result = action()
    after = sample()
    return result, {part: after[part] - before[part] for part in PARTS}
