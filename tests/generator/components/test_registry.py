"""A component registered from outside the generator is rendered, budgeted, synced, watched.

This is the contract of ``generator.components``: a new component is a class
of its own, a section in ``specs/`` and one registry entry — nothing in the
budget, the tree, ArgoCD, monitoring or the CLI changes. Its alert and its
dashboard reach the PrometheusRule and Grafana from its own class alone.
"""

import json
from typing import Any

import pytest
import yaml

from generator.components import REGISTRY
from generator.components.base import Component, Endpoint, Platform
from generator.components.observability import Alert, Dashboard, stat, up
from generator.manifests.objects import Manifest, metadata, resource
from generator.pipeline import budget
from generator.pipeline.load import load
from generator.pipeline.tree import render_environment
from generator.spec.common import Name, Resources, StrictModel
from tests.conftest import REPO, Workspace


class RedisSpec(StrictModel):
    namespace: Name
    replicas: int
    resources: Resources


class Redis(Component[RedisSpec]):
    name = "redis"
    key = "redis"
    model = RedisSpec
    wave = 2

    def endpoints(self, platform: Platform) -> list[Endpoint]:
        redis = self.section(platform.spec)
        return [Endpoint(self.name, "cache", redis.namespace, {"app": "redis"}, (6379,))]

    def alerts(self, platform: Platform) -> list[Alert]:
        replicas = self.section(platform.spec).replicas
        expression = f"(count({up(self.name)} == 1) or vector(0)) < {replicas}"
        return [Alert("RedisReplicaDown", expression, "5m", "warning", "A Redis replica is down",
                      f"Fewer than the {replicas} replicas answer scrapes.")]  # fmt: skip

    def dashboards(self, platform: Platform) -> list[Dashboard]:
        panel = stat("Replicas up", "short", (f"sum({up(self.name)})", "up"))
        return [Dashboard("streamflow-redis", "StreamFlow / Redis", "The DAGs' lookup cache.",
                          [("Cache", [panel])])]  # fmt: skip

    def manifests(self, platform: Platform) -> list[Manifest]:
        redis = self.section(platform.spec)
        pod = {"metadata": {"labels": {"app": "redis"}},
               "spec": {"containers": [{"name": "redis", "image": "redis:7.4.1",
                                        "resources": redis.resources.to_manifest()}]}}  # fmt: skip
        return [
            resource("apps/v1", "Deployment", metadata("redis", redis.namespace),
                     spec={"replicas": redis.replicas,
                           "selector": {"matchLabels": {"app": "redis"}}, "template": pod}),
        ]  # fmt: skip


REDIS = {
    "namespace": "streamflow-data",
    "replicas": 2,
    "resources": {"requests": {"cpu": "50m", "memory": "16Mi"},  # dev has 40Mi to spare
                  "limits": {"cpu": "100m", "memory": "64Mi"}},
}  # fmt: skip
FLOW = {"name": "airflow-to-redis", "source": "streamflow-orchestration", "to": "redis.cache",
        "reason": "DAGs cache lookups"}  # fmt: skip
REGISTRY_WITH_REDIS = (*REGISTRY, Redis())


@pytest.fixture
def with_redis(workspace: Workspace) -> Workspace:
    def add(data: dict[str, Any]) -> None:
        data["redis"] = REDIS
        data["network"]["flows"].append(FLOW)

    workspace.edit("platform.yaml", add)
    return workspace


def _yaml(workspace: Workspace, relative: str) -> Any:
    return yaml.safe_load((workspace.root / relative).read_text())


