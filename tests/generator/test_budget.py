"""Budget arithmetic against hand-computed totals."""

from typing import Any

import pytest

from generator import budget
from generator.budget import BudgetError, Reservation, pod_reservation
from generator.render.objects import Component
from generator.spec.loading import load
from generator.tree import Environment, render_environment

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


def _environment(manifests: list[dict[str, Any]], nodes: int = 1) -> Environment:
    spec = load("dev").model_copy(
        update={"cluster": load("dev").cluster.model_copy(update={"nodes": nodes}),
                "helm_releases": []}
    )  # fmt: skip
    return Environment(spec, [Component("c", "ns", 0, manifests)], [])


def _deployment(kind: str, replicas: int | None = None) -> dict[str, Any]:
    spec: dict[str, Any] = {"template": {"spec": {"containers": [container("a", "100m", "64Mi")]}}}
    if replicas is not None:
        spec["replicas"] = replicas
    return {"apiVersion": "apps/v1", "kind": kind, "metadata": {"name": "w", "namespace": "ns"},
            "spec": spec}  # fmt: skip


def test_replicas_and_daemonsets_multiply() -> None:
    report = budget.footprints(
        _environment([_deployment("Deployment", 3), _deployment("DaemonSet")], nodes=4)
    )
    assert report.steady.memory_request == (3 + 4) * 64 * Mi
    assert report.steady.cpu_request == 700


def test_jobs_are_transient_and_only_the_largest_counts_at_peak() -> None:
    small, large = _deployment("Job"), _deployment("Job")
    large["metadata"] = {"name": "big", "namespace": "ns"}
    large["spec"]["template"]["spec"]["containers"] = [container("a", "1", "512Mi")]
    report = budget.footprints(_environment([_deployment("Deployment", 1), small, large]))
    assert report.steady.memory_request == 64 * Mi
    assert report.peak_memory == (64 + 512) * Mi


def test_operator_created_pods_are_counted() -> None:
    kafka = {
        "apiVersion": "kafka.strimzi.io/v1",
        "kind": "Kafka",
        "metadata": {"name": "k", "namespace": "ns"},
        "spec": {
            "entityOperator": {
                "topicOperator": container("t", "50m", "128Mi"),
                "userOperator": container("u", "50m", "96Mi"),
            }
        },
    }
    pool = {
        "apiVersion": "kafka.strimzi.io/v1",
        "kind": "KafkaNodePool",
        "metadata": {"name": "p", "namespace": "ns"},
        "spec": {"replicas": 3, **container("kafka", "1", "2Gi")},
    }
    cnpg = {
        "apiVersion": "postgresql.cnpg.io/v1",
        "kind": "Cluster",
        "metadata": {"name": "pg", "namespace": "ns"},
        "spec": {"instances": 3, **container("pg", "500m", "1Gi")},
    }
    report = budget.footprints(_environment([kafka, pool, cnpg]))
    # entity operator 128+96, brokers 3×2048, postgres 3×1024
    assert report.steady.memory_request == (224 + 3 * 2048 + 3 * 1024) * Mi
    assert report.steady.cpu_request == 100 + 3000 + 1500


def test_flink_jobmanagers_and_taskmanagers_from_crs() -> None:
    config = {"taskmanager.numberOfTaskSlots": "2", "kubernetes.taskmanager.memory.limit-factor":
              "1.5"}  # fmt: skip
    application = {"apiVersion": "flink.apache.org/v1beta1", "kind": "FlinkDeployment",
                   "metadata": {"name": "app", "namespace": "ns"},
                   "spec": {"flinkConfiguration": config,
                            "jobManager": {"replicas": 2,
                                           "resource": {"cpu": 0.5, "memory": "1024m"}},
                            "taskManager": {"resource": {"cpu": 1, "memory": "2g"}},
                            "job": {"parallelism": 5}}}  # fmt: skip
    report = budget.footprints(_environment([application]))
    taskmanagers = next(f for f in report.footprints if f.workload == "app-taskmanager")
    # parallelism 5 over 2 slots -> 3 TaskManagers of 2 GiB; JobManagers 2 × 1 GiB
    assert taskmanagers.replicas == 3
    assert taskmanagers.pod.memory_limit == 3 * Mi * 1024
    assert report.steady.memory_request == (2 * 1024 + 3 * 2048) * Mi
    assert report.steady.cpu_request == 2 * 500 + 3 * 1000


def test_session_cluster_taskmanagers_follow_session_jobs() -> None:
    session = {
        "apiVersion": "flink.apache.org/v1beta1",
        "kind": "FlinkDeployment",
        "metadata": {"name": "s", "namespace": "ns"},
        "spec": {
            "flinkConfiguration": {"taskmanager.numberOfTaskSlots": "2"},
            "jobManager": {"resource": {"cpu": 0.2, "memory": "512m"}},
            "taskManager": {"resource": {"cpu": 0.5, "memory": "1g"}},
        },
    }
    jobs = [
        {
            "apiVersion": "flink.apache.org/v1beta1",
            "kind": "FlinkSessionJob",
            "metadata": {"name": f"j{i}", "namespace": "ns"},
            "spec": {"deploymentName": "s", "job": {"parallelism": 1}},
        }
        for i in range(3)
    ]
    report = budget.footprints(_environment([session, *jobs]))  # fmt: skip
    assert report.steady.memory_request == (512 + 2 * 1024) * Mi


def test_dev_total_matches_the_hand_computed_sum() -> None:
    report = budget.footprints(render_environment(load("dev")))
    by_hand_mi = (
        64 + 256  # CNPG operator, PostgreSQL × 1
        + 448 + 128 + 160  # Kafka dual-role node, topic operator, Strimzi operator
        + (32 + 16) + (80 + 24 + 24) + 32 + (224 + 16) + 24 + 48  # alertmanager..prom-operator
        + 224 + (144 + 16) + (352 + 16) + 16  # Airflow api, dag-processor, scheduler, statsd
        + 128 + 512 + 832  # Flink operator, session JobManager, TaskManager
    )  # fmt: skip
    assert report.steady.memory_request == by_hand_mi * Mi
    assert report.peak_memory == (by_hand_mi + 192) * Mi  # + the Airflow migration Job
    assert report.peak_memory <= 4 * 1024 * Mi


def test_helm_values_are_what_is_counted() -> None:
    environment = render_environment(load("dev"))
    airflow = next(a for a in environment.applications if a["metadata"]["name"] == "airflow")
    values = airflow["spec"]["source"]["helm"]["valuesObject"]
    assert values["scheduler"]["resources"]["requests"]["memory"] == "352Mi"
    values["scheduler"]["resources"]["requests"]["memory"] = "1Gi"
    report = budget.footprints(environment)
    scheduler = next(f for f in report.footprints if f.workload == "scheduler")
    assert scheduler.pod.memory_request == (1024 + 16) * Mi


def test_table_lists_workloads_and_verdict() -> None:
    text = budget.table(budget.footprints(render_environment(load("dev"))))
    assert "streamflow-session-taskmanager" in text
    assert "of 4096Mi budget" in text
    assert text.splitlines()[-2].endswith("OK")
