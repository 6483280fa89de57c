"""The demo's exit codes: a SIGTERM exits 128 + 15 whatever exception it becomes on the way out."""

import signal
from collections.abc import Callable, Iterator
from typing import NoReturn

import pytest

from devtools.demo import __main__ as demo


def run_converting_the_signal(_args: object) -> NoReturn:
    """A run in which SIGTERM lands inside a C call that turns it into an error of its own."""
    try:
        signal.raise_signal(signal.SIGTERM)
    except SystemExit:
        raise TypeError("expected configuration property name as type unicode string") from None
    raise AssertionError("the handler did not raise")


def run_failing(error: BaseException) -> Callable[[object], NoReturn]:
    """A run that fails with ``error`` and no signal."""

    def failing(_args: object) -> NoReturn:
        raise error

    return failing


@pytest.fixture(autouse=True)
def restore_sigterm() -> Iterator[None]:
    """``main`` installs its SIGTERM handler; the test process gets its own back."""
    previous = signal.getsignal(signal.SIGTERM)
    yield
    signal.signal(signal.SIGTERM, previous)


def test_sigterm_exits_143_even_when_a_c_call_turns_it_into_another_error(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(demo, "run", run_converting_the_signal)
    assert demo.main([]) == 128 + signal.SIGTERM
    assert "terminated by signal 15" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("error", "code", "message"),
    [
        (demo.DemoError("stage dbt failed"), 1, "demo failed: stage dbt failed"),
        (KeyboardInterrupt(), 130, "demo interrupted"),
    ],
)
def test_failures_without_a_signal_keep_their_own_codes(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    error: BaseException,
    code: int,
    message: str,
) -> None:
    monkeypatch.setattr(demo, "run", run_failing(error))
    assert demo.main([]) == code
    assert message in capsys.readouterr().err


def test_an_unexpected_error_without_a_signal_is_not_hidden(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(demo, "run", run_failing(TypeError("a bug")))
    with pytest.raises(TypeError, match="a bug"):
        demo.main([])
