"""The platform's topics as the spec defines them, so tests use the real layout."""

from pathlib import Path

import yaml

SPEC = Path(__file__).resolve().parents[2] / "specs" / "platform.yaml"


def platform_topics(spec: Path = SPEC) -> dict[str, int]:
    """Topic name → partitions, read from ``specs/platform.yaml``."""
    data = yaml.safe_load(spec.read_text(encoding="utf-8"))
    return {topic["name"]: int(topic["partitions"]) for topic in data["kafka"]["topics"]}
