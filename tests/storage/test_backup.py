"""Backup and restore: every row equal after a round trip (SQLite; PostgreSQL when set)."""

from __future__ import annotations

import json
import os
import stat
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, MetaData, select, text
from sqlalchemy.engine import make_url

from crampcheck import cli
from crampcheck.services import demo_data
from crampcheck.storage.backup import BackupError, backup, restore
from crampcheck.storage.database import make_engine, upgrade

PG_URL = os.environ.get("CRAMPCHECK_TEST_DATABASE_URL")


def _rows(engine: Engine) -> dict[str, list[tuple[object, ...]]]:
    metadata = MetaData()
    metadata.reflect(engine)
    with engine.connect() as connection:
        return {
            name: sorted((tuple(row) for row in connection.execute(select(table))), key=repr)
            for name, table in sorted(metadata.tables.items())
        }


def _fill(engine: Engine) -> None:
    demo_data.generate(engine, 5, 60, seed=3, now=datetime(2026, 11, 1, tzinfo=UTC))


def test_sqlite_round_trip_keeps_every_row(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'live.sqlite3'}"
    upgrade(url)
    engine = make_engine(url)
    _fill(engine)
    before = _rows(engine)
    saved = tmp_path / "backup.sqlite3"
    backup(url, saved)
    with engine.begin() as connection:
        connection.execute(text("DELETE FROM episodes"))
        connection.execute(text("DELETE FROM users"))
    assert _rows(engine) != before
    engine.dispose()
    restore(url, saved)
    engine = make_engine(url)
    assert _rows(engine) == before
    assert sum(len(rows) for rows in before.values()) > 60
    engine.dispose()


