"""Load the base spec and an environment's differences, merge them, validate.

Environments are data: ``specs/environments/<env>.yaml`` holds only what
differs from ``specs/platform.yaml``. Mappings merge recursively; lists of
mappings that all carry a ``name`` merge item by item on that name (so prod can
change one node pool without repeating the others); any other value replaces.
A validation error names the file that set the offending value, the field path
(list items by name) and the value.
"""

import copy
import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from generator.spec.platform import PlatformSpec

SPEC_DIR = Path("specs")
BASE_FILE = "platform.yaml"
ENV_DIR = "environments"
MISSING = object()


class SpecError(Exception):
    """A spec that cannot be rendered; the message is meant for a human."""


@dataclass(frozen=True)
class SpecSource:
    """Raw spec documents of one environment and the files they came from."""

    base: dict[str, Any]
    base_file: Path
    overlay: dict[str, Any]
    overlay_file: Path | None


def _read_yaml(path: Path) -> dict[str, Any]:
    try:
        stat = path.stat()
    except OSError as error:
        raise SpecError(f"{path}: cannot read spec: {error}") from error
    return copy.deepcopy(_parse_yaml(path, stat.st_mtime_ns, stat.st_size))


@functools.lru_cache(maxsize=16)
def _parse_yaml(path: Path, mtime_ns: int, size: int) -> dict[str, Any]:
    """Parse once per file version: every environment re-reads the base spec."""
    del mtime_ns, size  # cache key only
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
    except (OSError, yaml.YAMLError) as error:
        raise SpecError(f"{path}: cannot read spec: {error}") from error
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise SpecError(f"{path}: top level must be a mapping, got {type(data).__name__}")
    return data


def _named_items(value: Any) -> bool:
    return (
        isinstance(value, list)
        and bool(value)
        and all(isinstance(item, Mapping) and "name" in item for item in value)
    )


def deep_merge(base: Any, overlay: Any) -> Any:
    """Merge ``overlay`` onto ``base`` (see module docstring for the rules)."""
    if isinstance(base, Mapping) and isinstance(overlay, Mapping):
        merged = dict(base)
        for key, value in overlay.items():
            merged[key] = deep_merge(base[key], value) if key in base else value
        return merged
    if _named_items(base) and _named_items(overlay):
        by_name = {item["name"]: item for item in overlay}
        merged_items = [
            deep_merge(item, by_name.pop(item["name"])) if item["name"] in by_name else item
            for item in base
        ]
        return merged_items + [item for item in overlay if item["name"] in by_name]
    return overlay


def environments(spec_dir: Path = SPEC_DIR) -> list[str]:
    """Environment names, one per file in ``specs/environments``."""
    return sorted(path.stem for path in (spec_dir / ENV_DIR).glob("*.yaml"))


def read_sources(env: str | None, spec_dir: Path = SPEC_DIR) -> SpecSource:
    """Raw documents for ``env`` (None means the base alone)."""
    base_file = spec_dir / BASE_FILE
    if env is None:
        return SpecSource(_read_yaml(base_file), base_file, {}, None)
    overlay_file = spec_dir / ENV_DIR / f"{env}.yaml"
    if not overlay_file.exists():
        raise SpecError(f"{overlay_file}: no such environment {env!r}")
    return SpecSource(_read_yaml(base_file), base_file, _read_yaml(overlay_file), overlay_file)


def _walk(data: Any, loc: Sequence[int | str]) -> tuple[str, Any]:
    """Follow a pydantic error location, naming list items by their ``name``."""
    parts: list[str] = []
    node = data
    for step in loc:
        if isinstance(step, int) and isinstance(node, list) and step < len(node):
            node = node[step]
            label = node.get("name") if isinstance(node, Mapping) else None
            parts.append(f"[{label}]" if label is not None else f"[{step}]")
        elif isinstance(node, Mapping) and step in node:
            node = node[step]
            parts.append(f".{step}")
        else:
            parts.append(f".{step}" if isinstance(step, str) else f"[{step}]")
            node = MISSING
    return "".join(parts).lstrip("."), node


def _set_by(source: SpecSource, field: str) -> Path:
    """The file that last set ``field``: the overlay when it mentions it, else the base."""
    node: Any = source.overlay
    for token in field.replace("[", ".[").split("."):
        if not token:
            continue
        if token.startswith("[") and isinstance(node, list):
            name = token[1:-1]
            node = next((i for i in node if isinstance(i, Mapping) and i.get("name") == name), None)
        elif isinstance(node, Mapping) and token in node:
            node = node[token]
        else:
            node = None
        if node is None:
            return source.base_file
    return source.overlay_file or source.base_file


def describe(error: ValidationError, merged: dict[str, Any], source: SpecSource) -> str:
    """One line per problem: file, field, offending value, reason."""
    lines = []
    for problem in error.errors():
        field, value = _walk(merged, [s for s in problem["loc"] if not _is_tag(s)])
        shown = "(missing)" if value is MISSING else repr(value)
        if isinstance(value, Mapping | list) and len(repr(value)) > 80:
            shown = f"{type(value).__name__} of {len(value)}"
        lines.append(
            f"{_set_by(source, field)}: {field or '(top level)'} = {shown}: {problem['msg']}"
        )
    return "\n".join(lines)


def _is_tag(step: int | str) -> bool:
    # pydantic adds function-validator tags (e.g. 'function-after[...]') to locations.
    return isinstance(step, str) and ("[" in step or step.startswith("function-"))


def load(env: str | None, spec_dir: Path = SPEC_DIR) -> PlatformSpec:
    """Validated spec of ``env``; raises ``SpecError`` naming file, field and value."""
    source = read_sources(env, spec_dir)
    merged = deep_merge(source.base, source.overlay)
    merged.setdefault("environment", env or "base")
    try:
        return PlatformSpec.model_validate(merged)
    except ValidationError as error:
        raise SpecError(describe(error, merged, source)) from error
