"""The generator's Flink memory model is Flink's: held to Flink's own classes, byte for byte.

``generator/components/flink/memory.py`` refuses a spec whose JobManager or
TaskManager Flink would refuse at start-up. Here the same process sizes go
through ``TaskExecutorProcessUtils`` and ``JobManagerProcessUtils`` of the
PyFlink distribution the jobs run on: every part is equal, and both refuse the
same sizes — at each environment's sizes and around the smallest accepted one.
"""

from typing import Any

import pytest
from pyflink.java_gateway import get_gateway

from generator.components import flink
from generator.components.flink import memory
from generator.components.flink.configuration import flink_configuration
from generator.pipeline.load import load
from generator.spec.quantity import memory_bytes
from tests.conftest import REPO

MIB = memory.MIB


def flinks_own(role: str, process_mib: int, configuration: dict[str, str]) -> dict[str, int] | None:
    """The parts Flink's own utilities make of the process, or None when they refuse it."""
    jvm: Any = get_gateway().jvm
    config = jvm.org.apache.flink.configuration.Configuration()
    for key, value in {**configuration, f"{role}.memory.process.size": f"{process_mib}m"}.items():
        config.setString(key, value)
    try:
        if role == "taskmanager":
            spec = jvm.org.apache.flink.runtime.clusterframework.TaskExecutorProcessUtils \
                .processSpecFromConfig(config)  # fmt: skip
            sizes = {"framework heap": spec.getFrameworkHeapSize(),
                     "framework off-heap": spec.getFrameworkOffHeapMemorySize(),
                     "task off-heap": spec.getTaskOffHeapSize(),
                     "managed": spec.getManagedMemorySize(), "network": spec.getNetworkMemSize(),
                     "task heap": spec.getTaskHeapSize()}  # fmt: skip
        else:
            utilities = jvm.org.apache.flink.runtime.jobmanager.JobManagerProcessUtils
            heap_option = jvm.org.apache.flink.configuration.JobManagerOptions.JVM_HEAP_MEMORY
            spec = utilities.processSpecFromConfigWithNewOptionToInterpretLegacyHeap(
                config, heap_option
            )
            sizes = {"off-heap": spec.getJvmDirectMemorySize(), "heap": spec.getJvmHeapMemorySize()}
    except Exception as error:  # py4j's Java exception: Flink refused the configuration
        assert "IllegalConfigurationException" in str(error), error
        return None
    common = {
        "JVM metaspace": spec.getJvmMetaspaceSize(),
        "JVM overhead": spec.getJvmOverheadSize(),
    }
    return {name: int(value.getBytes()) for name, value in (common | sizes).items()}


def ours(role: str, process_mib: int, configuration: dict[str, str]) -> dict[str, int] | None:
    try:
        return memory.breakdown(role, process_mib * MIB, configuration).parts
    except memory.MemoryModelError:
        return None


CONFIGURATIONS = {
    "flink defaults": {},
    **{
        env: flink_configuration(flink.COMPONENT.section(load(env, REPO / "specs").spec))
        for env in ("dev", "prod")
    },
}


@pytest.mark.parametrize("name", CONFIGURATIONS)
@pytest.mark.parametrize("role", ["jobmanager", "taskmanager"])
def test_every_part_and_every_refusal_is_flinks(name: str, role: str) -> None:
    configuration = CONFIGURATIONS[name]
    least = memory.smallest_process(role, configuration) // MIB
    sizes = {*range(least - 3, least + 4), *range(256, 4097, 97), 832, 1024, 2048, 8192}
    for env in ("dev", "prod"):
        process = getattr(flink.COMPONENT.section(load(env, REPO / "specs").spec).cluster, role)
        sizes.add(memory_bytes(process.memory) // MIB)
    pairs = {mib: (ours(role, mib, configuration), flinks_own(role, mib, configuration))
             for mib in sorted(sizes)}  # fmt: skip
    differing = {mib: pair for mib, pair in pairs.items() if pair[0] != pair[1]}
    assert not differing
    assert flinks_own(role, least - 1, configuration) is None
    assert flinks_own(role, least, configuration) is not None
