"""CustomerFraudState encoding: golden bytes, round trips, and a decoder that never crashes."""

import re
import struct
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from libs.models.state import MAX_RECENT, CustomerFraudState, StateDecodeError

GOLDEN = Path(__file__).with_name("golden") / "customer_fraud_state_v1.hex"
GOLDEN_STATE = CustomerFraudState(
    count=3,
    mean=42.5,
    m2=12.25,
    last_latitude=52.52,
    last_longitude=13.405,
    last_event_ms=1767620712345,
    hour_counts=tuple([0] * 13 + [2, 1] + [0] * 9),
    recent_event_ms=(1767620000000, 1767620500000, 1767620712345),
)


def test_golden_bytes_v1() -> None:
    golden = bytes.fromhex(GOLDEN.read_text().strip())
    assert GOLDEN_STATE.to_bytes() == golden
    assert CustomerFraudState.from_bytes(golden) == GOLDEN_STATE


def test_empty_state_is_compact() -> None:
    assert len(CustomerFraudState().to_bytes()) == 8 + 20 + 25 + 48 + 1


def test_newer_minor_version_with_appended_fields_is_read() -> None:
    golden = bytearray(GOLDEN_STATE.to_bytes())
    body = bytes(golden[8:]) + b"future-field"
    newer = b"SF" + bytes([1, 3]) + struct.pack("<I", len(body)) + body
    assert CustomerFraudState.from_bytes(newer) == GOLDEN_STATE


def test_newer_major_version_is_refused_clearly() -> None:
    data = bytearray(GOLDEN_STATE.to_bytes())
    data[2] = 2
    with pytest.raises(StateDecodeError, match=r"major 2; this reader understands major 1"):
        CustomerFraudState.from_bytes(bytes(data))


def _with(data: bytes, offset: int, replacement: bytes) -> bytes:
    return data[:offset] + replacement + data[offset + len(replacement) :]


EMPTY = CustomerFraudState().to_bytes()  # header 8, stats 20, last 25, hours 48, count 1
HAS_LAST, MEAN, RECENT_COUNT = 8 + 20, 8 + 4, len(EMPTY) - 1


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ("SF", "state must be bytes, got str"),
        (b"SF\x01", "state of 3 bytes is shorter than its header"),
        (b"SF\x01\x00" + struct.pack("<I", 0), "state body of 0 bytes is shorter than v1.0's"),
        (_with(EMPTY, 0, b"XX"), "state magic b'XX' is not b'SF'"),
        (EMPTY + b"!", "state declares a 94-byte body but 95 follow"),
        (_with(EMPTY, RECENT_COUNT, b"\x02"), "state lists 2 recent events, which do not fit"),
        (_with(EMPTY, HAS_LAST, b"\x02"), "state has_last flag is 2, not 0 or 1"),
        (_with(EMPTY, MEAN, struct.pack("<d", float("nan"))),
         "state holds a non-finite or negative statistic"),
    ],
)  # fmt: skip
def test_each_refusal_says_what_is_wrong(data: bytes, message: str) -> None:
    with pytest.raises(StateDecodeError, match=f"^{re.escape(message)}$"):
        CustomerFraudState.from_bytes(data)


LATITUDE, LONGITUDE = HAS_LAST + 1, HAS_LAST + 9


@pytest.mark.parametrize(
    ("latitude", "longitude"), [(90.5, 13.4), (-90.5, 13.4), (52.5, 180.5), (52.5, -180.5)]
)
def test_a_last_position_off_the_globe_is_refused(latitude: float, longitude: float) -> None:
    data = GOLDEN_STATE.to_bytes()
    data = _with(data, LATITUDE, struct.pack("<dd", latitude, longitude))
    message = f"state last position ({latitude}, {longitude}) is off the globe"
    with pytest.raises(StateDecodeError, match=f"^{re.escape(message)}$"):
        CustomerFraudState.from_bytes(data)


def test_the_globe_edges_and_a_full_recent_list_are_read() -> None:
    state = GOLDEN_STATE.model_copy(
        update={"last_latitude": -90.0, "last_longitude": 180.0,
                "recent_event_ms": tuple(range(MAX_RECENT))}
    )  # fmt: skip
    assert CustomerFraudState.from_bytes(state.to_bytes()) == state
    assert CustomerFraudState.from_bytes(
        _with(state.to_bytes(), LATITUDE, struct.pack("<dd", 90.0, -180.0))
    ).last_latitude == 90.0  # fmt: skip


def test_partial_last_position_is_rejected() -> None:
    with pytest.raises(ValueError, match="go together"):
        CustomerFraudState(last_latitude=1.0)


latitudes = st.floats(min_value=-90, max_value=90, allow_nan=False)
longitudes = st.floats(min_value=-180, max_value=180, allow_nan=False)
millis = st.integers(min_value=-(2**63), max_value=2**63 - 1)


@st.composite
def states(draw: st.DrawFn) -> CustomerFraudState:
    located = draw(st.booleans())
    return CustomerFraudState(
        count=draw(st.integers(0, 2**32 - 1)),
        mean=draw(st.floats(allow_nan=False, allow_infinity=False)),
        m2=draw(st.floats(min_value=0, allow_nan=False, allow_infinity=False)),
        last_latitude=draw(latitudes) if located else None,
        last_longitude=draw(longitudes) if located else None,
        last_event_ms=draw(millis) if located else None,
        hour_counts=tuple(draw(st.lists(st.integers(0, 0xFFFF), min_size=24, max_size=24))),
        recent_event_ms=tuple(draw(st.lists(millis, max_size=MAX_RECENT))),
    )


@settings(max_examples=300)
@given(states())
def test_round_trip(state: CustomerFraudState) -> None:
    assert CustomerFraudState.from_bytes(state.to_bytes()) == state


@settings(max_examples=300)
@given(states())
def test_trusted_builds_what_model_construct_builds(state: CustomerFraudState) -> None:
    fields = dict(state)
    trusted, constructed = (CustomerFraudState.trusted(**fields),
                            CustomerFraudState.model_construct(**fields))  # fmt: skip
    assert trusted == constructed == state
    assert trusted.model_fields_set == constructed.model_fields_set
    assert trusted.__pydantic_extra__ == constructed.__pydantic_extra__
    assert trusted.__pydantic_private__ == constructed.__pydantic_private__
    assert trusted.model_copy(update={"count": 1}).count == 1
    assert trusted.to_bytes() == state.to_bytes()


@settings(max_examples=500)
@given(st.binary(max_size=400))
def test_random_bytes_fail_only_with_a_clear_error(data: bytes) -> None:
    try:
        CustomerFraudState.from_bytes(data)
    except StateDecodeError as error:
        assert str(error)


@settings(max_examples=300)
@given(states(), st.data())
def test_corrupted_valid_state_fails_only_with_a_clear_error(
    state: CustomerFraudState, data: st.DataObject
) -> None:
    encoded = bytearray(state.to_bytes())
    position = data.draw(st.integers(0, len(encoded) - 1))
    encoded[position] = data.draw(st.integers(0, 255))
    cut = data.draw(st.integers(0, len(encoded)))
    try:
        CustomerFraudState.from_bytes(bytes(encoded[:cut]))
    except StateDecodeError as error:
        assert str(error)
