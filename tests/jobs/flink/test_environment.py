"""The gateway JVM gets what thread mode and the metric reporter need, whoever starts it."""

import os
import site

import pytest

from jobs.flink.environment import REPO_ROOT, prepare_gateway


def test_the_gateway_environment_is_prepared_once_whatever_was_there(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PYTHONPATH", f"/elsewhere{os.pathsep}{REPO_ROOT}")
    monkeypatch.delenv("HADOOP_CLASSPATH", raising=False)
    prepare_gateway()
    prepare_gateway()
    path = os.environ["PYTHONPATH"].split(os.pathsep)
    assert path == [*site.getsitepackages(), str(REPO_ROOT), "/elsewhere"]
    jars = os.environ["HADOOP_CLASSPATH"].split(os.pathsep)
    assert jars and all("flink-metrics-prometheus" in jar for jar in jars)
