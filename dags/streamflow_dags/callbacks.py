"""Failure callbacks that log one structured line per failed task instance.

A JSON line with the DAG, task, run, try and error is what log search and
alerting (Loki/Prometheus rules) can match on, unlike a free-text traceback.
"""

import json
import logging
from typing import Any

LOGGER = logging.getLogger("streamflow.airflow")


def failure_context(context: Any) -> dict[str, Any]:
    """The fields worth knowing about a failed task, from Airflow's callback context."""
    task_instance = context.get("task_instance") or context.get("ti")
    exception = context.get("exception")
    return {
        "event": "task_failed",
        "dag_id": getattr(task_instance, "dag_id", None),
        "task_id": getattr(task_instance, "task_id", None),
        "run_id": context.get("run_id"),
        "logical_date": str(context.get("logical_date")),
        "try_number": getattr(task_instance, "try_number", None),
        "max_tries": getattr(task_instance, "max_tries", None),
        "error_type": type(exception).__name__ if exception is not None else None,
        "error": str(exception)[:2000] if exception is not None else None,
    }


def log_failure(context: Any) -> None:
    """``on_failure_callback``: log the failure context as JSON at ERROR level."""
    LOGGER.error(json.dumps(failure_context(context), sort_keys=True, default=str))
