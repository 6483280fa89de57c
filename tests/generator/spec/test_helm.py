"""Helm releases: credentials stay out of git, and the values carry exactly the declared pods."""

from typing import Any

import pytest
from pydantic import ValidationError

from generator.spec.common import FieldError
from generator.spec.helm import SECRET_VALUE_KEYS, HelmRelease

CHART = {"repo_url": "https://charts.example.org", "name": "airflow", "version": "1.15.0"}
RESOURCES = {"requests": {"cpu": "100m", "memory": "128Mi"},
             "limits": {"cpu": "500m", "memory": "256Mi"}}  # fmt: skip


def release(values: dict[str, Any], *pods: dict[str, Any]) -> HelmRelease:
    return HelmRelease.model_validate({
        "name": "airflow", "namespace": "streamflow-orchestration", "wave": 1, "chart": CHART,
        "values": values, "pods": list(pods),
    })  # fmt: skip


def scheduler(values_path: str = "scheduler.resources", **fields: Any) -> dict[str, Any]:
    container = {"name": "scheduler", "values_path": values_path, "resources": RESOURCES}
    return {"name": "scheduler", "containers": [container], **fields}


def field_error(raised: pytest.ExceptionInfo[ValidationError]) -> FieldError:
    (problem,) = raised.value.errors()
    error = problem["ctx"]["error"]
    assert isinstance(error, FieldError)
    return error


# Values are built around each key name: a literal credential in this file, even a fake
# one, would be a finding of the secret scan.
@pytest.mark.parametrize("key", sorted(SECRET_VALUE_KEYS))
def test_a_literal_credential_anywhere_in_the_values_is_refused_with_its_path(key: str) -> None:
    nested = {"webserver": {"defaultUser": {key: "not-a-reference"}}}
    listed = {"extraSecrets": [{"name": "a"}, {key: "not-a-reference"}]}
    for values, leak in (
        (nested, ("values", "webserver", "defaultUser", key)),
        (listed, ("values", "extraSecrets", 1, key)),
    ):
        with pytest.raises(ValidationError) as raised:
            release(values)
        error = field_error(raised)
        assert error.message.startswith("holds a literal credential")
        assert error.fields == (leak,)


def test_empty_credential_fields_are_fine() -> None:
    """Charts take an empty value as "read it from the pre-created Secret"."""
    release({"webserver": {"defaultUser": dict.fromkeys(SECRET_VALUE_KEYS, "")}})


def test_rendered_values_add_resources_replicas_and_hook_waves_without_touching_the_spec() -> None:
    values = {"scheduler": {"replicas": 5}, "migrate": {"annotations": {"team": "data"}}}
    hook = {
        "name": "migrate",
        "transient": True,
        "hook": {"annotations_path": "migrate.annotations", "wave": -1},
        "containers": [
            {"name": "migrate", "values_path": "migrate.resources", "resources": RESOURCES}
        ],
    }
    spec = release(values, scheduler(replicas=2, replicas_path="scheduler.replicas"), hook)
    assert spec.rendered_values() == {
        "migrate": {"annotations": {"argocd.argoproj.io/sync-wave": "-1", "team": "data"},
                    "resources": RESOURCES},
        "scheduler": {"replicas": 2, "resources": RESOURCES},
    }  # fmt: skip
    assert spec.values == {"scheduler": {"replicas": 5}, "migrate": {"annotations":
                           {"team": "data"}}}  # fmt: skip


def test_values_that_already_hold_the_same_resources_agree() -> None:
    assert release({"scheduler": {"resources": RESOURCES}}, scheduler()).rendered_values() == {
        "scheduler": {"resources": RESOURCES}
    }


def test_values_that_hold_other_resources_at_the_path_are_refused_naming_the_container() -> None:
    other = {"limits": {"cpu": "2"}}
    with pytest.raises(ValidationError) as raised:
        release({"scheduler": {"resources": other}}, scheduler())
    error = field_error(raised)
    assert error.message == (
        "values path 'scheduler.resources' already holds other resources {'limits': {'cpu': '2'}}"
    )
    assert error.fields == (("pods", "scheduler", "containers", "scheduler", "values_path"),)


@pytest.mark.parametrize("path", ["scheduler..resources", ".scheduler", "scheduler/resources"])
def test_a_malformed_values_path_is_named(path: str) -> None:
    with pytest.raises(ValidationError) as raised:
        release({}, scheduler(values_path=path))
    assert f"{path!r} is not a dotted values path like 'scheduler.resources'" in str(raised.value)
