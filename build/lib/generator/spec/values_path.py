"""Dotted-path access into nested Helm values (``scheduler.resources``)."""

from typing import Any

Values = dict[str, Any]


def get_path(values: Values, path: str) -> Any:
    """Value at a dotted path, or None when any step is missing."""
    node: Any = values
    for key in path.split("."):
        if not isinstance(node, dict) or key not in node:
            return None
        node = node[key]
    return node


def set_path(values: Values, path: str, value: Any) -> None:
    """Set a dotted path, creating mappings on the way; refuse to clobber a scalar."""
    *parents, leaf = path.split(".")
    node = values
    for key in parents:
        child = node.setdefault(key, {})
        if not isinstance(child, dict):
            raise ValueError(f"values path {path!r}: {key!r} already holds {child!r}")
        node = child
    node[leaf] = value


def sorted_tree(value: Any) -> Any:
    """Copy with every mapping's keys sorted, for byte-stable output."""
    if isinstance(value, dict):
        return {key: sorted_tree(value[key]) for key in sorted(value)}
    if isinstance(value, list):
        return [sorted_tree(item) for item in value]
    return value
