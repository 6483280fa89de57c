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
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jobs.flink.routing import bronze_row, classify
from libs.detection.transaction import Txn
from libs.models.events import MAX_EVENT_BYTES, DLQRecord, EventParseError, Transaction

EXAMPLES = settings(
    max_examples=10_000,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
VALID = {
    "transaction_id": "5f1c1c9e-6f4b-4c55-9a39-2f6a8f0b7c11",
    "customer_id": "C1",
    "store_id": "S1",
    "amount": "12.50",
    "currency": "EUR",
    "timestamp": "2026-03-02T13:00:00+01:00",
    "latitude": 52.52,
    "longitude": 13.405,
    "channel": "pos",
    "category": "grocery",
}
JSON_SCALARS = (
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=80)
    | st.sampled_from(["0.004", "1e-9", "99999999999.99", "9999999999.99", "-1", "NaN", "brl",
                       "toys", "EUR", "2026-03-02T13:00:00", "0001-01-01T00:00:00+14:00",
                       "9999-12-31T23:59:59-14:00", "t" * 65, "", "1.005", "C\u0000",
                       "5F1C1C9E6F4B4C559A392F6A8F0B7C11",
                       "{5f1c1c9e-6f4b-4c55-9a39-2f6a8f0b7c11}"])
)  # fmt: skip
JSON = st.recursive(
    JSON_SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner,
                                                                max_size=4),
    max_leaves=12,
)  # fmt: skip
TRANSACTION_LIKE = st.builds(
    lambda changes, dropped: {**{k: v for k, v in VALID.items() if k not in dropped}, **changes},
    st.dictionaries(st.sampled_from([*VALID, "fraud_label", "schema_version", "extra"]),
                    JSON_SCALARS, max_size=3),
    st.sets(st.sampled_from(list(VALID)), max_size=2),
)  # fmt: skip


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


def _valid_with(fragment: str) -> bytes:
    """VALID's JSON with ``fragment`` (raw JSON text) inserted after the opening brace."""
    return ("{" + fragment + ", " + json.dumps(VALID)[1:]).encode()


@pytest.mark.parametrize(
    "raw",
    [
        _valid_with('"amount": "99.00"'),  # a duplicate key: the last one wins in both
        json.dumps(VALID).replace('"EUR"', '"\\u0045UR"').encode(),  # an escaped letter
        json.dumps(VALID).replace('"C1"', '"C\\ud800"').encode(),  # a lone surrogate
        json.dumps(VALID).replace("52.52", "NaN").encode(),
        json.dumps(VALID).replace("13.405", "1e400").encode(),
        json.dumps(VALID).replace('"12.50"', "12").encode(),
        json.dumps(VALID).replace('"12.50"', "1.25e1").encode(),
        json.dumps(VALID).replace('"12.50"', "123456789012345678901234567890").encode(),
        b"\xef\xbb\xbf" + json.dumps(VALID).encode(),  # a UTF-8 byte-order mark
        json.dumps(VALID).encode() + b" \n",
        json.dumps(VALID).encode() + b" {}",
        json.dumps(VALID).replace('"C1"', '"C\xe9"').encode("latin-1"),  # not UTF-8
        json.dumps({**VALID, "schema_version": "2.0"}).encode(),
        json.dumps({**VALID, "schema_version": "1.7"}).encode(),
        json.dumps({**VALID, "schema_version": "1.7", "added_in_1_7": 1}).encode(),
        json.dumps({**VALID, "schema_version": " 1.0"}).encode(),
    ],
)
def test_the_fast_path_decides_as_the_checked_path_on_json_corner_cases(raw: bytes) -> None:
    _route(raw)
