"""Property tests run the same examples everywhere, without a wall-clock deadline."""

from hypothesis import given, settings
from hypothesis import strategies as st

SEEN: list[list[int]] = []


@settings(max_examples=25)  # a test's own settings keep the profile's other choices
@given(st.lists(st.integers()))
def _collect(values: list[int]) -> None:
    SEEN.append(values)


def test_every_property_is_derandomized_and_has_no_deadline() -> None:
    active = settings()
    assert active.derandomize and active.deadline is None and active.database is None
    _collect()
    first = list(SEEN)
    SEEN.clear()
    _collect()
    assert first == SEEN
