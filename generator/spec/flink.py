"""PyFlink jobs run by the Flink Kubernetes Operator, in session or application mode."""

import math
from typing import Annotated, Literal

from pydantic import Field, model_validator

from generator.spec.common import (
    CpuQuantity,
    Duration,
    Image,
    MemoryQuantity,
    Name,
    StrictModel,
)
from generator.spec.quantity import memory_bytes

Positive = Annotated[int, Field(ge=1)]

# Settings the spec models explicitly; free-form configuration may not shadow them.
MODELLED_SETTINGS = (
    "execution.checkpointing.",
    "high-availability.",
    "kubernetes.",
    "python.",
    "restart-strategy.",
    "state.",
    "taskmanager.numberOfTaskSlots",
)


class ProcessSpec(StrictModel):
    """A Flink process (JobManager or TaskManager): total process memory and CPU.

    The operator sets the pod's memory request to the process size and the
    limit to ``size × limit_factor``; CPU likewise.
    """

    cpu: CpuQuantity
    memory: MemoryQuantity
    memory_limit_factor: Annotated[float, Field(ge=1.0)] = 1.0
    cpu_limit_factor: Annotated[float, Field(ge=1.0)] = 1.0

    @model_validator(mode="after")
    def _whole_mebibytes(self) -> "ProcessSpec":
        if memory_bytes(self.memory) % 2**20:
            raise ValueError(f"memory {self.memory!r} must be whole MiB (Flink sizes in MiB)")
        return self


class JobManagerSpec(ProcessSpec):
    """JobManager: more than one replica turns on Kubernetes HA."""

    replicas: Positive = 1


class TaskManagerSpec(ProcessSpec):
    """TaskManagers: ``replicas`` None lets the operator derive it from parallelism."""

    slots: Positive
    replicas: Positive | None = None


class ClusterSpec(StrictModel):
    """One Flink cluster's processes."""

    jobmanager: JobManagerSpec
    taskmanager: TaskManagerSpec


class FlinkJob(StrictModel):
    """A PyFlink job: a Python module run by Flink's ``PythonDriver``."""

    name: Name
    module: str = Field(pattern=r"^[a-z_][a-z0-9_]*(\.[a-z_][a-z0-9_]*)*$")
    args: list[str] = Field(default_factory=list)
    parallelism: Positive


class CheckpointSpec(StrictModel):
    """Checkpointing: always EXACTLY_ONCE on RocksDB, incremental."""

    interval: Duration
    min_pause: Duration
    timeout: Duration
    mode: Literal["EXACTLY_ONCE"] = "EXACTLY_ONCE"


class RestartSpec(StrictModel):
    """Exponential-delay restarts so a crashing job backs off instead of thrashing."""

    initial_backoff: Duration
    max_backoff: Duration
    backoff_multiplier: Annotated[float, Field(gt=1.0)]
    jitter_factor: Annotated[float, Field(ge=0.0, le=1.0)]


class StorageSpec(StrictModel):
    """Volume shared by JobManager and TaskManagers for checkpoints, savepoints, HA."""

    size: MemoryQuantity
    storage_class: str | None = None
    access_mode: Literal["ReadWriteOnce", "ReadWriteMany"]


class FlinkSpec(StrictModel):
    """All PyFlink jobs and how they are hosted.

    ``session``: one session cluster runs every job as a ``FlinkSessionJob``; its
    task slots must cover the summed parallelism of the jobs.
    ``application``: each job gets its own ``FlinkDeployment``.
    """

    namespace: Name
    flink_version: str = Field(pattern=r"^v[0-9]+_[0-9]+$")
    flink_release: str = Field(pattern=r"^[0-9]+\.[0-9]+\.[0-9]+$")
    image: Image
    run_as_user: Annotated[int, Field(ge=1000)] = 9999
    warehouse_secret: Name
    mode: Literal["session", "application"]
    session_name: Name
    cluster: ClusterSpec
    python_jar_uri: str
    configuration: dict[str, str] = Field(default_factory=dict)
    checkpointing: CheckpointSpec
    restart: RestartSpec
    storage: StorageSpec
    jobs: list[FlinkJob] = Field(min_length=1)

    def taskmanagers_for(self, parallelism: int) -> int:
        """TaskManagers of one cluster: explicit replicas or enough slots for parallelism."""
        explicit = self.cluster.taskmanager.replicas
        return explicit or math.ceil(parallelism / self.cluster.taskmanager.slots)

    @model_validator(mode="after")
    def _configuration_is_free_form_only(self) -> "FlinkSpec":
        shadowed = sorted(k for k in self.configuration if k.startswith(MODELLED_SETTINGS))
        if shadowed:
            raise ValueError(
                f"configuration keys {shadowed} are modelled by the spec "
                "(checkpointing, restart, cluster, storage); set them there"
            )
        return self

    @model_validator(mode="after")
    def _session_slots_cover_jobs(self) -> "FlinkSpec":
        if self.mode == "session":
            needed = sum(job.parallelism for job in self.jobs)
            taskmanagers = self.cluster.taskmanager.replicas
            if taskmanagers is None:
                raise ValueError(
                    "a session cluster needs taskmanager.replicas: its slots are reserved up "
                    "front for every job, and the budget must know them"
                )
            slots = taskmanagers * self.cluster.taskmanager.slots
            if slots < needed:
                raise ValueError(
                    f"session cluster {self.session_name!r} has {slots} task slot(s) "
                    f"({taskmanagers} TaskManager(s) × {self.cluster.taskmanager.slots}) but its "
                    f"jobs need {needed} (summed parallelism); raise taskmanager.slots or replicas"
                )
        if self.cluster.jobmanager.replicas > 1 and self.storage.access_mode != "ReadWriteMany":
            raise ValueError(
                f"{self.cluster.jobmanager.replicas} JobManagers share HA metadata: "
                "storage.access_mode must be ReadWriteMany"
            )
        return self
