"""Load the base spec and an environment's differences, merge them, validate.

Environments are data: ``specs/environments/<env>.yaml`` holds only what
differs from ``specs/platform.yaml``, and the environment *is* that file's
name. Mappings merge recursively; lists of mappings that all carry a ``name``
merge item by item on that name (so prod can change one node pool without
repeating the others); any other value replaces.

Every rejection names the file that set the offending value, the field path
(list items by name) and the value. Before merging, each file is checked on
its own — duplicate keys, duplicate names in a list, an ``environment:`` key,
an environment file that does not state its cluster — because after merging
those mistakes are invisible (the last one silently wins).
"""

import copy
import functools
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import Field, ValidationError, create_model

from generator.components import REGISTRY
from generator.components.base import Platform, Registry
from generator.spec.common import FieldError, FieldPath, dns_label_problem
from generator.spec.platform import PlatformSpec
from generator.spec.pod_security import restricted_violations
from generator.spec.values_path import get_path

SPEC_DIR = Path("specs")
BASE_FILE = "platform.yaml"
ENV_DIR = "environments"
MISSING: Any = object()
# What every environment file must state, so that an empty or truncated file is
# an error rather than a silent copy of the base.
ENVIRONMENT_MUST_STATE: tuple[FieldPath, ...] = (
    ("cluster", "nodes"),
    ("cluster", "memory_budget"),
    ("network", "api_server"),
)


class SpecError(Exception):
    """A spec that cannot be rendered; the message is meant for a human."""


@dataclass(frozen=True)
class SpecSource:
    """Raw spec documents of one environment and the files they came from."""

    base: dict[str, Any]
    base_file: Path
    overlay: dict[str, Any]
    overlay_file: Path | None


@dataclass(frozen=True)
class _Named:
    """A step into a list that selects the item with this ``name``."""

    name: str


Step = str | int | _Named


def _read_yaml(path: Path) -> dict[str, Any]:
    try:
        stat = path.stat()
    except OSError as error:
        raise SpecError(f"{path}: cannot read spec: {error}") from error
    return copy.deepcopy(_parse_yaml(path, stat.st_mtime_ns, stat.st_size))


def _scalar(node: yaml.Node) -> str:
    return repr(node.value) if isinstance(node, yaml.ScalarNode) else f"a {type(node).__name__}"


def _duplicate_keys(node: yaml.Node, path: str) -> Iterator[str]:
    """``path = first then second (lines a and b)`` for every key repeated in one mapping."""
    if isinstance(node, yaml.MappingNode):
        first: dict[Any, tuple[int, yaml.Node]] = {}
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
            line = key_node.start_mark.line + 1
            where = f"{path}.{key}" if path else str(key)
            if key is not None and key in first:
                earlier_line, earlier = first[key]
                yield (
                    f"{where} = {_scalar(earlier)} then {_scalar(value_node)} "
                    f"(lines {earlier_line} and {line})"
                )
            elif key is not None:
                first[key] = (line, value_node)
            yield from _duplicate_keys(value_node, where)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            yield from _duplicate_keys(item, f"{path}[{_item_label(item, index)}]")


def _item_label(node: yaml.Node, index: int) -> str:
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            if key_node.value == "name" and isinstance(value_node, yaml.ScalarNode):
                return str(value_node.value)
    return str(index)


@functools.lru_cache(maxsize=16)
def _parse_yaml(path: Path, mtime_ns: int, size: int) -> dict[str, Any]:
    """Parse once per file version: every environment re-reads the base spec."""
    del mtime_ns, size  # cache key only
    try:
        loader = yaml.CSafeLoader(path.read_text(encoding="utf-8"))
        try:
            # One parse: the node tree shows duplicate keys, which construction hides.
            tree = loader.get_single_node()
            duplicates = list(_duplicate_keys(tree, "")) if tree is not None else []
            data = loader.construct_document(tree) if tree is not None else None
        finally:
            loader.dispose()
    except (OSError, yaml.YAMLError) as error:
        raise SpecError(f"{path}: cannot read spec: {error}") from error
    if duplicates:
        raise SpecError(
            "\n".join(f"{path}: {where}: duplicate key; YAML would silently keep the last"
                      for where in duplicates)
        )  # fmt: skip
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


def _duplicate_names(data: Any, path: str) -> Iterator[str]:
    """``path: duplicate name(s) [...]`` for every named list with a repeated name."""
    if isinstance(data, Mapping):
        for key, value in data.items():
            yield from _duplicate_names(value, f"{path}.{key}" if path else str(key))
    elif isinstance(data, list):
        if _named_items(data):
            counts = Counter(str(item["name"]) for item in data)
            repeated = sorted(name for name, count in counts.items() if count > 1)
            if repeated:
                yield f"{path}: duplicate name(s) {repeated}"
        for index, item in enumerate(data):
            label = item.get("name", index) if isinstance(item, Mapping) else index
            yield from _duplicate_names(item, f"{path}[{label}]")


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


