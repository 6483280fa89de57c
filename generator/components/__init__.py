"""The registry: every platform component, in the order the data flows through them.

Adding a component is a module (or package) of its own, its section in
``specs/`` and one line here (docs/adr/0001-rendered-manifests-generator.md).
"""

from typing import Any

from generator.components import (
    charts,
    flink,
    kafka,
    monitoring,
    namespaces,
    network_policies,
    postgres,
)
from generator.components.base import Component

REGISTRY: tuple[Component[Any], ...] = (
    namespaces.COMPONENT,
    network_policies.COMPONENT,
    charts.COMPONENT,
    kafka.COMPONENT,
    flink.COMPONENT,
    postgres.COMPONENT,
    monitoring.COMPONENT,
)
