"""Back up and restore the whole database.

SQLite: the online backup API, which copies a consistent snapshot while the server may
still be writing. PostgreSQL: ``pg_dump --format=custom`` and ``pg_restore --clean``
(the PostgreSQL client programs must be installed).
"""

from __future__ import annotations

import shutil
import sqlite3

# Runs pg_dump/pg_restore with argument lists, no shell (bandit B404).
import subprocess  # nosec B404
from pathlib import Path

from sqlalchemy.engine import make_url


class BackupError(RuntimeError):
    """The backup or restore could not be made; the message says why."""


def _sqlite_path(url: str) -> Path | None:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return None
    if not parsed.database or parsed.database == ":memory:":
        raise BackupError("an in-memory SQLite database cannot be backed up")
    return Path(parsed.database)


def _pg_target(url: str) -> str:
    parsed = make_url(url)
    if parsed.get_backend_name() != "postgresql":
        raise BackupError(f"backups are supported for SQLite and PostgreSQL, not {parsed}")
    return parsed.set(drivername="postgresql").render_as_string(hide_password=False)


def _program(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(f"{name} was not found; install the PostgreSQL client programs")
    return found


def backup(url: str, destination: Path) -> None:
    """Write a consistent copy of the database to ``destination``."""
    source = _sqlite_path(url)
    if source is not None:
        if not source.exists():
            raise BackupError(f"there is no database at {source}")
        destination.parent.mkdir(parents=True, exist_ok=True)
        partial = destination.with_name(destination.name + ".partial")
        with sqlite3.connect(source) as live, sqlite3.connect(partial) as copy:
            live.backup(copy)
        partial.replace(destination)
        return
    # Argument list, no shell; the URL is the operator's setting (bandit B603).
    done = subprocess.run(  # nosec B603
        [
            _program("pg_dump"),
            "--format=custom",
            "--no-owner",
            f"--file={destination}",
            _pg_target(url),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise BackupError(f"pg_dump failed: {done.stderr.strip().splitlines()[-1:]}")


def restore(url: str, source_file: Path) -> None:
    """Replace the database's contents with a backup made by :func:`backup`."""
    if not source_file.is_file():
        raise BackupError(f"there is no backup file at {source_file}")
    target = _sqlite_path(url)
    if target is not None:
        try:
            _restore_sqlite(source_file, target)
        except sqlite3.DatabaseError as error:
            raise BackupError(f"{source_file} is not a SQLite backup: {error}") from None
        return
    # Argument list, no shell; the URL is the operator's setting (bandit B603).
    done = subprocess.run(  # nosec B603
        [
            _program("pg_restore"),
            "--clean",
            "--if-exists",
            "--no-owner",
            "--single-transaction",
            f"--dbname={_pg_target(url)}",
            str(source_file),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise BackupError(f"pg_restore failed: {done.stderr.strip().splitlines()[-1:]}")


def _restore_sqlite(source_file: Path, target: Path) -> None:
    with sqlite3.connect(source_file) as saved:
        check = saved.execute("PRAGMA integrity_check").fetchone()
        if not check or check[0] != "ok":
            raise BackupError(f"{source_file} is not a sound SQLite database")
        target.parent.mkdir(parents=True, exist_ok=True)
        with sqlite3.connect(target) as live:
            saved.backup(live)