def _check_file(path: Path, data: dict[str, Any], env: str | None) -> None:
    """What must hold of one spec file on its own, before it is merged."""
    problems = [f"{path}: {where}" for where in _duplicate_names(data, "")]
    if "environment" in data:
        problems.append(
            f"{path}: environment = {data['environment']!r}: the environment is the name of "
            f"its file ({env or 'none for the base'}), never a key; remove it"
        )
    if env is not None:
        for field in ENVIRONMENT_MUST_STATE:
            _, value, _ = _walk(data, field)
            if value is MISSING or value is None:
                problems.append(
                    f"{path}: {'.'.join(map(str, field))} = (missing): every environment file "
                    f"states {' and '.join('.'.join(map(str, f)) for f in ENVIRONMENT_MUST_STATE)}"
                    ", so an empty or truncated file cannot pass for the base"
                )
    if problems:
        raise SpecError("\n".join(problems))


def read_sources(env: str | None, spec_dir: Path = SPEC_DIR) -> SpecSource:
    """Raw documents for ``env`` (None means the base alone), each checked on its own."""
    base_file = spec_dir / BASE_FILE
    base = _read_yaml(base_file)
    _check_file(base_file, base, None)
    if env is None:
        return SpecSource(base, base_file, {}, None)
    overlay_file = spec_dir / ENV_DIR / f"{env}.yaml"
    if not overlay_file.exists():
        raise SpecError(f"{overlay_file}: no such environment {env!r}")
    problem = dns_label_problem(env)
    if problem:
        raise SpecError(
            f"{overlay_file}: environment name {env!r} (the file name) {problem}; it becomes "
            "part of paths and object names (overlays/<env>, Application streamflow-<env>)"
        )
    overlay = _read_yaml(overlay_file)
    _check_file(overlay_file, overlay, env)
    return SpecSource(base, base_file, overlay, overlay_file)


def _named(node: Any, step: Step) -> Step:
    """The step into ``node`` as a list item's name where it has one."""
    if isinstance(node, list) and isinstance(step, str):
        return _Named(step)
    if isinstance(node, list) and isinstance(step, int) and step < len(node):
        label = node[step].get("name") if isinstance(node[step], Mapping) else None
        return _Named(str(label)) if label is not None else step
    return step


def _walk(data: Any, loc: Sequence[Step]) -> tuple[str, Any, list[Step]]:
    """Follow a location: (path for humans, value or MISSING, steps naming list items)."""
    parts: list[str] = []
    steps: list[Step] = []
    node = data
    for raw in loc:
        step = _named(node, raw)
        node = _child(node, step)
        steps.append(step)
        if isinstance(step, _Named):
            parts.append(f"[{step.name}]")
        else:
            parts.append(f".{step}" if isinstance(step, str) else f"[{step}]")
    return "".join(parts).lstrip("."), node, steps


def _child(node: Any, step: Step) -> Any:
    """The value one step below ``node``, or MISSING."""
    if isinstance(step, _Named) and isinstance(node, list):
        named = (i for i in node if isinstance(i, Mapping) and i.get("name") == step.name)
        return next(named, MISSING)
    if isinstance(step, int) and isinstance(node, list) and step < len(node):
        return node[step]
    if isinstance(step, str) and isinstance(node, Mapping) and step in node:
        return node[step]
    return MISSING


def _set_by(source: SpecSource, steps: Sequence[Step]) -> Path:
    """The file that last set the value: the overlay when it mentions it (even as null)."""
    node: Any = source.overlay
    for step in steps:
        node = _child(node, step)
        if node is MISSING:
            return source.base_file
    return source.overlay_file or source.base_file


def _shown(value: Any) -> str:
    if value is MISSING:
        return "(missing)"
    if _named_items(value):
        return "[" + ", ".join(str(item["name"]) for item in value) + "]"
    if isinstance(value, Mapping | list) and len(repr(value)) > 80:
        return f"{type(value).__name__} of {len(value)}"
    return repr(value)


def _is_tag(step: int | str) -> bool:
    # pydantic adds function-validator tags (e.g. 'function-after[...]') to locations.
    return isinstance(step, str) and ("[" in step or step.startswith("function-"))


def describe_problem(
    merged: dict[str, Any], source: SpecSource, message: str, fields: Sequence[FieldPath]
) -> str:
    """``file: field = value: message``, then every further field the problem involves."""
    lines = []
    for index, field in enumerate(fields):
        path, value, steps = _walk(merged, field)
        where = f"{_set_by(source, steps)}: {path or '(top level)'} = {_shown(value)}"
        lines.append(f"{where}: {message}" if index == 0 else f"    with {where}")
    return "\n".join(lines)


