"""The budget adds up what every component counts, and refuses what nobody counts."""

from collections.abc import Sequence
from typing import Any

import pytest

from generator.components.base import Component, Rendered
from generator.manifests.reservations import BudgetError
from generator.pipeline import budget
from generator.pipeline.load import load
from generator.pipeline.tree import Environment, render_environment
from tests.conftest import REPO
from tests.generator.manifests.test_reservations import container, workload

Mi = 2**20


class Bare(Component[Any]):
    name = "bare"
    wave = 9


def environment_of(
    manifests: Sequence[dict[str, Any]], component: Component[Any] | None = None, nodes: int = 1
) -> Environment:
    platform = load("dev", REPO / "specs")
    cluster = platform.spec.cluster.model_copy(update={"nodes": nodes})
    spec = platform.spec.model_copy(update={"cluster": cluster})
    part = Rendered(component or Bare(), list(manifests), [], [])
    return Environment(type(platform)(spec, platform.registry), [part])  # fmt: skip


def _jobs(small_wave: int | None, big_wave: int | None) -> list[dict[str, Any]]:
    small, large = workload("Job", name="small"), workload("Job", name="big")
    large["spec"]["template"]["spec"]["containers"] = [container("a", "1", "512Mi")]
    for job, wave in ((small, small_wave), (large, big_wave)):
        if wave is not None:
            job["metadata"]["annotations"] = {"argocd.argoproj.io/sync-wave": str(wave)}
    return [workload("Deployment", 1), small, large]


def test_jobs_of_one_sync_wave_run_together_and_all_count_at_peak() -> None:
    report = budget.footprints(environment_of(_jobs(None, None)))
    assert report.steady.memory_request == 64 * Mi
    assert report.peak_memory == (64 + 64 + 512) * Mi


def test_jobs_in_successive_waves_never_overlap_so_only_the_largest_counts() -> None:
    report = budget.footprints(environment_of(_jobs(-1, 1)))
    assert report.peak_memory == (64 + 512) * Mi


def test_a_cron_jobs_pod_can_start_during_any_sync_so_it_adds_to_the_peak() -> None:
    scheduled = workload("CronJob", name="nightly")
    scheduled["spec"] = {"jobTemplate": {"spec": workload("Job")["spec"]}}
    report = budget.footprints(environment_of([*_jobs(-1, 1), scheduled]))
    assert report.peak_memory == (64 + 512 + 64) * Mi


def test_airflows_hooks_run_one_after_the_other_in_dev() -> None:
    """The migration Job (192Mi) and the create-user Job (128Mi) are ordered by hook wave."""
    report = budget.footprints(render_environment(load("dev", REPO / "specs")))
    hooks = {f.workload: f.hook_wave for f in report.footprints if f.application == "airflow"
             and f.transient}  # fmt: skip
    assert hooks == {"run-airflow-migrations": -1, "create-user": 1}
    assert report.transient_peak == (192 + 64) * Mi  # + the nightly pg_dump (a CronJob)
    assert report.peak_memory == (3800 + 192 + 64) * Mi


def test_a_kind_nobody_counts_fails_by_name() -> None:
    redis = {"apiVersion": "databases.example/v1", "kind": "RedisCluster",
             "metadata": {"name": "cache", "namespace": "ns"}, "spec": {"replicas": 3}}  # fmt: skip
    with pytest.raises(BudgetError, match=r"RedisCluster ns/cache may create pods"):
        budget.footprints(environment_of([redis]))


def test_a_chart_without_declared_pods_fails_by_name() -> None:
    platform = load("dev", REPO / "specs")
    charts = next(c for c in platform.registry if c.name == "charts")
    part = charts.render(platform)
    release, application = part.charts[0]
    stripped = Rendered(charts, [], [application],
                        [(release.model_copy(update={"pods": []}), application)])  # fmt: skip
    with pytest.raises(BudgetError, match=rf"Helm release '{release.name}' declares no pods"):
        budget.footprints(Environment(platform, [stripped]))


def test_dev_total_matches_the_hand_computed_sum() -> None:
    report = budget.footprints(render_environment(load("dev", REPO / "specs")))
    by_hand_mi = (
        64 + 256  # CNPG operator, PostgreSQL × 1
        + 448 + 128 + 160  # Kafka dual-role node, topic operator, Strimzi operator
        + (32 + 16) + (80 + 24 + 24) + 32 + (224 + 16) + 24 + 48  # alertmanager..prom-operator
        + 144 + (208 + 16) + (352 + 16) + 16  # Airflow api, dag-processor, scheduler, statsd
        + 128 + 512 + 832  # Flink operator, session JobManager, TaskManager
    )  # fmt: skip
    assert report.steady.memory_request == by_hand_mi * Mi
    # + the Airflow migration Job (the largest sync-time pod) + the pg_dump CronJob's pod
    assert report.peak_memory == (by_hand_mi + 192 + 64) * Mi
    assert report.peak_memory <= 4 * 1024 * Mi


def test_every_footprint_names_the_component_that_counted_it() -> None:
    report = budget.footprints(render_environment(load("dev", REPO / "specs")))
    owners = {f.workload: f.component for f in report.footprints}
    assert owners["dual-role"] == "kafka"
    assert owners["streamflow-pg"] == "postgres"
    assert owners["streamflow-session-taskmanager"] == "flink"
    assert owners["scheduler"] == "charts"


def test_helm_values_are_what_is_counted() -> None:
    environment = render_environment(load("dev", REPO / "specs"))
    airflow = next(a for a in environment.applications if a["metadata"]["name"] == "airflow")
    values = airflow["spec"]["source"]["helm"]["valuesObject"]
    assert values["scheduler"]["resources"]["requests"]["memory"] == "352Mi"
    values["scheduler"]["resources"]["requests"]["memory"] = "1Gi"
    report = budget.footprints(environment)
    scheduler = next(f for f in report.footprints if f.workload == "scheduler")
    assert scheduler.pod.memory_request == (1024 + 16) * Mi


def test_over_budget_lists_the_largest_items_and_what_grew() -> None:
    baseline = budget.footprints(render_environment(load("dev", REPO / "specs")))
    environment = render_environment(load("prod", REPO / "specs"))
    report = budget.footprints(environment)
    tight = budget.Report(report.environment, 4 * 1024 * Mi, report.footprints)
    with pytest.raises(BudgetError) as raised:
        budget.check(tight, baseline)
    message = str(raised.value)
    assert "environment prod: cluster.memory_budget 4096Mi is exceeded" in message
    assert "largest requests:" in message
    assert "streamflow-data/streamflow-pg (postgres): 6144Mi" in message
    assert "streamflow-data/streamflow-pg: 256Mi → 6144Mi (+5888Mi)" in message


def test_table_lists_workloads_and_verdict() -> None:
    text = budget.table(budget.footprints(render_environment(load("dev", REPO / "specs"))))
    assert "streamflow-session-taskmanager" in text
    assert "of 4096Mi budget" in text
    assert text.splitlines()[-2].endswith("OK")
