"""Exact parsing of Kubernetes and Flink resource quantities.

Budget checks compare sums against a hard limit, so the arithmetic is done in
integers (bytes, millicores) via ``Decimal`` rather than floats: ``1Gi`` must
equal ``1024Mi`` exactly, and ``1G`` must not.
"""

import re
from decimal import Decimal

_SUFFIX_FACTORS: dict[str, Decimal] = {
    "Ki": Decimal(2**10),
    "Mi": Decimal(2**20),
    "Gi": Decimal(2**30),
    "Ti": Decimal(2**40),
    "Pi": Decimal(2**50),
    "Ei": Decimal(2**60),
    "n": Decimal("1e-9"),
    "u": Decimal("1e-6"),
    "m": Decimal("1e-3"),
    "": Decimal(1),
    "k": Decimal(10**3),
    "M": Decimal(10**6),
    "G": Decimal(10**9),
    "T": Decimal(10**12),
    "P": Decimal(10**15),
    "E": Decimal(10**18),
}

_QUANTITY = re.compile(
    r"^(?P<number>\+?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+))"
    r"(?:(?P<suffix>Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E)|[eE](?P<exponent>[+-]?[0-9]+))?$"
)

# Flink's MemorySize units (case-insensitive); "m" means mebibytes there, not milli.
_FLINK_UNITS: dict[str, int] = {
    "": 1,
    "b": 1,
    "bytes": 1,
    "k": 2**10,
    "kb": 2**10,
    "kibibytes": 2**10,
    "m": 2**20,
    "mb": 2**20,
    "mebibytes": 2**20,
    "g": 2**30,
    "gb": 2**30,
    "gibibytes": 2**30,
    "t": 2**40,
    "tb": 2**40,
    "tebibytes": 2**40,
}
_FLINK_SIZE = re.compile(r"^\s*(?P<number>[0-9]+)\s*(?P<unit>[a-zA-Z]*)\s*$")


class QuantityError(ValueError):
    """A quantity string that Kubernetes (or Flink) would not accept."""


def parse_quantity(text: str) -> Decimal:
    """Return the exact value of a Kubernetes quantity such as ``512Mi`` or ``250m``."""
    if not isinstance(text, str):
        raise QuantityError(f"quantity must be a string, got {type(text).__name__} {text!r}")
    match = _QUANTITY.match(text.strip())
    if match is None or text != text.strip():
        raise QuantityError(f"{text!r} is not a Kubernetes quantity (e.g. 512Mi, 1Gi, 250m, 1)")
    number = Decimal(match["number"])  # the pattern admits only decimal numbers
    if match["exponent"] is not None:
        return number * (Decimal(10) ** int(match["exponent"]))
    return number * _SUFFIX_FACTORS[match["suffix"] or ""]


def memory_bytes(text: str) -> int:
    """Bytes of a memory quantity; fractions of a byte are rejected, not rounded."""
    value = parse_quantity(text)
    if value != value.to_integral_value():
        raise QuantityError(f"memory {text!r} is not a whole number of bytes (did you mean Mi?)")
    return int(value)


def cpu_millicores(text: str) -> int:
    """Millicores of a CPU quantity; Kubernetes has no precision finer than 1m."""
    value = parse_quantity(text) * 1000
    if value != value.to_integral_value():
        raise QuantityError(f"cpu {text!r} is finer than 1m, which Kubernetes cannot represent")
    return int(value)


def flink_memory_bytes(text: str) -> int:
    """Bytes of a Flink ``MemorySize`` string such as ``1024m`` (m = MiB in Flink)."""
    match = _FLINK_SIZE.match(text)
    unit = match["unit"].lower() if match else None
    if match is None or unit not in _FLINK_UNITS:
        raise QuantityError(f"{text!r} is not a Flink memory size (e.g. 1024m, 1g)")
    return int(match["number"]) * _FLINK_UNITS[unit]


def to_flink_memory(num_bytes: int) -> str:
    """Format bytes as the Flink ``MemorySize`` the operator expects (whole MiB)."""
    if num_bytes % 2**20:
        raise QuantityError(f"{num_bytes} bytes is not a whole number of MiB")
    return f"{num_bytes // 2**20}m"


def format_memory(num_bytes: int) -> str:
    """Human-readable binary memory for budget tables (exact to one decimal MiB)."""
    mebibytes = Decimal(num_bytes) / Decimal(2**20)
    return f"{mebibytes.quantize(Decimal('0.1')).normalize():f}Mi"


def format_cpu(millicores: int) -> str:
    """Millicores as Kubernetes writes them."""
    return f"{millicores}m"
