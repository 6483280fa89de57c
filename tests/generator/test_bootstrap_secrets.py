"""Every Secret the rendered Airflow values name is one the bootstrap creates (ADR 0006).

Credentials never live in git: the Terragrunt bootstrap generates them once and
the manifests refer to them by name, so a renamed or forgotten Secret would
only show up as a pod stuck in CreateContainerConfigError. This catches it.
"""

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from generator.components import postgres
from generator.pipeline.load import load

REPOSITORY = Path(__file__).resolve().parents[2]
BOOTSTRAP = REPOSITORY / "terragrunt" / "modules" / "argocd" / "main.tf"


def bootstrap_secrets() -> set[str]:
    """``namespace/name`` of every Secret the bootstrap module writes."""
    text = BOOTSTRAP.read_text()
    listed = set(
        re.findall(r'^\s*"([a-z0-9-]+/[a-z0-9-]+)"\s*=\s*(?:\{|local\.)', text, re.MULTILINE)
    )
    single = re.findall(
        r'resource "kubernetes_secret_v1" "\w+" \{\s*metadata \{\s*namespace\s*=\s*"([^"]+)"'
        r'\s*name\s*=\s*"([^"]+)"',
        text,
    )
    return listed | {f"{namespace}/{name}" for namespace, name in single}


def secret_names(values: Any) -> set[str]:
    """Values of keys ending in ``secretName`` (any case), at any depth."""
    found: set[str] = set()
    if isinstance(values, dict):
        for key, value in values.items():
            if key.lower().endswith("secretname") and isinstance(value, str):
                found.add(value)
            else:
                found |= secret_names(value)
    elif isinstance(values, list):
        for item in values:
            found |= secret_names(item)
    return found


@pytest.mark.parametrize("environment", ["dev", "prod"])
def test_airflow_secrets_come_from_the_bootstrap(environment: str) -> None:
    application = yaml.safe_load(
        (REPOSITORY / "argocd" / environment / "apps" / "airflow.yaml").read_text()
    )
    values = application["spec"]["source"]["helm"]["valuesObject"]
    namespace = application["spec"]["destination"]["namespace"]
    # The Celery broker's Secret is named only to stop the chart rendering a placeholder;
    # with LocalExecutor no pod reads it (the chart sets the broker env for Celery only).
    assert values["executor"] == "LocalExecutor"
    unread = {values["data"].pop("brokerUrlSecretName")}
    referenced = {f"{namespace}/{name}" for name in secret_names(values) - unread}
    assert "streamflow-orchestration/airflow-warehouse-connection" in referenced
    assert referenced <= bootstrap_secrets()


@pytest.mark.parametrize("environment", ["dev", "prod"])
def test_bootstrap_connection_strings_use_the_derived_database_address(environment: str) -> None:
    # The bootstrap cannot import the generator, so its URIs hold the host literally;
    # this keeps them equal to what the postgres component derives (and the Flink jobs get).
    platform = load(environment, REPOSITORY / "specs")
    host = postgres.COMPONENT.primary_host(platform.spec)
    uris = re.findall(r'"postgresql://[^@\n]+@([^"/\n]+)/(\w+)"', _expanded(BOOTSTRAP.read_text()))
    assert uris
    for address, _database in uris:
        assert address == f"{host}:5432"
    section = postgres.COMPONENT.section(platform.spec)
    assert {database for _, database in uris} == {
        section.database,
        *(extra.name for extra in section.extra_databases),
    }


def _expanded(text: str) -> str:
    """The module with its string locals (``warehouse = "…"``) substituted where used."""
    for name, value in re.findall(r'^\s*(\w+)\s*=\s*"([^"$]*)"\s*$', text, re.MULTILINE):
        text = text.replace(f"${{local.{name}}}", value)
    return text


def _credential_locals(text: str) -> dict[str, str]:
    """Local name → username of the credential locals (``ingest = { username = "…", … }``)."""
    found = re.findall(r'^\s*(\w+)\s*=\s*\{\s*username\s*=\s*"([^"]+)"', text, re.MULTILINE)
    return dict(found)


def _login(text: str, secret: str) -> str:
    """The username a bootstrap Secret holds: directly, through a local, or in its URI."""
    users = _credential_locals(text)
    (value,) = re.findall(rf'"{re.escape(secret)}"\s*=\s*(local\.\w+|\{{[^}}]*\}})', text)
    if value.startswith("local."):
        return users[value.removeprefix("local.")]
    direct: list[str] = re.findall(r'username\s*=\s*"([^"]+)"', value)
    if direct:
        return direct[0]
    (local,) = re.findall(r"postgresql://\$\{local\.(\w+)\.username\}", value)
    return users[local]


@pytest.mark.parametrize("environment", ["dev", "prod"])
def test_each_workload_logs_in_as_its_own_role(environment: str) -> None:
    # CloudNativePG refuses a managed role's Secret whose username is not the role's.
    platform = load(environment, REPOSITORY / "specs")
    pg = postgres.COMPONENT.section(platform.spec)
    text = BOOTSTRAP.read_text()
    for role in pg.roles:
        secret = f"{pg.namespace}/{role.password_secret}"
        assert secret in bootstrap_secrets()
        assert _login(text, secret) == role.name
    by_access = {(s, level): role.name for role in pg.roles for s, level in role.access.items()}
    flink = platform.spec.flink  # type: ignore[attr-defined]
    sinks = _login(text, f"{flink.namespace}/{flink.warehouse_secret}")
    assert sinks == by_access["bronze", "write"]
    airflow = "streamflow-orchestration"
    assert _login(text, f"{airflow}/airflow-warehouse-connection") == by_access["silver", "build"]
    assert _login(text, f"{airflow}/airflow-maintenance-connection") == pg.owner
