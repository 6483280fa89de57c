"""Wire events of the three Kafka topics the jobs write and read.

``Transaction`` (transactions.raw), ``FraudAlert`` (fraud.alerts) and
``DLQRecord`` (streamflow.dlq). Money is ``Decimal`` end to end and travels
as a JSON string (``"12.50"``) so that no float ever rounds a cent;
timestamps must carry a timezone.
"""

import json
import re
import uuid
from datetime import UTC, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any, ClassVar, Literal, Self

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    ValidationError,
    field_validator,
)

from libs.models.versioning import SchemaVersionError, compatible_payload, same_major

MAX_EVENT_BYTES = 16 * 1024
CANONICAL_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
EARLIEST_EVENT = datetime(1970, 1, 1, tzinfo=UTC)
LATEST_EVENT = datetime(2200, 1, 1, tzinfo=UTC)
DLQ_PAYLOAD_LIMIT = 10 * 1024

Money = Annotated[
    Decimal,
    Field(gt=Decimal(0), max_digits=12, decimal_places=2),
    PlainSerializer(lambda value: f"{value:.2f}", return_type=str, when_used="json"),
]
Probability = Annotated[float, Field(ge=0.0, le=1.0)]


class Channel(StrEnum):
    """Where the card was used."""

    POS = "pos"
    ONLINE = "online"
    MOBILE = "mobile"
    ATM = "atm"


class Category(StrEnum):
    """Merchant category of the store."""

    GROCERY = "grocery"
    RESTAURANT = "restaurant"
    FUEL = "fuel"
    FASHION = "fashion"
    ELECTRONICS = "electronics"
    TRAVEL = "travel"
    ENTERTAINMENT = "entertainment"
    HEALTH = "health"


class FraudPattern(StrEnum):
    """Patterns the event generator injects; each maps to a detector rule."""

    HIGH_VALUE = "high_value"  # FR-001
    VELOCITY_BURST = "velocity_burst"  # FR-002
    IMPOSSIBLE_TRAVEL = "impossible_travel"  # FR-003
    UNUSUAL_HOUR = "unusual_hour"  # FR-004
    BLACKLISTED = "blacklisted"  # FR-005


class EventParseError(ValueError):
    """An event that cannot be accepted; ``error_type`` classifies it for the DLQ."""

    def __init__(self, error_type: str, message: str) -> None:
        super().__init__(message)
        self.error_type = error_type


