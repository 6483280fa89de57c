"""The kustomize components of the platform, each rendered from its part of the spec."""

from generator.render import flink, kafka, namespaces, network, postgres
from generator.render.objects import Component
from generator.spec.platform import PlatformSpec

# CRs whose CRDs arrive with an operator chart in an earlier wave: a dry run
# before that chart has synced would fail on the unknown kind.
CR_OPTIONS = ("SkipDryRunOnMissingResource=true",)


def components(spec: PlatformSpec) -> list[Component]:
    """Every kustomize component, in a stable order."""
    waves = spec.waves
    return [
        Component("namespaces", None, waves.namespaces, namespaces.render(spec)),
        Component("network-policies", None, waves.security, network.render(spec)),
        Component("kafka", spec.kafka.namespace, waves.kafka, kafka.render(spec), CR_OPTIONS),
        Component(
            "postgres",
            spec.postgres.namespace,
            waves.postgres,
            postgres.render(spec.postgres),
            CR_OPTIONS,
        ),
        Component("flink", spec.flink.namespace, waves.flink, flink.render(spec.flink), CR_OPTIONS),
    ]
