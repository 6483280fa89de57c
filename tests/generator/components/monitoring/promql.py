"""Which metric names the rules and dashboard panels reference, read from their PromQL.

Parsed with promql-parser (the Rust parser Greptime maintains, as a wheel), not
with regular expressions: label names, functions and keywords look like metric
names to a regex. Used by the tests that hold every reference to the catalogue
(every component's ``metric_catalogue``) and to a live scrape.
"""

from collections.abc import Iterable, Iterator
from typing import Any

CHILDREN = ("expr", "lhs", "rhs", "param", "vector_selector")


def _names(node: Any) -> Iterator[str]:
    if type(node).__name__ == "VectorSelector":
        if node.name:
            yield node.name
        return
    for attribute in CHILDREN:
        child = getattr(node, attribute, None)
        if child is not None and not isinstance(child, int | float | str):
            yield from _names(child)
    for argument in getattr(node, "args", None) or []:
        yield from _names(argument)


def metric_names(expression: str) -> set[str]:
    """Every metric name an expression selects; raises ``ValueError`` if it does not parse."""
    import promql_parser  # noqa: PLC0415 - a test-time dependency, not render's

    return set(_names(promql_parser.parse(expression)))


def rule_expressions(groups: Iterable[dict[str, Any]]) -> dict[str, str]:
    """``group/rule`` → expression, for every rule of every group."""
    return {
        f"{group['name']}/{rule.get('alert') or rule['record']}#{index}": rule["expr"]
        for group in groups
        for index, rule in enumerate(group["rules"])
    }


def recorded_names(groups: Iterable[dict[str, Any]]) -> set[str]:
    """Names the recording rules produce (references to them need no exporter)."""
    return {rule["record"] for group in groups for rule in group["rules"] if "record" in rule}