def test_registered_component_is_rendered_and_wired_into_argocd(with_redis: Workspace) -> None:
    assert with_redis.run("render") == 1  # the default registry does not know `redis:`
    from generator.__main__ import main  # noqa: PLC0415 - the CLI with another registry

    argv = ["--specs", str(with_redis.specs), "--out", str(with_redis.root)]
    assert main([*argv, "render"], registry=REGISTRY_WITH_REDIS) == 0
    assert main([*argv, "render", "--check"], registry=REGISTRY_WITH_REDIS) == 0
    deployment = _yaml(with_redis, "apps/redis/base/deployment.yaml")
    assert deployment["spec"]["replicas"] == 2
    for env in ("dev", "prod"):
        application = _yaml(with_redis, f"argocd/{env}/apps/redis.yaml")
        assert application["metadata"]["annotations"]["argocd.argoproj.io/sync-wave"] == "2"
        assert application["spec"]["source"]["path"] == f"overlays/{env}/redis"
        assert application["spec"]["destination"]["namespace"] == "streamflow-data"
        assert (with_redis.root / f"overlays/{env}/redis/kustomization.yaml").exists()


def test_registered_component_alerts_and_dashboards_reach_monitoring(with_redis: Workspace) -> None:
    from generator.__main__ import main  # noqa: PLC0415 - the CLI with another registry

    argv = ["--specs", str(with_redis.specs), "--out", str(with_redis.root)]
    assert main([*argv, "render"], registry=REGISTRY_WITH_REDIS) == 0
    rules = yaml.safe_load_all((with_redis.root / "apps/monitoring/base/prometheusrule.yaml")
                               .read_text())  # fmt: skip
    group = next(r for r in rules if r and r["metadata"]["name"] == "streamflow-platform-alerts")
    alert = group["spec"]["groups"][0]["rules"][-1]
    assert alert["alert"] == "RedisReplicaDown"
    assert alert["expr"] == '(count(up{streamflow_component="redis"} == 1) or vector(0)) < 2'
    assert alert["annotations"]["runbook_url"].endswith("/docs/runbooks/RedisReplicaDown.md")
    maps = yaml.safe_load_all((with_redis.root / "apps/monitoring/base/configmap.yaml").read_text())
    board = next(m for m in maps if m and m["metadata"]["name"] == "dashboard-streamflow-redis")
    assert board["metadata"]["labels"]["grafana_dashboard"] == "1"
    model = json.loads(board["data"]["streamflow-redis.json"])
    (panel,) = [p for p in model["panels"] if p["type"] != "row"]
    assert panel["title"] == "Replicas up"
    assert panel["targets"][0]["expr"] == 'sum(up{streamflow_component="redis"})'


def test_registered_component_is_budgeted_and_its_endpoint_gets_policies(
    with_redis: Workspace,
) -> None:
    platform = load("dev", with_redis.specs, REGISTRY_WITH_REDIS)
    environment = render_environment(platform)
    report = budget.footprints(environment)
    redis = next(f for f in report.footprints if f.component == "redis")
    assert (redis.workload, redis.replicas, redis.total.memory_request) == ("redis", 2, 32 * 2**20)
    without = budget.footprints(render_environment(load("dev", REPO / "specs")))
    assert report.steady.memory_request == without.steady.memory_request + 32 * 2**20
    policies = {m["metadata"]["namespace"] + "/" + m["metadata"]["name"]: m
                for part in environment.parts for m in part.manifests
                if m["kind"] == "NetworkPolicy"}  # fmt: skip
    ingress = policies["streamflow-data/allow-airflow-to-redis-ingress"]["spec"]
    assert ingress["podSelector"] == {"matchLabels": {"app": "redis"}}
    assert ingress["ingress"][0]["ports"] == [{"port": 6379, "protocol": "TCP"}]
    assert "streamflow-orchestration/allow-airflow-to-redis-egress" in policies


def test_a_flow_to_an_unknown_endpoint_names_file_field_and_value(
    workspace: Workspace, capsys: pytest.CaptureFixture[str]
) -> None:
    workspace.edit("platform.yaml", lambda d: d["network"]["flows"].append(FLOW))
    assert workspace.run("render") == 1
    message = capsys.readouterr().err
    assert "specs/platform.yaml: network.flows[airflow-to-redis].to = 'redis.cache'" in message
    assert "no component serves endpoint 'redis.cache'" in message
