"""A PyFlink job on its own local mini-cluster, in its own process group.

``python -m jobs.flink.<job>`` runs the job on a mini-cluster inside its own
gateway JVM. PyFlink reuses an already running gateway when
``PYFLINK_GATEWAY_PORT`` is set (it is in a process that ran a job in-process
before): the job would then run in that JVM, without its own reporter, so it is
removed. Each job gets its own Flink log directory (the mini-cluster's log,
REST address included). The process dies with its owner (``dying_with_parent``)
and is killed with its whole group, JVM included.
"""

import json
import os
import re
import signal
import subprocess
import sys
import urllib.request
from pathlib import Path
from typing import Any

from libs.processes import HarnessError, dying_with_parent, wait_until

REST_ENDPOINT = re.compile(r"Rest endpoint listening at (\S+:\d+)")


class FlinkProcess:
    """One job: started at construction, ``kill`` ends it and its JVM."""

    def __init__(
        self, module: str, arguments: list[str], log: Path, env: dict[str, str] | None = None
    ) -> None:
        self.module = module
        self.flink_logs = log.with_suffix(".flink")
        self.flink_logs.mkdir(parents=True, exist_ok=True)
        inherited = {k: v for k, v in os.environ.items() if "PYFLINK_GATEWAY" not in k}
        environment = {**inherited, **(env or {}), "FLINK_LOG_DIR": str(self.flink_logs)}
        with log.open("wb") as output:
            self.process = subprocess.Popen(
                dying_with_parent([sys.executable, "-m", module, *arguments]), env=environment,
                stdout=output, stderr=subprocess.STDOUT, start_new_session=True,
            )  # fmt: skip

    def flink_log(self) -> str:
        """Everything the job's JVM and its Python functions logged so far."""
        return "".join(path.read_text(errors="replace") for path in self.flink_logs.glob("*.log"))

    def alive(self) -> bool:
        """Whether the job's process still runs."""
        return self.process.poll() is None

    def rest_url(self, timeout: float = 180) -> str:
        """The mini-cluster's REST endpoint (its web UI), once it listens."""
        found: list[str] = []

        def listening() -> bool:
            found[:] = REST_ENDPOINT.findall(self.flink_log())[-1:]
            return bool(found)

        if not wait_until(listening, timeout, self.alive):
            state = "exited" if not self.alive() else "still starting"
            raise HarnessError(f"{self.module}: no REST endpoint after {timeout:.0f}s ({state})")
        return f"http://{found[0]}"

    def running(self) -> bool:
        """Whether its one job is RUNNING (polled through REST; not yet while REST is starting)."""
        return "RUNNING" in (self.statuses() or [])

    def statuses(self) -> list[str] | None:
        """Its jobs' statuses as REST reports them; None while REST does not answer.

        No answer says nothing about the job: on a loaded machine the REST call
        can time out while the job runs fine.
        """
        try:
            return [job["status"] for job in rest(f"{self.rest_url()}/jobs")["jobs"]]
        except OSError:  # urllib's errors (503 while the dispatcher starts) are OSErrors
            return None

    def kill(self) -> None:
        """SIGKILL the whole process group (the JVM included) and reap it."""
        if self.alive():
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()


def rest(url: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
    """One call to Flink's REST API: GET, or POST of a JSON body."""
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data, {"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        answer: dict[str, Any] = json.load(response)
    return answer