class WireModel(BaseModel):
    """Strict, immutable wire model with version-aware parsing."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    SCHEMA_VERSION: ClassVar[str] = "1.0"

    schema_version: str = "1.0"

    @classmethod
    def parse(cls, raw: bytes | str) -> Self:
        """Parse JSON bytes; every failure is an ``EventParseError`` with a type.

        Fast path first: pydantic-core reads and validates the JSON in one pass,
        and its result is kept only for an event of this reader's major version,
        which the checked path (``parse_checked``) accepts as the same model — a
        property test holds the two equal on any input. Everything else takes the
        checked path, which also names what is wrong.
        """
        cls._refuse_oversize(raw)
        try:
            parsed = cls.model_validate_json(raw)
        except ValidationError:
            return cls.parse_checked(raw)
        if same_major(parsed.schema_version, cls.SCHEMA_VERSION):
            return parsed
        return cls.parse_checked(raw)

    @classmethod
    def _refuse_oversize(cls, raw: bytes | str) -> None:
        if len(raw) > MAX_EVENT_BYTES:
            raise EventParseError(
                "oversize", f"{cls.__name__} of {len(raw)} bytes exceeds {MAX_EVENT_BYTES}"
            )

    @classmethod
    def parse_checked(cls, raw: bytes | str) -> Self:
        """Parse JSON bytes step by step (JSON, version, fields): the path that diagnoses."""
        cls._refuse_oversize(raw)
        try:
            payload = json.loads(raw)
        except (json.JSONDecodeError, UnicodeDecodeError) as error:
            raise EventParseError("invalid_json", f"not JSON: {error}") from error
        if not isinstance(payload, dict):
            raise EventParseError(
                "invalid_json", f"expected an object, got {type(payload).__name__}"
            )
        return cls.from_payload(payload)

    @classmethod
    def from_payload(cls, payload: dict[str, Any]) -> Self:
        """Validate a decoded payload, honouring schema-version compatibility."""
        try:
            accepted = compatible_payload(
                payload, set(cls.model_fields), cls.SCHEMA_VERSION, cls.__name__
            )
        except SchemaVersionError as error:
            raise EventParseError("unsupported_version", str(error)) from error
        try:
            return cls.model_validate(accepted)
        except ValidationError as error:
            problems = "; ".join(
                f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in error.errors()
            )
            kind = (
                "missing_field"
                if any(e["type"] == "missing" for e in error.errors())
                else ("invalid_field")
            )
            raise EventParseError(kind, f"{cls.__name__}: {problems}") from error

    def to_json(self) -> bytes:
        """Compact JSON as it travels on Kafka."""
        return self.json_text().encode()

    def json_text(self) -> str:
        """``to_json`` as text (what a Flink STRING column carries)."""
        return self.model_dump_json(exclude_none=True)


class Transaction(WireModel):
    """A card transaction as produced to ``transactions.raw``."""

    transaction_id: str = Field(min_length=1, max_length=64)
    customer_id: str = Field(min_length=1, max_length=32)
    store_id: str = Field(min_length=1, max_length=32)
    amount: Money
    currency: str = Field(pattern=r"^[A-Z]{3}$")
    timestamp: AwareDatetime
    # Finite and on the globe: NaN or Infinity would poison the distance of
    # impossible travel and the position kept in state.
    latitude: float = Field(ge=-90.0, le=90.0, allow_inf_nan=False)
    longitude: float = Field(ge=-180.0, le=180.0, allow_inf_nan=False)
    channel: Channel
    category: Category
    fraud_label: FraudPattern | None = None

    @field_validator("amount", mode="before")
    @classmethod
    def _no_float_money(cls, value: Any) -> Any:
        # A JSON float has already lost exactness; money must come as a string or int.
        if isinstance(value, float):
            raise ValueError("amount must be a decimal string like '12.50', not a float")
        return value

    @field_validator("transaction_id")
    @classmethod
    def _warehouse_key(cls, value: str) -> str:
        # bronze keys transactions by uuid: any other id would fail the JDBC sink
        # (a crash loop), so it is refused here; the canonical form is what is stored.
        if CANONICAL_UUID.fullmatch(value):
            return value  # already what str(uuid.UUID(value)) gives, at a fraction of it
        try:
            return str(uuid.UUID(value))
        except ValueError:
            raise ValueError("transaction_id must be a UUID (the warehouse's key)") from None

    @field_validator("customer_id", "store_id", "schema_version")
    @classmethod
    def _storable_text(cls, value: str) -> str:
        # PostgreSQL text cannot hold NUL: such an event would fail the JDBC sink.
        if "\x00" in value:
            raise ValueError("must not contain the NUL character")
        return value

    @field_validator("timestamp")
    @classmethod
    def _plausible_time(cls, value: datetime) -> datetime:
        # Epoch milliseconds of every accepted event fit state and alerts (year 1 or
        # 9999 with an offset does not even have a UTC timestamp).
        if not EARLIEST_EVENT <= value < LATEST_EVENT:
            raise ValueError(
                f"timestamp must be from {EARLIEST_EVENT:%Y} up to {LATEST_EVENT:%Y} (UTC)"
            )
        return value


class RuleHit(BaseModel):
    """One rule's verdict on a transaction."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    rule_id: Literal["FR-001", "FR-002", "FR-003", "FR-004", "FR-005"]
    score: Probability
    detail: str


class FraudAlert(WireModel):
    """An alert produced to ``fraud.alerts`` when the blended score reaches the threshold."""

    alert_id: str = Field(min_length=1, max_length=64)
    transaction_id: str = Field(min_length=1, max_length=64)
    customer_id: str
    store_id: str
    amount: Money
    currency: str = Field(pattern=r"^[A-Z]{3}$")
    event_time: AwareDatetime
    detected_at: AwareDatetime
    category: Category | None = None
    rule_hits: tuple[RuleHit, ...]
    rules_score: Probability
    ml_score: Probability | None = None
    blended_score: Probability
    alpha: Probability
    threshold: Probability
    model_version: str | None = None


class DLQRecord(WireModel):
    """An event that could not be processed, with everything needed to replay it."""

    original_payload: str
    payload_bytes: int = Field(ge=0)
    payload_truncated: bool
    error_type: str
    error_message: str
    source_topic: str
    source_partition: int = Field(ge=0)
    source_offset: int = Field(ge=0)
    source_key: str | None = None
    event_schema_version: str | None = None
    failed_at: AwareDatetime

    @classmethod
    def for_payload(
        cls,
        raw: bytes,
        error: EventParseError,
        *,
        topic: str,
        partition: int,
        offset: int,
        key: bytes | None = None,
        failed_at: datetime | None = None,
    ) -> "DLQRecord":
        """Wrap a rejected payload: the first 10 KiB kept, the size always recorded."""
        kept = raw[:DLQ_PAYLOAD_LIMIT].decode("utf-8", errors="replace")
        return cls(
            original_payload=kept,
            payload_bytes=len(raw),
            payload_truncated=len(raw) > DLQ_PAYLOAD_LIMIT,
            error_type=error.error_type,
            error_message=str(error)[:2000],
            source_topic=topic,
            source_partition=partition,
            source_offset=offset,
            source_key=key.decode("utf-8", errors="replace") if key is not None else None,
            event_schema_version=_sniff_version(raw),
            failed_at=failed_at or datetime.now(UTC),
        )


def _sniff_version(raw: bytes) -> str | None:
    try:
        payload = json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError):
        return None
    version = payload.get("schema_version") if isinstance(payload, dict) else None
    return version if isinstance(version, str) else None
