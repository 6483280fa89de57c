"""Namespaces and the Pod Security Admission level each one enforces."""

from typing import Literal

from pydantic import model_validator

from generator.spec.common import Name, StrictModel

PodSecurityLevel = Literal["restricted", "baseline", "privileged"]


class NamespaceSpec(StrictModel):
    """One platform namespace; anything weaker than ``restricted`` must say why."""

    name: Name
    pod_security: PodSecurityLevel = "restricted"
    pod_security_reason: str | None = None

    @model_validator(mode="after")
    def _weaker_levels_are_justified(self) -> "NamespaceSpec":
        if self.pod_security != "restricted" and not self.pod_security_reason:
            raise ValueError(
                f"pod_security {self.pod_security!r} needs pod_security_reason "
                "(why the workload cannot run under 'restricted')"
            )
        return self
