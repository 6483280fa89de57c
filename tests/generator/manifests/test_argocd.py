"""ArgoCD objects: waves, sync policy, project scope, and the Lua health check."""

from typing import Any

import lupa
import pytest

from generator.manifests.argocd import application_health_lua
from generator.pipeline.load import load
from generator.pipeline.tree import render_environment
from tests.conftest import REPO


def _applications(env: str) -> dict[str, dict[str, Any]]:
    rendered = render_environment(load(env, REPO / "specs"))
    return {app["metadata"]["name"]: app for app in rendered.applications}


def _wave(app: dict[str, Any]) -> int:
    return int(app["metadata"]["annotations"]["argocd.argoproj.io/sync-wave"])


@pytest.mark.parametrize("env", ["dev", "prod"])
def test_waves_order_operators_then_clusters_then_jobs_then_airflow(env: str) -> None:
    apps = _applications(env)
    operators = [apps[n] for n in ("strimzi-operator", "flink-operator", "cnpg-operator",
                                   "kube-prometheus-stack")]  # fmt: skip
    clusters = [apps["kafka"], apps["postgres"]]
    assert _wave(apps["namespaces"]) < min(map(_wave, operators))
    assert max(map(_wave, operators)) < min(map(_wave, clusters))
    assert max(map(_wave, clusters)) < _wave(apps["flink"]) < _wave(apps["airflow"])


def test_every_child_auto_syncs_with_prune_self_heal_and_backoff() -> None:
    for name, app in _applications("dev").items():
        policy = app["spec"]["syncPolicy"]
        assert policy["automated"] == {"prune": True, "selfHeal": True}, name
        assert policy["retry"]["backoff"]["factor"] == 2, name
        assert app["spec"]["project"] == "streamflow", name


def test_helm_sources_are_pinned_and_crd_charts_use_server_side_apply() -> None:
    apps = _applications("dev")
    stack = apps["kube-prometheus-stack"]["spec"]
    assert stack["source"]["targetRevision"] == "81.6.2"
    assert "ServerSideApply=true" in stack["syncPolicy"]["syncOptions"]
    airflow = apps["airflow"]["spec"]["source"]["helm"]["valuesObject"]
    assert airflow["executor"] == "LocalExecutor"
    assert airflow["migrateDatabaseJob"]["useHelmHooks"] is False
    assert airflow["fernetKeySecretName"] == "airflow-fernet-key"


def _health(status: dict[str, Any] | None) -> tuple[str, str]:
    runtime = lupa.LuaRuntime(unpack_returned_tuples=True)
    obj = runtime.table_from({} if status is None else {"status": _lua(runtime, status)})
    runtime.globals().obj = obj
    result = runtime.execute(application_health_lua())
    return str(result["status"]), str(result["message"])


def _lua(runtime: Any, value: Any) -> Any:
    if isinstance(value, dict):
        return runtime.table_from({k: _lua(runtime, v) for k, v in value.items()})
    return value


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (None, "Progressing"),
        ({}, "Progressing"),
        ({"health": {"status": "Healthy"}, "sync": {"status": "Synced"}}, "Healthy"),
        ({"health": {"status": "Healthy"}, "sync": {"status": "OutOfSync"}}, "Progressing"),
        ({"health": {"status": "Progressing"}, "sync": {"status": "Synced"}}, "Progressing"),
        ({"health": {"status": "Degraded", "message": "CrashLoop"}}, "Degraded"),
        ({"health": {"status": "Missing"}}, "Missing"),
        ({"health": {"status": "Healthy"}, "sync": {"status": "Synced"},
          "operationState": {"phase": "Failed", "message": "boom"}}, "Degraded"),
        # Resources healthy, but the operation is still running its PostSync hook
        # (postgres waiting on the migration Job) or being terminated: not done yet.
        ({"health": {"status": "Healthy"}, "sync": {"status": "Synced"},
          "operationState": {"phase": "Running", "message": "waiting for completion of hook "
                             "batch/Job/streamflow-pg-migrate"}}, "Progressing"),
        ({"health": {"status": "Healthy"}, "sync": {"status": "Synced"},
          "operationState": {"phase": "Terminating"}}, "Progressing"),
        ({"health": {"status": "Healthy"}, "sync": {"status": "Synced"},
          "operationState": {"phase": "Succeeded"}}, "Healthy"),
    ],
)  # fmt: skip
def test_lua_health_check(status: dict[str, Any] | None, expected: str) -> None:
    assert _health(status)[0] == expected


def test_a_running_operation_says_what_it_waits_for() -> None:
    status = {"health": {"status": "Healthy"}, "sync": {"status": "Synced"},
              "operationState": {"phase": "Running", "message": "waiting for hook"}}  # fmt: skip
    assert _health(status) == ("Progressing", "sync operation Running: waiting for hook")


def test_lua_health_check_carries_the_message() -> None:
    assert _health({"health": {"status": "Degraded", "message": "CrashLoop"}}) == (
        "Degraded",
        "CrashLoop",
    )
