"""promtool checks the generated rules, and each alert fires exactly when it should.

promtool reads plain rule files, so the groups the PrometheusRule objects carry
are written as one; the test cases are promtool unit tests over synthetic series.
"""

import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from generator.commands.tools import tool
from generator.components.monitoring import rule_groups
from generator.pipeline.load import load
from tests.conftest import REPO

pytestmark = pytest.mark.tools
JOB = "flink_taskmanager_job_task_operator_streamflow_"
GROUPS = rule_groups(load("dev", REPO / "specs"))


def rules_by_name() -> dict[str, dict[str, Any]]:
    return {r["alert"]: r for g in GROUPS for r in g["rules"] if "alert" in r}


def write_rules(directory: Path) -> Path:
    path = directory / "rules.yaml"
    path.write_text(yaml.safe_dump({"groups": GROUPS}, sort_keys=False), encoding="utf-8")
    return path


def expected(alert: str, labels: dict[str, str]) -> dict[str, Any]:
    """An expected alert: the rule's own labels plus the series', annotations expanded."""
    rule = next(r for name, r in rules_by_name().items() if name == alert)
    all_labels = {**labels, **rule["labels"]}
    annotations = {
        key: re.sub(r"\{\{ \$labels\.(\w+) \}\}", lambda m: all_labels.get(m[1], ""), value)
        for key, value in rule["annotations"].items()
    }
    return {"exp_labels": all_labels, "exp_annotations": annotations}


def run_promtool(directory: Path, tests: list[dict[str, Any]], interval: str = "30s") -> None:
    rules = write_rules(directory)
    document = {"rule_files": [rules.name], "evaluation_interval": interval, "tests": tests}
    path = directory / "tests.yaml"
    path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    result = subprocess.run([tool("promtool"), "test", "rules", str(path)], capture_output=True,
                            text=True, check=False, cwd=directory)  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr


def case(series: dict[str, str], eval_time: str, alert: str,
         fired: list[dict[str, str]]) -> dict[str, Any]:  # fmt: skip
    return {
        "interval": "1m",
        "input_series": [{"series": s, "values": v} for s, v in series.items()],
        "alert_rule_test": [{"eval_time": eval_time, "alertname": alert,
                             "exp_alerts": [expected(alert, labels) for labels in fired]}],
    }  # fmt: skip


def test_promtool_accepts_every_generated_group(tmp_path: Path) -> None:
    result = subprocess.run([tool("promtool"), "check", "rules", str(write_rules(tmp_path))],
                            capture_output=True, text=True, check=False)  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert len(rules_by_name()) >= 9


def test_there_are_nine_platform_alerts_each_with_a_runbook() -> None:
    platform = next(g for g in GROUPS if g["name"] == "platform-alerts")
    names = [r["alert"] for r in platform["rules"]]
    assert len(names) == len(set(names)) == 9
    for rule in platform["rules"]:
        assert {"summary", "description", "runbook_url"} <= rule["annotations"].keys()
        assert rule["labels"]["severity"] in {"critical", "warning"}
        runbook = REPO / "docs" / "runbooks" / f"{rule['alert']}.md"
        assert runbook.is_file(), runbook
        assert rule["annotations"]["runbook_url"].endswith(f"docs/runbooks/{rule['alert']}.md")


def test_the_runbook_index_names_the_component_that_declares_each_alert() -> None:
    platform = load("dev", REPO / "specs")
    declared = {alert.name: c.name for c in platform.registry for alert in c.alerts(platform)}
    rows = re.findall(r"^\| (\w+) \| [^|]+ \| ([\w-]+)",
                      (REPO / "docs" / "runbooks" / "README.md").read_text(), re.M)  # fmt: skip
    indexed = {alert: owner for alert, owner in rows if alert in declared}
    assert indexed == declared
    slo_alerts = {r["alert"] for g in GROUPS if g["name"].startswith("slo-") for r in g["rules"]
                  if "alert" in r}  # fmt: skip
    assert slo_alerts <= {alert for alert, owner in rows if owner == "monitoring"}


