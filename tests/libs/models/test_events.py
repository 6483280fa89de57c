"""Contract tests: the wire format of every event type is pinned by golden JSON."""

import json
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from libs.models.events import (
    DLQ_PAYLOAD_LIMIT,
    MAX_EVENT_BYTES,
    DLQRecord,
    EventParseError,
    FraudAlert,
    Transaction,
    WireModel,
)

GOLDEN = Path(__file__).with_name("golden")


def golden(name: str) -> bytes:
    return (GOLDEN / name).read_bytes().rstrip(b"\n")


@pytest.mark.parametrize(
    ("model", "name"),
    [
        (Transaction, "transaction_v1.json"),
        (FraudAlert, "fraud_alert_v1.json"),
        (DLQRecord, "dlq_record_v1.json"),
    ],
)
def test_golden_json_round_trips_byte_for_byte(model: type[WireModel], name: str) -> None:
    parsed = model.parse(golden(name))
    assert parsed.to_json() == golden(name)


def test_transaction_golden_values() -> None:
    transaction = Transaction.parse(golden("transaction_v1.json"))
    assert transaction.amount == Decimal("1234.50")
    assert transaction.timestamp == datetime(2026, 1, 5, 13, 45, 12, 345000, tzinfo=UTC)
    assert transaction.fraud_label == "high_value"


def _transaction(**changes: object) -> bytes:
    payload = json.loads(golden("transaction_v1.json"))
    payload.update(changes)
    return json.dumps({k: v for k, v in payload.items() if v is not None}).encode()


def test_money_is_exact_decimal() -> None:
    parsed = Transaction.parse(_transaction(amount="0.10"))
    assert parsed.amount + Decimal("0.20") == Decimal("0.30")
    assert b'"amount":"0.10"' in parsed.to_json()


@pytest.mark.parametrize(
    ("changes", "error_type", "fragment"),
    [
        ({"amount": 12.5}, "invalid_field", "not a float"),
        ({"amount": "-3.00"}, "invalid_field", "amount"),
        ({"amount": "1.005"}, "invalid_field", "decimal places"),
        ({"timestamp": "2026-01-05T13:45:12"}, "invalid_field", "timezone"),
        ({"latitude": 91.0}, "invalid_field", "latitude"),
        ({"channel": "fax"}, "invalid_field", "channel"),
        ({"customer_id": None}, "missing_field", "customer_id"),
        ({"surprise": 1}, "invalid_field", "surprise"),
        ({"schema_version": "2.0"}, "unsupported_version", "Transaction schema_version 2.0 has"),
        # A minor equal to the reader's major, or major 0, is still another major.
        ({"schema_version": "2.1"}, "unsupported_version", "major 2"),
        ({"schema_version": "0.9"}, "unsupported_version", "major 0"),
        ({"amount": "-1", "latitude": 91.0}, "invalid_field", "amount: Input should be"),
        ({"amount": "-1", "latitude": 91.0}, "invalid_field", "; latitude: Input should be"),
        ({"schema_version": "one"}, "unsupported_version", "MAJOR.MINOR"),
    ],
)
def test_invalid_transactions_name_the_problem(
    changes: dict[str, object], error_type: str, fragment: str
) -> None:
    with pytest.raises(EventParseError) as caught:
        Transaction.parse(_transaction(**changes))
    assert caught.value.error_type == error_type
    assert fragment in str(caught.value)


def test_newer_minor_version_fields_are_tolerated() -> None:
    parsed = Transaction.parse(_transaction(schema_version="1.7", device_id="d-1"))
    assert parsed.schema_version == "1.7"
    assert "device_id" not in parsed.model_dump()


def test_same_version_unknown_field_is_an_error() -> None:
    with pytest.raises(EventParseError, match="device_id"):
        Transaction.parse(_transaction(device_id="d-1"))