def describe(
    error: ValidationError, merged: dict[str, Any], source: SpecSource, sections: Sequence[str]
) -> str:
    """One entry per problem: file, field, offending value, reason."""
    entries = []
    for problem in error.errors():
        loc = tuple(step for step in problem["loc"] if not _is_tag(step))
        cause = problem.get("ctx", {}).get("error")
        if problem["type"] == "extra_forbidden" and len(loc) == 1:
            message = f"not a section of the spec (sections: {', '.join(sections)})"
            entries.append(describe_problem(merged, source, message, [loc]))
        elif isinstance(cause, FieldError):
            fields = [(*loc, *field) for field in cause.fields] or [loc]
            entries.append(describe_problem(merged, source, cause.message, fields))
        else:
            entries.append(describe_problem(merged, source, problem["msg"], [loc]))
    return "\n".join(entries)


@functools.cache
def platform_model(registry: Registry) -> type[PlatformSpec]:
    """The full spec model: the core sections plus one section per registered component."""
    fields: dict[str, Any] = {}
    for component in registry:
        if component.key is not None:
            default = ... if component.required else Field(default_factory=component.model)
            fields[component.key] = (component.model, default)
    model: type[PlatformSpec] = create_model("Platform", __base__=PlatformSpec, **fields)
    return model


def cross_component_problems(platform: Platform) -> Iterator[tuple[str, FieldPath]]:
    """(message, field) for references between components that do not resolve."""
    spec = platform.spec
    used = dict(spec.core_namespaces_used())
    for component in platform.registry:
        used.update(component.namespaces_used(spec))
    known = spec.namespace_names()
    for field, namespace in sorted(used.items(), key=lambda item: str(item[0])):
        if namespace not in known:
            yield f"namespace {namespace!r} is not in namespaces", field
    endpoints = platform.endpoints()
    for section, flows in (("flows", spec.network.flows), ("denied", spec.network.denied)):
        for flow in flows:
            if flow.to is not None and flow.to not in endpoints:
                yield (
                    f"no component serves endpoint {flow.to!r} (known: {sorted(endpoints)})",
                    ("network", section, flow.name, "to"),
                )
    if all(flow.to in endpoints for flow in spec.network.flows):
        yield from _declared_but_denied(platform)
    yield from _chart_pod_security(platform)


def _chart_pod_security(platform: Platform) -> Iterator[tuple[str, FieldPath]]:
    """Every chart pod in a ``restricted`` namespace declares and sets a restricted context."""
    levels = {ns.name: ns.pod_security for ns in platform.spec.namespaces}
    for component in platform.registry:
        for release in component.charts(platform):
            if levels.get(release.namespace) != "restricted":
                continue
            values = release.rendered_values()
            for pod in release.pods:
                field = (*component.chart_field(release), "pods", pod.name, "security_context")
                if pod.security_context is None:
                    yield (
                        f"namespace {release.namespace} is restricted: say where the chart "
                        "reads this pod's securityContext (pod: and container: values paths)",
                        field,
                    )
                    continue
                violations = restricted_violations(
                    get_path(values, pod.security_context.pod) or {},
                    get_path(values, pod.security_context.container) or {},
                )
                if violations:
                    yield (
                        f"the values at {pod.security_context.pod} / "
                        f"{pod.security_context.container} violate Pod Security 'restricted' "
                        f"in {release.namespace}: " + "; ".join(violations),
                        field,
                    )


def _declared_but_denied(platform: Platform) -> Iterator[tuple[str, FieldPath]]:
    """A connection some component or flow declares although ``network.denied`` forbids it."""
    for denied in platform.spec.network.denied:
        for connection in platform.connections():
            if connection.source == denied.source and (
                connection.destination.reference == denied.to
                or (denied.to is None and connection.destination.namespace == denied.destination)
            ):
                yield (
                    f"connection {connection.name!r} ({connection.source} -> "
                    f"{connection.destination.reference or connection.destination.namespace}) "
                    "is declared, but network.denied forbids it",
                    ("network", "denied", denied.name, "source"),
                )


def load(env: str | None, spec_dir: Path = SPEC_DIR, registry: Registry = REGISTRY) -> Platform:
    """Validated spec of ``env`` with its components; ``SpecError`` names file, field, value."""
    source = read_sources(env, spec_dir)
    merged = deep_merge(source.base, source.overlay)
    merged["environment"] = env or "base"
    model = platform_model(registry)
    try:
        spec = model.model_validate(merged)
    except ValidationError as error:
        sections = [name for name in model.model_fields if name != "environment"]
        raise SpecError(describe(error, merged, source, sections)) from error
    platform = Platform(spec, registry)
    problems = [
        describe_problem(merged, source, message, [field])
        for message, field in cross_component_problems(platform)
    ]
    if problems:
        raise SpecError("\n".join(problems))
    return platform