UPTIME = "flink_jobmanager_job_uptime"
# Flink's reporter exports job names with '-' as '_' (jobs.flink.metrics.reported_job_name).
DETECTOR = '{job_name="fraud_detector"}'
LAG = f"flink_taskmanager_job_task_operator_pendingRecords{DETECTOR}"
FAILED = f"flink_jobmanager_job_numberOfFailedCheckpoints{DETECTOR}"
COMPLETED = f"flink_jobmanager_job_numberOfCompletedCheckpoints{DETECTOR}"
CASES = {
    "KafkaBrokerDown": (
        case(
            {'up{streamflow_component="kafka",instance="broker-0"}': "0x10"},
            "5m",
            "KafkaBrokerDown",
            [{}],
        ),
        case(
            {'up{streamflow_component="kafka",instance="broker-0"}': "1x10"},
            "5m",
            "KafkaBrokerDown",
            [],
        ),
    ),
    "KafkaConsumerLagHigh": (
        case(
            {LAG: "60000x20"},
            "15m",
            "KafkaConsumerLagHigh",
            [{"job_name": "fraud_detector"}],
        ),
        case(
            {LAG: "100x20"},
            "15m",
            "KafkaConsumerLagHigh",
            [],
        ),
    ),
    "FlinkJobNotRunning": (
        case(
            {
                f'{UPTIME}{{job_name="transaction_processor"}}': "0+60000x10",
                f'{UPTIME}{{job_name="realtime_aggregator"}}': "0+60000x10",
            },
            "5m",
            "FlinkJobNotRunning",
            [{"job_name": "fraud_detector"}],
        ),
        # a job that failed reports -1 until it is removed
        case(
            {
                f'{UPTIME}{{job_name="transaction_processor",job_id="a"}}': "0+60000x10",
                f'{UPTIME}{{job_name="fraud_detector",job_id="b"}}': "-1x10",
                f'{UPTIME}{{job_name="realtime_aggregator",job_id="c"}}': "0+60000x10",
            },
            "5m",
            "FlinkJobNotRunning",
            [{"job_name": "fraud_detector"}],
        ),
        case(
            {
                f'{UPTIME}{{job_name="{job}"}}': "0+60000x10"
                for job in ("transaction_processor", "fraud_detector", "realtime_aggregator")
            },
            "5m",
            "FlinkJobNotRunning",
            [],
        ),
    ),
    "FlinkCheckpointsFailing": (
        case(
            {
                FAILED: "0+1x30",
                COMPLETED: "7x30",
            },
            "25m",
            "FlinkCheckpointsFailing",
            [{"job_name": "fraud_detector"}],
        ),
        case(
            {
                FAILED: "0+1x30",
                COMPLETED: "0+2x30",
            },
            "25m",
            "FlinkCheckpointsFailing",
            [],
        ),
    ),
    "FlinkJobRestartingFrequently": (
        case(
            {'flink_jobmanager_job_numRestarts{job_name="fraud_detector"}': "0 1 2 3 4 5 5 5"},
            "7m",
            "FlinkJobRestartingFrequently",
            [{"job_name": "fraud_detector"}],
        ),
        case(
            {'flink_jobmanager_job_numRestarts{job_name="fraud_detector"}': "0 1 2 2 2 2 2 2"},
            "7m",
            "FlinkJobRestartingFrequently",
            [],
        ),
    ),
    "PostgresInstanceDown": (
        case(
            {
                'cnpg_collector_up{pod="streamflow-pg-1"}': "0x10",
                'up{streamflow_component="postgres",pod="streamflow-pg-1"}': "1x10",
            },
            "5m",
            "PostgresInstanceDown",
            [{}],
        ),
        case(
            {
                'cnpg_collector_up{pod="streamflow-pg-1"}': "1x10",
                'up{streamflow_component="postgres",pod="streamflow-pg-1"}': "1x10",
            },
            "5m",
            "PostgresInstanceDown",
            [],
        ),
    ),
    "PostgresStorageHigh": (
        case(
            {'cnpg_pg_database_size_bytes{datname="streamflow"}': f"{9 * 2**30}x30"},
            "20m",
            "PostgresStorageHigh",
            [{}],
        ),
        case(
            {'cnpg_pg_database_size_bytes{datname="streamflow"}': f"{2**30}x30"},
            "20m",
            "PostgresStorageHigh",
            [],
        ),
    ),
    "FraudRateAnomalous": (
        case(
            {f"{JOB}decisions": "0+600x60", f'{JOB}alerts{{rule_id="FR-002"}}': "0+300x60"},
            "50m",
            "FraudRateAnomalous",
            [{}],
        ),
        case(
            {f"{JOB}decisions": "0+600x60", f'{JOB}alerts{{rule_id="FR-002"}}': "0+6x60"},
            "50m",
            "FraudRateAnomalous",
            [],
        ),
        # no traffic: no decisions, no alerts, no verdict (the denominator is guarded)
        case(
            {f"{JOB}decisions": "5x60", f'{JOB}alerts{{rule_id="FR-002"}}': "0x60"},
            "50m",
            "FraudRateAnomalous",
            [],
        ),
    ),
    "NoTransactionsProcessed": (
        case({f"{JOB}events_processed": "100x40"}, "30m", "NoTransactionsProcessed", [{}]),
        case({f"{JOB}events_processed": "0+100x40"}, "30m", "NoTransactionsProcessed", []),
    ),
}


def test_every_platform_alert_has_cases() -> None:
    platform = next(g for g in GROUPS if g["name"] == "platform-alerts")
    assert {r["alert"] for r in platform["rules"]} == CASES.keys()


@pytest.mark.parametrize("alert", sorted(CASES))
def test_alert_fires_when_it_should_and_not_otherwise(alert: str, tmp_path: Path) -> None:
    run_promtool(tmp_path, list(CASES[alert]))
