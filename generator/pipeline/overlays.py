"""Overlays that hold only what an environment changes in a component's base.

Each object the environment renders differently from the base becomes a JSON
patch (RFC 6902) computed by diffing the two renders, so an overlay is exactly
the difference, and applying it reproduces the environment's render (a test
runs ``kustomize build`` to prove it). JSON patches are used rather than
strategic merges because their meaning does not depend on the object's kind:
a list that changed is replaced whole, for core kinds and CRs alike.
"""

from dataclasses import dataclass, field
from typing import Any

from generator.manifests.objects import Manifest, identity

Operation = dict[str, Any]


def _escape(key: str) -> str:
    return key.replace("~", "~0").replace("/", "~1")


def json_patch(base: Any, target: Any, path: str = "") -> list[Operation]:
    """Operations turning ``base`` into ``target``; lists are replaced whole."""
    if isinstance(base, dict) and isinstance(target, dict):
        operations: list[Operation] = []
        for key in [*base, *(k for k in target if k not in base)]:
            child = f"{path}/{_escape(str(key))}"
            if key not in target:
                operations.append({"op": "remove", "path": child})
            elif key not in base:
                operations.append({"op": "add", "path": child, "value": target[key]})
            else:
                operations.extend(json_patch(base[key], target[key], child))
        return operations
    if base == target and type(base) is type(target):
        return []
    return [{"op": "replace", "path": path, "value": target}]


@dataclass
class OverlayPlan:
    """What an environment's overlay of one component must contain."""

    patches: list[tuple[Manifest, list[Operation]]] = field(default_factory=list)
    added: list[Manifest] = field(default_factory=list)
    removed: list[Manifest] = field(default_factory=list)


def plan(base: list[Manifest], env: list[Manifest]) -> OverlayPlan:
    """Compare the base render with the environment's render of one component."""
    base_by_id = {identity(m): m for m in base}
    env_by_id = {identity(m): m for m in env}
    result = OverlayPlan()
    for key, manifest in env_by_id.items():
        if key not in base_by_id:
            result.added.append(manifest)
        elif operations := json_patch(base_by_id[key], manifest):
            result.patches.append((manifest, operations))
    result.removed = [m for key, m in base_by_id.items() if key not in env_by_id]
    return result


def patch_target(manifest: Manifest) -> dict[str, str]:
    """Kustomize ``target`` selecting exactly this object."""
    group, kind, namespace, name = identity(manifest)
    version = manifest["apiVersion"].rpartition("/")[2]
    target = {"group": group, "version": version, "kind": kind, "name": name}
    if namespace:
        target["namespace"] = namespace
    return target


def deletion(manifest: Manifest) -> Manifest:
    """Strategic-merge patch that removes the object from the base."""
    meta = {k: v for k, v in manifest["metadata"].items() if k in {"name", "namespace"}}
    return {
        "$patch": "delete",
        "apiVersion": manifest["apiVersion"],
        "kind": manifest["kind"],
        "metadata": meta,
    }
