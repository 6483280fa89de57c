"""CRD → kubeconform schema conversion, as kubeconform's own openapi2jsonschema does it."""

import json
from pathlib import Path

from generator.commands.crds.cache import verified
from generator.commands.crds.lock import load_lock
from generator.commands.crds.schemas import schema_files, strict, write_schemas


def test_objects_with_properties_are_closed_below_the_root() -> None:
    schema = {"type": "object", "properties": {"spec": {"type": "object", "properties": {}}}}
    converted = strict(schema, root=True)
    assert "additionalProperties" not in converted
    assert converted["properties"]["spec"]["additionalProperties"] is False


def test_open_objects_stay_open() -> None:
    preserved = {"type": "object", "properties": {}, "x-kubernetes-preserve-unknown-fields": True}
    mapping = {"type": "object", "properties": {}, "additionalProperties": {"type": "string"}}
    assert "additionalProperties" not in strict(preserved)
    assert strict(mapping)["additionalProperties"] == {"type": "string"}


def test_int_or_string_accepts_both() -> None:
    assert strict({"type": "string", "x-kubernetes-int-or-string": True}) == {
        "oneOf": [{"type": "string"}, {"type": "integer"}]
    }


def test_one_schema_per_served_version_named_as_kubeconform_looks_it_up() -> None:
    crd = {
        "spec": {
            "group": "kafka.strimzi.io",
            "names": {"kind": "KafkaTopic"},
            "versions": [
                {"name": "v1", "schema": {"openAPIV3Schema": {"type": "object"}}},
                {"name": "v1alpha1", "served": False, "schema": {"openAPIV3Schema": {}}},
            ],
        }
    }
    assert list(schema_files(crd)) == ["kafka.strimzi.io/kafkatopic_v1.json"]


def test_every_locked_crd_converts(tmp_path: Path) -> None:
    count = write_schemas(load_lock(), verified(), tmp_path)
    files = sorted(tmp_path.rglob("*.json"))
    assert count == len(files) >= 23
    assert (tmp_path / "kafka.strimzi.io" / "kafkatopic_v1.json").is_file()
    assert all(json.loads(path.read_text())["type"] == "object" for path in files)
