"""Shared Hypothesis strategies and corner cases for wire-format transactions.

Both the routing properties (tests/jobs/flink) and the compiled core's equality
tests (tests/libs/detection) feed every parser the same near-transactions and the
same JSON corner cases.
"""

import json

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st


def derandomized(examples: int) -> settings:
    """Reproducible properties (CI's seed is fixed), no wall-clock deadline, big inputs allowed."""
    return settings(
        max_examples=examples,
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


def valid_with(fragment: str) -> bytes:
    """VALID's JSON with ``fragment`` (raw JSON text) inserted after the opening brace."""
    return ("{" + fragment + ", " + json.dumps(VALID)[1:]).encode()


JSON_CORNER_CASES = [
    valid_with('"amount": "99.00"'),  # a duplicate key: the last one wins in both
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
]
