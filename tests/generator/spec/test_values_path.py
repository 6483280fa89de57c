"""Dotted paths into Helm values: read, write, and never silently overwrite a scalar."""

import pytest

from generator.spec.values_path import get_path, set_path, sorted_tree


def test_set_creates_the_mappings_on_the_way_and_get_reads_them_back() -> None:
    values: dict[str, object] = {"scheduler": {"replicas": 1}}
    set_path(values, "scheduler.resources.limits", {"cpu": "1"})
    assert values == {"scheduler": {"replicas": 1, "resources": {"limits": {"cpu": "1"}}}}
    assert get_path(values, "scheduler.resources.limits") == {"cpu": "1"}
    assert get_path(values, "scheduler.replicas.count") is None
    assert get_path(values, "webserver") is None


def test_a_scalar_on_the_way_is_not_clobbered() -> None:
    values: dict[str, object] = {"scheduler": "enabled"}
    with pytest.raises(
        ValueError,
        match=r"^values path 'scheduler.resources': 'scheduler' already holds 'enabled'$",
    ):
        set_path(values, "scheduler.resources", {})
    assert values == {"scheduler": "enabled"}


def test_sorted_tree_sorts_every_mapping_and_keeps_list_order() -> None:
    tree = sorted_tree({"b": [{"z": 1, "a": 2}, 0], "a": {"y": 1, "x": 2}})
    assert list(tree) == ["a", "b"]
    assert list(tree["a"]) == ["x", "y"]
    assert [list(item) if isinstance(item, dict) else item for item in tree["b"]] == [["a", "z"], 0]
