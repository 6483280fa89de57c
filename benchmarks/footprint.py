"""Measured memory of each component beside what the dev spec requests for it.

Runs ``python -m devtools.demo --keep`` (Kafka, PostgreSQL with the spec's
parameters, the three Flink jobs, dbt) and, once its report is out, Airflow's
api-server, scheduler and dag-processor from ``.venv-airflow`` on the demo's
PostgreSQL, running ``dbt_staging`` and ``dbt_quality`` for real (LocalExecutor:
the task processes and their dbt run inside the scheduler, as in its pod).
Every process carries one tag in its environment; a sampler reads each one's
proportional set size (PSS, ``/proc/<pid>/smaps_rollup``: shared pages such as
PostgreSQL's shared buffers counted once) twice a second and sums it per
component. Steady = median while the component is under load (the streaming
stages for Kafka, PostgreSQL and Flink; the DAG runs for Airflow); peak = the
largest sample. Printed next to the spec's requests and limits (``budget``).

Shapes differ where the pod's cannot be run here: the Flink jobs run as three
local mini-clusters (JobManager and TaskManager in one JVM each, plus the
Python driver) against the session cluster's two pods; compare their sum.
Run: `.venv-jobs/bin/python benchmarks/footprint.py [--events N]` (~10 min).
"""

import argparse
import functools
import json
import os
import re
import secrets
import signal
import statistics
import subprocess
import sys
import threading
import time
import uuid
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

import psycopg

from devtools.testing.roles import role_with
from generator.pipeline import budget
from generator.pipeline.load import load
from generator.pipeline.tree import render_environment
from generator.spec.quantity import format_memory
from libs.processes import free_port

REPOSITORY = Path(__file__).resolve().parents[1]
AIRFLOW = REPOSITORY / ".venv-airflow" / "bin" / "airflow"
TAG = "STREAMFLOW_FOOTPRINT_RUN"
MiB = 2**20
# Component → the dev spec's workloads it stands for (budget table names).
WORKLOADS = {
    "kafka": ["dual-role"],
    "postgres": ["streamflow-pg"],
    "flink": ["streamflow-session-jobmanager", "streamflow-session-taskmanager"],
    "airflow scheduler": ["scheduler"],
    "airflow api-server": ["api-server"],
    "airflow dag-processor": ["dag-processor"],
}
DSN_LINE = re.compile(r'^\s*psql "(.+)"$')


# In order: the first predicate a command line meets names its component.
COMPONENTS: tuple[tuple[Callable[[str], bool], str], ...] = (
    (lambda c: "kafka.Kafka" in c, "kafka"),
    (lambda c: c.startswith("postgres") or "/bin/postgres " in c, "postgres"),
    (lambda c: "jobs.flink." in c or ("java" in c and "flink" in c), "flink"),
    (lambda c: "airflow api-server" in c, "airflow api-server"),
    (lambda c: "airflow dag-processor" in c, "airflow dag-processor"),
    (lambda c: "airflow" in c, "airflow scheduler"),  # LocalExecutor's tasks run in its pod
    (lambda c: "bin/dbt " in c, "dbt"),
)


def component_of(command: str) -> str | None:
    """Which component a process belongs to, from its command line."""
    return next((name for matches, name in COMPONENTS if matches(command)), None)


def pss(pid: str) -> int:
    """Proportional set size of one process in bytes (0 when it is gone)."""
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


class Sampler(threading.Thread):
    """Sums PSS per component of every tagged process, twice a second, by phase."""

    def __init__(self, tag: str) -> None:
        super().__init__(daemon=True)
        self.marker = f"{TAG}={tag}".encode()
        self.phase = "start-up"
        self.samples: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.wait(0.5):
            totals: dict[str, int] = defaultdict(int)
            for environ in Path("/proc").glob("[0-9]*/environ"):
                pid = environ.parent.name
                try:
                    if self.marker not in environ.read_bytes().split(b"\0"):
                        continue
                    command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ")
                except OSError:
                    continue
                component = component_of(command.decode(errors="replace"))
                if component == "dbt":  # Airflow's tasks run dbt in the scheduler's pod
                    component = "airflow scheduler" if self.phase == "airflow" else "dbt (demo)"
                if component:
                    totals[component] += pss(pid)
            for component, total in totals.items():
                self.samples[self.phase][component].append(total)


