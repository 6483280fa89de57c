"""Harness failures say why, with the server's own words."""

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from devtools.testing.kafka import KafkaBroker, fetch_jars, kafka_version, new_cluster_id
from devtools.testing.postgres import PREFIX
from libs.processes import HarnessError, log_tail, sweep_orphans, wait_until


def test_log_tail(tmp_path: Path) -> None:
    log = tmp_path / "server.log"
    log.write_text("\n".join(f"line {i}" for i in range(100)))
    assert log_tail(log, 2) == "line 98\nline 99"
    assert "no log" in log_tail(tmp_path / "missing.log")


def test_kafka_version_is_pinned() -> None:
    assert kafka_version() == "4.1.1"


@pytest.mark.integration
def test_broken_broker_config_reports_the_tool_output() -> None:
    with pytest.raises(HarnessError, match="not-a-number") as caught:
        KafkaBroker({"node.id": "not-a-number"}).start(timeout=30)
    assert "format failed" in str(caught.value)


def test_cluster_ids_are_22_url_safe_characters() -> None:
    ids = {new_cluster_id() for _ in range(200)}
    assert len(ids) == 200
    assert all(len(cluster_id) == 22 and "=" not in cluster_id for cluster_id in ids)


@pytest.mark.integration
def test_a_cluster_id_starting_with_a_hyphen_formats(tmp_path: Path) -> None:
    """One id in 64 starts with ``-``; the tool must not mistake it for an option."""
    config = tmp_path / "server.properties"
    config.write_text(
        "process.roles=broker,controller\nnode.id=1\n"
        "controller.quorum.voters=1@127.0.0.1:9093\ncontroller.listener.names=CONTROLLER\n"
        "listeners=PLAINTEXT://127.0.0.1:9092,CONTROLLER://127.0.0.1:9093\n"
        f"log.dirs={tmp_path / 'data'}\n"
    )
    broker = KafkaBroker()
    broker.directory = tmp_path
    broker.format_storage(fetch_jars(), config, "-" + new_cluster_id()[1:])
    assert (tmp_path / "data" / "meta.properties").read_text().count("cluster.id=-") == 1


@pytest.mark.integration
def test_a_failed_start_leaves_no_directory() -> None:
    broker = KafkaBroker({"node.id": "not-a-number"})
    with pytest.raises(HarnessError):
        broker.start(timeout=30)
    assert broker.directory.name and not broker.directory.exists()


OWNER = """
import sys, time
from devtools.testing.postgres import PostgresServer
with PostgresServer() as server:
    print(server.directory, flush=True)
    time.sleep(600)
"""


@pytest.mark.integration
def test_servers_stop_and_clean_up_when_their_owner_gets_sigterm() -> None:
    owner = subprocess.Popen([sys.executable, "-c", OWNER], stdout=subprocess.PIPE, text=True,
                             cwd=Path(__file__).resolve().parents[3])  # fmt: skip
    try:
        assert owner.stdout is not None
        directory = Path(owner.stdout.readline().strip())
        assert (directory / "data" / "postmaster.pid").exists()
        owner.send_signal(signal.SIGTERM)
        assert owner.wait(timeout=60) == 128 + signal.SIGTERM
        assert not directory.exists()
    finally:
        if owner.poll() is None:
            owner.kill()


OWNER_KILLED = """
import time
from devtools.testing.postgres import PostgresServer
with PostgresServer() as server:
    print(server.directory, server._postmaster.pid, flush=True)
    time.sleep(600)
"""


def _gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return Path(f"/proc/{pid}/stat").read_text().split()[2] == "Z"  # a zombie is gone too


@pytest.mark.integration
def test_postgres_dies_with_an_owner_killed_by_sigkill_and_its_directory_is_swept() -> None:
    owner = subprocess.Popen([sys.executable, "-c", OWNER_KILLED], stdout=subprocess.PIPE,
                             text=True, cwd=Path(__file__).resolve().parents[3])  # fmt: skip
    try:
        assert owner.stdout is not None
        directory, pid = owner.stdout.readline().split()
        postmaster = int(pid)
        assert not _gone(postmaster)
        owner.kill()
        owner.wait(timeout=30)
        assert wait_until(lambda: _gone(postmaster), 30, lambda: True), "postmaster outlived owner"
        assert Path(directory).exists()  # nobody could remove it ...
        assert Path(directory) in sweep_orphans(PREFIX)  # ... until the next start sweeps it
        assert not Path(directory).exists()
    finally:
        if owner.poll() is None:
            owner.kill()
