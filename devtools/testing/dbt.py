"""Run the repository's dbt project with the dbt of its own virtualenv.

dbt lives in ``.venv-dbt`` (its dependencies clash with PyFlink's and
Airflow's, docs/adr/0002-dependencies.md), so tests and benchmarks call its
executable rather than importing it. ``STREAMFLOW_DBT`` overrides the path.
"""

import json
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from libs.processes import HarnessError

REPOSITORY = Path(__file__).resolve().parents[2]
PROJECT = REPOSITORY / "dbt"


def dbt_executable() -> Path:
    """The dbt command of the dbt virtualenv."""
    return Path(os.environ.get("STREAMFLOW_DBT", REPOSITORY / ".venv-dbt" / "bin" / "dbt"))


@dataclass(frozen=True)
class DbtResult:
    """A finished dbt command: exit code, console output and run results."""

    returncode: int
    output: str
    results: list[dict[str, Any]]

    def rows_affected(self, model: str) -> int:
        """Rows the model's statement wrote (MERGE/INSERT/SELECT count)."""
        for result in self.results:
            if result["unique_id"] == f"model.streamflow.{model}":
                return int(result["adapter_response"]["rows_affected"])
        raise KeyError(f"{model} did not run")

    def statuses(self) -> dict[str, str]:
        """Status per node (``pass``, ``fail``, ``success``, ``error``...)."""
        return {result["unique_id"]: result["status"] for result in self.results}


@dataclass(frozen=True)
class DbtProject:
    """The dbt project pointed at one PostgreSQL server, with its own target dir."""

    host: str
    port: int
    user: str
    target_dir: Path
    database: str = "streamflow"

    def environment(self) -> dict[str, str]:
        """What ``profiles.yml`` reads, without this interpreter's module path.

        The PyFlink jobs export PYTHONPATH (their thread-mode workers need it); a
        dbt started with it would import this virtualenv's packages (an older
        protobuf) instead of its own.
        """
        inherited = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "PYTHONHOME"}}
        return {
            **inherited,
            "STREAMFLOW_PG_HOST": self.host,
            "STREAMFLOW_PG_PORT": str(self.port),
            "STREAMFLOW_PG_USER": self.user,
            "STREAMFLOW_PG_DATABASE": self.database,
            "DBT_PROFILES_DIR": str(PROJECT),
            "DBT_TARGET_PATH": str(self.target_dir),
            "DBT_LOG_PATH": str(self.target_dir / "logs"),
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "False",
        }

    def run(self, *arguments: str, variables: dict[str, Any] | None = None) -> DbtResult:
        """``dbt <arguments>`` in the project directory; never raises on dbt failures."""
        command = [str(dbt_executable()), *arguments]
        if variables:
            command += ["--vars", json.dumps(variables)]
        results_file = self.target_dir / "run_results.json"
        results_file.unlink(missing_ok=True)  # a command that fails early writes none
        try:
            finished = subprocess.run(
                command,
                cwd=PROJECT,
                env=self.environment(),
                capture_output=True,
                text=True,
                check=False,
            )
        except FileNotFoundError as error:
            raise HarnessError(f"{command[0]} not found: run `make setup`") from error
        results = json.loads(results_file.read_text())["results"] if results_file.exists() else []
        return DbtResult(finished.returncode, finished.stdout + finished.stderr, results)