def airflow_environment(dsn: str, api_port: int) -> dict[str, str]:
    """Airflow on the demo's PostgreSQL, configured as the chart configures the pods."""
    port = re.search(r"port=(\d+)", dsn)
    assert port is not None
    pg = f"127.0.0.1:{port[1]}"
    home = (
        Path(os.environ.get("TMPDIR", "/tmp")) / f"streamflow-footprint-airflow-{uuid.uuid4().hex}"
    )
    return {
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(REPOSITORY / "dags"),
        "AIRFLOW__CORE__EXECUTOR": "LocalExecutor",
        "AIRFLOW__CORE__PARALLELISM": "2",
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "False",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"postgresql+psycopg2://postgres@{pg}/airflow",
        "AIRFLOW__API__PORT": str(api_port),
        "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"http://127.0.0.1:{api_port}/execution/",
        "AIRFLOW__API_AUTH__JWT_SECRET": secrets.token_hex(16),
        "AIRFLOW__COSMOS__ENABLE_TELEMETRY": "False",
        "AIRFLOW_CONN_STREAMFLOW_WAREHOUSE": (
            f"postgresql://{role_with('silver', 'build')}:trust@{pg}/streamflow"
        ),
        "AIRFLOW_CONN_STREAMFLOW_MAINTENANCE": f"postgresql://streamflow:trust@{pg}/streamflow",
    }


