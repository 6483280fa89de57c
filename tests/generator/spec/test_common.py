"""Names, image tags, durations and cross-field errors: the limits Kubernetes itself sets."""

import pytest
from pydantic import TypeAdapter, ValidationError

from generator.spec.common import (
    Duration,
    FieldError,
    Image,
    Name,
    ResourceName,
    dns_label_problem,
    duration_ms,
)

NAME = TypeAdapter(Name)
RESOURCE_NAME = TypeAdapter(ResourceName)
DURATION = TypeAdapter(Duration)


@pytest.mark.parametrize("value", ["a", "kafka-0", "a" * 63, "0abc"])
def test_dns_labels_up_to_63_characters_are_names(value: str) -> None:
    assert dns_label_problem(value) is None
    assert NAME.validate_python(value) == value


@pytest.mark.parametrize("value", ["a" * 64, "Kafka", "-kafka", "kafka-", "kafka.alerts", ""])
def test_other_strings_are_not_names_and_the_error_quotes_them(value: str) -> None:
    assert dns_label_problem(value) == "is not a DNS-1123 label (lowercase, digits, '-', ≤ 63)"
    with pytest.raises(ValidationError) as raised:
        NAME.validate_python(value)
    assert f"{value!r} is not a DNS-1123 label" in str(raised.value)


@pytest.mark.parametrize("value", ["fraud.alerts", "a" * 253, "a.b-c.d"])
def test_dns_subdomains_up_to_253_characters_are_resource_names(value: str) -> None:
    assert RESOURCE_NAME.validate_python(value) == value


@pytest.mark.parametrize("value", ["a" * 254, "Fraud.alerts", ".alerts"])
def test_other_strings_are_not_resource_names(value: str) -> None:
    with pytest.raises(ValidationError) as raised:
        RESOURCE_NAME.validate_python(value)
    assert f"{value!r} is not a DNS-1123 subdomain" in str(raised.value)


@pytest.mark.parametrize("tag", ["", "latest", "latest-alpine"])
def test_moving_image_tags_are_refused_with_the_tag_named(tag: str) -> None:
    with pytest.raises(ValidationError) as raised:
        Image(repository="apache/flink", tag=tag)
    assert f"image tag {tag!r} is not pinned" in str(raised.value)


@pytest.mark.parametrize("tag", ["1.20.1", "v2", "2.10.3-python3.11"])
def test_version_tags_are_pinned(tag: str) -> None:
    assert Image(repository="apache/flink", tag=tag).reference == f"apache/flink:{tag}"


@pytest.mark.parametrize(
    ("text", "milliseconds"),
    [("250ms", 250), ("30s", 30_000), ("5m", 300_000), ("2h", 7_200_000), ("7d", 604_800_000)],
)
def test_durations_convert_exactly(text: str, milliseconds: int) -> None:
    assert DURATION.validate_python(text) == text
    assert duration_ms(text) == milliseconds


def test_a_malformed_duration_is_named() -> None:
    with pytest.raises(ValueError, match=r"^'7 days' is not a duration$"):
        duration_ms("7 days")


def test_a_field_error_carries_its_message_and_fields() -> None:
    error = FieldError("limits below requests", ("limits", "cpu"), ("requests", "cpu"))
    assert str(error) == "limits below requests"
    assert error.fields == (("limits", "cpu"), ("requests", "cpu"))
