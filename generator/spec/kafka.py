"""The Strimzi-managed Kafka cluster (KRaft) and its topics."""

from typing import Annotated, Literal

from pydantic import Field, model_validator

from generator.spec.common import (
    Duration,
    MemoryQuantity,
    Name,
    Replicas,
    ResourceName,
    Resources,
    StrictModel,
)

Role = Literal["broker", "controller"]


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

    @model_validator(mode="after")
    def _quorum_and_replication(self) -> "KafkaSpec":
        brokers, controllers = self.count("broker"), self.count("controller")
        if brokers == 0 or controllers == 0:
            raise ValueError(
                f"node_pools give {brokers} broker(s) and {controllers} controller(s); "
                "KRaft needs at least one of each"
            )
        if controllers % 2 == 0:
            raise ValueError(f"{controllers} controllers: a KRaft quorum needs an odd number")
        if self.replication_factor > brokers:
            raise ValueError(
                f"replication_factor {self.replication_factor} exceeds the {brokers} broker(s)"
            )
        if self.min_insync_replicas > self.replication_factor:
            raise ValueError(
                f"min_insync_replicas {self.min_insync_replicas} exceeds "
                f"replication_factor {self.replication_factor}"
            )
        for topic in self.topics:
            if topic.replicas is not None and topic.replicas > brokers:
                raise ValueError(
                    f"topic {topic.name!r}: replicas {topic.replicas} "
                    f"exceed the {brokers} broker(s)"
                )
        return self
