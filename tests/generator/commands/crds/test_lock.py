"""The CRD lock pins, per chart the platform installs, the files the checks need."""

import re
from typing import Any

import pytest
import yaml
from pydantic import BaseModel, ValidationError

from generator.commands.crds.cache import verified
from generator.commands.crds.lock import LOCK_FILE, Lock, definitions, load_lock
from generator.pipeline.load import environments, load
from generator.spec.helm import Chart
from tests.conftest import REPO

ARGOCD_MODULE = REPO / "terragrunt" / "modules" / "argocd" / "main.tf"


def _charts(node: Any) -> list[Chart]:
    """Every chart pin anywhere in a loaded spec."""
    if isinstance(node, Chart):
        return [node]
    if isinstance(node, BaseModel):
        return [c for name in type(node).model_fields for c in _charts(getattr(node, name))]
    if isinstance(node, list | tuple):
        return [c for item in node for c in _charts(item)]
    if isinstance(node, dict):
        return [c for item in node.values() for c in _charts(item)]
    return []


def _pinned_charts() -> dict[str, str]:
    pins: dict[str, str] = {}
    for env in environments():
        pins |= {chart.name: chart.version for chart in _charts(load(env).spec)}
    default = re.search(
        r'variable "argocd_chart_version" \{[^}]*default\s*=\s*"([^"]+)"',
        ARGOCD_MODULE.read_text(encoding="utf-8"),
    )
    assert default, "argocd_chart_version has no default in the bootstrap module"
    return pins | {"argo-cd": default.group(1)}


def test_every_operator_chart_pin_equals_its_locked_crd_version() -> None:
    pinned, vendored = _pinned_charts(), load_lock().charts()
    assert {name: pinned.get(name) for name in vendored} == vendored


def test_every_custom_resource_kind_rendered_has_a_locked_crd() -> None:
    served = {
        f"{crd['spec']['group']}/{version['name']}/{crd['spec']['names']['kind']}"
        for crd in definitions(load_lock(), verified())
        for version in crd["spec"]["versions"]
    }
    rendered = set()
    for path in [*(REPO / "apps").rglob("*.yaml"), *(REPO / "argocd").rglob("*.yaml")]:
        text = path.read_text(encoding="utf-8")
        for api, kind in re.findall(r"^apiVersion: (\S+/\S+)\nkind: (\S+)", text, re.M):
            group = api.split("/")[0]
            if "." in group and not group.endswith("k8s.io") and "kustomize" not in group:
                rendered.add(f"{api}/{kind}")
    assert rendered and rendered <= served, rendered - served


def test_a_source_pinned_to_a_tag_instead_of_a_commit_is_rejected() -> None:
    data = yaml.safe_load(LOCK_FILE.read_text(encoding="utf-8"))
    data["sources"][0]["commit"] = data["sources"][0]["tag"]
    with pytest.raises(ValidationError, match="commit"):
        Lock.model_validate(data)


def test_the_helm_condition_around_cloudnative_pg_crds_is_dropped_when_read() -> None:
    groups = [crd["spec"]["group"] for crd in definitions(load_lock(), verified())]
    assert groups.count("postgresql.cnpg.io") == 11
