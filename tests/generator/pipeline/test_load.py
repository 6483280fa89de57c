"""Invalid specs are rejected with file, field and value, and nothing is written."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from generator.pipeline.load import deep_merge
from tests.conftest import Workspace

Data = dict[str, Any]


def named(items: list[Data], name: str) -> Data:
    return next(item for item in items if item["name"] == name)


def helm(data: Data, name: str) -> Data:
    return named(data["helm_releases"], name)


@dataclass(frozen=True)
class Case:
    """A mutation of one spec file (``change`` on its data, or ``text`` written as is)."""

    id: str
    file: str
    change: Callable[[Data], None] | None
    expected: tuple[str, ...]
    text: str | None = None


def _text(id: str, file: str, text: str, expected: tuple[str, ...]) -> Case:
    return Case(id, file, None, expected, text)


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
PROD = "environments/prod.yaml"
STAGING = "environments/staging.yaml"
STAGING_CLUSTER = (
    "cluster: {nodes: 2, memory_budget: 8Gi}\n"
    "network: {api_server: {cidr: 10.1.0.0/28, webhook_sources: [10.1.0.0/28]}}\n"
)
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
         ("postgres.resources.limits.memory = '128Mi'",
          "limits.memory '128Mi' is below requests.memory '256Mi'",
          "specs/platform.yaml: postgres.resources.requests.memory = '256Mi'")),
    Case("session-slots-short", BASE,
         lambda d: d["flink"]["cluster"]["taskmanager"].__setitem__("slots", 2),
         ("flink", "2 task slot(s)", "need 3 (summed parallelism)")),
    Case("chart-version-range", BASE,
         lambda d: helm(d, "airflow")["chart"].__setitem__("version", "^1.22"),
         ("helm_releases[airflow].chart.version", "'^1.22'", "not an exact semantic version")),
    Case("unknown-namespace", BASE, _set("postgres.namespace", "streamflow-db"),
         ("postgres.namespace", "'streamflow-db' is not in namespaces")),
    Case("flow-from-unknown-namespace", BASE,
         lambda d: named(d["network"]["flows"], "airflow-to-postgres")
         .__setitem__("source", "streamflow-etl"),
         ("network.flows[airflow-to-postgres].source", "'streamflow-etl' is not in namespaces")),
    Case("denied-from-unknown-namespace", BASE,
         lambda d: named(d["network"]["denied"], "monitoring-to-sql")
         .__setitem__("source", "streamflow-etl"),
         ("network.denied[monitoring-to-sql].source", "'streamflow-etl' is not in namespaces")),
    Case("denied-to-unknown-namespace", BASE,
         lambda d: named(d["network"]["denied"], "monitoring-to-sql")
         .update({"to": None, "destination": "streamflow-etl", "ports": [5432]}),
         ("network.denied[monitoring-to-sql].destination",
          "'streamflow-etl' is not in namespaces")),
    Case("egress-from-unknown-namespace", BASE,
         lambda d: named(d["network"]["external_egress"], "prometheus-node-targets")
         .__setitem__("namespace", "streamflow-etl"),
         ("network.external_egress[prometheus-node-targets].namespace",
          "'streamflow-etl' is not in namespaces")),
    Case("baseline-without-reason", BASE,
         lambda d: named(d["namespaces"], "streamflow-data")
         .__setitem__("pod_security", "baseline"),
         ("namespaces[streamflow-data]", "needs pod_security_reason")),
    Case("literal-secret-in-values", BASE,
         lambda d: helm(d, "airflow")["values"].__setitem__("fernetKey", "c2VjcmV0"),
         ("helm_releases[airflow].values.fernetKey = 'c2VjcmV0'", "literal credential")),
    Case("replication-above-brokers", BASE, _set("kafka.replication_factor", 3),
         ("specs/platform.yaml: kafka.replication_factor = 3",
          "replication_factor 3 exceeds the 1 broker(s)", "kafka.node_pools = [dual-role]")),
    Case("even-controller-quorum", BASE, _pool("replicas", 2),
         ("kafka.node_pools = [dual-role]", "2 controllers", "odd number")),
    Case("flink-config-shadows-spec", BASE,
         lambda d: d["flink"]["configuration"].__setitem__("state.backend.type", "hashmap"),
         ("flink.configuration.state.backend.type = 'hashmap'", "set by the renderer")),
    Case("over-budget-dev", "environments/dev.yaml", _set("cluster.memory_budget", "3Gi"),
         ("environment dev", "cluster.memory_budget 3072Mi is exceeded", "4056Mi")),
    Case("prod-override-invalid", "environments/prod.yaml",
         lambda d: named(d["kafka"]["node_pools"], "dual-role").__setitem__("heap", "lots"),
         ("specs/environments/prod.yaml", "kafka.node_pools[dual-role].heap", "'lots'")),
    Case("ha-jobmanager-needs-shared-storage", "environments/prod.yaml",
         lambda d: d["flink"]["storage"].__setitem__("access_mode", "ReadWriteOnce"),
         ("specs/environments/prod.yaml: flink.storage.access_mode = 'ReadWriteOnce'",
          "2 JobManagers share HA metadata", "flink.cluster.jobmanager.replicas = 2")),
    # -- the environment is the file name, and every environment file states its cluster
    _text("environment-key-in-env-file", STAGING, STAGING_CLUSTER + "environment: prod\n",
          ("specs/environments/staging.yaml: environment = 'prod'", "name of its file (staging)")),
    Case("environment-key-in-base", BASE, _set("environment", "dev"),
         ("specs/platform.yaml: environment = 'dev'", "never a key")),
    _text("empty-environment-file", STAGING, "",
          ("specs/environments/staging.yaml: cluster.nodes = (missing)",
           "cluster.memory_budget = (missing)", "every environment file states")),
    _text("environment-without-cluster", STAGING, "kafka: {replication_factor: 1}\n",
          ("specs/environments/staging.yaml: cluster.nodes = (missing)",)),
    _text("invalid-environment-file-name", "environments/Staging.yaml", STAGING_CLUSTER,
          ("specs/environments/Staging.yaml: environment name 'Staging'", "DNS-1123 label")),
    # -- duplicates that the last-one-wins merge would hide
    _text("duplicate-yaml-key", "environments/dev.yaml",
          "cluster:\n  nodes: 1\n  memory_budget: 4Gi\n  nodes: 3\n",
          ("specs/environments/dev.yaml: cluster.nodes = '1' then '3' (lines 2 and 4)",
           "duplicate key")),
    Case("duplicate-name-in-env-list", PROD,
         lambda d: d["kafka"]["node_pools"].append(dict(d["kafka"]["node_pools"][0])),
         ("specs/environments/prod.yaml: kafka.node_pools: duplicate name(s) ['dual-role']",)),
    Case("duplicate-flow", BASE,
         lambda d: d["network"]["flows"].append(dict(d["network"]["flows"][0])),
         ("specs/platform.yaml: network.flows: duplicate name(s) ['airflow-to-postgres']",)),
    # -- strict types: YAML already typed the value
    Case("bool-as-parallelism", BASE,
         lambda d: named(d["flink"]["jobs"], "fraud-detector").__setitem__("parallelism", True),
         ("flink.jobs[fraud-detector].parallelism = True", "valid integer")),
    Case("string-as-node-count", PROD, _set("cluster.nodes", "3"),
         ("specs/environments/prod.yaml: cluster.nodes = '3'", "valid integer")),
    Case("string-as-bool", BASE,
         lambda d: helm(d, "airflow").__setitem__("server_side_apply", "yes"),
         ("helm_releases[airflow].server_side_apply = 'yes'", "valid boolean")),
    # -- component rules
    Case("flink-module-missing", BASE,
         lambda d: named(d["flink"]["jobs"], "fraud-detector")
         .__setitem__("module", "jobs.flink.fraud_detectr"),
         ("flink.jobs[fraud-detector].module = 'jobs.flink.fraud_detectr'",
          "no module 'jobs.flink.fraud_detectr' in jobs/")),
    Case("flink-job-named-unlike-its-module", PROD,
         lambda d: d["flink"].__setitem__("jobs", [{"name": "fraud-detector",
                                                    "module": "jobs.flink.realtime_aggregator"}]),
         ("specs/environments/prod.yaml: flink.jobs[fraud-detector].name = 'fraud-detector'",
          "runs as job 'realtime-aggregator'")),
    Case("latency-slo-off-the-buckets", BASE,
         lambda d: named(d["monitoring"]["slos"], "detection-latency")
         .__setitem__("threshold_seconds", 3),
         ("monitoring.slos[detection-latency].threshold_seconds = 3", "buckets")),
    Case("monitoring-in-unknown-namespace", PROD,
         lambda d: d["monitoring"]["stack"].__setitem__("namespace", "monitoring"),
         ("specs/environments/prod.yaml: monitoring.stack.namespace = 'monitoring'",
          "is not in namespaces")),
    Case("retention-shorter-than-slo-period", PROD, _set("monitoring.retention", "7d"),
         ("specs/environments/prod.yaml: monitoring.retention = '7d'", "must exceed slo_period",
          "monitoring.slo_period = '7d'")),
    Case("flink-module-outside-jobs", BASE,
         lambda d: named(d["flink"]["jobs"], "fraud-detector").__setitem__("module", "os.path"),
         ("flink.jobs[fraud-detector].module = 'os.path'", "no module")),
    Case("flink-args-repeat-derived-address", BASE,
         lambda d: named(d["flink"]["jobs"], "fraud-detector")["args"]
         .extend(["--bootstrap-servers", "kafka:9092"]),
         ("flink.jobs[fraud-detector].args[2] = '--bootstrap-servers'", "derived")),
    Case("flink-config-overrides-owned-key", BASE,
         lambda d: d["flink"]["configuration"].__setitem__("taskmanager.numberOfTaskSlots", "8"),
         ("flink.configuration.taskmanager.numberOfTaskSlots = '8'", "set by the renderer")),
    Case("flink-config-overrides-metrics", BASE,
         lambda d: d["flink"]["configuration"].__setitem__("metrics.reporter.prom.port", "9999"),
         ("flink.configuration.metrics.reporter.prom.port = '9999'", "set by the renderer")),
    Case("topic-replicas-below-min-isr", PROD,
         lambda d: d["kafka"].__setitem__("topics", [{"name": "fraud.alerts", "replicas": 1}]),
         ("specs/environments/prod.yaml: kafka.topics[fraud.alerts].replicas = 1",
          "min.insync.replicas 2", "acks=all",
          "specs/environments/prod.yaml: kafka.min_insync_replicas = 2")),
    Case("topic-config-min-isr-above-replicas", BASE,
         lambda d: named(d["kafka"]["topics"], "streamflow.dlq")["config"]
         .__setitem__("min.insync.replicas", 2),
         ("kafka.replication_factor = 1", "min.insync.replicas 2",
          "kafka.topics[streamflow.dlq].config.min.insync.replicas = 2")),
    Case("heap-equals-limit", BASE, _pool("heap", "1Gi"),
         ("kafka.node_pools[dual-role].heap = '1Gi'", "leaves less than 256Mi",
          "kafka.node_pools[dual-role].resources.limits.memory = '1Gi'")),
    Case("heap-too-close-to-limit", PROD,
         lambda d: named(d["kafka"]["node_pools"], "dual-role").__setitem__("heap", "2560Mi"),
         ("specs/environments/prod.yaml: kafka.node_pools[dual-role].heap = '2560Mi'",
          "leaves less than 768Mi")),
    Case("heap-truncates-to-zero", BASE, _pool("heap", "1000Ki"),
         ("kafka.node_pools[dual-role].heap = '1000Ki'", "whole MiB")),
    # -- messages blame the file that set the value
    Case("null-in-prod", PROD, _set("kafka.replication_factor", None),
         ("specs/environments/prod.yaml: kafka.replication_factor = None",)),
    Case("dotted-topic-name-in-prod", PROD,
         lambda d: d["kafka"].__setitem__("topics", [{"name": "fraud.alerts", "partitions": 0}]),
         ("specs/environments/prod.yaml: kafka.topics[fraud.alerts].partitions = 0",)),
    Case("unknown-section", BASE, _set("redis", {"replicas": 1}),
         ("specs/platform.yaml: redis = {'replicas': 1}", "not a section of the spec")),
    Case("flow-with-two-destinations", BASE,
         lambda d: d["network"]["flows"][0].__setitem__("destination", "streamflow-data"),
         ("network.flows[airflow-to-postgres].to = 'postgres.sql'", "not both")),
    Case("helm-release-unknown-namespace", PROD,
         lambda d: helm(d, "airflow").__setitem__("namespace", "airflow"),
         ("specs/environments/prod.yaml: helm_releases[airflow].namespace = 'airflow'",
          "is not in namespaces")),
    # -- the connectivity contract's inputs
    Case("api-server-anywhere", PROD, _set("network.api_server.cidr", "0.0.0.0/0"),
         ("specs/environments/prod.yaml: network.api_server.cidr = '0.0.0.0/0'",
          "wider than /8", "external_egress")),
    Case("api-server-host-bits", PROD,
         lambda d: d["network"]["api_server"].__setitem__("webhook_sources", ["10.42.0.1/24"]),
         ("network.api_server.webhook_sources[0] = '10.42.0.1/24'", "host bits set")),
    _text("api-server-not-stated", STAGING, "cluster: {nodes: 2, memory_budget: 8Gi}\n",
          ("specs/environments/staging.yaml: network.api_server = (missing)",)),
    Case("declared-but-denied", BASE,
         lambda d: d["network"]["flows"].append({"name": "airflow-to-kafka",
             "source": "streamflow-orchestration", "to": "kafka.bootstrap", "reason": "x"}),
         ("network.denied[orchestration-to-kafka].source", "'airflow-to-kafka'",
          "network.denied forbids it")),
    # -- chart pods in restricted namespaces, and hook order
    Case("chart-pod-without-security-context", BASE,
         lambda d: named(helm(d, "airflow")["pods"], "statsd").pop("security_context"),
         ("helm_releases[airflow].pods[statsd].security_context = (missing)",
          "namespace streamflow-orchestration is restricted")),
    Case("chart-pod-may-run-as-root", BASE,
         lambda d: helm(d, "strimzi-operator")["values"]["podSecurityContext"]
         .__setitem__("runAsNonRoot", False),
         ("helm_releases[strimzi-operator].pods[strimzi-cluster-operator].security_context",
          "violate Pod Security 'restricted'", "runAsNonRoot is not true")),
    Case("chart-container-may-escalate", BASE,
         lambda d: helm(d, "airflow")["values"]["statsd"]["securityContexts"]["container"]
         .pop("capabilities"),
         ("helm_releases[airflow].pods[statsd].security_context",
          "capabilities.drop does not contain ALL")),
    Case("hook-that-is-not-transient", BASE,
         lambda d: named(helm(d, "airflow")["pods"], "create-user").__setitem__("transient", False),
         ("helm_releases[airflow].pods[create-user]", "set transient: true")),
    Case("role-on-unknown-schema", BASE,
         lambda d: named(d["postgres"]["roles"], "streamflow_ingest")["access"]
         .__setitem__("platinum", "read"),
         ("postgres.roles[streamflow_ingest].access.platinum = 'read'",
          "unknown schema 'platinum': the migrations create ['bronze', 'silver', 'gold']")),
    Case("role-named-as-the-owner", BASE,
         lambda d: named(d["postgres"]["roles"], "streamflow_transform")
         .__setitem__("name", "streamflow"),
         ("postgres.roles[streamflow].name = 'streamflow'",
          "role name streamflow is already used by postgres.owner")),
    Case("role-reads-what-another-builds", BASE,
         lambda d: named(d["postgres"]["roles"], "streamflow_ingest")["access"]
         .__setitem__("gold", "read"),
         ("postgres.roles[streamflow_ingest].access.gold = 'read'",
          "streamflow_transform builds (and owns) the tables of gold")),
    Case("role-access-unknown", BASE,
         lambda d: named(d["postgres"]["roles"], "streamflow_ingest")["access"]
         .__setitem__("bronze", "delete"),
         ("postgres.roles[streamflow_ingest].access.bronze = 'delete'",)),
    Case("denied-unknown-endpoint", BASE,
         lambda d: d["network"]["denied"][0].__setitem__("to", "kafka.tls"),
         ("network.denied[orchestration-to-kafka].to = 'kafka.tls'",
          "no component serves endpoint 'kafka.tls'")),
]  # fmt: skip


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_invalid_spec_is_rejected_and_writes_nothing(
    rendered: Workspace, case: Case, capsys: pytest.CaptureFixture[str]
) -> None:
    before = rendered.snapshot()
    if case.change is not None:
        rendered.edit(case.file, case.change)
    else:
        (rendered.specs / case.file).write_text(case.text or "", encoding="utf-8")
    capsys.readouterr()

    assert rendered.run("render") == 1

    message = capsys.readouterr().err
    for fragment in case.expected:
        assert fragment in message, f"{fragment!r} not in:\n{message}"
    assert rendered.snapshot() == before


def test_corpus_is_large_enough() -> None:
    assert len(CASES) >= 35
    assert len({case.id for case in CASES}) == len(CASES)


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
