"""``Txn.from_json``: the detector's parse of a Flink STRING, measured and rejected as bytes."""

from pathlib import Path

import pytest

from libs.detection.transaction import Txn
from libs.models.events import MAX_EVENT_BYTES, EventParseError


def test_the_size_limit_counts_bytes_not_characters() -> None:
    text = '{"pad": "' + "é" * (MAX_EVENT_BYTES // 2 + 1) + '"}'
    assert len(text) < MAX_EVENT_BYTES < len(text.encode())
    with pytest.raises(EventParseError) as caught:
        Txn.from_json(text)
    assert caught.value.error_type == "oversize"


def test_a_lone_surrogate_is_an_invalid_field_not_a_crash() -> None:
    golden = Path(__file__).parents[1] / "models" / "golden" / "transaction_v1.json"
    text = golden.read_text(encoding="utf-8").replace('"C0000042"', '"C\ud800"')
    with pytest.raises(
        EventParseError, match="customer_id: Input should be a valid string"
    ) as caught:
        Txn.from_json(text)
    assert caught.value.error_type == "invalid_field"
