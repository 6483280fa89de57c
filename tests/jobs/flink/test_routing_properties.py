"""Property tests of the one validation path: any input is a bronze row or a DLQ record.

Both jobs decide with ``Transaction.parse`` (the processor through ``classify``,
the detector through ``Txn.from_json``), so they must agree on every input, and
no input may raise anything else. Its fast path (pydantic-core parsing the JSON)
must decide exactly as the checked path on every input. Seeds are derandomized (reproducible in CI);
each property runs 10 000 examples.
"""

import json
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jobs.flink.routing import bronze_row, classify
from libs.detection.transaction import Txn
from libs.models.events import MAX_EVENT_BYTES, DLQRecord, EventParseError, Transaction
from tests.libs.models.wire_strategies import (
    JSON,
    JSON_CORNER_CASES,
    TRANSACTION_LIKE,
    derandomized,
)

EXAMPLES = derandomized(10_000)


def _parsed(parse: Callable[[bytes], Transaction], raw: bytes) -> Transaction | str:
    try:
        return parse(raw)
    except EventParseError as error:
        return error.error_type


def _route(raw: bytes) -> Transaction | DLQRecord:
    # The fast path decides exactly as the checked one: same model, same error type.
    assert _parsed(Transaction.parse, raw) == _parsed(Transaction.parse_checked, raw), raw[:200]
    routed = classify(raw, b"key", 3, 11)
    try:
        Txn.from_json(raw)
        detector_accepts = True
    except EventParseError:
        detector_accepts = False
    assert detector_accepts == isinstance(routed, Transaction), raw[:200]
    if isinstance(routed, Transaction):
        assert len(bronze_row(routed, 3, 11)) == 14
    else:
        assert routed.error_type and routed.error_message
        assert routed.payload_bytes == len(raw) and routed.source_offset == 11
        assert routed.payload_truncated == (len(raw) > 10 * 1024)
    return routed


@EXAMPLES
@given(st.binary(max_size=MAX_EVENT_BYTES + 512))
def test_any_bytes_are_a_bronze_row_or_a_dlq_record(raw: bytes) -> None:
    _route(raw)


@EXAMPLES
@given(JSON)
def test_any_json_value_is_a_bronze_row_or_a_dlq_record(value: Any) -> None:
    _route(json.dumps(value).encode())


@EXAMPLES
@given(TRANSACTION_LIKE)
def test_any_near_transaction_is_a_bronze_row_or_a_dlq_record(payload: dict[str, Any]) -> None:
    _route(json.dumps(payload).encode())


@pytest.mark.parametrize("raw", JSON_CORNER_CASES)
def test_the_fast_path_decides_as_the_checked_path_on_json_corner_cases(raw: bytes) -> None:
    _route(raw)
