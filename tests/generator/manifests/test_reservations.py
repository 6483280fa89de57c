"""Pod reservations against hand-computed totals (Kubernetes' init/sidecar rule)."""

from typing import Any

import pytest

from generator.manifests.reservations import (
    BudgetError,
    Reservation,
    pod_reservation,
    workload_footprints,
)

Mi = 2**20


def container(name: str, cpu: str, memory: str, **extra: Any) -> dict[str, Any]:
    return {
        "name": name,
        "resources": {"requests": {"cpu": cpu, "memory": memory},
                      "limits": {"cpu": cpu, "memory": memory}},
        **extra,
    }  # fmt: skip


def test_app_containers_add_up() -> None:
    pod = {"containers": [container("a", "100m", "100Mi"), container("b", "50m", "28Mi")]}
    assert pod_reservation(pod, "p") == Reservation(150, 128 * Mi, 150, 128 * Mi)


def test_large_init_container_dominates() -> None:
    pod = {
        "initContainers": [container("migrate", "1", "1Gi")],
        "containers": [container("app", "100m", "256Mi"), container("log", "10m", "16Mi")],
    }
    assert pod_reservation(pod, "p") == Reservation(1000, 1024 * Mi, 1000, 1024 * Mi)


def test_small_init_container_is_hidden_by_app_containers() -> None:
    pod = {
        "initContainers": [container("wait", "10m", "32Mi")],
        "containers": [container("app", "100m", "256Mi")],
    }
    assert pod_reservation(pod, "p").memory_request == 256 * Mi


def test_native_sidecars_add_to_app_and_to_later_init_containers() -> None:
    # sidecar 64Mi runs alongside everything after it: init peak = 64 + 512,
    # running = 256 + 64; the pod reserves the larger, 576Mi.
    pod = {
        "initContainers": [
            container("proxy", "50m", "64Mi", restartPolicy="Always"),
            container("migrate", "200m", "512Mi"),
        ],
        "containers": [container("app", "100m", "256Mi")],
    }
    assert pod_reservation(pod, "p") == Reservation(250, 576 * Mi, 250, 576 * Mi)


def test_missing_requests_are_an_error() -> None:
    with pytest.raises(BudgetError, match=r"p/app: needs resources\.requests"):
        pod_reservation({"containers": [{"name": "app"}]}, "p")


def workload(kind: str, replicas: int | None = None, name: str = "w") -> dict[str, Any]:
    spec: dict[str, Any] = {"template": {"spec": {"containers": [container("a", "100m", "64Mi")]}}}
    if replicas is not None:
        spec["replicas"] = replicas
    return {"apiVersion": "apps/v1", "kind": kind, "metadata": {"name": name, "namespace": "ns"},
            "spec": spec}  # fmt: skip


def test_replicas_and_daemonsets_multiply() -> None:
    deployment = next(workload_footprints(workload("Deployment", 3), nodes=4))
    daemonset = next(workload_footprints(workload("DaemonSet"), nodes=4))
    assert (deployment.replicas, daemonset.replicas) == (3, 4)
    assert deployment.total.memory_request + daemonset.total.memory_request == 7 * 64 * Mi


def test_jobs_are_transient() -> None:
    job = next(workload_footprints(workload("Job"), nodes=1))
    assert job.transient and job.replicas == 1
