"""The Strimzi-managed Kafka cluster (KRaft) and its topics."""

from typing import Annotated, Literal

from pydantic import Field, model_validator

from generator.spec.common import (
    Duration,
    FieldError,
    MemoryQuantity,
    Name,
    Replicas,
    ResourceName,
    Resources,
    StrictModel,
)
from generator.spec.quantity import memory_bytes

Role = Literal["broker", "controller"]

# The JVM needs memory beyond its heap (metaspace, thread stacks, direct network
# buffers): the heap must leave this much of the container limit, or the broker
# is OOM-killed under load instead of failing to start.
NON_HEAP_FRACTION = 0.25
NON_HEAP_MINIMUM = 256 * 2**20


class Storage(StrictModel):
    """Persistent volume of a node pool."""

    size: MemoryQuantity
    storage_class: str | None = None


class NodePool(StrictModel):
    """A ``KafkaNodePool``: identical nodes with the same roles."""

    name: Name
    roles: list[Role] = Field(min_length=1)
    replicas: Replicas
    heap: MemoryQuantity
    storage: Storage
    resources: Resources

    @model_validator(mode="after")
    def _heap_fits_the_container(self) -> "NodePool":
        heap = memory_bytes(self.heap)
        if heap < 2**20 or heap % 2**20:
            raise FieldError(
                "the heap is passed as -Xms/-Xmx in whole MiB: it must be a positive number "
                "of MiB (e.g. 256Mi)",
                ("heap",),
            )
        limit = memory_bytes(self.resources.limits.memory)
        headroom = max(NON_HEAP_MINIMUM, int(limit * NON_HEAP_FRACTION))
        if heap > limit - headroom:
            raise FieldError(
                f"heap {self.heap} leaves less than {headroom // 2**20}Mi (max of 256Mi and "
                f"{NON_HEAP_FRACTION:.0%} of the limit) of the memory limit "
                f"{self.resources.limits.memory} for the JVM's non-heap memory",
                ("heap",),
                ("resources", "limits", "memory"),
            )
        return self


class Topic(StrictModel):
    """A ``KafkaTopic``; replicas default to the cluster's replication factor."""

    name: ResourceName
    partitions: Annotated[int, Field(ge=1)]
    retention: Duration
    replicas: Annotated[int, Field(ge=1)] | None = None
    config: dict[str, str | int] = Field(default_factory=dict)
    purpose: str = Field(min_length=1)


class KafkaSpec(StrictModel):
    """Kafka cluster in KRaft mode: ``Kafka`` + ``KafkaNodePool`` + ``KafkaTopic`` CRs."""

    name: Name
    namespace: Name
    version: str = Field(pattern=r"^[0-9]+\.[0-9]+\.[0-9]+$")
    metadata_version: str
    replication_factor: Annotated[int, Field(ge=1)]
    min_insync_replicas: Annotated[int, Field(ge=1)]
    node_pools: list[NodePool] = Field(min_length=1)
    topic_operator: Resources
    pdb_max_unavailable: Annotated[int, Field(ge=0)] = 1
    topics: list[Topic] = Field(min_length=1)

    def count(self, role: Role) -> int:
        """Nodes that carry ``role`` across all pools."""
        return sum(pool.replicas for pool in self.node_pools if role in pool.roles)

    def topic_replicas(self, topic: Topic) -> int:
        """Replicas of a topic: its own, or the cluster's replication factor."""
        return topic.replicas or self.replication_factor

    def topic_min_insync(self, topic: Topic) -> int:
        """``min.insync.replicas`` of a topic: its own config, or the cluster's."""
        return int(topic.config.get("min.insync.replicas", self.min_insync_replicas))

    @model_validator(mode="after")
    def _quorum_and_replication(self) -> "KafkaSpec":
        brokers, controllers = self.count("broker"), self.count("controller")
        if brokers == 0 or controllers == 0:
            raise FieldError(
                f"node_pools give {brokers} broker(s) and {controllers} controller(s); "
                "KRaft needs at least one of each",
                ("node_pools",),
            )
        if controllers % 2 == 0:
            raise FieldError(
                f"{controllers} controllers: a KRaft quorum needs an odd number",
                ("node_pools",),
            )
        if self.replication_factor > brokers:
            raise FieldError(
                f"replication_factor {self.replication_factor} exceeds the {brokers} broker(s) "
                "of node_pools",
                ("replication_factor",),
                ("node_pools",),
            )
        if self.min_insync_replicas > self.replication_factor:
            raise FieldError(
                f"min_insync_replicas {self.min_insync_replicas} exceeds "
                f"replication_factor {self.replication_factor}",
                ("min_insync_replicas",),
                ("replication_factor",),
            )
        for topic in self.topics:
            self._check_topic(topic, brokers)
        return self

    def _check_topic(self, topic: Topic, brokers: int) -> None:
        replicas, min_insync = self.topic_replicas(topic), self.topic_min_insync(topic)
        where = ("topics", topic.name, "replicas")
        if replicas > brokers:
            raise FieldError(f"replicas {replicas} exceed the {brokers} broker(s)", where)
        if replicas < min_insync:
            raise FieldError(
                f"topic {topic.name!r} has {replicas} replica(s) but min.insync.replicas "
                f"{min_insync}: no write with acks=all (the exactly-once sinks) can succeed",
                where if topic.replicas else ("replication_factor",),
                ("topics", topic.name, "config", "min.insync.replicas")
                if "min.insync.replicas" in topic.config
                else ("min_insync_replicas",),
            )
