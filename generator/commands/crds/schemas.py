"""kubeconform JSON schemas from the locked CRDs (what ``openapi2jsonschema`` does).

kubeconform reads one JSON schema per group, kind and version. This writes them
from each CRD's ``openAPIV3Schema`` with the two changes kubeconform's own
converter makes: objects that list their properties allow no others (so a
misspelled field fails ``-strict``), and ``x-kubernetes-int-or-string`` becomes
"string or integer". Schemas are derived data: they go to a cache named after
the lock's checksum and are rebuilt when a CRD changes.
"""

import json
from pathlib import Path
from typing import Any

from generator.commands.crds.cache import verified
from generator.commands.crds.lock import LOCK_FILE, Lock, definitions, load_lock, sha256
from generator.commands.staged import build_once
from generator.paths import REPO_ROOT

CACHE = REPO_ROOT / ".cache" / "kubeconform" / "crds"
KUBECONFORM_TEMPLATE = "{{ .Group }}/{{ .ResourceKind }}_{{ .ResourceAPIVersion }}.json"


def strict(node: Any, root: bool = False) -> Any:
    """The schema with closed objects and int-or-string spelled out, recursively.

    The root stays open, as in kubeconform's converter: some CRDs (Flink's) do
    not list ``apiVersion``, ``kind`` and ``metadata`` among their properties.
    """
    if isinstance(node, list):
        return [strict(item) for item in node]
    if not isinstance(node, dict):
        return node
    converted = {key: strict(value) for key, value in node.items()}
    if converted.pop("x-kubernetes-int-or-string", False):
        converted.pop("type", None)
        converted["oneOf"] = [{"type": "string"}, {"type": "integer"}]
    if (
        not root
        and "properties" in converted
        and "additionalProperties" not in converted
        and not converted.get("x-kubernetes-preserve-unknown-fields")
    ):
        converted["additionalProperties"] = False
    return converted


def schema_files(crd: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Relative path (kubeconform's template) → schema, one per served version."""
    group = crd["spec"]["group"]
    kind = crd["spec"]["names"]["kind"].lower()
    return {
        f"{group}/{kind}_{version['name']}.json": strict(
            version["schema"]["openAPIV3Schema"], root=True
        )
        for version in crd["spec"]["versions"]
        if version.get("served", True)
    }


def write_schemas(lock: Lock, crds: Path, target: Path) -> int:
    """Write the schema of every CRD in ``crds`` (the verified cache) under ``target``."""
    count = 0
    for crd in definitions(lock, crds):
        for relative, schema in schema_files(crd).items():
            path = target / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(schema, sort_keys=True), encoding="utf-8")
            count += 1
    return count


def cached_schemas() -> Path:
    """Directory of schemas for the current lock, written on first use."""
    return build_once(
        CACHE / sha256(LOCK_FILE)[:16],
        lambda staging: write_schemas(load_lock(), verified(), staging),
    )
