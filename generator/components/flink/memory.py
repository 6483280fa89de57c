"""Flink's memory model: what a JobManager or TaskManager of a given process size is made of.

The Flink Kubernetes Operator sets ``jobmanager.memory.process.size`` and
``taskmanager.memory.process.size`` to the process's ``memory``; at start-up
Flink subtracts the JVM's metaspace and overhead, then (TaskManager) the
framework heap and off-heap, the task off-heap, managed and network memory, and
gives the rest to the task heap (JobManager: off-heap, the rest to the heap).
When the fixed parts exceed the process size Flink refuses to start — while
the budget would happily count the cheap pod. This module applies the same
arithmetic (Flink 1.20's ``ProcessMemoryUtils``, ``TaskExecutorFlinkMemoryUtils``,
``JobManagerFlinkMemoryUtils``, with their defaults), so the spec is refused
instead, naming the size the process needs; a test holds it to Flink's own
classes from the PyFlink distribution.
"""

import struct
from collections.abc import Mapping
from dataclasses import dataclass

from generator.spec.quantity import flink_memory_bytes

MIB = 1 << 20
# Flink's MemorySize.MAX_VALUE (Java's Long.MAX_VALUE bytes): "no upper bound".
UNBOUNDED = f"{(1 << 63) - 1}b"

# Flink 1.20's defaults for every key the model reads (a spec's configuration overrides).
DEFAULTS = {
    "jobmanager.memory.jvm-metaspace.size": "256m",
    "jobmanager.memory.jvm-overhead.fraction": "0.1",
    "jobmanager.memory.jvm-overhead.min": "192m",
    "jobmanager.memory.jvm-overhead.max": "1g",
    "jobmanager.memory.off-heap.size": "128m",
    "taskmanager.memory.jvm-metaspace.size": "256m",
    "taskmanager.memory.jvm-overhead.fraction": "0.1",
    "taskmanager.memory.jvm-overhead.min": "192m",
    "taskmanager.memory.jvm-overhead.max": "1g",
    "taskmanager.memory.framework.heap.size": "128m",
    "taskmanager.memory.framework.off-heap.size": "128m",
    "taskmanager.memory.task.off-heap.size": "0m",
    "taskmanager.memory.managed.fraction": "0.4",
    "taskmanager.memory.network.fraction": "0.1",
    "taskmanager.memory.network.min": "64m",
    "taskmanager.memory.network.max": UNBOUNDED,
}


class MemoryModelError(ValueError):
    """Flink would refuse this process size; the message says what it needs."""


def _fraction(text: str) -> float:
    """A fraction as Flink reads it: its options are ``Float``s (0.1 is 0.100000001490116)."""
    return float(struct.unpack("f", struct.pack("f", float(text)))[0])


def _part(total: int, fraction: str) -> int:
    """``fraction × total`` truncated to bytes, as Flink's ``MemorySize.multiply``."""
    return int(total * _fraction(fraction))


def _fraction_of(total: int, prefix: str, config: Mapping[str, str]) -> int:
    """``fraction × total`` within [min, max], as Flink sizes JVM overhead and network."""
    low, high = (
        flink_memory_bytes(config[f"{prefix}.min"]),
        flink_memory_bytes(config[f"{prefix}.max"]),
    )
    return min(max(_part(total, config[f"{prefix}.fraction"]), low), high)


@dataclass(frozen=True)
class Breakdown:
    """A process's parts in bytes, largest derived part (the heap) last."""

    role: str
    parts: dict[str, int]

    @property
    def heap(self) -> int:
        """What is left for the JVM heap of the tasks (TaskManager) or of the JobManager."""
        return self.parts["task heap" if self.role == "taskmanager" else "heap"]


def breakdown(role: str, process: int, configuration: Mapping[str, str]) -> Breakdown:
    """The parts Flink makes of ``process`` bytes; raises ``MemoryModelError`` if it cannot."""
    config = {**DEFAULTS, **configuration}
    key = f"{role}.memory"
    metaspace = flink_memory_bytes(config[f"{key}.jvm-metaspace.size"])
    overhead = _fraction_of(process, f"{key}.jvm-overhead", config)
    flink = process - metaspace - overhead
    if flink < 0:
        raise MemoryModelError("JVM metaspace and overhead exceed the process size")
    parts = {"JVM metaspace": metaspace, "JVM overhead": overhead}
    if role == "jobmanager":
        parts["off-heap"] = flink_memory_bytes(config[f"{key}.off-heap.size"])
        parts["heap"] = flink - parts["off-heap"]
    else:
        fixed = {
            "framework heap": flink_memory_bytes(config[f"{key}.framework.heap.size"]),
            "framework off-heap": flink_memory_bytes(config[f"{key}.framework.off-heap.size"]),
            "task off-heap": flink_memory_bytes(config[f"{key}.task.off-heap.size"]),
            "managed": _part(flink, config[f"{key}.managed.fraction"]),
            "network": _fraction_of(flink, f"{key}.network", config),
        }
        parts |= fixed | {"task heap": flink - sum(fixed.values())}
    # A TaskManager may be left no task heap; a JobManager needs some heap (Flink's checks).
    if min(parts.values()) < 0 or (role == "jobmanager" and parts["heap"] == 0):
        raise MemoryModelError("the fixed parts leave no heap")
    return Breakdown(role, parts)


def smallest_process(role: str, configuration: Mapping[str, str]) -> int:
    """The smallest whole-MiB process size Flink accepts with this configuration."""
    low, high = 1, 1 << 20  # MiB: 1 MiB .. 1 TiB
    while low < high:
        middle = (low + high) // 2
        try:
            breakdown(role, middle * MIB, configuration)
        except MemoryModelError:
            low = middle + 1
        else:
            high = middle
    return low * MIB


def check(role: str, process: int, configuration: Mapping[str, str]) -> Breakdown:
    """``breakdown``, or an error saying the size the process must reach and why."""
    try:
        return breakdown(role, process, configuration)
    except MemoryModelError as error:
        least = smallest_process(role, configuration)
        fixed = breakdown(role, least, configuration).parts
        listed = ", ".join(f"{name} {value // MIB}Mi" for name, value in fixed.items())
        raise MemoryModelError(
            f"Flink refuses a {role} of {process // MIB}Mi ({error}): with this configuration "
            f"it needs at least {least // MIB}Mi ({listed})"
        ) from error
