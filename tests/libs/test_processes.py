"""Ports for local servers: free, never twice, and out of the kernel's ephemeral range."""

import socket

import pytest

from libs import processes
from libs.processes import LOWEST_PORT, _ephemeral_low, free_port


def test_ports_are_free_distinct_and_below_the_ephemeral_range() -> None:
    ports = [free_port() for _ in range(200)]
    assert len(set(ports)) == len(ports)
    assert all(LOWEST_PORT <= port < _ephemeral_low() for port in ports)
    for port in ports[:20]:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as server:
            server.bind(("127.0.0.1", port))


def test_a_port_in_use_is_passed_over(monkeypatch: pytest.MonkeyPatch) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        busy = taken.getsockname()[1]
        candidates = iter([busy, busy, LOWEST_PORT + 7])
        monkeypatch.setattr(processes._RANDOM, "randrange", lambda *_: next(candidates))
        monkeypatch.setattr(processes, "_HANDED_OUT", set())
        assert processes.free_port() == LOWEST_PORT + 7
