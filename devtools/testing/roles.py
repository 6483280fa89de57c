"""The warehouse's workload roles as the spec defines them, so tests log in as the workloads do."""

from pathlib import Path

import yaml

from devtools.testing.topics import SPEC
from libs.contracts.warehouse.grants import ACCESS_LEVELS, Access, RoleAccess


def platform_roles(spec: Path = SPEC) -> list[RoleAccess]:
    """``postgres.roles`` of ``specs/platform.yaml`` (the generator validates it)."""
    data = yaml.safe_load(spec.read_text(encoding="utf-8"))
    roles = []
    for role in data["postgres"].get("roles", []):
        access: dict[str, Access] = {}
        for schema, level in role["access"].items():
            if level not in ACCESS_LEVELS:
                raise ValueError(f"{spec}: postgres.roles {role['name']}: access {level!r}")
            access[schema] = level
        roles.append(RoleAccess(role["name"], access))
    return roles


def role_with(schema: str, level: Access, spec: Path = SPEC) -> str:
    """The spec's one role with ``level`` access to ``schema`` (bronze write: the sinks)."""
    found = [role.name for role in platform_roles(spec) if role.access.get(schema) == level]
    if len(found) != 1:
        raise LookupError(f"{spec}: expected one role with {level} on {schema}, found {found}")
    return found[0]


def sink_login(spec: Path = SPEC) -> dict[str, str]:
    """The environment a Flink job reads its JDBC login from, as the streaming sinks' role.

    The harness trusts loopback connections: the password is a placeholder.
    """
    return {
        "STREAMFLOW_DB_USER": role_with("bronze", "write", spec),
        "STREAMFLOW_DB_PASSWORD": "unused-trust-auth",
    }
