"""Flink configuration: the keys the renderer owns and the defaults a spec may override.

One place for both, so the spec can never silently override a key the
renderer relies on: ``owned_settings`` is the very function the renderer uses,
and the spec's ``configuration`` is checked against its keys (and the reserved
prefixes of everything the spec models as fields).
"""

from typing import TYPE_CHECKING

from generator.spec.quantity import flink_memory_bytes
from libs.contracts.metrics import reporter_settings

if TYPE_CHECKING:
    from generator.components.flink.spec import FlinkSpec

DATA_MOUNT = "/flink-data"
PYTHON = "/opt/streamflow/venv/bin/python"
METRICS_PORT = 9249

# Whole families the spec models as fields (checkpointing, restart, cluster,
# storage, Python) or the renderer wires (metrics): none may come from
# ``flink.configuration``.
RESERVED_PREFIXES = (
    "execution.checkpointing.",
    "high-availability.",
    "kubernetes.",
    "metrics.reporter.",
    "python.",
    "restart-strategy.",
    "state.",
)

# Defaults for small processes that a spec may override in ``flink.configuration``.
TUNABLE_DEFAULTS = {"jobmanager.memory.jvm-metaspace.size": "128m"}


def owned_settings(flink: "FlinkSpec") -> dict[str, str]:
    """Every key the renderer derives from the spec's fields."""
    jm, tm = flink.cluster.jobmanager, flink.cluster.taskmanager
    checkpoint, restart = flink.checkpointing, flink.restart
    return {
        "execution.checkpointing.externalized-checkpoint-retention": "RETAIN_ON_CANCELLATION",
        "execution.checkpointing.interval": checkpoint.interval,
        "execution.checkpointing.min-pause": checkpoint.min_pause,
        "execution.checkpointing.mode": checkpoint.mode,
        "execution.checkpointing.timeout": checkpoint.timeout,
        "high-availability.storageDir": f"file://{DATA_MOUNT}/ha",
        "high-availability.type": "kubernetes",
        "kubernetes.jobmanager.cpu.limit-factor": str(jm.cpu_limit_factor),
        "kubernetes.jobmanager.memory.limit-factor": str(jm.memory_limit_factor),
        "kubernetes.taskmanager.cpu.limit-factor": str(tm.cpu_limit_factor),
        "kubernetes.taskmanager.memory.limit-factor": str(tm.memory_limit_factor),
        **reporter_settings(METRICS_PORT),
        "python.execution-mode": "thread",
        "python.executable": PYTHON,
        "restart-strategy.exponential-delay.backoff-multiplier": str(restart.backoff_multiplier),
        "restart-strategy.exponential-delay.initial-backoff": restart.initial_backoff,
        "restart-strategy.exponential-delay.jitter-factor": str(restart.jitter_factor),
        "restart-strategy.exponential-delay.max-backoff": restart.max_backoff,
        "restart-strategy.type": "exponential-delay",
        "state.backend.incremental": "true",
        "state.backend.type": "rocksdb",
        "state.checkpoints.dir": f"file://{DATA_MOUNT}/checkpoints",
        "state.savepoints.dir": f"file://{DATA_MOUNT}/savepoints",
        "taskmanager.numberOfTaskSlots": str(tm.slots),
    }


def shadowed_keys(flink: "FlinkSpec") -> list[str]:
    """Keys of ``flink.configuration`` that would override what the renderer owns."""
    owned = owned_settings(flink)
    return sorted(k for k in flink.configuration if k in owned or k.startswith(RESERVED_PREFIXES))


def flink_configuration(flink: "FlinkSpec") -> dict[str, str]:
    """The ``flinkConfiguration`` of every cluster: defaults, then the spec, then owned keys."""
    merged = {**TUNABLE_DEFAULTS, **flink.configuration, **owned_settings(flink)}
    return dict(sorted(merged.items()))


PYTHON_MEMORY_KEY = "taskmanager.memory.task.off-heap.size"


def python_memory_per_slot_mb(flink: "FlinkSpec") -> int:
    """What one slot's Python objects may hold: the task off-heap size, split over the slots.

    In thread mode the Python interpreter lives in the TaskManager's process, outside
    every pool Flink sizes except task off-heap, which Flink reserves for user code.
    """
    merged = flink_configuration(flink)
    reserved = flink_memory_bytes(merged.get(PYTHON_MEMORY_KEY, "0m"))
    return reserved // flink.cluster.taskmanager.slots // (1 << 20)
