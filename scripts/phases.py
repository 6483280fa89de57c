"""Time the phases of ``make setup``/``make test`` and print them as one table.

Every setup step, check and test suite runs as ``phases.py run NAME -- COMMAND``:
the command's exit status passes through, and its start and end are appended
to one record (``$STREAMFLOW_PHASES``, default ``.cache/phases.tsv``). Steps run
concurrently under ``make -j``, so the table shows when each began as well as
how long it took; ``.ci/run`` prints it at the end of every CI log, so the next
regression in CI time is visible where it happens (issue #25).

    python3 scripts/phases.py reset
    python3 scripts/phases.py run venv:jobs -- bash scripts/venv.sh .venv-jobs locks/streaming.txt
    python3 scripts/phases.py report

Standard library only: it runs before any virtualenv exists.
"""

import argparse
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

RECORD = Path(os.environ.get("STREAMFLOW_PHASES", ".cache/phases.tsv"))


@dataclass(frozen=True)
class Phase:
    """One timed step: wall-clock start and end (epoch seconds) and its exit status."""

    name: str
    start: float
    end: float
    status: int

    def line(self) -> str:
        """Its row in the record."""
        return f"{self.name}\t{self.start:.3f}\t{self.end:.3f}\t{self.status}\n"

    @classmethod
    def parse(cls, line: str) -> "Phase":
        """A row of the record."""
        name, start, end, status = line.rstrip("\n").split("\t")
        return cls(name, float(start), float(end), int(status))


def run(name: str, command: list[str], record: Path = RECORD) -> int:
    """Run ``command``, append its phase to ``record`` (even when it fails), return its status."""
    start = time.time()
    try:
        status = subprocess.call(command)
    except FileNotFoundError as error:  # as a shell says it: the phase still counts, failed
        print(f"{name}: {error}", file=sys.stderr)
        status = 127
    except KeyboardInterrupt:
        status = 130
    phase = Phase(name, start, time.time(), status)
    record.parent.mkdir(parents=True, exist_ok=True)
    with record.open("a", encoding="utf-8") as output:  # one short write: safe under make -j
        output.write(phase.line())
    failed = f" (exit {status})" if status else ""
    print(f"phase {name}: {phase.end - phase.start:.1f} s{failed}", flush=True)
    return status


def read(record: Path = RECORD) -> list[Phase]:
    """Every phase recorded so far, in order of start."""
    if not record.exists():
        return []
    lines = record.read_text(encoding="utf-8").splitlines(keepends=True)
    return sorted((Phase.parse(line) for line in lines if line.strip()), key=lambda p: p.start)


def minutes(seconds: float) -> str:
    """``m:ss``."""
    whole = round(seconds)
    return f"{whole // 60}:{whole % 60:02d}"


def table(phases: list[Phase]) -> str:
    """Phases by start: offset from the first start, duration, status; then the wall time."""
    if not phases:
        return "no phases recorded"
    origin = phases[0].start
    width = max(len(p.name) for p in phases)
    rows = [f"{'phase':<{width}}  {'start':>6}  {'took':>6}  status"]
    for phase in phases:
        status = "ok" if phase.status == 0 else f"exit {phase.status}"
        rows.append(f"{phase.name:<{width}}  {minutes(phase.start - origin):>6}  "
                    f"{minutes(phase.end - phase.start):>6}  {status}")  # fmt: skip
    wall = max(p.end for p in phases) - origin
    busy = sum(p.end - p.start for p in phases)
    rows.append(f"{'wall clock':<{width}}  {'':>6}  {minutes(wall):>6}  "
                f"(sum of phases {minutes(busy)}: steps overlapped)")  # fmt: skip
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    """``run NAME -- COMMAND``, ``report`` or ``reset``."""
    parser = argparse.ArgumentParser(prog="scripts/phases.py", description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    timed = commands.add_parser("run", help="run a command as a named phase")
    timed.add_argument("name")
    timed.add_argument("argv", nargs=argparse.REMAINDER, help="-- COMMAND [ARG ...]")
    commands.add_parser("report", help="print the table of recorded phases")
    commands.add_parser("reset", help="forget the recorded phases")
    args = parser.parse_args(argv)
    if args.command == "run":
        command = args.argv[1:] if args.argv[:1] == ["--"] else args.argv
        if not command:
            parser.error("run NAME -- COMMAND: no command")
        return run(args.name, command)
    if args.command == "reset":
        RECORD.unlink(missing_ok=True)
        return 0
    print(table(read()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
