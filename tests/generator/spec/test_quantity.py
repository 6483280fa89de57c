from decimal import Decimal

import pytest

from generator.spec.quantity import (
    QuantityError,
    cpu_millicores,
    flink_memory_bytes,
    memory_bytes,
    parse_quantity,
    to_flink_memory,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1Gi", 2**30),
        ("1024Mi", 2**30),
        ("1G", 10**9),
        ("1M", 10**6),
        ("512Ki", 512 * 1024),
        ("1.5Gi", 3 * 2**29),
        ("123", 123),
        ("1e3", 1000),
        ("1k", 1000),
    ],
)
def test_memory_units_are_exact(text: str, expected: int) -> None:
    assert memory_bytes(text) == expected


def test_binary_and_decimal_units_differ() -> None:
    assert memory_bytes("1Gi") == memory_bytes("1024Mi") != memory_bytes("1G")


@pytest.mark.parametrize(
    ("text", "expected"),
    [("500m", 500), ("1", 1000), ("0.25", 250), ("2", 2000), ("1.5", 1500), ("100m", 100)],
)
def test_cpu_millicores(text: str, expected: int) -> None:
    assert cpu_millicores(text) == expected


@pytest.mark.parametrize("text", ["512MB", "1 Gi", "Gi", "-1Gi", "1.2.3", "", "0x10", "1gi"])
def test_malformed_quantities_are_rejected(text: str) -> None:
    with pytest.raises(QuantityError, match="not a Kubernetes quantity"):
        parse_quantity(text)


def test_fractional_bytes_and_sub_millicore_cpu_are_rejected() -> None:
    with pytest.raises(QuantityError, match="whole number of bytes"):
        memory_bytes("500m")
    with pytest.raises(QuantityError, match="finer than 1m"):
        cpu_millicores("0.5m")


def test_parse_keeps_full_precision() -> None:
    assert parse_quantity("0.1") + parse_quantity("0.2") == Decimal("0.3")


def test_flink_sizes_use_mebibytes_for_m() -> None:
    assert flink_memory_bytes("1024m") == 2**30
    assert flink_memory_bytes("1g") == 2**30
    assert flink_memory_bytes("2048") == 2048
    assert to_flink_memory(832 * 2**20) == "832m"
    with pytest.raises(QuantityError):
        flink_memory_bytes("1.5g")
    with pytest.raises(QuantityError):
        to_flink_memory(10**9)


def test_a_quantity_that_is_not_a_string_is_named_with_its_type() -> None:
    with pytest.raises(QuantityError, match=r"^quantity must be a string, got int 512$"):
        parse_quantity(512)  # type: ignore[arg-type]


@pytest.mark.parametrize("text", ["1gigs", "1 mib", "2x"])
def test_unknown_flink_units_are_named(text: str) -> None:
    with pytest.raises(QuantityError, match=rf"^'{text}' is not a Flink memory size"):
        flink_memory_bytes(text)


def test_flink_memory_is_whole_mebibytes_even_or_odd() -> None:
    assert to_flink_memory(3 * 2**20) == "3m"
    with pytest.raises(QuantityError, match=r"^1048577 bytes is not a whole number of MiB$"):
        to_flink_memory(2**20 + 1)
