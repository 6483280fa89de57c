"""Small constructors shared by the renderers, so every object is labelled alike."""

from typing import Any

Manifest = dict[str, Any]

PART_OF = {"app.kubernetes.io/part-of": "streamflow"}


def metadata(
    name: str,
    namespace: str | None = None,
    *,
    labels: dict[str, str] | None = None,
    annotations: dict[str, str] | None = None,
) -> Manifest:
    """``metadata`` with the platform label and optional extra labels/annotations."""
    meta: Manifest = {"name": name}
    if namespace is not None:
        meta["namespace"] = namespace
    meta["labels"] = {**PART_OF, **(labels or {})}
    if annotations:
        meta["annotations"] = annotations
    return meta


def resource(api_version: str, kind: str, meta: Manifest, **body: Any) -> Manifest:
    """A Kubernetes object with the conventional top-level key order."""
    return {"apiVersion": api_version, "kind": kind, "metadata": meta, **body}


def identity(manifest: Manifest) -> tuple[str, str, str, str]:
    """(apiVersion group, kind, namespace, name): how kustomize tells objects apart."""
    group = manifest["apiVersion"].rpartition("/")[0]
    meta = manifest["metadata"]
    return group, manifest["kind"], meta.get("namespace", ""), meta["name"]
