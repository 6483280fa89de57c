"""PyFlink jobs as Flink Kubernetes Operator CRs, plus their storage, RBAC and PDB.

``session`` mode (dev): one ``FlinkDeployment`` without a job hosts every job as
a ``FlinkSessionJob``. The operator downloads the session job's jar itself and
uploads it to the JobManager, so the jar (Flink's ``flink-python`` PythonDriver)
must be fetchable by the operator: it comes over HTTPS; the Python code it runs
is baked into the cluster image. ``application`` mode (prod): each job is its
own ``FlinkDeployment`` with the jar read from the image (``local://``).
"""

from dataclasses import dataclass
from typing import Any

from generator.components.flink.configuration import (
    DATA_MOUNT,
    METRICS_PORT,
    PYTHON,
    flink_configuration,
)
from generator.components.flink.spec import FlinkJob, FlinkSpec, ProcessSpec
from generator.manifests.objects import Manifest, metadata, resource
from generator.spec.common import restricted_container_security, restricted_pod_security
from generator.spec.quantity import cpu_millicores, memory_bytes, to_flink_memory

API = "flink.apache.org/v1beta1"
SERVICE_ACCOUNT = "flink"
DATA_VOLUME = "flink-data"
PYTHON_DRIVER = "org.apache.flink.client.python.PythonDriver"
METRICS_PORT_NAME = "metrics"
# Labels the operator's native Kubernetes integration puts on JobManager and TaskManager pods.
PROCESS_PODS = {"type": "flink-native-kubernetes"}


@dataclass(frozen=True)
class Wiring:
    """What the jobs get from elsewhere.

    Addresses of the components that own them, and the Python memory per slot the
    TaskManager reserves (``configuration.python_memory_per_slot_mb``).
    """

    bootstrap_servers: str
    jdbc_url: str
    python_memory_mb: int

    def arguments(self) -> list[str]:
        """Command-line arguments every job receives before its own."""
        return [
            "--bootstrap-servers", self.bootstrap_servers, "--jdbc-url", self.jdbc_url,
            "--python-memory-mb", str(self.python_memory_mb),
        ]  # fmt: skip


def _process(process: ProcessSpec) -> dict[str, Any]:
    cpu = cpu_millicores(process.cpu) / 1000
    return {"cpu": cpu, "memory": to_flink_memory(memory_bytes(process.memory))}


def _pod_template(flink: FlinkSpec) -> dict[str, Any]:
    # Flink's entrypoint rewrites files under /opt/flink and PyFlink unpacks its
    # runtime there, so the root filesystem stays writable (the only exception).
    credentials = [
        {"name": variable, "valueFrom": {"secretKeyRef": {"name": flink.warehouse_secret,
                                                          "key": key}}}
        for variable, key in (("STREAMFLOW_DB_USER", "username"),
                              ("STREAMFLOW_DB_PASSWORD", "password"))
    ]  # fmt: skip
    container = {
        "name": "flink-main-container",
        "env": credentials,
        "ports": [{"name": METRICS_PORT_NAME, "containerPort": METRICS_PORT, "protocol": "TCP"}],
        "securityContext": restricted_container_security(read_only_root=False),
        "volumeMounts": [{"name": DATA_VOLUME, "mountPath": DATA_MOUNT}],
    }
    return {
        "spec": {
            "securityContext": restricted_pod_security(flink.run_as_user),
            "containers": [container],
            "volumes": [{"name": DATA_VOLUME, "persistentVolumeClaim": {"claimName": DATA_VOLUME}}],
        }
    }


def _python_args(job: FlinkJob, wiring: Wiring) -> list[str]:
    return ["-pyclientexec", PYTHON, "-pym", job.module, *wiring.arguments(), *job.args]


def _job(job: FlinkJob, jar_uri: str, wiring: Wiring) -> dict[str, Any]:
    return {
        "jarURI": jar_uri,
        "entryClass": PYTHON_DRIVER,
        "args": _python_args(job, wiring),
        "parallelism": job.parallelism,
        "upgradeMode": "savepoint",
        "state": "running",
    }


