"""Backup and restore: every row equal after a round trip (SQLite; PostgreSQL when set)."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, MetaData, select, text

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
    try:
        upgrade(url)
        engine = make_engine(url)
        _fill(engine)
        before = _rows(engine)
        saved = tmp_path / "backup.dump"
        backup(url, saved)
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
