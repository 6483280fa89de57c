"""Invalid specs are rejected with file, field and value, and nothing is written."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from generator.spec.loading import deep_merge
from tests.conftest import Workspace

Data = dict[str, Any]


def named(items: list[Data], name: str) -> Data:
    return next(item for item in items if item["name"] == name)


def helm(data: Data, name: str) -> Data:
    return named(data["helm_releases"], name)


@dataclass(frozen=True)
class Case:
    id: str
    file: str
    change: Callable[[Data], None]
    expected: tuple[str, ...]


def _set(path: str, value: Any) -> Callable[[Data], None]:
    def change(data: Data) -> None:
        *parents, leaf = path.split(".")
        node = data
        for key in parents:
            node = node.setdefault(key, {})
        node[leaf] = value

    return change


def _pool(field: str, value: Any) -> Callable[[Data], None]:
    return lambda d: named(d["kafka"]["node_pools"], "dual-role").__setitem__(field, value)


def _topic(field: str, value: Any) -> Callable[[Data], None]:
    return lambda d: named(d["kafka"]["topics"], "fraud.alerts").__setitem__(field, value)


BASE = "platform.yaml"
CASES = [
    Case("bad-memory-unit", BASE,
         lambda d: named(d["kafka"]["node_pools"], "dual-role")["resources"]["requests"]
         .__setitem__("memory", "512MB"),
         ("specs/platform.yaml", "kafka.node_pools[dual-role].resources.requests.memory",
          "'512MB'", "not a Kubernetes quantity")),
    Case("cpu-finer-than-millicore", BASE,
         lambda d: d["postgres"]["resources"]["requests"].__setitem__("cpu", "0.5m"),
         ("postgres.resources.requests.cpu", "'0.5m'", "finer than 1m")),
    Case("negative-replicas", BASE, _pool("replicas", -1),
         ("kafka.node_pools[dual-role].replicas", "-1", "greater than or equal to 0")),
    Case("unknown-field", BASE, _set("kafka.replicationfactor", 2),
         ("kafka.replicationfactor", "2", "Extra inputs are not permitted")),
    Case("topic-zero-partitions", BASE, _topic("partitions", 0),
         ("kafka.topics[fraud.alerts].partitions", "0", "greater than or equal to 1")),
    Case("topic-bad-retention", BASE, _topic("retention", "30 days"),
         ("kafka.topics[fraud.alerts].retention", "'30 days'", "not a duration")),
    Case("duplicate-namespace", BASE,
         lambda d: d["namespaces"].append({"name": "streamflow-kafka"}),
         ("namespaces", "duplicate name(s) ['streamflow-kafka']")),
    Case("duplicate-topic", BASE,
         lambda d: d["kafka"]["topics"].append(dict(named(d["kafka"]["topics"], "fraud.alerts"))),
         ("kafka.topics: duplicate name(s) ['fraud.alerts']",)),
    Case("missing-image-tag", BASE, lambda d: d["flink"]["image"].pop("tag"),
         ("flink.image.tag", "(missing)", "Field required")),
    Case("latest-image-tag", BASE, _set("flink.image.tag", "latest"),
         ("flink.image.tag", "'latest'", "not pinned")),
    Case("limit-below-request", BASE,
         lambda d: d["postgres"]["resources"]["limits"].__setitem__("memory", "128Mi"),
         ("postgres.resources", "limits.memory '128Mi' is below requests.memory '256Mi'")),
    Case("session-slots-short", BASE,
         lambda d: d["flink"]["cluster"]["taskmanager"].__setitem__("slots", 2),
         ("flink", "2 task slot(s)", "need 3 (summed parallelism)")),
    Case("chart-version-range", BASE,
         lambda d: helm(d, "airflow")["chart"].__setitem__("version", "^1.22"),
         ("helm_releases[airflow].chart.version", "'^1.22'", "not an exact semantic version")),
    Case("unknown-namespace", BASE, _set("postgres.namespace", "streamflow-db"),
         ("postgres.namespace", "'streamflow-db' is not in namespaces")),
    Case("baseline-without-reason", BASE,
         lambda d: named(d["namespaces"], "streamflow-data")
         .__setitem__("pod_security", "baseline"),
         ("namespaces[streamflow-data]", "needs pod_security_reason")),
    Case("literal-secret-in-values", BASE,
         lambda d: helm(d, "airflow")["values"].__setitem__("fernetKey", "c2VjcmV0"),
         ("helm_releases[airflow].values", "['fernetKey']", "literal credentials")),
    Case("replication-above-brokers", BASE, _set("kafka.replication_factor", 3),
         ("kafka", "replication_factor 3 exceeds the 1 broker(s)")),
    Case("even-controller-quorum", BASE, _pool("replicas", 2),
         ("kafka", "2 controllers", "odd number")),
    Case("flink-config-shadows-spec", BASE,
         lambda d: d["flink"]["configuration"].__setitem__("state.backend.type", "hashmap"),
         ("flink", "['state.backend.type'] are modelled by the spec")),
    Case("over-budget-dev", "environments/dev.yaml", _set("cluster.memory_budget", "3Gi"),
         ("environment dev", "cluster.memory_budget 3072Mi is exceeded", "4008Mi")),
    Case("prod-override-invalid", "environments/prod.yaml",
         lambda d: named(d["kafka"]["node_pools"], "dual-role").__setitem__("heap", "lots"),
         ("specs/environments/prod.yaml", "kafka.node_pools[dual-role].heap", "'lots'")),
    Case("ha-jobmanager-needs-shared-storage", "environments/prod.yaml",
         lambda d: d["flink"]["storage"].__setitem__("access_mode", "ReadWriteOnce"),
         ("flink", "2 JobManagers share HA metadata", "ReadWriteMany")),
]  # fmt: skip


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_invalid_spec_is_rejected_and_writes_nothing(
    rendered: Workspace, case: Case, capsys: pytest.CaptureFixture[str]
) -> None:
    before = rendered.snapshot()
    rendered.edit(case.file, case.change)
    capsys.readouterr()

    assert rendered.run("render") == 1

    message = capsys.readouterr().err
    for fragment in case.expected:
        assert fragment in message, f"{fragment!r} not in:\n{message}"
    assert rendered.snapshot() == before


def test_corpus_is_large_enough() -> None:
    assert len(CASES) >= 15


def test_yaml_syntax_error_names_the_file(
    rendered: Workspace, capsys: pytest.CaptureFixture[str]
) -> None:
    before = rendered.snapshot()
    (rendered.specs / "environments" / "dev.yaml").write_text("cluster: [unclosed\n")
    assert rendered.run("render") == 1
    assert "specs/environments/dev.yaml: cannot read spec" in capsys.readouterr().err
    assert rendered.snapshot() == before


def test_deep_merge_merges_named_lists_by_name() -> None:
    base = {"pools": [{"name": "a", "size": 1, "x": 1}, {"name": "b", "size": 2}], "k": 1}
    overlay = {"pools": [{"name": "b", "size": 3}, {"name": "c", "size": 4}], "k": None}
    assert deep_merge(base, overlay) == {
        "pools": [{"name": "a", "size": 1, "x": 1}, {"name": "b", "size": 3},
                  {"name": "c", "size": 4}],
        "k": None,
    }  # fmt: skip


def test_deep_merge_replaces_plain_lists() -> None:
    assert deep_merge({"ports": [1, 2]}, {"ports": [3]}) == {"ports": [3]}
