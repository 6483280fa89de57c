"""The platform namespaces, with the Pod Security Admission level each one enforces."""

from typing import Any

from generator.components.base import Component, Platform
from generator.manifests.objects import Manifest, metadata, resource


class Namespaces(Component[Any]):
    """Namespaces come first: every other component lands in one of them."""

    name = "namespaces"
    wave = 0

    def manifests(self, platform: Platform) -> list[Manifest]:
        """One ``Namespace`` per spec entry; enforce, audit and warn at the same level."""
        manifests = []
        for namespace in platform.spec.namespaces:
            level: str = namespace.pod_security
            labels: dict[str, str] = {
                f"pod-security.kubernetes.io/{mode}": level for mode in ("enforce", "audit", "warn")
            }
            labels["pod-security.kubernetes.io/enforce-version"] = "latest"
            annotations = (
                {"streamflow.io/pod-security-reason": namespace.pod_security_reason}
                if namespace.pod_security_reason
                else None
            )
            meta = metadata(namespace.name, labels=labels, annotations=annotations)
            manifests.append(resource("v1", "Namespace", meta))
        return manifests


COMPONENT = Namespaces()
