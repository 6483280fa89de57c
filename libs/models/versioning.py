"""Schema versions of wire events: ``MAJOR.MINOR``.

Readers accept any minor version of their major: a newer minor may only add
optional fields, which an older reader drops. A newer major changed meaning and
is rejected with a clear error rather than misread.
"""

import functools
import re
from typing import Any

_VERSION = re.compile(r"^(?P<major>[0-9]+)\.(?P<minor>[0-9]+)$")


class SchemaVersionError(ValueError):
    """A schema version this reader cannot accept."""


@functools.lru_cache(maxsize=64)  # a few versions are live at once; bounded for any input
def parse_version(value: Any) -> tuple[int, int]:
    """``"1.2"`` → ``(1, 2)``; anything else is a ``SchemaVersionError``."""
    match = _VERSION.match(value) if isinstance(value, str) else None
    if match is None:
        raise SchemaVersionError(f"schema_version {value!r} is not MAJOR.MINOR (e.g. '1.0')")
    return int(match["major"]), int(match["minor"])


def compatible_payload(
    payload: dict[str, Any], known_fields: set[str], current: str, kind: str
) -> dict[str, Any]:
    """The payload a reader of ``current`` should validate.

    Same or older minor: returned as is, so unknown fields are still errors.
    Newer minor of the same major: unknown fields are dropped (forward compatible).
    Other major: ``SchemaVersionError``.
    """
    major, minor = parse_version(payload.get("schema_version", current))
    known_major, known_minor = parse_version(current)
    if major != known_major:
        raise SchemaVersionError(
            f"{kind} schema_version {major}.{minor} has major {major}; this reader "
            f"understands major {known_major} only (upgrade the reader)"
        )
    if minor <= known_minor:
        return payload
    return {key: value for key, value in payload.items() if key in known_fields}


def same_major(version: str, current: str) -> bool:
    """Whether ``version`` is a well-formed version of ``current``'s major."""
    try:
        return parse_version(version)[0] == parse_version(current)[0]
    except SchemaVersionError:
        return False
