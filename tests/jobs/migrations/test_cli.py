"""The migrations CLI reads its DSN from a mounted Secret file, as the cluster's Job does."""

from pathlib import Path

import pytest

from devtools.testing.postgres import PostgresServer
from jobs.migrations.__main__ import main


@pytest.mark.integration
def test_migrate_with_the_dsn_in_a_file(
    postgres: PostgresServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    secret = tmp_path / "uri"
    secret.write_text(postgres.dsn() + "\n", encoding="utf-8")  # Secret files may end in a newline
    assert main(["migrate", "--dsn-file", str(secret)]) == 0
    assert main(["status", "--dsn-file", str(secret)]) == 0
    assert "pending" not in capsys.readouterr().out


def test_a_missing_dsn_file_is_a_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["migrate", "--dsn-file", str(tmp_path / "absent")])
    assert exit_.value.code == 2
    error = capsys.readouterr().err
    assert "--dsn-file" in error and "No such file or directory" in error


def test_dsn_and_dsn_file_are_exclusive(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    secret = tmp_path / "uri"  # a readable file: only the exclusion can refuse the pair
    secret.write_text("postgresql://y\n", encoding="utf-8")
    with pytest.raises(SystemExit) as exit_:
        main(["migrate", "--dsn", "postgresql://x", "--dsn-file", str(secret)])
    assert exit_.value.code == 2
    assert "argument --dsn-file: not allowed with argument --dsn" in capsys.readouterr().err
