"""What an operator gets wrong most, answered by the real `handoff` command in one line on
standard error, with the fix in it, exit code 2 and no traceback."""

from __future__ import annotations

import sqlite3
import subprocess
from pathlib import Path

import pytest

from storage.migrate import downgrade_to, head, upgrade
from tests.support.cli import run_handoff, run_handoff_each

SLACK = {
    "SLACK_BOT_TOKEN": "xoxb-test-token",
    "SLACK_SIGNING_SECRET": "test-signing-secret",
    "HANDOFF_AE_CHANNEL": "C0AEDESK",
}
# Every command that reads or writes the database, as an operator runs it.
USES_THE_DATABASE = {
    "serve": ["serve", "--no-scheduler"],
    "worker": ["worker"],
    "chase": ["chase"],
    "digest": ["digest", "--dry-run"],
    "export": ["export"],
}


def one_line(args: list[str], env: dict[str, str], cwd: Path) -> str:
    """Run `handoff args`; its one line on standard error (exit code 2 asserted)."""
    return _line(run_handoff(args, {**SLACK, **env}, cwd))


def each_one_line(commands: list[list[str]], env: dict[str, str], cwd: Path) -> list[str]:
    return [_line(done) for done in run_handoff_each(commands, {**SLACK, **env}, cwd)]


def _line(done: subprocess.CompletedProcess[str]) -> str:
    assert done.returncode == 2, (done.args, done.returncode, done.stderr)
    assert "Traceback" not in done.stderr
    assert done.stderr.count("\n") == 1 and done.stderr.startswith("handoff: "), done.stderr
    return done.stderr.strip()


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "postgresql://handoff:pw-in-url@db.example:notaport/handoff",
            "DATABASE_URL postgresql://handoff:***@db.example:notaport/handoff cannot be used "
            "(it cannot be parsed): write it as postgresql://user:password@host:5432/name or "
            "sqlite:///path/to/handoff.db",
        ),
        (
            "postgresql+nodriver://handoff:pw-in-url@db.example/handoff",
            "(an unknown database kind or driver)",
        ),
        (
            "postgresql://handoff:pw-in-url@127.0.0.1:1/handoff",
            "DATABASE_URL: cannot connect to the database at "
            "postgresql://handoff:***@127.0.0.1:1/handoff (connection failed: connection to "
            'server at "127.0.0.1", port 1 failed: Connection refused): check that it is running '
            "and that the URL is right",
        ),
    ],
    ids=["malformed", "unknown-driver", "unreachable"],
)
def test_a_database_url_that_cannot_work(tmp_path: Path, url: str, expected: str) -> None:
    line = one_line(["export"], {"DATABASE_URL": url}, tmp_path)
    assert expected in line
    assert "pw-in-url" not in line


def test_a_database_behind_this_version(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'handoff.db'}"
    upgrade(url)
    downgrade_to(url, "0003")
    lines = each_one_line(list(USES_THE_DATABASE.values()), {"DATABASE_URL": url}, tmp_path)
    assert set(lines) == {
        f"handoff: the database at {url} is at revision 0003, behind this version's "
        f"{head()}: run `handoff db upgrade`"
    }


def test_a_database_never_migrated(tmp_path: Path) -> None:
    path = tmp_path / "handoff.db"
    sqlite3.connect(path).close()  # a file, and nothing in it
    line = one_line(["export"], {"DATABASE_URL": f"sqlite:///{path}"}, tmp_path)
    assert line.endswith("is not migrated yet: run `handoff db upgrade`")


def test_a_mistyped_sqlite_path_creates_nothing(tmp_path: Path) -> None:
    commands = [*USES_THE_DATABASE.values(), ["db", "current"]]
    lines = each_one_line(commands, {"DATABASE_URL": "sqlite:///hadnoff.db"}, tmp_path)
    assert set(lines) == {
        f"handoff: DATABASE_URL: there is no SQLite database at {tmp_path / 'hadnoff.db'}: "
        "check the path, or create one there (run `handoff db upgrade`)"
    }
    assert list(tmp_path.iterdir()) == []


def test_db_upgrade_creates_the_sqlite_file_but_not_its_folder(tmp_path: Path) -> None:
    missing = tmp_path / "no-such-folder" / "handoff.db"
    line = one_line(["db", "upgrade"], {"DATABASE_URL": f"sqlite:///{missing}"}, tmp_path)
    assert line == (
        f"handoff: DATABASE_URL: cannot create {missing}: the folder {missing.parent} "
        "does not exist"
    )
    done = run_handoff(["db", "upgrade"], {"DATABASE_URL": "sqlite:///handoff.db"}, tmp_path)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "handoff.db").is_file()


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (
            ["export", "--output", "no-such-folder/out.csv"],
            "--output no-such-folder/out.csv: cannot write there (No such file or directory)",
        ),
        (["export", "--output", "."], "--output .: cannot write there (Is a directory)"),
        (
            ["digest", "--dry-run", "--chart", "no-such-folder/chart.png"],
            "--chart no-such-folder/chart.png: cannot write there (No such file or directory)",
        ),
    ],
    ids=["output-folder-missing", "output-a-folder", "chart-folder-missing"],
)
def test_an_output_that_cannot_be_written(tmp_path: Path, args: list[str], expected: str) -> None:
    url = f"sqlite:///{tmp_path / 'handoff.db'}"
    upgrade(url)
    line = one_line(args, {"DATABASE_URL": url}, tmp_path)
    assert line == f"handoff: {expected}; give a writable file path"


def test_a_config_file_that_is_not_utf8(tmp_path: Path) -> None:
    (tmp_path / "team.toml").write_bytes('[rubric]\nversion = "été"\n'.encode("latin-1"))
    line = one_line(["export"], {"HANDOFF_CONFIG": "team.toml"}, tmp_path)
    assert line == (
        "handoff: HANDOFF_CONFIG: team.toml: not UTF-8 text (byte 20 is 0xe9); "
        "save the file as UTF-8"
    )
