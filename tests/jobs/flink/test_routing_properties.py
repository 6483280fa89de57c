"""Property tests of the one validation path: any input is a bronze row or a DLQ record.

Both jobs decide with ``Transaction.parse`` (the processor through ``classify``,
the detector through ``Txn.from_json``), so they must agree on every input, and
no input may raise anything else. Seeds are derandomized (reproducible in CI);
each property runs 10 000 examples.
"""

import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jobs.detection.transaction import Txn
from jobs.flink.routing import bronze_row, classify
from jobs.models.events import MAX_EVENT_BYTES, DLQRecord, EventParseError, Transaction

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


def _route(raw: bytes) -> Transaction | DLQRecord:
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