def test_command_line_round_trip(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CRAMPCHECK_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("CRAMPCHECK_DATABASE_URL", raising=False)
    url = f"sqlite:///{tmp_path / 'data' / 'crampcheck.sqlite3'}"
    upgrade(url)
    engine = make_engine(url)
    _fill(engine)
    before = _rows(engine)
    engine.dispose()
    target = tmp_path / "out" / "copy.sqlite3"
    assert cli.main(["backup", str(target)]) == cli.EXIT_OK
    assert "backed up" in capsys.readouterr().out
    assert cli.main(["restore", str(target)]) == cli.EXIT_OK
    engine = make_engine(url)
    assert _rows(engine) == before
    engine.dispose()


def test_bad_backup_files_are_refused_with_a_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CRAMPCHECK_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("CRAMPCHECK_DATABASE_URL", raising=False)
    assert cli.main(["restore", str(tmp_path / "missing.sqlite3")]) == cli.EXIT_FAILED
    assert "no backup file" in capsys.readouterr().err
    junk = tmp_path / "junk.sqlite3"
    junk.write_bytes(b"this is not a database" * 100)
    assert cli.main(["restore", str(junk)]) == cli.EXIT_FAILED
    err = " ".join(capsys.readouterr().err.split())  # the console wraps long paths
    assert "not a SQLite backup" in err and "Traceback" not in err
    with pytest.raises(BackupError):
        backup(f"sqlite:///{tmp_path / 'nothing-here.sqlite3'}", tmp_path / "b.sqlite3")


@pytest.mark.postgres
@pytest.mark.skipif(not PG_URL, reason="CRAMPCHECK_TEST_DATABASE_URL is not set")
def test_postgresql_round_trip_keeps_every_row(tmp_path: Path) -> None:
    assert PG_URL is not None
    admin = make_engine(PG_URL)
    schema = f"backup_{os.getpid()}"
    with admin.begin() as connection:
        connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = f"{PG_URL}?options=-csearch_path%3D{schema}"
    if not make_url(url).password:  # handed over in a password file (trust ignores it)
        url = make_url(url).set(password="pass:word").render_as_string(hide_password=False)
    try:
        upgrade(url)
        engine = make_engine(url)
        _fill(engine)
        before = _rows(engine)
        saved = tmp_path / "backup.dump"
        backup(url, saved)
        assert stat.S_IMODE(saved.stat().st_mode) == 0o600
        with engine.begin() as connection:
            connection.execute(text("DELETE FROM episodes"))
        engine.dispose()
        restore(url, saved)
        engine = make_engine(url)
        assert _rows(engine) == before
        engine.dispose()
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


def test_timestamps_survive(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'live.sqlite3'}"
    upgrade(url)
    engine = make_engine(url)
    _fill(engine)
    with engine.connect() as connection:
        first = connection.execute(text("SELECT min(started_at) FROM episodes")).scalar()
    saved = tmp_path / "b.sqlite3"
    backup(url, saved)
    engine.dispose()
    restore(url, saved)
    engine = make_engine(url)
    with engine.connect() as connection:
        assert connection.execute(text("SELECT min(started_at) FROM episodes")).scalar() == first
    engine.dispose()


# ---------------------------------------------------------------- the password stays off argv

FAKE_CLIENT = r"""#!{python}
import json, os, sys
passfile = os.environ.get("PGPASSFILE")
record = {{
    "argv": sys.argv,
    "PGPASSWORD": os.environ.get("PGPASSWORD"),
    "passfile": open(passfile).read() if passfile else None,
    "passfile_mode": os.stat(passfile).st_mode & 0o777 if passfile else None,
    "passfile_path": passfile,
}}
with open(os.environ["FAKE_PG_LOG"], "a") as log:
    log.write(json.dumps(record) + "\n")
for argument in sys.argv[1:]:
    if argument.startswith("--file="):
        open(argument[len("--file="):], "wb").write(b"PGDMP")
"""


@pytest.fixture
def fake_pg_clients(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """pg_dump and pg_restore stand-ins, first on PATH, that write down how they were run
    (their arguments, the password variable, the password file) to the returned log."""
    folder = tmp_path / "bin"
    folder.mkdir()
    for name in ("pg_dump", "pg_restore"):
        program = folder / name
        program.write_text(FAKE_CLIENT.format(python=sys.executable))
        program.chmod(0o700)
    log = tmp_path / "runs.jsonl"
    monkeypatch.setenv("PATH", f"{folder}{os.pathsep}{os.environ.get('PATH', '')}")
    monkeypatch.setenv("FAKE_PG_LOG", str(log))
    monkeypatch.setenv("PGPASSWORD", "a-stale-one-from-the-shell")
    return log


def _runs(log: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in log.read_text().splitlines()]


def test_the_postgresql_password_never_goes_on_the_command_line(
    tmp_path: Path, fake_pg_clients: Path
) -> None:
    password = "s3cr:t\\p@ss"  # a colon and a backslash: escaped in the password file
    url = (
        "postgresql+psycopg://crampcheck:s3cr%3At%5Cp%40ss@db.example:5433/cc"
        "?options=-csearch_path%3Dclinic"
    )
    assert make_url(url).password == password
    saved = tmp_path / "backups" / "cc.dump"
    backup(url, saved)
    restore(url, saved)
    runs = _runs(fake_pg_clients)
    assert [Path(run["argv"][0]).name for run in runs] == ["pg_dump", "pg_restore"]
    for run in runs:
        command_line = " ".join(run["argv"])
        for form in ("s3cr", "p@ss", "p%40ss"):
            assert form not in command_line
        assert "postgresql://crampcheck@db.example:5433/cc?options=" in command_line
        assert run["PGPASSWORD"] is None  # libpq would prefer it to the file
        assert run["passfile"] == "*:*:*:*:s3cr\\:t\\\\p@ss\n"
        assert run["passfile_mode"] == 0o600
        assert not Path(run["passfile_path"]).exists()  # removed once the program ended
    assert stat.S_IMODE(saved.stat().st_mode) == 0o600


def test_without_a_password_the_client_programs_find_their_own(
    tmp_path: Path, fake_pg_clients: Path
) -> None:
    backup("postgresql+psycopg://crampcheck@db.example/cc", tmp_path / "cc.dump")
    (run,) = _runs(fake_pg_clients)
    assert run["passfile"] is None
    assert run["PGPASSWORD"] == "a-stale-one-from-the-shell"  # the operator's, untouched
    assert run["argv"][-1] == "postgresql://crampcheck@db.example/cc"