def run_airflow(dsn: str, tag: str, sampler: Sampler, timeout: float) -> None:
    """Start the three Airflow processes, run two DAGs to success, stop them."""
    with psycopg.connect(dsn.replace("dbname=streamflow", "dbname=postgres"), autocommit=True) as c:
        c.execute("CREATE DATABASE airflow")
    env = {**os.environ, **airflow_environment(dsn, free_port()), TAG: tag}
    env.pop("PYTHONPATH", None)

    def airflow(*arguments: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(AIRFLOW), *arguments],
            env=env,
            capture_output=True,
            text=True,
            check=False,
            timeout=600,
        )

    migrated = airflow("db", "migrate")
    if migrated.returncode != 0:
        raise SystemExit(f"airflow db migrate failed:\n{migrated.stderr[-3000:]}")
    daemons = [
        subprocess.Popen(
            [str(AIRFLOW), role],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        for role in ("api-server", "scheduler", "dag-processor")
    ]
    try:
        sampler.phase = "airflow"
        dags = ("dbt_staging", "dbt_quality")

        def parsed() -> bool:
            listed = airflow("dags", "list", "-o", "json")
            return listed.returncode == 0 and all(dag in listed.stdout for dag in dags)

        wait(parsed, timeout, f"{dags} parsed by the dag-processor")
        for dag in dags:
            airflow("dags", "unpause", dag)
            triggered = airflow("dags", "trigger", dag)
            if triggered.returncode != 0:
                raise SystemExit(f"trigger {dag} failed:\n{triggered.stderr[-2000:]}")
        for dag in dags:
            wait(functools.partial(finished, airflow, dag), timeout, f"{dag} to finish")
            print(f"airflow: {dag} runs {run_states(airflow, dag)}", flush=True)
    finally:
        for daemon in daemons:
            if daemon.poll() is None:
                os.killpg(daemon.pid, signal.SIGTERM)
        for daemon in daemons:
            try:
                daemon.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(daemon.pid, signal.SIGKILL)
                daemon.wait()


DONE = {"success", "failed"}


def run_states(airflow: Callable[..., "subprocess.CompletedProcess[str]"], dag: str) -> list[str]:
    """States of a DAG's runs, from the CLI's JSON (one line or pretty, logs around it)."""
    text = airflow("dags", "list-runs", dag, "-o", "json").stdout
    decoder = json.JSONDecoder()
    for start in (m.start() for m in re.finditer(r"^\s*\[", text, re.MULTILINE)):
        try:
            runs, _ = decoder.raw_decode(text[start:].lstrip())
        except ValueError:
            continue
        if isinstance(runs, list) and all(isinstance(run, dict) for run in runs):
            return [str(run.get("state")) for run in runs]
    return []


def finished(airflow: Callable[..., "subprocess.CompletedProcess[str]"], dag: str) -> bool:
    """Whether a run of the DAG has ended."""
    return bool(DONE & set(run_states(airflow, dag)))


def wait(condition: Callable[[], bool], timeout: float, what: str) -> None:
    """Poll until ``condition`` holds or stop the benchmark."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise SystemExit(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(5)


def spec_memory() -> dict[str, tuple[int, int]]:
    """Component → (requests, limits) the dev spec gives its pods."""
    report = budget.footprints(render_environment(load("dev", REPOSITORY / "specs")))
    by_workload = {f.workload: f.total for f in report.footprints}
    return {
        component: (
            sum(by_workload[w].memory_request for w in workloads),
            sum(by_workload[w].memory_limit for w in workloads),
        )
        for component, workloads in WORKLOADS.items()
    }


def main() -> None:
    arguments = argparse.ArgumentParser(description=__doc__)
    arguments.add_argument("--events", type=int, default=30_000)
    arguments.add_argument("--rate", type=float, default=1_000)
    arguments.add_argument("--airflow-timeout", type=float, default=900)
    arguments.add_argument(
        "--record", type=Path, help="also write the figures here (budget --report --measured)"
    )
    args = arguments.parse_args()
    tag = uuid.uuid4().hex
    sampler = Sampler(tag)
    sampler.start()
    demo = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "devtools.demo",
            "--keep",
            "--events",
            str(args.events),
            "--rate",
            str(args.rate),
        ],
        env={**os.environ, TAG: tag},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert demo.stdout is not None and demo.stderr is not None

    def phases() -> None:
        assert demo.stderr is not None
        for line in demo.stderr:
            if line.startswith("[demo] produce"):
                sampler.phase = "streaming"
            elif line.startswith("[demo] dbt"):
                sampler.phase = "dbt"

    threading.Thread(target=phases, daemon=True).start()
    dsn = None
    try:
        for line in demo.stdout:
            print(line, end="")
            if match := DSN_LINE.match(line):
                dsn = match[1]
                break
        if dsn is None:
            raise SystemExit(f"the demo ended without its services (exit {demo.wait()})")
        try:
            run_airflow(dsn, tag, sampler, args.airflow_timeout)
        except (SystemExit, ValueError) as failed:  # the streaming figures stand on their own
            print(f"airflow not measured: {failed}", file=sys.stderr)
    finally:
        demo.send_signal(signal.SIGINT)
        demo.wait(timeout=300)
        sampler.stop.set()
        sampler.join()
    print_table(sampler.samples, spec_memory())
    if args.record:
        args.record.write_text(json.dumps(record(sampler.samples), indent=2) + "\n")


def steady_and_peak(samples: dict[str, dict[str, list[int]]], component: str) -> tuple[int, int]:
    """Median while the component is under load, and its largest sample (0, 0 if unseen)."""
    phase = "streaming" if component in {"kafka", "postgres", "flink"} else "airflow"
    values = samples.get(phase, {}).get(component, [])
    everything = [v for by in samples.values() for v in by.get(component, [])]
    return (int(statistics.median(values)), max(everything)) if values else (0, 0)


def record(samples: dict[str, dict[str, list[int]]]) -> dict[str, object]:
    """The figures as ``budget --report --measured`` reads them."""
    components = []
    for component, workloads in WORKLOADS.items():
        steady, peak = steady_and_peak(samples, component)
        if steady:
            components.append(
                {
                    "name": component,
                    "workloads": workloads,
                    "steady_mib": round(steady / MiB, 1),
                    "peak_mib": round(peak / MiB, 1),
                }
            )
    return {
        "environment": "dev",
        "measured": time.strftime("%Y-%m-%d"),
        "source": "benchmarks/footprint.py",
        "components": components,
    }


def print_table(samples: dict[str, dict[str, list[int]]], spec: dict[str, tuple[int, int]]) -> None:
    """Steady (median under load) and peak PSS per component, beside requests and limits."""
    print(f"\n{'component':<24}{'steady':>9}{'peak':>9}{'request':>9}{'limit':>9}  verdict")
    for component, (request, limit) in spec.items():
        steady, peak = steady_and_peak(samples, component)
        if not steady:
            print(
                f"{component:<24}{'—':>9}{'—':>9}{format_memory(request):>9}"
                f"{format_memory(limit):>9}  not measured"
            )
            continue
        verdict = "request below steady use" if request < steady else "ok"
        if peak > limit:
            verdict += "; peak above limit"
        print(
            f"{component:<24}{format_memory(steady):>9}{format_memory(peak):>9}"
            f"{format_memory(request):>9}{format_memory(limit):>9}  {verdict}"
        )
    extra = samples.get("dbt", {}).get("dbt (demo)", [])
    if extra:
        print(f"{'dbt (demo, transient)':<24}{'':>9}{format_memory(max(extra)):>9}")


if __name__ == "__main__":
    main()
