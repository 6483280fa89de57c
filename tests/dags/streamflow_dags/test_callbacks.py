import json
import logging
from types import SimpleNamespace

import pytest
from streamflow_dags.callbacks import failure_context, log_failure

CONTEXT = {
    "task_instance": SimpleNamespace(dag_id="dbt_staging", task_id="t", try_number=3, max_tries=2),
    "run_id": "scheduled__2026-11-01T10:00:00+00:00",
    "logical_date": "2026-11-01T10:00:00+00:00",
    "exception": RuntimeError("dbt exited with 1"),
}


def test_failure_context_names_the_task_the_try_and_the_error() -> None:
    assert failure_context(CONTEXT) == {
        "event": "task_failed",
        "dag_id": "dbt_staging",
        "task_id": "t",
        "run_id": "scheduled__2026-11-01T10:00:00+00:00",
        "logical_date": "2026-11-01T10:00:00+00:00",
        "try_number": 3,
        "max_tries": 2,
        "error_type": "RuntimeError",
        "error": "dbt exited with 1",
    }


def test_log_failure_writes_one_json_line(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.ERROR, logger="streamflow.airflow"):
        log_failure(CONTEXT)
    [record] = caplog.records
    assert json.loads(record.getMessage())["task_id"] == "t"


def test_a_context_without_exception_still_logs() -> None:
    context = failure_context({"ti": CONTEXT["task_instance"]})
    assert context["error"] is None and context["dag_id"] == "dbt_staging"
