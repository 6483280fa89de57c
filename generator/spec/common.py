"""Building blocks shared by every component spec: names, quantities, resources, images."""

import re
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from generator.spec.quantity import cpu_millicores, memory_bytes

_DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
_DNS_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$")
_DURATION = re.compile(r"^(?P<number>[0-9]+)(?P<unit>ms|s|m|h|d)$")
_DURATION_MS = {"ms": 1, "s": 1000, "m": 60_000, "h": 3_600_000, "d": 86_400_000}


def dns_label_problem(value: str) -> str | None:
    """Why ``value`` is not a DNS-1123 label, or None when it is one."""
    if len(value) > 63 or not _DNS_LABEL.match(value):
        return "is not a DNS-1123 label (lowercase, digits, '-', ≤ 63)"
    return None


def _dns_label(value: str) -> str:
    problem = dns_label_problem(value)
    if problem:
        raise ValueError(f"{value!r} {problem}")
    return value


def _dns_subdomain(value: str) -> str:
    if len(value) > 253 or not _DNS_SUBDOMAIN.match(value):
        raise ValueError(f"{value!r} is not a DNS-1123 subdomain (lowercase, digits, '-', '.')")
    return value


def _memory(value: str) -> str:
    memory_bytes(value)
    return value


def _cpu(value: str) -> str:
    cpu_millicores(value)
    return value


def _duration(value: str) -> str:
    if not _DURATION.match(value):
        raise ValueError(f"{value!r} is not a duration like 30s, 5m, 7d")
    return value


def duration_ms(value: str) -> int:
    """Milliseconds of a validated duration string such as ``7d``."""
    match = _DURATION.match(value)
    if match is None:
        raise ValueError(f"{value!r} is not a duration")
    return int(match["number"]) * _DURATION_MS[match["unit"]]


Name = Annotated[str, AfterValidator(_dns_label)]
ResourceName = Annotated[str, AfterValidator(_dns_subdomain)]
MemoryQuantity = Annotated[str, AfterValidator(_memory)]
CpuQuantity = Annotated[str, AfterValidator(_cpu)]
Duration = Annotated[str, AfterValidator(_duration)]
Replicas = Annotated[int, Field(ge=0)]
JsonObject = dict[str, Any]


FieldPath = tuple[str | int, ...]


class FieldError(ValueError):
    """A problem spanning fields: names each field (relative to the model that raised it).

    The loader turns every path into the file that set it and the value it has,
    so a cross-field error reads ``kafka.replication_factor = 3`` rather than
    ``kafka = dict of 9``. A ``str`` step into a list selects the item by ``name``.
    """

    def __init__(self, message: str, *fields: FieldPath) -> None:
        super().__init__(message)
        self.message = message
        self.fields = fields


class StrictModel(BaseModel):
    """Base for every spec model: unknown fields are errors, specs are immutable.

    Strict types: ``true`` is not a replica count and ``1`` is not a name — YAML
    gives each value a type and a spec that relies on coercion is a mistake.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class Amounts(StrictModel):
    """A CPU and memory pair, as in a container's ``requests`` or ``limits``."""

    cpu: CpuQuantity
    memory: MemoryQuantity

    def to_manifest(self) -> dict[str, str]:
        """Kubernetes form of the pair."""
        return {"cpu": self.cpu, "memory": self.memory}


class Resources(StrictModel):
    """Requests and limits; both are mandatory so that nothing runs unbounded."""

    requests: Amounts
    limits: Amounts

    @model_validator(mode="after")
    def _limits_cover_requests(self) -> "Resources":
        if cpu_millicores(self.limits.cpu) < cpu_millicores(self.requests.cpu):
            raise FieldError(
                f"limits.cpu {self.limits.cpu!r} is below requests.cpu {self.requests.cpu!r}",
                ("limits", "cpu"),
                ("requests", "cpu"),
            )
        if memory_bytes(self.limits.memory) < memory_bytes(self.requests.memory):
            raise FieldError(
                f"limits.memory {self.limits.memory!r} is below "
                f"requests.memory {self.requests.memory!r}",
                ("limits", "memory"),
                ("requests", "memory"),
            )
        return self

    def to_manifest(self) -> dict[str, dict[str, str]]:
        """Kubernetes ``resources`` block."""
        return {"limits": self.limits.to_manifest(), "requests": self.requests.to_manifest()}


def _pinned_tag(value: str) -> str:
    if not value or value.startswith("latest"):
        raise ValueError(f"image tag {value!r} is not pinned; use an immutable version tag")
    return value


class Image(StrictModel):
    """A container image pinned to a version tag (``latest`` is refused).

    ``digest`` pins the exact content once the registry publishes one
    (docs/adr/0015-supply-chain.md); Renovate keeps tag and digest current.
    """

    repository: str = Field(min_length=1)
    tag: Annotated[str, AfterValidator(_pinned_tag)]
    digest: str | None = Field(default=None, pattern=r"^sha256:[0-9a-f]{64}$")

    @property
    def reference(self) -> str:
        """``repository:tag`` (``@digest`` when pinned) as a pod spec wants it."""
        suffix = f"@{self.digest}" if self.digest else ""
        return f"{self.repository}:{self.tag}{suffix}"


def restricted_container_security(*, read_only_root: bool = True) -> JsonObject:
    """Container securityContext that passes the ``restricted`` Pod Security Standard."""
    return {
        "allowPrivilegeEscalation": False,
        "capabilities": {"drop": ["ALL"]},
        "readOnlyRootFilesystem": read_only_root,
        "runAsNonRoot": True,
        "seccompProfile": {"type": "RuntimeDefault"},
    }


def restricted_pod_security(user_id: int) -> JsonObject:
    """Pod securityContext for images we build ourselves (they run as ``user_id``)."""
    return {
        "fsGroup": user_id,
        "runAsGroup": user_id,
        "runAsNonRoot": True,
        "runAsUser": user_id,
        "seccompProfile": {"type": "RuntimeDefault"},
    }
