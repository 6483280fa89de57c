"""Flink component: JobManager/TaskManager pods from the CRs, configuration ownership, wiring."""

from typing import Any

import pytest

from generator.components.base import Rendered
from generator.components.flink import COMPONENT
from generator.components.flink.configuration import owned_settings
from generator.pipeline.load import load
from generator.spec.quantity import flink_memory_bytes
from tests.conftest import REPO, Workspace

Mi = 2**20


def _count(manifests: list[dict[str, Any]]) -> list[Any]:
    return list(COMPONENT.footprints(Rendered(COMPONENT, manifests, [], []), 1))


def test_jobmanagers_and_taskmanagers_from_an_application_deployment() -> None:
    config = {"taskmanager.numberOfTaskSlots": "2", "kubernetes.taskmanager.memory.limit-factor":
              "1.5"}  # fmt: skip
    application = {"apiVersion": "flink.apache.org/v1beta1", "kind": "FlinkDeployment",
                   "metadata": {"name": "app", "namespace": "ns"},
                   "spec": {"flinkConfiguration": config,
                            "jobManager": {"replicas": 2,
                                           "resource": {"cpu": 0.5, "memory": "1024m"}},
                            "taskManager": {"resource": {"cpu": 1, "memory": "2g"}},
                            "job": {"parallelism": 5}}}  # fmt: skip
    found = _count([application])
    taskmanagers = next(f for f in found if f.workload == "app-taskmanager")
    # parallelism 5 over 2 slots -> 3 TaskManagers of 2 GiB; JobManagers 2 × 1 GiB
    assert taskmanagers.replicas == 3
    assert taskmanagers.pod.memory_limit == 3 * Mi * 1024
    assert sum(f.total.memory_request for f in found) == (2 * 1024 + 3 * 2048) * Mi
    assert sum(f.total.cpu_request for f in found) == 2 * 500 + 3 * 1000


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
    assert sum(f.total.memory_request for f in _count([session, *jobs])) == (512 + 2 * 1024) * Mi


def test_rendered_configuration_holds_every_owned_key_unchanged() -> None:
    platform = load("prod", REPO / "specs")
    flink = COMPONENT.section(platform.spec)
    deployments = [m for m in COMPONENT.manifests(platform) if m["kind"] == "FlinkDeployment"]
    assert deployments
    for deployment in deployments:
        configuration = deployment["spec"]["flinkConfiguration"]
        assert owned_settings(flink).items() <= configuration.items()


def test_a_tunable_default_may_be_overridden(rendered: Workspace) -> None:
    rendered.edit("platform.yaml", lambda d: d["flink"]["configuration"].__setitem__(
        "jobmanager.memory.jvm-metaspace.size", "160m"))  # fmt: skip
    assert rendered.run("render") == 0
    text = (rendered.root / "apps/flink/base/flinkdeployment.yaml").read_text()
    assert "jobmanager.memory.jvm-metaspace.size: 160m" in text


def test_jobs_get_kafka_and_postgres_addresses_from_those_components() -> None:
    platform = load("dev", REPO / "specs")
    jobs = [m for m in COMPONENT.manifests(platform) if m["kind"] == "FlinkSessionJob"]
    for job in jobs:
        args = job["spec"]["job"]["args"]
        assert args[args.index("--bootstrap-servers") + 1] == (
            "streamflow-kafka-bootstrap.streamflow-kafka.svc:9092"
        )
        assert args[args.index("--jdbc-url") + 1].startswith("jdbc:postgresql://streamflow-pg-rw.")


def test_jobs_get_the_python_memory_of_a_slot_from_the_taskmanager_off_heap() -> None:
    """dev: 48m task off-heap over 3 session slots; prod: 256m, one slot per TaskManager."""
    for env, expected in (("dev", "16"), ("prod", "256")):
        platform = load(env, REPO / "specs")
        jobs = [m for m in COMPONENT.manifests(platform) if m["kind"].startswith("Flink")]
        arguments = [m["spec"]["job"]["args"] for m in jobs if "job" in m["spec"]]
        assert arguments, env
        for args in arguments:
            assert args[args.index("--python-memory-mb") + 1] == expected, env


def test_flink_memory_sizes_parse_in_binary_units() -> None:
    assert flink_memory_bytes("48m") == 48 << 20
    assert flink_memory_bytes("1g") == 1 << 30
    assert flink_memory_bytes("64mb") == 64 << 20
    with pytest.raises(ValueError, match="not a Flink memory size"):
        flink_memory_bytes("lots")


# The smallest processes Flink accepts with dev's configuration (metaspace, overheads,
# framework and task off-heap, network minimum, managed fraction): worked out by hand
# from Flink's memory model and held to Flink's own classes in
# tests/jobs/flink/test_memory_model.py.
SMALLEST = {"jobmanager": 321, "taskmanager": 663}


@pytest.mark.parametrize("role", ["jobmanager", "taskmanager"])
def test_a_process_flink_would_refuse_is_refused_by_name_and_size(
    workspace: Workspace, role: str, capsys: pytest.CaptureFixture[str]
) -> None:
    def size(mib: int) -> None:
        workspace.edit("platform.yaml", lambda data: data["flink"]["cluster"][role].update(
            memory=f"{mib}Mi"))  # fmt: skip

    size(SMALLEST[role] - 1)
    assert workspace.run("render") == 1
    error = capsys.readouterr().err
    assert (f"specs/platform.yaml: flink.cluster.{role}.memory = '{SMALLEST[role] - 1}Mi'"
            in error)  # fmt: skip
    assert f"it needs at least {SMALLEST[role]}Mi" in error
    assert not (workspace.root / "apps").exists()  # nothing written
    size(SMALLEST[role])
    load("dev", workspace.specs)  # accepted at the boundary (render may still be over budget)
