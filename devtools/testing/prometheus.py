"""A real Prometheus server (Debian's package) scraping local targets and evaluating rules.

Each server gets a fresh TSDB directory and a free port, scrapes every second
and evaluates its rule files every second, so tests can wait for a series or
an alert by polling the HTTP API instead of sleeping.
"""

import json
import shutil
import subprocess
import tempfile
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any, Self

import yaml

from libs.processes import (
    HarnessError,
    ManagedServer,
    dying_with_parent,
    free_port,
    log_tail,
    stops_on_failure,
    terminate,
    wait_until,
)

BINARY = Path("/usr/bin/prometheus")


class PrometheusServer(ManagedServer):
    """One Prometheus on loopback; use as a context manager."""

    def __init__(self, scrape_configs: list[dict[str, Any]],
                 rule_groups: list[dict[str, Any]] | None = None) -> None:  # fmt: skip
        self.scrape_configs = scrape_configs
        self.rule_groups = rule_groups or []
        self.port = 0
        self.directory = Path()
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        """Base URL of the HTTP API."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def log(self) -> Path:
        """The server's log."""
        return self.directory / "prometheus.log"

    def _config(self) -> dict[str, Any]:
        config: dict[str, Any] = {
            "global": {"scrape_interval": "1s", "evaluation_interval": "1s"},
            "scrape_configs": self.scrape_configs,
        }
        if self.rule_groups:
            rules = self.directory / "rules.yaml"
            rules.write_text(yaml.safe_dump({"groups": self.rule_groups}, sort_keys=False))
            config["rule_files"] = [str(rules)]
        return config

    @stops_on_failure
    def start(self, timeout: float = 60.0) -> Self:
        """Write the configuration, start the server and wait until it is ready."""
        if not BINARY.exists():
            raise HarnessError(f"{BINARY} missing; run scripts/install-system-deps.sh")
        self.directory = Path(tempfile.mkdtemp(prefix="streamflow-prometheus-"))
        self.port = free_port()
        config = self.directory / "prometheus.yml"
        config.write_text(yaml.safe_dump(self._config(), sort_keys=False))
        with self.log.open("wb") as output:
            self._process = subprocess.Popen(
                dying_with_parent([str(BINARY), f"--config.file={config}",
                                   f"--storage.tsdb.path={self.directory / 'data'}",
                                   f"--web.listen-address=127.0.0.1:{self.port}",
                                   "--log.level=warn"]),
                stdout=output, stderr=subprocess.STDOUT,
            )  # fmt: skip
        if not wait_until(self._ready, timeout, self._alive):
            tail = log_tail(self.log)
            self.stop()
            raise HarnessError(f"Prometheus did not start within {timeout:.0f}s:\n{tail}")
        return self

    def _alive(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def _ready(self) -> bool:
        try:
            with urllib.request.urlopen(f"{self.url}/-/ready", timeout=2) as response:
                return bool(response.status == 200)
        except OSError:
            return False

    def api(self, path: str, **params: str) -> Any:
        """``data`` of a GET on the HTTP API."""
        query = f"?{urllib.parse.urlencode(params)}" if params else ""
        with urllib.request.urlopen(f"{self.url}/api/v1/{path}{query}", timeout=10) as response:
            body = json.load(response)
        if body.get("status") != "success":
            raise HarnessError(f"Prometheus API {path}: {body}")
        return body["data"]

    def names(self) -> set[str]:
        """Every metric name in the TSDB."""
        return set(self.api("label/__name__/values"))

    def query(self, expression: str) -> list[dict[str, Any]]:
        """The instant vector of an expression."""
        return list(self.api("query", query=expression)["result"])

    def firing(self) -> list[dict[str, Any]]:
        """Alerts in state firing."""
        return [a for a in self.api("alerts")["alerts"] if a["state"] == "firing"]

    def stop(self) -> None:
        """Stop the server and delete its TSDB."""
        terminate(self._process)
        self._process = None
        if self.directory.name:
            shutil.rmtree(self.directory, ignore_errors=True)
