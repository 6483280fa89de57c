"""PyFlink jobs run by the Flink Kubernetes Operator, in session or application mode."""

import math
import re
from typing import Annotated, Literal

from pydantic import Field, model_validator

from generator.components.flink import memory
from generator.components.flink.configuration import flink_configuration, shadowed_keys
from generator.paths import REPO_ROOT
from generator.spec.common import (
    CpuQuantity,
    Duration,
    FieldError,
    Image,
    MemoryQuantity,
    Name,
    StrictModel,
)
from generator.spec.quantity import memory_bytes

Positive = Annotated[int, Field(ge=1)]

# Arguments the renderer passes to every job, derived from the components that
# own the address; a spec repeating them would go stale on a rename.
DERIVED_ARGUMENTS = ("--bootstrap-servers", "--jdbc-url")
_JOB_NAME = re.compile(r'^JOB_NAME = "(?P<name>[^"]+)"$', re.MULTILINE)


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
            raise FieldError("must be whole MiB (Flink sizes processes in MiB)", ("memory",))
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

    @model_validator(mode="after")
    def _module_exists(self) -> "FlinkJob":
        parts = self.module.split(".")
        candidates = [
            REPO_ROOT.joinpath(*parts[:-1], f"{parts[-1]}.py"),
            REPO_ROOT.joinpath(*parts, "__main__.py"),
        ]
        found = [path for path in candidates if path.is_file()]
        if parts[0] != "jobs" or not found:
            raise FieldError(
                f"no module {self.module!r} in jobs/ (looked for "
                f"{candidates[0].relative_to(REPO_ROOT)}); the job image runs `python -m` on it",
                ("module",),
            )
        declared = _JOB_NAME.search(found[0].read_text(encoding="utf-8"))
        if declared is not None and declared["name"] != self.name:
            raise FieldError(
                f"{self.module} runs as job {declared['name']!r} (its JOB_NAME), so its "
                "metrics carry that job_name; name the job the same",
                ("name",),
            )
        return self

    @model_validator(mode="after")
    def _no_derived_arguments(self) -> "FlinkJob":
        for index, argument in enumerate(self.args):
            if argument.split("=", 1)[0] in DERIVED_ARGUMENTS:
                raise FieldError(
                    f"{argument.split('=', 1)[0]} is derived from the component that owns it "
                    "(kafka, postgres) and passed by the renderer; remove it from args",
                    ("args", index),
                )
        return self


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


class FlinkAlerts(StrictModel):
    """When the jobs' alerts fire (``observability.alerts``)."""

    consumer_lag_records: Annotated[int, Field(ge=1)]
    restarts_per_hour: Annotated[int, Field(ge=1)]


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
    alerts: FlinkAlerts

    def taskmanagers_for(self, parallelism: int) -> int:
        """TaskManagers of one cluster: explicit replicas or enough slots for parallelism."""
        explicit = self.cluster.taskmanager.replicas
        return explicit or math.ceil(parallelism / self.cluster.taskmanager.slots)

    @model_validator(mode="after")
    def _configuration_is_free_form_only(self) -> "FlinkSpec":
        shadowed = shadowed_keys(self)
        if shadowed:
            raise FieldError(
                f"{shadowed} are set by the renderer from the spec's fields (checkpointing, "
                "restart, cluster, storage) or wiring (metrics, Python); set those fields instead",
                *(("configuration", key) for key in shadowed),
            )
        return self

    @model_validator(mode="after")
    def _processes_fit_flinks_memory_model(self) -> "FlinkSpec":
        # After the configuration check: the model reads the merged configuration.
        configuration = flink_configuration(self)
        for role in ("jobmanager", "taskmanager"):
            process: ProcessSpec = getattr(self.cluster, role)
            try:
                memory.check(role, memory_bytes(process.memory), configuration)
            except memory.MemoryModelError as error:
                raise FieldError(str(error), ("cluster", role, "memory")) from error
        return self

    @model_validator(mode="after")
    def _session_slots_cover_jobs(self) -> "FlinkSpec":
        if self.mode == "session":
            needed = sum(job.parallelism for job in self.jobs)
            taskmanagers = self.cluster.taskmanager.replicas
            if taskmanagers is None:
                raise FieldError(
                    "a session cluster needs taskmanager.replicas: its slots are reserved up "
                    "front for every job, and the budget must know them",
                    ("cluster", "taskmanager", "replicas"),
                    ("mode",),
                )
            slots = taskmanagers * self.cluster.taskmanager.slots
            if slots < needed:
                raise FieldError(
                    f"session cluster {self.session_name!r} has {slots} task slot(s) "
                    f"({taskmanagers} TaskManager(s) × {self.cluster.taskmanager.slots}) but its "
                    f"jobs need {needed} (summed parallelism); raise taskmanager.slots or replicas",
                    ("cluster", "taskmanager", "slots"),
                    ("cluster", "taskmanager", "replicas"),
                    ("jobs",),
                )
        if self.cluster.jobmanager.replicas > 1 and self.storage.access_mode != "ReadWriteMany":
            raise FieldError(
                f"{self.cluster.jobmanager.replicas} JobManagers share HA metadata: "
                "storage.access_mode must be ReadWriteMany",
                ("storage", "access_mode"),
                ("cluster", "jobmanager", "replicas"),
            )
        return self