def _deployment(flink: FlinkSpec, name: str, job: FlinkJob | None, wiring: Wiring) -> Manifest:
    taskmanager: dict[str, Any] = {"resource": _process(flink.cluster.taskmanager)}
    if flink.cluster.taskmanager.replicas is not None:
        taskmanager["replicas"] = flink.cluster.taskmanager.replicas
    spec: dict[str, Any] = {
        "image": flink.image.reference,
        "imagePullPolicy": "IfNotPresent",
        "flinkVersion": flink.flink_version,
        "serviceAccount": SERVICE_ACCOUNT,
        "flinkConfiguration": flink_configuration(flink),
        "podTemplate": _pod_template(flink),
        "jobManager": {
            "replicas": flink.cluster.jobmanager.replicas,
            "resource": _process(flink.cluster.jobmanager),
        },
        "taskManager": taskmanager,
    }
    if job is not None:
        local_jar = f"local:///opt/flink/opt/flink-python-{flink.flink_release}.jar"
        spec["job"] = _job(job, local_jar, wiring)
    return resource(API, "FlinkDeployment", metadata(name, flink.namespace), spec=spec)


def _session_job(flink: FlinkSpec, job: FlinkJob, wiring: Wiring) -> Manifest:
    return resource(
        API,
        "FlinkSessionJob",
        metadata(job.name, flink.namespace),
        spec={
            "deploymentName": flink.session_name,
            "job": _job(job, flink.python_jar_uri, wiring),
        },
    )


def _jobmanager_pdb(flink: FlinkSpec, cluster: str) -> Manifest:
    # One JobManager: minAvailable 1 keeps a voluntary eviction from killing the
    # job; with HA replicas one may go at a time.
    replicas = flink.cluster.jobmanager.replicas
    budget = {"maxUnavailable": 1} if replicas > 1 else {"minAvailable": 1}
    selector = {"matchLabels": {"app": cluster, "component": "jobmanager"}}
    return resource(
        "policy/v1",
        "PodDisruptionBudget",
        metadata(f"{cluster}-jobmanager", flink.namespace),
        spec={**budget, "selector": selector},
    )


def _storage(flink: FlinkSpec) -> Manifest:
    claim: dict[str, Any] = {
        "accessModes": [flink.storage.access_mode],
        "resources": {"requests": {"storage": flink.storage.size}},
    }
    if flink.storage.storage_class:
        claim["storageClassName"] = flink.storage.storage_class
    return resource(
        "v1", "PersistentVolumeClaim", metadata(DATA_VOLUME, flink.namespace), spec=claim
    )


def _rbac(flink: FlinkSpec) -> list[Manifest]:
    """What a native-Kubernetes JobManager needs: TaskManager pods and HA ConfigMaps."""
    rules = [
        {
            "apiGroups": [""],
            "resources": ["pods"],
            "verbs": ["create", "delete", "get", "list", "watch"],
        },
        {
            "apiGroups": [""],
            "resources": ["configmaps"],
            "verbs": ["create", "delete", "get", "list", "patch", "update", "watch"],
        },
        {"apiGroups": ["apps"], "resources": ["deployments"], "verbs": ["get", "list", "watch"]},
    ]
    meta = metadata(SERVICE_ACCOUNT, flink.namespace)
    return [
        resource("v1", "ServiceAccount", meta, automountServiceAccountToken=True),
        resource("rbac.authorization.k8s.io/v1", "Role", meta, rules=rules),
        resource(
            "rbac.authorization.k8s.io/v1",
            "RoleBinding",
            meta,
            roleRef={
                "apiGroup": "rbac.authorization.k8s.io",
                "kind": "Role",
                "name": SERVICE_ACCOUNT,
            },
            subjects=[
                {"kind": "ServiceAccount", "name": SERVICE_ACCOUNT, "namespace": flink.namespace}
            ],
        ),
    ]


def cluster_names(flink: FlinkSpec) -> list[str]:
    """Names of the FlinkDeployments (session cluster or one per job)."""
    if flink.mode == "session":
        return [flink.session_name]
    return [job.name for job in flink.jobs]


def render(flink: FlinkSpec, wiring: Wiring) -> list[Manifest]:
    """Every object of the Flink component."""
    manifests = [_storage(flink), *_rbac(flink)]
    if flink.mode == "session":
        manifests.append(_deployment(flink, flink.session_name, None, wiring))
        manifests.extend(_session_job(flink, job, wiring) for job in flink.jobs)
    else:
        manifests.extend(_deployment(flink, job.name, job, wiring) for job in flink.jobs)
    manifests.extend(_jobmanager_pdb(flink, name) for name in cluster_names(flink))
    return manifests