@pytest.mark.parametrize(
    ("raw", "error_type"),
    [
        (b"{not json", "invalid_json"),
        (b"[1, 2]", "invalid_json"),
        (b"\xff\xfe", "invalid_json"),
        (b'{"pad": "' + b"x" * 20_000 + b'"}', "oversize"),
    ],
)
def test_unparseable_payloads(raw: bytes, error_type: str) -> None:
    with pytest.raises(EventParseError) as caught:
        Transaction.parse(raw)
    assert caught.value.error_type == error_type


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"{not json", "not JSON: Expecting property name"),
        (b"[1, 2]", "expected an object, got list"),
        (b" " * (MAX_EVENT_BYTES + 1), f"Transaction of {MAX_EVENT_BYTES + 1} bytes exceeds"),
    ],
)
def test_unparseable_payloads_say_why(raw: bytes, message: str) -> None:
    with pytest.raises(EventParseError, match=f"^{message}"):
        Transaction.parse(raw)


def test_an_event_of_exactly_the_size_limit_is_accepted() -> None:
    raw = _transaction()
    padded = raw + b" " * (MAX_EVENT_BYTES - len(raw))
    assert Transaction.parse(padded) == Transaction.parse(raw)


def test_a_nested_problem_is_located() -> None:
    alert = json.loads(golden("fraud_alert_v1.json"))
    alert["rule_hits"][0]["rule_id"] = "FR-999"
    with pytest.raises(EventParseError, match=r"rule_hits\.0\.rule_id: Input should be"):
        FraudAlert.parse(json.dumps(alert).encode())


def test_an_event_of_this_major_takes_the_one_pass_parse(monkeypatch: pytest.MonkeyPatch) -> None:
    """The hot path: pydantic-core's single pass, not the diagnosing step-by-step parse."""

    def refuse(raw: bytes | str) -> Transaction:
        raise AssertionError("took the checked path")

    monkeypatch.setattr(Transaction, "parse_checked", refuse)
    for version in ("1.0", "1.7"):
        assert Transaction.parse(_transaction(schema_version=version)).schema_version == version


def test_dlq_record_truncates_to_10_kib_and_keeps_metadata() -> None:
    raw = b'{"pad": "' + b"y" * 30_000 + b'"}'
    error = EventParseError("oversize", "too big")
    record = DLQRecord.for_payload(
        raw, error, topic="transactions.raw", partition=1, offset=7, key=b"C1"
    )
    assert len(record.original_payload.encode()) == DLQ_PAYLOAD_LIMIT
    assert record.payload_truncated and record.payload_bytes == len(raw)
    assert (record.error_type, record.source_partition, record.source_offset) == ("oversize", 1, 7)
    assert DLQRecord.parse(record.to_json()) == record


def test_dlq_record_keeps_undecodable_bytes_and_a_bounded_message() -> None:
    error = EventParseError("invalid_json", "m" * 2001)
    record = DLQRecord.for_payload(
        b"\xff{" + b"z" * (DLQ_PAYLOAD_LIMIT - 2), error, topic="t", partition=0, offset=0,
        key=b"C\xfe",
    )  # fmt: skip
    assert record.original_payload.startswith("\ufffd{z")
    assert not record.payload_truncated and record.payload_bytes == DLQ_PAYLOAD_LIMIT
    assert record.source_key == "C\ufffd"
    assert record.error_message == "m" * 2000


def test_dlq_record_sniffs_the_event_schema_version() -> None:
    raw = _transaction(schema_version="2.0")
    error = EventParseError("unsupported_version", "major 2")
    record = DLQRecord.for_payload(raw, error, topic="t", partition=0, offset=0)
    assert record.event_schema_version == "2.0"


@pytest.mark.parametrize("raw", [b"[1]", b'{"schema_version": 2}', b"\xff"])
def test_dlq_record_sniffs_no_version_where_there_is_none(raw: bytes) -> None:
    error = EventParseError("invalid_json", "x")
    record = DLQRecord.for_payload(raw, error, topic="t", partition=0, offset=0)
    assert record.event_schema_version is None


def test_alert_without_model_is_rules_only() -> None:
    alert = FraudAlert.parse(golden("fraud_alert_v1.json"))
    rules_only = alert.model_copy(update={"ml_score": None, "model_version": None})
    assert FraudAlert.parse(rules_only.to_json()) == rules_only
