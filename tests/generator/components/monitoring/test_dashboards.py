"""The four dashboards: stable uids, a data-source variable, and only known metrics."""

import json
import re
from typing import Any

import yaml

from generator.components.monitoring import rule_groups
from generator.pipeline.load import load
from tests.conftest import REPO
from tests.generator.components.monitoring.promql import (
    metric_names,
    recorded_names,
    rule_expressions,
)

BY_NAME = load("dev", REPO / "specs").metric_catalogue()

BOARDS = REPO / "apps" / "monitoring" / "base" / "configmap.yaml"


def models() -> list[dict[str, Any]]:
    maps = [m for m in yaml.safe_load_all(BOARDS.read_text()) if m]
    assert all(m["metadata"]["labels"]["grafana_dashboard"] == "1" for m in maps)
    return [json.loads(text) for m in maps for text in m["data"].values()]


def panels(model: dict[str, Any]) -> list[dict[str, Any]]:
    return [p for p in model["panels"] if p["type"] != "row"]


def test_four_dashboards_with_stable_unique_uids() -> None:
    uids = [m["uid"] for m in models()]
    expected = ["streamflow-flink", "streamflow-fraud", "streamflow-kafka", "streamflow-pipeline"]
    assert sorted(uids) == expected


def test_every_dashboard_has_a_datasource_variable_its_panels_use() -> None:
    for model in models():
        variables = {v["name"]: v for v in model["templating"]["list"]}
        assert variables["datasource"]["type"] == "datasource"
        for panel in panels(model):
            assert panel["datasource"]["uid"] == "${datasource}", panel["title"]


def test_every_panel_query_parses_and_uses_only_known_metrics() -> None:
    known = BY_NAME.keys() | recorded_names(rule_groups(load("dev", REPO / "specs")))
    count = 0
    for model in models():
        for panel in panels(model):
            assert panel["targets"], panel["title"]
            for target in panel["targets"]:
                expression = target["expr"].replace("${datasource}", "")
                unknown = metric_names(expression) - known
                assert not unknown, f"{model['uid']} / {panel['title']}: {unknown}"
                assert not re.search(r'\bjob=~?"', expression), expression
                count += 1
    assert count >= 30


def test_every_catalogued_metric_is_used_by_a_rule_or_a_panel() -> None:
    groups = rule_groups(load("dev", REPO / "specs"))
    used = {name for expression in rule_expressions(groups).values()
            for name in metric_names(expression)}  # fmt: skip
    used |= {name for model in models() for panel in panels(model)
             for target in panel["targets"] for name in metric_names(target["expr"])}  # fmt: skip
    assert BY_NAME.keys() - used == set(), "catalogued but unused (dead entries)"


def test_the_pipeline_dashboard_shows_every_slo() -> None:
    pipeline = next(m for m in models() if m["uid"] == "streamflow-pipeline")
    expressions = " ".join(t["expr"] for p in panels(pipeline) for t in p["targets"])
    for slo in ("availability", "processing-latency", "freshness", "detection-latency"):
        assert f'slo="{slo}"' in expressions
